//! `cs_client`: prepare requests, open answers.

use std::os::raw::c_char;

use crypto_sessions::Client;

use crate::boundary::{
    distinct_outputs, guard, guard_void, optional_bytes_arg, optional_str_arg, out_arg, region,
    str_arg,
};
use crate::bytes::cs_bytes;
use crate::handle::{cs_client, Handle};
use crate::keys::{public_arg, secret_arg};
use crate::result::cs_result;
use crate::server::method_cstr;

/// A request prepared by `cs_client_prepare`: send `method` to `url` with the
/// header `authorization: <authorization>`, plus `content-type: <content_type>`
/// and `body` when they are present.
///
/// The caller owns the four `cs_bytes` (free each with `cs_bytes_free`; absent
/// ones are `{NULL, 0}`); `method` is static.
#[repr(C)]
#[derive(Debug)]
pub struct cs_request {
    /// `"GET"` or `"POST"`: a static string.
    pub method: *const c_char,
    /// `hostname + path`: exactly the string signed for a GET.
    pub url: cs_bytes,
    /// The token for the `authorization` header.
    pub authorization: cs_bytes,
    /// For a POST, `application/json`; absent for a GET.
    pub content_type: cs_bytes,
    /// For a POST, the JSON body `{"data":"..."}`; absent for a GET.
    pub body: cs_bytes,
}

/// Make a client of the server whose public key is `server` (raw or hex), signing
/// with our `secret` (raw or hex). `hostname` (e.g. `http://localhost:3001`) is put
/// in front of every path; it may be NULL for none. The new handle goes to
/// `*out_client`; free it with `cs_client_free`. A client is immutable: share it
/// between threads freely.
///
/// Errors: `CS_RESULT_INVALID_KEY`; `CS_RESULT_MALFORMED_INPUT` for a non-UTF-8 hostname.
#[no_mangle]
pub extern "C" fn cs_client_new(
    server: *const u8,
    server_len: usize,
    secret: *const u8,
    secret_len: usize,
    hostname: *const c_char,
    hostname_len: usize,
    out_client: *mut *mut cs_client,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_client, "out_client")?;
        let server = public_arg(server, server_len, "server")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        // SAFETY: the caller's contract for (hostname, hostname_len).
        let hostname = unsafe { optional_str_arg(hostname, hostname_len, "hostname") }?;
        *out = cs_client::into_raw(Client::new(&server, &secret, hostname));
        Ok(())
    })
}

/// Free a client handle. NULL is a no-op; a pointer that is not a live client
/// handle is ignored. No other thread may be using it.
#[no_mangle]
pub extern "C" fn cs_client_free(client: *mut cs_client) {
    guard_void(|| cs_client::free(client));
}

/// Prepare a request to `path` (with its query string, already percent-encoded).
///
/// A GET (or an empty `method`) signs the URL and has no body. A POST signs and
/// encrypts `body` (text, bytes or compact JSON), or the URL when `body` is NULL;
/// a non-NULL `body` with `body_len == 0` is an empty payload.
///
/// Errors: `CS_RESULT_UNSUPPORTED_METHOD` for a method other than GET and POST
/// (v1 cannot sign them); `CS_RESULT_MALFORMED_INPUT` for a GET with a body.
#[no_mangle]
pub extern "C" fn cs_client_prepare(
    client: *const cs_client,
    method: *const c_char,
    method_len: usize,
    path: *const c_char,
    path_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut cs_request,
) -> cs_result {
    guard(|| {
        let client = cs_client::borrow(client)?;
        let out = out_arg(out, "out")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        let path = unsafe { str_arg(path, path_len, "path") }?;
        let body = unsafe { optional_bytes_arg(body, body_len, "body") }?;
        let prepared = client.prepare(method, path, body)?;
        *out = cs_request {
            method: method_cstr(prepared.method),
            url: cs_bytes::new(prepared.url),
            authorization: cs_bytes::new(prepared.headers.authorization()),
            content_type: prepared
                .headers
                .content_type()
                .map_or(cs_bytes::absent(), cs_bytes::new),
            body: prepared.body.map_or(cs_bytes::absent(), cs_bytes::new),
        };
        Ok(())
    })
}

/// Open an answer: its `status`, its `authorization` header (NULL when absent) and
/// its `body`. On success the plaintext payload is in `*out_payload` (free with
/// `cs_bytes_free`).
///
/// Errors: `CS_RESULT_HTTP_STATUS` when `status` is not 2xx (the body is not
/// opened); `CS_RESULT_INVALID_SIGNATURE` for a missing or bad signature;
/// `CS_RESULT_WRONG_PEER` for an answer signed by another key than the server's;
/// `CS_RESULT_MALFORMED_INPUT`, `CS_RESULT_DECRYPT_FAILED` for a body that is not
/// the server's encrypted data.
#[no_mangle]
pub extern "C" fn cs_client_open(
    client: *const cs_client,
    status: u16,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const c_char,
    body_len: usize,
    out_payload: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let client = cs_client::borrow(client)?;
        let out = out_arg(out_payload, "out_payload")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let authorization =
            unsafe { optional_str_arg(authorization, authorization_len, "authorization") }?;
        let body = unsafe { str_arg(body, body_len, "body") }?;
        *out = cs_bytes::new(client.open(status, authorization, body)?);
        Ok(())
    })
}

