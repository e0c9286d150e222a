//! crypto-sessions for browsers and edge runtimes: the core compiled to WebAssembly.
//!
//! Like the other bindings this crate only translates types and errors: JS values
//! to Rust and back, core errors to JS `Error`s with a `code`. Protocol and HTTP-edge
//! logic stay in the core. The export names of the v1 part are the napi addon's
//! (`NativeSession`, `NativeClient`, `generateKeyPair`, ...), so the package's
//! JavaScript facade runs on either; v2 is `V2Client` and `V2Server`.
//!
//! The core's system clock does not exist on `wasm32-unknown-unknown`: v2 dates come
//! from [`clock::JsClock`] (`Date.now()`, `performance.now()`), or a fixed clock.

mod clock;
mod error;
mod input;
mod keys;
mod session;
mod v1;
mod v2;

use wasm_bindgen::prelude::*;

/// The addon's `PROTOCOL_VERSION` (v1); v2 is spoken too (`V2Client`, `V2Server`).
#[wasm_bindgen(js_name = protocolVersion)]
pub fn protocol_version() -> u32 {
    crypto_sessions::PROTOCOL_VERSION
}

/// The version of the core crate.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    crypto_sessions::VERSION.to_string()
}

/// The core's arithmetic: `"libsecp256k1"` (its C compiled to WebAssembly too).
#[wasm_bindgen(js_name = coreBackend)]
pub fn core_backend() -> String {
    crypto_sessions::BACKEND.to_string()
}

/// The error codes of the core, in numeric order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    crypto_sessions::ErrorKind::ALL
        .iter()
        .map(|kind| kind.code().to_string())
        .collect()
}
