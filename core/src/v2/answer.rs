//! The answer token, `m_ans`, and the client's checks of an answer.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version `0x02` |
//! | 1 | 1 | flags: `0x00` answer, `0x01` signed stale answer |
//! | 2 | 8 | `created`, u64be (server time) |
//! | 10 | 16 | `nonce_ans` |
//! | 26 | 64 | BIP-340 signature by the server key `S` |

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use super::envelope::{self, Opened};
use super::kdf::ConversationKey;
use super::keys::{KeyPair, XOnlyKey, XONLY_LEN};
use super::request::{RequestToken, NONCE_LEN};
use super::{tagged_hasher, VERSION};
use crate::encoding::{b64url_decode_canonical, b64url_encode};
use crate::error::Result;

/// Bytes of an answer token.
pub const ANSWER_TOKEN_LEN: usize = 90;
/// Bytes of its signed header.
pub const ANSWER_HEADER_LEN: usize = 26;
/// Characters of an encoded answer token.
pub const ANSWER_TOKEN_CHARS: usize = 120;
/// The BIP-340 tag of `m_ans`.
pub const ANSWER_TAG: &[u8] = b"crypto-session/v2/answer";
/// Flags of an answer.
pub const FLAGS_ANSWER: u8 = 0x00;
/// Flags of a signed stale answer.
pub const FLAGS_STALE: u8 = 0x01;
/// The status of a signed stale answer (and of every v2 rejection but three).
pub const STALE_STATUS: u16 = 401;

/// A client's verdict on anything wrong with an answer: `invalid_answer`.
///
/// It is an error, never data. The detail says which check failed (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidAnswer {
    detail: Cow<'static, str>,
}

impl InvalidAnswer {
    pub(crate) fn new(detail: impl Into<Cow<'static, str>>) -> Self {
        InvalidAnswer {
            detail: detail.into(),
        }
    }

    /// The stable code, `invalid_answer`.
    pub const fn code(&self) -> &'static str {
        "invalid_answer"
    }

    /// Which check failed.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for InvalidAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid_answer: {}", self.detail)
    }
}

impl std::error::Error for InvalidAnswer {}

/// `header_bytes` of an answer.
pub fn answer_header(flags: u8, created: u64, nonce: &[u8; NONCE_LEN]) -> [u8; ANSWER_HEADER_LEN] {
    let mut h = [0u8; ANSWER_HEADER_LEN];
    h[0] = VERSION;
    h[1] = flags;
    h[2..10].copy_from_slice(&created.to_be_bytes());
    h[10..26].copy_from_slice(nonce);
    h
}

/// `m_ans = tagged("crypto-session/v2/answer", header || S || C || request_signature
/// || u16be(status) || sha256(body))`.
pub fn m_ans(
    header: &[u8; ANSWER_HEADER_LEN],
    server: &[u8; XONLY_LEN],
    request: &RequestToken,
    status: u16,
    body: &[u8],
) -> [u8; 32] {
    tagged_hasher(ANSWER_TAG)
        .chain_update(header)
        .chain_update(server)
        .chain_update(request.client_key())
        .chain_update(request.signature())
        .chain_update(status.to_be_bytes())
        .chain_update(Sha256::digest(body))
        .finalize()
        .into()
}

/// An answer token of the right length, version and a known flag (not yet verified).
#[derive(Clone, PartialEq, Eq)]
pub struct AnswerToken {
    bytes: [u8; ANSWER_TOKEN_LEN],
}

impl AnswerToken {
    /// Sign an answer to `request` (the server's side).
    pub fn sign(
        server: &KeyPair,
        request: &RequestToken,
        header: [u8; ANSWER_HEADER_LEN],
        status: u16,
        body: &[u8],
        aux_rand: &[u8; 32],
    ) -> Self {
        let m = m_ans(
            &header,
            server.public_key().as_bytes(),
            request,
            status,
            body,
        );
        let mut bytes = [0u8; ANSWER_TOKEN_LEN];
        bytes[..ANSWER_HEADER_LEN].copy_from_slice(&header);
        bytes[ANSWER_HEADER_LEN..].copy_from_slice(&server.sign(&m, aux_rand));
        AnswerToken { bytes }
    }

    /// Parse raw bytes: length, version, flags `0x00` or `0x01`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidAnswer> {
        let bytes: [u8; ANSWER_TOKEN_LEN] = bytes.try_into().map_err(|_| {
            InvalidAnswer::new(format!(
                "answer token is {} bytes, not {ANSWER_TOKEN_LEN}",
                bytes.len()
            ))
        })?;
        if bytes[0] != VERSION {
            return Err(InvalidAnswer::new(format!(
                "answer token version is {}, not {VERSION}",
                bytes[0]
            )));
        }
        if bytes[1] > FLAGS_STALE {
            return Err(InvalidAnswer::new(format!(
                "answer token flags are 0x{:02x}",
                bytes[1]
            )));
        }
        Ok(AnswerToken { bytes })
    }

    /// Parse the `Crypto-Session` header value (canonical unpadded base64url).
    pub fn decode(text: &str) -> Result<Self, InvalidAnswer> {
        if text.len() != ANSWER_TOKEN_CHARS {
            return Err(InvalidAnswer::new(format!(
                "answer token is {} characters, not {ANSWER_TOKEN_CHARS}",
                text.len()
            )));
        }
        let bytes = b64url_decode_canonical(text)
            .ok_or_else(|| InvalidAnswer::new("answer token is not base64url"))?;
        Self::from_bytes(&bytes)
    }

    /// The b64url text.
    pub fn encode(&self) -> String {
        b64url_encode(&self.bytes)
    }

    /// The 90 bytes.
    pub fn as_bytes(&self) -> &[u8; ANSWER_TOKEN_LEN] {
        &self.bytes
    }

    /// `header_bytes` (offsets 0-25).
    pub fn header(&self) -> &[u8; ANSWER_HEADER_LEN] {
        self.bytes[..ANSWER_HEADER_LEN]
            .try_into()
            .expect("fixed layout")
    }

    /// The flags byte.
    pub fn flags(&self) -> u8 {
        self.bytes[1]
    }

    /// `created`: the server's clock.
    pub fn created(&self) -> u64 {
        u64::from_be_bytes(self.bytes[2..10].try_into().expect("fixed layout"))
    }

    /// `nonce_ans`.
    pub fn nonce(&self) -> &[u8; NONCE_LEN] {
        self.bytes[10..26].try_into().expect("fixed layout")
    }

    /// The signature.
    pub fn signature(&self) -> &[u8; 64] {
        self.bytes[ANSWER_HEADER_LEN..]
            .try_into()
            .expect("fixed layout")
    }

    fn verify(&self, server: &XOnlyKey, request: &RequestToken, status: u16, body: &[u8]) -> bool {
        let m = m_ans(self.header(), server.as_bytes(), request, status, body);
        server.verify(&m, self.signature())
    }
}

