//! `cs_server`: authenticate requests, seal answers.

use std::ffi::CString;
use std::os::raw::c_char;
use std::sync::OnceLock;

use crypto_sessions::http::{config, Limits, Method, ANSWER_CONTENT_TYPE};
use crypto_sessions::Server;

use crate::boundary::{bytes_arg, guard, guard_void, optional_str_arg, out_arg, out_buf, str_arg};
use crate::bytes::cs_bytes;
use crate::handle::{cs_server, cs_session, Handle};
use crate::keys::{secret_arg, write_public};
use crate::result::cs_result;
use crate::CS_PUBLIC_KEY_LEN;

/// The status of every rejected request, whatever the reason: answer it with an
/// empty body, and log the last error message. (A literal for cbindgen; a test
/// checks it equals the core's.)
pub const CS_REJECTION_STATUS: u16 = 401;

/// The name of the environment variable of the server's secret key
/// (`CRYPTO_SESSION_KEY`, 64 hex characters): a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn cs_env_secret_key() -> *const c_char {
    static NAME: OnceLock<CString> = OnceLock::new();
    static_cstr(&NAME, config::ENV_SECRET_KEY)
}

/// The name of the environment variable of the origin clients sign
/// (`CRYPTO_SESSION_HOST`): a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn cs_env_host() -> *const c_char {
    static NAME: OnceLock<CString> = OnceLock::new();
    static_cstr(&NAME, config::ENV_HOST)
}

/// The name of the environment variable of the largest request body in bytes
/// (`CRYPTO_SESSION_MAX_BODY`): a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn cs_env_max_body() -> *const c_char {
    static NAME: OnceLock<CString> = OnceLock::new();
    static_cstr(&NAME, config::ENV_MAX_BODY)
}

/// (Literals for cbindgen; a test checks each equals the core's.)
/// The default largest request body, in bytes.
pub const CS_DEFAULT_MAX_BODY: usize = 1048576;
/// The largest `max_body` a server accepts, in bytes.
pub const CS_MAX_BODY_CEILING: usize = 1073741824;

/// Limits a server enforces before doing any cryptography.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cs_server_limits {
    /// Largest request body accepted, in bytes (default 1 MiB).
    pub max_body: usize,
    /// How many peers' sessions are cached (default 4096; 0 disables).
    pub session_cache: usize,
    /// How many verified GET signatures are cached (default 4096; 0 disables).
    pub verified_cache: usize,
}

impl From<Limits> for cs_server_limits {
    fn from(l: Limits) -> Self {
        cs_server_limits {
            max_body: l.max_body,
            session_cache: l.session_cache,
            verified_cache: l.verified_cache,
        }
    }
}

impl From<cs_server_limits> for Limits {
    fn from(l: cs_server_limits) -> Self {
        Limits::default()
            .with_max_body(l.max_body)
            .with_session_cache(l.session_cache)
            .with_verified_cache(l.verified_cache)
    }
}

/// A request that passed `cs_server_authenticate`.
///
/// The caller owns `payload` (free with `cs_bytes_free`) and `session` (free with
/// `cs_session_free`); `method` is static.
#[repr(C)]
#[derive(Debug)]
pub struct cs_authenticated {
    /// The client's public key (compressed).
    pub peer: [u8; CS_PUBLIC_KEY_LEN],
    /// `"GET"` or `"POST"`: a static string.
    pub method: *const c_char,
    /// For POST, the decrypted payload; for GET, absent (`{NULL, 0}`).
    pub payload: cs_bytes,
    /// The session with the client, to seal the answer with `cs_server_seal`.
    pub session: *mut cs_session,
}

/// An answer sealed by `cs_server_seal`: send `status`, the headers
/// `authorization: <authorization>` and `content-type: <content_type>`, and `body`.
///
/// The caller owns `authorization` and `body` (free each with `cs_bytes_free`);
/// `content_type` is static.
#[repr(C)]
#[derive(Debug)]
pub struct cs_answer {
    /// The HTTP status to send (as given to `cs_server_seal`).
    pub status: u16,
    /// The server's token over the payload (text).
    pub authorization: cs_bytes,
    /// The content type of the body: a static string.
    pub content_type: *const c_char,
    /// The encrypted payload (base64url text).
    pub body: cs_bytes,
}

