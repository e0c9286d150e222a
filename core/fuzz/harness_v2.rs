//! The bodies of the protocol v2 fuzz targets, compiled by the libFuzzer binaries
//! (`fuzz_targets/v2_*.rs`, nightly) and by the stable corpus replay
//! (`core/tests/fuzz_corpus_v2.rs`), like `harness.rs` for v1.
//!
//! Inputs use a small framing (`Frame`: little-endian lengths and numbers, the rest of
//! the input last), so seeds are written straight from `tests/vectors/v2.json`. Each
//! target returns whether the core accepted the input.

#![allow(dead_code)] // each fuzz binary uses one target of this file

use std::sync::{Arc, OnceLock};

use crypto_sessions::v2::answer::{open_answer, open_stale_answer, AnswerToken, SentRequest};
use crypto_sessions::v2::clock::ManualClock;
use crypto_sessions::v2::kdf::ConversationKey;
use crypto_sessions::v2::keys::{KeyPair, XOnlyKey};
use crypto_sessions::v2::replay::MemoryStore;
use crypto_sessions::v2::request::RequestToken;
use crypto_sessions::v2::server::{Authenticated, Code, Server};
use crypto_sessions::SecretKey;
use serde_json::Value;

/// The v2 fuzz targets, by the name of their binary and corpus folder.
pub const TARGETS: [&str; 3] = ["v2_token", "v2_server_authenticate", "v2_answer_open"];

/// Run one target on one input; whether the core accepted it.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "v2_token" => token(data),
        "v2_server_authenticate" => server_authenticate(data),
        "v2_answer_open" => answer_open(data),
        other => panic!("no v2 fuzz target named {other}"),
    }
}

// ------------------------------------------------------------------ framing

/// Reads the framing: `u8`, `u16`/`u64` little-endian, `sized` = u16 length + bytes.
pub struct Frame<'a>(&'a [u8]);

impl<'a> Frame<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Frame(data)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        (self.0.len() >= n).then(|| {
            let (head, tail) = self.0.split_at(n);
            self.0 = tail;
            head
        })
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
    }

    pub fn sized(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    pub fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.sized()?).ok()
    }

    pub fn rest(self) -> &'a [u8] {
        self.0
    }
}

/// Writes the framing (for the seeds).
#[derive(Default)]
pub struct FrameWriter(pub Vec<u8>);

impl FrameWriter {
    pub fn u8(mut self, v: u8) -> Self {
        self.0.push(v);
        self
    }

    pub fn u16(mut self, v: u16) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn sized(self, bytes: &[u8]) -> Self {
        let mut s = self.u16(u16::try_from(bytes.len()).expect("a seed field fits u16"));
        s.0.extend_from_slice(bytes);
        s
    }

    pub fn rest(mut self, bytes: &[u8]) -> Vec<u8> {
        self.0.extend_from_slice(bytes);
        self.0
    }
}

// ------------------------------------------------------------------ fixture

const VECTORS: &str = include_str!("../../tests/vectors/v2.json");

pub fn vectors() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(VECTORS).expect("v2 vectors are JSON"))
}

pub fn section(name: &str) -> &'static [Value] {
    vectors()[name].as_array().expect("a v2 vector section")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("field {key}"))
}

/// Every secret key of the vector file in hex: no output may contain one.
fn secrets_hex() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        section("keys")
            .iter()
            .map(|k| text(k, "secret").to_string())
            .collect()
    })
}

fn assert_no_secret(shown: &str) {
    for s in secrets_hex() {
        assert!(!shown.contains(s.as_str()), "a secret key in {shown}");
    }
}

// ------------------------------------------------------------------ targets

/// Token parsing: raw bytes as request and answer tokens, text as their encodings.
/// What parses re-encodes to the same bytes and text.
pub fn token(data: &[u8]) -> bool {
    let mut accepted = false;
    match RequestToken::from_bytes(data) {
        Ok(t) => {
            assert!(data.len() == 130 && data[0] == 2 && data[1] == 0);
            assert_eq!(t.as_bytes(), data);
            assert_eq!(RequestToken::decode(&t.encode()).unwrap(), t);
            assert_eq!(t.created().to_be_bytes(), data[2..10]);
            accepted = true;
        }
        Err(_) => assert!(data.len() != 130 || data[0] != 2 || data[1] != 0),
    }
    match AnswerToken::from_bytes(data) {
        Ok(t) => {
            assert!(data.len() == 90 && data[0] == 2 && data[1] <= 1);
            assert_eq!(AnswerToken::decode(&t.encode()).unwrap(), t);
            accepted = true;
        }
        Err(e) => {
            assert!(data.len() != 90 || data[0] != 2 || data[1] > 1);
            assert_eq!(e.code(), "invalid_answer");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = RequestToken::decode(text) {
            assert_eq!(t.encode(), text, "one encoding per token");
            accepted = true;
        }
        if let Ok(t) = AnswerToken::decode(text) {
            assert_eq!(t.encode(), text, "one encoding per token");
            accepted = true;
        }
    }
    accepted
}

/// A request as a framework hands it over, to the server of one vector scenario.
pub struct AuthenticateInput<'a> {
    pub scenario: u8,
    pub now: u64,
    pub method: &'a str,
    pub target: &'a [u8],
    pub authorization: Vec<&'a str>,
    pub body: &'a [u8],
}

