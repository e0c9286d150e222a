//! `cs_v2_client`, `cs_v2_request`: protocol v2 on the client: prepare requests for
//! any method, open answers bound to them, the stale-answer retry.

use std::os::raw::c_char;

use crypto_sessions::v2::answer::{check_answer, AnswerKind, Checked, SentRequest};
use crypto_sessions::v2::client::{Client, ClientError, Response};
use crypto_sessions::v2::clock::{Clock, SystemClock};
use crypto_sessions::v2::kdf::ConversationKey;
use crypto_sessions::v2::keys::{KeyPair, XOnlyKey, KID_LEN, XONLY_LEN};
use crypto_sessions::v2::request::RequestToken;

use crate::boundary::{
    bytes_arg, distinct_outputs, guard, guard_void, optional_str_arg, out_arg, out_buf, region,
    str_arg,
};
use crate::bytes::cs_bytes;
use crate::handle::{cs_v2_client, cs_v2_request, Handle};
use crate::keys::secret_arg;
use crate::result::{cs_result, Failure};

/// Length of a v2 (x-only) public key: 32 bytes.
pub const CS_V2_PUBLIC_KEY_LEN: usize = 32;

/// Length of a v2 key id: 8 bytes.
pub const CS_V2_KID_LEN: usize = 8;

/// A server's x-only key: 32 raw bytes or 64 hex characters.
fn xonly_arg(ptr: *const u8, len: usize, name: &str) -> Result<XOnlyKey, Failure> {
    // SAFETY: the caller's contract for (ptr, len).
    let bytes = unsafe { bytes_arg(ptr, len, name) }?;
    let key = if bytes.len() == 2 * XONLY_LEN {
        XOnlyKey::from_hex(crate::boundary::utf8(bytes, name)?)
    } else {
        XOnlyKey::from_bytes(bytes)
    };
    key.map_err(|e| Failure::new(cs_result::InvalidKey, format!("{name}: {e}")))
}

/// Derive the v2 public key (x-only, 32 bytes) of a secret key (32 raw bytes or 64
/// hex characters) to `out_public`, and its key id (8 bytes: what requests name the
/// server key by) to `out_kid`.
///
/// Errors: `CS_RESULT_INVALID_KEY`; `CS_RESULT_BUFFER_TOO_SMALL`.
#[no_mangle]
pub extern "C" fn cs_v2_public_key_from_secret(
    secret: *const u8,
    secret_len: usize,
    out_public: *mut u8,
    out_public_len: usize,
    out_kid: *mut u8,
    out_kid_len: usize,
) -> cs_result {
    guard(|| {
        distinct_outputs(&[
            (
                out_public.cast_const(),
                out_public_len.min(CS_V2_PUBLIC_KEY_LEN),
            ),
            (out_kid.cast_const(), out_kid_len.min(CS_V2_KID_LEN)),
        ])?;
        let public = out_buf(
            out_public,
            out_public_len,
            CS_V2_PUBLIC_KEY_LEN,
            "out_public",
        )?;
        let kid = out_buf(out_kid, out_kid_len, CS_V2_KID_LEN, "out_kid")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        let key = XOnlyKey::from_public_key(&secret.public_key());
        public.copy_from_slice(key.as_bytes());
        kid.copy_from_slice(&key.kid());
        Ok(())
    })
}

/// Make a v2 client in `*out_client` signing with our `secret` (raw or hex) for the
/// server key `server` (x-only: 32 raw bytes or 64 hex characters). Free it with
/// `cs_v2_client_free`. A client may be shared between threads; it learns the
/// server's clock from signed stale answers.
///
/// Errors: `CS_RESULT_INVALID_KEY`.
#[no_mangle]
pub extern "C" fn cs_v2_client_new(
    secret: *const u8,
    secret_len: usize,
    server: *const u8,
    server_len: usize,
    out_client: *mut *mut cs_v2_client,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_client, "out_client")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        let server = xonly_arg(server, server_len, "server")?;
        *out = cs_v2_client::into_raw(Client::new(&secret, &server));
        Ok(())
    })
}

/// The system clock plus a fixed number of seconds: a client whose clock is off.
#[derive(Debug)]
struct SkewedClock(i64);