/// A static C string for a static Rust string of the core.
pub(crate) fn static_cstr(cell: &'static OnceLock<CString>, text: &'static str) -> *const c_char {
    cell.get_or_init(|| CString::new(text).expect("protocol constants hold no NUL"))
        .as_ptr()
}

pub(crate) fn method_cstr(method: Method) -> *const c_char {
    static GET: OnceLock<CString> = OnceLock::new();
    static POST: OnceLock<CString> = OnceLock::new();
    match method {
        Method::Get => static_cstr(&GET, method.as_str()),
        Method::Post => static_cstr(&POST, method.as_str()),
    }
}

/// The default limits (1 MiB bodies, 4096-entry caches). Never fails.
#[no_mangle]
pub extern "C" fn cs_server_limits_default() -> cs_server_limits {
    Limits::default().into()
}

/// Make a server with our `secret` (raw or hex) and `host`, the origin clients put
/// in front of the path when they sign a GET (e.g. `http://localhost:3001`; a
/// trailing `/` is dropped). `limits` may be NULL for the defaults. The new handle
/// goes to `*out_server`; free it with `cs_server_free`.
///
/// A server is safe to share between threads: every function taking a
/// `const cs_server *` may run concurrently on one handle.
///
/// Errors: `CS_RESULT_INVALID_KEY`; `CS_RESULT_MALFORMED_INPUT` for a host that is
/// not an origin (`scheme://host[:port]`) or a limit out of its bounds (`max_body`
/// 1 byte to 1 GiB, caches at most 2^20 entries): a bad limit is an error, never
/// wrapped or clamped.
#[no_mangle]
pub extern "C" fn cs_server_new(
    secret: *const u8,
    secret_len: usize,
    host: *const c_char,
    host_len: usize,
    limits: *const cs_server_limits,
    out_server: *mut *mut cs_server,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_server, "out_server")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        // SAFETY: the caller's contract for (host, host_len).
        let host = unsafe { str_arg(host, host_len, "host") }?;
        let limits = if limits.is_null() {
            Limits::default()
        } else {
            // SAFETY: non-null; the caller passes a valid cs_server_limits (read by copy).
            Limits::from(unsafe { std::ptr::read_unaligned(limits) })
        };
        *out = cs_server::into_raw(Server::with_limits(&secret, host, limits)?);
        Ok(())
    })
}

/// Free a server handle. NULL is a no-op; a pointer that is not a live server
/// handle is ignored. No other thread may be using it.
#[no_mangle]
pub extern "C" fn cs_server_free(server: *mut cs_server) {
    guard_void(|| cs_server::free(server));
}

/// Write the server's public key (33 bytes, compressed: what clients need) to
/// `out_public`.
#[no_mangle]
pub extern "C" fn cs_server_public_key(
    server: *const cs_server,
    out_public: *mut u8,
    out_public_len: usize,
) -> cs_result {
    guard(|| {
        let server = cs_server::borrow(server)?;
        let out = out_buf(out_public, out_public_len, CS_PUBLIC_KEY_LEN, "out_public")?;
        write_public(server.public_key(), out);
        Ok(())
    })
}

/// The body rule on a request's headers, before its body is read: a GET with a
/// body (`content_length` other than "0", or `has_transfer_encoding`) is
/// `CS_RESULT_MALFORMED_INPUT`, as is a `content_length` that is not a number; one
/// over the limit is `CS_RESULT_TOO_LARGE`. `content_length` may be NULL (absent).
/// On any error, answer `CS_REJECTION_STATUS` as for `cs_server_authenticate`.
#[no_mangle]
pub extern "C" fn cs_server_check_headers(
    server: *const cs_server,
    method: *const c_char,
    method_len: usize,
    content_length: *const c_char,
    content_length_len: usize,
    has_transfer_encoding: bool,
) -> cs_result {
    guard(|| {
        let server = cs_server::borrow(server)?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        let content_length =
            unsafe { optional_str_arg(content_length, content_length_len, "content_length") }?;
        server.check_headers(method, content_length, has_transfer_encoding)?;
        Ok(())
    })
}

