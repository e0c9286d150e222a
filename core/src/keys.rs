//! secp256k1 keys: parsing with precise errors, generation, and display rules.

use std::fmt;

use k256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::OsRng;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};

fn bad_key(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidKey, detail)
}

/// Decode hex of an exact byte length, naming the key in errors.
fn decode_hex<const N: usize>(text: &str, what: &str) -> Result<Zeroizing<[u8; N]>> {
    let text = text.trim();
    if text.len() != 2 * N {
        return Err(bad_key(format!(
            "{what} must be {} hex characters, got {}",
            2 * N,
            text.len()
        )));
    }
    let mut out = Zeroizing::new([0u8; N]);
    hex::decode_to_slice(text, out.as_mut()).map_err(|_| bad_key(format!("{what} is not hex")))?;
    Ok(out)
}

/// A secp256k1 secret key: a scalar in `[1, n-1]`.
///
/// It is zeroized when dropped and never printed: `Debug` shows only the public key.
#[derive(Clone)]
pub struct SecretKey {
    inner: k256::SecretKey,
}

impl SecretKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        SecretKey {
            inner: k256::SecretKey::random(&mut OsRng),
        }
    }

    /// Parse 32 big-endian bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 32 {
            return Err(bad_key(format!(
                "secret key must be 32 bytes, got {}",
                bytes.len()
            )));
        }
        k256::SecretKey::from_slice(bytes)
            .map(|inner| SecretKey { inner })
            .map_err(|_| {
                bad_key("secret key must be in [1, n-1] (it is zero or not below the curve order)")
            })
    }

    /// Parse 64 hex characters (surrounding whitespace is ignored).
    pub fn from_hex(text: &str) -> Result<Self> {
        let bytes = decode_hex::<32>(text, "secret key")?;
        Self::from_bytes(bytes.as_ref())
    }

    /// The corresponding public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_k256(self.inner.public_key())
    }

    /// The 32 secret bytes, zeroized when the returned value is dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.inner.to_bytes().into())
    }

    /// The secret as 64 lowercase hex characters, zeroized on drop.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.to_bytes().as_ref()))
    }

    #[cfg_attr(feature = "libsecp256k1", allow(dead_code))]
    pub(crate) fn as_k256(&self) -> &k256::SecretKey {
        &self.inner
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("public_key", &self.public_key().to_hex())
            .finish_non_exhaustive()
    }
}

/// A secp256k1 public key, kept with its 33-byte compressed encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: k256::PublicKey,
    compressed: [u8; 33],
}

impl PublicKey {
    pub(crate) fn from_k256(inner: k256::PublicKey) -> Self {
        let mut compressed = [0u8; 33];
        compressed.copy_from_slice(inner.to_encoded_point(true).as_bytes());
        PublicKey { inner, compressed }
    }

    /// Parse a SEC1 point: 33 bytes compressed or 65 bytes uncompressed.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        match bytes.len() {
            33 if bytes[0] == 2 || bytes[0] == 3 => {}
            65 if bytes[0] == 4 => {}
            33 | 65 => {
                return Err(bad_key(format!(
                    "public key has an invalid prefix byte 0x{:02x}",
                    bytes[0]
                )))
            }
            n => {
                return Err(bad_key(format!(
                    "public key must be 33 bytes (compressed) or 65 bytes (uncompressed), got {n}"
                )))
            }
        }
        k256::PublicKey::from_sec1_bytes(bytes)
            .map(Self::from_k256)
            .map_err(|_| bad_key("public key is not a point on secp256k1"))
    }

    /// Parse 66 (compressed) or 130 (uncompressed) hex characters.
    pub fn from_hex(text: &str) -> Result<Self> {
        let text = text.trim();
        match text.len() {
            66 => Self::from_bytes(decode_hex::<33>(text, "public key")?.as_ref()),
            130 => Self::from_bytes(decode_hex::<65>(text, "public key")?.as_ref()),
            n => Err(bad_key(format!(
                "public key must be 66 or 130 hex characters, got {n}"
            ))),
        }
    }

    /// The 33-byte compressed encoding (what tokens carry).
    pub fn to_bytes(&self) -> [u8; 33] {
        self.compressed
    }

    /// The compressed encoding as a byte slice.
    pub fn as_bytes(&self) -> &[u8; 33] {
        &self.compressed
    }

    /// The compressed encoding as 66 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.compressed)
    }

    #[cfg_attr(feature = "libsecp256k1", allow(dead_code))]
    pub(crate) fn as_k256(&self) -> &k256::PublicKey {
        &self.inner
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.compressed.hash(state)
    }
}

/// Parse a key given either as raw bytes or as hex text in a byte string, as
/// bindings receive them (`str` or `bytes`, `string` or `Uint8Array`).
pub fn secret_key_from_any(bytes: &[u8]) -> Result<SecretKey> {
    match bytes.len() {
        32 => SecretKey::from_bytes(bytes),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => SecretKey::from_hex(text),
            Err(_) => SecretKey::from_bytes(bytes),
        },
    }
}

/// Like [`secret_key_from_any`] for public keys (33 or 65 raw bytes, or hex).
pub fn public_key_from_any(bytes: &[u8]) -> Result<PublicKey> {
    match bytes.len() {
        33 | 65 => PublicKey::from_bytes(bytes),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => PublicKey::from_hex(text),
            Err(_) => PublicKey::from_bytes(bytes),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_errors_are_precise() {
        let e = |s: &str| SecretKey::from_hex(s).unwrap_err().detail().to_string();
        assert!(e("abcd").contains("64 hex characters, got 4"));
        assert!(e(&"zz".repeat(32)).contains("not hex"));
        assert!(e(&"00".repeat(32)).contains("[1, n-1]"));
        // n itself
        assert!(
            e("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                .contains("[1, n-1]")
        );
        assert!(SecretKey::from_hex(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"
        )
        .is_ok());
        assert!(SecretKey::from_bytes(&[1u8; 31]).is_err());
    }

    #[test]
    fn public_errors_are_precise() {
        let e = |s: &str| PublicKey::from_hex(s).unwrap_err().detail().to_string();
        assert!(e("02").contains("66 or 130"));
        assert!(e(&format!("05{}", "11".repeat(32))).contains("prefix"));
        // x = 5 is not on the curve (x^3 + 7 = 132 is not a square mod p).
        assert!(e(&format!("02{:064x}", 5)).contains("not a point"));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let sk = SecretKey::from_hex(&"11".repeat(32)).unwrap();
        let shown = format!("{sk:?}");
        assert!(!shown.contains(&"11".repeat(32)));
        assert!(shown.contains(&sk.public_key().to_hex()));
    }

    #[test]
    fn uncompressed_and_compressed_agree() {
        let sk = SecretKey::generate();
        let pk = sk.public_key();
        let unc = pk.as_k256().to_encoded_point(false);
        assert_eq!(PublicKey::from_bytes(unc.as_bytes()).unwrap(), pk);
        assert_eq!(public_key_from_any(pk.to_hex().as_bytes()).unwrap(), pk);
        assert_eq!(
            secret_key_from_any(sk.to_hex().as_bytes())
                .unwrap()
                .to_bytes(),
            sk.to_bytes()
        );
    }
}
