//! The client side: prepare a request as the reference's `SecureFetch` does, open
//! the answer.

use super::{Method, AUTHORIZATION};
use crate::error::{malformed, Error, ErrorKind, Result};
use crate::keys::{PublicKey, SecretKey};
use crate::session::Session;

/// A request ready to send: method, URL, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// `hostname + path`, exactly the string that was signed for a GET.
    pub url: String,
    /// `authorization`, and `content-type: application/json` for a POST.
    pub headers: Vec<(&'static str, String)>,
    /// For a POST, the JSON text `{"data":"..."}`.
    pub body: Option<String>,
}

/// A client of one server: the server's key, our key, and an optional hostname
/// put in front of every path.
#[derive(Debug, Clone)]
pub struct Client {
    session: Session,
    hostname: String,
}

impl Client {
    /// A client that talks to the server whose public key is `server`.
    pub fn new(server: &PublicKey, secret: &SecretKey, hostname: Option<&str>) -> Self {
        Client {
            session: Session::new(server, secret),
            hostname: hostname.unwrap_or("").to_string(),
        }
    }

    /// The session with the server.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The hostname put in front of paths.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// Prepare a request.
    ///
    /// GET (or an empty method) signs the URL string and has no body. POST signs and
    /// encrypts `body` (already serialized, see [`crate::payload`]), or the URL
    /// string when there is no body. Other methods are
    /// [`ErrorKind::UnsupportedMethod`]: v1 cannot sign them.
    pub fn prepare(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<PreparedRequest> {
        let method = Method::parse(method)?;
        let url = format!("{}{}", self.hostname, path);
        match method {
            Method::Get => {
                if body.is_some() {
                    return Err(malformed("a GET request has no body in v1"));
                }
                let token = self.session.token_for(url.as_bytes());
                Ok(PreparedRequest {
                    method: "GET",
                    headers: vec![(AUTHORIZATION, token.encode())],
                    url,
                    body: None,
                })
            }
            Method::Post => {
                let encoded = self.session.encode(body.unwrap_or(url.as_bytes()));
                let body = serde_json::to_string(&serde_json::json!({ "data": encoded.data }))
                    .expect("a string map serializes");
                Ok(PreparedRequest {
                    method: "POST",
                    headers: vec![
                        (AUTHORIZATION, encoded.token.encode()),
                        ("content-type", "application/json".to_string()),
                    ],
                    url,
                    body: Some(body),
                })
            }
        }
    }

    /// Open an answer: a 2xx status, the server's token in `authorization` and the
    /// encrypted body. Returns the plaintext bytes.
    ///
    /// A non-2xx status is [`ErrorKind::HttpStatus`]; a token from a key other than
    /// the server's is [`ErrorKind::WrongPeer`].
    pub fn open(&self, status: u16, authorization: Option<&str>, body: &str) -> Result<Vec<u8>> {
        if !(200..300).contains(&status) {
            return Err(Error::http_status(status));
        }
        let token = authorization
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidSignature,
                    "the answer has no authorization header: it is not signed",
                )
            })?;
        self.session.decode(token, body.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Server;

    #[test]
    fn request_and_answer_round_trip() {
        let server_key = SecretKey::generate();
        let server = Server::new(&server_key, "http://localhost:1").unwrap();
        let client = Client::new(
            server.public_key(),
            &SecretKey::generate(),
            Some("http://localhost:1"),
        );

        let req = client.prepare("GET", "/a?b=c%20d", None).unwrap();
        let auth = &req.headers[0].1;
        let ok = server
            .authenticate("GET", "/a?b=c%20d", Some(auth), b"")
            .unwrap();
        assert_eq!(ok.peer(), client.session().public_key());
        let e = server
            .authenticate("GET", "/a?b=c d", Some(auth), b"")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidSignature);

        let req = client.prepare("post", "/p", Some(b"{\"k\":1}")).unwrap();
        let ok = server
            .authenticate(
                "POST",
                "/p",
                Some(&req.headers[0].1),
                req.body.as_deref().unwrap().as_bytes(),
            )
            .unwrap();
        assert_eq!(ok.payload.as_deref(), Some(&b"{\"k\":1}"[..]));

        let answer = server.seal_text(&ok.session, 200, "hi");
        assert_eq!(
            client
                .open(200, Some(&answer.authorization), &answer.body)
                .unwrap(),
            b"hi"
        );
        assert_eq!(
            client
                .open(404, Some(&answer.authorization), &answer.body)
                .unwrap_err()
                .status(),
            Some(404)
        );
        assert_eq!(
            client.prepare("PUT", "/", None).unwrap_err().kind(),
            ErrorKind::UnsupportedMethod
        );
    }

    #[test]
    fn post_without_body_signs_the_url() {
        let server_key = SecretKey::generate();
        let client = Client::new(
            &server_key.public_key(),
            &SecretKey::generate(),
            Some("http://h"),
        );
        let req = client.prepare("POST", "/x", None).unwrap();
        let server = Server::new(&server_key, "http://h").unwrap();
        let ok = server
            .authenticate(
                "POST",
                "/x",
                Some(&req.headers[0].1),
                req.body.unwrap().as_bytes(),
            )
            .unwrap();
        assert_eq!(ok.payload.unwrap(), b"http://h/x");
    }
}
