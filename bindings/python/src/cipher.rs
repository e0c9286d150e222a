//! `Cipher`: the session cipher (AES-256-CBC, random IV) on its own.

use crypto_sessions::b64url_encode;
use crypto_sessions::cipher::IV_LEN;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{bytes_arg, detach_if_large, payload_bytes, text_str};
use crate::errors::to_py;

/// AES-256-CBC with PKCS#7 padding as v1 encrypts payloads: ``Cipher(key)`` with a
/// 32-byte key (a session's ``shared_secret``). Data is ``base64url(IV || ciphertext)``.
/// There is no MAC: only use it with a signature over the plaintext.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct Cipher {
    inner: crypto_sessions::cipher::Cipher,
}

#[pymethods]
impl Cipher {
    #[new]
    fn new(key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = bytes_arg(key, "key")?;
        let key: &[u8; 32] = key[..].try_into().map_err(|_| {
            PyValueError::new_err(format!("key must be 32 bytes, got {}", key.len()))
        })?;
        Ok(Cipher {
            inner: crypto_sessions::cipher::Cipher::new(key),
        })
    }

    /// Encrypt ``plaintext`` (``str``, ``bytes`` or JSON-serializable) under a fresh
    /// random IV, or under ``iv`` (16 bytes; for test vectors only: never reuse one).
    #[pyo3(signature = (plaintext, iv=None))]
    fn encrypt(
        &self,
        py: Python<'_>,
        plaintext: &Bound<'_, PyAny>,
        iv: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let plaintext = payload_bytes(plaintext)?;
        let cipher = &self.inner;
        match iv {
            None => Ok(detach_if_large(py, plaintext.len(), || {
                cipher.encrypt(&plaintext)
            })),
            Some(iv) => {
                let iv = bytes_arg(iv, "iv")?;
                let iv: &[u8; IV_LEN] = iv[..].try_into().map_err(|_| {
                    PyValueError::new_err(format!("iv must be {IV_LEN} bytes, got {}", iv.len()))
                })?;
                Ok(detach_if_large(py, plaintext.len(), || {
                    b64url_encode(&crypto_sessions::hazmat::encrypt_with_iv(
                        cipher, iv, &plaintext,
                    ))
                }))
            }
        }
    }

    /// Decrypt ``base64url(IV || ciphertext)`` to bytes.
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let data = text_str(data, "data")?;
        let cipher = &self.inner;
        let plaintext = detach_if_large(py, data.len(), || cipher.decrypt(&data)).map_err(to_py)?;
        Ok(PyBytes::new(py, &plaintext))
    }

    fn __repr__(&self) -> &'static str {
        "Cipher(<AES-256 key hidden>)"
    }
}
