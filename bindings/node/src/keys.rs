//! Key parsing and generation.

use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::{PublicKey, SecretKey};
use napi::bindgen_prelude::*;
use napi::Env;

use crate::error::OrThrow;
use crate::input::{bytes_of, TextOrBytes};

pub(crate) fn secret_key(env: &Env, key: &TextOrBytes<'_>) -> Result<SecretKey> {
    secret_key_from_any(bytes_of(key)).or_throw(env)
}

pub(crate) fn public_key(env: &Env, key: &TextOrBytes<'_>) -> Result<PublicKey> {
    public_key_from_any(bytes_of(key)).or_throw(env)
}

/// A fresh key pair, both halves as lowercase hex.
#[napi(object)]
pub struct KeyPair {
    /// 64 hex characters. Keep it secret.
    pub secret_key: String,
    /// 66 hex characters (compressed SEC1).
    pub public_key: String,
}

/// A fresh secp256k1 key pair from the operating system's CSPRNG.
#[napi]
pub fn generate_key_pair() -> KeyPair {
    let secret = SecretKey::generate();
    KeyPair {
        public_key: secret.public_key().to_hex(),
        secret_key: secret.to_hex().to_string(),
    }
}

/// The compressed public key (33 bytes) of a secret key given as 64 hex
/// characters or 32 bytes.
#[napi]
pub fn public_key_of(env: Env, secret_key: Either<String, Uint8ArraySlice>) -> Result<Buffer> {
    Ok(self::secret_key(&env, &secret_key)?
        .public_key()
        .to_bytes()
        .to_vec()
        .into())
}

/// A public key given as hex (66 or 130 characters) or bytes (33 or 65),
/// normalized to its 33-byte compressed form.
#[napi]
pub fn normalize_public_key(
    env: Env,
    public_key: Either<String, Uint8ArraySlice>,
) -> Result<Buffer> {
    Ok(self::public_key(&env, &public_key)?
        .to_bytes()
        .to_vec()
        .into())
}
