//! Tokens: `base64url(pubkey33 || signature)`.

use crypto_sessions::token::PUBKEY_LEN;
use crypto_sessions::{PublicKey, Token};
use napi::bindgen_prelude::*;
use napi::Env;

use crate::error::OrThrow;

/// The two parts of a token.
#[napi(object)]
pub struct TokenParts {
    /// The signer's public key as carried (33 bytes, not yet checked).
    pub pubkey: Buffer,
    /// The signature bytes (DER, or 64-byte compact).
    pub signature: Buffer,
}

/// Split a token string into its public key and signature; malformed input throws.
#[napi]
pub fn token_parse(env: Env, encoded: String) -> Result<TokenParts> {
    let token = Token::parse(&encoded).or_throw(&env)?;
    Ok(TokenParts {
        pubkey: token.signer_bytes().to_vec().into(),
        signature: token.signature().to_vec().into(),
    })
}

/// Whether a string has the shape of a token.
#[napi]
pub fn token_check(encoded: String) -> bool {
    Token::parse(&encoded).is_ok()
}

/// The token string of a public key and a signature.
#[napi]
pub fn token_encode(
    env: Env,
    pubkey: Uint8ArraySlice,
    signature: Uint8ArraySlice,
) -> Result<String> {
    // A token carries the compressed key; a 65-byte key is compressed first.
    let compressed;
    let pubkey: &[u8] = if pubkey.len() == PUBKEY_LEN {
        &pubkey
    } else {
        compressed = PublicKey::from_bytes(&pubkey).or_throw(&env)?.to_bytes();
        &compressed
    };
    let mut raw = Vec::with_capacity(pubkey.len() + signature.len());
    raw.extend_from_slice(pubkey);
    raw.extend_from_slice(&signature);
    Ok(Token::from_bytes(&raw).or_throw(&env)?.encode())
}
