//! The crypto-session protocol v2 (`docs/PROTOCOL.md` in the repository, section
//! "Protocol v2").
//!
//! - [`keys`]: x-only keys, key ids, a signing key pair.
//! - [`kdf`]: the conversation key, the request and answer keys.
//! - [`envelope`]: the sealed body.
//! - [`request`]: the request token and `m_req`.
//! - [`answer`]: the answer token, `m_ans`, and the client's answer checks.
//! - [`client`]: build requests, open answers, the clock offset and the one retry.
//! - [`clock`]: the injectable clock.
//! - [`server`]: one server for both versions: the checks in order, sealed answers.
//! - [`replay`]: the replay stores of steps 5-6 of the server checks.

pub mod answer;
pub mod client;
pub mod clock;
pub mod env;
pub mod envelope;
pub mod kdf;
pub mod keys;
pub mod replay;
pub mod request;
mod schnorr;
pub mod server;

use sha2::{Digest, Sha256};

/// The version byte of v2 tokens.
pub const VERSION: u8 = 0x02;

/// The authorization scheme of a v2 request (compared case-insensitively).
pub const AUTH_SCHEME: &str = "CryptoSession";
/// The request header that carries the request token.
pub const AUTHORIZATION: &str = "Authorization";
/// The answer header that carries the answer token.
pub const CRYPTO_SESSION: &str = "Crypto-Session";
/// The header of a rejection: `CryptoSession error="<code>"`.
pub const WWW_AUTHENTICATE: &str = "WWW-Authenticate";
/// The header of a body's media type.
pub const CONTENT_TYPE: &str = "Content-Type";
/// `Cache-Control`: `no-store` on answers, `no-transform` on sealed request bodies.
pub const CACHE_CONTROL: &str = "Cache-Control";
/// The `Cache-Control` value of answers and rejections.
pub const NO_STORE: &str = "no-store";
/// The `Cache-Control` value of a sealed request body.
pub const NO_TRANSFORM: &str = "no-transform";
/// CORS: the header that lets browser code read the answer's headers.
pub const ACCESS_CONTROL_EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
/// The headers an answer or rejection of a v2-only server exposes to browser code
/// (the spec's "Browsers" section).
pub const EXPOSED_HEADERS: &str = "Crypto-Session, WWW-Authenticate";
/// The same for a server that accepts v1 too: a v1 answer travels in `Authorization`,
/// which browser code reads only if it is exposed.
pub const EXPOSED_HEADERS_WITH_V1: &str = "Crypto-Session, WWW-Authenticate, Authorization";

/// The `Access-Control-Expose-Headers` value of a server, by whether it accepts v1.
pub const fn exposed_headers(accept_v1: bool) -> &'static str {
    if accept_v1 {
        EXPOSED_HEADERS_WITH_V1
    } else {
        EXPOSED_HEADERS
    }
}
/// CORS: what a preflight must allow (`*` does not cover `Authorization`). A
/// sealed request body travels with `Cache-Control: no-transform`, which is not a
/// CORS-safelisted request header: without it a browser's POST fails its preflight.
pub const ALLOWED_HEADERS: &str = "Authorization, Content-Type, Cache-Control";
/// Method-override headers (comma-separated), which an HTTP integration removes from
/// an authenticated request: the application must see the signed method only (the
/// spec's "servers ignore method-override headers").
pub const METHOD_OVERRIDE_HEADERS: &str =
    "X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override";
/// Environment variable naming another v2 vector file for the test suites.
pub const ENV_VECTORS: &str = "CRYPTO_SESSIONS_V2_VECTORS";

pub use envelope::SEALED_CONTENT_TYPE;

/// `sha256(tag) || sha256(tag)` already absorbed: BIP-340's tagged hash.
pub(crate) fn tagged_hasher(tag: &[u8]) -> Sha256 {
    let tag_hash = Sha256::digest(tag);
    Sha256::new().chain_update(tag_hash).chain_update(tag_hash)
}
