//! Core errors as JavaScript errors: a plain `Error` whose `code` is the core
//! `ErrorKind` code (`"invalid_signature"`, ...) and, for an HTTP status, `status`:
//! the same shape the napi addon throws, so one facade converts both.

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

/// An `Error` with `message` and a `code` property.
pub(crate) fn coded(code: &str, message: &str) -> Error {
    let error = Error::new(message);
    set(&error, "code", &JsValue::from_str(code));
    error
}

/// The JS error of a core error (its `Display` never holds secret material).
pub(crate) fn js_error(err: &crypto_sessions::Error) -> JsValue {
    let error = coded(err.kind().code(), &err.to_string());
    if let Some(status) = err.status() {
        set(&error, "status", &JsValue::from(status));
    }
    error.into()
}

/// Set a property of an object we created (cannot fail on a plain object).
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `Result` of the core, thrown as a JS error.
pub(crate) trait OrThrow<T> {
    fn or_throw(self) -> Result<T, JsValue>;
}

impl<T> OrThrow<T> for crypto_sessions::Result<T> {
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(|e| js_error(&e))
    }
}
