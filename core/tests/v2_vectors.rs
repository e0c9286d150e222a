//! Runs the protocol v2 vectors (`tests/vectors/v2.json`, from an independent Python
//! implementation) through the core, on whichever backend this build uses.
//!
//! `CRYPTO_SESSIONS_V2_VECTORS=<file>` runs another file of the same format. Every
//! test fails, never skips, when the file cannot be read or a section is missing or
//! empty; each section's count is asserted non-zero.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crypto_sessions::v2::answer::{
    answer_header, m_ans, open_answer, open_stale_answer, AnswerToken, SentRequest,
};
use crypto_sessions::v2::clock::ManualClock;
use crypto_sessions::v2::envelope::{encode_envelope, open, parse_envelope, seal};
use crypto_sessions::v2::kdf::ConversationKey;
use crypto_sessions::v2::keys::{kid, KeyPair, XOnlyKey};
use crypto_sessions::v2::replay::MemoryStore;
use crypto_sessions::v2::request::{m_req, RequestToken, SignedRequest};
use crypto_sessions::v2::server::{Authenticated, Code, Server};
use crypto_sessions::v2::ENV_VECTORS;
use crypto_sessions::SecretKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn vectors() -> Value {
    let path = std::env::var(ENV_VECTORS).unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/v2.json").to_string()
    });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read v2 vectors {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("v2 vectors {path} are not JSON: {e}"))
}

fn section<'a>(v: &'a Value, name: &str) -> &'a Vec<Value> {
    let s = v[name]
        .as_array()
        .unwrap_or_else(|| panic!("vector section {name} is missing"));
    assert!(!s.is_empty(), "vector section {name} is empty");
    s
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("field {key} missing in {v}"))
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("field {key} missing in {v}"))
}

fn h(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(s(v, key)).unwrap_or_else(|e| panic!("field {key} is not hex: {e}"))
}

fn arr<const N: usize>(v: &Value, key: &str) -> [u8; N] {
    h(v, key)
        .try_into()
        .unwrap_or_else(|_| panic!("field {key} is not {N} bytes"))
}

fn pair(secret_hex: &str) -> KeyPair {
    KeyPair::new(&SecretKey::from_hex(secret_hex).unwrap())
}

fn xonly(v: &Value, key: &str) -> XOnlyKey {
    XOnlyKey::from_hex(s(v, key)).unwrap()
}

fn token(v: &Value, key: &str) -> RequestToken {
    RequestToken::from_bytes(&h(v, key)).unwrap()
}

#[test]
fn keys() {
    for v in section(&vectors(), "keys") {
        let keys = pair(s(v, "secret"));
        assert_eq!(keys.public_key().to_hex(), s(v, "xonly"));
        assert_eq!(hex::encode(keys.kid()), s(v, "kid"));
        assert_eq!(hex::encode(kid(&arr(v, "xonly"))), s(v, "kid"));
    }
}

#[test]
fn shared() {
    for v in section(&vectors(), "shared") {
        let own = pair(s(v, "secret"));
        let peer = xonly(v, "peer_xonly");
        assert_eq!(hex::encode(own.shared_x(&peer)), s(v, "shared_x"));
        let ck = ConversationKey::new(&own, &peer);
        assert_eq!(hex::encode(ck.as_bytes()), s(v, "conversation_key"));
        let from_x = ConversationKey::from_shared_x(&arr(v, "shared_x"));
        assert_eq!(from_x.as_bytes(), ck.as_bytes());
    }
}

#[test]
fn keys_derived() {
    for v in section(&vectors(), "keys_derived") {
        // The vectors give the conversation key itself: expand from it directly.
        let ck = ConversationKey::from_bytes(&arr(v, "conversation_key"));
        let req: [u8; 66] = arr(v, "request_header");
        let ans: [u8; 26] = arr(v, "answer_header");
        assert_eq!(&req[10..26], h(v, "nonce_req").as_slice());
        assert_eq!(&ans[10..26], h(v, "nonce_ans").as_slice());
        assert_eq!(hex::encode(ck.request_key(&req)), s(v, "k_req"));
        assert_eq!(hex::encode(ck.answer_key(&req, &ans)), s(v, "k_ans"));
    }
}

#[test]
fn envelope() {
    for v in section(&vectors(), "envelope") {
        let ct = s(v, "content_type");
        let payload = h(v, "payload_hex");
        let env = encode_envelope(ct, &payload).unwrap();
        assert_eq!(hex::encode(&env), s(v, "envelope_hex"));
        let opened = parse_envelope(&env).unwrap();
        assert_eq!(opened.content_type, ct);
        assert_eq!(opened.payload, payload);
    }
}

