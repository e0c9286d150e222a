//! Keys: generation, parsing (hex text or bytes), x-only keys and key ids.

use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::{PublicKey, SecretKey};
use wasm_bindgen::prelude::*;

use crate::error::OrThrow;
use crate::input::{bytes, bytes_of, object};

pub(crate) fn secret_key(key: &JsValue) -> Result<SecretKey, JsValue> {
    secret_key_from_any(&bytes_of(key, "secret key")?).or_throw()
}

pub(crate) fn public_key(key: &JsValue) -> Result<PublicKey, JsValue> {
    public_key_from_any(&bytes_of(key, "public key")?).or_throw()
}

/// An x-only key: 64 hex or 32 bytes, or any public key (33/65 bytes) reduced to x.
pub(crate) fn xonly_key(key: &JsValue) -> Result<XOnlyKey, JsValue> {
    let raw = bytes_of(key, "public key")?;
    if matches!(raw.len(), 32 | 64) {
        return match raw.len() {
            32 => XOnlyKey::from_bytes(&raw),
            _ => XOnlyKey::from_hex(std::str::from_utf8(&raw).unwrap_or("")),
        }
        .or_throw();
    }
    public_key_from_any(&raw)
        .map(|k| XOnlyKey::from_public_key(&k))
        .or_throw()
}

/// A fresh key pair: `{ secretKey, publicKey }` as hex (public key compressed).
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair() -> JsValue {
    let secret = SecretKey::generate();
    object(&[
        ("secretKey", secret.to_hex().as_str().into()),
        ("publicKey", secret.public_key().to_hex().into()),
    ])
}

/// The compressed public key (33 bytes) of a secret key (hex or bytes).
#[wasm_bindgen(js_name = publicKeyOf)]
pub fn public_key_of(secret_key: JsValue) -> Result<JsValue, JsValue> {
    Ok(bytes(
        &self::secret_key(&secret_key)?.public_key().to_bytes(),
    ))
}

/// A public key (33 or 65 bytes, or hex) compressed.
#[wasm_bindgen(js_name = normalizePublicKey)]
pub fn normalize_public_key(public_key: JsValue) -> Result<JsValue, JsValue> {
    Ok(bytes(&self::public_key(&public_key)?.to_bytes()))
}

/// The x-only key (32 bytes) of a public key (x-only, compressed or uncompressed).
#[wasm_bindgen(js_name = xonlyOf)]
pub fn xonly_of(public_key: JsValue) -> Result<JsValue, JsValue> {
    Ok(bytes(xonly_key(&public_key)?.as_bytes()))
}

/// The key id (8 bytes) of a public key (x-only or any form).
#[wasm_bindgen(js_name = kidOf)]
pub fn kid_of(public_key: JsValue) -> Result<JsValue, JsValue> {
    Ok(bytes(&xonly_key(&public_key)?.kid()))
}
