//! Protocol v2 (with v1 beside it): `V2Server` authenticates and seals for any web
//! framework; `V2Client` prepares requests and opens their answers. Every rule is
//! the core's (`crypto_sessions::v2`); this module only translates.

use std::sync::Arc;

use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::v2::answer::{check_answer, AnswerKind, Checked, SentRequest};
use crypto_sessions::v2::client::{self, ClientError};
use crypto_sessions::v2::clock::{Clock, ManualClock, SystemClock};
use crypto_sessions::v2::kdf::ConversationKey;
use crypto_sessions::v2::keys::{KeyPair, XOnlyKey, XONLY_LEN};
use crypto_sessions::v2::replay::{self, DEFAULT_PREFIX};
use crypto_sessions::v2::request::RequestToken;
use crypto_sessions::v2::server::{self, Authenticated, Rejection, DEFAULT_REPLAY_CAPACITY};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{bytes_arg, key_bytes, text_arg};
use crate::errors::to_py;

/// The Python exception of a rejection (server side) or of an unsigned rejection a
/// client received: `crypto_sessions.errors.rejected(...)` picks the class.
fn rejected_err(
    py: Python<'_>,
    code: Option<&str>,
    status: u16,
    message: String,
    www_authenticate: Option<String>,
    stale_answer: Option<String>,
    headers: Option<Vec<(&'static str, String)>>,
) -> PyErr {
    let made = py
        .import("crypto_sessions.errors")
        .and_then(|m| {
            m.getattr("rejected")?.call1((
                code,
                status,
                message,
                www_authenticate,
                stale_answer,
                headers,
            ))
        })
        .map(|e| PyErr::from_value(e));
    made.unwrap_or_else(|e| e)
}

fn rejection_to_py(py: Python<'_>, r: &Rejection) -> PyErr {
    rejected_err(
        py,
        r.code().map(|c| c.as_str()),
        r.status(),
        r.to_string(),
        Some(r.www_authenticate()),
        r.stale_answer().map(str::to_string),
        Some(r.headers()),
    )
}

fn invalid_answer(py: Python<'_>, detail: String) -> PyErr {
    pyo3::import_exception!(crypto_sessions.errors, InvalidAnswerError);
    let _ = py;
    InvalidAnswerError::new_err(detail)
}

fn client_error_to_py(py: Python<'_>, err: ClientError) -> PyErr {
    pyo3::import_exception!(crypto_sessions.errors, StaleError);
    match err {
        ClientError::InvalidAnswer(e) => invalid_answer(py, e.to_string()),
        ClientError::Rejected { status, code } => rejected_err(
            py,
            code.map(|c| c.as_str()),
            status,
            format!(
                "rejected with status {status} ({}); the outcome is unknown",
                code.map_or("no code", |c| c.as_str())
            ),
            None,
            None,
            None,
        ),
        ClientError::Stale {
            server_time,
            offset_applied,
            retry,
        } => {
            let retry = match retry {
                Some(r) => match Py::new(py, V2PreparedRequest::from(*r)) {
                    Ok(r) => r.into_any(),
                    Err(e) => return e,
                },
                None => py.None(),
            };
            StaleError::new_err((
                format!("stale: the server's clock reads {server_time}"),
                server_time,
                offset_applied,
                retry,
            ))
        }
    }
}

/// An x-only key from 32 raw bytes or 64 hex characters, or from a compressed or
/// uncompressed public key (33/65 bytes, 66/130 hex characters).
fn xonly_from_any(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<XOnlyKey> {
    let bytes = key_bytes(obj, what)?;
    let parsed = match bytes.len() {
        XONLY_LEN => XOnlyKey::from_bytes(&bytes),
        64 => XOnlyKey::from_hex(std::str::from_utf8(&bytes).unwrap_or("")),
        _ => public_key_from_any(&bytes).map(|pk| XOnlyKey::from_public_key(&pk)),
    };
    parsed.map_err(to_py)
}

fn clock_at(now: Option<u64>) -> (Arc<dyn Clock>, Option<Arc<ManualClock>>) {
    match now {
        Some(t) => {
            let manual = Arc::new(ManualClock::new(t));
            (manual.clone(), Some(manual))
        }
        None => (Arc::new(SystemClock), None),
    }
}

/// Set a fixed clock; an error for an object on the system clock.
fn set_fixed_clock(clock: &Option<Arc<ManualClock>>, now: u64, what: &str) -> PyResult<()> {
    let clock = clock
        .as_ref()
        .ok_or_else(|| PyValueError::new_err(format!("set_now needs a {what} built with now=")))?;
    clock.set(now);
    Ok(())
}

/// A v2 server (and v1 with ``accept_v1``).
///
/// ``V2Server(secret_keys, origins, *, max_age=60, max_skew=5, max_body=1048576,
/// accept_v1=False, replay="memory", replay_capacity=1048576, replay_prefix=None,
/// admission=None, now=None, replay_store_created=None)``. ``secret_keys``: one key or a list (rotation; the
/// first also serves v1). ``origins``: the ``scheme://host[:port]`` clients sign (the
/// first serves v1). ``replay``: ``"memory"`` or a ``redis://`` URL. ``admission``:
/// a callable taking the client's x-only key (32 bytes) and returning ``True`` to
/// admit it; an exception refuses. ``now`` fixes the clock (tests; see
/// :meth:`set_now`); the memory store's restart guard is then off unless
/// ``replay_store_created`` (Unix seconds) is given. A bad configuration raises here. The GIL is released while it
/// authenticates and seals.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct V2Server {
    inner: Arc<server::Server>,
    clock: Option<Arc<ManualClock>>,
}

fn admission_hook(hook: Py<PyAny>) -> impl Fn(&[u8; XONLY_LEN]) -> bool + Send + Sync + 'static {
    move |key: &[u8; XONLY_LEN]| {
        Python::attach(|py| {
            let result = hook
                .bind(py)
                .call1((PyBytes::new(py, key),))
                .and_then(|v| v.is_truthy());
            match result {
                Ok(admit) => admit,
                Err(e) => {
                    // Fail closed; the application sees its exception as unraisable.
                    e.write_unraisable(py, Some(hook.bind(py)));
                    false
                }
            }
        })
    }
}

