//! The v2 client and server against each other (no HTTP: the core's API as a
//! binding calls it): every method with and without a body, the signed stale answer
//! with the clock offset and the single retry, unsigned rejections, v1 on the same
//! server, the configuration limits, the no-body rules and secrets in `Debug`.

use std::sync::Arc;
use std::time::Duration;

use crypto_sessions::http::Client as V1Client;
use crypto_sessions::v2::client::{Client, ClientError, PreparedRequest, Response};
use crypto_sessions::v2::clock::ManualClock;
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::v2::replay::{MemoryStore, Recorded, ReplayStore, StoreError};
use crypto_sessions::v2::server::{
    Authenticated, Code, Rejection, Server, ServerBuilder, V2Request,
};
use crypto_sessions::v2::{CRYPTO_SESSION, SEALED_CONTENT_TYPE, WWW_AUTHENTICATE};
use crypto_sessions::SecretKey;

const ORIGIN: &str = "https://api.example.com";
const T0: u64 = 1_900_000_000;

struct World {
    server_secret: SecretKey,
    client_secret: SecretKey,
    server_clock: Arc<ManualClock>,
    client_clock: Arc<ManualClock>,
    server: Server,
    client: Client,
}

fn builder(secret: &SecretKey, clock: &Arc<ManualClock>) -> ServerBuilder {
    Server::builder()
        .secret_key(secret)
        .origin(ORIGIN)
        .origin("http://localhost:8080")
        .replay_store(Arc::new(MemoryStore::with_created(
            1024,
            (T0 - 3600) as f64,
        )))
        .clock(clock.clone())
}

fn world() -> World {
    let server_secret = SecretKey::generate();
    let client_secret = SecretKey::generate();
    let server_clock = Arc::new(ManualClock::new(T0));
    let client_clock = Arc::new(ManualClock::new(T0));
    let server = builder(&server_secret, &server_clock).build().unwrap();
    let server_key = XOnlyKey::from_public_key(&server_secret.public_key());
    let client = Client::new(&client_secret, &server_key).with_clock(client_clock.clone());
    World {
        server_secret,
        client_secret,
        server_clock,
        client_clock,
        server,
        client,
    }
}

fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The request as the server's framework would see it.
fn send(server: &Server, req: &PreparedRequest) -> Result<Authenticated, Rejection> {
    let target = req.url().strip_prefix(ORIGIN).unwrap_or(req.url());
    server.authenticate(
        req.method(),
        target.as_bytes(),
        &[req.headers().authorization()],
        Some(req.body().len() as u64),
        req.body(),
    )
}

fn v2(a: Authenticated) -> Box<V2Request> {
    match a {
        Authenticated::V2(r) => r,
        Authenticated::V1(_) => panic!("v1"),
    }
}