#[test]
fn request() {
    let all = vectors();
    for v in section(&all, "request") {
        let name = s(v, "name");
        let client = pair(s(v, "client_secret"));
        let server = xonly(v, "server_xonly");
        let uri = format!("{}{}", s(v, "origin"), s(v, "target"));
        let created = u(v, "created");
        let nonce = arr(v, "nonce_req");
        // The body: sealed with k_req of this very header.
        let ck = ConversationKey::new(&client, &server);
        let header = crypto_sessions::v2::request::request_header(
            created,
            &nonce,
            client.public_key().as_bytes(),
            &server.kid(),
        );
        let body = seal(
            &ck.request_key(&header),
            &header,
            s(v, "content_type"),
            &h(v, "payload_hex"),
        )
        .unwrap();
        assert_eq!(hex::encode(&body), s(v, "body_hex"), "{name}: body");
        let m = m_req(
            &header,
            server.as_bytes(),
            s(v, "method"),
            &uri,
            &Sha256::digest(&body).into(),
        )
        .unwrap();
        assert_eq!(hex::encode(m), s(v, "m_req"), "{name}: m_req");
        let signed = RequestToken::sign(
            &client,
            &server,
            created,
            &nonce,
            &arr(v, "aux_rand"),
            SignedRequest {
                method: s(v, "method"),
                uri: &uri,
                body: &body,
            },
        )
        .unwrap();
        assert_eq!(
            hex::encode(signed.as_bytes()),
            s(v, "token"),
            "{name}: token"
        );
        assert_eq!(
            format!("CryptoSession {}", signed.encode()),
            s(v, "authorization"),
            "{name}: authorization"
        );
        // And the other way: the receiver opens the body to the payload.
        let opened = open(&ck.request_key(signed.header()), signed.header(), &body).unwrap();
        assert_eq!(opened.payload, h(v, "payload_hex"), "{name}");
        assert_eq!(opened.content_type, s(v, "content_type"), "{name}");
    }
}

#[test]
fn answer() {
    for v in section(&vectors(), "answer") {
        let name = s(v, "name");
        let server = pair(s(v, "server_secret"));
        let client = xonly(v, "client_xonly");
        let request = token(v, "request_token");
        assert_eq!(request.client_key(), client.as_bytes(), "{name}");
        let header = answer_header(0, u(v, "created"), &arr(v, "nonce_ans"));
        let ck = ConversationKey::new(&server, &client);
        let body = seal(
            &ck.answer_key(request.header(), &header),
            &header,
            s(v, "content_type"),
            &h(v, "payload_hex"),
        )
        .unwrap();
        assert_eq!(hex::encode(&body), s(v, "body_hex"), "{name}: body");
        let status = u(v, "status") as u16;
        let m = m_ans(
            &header,
            server.public_key().as_bytes(),
            &request,
            status,
            &body,
        );
        assert_eq!(hex::encode(m), s(v, "m_ans"), "{name}: m_ans");
        let signed = AnswerToken::sign(
            &server,
            &request,
            header,
            status,
            &body,
            &arr(v, "aux_rand"),
        );
        assert_eq!(
            hex::encode(signed.as_bytes()),
            s(v, "token"),
            "{name}: token"
        );
        assert_eq!(signed.encode(), s(v, "crypto_session_header"), "{name}");
    }
}

#[test]
fn answer_checks() {
    let all = vectors();
    let checks = section(&all, "answer_checks");
    let (mut ok, mut rejected) = (0, 0);
    for v in checks {
        let name = s(v, "name");
        let client = pair(s(v, "client_secret"));
        let server = xonly(v, "server_xonly");
        let request = token(v, "request_token");
        let ck = ConversationKey::new(&client, &server);
        let sent = SentRequest {
            server: &server,
            token: &request,
            method: "POST",
            conversation: &ck,
        };
        let status = u(v, "status") as u16;
        let header = s(v, "crypto_session_header");
        let body = h(v, "body_hex");
        let expect_ok = match s(v, "expect") {
            "ok" => true,
            "invalid_answer" => false,
            other => panic!("{name}: unknown expectation {other}"),
        };
        match s(v, "kind") {
            "answer" => {
                let got = open_answer(sent, status, header, &body);
                if expect_ok {
                    let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(got.payload, h(v, "payload_hex"), "{name}");
                    assert_eq!(got.content_type, s(v, "content_type"), "{name}");
                } else {
                    let e = got.expect_err(name);
                    assert_eq!(e.code(), "invalid_answer");
                }
            }
            "stale" => {
                let got = open_stale_answer(sent, status, header, &body);
                if expect_ok {
                    assert_eq!(got.unwrap(), u(v, "server_time"), "{name}");
                } else {
                    assert!(got.is_err(), "{name}");
                }
            }
            other => panic!("{name}: unknown kind {other}"),
        }
        if expect_ok {
            ok += 1
        } else {
            rejected += 1
        }
    }
    assert!(ok > 0 && rejected > 0);
}

