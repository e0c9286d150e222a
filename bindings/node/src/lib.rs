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

/// The protocol version the core speaks.
#[napi]
pub const PROTOCOL_VERSION: u32 = crypto_sessions::PROTOCOL_VERSION;

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