#[pymethods]
impl V2Server {
    #[new]
    #[pyo3(signature = (secret_keys, origins, *, max_age=None, max_skew=None, max_body=None,
        accept_v1=false, replay="memory", replay_capacity=None, replay_prefix=None,
        admission=None, now=None, replay_store_created=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        secret_keys: &Bound<'_, PyAny>,
        origins: Vec<String>,
        max_age: Option<u64>,
        max_skew: Option<u64>,
        max_body: Option<u64>,
        accept_v1: bool,
        replay: &str,
        replay_capacity: Option<usize>,
        replay_prefix: Option<&str>,
        admission: Option<Py<PyAny>>,
        now: Option<u64>,
        replay_store_created: Option<f64>,
    ) -> PyResult<Self> {
        let keys: Vec<Bound<'_, PyAny>> = if secret_keys.is_instance_of::<pyo3::types::PyString>()
            || secret_keys.is_instance_of::<PyBytes>()
        {
            vec![secret_keys.clone()]
        } else {
            secret_keys.try_iter()?.collect::<PyResult<_>>()?
        };
        let mut builder = server::Server::builder()
            .max_age(max_age.unwrap_or(server::DEFAULT_MAX_AGE))
            .max_skew(max_skew.unwrap_or(server::DEFAULT_MAX_SKEW))
            .max_body(max_body.unwrap_or(server::DEFAULT_MAX_BODY))
            .accept_v1(accept_v1);
        for key in &keys {
            let secret = secret_key_from_any(&key_bytes(key, "secret key")?).map_err(to_py)?;
            builder = builder.secret_key(&secret);
        }
        for origin in &origins {
            builder = builder.origin(origin);
        }
        if let Some(hook) = admission {
            if !hook.bind(py).is_callable() {
                return Err(PyTypeError::new_err("admission must be callable"));
            }
            builder = builder.admission(admission_hook(hook));
        }
        let capacity = replay_capacity.unwrap_or(DEFAULT_REPLAY_CAPACITY);
        if capacity == 0 {
            return Err(PyValueError::new_err("replay_capacity must be at least 1"));
        }
        let (clock, manual) = clock_at(now);
        let store = py
            .detach(|| match (replay_store_created, &manual) {
                // A fixed clock: the restart guard is off (store made at 0) unless
                // the store's creation time is given.
                (created, Some(_)) | (created @ Some(_), None) if replay.trim() == "memory" => {
                    Ok(Arc::new(replay::MemoryStore::with_created(
                        capacity,
                        created.unwrap_or(0.0),
                    )) as Arc<dyn replay::ReplayStore>)
                }
                _ => replay::open(replay, capacity, replay_prefix.or(Some(DEFAULT_PREFIX))),
            })
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let inner = builder
            .replay_store(store)
            .clock(clock)
            .build()
            .map_err(to_py)?;
        Ok(V2Server {
            inner: Arc::new(inner),
            clock: manual,
        })
    }

    /// Set the fixed clock (Unix seconds); only for a server built with ``now=``.
    fn set_now(&self, now: u64) -> PyResult<()> {
        set_fixed_clock(&self.clock, now, "server")
    }

    /// The servers' x-only keys (64 hex characters each), in configuration order.
    #[getter]
    fn public_keys(&self) -> Vec<String> {
        self.inner.public_keys().map(XOnlyKey::to_hex).collect()
    }

    /// The v1 public key (66 hex characters) when ``accept_v1`` is on, else ``None``.
    #[getter]
    fn v1_public_key(&self) -> Option<String> {
        self.inner.v1().map(|v1| v1.public_key().to_hex())
    }

    /// The configured origins.
    #[getter]
    fn origins(&self) -> Vec<String> {
        self.inner
            .origins()
            .iter()
            .map(|o| o.as_str().to_string())
            .collect()
    }

    /// ``(max_age, max_skew, max_body)``.
    #[getter]
    fn limits(&self) -> (u64, u64, u64) {
        self.inner.limits()
    }

    /// Whether v1 requests are served too.
    #[getter]
    fn accept_v1(&self) -> bool {
        self.inner.v1().is_some()
    }

    /// CORS: the ``Access-Control-Expose-Headers`` value of this server's answers and
    /// rejections (``Crypto-Session, WWW-Authenticate``, and ``Authorization``, where
    /// a v1 answer travels, when it accepts v1).
    #[getter]
    fn exposed_headers(&self) -> &'static str {
        self.inner.exposed_headers()
    }

    /// Step 1 on ``Content-Length`` before the body is read: raise the rejection
    /// (``TooLargeRejection``, or the uniform v1 one) when it is over ``max_body``.
    fn check_content_length(
        &self,
        py: Python<'_>,
        authorization: Vec<String>,
        content_length: Option<u64>,
    ) -> PyResult<()> {
        let values: Vec<&str> = authorization.iter().map(String::as_str).collect();
        self.inner
            .check_content_length(&values, content_length)
            .map_err(|r| rejection_to_py(py, &r))
    }

    /// Authenticate a request, or raise a :class:`RejectedError` (its ``status``,
    /// ``headers`` and an empty body are the answer).
    ///
    /// ``target``: the request-target's bytes as on the request line.
    /// ``authorization``: every ``Authorization`` field value. ``body``: the bytes
    /// without transfer or content codings.
    #[pyo3(signature = (method, target, authorization, content_length, body))]
    fn authenticate(
        slf: &Bound<'_, Self>,
        method: &str,
        target: &Bound<'_, PyAny>,
        authorization: Vec<String>,
        content_length: Option<u64>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<V2Authenticated> {
        let py = slf.py();
        let target = text_arg(target, "target")?;
        let body = bytes_arg(body, "body")?;
        let server = slf.get().inner.clone();
        let result = py.detach(|| {
            let values: Vec<&str> = authorization.iter().map(String::as_str).collect();
            server.authenticate(method, &target, &values, content_length, &body)
        });
        match result {
            Ok(inner) => Ok(V2Authenticated {
                inner,
                server: slf.get().inner.clone(),
            }),
            Err(r) => Err(rejection_to_py(py, &r)),
        }
    }

    fn __repr__(&self) -> String {
        let (max_age, max_skew, max_body) = self.inner.limits();
        format!(
            "V2Server(public_keys={:?}, origins={:?}, max_age={max_age}, max_skew={max_skew}, max_body={max_body}, accept_v1={})",
            self.public_keys(),
            self.origins(),
            self.accept_v1()
        )
    }
}

