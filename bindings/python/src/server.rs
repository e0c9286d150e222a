//! `Server`: authenticate requests and seal answers, for any web framework.

use crypto_sessions::http::{Limits, ANSWER_CONTENT_TYPE, AUTHORIZATION, CONTENT_TYPE};
use crypto_sessions::keys::secret_key_from_any;
use crypto_sessions::Session;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{
    bytes_arg, json_payload, key_bytes, payload_bytes, text_arg, text_str, value_to_py,
};
use crate::errors::to_py;
use crate::session::CryptoSession;

/// A server's key, its origin (``host``) and its limits.
///
/// ``Server(secret_key, host, *, max_body=1048576, session_cache=4096,
/// verified_cache=4096)``. ``host`` is the origin clients put in front of the
/// request-target when they sign a GET, e.g. ``"http://localhost:3001"``.
/// A bad key or an empty host raises here, at start-up. Share one ``Server``
/// between threads; the GIL is released while it works.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct Server {
    inner: crypto_sessions::Server,
}

/// The session a seal is for: a `Peer` or a `CryptoSession`.
fn session_of(obj: &Bound<'_, PyAny>) -> PyResult<Session> {
    if let Ok(peer) = obj.cast::<Peer>() {
        return Ok(peer.get().session.get().inner.clone());
    }
    if let Ok(session) = obj.cast::<CryptoSession>() {
        return Ok(session.get().inner.clone());
    }
    Err(PyTypeError::new_err("expected a Peer or a CryptoSession"))
}

impl Server {
    fn seal_bytes(
        &self,
        py: Python<'_>,
        session: &Session,
        status: u16,
        bytes: &[u8],
    ) -> PyResult<SealedAnswer> {
        let server = &self.inner;
        py.detach(|| server.seal(session, status, bytes))
            .map(SealedAnswer::from)
            .map_err(to_py)
    }
}

#[pymethods]
impl Server {
    #[new]
    #[pyo3(signature = (secret_key, host, *, max_body=None, session_cache=None, verified_cache=None))]
    fn new(
        secret_key: &Bound<'_, PyAny>,
        host: &str,
        max_body: Option<usize>,
        session_cache: Option<usize>,
        verified_cache: Option<usize>,
    ) -> PyResult<Self> {
        let secret = secret_key_from_any(&key_bytes(secret_key, "secret key")?).map_err(to_py)?;
        let defaults = Limits::default();
        let limits = defaults
            .with_max_body(max_body.unwrap_or(defaults.max_body))
            .with_session_cache(session_cache.unwrap_or(defaults.session_cache))
            .with_verified_cache(verified_cache.unwrap_or(defaults.verified_cache));
        let inner = crypto_sessions::Server::with_limits(&secret, host, limits).map_err(to_py)?;
        Ok(Server { inner })
    }

    /// The server's public key (66 hex characters): what clients need.
    #[getter]
    fn public_key(&self) -> String {
        self.inner.public_key().to_hex()
    }

    /// The origin clients sign (without a trailing ``/``).
    #[getter]
    fn host(&self) -> &str {
        self.inner.host()
    }

    /// The largest request body accepted, in bytes.
    #[getter]
    fn max_body(&self) -> usize {
        self.inner.limits().max_body
    }

    /// The body rule on a request's headers, before its body is read: raise for a
    /// GET with a body (``Content-Length`` other than 0, or any
    /// ``Transfer-Encoding``) and for a ``Content-Length`` that is not a number or
    /// is over ``max_body``.
    #[pyo3(signature = (method, content_length, has_transfer_encoding))]
    fn check_headers(
        &self,
        method: &str,
        content_length: Option<&str>,
        has_transfer_encoding: bool,
    ) -> PyResult<()> {
        self.inner
            .check_headers(method, content_length, has_transfer_encoding)
            .map_err(to_py)
    }

