//! Protocol v2: `V2Client` (requests for any method, answers verified against the
//! request sent, the stale-answer clock offset and the one retry) and `V2Server`
//! (one server for v1 and v2: authenticate, seal). Types and errors only.

use std::sync::Arc;

use crypto_sessions::v2::answer::{open_answer, open_stale_answer, SentRequest};
use crypto_sessions::v2::client::{
    Answer, Client, ClientError, PreparedRequest, Response as CoreResponse,
};
use crypto_sessions::v2::clock::{Clock, ManualClock};
use crypto_sessions::v2::kdf::ConversationKey;
use crypto_sessions::v2::keys::KeyPair;
use crypto_sessions::v2::replay::MemoryStore;
use crypto_sessions::v2::request::RequestToken;
use crypto_sessions::v2::server::{
    Authenticated, Rejection, SealedAnswer, Server, DEFAULT_REPLAY_CAPACITY,
};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::clock::JsClock;
use crate::error::{coded, set, OrThrow};
use crate::input::{bytes, bytes_of, object, optional_bytes};
use crate::keys::{secret_key, xonly_key};

/// `[[name, value], ...]`: the order the core gives.
fn header_list<N: AsRef<str>, V: AsRef<str>>(headers: impl IntoIterator<Item = (N, V)>) -> JsValue {
    headers
        .into_iter()
        .map(|(name, value)| {
            Array::of2(
                &JsValue::from_str(name.as_ref()),
                &JsValue::from_str(value.as_ref()),
            )
        })
        .collect::<Array>()
        .into()
}

/// The clock of a client or server: fixed at `now` (Unix seconds) when given (and
/// then settable), else JavaScript's.
fn clock_of(now: Option<f64>) -> (Arc<dyn Clock>, Option<Arc<ManualClock>>) {
    match now {
        Some(now) => {
            let manual = Arc::new(ManualClock::new(now.max(0.0) as u64));
            (manual.clone(), Some(manual))
        }
        None => (Arc::new(JsClock), None),
    }
}

/// The admission hook as a JavaScript function `(clientXonly) => boolean`; anything
/// but `true`, or a throw, refuses (fail closed).
struct JsAdmission(js_sys::Function);

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread: the
// function is never sent to nor shared with another thread.
unsafe impl Send for JsAdmission {}
unsafe impl Sync for JsAdmission {}

impl JsAdmission {
    fn admits(&self, client: &[u8; 32]) -> bool {
        self.0
            .call1(&JsValue::NULL, &bytes(client))
            .is_ok_and(|v| v.as_bool() == Some(true))
    }
}

/// A request ready to send (`method`, `url`, `headers`, `body`); hand it back to
/// [`V2Client::open`] with the response.
#[wasm_bindgen]
pub struct V2Request {
    inner: PreparedRequest,
}

#[wasm_bindgen]
impl V2Request {
    /// The method, as given.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.inner.method().to_string()
    }

    /// The URL to request (target percent-encoded, fragment dropped).
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.inner.url().to_string()
    }

    /// `[[name, value], ...]`: `Authorization`, and for a body `Content-Type` and
    /// `Cache-Control`.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> JsValue {
        header_list(self.inner.headers())
    }

    /// The sealed body (empty: send none).
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> Vec<u8> {
        self.inner.body().to_vec()
    }

    /// Whether this is the one retry after a signed stale answer.
    #[wasm_bindgen(getter, js_name = isRetry)]
    pub fn is_retry(&self) -> bool {
        self.inner.is_retry()
    }
}

/// A v2 client of one server key.
#[wasm_bindgen]
pub struct V2Client {
    inner: Client,
    conversation: ConversationKey,
    clock: Option<Arc<ManualClock>>,
}

fn answer(out: Answer) -> JsValue {
    object(&[
        ("status", out.status.into()),
        ("contentType", out.content_type.into()),
        ("payload", bytes(&out.payload)),
    ])
}

/// Why a response is not an answer: `code` `invalid_answer`, the server's code
/// (`status` too), or `stale` (`serverTime`, `offsetApplied`, and `retry`: the
/// request to send once, or `undefined`).
fn client_error(err: ClientError) -> JsValue {
    let error = coded(err.code(), &err.to_string());
    match err {
        ClientError::InvalidAnswer(_) => {}
        ClientError::Rejected { status, .. } => set(&error, "status", &status.into()),
        ClientError::Stale {
            server_time,
            offset_applied,
            retry,
        } => {
            set(&error, "serverTime", &(server_time as f64).into());
            set(&error, "offsetApplied", &offset_applied.into());
            if let Some(retry) = retry {
                set(&error, "retry", &V2Request { inner: *retry }.into());
            }
        }
    }
    error.into()
}

