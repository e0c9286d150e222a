//! The server side: authenticate a request, seal an answer.

use serde::Deserialize;
use serde_json::Value;

use super::config::Limits;
use super::target::{Origin, RequestTarget};
use super::Method;
use crate::cache::BoundedCache;
use crate::error::{malformed, Error, ErrorKind, Result};
use crate::keys::{PublicKey, SecretKey};
use crate::payload::{json_bytes, revive};
use crate::session::{Identity, Session};
use crate::token::{digest, read_signature, Token, PUBKEY_LEN};

/// A server's configuration and caches: its key and its own origin (`host`).
///
/// Share one `Server` between threads; it is `Send + Sync`.
pub struct Server {
    identity: Identity,
    // The configured host as clients put it in front of a path (v1 signs that
    // string), and the same host normalised, to match an absolute-form target.
    host: String,
    origin: Origin,
    limits: Limits,
    sessions: BoundedCache<[u8; PUBKEY_LEN], Session>,
    verified: BoundedCache<Vec<u8>, ()>,
}

/// A request that passed: who sent it, their session, and the payload.
///
/// `Debug` shows the peer, the method and the payload's length, never the payload.
#[derive(Clone)]
#[non_exhaustive]
pub struct Authenticated {
    /// The session with the client (peer = the client's key).
    pub session: Session,
    /// The token the client sent.
    pub token: Token,
    /// Which protocol method the request used.
    pub method: Method,
    /// The path and query that were checked: what the framework routes.
    pub path_and_query: String,
    /// For POST, the decrypted payload; for GET, `None`.
    pub payload: Option<Vec<u8>>,
}

impl std::fmt::Debug for Authenticated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticated")
            .field("peer", self.peer())
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field(
                "payload",
                &self
                    .payload
                    .as_ref()
                    .map(|p| format!("<{} bytes>", p.len())),
            )
            .finish_non_exhaustive()
    }
}

impl Authenticated {
    /// The client's public key.
    pub fn peer(&self) -> &PublicKey {
        self.session.peer()
    }

    /// The payload revived as the reference does (JSON if it parses, else text).
    pub fn revived(&self) -> Option<Value> {
        self.payload.as_deref().map(revive)
    }
}

/// An answer ready to send: status, the `authorization` header, and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedAnswer {
    /// The HTTP status the handler chose.
    pub status: u16,
    /// The server's token over the payload.
    pub authorization: String,
    /// The encrypted payload, base64url text.
    pub body: String,
}

#[derive(Deserialize)]
struct PostBody<'a> {
    #[serde(borrow)]
    data: std::borrow::Cow<'a, str>,
}

impl Server {
    /// A server with the default [`Limits`].
    ///
    /// `host` is the origin clients put in front of the path when they sign a GET,
    /// e.g. `http://localhost:3001` (one trailing `/` is dropped). It must be an
    /// origin ([`Origin::parse`]): `scheme://host[:port]` and nothing more.
    pub fn new(secret: &SecretKey, host: &str) -> Result<Self> {
        Self::with_limits(secret, host, Limits::default())
    }

    /// A server with explicit limits; a limit out of its bounds is an error
    /// ([`Limits::validate`]).
    pub fn with_limits(secret: &SecretKey, host: &str, limits: Limits) -> Result<Self> {
        let host = host.trim();
        if host.is_empty() {
            return Err(malformed(
                "host is empty: set it to the origin clients sign, e.g. http://localhost:3001",
            ));
        }
        let origin = Origin::parse(host)?;
        limits.validate()?;
        Ok(Server {
            identity: Identity::new(secret),
            host: host.strip_suffix('/').unwrap_or(host).to_string(),
            origin,
            limits,
            sessions: BoundedCache::new(limits.session_cache),
            verified: BoundedCache::new(limits.verified_cache),
        })
    }

    /// The server's public key (what clients need).
    pub fn public_key(&self) -> &PublicKey {
        self.identity.public()
    }

    /// The origin clients sign.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The session with a client, from the cache when it has been seen. Building
    /// one costs no ECDH: that is done when the session first encrypts or decrypts.
    fn session_for(&self, peer: &[u8; PUBKEY_LEN]) -> Result<(Session, bool)> {
        if let Some(s) = self.sessions.get(peer) {
            return Ok((s, true));
        }
        let key = PublicKey::from_bytes(peer)?;
        Ok((Session::with_identity(&self.identity, &key), false))
    }

