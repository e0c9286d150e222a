//! `string | Uint8Array` arguments as bytes (a string as its UTF-8).

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::coded;

/// The bytes of a string (UTF-8) or of any `ArrayBuffer` view.
pub(crate) fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(view) = value.dyn_ref::<Uint8Array>() {
        return Ok(view.to_vec());
    }
    Err(coded(
        "malformed_input",
        &format!("{what} must be a string or a Uint8Array"),
    )
    .into())
}

/// `bytes_of` for an optional argument (`undefined` and `null` are none).
pub(crate) fn optional_bytes(value: &JsValue, what: &str) -> Result<Option<Vec<u8>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        bytes_of(value, what).map(Some)
    }
}

/// A plain object with these properties.
pub(crate) fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let out: JsValue = js_sys::Object::new().into();
    for (key, value) in entries {
        crate::error::set(&out, key, value);
    }
    out
}

/// Bytes as a fresh `Uint8Array`.
pub(crate) fn bytes(value: &[u8]) -> JsValue {
    Uint8Array::from(value).into()
}

/// A result as a settled promise: the `async` twins of the addon's pool tasks
/// (WebAssembly here runs on the calling thread).
pub(crate) fn promised(result: Result<JsValue, JsValue>) -> js_sys::Promise {
    match result {
        Ok(value) => js_sys::Promise::resolve(&value),
        Err(error) => js_sys::Promise::reject(&error),
    }
}