/// An authenticated request of either version: who sent it and what.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct V2Authenticated {
    inner: Authenticated,
    server: Arc<server::Server>,
}

#[pymethods]
impl V2Authenticated {
    /// The protocol version: 2, or 1 (``accept_v1``).
    #[getter]
    fn version(&self) -> u8 {
        self.inner.version()
    }

    /// The client's key: x-only (32 bytes) for v2, compressed (33 bytes) for v1.
    #[getter]
    fn client_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.client_key())
    }

    /// The decrypted payload (empty without a body).
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.payload())
    }

    /// The payload's content type as the client gave it (v1: ``""``).
    #[getter]
    fn content_type(&self) -> &str {
        self.inner.content_type()
    }

    /// Seal an answer: ``status``, the payload's ``content_type`` (v1 ignores it)
    /// and ``payload`` bytes. An answer to ``HEAD``, or with status 1xx, 204 or 304,
    /// must have an empty payload and content type (v2).
    #[pyo3(signature = (status, content_type, payload))]
    fn seal(
        &self,
        py: Python<'_>,
        status: u16,
        content_type: &str,
        payload: &Bound<'_, PyAny>,
    ) -> PyResult<V2SealedAnswer> {
        let payload = bytes_arg(payload, "payload")?;
        let server = &self.server;
        let inner = &self.inner;
        py.detach(|| match inner {
            Authenticated::V2(request) => server.seal(request, status, content_type, &payload),
            Authenticated::V1(request) => server.seal_v1(request, status, &payload),
        })
        .map(|s| V2SealedAnswer {
            status: s.status,
            headers: s
                .headers
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            body: s.body,
        })
        .map_err(to_py)
    }

    fn __repr__(&self) -> String {
        format!(
            "V2Authenticated(version={}, client_key='{}', content_type={:?}, payload=<{} bytes>)",
            self.inner.version(),
            self.inner
                .client_key()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            self.inner.content_type(),
            self.inner.payload().len()
        )
    }
}

