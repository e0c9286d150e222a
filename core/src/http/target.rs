//! The request-target and the origin: which URL string a signature covers.
//!
//! One parser for both protocol versions and every binding, so that the URL a server
//! checks is the URL its framework routes. The rules (PROTOCOL-v2.md, "Request"):
//!
//! - a target is origin-form (`/path?query`) or absolute-form
//!   (`scheme://host[:port]/path?query`); anything else (`*`, `1/a`, `host/path`, an
//!   empty target) is malformed;
//! - every byte is visible ASCII (0x21-0x7E) and there is no `#`: clients
//!   percent-encode, as browsers' `fetch` does, so raw bytes are never guessed at;
//! - an absolute-form target's origin part ends at the first `/` or `?` after `://`
//!   (the same cut a router makes), is normalised like a configured origin, and must
//!   equal the origin it is checked for; one that holds `@` matches no origin.

use std::borrow::Cow;
use std::fmt;

use crate::error::{malformed, Result};

/// `scheme "://" host [":" port]`, normalised: lower case, no default port (80 for
/// http, 443 for https), no trailing `/`. This is the string a signed URL starts with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    text: String,
}

/// A request-target as read from the request line, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestTarget<'a> {
    /// `/path?query`, exactly as on the wire.
    OriginForm(&'a str),
    /// `scheme://authority/path?query`.
    AbsoluteForm {
        /// The normalised origin part; `None` when it holds `@` (userinfo), which
        /// matches no configured origin.
        origin: Option<Origin>,
        /// The path and query a router sees (an empty path becomes `/`).
        path_and_query: Cow<'a, str>,
    },
}

impl Origin {
    /// Parse an origin from configuration, e.g. `https://api.example.com` or
    /// `http://localhost:3001/` (one trailing `/` is dropped).
    ///
    /// Only `http` and `https`; a path, query, fragment, userinfo or a bad port is an
    /// error, so a misconfigured server fails when it is built.
    pub fn parse(text: &str) -> Result<Origin> {
        let text = text.trim();
        let text = text.strip_suffix('/').unwrap_or(text);
        let (scheme, authority) = text.split_once("://").ok_or_else(|| {
            malformed(format!(
                "origin {:?} is not scheme://host[:port]",
                excerpt(text)
            ))
        })?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(malformed(format!(
                "origin {:?}: the scheme must be http or https",
                excerpt(text)
            )));
        }
        if let Some(bad) = authority
            .bytes()
            .find(|b| matches!(b, b'/' | b'?' | b'#' | b'@') || !is_target_byte(*b))
        {
            return Err(malformed(format!(
                "origin {:?} holds {:?}: an origin is scheme://host[:port] only",
                excerpt(text),
                bad as char
            )));
        }
        normalise(scheme, authority)?.ok_or_else(|| {
            malformed(format!(
                "origin {:?}: the port must be 1-65535",
                excerpt(text)
            ))
        })
    }

    /// The normalised text, e.g. `https://api.example.com`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Origin {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Origin> {
        Origin::parse(s)
    }
}

impl<'a> RequestTarget<'a> {
    /// Parse a request-target from the bytes of the request line.
    pub fn parse(raw: &'a [u8]) -> Result<RequestTarget<'a>> {
        if raw.is_empty() {
            return Err(malformed("the request-target is empty"));
        }
        if let Some(at) = raw.iter().position(|b| !is_target_byte(*b)) {
            return Err(malformed(format!(
                "the request-target holds byte 0x{:02x} at offset {at}: \
                 clients percent-encode everything outside 0x21-0x7E",
                raw[at]
            )));
        }
        if raw.contains(&b'#') {
            return Err(malformed("the request-target holds a fragment ('#')"));
        }
        // Only visible ASCII remains, so this is valid UTF-8.
        let text = std::str::from_utf8(raw).map_err(|_| malformed("not ASCII"))?;
        if text.starts_with('/') {
            return Ok(RequestTarget::OriginForm(text));
        }
        let (scheme, rest) = text.split_once("://").ok_or_else(|| {
            malformed(format!(
                "request-target {:?} is neither origin-form (/path) nor absolute-form (scheme://host/path)",
                excerpt(text)
            ))
        })?;
        if !is_scheme(scheme) {
            return Err(malformed(format!(
                "request-target {:?} does not start with a scheme",
                excerpt(text)
            )));
        }
        let cut = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(cut);
        let origin = if authority.contains('@') {
            None
        } else if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
            // A port out of range is well-formed but names no configured origin.
            normalise(scheme, authority)?
        } else {
            // Syntax still checked, so a bad port is malformed whatever the scheme;
            // no configured origin has another scheme, so it matches none.
            normalise("http", authority)?;
            None
        };
        let path_and_query = if tail.starts_with('/') {
            Cow::Borrowed(tail)
        } else {
            Cow::Owned(format!("/{tail}"))
        };
        Ok(RequestTarget::AbsoluteForm {
            origin,
            path_and_query,
        })
    }