fn rejection_response(r: &Rejection) -> (u16, Vec<(&'static str, String)>) {
    (r.status(), r.headers())
}

#[test]
fn every_method_round_trips_with_and_without_a_body() {
    let w = world();
    let methods = [
        "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND", "QUERY",
    ];
    let bodies: [(&str, &[u8]); 4] = [
        ("", b""),
        ("application/json", b"{\"a\":1}"),
        ("", b"\x00\x01binary"),
        ("text/plain;charset=utf-8", b""),
    ];
    for method in methods {
        for (ct, payload) in bodies {
            let url = format!("{ORIGIN}/v2/things/\u{3a9}?q=a b&x=%7e#frag");
            let req = w.client.prepare(method, &url, ct, payload).unwrap();
            assert_eq!(
                req.url(),
                format!("{ORIGIN}/v2/things/%CE%A9?q=a%20b&x=%7e")
            );
            assert_eq!(req.method(), method);
            let no_body = ct.is_empty() && payload.is_empty();
            assert_eq!(req.body().is_empty(), no_body);
            let names: Vec<_> = req.headers().iter().map(|(name, _)| name).collect();
            if no_body {
                assert_eq!(names, ["Authorization"]);
                assert_eq!(req.headers().content_type(), None);
            } else {
                assert_eq!(names, ["Authorization", "Content-Type", "Cache-Control"]);
                assert_eq!(req.headers().content_type(), Some(SEALED_CONTENT_TYPE));
                assert_eq!(req.headers().get("cache-control"), Some("no-transform"));
                assert_eq!(req.headers().cache_control(), Some("no-transform"));
            }
            let scheme = req.headers().authorization().split_once(' ').unwrap().0;
            assert_eq!(scheme, "CryptoSession");
            let got = v2(send(&w.server, &req).unwrap_or_else(|e| panic!("{method}: {e}")));
            assert_eq!(got.method(), method);
            assert_eq!(got.payload(), payload);
            assert_eq!(got.content_type(), ct);
            assert_eq!(got.client_key(), w.client.public_key());

            let (status, answer_ct, answer): (u16, &str, &[u8]) = if method == "HEAD" {
                (200, "", b"")
            } else {
                (201, "application/json", b"{\"ok\":true}")
            };
            let sealed = w.server.seal(&got, status, answer_ct, answer).unwrap();
            assert_eq!(header(&sealed.headers, "Cache-Control"), Some("no-store"));
            let opened = w
                .client
                .open(
                    &req,
                    Response {
                        status: sealed.status,
                        crypto_session: header(&sealed.headers, CRYPTO_SESSION),
                        www_authenticate: None,
                        body: &sealed.body,
                    },
                )
                .unwrap_or_else(|e| panic!("{method}: {e}"));
            assert_eq!(opened.status, status);
            assert_eq!(opened.payload, answer);
            assert_eq!(opened.content_type, answer_ct);
            // The same answer is no answer to a sibling request.
            let sibling = w.client.prepare(method, &url, ct, payload).unwrap();
            let e = w
                .client
                .open(
                    &sibling,
                    Response {
                        status: sealed.status,
                        crypto_session: header(&sealed.headers, CRYPTO_SESSION),
                        www_authenticate: None,
                        body: &sealed.body,
                    },
                )
                .unwrap_err();
            assert_eq!(e.code(), "invalid_answer");
        }
    }
}

#[test]
fn a_signed_stale_answer_sets_the_offset_and_allows_one_retry() {
    let w = world();
    // The client's clock is 100 s behind the server's (max_age is 60).
    w.client_clock.set(T0 - 100);
    let req = w
        .client
        .prepare("POST", &format!("{ORIGIN}/pay"), "application/json", b"{}")
        .unwrap();
    let rejection = send(&w.server, &req).unwrap_err();
    assert_eq!(rejection.code(), Some(Code::Stale));
    let (status, headers) = rejection_response(&rejection);
    assert_eq!(status, 401);
    assert_eq!(
        header(&headers, WWW_AUTHENTICATE),
        Some("CryptoSession error=\"stale\"")
    );
    let e = w
        .client
        .open(
            &req,
            Response {
                status,
                crypto_session: header(&headers, CRYPTO_SESSION),
                www_authenticate: header(&headers, WWW_AUTHENTICATE),
                body: b"",
            },
        )
        .unwrap_err();
    let ClientError::Stale {
        server_time,
        offset_applied,
        retry,
    } = e
    else {
        panic!("{e}")
    };
    assert_eq!(server_time, T0);
    assert!(offset_applied);
    assert_eq!(w.client.clock_offset(), 100);
    let retry = retry.expect("one retry");
    assert!(retry.is_retry());
    assert_ne!(retry.token().nonce(), req.token().nonce(), "a new nonce");
    assert_eq!(retry.token().created(), T0);
    let got = v2(send(&w.server, &retry).unwrap());
    assert_eq!(got.payload(), b"{}");

    // Sent again while the store remembers it: replayed, not stale.
    w.server_clock.set(T0 + 61);
    assert_eq!(
        send(&w.server, &retry).unwrap_err().code(),
        Some(Code::Replayed)
    );
    // Past its deadline: stale, and a stale answer to a retry allows no second retry.
    w.server_clock.set(T0 + 1000);
    let rejection = send(&w.server, &retry).unwrap_err();
    assert_eq!(rejection.code(), Some(Code::Stale));
    let e = w
        .client
        .open(
            &retry,
            Response {
                status: 401,
                crypto_session: rejection.stale_answer(),
                www_authenticate: None,
                body: b"",
            },
        )
        .unwrap_err();
    assert!(matches!(e, ClientError::Stale { retry: None, .. }), "{e}");
}

#[test]
fn a_late_stale_answer_corrects_the_clock_but_allows_no_retry() {
    let w = world();
    w.client_clock.set(T0 + 600);
    let req = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    let rejection = send(&w.server, &req).unwrap_err();
    w.client_clock.advance(Duration::from_secs(6));
    let e = w
        .client
        .open(
            &req,
            Response {
                status: 401,
                crypto_session: rejection.stale_answer(),
                www_authenticate: None,
                body: b"",
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            ClientError::Stale {
                retry: None,
                offset_applied: true,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(w.client.clock_offset(), -606);
}

#[test]
fn an_offset_beyond_an_hour_is_not_taken() {
    let w = world();
    w.client_clock.set(T0 - 3601);
    let req = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    let rejection = send(&w.server, &req).unwrap_err();
    let e = w
        .client
        .open(
            &req,
            Response {
                status: 401,
                crypto_session: rejection.stale_answer(),
                www_authenticate: None,
                body: b"",
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            ClientError::Stale {
                offset_applied: false,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(w.client.clock_offset(), 0);
}

#[test]
fn unsigned_rejections_and_unsigned_answers() {
    let w = world();
    let req = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    let open = |status, crypto_session, www_authenticate| {
        w.client.open(
            &req,
            Response {
                status,
                crypto_session,
                www_authenticate,
                body: b"",
            },
        )
    };
    let e = open(503, None, Some("CryptoSession error=\"busy\"")).unwrap_err();
    assert!(matches!(
        e,
        ClientError::Rejected {
            status: 503,
            code: Some(Code::Busy)
        }
    ));
    // A redirect is not signed: it is no answer.
    assert_eq!(open(302, None, None).unwrap_err().code(), "invalid_answer");
    assert_eq!(
        open(200, Some("x"), None).unwrap_err().code(),
        "invalid_answer"
    );
    assert_eq!(
        open(401, None, Some("Bearer")).unwrap_err().code(),
        "invalid_answer"
    );
}

#[test]
fn answers_follow_the_no_body_rules_and_status_range() {
    let w = world();
    let req = w
        .client
        .prepare("HEAD", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    let got = v2(send(&w.server, &req).unwrap());
    assert!(w.server.seal(&got, 200, "text/plain", b"").is_err());
    assert!(w.server.seal(&got, 200, "", b"x").is_err());
    assert!(w.server.seal(&got, 200, "", b"").is_ok());
    let req = w
        .client
        .prepare("GET", &format!("{ORIGIN}/y"), "", b"")
        .unwrap();
    let got = v2(send(&w.server, &req).unwrap());
    for status in [100, 101, 204, 304] {
        assert!(w.server.seal(&got, status, "", b"x").is_err(), "{status}");
        let sealed = w.server.seal(&got, status, "", b"").unwrap();
        assert!(sealed.body.is_empty());
        let opened = w
            .client
            .open(
                &req,
                Response {
                    status,
                    crypto_session: header(&sealed.headers, CRYPTO_SESSION),
                    www_authenticate: None,
                    body: b"",
                },
            )
            .unwrap();
        assert_eq!((opened.status, opened.payload.len()), (status, 0));
    }
    for status in [0, 99, 600, 999] {
        assert!(w.server.seal(&got, status, "", b"").is_err(), "{status}");
    }
    assert!(
        w.server.seal(&got, 200, "a\nb", b"x").is_err(),
        "content type bytes"
    );
}

#[test]
fn configuration_limits_fail_the_build() {
    let secret = SecretKey::generate();
    let clock = Arc::new(ManualClock::new(T0));
    let err = |b: ServerBuilder| b.build().expect_err("a bad configuration").to_string();
    assert!(err(builder(&secret, &clock).max_skew(4)).contains("max_skew"));
    assert!(err(builder(&secret, &clock).max_age(0)).contains("max_age"));
    assert!(err(builder(&secret, &clock).max_body(0)).contains("max_body"));
    assert!(err(builder(&secret, &clock).origin("https://a.example/path")).contains("origin"));
    assert!(err(Server::builder().origin(ORIGIN)).contains("no server key"));
    assert!(err(Server::builder().secret_key(&secret)).contains("no origin"));
    assert!(err(builder(&secret, &clock).secret_key(&secret)).contains("key id"));
    assert!(err(Server::builder()
        .secret_key(&secret)
        .origin(ORIGIN)
        .replay_capacity(0))
    .contains("replay_capacity"));
    let defaults = Server::builder()
        .secret_key(&secret)
        .origin(ORIGIN)
        .build()
        .unwrap();
    assert_eq!(defaults.limits(), (60, 5, 1 << 20));
    assert!(defaults.v1().is_none(), "v1 is off by default");
}

#[test]
fn content_length_is_checked_before_the_body() {
    let w = world();
    let server = builder(&w.server_secret, &w.server_clock)
        .max_body(10)
        .build()
        .unwrap();
    let e = server
        .check_content_length(&["CryptoSession x"], Some(11))
        .unwrap_err();
    assert_eq!((e.code(), e.status()), (Some(Code::TooLarge), 413));
    assert!(server.check_content_length(&[], Some(10)).is_ok());
    assert!(server.check_content_length(&[], None).is_ok());
}

#[test]
fn both_versions_on_one_server() {
    let w = world();
    let v1_client = V1Client::new(
        &w.server_secret.public_key(),
        &w.client_secret,
        Some(ORIGIN),
    );
    let v1_get = v1_client.prepare("GET", "/v1/thing", None).unwrap();
    let v1_auth = v1_get.headers.authorization().to_string();

    // v2 only (the default): a v1 token is malformed.
    let e = w
        .server
        .authenticate("GET", b"/v1/thing", &[&v1_auth], None, b"")
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::Malformed));

    let both = builder(&w.server_secret, &w.server_clock)
        .accept_v1(true)
        .build()
        .unwrap();
    let got = both
        .authenticate("GET", b"/v1/thing", &[&v1_auth], None, b"")
        .unwrap();
    assert_eq!(got.version(), 1);
    assert_eq!(got.client_key(), w.client_secret.public_key().as_bytes());
    let v1_post = v1_client
        .prepare("POST", "/v1/thing", Some(b"V1-SECRET-PAYLOAD"))
        .unwrap();
    let posted = both
        .authenticate(
            "POST",
            b"/v1/thing",
            &[v1_post.headers.authorization()],
            None,
            v1_post.body.as_deref().unwrap().as_bytes(),
        )
        .unwrap();
    assert_eq!(posted.payload(), b"V1-SECRET-PAYLOAD");
    assert_eq!(posted.content_type(), "");
    let shown = format!("{posted:?}");
    let as_bytes = format!("{:?}", b"V1-SECRET".to_vec());
    assert!(!shown.contains("V1-SECRET"), "{shown}");
    assert!(!shown.contains(as_bytes.trim_end_matches(']')), "{shown}");
    // The v1 path reads the raw target with the same rules: an absolute-form target
    // is checked for its own origin, so another origin's target (which a router
    // would route to `/`) never passes as the signed one.
    let abs = format!("{ORIGIN}/v1/thing");
    assert_eq!(
        both.authenticate("GET", abs.as_bytes(), &[&v1_auth], None, b"")
            .unwrap()
            .version(),
        1
    );
    for target in [
        &b"http://x?action=delete&/v1/thing"[..],
        b"http://evil#/v1/thing",
        b"1/v1/thing",
        b"/v1/thing\xff",
        b"https://evil.example.net/v1/thing",
    ] {
        let e = both
            .authenticate("GET", target, &[&v1_auth], None, b"")
            .unwrap_err();
        assert_eq!((e.code(), e.status()), (None, 401), "{target:?}");
    }
    // v1 rejections stay uniform: 401, no code.
    let e = both
        .authenticate("GET", b"/v1/other", &[&v1_auth], None, b"")
        .unwrap_err();
    assert_eq!((e.code(), e.status()), (None, 401));
    assert_eq!(e.www_authenticate(), "CryptoSession");
    // v2 requests still work, and a v2-looking value is parsed as v2.
    let req = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    assert_eq!(send(&both, &req).unwrap().version(), 2);
    for value in ["CryptoSession", "cryptosession\tabc", "  CRYPTOSESSION  "] {
        let e = both
            .authenticate("GET", b"/x", &[value], None, b"")
            .unwrap_err();
        assert_eq!(e.code(), Some(Code::Malformed), "{value:?}");
    }
}

#[derive(Debug)]
struct Unreachable;

impl ReplayStore for Unreachable {
    fn record(&self, _: &[u8; 32], _: &[u8; 16], _: u64, _: u64) -> Result<Recorded, StoreError> {
        Err(StoreError::new("unreachable"))
    }
    fn contains(&self, _: &[u8; 32], _: &[u8; 16], _: u64) -> Result<bool, StoreError> {
        Err(StoreError::new("unreachable"))
    }
    fn restart_floor(&self) -> Option<u64> {
        None
    }
}

#[test]
fn an_unreachable_store_is_busy_never_accepted() {
    let w = world();
    let server = builder(&w.server_secret, &w.server_clock)
        .replay_store(Arc::new(Unreachable))
        .build()
        .unwrap();
    let req = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    let e = send(&server, &req).unwrap_err();
    assert_eq!((e.code(), e.status()), (Some(Code::Busy), 503));
    w.client_clock.set(T0 - 1000);
    let old = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    assert_eq!(send(&server, &old).unwrap_err().code(), Some(Code::Busy));
}

#[test]
fn debug_shows_no_secret_and_no_payload() {
    let w = world();
    let req = w
        .client
        .prepare(
            "POST",
            &format!("{ORIGIN}/x"),
            "text/plain",
            b"TOP-SECRET-PAYLOAD",
        )
        .unwrap();
    let got = send(&w.server, &req).unwrap();
    let sealed = match &got {
        Authenticated::V2(r) => w
            .server
            .seal(r, 200, "text/plain", b"TOP-SECRET-ANSWER")
            .unwrap(),
        Authenticated::V1(_) => unreachable!(),
    };
    let text = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?}",
        w.server, w.client, req, got, sealed, w.server_clock
    );
    for secret in [&w.server_secret, &w.client_secret] {
        assert!(!text.contains(secret.to_hex().as_str()));
    }
    assert!(!text.contains("TOP-SECRET"));
    assert!(text.contains(&w.client.public_key().to_hex()));
}

/// The value of `Access-Control-Expose-Headers` among `headers`, split on commas.
fn exposed(headers: &[(&'static str, String)]) -> Vec<String> {
    let values: Vec<&String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("access-control-expose-headers"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values.len(), 1, "{headers:?}");
    values[0].split(',').map(|s| s.trim().to_string()).collect()
}

#[test]
fn cors_exposes_authorization_only_when_v1_is_on() {
    let w = world();
    let both = builder(&w.server_secret, &w.server_clock)
        .accept_v1(true)
        .build()
        .unwrap();
    let v2_only = ["Crypto-Session", "WWW-Authenticate"];
    let with_v1 = ["Crypto-Session", "WWW-Authenticate", "Authorization"];
    for (server, want) in [(&w.server, &v2_only[..]), (&both, &with_v1[..])] {
        // A v2 answer, a v2 rejection and a too_large rejection before the body.
        let req = w
            .client
            .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
            .unwrap();
        let Authenticated::V2(got) = send(server, &req).unwrap() else {
            panic!("v2 expected")
        };
        let sealed = server.seal(&got, 200, "text/plain", b"hi").unwrap();
        assert_eq!(exposed(&sealed.headers), want);
        let e = send(server, &req).unwrap_err();
        assert_eq!(e.code(), Some(Code::Replayed));
        assert_eq!(exposed(&e.headers()), want);
        let (_, _, max_body) = server.limits();
        let e = server
            .check_content_length(&[req.headers().authorization()], Some(max_body + 1))
            .unwrap_err();
        assert_eq!(exposed(&e.headers()), want);
        assert_eq!(server.exposed_headers(), want.join(", "));
    }

    // A v1 answer of the dual server exposes Authorization, where its token travels;
    // a v2-only server refuses to seal one.
    let v1_client = V1Client::new(
        &w.server_secret.public_key(),
        &w.client_secret,
        Some(ORIGIN),
    );
    let v1_get = v1_client.prepare("GET", "/v1/thing", None).unwrap();
    let Authenticated::V1(got) = both
        .authenticate(
            "GET",
            b"/v1/thing",
            &[v1_get.headers.authorization()],
            None,
            b"",
        )
        .unwrap()
    else {
        panic!("v1 expected")
    };
    let sealed = both.seal_v1(&got, 200, b"v1 answer").unwrap();
    assert_eq!(exposed(&sealed.headers), with_v1);
    let token = &sealed
        .headers
        .iter()
        .find(|(k, _)| *k == "authorization")
        .unwrap()
        .1;
    let opened = v1_client
        .open(200, Some(token), std::str::from_utf8(&sealed.body).unwrap())
        .unwrap();
    assert_eq!(opened, b"v1 answer");
    assert!(w.server.seal_v1(&got, 200, b"x").is_err());
}

#[test]
fn check_answer_takes_the_kind_given_or_the_tokens() {
    use crypto_sessions::v2::answer::{check_answer, AnswerKind, Checked, SentRequest};
    use crypto_sessions::v2::kdf::ConversationKey;
    use crypto_sessions::v2::keys::KeyPair;

    let w = world();
    let server_key = XOnlyKey::from_public_key(&w.server_secret.public_key());
    let conversation = ConversationKey::new(&KeyPair::new(&w.client_secret), &server_key);
    // An answer.
    let req = w
        .client
        .prepare("POST", &format!("{ORIGIN}/x"), "text/plain", b"q")
        .unwrap();
    let Authenticated::V2(got) = send(&w.server, &req).unwrap() else {
        panic!("v2 expected")
    };
    let answer = w.server.seal(&got, 201, "text/plain", b"done").unwrap();
    let token = &answer.headers[0].1;
    let sent = SentRequest {
        server: &server_key,
        token: req.token(),
        method: "POST",
        conversation: &conversation,
    };
    for kind in [None, Some(AnswerKind::Answer)] {
        let Checked::Answer(opened) = check_answer(sent, 201, token, &answer.body, kind).unwrap()
        else {
            panic!("an answer expected")
        };
        assert_eq!(
            (opened.content_type.as_str(), &opened.payload[..]),
            ("text/plain", &b"done"[..])
        );
    }
    assert!(check_answer(sent, 201, token, &answer.body, Some(AnswerKind::Stale)).is_err());
    // A signed stale answer: the client's clock far behind the server's.
    w.client_clock.set(T0 - 1000);
    let late = w
        .client
        .prepare("GET", &format!("{ORIGIN}/x"), "", b"")
        .unwrap();
    let stale = send(&w.server, &late).unwrap_err();
    let stale_token = stale.stale_answer().expect("a signed stale answer");
    let sent = SentRequest {
        token: late.token(),
        method: "GET",
        ..sent
    };
    for kind in [None, Some(AnswerKind::Stale)] {
        assert_eq!(
            check_answer(sent, 401, stale_token, b"", kind).unwrap(),
            Checked::Stale { server_time: T0 }
        );
    }
    assert!(check_answer(sent, 401, stale_token, b"", Some(AnswerKind::Answer)).is_err());
    // Without a kind, a token that does not parse is the error.
    assert!(check_answer(sent, 401, "not a token", b"", None).is_err());
}