/// A sealed answer: ``status``, ``headers`` (name, value pairs) and ``body`` bytes.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct V2SealedAnswer {
    /// The status.
    #[pyo3(get)]
    status: u16,
    /// The headers to send with it.
    #[pyo3(get)]
    headers: Vec<(String, String)>,
    /// The sealed body (possibly empty).
    body: Vec<u8>,
}

#[pymethods]
impl V2SealedAnswer {
    /// The sealed body (possibly empty).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.body)
    }

    fn __repr__(&self) -> String {
        format!(
            "V2SealedAnswer(status={}, body=<{} bytes>)",
            self.status,
            self.body.len()
        )
    }
}

/// A v2 client of one server key: ``V2Client(secret_key, server_key, *, now=None)``.
///
/// ``server_key``: the server's x-only key (32 bytes or 64 hex characters; a
/// compressed key works too). ``now`` fixes the local clock (tests). The clock
/// offset learnt from a signed stale answer is kept here.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct V2Client {
    inner: client::Client,
    keys: KeyPair,
    clock: Option<Arc<ManualClock>>,
}

#[pymethods]
impl V2Client {
    #[new]
    #[pyo3(signature = (secret_key, server_key, *, now=None))]
    fn new(
        secret_key: &Bound<'_, PyAny>,
        server_key: &Bound<'_, PyAny>,
        now: Option<u64>,
    ) -> PyResult<Self> {
        let secret = secret_key_from_any(&key_bytes(secret_key, "secret key")?).map_err(to_py)?;
        let server = xonly_from_any(server_key, "server key")?;
        let (clock, manual) = clock_at(now);
        let py = secret_key.py();
        let inner = py.detach(|| client::Client::new(&secret, &server).with_clock(clock));
        Ok(V2Client {
            inner,
            keys: KeyPair::new(&secret),
            clock: manual,
        })
    }

    /// Set the fixed local clock (Unix seconds); only for a client built with ``now=``.
    fn set_now(&self, now: u64) -> PyResult<()> {
        set_fixed_clock(&self.clock, now, "client")
    }

    /// Our x-only key (64 hex characters).
    #[getter]
    fn public_key(&self) -> String {
        self.inner.public_key().to_hex()
    }

    /// The server key addressed (64 hex characters).
    #[getter]
    fn server_key(&self) -> String {
        self.inner.server_key().to_hex()
    }

    /// Seconds added to the local clock (from the last signed stale answer).
    #[getter]
    fn clock_offset(&self) -> i64 {
        self.inner.clock_offset()
    }

