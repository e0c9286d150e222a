//! `CryptoSession`: one side of an end-to-end session with a peer.

use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::payload::revive;
use crypto_sessions::{Session, Token};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{detach_if_large, key_bytes, payload_bytes, text_str, value_to_py, Text};
use crate::errors::to_py;

/// A session between your secret key and a peer's public key.
///
/// ``CryptoSession(peer_pubkey, secret_key)``: keys as hex ``str`` or ``bytes``.
/// Both peers build the mirror session; what one encodes, the other decodes.
/// Immutable and safe to share between threads; the GIL is released while the
/// cryptography runs.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct CryptoSession {
    pub(crate) inner: Session,
}

impl CryptoSession {
    pub(crate) fn wrap(inner: Session) -> Self {
        CryptoSession { inner }
    }
}

fn token_str(obj: &Bound<'_, PyAny>) -> PyResult<Text> {
    text_str(obj, "token")
}

fn data_str(obj: &Bound<'_, PyAny>) -> PyResult<Text> {
    text_str(obj, "data")
}

#[pymethods]
impl CryptoSession {
    #[new]
    fn new(peer_pubkey: &Bound<'_, PyAny>, secret_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let peer =
            public_key_from_any(&key_bytes(peer_pubkey, "peer public key")?).map_err(to_py)?;
        let secret = secret_key_from_any(&key_bytes(secret_key, "secret key")?).map_err(to_py)?;
        let py = peer_pubkey.py();
        Ok(CryptoSession {
            inner: py.detach(|| Session::new(&peer, &secret)),
        })
    }

    /// Your own public key (66 hex characters, compressed).
    #[getter]
    fn pubkey(&self) -> String {
        self.inner.public_key().to_hex()
    }

    /// The peer's public key (66 hex characters, compressed).
    #[getter]
    fn peer_pubkey(&self) -> String {
        self.inner.peer().to_hex()
    }

    /// The ECDH shared secret (32 bytes; the AES-256 key). Keep it secret.
    #[getter]
    fn shared_secret<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.shared_secret())
    }

    /// SHA-256 of the shared secret (32 bytes).
    #[getter]
    fn shared_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.shared_hash())
    }

    /// Whether the peer is ``key`` (hex ``str`` or ``bytes``).
    fn is_with(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        let key = public_key_from_any(&key_bytes(key, "public key")?).map_err(to_py)?;
        Ok(self.inner.is_with(&key))
    }

    /// Sign and encrypt ``payload`` (``str``, ``bytes`` or a JSON-serializable value):
    /// an ``Encoded`` with the ``token`` to send as ``authorization`` and the ``data``.
    fn encode(&self, py: Python<'_>, payload: &Bound<'_, PyAny>) -> PyResult<Encoded> {
        let bytes = payload_bytes(payload)?;
        let session = &self.inner;
        let encoded = py.detach(|| session.encode(&bytes));
        Ok(Encoded {
            token: encoded.token.encode(),
            data: encoded.data,
        })
    }

    /// Decrypt ``data`` and check ``token``, as the reference's ``decode`` does.
    ///
    /// Returns a ``Decoded`` whose ``is_valid`` tells whether the peer signed it.
    /// Malformed data or a failed decryption raise (``MalformedInputError``,
    /// ``DecryptionError``).
    fn decode(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<Decoded> {
        let (token, data) = (token_str(token)?, data_str(data)?);
        let session = &self.inner;
        let (decoded, value) = py
            .detach(|| {
                session.decode_unchecked(&token, &data).map(|d| {
                    let value = revive(&d.bytes);
                    (d, value)
                })
            })
            .map_err(to_py)?;
        Ok(Decoded {
            data: value_to_py(py, &value)?.unbind(),
            raw: PyBytes::new(py, &decoded.bytes).unbind(),
            is_valid: decoded.is_valid,
        })
    }

    /// Decrypt ``data``, verify that the peer signed it, and return the revived
    /// payload; raise a ``CryptoSessionError`` subclass otherwise.
    fn open<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (token, data) = (token_str(token)?, data_str(data)?);
        let session = &self.inner;
        let value = py
            .detach(|| session.decode(&token, &data).map(|b| revive(&b)))
            .map_err(to_py)?;
        value_to_py(py, &value)
    }

    /// The DER signature (bytes) over SHA-256 of ``payload``, with your key.
    fn sign<'py>(
        &self,
        py: Python<'py>,
        payload: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = payload_bytes(payload)?;
        let session = &self.inner;
        let signature = py.detach(|| session.sign(&bytes));
        Ok(PyBytes::new(py, &signature))
    }

    /// Whether ``token`` is the peer's valid signature over ``payload``.
    ///
    /// A signature that does not hold, or one by another key, is ``False``; a token
    /// that cannot be read raises ``MalformedInputError`` (or ``TooLargeError``).
    fn verify(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        payload: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let token = Token::parse(&token_str(token)?).map_err(to_py)?;
        let bytes = payload_bytes(payload)?;
        let session = &self.inner;
        crypto_sessions::verdict(py.detach(|| session.verify(&token, &bytes))).map_err(to_py)
    }

    /// Encrypt ``payload`` under the shared key with a random IV:
    /// ``base64url(IV || ciphertext)``.
    fn encrypt(&self, py: Python<'_>, payload: &Bound<'_, PyAny>) -> PyResult<String> {
        let bytes = payload_bytes(payload)?;
        let session = &self.inner;
        Ok(detach_if_large(py, bytes.len(), || session.encrypt(&bytes)))
    }

    /// Decrypt ``base64url(IV || ciphertext)`` to bytes (no signature check).
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let data = data_str(data)?;
        let session = &self.inner;
        let plaintext =
            detach_if_large(py, data.len(), || session.decrypt(&data)).map_err(to_py)?;
        Ok(PyBytes::new(py, &plaintext))
    }

    fn __repr__(&self) -> String {
        format!(
            "CryptoSession(pubkey='{}', peer_pubkey='{}')",
            self.inner.public_key().to_hex(),
            self.inner.peer().to_hex()
        )
    }
}

/// The result of ``CryptoSession.encode``: ``token`` (send it as ``authorization``)
/// and the encrypted ``data``, both base64url ``str``.
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct Encoded {
    /// ``base64url(your pubkey || signature)``.
    #[pyo3(get)]
    token: String,
    /// ``base64url(IV || AES-256-CBC(payload))``.
    #[pyo3(get)]
    data: String,
}

#[pymethods]
impl Encoded {
    fn __repr__(&self) -> String {
        format!("Encoded(token='{}', data='{}')", self.token, self.data)
    }
}

/// The result of ``CryptoSession.decode``: the revived ``data``, the ``raw`` bytes,
/// and ``is_valid`` (whether the peer's signature holds; if not, the data is
/// untrusted).
#[pyclass(frozen, module = "crypto_sessions._native")]
pub struct Decoded {
    /// The payload revived as the reference does (JSON if it parses, else text).
    #[pyo3(get)]
    data: Py<PyAny>,
    /// The decrypted bytes.
    #[pyo3(get)]
    raw: Py<PyBytes>,
    /// Whether the token is the peer's valid signature over the bytes.
    #[pyo3(get)]
    is_valid: bool,
}

#[pymethods]
impl Decoded {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Decoded(is_valid={}, raw=<{} bytes>)",
            if self.is_valid { "True" } else { "False" },
            self.raw.bind(py).as_bytes().len()
        )
    }
}
