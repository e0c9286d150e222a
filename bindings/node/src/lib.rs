//! Node.js addon for crypto-sessions: a thin napi-rs layer over the core crate.
//!
//! Everything of the protocol happens in `crypto_sessions`; this crate converts
//! JavaScript values to Rust and back, maps core errors to JS errors with a `code`,
//! and runs the heavy calls as `AsyncTask`s on the libuv pool where asked. The
//! idiomatic API (CryptoSession, Token, SecureFetch, middleware) is the package's
//! JavaScript facade (`index.js`) over these exports.

#![deny(clippy::all)]

#[macro_use]
extern crate napi_derive;

pub mod client;
mod error;
mod input;
pub mod keys;
pub mod payload;
pub mod server;
pub mod session;
mod task;
pub mod token;
pub mod v2_client;
pub mod v2_server;

/// The protocol version the core speaks.
#[napi]
pub const PROTOCOL_VERSION: u32 = crypto_sessions::PROTOCOL_VERSION;

/// The environment variable of the server's secret key (the core's name).
#[napi]
pub const ENV_SECRET_KEY: &str = crypto_sessions::http::config::ENV_SECRET_KEY;
/// The environment variable of the origin clients sign.
#[napi]
pub const ENV_HOST: &str = crypto_sessions::http::config::ENV_HOST;
/// The environment variable of the largest request body.
#[napi]
pub const ENV_MAX_BODY: &str = crypto_sessions::http::config::ENV_MAX_BODY;
/// The default largest request body, in bytes.
#[napi]
pub const DEFAULT_MAX_BODY: u32 = crypto_sessions::http::config::DEFAULT_MAX_BODY as u32;
/// The status of every rejected request.
#[napi]
pub const REJECTION_STATUS: u32 = crypto_sessions::http::REJECTION_STATUS as u32;
/// The content type of a sealed answer.
#[napi]
pub const ANSWER_CONTENT_TYPE: &str = crypto_sessions::http::ANSWER_CONTENT_TYPE;

/// A v2 server's settings from its environment, read by the core (one reading of
/// every value for all bindings); absent or blank settings are missing.
#[napi(object)]
pub struct ServerSettings {
    /// `CRYPTO_SESSION_KEY`, split at commas (secret).
    pub keys: Vec<String>,
    /// `CRYPTO_SESSION_HOST`.
    pub host: Option<String>,
    /// `CRYPTO_SESSION_ORIGINS`, split at commas.
    pub origins: Vec<String>,
    /// `CRYPTO_SESSION_MAX_AGE`, seconds.
    pub max_age: Option<f64>,
    /// `CRYPTO_SESSION_MAX_SKEW`, seconds.
    pub max_skew: Option<f64>,
    /// `CRYPTO_SESSION_MAX_BODY`, bytes.
    pub max_body: Option<f64>,
    /// `CRYPTO_SESSION_ACCEPT_V1`: 1/true or 0/false.
    pub accept_v1: Option<bool>,
    /// `CRYPTO_SESSION_REPLAY`: `memory` or a redis:// URL.
    pub replay: Option<String>,
}

/// The core's reading of a server's environment (`process.env` or any record of
/// the same names); a bad value throws, naming its variable.
#[napi]
pub fn read_server_settings(
    env: napi::Env,
    vars: std::collections::HashMap<String, String>,
) -> napi::Result<ServerSettings> {
    use crate::error::OrThrow;
    let s =
        crypto_sessions::v2::env::Settings::read(|name| vars.get(name).cloned()).or_throw(&env)?;
    Ok(ServerSettings {
        keys: s.keys,
        host: s.host,
        origins: s.origins,
        max_age: s.max_age.map(|v| v as f64),
        max_skew: s.max_skew.map(|v| v as f64),
        max_body: s.max_body.map(|v| v as f64),
        accept_v1: s.accept_v1,
        replay: s.replay,
    })
}

/// The origins a server verifies for: `host` first (it also serves v1), then
/// `more`, each once.
#[napi]
pub fn origins_with_host(host: Option<String>, more: Vec<String>) -> Vec<String> {
    crypto_sessions::v2::env::origins_with_host(host.as_deref(), &more)
}

