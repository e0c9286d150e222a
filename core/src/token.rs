//! The token: `base64url(signer pubkey (33 bytes) || signature)`, and the signature rules.

use k256::ecdsa::Signature;
use sha2::{Digest, Sha256};

use crate::backend::Verifier;
use crate::encoding::{b64url_decode, b64url_encode};
use crate::error::{malformed, Error, ErrorKind, Result};
use crate::keys::PublicKey;

/// Length of the signer's compressed public key at the start of a token.
pub const PUBKEY_LEN: usize = 33;
/// Longest signature a token may carry (a DER signature is at most 72 bytes).
pub const MAX_SIGNATURE_LEN: usize = 72;
/// Longest token string: base64url of 33 + 72 bytes.
pub const MAX_TOKEN_LEN: usize = (PUBKEY_LEN + MAX_SIGNATURE_LEN).div_ceil(3) * 4;

/// SHA-256 of the serialized payload: the value v1 signs.
pub fn digest(message: &[u8]) -> [u8; 32] {
    Sha256::digest(message).into()
}

/// How a signature v1 accepts was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    /// ASN.1 DER (what the reference sends).
    Der,
    /// 64 bytes `r || s`.
    Compact,
}

/// A signature as v1 accepts it: how it was written, and its `r || s` (low-S).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedSignature {
    /// DER or compact.
    pub format: SignatureFormat,
    /// The scalars `r` then `s`, 32 bytes each, big-endian.
    pub r_s: [u8; 64],
}

/// Parse a signature as v1 accepts it: DER first, then 64-byte compact `r || s`;
/// a high-S signature is rejected.
pub fn parse_signature(bytes: &[u8]) -> Result<ParsedSignature> {
    let (format, sig) = read_signature(bytes)?;
    Ok(ParsedSignature {
        format,
        r_s: sig.to_bytes().into(),
    })
}

/// [`parse_signature`], to the backend's signature type.
pub(crate) fn read_signature(bytes: &[u8]) -> Result<(SignatureFormat, Signature)> {
    let (format, sig) = Signature::from_der(bytes)
        .map(|sig| (SignatureFormat::Der, sig))
        .or_else(|_| {
            if bytes.len() == 64 {
                Signature::from_slice(bytes).map(|sig| (SignatureFormat::Compact, sig))
            } else {
                Err(k256::ecdsa::Error::new())
            }
        })
        .map_err(|_| {
            Error::new(
                ErrorKind::InvalidSignature,
                format!(
                    "not a DER or 64-byte compact signature ({} bytes)",
                    bytes.len()
                ),
            )
        })?;
    if sig.normalize_s().is_some() {
        return Err(Error::new(
            ErrorKind::InvalidSignature,
            "high-S signature (v1 accepts low-S only)",
        ));
    }
    Ok((format, sig))
}

/// Verify that `token` was issued by `peer` over `message`, with the public key
/// alone: no secret key and no ECDH.
pub fn verify(peer: &PublicKey, token: &Token, message: &[u8]) -> Result<()> {
    verify_signed_by(peer, &Verifier::new(peer), token, &digest(message))
}

/// Check the token's signer is `peer`, then its signature over `digest`.
pub(crate) fn verify_signed_by(
    peer: &PublicKey,
    verifier: &Verifier,
    token: &Token,
    digest: &[u8; 32],
) -> Result<()> {
    if !token.is_signed_by(peer) {
        return Err(Error::new(
            ErrorKind::WrongPeer,
            format!(
                "token signed by {}, expected the peer {}",
                hex::encode(token.signer_bytes()),
                peer.to_hex()
            ),
        ));
    }
    verify_digest(verifier, digest, token.signature())
}

/// Verify a signature (DER or compact, low-S) over a digest.
fn verify_digest(key: &Verifier, digest: &[u8; 32], signature: &[u8]) -> Result<()> {
    let (_, sig) = read_signature(signature)?;
    if key.verify_digest(digest, &sig) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidSignature,
            "the signature does not verify over the payload",
        ))
    }
}

/// A parsed token: who signed, and the signature bytes.
///
/// Parsing checks the shape only; the signer's key is checked against the session
/// peer and the signature is verified by [`crate::Session::verify`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token {
    signer: [u8; PUBKEY_LEN],
    signature: Vec<u8>,
}

impl Token {
    /// A token from a signer's key and a signature.
    pub fn new(signer: &PublicKey, signature: Vec<u8>) -> Self {
        Token {
            signer: signer.to_bytes(),
            signature,
        }
    }

    /// Parse the raw bytes `pubkey33 || signature`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() <= PUBKEY_LEN {
            return Err(malformed(format!(
                "token is {} bytes: it needs a 33-byte public key and a signature",
                bytes.len()
            )));
        }
        if bytes.len() > PUBKEY_LEN + MAX_SIGNATURE_LEN {
            return Err(malformed(format!(
                "token is {} bytes: longer than a public key and a DER signature",
                bytes.len()
            )));
        }
        let mut signer = [0u8; PUBKEY_LEN];
        signer.copy_from_slice(&bytes[..PUBKEY_LEN]);
        Ok(Token {
            signer,
            signature: bytes[PUBKEY_LEN..].to_vec(),
        })
    }

    /// Parse the base64url string a client or server sends.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_TOKEN_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "token is {} characters, the limit is {MAX_TOKEN_LEN}",
                    text.len()
                ),
            ));
        }
        Self::from_bytes(&b64url_decode(text, "token")?)
    }

    /// The base64url string (no padding).
    pub fn encode(&self) -> String {
        b64url_encode(&self.to_bytes())
    }

    /// `pubkey33 || signature`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PUBKEY_LEN + self.signature.len());
        out.extend_from_slice(&self.signer);
        out.extend_from_slice(&self.signature);
        out
    }

    /// The signer's public key as carried in the token (not yet validated).
    pub fn signer_bytes(&self) -> &[u8; PUBKEY_LEN] {
        &self.signer
    }

    /// The signer's public key, checked to be a point on the curve.
    pub fn signer(&self) -> Result<PublicKey> {
        PublicKey::from_bytes(&self.signer)
    }

    /// The signature bytes (DER, or 64-byte compact from other implementations).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Whether the token was issued by this public key.
    pub fn is_signed_by(&self, key: &PublicKey) -> bool {
        &self.signer == key.as_bytes()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("signer", &hex::encode(self.signer))
            .field("signature", &hex::encode(&self.signature))
            .finish()
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}

impl std::str::FromStr for Token {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Token::parse(s)
    }
}