impl Clock for SkewedClock {
    fn now(&self) -> u64 {
        u64::try_from(i128::from(SystemClock.now()) + i128::from(self.0)).unwrap_or(0)
    }

    fn monotonic(&self) -> std::time::Duration {
        SystemClock.monotonic()
    }
}

/// FOR TESTS ONLY: `cs_v2_client_new` for a client whose clock reads the system
/// clock plus `skew` seconds (negative: behind), to test the correction from a
/// signed stale answer across processes. A real client must never use it.
///
/// Errors: `CS_RESULT_INVALID_KEY`.
#[no_mangle]
pub extern "C" fn cs_v2_client_new_skewed(
    secret: *const u8,
    secret_len: usize,
    server: *const u8,
    server_len: usize,
    skew: i64,
    out_client: *mut *mut cs_v2_client,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_client, "out_client")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        let server = xonly_arg(server, server_len, "server")?;
        let client =
            Client::new(&secret, &server).with_clock(std::sync::Arc::new(SkewedClock(skew)));
        *out = cs_v2_client::into_raw(client);
        Ok(())
    })
}

/// Free a client. NULL is a no-op. No other thread may be using it.
#[no_mangle]
pub extern "C" fn cs_v2_client_free(client: *mut cs_v2_client) {
    guard_void(|| cs_v2_client::free(client));
}

/// Seconds the client adds to its clock (learned from the last signed stale
/// answer; 0 before) to `*out_offset`.
#[no_mangle]
pub extern "C" fn cs_v2_client_clock_offset(
    client: *const cs_v2_client,
    out_offset: *mut i64,
) -> cs_result {
    guard(|| {
        let client = cs_v2_client::borrow(client)?;
        *out_arg(out_offset, "out_offset")? = client.clock_offset();
        Ok(())
    })
}

/// Prepare a request: `method` (any token, e.g. `GET`, `DELETE`), the absolute `url`
/// (`scheme://host[:port]/path?query`; the target is percent-encoded, a fragment
/// dropped), the payload's `content_type` (may be empty) and `payload`. An empty
/// payload with an empty content type is sent with no body. The request goes to
/// `*out_request`; read what to send with `cs_v2_request_parts`, free it with
/// `cs_v2_request_free`.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` for a bad method, URL or content type, or a
/// body on a method that has none.
#[no_mangle]
pub extern "C" fn cs_v2_client_prepare(
    client: *const cs_v2_client,
    method: *const c_char,
    method_len: usize,
    url: *const c_char,
    url_len: usize,
    content_type: *const c_char,
    content_type_len: usize,
    payload: *const u8,
    payload_len: usize,
    out_request: *mut *mut cs_v2_request,
) -> cs_result {
    guard(|| {
        let client = cs_v2_client::borrow(client)?;
        let out = out_arg(out_request, "out_request")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        let url = unsafe { str_arg(url, url_len, "url") }?;
        let content_type = unsafe { str_arg(content_type, content_type_len, "content_type") }?;
        let payload = unsafe { bytes_arg(payload, payload_len, "payload") }?;
        *out = cs_v2_request::into_raw(client.prepare(method, url, content_type, payload)?);
        Ok(())
    })
}

/// Free a prepared request (its payload is wiped). NULL is a no-op.
#[no_mangle]
pub extern "C" fn cs_v2_request_free(request: *mut cs_v2_request) {
    guard_void(|| cs_v2_request::free(request));
}

/// What to send for a prepared request: `method` to `url` with the headers
/// `Authorization: <authorization>`, and when there is a body
/// `Content-Type: <content_type>` and `Cache-Control: <cache_control>`, then `body`.
/// Do not follow redirects (a `Location` is not signed). Free it with
/// `cs_v2_request_parts_free`.
#[repr(C)]
#[derive(Debug)]
pub struct cs_v2_request_parts {
    /// The method, as given.
    pub method: cs_bytes,
    /// The URL: origin and percent-encoded target.
    pub url: cs_bytes,
    /// The `Authorization` value.
    pub authorization: cs_bytes,
    /// The `Content-Type` of the body, or absent when there is no body.
    pub content_type: cs_bytes,
    /// The `Cache-Control` of the body, or absent when there is no body.
    pub cache_control: cs_bytes,
    /// The sealed body (empty when there is none).
    pub body: cs_bytes,
}