/// What a client sends and signs for a URL (the core's `signed_url`).
#[napi(object)]
pub struct SignedUrl {
    /// Where the request goes: `scheme://host[:port]`.
    pub origin: String,
    /// The origin-form request-target to send, exactly as signed.
    pub target: String,
    /// What a GET signs: the server's origin followed by `target`.
    pub signed: String,
}

/// The core's `signed_url`: `origin` is the server's configured host (`null` for
/// the URL's own); `url` absolute, or a `/target` when `origin` is given.
#[napi]
pub fn signed_url(env: napi::Env, origin: Option<String>, url: String) -> napi::Result<SignedUrl> {
    use crate::error::OrThrow;
    let sent = crypto_sessions::http::signed_url(origin.as_deref(), &url).or_throw(&env)?;
    Ok(SignedUrl {
        origin: sent.origin.to_string(),
        target: sent.target,
        signed: sent.signed,
    })
}

/// The version of the core crate.
#[napi]
pub fn core_version() -> String {
    crypto_sessions::VERSION.to_string()
}

/// The core's elliptic-curve arithmetic: `"libsecp256k1"` (the default build) or
/// `"k256"` (built with `CRYPTO_SESSIONS_BACKEND=k256`).
#[napi]
pub fn core_backend() -> String {
    crypto_sessions::BACKEND.to_string()
}

/// The error codes of the core, in numeric order (`code` of `CryptoSessionError`).
#[napi]
pub fn error_codes() -> Vec<String> {
    crypto_sessions::ErrorKind::ALL
        .iter()
        .map(|kind| kind.code().to_string())
        .collect()
}

/// v2: the environment variable of more origins (comma-separated).
#[napi]
pub const ENV_ORIGINS: &str = crypto_sessions::v2::env::ENV_ORIGINS;
/// v2: the environment variable of the replay store (`memory` or a redis URL).
#[napi]
pub const ENV_REPLAY: &str = crypto_sessions::v2::env::ENV_REPLAY;
/// v2: the environment variable of `max_age`, seconds.
#[napi]
pub const ENV_MAX_AGE: &str = crypto_sessions::v2::env::ENV_MAX_AGE;
/// v2: the environment variable of `max_skew`, seconds.
#[napi]
pub const ENV_MAX_SKEW: &str = crypto_sessions::v2::env::ENV_MAX_SKEW;
/// v2: the environment variable of `accept_v1`.
#[napi]
pub const ENV_ACCEPT_V1: &str = crypto_sessions::v2::env::ENV_ACCEPT_V1;
/// v2: the request header of the token.
#[napi]
pub const V2_AUTHORIZATION: &str = crypto_sessions::v2::AUTHORIZATION;
/// v2: the answer header of the answer token.
#[napi]
pub const V2_CRYPTO_SESSION: &str = crypto_sessions::v2::CRYPTO_SESSION;
/// v2: the header of a rejection.
#[napi]
pub const V2_WWW_AUTHENTICATE: &str = crypto_sessions::v2::WWW_AUTHENTICATE;
/// v2: the authorization scheme.
#[napi]
pub const V2_AUTH_SCHEME: &str = crypto_sessions::v2::AUTH_SCHEME;
/// v2: CORS, the headers a preflight allows.
#[napi]
pub const V2_ALLOWED_HEADERS: &str = crypto_sessions::v2::ALLOWED_HEADERS;
/// v2: CORS, the headers exposed to browser code.
#[napi]
pub const V2_EXPOSED_HEADERS: &str = crypto_sessions::v2::EXPOSED_HEADERS;
/// v2: the content type of a sealed body.
#[napi]
pub const V2_SEALED_CONTENT_TYPE: &str = crypto_sessions::v2::SEALED_CONTENT_TYPE;
/// v2: the environment variable naming another v2 vector file (tests).
#[napi]
pub const V2_ENV_VECTORS: &str = crypto_sessions::v2::ENV_VECTORS;
