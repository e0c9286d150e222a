//! `NativeSession`: the core `Session` (peer public key, own secret key).

use crypto_sessions::session::{Decoded, Encoded};
use crypto_sessions::{b64url_decode, Session, Token};
use napi::bindgen_prelude::*;
use napi::{Env, Task};

use crate::error::{js_error, OrThrow};
use crate::input::bytes_of;
use crate::keys::{public_key, secret_key};
use crate::payload::revives_as_json;
use crate::task::guarded;

/// The token and the encrypted data of an encoded payload.
#[napi(object)]
pub struct EncodedPayload {
    /// `base64url(own pubkey || signature)`.
    pub token: String,
    /// `base64url(IV || ciphertext)`.
    pub data: String,
}

impl From<Encoded> for EncodedPayload {
    fn from(encoded: Encoded) -> Self {
        EncodedPayload {
            token: encoded.token.encode(),
            data: encoded.data,
        }
    }
}

/// A decoded payload: the plaintext, whether the signature holds, and how it
/// revives.
#[napi(object)]
pub struct DecodedPayload {
    /// The decrypted bytes (untrusted unless `isValid`).
    pub plaintext: Buffer,
    /// Whether the token's signer is the peer and its signature holds.
    pub is_valid: bool,
    /// Whether the plaintext revives as JSON (`JSON.parse` of its text) rather
    /// than as its text.
    pub is_json: bool,
}

fn decoded(decoded: Decoded) -> DecodedPayload {
    DecodedPayload {
        is_json: revives_as_json(&decoded.bytes),
        is_valid: decoded.is_valid,
        plaintext: decoded.bytes.into(),
    }
}

/// A session with a peer: its public key and our secret key.
#[napi]
pub struct NativeSession {
    pub(crate) inner: Session,
}

