//! `NativeV2Client`: the core's v2 client (prepare a request, open its answer).

use std::sync::{Arc, Mutex};

use crypto_sessions::v2::client::{Client, ClientError, PreparedRequest, Response};
use crypto_sessions::v2::clock::{Clock, ManualClock};
use crypto_sessions::v2::keys::XOnlyKey;
use napi::bindgen_prelude::*;
use napi::{Env, JsValue};

use crate::error::OrThrow;
use crate::input::{bytes_of, TextOrBytes};
use crate::keys::{public_key, secret_key};
use crate::v2_server::config_error;

/// An x-only key (32 bytes or 64 hex characters) or a SEC1 public key, as x-only.
pub(crate) fn xonly_key(env: &Env, key: &TextOrBytes<'_>) -> Result<XOnlyKey> {
    match key {
        Either::A(text) if text.len() == 64 => XOnlyKey::from_hex(text).or_throw(env),
        Either::B(bytes) if bytes.len() == 32 => XOnlyKey::from_bytes(bytes).or_throw(env),
        _ => Ok(XOnlyKey::from_public_key(&public_key(env, key)?)),
    }
}

/// A prepared request: send `method` to `url` with `headers` and `body`.
#[napi]
pub struct NativeV2Prepared {
    inner: PreparedRequest,
    /// The one retry a signed stale answer prepared (`takeRetry`).
    retry: Mutex<Option<PreparedRequest>>,
}

impl NativeV2Prepared {
    fn new(inner: PreparedRequest) -> Self {
        NativeV2Prepared {
            inner,
            retry: Mutex::new(None),
        }
    }
}

#[napi]
impl NativeV2Prepared {
    /// The method.
    #[napi(getter)]
    pub fn method(&self) -> String {
        self.inner.method().to_string()
    }

    /// The URL to send to: origin and percent-encoded target, as signed.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url().to_string()
    }

    /// Headers to send, `[name, value]` pairs (`Authorization`, and for a body
    /// `Content-Type` and `Cache-Control`).
    #[napi(getter)]
    pub fn headers(&self) -> Vec<Vec<String>> {
        self.inner
            .headers()
            .iter()
            .map(|(n, v)| vec![n.to_string(), v.to_string()])
            .collect()
    }

    /// The sealed body (empty for no body).
    #[napi(getter)]
    pub fn body(&self) -> Buffer {
        self.inner.body().to_vec().into()
    }

    /// Whether this is the one retry after a stale answer.
    #[napi(getter)]
    pub fn is_retry(&self) -> bool {
        self.inner.is_retry()
    }

    /// After `open` threw `stale` with `retry: true`: the retry, once; else null.
    #[napi]
    pub fn take_retry(&self) -> Option<NativeV2Prepared> {
        let retry = self.retry.lock().ok()?.take()?;
        Some(NativeV2Prepared::new(retry))
    }
}

/// A verified answer.
#[napi(object)]
pub struct V2Answer {
    pub status: u32,
    pub content_type: String,
    pub payload: Buffer,
}

/// A client of one server key; keeps the clock offset learnt from that server.
#[napi]
pub struct NativeV2Client {
    inner: Client,
    clock: Option<Arc<ManualClock>>,
}

#[napi]
impl NativeV2Client {
    /// `secretKey`: 64 hex characters or 32 bytes; `serverKey`: x-only (64 hex,
    /// 32 bytes) or SEC1; `now`: tests only, a fixed clock (Unix seconds).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        secret_key: Either<String, Uint8ArraySlice>,
        server_key: Either<String, Uint8ArraySlice>,
        now: Option<f64>,
    ) -> Result<Self> {
        let secret = self::secret_key(&env, &secret_key)?;
        let server = xonly_key(&env, &server_key)?;
        let mut inner = Client::new(&secret, &server);
        let clock = match now {
            Some(now) if now.is_finite() && now >= 0.0 => {
                let clock = Arc::new(ManualClock::new(now as u64));
                inner = inner.with_clock(Arc::clone(&clock) as Arc<dyn Clock>);
                Some(clock)
            }
            Some(_) => return Err(config_error(&env, "now must be a whole number of seconds")),
            None => None,
        };
        Ok(NativeV2Client { inner, clock })
    }

    /// Our x-only key, hex.
    #[napi(getter)]
    pub fn public_key(&self) -> String {
        self.inner.public_key().to_hex()
    }

    /// The server's x-only key, hex.
    #[napi(getter)]
    pub fn server_key(&self) -> String {
        self.inner.server_key().to_hex()
    }

    /// Seconds added to the local clock (from the last signed stale answer).
    #[napi(getter)]
    pub fn clock_offset(&self) -> f64 {
        self.inner.clock_offset() as f64
    }

    /// Tests only: set the fixed clock (throws unless built with `now`).
    #[napi]
    pub fn set_now(&self, env: Env, now: f64) -> Result<()> {
        match &self.clock {
            Some(clock) if now.is_finite() && now >= 0.0 => {
                clock.set(now as u64);
                Ok(())
            }
            _ => Err(config_error(&env, "this client runs on the system clock")),
        }
    }

    /// Prepare a request to an absolute `url`. An empty payload with an empty
    /// content type is sent as no body; anything else is sealed.
    #[napi]
    pub fn prepare(
        &self,
        env: Env,
        method: String,
        url: String,
        content_type: String,
        payload: Either<String, Uint8ArraySlice>,
    ) -> Result<NativeV2Prepared> {
        let prepared = self
            .inner
            .prepare(&method, &url, &content_type, bytes_of(&payload))
            .or_throw(&env)?;
        Ok(NativeV2Prepared::new(prepared))
    }

    /// Check the response to `request`. Throws an error with `code`:
    /// `invalid_answer` (never data), the server's rejection code (unsigned: the
    /// outcome is unknown), `rejected` (no code), or `stale` (signed: not
    /// executed; `retry` says whether `request.takeRetry()` holds the one retry).
    #[napi]
    pub fn open(
        &self,
        env: Env,
        request: &NativeV2Prepared,
        status: u32,
        crypto_session: Option<String>,
        www_authenticate: Option<String>,
        body: Uint8ArraySlice,
    ) -> Result<V2Answer> {
        let status = u16::try_from(status)
            .map_err(|_| Error::new(Status::InvalidArg, format!("invalid HTTP status {status}")))?;
        let response = Response {
            status,
            crypto_session: crypto_session.as_deref(),
            www_authenticate: www_authenticate.as_deref(),
            body: &body,
        };
        match self.inner.open(&request.inner, response) {
            Ok(answer) => Ok(V2Answer {
                status: answer.status.into(),
                content_type: answer.content_type,
                payload: answer.payload.into(),
            }),
            Err(err) => Err(client_error(&env, request, err)),
        }
    }
}

fn client_error(env: &Env, request: &NativeV2Prepared, err: ClientError) -> napi::Error {
    let build = || -> Result<napi::Error> {
        let mut object =
            env.create_error(napi::Error::new(Status::GenericFailure, err.to_string()))?;
        object.set("code", err.code())?;
        match err {
            ClientError::Rejected { status, .. } => object.set("status", u32::from(status))?,
            ClientError::Stale {
                server_time,
                offset_applied,
                retry,
            } => {
                object.set("serverTime", server_time as f64)?;
                object.set("offsetApplied", offset_applied)?;
                object.set("retry", retry.is_some())?;
                if let (Some(retry), Ok(mut slot)) = (retry, request.retry.lock()) {
                    *slot = Some(*retry);
                }
            }
            ClientError::InvalidAnswer(_) => {}
        }
        Ok(napi::Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}
