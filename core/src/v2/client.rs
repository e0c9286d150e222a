//! The client side: build a request for any method, open and verify the answer bound
//! to it, learn the server's clock from a signed stale answer and retry once.
//!
//! The client does no HTTP itself: a binding sends [`PreparedRequest`] with its HTTP
//! library (redirects off: a `Location` header is not signed) and hands the response
//! to [`Client::open`]. A client that sent v2 accepts only a v2 answer.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use super::answer::{
    open_answer, open_stale_answer, AnswerToken, InvalidAnswer, SentRequest, FLAGS_STALE,
};
use super::clock::{Clock, SystemClock};
use super::envelope::{self, check_content_type, Opened, SEALED_CONTENT_TYPE};
use super::kdf::ConversationKey;
use super::keys::{KeyPair, XOnlyKey};
use super::request::{request_header, RequestToken, SignedRequest};
use super::server::Code;
use super::{AUTHORIZATION, AUTH_SCHEME, CACHE_CONTROL, CONTENT_TYPE, NO_TRANSFORM};
use crate::error::Result;
use crate::http::{split_url, Origin, RequestHeaders};
use crate::keys::SecretKey;

/// The largest clock offset a client takes from a signed stale answer (1 hour).
pub const MAX_CLOCK_OFFSET: u64 = 3600;
/// A stale answer that arrives later than this after sending allows no retry.
pub const RETRY_WINDOW: Duration = Duration::from_secs(5);

/// A request ready to send, and what the client needs to check its answer.
///
/// Its parts are read-only: the answer is checked against the method and token that
/// were signed, so a request changed after [`Client::prepare`] could not be opened.
#[derive(Clone)]
pub struct PreparedRequest {
    method: String,
    url: String,
    headers: RequestHeaders,
    body: Vec<u8>,
    token: RequestToken,
    sent_at: Duration,
    exchange: Exchange,
}

impl PreparedRequest {
    /// The method, as given (v2 signs any token, in its case).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// `origin || target`: the URL to request (target percent-encoded), as signed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `Authorization`, and for a body `Content-Type` and `Cache-Control`.
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }

    /// The sealed body (empty for no body).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The request token sent.
    pub fn token(&self) -> &RequestToken {
        &self.token
    }

    /// Whether this request is the one retry after a signed stale answer.
    pub fn is_retry(&self) -> bool {
        self.exchange.is_retry
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("is_retry", &self.exchange.is_retry)
            .finish()
    }
}

/// What a retry needs: the request as the application gave it.
#[derive(Clone)]
struct Exchange {
    origin: Origin,
    target: String,
    content_type: String,
    payload: Arc<Zeroizing<Vec<u8>>>,
    is_retry: bool,
}

/// The response as the HTTP library returned it (final response only; bodies with
/// transfer and content codings removed).
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// The status.
    pub status: u16,
    /// The `Crypto-Session` header, if any.
    pub crypto_session: Option<&'a str>,
    /// The `WWW-Authenticate` header, if any.
    pub www_authenticate: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

impl Response<'_> {
    /// A 401 that no v2 server sends: no `Crypto-Session` header and no v2 error
    /// code in `WWW-Authenticate` (a v1 server rejects with an empty 401, at most
    /// with a bare `WWW-Authenticate: CryptoSession`). The server may speak only v1;
    /// a client never falls back to v1 by itself, its user decides.
    pub fn is_v1_rejection(&self) -> bool {
        self.status == 401
            && self.crypto_session.is_none()
            && self.www_authenticate.and_then(rejection_code).is_none()
    }
}

/// A verified answer.
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status, signed by the server.
    pub status: u16,
    /// The payload's content type (`""` stays `""`).
    pub content_type: String,
    /// The payload.
    pub payload: Vec<u8>,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Why a response is not an answer.
