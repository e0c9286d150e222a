//! Protocol v1 client side with the addon's names: `NativeClient` (the reference's
//! `SecureFetch` requests and answers) and the token helpers.

use crypto_sessions::http::PreparedRequest;
use crypto_sessions::token::PUBKEY_LEN;
use crypto_sessions::{payload::is_json, Client, PublicKey, Token};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::error::OrThrow;
use crate::input::{bytes, object, optional_bytes, promised};
use crate::keys::{public_key, secret_key};
use crate::session::NativeSession;

/// `{ method, url, headers, body? }`, headers a plain object.
fn prepared(out: PreparedRequest) -> JsValue {
    let headers = object(
        &out.headers
            .iter()
            .map(|(name, value)| (name, JsValue::from_str(value)))
            .collect::<Vec<_>>(),
    );
    let mut fields = vec![
        ("method", JsValue::from_str(out.method.as_str())),
        ("url", out.url.into()),
        ("headers", headers),
    ];
    if let Some(body) = out.body {
        fields.push(("body", body.into()));
    }
    object(&fields)
}

/// A v1 client of one server.
#[wasm_bindgen]
pub struct NativeClient {
    inner: Client,
}

#[wasm_bindgen]
impl NativeClient {
    /// The server's public key, our secret key, and the hostname put in front of
    /// every path (may be empty when paths are full URLs).
    #[wasm_bindgen(constructor)]
    pub fn new(
        server_key: JsValue,
        secret_key: JsValue,
        hostname: Option<String>,
    ) -> Result<NativeClient, JsValue> {
        let server = public_key(&server_key)?;
        let secret = self::secret_key(&secret_key)?;
        Ok(NativeClient {
            inner: Client::new(&server, &secret, hostname.as_deref()),
        })
    }

    /// The session with the server.
    #[wasm_bindgen(getter)]
    pub fn session(&self) -> NativeSession {
        NativeSession {
            inner: self.inner.session().clone(),
        }
    }

    /// The hostname put in front of paths.
    #[wasm_bindgen(getter)]
    pub fn hostname(&self) -> String {
        self.inner.hostname().to_string()
    }

    /// Sign (and for POST encrypt) a request; `body` is the serialized payload.
    #[wasm_bindgen(js_name = prepareSync)]
    pub fn prepare_sync(
        &self,
        method: &str,
        path: &str,
        body: JsValue,
    ) -> Result<JsValue, JsValue> {
        let body = optional_bytes(&body, "body")?;
        Ok(prepared(
            self.inner
                .prepare(method, path, body.as_deref())
                .or_throw()?,
        ))
    }

    /// `prepareSync` as a promise.
    pub fn prepare(&self, method: &str, path: &str, body: JsValue) -> Promise {
        promised(self.prepare_sync(method, path, body))
    }

    /// Open an answer: status, the `authorization` header and the body text.
    #[wasm_bindgen(js_name = openSync)]
    pub fn open_sync(
        &self,
        status: u32,
        authorization: Option<String>,
        body: &str,
    ) -> Result<JsValue, JsValue> {
        let status = u16::try_from(status).unwrap_or(u16::MAX);
        let plaintext = self
            .inner
            .open(status, authorization.as_deref(), body)
            .or_throw()?;
        Ok(object(&[
            ("isJson", is_json(&plaintext).into()),
            ("plaintext", bytes(&plaintext)),
        ]))
    }

    /// `openSync` as a promise.
    pub fn open(&self, status: u32, authorization: Option<String>, body: &str) -> Promise {
        promised(self.open_sync(status, authorization, body))
    }
}

/// `{ pubkey, signature }` of a token.
#[wasm_bindgen(js_name = tokenParse)]
pub fn token_parse(encoded: &str) -> Result<JsValue, JsValue> {
    let token = Token::parse(encoded).or_throw()?;
    Ok(object(&[
        ("pubkey", bytes(token.signer_bytes())),
        ("signature", bytes(token.signature())),
    ]))
}

/// Whether `encoded` is a well-formed token.
#[wasm_bindgen(js_name = tokenCheck)]
pub fn token_check(encoded: &str) -> bool {
    Token::parse(encoded).is_ok()
}

/// A token of a public key (33 or 65 bytes) and a DER signature.
#[wasm_bindgen(js_name = tokenEncode)]
pub fn token_encode(pubkey: &[u8], signature: &[u8]) -> Result<String, JsValue> {
    let compressed;
    let pubkey: &[u8] = if pubkey.len() == PUBKEY_LEN {
        pubkey
    } else {
        compressed = PublicKey::from_bytes(pubkey).or_throw()?.to_bytes();
        &compressed
    };
    let mut raw = Vec::with_capacity(pubkey.len() + signature.len());
    raw.extend_from_slice(pubkey);
    raw.extend_from_slice(signature);
    Ok(Token::from_bytes(&raw).or_throw()?.encode())
}

/// The core's `signed_url`, as the addon's `signedUrl`: what a client sends and
/// signs for a URL. `origin` is the server's configured host (`null` for the URL's
/// own); `url` absolute, or a `/target` when `origin` is given.
#[wasm_bindgen(js_name = signedUrl)]
pub fn signed_url(origin: Option<String>, url: &str) -> Result<JsValue, JsValue> {
    let sent = crypto_sessions::http::signed_url(origin.as_deref(), url).or_throw()?;
    Ok(object(&[
        ("origin", JsValue::from_str(sent.origin.as_str())),
        ("target", sent.target.into()),
        ("signed", sent.signed.into()),
    ]))
}
