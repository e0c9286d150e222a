//! Core errors as JavaScript errors: a plain `Error` whose `code` is the core
//! `ErrorKind` code (`"invalid_signature"`, ...). The JS facade turns it into its
//! `CryptoSessionError` class; the mapping is one to one and lives here only.

use crypto_sessions::Error as CoreError;
use napi::bindgen_prelude::*;
use napi::{Env, JsValue};

/// Build the JS error for a core error. The message is the core's `Display`
/// (kind and detail), which never holds secret material.
pub(crate) fn js_error(env: &Env, err: &CoreError) -> napi::Error {
    match build(env, err) {
        Ok(error) => error,
        // Creating an object only fails when the VM is going down; keep the text.
        Err(fallback) => fallback,
    }
}

fn build(env: &Env, err: &CoreError) -> Result<napi::Error> {
    let mut object = env.create_error(napi::Error::new(Status::GenericFailure, err.to_string()))?;
    object.set("code", err.kind().code())?;
    if let Some(status) = err.status() {
        object.set("status", u32::from(status))?;
    }
    Ok(napi::Error::from(object.to_unknown()))
}

/// `Result` of the core, thrown as a JS error.
pub(crate) trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T> OrThrow<T> for crypto_sessions::Result<T> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| js_error(env, &e))
    }
}
