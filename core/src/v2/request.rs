//! The request token: layout, parsing, `m_req`, signing.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version `0x02` |
//! | 1 | 1 | flags `0x00` |
//! | 2 | 8 | `created`, u64be |
//! | 10 | 16 | `nonce_req` |
//! | 26 | 32 | client x-only key `C` |
//! | 58 | 8 | `kid(S)` |
//! | 66 | 64 | BIP-340 signature |

use sha2::{Digest, Sha256};

use super::keys::{KeyPair, Kid, XOnlyKey, KID_LEN, XONLY_LEN};
use super::{tagged_hasher, VERSION};
use crate::encoding::{b64url_decode_canonical, b64url_encode};
use crate::error::{malformed, Error, ErrorKind, Result};
use crate::http::split_url;

/// Bytes of a request token.
pub const REQUEST_TOKEN_LEN: usize = 130;
/// Bytes of its signed header (`header_bytes`).
pub const REQUEST_HEADER_LEN: usize = 66;
/// Characters of an encoded request token.
pub const REQUEST_TOKEN_CHARS: usize = 174;
/// Bytes of `nonce_req` (and of `nonce_ans`).
pub const NONCE_LEN: usize = 16;
/// The BIP-340 tag of `m_req`.
pub const REQUEST_TAG: &[u8] = b"crypto-session/v2/request";

/// A request token of the right length, version and flags (not yet verified).
#[derive(Clone, PartialEq, Eq)]
pub struct RequestToken {
    bytes: [u8; REQUEST_TOKEN_LEN],
}

/// `header_bytes` of a request: version, flags, created, nonce, client key, kid.
pub fn request_header(
    created: u64,
    nonce: &[u8; NONCE_LEN],
    client: &[u8; XONLY_LEN],
    kid: &Kid,
) -> [u8; REQUEST_HEADER_LEN] {
    let mut h = [0u8; REQUEST_HEADER_LEN];
    h[0] = VERSION;
    h[1] = 0;
    h[2..10].copy_from_slice(&created.to_be_bytes());
    h[10..26].copy_from_slice(nonce);
    h[26..58].copy_from_slice(client);
    h[58..66].copy_from_slice(kid);
    h
}

/// `m_req = tagged("crypto-session/v2/request", header || S || u16be(len(method)) ||
/// method || u32be(len(uri)) || uri || body_hash)`, with `body_hash = sha256(body)`.
///
/// Fails (malformed) when the method or the uri is too long for its length field.
pub fn m_req(
    header: &[u8; REQUEST_HEADER_LEN],
    server: &[u8; XONLY_LEN],
    method: &str,
    uri: &str,
    body_hash: &[u8; 32],
) -> Result<[u8; 32]> {
    let method_len =
        u16::try_from(method.len()).map_err(|_| malformed("method is longer than 65535 bytes"))?;
    let uri_len =
        u32::try_from(uri.len()).map_err(|_| malformed("uri is longer than 2^32-1 bytes"))?;
    Ok(tagged_hasher(REQUEST_TAG)
        .chain_update(header)
        .chain_update(server)
        .chain_update(method_len.to_be_bytes())
        .chain_update(method.as_bytes())
        .chain_update(uri_len.to_be_bytes())
        .chain_update(uri.as_bytes())
        .chain_update(body_hash)
        .finalize()
        .into())
}

/// What a client signs, besides its keys: the signed request line and the body.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The method exactly as on the request line.
    pub method: &'a str,
    /// `origin || request_target`.
    pub uri: &'a str,
    /// The exact body bytes (the sealed body, or nothing).
    pub body: &'a [u8],
}

impl RequestToken {
    /// Sign a request: `created`, `nonce` and `aux_rand` are the caller's (fresh
    /// random nonce and aux_rand in production; fixed in test vectors).
    pub fn sign(
        client: &KeyPair,
        server: &XOnlyKey,
        created: u64,
        nonce: &[u8; NONCE_LEN],
        aux_rand: &[u8; 32],
        request: SignedRequest<'_>,
    ) -> Result<Self> {
        let header = request_header(
            created,
            nonce,
            client.public_key().as_bytes(),
            &server.kid(),
        );
        let m = m_req(
            &header,
            server.as_bytes(),
            request.method,
            request.uri,
            &Sha256::digest(request.body).into(),
        )?;
        let mut bytes = [0u8; REQUEST_TOKEN_LEN];
        bytes[..REQUEST_HEADER_LEN].copy_from_slice(&header);
        bytes[REQUEST_HEADER_LEN..].copy_from_slice(&client.sign(&m, aux_rand));
        Ok(RequestToken { bytes })
    }