/// Free the bytes of request parts (not the struct itself). NULL is a no-op.
#[no_mangle]
pub extern "C" fn cs_v2_request_parts_free(parts: *mut cs_v2_request_parts) {
    guard_void(|| {
        if let Ok(p) = out_arg(parts, "parts") {
            for b in [
                &mut p.method,
                &mut p.url,
                &mut p.authorization,
                &mut p.content_type,
                &mut p.cache_control,
                &mut p.body,
            ] {
                crate::bytes::cs_bytes_free(b);
            }
        }
    });
}

/// Write what to send for `request` to `*out`.
#[no_mangle]
pub extern "C" fn cs_v2_request_parts_get(
    request: *const cs_v2_request,
    out: *mut cs_v2_request_parts,
) -> cs_result {
    guard(|| {
        let request = cs_v2_request::borrow(request)?;
        let out = out_arg(out, "out")?;
        let headers = request.headers();
        *out = cs_v2_request_parts {
            method: cs_bytes::new(request.method()),
            url: cs_bytes::new(request.url()),
            authorization: cs_bytes::new(headers.authorization()),
            content_type: headers
                .content_type()
                .map_or(cs_bytes::absent(), cs_bytes::new),
            cache_control: headers
                .cache_control()
                .map_or(cs_bytes::absent(), cs_bytes::new),
            body: cs_bytes::new(request.body()),
        };
        Ok(())
    })
}

/// A verified answer. Free it with `cs_v2_answer_free`.
#[repr(C)]
#[derive(Debug)]
pub struct cs_v2_answer {
    /// The status, signed by the server.
    pub status: u16,
    /// The payload's content type (text; may be empty).
    pub content_type: cs_bytes,
    /// The payload.
    pub payload: cs_bytes,
}

/// Free the bytes of an answer (not the struct itself). NULL is a no-op.
#[no_mangle]
pub extern "C" fn cs_v2_answer_free(answer: *mut cs_v2_answer) {
    guard_void(|| {
        if let Ok(a) = out_arg(answer, "answer") {
            crate::bytes::cs_bytes_free(&mut a.content_type);
            crate::bytes::cs_bytes_free(&mut a.payload);
        }
    });
}

/// Open the response to `request` (prepared by this client): its `status`, its
/// `Crypto-Session` and `WWW-Authenticate` headers (NULL when absent) and its body
/// (after removing transfer and content codings).
///
/// Returns:
/// - `CS_RESULT_OK`: a verified answer in `*out_answer`.
/// - `CS_RESULT_V2_STALE`: a signed stale answer; the request was not executed. The
///   client now dates requests by the server's clock (if it is within an hour), and
///   `*out_retry` is the one retry to send (free it with `cs_v2_request_free`), or
///   NULL when none is allowed (this was the retry, or the answer came more than
///   5 s after the request was prepared).
/// - `CS_RESULT_V2_INVALID_ANSWER`: not a valid answer to this request; never data.
/// - another `CS_RESULT_V2_*`, or `CS_RESULT_V2_REJECTED` when it names no known
///   code: an unsigned rejection; the outcome is unknown.
///
/// `*out_answer` is written only on `CS_RESULT_OK`, `*out_retry` only on
/// `CS_RESULT_V2_STALE`.
#[no_mangle]
pub extern "C" fn cs_v2_client_open(
    client: *const cs_v2_client,
    request: *const cs_v2_request,
    status: u16,
    crypto_session: *const c_char,
    crypto_session_len: usize,
    www_authenticate: *const c_char,
    www_authenticate_len: usize,
    body: *const u8,
    body_len: usize,
    out_answer: *mut cs_v2_answer,
    out_retry: *mut *mut cs_v2_request,
) -> cs_result {
    guard(|| {
        let client = cs_v2_client::borrow(client)?;
        let request = cs_v2_request::borrow(request)?;
        distinct_outputs(&[region(out_answer), region(out_retry)])?;
        let out_answer = out_arg(out_answer, "out_answer")?;
        let out_retry = out_arg(out_retry, "out_retry")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let crypto_session =
            unsafe { optional_str_arg(crypto_session, crypto_session_len, "crypto_session") }?;
        let www_authenticate = unsafe {
            optional_str_arg(www_authenticate, www_authenticate_len, "www_authenticate")
        }?;
        let body = unsafe { bytes_arg(body, body_len, "body") }?;
        let response = Response {
            status,
            crypto_session,
            www_authenticate,
            body,
        };
        match client.open(request, response) {
            Ok(answer) => {
                *out_answer = cs_v2_answer {
                    status: answer.status,
                    content_type: cs_bytes::new(answer.content_type),
                    payload: cs_bytes::new(answer.payload),
                };
                Ok(())
            }
            Err(error) => {
                let detail = error.to_string();
                let code = match error {
                    ClientError::InvalidAnswer(_) => cs_result::V2InvalidAnswer,
                    ClientError::Rejected { code, .. } => {
                        code.map_or(cs_result::V2Rejected, cs_result::from)
                    }
                    ClientError::Stale { retry, .. } => {
                        *out_retry =
                            retry.map_or(std::ptr::null_mut(), |r| cs_v2_request::into_raw(*r));
                        cs_result::V2Stale
                    }
                };
                Err(Failure::new(code, detail))
            }
        }
    })
}

