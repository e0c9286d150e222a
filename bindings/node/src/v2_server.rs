//! `NativeV2Server`: the core's dual v1/v2 server (authenticate, seal) for Node.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use crypto_sessions::v2::clock::{Clock, ManualClock};
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::v2::replay;
use crypto_sessions::v2::server::{Authenticated, Rejection, Server, DEFAULT_REPLAY_CAPACITY};
use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Task};

use crate::error::OrThrow;
use crate::keys::secret_key;
use crate::task::guarded;

/// The configuration of a v2 server (the core's names).
#[napi(object)]
pub struct V2ServerOptions {
    /// Server secret keys (64 hex characters each); several for rotation, the
    /// first one also serves v1.
    pub keys: Vec<String>,
    /// Origins clients sign, `scheme://host[:port]`; the first one serves v1.
    pub origins: Vec<String>,
    /// Oldest accepted `created`, seconds before now (default 60).
    pub max_age: Option<f64>,
    /// Newest accepted `created`, seconds after now (default and minimum 5).
    pub max_skew: Option<f64>,
    /// Largest body, bytes (default 1 MiB).
    pub max_body: Option<f64>,
    /// Accept v1 requests too (default false).
    pub accept_v1: Option<bool>,
    /// The replay store: `memory` (default) or a `redis://` URL shared by processes.
    pub replay: Option<String>,
    /// Key prefix in Redis (default `cs2:replay:`).
    pub replay_prefix: Option<String>,
    /// Entries of the memory store (default 2**20).
    pub replay_capacity: Option<f64>,
    /// Tests only: the memory store's creation time (Unix seconds) for its
    /// restart rule (default: now).
    pub replay_created: Option<f64>,
    /// The admission hook of step 5a as data: x-only client keys (64 hex
    /// characters) answered `forbidden`. A set rather than a JS callback: the
    /// check runs on the libuv pool, where no JS can be called.
    pub denied_keys: Option<Vec<String>>,
    /// Tests only: a fixed clock (Unix seconds), moved with `setNow`.
    pub now: Option<f64>,
}

/// A whole number of seconds or bytes from JS.
fn whole(env: &Env, name: &str, value: f64) -> Result<u64> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0
    {
        Ok(value as u64)
    } else {
        Err(config_error(
            env,
            &format!("{name} is {value}; it must be a whole number"),
        ))
    }
}

