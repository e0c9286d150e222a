//! The environment variables a v2 server reads for every option not given in
//! code (bindings read them at construction; a bad value is an error there).

use std::fmt;

use crate::error::{malformed, Result};
use crate::http::config::whole_number;

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

/// A v2 server's settings as its environment (or an application's configuration,
/// read by the same names) gives them: the one reading of those values for every
/// binding, so `CRYPTO_SESSION_ACCEPT_V1=yes` or a negative `max_age` fails the same
/// way in Python, Node, Go and C. A setting that is absent or blank is `None` (or
/// empty); the binding's explicit arguments win over it.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// [`ENV_SECRET_KEY`]: one key, or several comma-separated for rotation (the
    /// first also serves v1). Secret: never in `Debug`.
    pub keys: Vec<String>,
    /// [`ENV_HOST`]: the origin v1 clients sign, and the first v2 origin.
    pub host: Option<String>,
    /// [`ENV_ORIGINS`]: more origins, comma-separated.
    pub origins: Vec<String>,
    /// [`ENV_MAX_AGE`], seconds.
    pub max_age: Option<u64>,
    /// [`ENV_MAX_SKEW`], seconds.
    pub max_skew: Option<u64>,
    /// [`ENV_MAX_BODY`], bytes.
    pub max_body: Option<u64>,
    /// [`ENV_ACCEPT_V1`]: `1`/`true` or `0`/`false` (any case).
    pub accept_v1: Option<bool>,
    /// [`ENV_REPLAY`]: `memory` or a `redis://` URL (checked when the store opens).
    pub replay: Option<String>,
}

impl Settings {
    /// Read every setting through `lookup` (a variable's value by its name).
    pub fn read(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings> {
        let text = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let list = |name: &str| {
            text(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let number = |name: &str| -> Result<Option<u64>> {
            text(name)
                .map(|v| {
                    whole_number(&v).ok_or_else(|| {
                        malformed(format!(
                            "{name} is {:?}: it must be a whole number (digits only)",
                            excerpt(&v)
                        ))
                    })
                })
                .transpose()
        };
        let accept_v1 = text(ENV_ACCEPT_V1)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "1" | "true" => Ok(true),
                "0" | "false" => Ok(false),
                _ => Err(malformed(format!(
                    "{ENV_ACCEPT_V1} is {:?}: expected 1, 0, true or false",
                    excerpt(&v)
                ))),
            })
            .transpose()?;
        Ok(Settings {
            keys: list(ENV_SECRET_KEY),
            host: text(ENV_HOST),
            origins: list(ENV_ORIGINS),
            max_age: number(ENV_MAX_AGE)?,
            max_skew: number(ENV_MAX_SKEW)?,
            max_body: number(ENV_MAX_BODY)?,
            accept_v1,
            replay: text(ENV_REPLAY),
        })
    }

    /// [`Settings::read`] from the process environment.
    pub fn from_env() -> Result<Settings> {
        Settings::read(|name| std::env::var(name).ok())
    }
}

/// The origins a server verifies for: `host` first (it also serves v1), then
/// `more`, each once (compared without a trailing `/`).
pub fn origins_with_host(host: Option<&str>, more: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(more.len() + 1);
    for origin in host.into_iter().chain(more.iter().map(String::as_str)) {
        let origin = origin.trim().trim_end_matches('/');
        if !origin.is_empty() && !out.iter().any(|o| o == origin) {
            out.push(origin.to_string());
        }
    }
    out
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("keys", &format_args!("[{} secret key(s)]", self.keys.len()))
            .field("host", &self.host)
            .field("origins", &self.origins)
            .field("max_age", &self.max_age)
            .field("max_skew", &self.max_skew)
            .field("max_body", &self.max_body)
            .field("accept_v1", &self.accept_v1)
            .field("replay", &self.replay)
            .finish()
    }
}

fn excerpt(s: &str) -> String {
    s.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn read(pairs: &[(&str, &str)]) -> Result<Settings> {
        Settings::read(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn every_setting_is_read_by_its_name() {
        let s = read(&[
            ("CRYPTO_SESSION_KEY", " aa , bb,"),
            ("CRYPTO_SESSION_HOST", "http://h:1/"),
            ("CRYPTO_SESSION_ORIGINS", "https://a.example, http://h:1"),
            ("CRYPTO_SESSION_MAX_AGE", "30"),
            ("CRYPTO_SESSION_MAX_SKEW", " 7 "),
            ("CRYPTO_SESSION_MAX_BODY", "1234"),
            ("CRYPTO_SESSION_ACCEPT_V1", "TRUE"),
            ("CRYPTO_SESSION_REPLAY", "redis://127.0.0.1:6379/0"),
        ])
        .unwrap();
        assert_eq!(s.keys, ["aa", "bb"]);
        assert_eq!(s.host.as_deref(), Some("http://h:1/"));
        assert_eq!(s.origins, ["https://a.example", "http://h:1"]);
        assert_eq!(
            (s.max_age, s.max_skew, s.max_body),
            (Some(30), Some(7), Some(1234))
        );
        assert_eq!(s.accept_v1, Some(true));
        assert_eq!(s.replay.as_deref(), Some("redis://127.0.0.1:6379/0"));
        assert_eq!(
            origins_with_host(s.host.as_deref(), &s.origins),
            ["http://h:1", "https://a.example"]
        );
        let shown = format!("{s:?}");
        assert!(
            shown.contains("2 secret key(s)") && !shown.contains("aa"),
            "{shown}"
        );
    }

    #[test]
    fn absent_and_blank_settings_are_none() {
        let s = read(&[("CRYPTO_SESSION_MAX_AGE", "  "), ("CRYPTO_SESSION_KEY", "")]).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(
            read(&[("CRYPTO_SESSION_ACCEPT_V1", "0")])
                .unwrap()
                .accept_v1,
            Some(false)
        );
        assert_eq!(
            read(&[("CRYPTO_SESSION_ACCEPT_V1", "false")])
                .unwrap()
                .accept_v1,
            Some(false)
        );
        assert_eq!(
            read(&[("CRYPTO_SESSION_ACCEPT_V1", "1")])
                .unwrap()
                .accept_v1,
            Some(true)
        );
    }

    #[test]
    fn bad_values_are_errors_that_name_the_variable() {
        for (name, bad) in [
            ("CRYPTO_SESSION_MAX_AGE", "soon"),
            ("CRYPTO_SESSION_MAX_SKEW", "-1"),
            ("CRYPTO_SESSION_MAX_BODY", "1e3"),
            ("CRYPTO_SESSION_ACCEPT_V1", "yes"),
        ] {
            let err = read(&[(name, bad)]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedInput);
            assert!(err.detail().contains(name), "{err}");
        }
    }
}
