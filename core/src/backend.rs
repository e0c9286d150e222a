//! The elliptic-curve arithmetic behind signing, verification and ECDH.
//!
//! k256 (pure Rust) by default; libsecp256k1 with the `libsecp256k1` feature. Keys and
//! signatures are always parsed by k256, so what is accepted does not depend on the
//! backend; only the arithmetic does.

use k256::ecdsa::Signature;
use zeroize::Zeroizing;

use crate::keys::{PublicKey, SecretKey};

/// Which backend this build uses ("k256" or "libsecp256k1").
pub const BACKEND: &str = if cfg!(feature = "libsecp256k1") {
    "libsecp256k1"
} else {
    "k256"
};

#[cfg(not(feature = "libsecp256k1"))]
mod imp {
    use super::*;
    use k256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use k256::ecdsa::{SigningKey, VerifyingKey};

    #[derive(Clone)]
    pub(crate) struct Signer(SigningKey);

    impl Signer {
        pub(crate) fn new(secret: &SecretKey) -> Self {
            Signer(SigningKey::from(secret.as_k256()))
        }

        /// Our public key: `SigningKey` derived it already.
        pub(crate) fn public_key(&self) -> PublicKey {
            PublicKey::from_k256(k256::PublicKey::from(self.0.verifying_key()))
        }

        pub(crate) fn sign_digest(&self, digest: &[u8; 32]) -> Vec<u8> {
            let sig: Signature = self
                .0
                .sign_prehash(digest)
                .expect("a 32-byte prehash is always accepted");
            let sig = sig.normalize_s().unwrap_or(sig);
            sig.to_der().as_bytes().to_vec()
        }

        pub(crate) fn ecdh_x(&self, peer: &Verifier) -> Zeroizing<[u8; 32]> {
            #[cfg(test)]
            super::ecdh_count::bump();
            let shared = k256::ecdh::diffie_hellman(self.0.as_nonzero_scalar(), peer.0.as_affine());
            let mut x = Zeroizing::new([0u8; 32]);
            x.copy_from_slice(shared.raw_secret_bytes());
            x
        }
    }

    #[derive(Clone)]
    pub(crate) struct Verifier(VerifyingKey);

    impl Verifier {
        pub(crate) fn new(key: &PublicKey) -> Self {
            Verifier(VerifyingKey::from(key.as_k256()))
        }

        pub(crate) fn verify_digest(&self, digest: &[u8; 32], sig: &Signature) -> bool {
            #[cfg(test)]
            super::verify_count::bump();
            self.0.verify_prehash(digest, sig).is_ok()
        }
    }
}

#[cfg(feature = "libsecp256k1")]
mod imp {
    use super::*;
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    use secp256k1::{ecdsa, Message, SECP256K1};

    pub(crate) struct Signer(secp256k1::SecretKey);

    impl Clone for Signer {
        fn clone(&self) -> Self {
            Signer(self.0)
        }
    }

    impl Drop for Signer {
        fn drop(&mut self) {
            self.0.non_secure_erase();
        }
    }

    impl Signer {
        pub(crate) fn new(secret: &SecretKey) -> Self {
            let bytes = secret.to_bytes();
            Signer(
                secp256k1::SecretKey::from_slice(bytes.as_ref())
                    .expect("k256 validated the scalar"),
            )
        }

        /// Our public key, multiplied out by libsecp256k1 (about twice as fast as
        /// k256's), handed to k256 uncompressed so that it need not decompress it.
        pub(crate) fn public_key(&self) -> PublicKey {
            let point = secp256k1::PublicKey::from_secret_key(SECP256K1, &self.0);
            PublicKey::from_bytes(&point.serialize_uncompressed())
                .expect("libsecp256k1 returns a valid point")
        }

        pub(crate) fn sign_digest(&self, digest: &[u8; 32]) -> Vec<u8> {
            // libsecp256k1 signs with the RFC 6979 nonce and always returns low-S.
            let sig = SECP256K1.sign_ecdsa(&Message::from_digest(*digest), &self.0);
            sig.serialize_der().to_vec()
        }

        pub(crate) fn ecdh_x(&self, peer: &Verifier) -> Zeroizing<[u8; 32]> {
            #[cfg(test)]
            super::ecdh_count::bump();
            let point = Zeroizing::new(secp256k1::ecdh::shared_secret_point(&peer.0, &self.0));
            let mut x = Zeroizing::new([0u8; 32]);
            x.copy_from_slice(&point[..32]);
            x
        }
    }

    #[derive(Clone)]
    pub(crate) struct Verifier(secp256k1::PublicKey);

    impl Verifier {
        pub(crate) fn new(key: &PublicKey) -> Self {
            // k256 decompressed the point already: the uncompressed encoding spares
            // libsecp256k1 a second square root (issue 7: a new peer's cost).
            let point = key.as_k256().to_encoded_point(false);
            Verifier(
                secp256k1::PublicKey::from_slice(point.as_bytes())
                    .expect("k256 validated the point"),
            )
        }

        pub(crate) fn verify_digest(&self, digest: &[u8; 32], sig: &Signature) -> bool {
            #[cfg(test)]
            super::verify_count::bump();
            // The signature was parsed (and checked low-S) by k256; hand over r || s.
            match ecdsa::Signature::from_compact(&sig.to_bytes()) {
                Ok(sig) => SECP256K1
                    .verify_ecdsa(&Message::from_digest(*digest), &sig, &self.0)
                    .is_ok(),
                Err(_) => false,
            }
        }
    }
}

pub(crate) use imp::{Signer, Verifier};

/// A per-thread call counter (tests only): proves which paths run an operation by
/// counting the calls rather than timing them.
#[cfg(test)]
macro_rules! call_counter {
    ($name:ident, $what:literal) => {
        #[doc = concat!("How many ", $what, " this thread ran (tests only).")]
        pub(crate) mod $name {
            use std::cell::Cell;

            thread_local!(static CALLS: Cell<usize> = const { Cell::new(0) });

            pub(crate) fn bump() {
                CALLS.with(|c| c.set(c.get() + 1));
            }

            pub(crate) fn get() -> usize {
                CALLS.with(Cell::get)
            }
        }
    };
}

#[cfg(test)]
call_counter!(ecdh_count, "ECDH multiplications");
#[cfg(test)]
call_counter!(verify_count, "signature verifications");
