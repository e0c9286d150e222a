//! `cs_session`: sign, verify, encode and decode with one peer.

use std::os::raw::c_char;

use crypto_sessions::{Session, Token};

use crate::boundary::{
    bytes_arg, distinct_outputs, guard, guard_void, out_arg, out_buf, region, str_arg,
};
use crate::bytes::cs_bytes;
use crate::handle::{cs_session, Handle};
use crate::keys::{public_arg, secret_arg, write_public};
use crate::result::cs_result;
use crate::{CS_PUBLIC_KEY_LEN, CS_SHARED_SECRET_LEN};

/// Make a session with `peer` (a public key, raw or hex) using our `secret` (raw or
/// hex), and store the new handle in `*out_session`.
///
/// The ECDH is done once here. Free the handle with `cs_session_free`.
/// Errors: `CS_RESULT_INVALID_KEY`.
#[no_mangle]
pub extern "C" fn cs_session_new(
    peer: *const u8,
    peer_len: usize,
    secret: *const u8,
    secret_len: usize,
    out_session: *mut *mut cs_session,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_session, "out_session")?;
        let peer = public_arg(peer, peer_len, "peer")?;
        let secret = secret_arg(secret, secret_len, "secret")?;
        *out = cs_session::into_raw(Session::new(&peer, &secret));
        Ok(())
    })
}

/// Free a session handle. NULL is a no-op; a pointer that is not a live session
/// handle is ignored. Freeing twice, or using the handle afterwards, is forbidden.
#[no_mangle]
pub extern "C" fn cs_session_free(session: *mut cs_session) {
    guard_void(|| cs_session::free(session));
}

/// Write the peer's public key (33 bytes, compressed) to `out_public`.
#[no_mangle]
pub extern "C" fn cs_session_peer(
    session: *const cs_session,
    out_public: *mut u8,
    out_public_len: usize,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        let out = out_buf(out_public, out_public_len, CS_PUBLIC_KEY_LEN, "out_public")?;
        write_public(session.peer(), out);
        Ok(())
    })
}

/// Write our own public key (33 bytes, compressed) to `out_public`.
#[no_mangle]
pub extern "C" fn cs_session_public_key(
    session: *const cs_session,
    out_public: *mut u8,
    out_public_len: usize,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        let out = out_buf(out_public, out_public_len, CS_PUBLIC_KEY_LEN, "out_public")?;
        write_public(session.public_key(), out);
        Ok(())
    })
}

/// Write the ECDH shared secret (32 bytes: the x-coordinate, used as the AES-256
/// key) to `out_secret`. It is secret material: keep it out of logs, wipe it after use.
#[no_mangle]
pub extern "C" fn cs_session_shared_secret(
    session: *const cs_session,
    out_secret: *mut u8,
    out_secret_len: usize,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        let out = out_buf(
            out_secret,
            out_secret_len,
            CS_SHARED_SECRET_LEN,
            "out_secret",
        )?;
        out.copy_from_slice(session.shared_secret());
        Ok(())
    })
}

/// Sign `message` and return the token `base64url(our pubkey || DER signature)`
/// in `*out_token` (text; free with `cs_bytes_free`). Signing is deterministic.
#[no_mangle]
pub extern "C" fn cs_session_sign(
    session: *const cs_session,
    message: *const u8,
    message_len: usize,
    out_token: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        let out = out_arg(out_token, "out_token")?;
        // SAFETY: the caller's contract for (message, message_len).
        let message = unsafe { bytes_arg(message, message_len, "message") }?;
        *out = cs_bytes::new(session.token_for(message).encode());
        Ok(())
    })
}

/// Check that `token` was issued by the peer over `message`. `CS_RESULT_OK` when it
/// was.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` or `CS_RESULT_TOO_LARGE` for a token that is
/// not one, `CS_RESULT_WRONG_PEER` for a token from another key,
/// `CS_RESULT_INVALID_SIGNATURE` when the signature does not hold.
#[no_mangle]
pub extern "C" fn cs_session_verify(
    session: *const cs_session,
    token: *const c_char,
    token_len: usize,
    message: *const u8,
    message_len: usize,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        // SAFETY: the caller's contract for both (pointer, length) pairs.
        let token = unsafe { str_arg(token, token_len, "token") }?;
        let message = unsafe { bytes_arg(message, message_len, "message") }?;
        session.verify(&Token::parse(token)?, message)?;
        Ok(())
    })
}

