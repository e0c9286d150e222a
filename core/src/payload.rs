//! How payloads become bytes and how received bytes are "revived", as the reference does.
//!
//! | payload         | bytes                                        |
//! |-----------------|----------------------------------------------|
//! | string          | its UTF-8 bytes                              |
//! | bytes           | as they are                                  |
//! | JSON value      | compact `JSON.stringify` form, keys in order |
//!
//! Revive: the received bytes as UTF-8 text; if that text parses as JSON, the JSON
//! value, otherwise the text itself. So `"42"` arrives as `42`.

use serde_json::Value;

use crate::error::{malformed, Result};

/// Deepest JSON nesting that [`revive`] parses; deeper documents stay text.
pub const MAX_JSON_DEPTH: usize = 128;

/// A payload as an application hands it over.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Sent as its UTF-8 bytes.
    Text(String),
    /// Sent as is.
    Bytes(Vec<u8>),
    /// Sent as compact JSON.
    Json(Value),
}

impl Payload {
    /// The bytes that are signed and encrypted.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Payload::Text(s) => s.as_bytes().to_vec(),
            Payload::Bytes(b) => b.clone(),
            Payload::Json(v) => json_bytes(v),
        }
    }
}

/// Compact JSON as `JSON.stringify` writes it: no spaces, keys in insertion order,
/// non-ASCII characters as UTF-8 rather than `\u` escapes.
pub fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a serde_json::Value always serializes")
}

/// Parse JSON text into a value (keys keep their order).
pub fn parse_json(text: &[u8]) -> Result<Value> {
    serde_json::from_slice(text).map_err(|e| malformed(format!("not JSON: {e}")))
}

/// The reference's revive rule: JSON if the text is JSON, else the text.
///
/// Invalid UTF-8 is replaced with U+FFFD as `TextDecoder` does. serde_json's
/// recursion limit ([`MAX_JSON_DEPTH`]) bounds the work on hostile nesting.
pub fn revive(bytes: &[u8]) -> Value {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => v,
        Err(_) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_like_json_stringify() {
        let v: Value =
            serde_json::from_str(r#"{"b": 1, "a": [1, "ü", null], "c": "x\"y"}"#).unwrap();
        assert_eq!(
            String::from_utf8(json_bytes(&v)).unwrap(),
            r#"{"b":1,"a":[1,"ü",null],"c":"x\"y"}"#
        );
    }

    #[test]
    fn revives_like_the_reference() {
        assert_eq!(revive(b"42"), json!(42));
        assert_eq!(revive(b"null"), Value::Null);
        assert_eq!(revive(b"hello"), json!("hello"));
        assert_eq!(revive(b" [1] "), json!([1]));
        assert_eq!(revive(b""), json!(""));
        assert_eq!(revive(&[0xff, b'a']), json!("\u{fffd}a"));
    }

    #[test]
    fn deep_nesting_stays_text_without_recursion() {
        let deep = "[".repeat(100_000);
        assert_eq!(revive(deep.as_bytes()), Value::String(deep.clone()));
    }
}
