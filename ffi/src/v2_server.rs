//! `cs_v2_server_config`, `cs_v2_server`: protocol v2 on the server (and v1 with
//! `accept_v1`): configure, authenticate, seal answers.

use std::ffi::CString;
use std::os::raw::c_char;
use std::sync::{Arc, Mutex, OnceLock};

use crypto_sessions::http::ANSWER_CONTENT_TYPE;
use crypto_sessions::keys::SecretKey;
use crypto_sessions::v2::clock::ManualClock;
use crypto_sessions::v2::replay::{self, MemoryStore, ReplayStore};
use crypto_sessions::v2::server::{Authenticated, Rejection, Server, DEFAULT_REPLAY_CAPACITY};
use crypto_sessions::v2::{CONTENT_TYPE, CRYPTO_SESSION};

use crate::boundary::{bytes_arg, distinct_outputs, guard, guard_void, out_arg, region, str_arg};
use crate::bytes::cs_bytes;
use crate::handle::{cs_v2_authenticated, cs_v2_server, cs_v2_server_config, Handle};
use crate::keys::secret_arg;
use crate::result::{cs_result, Failure};
use crate::server::static_cstr;

/// One text argument in an array: `data` (UTF-8, no NUL needed) and its length.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cs_str {
    /// The bytes; may be NULL when `len` is 0.
    pub data: *const c_char,
    /// How many bytes.
    pub len: usize,
}

/// The admission hook: return `true` to admit the client whose 32-byte x-only key
/// is `client`. It may be called from several threads at once, with the `context`
/// given to `cs_v2_server_config_set_admission`.
pub type cs_v2_admission =
    Option<extern "C" fn(context: *mut std::ffi::c_void, client: *const u8) -> bool>;

/// A C function pointer and its context, shared with the core's server threads.
#[derive(Clone, Copy)]
struct AdmissionHook {
    admit: extern "C" fn(*mut std::ffi::c_void, *const u8) -> bool,
    context: *mut std::ffi::c_void,
}

impl AdmissionHook {
    fn call(&self, client: &[u8; 32]) -> bool {
        (self.admit)(self.context, client.as_ptr())
    }
}

// SAFETY: the header requires the hook to be callable from any thread with its
// context; the library only passes the pointer back.
unsafe impl Send for AdmissionHook {}
unsafe impl Sync for AdmissionHook {}

/// What `cs_v2_server_config_*` collected. Checked as a whole by `cs_v2_server_new`.
#[derive(Default)]
pub struct Config {
    secrets: Vec<SecretKey>,
    origins: Vec<String>,
    max_age: Option<u64>,
    max_skew: Option<u64>,
    max_body: Option<u64>,
    accept_v1: Option<bool>,
    replay: Option<String>,
    replay_capacity: Option<usize>,
    admission: Option<AdmissionHook>,
    /// Tests only: a fixed clock at `now`, and the memory store's creation time.
    test_clock: Option<(u64, f64)>,
}

/// A server and, in tests, the clock it runs on.
pub struct V2Server {
    server: Server,
    test_clock: Option<Arc<ManualClock>>,
}

fn build(config: &Config) -> Result<V2Server, Failure> {
    let mut b = Server::builder().accept_v1(config.accept_v1.unwrap_or(false));
    for s in &config.secrets {
        b = b.secret_key(s);
    }
    for o in &config.origins {
        b = b.origin(o);
    }
    if let Some(v) = config.max_age {
        b = b.max_age(v);
    }
    if let Some(v) = config.max_skew {
        b = b.max_skew(v);
    }
    if let Some(v) = config.max_body {
        b = b.max_body(v);
    }
    if let Some(hook) = config.admission {
        b = b.admission(move |client| hook.call(client));
    }
    let capacity = config.replay_capacity.unwrap_or(DEFAULT_REPLAY_CAPACITY);
    if capacity == 0 {
        return Err(Failure::new(
            cs_result::MalformedInput,
            "server configuration: replay_capacity is 0",
        ));
    }
    let spec = config.replay.as_deref().unwrap_or("memory");
    let test_clock = config
        .test_clock
        .map(|(now, _)| Arc::new(ManualClock::new(now)));
    let store: Arc<dyn ReplayStore> = match config.test_clock {
        Some((_, created)) if spec.trim() == "memory" => {
            Arc::new(MemoryStore::with_created(capacity, created))
        }
        _ => replay::open(spec, capacity, None)
            .map_err(|e| Failure::new(cs_result::V2Busy, format!("server configuration: {e}")))?,
    };
    b = b.replay_store(store);
    if let Some(clock) = &test_clock {
        b = b.clock(clock.clone());
    }
    Ok(V2Server {
        server: b.build()?,
        test_clock,
    })
}

