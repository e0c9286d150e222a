//! v2 keys: BIP-340 x-only public keys, key ids, and a signing key pair.
//!
//! The secret keys are v1's ([`SecretKey`]); the same secret is the same identity in
//! both versions.

use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::schnorr::{lift_x, SchnorrSigner, SchnorrVerifier};
use crate::backend::{Signer, Verifier};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{PublicKey, SecretKey};

/// Length of an x-only public key.
pub const XONLY_LEN: usize = 32;
/// Length of a key id.
pub const KID_LEN: usize = 8;

/// A key id: `sha256(P)[0..8]`.
pub type Kid = [u8; KID_LEN];

/// The key id of an x-only key.
pub fn kid(xonly: &[u8; XONLY_LEN]) -> Kid {
    let digest = Sha256::digest(xonly);
    let mut out = [0u8; KID_LEN];
    out.copy_from_slice(&digest[..KID_LEN]);
    out
}

/// A BIP-340 x-only public key that `lift_x` accepts.
#[derive(Clone)]
pub struct XOnlyKey {
    bytes: [u8; XONLY_LEN],
    verifier: SchnorrVerifier,
}

impl XOnlyKey {
    /// Parse 32 bytes; fails unless they are the x-coordinate of a curve point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; XONLY_LEN] = bytes.try_into().map_err(|_| {
            Error::new(
                ErrorKind::InvalidKey,
                format!("x-only key must be 32 bytes, got {}", bytes.len()),
            )
        })?;
        let point = lift_x(&bytes).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidKey,
                "x-only key is not the x-coordinate of a point on secp256k1",
            )
        })?;
        Ok(XOnlyKey {
            bytes,
            verifier: SchnorrVerifier::new(point),
        })
    }

    /// Parse 64 hex characters (surrounding whitespace is ignored).
    pub fn from_hex(text: &str) -> Result<Self> {
        let text = text.trim();
        let mut bytes = [0u8; XONLY_LEN];
        if text.len() != 2 * XONLY_LEN || hex::decode_to_slice(text, &mut bytes).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                "x-only key must be 64 hex characters",
            ));
        }
        Self::from_bytes(&bytes)
    }

    /// The x-only form of a v1 (SEC1) public key: its x-coordinate.
    pub fn from_public_key(key: &PublicKey) -> Self {
        Self::from_bytes(&key.as_bytes()[1..]).expect("a valid point's x lifts")
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; XONLY_LEN] {
        &self.bytes
    }

    /// The key as 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// The key id that names this key in request tokens.
    pub fn kid(&self) -> Kid {
        kid(&self.bytes)
    }

    /// Verify a BIP-340 signature over a 32-byte message.
    pub fn verify(&self, msg: &[u8; 32], signature: &[u8; 64]) -> bool {
        self.verifier.verify(msg, signature)
    }

    /// `lift_x(P)` as a SEC1 key: the point with even y.
    fn lifted(&self) -> PublicKey {
        let mut sec1 = [2u8; 33];
        sec1[1..].copy_from_slice(&self.bytes);
        PublicKey::from_bytes(&sec1).expect("validated by lift_x")
    }
}

impl PartialEq for XOnlyKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for XOnlyKey {}

impl std::hash::Hash for XOnlyKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state)
    }
}

impl fmt::Debug for XOnlyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XOnlyKey({})", self.to_hex())
    }
}

impl fmt::Display for XOnlyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A secret key with what v2 derives from it: its x-only key, its key id, a Schnorr
/// signer and an ECDH signer. `Debug` shows the public key only.
pub struct KeyPair {
    public: XOnlyKey,
    kid: Kid,
    schnorr: SchnorrSigner,
    ecdh: Signer,
}

impl KeyPair {
    /// Derive everything from a secret key.
    pub fn new(secret: &SecretKey) -> Self {
        let schnorr = SchnorrSigner::new(secret);
        let public = XOnlyKey::from_bytes(&schnorr.xonly()).expect("d·G lifts");
        KeyPair {
            kid: public.kid(),
            public,
            schnorr,
            ecdh: Signer::new(secret),
        }
    }

    /// The x-only public key.
    pub fn public_key(&self) -> &XOnlyKey {
        &self.public
    }

    /// The key id.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// BIP-340 `sign(d, msg, aux_rand)`.
    pub fn sign(&self, msg: &[u8; 32], aux_rand: &[u8; 32]) -> [u8; 64] {
        self.schnorr.sign(msg, aux_rand)
    }

    /// `shared_x = x(d · lift_x(P))`.
    pub fn shared_x(&self, peer: &XOnlyKey) -> Zeroizing<[u8; 32]> {
        self.ecdh.ecdh_x(&Verifier::new(&peer.lifted()))
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_key", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_only_parsing_rejects_non_points_and_bad_lengths() {
        // x = 5: 5^3 + 7 = 132 is not a square mod p.
        let mut five = [0u8; 32];
        five[31] = 5;
        assert!(XOnlyKey::from_bytes(&five).is_err());
        assert!(XOnlyKey::from_bytes(&[1u8; 31]).is_err());
        assert!(XOnlyKey::from_bytes(&[0xff; 32]).is_err(), "x >= p");
        assert!(XOnlyKey::from_hex("zz").is_err());
    }

    #[test]
    fn both_parities_share_the_x_only_key_and_the_shared_x() {
        let a = SecretKey::generate();
        let b = SecretKey::generate();
        let (ka, kb) = (KeyPair::new(&a), KeyPair::new(&b));
        assert_eq!(ka.public_key(), &XOnlyKey::from_public_key(&a.public_key()));
        assert_eq!(
            ka.shared_x(kb.public_key()).as_ref(),
            kb.shared_x(ka.public_key()).as_ref()
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = SecretKey::from_hex(&"22".repeat(32)).unwrap();
        let shown = format!("{:?}", KeyPair::new(&secret));
        assert!(!shown.contains(&"22".repeat(32)));
        assert!(shown.contains(&KeyPair::new(&secret).public_key().to_hex()));
    }
}
