//! BIP-340 Schnorr signatures on the configured backend.
//!
//! k256 by default, libsecp256k1 with the `libsecp256k1` feature. As in v1, keys and
//! signatures are parsed by k256 on both backends (`lift_x`, `r < p`, `0 < s < n`), so
//! what is accepted does not depend on the backend; only the arithmetic does. Both
//! derive the nonce the BIP-340 way from `aux_rand`, so they produce byte-identical
//! signatures for the same inputs.

use k256::schnorr::{Signature, VerifyingKey};

use crate::keys::SecretKey;

/// Parse a 64-byte signature with BIP-340's range checks (k256's rules).
pub(crate) fn parse_signature(bytes: &[u8; 64]) -> Option<Signature> {
    Signature::try_from(&bytes[..]).ok()
}

#[cfg(not(feature = "libsecp256k1"))]
mod imp {
    use super::*;
    use k256::schnorr::SigningKey;

    pub(crate) struct SchnorrSigner(SigningKey);

    impl SchnorrSigner {
        pub(crate) fn new(secret: &SecretKey) -> Self {
            SchnorrSigner(
                SigningKey::from_bytes(secret.to_bytes().as_ref())
                    .expect("SecretKey holds a valid scalar"),
            )
        }

        pub(crate) fn xonly(&self) -> [u8; 32] {
            self.0.verifying_key().to_bytes().into()
        }

        pub(crate) fn sign(&self, msg: &[u8; 32], aux_rand: &[u8; 32]) -> [u8; 64] {
            self.0
                .sign_raw(msg, aux_rand)
                .expect("BIP-340 signing fails only with negligible probability")
                .to_bytes()
        }
    }

    /// A parsed x-only key, ready to verify.
    #[derive(Clone)]
    pub(crate) struct SchnorrVerifier(VerifyingKey);

    impl SchnorrVerifier {
        pub(crate) fn new(key: VerifyingKey) -> Self {
            SchnorrVerifier(key)
        }

        pub(crate) fn verify(&self, msg: &[u8; 32], sig: &[u8; 64]) -> bool {
            match parse_signature(sig) {
                Some(sig) => self.0.verify_raw(msg, &sig).is_ok(),
                None => false,
            }
        }
    }
}

#[cfg(feature = "libsecp256k1")]
mod imp {
    use super::*;
    use secp256k1::{schnorr, Keypair, XOnlyPublicKey, SECP256K1};

    pub(crate) struct SchnorrSigner(Keypair);

    impl Drop for SchnorrSigner {
        fn drop(&mut self) {
            self.0.non_secure_erase();
        }
    }

    impl SchnorrSigner {
        pub(crate) fn new(secret: &SecretKey) -> Self {
            SchnorrSigner(
                Keypair::from_seckey_slice(SECP256K1, secret.to_bytes().as_ref())
                    .expect("SecretKey holds a valid scalar"),
            )
        }

        pub(crate) fn xonly(&self) -> [u8; 32] {
            self.0.x_only_public_key().0.serialize()
        }

        pub(crate) fn sign(&self, msg: &[u8; 32], aux_rand: &[u8; 32]) -> [u8; 64] {
            SECP256K1
                .sign_schnorr_with_aux_rand(msg, &self.0, aux_rand)
                .to_byte_array()
        }
    }

    /// A parsed x-only key, ready to verify.
    #[derive(Clone)]
    pub(crate) struct SchnorrVerifier(XOnlyPublicKey);

    impl SchnorrVerifier {
        pub(crate) fn new(key: VerifyingKey) -> Self {
            let bytes: [u8; 32] = key.to_bytes().into();
            SchnorrVerifier(XOnlyPublicKey::from_slice(&bytes).expect("k256 validated the key"))
        }

        pub(crate) fn verify(&self, msg: &[u8; 32], sig: &[u8; 64]) -> bool {
            // k256 applies the range checks; libsecp256k1 does the arithmetic.
            if parse_signature(sig).is_none() {
                return false;
            }
            let sig = schnorr::Signature::from_byte_array(*sig);
            SECP256K1.verify_schnorr(&sig, msg, &self.0).is_ok()
        }
    }
}

pub(crate) use imp::{SchnorrSigner, SchnorrVerifier};

/// Parse an x-only key with BIP-340's `lift_x` (k256, on both backends).
pub(crate) fn lift_x(bytes: &[u8; 32]) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(bytes).ok()
}