/// Check a response to a request known only by its token (`request_token`: the 128
/// raw bytes, e.g. kept from an earlier exchange or given by test vectors), sent
/// with `method` by the holder of `secret` (raw or hex) to the server key `server`
/// (x-only, raw or hex): as `cs_v2_client_open` checks it, without a client, a
/// retry or a clock offset. `stale` false accepts only an answer, written to
/// `*out_answer`; `stale` true only a signed stale answer, whose server clock goes to
/// `*out_server_time`.
///
/// Errors: `CS_RESULT_V2_INVALID_ANSWER` when it is not a valid answer of that kind
/// to that request; `CS_RESULT_INVALID_KEY`; `CS_RESULT_MALFORMED_INPUT` for a
/// `request_token` that is not a v2 request token.
#[no_mangle]
pub extern "C" fn cs_v2_check_answer(
    secret: *const u8,
    secret_len: usize,
    server: *const u8,
    server_len: usize,
    method: *const c_char,
    method_len: usize,
    request_token: *const u8,
    request_token_len: usize,
    status: u16,
    crypto_session: *const c_char,
    crypto_session_len: usize,
    body: *const u8,
    body_len: usize,
    stale: bool,
    out_answer: *mut cs_v2_answer,
    out_server_time: *mut u64,
) -> cs_result {
    guard(|| {
        distinct_outputs(&[region(out_answer), region(out_server_time)])?;
        let out_answer = out_arg(out_answer, "out_answer")?;
        let out_server_time = out_arg(out_server_time, "out_server_time")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        let server = xonly_arg(server, server_len, "server")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        let token = unsafe { bytes_arg(request_token, request_token_len, "request_token") }?;
        let crypto_session =
            unsafe { str_arg(crypto_session, crypto_session_len, "crypto_session") }?;
        let body = unsafe { bytes_arg(body, body_len, "body") }?;
        let token = RequestToken::from_bytes(token)?;
        let conversation = ConversationKey::new(&KeyPair::new(&secret), &server);
        let sent = SentRequest {
            server: &server,
            token: &token,
            method,
            conversation: &conversation,
        };
        let kind = if stale {
            AnswerKind::Stale
        } else {
            AnswerKind::Answer
        };
        match check_answer(sent, status, crypto_session, body, Some(kind))
            .map_err(|e| Failure::new(cs_result::V2InvalidAnswer, e.to_string()))?
        {
            Checked::Stale { server_time } => *out_server_time = server_time,
            Checked::Answer(opened) => {
                *out_answer = cs_v2_answer {
                    status,
                    content_type: cs_bytes::new(opened.content_type),
                    payload: cs_bytes::new(opened.payload),
                }
            }
        }
        Ok(())
    })
}

const _: () = assert!(CS_V2_PUBLIC_KEY_LEN == XONLY_LEN && CS_V2_KID_LEN == KID_LEN);
