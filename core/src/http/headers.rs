//! The headers a client sets on a prepared request (v1 and v2), each named by the
//! core's constants so that no binding spells a header name itself.

use std::fmt;

/// A header whose name and value are both the core's constants.
type Fixed = (&'static str, &'static str);

/// The headers of a prepared request: always the authorization header, and for a
/// body its content type (and in v2 `Cache-Control: no-transform`).
///
/// Only the core builds one, so the names are always its own constants, spelled as
/// the protocol version sends them (v1 `authorization`, v2 `Authorization`). Send
/// every header [`RequestHeaders::iter`] yields, as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestHeaders {
    authorization: (&'static str, String),
    content_type: Option<Fixed>,
    cache_control: Option<Fixed>,
}

/// The iterator of [`RequestHeaders::iter`]: `(name, value)` in sending order.
pub type Iter<'a> = std::iter::Flatten<std::array::IntoIter<Option<(&'static str, &'a str)>, 3>>;

impl RequestHeaders {
    /// Only the authorization header, named `name`.
    pub(crate) fn new(name: &'static str, authorization: String) -> Self {
        RequestHeaders {
            authorization: (name, authorization),
            content_type: None,
            cache_control: None,
        }
    }

    /// Add the body's content type.
    pub(crate) fn with_content_type(mut self, header: Fixed) -> Self {
        self.content_type = Some(header);
        self
    }

    /// Add the body's `Cache-Control`.
    pub(crate) fn with_cache_control(mut self, header: Fixed) -> Self {
        self.cache_control = Some(header);
        self
    }

    /// The authorization header's value (in v2, `CryptoSession <token>`).
    pub fn authorization(&self) -> &str {
        &self.authorization.1
    }

    /// The content type of the body, when there is one.
    pub fn content_type(&self) -> Option<&'static str> {
        self.content_type.map(|(_, value)| value)
    }

    /// The `Cache-Control` value, when the request has one (a v2 body).
    pub fn cache_control(&self) -> Option<&'static str> {
        self.cache_control.map(|(_, value)| value)
    }

    /// The value of header `name`, compared case-insensitively as HTTP does.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Every header as `(name, value)`, the authorization header first.
    pub fn iter(&self) -> Iter<'_> {
        let (name, value) = &self.authorization;
        [
            Some((*name, value.as_str())),
            self.content_type,
            self.cache_control,
        ]
        .into_iter()
        .flatten()
    }
}

impl<'a> IntoIterator for &'a RequestHeaders {
    type Item = (&'static str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_iterate_in_sending_order_and_are_found_in_any_case() {
        let get = RequestHeaders::new("authorization", "tok".into());
        assert_eq!(get.iter().collect::<Vec<_>>(), [("authorization", "tok")]);
        assert_eq!(get.content_type(), None);
        assert_eq!(get.cache_control(), None);

        let post = RequestHeaders::new("Authorization", "CryptoSession t".into())
            .with_content_type(("Content-Type", "a/b"))
            .with_cache_control(("Cache-Control", "no-transform"));
        assert_eq!(
            (&post).into_iter().collect::<Vec<_>>(),
            [
                ("Authorization", "CryptoSession t"),
                ("Content-Type", "a/b"),
                ("Cache-Control", "no-transform")
            ]
        );
        assert_eq!(post.authorization(), "CryptoSession t");
        assert_eq!(post.get("content-TYPE"), Some("a/b"));
        assert_eq!(post.get("cache-control"), Some("no-transform"));
        assert_eq!(post.get("content-length"), None);
        assert_eq!(
            format!("{post:?}"),
            r#"{"Authorization": "CryptoSession t", "Content-Type": "a/b", "Cache-Control": "no-transform"}"#
        );
    }
}
