//! base64url without padding, as the reference reads and writes it.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use crate::error::{malformed, Result};

// The reference checks `^[A-Za-z0-9_-]+$` and then decodes, ignoring the unused low
// bits of the last character; we accept the same strings.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

// Protocol v2 decodes strictly: no padding and no non-zero unused trailing bits, so
// that one byte string has exactly one encoding.
const B64URL_CANONICAL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Decode base64url without padding, rejecting non-canonical trailing bits (v2).
pub(crate) fn b64url_decode_canonical(text: &str) -> Option<Vec<u8>> {
    B64URL_CANONICAL.decode(text).ok()
}

/// Encode bytes as base64url without padding.
pub fn b64url_encode(bytes: &[u8]) -> String {
    B64URL.encode(bytes)
}

/// Decode a non-empty base64url string without padding.
///
/// `what` names the input in the error ("token", "data").
pub fn b64url_decode(text: &str, what: &'static str) -> Result<Vec<u8>> {
    if text.is_empty() {
        return Err(malformed(format!("{what} is empty")));
    }
    // The decoder rejects every byte outside the alphabet (and any `=`) by itself, so
    // the character scan runs only to name the culprit: a separate byte-by-byte pass
    // up front cost more than the decoding (issue 7, 64 KiB bodies).
    B64URL.decode(text).map_err(|e| {
        match text
            .bytes()
            .find(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        {
            Some(bad) => malformed(format!(
                "{what} is not base64url: unexpected character {}",
                describe_byte(bad)
            )),
            None => malformed(format!("{what} is not base64url: {e}")),
        }
    })
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejects() {
        assert_eq!(b64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64url_decode("-_8", "x").unwrap(), vec![0xfb, 0xff]);
        assert!(b64url_decode("", "x").is_err());
        assert!(b64url_decode("ab==", "x").is_err());
        assert!(b64url_decode("a+b/", "x").is_err());
        // A length of 4n+1 cannot be base64.
        assert!(b64url_decode("abcde", "x").is_err());
    }

    /// The decoder alone accepts exactly the reference's `^[A-Za-z0-9_-]+$` strings
    /// (of a length that is not 4n+1), and an error still names a stray character.
    #[test]
    fn the_decoder_alone_enforces_the_alphabet() {
        let symbols = [
            "A", "z", "0", "9", "-", "_", "=", "+", "/", " ", "\u{e9}", ".",
        ];
        // Every string of 1 to 4 of these symbols.
        let (mut level, mut texts) = (vec![String::new()], Vec::new());
        for _ in 0..4 {
            level = level
                .iter()
                .flat_map(|t| symbols.iter().map(move |s| format!("{t}{s}")))
                .collect();
            texts.extend(level.iter().cloned());
        }
        assert_eq!(texts.len(), 12 + 12 * 12 + 12 * 12 * 12 + 12 * 12 * 12 * 12);
        for text in &texts {
            let in_alphabet = text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let expected = !text.is_empty() && in_alphabet && text.len() % 4 != 1;
            let got = b64url_decode(text, "data");
            assert_eq!(got.is_ok(), expected, "{text:?}");
            if !in_alphabet && !text.is_empty() {
                let detail = got.unwrap_err().detail().to_string();
                assert!(
                    detail.contains("unexpected character"),
                    "{text:?}: {detail}"
                );
            }
        }
        let e = b64url_decode("ab+d", "data").unwrap_err();
        assert!(e.detail().contains("unexpected character '+'"));
    }
}