#[wasm_bindgen]
impl V2Client {
    /// Our secret key and the server's public key (x-only, or any form); `now`
    /// (Unix seconds) fixes the clock (tests, vectors).
    #[wasm_bindgen(constructor)]
    pub fn new(
        secret: JsValue,
        server_key: JsValue,
        now: Option<f64>,
    ) -> Result<V2Client, JsValue> {
        let secret = secret_key(&secret)?;
        let server = xonly_key(&server_key)?;
        let (clock, manual) = clock_of(now);
        Ok(V2Client {
            conversation: ConversationKey::new(&KeyPair::new(&secret), &server),
            inner: Client::new(&secret, &server).with_clock(clock),
            clock: manual,
        })
    }

    /// Set a fixed clock (one made with `now`), Unix seconds.
    #[wasm_bindgen(js_name = setNow)]
    pub fn set_now(&self, now: f64) -> Result<(), JsValue> {
        set_clock(&self.clock, now)
    }

    /// Open an answer to a request token sent earlier (its bytes, e.g. kept by the
    /// application): `{ status, contentType, payload }`, or for a signed stale
    /// answer `{ status, serverTime }`; throws `invalid_answer`. `stale` says which
    /// one is expected (the other is refused); left out, the token's flags decide.
    #[wasm_bindgen(js_name = openFor)]
    pub fn open_for(
        &self,
        request_token: &[u8],
        method: &str,
        status: u16,
        crypto_session: &str,
        body: &[u8],
        stale: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let token = RequestToken::from_bytes(request_token).or_throw()?;
        let sent = SentRequest {
            server: self.inner.server_key(),
            token: &token,
            method,
            conversation: &self.conversation,
        };
        let invalid = |e: crypto_sessions::v2::answer::InvalidAnswer| -> JsValue {
            coded(e.code(), &e.to_string()).into()
        };
        let stale = match stale {
            Some(stale) => stale,
            None => {
                crypto_sessions::v2::answer::AnswerToken::decode(crypto_session)
                    .map_err(invalid)?
                    .flags()
                    == crypto_sessions::v2::answer::FLAGS_STALE
            }
        };
        if stale {
            let server_time =
                open_stale_answer(sent, status, crypto_session, body).map_err(invalid)?;
            return Ok(object(&[
                ("status", status.into()),
                ("serverTime", (server_time as f64).into()),
            ]));
        }
        let opened = open_answer(sent, status, crypto_session, body).map_err(invalid)?;
        Ok(answer(Answer {
            status,
            content_type: opened.content_type,
            payload: opened.payload,
        }))
    }

    /// Our x-only key (32 bytes).
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().as_bytes().to_vec()
    }

    /// The server's x-only key (32 bytes).
    #[wasm_bindgen(getter, js_name = serverKey)]
    pub fn server_key(&self) -> Vec<u8> {
        self.inner.server_key().as_bytes().to_vec()
    }

    /// Seconds added to the local clock (from the last signed stale answer).
    #[wasm_bindgen(getter, js_name = clockOffset)]
    pub fn clock_offset(&self) -> f64 {
        self.inner.clock_offset() as f64
    }

    /// A request for any method to an absolute URL; an empty payload with an empty
    /// content type is sent without a body.
    pub fn prepare(
        &self,
        method: &str,
        url: &str,
        content_type: Option<String>,
        payload: JsValue,
    ) -> Result<V2Request, JsValue> {
        let payload = optional_bytes(&payload, "payload")?.unwrap_or_default();
        let inner = self
            .inner
            .prepare(method, url, content_type.as_deref().unwrap_or(""), &payload)
            .or_throw()?;
        Ok(V2Request { inner })
    }

    /// Check the response to `request`: `{ status, contentType, payload }`, or throw
    /// (see the codes above). `body` is the response body as received.
    pub fn open(
        &self,
        request: &V2Request,
        status: u16,
        crypto_session: Option<String>,
        www_authenticate: Option<String>,
        body: &[u8],
    ) -> Result<JsValue, JsValue> {
        let response = CoreResponse {
            status,
            crypto_session: crypto_session.as_deref(),
            www_authenticate: www_authenticate.as_deref(),
            body,
        };
        self.inner
            .open(&request.inner, response)
            .map(answer)
            .map_err(client_error)
    }
}