#[derive(Debug)]
pub enum ClientError {
    /// `invalid_answer`: anything wrong with the answer. Never data.
    InvalidAnswer(InvalidAnswer),
    /// An unsigned rejection (`WWW-Authenticate: CryptoSession error=...`): the
    /// outcome is unknown, never proof that the request was not executed.
    Rejected {
        /// The status.
        status: u16,
        /// The code, when the server named a known one.
        code: Option<Code>,
    },
    /// A verified signed stale answer: the request was not executed.
    Stale {
        /// The server's clock.
        server_time: u64,
        /// Whether the client now dates requests by the server's clock.
        offset_applied: bool,
        /// The one retry, when the answer came within 5 s and this was no retry.
        retry: Option<Box<PreparedRequest>>,
    },
}

impl ClientError {
    /// A stable code: `invalid_answer`, the server's code, or `stale`.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::InvalidAnswer(e) => e.code(),
            ClientError::Rejected { code, .. } => code.map_or("rejected", Code::as_str),
            ClientError::Stale { .. } => "stale",
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::InvalidAnswer(e) => e.fmt(f),
            ClientError::Rejected { status, code } => write!(
                f,
                "rejected with status {status} ({}); the outcome is unknown",
                code.map_or("no code", Code::as_str)
            ),
            ClientError::Stale {
                server_time, retry, ..
            } => write!(
                f,
                "stale: the server's clock reads {server_time}{}",
                if retry.is_some() {
                    "; retry prepared"
                } else {
                    ""
                }
            ),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<InvalidAnswer> for ClientError {
    fn from(e: InvalidAnswer) -> Self {
        ClientError::InvalidAnswer(e)
    }
}

/// A client of one server key.
pub struct Client {
    keys: KeyPair,
    server: XOnlyKey,
    conversation: ConversationKey,
    clock: Arc<dyn Clock>,
    offset: AtomicI64,
}

/// The code of `CryptoSession error="<code>"`.
fn rejection_code(www_authenticate: &str) -> Option<Code> {
    let value = www_authenticate.trim();
    let n = AUTH_SCHEME.len();
    if !value.get(..n)?.eq_ignore_ascii_case(AUTH_SCHEME) {
        return None;
    }
    let code = value.get(n..)?.trim().strip_prefix("error=")?;
    Code::parse(code.trim_matches('"'))
}

impl Client {
    /// A client with key `secret` of the server key `server`, on the system clock.
    pub fn new(secret: &SecretKey, server: &XOnlyKey) -> Self {
        let keys = KeyPair::new(secret);
        Client {
            conversation: ConversationKey::new(&keys, server),
            keys,
            server: server.clone(),
            clock: Arc::new(SystemClock),
            offset: AtomicI64::new(0),
        }
    }

    /// Use another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Our x-only key.
    pub fn public_key(&self) -> &XOnlyKey {
        self.keys.public_key()
    }

    /// The server key addressed.
    pub fn server_key(&self) -> &XOnlyKey {
        &self.server
    }

    /// Seconds added to the local clock when dating requests (from the last signed
    /// stale answer; 0 until then).
    pub fn clock_offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    fn created(&self) -> u64 {
        let local = i128::from(self.clock.now());
        u64::try_from(local + i128::from(self.clock_offset())).unwrap_or(0)
    }

    /// Prepare a request to an absolute `url` (its target is percent-encoded, the
    /// fragment dropped). An empty payload with an empty content type is sent as no
    /// body; anything else is sealed.
    pub fn prepare(
        &self,
        method: &str,
        url: &str,
        content_type: &str,
        payload: &[u8],
    ) -> Result<PreparedRequest> {
        let (origin, target) = split_url(url)?;
        check_content_type(content_type)?;
        let exchange = Exchange {
            origin,
            target,
            content_type: content_type.to_string(),
            payload: Arc::new(Zeroizing::new(payload.to_vec())),
            is_retry: false,
        };
        self.build(exchange, method)
    }