fn with_config(
    config: *const cs_v2_server_config,
    change: impl FnOnce(&mut Config) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let config = cs_v2_server_config::borrow(config)?;
    let mut config = config
        .lock()
        .map_err(|_| Failure::new(cs_result::Panic, "the config's lock is poisoned"))?;
    change(&mut config)
}

/// CORS (the spec's Browsers section): the value of
/// `Access-Control-Expose-Headers` on every answer and rejection of a v2-only server,
/// so browser code can read `Crypto-Session` and `WWW-Authenticate` (a server's own
/// value, `Authorization` included when it accepts v1: `cs_v2_server_exposed_headers`).
/// A static NUL-terminated string.
#[no_mangle]
pub extern "C" fn cs_v2_exposed_headers() -> *const c_char {
    static VALUE: OnceLock<CString> = OnceLock::new();
    static_cstr(&VALUE, crypto_sessions::v2::EXPOSED_HEADERS)
}

/// CORS: the value of `Access-Control-Allow-Headers` for a preflight (it names
/// `Authorization`, and `Cache-Control`, which a sealed body travels with). A static
/// NUL-terminated string.
#[no_mangle]
pub extern "C" fn cs_v2_allowed_headers() -> *const c_char {
    static VALUE: OnceLock<CString> = OnceLock::new();
    static_cstr(&VALUE, crypto_sessions::v2::ALLOWED_HEADERS)
}

/// The method-override headers (`X-HTTP-Method-Override, ...`, comma-separated) an
/// integration removes from an authenticated request, so that the application sees
/// the signed method only. A static NUL-terminated string.
#[no_mangle]
pub extern "C" fn cs_v2_method_override_headers() -> *const c_char {
    static VALUE: OnceLock<CString> = OnceLock::new();
    static_cstr(&VALUE, crypto_sessions::v2::METHOD_OVERRIDE_HEADERS)
}

/// Make an empty v2 server configuration in `*out_config`; free it with
/// `cs_v2_server_config_free`. Add at least one key and one origin, then build servers
/// from it with `cs_v2_server_new` (the configuration can be reused and changed).
/// Defaults: `max_age` 60 s, `max_skew` 5 s, `max_body` 1 MiB, v1 refused, an
/// in-memory replay store of 2^20 entries.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_new(out_config: *mut *mut cs_v2_server_config) -> cs_result {
    guard(|| {
        let out = out_arg(out_config, "out_config")?;
        *out = cs_v2_server_config::into_raw(Mutex::new(Config::default()));
        Ok(())
    })
}

/// Free a configuration. NULL is a no-op; it may be freed while servers built from
/// it live on. The keys it held are wiped.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_free(config: *mut cs_v2_server_config) {
    guard_void(|| cs_v2_server_config::free(config));
}

/// Add a server key (32 raw bytes or 64 hex characters). Several keys serve key
/// rotation: a request names its key by kid. The first key also serves v1.
///
/// Errors: `CS_RESULT_INVALID_KEY`.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_add_key(
    config: *mut cs_v2_server_config,
    secret: *const u8,
    secret_len: usize,
) -> cs_result {
    guard(|| {
        let secret = secret_arg(secret, secret_len, "secret")?;
        with_config(config, |c| {
            c.secrets.push(secret);
            Ok(())
        })
    })
}

/// Add an origin clients sign, `scheme://host[:port]` (e.g. `https://api.example.com`).
/// The first one also serves v1. Checked by `cs_v2_server_new`.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_add_origin(
    config: *mut cs_v2_server_config,
    origin: *const c_char,
    origin_len: usize,
) -> cs_result {
    guard(|| {
        // SAFETY: the caller's contract for (origin, origin_len).
        let origin = unsafe { str_arg(origin, origin_len, "origin") }?.to_string();
        with_config(config, |c| {
            c.origins.push(origin);
            Ok(())
        })
    })
}

/// The oldest accepted request: created at `now - max_age` (seconds, 1 to one week).
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_max_age(
    config: *mut cs_v2_server_config,
    seconds: u64,
) -> cs_result {
    guard(|| {
        with_config(config, |c| {
            c.max_age = Some(seconds);
            Ok(())
        })
    })
}

