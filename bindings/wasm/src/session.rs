//! `NativeSession`: the core v1 `Session` (peer public key, own secret key), with
//! the addon's names.

use crypto_sessions::keys::public_key_from_any;
use crypto_sessions::session::{Decoded, Encoded};
use crypto_sessions::{b64url_decode, payload::is_json, verdict, Session, Token};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::error::OrThrow;
use crate::input::{bytes, bytes_of, object, promised};
use crate::keys::{public_key, secret_key};

fn encoded(out: Encoded) -> JsValue {
    object(&[
        ("token", out.token.encode().into()),
        ("data", out.data.into()),
    ])
}

fn decoded(out: Decoded) -> JsValue {
    object(&[
        ("isJson", is_json(&out.bytes).into()),
        ("isValid", out.is_valid.into()),
        ("plaintext", bytes(&out.bytes)),
    ])
}

/// A session with a peer: its public key and our secret key.
#[wasm_bindgen]
pub struct NativeSession {
    pub(crate) inner: Session,
}

#[wasm_bindgen]
impl NativeSession {
    /// Keys as hex strings or bytes: the peer's public key (33 or 65 bytes) and our
    /// secret key (32 bytes).
    #[wasm_bindgen(constructor)]
    pub fn new(peer_key: JsValue, secret_key: JsValue) -> Result<NativeSession, JsValue> {
        let peer = public_key(&peer_key)?;
        let secret = self::secret_key(&secret_key)?;
        Ok(NativeSession {
            inner: Session::new(&peer, &secret),
        })
    }

    /// A session with the signer of `token`.
    #[wasm_bindgen(js_name = withToken)]
    pub fn with_token(token: &str, secret_key: JsValue) -> Result<NativeSession, JsValue> {
        let peer = Token::parse(token).and_then(|t| t.signer()).or_throw()?;
        let secret = self::secret_key(&secret_key)?;
        Ok(NativeSession {
            inner: Session::new(&peer, &secret),
        })
    }

    /// The peer's compressed public key (33 bytes).
    #[wasm_bindgen(getter, js_name = peerKey)]
    pub fn peer_key(&self) -> Vec<u8> {
        self.inner.peer().to_bytes().to_vec()
    }

    /// Our compressed public key (33 bytes).
    #[wasm_bindgen(getter)]
    pub fn pubkey(&self) -> Vec<u8> {
        self.inner.public_key().to_bytes().to_vec()
    }

    /// The ECDH shared secret (a method, so that it is never shown by accident).
    #[wasm_bindgen(js_name = sharedSecret)]
    pub fn shared_secret(&self) -> Vec<u8> {
        self.inner.shared_secret().to_vec()
    }

    /// SHA-256 of the shared secret.
    #[wasm_bindgen(js_name = sharedHash)]
    pub fn shared_hash(&self) -> Vec<u8> {
        self.inner.shared_hash().to_vec()
    }

    /// Whether the peer is `key`; `false` for anything that is not a key.
    #[wasm_bindgen(js_name = isWith)]
    pub fn is_with(&self, key: JsValue) -> bool {
        bytes_of(&key, "key")
            .ok()
            .and_then(|raw| public_key_from_any(&raw).ok())
            .is_some_and(|k| self.inner.is_with(&k))
    }

    /// DER signature over SHA-256(`message`) with our key (deterministic).
    pub fn sign(&self, message: JsValue) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.sign(&bytes_of(&message, "message")?))
    }

    /// Whether `token` is the peer's signature over `message` (a bad signature or
    /// another signer is `false`; a string that is no token throws).
    pub fn verify(&self, token: &str, message: JsValue) -> Result<bool, JsValue> {
        let token = Token::parse(token).or_throw()?;
        verdict(self.inner.verify(&token, &bytes_of(&message, "message")?)).or_throw()
    }

    /// `IV || ciphertext`.
    pub fn encrypt(&self, plaintext: JsValue) -> Result<Vec<u8>, JsValue> {
        let data = self.inner.encrypt(&bytes_of(&plaintext, "data")?);
        b64url_decode(&data, "encrypted data").or_throw()
    }

    /// Decrypt `IV || ciphertext`.
    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>, JsValue> {
        self.inner.cipher().decrypt_raw(data).or_throw()
    }

    /// Sign and encrypt: `{ token, data }`.
    #[wasm_bindgen(js_name = encodeSync)]
    pub fn encode_sync(&self, payload: JsValue) -> Result<JsValue, JsValue> {
        Ok(encoded(self.inner.encode(&bytes_of(&payload, "payload")?)))
    }

    /// `encodeSync` as a promise.
    pub fn encode(&self, payload: JsValue) -> Promise {
        promised(self.encode_sync(payload))
    }

    /// Decrypt and verify: `{ plaintext, isValid, isJson }`.
    #[wasm_bindgen(js_name = decodeSync)]
    pub fn decode_sync(&self, token: &str, data: &str) -> Result<JsValue, JsValue> {
        Ok(decoded(
            self.inner.decode_unchecked(token, data).or_throw()?,
        ))
    }

    /// `decodeSync` as a promise.
    pub fn decode(&self, token: &str, data: &str) -> Promise {
        promised(self.decode_sync(token, data))
    }
}