/// The secret key of an x-only key named in the `keys` section (for client-side
/// checks of what a server scenario's server sends back).
fn secret_of(all: &Value, xonly: &[u8; 32]) -> Option<KeyPair> {
    section(all, "keys")
        .iter()
        .find(|k| s(k, "xonly") == hex::encode(xonly))
        .map(|k| pair(s(k, "secret")))
}

fn denied_set(v: &Value) -> Option<HashSet<[u8; 32]>> {
    v.get("denied_clients").map(|list| {
        list.as_array()
            .expect("denied_clients is a list")
            .iter()
            .map(|k| {
                hex::decode(k.as_str().expect("hex"))
                    .unwrap()
                    .try_into()
                    .expect("32 bytes")
            })
            .collect()
    })
}

#[test]
fn server() {
    let all = vectors();
    let scenarios = section(&all, "server");
    let mut steps_run = 0;
    let mut stale_answers_verified = 0;
    for sc in scenarios {
        let name = s(sc, "name");
        let clock = Arc::new(ManualClock::new(0));
        let store = Arc::new(MemoryStore::with_created(
            u(sc, "replay_capacity") as usize,
            sc["replay_store_created"]
                .as_f64()
                .expect("replay_store_created"),
        ));
        // Step-level `denied_clients` replaces the list from that step on.
        let denied = Arc::new(Mutex::new(denied_set(sc).unwrap_or_default()));
        let admission_list = denied.clone();
        let mut builder = Server::builder()
            .max_age(u(sc, "max_age"))
            .max_skew(u(sc, "max_skew"))
            .max_body(u(sc, "max_body"))
            .replay_store(store)
            .clock(clock.clone())
            .admission(move |client| !admission_list.lock().unwrap().contains(client));
        let secrets: Vec<KeyPair> = sc["server_secrets"]
            .as_array()
            .expect("server_secrets")
            .iter()
            .map(|k| {
                let hex = k.as_str().unwrap();
                builder =
                    std::mem::take(&mut builder).secret_key(&SecretKey::from_hex(hex).unwrap());
                pair(hex)
            })
            .collect();
        for o in sc["origins"].as_array().expect("origins") {
            builder = builder.origin(o.as_str().unwrap());
        }
        let server = builder.build().unwrap_or_else(|e| panic!("{name}: {e}"));

        for (i, step) in section(sc, "steps").iter().enumerate() {
            let at = format!("{name}[{i}] {} {}", s(step, "method"), s(step, "target"));
            clock.set(u(step, "now"));
            if let Some(list) = denied_set(step) {
                *denied.lock().unwrap() = list;
            }
            let fields: Vec<String> = match step.get("authorization_fields") {
                Some(list) => list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
                None => vec![s(step, "authorization").to_string()],
            };
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            let body = h(step, "body_hex");
            let method = s(step, "method");
            let target = s(step, "target").as_bytes();
            let got = server.authenticate(method, target, &fields, Some(body.len() as u64), &body);
            steps_run += 1;
            match s(step, "expect") {
                "ok" => {
                    let got = got.unwrap_or_else(|e| panic!("{at}: rejected: {e}"));
                    assert_eq!(got.version(), 2, "{at}");
                    assert_eq!(
                        hex::encode(got.client_key()),
                        s(step, "client_xonly"),
                        "{at}"
                    );
                    assert_eq!(got.payload(), h(step, "payload_hex").as_slice(), "{at}");
                    assert_eq!(got.content_type(), s(step, "content_type"), "{at}");
                    let Authenticated::V2(req) = got else {
                        panic!("{at}: not v2")
                    };
                    answer_round_trip(&all, &server, &secrets, &req, &at);
                }
                code => {
                    let rejection = got.err().unwrap_or_else(|| panic!("{at}: accepted"));
                    assert_eq!(
                        rejection.code().map(|c| c.as_str()),
                        Some(code),
                        "{at}: {rejection}"
                    );
                    let want_status = match code {
                        "too_large" => 413,
                        "forbidden" => 403,
                        "busy" => 503,
                        _ => 401,
                    };
                    assert_eq!(rejection.status(), want_status, "{at}");
                    assert_eq!(
                        rejection.www_authenticate(),
                        format!("CryptoSession error=\"{code}\""),
                        "{at}"
                    );
                    if code == "too_large" {
                        // The Content-Length pre-check says the same before any read.
                        let early = server
                            .check_content_length(&fields, Some(body.len() as u64))
                            .expect_err(&at);
                        assert_eq!(early.code(), Some(Code::TooLarge), "{at}");
                    }
                    let want_answer = step
                        .get("stale_answer")
                        .map(|b| b.as_bool().expect("stale_answer is a bool"));
                    match (code, want_answer) {
                        ("stale", Some(true)) => {
                            verify_stale(
                                &all,
                                &secrets,
                                &fields,
                                rejection.stale_answer(),
                                u(step, "now"),
                                &at,
                            );
                            stale_answers_verified += 1;
                        }
                        ("stale", Some(false)) => {
                            assert_eq!(rejection.stale_answer(), None, "{at}: restart rule")
                        }
                        ("stale", None) => panic!("{at}: stale step without stale_answer"),
                        _ => assert_eq!(rejection.stale_answer(), None, "{at}"),
                    }
                }
            }
        }
    }
    assert!(steps_run > 0 && stale_answers_verified > 0);
}

