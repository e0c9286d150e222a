//! `crypto_sessions._native`: the Python binding of the crypto-sessions core.
//!
//! This crate translates types and errors and nothing more: every protocol rule
//! lives in the core crate. The public Python package (`python/crypto_sessions`)
//! re-exports these classes and adds the Flask, ASGI and HTTP-client helpers.
//!
//! Cryptography runs with the GIL released (`Python::detach`; AES or JSON alone on
//! inputs under 4 KiB keep it, see `convert::DETACH_MIN_BYTES`): inputs are turned into
//! Rust-owned or immutable, GIL-independent buffers first.

mod cipher;
mod client;
mod convert;
mod errors;
mod server;
mod session;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crypto_sessions::http::{config, ANSWER_CONTENT_TYPE, REJECTION_STATUS};
use crypto_sessions::keys::secret_key_from_any;
use crypto_sessions::SecretKey;

/// Create a new random secp256k1 secret key, as 64 lowercase hex characters.
#[pyfunction]
fn generate_secret_key() -> String {
    String::clone(&SecretKey::generate().to_hex())
}

/// The compressed public key (66 hex characters) of a secret key given as hex `str`
/// or as `bytes` (32 raw bytes or hex).
#[pyfunction]
fn public_key(secret: &Bound<'_, PyAny>) -> PyResult<String> {
    let bytes = convert::key_bytes(secret, "secret key")?;
    let secret = secret_key_from_any(&bytes).map_err(errors::to_py)?;
    Ok(secret.public_key().to_hex())
}

/// The bytes a payload is signed and encrypted as: `str` as UTF-8, `bytes` as is,
/// anything else as compact JSON (keys in insertion order, non-ASCII unescaped).
#[pyfunction]
fn serialize<'py>(py: Python<'py>, payload: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = convert::payload_bytes(payload)?;
    Ok(PyBytes::new(py, &bytes))
}

/// The compact JSON bytes of ``value`` (a ``str`` becomes a JSON string), keys in
/// insertion order, non-ASCII unescaped, as JavaScript's ``JSON.stringify``.
#[pyfunction]
fn serialize_json<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &convert::json_payload(value)?))
}

/// Received bytes "revived" as the reference does: the JSON value if the text is
/// JSON, the text itself otherwise (so `b"42"` gives `42`).
#[pyfunction]
fn revive<'py>(py: Python<'py>, raw: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let raw = convert::bytes_arg(raw, "raw")?;
    let value = convert::detach_if_large(py, raw.len(), || crypto_sessions::payload::revive(&raw));
    convert::value_to_py(py, &value)
}

/// ``(signed, target)``: what a GET signs for ``url`` and the request-target to
/// send, the core's ``signed_url`` (``origin`` is the server's configured host,
/// ``None`` for the URL's own).
#[pyfunction]
#[pyo3(signature = (origin, url))]
fn signed_url(origin: Option<&str>, url: &str) -> PyResult<(String, String)> {
    let sent = crypto_sessions::http::signed_url(origin, url).map_err(errors::to_py)?;
    Ok((sent.signed, sent.target))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(generate_secret_key, m)?)?;
    m.add_function(wrap_pyfunction!(public_key, m)?)?;
    m.add_function(wrap_pyfunction!(serialize, m)?)?;
    m.add_function(wrap_pyfunction!(serialize_json, m)?)?;
    m.add_function(wrap_pyfunction!(revive, m)?)?;
    m.add_function(wrap_pyfunction!(signed_url, m)?)?;
    m.add_class::<session::CryptoSession>()?;
    m.add_class::<session::Encoded>()?;
    m.add_class::<session::Decoded>()?;
    m.add_class::<server::Server>()?;
    m.add_class::<server::Peer>()?;
    m.add_class::<server::SealedAnswer>()?;
    m.add_class::<cipher::Cipher>()?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::PreparedRequest>()?;
    m.add("PROTOCOL_VERSION", crypto_sessions::PROTOCOL_VERSION)?;
    m.add("CORE_VERSION", crypto_sessions::VERSION)?;
    m.add("BACKEND", crypto_sessions::BACKEND)?;
    m.add("DEFAULT_MAX_BODY", config::DEFAULT_MAX_BODY)?;
    m.add("ENV_SECRET_KEY", config::ENV_SECRET_KEY)?;
    m.add("ENV_HOST", config::ENV_HOST)?;
    m.add("ENV_MAX_BODY", config::ENV_MAX_BODY)?;
    m.add("REJECTION_STATUS", REJECTION_STATUS)?;
    m.add("ANSWER_CONTENT_TYPE", ANSWER_CONTENT_TYPE)?;
    Ok(())
}