/// The newest accepted request: created at `now + max_skew` (seconds, 5 to one week).
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_max_skew(
    config: *mut cs_v2_server_config,
    seconds: u64,
) -> cs_result {
    guard(|| {
        with_config(config, |c| {
            c.max_skew = Some(seconds);
            Ok(())
        })
    })
}

/// The largest request body, in bytes (at least 1).
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_max_body(
    config: *mut cs_v2_server_config,
    bytes: u64,
) -> cs_result {
    guard(|| {
        with_config(config, |c| {
            c.max_body = Some(bytes);
            Ok(())
        })
    })
}

/// Accept v1 requests too (off by default: v1 has no freshness and no replay
/// protection). A request is v1 when its one `Authorization` value does not start
/// with `CryptoSession`.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_accept_v1(
    config: *mut cs_v2_server_config,
    accept: bool,
) -> cs_result {
    guard(|| {
        with_config(config, |c| {
            c.accept_v1 = Some(accept);
            Ok(())
        })
    })
}

/// The replay store: `memory` (the default: one process) or a Redis URL
/// (`redis://`, `rediss://`, `unix://`) shared by the servers of one application.
/// `cs_v2_server_new` opens it.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_replay(
    config: *mut cs_v2_server_config,
    replay: *const c_char,
    replay_len: usize,
) -> cs_result {
    guard(|| {
        // SAFETY: the caller's contract for (replay, replay_len).
        let replay = unsafe { str_arg(replay, replay_len, "replay") }?.to_string();
        with_config(config, |c| {
            c.replay = Some(replay);
            Ok(())
        })
    })
}

/// How many requests the in-memory replay store holds (default 2^20; at least 1).
/// When it is full, requests are rejected `busy`.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_replay_capacity(
    config: *mut cs_v2_server_config,
    entries: usize,
) -> cs_result {
    guard(|| {
        with_config(config, |c| {
            c.replay_capacity = Some(entries);
            Ok(())
        })
    })
}

/// The admission hook (step 5a): `admit(context, client)` is called with the
/// client's 32-byte x-only key after its signature verified; `false` rejects the
/// request `forbidden` before anything is recorded. It must be safe to call from any
/// thread, and `context` must stay valid while servers built with it live. NULL
/// `admit` removes the hook.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_admission(
    config: *mut cs_v2_server_config,
    admit: cs_v2_admission,
    context: *mut std::ffi::c_void,
) -> cs_result {
    guard(|| {
        with_config(config, |c| {
            c.admission = admit.map(|admit| AdmissionHook { admit, context });
            Ok(())
        })
    })
}

/// Fill every setting not yet given to `config` from the process environment, read
/// by the core as in every binding: the keys (`CRYPTO_SESSION_KEY`, several
/// comma-separated for rotation) when none was added; the origins when none was
/// added (`CRYPTO_SESSION_HOST` first, then `CRYPTO_SESSION_ORIGINS`,
/// comma-separated); `CRYPTO_SESSION_MAX_AGE`, `CRYPTO_SESSION_MAX_SKEW`,
/// `CRYPTO_SESSION_MAX_BODY`, `CRYPTO_SESSION_ACCEPT_V1` (`1`/`true`, `0`/`false`) and
/// `CRYPTO_SESSION_REPLAY` (`memory` or a Redis URL) when not set. An absent or blank
/// variable leaves the setting as it is. Nothing is changed on failure.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` for a bad value (the message names the
/// variable, never a key); `CS_RESULT_INVALID_KEY` for a bad key in
/// `CRYPTO_SESSION_KEY`.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_apply_env(config: *mut cs_v2_server_config) -> cs_result {
    guard(|| {
        use crypto_sessions::v2::env::{origins_with_host, Settings, ENV_SECRET_KEY};
        let settings = Settings::from_env()?;
        let keys = settings
            .keys
            .iter()
            .map(|k| {
                crate::keys::secret_arg(k.as_ptr(), k.len(), ENV_SECRET_KEY).map_err(|e| {
                    Failure::new(e.code, format!("{ENV_SECRET_KEY}: not a valid secret key"))
                })
            })
            .collect::<Result<Vec<SecretKey>, Failure>>()?;
        with_config(config, |c| {
            if c.secrets.is_empty() {
                c.secrets = keys;
            }
            if c.origins.is_empty() {
                c.origins = origins_with_host(settings.host.as_deref(), &settings.origins);
            }
            c.max_age = c.max_age.or(settings.max_age);
            c.max_skew = c.max_skew.or(settings.max_skew);
            c.max_body = c.max_body.or(settings.max_body);
            c.accept_v1 = c.accept_v1.or(settings.accept_v1);
            if c.replay.is_none() {
                c.replay = settings.replay.clone();
            }
            Ok(())
        })
    })
}

