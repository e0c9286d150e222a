//! The one error type of the crate.
//!
//! Every failure has an [`ErrorKind`] from a small, stable set. The C ABI and the
//! bindings map these kinds one to one (C result codes, Python exception classes,
//! Node error codes, Go sentinel errors), so the numbers never change once released.

use std::borrow::Cow;
use std::fmt;

/// What went wrong, in a form a program can branch on.
///
/// The discriminants are part of the stable interface: the C ABI uses them as its
/// result codes. New kinds get new numbers; retired numbers stay reserved.
///
/// Non-exhaustive: a match outside this crate needs a `_` arm ([`ErrorKind::ALL`]
/// lists every kind there is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input that is not in the protocol's format: not base64url, empty, too short,
    /// not the expected JSON, and so on.
    MalformedInput = 1,
    /// A key that is not a valid secp256k1 key: wrong length, not hex, zero or not
    /// below the curve order, or a point not on the curve.
    InvalidKey = 2,
    /// The encrypted data did not decrypt (bad length or bad padding).
    DecryptFailed = 3,
    /// The signature does not verify over the payload, or is not a signature at all.
    InvalidSignature = 4,
    /// The signature was made by a key other than the expected peer.
    WrongPeer = 5,
    /// An input is larger than the configured limit.
    TooLarge = 6,
    /// An HTTP method the protocol does not sign (v1 knows GET and POST).
    UnsupportedMethod = 7,
    /// A client received an answer whose status is not 2xx.
    HttpStatus = 8,
}

impl ErrorKind {
    /// All kinds, in numeric order.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::MalformedInput,
        ErrorKind::InvalidKey,
        ErrorKind::DecryptFailed,
        ErrorKind::InvalidSignature,
        ErrorKind::WrongPeer,
        ErrorKind::TooLarge,
        ErrorKind::UnsupportedMethod,
        ErrorKind::HttpStatus,
    ];

    /// A short, static description of the kind.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorKind::MalformedInput => "malformed input",
            ErrorKind::InvalidKey => "invalid key",
            ErrorKind::DecryptFailed => "decryption failed",
            ErrorKind::InvalidSignature => "invalid signature",
            ErrorKind::WrongPeer => "signed by an unexpected key",
            ErrorKind::TooLarge => "input too large",
            ErrorKind::UnsupportedMethod => "unsupported HTTP method",
            ErrorKind::HttpStatus => "HTTP status is not 2xx",
        }
    }

    /// A stable identifier in snake case (used for Node error codes and logs).
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MalformedInput => "malformed_input",
            ErrorKind::InvalidKey => "invalid_key",
            ErrorKind::DecryptFailed => "decrypt_failed",
            ErrorKind::InvalidSignature => "invalid_signature",
            ErrorKind::WrongPeer => "wrong_peer",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::UnsupportedMethod => "unsupported_method",
            ErrorKind::HttpStatus => "http_status",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// An error: its [`ErrorKind`] and a detail for humans and logs.
///
/// The detail never contains secret material (secret keys, shared secrets, plaintext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    detail: Cow<'static, str>,
    status: Option<u16>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind,
            detail: detail.into(),
            status: None,
        }
    }

    pub(crate) fn http_status(status: u16) -> Self {
        Error {
            kind: ErrorKind::HttpStatus,
            detail: format!("the server answered with status {status}").into(),
            status: Some(status),
        }
    }

    /// The kind of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The detailed message (without the kind's prefix).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// For [`ErrorKind::HttpStatus`], the status the server answered with.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.message(), self.detail)
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn malformed(detail: impl Into<Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::MalformedInput, detail)
}

/// The verify-to-`false` policy, the same in every `verify` API of every binding:
/// a signature that does not hold ([`ErrorKind::InvalidSignature`]) or is another
/// key's ([`ErrorKind::WrongPeer`]) is `Ok(false)`; any other error (a token or key
/// that cannot be read, a limit) stays an error, since the caller passed something
/// that is not what it meant to check.
pub fn verdict(result: Result<()>) -> Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature | ErrorKind::WrongPeer) => {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
