//! One server for both protocol versions: v2's checks in the spec's order (1-7), the
//! signed stale answer, sealed answers; v1 dispatched to [`crate::http::Server`] when
//! `accept_v1` is on.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::answer::{answer_has_no_body, answer_header, AnswerToken, FLAGS_ANSWER, FLAGS_STALE};
use super::clock::{Clock, SystemClock};
use super::envelope::{self, Opened, SEALED_CONTENT_TYPE};
use super::kdf::ConversationKey;
use super::keys::{KeyPair, XOnlyKey, XONLY_LEN};
use super::replay::{MemoryStore, Recorded, ReplayStore};
use super::request::{m_req, RequestToken, REQUEST_TOKEN_CHARS};
use super::{
    ACCESS_CONTROL_EXPOSE_HEADERS, AUTH_SCHEME, CACHE_CONTROL, CONTENT_TYPE, CRYPTO_SESSION,
    EXPOSED_HEADERS, NO_STORE, WWW_AUTHENTICATE,
};
use crate::cache::BoundedCache;
use crate::error::{malformed, Error, Result};
use crate::http::{Limits, Origin, RequestTarget};
use crate::keys::SecretKey;

/// The environment variable names, defined once in [`super::env`].
pub use super::env::{ENV_ACCEPT_V1, ENV_MAX_AGE, ENV_MAX_SKEW, ENV_ORIGINS};

/// Default `max_age`, seconds.
pub const DEFAULT_MAX_AGE: u64 = 60;
/// Default `max_skew`, seconds; also its minimum.
pub const DEFAULT_MAX_SKEW: u64 = 5;
/// The smallest `max_skew` a server may configure.
pub const MIN_MAX_SKEW: u64 = 5;
/// The largest `max_age` or `max_skew` a server may configure (one week): the
/// replay store holds every request for `max_age + max_skew + 1` seconds.
pub const MAX_WINDOW: u64 = 7 * 24 * 3600;
/// Default `max_body`, bytes (1 MiB).
pub const DEFAULT_MAX_BODY: u64 = 1 << 20;
/// Default capacity of the in-memory replay store, entries (about 100 MiB at most;
/// at the default window of 66 s, 15 000 accepted requests per second).
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 20;
/// Longest `Authorization` value, after trimming spaces and tabs.
pub const MAX_AUTHORIZATION_LEN: usize = 200;
/// How many clients' conversation keys are kept (an ECDH each).
const CONVERSATION_CACHE: usize = 4096;

/// Why a v2 request was rejected: the `error` of `WWW-Authenticate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Steps 1-2: not a v2 request of the right syntax (or a too long value).
    Malformed,
    /// Step 3: the kid names none of the server's keys.
    UnknownKey,
    /// Step 5: outside the freshness window (or the memory store's restart rule).
    Stale,
    /// Step 4: bad client key or signature, or another origin.
    InvalidSignature,
    /// Steps 5-6: this (client, nonce) was seen.
    Replayed,
    /// Step 5a: the admission hook refused the client (403).
    Forbidden,
    /// Step 7: the body does not open or its envelope is invalid.
    InvalidBody,
    /// Step 1: the body is larger than `max_body` (413).
    TooLarge,
    /// The replay store is full or unreachable (503).
    Busy,
}

impl Code {
    /// Every code.
    pub const ALL: [Code; 9] = [
        Code::Malformed,
        Code::UnknownKey,
        Code::Stale,
        Code::InvalidSignature,
        Code::Replayed,
        Code::Forbidden,
        Code::InvalidBody,
        Code::TooLarge,
        Code::Busy,
    ];

    /// The code as it travels (`malformed`, `unknown_key`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Malformed => "malformed",
            Code::UnknownKey => "unknown_key",
            Code::Stale => "stale",
            Code::InvalidSignature => "invalid_signature",
            Code::Replayed => "replayed",
            Code::Forbidden => "forbidden",
            Code::InvalidBody => "invalid_body",
            Code::TooLarge => "too_large",
            Code::Busy => "busy",
        }
    }

    /// The HTTP status: 401, except `too_large` 413, `forbidden` 403, `busy` 503.
    pub const fn status(self) -> u16 {
        match self {
            Code::TooLarge => 413,
            Code::Forbidden => 403,
            Code::Busy => 503,
            _ => 401,
        }
    }

    /// Parse a code as it travels.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected request: status, an empty body, and these headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    code: Option<Code>,
    detail: Cow<'static, str>,
    stale_answer: Option<String>,
    /// The rejecting server's `Access-Control-Expose-Headers` value.
    exposed: &'static str,
}

