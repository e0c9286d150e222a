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
mod v2;

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

/// A v2 server's settings, read by the core from ``lookup`` (a setting's value by
/// its environment variable name, e.g. an app's config, then ``os.environ``); every
/// binding reads them the same way. Absent settings are ``None`` (lists empty); a
/// bad value raises :class:`MalformedInputError` naming its variable.
#[pyfunction]
fn read_server_settings<'py>(
    py: Python<'py>,
    lookup: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    use crypto_sessions::v2::env::Settings;
    // The first Python error raised by `lookup` (the core's reader takes a plain Fn).
    let failure = std::cell::RefCell::new(None);
    let settings = Settings::read(|name| match lookup.call1((name,)) {
        Ok(value) if value.is_none() => None,
        Ok(value) => match value.str() {
            Ok(text) => Some(text.to_string()),
            Err(err) => {
                failure.borrow_mut().get_or_insert(err);
                None
            }
        },
        Err(err) => {
            failure.borrow_mut().get_or_insert(err);
            None
        }
    });
    if let Some(err) = failure.into_inner() {
        return Err(err);
    }
    let s = settings.map_err(errors::to_py)?;
    let out = pyo3::types::PyDict::new(py);
    out.set_item("keys", s.keys)?;
    out.set_item("host", s.host)?;
    out.set_item("origins", s.origins)?;
    out.set_item("max_age", s.max_age)?;
    out.set_item("max_skew", s.max_skew)?;
    out.set_item("max_body", s.max_body)?;
    out.set_item("accept_v1", s.accept_v1)?;
    out.set_item("replay", s.replay)?;
    Ok(out)
}

/// A ``max_body`` given as text (``CRYPTO_SESSION_MAX_BODY``, or an app's config),
/// read as the core reads it for every binding: digits only, 1 to the ceiling; a
/// bad value raises :class:`MalformedInputError` naming the variable.
#[pyfunction]
fn read_max_body(text: &str) -> PyResult<usize> {
    crypto_sessions::http::Limits::max_body_from_env(text).map_err(errors::to_py)
}

/// The origins a server verifies for: ``host`` first (it also serves v1), then
/// ``more``, each once (compared without a trailing ``/``).
#[pyfunction]
#[pyo3(signature = (host, more))]
fn origins_with_host(host: Option<&str>, more: Vec<String>) -> Vec<String> {
    crypto_sessions::v2::env::origins_with_host(host, &more)
}

/// v2's header names, environment variables and defaults, from the core.
fn add_v2_constants(m: &Bound<'_, PyModule>) -> PyResult<()> {
    use crypto_sessions::v2::{self, replay, server};
    m.add("V2_AUTH_SCHEME", v2::AUTH_SCHEME)?;
    m.add("V2_AUTHORIZATION", v2::AUTHORIZATION)?;
    m.add("V2_CRYPTO_SESSION", v2::CRYPTO_SESSION)?;
    m.add("V2_WWW_AUTHENTICATE", v2::WWW_AUTHENTICATE)?;
    m.add("V2_CACHE_CONTROL", v2::CACHE_CONTROL)?;
    m.add("V2_NO_STORE", v2::NO_STORE)?;
    m.add("V2_EXPOSED_HEADERS", v2::EXPOSED_HEADERS)?;
    m.add("V2_ALLOWED_HEADERS", v2::ALLOWED_HEADERS)?;
    m.add(
        "V2_ACCESS_CONTROL_EXPOSE_HEADERS",
        v2::ACCESS_CONTROL_EXPOSE_HEADERS,
    )?;
    m.add("V2_SEALED_CONTENT_TYPE", v2::SEALED_CONTENT_TYPE)?;
    m.add("V2_ENV_VECTORS", v2::ENV_VECTORS)?;
    m.add("ENV_REPLAY", replay::ENV_REPLAY)?;
    m.add("ENV_ORIGINS", server::ENV_ORIGINS)?;
    m.add("ENV_MAX_AGE", server::ENV_MAX_AGE)?;
    m.add("ENV_MAX_SKEW", server::ENV_MAX_SKEW)?;
    m.add("ENV_ACCEPT_V1", server::ENV_ACCEPT_V1)?;
    m.add("V2_DEFAULT_MAX_AGE", server::DEFAULT_MAX_AGE)?;
    m.add("V2_DEFAULT_MAX_SKEW", server::DEFAULT_MAX_SKEW)?;
    Ok(())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(generate_secret_key, m)?)?;
    m.add_function(wrap_pyfunction!(public_key, m)?)?;
    m.add_function(wrap_pyfunction!(serialize, m)?)?;
    m.add_function(wrap_pyfunction!(serialize_json, m)?)?;
    m.add_function(wrap_pyfunction!(revive, m)?)?;
    m.add_function(wrap_pyfunction!(signed_url, m)?)?;
    m.add_function(wrap_pyfunction!(read_server_settings, m)?)?;
    m.add_function(wrap_pyfunction!(origins_with_host, m)?)?;
    m.add_function(wrap_pyfunction!(read_max_body, m)?)?;
    m.add_class::<session::CryptoSession>()?;
    m.add_class::<session::Encoded>()?;
    m.add_class::<session::Decoded>()?;
    m.add_class::<server::Server>()?;
    m.add_class::<server::Peer>()?;
    m.add_class::<server::SealedAnswer>()?;
    m.add_class::<cipher::Cipher>()?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::PreparedRequest>()?;
    m.add_class::<v2::V2Server>()?;
    m.add_class::<v2::V2Authenticated>()?;
    m.add_class::<v2::V2SealedAnswer>()?;
    m.add_class::<v2::V2Client>()?;
    m.add_class::<v2::V2PreparedRequest>()?;
    m.add_class::<v2::V2Answer>()?;
    add_v2_constants(m)?;
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