    fn build(&self, exchange: Exchange, method: &str) -> Result<PreparedRequest> {
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(crate::error::malformed(
                "the method must be a non-empty token",
            ));
        }
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let mut aux_rand = [0u8; 32];
        OsRng.fill_bytes(&mut aux_rand);
        let created = self.created();
        let header = request_header(
            created,
            &nonce,
            self.keys.public_key().as_bytes(),
            &self.server.kid(),
        );
        let body = envelope::seal(
            &self.conversation.request_key(&header),
            &header,
            &exchange.content_type,
            &exchange.payload,
        )?;
        let url = format!("{}{}", exchange.origin, exchange.target);
        let token = RequestToken::sign(
            &self.keys,
            &self.server,
            created,
            &nonce,
            &aux_rand,
            SignedRequest {
                method,
                uri: &url,
                body: &body,
            },
        )?;
        let mut headers =
            RequestHeaders::new(AUTHORIZATION, format!("{AUTH_SCHEME} {}", token.encode()));
        if !body.is_empty() {
            headers = headers
                .with_content_type((CONTENT_TYPE, SEALED_CONTENT_TYPE))
                .with_cache_control((CACHE_CONTROL, NO_TRANSFORM));
        }
        Ok(PreparedRequest {
            method: method.to_string(),
            url,
            headers,
            body,
            token,
            sent_at: self.clock.monotonic(),
            exchange,
        })
    }

    /// Check the response to `request`: a verified [`Answer`], or why not.
    pub fn open(
        &self,
        request: &PreparedRequest,
        response: Response<'_>,
    ) -> std::result::Result<Answer, ClientError> {
        let sent = SentRequest {
            server: &self.server,
            token: &request.token,
            method: &request.method,
            conversation: &self.conversation,
        };
        let Some(header) = response.crypto_session else {
            if let Some(code) = response.www_authenticate.and_then(rejection_code) {
                return Err(ClientError::Rejected {
                    status: response.status,
                    code: Some(code),
                });
            }
            return Err(InvalidAnswer::new(format!(
                "status {} without a Crypto-Session header",
                response.status
            ))
            .into());
        };
        let flags = AnswerToken::decode(header)?.flags();
        if flags == FLAGS_STALE {
            let server_time = open_stale_answer(sent, response.status, header, response.body)?;
            return Err(self.on_stale(request, server_time));
        }
        let Opened {
            content_type,
            payload,
        } = open_answer(sent, response.status, header, response.body)?;
        Ok(Answer {
            status: response.status,
            content_type,
            payload,
        })
    }

    fn on_stale(&self, request: &PreparedRequest, server_time: u64) -> ClientError {
        let arrived = self.clock.monotonic();
        let offset = i128::from(server_time) - i128::from(self.clock.now());
        let offset_applied = offset.unsigned_abs() <= u128::from(MAX_CLOCK_OFFSET);
        if offset_applied {
            self.offset.store(offset as i64, Ordering::SeqCst);
        }
        let in_time = arrived.saturating_sub(request.sent_at) <= RETRY_WINDOW;
        let retry = if in_time && !request.exchange.is_retry {
            let mut exchange = request.exchange.clone();
            exchange.is_retry = true;
            self.build(exchange, &request.method).ok().map(Box::new)
        } else {
            None
        };
        ClientError::Stale {
            server_time,
            offset_applied,
            retry,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("public_key", self.keys.public_key())
            .field("server", &self.server)
            .field("clock_offset", &self.clock_offset())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Response;

    #[test]
    fn a_401_without_a_v2_code_or_answer_is_a_v1_rejection() {
        let response = |status, crypto_session, www_authenticate| Response {
            status,
            crypto_session,
            www_authenticate,
            body: b"",
        };
        assert!(response(401, None, None).is_v1_rejection());
        assert!(response(401, None, Some("CryptoSession")).is_v1_rejection());
        assert!(response(401, None, Some("Basic realm=\"x\"")).is_v1_rejection());
        assert!(!response(401, None, Some("CryptoSession error=\"stale\"")).is_v1_rejection());
        assert!(!response(401, Some("x"), None).is_v1_rejection());
        assert!(!response(403, None, None).is_v1_rejection());
    }
}