/// FOR TESTS ONLY: servers built from this configuration run on a fixed clock at
/// `now` (Unix seconds; move it with `cs_v2_server_set_test_now`) instead of the
/// system clock, and a memory replay store counts as created at `store_created`
/// (Unix seconds; its restart guard rejects requests dated before it plus
/// `max_skew`). This replays recorded vectors; a real server must never use it.
#[no_mangle]
pub extern "C" fn cs_v2_server_config_set_test_clock(
    config: *mut cs_v2_server_config,
    now: u64,
    store_created: f64,
) -> cs_result {
    guard(|| {
        if !store_created.is_finite() || store_created < 0.0 {
            return Err(Failure::new(
                cs_result::InvalidArgument,
                "store_created must be a finite, non-negative number of seconds",
            ));
        }
        with_config(config, |c| {
            c.test_clock = Some((now, store_created));
            Ok(())
        })
    })
}

/// Build a server from `config` into `*out_server`; free it with
/// `cs_v2_server_free`. The configuration is not consumed.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` for a configuration the core refuses (no key,
/// no origin, an origin that is not `scheme://host[:port]`, a limit out of range, two
/// keys with one kid); `CS_RESULT_V2_BUSY` when the replay store cannot be opened
/// (not `memory` nor a Redis URL, or Redis unreachable or misconfigured).
#[no_mangle]
pub extern "C" fn cs_v2_server_new(
    config: *const cs_v2_server_config,
    out_server: *mut *mut cs_v2_server,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_server, "out_server")?;
        let mut built = None;
        with_config(config, |c| {
            built = Some(build(c)?);
            Ok(())
        })?;
        let built = built.ok_or_else(|| Failure::new(cs_result::Panic, "nothing built"))?;
        *out = cs_v2_server::into_raw(built);
        Ok(())
    })
}

/// Free a server. NULL is a no-op. No other thread may be using it.
#[no_mangle]
pub extern "C" fn cs_v2_server_free(server: *mut cs_v2_server) {
    guard_void(|| cs_v2_server::free(server));
}

/// FOR TESTS ONLY: set the fixed clock of a server built with
/// `cs_v2_server_config_set_test_clock`.
///
/// Errors: `CS_RESULT_INVALID_ARGUMENT` for a server on the system clock.
#[no_mangle]
pub extern "C" fn cs_v2_server_set_test_now(server: *const cs_v2_server, now: u64) -> cs_result {
    guard(|| {
        let server = cs_v2_server::borrow(server)?;
        let clock = server.test_clock.as_ref().ok_or_else(|| {
            Failure::new(
                cs_result::InvalidArgument,
                "this server runs on the system clock (no test clock was configured)",
            )
        })?;
        clock.set(now);
        Ok(())
    })
}

/// CORS: this server's `Access-Control-Expose-Headers` value, to `*out_exposed`: the
/// one of `cs_v2_exposed_headers`, with `Authorization` after it when the server
/// accepts v1 (a v1 answer travels in `Authorization`). A static NUL-terminated
/// string: do not free it.
#[no_mangle]
pub extern "C" fn cs_v2_server_exposed_headers(
    server: *const cs_v2_server,
    out_exposed: *mut *const c_char,
) -> cs_result {
    static V2_ONLY: OnceLock<CString> = OnceLock::new();
    static WITH_V1: OnceLock<CString> = OnceLock::new();
    guard(|| {
        let server = cs_v2_server::borrow(server)?;
        let out = out_arg(out_exposed, "out_exposed")?;
        *out = if server.server.v1().is_some() {
            static_cstr(&WITH_V1, crypto_sessions::v2::EXPOSED_HEADERS_WITH_V1)
        } else {
            static_cstr(&V2_ONLY, crypto_sessions::v2::EXPOSED_HEADERS)
        };
        Ok(())
    })
}

