//! How payloads become bytes and how received bytes are "revived", as the reference does.
//!
//! | payload         | bytes                                        |
//! |-----------------|----------------------------------------------|
//! | string          | its UTF-8 bytes                              |
//! | bytes           | as they are                                  |
//! | JSON value      | compact `JSON.stringify` form, keys in order |
//!
//! Numbers are written as JavaScript writes them (`1.0` is `1`, `1e21` is `1e+21`),
//! so the JSON form is byte for byte `JSON.stringify`'s (`tests/vectors/json-numbers.json`);
//! the one difference: an integer beyond 2^53 is kept exactly, where JS would round it.
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
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, JsFormatter);
    serde::Serialize::serialize(value, &mut ser).expect("a serde_json::Value always serializes");
    out
}

/// serde_json's compact output with numbers written as JavaScript writes them
/// (`Number.prototype.toString`): `1.0` is `1`, `1e21` is `1e+21`, `1e-6` is
/// `0.000001`. Strings and the rest are already what `JSON.stringify` writes.
struct JsFormatter;

impl serde_json::ser::Formatter for JsFormatter {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        w.write_all(js_number(value).as_bytes())
    }
}

/// ECMA-262 Number::toString(10) of a finite number (JSON has no others), from
/// Rust's shortest round-trip digits.
fn js_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_string(); // -0 too, as JSON.stringify writes it
    }
    let sci = format!("{:e}", value.abs()); // e.g. "1.2345e-7": shortest digits
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp writes an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i64;
    let n = exp
        .parse::<i64>()
        .expect("LowerExp writes an integer exponent")
        + 1;
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let rest = if k > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        format!("{}{rest}e{:+}", &digits[..1], n - 1)
    };
    format!("{sign}{body}")
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

/// Whether [`revive`] gives the parsed JSON value of `bytes` (`true`) or their text
/// (`false`), found without building the value: a binding whose runtime parses JSON
/// itself (`JSON.parse` in JavaScript) then parses the text only when this holds,
/// instead of receiving the value re-serialized. Same parser, same recursion limit.
pub fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<AnyJson>(bytes).is_ok()
}

/// Any JSON value, checked as a [`Value`] would be and then dropped. (serde's
/// `IgnoredAny` is no substitute: serde_json skips over it without the number range
/// check, so `1e400` would pass.)
struct AnyJson;

impl<'de> serde::Deserialize<'de> for AnyJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(AnyJsonVisitor)
    }
}

struct AnyJsonVisitor;

impl<'de> serde::de::Visitor<'de> for AnyJsonVisitor {
    type Value = AnyJson;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_unit<E>(self) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<AnyJson, A::Error> {
        while seq.next_element::<AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<AnyJson, A::Error> {
        while map.next_entry::<AnyJson, AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn is_json_agrees_with_revive() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let cases: Vec<Vec<u8>> = [
            "42",
            "-0",
            "1e400",
            "1.5e-400",
            "null",
            "true",
            "\"text\"",
            "\"\\ud800\"",
            "hello",
            "",
            " [1] ",
            "{\"a\":1,\"a\":2}",
            "{\"a\":1} x",
            "[1,]",
            "01",
            "\u{feff}{}",
            "\"\u{1}\"",
            "{\"k\":[1,{\"z\":null}]}",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain((MAX_JSON_DEPTH - 1..=MAX_JSON_DEPTH + 1).map(|d| nested(d).into_bytes()))
        .chain([vec![0xff, b'a'], b"\"\xff\"".to_vec()])
        .collect();
        for bytes in &cases {
            let parsed = serde_json::from_slice::<Value>(bytes).is_ok();
            assert_eq!(
                is_json(bytes),
                parsed,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
            // What revive gives for text that is not JSON: the text.
            if !parsed {
                assert_eq!(
                    revive(bytes),
                    Value::String(String::from_utf8_lossy(bytes).into())
                );
            }
        }
        // Both sides of the nesting limit and of the number range were among the cases.
        assert!(is_json(nested(MAX_JSON_DEPTH - 1).as_bytes()));
        assert!(!is_json(nested(MAX_JSON_DEPTH + 1).as_bytes()));
        assert!(is_json(b"1.5e-400") && !is_json(b"1e400"));
    }

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        // Expected strings: what node prints for JSON.stringify of each number.
        for (value, js) in [
            (1.0, "1"),
            (-2.0, "-2"),
            (-0.0, "0"),
            (0.5, "0.5"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1152921504606846976.0, "1152921504606847000"),
            (123.456, "123.456"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(js_number(value), js, "{value:e}");
        }
        let v: Value = serde_json::json!({"a": 1.0, "b": [2.5, 1e21], "c": 3});
        assert_eq!(json_bytes(&v), br#"{"a":1,"b":[2.5,1e+21],"c":3}"#);
    }

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