impl Rejection {
    fn v2(code: Code, detail: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            code: Some(code),
            detail: detail.into(),
            stale_answer: None,
            exposed: EXPOSED_HEADERS,
        }
    }

    fn v1(error: Error) -> Self {
        Rejection {
            code: None,
            detail: Cow::Owned(error.detail().to_string()),
            stale_answer: None,
            exposed: EXPOSED_HEADERS,
        }
    }

    /// The v2 code; `None` for a v1 request (v1 rejects uniformly).
    pub fn code(&self) -> Option<Code> {
        self.code
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code.map_or(401, Code::status)
    }

    /// What failed, for logs (no secrets; never sent to the client).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// For `stale` past the signature check: the `Crypto-Session` value of the signed
    /// stale answer.
    pub fn stale_answer(&self) -> Option<&str> {
        self.stale_answer.as_deref()
    }

    /// The rejection as the server that made it sends it: exposing its headers.
    fn exposing(self, exposed: &'static str) -> Self {
        Rejection { exposed, ..self }
    }

    /// `CryptoSession error="<code>"` (v1: `CryptoSession`).
    pub fn www_authenticate(&self) -> String {
        match self.code {
            Some(code) => format!("{AUTH_SCHEME} error=\"{code}\""),
            None => AUTH_SCHEME.to_string(),
        }
    }

    /// Every header of the rejection (the body is empty).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![(WWW_AUTHENTICATE, self.www_authenticate())];
        if self.code.is_some() {
            h.push((ACCESS_CONTROL_EXPOSE_HEADERS, self.exposed.to_string()));
            h.push((CACHE_CONTROL, NO_STORE.to_string()));
        }
        if let Some(answer) = &self.stale_answer {
            h.push((CRYPTO_SESSION, answer.clone()));
        }
        h
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}: {}", self.detail),
            None => write!(f, "v1 rejected: {}", self.detail),
        }
    }
}

impl std::error::Error for Rejection {}

/// A v2 request that passed every check.
pub struct V2Request {
    key_index: usize,
    token: RequestToken,
    client: XOnlyKey,
    method: String,
    conversation: ConversationKey,
    opened: Opened,
}

impl V2Request {
    /// The client's x-only key.
    pub fn client_key(&self) -> &XOnlyKey {
        &self.client
    }

    /// The payload (empty when the request had no body).
    pub fn payload(&self) -> &[u8] {
        &self.opened.payload
    }

    /// The payload's content type as the client gave it (`""` stays `""`).
    pub fn content_type(&self) -> &str {
        &self.opened.content_type
    }

    /// The signed method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request token.
    pub fn token(&self) -> &RequestToken {
        &self.token
    }

    /// Take the payload out.
    pub fn into_opened(self) -> Opened {
        self.opened
    }
}

impl fmt::Debug for V2Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Request")
            .field("client", &self.client)
            .field("method", &self.method)
            .field("opened", &self.opened)
            .finish_non_exhaustive()
    }
}

/// An authenticated request, of either version.
pub enum Authenticated {
    /// Protocol v2: freshness, replay protection, bound answers.
    V2(Box<V2Request>),
    /// Protocol v1 (`accept_v1` on): none of v2's guarantees.
    V1(Box<crate::http::Authenticated>),
}

impl Authenticated {
    /// The protocol version: 2 or 1.
    pub fn version(&self) -> u8 {
        match self {
            Authenticated::V2(_) => 2,
            Authenticated::V1(_) => 1,
        }
    }

    /// The client's key: x-only (32 bytes) for v2, compressed (33 bytes) for v1.
    pub fn client_key(&self) -> &[u8] {
        match self {
            Authenticated::V2(r) => r.client.as_bytes(),
            Authenticated::V1(r) => r.peer().as_bytes(),
        }
    }

