//! The bodies of the fuzz targets, compiled twice: by the libFuzzer binaries
//! (`core/fuzz/fuzz_targets/*.rs`, nightly) and by the corpus replay
//! (`core/tests/fuzz_corpus.rs`, stable), so a corpus file runs the same code in both.
//!
//! Each target feeds its input to the core and checks what must hold whatever the
//! input (a panic is a finding): outcomes that agree between the strict and the
//! reference-compatible decode, between a cold and a warm server cache, accepted
//! inputs that verify again independently, and errors that never show a secret.
//! Each returns whether the core accepted the input, so the replay can check that
//! the seeds built from the vectors reach the accepting paths.
//!
//! The keys are the reference vectors' (`tests/vectors/reference-1.1.10.json`), so
//! the seeds that come from the same file are valid inputs for the fuzzer to mutate.

#![allow(dead_code)] // each fuzz binary uses one target of this file

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use crypto_sessions::http::{Client, Limits, Method, Server};
use crypto_sessions::payload::{json_bytes, parse_json, revive};
use crypto_sessions::token::{parse_signature, MAX_SIGNATURE_LEN, MAX_TOKEN_LEN, PUBKEY_LEN};
use crypto_sessions::{
    b64url_decode, b64url_encode, Error, ErrorKind, PublicKey, SecretKey, Session, Token,
};
use serde_json::Value;

/// The fuzz targets, by the name of their binary and corpus folder.
pub const TARGETS: [&str; 6] = [
    "token",
    "b64url",
    "session_decode",
    "server_authenticate",
    "client_open",
    "payload_revive",
];

/// Run one target on one input; whether the core accepted it.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "token" => token(data),
        "b64url" => b64url(data),
        "session_decode" => session_decode(data),
        "server_authenticate" => server_authenticate(data),
        "client_open" => client_open(data),
        "payload_revive" => payload_revive(data),
        other => panic!("no fuzz target named {other}"),
    }
}

// ------------------------------------------------------------------ fixture

const VECTORS: &str = include_str!("../../tests/vectors/reference-1.1.10.json");

/// Keys and peers from the vector file, built once per process.
pub struct Fixture {
    /// (peer = sender, own = receiver) of every `session` and `negative` vector.
    pub sessions: Vec<Session>,
    /// One client per `http` exchange, talking to the vectors' server.
    pub clients: Vec<Client>,
    pub server_secret: SecretKey,
    pub host: String,
    /// Secret keys and shared secrets in hex: no error message may contain one.
    secrets_hex: Vec<String>,
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key} missing"))
}

fn secret(v: &Value, key: &str) -> SecretKey {
    SecretKey::from_hex(text(v, key)).expect("vector secret keys are valid")
}

fn public(v: &Value, key: &str) -> PublicKey {
    PublicKey::from_hex(text(v, key)).expect("vector public keys are valid")
}

/// The parsed vector file.
pub fn vectors() -> &'static Value {
    static VALUE: OnceLock<Value> = OnceLock::new();
    VALUE.get_or_init(|| serde_json::from_str(VECTORS).expect("the vector file is JSON"))
}

/// Entries of a section of the vector file.
pub fn section(name: &str) -> &'static [Value] {
    vectors()[name]
        .as_array()
        .unwrap_or_else(|| panic!("vector section {name} missing"))
}

/// The `http` section's object.
pub fn http() -> &'static Value {
    &vectors()["http"]
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut secrets_hex = Vec::new();
        let mut sessions = Vec::new();
        for v in section("session").iter().chain(section("negative")) {
            let own = secret(v, "receiver_secret");
            let session = Session::new(&public(v, "sender_pubkey"), &own);
            secrets_hex.push(own.to_hex().to_string());
            secrets_hex.push(hex::encode(session.shared_secret()));
            sessions.push(session);
        }
        let http = http();
        let server_secret = secret(http, "server_secret");
        let host = text(http, "host").to_string();
        secrets_hex.push(server_secret.to_hex().to_string());
        let server_key = server_secret.public_key();
        let clients: Vec<Client> = http["exchanges"]
            .as_array()
            .expect("http exchanges")
            .iter()
            .map(|x| {
                let own = secret(x, "client_secret");
                secrets_hex.push(own.to_hex().to_string());
                let client = Client::new(&server_key, &own, Some(&host));
                secrets_hex.push(hex::encode(client.session().shared_secret()));
                client
            })
            .collect();
        Fixture {
            sessions,
            clients,
            server_secret,
            host,
            secrets_hex,
        }
    })
}

