//! The server side: authenticate a request, seal an answer.

use serde::Deserialize;
use serde_json::Value;

use super::Method;
use crate::cache::BoundedCache;
use crate::error::{malformed, Error, ErrorKind, Result};
use crate::keys::{PublicKey, SecretKey};
use crate::payload::{json_bytes, revive};
use crate::session::{Identity, Session};
use crate::token::{digest, Token, PUBKEY_LEN};

/// Limits a server enforces before doing any cryptography.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted, in bytes (default 1 MiB).
    pub max_body: usize,
    /// How many peers' sessions (ECDH result, AES key schedule, parsed key) are kept
    /// so a returning client costs one signature check (default 4096; 0 disables).
    pub session_cache: usize,
    /// How many verified (key, digest, signature) triples of GET requests are kept:
    /// v1 GET signatures are deterministic, so a polling client repeats its token
    /// (default 4096; 0 disables). A hit needs the exact same triple.
    pub verified_cache: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1 << 20,
            session_cache: 4096,
            verified_cache: 4096,
        }
    }
}

/// A server's configuration and caches: its key and its own origin (`host`).
///
/// Share one `Server` between threads; it is `Send + Sync`.
pub struct Server {
    identity: Identity,
    host: String,
    limits: Limits,
    sessions: BoundedCache<[u8; PUBKEY_LEN], Session>,
    verified: BoundedCache<Vec<u8>, ()>,
}

/// A request that passed: who sent it, their session, and the payload.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The session with the client (peer = the client's key).
    pub session: Session,
    /// The token the client sent.
    pub token: Token,
    /// Which protocol method the request used.
    pub method: Method,
    /// For POST, the decrypted payload; for GET, `None`.
    pub payload: Option<Vec<u8>>,
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
    /// e.g. `http://localhost:3001` (a trailing `/` is dropped).
    pub fn new(secret: &SecretKey, host: &str) -> Result<Self> {
        Self::with_limits(secret, host, Limits::default())
    }

    /// A server with explicit limits.
    pub fn with_limits(secret: &SecretKey, host: &str, limits: Limits) -> Result<Self> {
        let host = host.trim();
        if host.is_empty() {
            return Err(malformed(
                "host is empty: set it to the origin clients sign, e.g. http://localhost:3001",
            ));
        }
        Ok(Server {
            identity: Identity::new(secret),
            host: host.strip_suffix('/').unwrap_or(host).to_string(),
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

    /// The session with a client, from the cache when it has been seen.
    pub fn session_for(&self, peer: &[u8; PUBKEY_LEN]) -> Result<Session> {
        if let Some(s) = self.sessions.get(peer) {
            return Ok(s);
        }
        let key = PublicKey::from_bytes(peer)?;
        let session = Session::with_identity(&self.identity, &key);
        self.sessions.insert(*peer, session.clone());
        Ok(session)
    }

    /// Authenticate a request.
    ///
    /// `target` is the request-target exactly as received (path and query, not
    /// decoded or normalized). On `Err`, answer [`super::REJECTION_STATUS`] with an
    /// empty body, whatever the kind, and log the error (it holds no secrets).
    pub fn authenticate(
        &self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Authenticated> {
        let method = Method::parse(method)?;
        if body.len() > self.limits.max_body {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "body is {} bytes, the limit is {}",
                    body.len(),
                    self.limits.max_body
                ),
            ));
        }
        let authorization = authorization
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| malformed("no authorization header"))?;
        let token = Token::parse(authorization)?;
        let session = self.session_for(token.signer_bytes())?;
        match method {
            Method::Get => {
                let mut signed = String::with_capacity(self.host.len() + target.len());
                signed.push_str(&self.host);
                signed.push_str(target);
                self.verify_get(&session, &token, &digest(signed.as_bytes()))?;
                Ok(Authenticated {
                    session,
                    token,
                    method,
                    payload: None,
                })
            }
            Method::Post => {
                let body: PostBody = serde_json::from_slice(body).map_err(|e| {
                    malformed(format!("POST body is not {{\"data\": \"...\"}}: {e}"))
                })?;
                let payload = session.decode_token(Ok(&token), &body.data)?;
                Ok(Authenticated {
                    session,
                    token,
                    method,
                    payload: Some(payload),
                })
            }
        }
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
    pub fn seal(&self, session: &Session, status: u16, payload: &[u8]) -> SealedAnswer {
        let encoded = session.encode(payload);
        SealedAnswer {
            status,
            authorization: encoded.token.encode(),
            body: encoded.data,
        }
    }

    /// `send(text)`: seal a text answer.
    pub fn seal_text(&self, session: &Session, status: u16, text: &str) -> SealedAnswer {
        self.seal(session, status, text.as_bytes())
    }

    /// `json(value)`: seal the compact JSON of `value`.
    pub fn seal_json(&self, session: &Session, status: u16, value: &Value) -> SealedAnswer {
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