    /// The payload (v1 GET: empty).
    pub fn payload(&self) -> &[u8] {
        match self {
            Authenticated::V2(r) => r.payload(),
            Authenticated::V1(r) => r.payload.as_deref().unwrap_or_default(),
        }
    }

    /// The payload's content type (v1 carries none: `""`).
    pub fn content_type(&self) -> &str {
        match self {
            Authenticated::V2(r) => r.content_type(),
            Authenticated::V1(_) => "",
        }
    }
}

impl fmt::Debug for Authenticated {
    // The payload is the application's: its length only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authenticated::V2(r) => f.debug_tuple("V2").field(r).finish(),
            Authenticated::V1(r) => f
                .debug_struct("V1")
                .field("peer", r.peer())
                .field("method", &r.method)
                .field("payload_len", &self.payload().len())
                .finish(),
        }
    }
}

/// An answer ready to send: status, headers, body (possibly empty).
#[derive(Clone, PartialEq, Eq)]
pub struct SealedAnswer {
    /// The status the application chose.
    pub status: u16,
    /// `Crypto-Session`, `Cache-Control`, `Access-Control-Expose-Headers`, and
    /// `Content-Type` when there is a body.
    pub headers: Vec<(&'static str, String)>,
    /// The sealed body, or nothing.
    pub body: Vec<u8>,
}

impl fmt::Debug for SealedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedAnswer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The admission hook of step 5a: `true` admits the client.
pub type Admission = Arc<dyn Fn(&[u8; XONLY_LEN]) -> bool + Send + Sync>;

/// Builds a [`Server`]; every limit is checked in [`ServerBuilder::build`].
pub struct ServerBuilder {
    secrets: Vec<SecretKey>,
    origins: Vec<String>,
    max_age: u64,
    max_skew: u64,
    max_body: u64,
    accept_v1: bool,
    admission: Option<Admission>,
    replay: Option<Arc<dyn ReplayStore>>,
    replay_capacity: usize,
    clock: Arc<dyn Clock>,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder {
            secrets: Vec::new(),
            origins: Vec::new(),
            max_age: DEFAULT_MAX_AGE,
            max_skew: DEFAULT_MAX_SKEW,
            max_body: DEFAULT_MAX_BODY,
            accept_v1: false,
            admission: None,
            replay: None,
            replay_capacity: DEFAULT_REPLAY_CAPACITY,
            clock: Arc::new(SystemClock),
        }
    }
}

impl ServerBuilder {
    /// Add a server key (several for rotation; the first one also serves v1).
    pub fn secret_key(mut self, secret: &SecretKey) -> Self {
        self.secrets.push(secret.clone());
        self
    }

    /// Add an origin clients sign, `scheme://host[:port]` (the first one serves v1).
    pub fn origin(mut self, origin: &str) -> Self {
        self.origins.push(origin.to_string());
        self
    }

