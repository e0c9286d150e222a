//! `NativeClient`: the core HTTP client side (prepare a request, open the answer).

use std::collections::HashMap;

use crypto_sessions::http::PreparedRequest as CorePrepared;
use crypto_sessions::Client;
use napi::bindgen_prelude::*;
use napi::{Env, Task};

use crate::error::{js_error, OrThrow};
use crate::input::bytes_of;
use crate::keys::{public_key, secret_key};
use crate::payload::revives_as_json;
use crate::session::NativeSession;
use crate::task::guarded;

/// A request ready to send.
#[napi(object)]
pub struct PreparedRequest {
    /// `"GET"` or `"POST"`.
    pub method: String,
    /// `hostname + path`: for a GET, exactly the string that was signed.
    pub url: String,
    /// `authorization`, and `content-type` for a POST.
    pub headers: HashMap<String, String>,
    /// For a POST, the JSON text `{"data":"..."}`.
    pub body: Option<String>,
}

/// An opened answer: the plaintext and how it revives.
#[napi(object)]
pub struct OpenedAnswer {
    pub plaintext: Buffer,
    /// Whether the plaintext revives as JSON (`JSON.parse` of its text) rather
    /// than as its text.
    pub is_json: bool,
}

/// A client of one server.
#[napi]
pub struct NativeClient {
    inner: Client,
}

#[napi]
impl NativeClient {
    /// The server's public key, our secret key, and the hostname put in front of
    /// every path (may be empty when paths are full URLs).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        server_key: Either<String, Uint8ArraySlice>,
        secret_key: Either<String, Uint8ArraySlice>,
        hostname: Option<String>,
    ) -> Result<Self> {
        let server = public_key(&env, &server_key)?;
        let secret = self::secret_key(&env, &secret_key)?;
        Ok(NativeClient {
            inner: Client::new(&server, &secret, hostname.as_deref()),
        })
    }

    /// The session with the server.
    #[napi(getter)]
    pub fn session(&self) -> NativeSession {
        NativeSession {
            inner: self.inner.session().clone(),
        }
    }

    /// The hostname put in front of paths.
    #[napi(getter)]
    pub fn hostname(&self) -> String {
        self.inner.hostname().to_string()
    }

    /// Sign (and for POST encrypt) a request. `body` is the serialized payload;
    /// a POST without one signs the URL. Methods other than GET and POST throw
    /// `unsupported_method`.
    #[napi(catch_unwind)]
    pub fn prepare_sync(
        &self,
        env: Env,
        method: String,
        path: String,
        body: Option<Either<String, Uint8ArraySlice>>,
    ) -> Result<PreparedRequest> {
        let prepared = self
            .inner
            .prepare(&method, &path, body.as_ref().map(bytes_of))
            .or_throw(&env)?;
        Ok(prepared_request(prepared))
    }

    /// `prepareSync` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<PreparedRequest>")]
    pub fn prepare(
        &self,
        method: String,
        path: String,
        body: Option<Either<String, Uint8ArraySlice>>,
    ) -> AsyncTask<PrepareTask> {
        AsyncTask::new(PrepareTask {
            client: self.inner.clone(),
            method,
            path,
            body: body.as_ref().map(|b| bytes_of(b).to_vec()),
        })
    }

    /// Open an answer: status, the `authorization` header and the body text.
    /// A non-2xx status throws `http_status`; a bad or foreign signature throws.
    #[napi(catch_unwind)]
    pub fn open_sync(
        &self,
        env: Env,
        status: u32,
        authorization: Option<String>,
        body: String,
    ) -> Result<OpenedAnswer> {
        let plaintext = self
            .inner
            .open(status_code(status), authorization.as_deref(), &body)
            .or_throw(&env)?;
        Ok(OpenedAnswer {
            is_json: revives_as_json(&plaintext),
            plaintext: plaintext.into(),
        })
    }

    /// `openSync` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<OpenedAnswer>")]
    pub fn open(
        &self,
        status: u32,
        authorization: Option<String>,
        body: String,
    ) -> AsyncTask<OpenTask> {
        AsyncTask::new(OpenTask {
            client: self.inner.clone(),
            status: status_code(status),
            authorization,
            body,
        })
    }
}

// A status that does not fit in u16 is not 2xx either.
fn status_code(status: u32) -> u16 {
    u16::try_from(status).unwrap_or(u16::MAX)
}

fn prepared_request(prepared: CorePrepared) -> PreparedRequest {
    PreparedRequest {
        method: prepared.method.as_str().to_string(),
        url: prepared.url,
        headers: prepared
            .headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        body: prepared.body,
    }
}

pub struct PrepareTask {
    client: Client,
    method: String,
    path: String,
    body: Option<Vec<u8>>,
}

impl Task for PrepareTask {
    type Output = crypto_sessions::Result<CorePrepared>;
    type JsValue = PreparedRequest;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| {
            self.client
                .prepare(&self.method, &self.path, self.body.as_deref())
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map(prepared_request).map_err(|e| js_error(&env, &e))
    }
}

pub struct OpenTask {
    client: Client,
    status: u16,
    authorization: Option<String>,
    body: String,
}

impl Task for OpenTask {
    type Output = crypto_sessions::Result<(Vec<u8>, bool)>;
    type JsValue = OpenedAnswer;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| {
            self.client
                .open(self.status, self.authorization.as_deref(), &self.body)
                .map(|plaintext| {
                    let is_json = revives_as_json(&plaintext);
                    (plaintext, is_json)
                })
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let (plaintext, is_json) = output.map_err(|e| js_error(&env, &e))?;
        Ok(OpenedAnswer {
            plaintext: plaintext.into(),
            is_json,
        })
    }
}