impl Fixture {
    /// An error's message and debug form show no secret key and no shared secret.
    pub fn assert_no_secret(&self, error: &Error) {
        let shown = format!("{error} {error:?}").to_ascii_lowercase();
        for secret in &self.secrets_hex {
            assert!(
                !shown.contains(secret.as_str()),
                "an error shows a secret: {shown}"
            );
        }
    }
}

fn is_b64url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

// ------------------------------------------------------------------ targets

/// Token parsing from text and bytes, the signature rules and key parsing.
pub fn token(data: &[u8]) -> bool {
    if let Ok(t) = Token::from_bytes(data) {
        assert_eq!(t.to_bytes(), data);
        let _ = t.signer();
    }
    if let Ok(sig) = parse_signature(data) {
        assert!(
            data.len() <= MAX_SIGNATURE_LEN,
            "a signature of {} bytes",
            data.len()
        );
        // n / 2 for secp256k1's order n: a low-S signature has s <= n / 2.
        const HALF_ORDER: [u8; 32] = [
            0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46,
            0x68, 0x1b, 0x20, 0xa0,
        ];
        assert!(
            sig.r_s[32..] <= HALF_ORDER[..],
            "a high-S signature was accepted"
        );
    }
    let _ = PublicKey::from_bytes(data);
    let _ = crypto_sessions::keys::public_key_from_any(data);
    let _ = crypto_sessions::keys::secret_key_from_any(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let _ = PublicKey::from_hex(text);
    let _ = SecretKey::from_hex(text);
    match Token::parse(text) {
        Ok(t) => {
            assert!(text.len() <= MAX_TOKEN_LEN);
            let len = t.to_bytes().len();
            assert!(len > PUBKEY_LEN && len <= PUBKEY_LEN + MAX_SIGNATURE_LEN);
            assert_eq!(Token::parse(&t.encode()).as_ref(), Ok(&t));
            if let Ok(signer) = t.signer() {
                // Verification against the token's own key: never a panic.
                let session = Session::new(&signer, &fixture().server_secret);
                let _ = session.verify(&t, text.as_bytes());
            }
            true
        }
        Err(e) => {
            assert!(matches!(
                e.kind(),
                ErrorKind::MalformedInput | ErrorKind::TooLarge
            ));
            false
        }
    }
}

/// base64url both ways: any bytes round-trip; accepted text is the alphabet only and
/// re-encodes to the same length.
pub fn b64url(data: &[u8]) -> bool {
    let encoded = b64url_encode(data);
    assert!(encoded.bytes().all(is_b64url_char));
    if !data.is_empty() {
        assert_eq!(b64url_decode(&encoded, "fuzz").as_deref(), Ok(data));
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    match b64url_decode(text, "fuzz") {
        Ok(bytes) => {
            assert!(!text.is_empty() && text.bytes().all(is_b64url_char));
            let again = b64url_encode(&bytes);
            assert_eq!(again.len(), text.len());
            // Only the unused low bits of the last character may differ.
            assert_eq!(again[..again.len() - 1], text[..text.len() - 1]);
            true
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::MalformedInput);
            false
        }
    }
}

/// A session decode input: which vector session, the token and the data.
#[derive(Arbitrary, Debug, PartialEq, Eq)]
pub struct DecodeInput<'a> {
    pub pair: u8,
    pub token: &'a str,
    pub data: &'a str,
}

/// `Session::decode` (strict) and `decode_unchecked` (the reference's) agree.
pub fn session_decode(data: &[u8]) -> bool {
    let Ok(input) = DecodeInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return false;
    };
    let fx = fixture();
    let session = &fx.sessions[usize::from(input.pair) % fx.sessions.len()];
    let strict = session.decode(input.token, input.data);
    let unchecked = session.decode_unchecked(input.token, input.data);
    match (&strict, &unchecked) {
        (Ok(bytes), Ok(decoded)) => {
            assert!(
                decoded.is_valid,
                "strict accepts what unchecked calls invalid"
            );
            assert_eq!(bytes, &decoded.bytes);
        }
        (Err(e), Ok(decoded)) => {
            assert!(
                !decoded.is_valid,
                "unchecked accepts what strict rejects: {e}"
            );
            assert!(
                matches!(e.kind(), ErrorKind::InvalidSignature | ErrorKind::WrongPeer),
                "{e}"
            );
        }
        (Err(e), Err(u)) => {
            // Data that does not decrypt: the same error from both.
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::MalformedInput | ErrorKind::DecryptFailed
                ),
                "{e}"
            );
            assert_eq!(e.kind(), u.kind());
        }
        (Ok(_), Err(u)) => panic!("strict accepts data that unchecked cannot decrypt: {u}"),
    }
    for e in [strict.as_ref().err(), unchecked.as_ref().err()]
        .into_iter()
        .flatten()
    {
        fx.assert_no_secret(e);
    }
    strict.is_ok()
}