    /// Oldest accepted `created`: `now - max_age` (default 60 s).
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = seconds;
        self
    }

    /// Newest accepted `created`: `now + max_skew` (default and minimum 5 s).
    pub fn max_skew(mut self, seconds: u64) -> Self {
        self.max_skew = seconds;
        self
    }

    /// Largest body, bytes (default 1 MiB).
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Accept v1 requests too (off by default: v1 has no freshness at all).
    pub fn accept_v1(mut self, on: bool) -> Self {
        self.accept_v1 = on;
        self
    }

    /// Step 5a: refuse clients (`forbidden`) before anything is recorded.
    pub fn admission(
        mut self,
        admit: impl Fn(&[u8; XONLY_LEN]) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.admission = Some(Arc::new(admit));
        self
    }

    /// The replay store (default: a [`MemoryStore`] of `replay_capacity` entries).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// Capacity of the default memory store (default [`DEFAULT_REPLAY_CAPACITY`]).
    pub fn replay_capacity(mut self, entries: usize) -> Self {
        self.replay_capacity = entries;
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Check the configuration and build the server.
    pub fn build(self) -> Result<Server> {
        let config = |detail: String| malformed(format!("server configuration: {detail}"));
        if self.secrets.is_empty() {
            return Err(config("no server key".into()));
        }
        if self.origins.is_empty() {
            return Err(config("no origin".into()));
        }
        if !(MIN_MAX_SKEW..=MAX_WINDOW).contains(&self.max_skew) {
            return Err(config(format!(
                "max_skew is {} s; it must be {MIN_MAX_SKEW} to {MAX_WINDOW}",
                self.max_skew
            )));
        }
        if !(1..=MAX_WINDOW).contains(&self.max_age) {
            return Err(config(format!(
                "max_age is {} s; it must be 1 to {MAX_WINDOW}",
                self.max_age
            )));
        }
        let max_body_usize = usize::try_from(self.max_body)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                config(format!(
                    "max_body is {}; it must be 1 to {} bytes",
                    self.max_body,
                    usize::MAX
                ))
            })?;
        let origins = self
            .origins
            .iter()
            .map(|o| Origin::parse(o))
            .collect::<Result<Vec<_>>>()?;
        let keys: Vec<KeyPair> = self.secrets.iter().map(KeyPair::new).collect();
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].iter().any(|o| o.kid() == k.kid()) {
                return Err(config(format!(
                    "two server keys share the key id {}",
                    hex::encode(k.kid())
                )));
            }
        }
        let v1 = if self.accept_v1 {
            Some(crate::http::Server::with_limits(
                &self.secrets[0],
                origins[0].as_str(),
                Limits {
                    max_body: max_body_usize,
                    ..Limits::default()
                },
            )?)
        } else {
            None
        };
        let replay = match self.replay {
            Some(store) => store,
            None => {
                if self.replay_capacity == 0 {
                    return Err(config("replay_capacity is 0".into()));
                }
                Arc::new(MemoryStore::new(self.replay_capacity))
            }
        };
        Ok(Server {
            keys,
            origins,
            max_age: self.max_age,
            max_skew: self.max_skew,
            max_body: self.max_body,
            v1,
            admission: self.admission,
            replay,
            clock: self.clock,
            conversations: BoundedCache::new(CONVERSATION_CACHE),
        })
    }
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("keys", &self.secrets.len())
            .field("origins", &self.origins)
            .field("max_age", &self.max_age)
            .field("max_skew", &self.max_skew)
            .field("max_body", &self.max_body)
            .field("accept_v1", &self.accept_v1)
            .finish_non_exhaustive()
    }
}

/// A server: its keys, origins, limits, replay store and clock. `Send + Sync`.
pub struct Server {
    keys: Vec<KeyPair>,
    origins: Vec<Origin>,
    max_age: u64,
    max_skew: u64,
    max_body: u64,
    v1: Option<crate::http::Server>,
    admission: Option<Admission>,
    replay: Arc<dyn ReplayStore>,
    clock: Arc<dyn Clock>,
    conversations: BoundedCache<(usize, [u8; XONLY_LEN]), ConversationKey>,
}

/// Which version an `Authorization` value speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

