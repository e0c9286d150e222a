//! Properties of v2 over generated requests: every method round-trips with any
//! payload and content type, and any altered byte of the token, the target, the
//! method or the body is rejected; any altered byte of an answer's token, body or
//! status is `invalid_answer`.

use std::sync::{Arc, OnceLock};

use crypto_sessions::v2::client::{Client, PreparedRequest, Response};
use crypto_sessions::v2::clock::ManualClock;
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::v2::replay::MemoryStore;
use crypto_sessions::v2::server::{Authenticated, Rejection, SealedAnswer, Server};
use crypto_sessions::{b64url_decode, b64url_encode, SecretKey};
use proptest::prelude::*;

const ORIGIN: &str = "https://api.example.com";
const NOW: u64 = 1_900_000_000;

struct Keys {
    server: SecretKey,
    client: Client,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let server = SecretKey::generate();
        let client = Client::new(
            &SecretKey::generate(),
            &XOnlyKey::from_public_key(&server.public_key()),
        )
        .with_clock(Arc::new(ManualClock::new(NOW)));
        Keys { server, client }
    })
}

/// A fresh server (fresh replay store) at `NOW`.
fn server() -> Server {
    Server::builder()
        .secret_key(&keys().server)
        .origin(ORIGIN)
        .replay_store(Arc::new(MemoryStore::with_created(64, 0.0)))
        .clock(Arc::new(ManualClock::new(NOW)))
        .build()
        .unwrap()
}

fn authorization(req: &PreparedRequest) -> &str {
    req.headers().authorization()
}

fn target(req: &PreparedRequest) -> &str {
    req.url().strip_prefix(ORIGIN).unwrap()
}

fn send(
    server: &Server,
    method: &str,
    target: &[u8],
    auth: &str,
    body: &[u8],
) -> Result<Authenticated, Rejection> {
    server.authenticate(method, target, &[auth], Some(body.len() as u64), body)
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        Just("PUT".to_string()),
        Just("DELETE".to_string()),
        Just("PATCH".to_string()),
        Just("OPTIONS".to_string()),
        "[A-Z]{1,12}",
    ]
}

fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[ -~]{1,40}"]
}

