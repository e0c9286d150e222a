//! A session: (peer public key, own secret key), with everything derived from them.

use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::backend::{Signer, Verifier};
use crate::cipher::Cipher;
use crate::encoding::b64url_decode;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{PublicKey, SecretKey};
use crate::token::{digest, verify_signed_by, Token};

/// Our own key pair, prepared for signing. Cloning shares it: a server's cached
/// sessions hold one copy of its secret between them, not one each.
#[derive(Clone)]
pub(crate) struct Identity(Arc<IdentityInner>);

struct IdentityInner {
    signer: Signer,
    // Derived on first use: decoding never needs it, so a session built to read one
    // message from a new peer skips a scalar multiplication (issue 7).
    public: OnceLock<PublicKey>,
}

impl Identity {
    /// An identity with its public key derived now (a server's, shared by every
    /// session it makes).
    pub(crate) fn new(secret: &SecretKey) -> Self {
        let identity = Self::deferred(secret);
        identity.public();
        identity
    }

    /// An identity whose public key is derived when first asked for.
    pub(crate) fn deferred(secret: &SecretKey) -> Self {
        Identity(Arc::new(IdentityInner {
            signer: Signer::new(secret),
            public: OnceLock::new(),
        }))
    }

    pub(crate) fn public(&self) -> &PublicKey {
        self.0.public.get_or_init(|| self.0.signer.public_key())
    }

    fn signer(&self) -> &Signer {
        &self.0.signer
    }

    #[cfg(test)]
    pub(crate) fn shares_secret_with(&self, other: &Identity) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The result of [`Session::encode`]: the token to send in `authorization` and the
/// encrypted data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// Our public key and the signature over the plaintext.
    pub token: Token,
    /// `base64url(IV || AES-256-CBC(plaintext))`.
    pub data: String,
}

/// The result of [`Session::decode_unchecked`]: the decrypted bytes and whether the
/// signature holds, as the reference's `decode` reports them. `Debug` shows the
/// length of the bytes, never the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decrypted bytes (untrusted unless `is_valid`).
    pub bytes: Vec<u8>,
    /// Whether the token's signer is the peer and the signature holds.
    pub is_valid: bool,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("is_valid", &self.is_valid)
            .finish()
    }
}

/// One side of an end-to-end session with a peer.
///
/// The peer's verifying key is prepared when the session is built; the ECDH and the
/// AES key schedule are done once, on first use (encrypting or decrypting), so a
/// session that only verifies signatures never pays for them. A session is
/// immutable and can be shared between threads.
#[derive(Clone)]
pub struct Session {
    inner: Arc<SessionInner>,
}

struct SessionInner {
    identity: Identity,
    peer: PublicKey,
    peer_verifier: Verifier,
    shared: OnceLock<SharedKey>,
}

/// The ECDH x-coordinate and its AES key schedule.
struct SharedKey {
    secret: Zeroizing<[u8; 32]>,
    cipher: Cipher,
}

impl Session {
    /// A session with `peer`, using our `secret`.
    pub fn new(peer: &PublicKey, secret: &SecretKey) -> Self {
        Self::with_identity(&Identity::deferred(secret), peer)
    }

    pub(crate) fn with_identity(identity: &Identity, peer: &PublicKey) -> Self {
        Session {
            inner: Arc::new(SessionInner {
                identity: identity.clone(),
                peer: peer.clone(),
                peer_verifier: Verifier::new(peer),
                shared: OnceLock::new(),
            }),
        }
    }

    fn shared(&self) -> &SharedKey {
        let inner = &self.inner;
        inner.shared.get_or_init(|| {
            let secret = inner.identity.signer().ecdh_x(&inner.peer_verifier);
            SharedKey {
                cipher: Cipher::new(&secret),
                secret,
            }
        })
    }

    #[cfg(test)]
    pub(crate) fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    /// The peer's public key.
    pub fn peer(&self) -> &PublicKey {
        &self.inner.peer
    }

    /// Our own public key.
    pub fn public_key(&self) -> &PublicKey {
        self.inner.identity.public()
    }

    /// The ECDH shared secret: the x-coordinate, used directly as the AES-256 key.
    pub fn shared_secret(&self) -> &[u8; 32] {
        &self.shared().secret
    }