#[napi]
impl NativeSession {
    /// Keys as hex strings or bytes: the peer's public key (33 or 65 bytes) and
    /// our secret key (32 bytes).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        peer_key: Either<String, Uint8ArraySlice>,
        secret_key: Either<String, Uint8ArraySlice>,
    ) -> Result<Self> {
        let peer = public_key(&env, &peer_key)?;
        let secret = self::secret_key(&env, &secret_key)?;
        Ok(NativeSession {
            inner: Session::new(&peer, &secret),
        })
    }

    /// A session with the signer of `token`.
    #[napi(factory)]
    pub fn with_token(
        env: Env,
        token: String,
        secret_key: Either<String, Uint8ArraySlice>,
    ) -> Result<Self> {
        let peer = Token::parse(&token)
            .and_then(|t| t.signer())
            .or_throw(&env)?;
        let secret = self::secret_key(&env, &secret_key)?;
        Ok(NativeSession {
            inner: Session::new(&peer, &secret),
        })
    }

    /// The peer's compressed public key (33 bytes).
    #[napi(getter)]
    pub fn peer_key(&self) -> Buffer {
        self.inner.peer().to_bytes().to_vec().into()
    }

    /// Our compressed public key (33 bytes).
    #[napi(getter)]
    pub fn pubkey(&self) -> Buffer {
        self.inner.public_key().to_bytes().to_vec().into()
    }

    /// The ECDH shared secret (the AES-256 key). A method, not a property, so that
    /// it is never shown by `util.inspect` or serialized by accident.
    #[napi]
    pub fn shared_secret(&self) -> Buffer {
        self.inner.shared_secret().to_vec().into()
    }

    /// SHA-256 of the shared secret.
    #[napi]
    pub fn shared_hash(&self) -> Buffer {
        self.inner.shared_hash().to_vec().into()
    }

    /// Whether the peer is `key` (hex or bytes, compressed or not); `false` for a
    /// string that is not a key.
    #[napi]
    pub fn is_with(&self, key: Either<String, Uint8ArraySlice>) -> bool {
        crypto_sessions::keys::public_key_from_any(bytes_of(&key))
            .map(|k| self.inner.is_with(&k))
            .unwrap_or(false)
    }

    /// DER signature over SHA-256(`message`) with our key (deterministic).
    #[napi]
    pub fn sign(&self, message: Either<String, Uint8ArraySlice>) -> Buffer {
        self.inner.sign(bytes_of(&message)).into()
    }

    /// Whether `token` is the peer's valid signature over `message`. A token that
    /// is not a token throws; a wrong signer or a bad signature is `false`.
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        env: Env,
        token: String,
        message: Either<String, Uint8ArraySlice>,
    ) -> Result<bool> {
        let token = Token::parse(&token).or_throw(&env)?;
        crypto_sessions::verdict(self.inner.verify(&token, bytes_of(&message))).or_throw(&env)
    }

    /// `IV || AES-256-CBC(plaintext)` under the shared key, fresh random IV.
    #[napi]
    pub fn encrypt(&self, env: Env, plaintext: Either<String, Uint8ArraySlice>) -> Result<Buffer> {
        let data = self.inner.encrypt(bytes_of(&plaintext));
        Ok(b64url_decode(&data, "encrypted data")
            .or_throw(&env)?
            .into())
    }

    /// Decrypt `IV || ciphertext`; a bad length or padding throws `decrypt_failed`.
    #[napi(catch_unwind)]
    pub fn decrypt(&self, env: Env, data: Uint8ArraySlice) -> Result<Buffer> {
        Ok(self
            .inner
            .cipher()
            .decrypt_raw(&data)
            .or_throw(&env)?
            .into())
    }

    /// Sign and encrypt serialized payload bytes, on the calling thread.
    #[napi]
    pub fn encode_sync(&self, payload: Either<String, Uint8ArraySlice>) -> EncodedPayload {
        self.inner.encode(bytes_of(&payload)).into()
    }

    /// Sign and encrypt serialized payload bytes on the libuv thread pool.
    #[napi(ts_return_type = "Promise<EncodedPayload>")]
    pub fn encode(&self, payload: Either<String, Uint8ArraySlice>) -> AsyncTask<EncodeTask> {
        AsyncTask::new(EncodeTask {
            session: self.inner.clone(),
            payload: bytes_of(&payload).to_vec(),
        })
    }

    /// Decrypt `data` and check `token` over the plaintext, on the calling thread.
    /// Malformed data or a decryption failure throws; a bad signature is
    /// `isValid: false`.
    #[napi(catch_unwind)]
    pub fn decode_sync(&self, env: Env, token: String, data: String) -> Result<DecodedPayload> {
        let out = self.inner.decode_unchecked(&token, &data).or_throw(&env)?;
        Ok(decoded(out))
    }

    /// `decodeSync` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<DecodedPayload>")]
    pub fn decode(&self, token: String, data: String) -> AsyncTask<DecodeTask> {
        AsyncTask::new(DecodeTask {
            session: self.inner.clone(),
            token,
            data,
        })
    }
}

pub struct EncodeTask {
    session: Session,
    payload: Vec<u8>,
}

impl Task for EncodeTask {
    type Output = Encoded;
    type JsValue = EncodedPayload;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| self.session.encode(&self.payload))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output.into())
    }
}

pub struct DecodeTask {
    session: Session,
    token: String,
    data: String,
}

impl Task for DecodeTask {
    type Output = crypto_sessions::Result<(Decoded, bool)>;
    type JsValue = DecodedPayload;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| {
            self.session
                .decode_unchecked(&self.token, &self.data)
                .map(|d| {
                    let is_json = revives_as_json(&d.bytes);
                    (d, is_json)
                })
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let (decoded, is_json) = output.map_err(|e| js_error(&env, &e))?;
        Ok(DecodedPayload {
            plaintext: decoded.bytes.into(),
            is_valid: decoded.is_valid,
            is_json,
        })
    }
}
