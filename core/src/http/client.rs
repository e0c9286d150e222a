//! The client side: prepare a request as the reference's `SecureFetch` does, open
//! the answer.

use super::target::{encode_target, split_url, Origin};
use super::{Method, RequestHeaders, AUTHORIZATION, CONTENT_TYPE, JSON_CONTENT_TYPE};
use crate::error::{malformed, Error, ErrorKind, Result};
use crate::keys::{PublicKey, SecretKey};
use crate::session::Session;

/// A request ready to send: method, URL, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// `GET` or `POST` ([`Method::as_str`] is its name on the wire).
    pub method: Method,
    /// `hostname + path`, exactly the string that was signed for a GET.
    pub url: String,
    /// `authorization`, and `content-type: application/json` for a POST.
    pub headers: RequestHeaders,
    /// For a POST, the JSON text `{"data":"..."}`.
    pub body: Option<String>,
}

/// What a client sends and signs for a URL: see [`signed_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUrl {
    /// Where the request goes: the URL's own origin (or the configured one for a
    /// bare target).
    pub origin: Origin,
    /// The origin-form request-target to send, percent-encoded, exactly as signed:
    /// send it as it is (an HTTP library must not re-encode or normalise it).
    pub target: String,
    /// What a GET signs: the server's origin followed by `target`.
    pub signed: String,
}

