//! Why a command failed, as a message for people and an exit status for scripts.

use std::fmt;

use crypto_sessions::Error;

/// The exit statuses listed in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Bad input, an invalid key, a network failure.
    Error = 1,
    /// The server answered 401: it rejected the request.
    Rejected = 3,
    /// The server answered another status that is not 2xx.
    Status = 4,
    /// A signature does not hold or a message does not decrypt.
    Invalid = 5,
}

/// A failed command: what to tell the user and how to exit.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
        }
    }

    /// A failure of ordinary kind (exit status 1).
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Exit::Error, message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::error(err.to_string())
    }
}

pub type CliResult<T = ()> = Result<T, Failure>;