fn trim_sp_tab(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// Trimmed, starts with `CryptoSession` (any case) followed by space, tab or end.
pub fn is_v2_authorization(value: &str) -> bool {
    let value = trim_sp_tab(value).as_bytes();
    let n = AUTH_SCHEME.len();
    value.len() >= n
        && value[..n].eq_ignore_ascii_case(AUTH_SCHEME.as_bytes())
        && matches!(value.get(n), None | Some(b' ') | Some(b'\t'))
}

/// Step 2's syntax: `CryptoSession` (any case), one or more spaces, the token.
fn parse_authorization(value: &str) -> std::result::Result<RequestToken, Rejection> {
    let bad = |detail: &'static str| Rejection::v2(Code::Malformed, detail);
    let value = trim_sp_tab(value);
    let n = AUTH_SCHEME.len();
    let scheme_ok = value.len() > n
        && value.as_bytes()[..n].eq_ignore_ascii_case(AUTH_SCHEME.as_bytes())
        && value.as_bytes()[n] == b' ';
    if !scheme_ok {
        return Err(bad(
            "authorization is not `CryptoSession` followed by a space and a token",
        ));
    }
    let token = value[n..].trim_start_matches(' ');
    if token.len() != REQUEST_TOKEN_CHARS {
        return Err(bad("the token is not 174 characters"));
    }
    RequestToken::decode(token).map_err(|e| Rejection::v2(Code::Malformed, e.detail().to_string()))
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}

impl Server {
    /// A builder with the defaults.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// The server's x-only keys, in configuration order.
    pub fn public_keys(&self) -> impl Iterator<Item = &XOnlyKey> {
        self.keys.iter().map(KeyPair::public_key)
    }

    /// The configured origins.
    pub fn origins(&self) -> &[Origin] {
        &self.origins
    }

    /// `max_age`, `max_skew` (seconds) and `max_body` (bytes).
    pub fn limits(&self) -> (u64, u64, u64) {
        (self.max_age, self.max_skew, self.max_body)
    }

    /// The v1 server, when `accept_v1` is on (to seal v1 answers).
    pub fn v1(&self) -> Option<&crate::http::Server> {
        self.v1.as_ref()
    }

    /// CORS: the `Access-Control-Expose-Headers` value of this server's answers and
    /// rejections; it names `Authorization` when v1 is on (a v1 answer travels there).
    pub fn exposed_headers(&self) -> &'static str {
        super::exposed_headers(self.v1.is_some())
    }

    fn version_of(&self, authorization: &[&str]) -> Version {
        match (&self.v1, authorization) {
            (Some(_), [only]) if !is_v2_authorization(only) => Version::V1,
            _ => Version::V2,
        }
    }

    fn too_large(&self, version: Version, size: u64) -> Rejection {
        let detail = format!("body is {size} bytes, the limit is {}", self.max_body);
        let rejection = match version {
            Version::V2 => Rejection::v2(Code::TooLarge, detail),
            Version::V1 => Rejection::v1(Error::new(crate::ErrorKind::TooLarge, detail)),
        };
        rejection.exposing(self.exposed_headers())
    }

    /// Step 1 on `Content-Length`, before the body is read.
    pub fn check_content_length(
        &self,
        authorization: &[&str],
        content_length: Option<u64>,
    ) -> std::result::Result<(), Rejection> {
        match content_length {
            Some(n) if n > self.max_body => Err(self.too_large(self.version_of(authorization), n)),
            _ => Ok(()),
        }
    }

    /// Authenticate a request.
    ///
    /// `target` is the request-target bytes as on the request line; `authorization`
    /// every `Authorization` field value (exactly one is required); `body` the bytes
    /// after removing transfer and content codings. On `Err`, answer with
    /// [`Rejection::status`], [`Rejection::headers`] and an empty body.
    pub fn authenticate(
        &self,
        method: &str,
        target: &[u8],
        authorization: &[&str],
        content_length: Option<u64>,
        body: &[u8],
    ) -> std::result::Result<Authenticated, Rejection> {
        self.checks(method, target, authorization, content_length, body)
            .map_err(|r| r.exposing(self.exposed_headers()))
    }

    /// The checks of [`Server::authenticate`], in the spec's order.
    fn checks(
        &self,
        method: &str,
        target: &[u8],
        authorization: &[&str],
        content_length: Option<u64>,
        body: &[u8],
    ) -> std::result::Result<Authenticated, Rejection> {
        let version = self.version_of(authorization);
        // 1. Size.
        self.check_content_length(authorization, content_length)?;
        if body.len() as u64 > self.max_body {
            return Err(self.too_large(version, body.len() as u64));
        }
        if version == Version::V1 {
            return self.authenticate_v1(method, target, authorization[0], body);
        }
        let [value] = authorization else {
            return Err(Rejection::v2(
                Code::Malformed,
                format!("{} Authorization fields, not one", authorization.len()),
            ));
        };
        if trim_sp_tab(value).len() > MAX_AUTHORIZATION_LEN {
            return Err(Rejection::v2(
                Code::Malformed,
                "authorization is longer than 200 characters",
            ));
        }
        // 2. Parse.
        let token = parse_authorization(value)?;
        let target = RequestTarget::parse(target)
            .map_err(|e| Rejection::v2(Code::Malformed, e.detail().to_string()))?;
        // 3. Key.
        let key_index = self
            .keys
            .iter()
            .position(|k| &k.kid() == token.kid())
            .ok_or_else(|| Rejection::v2(Code::UnknownKey, "the kid names no server key"))?;
        let server = &self.keys[key_index];
        // 4. Signature.
        let client = self.verify_signature(server, &token, method, &target, body)?;
        // 5. Freshness.
        let now = self.clock.now();
        let created = token.created();
        let in_window = created.saturating_add(self.max_age) >= now
            && created <= now.saturating_add(self.max_skew);
        if !in_window {
            return Err(self.stale_outside_window(server, &token, now));
        }
        if let Some(floor) = self.replay.restart_floor() {
            if created < floor.saturating_add(self.max_skew) {
                return Err(Rejection::v2(
                    Code::Stale,
                    "dated before the memory replay store's restart guard ends",
                ));
            }
        }
        // 5a. Admission.
        if let Some(admit) = &self.admission {
            if !admit(client.as_bytes()) {
                return Err(Rejection::v2(
                    Code::Forbidden,
                    "refused by the admission hook",
                ));
            }
        }
        // 6. Replay.
        let deadline = created
            .saturating_add(self.max_age)
            .saturating_add(self.max_skew)
            .saturating_add(1);
        match self
            .replay
            .record(client.as_bytes(), token.nonce(), deadline, now)
        {
            Ok(Recorded::Fresh) => {}
            Ok(Recorded::Replayed) => {
                return Err(Rejection::v2(Code::Replayed, "this nonce was seen"))
            }
            Err(e) => return Err(Rejection::v2(Code::Busy, format!("replay store: {e}"))),
        }
        // 7. Body.
        let conversation = self.conversation(key_index, &client);
        let opened = envelope::open(
            &conversation.request_key(token.header()),
            token.header(),
            body,
        )
        .map_err(|e| Rejection::v2(Code::InvalidBody, e.detail().to_string()))?;
        Ok(Authenticated::V2(Box::new(V2Request {
            key_index,
            token,
            client,
            method: method.to_string(),
            conversation,
            opened,
        })))
    }

    fn authenticate_v1(
        &self,
        method: &str,
        target: &[u8],
        authorization: &str,
        body: &[u8],
    ) -> std::result::Result<Authenticated, Rejection> {
        let v1 = self
            .v1
            .as_ref()
            .expect("dispatched to v1 only when it is on");
        // v1 reads the raw target itself, with the same parser (http::target).
        v1.authenticate(method, target, Some(authorization), body)
            .map(|a| Authenticated::V1(Box::new(a)))
            .map_err(Rejection::v1)
    }

    /// Step 4: `C` is a valid x-only key and the signature verifies for one uri.
    fn verify_signature(
        &self,
        server: &KeyPair,
        token: &RequestToken,
        method: &str,
        target: &RequestTarget<'_>,
        body: &[u8],
    ) -> std::result::Result<XOnlyKey, Rejection> {
        let invalid = |detail: &'static str| Rejection::v2(Code::InvalidSignature, detail);
        let client = XOnlyKey::from_bytes(token.client_key())
            .map_err(|_| invalid("the client key is not a valid x-only key"))?;
        let body_hash: [u8; 32] = Sha256::digest(body).into();
        let mut candidates = self
            .origins
            .iter()
            .filter_map(|o| target.uri_for(o))
            .peekable();
        if candidates.peek().is_none() {
            return Err(invalid(
                "the absolute-form target names no configured origin",
            ));
        }
        for uri in candidates {
            let m = m_req(
                token.header(),
                server.public_key().as_bytes(),
                method,
                &uri,
                &body_hash,
            )
            .map_err(|e| Rejection::v2(Code::Malformed, e.detail().to_string()))?;
            if client.verify(&m, token.signature()) {
                return Ok(client);
            }
        }
        Err(invalid("the signature does not verify"))
    }

    /// Step 5 outside the window: `replayed` if the store knows the nonce, else
    /// `stale` with a signed stale answer.
    fn stale_outside_window(&self, server: &KeyPair, token: &RequestToken, now: u64) -> Rejection {
        match self.replay.contains(token.client_key(), token.nonce(), now) {
            Ok(true) => Rejection::v2(Code::Replayed, "this nonce was seen"),
            Err(e) => Rejection::v2(Code::Busy, format!("replay store: {e}")),
            Ok(false) => {
                let header = answer_header(FLAGS_STALE, now, &random());
                let answer = AnswerToken::sign(
                    server,
                    token,
                    header,
                    super::answer::STALE_STATUS,
                    b"",
                    &random(),
                );
                Rejection {
                    code: Some(Code::Stale),
                    detail: Cow::Owned(format!(
                        "created {} is outside [{}, {}]",
                        token.created(),
                        now.saturating_sub(self.max_age),
                        now.saturating_add(self.max_skew)
                    )),
                    stale_answer: Some(answer.encode()),
                    exposed: self.exposed_headers(),
                }
            }
        }
    }

    fn conversation(&self, key_index: usize, client: &XOnlyKey) -> ConversationKey {
        let id = (key_index, *client.as_bytes());
        if let Some(ck) = self.conversations.get(&id) {
            return ck;
        }
        let ck = ConversationKey::new(&self.keys[key_index], client);
        self.conversations.insert(id, ck.clone());
        ck
    }

    /// Seal an answer to `request`: status 100-599; an answer to `HEAD`, or with
    /// status 1xx, 204 or 304, must have an empty payload and content type.
    pub fn seal(
        &self,
        request: &V2Request,
        status: u16,
        content_type: &str,
        payload: &[u8],
    ) -> Result<SealedAnswer> {
        if !(100..=599).contains(&status) {
            return Err(malformed(format!("status {status} is not 100-599")));
        }
        if answer_has_no_body(&request.method, status)
            && !(payload.is_empty() && content_type.is_empty())
        {
            return Err(malformed(format!(
                "an answer with status {status} to {} has no body: the payload and content type must be empty",
                request.method
            )));
        }
        let header = answer_header(FLAGS_ANSWER, self.clock.now(), &random());
        let key = request
            .conversation
            .answer_key(request.token.header(), &header);
        let body = envelope::seal(&key, &header, content_type, payload)?;
        let token = AnswerToken::sign(
            &self.keys[request.key_index],
            &request.token,
            header,
            status,
            &body,
            &random(),
        );
        let mut headers = vec![
            (CRYPTO_SESSION, token.encode()),
            (CACHE_CONTROL, NO_STORE.to_string()),
            (
                ACCESS_CONTROL_EXPOSE_HEADERS,
                self.exposed_headers().to_string(),
            ),
        ];
        if !body.is_empty() {
            headers.push((CONTENT_TYPE, SEALED_CONTENT_TYPE.to_string()));
        }
        Ok(SealedAnswer {
            status,
            headers,
            body,
        })
    }
}

