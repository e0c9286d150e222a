//! Keys: generate a secret, derive and normalize public keys.
//!
//! Keys cross the ABI as bytes. An input key may be raw bytes (32 for a secret, 33 or
//! 65 for a public key) or hex text (64, resp. 66 or 130 characters); an output key
//! is raw bytes: 32 for a secret, 33 (compressed) for a public key.

use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::{PublicKey, SecretKey};

use crate::boundary::{bytes_arg, guard, out_buf};
use crate::result::{cs_result, Failure};
use crate::{CS_PUBLIC_KEY_LEN, CS_SECRET_KEY_LEN};

/// Parse a secret key argument (raw or hex).
pub(crate) fn secret_arg(ptr: *const u8, len: usize, name: &str) -> Result<SecretKey, Failure> {
    // SAFETY: the caller's contract for (ptr, len).
    let bytes = unsafe { bytes_arg(ptr, len, name) }?;
    Ok(secret_key_from_any(bytes)?)
}

/// Parse a public key argument (raw or hex).
pub(crate) fn public_arg(ptr: *const u8, len: usize, name: &str) -> Result<PublicKey, Failure> {
    // SAFETY: the caller's contract for (ptr, len).
    let bytes = unsafe { bytes_arg(ptr, len, name) }?;
    Ok(public_key_from_any(bytes)?)
}

/// Write a public key (33 bytes, compressed) to an output buffer.
pub(crate) fn write_public(key: &PublicKey, out: &mut [u8]) {
    out.copy_from_slice(key.as_bytes());
}

/// Generate a secret key from the operating system's CSPRNG and write its 32 bytes
/// to `out_secret` (`out_secret_len` must be at least `CS_SECRET_KEY_LEN`).
///
/// The caller owns the secret: keep it out of logs and wipe it when done.
#[no_mangle]
pub extern "C" fn cs_secret_key_generate(out_secret: *mut u8, out_secret_len: usize) -> cs_result {
    guard(|| {
        let out = out_buf(out_secret, out_secret_len, CS_SECRET_KEY_LEN, "out_secret")?;
        out.copy_from_slice(SecretKey::generate().to_bytes().as_ref());
        Ok(())
    })
}

/// Derive the public key of a secret key (32 raw bytes or 64 hex characters) and
/// write its 33-byte compressed form to `out_public`.
///
/// Errors: `CS_RESULT_INVALID_KEY` when the secret is not a valid key (wrong length,
/// not hex, zero or not below the curve order).
#[no_mangle]
pub extern "C" fn cs_public_key_from_secret(
    secret: *const u8,
    secret_len: usize,
    out_public: *mut u8,
    out_public_len: usize,
) -> cs_result {
    guard(|| {
        let out = out_buf(out_public, out_public_len, CS_PUBLIC_KEY_LEN, "out_public")?;
        let key = secret_arg(secret, secret_len, "secret")?;
        write_public(&key.public_key(), out);
        Ok(())
    })
}

/// Parse a secret key (32 raw bytes or 64 hex characters) and write its 32 raw
/// bytes to `out_secret`: check a key, or turn its hex form into bytes.
///
/// Errors: `CS_RESULT_INVALID_KEY` when it is not a valid secret key.
#[no_mangle]
pub extern "C" fn cs_secret_key_parse(
    secret: *const u8,
    secret_len: usize,
    out_secret: *mut u8,
    out_secret_len: usize,
) -> cs_result {
    guard(|| {
        let out = out_buf(out_secret, out_secret_len, CS_SECRET_KEY_LEN, "out_secret")?;
        let key = secret_arg(secret, secret_len, "secret")?;
        out.copy_from_slice(key.to_bytes().as_ref());
        Ok(())
    })
}

/// Parse a public key (33 or 65 raw bytes, or 66 or 130 hex characters) and write
/// its 33-byte compressed form to `out_public`.
///
/// Errors: `CS_RESULT_INVALID_KEY` when it is not a point on secp256k1 in one of
/// those forms.
#[no_mangle]
pub extern "C" fn cs_public_key_parse(
    key: *const u8,
    key_len: usize,
    out_public: *mut u8,
    out_public_len: usize,
) -> cs_result {
    guard(|| {
        let out = out_buf(out_public, out_public_len, CS_PUBLIC_KEY_LEN, "out_public")?;
        let key = public_arg(key, key_len, "key")?;
        write_public(&key, out);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_derive_parse() {
        let mut sk = [0u8; 32];
        assert_eq!(cs_secret_key_generate(sk.as_mut_ptr(), 32), cs_result::Ok);
        let mut pk = [0u8; 33];
        assert_eq!(
            cs_public_key_from_secret(sk.as_ptr(), 32, pk.as_mut_ptr(), 33),
            cs_result::Ok
        );
        let expected = SecretKey::from_bytes(&sk).unwrap().public_key();
        assert_eq!(&pk, expected.as_bytes());

        let hex = expected.to_hex();
        let mut parsed = [0u8; 33];
        assert_eq!(
            cs_public_key_parse(hex.as_ptr(), hex.len(), parsed.as_mut_ptr(), 33),
            cs_result::Ok
        );
        assert_eq!(parsed, pk);
        let secret_hex = SecretKey::from_bytes(&sk).unwrap().to_hex();
        let mut raw = [0u8; 32];
        assert_eq!(
            cs_secret_key_parse(secret_hex.as_ptr(), 64, raw.as_mut_ptr(), 32),
            cs_result::Ok
        );
        assert_eq!(raw, sk);
        // Outputs are written only on success.
        let mut untouched = [7u8; 33];
        assert_eq!(
            cs_public_key_parse(b"02ab".as_ptr(), 4, untouched.as_mut_ptr(), 33),
            cs_result::InvalidKey
        );
        assert_eq!(untouched, [7u8; 33]);
        assert_eq!(
            cs_public_key_from_secret(std::ptr::null(), 32, pk.as_mut_ptr(), 33),
            cs_result::NullArgument
        );
        // NULL with length 0 is the empty input: not a key.
        assert_eq!(
            cs_public_key_from_secret(std::ptr::null(), 0, pk.as_mut_ptr(), 33),
            cs_result::InvalidKey
        );
    }
}