    /// The path and query a router sees.
    pub fn path_and_query(&self) -> &str {
        match self {
            RequestTarget::OriginForm(p) => p,
            RequestTarget::AbsoluteForm { path_and_query, .. } => path_and_query,
        }
    }

    /// The URI signed when this target is checked for `origin`: `origin` followed by
    /// the path and query. `None` for an absolute-form target that names another
    /// origin (or holds userinfo): it verifies for no configured origin.
    pub fn uri_for(&self, origin: &Origin) -> Option<String> {
        match self {
            RequestTarget::AbsoluteForm {
                origin: Some(own), ..
            } if own == origin => {}
            RequestTarget::AbsoluteForm { .. } => return None,
            RequestTarget::OriginForm(_) => {}
        }
        let path = self.path_and_query();
        let mut uri = String::with_capacity(origin.text.len() + path.len());
        uri.push_str(&origin.text);
        uri.push_str(path);
        Some(uri)
    }
}

/// Split an absolute URL, as a client is given it, into its origin and the
/// origin-form target to send and sign (percent-encoded, fragment dropped).
pub(crate) fn split_url(url: &str) -> Result<(Origin, String)> {
    let url = url.trim();
    let without_fragment = url.split_once('#').map_or(url, |(u, _)| u);
    let (scheme, rest) = without_fragment
        .split_once("://")
        .ok_or_else(|| malformed(format!("{:?} is not an absolute URL", excerpt(url))))?;
    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(cut);
    let origin = Origin::parse(&format!("{scheme}://{authority}"))?;
    let target = if tail.starts_with('/') {
        encode_target(tail)?
    } else {
        encode_target(&format!("/{tail}"))?
    };
    Ok((origin, target))
}

