//! A server's configuration: its limits, their defaults and bounds, and the names of
//! the environment variables every binding reads (so none repeats a literal).

use crate::error::{Error, ErrorKind, Result};

/// The environment variable holding the server's secret key (64 hex characters),
/// the name the reference's server reads.
pub const ENV_SECRET_KEY: &str = "CRYPTO_SESSION_KEY";
/// The environment variable holding the origin clients sign, e.g.
/// `http://localhost:3001`.
pub const ENV_HOST: &str = "CRYPTO_SESSION_HOST";
/// The environment variable holding the largest request body, in bytes.
pub const ENV_MAX_BODY: &str = "CRYPTO_SESSION_MAX_BODY";

/// The default largest request body: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;
/// The largest `max_body` a server accepts: 1 GiB. A body is held in memory whole,
/// and the bound keeps every binding's integer type (u32 included) from wrapping.
pub const MAX_BODY_CEILING: usize = 1 << 30;
/// The default number of cached sessions and of cached verified GET tokens.
pub const DEFAULT_CACHE_ENTRIES: usize = 4096;
/// The largest cache a server accepts (entries).
pub const MAX_CACHE_ENTRIES: usize = 1 << 20;

/// Limits a server enforces before doing any cryptography.
///
/// Build one with [`Limits::default`] and the `with_*` setters; a server checks it
/// when built ([`Limits::validate`]): a bad limit is an error, never a wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request body accepted, in bytes, 1 to [`MAX_BODY_CEILING`]
    /// (default [`DEFAULT_MAX_BODY`]).
    pub max_body: usize,
    /// How many peers' sessions (parsed key, and the ECDH result once a POST or an
    /// answer needed it) are kept, so a returning client costs one signature check
    /// (default 4096; 0 disables).
    pub session_cache: usize,
    /// How many verified (key, digest, signature) triples of GET requests are kept:
    /// v1 GET signatures are deterministic, so a polling client repeats its token
    /// (default 4096; 0 disables). A hit needs the exact same triple.
    pub verified_cache: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: DEFAULT_MAX_BODY,
            session_cache: DEFAULT_CACHE_ENTRIES,
            verified_cache: DEFAULT_CACHE_ENTRIES,
        }
    }
}

fn bad_limit(detail: String) -> Error {
    Error::new(ErrorKind::MalformedInput, detail)
}

impl Limits {
    /// These limits with `max_body` set.
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// These limits with `session_cache` set.
    pub fn with_session_cache(mut self, entries: usize) -> Self {
        self.session_cache = entries;
        self
    }

    /// These limits with `verified_cache` set.
    pub fn with_verified_cache(mut self, entries: usize) -> Self {
        self.verified_cache = entries;
        self
    }

    /// Check every limit against its bounds.
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_BODY_CEILING).contains(&self.max_body) {
            return Err(bad_limit(format!(
                "max_body is {}: it must be 1 to {MAX_BODY_CEILING} bytes",
                self.max_body
            )));
        }
        for (name, entries) in [
            ("session_cache", self.session_cache),
            ("verified_cache", self.verified_cache),
        ] {
            if entries > MAX_CACHE_ENTRIES {
                return Err(bad_limit(format!(
                    "{name} is {entries}: it must be 0 to {MAX_CACHE_ENTRIES} entries"
                )));
            }
        }
        Ok(())
    }

    /// Read a `max_body` as bindings receive it (a number from a language whose
    /// integers may be wider, narrower or signed, or a float): anything that is not
    /// a whole number from 1 to [`MAX_BODY_CEILING`] is an error.
    pub fn max_body_from_f64(value: f64) -> Result<usize> {
        if value.fract() != 0.0 || !(1.0..=MAX_BODY_CEILING as f64).contains(&value) {
            return Err(bad_limit(format!(
                "max_body is {value}: it must be a whole number from 1 to {MAX_BODY_CEILING}"
            )));
        }
        Ok(value as usize)
    }

    /// Read a `max_body` given as a signed 64-bit integer (Go's `int`, C's `int64_t`).
    pub fn max_body_from_i64(value: i64) -> Result<usize> {
        usize::try_from(value)
            .ok()
            .filter(|v| (1..=MAX_BODY_CEILING).contains(v))
            .ok_or_else(|| {
                bad_limit(format!(
                    "max_body is {value}: it must be 1 to {MAX_BODY_CEILING} bytes"
                ))
            })
    }

    /// Read a `max_body` from the text of [`ENV_MAX_BODY`] (decimal bytes).
    pub fn max_body_from_env(text: &str) -> Result<usize> {
        let value = whole_number(text)
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| {
                bad_limit(format!(
                    "{ENV_MAX_BODY} is {:?}: it must be a whole number of bytes",
                    text.chars().take(32).collect::<String>()
                ))
            })?;
        Self::max_body_from_i64(value)
    }
}

/// A whole number as an environment variable gives it: ASCII digits only (no sign,
/// separator or exponent), blanks around them trimmed; `None` otherwise or when it
/// does not fit in 64 bits.
pub(crate) fn whole_number(text: &str) -> Option<u64> {
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_limits_are_errors() {
        assert!(Limits::default().validate().is_ok());
        assert!(Limits::default().with_max_body(0).validate().is_err());
        assert!(Limits::default()
            .with_max_body(MAX_BODY_CEILING + 1)
            .validate()
            .is_err());
        assert!(Limits::default()
            .with_max_body(usize::MAX)
            .validate()
            .is_err());
        assert!(Limits::default()
            .with_session_cache(MAX_CACHE_ENTRIES + 1)
            .validate()
            .is_err());
        assert!(Limits::default()
            .with_session_cache(0)
            .with_verified_cache(0)
            .validate()
            .is_ok());
    }

    #[test]
    fn foreign_numbers_never_wrap() {
        // What JS passes for 2**32, Infinity, -1, NaN, 1.5; Go's math.MaxInt.
        for bad in [4294967296.0, f64::INFINITY, -1.0, f64::NAN, 1.5, 0.0] {
            assert!(Limits::max_body_from_f64(bad).is_err(), "{bad}");
        }
        assert_eq!(Limits::max_body_from_f64(1024.0).unwrap(), 1024);
        for bad in [i64::MAX, -1, 0, (MAX_BODY_CEILING as i64) + 1] {
            assert!(Limits::max_body_from_i64(bad).is_err(), "{bad}");
        }
        assert_eq!(Limits::max_body_from_env(" 2048 ").unwrap(), 2048);
        for bad in ["", "1e3", "-5", "4294967296", "0x10", "9223372036854775808"] {
            assert!(Limits::max_body_from_env(bad).is_err(), "{bad}");
        }
        for (text, number) in [
            ("0", Some(0)),
            (" 042 ", Some(42)),
            ("18446744073709551615", Some(u64::MAX)),
        ] {
            assert_eq!(whole_number(text), number, "{text}");
        }
        for bad in [
            "",
            " ",
            "+1",
            "-0",
            "1_0",
            "1e3",
            "0x10",
            "1.0",
            "\u{663}",
            "18446744073709551616",
        ] {
            assert_eq!(whole_number(bad), None, "{bad}");
        }
    }
}