/// What a client signs and sends for `url` (the core's `signed_url`): the string a
/// GET signs goes to `*out_signed` and the origin-form request-target to send,
/// exactly as signed, to `*out_target` (free each with `cs_bytes_free`).
///
/// `origin` is the server's configured host when it differs from the URL's (NULL:
/// the URL's own); `url` is absolute, or a `/target` when `origin` is given. The
/// target is percent-encoded as `fetch` sends it, the fragment dropped.
/// `out_signed` and `out_target` must not overlap (`CS_RESULT_INVALID_ARGUMENT`).
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` for a URL or origin that is not http(s).
#[no_mangle]
pub extern "C" fn cs_signed_url(
    origin: *const c_char,
    origin_len: usize,
    url: *const c_char,
    url_len: usize,
    out_signed: *mut cs_bytes,
    out_target: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        distinct_outputs(&[region(out_signed), region(out_target)])?;
        let out_signed = out_arg(out_signed, "out_signed")?;
        let out_target = out_arg(out_target, "out_target")?;
        // SAFETY: the caller's contract for each (pointer, length) pair.
        let origin = unsafe { optional_str_arg(origin, origin_len, "origin") }?;
        let url = unsafe { str_arg(url, url_len, "url") }?;
        let sent = crypto_sessions::http::signed_url(origin, url)?;
        *out_signed = cs_bytes::new(sent.signed);
        *out_target = cs_bytes::new(sent.target);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::cs_bytes_free;
    use crate::handle::cs_server;
    use crate::server::{cs_authenticated, cs_server_authenticate, cs_server_free, cs_server_new};
    use crypto_sessions::SecretKey;
    use std::ffi::CStr;

    fn text(b: &cs_bytes) -> &str {
        std::str::from_utf8(unsafe { std::slice::from_raw_parts(b.data, b.len) }).unwrap()
    }

    #[test]
    fn prepared_requests_authenticate_on_the_server() {
        let (server_key, client_key) = (SecretKey::generate(), SecretKey::generate());
        let host = "http://h:1";
        let mut server: *mut cs_server = std::ptr::null_mut();
        let sk = server_key.to_bytes();
        assert_eq!(
            cs_server_new(
                sk.as_ptr(),
                32,
                host.as_ptr().cast(),
                host.len(),
                std::ptr::null(),
                &mut server
            ),
            cs_result::Ok
        );
        let mut client: *mut cs_client = std::ptr::null_mut();
        let (pk, ck) = (server_key.public_key().to_bytes(), client_key.to_bytes());
        assert_eq!(
            cs_client_new(
                pk.as_ptr(),
                33,
                ck.as_ptr(),
                32,
                host.as_ptr().cast(),
                host.len(),
                &mut client
            ),
            cs_result::Ok
        );
        for (method, body) in [("GET", None), ("POST", Some(&b"{\"a\":1}"[..]))] {
            let mut req = std::mem::MaybeUninit::<cs_request>::uninit();
            let (bp, bl) = body.map_or((std::ptr::null(), 0), |b| (b.as_ptr(), b.len()));
            assert_eq!(
                cs_client_prepare(
                    client,
                    method.as_ptr().cast(),
                    method.len(),
                    b"/x?y".as_ptr().cast(),
                    4,
                    bp,
                    bl,
                    req.as_mut_ptr()
                ),
                cs_result::Ok
            );
            let mut req = unsafe { req.assume_init() };
            assert_eq!(
                unsafe { CStr::from_ptr(req.method) }.to_str().unwrap(),
                method
            );
            assert_eq!(text(&req.url), "http://h:1/x?y");
            assert_eq!(req.body.data.is_null(), body.is_none());
            let mut ok = std::mem::MaybeUninit::<cs_authenticated>::uninit();
            assert_eq!(
                cs_server_authenticate(
                    server,
                    method.as_ptr().cast(),
                    method.len(),
                    b"/x?y".as_ptr().cast(),
                    4,
                    req.authorization.data.cast(),
                    req.authorization.len,
                    req.body.data,
                    req.body.len,
                    ok.as_mut_ptr()
                ),
                cs_result::Ok
            );
            let mut ok = unsafe { ok.assume_init() };
            assert_eq!(&ok.peer, client_key.public_key().as_bytes());
            if let Some(b) = body {
                assert_eq!(
                    unsafe { std::slice::from_raw_parts(ok.payload.data, ok.payload.len) },
                    b
                );
                assert_eq!(text(&req.content_type), "application/json");
            }
            cs_bytes_free(&mut ok.payload);
            crate::session::cs_session_free(ok.session);
            for b in [
                &mut req.url,
                &mut req.authorization,
                &mut req.content_type,
                &mut req.body,
            ] {
                cs_bytes_free(b);
            }
        }
        cs_client_free(client);
        cs_server_free(server);
    }
}