/// Percent-encode an origin-form target for sending and signing: every byte outside
/// 0x21-0x7E of its UTF-8 becomes `%XX`; a `#fragment` is dropped (it never travels).
/// Existing `%XX` escapes are kept as they are.
pub(crate) fn encode_target(target: &str) -> Result<String> {
    let target = target.split_once('#').map_or(target, |(t, _)| t);
    if !target.starts_with('/') {
        return Err(malformed(format!(
            "target {:?} must start with '/'",
            excerpt(target)
        )));
    }
    let mut out = String::with_capacity(target.len());
    for b in target.bytes() {
        if is_target_byte(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
    Ok(out)
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Visible ASCII, the only bytes a target may hold.
fn is_target_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Normalise `scheme` and an authority without userinfo into an origin.
///
/// A port that is empty, not decimal or has a leading zero is malformed (the spec's
/// syntax rule); a well-formed port outside 1-65535 gives `Ok(None)`: no origin has
/// it, so a target naming it verifies for none (step 4, not step 2).
fn normalise(scheme: &str, authority: &str) -> Result<Option<Origin>> {
    let scheme = scheme.to_ascii_lowercase();
    // An IPv6 literal keeps its colons inside brackets.
    let port_colon = match authority.rfind(']') {
        Some(close) => authority[close..].find(':').map(|i| close + i),
        None => authority.rfind(':'),
    };
    let (host, port) = match port_colon {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(malformed(format!(
            "{scheme}://{}: the host is empty",
            excerpt(authority)
        )));
    }
    let port = match port {
        None => None,
        Some(p) if !is_port_syntax(p) => {
            return Err(malformed(format!(
                "{scheme}://{}: the port must be decimal without leading zeros",
                excerpt(authority)
            )))
        }
        Some(p) => match p.parse::<u16>() {
            Ok(port) if port != 0 => Some(port),
            _ => return Ok(None),
        },
    };
    let default = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    let mut text = format!("{scheme}://{}", host.to_ascii_lowercase());
    if let Some(port) = port.filter(|p| Some(*p) != default) {
        text.push(':');
        text.push_str(&port.to_string());
    }
    Ok(Some(Origin { text }))
}

fn is_port_syntax(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !(p.len() > 1 && p.starts_with('0'))
}

/// At most 64 characters of untrusted text for an error message.
fn excerpt(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn origin(s: &str) -> Origin {
        Origin::parse(s).unwrap()
    }

    fn rejected(raw: &[u8]) -> bool {
        matches!(RequestTarget::parse(raw), Err(e) if e.kind() == ErrorKind::MalformedInput)
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            origin("HTTPS://API.Example.com").as_str(),
            "https://api.example.com"
        );
        assert_eq!(
            origin("https://api.example.com:443/").as_str(),
            "https://api.example.com"
        );
        assert_eq!(origin("http://localhost:80").as_str(), "http://localhost");
        assert_eq!(
            origin("http://localhost:443").as_str(),
            "http://localhost:443"
        );
        assert_eq!(
            origin("https://localhost:80").as_str(),
            "https://localhost:80"
        );
        assert_eq!(
            origin(" http://127.0.0.1:3001 ").as_str(),
            "http://127.0.0.1:3001"
        );
        assert_eq!(origin("http://[::1]:8080").as_str(), "http://[::1]:8080");
        assert_eq!(origin("http://[::1]").as_str(), "http://[::1]");
        assert_eq!(origin("http://x:8080").to_string(), "http://x:8080");
        assert_eq!("http://x".parse::<Origin>().unwrap(), origin("http://x/"));
    }

    #[test]
    fn bad_origins_fail_at_configuration() {
        for bad in [
            "",
            "localhost:3001",
            "ftp://x",
            "http://",
            "http://x/api",
            "http://x?q",
            "http://x#f",
            "http://user@x",
            "http://x:",
            "http://x:08080",
            "http://x:0",
            "http://x:65536",
            "http://x:8o",
            "http://x y",
            "http://x//",
        ] {
            let err = Origin::parse(bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::MalformedInput, "{bad}");
        }
    }

    #[test]
    fn origin_form_is_kept_exactly() {
        for raw in [
            "/",
            "/a?b=1",
            "/a/../b",
            "/a%2Fb",
            "/%D0%9C",
            "/a?x=/b?c",
            "//x",
        ] {
            let t = RequestTarget::parse(raw.as_bytes()).unwrap();
            assert_eq!(t, RequestTarget::OriginForm(raw));
            assert_eq!(t.path_and_query(), raw);
            assert_eq!(
                t.uri_for(&origin("http://localhost:3001")).unwrap(),
                format!("http://localhost:3001{raw}")
            );
        }
    }

    #[test]
    fn targets_that_are_neither_form_are_malformed() {
        for raw in [
            &b""[..],
            b"*",
            b"1/a",
            b"api.example.com/v2/keys",
            b"api.example.com:443",
            b"https:/v2/keys",
            b"1http://x/a",
            b"ht tp://x/a",
        ] {
            assert!(rejected(raw), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn bytes_outside_visible_ascii_and_fragments_are_malformed() {
        for raw in [
            "/v2/Москва".as_bytes(),
            b"/a\xff",
            b"/a\xfe",
            b"/a b",
            b"/a\t",
            b"/a\x7f",
            b"/a\x00",
            b"/a\r\nX: y",
            b"/a#b",
            b"https://evil.example.net#/keys",
            b"https://evil.example.net#@api.example.com/keys",
            "http://localhost:8080/v2/Ωmega".as_bytes(),
        ] {
            assert!(rejected(raw), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn absolute_form_is_checked_for_its_own_origin_only() {
        let api = origin("https://api.example.com");
        let local = origin("http://localhost:8080");

        let t = RequestTarget::parse(b"https://api.example.com/keys").unwrap();
        assert_eq!(t.path_and_query(), "/keys");
        assert_eq!(t.uri_for(&api).unwrap(), "https://api.example.com/keys");
        assert_eq!(t.uri_for(&local), None);

        // The cut is at the first '/' or '?', as a router cuts, and an empty path is '/'.
        let t = RequestTarget::parse(b"https://api.example.com?blobs&/blobs").unwrap();
        assert_eq!(t.path_and_query(), "/?blobs&/blobs");
        assert_eq!(
            t.uri_for(&api).unwrap(),
            "https://api.example.com/?blobs&/blobs"
        );
        let t = RequestTarget::parse(b"http://localhost:8080?jobs=706").unwrap();
        assert_eq!(
            t.uri_for(&local).unwrap(),
            "http://localhost:8080/?jobs=706"
        );
        let t = RequestTarget::parse(b"HTTPS://API.EXAMPLE.COM:443").unwrap();
        assert_eq!(t.uri_for(&api).unwrap(), "https://api.example.com/");

        // Another origin, or userinfo, matches nothing (invalid signature, not malformed).
        for raw in [
            &b"https://evil.example.net?blobs&/blobs"[..],
            b"https://evil.example.net?@api.example.com/keys",
            b"https://user@api.example.com/keys",
            b"http://x?action=delete&/a?b=1",
            b"ftp://api.example.com/keys",
            b"https://api.example.com:99999/keys",
            b"https://api.example.com:0/keys",
        ] {
            let t = RequestTarget::parse(raw).unwrap();
            assert_eq!(t.uri_for(&api), None, "{:?}", String::from_utf8_lossy(raw));
            assert_eq!(t.uri_for(&local), None);
        }
        let t = RequestTarget::parse(b"https://user@api.example.com/keys").unwrap();
        assert!(matches!(
            t,
            RequestTarget::AbsoluteForm { origin: None, .. }
        ));
    }

    #[test]
    fn absolute_form_with_a_bad_port_is_malformed() {
        for raw in [
            &b"http://localhost:/a"[..],
            b"http://localhost:08080/a",
            b"http://localhost:8o/a",
            b"http:///a",
        ] {
            assert!(rejected(raw), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn clients_encode_what_servers_accept() {
        assert_eq!(
            encode_target("/v2/Москва").unwrap(),
            "/v2/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"
        );
        assert_eq!(
            encode_target("/search?q=ångström").unwrap(),
            "/search?q=%C3%A5ngstr%C3%B6m"
        );
        assert_eq!(encode_target("/v2/keys?q=a b").unwrap(), "/v2/keys?q=a%20b");
        assert_eq!(encode_target("/v2/invoices\t").unwrap(), "/v2/invoices%09");
        assert_eq!(encode_target("/v2/files\x7f").unwrap(), "/v2/files%7F");
        assert_eq!(encode_target("/a%2Fb?x#frag").unwrap(), "/a%2Fb?x");
        assert!(encode_target("a/b").is_err());
        for t in ["/v2/Москва", "/q?a b\u{0}", "/%", "/x?y=1&z=\u{1F600}"] {
            let e = encode_target(t).unwrap();
            assert!(RequestTarget::parse(e.as_bytes()).is_ok(), "{e}");
        }
    }

    #[test]
    fn urls_split_into_origin_and_target() {
        let (o, t) = split_url("https://API.example.com:443/v2/Ωmega?x=1#top").unwrap();
        assert_eq!(o.as_str(), "https://api.example.com");
        assert_eq!(t, "/v2/%CE%A9mega?x=1");
        let (o, t) = split_url("http://localhost:3001").unwrap();
        assert_eq!((o.as_str(), t.as_str()), ("http://localhost:3001", "/"));
        let (_, t) = split_url("http://localhost:3001?q").unwrap();
        assert_eq!(t, "/?q");
        assert!(split_url("/relative").is_err());
        assert!(split_url("http://user@host/").is_err());
    }
}
