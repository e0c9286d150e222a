//! Operations that are safe only in a test: they take what the protocol otherwise
//! draws at random. Nothing in the protocol needs them; they reproduce test vectors.

use crate::cipher::{Cipher, IV_LEN};

/// `IV || ciphertext` of `plaintext` under a caller's IV: v1's encryption with a
/// chosen IV, to reproduce a vector. An IV used twice under one key shows which
/// plaintexts share a prefix; [`Cipher::encrypt`] draws a fresh one every time.
pub fn encrypt_with_iv(cipher: &Cipher, iv: &[u8; IV_LEN], plaintext: &[u8]) -> Vec<u8> {
    cipher.encrypt_with_iv(iv, plaintext)
}