    /// Prepare a request to the absolute ``url``: any method; ``payload`` bytes with
    /// their ``content_type`` are sealed (both empty: no body).
    #[pyo3(signature = (method, url, content_type="", payload=None))]
    fn prepare(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        content_type: &str,
        payload: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<V2PreparedRequest> {
        let payload = match payload {
            Some(p) => bytes_arg(p, "payload")?.to_vec(),
            None => Vec::new(),
        };
        let client = &self.inner;
        py.detach(|| client.prepare(method, url, content_type, &payload))
            .map(V2PreparedRequest::from)
            .map_err(to_py)
    }

    /// Open the response to ``request``: a :class:`V2Answer`, or raise
    /// ``InvalidAnswerError`` (never data), a ``RejectedError`` subclass (an
    /// unsigned rejection: the outcome is unknown) or ``StaleError`` (signed: not
    /// executed; its ``retry`` is the one retry to send, or ``None``).
    #[pyo3(signature = (request, status, crypto_session, www_authenticate, body))]
    fn open(
        &self,
        py: Python<'_>,
        request: &V2PreparedRequest,
        status: u16,
        crypto_session: Option<&str>,
        www_authenticate: Option<&str>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<V2Answer> {
        let body = bytes_arg(body, "body")?;
        let client = &self.inner;
        let response = client::Response {
            status,
            crypto_session,
            www_authenticate,
            body: &body,
        };
        py.detach(|| client.open(&request.inner, response))
            .map(V2Answer::from)
            .map_err(|e| client_error_to_py(py, e))
    }

    /// Open an answer to a request known only by its token (``request_token``: the
    /// 128 bytes, e.g. kept from an earlier exchange) and ``method``. A signed stale
    /// answer raises ``StaleError`` without a retry and leaves the clock offset alone.
    /// ``kind``: ``"answer"`` or ``"stale"`` accepts only that kind (anything else
    /// is ``InvalidAnswerError``); ``None`` takes the kind the token says.
    #[pyo3(signature = (method, request_token, status, crypto_session, body, *, kind=None))]
    #[allow(clippy::too_many_arguments)]
    fn open_for_token(
        &self,
        py: Python<'_>,
        method: &str,
        request_token: &Bound<'_, PyAny>,
        status: u16,
        crypto_session: &str,
        body: &Bound<'_, PyAny>,
        kind: Option<&str>,
    ) -> PyResult<V2Answer> {
        let kind = match kind {
            None => None,
            Some("answer") => Some(AnswerKind::Answer),
            Some("stale") => Some(AnswerKind::Stale),
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "kind must be 'answer', 'stale' or None, not {other:?}"
                )))
            }
        };
        let token =
            RequestToken::from_bytes(&bytes_arg(request_token, "request_token")?).map_err(to_py)?;
        let body = bytes_arg(body, "body")?;
        let server = self.inner.server_key();
        let conversation = ConversationKey::new(&self.keys, server);
        let sent = SentRequest {
            server,
            token: &token,
            method,
            conversation: &conversation,
        };
        let result = py.detach(|| check_answer(sent, status, crypto_session, &body, kind));
        match result {
            Ok(Checked::Answer(opened)) => Ok(V2Answer {
                status,
                content_type: opened.content_type,
                payload: opened.payload,
            }),
            Ok(Checked::Stale { server_time }) => Err(client_error_to_py(
                py,
                ClientError::Stale {
                    server_time,
                    offset_applied: false,
                    retry: None,
                },
            )),
            Err(e) => Err(invalid_answer(py, e.to_string())),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "V2Client(public_key='{}', server_key='{}', clock_offset={})",
            self.inner.public_key().to_hex(),
            self.inner.server_key().to_hex(),
            self.inner.clock_offset()
        )
    }
}

/// A request ready to send: ``method``, ``url``, ``headers``, ``body`` bytes.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct V2PreparedRequest {
    inner: client::PreparedRequest,
}

impl From<client::PreparedRequest> for V2PreparedRequest {
    fn from(inner: client::PreparedRequest) -> Self {
        V2PreparedRequest { inner }
    }
}

#[pymethods]
impl V2PreparedRequest {
    /// The method, as given.
    #[getter]
    fn method(&self) -> &str {
        self.inner.method()
    }

    /// The URL to request (``origin`` + the percent-encoded target).
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    /// ``Authorization``, and with a body ``Content-Type`` and ``Cache-Control``.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.inner
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The sealed body (empty without a payload).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.body())
    }

    /// The request token (128 bytes).
    #[getter]
    fn token<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.token().as_bytes())
    }

    /// Whether this is the one retry after a signed stale answer.
    #[getter]
    fn is_retry(&self) -> bool {
        self.inner.is_retry()
    }

    fn __repr__(&self) -> String {
        format!(
            "V2PreparedRequest(method='{}', url='{}', body=<{} bytes>, is_retry={})",
            self.inner.method(),
            self.inner.url(),
            self.inner.body().len(),
            if self.inner.is_retry() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// A verified answer: ``status``, the payload's ``content_type`` and ``payload``.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct V2Answer {
    /// The status, signed by the server.
    #[pyo3(get)]
    status: u16,
    /// The payload's content type (``""`` when there is none).
    #[pyo3(get)]
    content_type: String,
    payload: Vec<u8>,
}

impl From<client::Answer> for V2Answer {
    fn from(a: client::Answer) -> Self {
        V2Answer {
            status: a.status,
            content_type: a.content_type,
            payload: a.payload,
        }
    }
}

#[pymethods]
impl V2Answer {
    /// The payload.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.payload)
    }

    fn __repr__(&self) -> String {
        format!(
            "V2Answer(status={}, content_type={:?}, payload=<{} bytes>)",
            self.status,
            self.content_type,
            self.payload.len()
        )
    }
}