/// An authenticated request of either version.
#[wasm_bindgen]
pub struct V2Authenticated {
    inner: Authenticated,
}

#[wasm_bindgen]
impl V2Authenticated {
    /// 2 or 1.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> u8 {
        self.inner.version()
    }

    /// The client's key: x-only (32 bytes) for v2, compressed (33 bytes) for v1.
    #[wasm_bindgen(getter, js_name = clientKey)]
    pub fn client_key(&self) -> Vec<u8> {
        self.inner.client_key().to_vec()
    }

    /// The payload (empty when there was none).
    #[wasm_bindgen(getter)]
    pub fn payload(&self) -> Vec<u8> {
        self.inner.payload().to_vec()
    }

    /// The payload's content type (v1: `""`).
    #[wasm_bindgen(getter, js_name = contentType)]
    pub fn content_type(&self) -> String {
        self.inner.content_type().to_string()
    }
}

/// The rejection as a thrown error: `code` (v2 code, or `rejected` for v1),
/// `status`, `headers` (`[[name, value], ...]`; the body is empty) and `detail`
/// (for logs, never for the client).
fn rejection(err: Rejection) -> JsValue {
    let code = err.code().map_or("rejected", |c| c.as_str());
    let error = coded(code, &err.to_string());
    set(&error, "status", &err.status().into());
    set(&error, "headers", &header_list(err.headers()));
    set(&error, "detail", &err.detail().into());
    error.into()
}

fn sealed(out: SealedAnswer) -> JsValue {
    object(&[
        ("status", out.status.into()),
        ("headers", header_list(out.headers)),
        ("body", bytes(&out.body)),
    ])
}

fn config_number(config: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let value = Reflect::get(config, &key.into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n)),
        _ => Err(coded(
            "malformed_input",
            &format!("{key} must be a whole number ≥ 0"),
        )
        .into()),
    }
}

