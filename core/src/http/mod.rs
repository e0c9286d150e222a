//! The protocol over HTTP, without any web framework: a binding hands over the
//! method, the request-target, the `authorization` header and the body, and gets
//! back an authenticated peer or a rejection; it hands over an answer's payload
//! and gets back the status, header and body to send.

mod client;
mod server;
pub mod target;

pub use client::{Client, PreparedRequest};
pub use server::{Authenticated, Limits, SealedAnswer, Server};
pub use target::{encode_target, split_url, Origin, RequestTarget};

/// The status of every rejected request, whatever the reason.
pub const REJECTION_STATUS: u16 = 401;

/// The header that carries the token, in requests and answers.
pub const AUTHORIZATION: &str = "authorization";

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
    /// Parse a method name (ASCII case-insensitive); other methods are
    /// [`crate::ErrorKind::UnsupportedMethod`].
    pub fn parse(name: &str) -> crate::Result<Method> {
        if name.eq_ignore_ascii_case("GET") || name.is_empty() {
            Ok(Method::Get)
        } else if name.eq_ignore_ascii_case("POST") {
            Ok(Method::Post)
        } else {
            Err(crate::Error::new(
                crate::ErrorKind::UnsupportedMethod,
                format!(
                    "v1 signs GET and POST only, not {:?}",
                    name.chars().take(16).collect::<String>()
                ),
            ))
        }
    }
}
