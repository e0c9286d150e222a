//! # crypto-sessions
//!
//! Public-key authenticated, end-to-end encrypted HTTP requests: the crypto-session
//! protocol v1, byte-compatible with the JavaScript package
//! `@cmdcode/crypto-session` 1.1.10. See `docs/PROTOCOL.md` in the repository.
//!
//! - [`keys`]: secp256k1 secret and public keys.
//! - [`token`]: `base64url(pubkey33 || signature)` and the signature rules.
//! - [`cipher`]: AES-256-CBC with a random IV.
//! - [`session`]: a session with a peer: sign, verify, encode, decode.
//! - [`payload`]: how payloads become bytes, and the "revive" rule.
//! - [`http`]: server authentication and sealed answers, client requests and
//!   answer opening, with no web framework.
//! - [`v2`]: protocol v2.
//!
//! ```
//! use crypto_sessions::{SecretKey, Session};
//!
//! let (alice, bob) = (SecretKey::generate(), SecretKey::generate());
//! let to_bob = Session::new(&bob.public_key(), &alice);
//! let from_alice = Session::new(&alice.public_key(), &bob);
//!
//! let sent = to_bob.encode(b"hello");
//! let got = from_alice.decode(&sent.token.encode(), &sent.data).unwrap();
//! assert_eq!(got, b"hello");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backend;
mod cache;
pub mod cipher;
mod encoding;
mod error;
pub mod hazmat;
pub mod http;
pub mod keys;
pub mod payload;
pub mod session;
pub mod token;
pub mod v2;

pub use backend::BACKEND;
pub use encoding::{b64url_decode, b64url_encode};
pub use error::{verdict, Error, ErrorKind, Result};
pub use http::{Client, Server};
pub use keys::{PublicKey, SecretKey};
pub use session::{Decoded, Encoded, Session};
pub use token::Token;

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