fn config_list(config: &JsValue, key: &str) -> Result<Vec<JsValue>, JsValue> {
    let value = Reflect::get(config, &key.into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if Array::is_array(&value) {
        return Ok(Array::from(&value).to_vec());
    }
    Ok(vec![value])
}

fn set_clock(clock: &Option<Arc<ManualClock>>, now: f64) -> Result<(), JsValue> {
    match clock {
        Some(clock) if now.is_finite() && now >= 0.0 => {
            clock.set(now as u64);
            Ok(())
        }
        Some(_) => Err(coded("malformed_input", "now must be a time ≥ 0").into()),
        None => Err(coded(
            "malformed_input",
            "this clock is JavaScript's: construct with `now` to set it",
        )
        .into()),
    }
}

/// One server for v1 and v2.
#[wasm_bindgen]
pub struct V2Server {
    inner: Server,
    clock: Option<Arc<ManualClock>>,
}

#[wasm_bindgen]
impl V2Server {
    /// From `{ secretKeys, origins, maxAge?, maxSkew?, maxBody?, acceptV1?,
    /// replayCapacity?, replayCreated?, admission?, now? }` (`secretKeys` and
    /// `origins` one value or a list; the first of each also serves v1; `now` fixes
    /// the clock, Unix seconds; `replayCreated` dates the memory replay store,
    /// default now; `admission(clientXonly)` must return `true` to admit).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<V2Server, JsValue> {
        let mut builder = Server::builder();
        for key in config_list(&config, "secretKeys")? {
            builder = builder.secret_key(&secret_key(&key)?);
        }
        for origin in config_list(&config, "origins")? {
            let origin = origin
                .as_string()
                .ok_or_else(|| coded("malformed_input", "an origin must be a string"))?;
            builder = builder.origin(&origin);
        }
        if let Some(n) = config_number(&config, "maxAge")? {
            builder = builder.max_age(n as u64);
        }
        if let Some(n) = config_number(&config, "maxSkew")? {
            builder = builder.max_skew(n as u64);
        }
        if let Some(n) = config_number(&config, "maxBody")? {
            builder = builder.max_body(n as u64);
        }
        let accept_v1 = Reflect::get(&config, &"acceptV1".into())?;
        builder = builder.accept_v1(accept_v1.is_truthy());
        let admission = Reflect::get(&config, &"admission".into())?;
        if !admission.is_undefined() && !admission.is_null() {
            let admission = JsAdmission(
                admission
                    .dyn_into()
                    .map_err(|_| coded("malformed_input", "admission must be a function"))?,
            );
            builder = builder.admission(move |client| admission.admits(client));
        }
        let now = config_number(&config, "now")?;
        let capacity = config_number(&config, "replayCapacity")?
            .map_or(DEFAULT_REPLAY_CAPACITY, |n| n as usize);
        // The core's default store reads the system clock: give it JavaScript's.
        let created = config_number(&config, "replayCreated")?
            .or(now)
            .unwrap_or_else(JsClock::unix_seconds);
        let (clock, manual) = clock_of(now);
        let inner = builder
            .clock(clock)
            .replay_store(Arc::new(MemoryStore::with_created(capacity, created)))
            .build()
            .or_throw()?;
        Ok(V2Server {
            inner,
            clock: manual,
        })
    }

    /// Set a fixed clock (a server made with `now`), Unix seconds.
    #[wasm_bindgen(js_name = setNow)]
    pub fn set_now(&self, now: f64) -> Result<(), JsValue> {
        set_clock(&self.clock, now)
    }

    /// The server's x-only keys (32 bytes each), in configuration order.
    #[wasm_bindgen(getter, js_name = publicKeys)]
    pub fn public_keys(&self) -> Vec<js_sys::Uint8Array> {
        self.inner
            .public_keys()
            .map(|k| js_sys::Uint8Array::from(&k.as_bytes()[..]))
            .collect()
    }

    /// The configured origins, in order (normalized: no trailing `/`).
    #[wasm_bindgen(getter)]
    pub fn origins(&self) -> Vec<String> {
        self.inner
            .origins()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// The largest body accepted, bytes (a reader may stop one byte past it: the
    /// core then answers `too_large`).
    /// CORS: the `Access-Control-Expose-Headers` value of this server's answers and
    /// rejections (`Authorization` among them when it accepts v1).
    #[wasm_bindgen(getter, js_name = exposedHeaders)]
    pub fn exposed_headers(&self) -> String {
        self.inner.exposed_headers().to_string()
    }

    #[wasm_bindgen(getter, js_name = maxBody)]
    pub fn max_body(&self) -> f64 {
        self.inner.limits().2 as f64
    }

    /// Authenticate: method, the request-target as received, every `Authorization`
    /// value, `Content-Length` if any, the body. Throws the rejection to answer.
    pub fn authenticate(
        &self,
        method: &str,
        target: &str,
        authorization: Vec<String>,
        content_length: Option<f64>,
        body: &[u8],
    ) -> Result<V2Authenticated, JsValue> {
        let authorization: Vec<&str> = authorization.iter().map(String::as_str).collect();
        let content_length = content_length.map(|n| n.max(0.0) as u64);
        self.inner
            .authenticate(
                method,
                target.as_bytes(),
                &authorization,
                content_length,
                body,
            )
            .map(|inner| V2Authenticated { inner })
            .map_err(rejection)
    }

    /// Seal an answer to `request`: `{ status, headers, body }`. A v1 request is
    /// answered as v1 (its payload sealed, the content type unused).
    pub fn seal(
        &self,
        request: &V2Authenticated,
        status: u16,
        content_type: Option<String>,
        payload: JsValue,
    ) -> Result<JsValue, JsValue> {
        let payload = bytes_of(&payload, "payload")?;
        match &request.inner {
            Authenticated::V2(r) => Ok(sealed(
                self.inner
                    .seal(r, status, content_type.as_deref().unwrap_or(""), &payload)
                    .or_throw()?,
            )),
            Authenticated::V1(r) => Ok(sealed(self.inner.seal_v1(r, status, &payload).or_throw()?)),
        }
    }
}

/// The key id (8 bytes) of a server secret key's x-only key, for logs and configs.
#[wasm_bindgen(js_name = kidOfSecret)]
pub fn kid_of_secret(secret: JsValue) -> Result<JsValue, JsValue> {
    let key = secret_key(&secret)?;
    Ok(bytes(
        &crypto_sessions::v2::keys::XOnlyKey::from_public_key(&key.public_key()).kid(),
    ))
}

/// CORS (the spec's "Browsers"): what a preflight answer allows.
#[wasm_bindgen(js_name = v2AllowedHeaders)]
pub fn v2_allowed_headers() -> String {
    crypto_sessions::v2::ALLOWED_HEADERS.to_string()
}

/// CORS: what answers and rejections expose to the page.
#[wasm_bindgen(js_name = v2ExposedHeaders)]
pub fn v2_exposed_headers() -> String {
    crypto_sessions::v2::EXPOSED_HEADERS.to_string()
}