    /// Authenticate a request.
    ///
    /// `method` is the method exactly as received (`GET` or `POST`, case-sensitive);
    /// `target` is the request-target's bytes exactly as received (not decoded or
    /// normalized), origin-form or absolute-form naming this server's origin
    /// (`docs/PROTOCOL.md` gives the rules). A GET must have no body. On `Err`, answer
    /// [`super::REJECTION_STATUS`] with an empty body, whatever the kind, and log
    /// the error (it holds no secrets).
    ///
    /// The work is done cheapest first, so a rejected request costs little and
    /// leaves no trace: the method, body, target and token are read; the signature
    /// is parsed; a GET is then verified with the client's public key alone; only a
    /// POST does an ECDH, to decrypt. The client's session enters the cache only
    /// once its request passed.
    pub fn authenticate(
        &self,
        method: &str,
        target: &[u8],
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Authenticated> {
        let method = Method::parse(method)?;
        self.check_body(method, body.len())?;
        let path_and_query = self.routed_target(target)?;
        let token = self.client_token(authorization)?;
        let (session, cached) = self.session_for(token.signer_bytes())?;
        let payload = match method {
            Method::Get => {
                let mut signed = String::with_capacity(self.host.len() + path_and_query.len());
                signed.push_str(&self.host);
                signed.push_str(&path_and_query);
                self.verify_get(&session, &token, &digest(signed.as_bytes()))?;
                None
            }
            Method::Post => {
                let body: PostBody = serde_json::from_slice(body).map_err(|e| {
                    malformed(format!("POST body is not {{\"data\": \"...\"}}: {e}"))
                })?;
                Some(session.decode_token(Ok(&token), &body.data)?)
            }
        };
        if !cached {
            self.sessions.insert(*token.signer_bytes(), session.clone());
        }
        Ok(Authenticated {
            session,
            token,
            method,
            path_and_query,
            payload,
        })
    }

    /// The body rule applied to a request's headers, before its body is read, so a
    /// framework never hands a GET's body to a handler nor reads an oversized one:
    /// a GET with `Content-Length` other than 0 or with any `Transfer-Encoding` is
    /// rejected, as is a `Content-Length` that is not a number or is over
    /// `max_body`. [`Server::authenticate`] applies the same rule to the body read.
    pub fn check_headers(
        &self,
        method: &str,
        content_length: Option<&str>,
        has_transfer_encoding: bool,
    ) -> Result<()> {
        let method = Method::parse(method)?;
        if method == Method::Get && has_transfer_encoding {
            return Err(malformed(
                "a GET request has a Transfer-Encoding: v1 signs no GET body, so none is accepted",
            ));
        }
        let Some(declared) = content_length else {
            return Ok(());
        };
        let declared = declared.trim();
        if declared.is_empty() || !declared.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(format!(
                "Content-Length {:?} is not a number",
                declared.chars().take(24).collect::<String>()
            )));
        }
        // All digits: too long to parse is over any limit.
        let len = declared.parse::<usize>().unwrap_or(usize::MAX);
        self.check_body(method, len)
    }

    /// The one body rule: a GET has none (v1 signs its URL only, so a body would
    /// reach the handler unsigned); a POST's is at most `max_body` bytes.
    fn check_body(&self, method: Method, len: usize) -> Result<()> {
        if method == Method::Get && len > 0 {
            return Err(malformed(format!(
                "a GET request carries a {len}-byte body: v1 signs no GET body, so none is accepted"
            )));
        }
        if len > self.limits.max_body {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("body is {len} bytes, the limit is {}", self.limits.max_body),
            ));
        }
        Ok(())
    }

    /// The path and query a framework routes for `target`, when it is one this
    /// server checks: origin-form, or absolute-form naming this server's origin.
    fn routed_target(&self, target: &[u8]) -> Result<String> {
        let target = RequestTarget::parse(target)?;
        if let RequestTarget::AbsoluteForm { origin, .. } = &target {
            if origin.as_ref() != Some(&self.origin) {
                return Err(malformed(format!(
                    "the absolute-form target names another origin than {}",
                    self.origin
                )));
            }
        }
        Ok(target.path_and_query().to_string())
    }

    /// The client's token, read and checked before any curve arithmetic: present,
    /// not signed by this server's own key (every answer is such a signature, so
    /// accepting one would turn an echoed answer into a request), and a DER or
    /// compact low-S signature.
    fn client_token(&self, authorization: Option<&str>) -> Result<Token> {
        let authorization = authorization
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| malformed("no authorization header"))?;
        let token = Token::parse(authorization)?;
        if token.is_signed_by(self.identity.public()) {
            return Err(Error::new(
                ErrorKind::WrongPeer,
                "the token is signed by this server's own key, not a client's",
            ));
        }
        read_signature(token.signature())?;
        Ok(token)
    }

    fn verify_get(&self, session: &Session, token: &Token, digest: &[u8; 32]) -> Result<()> {
        let mut triple = Vec::with_capacity(PUBKEY_LEN + 32 + token.signature().len());
        triple.extend_from_slice(token.signer_bytes());
        triple.extend_from_slice(digest);
        triple.extend_from_slice(token.signature());
        if self.verified.get(&triple).is_some() {
            return Ok(());
        }
        session.verify_digest(token, digest)?;
        self.verified.insert(triple, ());
        Ok(())
    }

    /// Seal an answer to the client of `session`: sign and encrypt `payload`.
    ///
    /// `status` must be an HTTP status, 100 to 599 ([`ErrorKind::MalformedInput`]
    /// otherwise): every server framework would refuse or mangle another.
    pub fn seal(&self, session: &Session, status: u16, payload: &[u8]) -> Result<SealedAnswer> {
        if !(100..=599).contains(&status) {
            return Err(malformed(format!(
                "status {status} is not an HTTP status (100 to 599)"
            )));
        }
        let encoded = session.encode(payload);
        Ok(SealedAnswer {
            status,
            authorization: encoded.token.encode(),
            body: encoded.data,
        })
    }

    /// `send(text)`: seal a text answer.
    pub fn seal_text(&self, session: &Session, status: u16, text: &str) -> Result<SealedAnswer> {
        self.seal(session, status, text.as_bytes())
    }

    /// `json(value)`: seal the compact JSON of `value`.
    pub fn seal_json(&self, session: &Session, status: u16, value: &Value) -> Result<SealedAnswer> {
        self.seal(session, status, &json_bytes(value))
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("public_key", self.identity.public())
            .field("host", &self.host)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ecdh_count;
    use crate::http::Client;

    const HOST: &str = "http://localhost:3001";

    fn setup() -> (SecretKey, Server, Client) {
        let key = SecretKey::generate();
        let server = Server::new(&key, HOST).unwrap();
        let client = Client::new(server.public_key(), &SecretKey::generate(), Some(HOST));
        (key, server, client)
    }

    fn auth_of(req: &crate::http::PreparedRequest) -> String {
        req.headers.authorization().to_string()
    }

    /// A prepared POST, sent to `target` as prepared.
    fn post_to(
        server: &Server,
        target: &[u8],
        req: &crate::http::PreparedRequest,
    ) -> Result<Authenticated> {
        let body = req.body.as_deref().unwrap_or_default();
        server.authenticate("POST", target, Some(&auth_of(req)), body.as_bytes())
    }

    /// Runs `f` and tells how many ECDH multiplications it cost on this thread.
    fn ecdh_in<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let before = ecdh_count::get();
        let out = f();
        (out, ecdh_count::get() - before)
    }

    #[test]
    fn rejected_requests_cost_no_ecdh_and_leave_the_cache_untouched() {
        let (_, server, client) = setup();
        let get = client.prepare("GET", "/a?b=1", None).unwrap();
        let post = client.prepare("POST", "/p", Some(b"{}")).unwrap();
        let stranger = Client::new(server.public_key(), &SecretKey::generate(), Some(HOST));
        let foreign = stranger.prepare("GET", "/a?b=3", None).unwrap();
        type Request<'a> = (&'a str, &'a [u8], Option<String>, &'a [u8]);
        let junk: Vec<Request> = vec![
            ("GET", b"/a?b=2", Some(auth_of(&get)), b""), // wrong URL
            ("GET", b"/a?b=2", Some(auth_of(&foreign)), b"x"), // GET with a body
            ("GET", b"1/a?b=1", Some(auth_of(&get)), b""),
            ("get", b"/a?b=1", Some(auth_of(&get)), b""),
            ("GET", b"/a?b=1", Some("AAAA".into()), b""),
            ("GET", b"/a?b=2", Some(auth_of(&foreign)), b""), // bad signature
            ("POST", b"/p", Some(auth_of(&post)), b"{}"),     // no data
            ("POST", b"/p", Some(auth_of(&foreign)), b"{\"data\":\"!\"}"),
        ];
        for (method, target, auth, body) in &junk {
            let (r, ecdh) = ecdh_in(|| server.authenticate(method, target, auth.as_deref(), body));
            assert!(r.is_err(), "{method} {target:?} passed");
            assert_eq!(ecdh, 0, "{method} {target:?}: {}", r.unwrap_err());
        }
        assert_eq!(server.sessions.len(), 0);
        assert_eq!(server.verified.len(), 0);

        // An accepted GET is verified with the public key alone, and cached.
        let (ok, ecdh) =
            ecdh_in(|| server.authenticate("GET", b"/a?b=1", Some(&auth_of(&get)), b""));
        let ok = ok.unwrap();
        assert_eq!(ecdh, 0);
        assert_eq!(server.sessions.len(), 1);
        // Its answer needs the shared key: one ECDH, kept by the cached session.
        let (_, ecdh) = ecdh_in(|| server.seal_text(&ok.session, 200, "x").unwrap());
        assert_eq!(ecdh, 1);
        let (again, ecdh) = ecdh_in(|| {
            let ok = post_to(&server, b"/p", &post).unwrap();
            server.seal_text(&ok.session, 200, "y").unwrap()
        });
        assert_eq!(ecdh, 0, "the cached session kept its shared key");
        assert_eq!(
            client
                .open(200, Some(&again.authorization), &again.body)
                .unwrap(),
            b"y"
        );
    }

    #[test]
    fn a_new_post_costs_one_ecdh_and_a_failed_one_is_not_cached() {
        let (_, server, client) = setup();
        let post = client.prepare("POST", "/p", Some(b"1")).unwrap();
        let body = post.body.as_ref().unwrap().as_bytes();
        let (r, ecdh) = ecdh_in(|| server.authenticate("POST", b"/q", Some("x"), body));
        assert!(r.is_err());
        assert_eq!(ecdh, 0);
        let other = format!("{{\"data\":\"{}\"}}", client.session().encrypt(b"2"));
        let tampered = other.as_bytes();
        let (r, ecdh) =
            ecdh_in(|| server.authenticate("POST", b"/p", Some(&auth_of(&post)), tampered));
        assert!(r.is_err());
        assert_eq!(ecdh, 1, "decrypting needs the shared key");
        assert_eq!(server.sessions.len(), 0, "a failed request is not cached");
        let (r, ecdh) = ecdh_in(|| server.authenticate("POST", b"/p", Some(&auth_of(&post)), body));
        assert_eq!(r.unwrap().payload.unwrap(), b"1");
        assert_eq!(ecdh, 1);
        assert_eq!(server.sessions.len(), 1);
    }

    #[test]
    fn a_token_signed_by_the_servers_own_key_is_rejected() {
        let (key, server, client) = setup();
        // An answer is the server's signature over plaintext it chose to send: an
        // echo of the URL text must not become a GET token.
        let ok = server
            .authenticate(
                "GET",
                b"/e",
                Some(&auth_of(&client.prepare("GET", "/e", None).unwrap())),
                b"",
            )
            .unwrap();
        let echoed = server
            .seal_text(&ok.session, 200, &format!("{HOST}/admin"))
            .unwrap();
        let e = server
            .authenticate("GET", b"/admin", Some(&echoed.authorization), b"")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WrongPeer);
        // The same with a session built by hand from the server's key.
        let own = Session::new(&key.public_key(), &key).token_for(format!("{HOST}/x").as_bytes());
        let e = server
            .authenticate("GET", b"/x", Some(&own.encode()), b"")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WrongPeer);
    }

    #[test]
    fn targets_are_checked_as_the_framework_routes_them() {
        let (key, _, _) = setup();
        for host in [HOST, "http://localhost:3001/", "HTTP://LOCALHOST:3001"] {
            let server = Server::new(&key, host).unwrap();
            let client = Client::new(
                server.public_key(),
                &SecretKey::generate(),
                Some(server.host()),
            );
            let get = auth_of(&client.prepare("GET", "/a?b=1", None).unwrap());
            let pass = |t: &[u8]| server.authenticate("GET", t, Some(&get), b"");
            assert_eq!(pass(b"/a?b=1").unwrap().path_and_query, "/a?b=1");
            assert_eq!(
                pass(b"http://localhost:3001/a?b=1").unwrap().path_and_query,
                "/a?b=1"
            );
            for bad in [
                &b"http://evil:3001/a?b=1"[..],
                b"http://localhost:3002/a?b=1",
                b"http://localhost:3001?x&/a?b=1",
                b"http://localhost:3001#/a?b=1",
                b"1/a?b=1",
                b"*",
                b"",
                b"/a?b=1#f",
                b"/a?b=\xff",
                b"/a b",
            ] {
                assert!(pass(bad).is_err(), "{host}: {bad:?}");
            }
        }
        // `http://x?y&/a` names the root with query `y&/a`: a token for it passes
        // and says so; one for `/a` does not.
        let server = Server::new(&key, HOST).unwrap();
        let client = Client::new(server.public_key(), &SecretKey::generate(), Some(HOST));
        let root = auth_of(&client.prepare("GET", "/?y&/a", None).unwrap());
        let ok = server
            .authenticate("GET", b"http://localhost:3001?y&/a", Some(&root), b"")
            .unwrap();
        assert_eq!(ok.path_and_query, "/?y&/a");
        for bad_host in [
            "localhost:3001",
            "http://h/p",
            "http://h//",
            "http://h:99999",
            "ftp://h",
        ] {
            assert!(Server::new(&key, bad_host).is_err(), "{bad_host}");
        }
    }

    #[test]
    fn bodies_limits_and_statuses() {
        let (key, server, client) = setup();
        let get = auth_of(&client.prepare("GET", "/", None).unwrap());
        let e = server
            .authenticate("GET", b"/", Some(&get), b"x")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedInput);
        assert!(server.authenticate("GET", b"/", Some(&get), b"").is_ok());
        assert!(Server::with_limits(&key, HOST, Limits::default().with_max_body(0)).is_err());
        assert!(
            Server::with_limits(&key, HOST, Limits::default().with_max_body(usize::MAX)).is_err()
        );
        let ok = server.authenticate("GET", b"/", Some(&get), b"").unwrap();
        for status in [0, 99, 600, u16::MAX] {
            assert!(server.seal(&ok.session, status, b"x").is_err(), "{status}");
        }
        for status in [100, 200, 404, 599] {
            assert_eq!(
                server.seal(&ok.session, status, b"x").unwrap().status,
                status
            );
        }
    }

    #[test]
    fn the_body_rule_on_headers() {
        let (key, _, _) = setup();
        let server = Server::with_limits(&key, HOST, Limits::default().with_max_body(10)).unwrap();
        let check = |m: &str, cl: Option<&str>, te: bool| {
            server.check_headers(m, cl, te).map_err(|e| e.kind())
        };
        assert_eq!(check("GET", None, false), Ok(()));
        assert_eq!(check("GET", Some("0"), false), Ok(()));
        assert_eq!(
            check("GET", Some("1"), false),
            Err(ErrorKind::MalformedInput)
        );
        assert_eq!(check("GET", None, true), Err(ErrorKind::MalformedInput));
        assert_eq!(check("POST", Some("10"), true), Ok(()));
        assert_eq!(check("POST", Some("11"), false), Err(ErrorKind::TooLarge));
        assert_eq!(
            check("POST", Some("99999999999999999999999"), false),
            Err(ErrorKind::TooLarge)
        );
        for bad in ["", "-1", "1e3", "0x1", "+1", "1 1"] {
            assert_eq!(
                check("POST", Some(bad), false),
                Err(ErrorKind::MalformedInput),
                "{bad:?}"
            );
        }
        assert_eq!(check("get", None, false), Err(ErrorKind::UnsupportedMethod));
    }

    #[test]
    fn cached_sessions_share_one_copy_of_the_servers_secret() {
        let (_, server, _) = setup();
        for _ in 0..3 {
            let client = Client::new(server.public_key(), &SecretKey::generate(), Some(HOST));
            let get = auth_of(&client.prepare("GET", "/", None).unwrap());
            let ok = server.authenticate("GET", b"/", Some(&get), b"").unwrap();
            assert!(ok.session.identity().shares_secret_with(&server.identity));
        }
    }

    #[test]
    fn debug_shows_no_payload() {
        let (_, server, client) = setup();
        let post = client
            .prepare("POST", "/p", Some(b"the secret plan"))
            .unwrap();
        let ok = post_to(&server, b"/p", &post).unwrap();
        let shown = format!("{ok:?}{ok:#?}");
        assert!(!shown.contains("secret plan"), "{shown}");
        assert!(!shown.contains(&hex::encode(b"the secret plan")));
        assert!(shown.contains("<15 bytes>"));
    }
}