/// A request as a server integration hands it over.
#[derive(Arbitrary, Debug, PartialEq, Eq)]
pub struct AuthenticateInput<'a> {
    /// A 64-byte body limit instead of the default 1 MiB.
    pub small_limit: bool,
    pub method: &'a str,
    pub target: &'a str,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
}

/// The body limit of a server built with `small_limit`.
pub const SMALL_BODY_LIMIT: usize = 64;

/// `Server::authenticate`: the same outcome with cold and warm caches, and an
/// accepted request verifies again on its own.
pub fn server_authenticate(data: &[u8]) -> bool {
    let Ok(input) = AuthenticateInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return false;
    };
    let fx = fixture();
    let limits = if input.small_limit {
        Limits::default().with_max_body(SMALL_BODY_LIMIT)
    } else {
        Limits::default()
    };
    // A server per input: its caches start cold, so a finding replays the same.
    let server = Server::with_limits(&fx.server_secret, &fx.host, limits).expect("vector host");
    let auth = |s: &Server| {
        s.authenticate(
            input.method,
            input.target.as_bytes(),
            input.authorization,
            input.body,
        )
    };
    let (cold, warm) = (auth(&server), auth(&server));
    match (&cold, &warm) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                (a.peer(), a.method, &a.payload),
                (b.peer(), b.method, &b.payload)
            );
            assert!(input.body.len() <= limits.max_body);
            let sent = Token::parse(input.authorization.expect("accepted with a token").trim())
                .expect("accepted token parses");
            assert_eq!(a.token, sent);
            assert!(sent.is_signed_by(a.peer()));
            match a.method {
                Method::Get => {
                    assert_eq!(a.payload, None);
                    let url = format!("{}{}", server.host(), a.path_and_query);
                    a.session
                        .verify(&sent, url.as_bytes())
                        .expect("GET verifies again");
                }
                Method::Post => {
                    let payload = a.payload.as_deref().expect("a POST has a payload");
                    a.session
                        .verify(&sent, payload)
                        .expect("POST verifies again");
                }
            }
            let _ = a.revived();
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "a warm cache changed the rejection");
            fx.assert_no_secret(a);
        }
        _ => panic!("a warm cache changed the outcome: {cold:?} then {warm:?}"),
    }
    cold.is_ok()
}

/// An answer as a client integration receives it.
#[derive(Arbitrary, Debug, PartialEq, Eq)]
pub struct OpenInput<'a> {
    /// Which vector exchange's client opens it.
    pub client: u8,
    pub status: u16,
    pub authorization: Option<&'a str>,
    pub body: &'a str,
}

/// `Client::open`: only a 2xx answer signed by the server over the plaintext opens.
pub fn client_open(data: &[u8]) -> bool {
    let Ok(input) = OpenInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return false;
    };
    let fx = fixture();
    let client = &fx.clients[usize::from(input.client) % fx.clients.len()];
    let is_2xx = (200..300).contains(&input.status);
    match client.open(input.status, input.authorization, input.body) {
        Ok(plaintext) => {
            assert!(is_2xx);
            let token = Token::parse(input.authorization.expect("signed").trim()).expect("token");
            assert!(token.is_signed_by(client.session().peer()));
            client
                .session()
                .verify(&token, &plaintext)
                .expect("verifies again");
            assert_eq!(client.session().decrypt(input.body.trim()), Ok(plaintext));
            true
        }
        Err(e) => {
            if is_2xx {
                assert_ne!(e.kind(), ErrorKind::HttpStatus);
            } else {
                assert_eq!(
                    (e.kind(), e.status()),
                    (ErrorKind::HttpStatus, Some(input.status))
                );
            }
            fx.assert_no_secret(&e);
            false
        }
    }
}

/// Revive: JSON when the bytes are JSON (within the depth limit), else the text.
pub fn payload_revive(data: &[u8]) -> bool {
    let revived = revive(data);
    match parse_json(data) {
        Ok(value) => {
            assert_eq!(revived, value);
            // What we serialize parses again (no float-exactness claim here).
            assert!(parse_json(&json_bytes(&value)).is_ok());
            true
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::MalformedInput);
            assert_eq!(
                revived,
                Value::String(String::from_utf8_lossy(data).into_owned())
            );
            false
        }
    }
}
