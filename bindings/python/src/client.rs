//! `Client`: prepare requests as the reference's `SecureFetch` does, open answers.

use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{key_bytes, payload_bytes, text_str};
use crate::errors::to_py;
use crate::session::CryptoSession;

/// A client of one server: ``Client(server_pubkey, secret_key, hostname=None)``.
///
/// ``hostname`` (e.g. ``"http://localhost:3001"``) is put in front of every path;
/// with none, give full URLs as paths. The HTTP helpers in ``crypto_sessions.client``
/// use this class; use it directly to speak the protocol over any HTTP library.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct Client {
    inner: crypto_sessions::Client,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (server_pubkey, secret_key, hostname=None))]
    fn new(
        server_pubkey: &Bound<'_, PyAny>,
        secret_key: &Bound<'_, PyAny>,
        hostname: Option<&str>,
    ) -> PyResult<Self> {
        let server =
            public_key_from_any(&key_bytes(server_pubkey, "server public key")?).map_err(to_py)?;
        let secret = secret_key_from_any(&key_bytes(secret_key, "secret key")?).map_err(to_py)?;
        let py = server_pubkey.py();
        Ok(Client {
            inner: py.detach(|| crypto_sessions::Client::new(&server, &secret, hostname)),
        })
    }

    /// The hostname put in front of paths.
    #[getter]
    fn hostname(&self) -> &str {
        self.inner.hostname()
    }

    /// The server's public key (66 hex characters).
    #[getter]
    fn server_pubkey(&self) -> String {
        self.inner.session().peer().to_hex()
    }

    /// The session with the server.
    #[getter]
    fn session(&self) -> CryptoSession {
        CryptoSession::wrap(self.inner.session().clone())
    }

    /// Prepare a request: GET signs ``hostname + path``; POST signs and encrypts
    /// ``body`` (``str``, ``bytes`` or a JSON-serializable value), or the URL when
    /// ``body`` is ``None``. Other methods raise ``UnsupportedMethodError``.
    #[pyo3(signature = (method, path, body=None))]
    fn prepare(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PreparedRequest> {
        let body = match body {
            Some(b) if !b.is_none() => Some(payload_bytes(b)?),
            _ => None,
        };
        let client = &self.inner;
        let prepared = py
            .detach(|| client.prepare(method, path, body.as_deref()))
            .map_err(to_py)?;
        Ok(PreparedRequest {
            method: prepared.method.as_str(),
            url: prepared.url,
            headers: prepared
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: prepared.body,
        })
    }

    /// Open an answer: check the 2xx ``status`` and the server's signature in
    /// ``authorization`` over the decrypted ``body``; the plaintext bytes, or raise
    /// (``HttpStatusError``, ``InvalidSignatureError``, ``WrongPeerError`` ...).
    fn open<'py>(
        &self,
        py: Python<'py>,
        status: u16,
        authorization: Option<&Bound<'py, PyAny>>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let authorization = match authorization {
            Some(a) => Some(text_str(a, "authorization")?),
            None => None,
        };
        let body = text_str(body, "body")?;
        let client = &self.inner;
        let plaintext = py
            .detach(|| client.open(status, authorization.as_deref(), &body))
            .map_err(to_py)?;
        Ok(PyBytes::new(py, &plaintext))
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(server_pubkey='{}', pubkey='{}', hostname='{}')",
            self.inner.session().peer().to_hex(),
            self.inner.session().public_key().to_hex(),
            self.inner.hostname()
        )
    }
}

/// A request ready to send: ``method``, ``url``, ``headers`` (name, value pairs)
/// and ``body`` (the JSON text ``{"data":"..."}`` for a POST, else ``None``).
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct PreparedRequest {
    /// ``"GET"`` or ``"POST"``.
    #[pyo3(get)]
    method: &'static str,
    /// ``hostname + path``: exactly the string signed for a GET.
    #[pyo3(get)]
    url: String,
    /// ``authorization``, and ``content-type: application/json`` for a POST.
    #[pyo3(get)]
    headers: Vec<(String, String)>,
    /// The body text for a POST, else ``None``.
    #[pyo3(get)]
    body: Option<String>,
}

#[pymethods]
impl PreparedRequest {
    fn __repr__(&self) -> String {
        format!(
            "PreparedRequest(method='{}', url='{}')",
            self.method, self.url
        )
    }
}
