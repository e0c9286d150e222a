//! The sealed body: `AEAD(key, 0^12, aad = header_bytes, u8(len(ct)) || ct || payload)`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};

use crate::error::{malformed, Error, ErrorKind, Result};

/// The HTTP `Content-Type` of a sealed body.
pub const SEALED_CONTENT_TYPE: &str = "application/vnd.crypto-session.v2";
/// The AEAD tag length: the smallest sealed body is this plus one byte.
pub const TAG_LEN: usize = 16;
/// The longest content type an envelope carries.
pub const MAX_CONTENT_TYPE_LEN: usize = 255;

/// A payload and its media type, as the sender's application gave them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Opened {
    /// The media type (`""` means `application/octet-stream`; it stays empty).
    pub content_type: String,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl std::fmt::Debug for Opened {
    // The payload is the application's secret: show its size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("content_type", &self.content_type)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Check a content type: bytes 0x20-0x7E only, at most 255 bytes.
pub(crate) fn check_content_type(content_type: &str) -> Result<()> {
    if content_type.len() > MAX_CONTENT_TYPE_LEN {
        return Err(malformed(format!(
            "content type is {} bytes, the limit is {MAX_CONTENT_TYPE_LEN}",
            content_type.len()
        )));
    }
    if let Some(b) = content_type.bytes().find(|b| !(0x20..=0x7e).contains(b)) {
        return Err(malformed(format!(
            "content type holds byte 0x{b:02x}, outside 0x20-0x7E"
        )));
    }
    Ok(())
}

/// `u8(len(content_type)) || content_type || payload`.
pub fn encode_envelope(content_type: &str, payload: &[u8]) -> Result<Vec<u8>> {
    check_content_type(content_type)?;
    let mut out = Vec::with_capacity(1 + content_type.len() + payload.len() + TAG_LEN);
    out.push(content_type.len() as u8);
    out.extend_from_slice(content_type.as_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

/// Split an envelope into its content type and payload.
pub fn parse_envelope(envelope: &[u8]) -> Result<Opened> {
    let (&len, rest) = envelope
        .split_first()
        .ok_or_else(|| malformed("envelope is empty"))?;
    let len = usize::from(len);
    if len > rest.len() {
        return Err(malformed(format!(
            "envelope content type runs past the end ({len} bytes, {} left)",
            rest.len()
        )));
    }
    let (content_type, payload) = rest.split_at(len);
    let content_type = std::str::from_utf8(content_type)
        .ok()
        .filter(|ct| check_content_type(ct).is_ok())
        .ok_or_else(|| malformed("envelope content type holds a byte outside 0x20-0x7E"))?;
    Ok(Opened {
        content_type: content_type.to_string(),
        payload: payload.to_vec(),
    })
}

/// ChaCha20-Poly1305 (RFC 8439): ciphertext with the 16-byte tag appended. v2 calls
/// it with the zero nonce only (each key seals one message).
pub fn aead_seal(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    ChaCha20Poly1305::new(key.into())
        .encrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::new(ErrorKind::TooLarge, "message too large for the AEAD"))
}

/// The inverse of [`aead_seal`]: fails on any altered byte of the ciphertext, tag,
/// nonce, key or aad.
pub fn aead_open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    ChaCha20Poly1305::new(key.into())
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
        .map_err(|_| Error::new(ErrorKind::DecryptFailed, "sealed body does not open"))
}

const ZERO_NONCE: [u8; 12] = [0; 12];

/// The body to send: nothing for an empty payload with an empty content type, else
/// the sealed envelope.
pub fn seal(key: &[u8; 32], aad: &[u8], content_type: &str, payload: &[u8]) -> Result<Vec<u8>> {
    if content_type.is_empty() && payload.is_empty() {
        return Ok(Vec::new());
    }
    let envelope = zeroize::Zeroizing::new(encode_envelope(content_type, payload)?);
    aead_seal(key, &ZERO_NONCE, aad, &envelope)
}

/// Open a body: no body is the empty payload with the empty content type.
pub fn open(key: &[u8; 32], aad: &[u8], body: &[u8]) -> Result<Opened> {
    if body.is_empty() {
        return Ok(Opened::default());
    }
    let envelope = zeroize::Zeroizing::new(aead_open(key, &ZERO_NONCE, aad, body)?);
    parse_envelope(&envelope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_limits() {
        assert!(parse_envelope(&[]).is_err());
        assert!(parse_envelope(&[3, b'a', b'b']).is_err());
        assert!(parse_envelope(&[1, 0x7f]).is_err());
        assert!(parse_envelope(&[1, 0x1f]).is_err());
        assert_eq!(parse_envelope(&[0]).unwrap(), Opened::default());
        assert!(encode_envelope(&"a".repeat(256), b"").is_err());
        assert!(encode_envelope("a\tb", b"").is_err());
        assert!(encode_envelope(&"a".repeat(255), b"").is_ok());
    }

    #[test]
    fn seal_and_open_round_trip_and_bind_the_aad() {
        let key = [7u8; 32];
        let body = seal(&key, b"header", "text/plain", b"hi").unwrap();
        assert_eq!(body.len(), 1 + 10 + 2 + TAG_LEN);
        let opened = open(&key, b"header", &body).unwrap();
        assert_eq!(opened.content_type, "text/plain");
        assert_eq!(opened.payload, b"hi");
        assert!(open(&key, b"headex", &body).is_err());
        assert!(seal(&key, b"h", "", b"").unwrap().is_empty());
        assert_eq!(open(&key, b"h", b"").unwrap(), Opened::default());
        // A sealed `00` envelope (empty type, empty payload) is valid too.
        let sealed_empty = ChaCha20Poly1305::new((&key).into())
            .encrypt(
                &Nonce::default(),
                Payload {
                    msg: &[0],
                    aad: b"h",
                },
            )
            .unwrap();
        assert_eq!(open(&key, b"h", &sealed_empty).unwrap(), Opened::default());
    }
}