/// The server seals an answer to an accepted request; the client side opens it.
fn answer_round_trip(
    all: &Value,
    server: &Server,
    secrets: &[KeyPair],
    req: &crypto_sessions::v2::server::V2Request,
    at: &str,
) {
    let Some(client) = secret_of(all, req.client_key().as_bytes()) else {
        return;
    };
    let server_key = secrets
        .iter()
        .find(|k| &k.kid() == req.token().kid())
        .expect("the kid names a scenario key")
        .public_key()
        .clone();
    let (ct, payload): (&str, &[u8]) = if req.method() == "HEAD" {
        ("", b"")
    } else {
        ("application/json", b"{\"ok\":true}")
    };
    let sealed = server.seal(req, 200, ct, payload).unwrap();
    let header = &sealed
        .headers
        .iter()
        .find(|(n, _)| *n == "Crypto-Session")
        .expect("Crypto-Session header")
        .1;
    let ck = ConversationKey::new(&client, &server_key);
    let sent = SentRequest {
        server: &server_key,
        token: req.token(),
        method: req.method(),
        conversation: &ck,
    };
    let opened =
        open_answer(sent, 200, header, &sealed.body).unwrap_or_else(|e| panic!("{at}: {e}"));
    assert_eq!(opened.payload, payload, "{at}");
    assert_eq!(opened.content_type, ct, "{at}");
    // Bound to the status too.
    assert!(
        open_answer(sent, 201, header, &sealed.body).is_err(),
        "{at}"
    );
}

/// A signed stale answer verifies for the request it answers and gives `now`.
fn verify_stale(
    all: &Value,
    secrets: &[KeyPair],
    fields: &[&str],
    answer: Option<&str>,
    now: u64,
    at: &str,
) {
    let answer = answer.unwrap_or_else(|| panic!("{at}: no signed stale answer"));
    let token_text = fields[0].trim().rsplit(' ').next().unwrap();
    let request = RequestToken::decode(token_text).unwrap();
    let client = secret_of(all, request.client_key()).expect("the client's key is in `keys`");
    let server_key = secrets
        .iter()
        .find(|k| &k.kid() == request.kid())
        .expect("the kid names a scenario key")
        .public_key()
        .clone();
    let ck = ConversationKey::new(&client, &server_key);
    let sent = SentRequest {
        server: &server_key,
        token: &request,
        method: "GET",
        conversation: &ck,
    };
    assert_eq!(
        open_stale_answer(sent, 401, answer, b"").unwrap(),
        now,
        "{at}"
    );
    assert!(
        open_answer(sent, 401, answer, b"").is_err(),
        "{at}: a stale answer is no answer"
    );
}

#[test]
fn replay_keys() {
    use crypto_sessions::v2::replay::{redis_key, ttl_ms};
    for v in section(&vectors(), "replay_keys") {
        let deadline = u(v, "created") + u(v, "max_age") + u(v, "max_skew") + 1;
        let key = redis_key("cs2:replay:", &arr(v, "client_xonly"), &arr(v, "nonce_req"));
        assert_eq!(key, s(v, "key"));
        let ttl = ttl_ms(deadline, u(v, "now")).expect("a live entry");
        assert_eq!(ttl, u(v, "ttl_ms"));
        let command: Vec<String> = ["SET", &key, "1", "NX", "PX", &ttl.to_string()]
            .iter()
            .map(|x| x.to_string())
            .collect();
        let want: Vec<String> = v["command"]
            .as_array()
            .expect("command")
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        assert_eq!(command, want);
    }
}