/// The URL a client signs for `url`, and the target it sends.
///
/// `url` is absolute (`http://host/path?query`) or an origin-form target (`/path`,
/// then `origin` is required). `origin` is the server's configured host when the
/// server signs another origin than the one the request goes to (behind a proxy);
/// `None` means the URL's own. The target is percent-encoded as `fetch` sends it
/// (bytes outside 0x21-0x7E become `%XX`), the fragment is dropped, an empty path
/// is `/`; dot segments and `%2F` are kept as written. A URL without an http(s)
/// origin, or an `origin` that is not one, is [`ErrorKind::MalformedInput`].
pub fn signed_url(origin: Option<&str>, url: &str) -> Result<SignedUrl> {
    let configured = origin.map(Origin::parse).transpose()?;
    let (origin, target) = if url.trim_start().starts_with('/') {
        let origin = configured.clone().ok_or_else(|| {
            malformed("a target without an origin: give the server's origin or an absolute URL")
        })?;
        (origin, encode_target(url.trim())?)
    } else {
        split_url(url)?
    };
    let prefix = configured.as_ref().unwrap_or(&origin);
    Ok(SignedUrl {
        signed: format!("{prefix}{target}"),
        origin,
        target,
    })
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
        let method = Method::for_client(method)?;
        let url = format!("{}{}", self.hostname, path);
        match method {
            Method::Get => {
                if body.is_some() {
                    return Err(malformed("a GET request has no body in v1"));
                }
                let token = self.session.token_for(url.as_bytes());
                Ok(PreparedRequest {
                    method,
                    headers: RequestHeaders::new(AUTHORIZATION, token.encode()),
                    url,
                    body: None,
                })
            }
            Method::Post => {
                let encoded = self.session.encode(body.unwrap_or(url.as_bytes()));
                let body = serde_json::to_string(&serde_json::json!({ "data": encoded.data }))
                    .expect("a string map serializes");
                Ok(PreparedRequest {
                    method,
                    headers: RequestHeaders::new(AUTHORIZATION, encoded.token.encode())
                        .with_content_type((CONTENT_TYPE, JSON_CONTENT_TYPE)),
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
        let auth = req.headers.authorization();
        let ok = server
            .authenticate("GET", b"/a?b=c%20d", Some(auth), b"")
            .unwrap();
        assert_eq!(ok.peer(), client.session().public_key());
        let e = server
            .authenticate("GET", b"/a?b=c%20e", Some(auth), b"")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidSignature);
        let e = server
            .authenticate("GET", b"/a?b=c d", Some(auth), b"")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedInput);

        let req = client.prepare("post", "/p", Some(b"{\"k\":1}")).unwrap();
        let ok = server
            .authenticate(
                "POST",
                b"/p",
                Some(req.headers.authorization()),
                req.body.as_deref().unwrap().as_bytes(),
            )
            .unwrap();
        assert_eq!(ok.payload.as_deref(), Some(&b"{\"k\":1}"[..]));

        let answer = server.seal_text(&ok.session, 200, "hi").unwrap();
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
    fn prepared_requests_carry_a_typed_method_and_the_protocol_headers() {
        let client = Client::new(
            &SecretKey::generate().public_key(),
            &SecretKey::generate(),
            Some("http://h"),
        );
        for name in ["", "get", "GET", "gEt"] {
            let get = client.prepare(name, "/a", None).unwrap();
            assert_eq!((get.method, get.method.as_str()), (Method::Get, "GET"));
            let names: Vec<_> = get.headers.iter().map(|(n, _)| n).collect();
            assert_eq!(names, ["authorization"], "{name:?}");
            assert_eq!(get.headers.content_type(), None);
            assert_eq!(get.headers.cache_control(), None);
            // The value is the v1 token over the URL, nothing around it.
            let token = crate::Token::parse(get.headers.authorization()).unwrap();
            assert!(token.is_signed_by(client.session().public_key()));
        }
        let post = client.prepare("post", "/p", Some(b"{}")).unwrap();
        assert_eq!(post.method.as_str(), "POST");
        assert_eq!(
            post.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["authorization", "content-type"]
        );
        assert_eq!(post.headers.get("Content-Type"), Some("application/json"));
        assert_eq!(post.headers.content_type(), Some("application/json"));
        assert_eq!(
            post.headers.get("AUTHORIZATION"),
            Some(post.headers.authorization())
        );
    }

    #[test]
    fn signed_urls_are_what_goes_on_the_wire() {
        let s = |o: Option<&str>, u: &str| signed_url(o, u).map(|s| (s.signed, s.target));
        let ok = |signed: &str, target: &str| Ok((signed.to_string(), target.to_string()));
        assert_eq!(
            s(None, "http://h:1/a?b=1"),
            ok("http://h:1/a?b=1", "/a?b=1")
        );
        assert_eq!(s(None, "http://h:1"), ok("http://h:1/", "/"));
        assert_eq!(s(None, "http://h:1?q"), ok("http://h:1/?q", "/?q"));
        assert_eq!(s(None, "HTTP://H:80/a#frag"), ok("http://h/a", "/a"));
        assert_eq!(
            s(None, "http://h/a b/é"),
            ok("http://h/a%20b/%C3%A9", "/a%20b/%C3%A9")
        );
        assert_eq!(
            s(None, "http://h/a/../%2F"),
            ok("http://h/a/../%2F", "/a/../%2F")
        );
        // The server signs its configured origin, wherever the request goes.
        assert_eq!(
            s(Some("https://api.example/"), "http://10.0.0.1:8080/x"),
            ok("https://api.example/x", "/x")
        );
        assert_eq!(s(Some("http://h:1"), "/x?y"), ok("http://h:1/x?y", "/x?y"));
        let sent = signed_url(Some("https://api.example"), "http://10.0.0.1:8080/x").unwrap();
        assert_eq!(sent.origin.as_str(), "http://10.0.0.1:8080");
        for (o, u) in [
            (None, "/x"),
            (None, "h/x"),
            (None, "ftp://h/x"),
            (Some("h:1"), "/x"),
            (None, "http://u@h/x"),
        ] {
            assert_eq!(
                signed_url(o, u).unwrap_err().kind(),
                ErrorKind::MalformedInput,
                "{o:?} {u}"
            );
        }
        // What a client signs, the server checks for the target it sends.
        let key = SecretKey::generate();
        let server = Server::new(&key, "http://h:1").unwrap();
        let client = Client::new(server.public_key(), &SecretKey::generate(), None);
        for url in [
            "http://h:1/a b?c=d e",
            "http://h:1",
            "http://h:1/x/./y/%2f?#f",
        ] {
            let sent = signed_url(None, url).unwrap();
            let req = client.prepare("GET", &sent.signed, None).unwrap();
            let ok = server.authenticate(
                "GET",
                sent.target.as_bytes(),
                Some(req.headers.authorization()),
                b"",
            );
            assert_eq!(ok.unwrap().path_and_query, sent.target, "{url}");
        }
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
                b"/x",
                Some(req.headers.authorization()),
                req.body.unwrap().as_bytes(),
            )
            .unwrap();
        assert_eq!(ok.payload.unwrap(), b"http://h/x");
    }
}
