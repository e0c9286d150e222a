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
    if let Some(bad) = text
        .bytes()
        .find(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
    {
        return Err(malformed(format!(
            "{what} is not base64url: unexpected character {}",
            describe_byte(bad)
        )));
    }
    B64URL
        .decode(text)
        .map_err(|e| malformed(format!("{what} is not base64url: {e}")))
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
}