/// A configuration error: `code` `malformed_input`, as the core's own.
pub(crate) fn config_error(env: &Env, detail: &str) -> napi::Error {
    let build = || -> Result<napi::Error> {
        let mut object = env.create_error(napi::Error::new(
            Status::GenericFailure,
            format!("malformed input: {detail}"),
        ))?;
        object.set("code", "malformed_input")?;
        Ok(napi::Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}

/// The JS error of a rejection: `code` (the v2 code, `rejected` for v1),
/// `status`, `wwwAuthenticate`, `staleAnswer` (the signed `Crypto-Session` of a
/// stale answer) and `headers` (every header to send, as `[name, value]` pairs).
fn rejection_error(env: &Env, rejection: &Rejection) -> napi::Error {
    let build = || -> Result<napi::Error> {
        let mut object = env.create_error(napi::Error::new(
            Status::GenericFailure,
            rejection.to_string(),
        ))?;
        object.set("name", "CryptoSessionRejection")?;
        object.set("code", rejection.code().map_or("rejected", |c| c.as_str()))?;
        object.set("status", u32::from(rejection.status()))?;
        object.set("wwwAuthenticate", rejection.www_authenticate())?;
        object.set("staleAnswer", rejection.stale_answer())?;
        object.set("headers", header_pairs(rejection.headers()))?;
        Ok(napi::Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}

fn header_pairs(headers: Vec<(&'static str, String)>) -> Vec<Vec<String>> {
    headers
        .into_iter()
        .map(|(name, value)| vec![name.to_string(), value])
        .collect()
}

/// A request that passed every check, of either version.
#[napi]
pub struct NativeV2Request {
    inner: Arc<Authenticated>,
}

#[napi]
impl NativeV2Request {
    /// 2 or 1.
    #[napi(getter)]
    pub fn version(&self) -> u32 {
        self.inner.version().into()
    }

    /// The client's key: x-only (32 bytes) for v2, compressed (33 bytes) for v1.
    #[napi(getter)]
    pub fn client_key(&self) -> Buffer {
        self.inner.client_key().to_vec().into()
    }

    /// The decrypted payload (empty when the request had no body).
    #[napi(getter)]
    pub fn payload(&self) -> Buffer {
        self.inner.payload().to_vec().into()
    }

    /// The payload's content type (`""` for none and for v1).
    #[napi(getter)]
    pub fn content_type(&self) -> String {
        self.inner.content_type().to_string()
    }
}

/// A sealed answer: status, headers (`[name, value]` pairs) and body.
#[napi(object)]
pub struct V2SealedAnswer {
    pub status: u32,
    pub headers: Vec<Vec<String>>,
    pub body: Buffer,
}

/// The dual v1/v2 server of the core.
#[napi]
pub struct NativeV2Server {
    inner: Arc<Server>,
    clock: Option<Arc<ManualClock>>,
    denied: DeniedKeys,
}

type DeniedKeys = Arc<RwLock<HashSet<[u8; 32]>>>;

fn denied_set(env: &Env, keys: Option<&[String]>) -> Result<HashSet<[u8; 32]>> {
    let mut set = HashSet::new();
    for key in keys.unwrap_or_default() {
        set.insert(*XOnlyKey::from_hex(key).or_throw(env)?.as_bytes());
    }
    Ok(set)
}

fn build_server(
    env: &Env,
    options: &V2ServerOptions,
) -> Result<(Server, Option<Arc<ManualClock>>, DeniedKeys)> {
    let mut builder = Server::builder();
    for key in &options.keys {
        builder = builder.secret_key(&secret_key(env, &Either::A(key.clone()))?);
    }
    for origin in &options.origins {
        builder = builder.origin(origin);
    }
    if let Some(v) = options.max_age {
        builder = builder.max_age(whole(env, "max_age", v)?);
    }
    if let Some(v) = options.max_skew {
        builder = builder.max_skew(whole(env, "max_skew", v)?);
    }
    if let Some(v) = options.max_body {
        builder = builder.max_body(whole(env, "max_body", v)?);
    }
    builder = builder.accept_v1(options.accept_v1.unwrap_or(false));
    let denied = Arc::new(RwLock::new(denied_set(
        env,
        options.denied_keys.as_deref(),
    )?));
    let admission = Arc::clone(&denied);
    builder = builder.admission(move |client| {
        // A poisoned lock (a panic elsewhere) fails closed.
        admission.read().is_ok_and(|set| !set.contains(client))
    });
    let spec = options.replay.as_deref().unwrap_or("memory");
    let capacity = match options.replay_capacity {
        Some(v) => usize::try_from(whole(env, "replay_capacity", v)?)
            .map_err(|_| config_error(env, "replay_capacity is too large"))?,
        None => DEFAULT_REPLAY_CAPACITY,
    };
    let store: Arc<dyn replay::ReplayStore> = match options.replay_created {
        Some(created) if spec.trim() == "memory" => {
            Arc::new(replay::MemoryStore::with_created(capacity, created))
        }
        Some(_) => return Err(config_error(env, "replay_created is for the memory store")),
        None => replay::open(spec, capacity, options.replay_prefix.as_deref())
            .map_err(|e| config_error(env, &format!("replay: {e}")))?,
    };
    builder = builder.replay_store(store);
    let clock = match options.now {
        Some(now) => {
            let clock = Arc::new(ManualClock::new(whole(env, "now", now)?));
            builder = builder.clock(Arc::clone(&clock) as Arc<dyn Clock>);
            Some(clock)
        }
        None => None,
    };
    Ok((builder.build().or_throw(env)?, clock, denied))
}

#[napi]
impl NativeV2Server {
    /// Check the configuration and build the server; a bad value throws.
    #[napi(constructor)]
    pub fn new(env: Env, options: V2ServerOptions) -> Result<Self> {
        let (server, clock, denied) = build_server(&env, &options)?;
        Ok(NativeV2Server {
            inner: Arc::new(server),
            clock,
            denied,
        })
    }

    /// The server's x-only public keys (64 hex characters each), in order.
    #[napi(getter)]
    pub fn public_keys(&self) -> Vec<String> {
        self.inner.public_keys().map(XOnlyKey::to_hex).collect()
    }

    /// The origins clients sign.
    #[napi(getter)]
    pub fn origins(&self) -> Vec<String> {
        self.inner
            .origins()
            .iter()
            .map(|o| o.as_str().to_string())
            .collect()
    }

    /// CORS: the `Access-Control-Expose-Headers` value of this server's answers and
    /// rejections (`Authorization`, where a v1 answer travels, when it accepts v1).
    #[napi(getter)]
    pub fn exposed_headers(&self) -> String {
        self.inner.exposed_headers().to_string()
    }

    /// The largest body accepted, bytes.
    #[napi(getter)]
    pub fn max_body(&self) -> f64 {
        self.inner.limits().2 as f64
    }

    /// Replace the denied client keys (x-only hex) of the admission hook; a bad
    /// key throws and leaves the set as it was.
    #[napi]
    pub fn set_denied_keys(&self, env: Env, keys: Vec<String>) -> Result<()> {
        let set = denied_set(&env, Some(&keys))?;
        match self.denied.write() {
            Ok(mut slot) => {
                *slot = set;
                Ok(())
            }
            Err(_) => Err(config_error(
                &env,
                "the denied keys are unusable after a panic",
            )),
        }
    }

    /// Tests only: set the fixed clock (throws unless built with `now`).
    #[napi]
    pub fn set_now(&self, env: Env, now: f64) -> Result<()> {
        match &self.clock {
            Some(clock) => {
                clock.set(whole(&env, "now", now)?);
                Ok(())
            }
            None => Err(config_error(&env, "this server runs on the system clock")),
        }
    }

    /// Step 1 on `Content-Length`, before the body is read: throws the
    /// rejection of a body over `maxBody`.
    #[napi]
    pub fn check_content_length(
        &self,
        env: Env,
        authorization: Vec<String>,
        content_length: Option<f64>,
    ) -> Result<()> {
        let values: Vec<&str> = authorization.iter().map(String::as_str).collect();
        self.inner
            .check_content_length(&values, content_length.map(|n| n as u64))
            .map_err(|r| rejection_error(&env, &r))
    }

    /// Authenticate a request on the calling thread. `target` is the
    /// request-target as on the request line, `authorization` every
    /// `Authorization` value. A failure throws the rejection to answer.
    #[napi(catch_unwind)]
    pub fn authenticate_sync(
        &self,
        env: Env,
        method: String,
        target: String,
        authorization: Vec<String>,
        content_length: Option<f64>,
        body: Option<Uint8ArraySlice>,
    ) -> Result<NativeV2Request> {
        let values: Vec<&str> = authorization.iter().map(String::as_str).collect();
        let body: &[u8] = body.as_deref().unwrap_or_default();
        self.inner
            .authenticate(
                &method,
                target.as_bytes(),
                &values,
                content_length.map(|n| n as u64),
                body,
            )
            .map(|ok| NativeV2Request {
                inner: Arc::new(ok),
            })
            .map_err(|r| rejection_error(&env, &r))
    }

    /// `authenticateSync` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<NativeV2Request>")]
    pub fn authenticate(
        &self,
        method: String,
        target: String,
        authorization: Vec<String>,
        content_length: Option<f64>,
        body: Option<Uint8ArraySlice>,
    ) -> AsyncTask<V2AuthenticateTask> {
        AsyncTask::new(V2AuthenticateTask {
            server: Arc::clone(&self.inner),
            method,
            target,
            authorization,
            content_length: content_length.map(|n| n as u64),
            body: body.map(|b| b.to_vec()).unwrap_or_default(),
        })
    }

    /// Seal an answer to `request`: v2 answers carry `Crypto-Session`,
    /// `Cache-Control: no-store` and the CORS expose header; v1 answers the
    /// `authorization` header, a base64url body and the CORS expose header (the
    /// content type given is not used).
    #[napi]
    pub fn seal(
        &self,
        env: Env,
        request: &NativeV2Request,
        status: u32,
        content_type: String,
        payload: Uint8ArraySlice,
    ) -> Result<V2SealedAnswer> {
        let status = u16::try_from(status)
            .map_err(|_| Error::new(Status::InvalidArg, format!("invalid HTTP status {status}")))?;
        let sealed = match request.inner.as_ref() {
            Authenticated::V2(req) => self.inner.seal(req, status, &content_type, &payload),
            Authenticated::V1(req) => self.inner.seal_v1(req, status, &payload),
        }
        .or_throw(&env)?;
        Ok(V2SealedAnswer {
            status: sealed.status.into(),
            headers: header_pairs(sealed.headers),
            body: sealed.body.into(),
        })
    }
}

pub struct V2AuthenticateTask {
    server: Arc<Server>,
    method: String,
    target: String,
    authorization: Vec<String>,
    content_length: Option<u64>,
    body: Vec<u8>,
}

impl Task for V2AuthenticateTask {
    type Output = std::result::Result<Authenticated, Rejection>;
    type JsValue = NativeV2Request;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| {
            let values: Vec<&str> = self.authorization.iter().map(String::as_str).collect();
            self.server.authenticate(
                &self.method,
                self.target.as_bytes(),
                &values,
                self.content_length,
                &self.body,
            )
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output
            .map(|ok| NativeV2Request {
                inner: Arc::new(ok),
            })
            .map_err(|r| rejection_error(&env, &r))
    }
}