/// Sign and encrypt `payload` (already serialized: text, bytes, or compact JSON,
/// see `cs_payload_json`). `*out_token` receives the token to send in
/// `authorization`, `*out_data` the encrypted data `base64url(IV || ciphertext)`;
/// both are text, freed with `cs_bytes_free`. They must not overlap
/// (`CS_RESULT_INVALID_ARGUMENT`).
#[no_mangle]
pub extern "C" fn cs_session_encode(
    session: *const cs_session,
    payload: *const u8,
    payload_len: usize,
    out_token: *mut cs_bytes,
    out_data: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        distinct_outputs(&[region(out_token), region(out_data)])?;
        let out_token = out_arg(out_token, "out_token")?;
        let out_data = out_arg(out_data, "out_data")?;
        // SAFETY: the caller's contract for (payload, payload_len).
        let payload = unsafe { bytes_arg(payload, payload_len, "payload") }?;
        let encoded = session.encode(payload);
        *out_token = cs_bytes::new(encoded.token.encode());
        *out_data = cs_bytes::new(encoded.data);
        Ok(())
    })
}

/// Decrypt `data` and verify `token` over the plaintext (strict): on success the
/// payload is in `*out_payload` (free with `cs_bytes_free`).
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` (data empty or not base64url),
/// `CS_RESULT_DECRYPT_FAILED`, `CS_RESULT_INVALID_SIGNATURE` (unreadable token or a
/// signature that does not hold), `CS_RESULT_WRONG_PEER` (a token from another key).
#[no_mangle]
pub extern "C" fn cs_session_decode(
    session: *const cs_session,
    token: *const c_char,
    token_len: usize,
    data: *const c_char,
    data_len: usize,
    out_payload: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        let out = out_arg(out_payload, "out_payload")?;
        // SAFETY: the caller's contract for both (pointer, length) pairs.
        let token = unsafe { str_arg(token, token_len, "token") }?;
        let data = unsafe { str_arg(data, data_len, "data") }?;
        *out = cs_bytes::new(session.decode(token, data)?);
        Ok(())
    })
}

/// The reference's `decode`: decrypt `data`, and tell in `*out_is_valid` whether
/// `token` is the peer's valid signature over it. A bad or foreign signature is
/// `CS_RESULT_OK` with `*out_is_valid == false`: the payload is then untrusted.
/// `out_payload` and `out_is_valid` must not overlap (`CS_RESULT_INVALID_ARGUMENT`).
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` and `CS_RESULT_DECRYPT_FAILED`, where the
/// reference throws.
#[no_mangle]
pub extern "C" fn cs_session_decode_unchecked(
    session: *const cs_session,
    token: *const c_char,
    token_len: usize,
    data: *const c_char,
    data_len: usize,
    out_payload: *mut cs_bytes,
    out_is_valid: *mut bool,
) -> cs_result {
    guard(|| {
        let session = cs_session::borrow(session)?;
        distinct_outputs(&[region(out_payload), region(out_is_valid)])?;
        let out_payload = out_arg(out_payload, "out_payload")?;
        let out_is_valid = out_arg(out_is_valid, "out_is_valid")?;
        // SAFETY: the caller's contract for both (pointer, length) pairs.
        let token = unsafe { str_arg(token, token_len, "token") }?;
        let data = unsafe { str_arg(data, data_len, "data") }?;
        let decoded = session.decode_unchecked(token, data)?;
        *out_payload = cs_bytes::new(decoded.bytes);
        *out_is_valid = decoded.is_valid;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::cs_bytes_free;
    use crypto_sessions::SecretKey;

    fn new(peer: &SecretKey, me: &SecretKey) -> *mut cs_session {
        let (p, s) = (peer.public_key().to_bytes(), me.to_bytes());
        let mut out = std::ptr::null_mut();
        assert_eq!(
            cs_session_new(p.as_ptr(), 33, s.as_ptr(), 32, &mut out),
            cs_result::Ok
        );
        out
    }

    #[test]
    fn encode_then_decode_both_ways() {
        let (a, b) = (SecretKey::generate(), SecretKey::generate());
        let (to_b, from_a) = (new(&b, &a), new(&a, &b));
        let (mut token, mut data) = (cs_bytes::absent(), cs_bytes::absent());
        assert_eq!(
            cs_session_encode(to_b, b"hi".as_ptr(), 2, &mut token, &mut data),
            cs_result::Ok
        );
        let mut out = cs_bytes::absent();
        assert_eq!(
            cs_session_decode(
                from_a,
                token.data.cast(),
                token.len,
                data.data.cast(),
                data.len,
                &mut out
            ),
            cs_result::Ok
        );
        assert_eq!(
            unsafe { std::slice::from_raw_parts(out.data, out.len) },
            b"hi"
        );
        // The sender cannot decode its own message as if the peer had sent it.
        let mut not_written = cs_bytes::absent();
        assert_eq!(
            cs_session_decode(
                to_b,
                token.data.cast(),
                token.len,
                data.data.cast(),
                data.len,
                &mut not_written
            ),
            cs_result::WrongPeer
        );
        assert!(not_written.data.is_null());
        for b in [&mut token, &mut data, &mut out] {
            cs_bytes_free(b);
        }
        cs_session_free(to_b);
        cs_session_free(from_a);
    }
}
