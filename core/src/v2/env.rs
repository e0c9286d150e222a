//! The environment variables a v2 server reads for every option not given in
//! code (bindings read them at construction; a bad value is an error there).

pub use super::replay::ENV_REPLAY;
pub use crate::http::config::{ENV_HOST, ENV_MAX_BODY, ENV_SECRET_KEY};

/// More origins clients sign, comma-separated (the host is always included).
pub const ENV_ORIGINS: &str = "CRYPTO_SESSION_ORIGINS";
/// `max_age`, seconds.
pub const ENV_MAX_AGE: &str = "CRYPTO_SESSION_MAX_AGE";
/// `max_skew`, seconds.
pub const ENV_MAX_SKEW: &str = "CRYPTO_SESSION_MAX_SKEW";
/// `accept_v1`: `true`/`1` or `false`/`0`.
pub const ENV_ACCEPT_V1: &str = "CRYPTO_SESSION_ACCEPT_V1";
