//! `NativeServer`: the core HTTP server side (authenticate a request, seal an answer).

use std::sync::Arc;

use crypto_sessions::http::{Authenticated, Limits, SealedAnswer as CoreSealed};
use crypto_sessions::Server;
use napi::bindgen_prelude::*;
use napi::{Env, Task};

use crate::error::{js_error, OrThrow};
use crate::input::bytes_of;
use crate::keys::secret_key;
use crate::payload::revives_as_json;
use crate::session::NativeSession;
use crate::task::guarded;

/// A request that passed authentication.
#[napi(object, object_from_js = false)]
pub struct AuthenticatedRequest {
    /// The session with the client (peer = the client's key).
    pub session: NativeSession,
    /// The token the client sent, as sent.
    pub token: String,
    /// `"GET"` or `"POST"`.
    pub method: String,
    /// For POST, the decrypted payload.
    pub payload: Option<Buffer>,
    /// For POST, whether the payload revives as JSON (`JSON.parse` of its text)
    /// rather than as its text.
    pub is_json: Option<bool>,
}

fn authenticated(ok: Authenticated, is_json: Option<bool>) -> AuthenticatedRequest {
    AuthenticatedRequest {
        token: ok.token.encode(),
        method: ok.method.as_str().to_string(),
        is_json,
        payload: ok.payload.map(Buffer::from),
        session: NativeSession { inner: ok.session },
    }
}

/// A sealed answer: status, the `authorization` header and the body text.
#[napi(object)]
pub struct SealedAnswer {
    pub status: u32,
    pub authorization: String,
    pub body: String,
}

impl From<CoreSealed> for SealedAnswer {
    fn from(sealed: CoreSealed) -> Self {
        SealedAnswer {
            status: sealed.status.into(),
            authorization: sealed.authorization,
            body: sealed.body,
        }
    }
}

/// A JS status as the core's `u16`; the core checks it is an HTTP status.
fn status_code(status: u32) -> Result<u16> {
    u16::try_from(status)
        .map_err(|_| Error::new(Status::InvalidArg, format!("invalid HTTP status {status}")))
}

/// A server: its secret key, the origin clients sign (`host`), and its limits.
#[napi]
pub struct NativeServer {
    inner: Arc<Server>,
}

#[napi]
impl NativeServer {
    /// `secretKey` as 64 hex characters or 32 bytes; `host` such as
    /// `http://localhost:3001`; `maxBody` in bytes (default 1 MiB): a whole number
    /// from 1 to 2**30, anything else (2**32, Infinity, -1, 1.5) throws.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        secret_key: Either<String, Uint8ArraySlice>,
        host: String,
        max_body: Option<f64>,
    ) -> Result<Self> {
        let secret = self::secret_key(&env, &secret_key)?;
        let mut limits = Limits::default();
        if let Some(max_body) = max_body {
            limits = limits.with_max_body(Limits::max_body_from_f64(max_body).or_throw(&env)?);
        }
        let server = Server::with_limits(&secret, &host, limits).or_throw(&env)?;
        Ok(NativeServer {
            inner: Arc::new(server),
        })
    }

    /// The server's compressed public key (33 bytes): what clients need.
    #[napi(getter)]
    pub fn pubkey(&self) -> Buffer {
        self.inner.public_key().to_bytes().to_vec().into()
    }

    /// The origin clients sign.
    #[napi(getter)]
    pub fn host(&self) -> String {
        self.inner.host().to_string()
    }

    /// The largest request body accepted, in bytes.
    #[napi(getter)]
    pub fn max_body(&self) -> f64 {
        // At most 2**30 (the core's ceiling): exact in a double.
        self.inner.limits().max_body as f64
    }

    /// The body rule on a request's headers, before its body is read: throws for
    /// a GET with a body (`content-length` other than 0, or any
    /// `transfer-encoding`) and for a `content-length` that is not a number or is
    /// over `maxBody`.
    #[napi]
    pub fn check_headers(
        &self,
        env: Env,
        method: String,
        content_length: Option<String>,
        has_transfer_encoding: bool,
    ) -> Result<()> {
        self.inner
            .check_headers(&method, content_length.as_deref(), has_transfer_encoding)
            .or_throw(&env)
    }

    /// Authenticate a request on the calling thread. `target` is the
    /// request-target exactly as received. Any failure throws; answer it with
    /// the same 401 and an empty body whatever its code.
    #[napi(catch_unwind)]
    pub fn authenticate_sync(
        &self,
        env: Env,
        method: String,
        target: String,
        authorization: Option<String>,
        body: Option<Uint8ArraySlice>,
    ) -> Result<AuthenticatedRequest> {
        let body: &[u8] = body.as_deref().unwrap_or_default();
        let ok = self
            .inner
            .authenticate(&method, target.as_bytes(), authorization.as_deref(), body)
            .or_throw(&env)?;
        let is_json = ok.payload.as_deref().map(revives_as_json);
        Ok(authenticated(ok, is_json))
    }

    /// `authenticateSync` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<AuthenticatedRequest>")]
    pub fn authenticate(
        &self,
        method: String,
        target: String,
        authorization: Option<String>,
        body: Option<Uint8ArraySlice>,
    ) -> AsyncTask<AuthenticateTask> {
        AsyncTask::new(AuthenticateTask {
            server: Arc::clone(&self.inner),
            method,
            target,
            authorization,
            body: body.map(|b| b.to_vec()).unwrap_or_default(),
        })
    }

    /// Seal an answer to the client of `session`, on the calling thread.
    #[napi]
    pub fn seal_sync(
        &self,
        env: Env,
        session: &NativeSession,
        status: u32,
        payload: Either<String, Uint8ArraySlice>,
    ) -> Result<SealedAnswer> {
        let status = status_code(status)?;
        Ok(self
            .inner
            .seal(&session.inner, status, bytes_of(&payload))
            .or_throw(&env)?
            .into())
    }

    /// `sealSync` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<SealedAnswer>")]
    pub fn seal(
        &self,
        session: &NativeSession,
        status: u32,
        payload: Either<String, Uint8ArraySlice>,
    ) -> Result<AsyncTask<SealTask>> {
        Ok(AsyncTask::new(SealTask {
            server: Arc::clone(&self.inner),
            session: session.inner.clone(),
            status: status_code(status)?,
            payload: bytes_of(&payload).to_vec(),
        }))
    }
}

pub struct AuthenticateTask {
    server: Arc<Server>,
    method: String,
    target: String,
    authorization: Option<String>,
    body: Vec<u8>,
}

impl Task for AuthenticateTask {
    type Output = crypto_sessions::Result<(Authenticated, Option<bool>)>;
    type JsValue = AuthenticatedRequest;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| {
            self.server
                .authenticate(
                    &self.method,
                    self.target.as_bytes(),
                    self.authorization.as_deref(),
                    &self.body,
                )
                .map(|ok| {
                    let is_json = ok.payload.as_deref().map(revives_as_json);
                    (ok, is_json)
                })
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let (ok, is_json) = output.map_err(|e| js_error(&env, &e))?;
        Ok(authenticated(ok, is_json))
    }
}

pub struct SealTask {
    server: Arc<Server>,
    session: crypto_sessions::Session,
    status: u16,
    payload: Vec<u8>,
}

impl Task for SealTask {
    type Output = crypto_sessions::Result<CoreSealed>;
    type JsValue = SealedAnswer;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| self.server.seal(&self.session, self.status, &self.payload))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output.map_err(|e| js_error(&env, &e))?.into())
    }
}