impl<'a> AuthenticateInput<'a> {
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let mut f = Frame::new(data);
        let scenario = f.u8()?;
        let now = f.u64()?;
        let method = f.text()?;
        let target = f.sized()?;
        let fields = f.u8()? % 4;
        let authorization = (0..fields).map(|_| f.text()).collect::<Option<Vec<_>>>()?;
        Some(AuthenticateInput {
            scenario,
            now,
            method,
            target,
            authorization,
            body: f.rest(),
        })
    }

    pub fn write(&self) -> Vec<u8> {
        let mut w = FrameWriter::default()
            .u8(self.scenario)
            .u64(self.now)
            .sized(self.method.as_bytes())
            .sized(self.target)
            .u8(self.authorization.len() as u8);
        for a in &self.authorization {
            w = w.sized(a.as_bytes());
        }
        w.rest(self.body)
    }
}

/// A fresh server of scenario `index` (its keys, origins, limits, replay store).
pub fn scenario_server(index: u8, now: u64) -> Server {
    let scenarios = section("server");
    let sc = &scenarios[usize::from(index) % scenarios.len()];
    let n = |k: &str| sc[k].as_u64().expect("a number");
    let mut b = Server::builder()
        .max_age(n("max_age"))
        .max_skew(n("max_skew"))
        .max_body(n("max_body"))
        .replay_store(Arc::new(MemoryStore::with_created(
            n("replay_capacity") as usize,
            sc["replay_store_created"].as_f64().expect("a number"),
        )))
        .clock(Arc::new(ManualClock::new(now)));
    for s in sc["server_secrets"].as_array().unwrap() {
        b = b.secret_key(&SecretKey::from_hex(s.as_str().unwrap()).unwrap());
    }
    for o in sc["origins"].as_array().unwrap() {
        b = b.origin(o.as_str().unwrap());
    }
    b.build().expect("a vector scenario builds")
}

/// `Server::authenticate`: accepted requests are recorded (the same again is
/// `replayed`) and can be answered; rejections carry the status of their code, a
/// signed stale answer only with `stale`; nothing shows a secret.
pub fn server_authenticate(data: &[u8]) -> bool {
    let Some(input) = AuthenticateInput::parse(data) else {
        return false;
    };
    let server = scenario_server(input.scenario, input.now);
    let auth = || {
        server.authenticate(
            input.method,
            input.target,
            &input.authorization,
            Some(input.body.len() as u64),
            input.body,
        )
    };
    match auth() {
        Ok(a) => {
            assert_eq!(a.version(), 2);
            assert_eq!(input.authorization.len(), 1);
            assert!(input.body.len() as u64 <= server.limits().2);
            let Authenticated::V2(req) = &a else {
                panic!("v1 is off")
            };
            assert_eq!(a.client_key(), req.token().client_key());
            assert_eq!(req.method(), input.method);
            let again = auth().expect_err("the same request twice");
            assert_eq!(again.code(), Some(Code::Replayed));
            let status = if req.method() == "HEAD" { 204 } else { 200 };
            server
                .seal(req, status, "", b"")
                .expect("an empty answer seals");
            assert_no_secret(&format!("{a:?}"));
            true
        }
        Err(r) => {
            let code = r.code().expect("v2 rejections have a code");
            assert_eq!(r.status(), code.status());
            assert_eq!(
                r.www_authenticate(),
                format!("CryptoSession error=\"{code}\"")
            );
            if let Some(stale) = r.stale_answer() {
                assert_eq!(code, Code::Stale);
                let t = AnswerToken::decode(stale).expect("a stale answer decodes");
                assert_eq!((t.flags(), t.created()), (1, input.now));
            }
            assert_no_secret(&format!("{r:?} {r}"));
            false
        }
    }
}

/// An answer as a client receives it, for the request of one `answer_checks` vector.
pub struct OpenInput<'a> {
    pub case: u8,
    pub stale: bool,
    pub status: u16,
    pub header: &'a str,
    pub body: &'a [u8],
}

impl<'a> OpenInput<'a> {
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let mut f = Frame::new(data);
        Some(OpenInput {
            case: f.u8()?,
            stale: f.u8()? & 1 == 1,
            status: f.u16()?,
            header: f.text()?,
            body: f.rest(),
        })
    }

    pub fn write(&self) -> Vec<u8> {
        FrameWriter::default()
            .u8(self.case)
            .u8(u8::from(self.stale))
            .u16(self.status)
            .sized(self.header.as_bytes())
            .rest(self.body)
    }
}

/// `open_answer` / `open_stale_answer`: only what the server signed opens, so an
/// accepted input is one of the vectors' good answers, byte for byte.
pub fn answer_open(data: &[u8]) -> bool {
    let Some(input) = OpenInput::parse(data) else {
        return false;
    };
    let checks = section("answer_checks");
    let case = &checks[usize::from(input.case) % checks.len()];
    let client = KeyPair::new(&SecretKey::from_hex(text(case, "client_secret")).unwrap());
    let server = XOnlyKey::from_hex(text(case, "server_xonly")).unwrap();
    let request = RequestToken::from_bytes(&hex::decode(text(case, "request_token")).unwrap())
        .expect("a vector request token");
    let ck = ConversationKey::new(&client, &server);
    let sent = SentRequest {
        server: &server,
        token: &request,
        method: "POST",
        conversation: &ck,
    };
    let accepted = if input.stale {
        open_stale_answer(sent, input.status, input.header, input.body).is_ok()
    } else {
        open_answer(sent, input.status, input.header, input.body).is_ok()
    };
    if accepted {
        let kind = if input.stale { "stale" } else { "answer" };
        let known = checks.iter().any(|c| {
            text(c, "expect") == "ok"
                && text(c, "kind") == kind
                && text(c, "request_token") == text(case, "request_token")
                && text(c, "server_xonly") == text(case, "server_xonly")
                && c["status"].as_u64() == Some(u64::from(input.status))
                && text(c, "crypto_session_header") == input.header
                && text(c, "body_hex") == hex::encode(input.body)
        });
        assert!(known, "an answer the server never signed opened");
    }
    accepted
}