    /// Parse the raw 130 bytes: length, version `0x02`, flags `0x00`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; REQUEST_TOKEN_LEN] = bytes.try_into().map_err(|_| {
            malformed(format!(
                "request token is {} bytes, not {REQUEST_TOKEN_LEN}",
                bytes.len()
            ))
        })?;
        if bytes[0] != VERSION {
            return Err(malformed(format!(
                "request token version is {}, not {VERSION}",
                bytes[0]
            )));
        }
        if bytes[1] != 0 {
            return Err(malformed(format!(
                "request token flags are 0x{:02x}: every bit is reserved",
                bytes[1]
            )));
        }
        Ok(RequestToken { bytes })
    }

    /// Parse the b64url text (canonical, unpadded).
    pub fn decode(text: &str) -> Result<Self> {
        if text.len() != REQUEST_TOKEN_CHARS {
            return Err(malformed(format!(
                "request token is {} characters, not {REQUEST_TOKEN_CHARS}",
                text.len()
            )));
        }
        let bytes = b64url_decode_canonical(text)
            .ok_or_else(|| malformed("request token is not canonical unpadded base64url"))?;
        Self::from_bytes(&bytes)
    }

    /// The b64url text.
    pub fn encode(&self) -> String {
        b64url_encode(&self.bytes)
    }

    /// The 130 bytes.
    pub fn as_bytes(&self) -> &[u8; REQUEST_TOKEN_LEN] {
        &self.bytes
    }

    /// `header_bytes` (offsets 0-65).
    pub fn header(&self) -> &[u8; REQUEST_HEADER_LEN] {
        self.bytes[..REQUEST_HEADER_LEN]
            .try_into()
            .expect("fixed layout")
    }

    /// `created`, Unix seconds.
    pub fn created(&self) -> u64 {
        u64::from_be_bytes(self.bytes[2..10].try_into().expect("fixed layout"))
    }

    /// `nonce_req`.
    pub fn nonce(&self) -> &[u8; NONCE_LEN] {
        self.bytes[10..26].try_into().expect("fixed layout")
    }

    /// The client's x-only key `C`, as sent (not yet validated).
    pub fn client_key(&self) -> &[u8; XONLY_LEN] {
        self.bytes[26..58].try_into().expect("fixed layout")
    }

    /// `kid(S)` of the addressed server key.
    pub fn kid(&self) -> &[u8; KID_LEN] {
        self.bytes[58..66].try_into().expect("fixed layout")
    }

    /// The BIP-340 signature.
    pub fn signature(&self) -> &[u8; 64] {
        self.bytes[REQUEST_HEADER_LEN..]
            .try_into()
            .expect("fixed layout")
    }

    /// Step 4 of the server checks outside a server (to inspect a token): the token
    /// names `server` (its kid), `C` is a valid x-only key, and the signature holds
    /// over `method`, the absolute `url` (its target percent-encoded as a client
    /// sends it, the fragment dropped) and the exact `body` bytes as sent (sealed, or
    /// none). Returns the client's key.
    pub fn verify(
        &self,
        server: &XOnlyKey,
        method: &str,
        url: &str,
        body: &[u8],
    ) -> Result<XOnlyKey> {
        if self.kid() != &server.kid() {
            return Err(Error::new(
                ErrorKind::WrongPeer,
                "the token's kid does not name this server key",
            ));
        }
        let client = XOnlyKey::from_bytes(self.client_key())?;
        let (origin, target) = split_url(url)?;
        let m = m_req(
            self.header(),
            server.as_bytes(),
            method,
            &format!("{origin}{target}"),
            &Sha256::digest(body).into(),
        )?;
        if client.verify(&m, self.signature()) {
            Ok(client)
        } else {
            Err(Error::new(
                ErrorKind::InvalidSignature,
                "the signature does not hold over this method, URL and body",
            ))
        }
    }
}

impl std::fmt::Debug for RequestToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestToken")
            .field("created", &self.created())
            .field("client_key", &hex::encode(self.client_key()))
            .field("kid", &hex::encode(self.kid()))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    #[test]
    fn layout_round_trip_and_rejects() {
        let client = KeyPair::new(&SecretKey::generate());
        let server = KeyPair::new(&SecretKey::generate());
        let req = SignedRequest {
            method: "GET",
            uri: "https://a.example/x",
            body: b"",
        };
        let t =
            RequestToken::sign(&client, server.public_key(), 7, &[9; 16], &[1; 32], req).unwrap();
        assert_eq!(t.created(), 7);
        assert_eq!(t.nonce(), &[9; 16]);
        assert_eq!(t.client_key(), client.public_key().as_bytes());
        assert_eq!(t.kid(), &server.kid());
        let text = t.encode();
        assert_eq!(text.len(), REQUEST_TOKEN_CHARS);
        assert_eq!(RequestToken::decode(&text).unwrap(), t);
        let mut bad = *t.as_bytes();
        bad[1] = 1;
        assert!(RequestToken::from_bytes(&bad).is_err());
        bad[1] = 0;
        bad[0] = 1;
        assert!(RequestToken::from_bytes(&bad).is_err());
        assert!(RequestToken::from_bytes(&t.as_bytes()[..129]).is_err());
        assert!(RequestToken::decode(&format!("{text}=")).is_err());
        assert!(m_req(t.header(), &[0; 32], &"X".repeat(65536), "", &[0; 32]).is_err());
    }

    #[test]
    fn verify_checks_kid_method_url_and_body() {
        let client = KeyPair::new(&SecretKey::generate());
        let server = KeyPair::new(&SecretKey::generate());
        let req = SignedRequest {
            method: "PUT",
            uri: "https://a.example/x%20y?q=1",
            body: b"sealed",
        };
        let t =
            RequestToken::sign(&client, server.public_key(), 7, &[9; 16], &[1; 32], req).unwrap();
        let s = server.public_key();
        let ok = t.verify(s, "PUT", "https://A.example:443/x y?q=1#f", b"sealed");
        assert_eq!(ok.unwrap(), *client.public_key());
        let kind = |r: Result<XOnlyKey>| r.unwrap_err().kind();
        let bad_sig = ErrorKind::InvalidSignature;
        assert_eq!(
            kind(t.verify(s, "put", "https://a.example/x%20y?q=1", b"sealed")),
            bad_sig
        );
        assert_eq!(
            kind(t.verify(s, "PUT", "https://a.example/x%20y?q=2", b"sealed")),
            bad_sig
        );
        assert_eq!(
            kind(t.verify(s, "PUT", "https://a.example/x%20y?q=1", b"sealeD")),
            bad_sig
        );
        assert_eq!(
            kind(t.verify(
                client.public_key(),
                "PUT",
                "https://a.example/x%20y?q=1",
                b"sealed"
            )),
            ErrorKind::WrongPeer
        );
    }
}
