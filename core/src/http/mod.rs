//! The protocol over HTTP, without any web framework: a binding hands over the
//! method, the request-target, the `authorization` header and the body, and gets
//! back an authenticated peer or a rejection; it hands over an answer's payload
//! and gets back the status, header and body to send.

mod client;
pub mod config;
pub mod headers;
mod server;
mod target;

pub use client::{signed_url, Client, PreparedRequest, SignedUrl};
pub use config::Limits;
pub use headers::RequestHeaders;
pub use server::{Authenticated, SealedAnswer, Server};
pub use target::Origin;
pub(crate) use target::{split_url, RequestTarget};

/// The status of every rejected request, whatever the reason.
pub const REJECTION_STATUS: u16 = 401;

/// The header that carries the token, in requests and answers.
pub const AUTHORIZATION: &str = "authorization";

/// The header that names a request body's media type.
pub const CONTENT_TYPE: &str = "content-type";

/// The content type of a POST body (`{"data": ...}`).
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// The content type of a sealed answer's body (base64url text).
pub const ANSWER_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// The HTTP methods v1 signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The URL is signed; there is no body.
    Get,
    /// The payload is signed and encrypted into `{"data": ...}`.
    Post,
}

impl Method {
    /// Parse a method name exactly as it came on the request line: `GET` or `POST`,
    /// case-sensitive (RFC 9110: methods are case-sensitive, and a framework hands
    /// `gEt` to handlers as it is). Anything else, the empty name included, is
    /// [`crate::ErrorKind::UnsupportedMethod`].
    pub fn parse(name: &str) -> crate::Result<Method> {
        match name {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            _ => Err(crate::Error::new(
                crate::ErrorKind::UnsupportedMethod,
                format!(
                    "v1 signs GET and POST only (exactly, in upper case), not {:?}",
                    name.chars().take(16).collect::<String>()
                ),
            )),
        }
    }

    /// Read the method a client's caller asked for, as `fetch` does: its standard
    /// names are matched in any case, and no method (`""`) is GET. What goes on the
    /// wire is then [`Method::as_str`], in upper case.
    pub fn for_client(name: &str) -> crate::Result<Method> {
        if name.is_empty() {
            return Ok(Method::Get);
        }
        Method::parse(&name.to_ascii_uppercase())
    }

    /// The method's name on the wire: `GET` or `POST`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_match_exactly() {
        assert_eq!(Method::parse("GET").unwrap(), Method::Get);
        assert_eq!(Method::parse("POST").unwrap(), Method::Post);
        for bad in ["", "get", "gEt", "Post", "GET ", " GET", "PUT", "HEAD"] {
            assert_eq!(
                Method::parse(bad).unwrap_err().kind(),
                crate::ErrorKind::UnsupportedMethod,
                "{bad:?}"
            );
        }
        for m in [Method::Get, Method::Post] {
            assert_eq!(Method::parse(m.as_str()).unwrap(), m);
            assert_eq!(m.to_string(), m.as_str());
        }
    }
}