    /// SHA-256 of the shared secret.
    pub fn shared_hash(&self) -> [u8; 32] {
        Sha256::digest(self.shared_secret()).into()
    }

    /// Whether the peer is `key`.
    pub fn is_with(&self, key: &PublicKey) -> bool {
        &self.inner.peer == key
    }

    /// DER signature over SHA-256(`message`) with our key (deterministic, low-S).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.inner.identity.signer().sign_digest(&digest(message))
    }

    /// A token for `message`: our public key and our signature.
    pub fn token_for(&self, message: &[u8]) -> Token {
        Token::new(self.public_key(), self.sign(message))
    }

    /// Check that `token` was issued by the peer over `message`.
    pub fn verify(&self, token: &Token, message: &[u8]) -> Result<()> {
        self.verify_digest(token, &digest(message))
    }

    /// [`Session::verify`] of a token string, under the verify-to-`false` policy of
    /// every `verify` API ([`crate::error::verdict`]): `Ok(false)` when the
    /// signature does not hold or is another key's, an error when the token is not
    /// a token.
    pub fn check(&self, token: &str, message: &[u8]) -> Result<bool> {
        let token = Token::parse(token)?;
        crate::error::verdict(self.verify(&token, message))
    }

    pub(crate) fn verify_digest(&self, token: &Token, digest: &[u8; 32]) -> Result<()> {
        verify_signed_by(&self.inner.peer, &self.inner.peer_verifier, token, digest)
    }

    /// `base64url(IV || ciphertext)` of `plaintext` under the shared key, random IV.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        self.shared().cipher.encrypt(plaintext)
    }

    /// Decrypt `base64url(IV || ciphertext)` under the shared key.
    pub fn decrypt(&self, data: &str) -> Result<Vec<u8>> {
        self.shared().cipher.decrypt(data)
    }

    /// The cipher of the shared key (to encrypt with a chosen IV).
    pub fn cipher(&self) -> &Cipher {
        &self.shared().cipher
    }

    /// Sign and encrypt `payload` (already serialized, see [`crate::payload`]).
    pub fn encode(&self, payload: &[u8]) -> Encoded {
        Encoded {
            token: self.token_for(payload),
            data: self.encrypt(payload),
        }
    }

    /// Decrypt `data` and verify `token` over the plaintext; the plaintext, or why not.
    ///
    /// The steps and their errors follow the reference: `data` empty or not base64url
    /// is [`ErrorKind::MalformedInput`]; a decryption failure is
    /// [`ErrorKind::DecryptFailed`]; a token that is unreadable or whose signature
    /// does not hold is [`ErrorKind::InvalidSignature`]; a token from another key is
    /// [`ErrorKind::WrongPeer`].
    ///
    /// A decryption failure still costs a signature check, so that a server does
    /// not tell a bad padding from a bad signature by its timing (CBC padding oracle).
    pub fn decode(&self, token: &str, data: &str) -> Result<Vec<u8>> {
        self.decode_token(Token::parse(token).as_ref(), data)
    }

    /// [`Session::decode`] with a token already parsed (or the error of parsing it).
    pub(crate) fn decode_token(
        &self,
        token: std::result::Result<&Token, &Error>,
        data: &str,
    ) -> Result<Vec<u8>> {
        let raw = b64url_decode(data, "encrypted data")?;
        match self.shared().cipher.decrypt_raw(&raw) {
            Ok(plaintext) => {
                let token = token.map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidSignature,
                        format!("token: {}", e.detail()),
                    )
                })?;
                self.verify(token, &plaintext)?;
                Ok(plaintext)
            }
            Err(err) => {
                if let Ok(token) = token {
                    let _ = std::hint::black_box(self.verify(token, &raw));
                }
                Err(err)
            }
        }
    }

    /// The reference's `decode`: the decrypted bytes and a validity flag.
    ///
    /// Malformed data and decryption failures are errors, as they throw in the
    /// reference; a bad or foreign signature is `is_valid: false`.
    pub fn decode_unchecked(&self, token: &str, data: &str) -> Result<Decoded> {
        let bytes = self.decrypt(data)?;
        let is_valid = Token::parse(token)
            .and_then(|t| self.verify(&t, &bytes))
            .is_ok();
        Ok(Decoded { bytes, is_valid })
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("peer", &self.inner.peer)
            .field("public_key", self.inner.identity.public())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Session, Session) {
        let (a, b) = (SecretKey::generate(), SecretKey::generate());
        (
            Session::new(&b.public_key(), &a),
            Session::new(&a.public_key(), &b),
        )
    }

    #[test]
    fn mirrored_sessions_share_a_key_and_round_trip() {
        let (alice, bob) = pair();
        assert_eq!(alice.shared_secret(), bob.shared_secret());
        let enc = alice.encode(b"hello");
        assert_eq!(
            bob.decode(&enc.token.encode(), &enc.data).unwrap(),
            b"hello"
        );
        let d = bob
            .decode_unchecked(&enc.token.encode(), &enc.data)
            .unwrap();
        assert!(d.is_valid);
    }

    #[test]
    fn the_deferred_public_key_is_the_secret_keys() {
        for _ in 0..8 {
            let (secret, peer) = (SecretKey::generate(), SecretKey::generate());
            let session = Session::new(&peer.public_key(), &secret);
            // Decoding first (no public key needed), then asking for it.
            let mirror = Session::new(&secret.public_key(), &peer);
            let sent = mirror.encode(b"x");
            assert_eq!(
                session.decode(&sent.token.encode(), &sent.data).unwrap(),
                b"x"
            );
            assert_eq!(session.public_key(), &secret.public_key());
            assert_eq!(Identity::new(&secret).public(), &secret.public_key());
            assert!(session.token_for(b"y").is_signed_by(&secret.public_key()));
        }
    }

    #[test]
    fn a_token_from_a_third_key_is_wrong_peer() {
        let (alice, bob) = pair();
        let mallory = SecretKey::generate();
        let enc = alice.encode(b"x");
        let forged = Token::new(
            &mallory.public_key(),
            Session::new(bob.public_key(), &mallory).sign(b"x"),
        );
        let e = bob.decode(&forged.encode(), &enc.data).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WrongPeer);
        assert!(
            !bob.decode_unchecked(&forged.encode(), &enc.data)
                .unwrap()
                .is_valid
        );
    }

    /// The padding-oracle guard: a decryption failure still costs exactly one
    /// signature check, as a success does, so that a bad padding and a bad signature
    /// take the same work. Counted (calls to the verifier), never timed.
    #[test]
    fn a_decryption_failure_still_runs_the_signature_check() {
        use crate::backend::verify_count;
        use crate::encoding::b64url_encode;

        let (alice, bob) = pair();
        let sent = alice.encode(b"hello");
        let token = sent.token.encode();
        let verifications = |f: &dyn Fn() -> Result<Vec<u8>>| {
            let before = verify_count::get();
            let out = f();
            (out, verify_count::get() - before)
        };

        let (ok, n) = verifications(&|| bob.decode(&token, &sent.data));
        assert_eq!((ok.unwrap(), n), (b"hello".to_vec(), 1));

        // IV || one block whose plaintext ends in 0x00: never valid PKCS#7 padding.
        let raw = bob.cipher().encrypt_with_iv(&[9u8; 16], &[0u8; 16]);
        let bad_padding = b64url_encode(&raw[..32]);
        let (err, n) = verifications(&|| bob.decode(&token, &bad_padding));
        assert_eq!(err.unwrap_err().kind(), ErrorKind::DecryptFailed);
        assert_eq!(n, 1, "a padding failure must still check the signature");

        // Whole blocks of the wrong length fail before padding, and still check it.
        let (err, n) = verifications(&|| bob.decode(&token, &b64url_encode(&[0u8; 17])));
        assert_eq!(err.unwrap_err().kind(), ErrorKind::DecryptFailed);
        assert_eq!(n, 1);

        // A bad padding with a token from another key: still one check, same error.
        let mallory = Session::new(alice.public_key(), &SecretKey::generate());
        let foreign = mallory.token_for(b"hello").encode();
        let (err, n) = verifications(&|| bob.decode(&foreign, &bad_padding));
        assert_eq!(err.unwrap_err().kind(), ErrorKind::DecryptFailed);
        assert_eq!(
            n, 0,
            "another key's token is refused before any verification"
        );
    }

    #[test]
    fn debug_shows_no_secret_material() {
        let (alice, _) = pair();
        let shown = format!("{alice:?}");
        assert!(!shown.contains(&hex::encode(alice.shared_secret())));
    }
}