/// The server's limits as built (explicit, from the environment, or defaults):
/// `max_age` and `max_skew` in seconds, `max_body` in bytes. An HTTP layer reads at
/// most `max_body + 1` bytes of a body before `cs_v2_server_authenticate`.
#[no_mangle]
pub extern "C" fn cs_v2_server_limits(
    server: *const cs_v2_server,
    out_max_age: *mut u64,
    out_max_skew: *mut u64,
    out_max_body: *mut u64,
) -> cs_result {
    guard(|| {
        let server = cs_v2_server::borrow(server)?;
        distinct_outputs(&[
            region(out_max_age),
            region(out_max_skew),
            region(out_max_body),
        ])?;
        let age = out_arg(out_max_age, "out_max_age")?;
        let skew = out_arg(out_max_skew, "out_max_skew")?;
        let body = out_arg(out_max_body, "out_max_body")?;
        let (a, s, b) = server.server.limits();
        *age = a;
        *skew = s;
        *body = b;
        Ok(())
    })
}

/// A rejected request: answer `status` with an empty body and these headers:
/// `WWW-Authenticate: <www_authenticate>`; for a v2 rejection (`is_v2`) also
/// `Cache-Control: no-store` and
/// `Access-Control-Expose-Headers: <cs_v2_server_exposed_headers>`; and when
/// `crypto_session` is present (a signed stale answer), `Crypto-Session: <crypto_session>`.
/// Free it with `cs_v2_rejection_free`. Log `cs_last_error_message()` for the
/// detail; never send it.
#[repr(C)]
#[derive(Debug)]
pub struct cs_v2_rejection {
    /// 401, or 413 (`too_large`), 403 (`forbidden`), 503 (`busy`).
    pub status: u16,
    /// The code also returned: `CS_RESULT_V2_*`, or `CS_RESULT_V2_REJECTED` for v1.
    pub code: cs_result,
    /// Whether the request spoke v2 (a v1 rejection has no code and no extra headers).
    pub is_v2: bool,
    /// The `WWW-Authenticate` value (text).
    pub www_authenticate: cs_bytes,
    /// The signed stale answer's `Crypto-Session` value, or absent (`{NULL, 0}`).
    pub crypto_session: cs_bytes,
}

impl cs_v2_rejection {
    fn new(rejection: &Rejection) -> Self {
        cs_v2_rejection {
            status: rejection.status(),
            code: rejection
                .code()
                .map_or(cs_result::V2Rejected, cs_result::from),
            is_v2: rejection.code().is_some(),
            www_authenticate: cs_bytes::new(rejection.www_authenticate()),
            crypto_session: rejection
                .stale_answer()
                .map_or(cs_bytes::absent(), cs_bytes::new),
        }
    }
}

/// Free the bytes of a rejection (not the struct itself, which is yours). NULL and
/// a rejection freed before are no-ops.
#[no_mangle]
pub extern "C" fn cs_v2_rejection_free(rejection: *mut cs_v2_rejection) {
    guard_void(|| {
        if let Ok(r) = out_arg(rejection, "rejection") {
            crate::bytes::cs_bytes_free(&mut r.www_authenticate);
            crate::bytes::cs_bytes_free(&mut r.crypto_session);
        }
    });
}