fn request() -> impl Strategy<Value = (String, String, String, Vec<u8>)> {
    (
        method(),
        "(/[a-zA-Z0-9%~._-]{0,12}){1,4}(\\?[a-z=&%0-9 ]{0,16})?",
        content_type(),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
}

fn open(
    req: &PreparedRequest,
    status: u16,
    sealed: &SealedAnswer,
    token: &str,
    body: &[u8],
) -> bool {
    keys()
        .client
        .open(
            req,
            Response {
                status,
                crypto_session: Some(token),
                www_authenticate: None,
                body,
            },
        )
        .is_ok_and(|a| a.status == sealed.status)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_request_round_trips((method, path, ct, payload) in request(), status in 200u16..600) {
        let server = server();
        let req = keys().client.prepare(&method, &format!("{ORIGIN}{path}"), &ct, &payload).unwrap();
        let got = send(&server, &method, target(&req).as_bytes(), authorization(&req), req.body())
            .unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(got.payload(), &payload[..]);
        prop_assert_eq!(got.content_type(), &ct[..]);
        let Authenticated::V2(got) = got else { panic!("v1") };
        let (answer_ct, answer) = if status == 204 || status == 304 || method == "HEAD" { ("", &[][..]) } else { ("text/plain", &payload[..]) };
        let sealed = server.seal(&got, status, answer_ct, answer).unwrap();
        let token = sealed.headers[0].1.clone();
        let opened = keys().client.open(&req, Response {
            status, crypto_session: Some(&token), www_authenticate: None, body: &sealed.body,
        }).unwrap();
        prop_assert_eq!(opened.payload, answer);
        prop_assert_eq!(opened.content_type, answer_ct);
    }

    #[test]
    fn any_altered_token_byte_is_rejected((method, path, ct, payload) in request(), at in 0usize..130, bit in 0u8..8) {
        let server = server();
        let req = keys().client.prepare(&method, &format!("{ORIGIN}{path}"), &ct, &payload).unwrap();
        let mut token = req.token().as_bytes().to_vec();
        token[at] ^= 1 << bit;
        let auth = format!("CryptoSession {}", b64url_encode(&token));
        prop_assert!(send(&server, &method, target(&req).as_bytes(), &auth, req.body()).is_err());
        // The original still passes: the alteration alone was refused.
        prop_assert!(send(&server, &method, target(&req).as_bytes(), authorization(&req), req.body()).is_ok());
    }

    #[test]
    fn any_altered_target_or_method_byte_is_rejected(
        (method, path, ct, payload) in request(), at in any::<prop::sample::Index>(), with in 0x21u8..0x7f,
        method_at in any::<prop::sample::Index>(),
    ) {
        let server = server();
        let req = keys().client.prepare(&method, &format!("{ORIGIN}{path}"), &ct, &payload).unwrap();
        let mut t = target(&req).as_bytes().to_vec();
        let i = at.index(t.len());
        prop_assume!(t[i] != with);
        t[i] = with;
        prop_assert!(send(&server, &method, &t, authorization(&req), req.body()).is_err());
        let mut m = method.clone().into_bytes();
        let j = method_at.index(m.len());
        m[j] = if m[j] == b'X' { b'Y' } else { b'X' };
        let m = String::from_utf8(m).unwrap();
        prop_assert!(send(&server, &m, target(&req).as_bytes(), authorization(&req), req.body()).is_err());
        prop_assert!(send(&server, &method, target(&req).as_bytes(), authorization(&req), req.body()).is_ok());
    }

    #[test]
    fn any_altered_body_byte_is_rejected(
        (method, path, ct, payload) in request(), at in any::<prop::sample::Index>(), bit in 0u8..8,
    ) {
        let server = server();
        let req = keys().client.prepare(&method, &format!("{ORIGIN}{path}"), &ct, &payload).unwrap();
        let t = target(&req).as_bytes();
        if req.body().is_empty() {
            prop_assert!(send(&server, &method, t, authorization(&req), &[0]).is_err());
        } else {
            let mut body = req.body().to_vec();
            let i = at.index(body.len());
            body[i] ^= 1 << bit;
            prop_assert!(send(&server, &method, t, authorization(&req), &body).is_err());
            prop_assert!(send(&server, &method, t, authorization(&req), &req.body()[1..]).is_err());
            prop_assert!(send(&server, &method, t, authorization(&req), b"").is_err());
        }
        prop_assert!(send(&server, &method, t, authorization(&req), req.body()).is_ok());
    }

    #[test]
    fn any_altered_answer_byte_is_invalid(
        payload in proptest::collection::vec(any::<u8>(), 1..200), at in 0usize..90, bit in 0u8..8,
        body_at in any::<prop::sample::Index>(), status in 200u16..600,
    ) {
        prop_assume!(status != 204 && status != 304);
        let server = server();
        let req = keys().client.prepare("POST", &format!("{ORIGIN}/x"), "", b"q").unwrap();
        let Ok(Authenticated::V2(got)) = send(&server, "POST", b"/x", authorization(&req), req.body()) else {
            panic!("accepted")
        };
        let sealed = server.seal(&got, status, "application/octet-stream", &payload).unwrap();
        let token = sealed.headers[0].1.clone();
        prop_assert!(open(&req, status, &sealed, &token, &sealed.body));
        let mut raw = b64url_decode(&token, "answer").unwrap();
        raw[at] ^= 1 << bit;
        prop_assert!(!open(&req, status, &sealed, &b64url_encode(&raw), &sealed.body));
        let mut body = sealed.body.clone();
        let i = body_at.index(body.len());
        body[i] ^= 1 << bit;
        prop_assert!(!open(&req, status, &sealed, &token, &body));
        prop_assert!(!open(&req, status ^ 1, &sealed, &token, &sealed.body));
    }
}