impl fmt::Debug for AnswerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerToken")
            .field("flags", &self.flags())
            .field("created", &self.created())
            .finish_non_exhaustive()
    }
}

/// Whether HTTP forbids a body for this answer: to `HEAD`, or status 1xx, 204, 304.
pub(crate) fn answer_has_no_body(method: &str, status: u16) -> bool {
    method == "HEAD" || (100..200).contains(&status) || status == 204 || status == 304
}

/// What a client needs to check an answer: the server key it addressed, the request
/// it sent, and the conversation key.
#[derive(Debug, Clone, Copy)]
pub struct SentRequest<'a> {
    /// The server key `S` the request addressed.
    pub server: &'a XOnlyKey,
    /// The request token sent.
    pub token: &'a RequestToken,
    /// The method sent (a `HEAD` answer has no body).
    pub method: &'a str,
    /// The conversation key of the client and `S`.
    pub conversation: &'a ConversationKey,
}

/// Check an answer (flags `0x00`) in the spec's order: parse, signature by `S`, then
/// decrypt. No body is the empty payload with the empty content type.
pub fn open_answer(
    sent: SentRequest<'_>,
    status: u16,
    crypto_session: &str,
    body: &[u8],
) -> Result<Opened, InvalidAnswer> {
    let token = AnswerToken::decode(crypto_session)?;
    if token.flags() != FLAGS_ANSWER {
        return Err(InvalidAnswer::new("a signed stale answer is not an answer"));
    }
    if !(100..=599).contains(&status) {
        return Err(InvalidAnswer::new(format!(
            "status {status} is outside 100-599"
        )));
    }
    if !token.verify(sent.server, sent.token, status, body) {
        return Err(InvalidAnswer::new(
            "signature does not verify for this request, status and body",
        ));
    }
    if body.is_empty() {
        return Ok(Opened::default());
    }
    if answer_has_no_body(sent.method, status) {
        return Err(InvalidAnswer::new(format!(
            "status {status} to {} carries no body",
            sent.method
        )));
    }
    let key = sent
        .conversation
        .answer_key(sent.token.header(), token.header());
    envelope::open(&key, token.header(), body)
        .map_err(|e| InvalidAnswer::new(format!("body: {}", e.detail())))
}

/// Check a signed stale answer (flags `0x01`, status 401, no body) and return the
/// server's clock (`created`).
pub fn open_stale_answer(
    sent: SentRequest<'_>,
    status: u16,
    crypto_session: &str,
    body: &[u8],
) -> Result<u64, InvalidAnswer> {
    let token = AnswerToken::decode(crypto_session)?;
    if token.flags() != FLAGS_STALE {
        return Err(InvalidAnswer::new("an answer is not a signed stale answer"));
    }
    if status != STALE_STATUS {
        return Err(InvalidAnswer::new(format!(
            "a signed stale answer has status 401, not {status}"
        )));
    }
    if !body.is_empty() {
        return Err(InvalidAnswer::new("a signed stale answer has no body"));
    }
    if !token.verify(sent.server, sent.token, status, body) {
        return Err(InvalidAnswer::new(
            "stale answer signature does not verify for this request",
        ));
    }
    Ok(token.created())
}

/// Which kind of response a client checks: an answer (flags `0x00`) or a signed
/// stale answer (flags `0x01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// An answer to the request: status, content type and payload.
    Answer,
    /// A signed stale answer: the request was not executed.
    Stale,
}

/// A response that passed [`check_answer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// An answer and what it carried.
    Answer(Opened),
    /// A signed stale answer and the server's clock (`created`).
    Stale {
        /// The server's clock when it answered.
        server_time: u64,
    },
}

/// Check a response to `sent` as `kind`, or, when `kind` is `None`, as the kind its
/// token's flags name (a token that does not parse is then the error): the one
/// choice between [`open_answer`] and [`open_stale_answer`] for a request known by
/// its token.
pub fn check_answer(
    sent: SentRequest<'_>,
    status: u16,
    crypto_session: &str,
    body: &[u8],
    kind: Option<AnswerKind>,
) -> Result<Checked, InvalidAnswer> {
    let kind = match kind {
        Some(kind) => kind,
        None if AnswerToken::decode(crypto_session)?.flags() == FLAGS_STALE => AnswerKind::Stale,
        None => AnswerKind::Answer,
    };
    match kind {
        AnswerKind::Answer => open_answer(sent, status, crypto_session, body).map(Checked::Answer),
        AnswerKind::Stale => open_stale_answer(sent, status, crypto_session, body)
            .map(|server_time| Checked::Stale { server_time }),
    }
}