impl Server {
    /// Seal the answer to a v1 request (`accept_v1` on): the answer token in
    /// `authorization`, the encrypted text as the body (content type
    /// `text/plain; charset=utf-8`), and this server's CORS expose header, which names
    /// `Authorization` so that browser code can read the token.
    pub fn seal_v1(
        &self,
        request: &crate::http::Authenticated,
        status: u16,
        payload: &[u8],
    ) -> Result<SealedAnswer> {
        let v1 = self
            .v1
            .as_ref()
            .ok_or_else(|| malformed("a v1 request, but this server does not accept v1"))?;
        let sealed = v1.seal(&request.session, status, payload)?;
        Ok(SealedAnswer {
            status: sealed.status,
            headers: vec![
                (crate::http::AUTHORIZATION, sealed.authorization),
                (CONTENT_TYPE, crate::http::ANSWER_CONTENT_TYPE.to_string()),
                (
                    ACCESS_CONTROL_EXPOSE_HEADERS,
                    self.exposed_headers().to_string(),
                ),
            ],
            body: sealed.body.into_bytes(),
        })
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("keys", &self.keys)
            .field("origins", &self.origins)
            .field("max_age", &self.max_age)
            .field("max_skew", &self.max_skew)
            .field("max_body", &self.max_body)
            .field("accept_v1", &self.v1.is_some())
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}