/// Authenticate a request: its `method` exactly as received (`GET` or `POST`,
/// case-sensitive), the bytes of its request-target `target` exactly as received
/// (origin-form `/path?query`, or absolute-form naming this server's origin; not
/// decoded), its `authorization` header (NULL when absent) and its `body` (may be
/// NULL when `body_len` is 0; a GET with a body is rejected). On success the peer,
/// payload and session are in `*out`.
///
/// On any error, answer `CS_REJECTION_STATUS` with an empty body, whatever the code,
/// and log `cs_last_error_message` (it holds no secrets): the client must not learn
/// which check failed.
#[no_mangle]
pub extern "C" fn cs_server_authenticate(
    server: *const cs_server,
    method: *const c_char,
    method_len: usize,
    target: *const c_char,
    target_len: usize,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut cs_authenticated,
) -> cs_result {
    guard(|| {
        let server = cs_server::borrow(server)?;
        let out = out_arg(out, "out")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        let target = unsafe { bytes_arg(target.cast(), target_len, "target") }?;
        let authorization =
            unsafe { optional_str_arg(authorization, authorization_len, "authorization") }?;
        let body = unsafe { bytes_arg(body, body_len, "body") }?;
        let ok = server.authenticate(method, target, authorization, body)?;
        let mut peer = [0u8; CS_PUBLIC_KEY_LEN];
        write_public(ok.peer(), &mut peer);
        *out = cs_authenticated {
            peer,
            method: method_cstr(ok.method),
            payload: ok.payload.map_or(cs_bytes::absent(), cs_bytes::new),
            session: cs_session::into_raw(ok.session),
        };
        Ok(())
    })
}

/// Seal an answer to the client of `session` (from `cs_server_authenticate`): sign
/// and encrypt `payload` (text, bytes or compact JSON). The answer goes to `*out`.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` for a `status` outside 100-599.
#[no_mangle]
pub extern "C" fn cs_server_seal(
    server: *const cs_server,
    session: *const cs_session,
    status: u16,
    payload: *const u8,
    payload_len: usize,
    out: *mut cs_answer,
) -> cs_result {
    static CONTENT_TYPE: OnceLock<CString> = OnceLock::new();
    guard(|| {
        let server = cs_server::borrow(server)?;
        let session = cs_session::borrow(session)?;
        let out = out_arg(out, "out")?;
        // SAFETY: the caller's contract for (payload, payload_len).
        let payload = unsafe { bytes_arg(payload, payload_len, "payload") }?;
        let sealed = server.seal(session, status, payload)?;
        *out = cs_answer {
            status: sealed.status,
            authorization: cs_bytes::new(sealed.authorization),
            content_type: static_cstr(&CONTENT_TYPE, ANSWER_CONTENT_TYPE),
            body: cs_bytes::new(sealed.body),
        };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_trip_and_default_is_the_core_default() {
        let d = cs_server_limits_default();
        assert_eq!(Limits::from(d), Limits::default());
        assert_eq!(CS_REJECTION_STATUS, crypto_sessions::http::REJECTION_STATUS);
        let name = |p: *const c_char| unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap();
        assert_eq!(name(cs_env_secret_key()), config::ENV_SECRET_KEY);
        assert_eq!(name(cs_env_host()), config::ENV_HOST);
        assert_eq!(name(cs_env_max_body()), config::ENV_MAX_BODY);
        assert_eq!(CS_DEFAULT_MAX_BODY, config::DEFAULT_MAX_BODY);
        assert_eq!(CS_MAX_BODY_CEILING, config::MAX_BODY_CEILING);
    }
}