/// Authenticate a request: its `method` exactly as received (case-sensitive), the
/// bytes of its request-target (`target`, exactly as on the request line: not
/// decoded), every `Authorization` field value it carried (`authorization_count`
/// of them; a v2 request needs exactly one), its `Content-Length` (`content_length`
/// NULL when it had none) and its `body` (after removing transfer and content
/// codings; NULL when `body_len` is 0).
///
/// Returns `CS_RESULT_OK` with the request in `*out_request` (free it with
/// `cs_v2_authenticated_free`), or a rejection: `CS_RESULT_V2_*` (`CS_RESULT_V2_REJECTED`
/// for a v1 request) with `*out_rejection` filled in: send it as it says. These are
/// the two outcomes of a request; on any other code (misuse of this API) neither
/// output is written: answer 500.
#[no_mangle]
pub extern "C" fn cs_v2_server_authenticate(
    server: *const cs_v2_server,
    method: *const c_char,
    method_len: usize,
    target: *const c_char,
    target_len: usize,
    authorization: *const cs_str,
    authorization_count: usize,
    content_length: *const u64,
    body: *const u8,
    body_len: usize,
    out_request: *mut *mut cs_v2_authenticated,
    out_rejection: *mut cs_v2_rejection,
) -> cs_result {
    guard(|| {
        let server = cs_v2_server::borrow(server)?;
        distinct_outputs(&[region(out_request), region(out_rejection)])?;
        let out_request = out_arg(out_request, "out_request")?;
        let out_rejection = out_arg(out_rejection, "out_rejection")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        let target = unsafe { bytes_arg(target.cast(), target_len, "target") }?;
        let fields = unsafe {
            bytes_arg(
                authorization.cast(),
                authorization_count
                    .checked_mul(std::mem::size_of::<cs_str>())
                    .ok_or_else(|| {
                        Failure::new(
                            cs_result::InvalidArgument,
                            "authorization_count is too large",
                        )
                    })?,
                "authorization",
            )
        }?;
        let fields: Vec<&str> = if fields.is_empty() {
            Vec::new()
        } else {
            if (authorization as usize) % std::mem::align_of::<cs_str>() != 0 {
                return Err(Failure::new(
                    cs_result::InvalidArgument,
                    "authorization is misaligned",
                ));
            }
            // SAFETY: non-null, aligned, `authorization_count` elements (checked above).
            let items = unsafe { std::slice::from_raw_parts(authorization, authorization_count) };
            items
                .iter()
                .enumerate()
                .map(|(i, s)| unsafe { str_arg(s.data, s.len, &format!("authorization[{i}]")) })
                .collect::<Result<_, _>>()?
        };
        let content_length = if content_length.is_null() {
            None
        } else {
            // SAFETY: non-null; the caller passes a readable uint64_t (read by copy).
            Some(unsafe { std::ptr::read_unaligned(content_length) })
        };
        let body = unsafe { bytes_arg(body, body_len, "body") }?;
        match server
            .server
            .authenticate(method, target, &fields, content_length, body)
        {
            Ok(request) => {
                *out_request = cs_v2_authenticated::into_raw(request);
                Ok(())
            }
            Err(rejection) => {
                let r = cs_v2_rejection::new(&rejection);
                let code = r.code;
                *out_rejection = r;
                Err(Failure::new(code, rejection.to_string()))
            }
        }
    })
}

/// Free an authenticated request (its payload is wiped). NULL is a no-op.
#[no_mangle]
pub extern "C" fn cs_v2_authenticated_free(request: *mut cs_v2_authenticated) {
    guard_void(|| cs_v2_authenticated::free(request));
}

/// The request's protocol version, 2 or 1, to `*out_version`.
#[no_mangle]
pub extern "C" fn cs_v2_authenticated_version(
    request: *const cs_v2_authenticated,
    out_version: *mut u8,
) -> cs_result {
    guard(|| {
        let request = cs_v2_authenticated::borrow(request)?;
        *out_arg(out_version, "out_version")? = request.version();
        Ok(())
    })
}

/// The client's key to `*out_key`: 32 bytes (x-only) for v2, 33 (compressed) for v1.
#[no_mangle]
pub extern "C" fn cs_v2_authenticated_client_key(
    request: *const cs_v2_authenticated,
    out_key: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let request = cs_v2_authenticated::borrow(request)?;
        *out_arg(out_key, "out_key")? = cs_bytes::new(request.client_key());
        Ok(())
    })
}

/// The payload's content type as the client gave it (text; `""` when none, always
/// for v1) to `*out_content_type`.
#[no_mangle]
pub extern "C" fn cs_v2_authenticated_content_type(
    request: *const cs_v2_authenticated,
    out_content_type: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let request = cs_v2_authenticated::borrow(request)?;
        *out_arg(out_content_type, "out_content_type")? = cs_bytes::new(request.content_type());
        Ok(())
    })
}

/// The decrypted payload (empty when the request had none) to `*out_payload`.
#[no_mangle]
pub extern "C" fn cs_v2_authenticated_payload(
    request: *const cs_v2_authenticated,
    out_payload: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let request = cs_v2_authenticated::borrow(request)?;
        *out_arg(out_payload, "out_payload")? = cs_bytes::new(request.payload());
        Ok(())
    })
}