    /// Authenticate a request; the ``Peer`` that sent it, or raise.
    ///
    /// ``method`` is the method exactly as received (``GET`` or ``POST``).
    /// ``target`` is the request-target exactly as received (path and query, or an
    /// absolute-form target naming this server's origin; not decoded): ``bytes``
    /// from the request line, checked byte for byte, or a ``str`` (its UTF-8).
    /// ``body`` is the raw body; a GET must have none. Whatever the error, answer
    /// 401 with an empty body and log the error (it holds no secrets).
    #[pyo3(signature = (method, target, authorization, body=None))]
    fn authenticate(
        slf: &Bound<'_, Self>,
        method: &str,
        target: &Bound<'_, PyAny>,
        authorization: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Peer> {
        let target = text_arg(target, "target")?;
        let authorization = match authorization {
            Some(a) => Some(text_str(a, "authorization")?),
            None => None,
        };
        let body = match body {
            Some(b) => Some(bytes_arg(b, "body")?),
            None => None,
        };
        let py = slf.py();
        let server = &slf.get().inner;
        let (ok, revived) = py
            .detach(|| {
                let ok = server.authenticate(
                    method,
                    &target,
                    authorization.as_deref(),
                    body.as_deref().unwrap_or(b""),
                )?;
                let revived = ok.revived();
                Ok((ok, revived))
            })
            .map_err(to_py)?;
        let payload = match &revived {
            Some(v) => value_to_py(py, v)?.unbind(),
            None => py.None(),
        };
        let raw = match &ok.payload {
            Some(b) => PyBytes::new(py, b).into_any().unbind(),
            None => py.None(),
        };
        Ok(Peer {
            public_key: ok.peer().to_hex(),
            token: ok.token.encode(),
            method: ok.method.as_str(),
            payload,
            raw,
            session: Py::new(py, CryptoSession::wrap(ok.session))?,
            server: slf.clone().unbind(),
        })
    }

    /// Seal an answer to ``peer`` (a ``Peer`` or ``CryptoSession``): sign and encrypt
    /// ``payload`` (``str`` as text, ``bytes`` as is, anything else as JSON).
    #[pyo3(signature = (peer, payload, status=200))]
    fn seal(
        &self,
        peer: &Bound<'_, PyAny>,
        payload: &Bound<'_, PyAny>,
        status: u16,
    ) -> PyResult<SealedAnswer> {
        let bytes = payload_bytes(payload)?;
        self.seal_bytes(peer.py(), &session_of(peer)?, status, &bytes)
    }

    /// Seal the compact JSON of ``value`` (a ``str`` becomes a JSON string), as the
    /// reference's ``res.secure.json``.
    #[pyo3(signature = (peer, value, status=200))]
    fn seal_json(
        &self,
        peer: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        status: u16,
    ) -> PyResult<SealedAnswer> {
        let bytes = json_payload(value)?;
        self.seal_bytes(peer.py(), &session_of(peer)?, status, &bytes)
    }

    fn __repr__(&self) -> String {
        format!(
            "Server(public_key='{}', host='{}', max_body={})",
            self.inner.public_key().to_hex(),
            self.inner.host(),
            self.inner.limits().max_body
        )
    }
}

/// An authenticated client: who it is, its session, and what it sent.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct Peer {
    /// The client's public key (66 hex characters).
    #[pyo3(get)]
    public_key: String,
    /// The token the client sent in ``authorization``.
    #[pyo3(get)]
    token: String,
    /// ``"GET"`` or ``"POST"``.
    #[pyo3(get)]
    method: &'static str,
    /// For a POST, the payload revived as the reference does (JSON if it parses,
    /// else text); ``None`` for a GET.
    #[pyo3(get)]
    payload: Py<PyAny>,
    /// For a POST, the decrypted payload bytes; ``None`` for a GET.
    #[pyo3(get)]
    raw: Py<PyAny>,
    /// The session with the client (its peer is the client's key).
    #[pyo3(get)]
    session: Py<CryptoSession>,
    /// The server that authenticated the request (it seals the answers).
    #[pyo3(get)]
    server: Py<Server>,
}

#[pymethods]
impl Peer {
    /// Seal an answer to this client, as ``Server.seal``: the reference's
    /// ``res.secure.send``.
    #[pyo3(signature = (payload, status=200))]
    fn seal(
        &self,
        py: Python<'_>,
        payload: &Bound<'_, PyAny>,
        status: u16,
    ) -> PyResult<SealedAnswer> {
        let bytes = payload_bytes(payload)?;
        let session = &self.session.get().inner;
        self.server.get().seal_bytes(py, session, status, &bytes)
    }

    /// Seal the compact JSON of ``value``, as ``Server.seal_json``: the reference's
    /// ``res.secure.json``.
    #[pyo3(signature = (value, status=200))]
    fn seal_json(
        &self,
        py: Python<'_>,
        value: &Bound<'_, PyAny>,
        status: u16,
    ) -> PyResult<SealedAnswer> {
        let bytes = json_payload(value)?;
        let session = &self.session.get().inner;
        self.server.get().seal_bytes(py, session, status, &bytes)
    }

    fn __repr__(&self) -> String {
        format!(
            "Peer(public_key='{}', method='{}')",
            self.public_key, self.method
        )
    }
}

/// A sealed answer: the ``status``, the ``authorization`` header and the ``body``
/// (base64url text) to send.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct SealedAnswer {
    /// The HTTP status.
    #[pyo3(get)]
    status: u16,
    /// The server's token over the payload.
    #[pyo3(get)]
    authorization: String,
    /// The encrypted payload, base64url text.
    #[pyo3(get)]
    body: String,
}

impl From<crypto_sessions::http::SealedAnswer> for SealedAnswer {
    fn from(s: crypto_sessions::http::SealedAnswer) -> Self {
        SealedAnswer {
            status: s.status,
            authorization: s.authorization,
            body: s.body,
        }
    }
}

#[pymethods]
impl SealedAnswer {
    /// The headers to send: ``authorization`` and ``content-type``.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            (AUTHORIZATION, self.authorization.clone()),
            (CONTENT_TYPE, ANSWER_CONTENT_TYPE.to_string()),
        ]
    }

    fn __repr__(&self) -> String {
        format!(
            "SealedAnswer(status={}, body=<{} chars>)",
            self.status,
            self.body.len()
        )
    }
}
