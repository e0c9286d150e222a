//! The one translation of core errors into Python exceptions.
//!
//! The exception classes are defined in Python (`crypto_sessions/errors.py`, so they
//! carry docstrings and subclass `ValueError` where that fits); each core
//! `ErrorKind` maps to exactly one class.

use crypto_sessions::{Error, ErrorKind};
use pyo3::PyErr;

pyo3::import_exception!(crypto_sessions.errors, CryptoSessionError);
pyo3::import_exception!(crypto_sessions.errors, MalformedInputError);
pyo3::import_exception!(crypto_sessions.errors, InvalidKeyError);
pyo3::import_exception!(crypto_sessions.errors, DecryptionError);
pyo3::import_exception!(crypto_sessions.errors, InvalidSignatureError);
pyo3::import_exception!(crypto_sessions.errors, WrongPeerError);
pyo3::import_exception!(crypto_sessions.errors, TooLargeError);
pyo3::import_exception!(crypto_sessions.errors, UnsupportedMethodError);
pyo3::import_exception!(crypto_sessions.errors, HttpStatusError);

/// The Python exception for a core error (its message holds no secret material).
pub(crate) fn to_py(err: Error) -> PyErr {
    let message = err.to_string();
    match err.kind() {
        ErrorKind::MalformedInput => MalformedInputError::new_err(message),
        ErrorKind::InvalidKey => InvalidKeyError::new_err(message),
        ErrorKind::DecryptFailed => DecryptionError::new_err(message),
        ErrorKind::InvalidSignature => InvalidSignatureError::new_err(message),
        ErrorKind::WrongPeer => WrongPeerError::new_err(message),
        ErrorKind::TooLarge => TooLargeError::new_err(message),
        ErrorKind::UnsupportedMethod => UnsupportedMethodError::new_err(message),
        ErrorKind::HttpStatus => HttpStatusError::new_err((message, err.status())),
        // ErrorKind is non-exhaustive: a kind newer than this mapping is still ours.
        _ => CryptoSessionError::new_err(message),
    }
}