/// A sealed answer: send `status`, the header `<header_name>: <header_value>`,
/// `Content-Type: <content_type>` when it is present, and `body`; for v2 also
/// `Cache-Control: no-store`; for both versions
/// `Access-Control-Expose-Headers: <cs_v2_server_exposed_headers>`.
/// Free it with `cs_v2_sealed_free`.
#[repr(C)]
#[derive(Debug)]
pub struct cs_v2_sealed {
    /// The status given to `cs_v2_server_seal`.
    pub status: u16,
    /// `"Crypto-Session"` (v2) or `"authorization"` (v1): a static string.
    pub header_name: *const c_char,
    /// The header's value (text).
    pub header_value: cs_bytes,
    /// The body's `Content-Type`, or absent when there is no body.
    pub content_type: cs_bytes,
    /// The sealed body (may be empty).
    pub body: cs_bytes,
}

/// Free the bytes of a sealed answer (not the struct itself). NULL is a no-op.
#[no_mangle]
pub extern "C" fn cs_v2_sealed_free(sealed: *mut cs_v2_sealed) {
    guard_void(|| {
        if let Ok(s) = out_arg(sealed, "sealed") {
            crate::bytes::cs_bytes_free(&mut s.header_value);
            crate::bytes::cs_bytes_free(&mut s.content_type);
            crate::bytes::cs_bytes_free(&mut s.body);
        }
    });
}

/// Seal the answer to `request` (from `cs_v2_server_authenticate` on this server):
/// `status` (100-599), the payload's `content_type` (text, may be empty) and
/// `payload`. A v1 request's answer carries no content type (`content_type` is
/// ignored). The answer goes to `*out`.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` for a status outside 100-599, a payload or
/// content type on an answer that has no body (to HEAD, or 1xx, 204, 304), or a
/// content type the protocol refuses.
#[no_mangle]
pub extern "C" fn cs_v2_server_seal(
    server: *const cs_v2_server,
    request: *const cs_v2_authenticated,
    status: u16,
    content_type: *const c_char,
    content_type_len: usize,
    payload: *const u8,
    payload_len: usize,
    out: *mut cs_v2_sealed,
) -> cs_result {
    static V2_NAME: OnceLock<CString> = OnceLock::new();
    static V1_NAME: OnceLock<CString> = OnceLock::new();
    guard(|| {
        let server = cs_v2_server::borrow(server)?;
        let request = cs_v2_authenticated::borrow(request)?;
        let out = out_arg(out, "out")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let content_type = unsafe { str_arg(content_type, content_type_len, "content_type") }?;
        let payload = unsafe { bytes_arg(payload, payload_len, "payload") }?;
        let sealed = match request {
            Authenticated::V2(r) => {
                let sealed = server.server.seal(r, status, content_type, payload)?;
                let header = |name: &str| {
                    sealed
                        .headers
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| v.clone())
                };
                let value = header(CRYPTO_SESSION).ok_or_else(|| {
                    Failure::new(cs_result::Panic, "the core sealed no Crypto-Session header")
                })?;
                cs_v2_sealed {
                    status: sealed.status,
                    header_name: static_cstr(&V2_NAME, CRYPTO_SESSION),
                    header_value: cs_bytes::new(value),
                    content_type: header(CONTENT_TYPE).map_or(cs_bytes::absent(), cs_bytes::new),
                    body: cs_bytes::new(sealed.body),
                }
            }
            Authenticated::V1(r) => {
                let v1 = server.server.v1().ok_or_else(|| {
                    Failure::new(
                        cs_result::InvalidArgument,
                        "a v1 request, but this server does not accept v1",
                    )
                })?;
                let sealed = v1.seal(&r.session, status, payload)?;
                cs_v2_sealed {
                    status: sealed.status,
                    header_name: static_cstr(&V1_NAME, crypto_sessions::http::AUTHORIZATION),
                    header_value: cs_bytes::new(sealed.authorization),
                    content_type: cs_bytes::new(ANSWER_CONTENT_TYPE),
                    body: cs_bytes::new(sealed.body),
                }
            }
        };
        *out = sealed;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_header_values_are_the_spec_browsers_lists() {
        let text = |p: *const c_char| unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap();
        assert_eq!(
            text(cs_v2_exposed_headers()),
            "Crypto-Session, WWW-Authenticate"
        );
        assert_eq!(
            text(cs_v2_allowed_headers()),
            "Authorization, Content-Type, Cache-Control"
        );
    }

    #[test]
    fn method_override_headers_are_the_usual_three() {
        let text = |p: *const c_char| unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap();
        assert_eq!(
            text(cs_v2_method_override_headers()),
            "X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override"
        );
    }
}
