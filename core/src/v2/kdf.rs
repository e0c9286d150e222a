//! Key derivation: the conversation key of a key pair, and the one-message keys of a
//! request and of its answer (HKDF-SHA256, RFC 5869).

use std::fmt;

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::answer::ANSWER_HEADER_LEN;
use super::keys::{KeyPair, XOnlyKey};
use super::request::REQUEST_HEADER_LEN;

/// HKDF-Extract salt of the conversation key.
pub const CONVERSATION_SALT: &[u8] = b"crypto-session/v2";
/// HKDF-Expand info prefix of the request key.
pub const REQUEST_INFO: &[u8] = b"crypto-session/v2 request";
/// HKDF-Expand info prefix of the answer key.
pub const ANSWER_INFO: &[u8] = b"crypto-session/v2 answer";

/// `HKDF-Extract(salt = "crypto-session/v2", IKM = shared_x)`: secret, zeroized on
/// drop, never printed.
#[derive(Clone)]
pub struct ConversationKey(Zeroizing<[u8; 32]>);

impl ConversationKey {
    /// The conversation key of `own` and `peer` (ECDH, then HKDF-Extract).
    pub fn new(own: &KeyPair, peer: &XOnlyKey) -> Self {
        Self::from_shared_x(&own.shared_x(peer))
    }

    /// HKDF-Extract over a given `shared_x`.
    pub fn from_shared_x(shared_x: &[u8; 32]) -> Self {
        let (prk, _) = Hkdf::<Sha256>::extract(Some(CONVERSATION_SALT), shared_x);
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&prk);
        ConversationKey(key)
    }

    /// A conversation key given as its 32 bytes (an HKDF PRK).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        ConversationKey(Zeroizing::new(*bytes))
    }

    /// The 32 secret bytes (for test vectors and key export).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn expand(&self, info: &[&[u8]]) -> Zeroizing<[u8; 32]> {
        let hkdf = Hkdf::<Sha256>::from_prk(self.0.as_ref()).expect("a 32-byte PRK is valid");
        let mut okm = Zeroizing::new([0u8; 32]);
        hkdf.expand_multi_info(info, okm.as_mut())
            .expect("32 bytes is a valid HKDF output length");
        okm
    }

    /// `k_req = HKDF-Expand(ck, "crypto-session/v2 request" || request_header, 32)`.
    pub fn request_key(&self, request_header: &[u8; REQUEST_HEADER_LEN]) -> Zeroizing<[u8; 32]> {
        self.expand(&[REQUEST_INFO, request_header])
    }

    /// `k_ans = HKDF-Expand(ck, "crypto-session/v2 answer" || request_header || answer_header, 32)`.
    pub fn answer_key(
        &self,
        request_header: &[u8; REQUEST_HEADER_LEN],
        answer_header: &[u8; ANSWER_HEADER_LEN],
    ) -> Zeroizing<[u8; 32]> {
        self.expand(&[ANSWER_INFO, request_header, answer_header])
    }
}

impl fmt::Debug for ConversationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConversationKey(..)")
    }
}
