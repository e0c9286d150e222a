//! AES-256-CBC with PKCS#7 padding and a random IV, as v1 encrypts payloads.
//!
//! `data = base64url(IV || ciphertext)`. There is no MAC: integrity rests on the
//! signature over the plaintext (see `docs/PROTOCOL.md`).

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use aes::Aes256;
use rand_core::{OsRng, RngCore};

use crate::encoding::{b64url_decode, b64url_encode};
use crate::error::{Error, ErrorKind, Result};

/// Size of the IV that prefixes every ciphertext.
pub const IV_LEN: usize = 16;
const BLOCK: usize = 16;

/// An AES-256-CBC key with its expanded key schedule (zeroized on drop).
#[derive(Clone)]
pub struct Cipher {
    aes: Aes256,
}

impl Cipher {
    /// A cipher for a 32-byte key (v1 uses the ECDH x-coordinate directly).
    pub fn new(key: &[u8; 32]) -> Self {
        Cipher {
            aes: Aes256::new(key.into()),
        }
    }

    /// `IV || ciphertext` of `plaintext` under the given IV (public as
    /// [`crate::hazmat::encrypt_with_iv`]: a caller's IV is for test vectors only).
    pub(crate) fn encrypt_with_iv(&self, iv: &[u8; IV_LEN], plaintext: &[u8]) -> Vec<u8> {
        let enc = cbc::Encryptor::<Aes256>::inner_iv_init(self.aes.clone(), iv.into());
        let padded_len = (plaintext.len() / BLOCK + 1) * BLOCK;
        let mut out = vec![0u8; IV_LEN + padded_len];
        out[..IV_LEN].copy_from_slice(iv);
        let written = enc
            .encrypt_padded_b2b_mut::<Pkcs7>(plaintext, &mut out[IV_LEN..])
            .expect("output buffer is sized for PKCS#7 padding")
            .len();
        debug_assert_eq!(written, padded_len);
        out
    }

    /// `base64url(IV || ciphertext)` under a fresh random IV.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        let mut iv = [0u8; IV_LEN];
        OsRng.fill_bytes(&mut iv);
        b64url_encode(&self.encrypt_with_iv(&iv, plaintext))
    }

    /// Decrypt raw `IV || ciphertext`.
    pub fn decrypt_raw(&self, raw: &[u8]) -> Result<Vec<u8>> {
        // The IV is one block long: whole blocks follow it when the whole is whole blocks.
        if raw.len() < IV_LEN + BLOCK || raw.len() % BLOCK != 0 {
            return Err(Error::new(
                ErrorKind::DecryptFailed,
                format!(
                    "encrypted data is {} bytes: it must be a 16-byte IV and whole 16-byte blocks",
                    raw.len()
                ),
            ));
        }
        let (iv, ciphertext) = raw.split_at(IV_LEN);
        let iv: &[u8; IV_LEN] = iv.try_into().expect("split at IV_LEN");
        cbc::Decryptor::<Aes256>::inner_iv_init(self.aes.clone(), iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .map_err(|_| Error::new(ErrorKind::DecryptFailed, "bad padding after decryption"))
    }

    /// Decrypt `base64url(IV || ciphertext)`.
    pub fn decrypt(&self, data: &str) -> Result<Vec<u8>> {
        self.decrypt_raw(&b64url_decode(data, "encrypted data")?)
    }
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_length_around_a_block() {
        let c = Cipher::new(&[7u8; 32]);
        for n in 0..50 {
            let pt: Vec<u8> = (0..n as u8).collect();
            let data = c.encrypt(&pt);
            assert_eq!(c.decrypt(&data).unwrap(), pt);
        }
    }

    #[test]
    fn short_and_misaligned_input_is_a_decrypt_error() {
        let c = Cipher::new(&[7u8; 32]);
        for n in [0, 15, 16, 17, 31, 33] {
            let e = c.decrypt_raw(&vec![0u8; n]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::DecryptFailed, "{n}");
        }
    }
}
