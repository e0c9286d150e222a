//! `crypto-session fetch` speaking protocol v2 (the default) to a real HTTP server on
//! 127.0.0.1 that authenticates with the core's v2 `Server`; and to a v1-only server.

mod common;

use std::sync::{Arc, Mutex};

use common::{
    assert_exit, fetch_as, header, respond, run, stderr, stdout, stdout_json, unix_now, Listener,
    TestServer,
};
use crypto_sessions::v2::clock::{Clock, ManualClock, SystemClock};
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::v2::replay::MemoryStore;
use crypto_sessions::v2::server::{Authenticated, Server};
use crypto_sessions::SecretKey;
use serde_json::json;

/// What the v2 server saw of the last request that reached it.
#[derive(Debug, Clone, Default)]
struct Seen {
    method: String,
    target: String,
    http_content_type: Option<String>,
    extra: Option<String>,
}

/// A v2 server on an ephemeral port of 127.0.0.1 (v2 only, as by default).
///
/// Routes (after authentication; a rejection gets its status, `WWW-Authenticate`
/// and, for a signed stale answer, `Crypto-Session`, with an empty body):
/// - `/missing`: a sealed `text/plain` answer `no such thing` with status 404;
/// - `/tampered`: a sealed answer with one byte of the body changed;
/// - `/redirect`: an unsigned 302 to `/echo`;
/// - anything else: a sealed JSON answer with the method, target, the client's
///   x-only key, the content type and the payload as text.
struct V2Server {
    url: String,
    secret: SecretKey,
    seen: Arc<Mutex<Seen>>,
    listener: Listener,
}

impl V2Server {
    fn start() -> V2Server {
        Self::with_clock(Arc::new(SystemClock))
    }

    fn with_clock(clock: Arc<dyn Clock>) -> V2Server {
        let secret = SecretKey::generate();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let listener = Listener::start(|url| {
            // The memory store's restart guard would refuse every request for
            // max_skew seconds after the start; a test server starts just before
            // its requests.
            let store = MemoryStore::new(1024).without_restart_guard();
            let server = Server::builder()
                .secret_key(&secret)
                .origin(url)
                .clock(clock)
                .replay_store(Arc::new(store))
                .build()
                .expect("a v2 server");
            let seen = seen.clone();
            move |request| handle(&server, request, &seen)
        });
        V2Server {
            url: listener.url.clone(),
            secret,
            seen,
            listener,
        }
    }

    fn xonly_hex(&self) -> String {
        XOnlyKey::from_public_key(&self.secret.public_key()).to_hex()
    }

    fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }

    fn requests(&self) -> usize {
        self.listener.requests()
    }
}

fn handle(server: &Server, mut request: tiny_http::Request, seen: &Mutex<Seen>) {
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    let method = request.method().as_str().to_string();
    let target = request.url().to_string();
    let auth: Vec<String> = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("authorization"))
        .map(|h| h.value.as_str().to_string())
        .collect();
    let auth: Vec<&str> = auth.iter().map(String::as_str).collect();
    *seen.lock().unwrap() = Seen {
        method: method.clone(),
        target: target.clone(),
        http_content_type: header(&request, "content-type"),
        extra: header(&request, "x-extra"),
    };
    let length = Some(body.len() as u64);
    let ok = match server.authenticate(&method, target.as_bytes(), &auth, length, &body) {
        Ok(Authenticated::V2(ok)) => ok,
        Ok(Authenticated::V1(_)) => unreachable!("v1 is off"),
        Err(rejection) => {
            eprintln!("v2 test server: rejected {method} {target}: {rejection}");
            return respond(
                request,
                rejection.status(),
                &rejection.headers(),
                Vec::new(),
            );
        }
    };
    let path = target.split('?').next().unwrap_or_default();
    let sealed = match path {
        "/missing" => server.seal(&ok, 404, "text/plain", b"no such thing"),
        "/tampered" => {
            let mut a = server
                .seal(
                    &ok,
                    200,
                    "text/plain",
                    b"an answer long enough to tamper with",
                )
                .unwrap();
            let i = a.body.len() / 2;
            a.body[i] ^= 1;
            return respond(request, a.status, &a.headers, a.body);
        }
        "/redirect" => {
            let location = vec![("Location", "/echo".to_string())];
            return respond(request, 302, &location, Vec::new());
        }
        _ => {
            let answer = json!({
                "method": method,
                "target": target,
                "client": hex::encode(ok.client_key().as_bytes()),
                "content_type": ok.content_type(),
                "payload": String::from_utf8_lossy(ok.payload()),
            });
            server.seal(&ok, 200, "application/json", answer.to_string().as_bytes())
        }
    };
    let a = sealed.unwrap();
    respond(request, a.status, &a.headers, a.body)
}

/// `fetch` (v2) with the server's x-only key and a client key from the environment.
fn fetch(
    server: &V2Server,
    client: &SecretKey,
    args: &[&str],
    stdin: &[u8],
) -> std::process::Output {
    let server_key = server.xonly_hex();
    fetch_as(client, &["--server-key", &server_key], args, stdin)
}

fn xonly(secret: &SecretKey) -> String {
    XOnlyKey::from_public_key(&secret.public_key()).to_hex()
}

#[test]
fn get_post_put_delete_patch_round_trip_with_their_content_types() {
    let server = V2Server::start();
    let client = SecretKey::generate();

    // GET: no body at all; the target is signed and sent percent-encoded.
    let url = format!("{}/echo?name=a b&city=Zürich", server.url);
    let out = fetch(&server, &client, &[&url], b"");
    assert_exit(&out, 0);
    let a = stdout_json(&out);
    assert_eq!(a["method"], "GET");
    assert_eq!(a["target"], "/echo?name=a%20b&city=Z%C3%BCrich");
    assert_eq!(a["client"], xonly(&client));
    assert_eq!(a["content_type"], "");
    assert_eq!(a["payload"], "");
    let seen = server.seen();
    assert_eq!(
        seen.target, "/echo?name=a%20b&city=Z%C3%BCrich",
        "sent as signed"
    );
    assert_eq!(seen.http_content_type, None);

    // POST --json: sealed with application/json, compact.
    let url = format!("{}/orders", server.url);
    let out = fetch(
        &server,
        &client,
        &["--json", r#"{ "order": 42 }"#, &url],
        b"",
    );
    assert_exit(&out, 0);
    let a = stdout_json(&out);
    assert_eq!(a["method"], "POST");
    assert_eq!(a["content_type"], "application/json");
    assert_eq!(a["payload"], r#"{"order":42}"#);
    assert_eq!(
        server.seen().http_content_type.as_deref(),
        Some("application/vnd.crypto-session.v2"),
        "the HTTP content type is the sealed body's"
    );

    // PUT from stdin with the payload's own media type from -H.
    let url = format!("{}/orders/42", server.url);
    let args = [
        "-X",
        "PUT",
        "-H",
        "Content-Type: text/plain;charset=utf-8",
        "-H",
        "X-Extra: 7",
        "-d",
        "@-",
        &url,
    ];
    let out = fetch(&server, &client, &args, b"line one\n");
    assert_exit(&out, 0);
    let a = stdout_json(&out);
    assert_eq!(a["method"], "PUT");
    assert_eq!(a["target"], "/orders/42");
    assert_eq!(a["content_type"], "text/plain;charset=utf-8");
    assert_eq!(a["payload"], "line one\n");
    let seen = server.seen();
    assert_eq!(
        seen.http_content_type.as_deref(),
        Some("application/vnd.crypto-session.v2")
    );
    assert_eq!(seen.extra.as_deref(), Some("7"));

    // DELETE without a body, PATCH with an octet-stream body (no content type).
    let out = fetch(&server, &client, &["-X", "DELETE", &url], b"");
    assert_exit(&out, 0);
    let a = stdout_json(&out);
    assert_eq!(
        (a["method"].as_str(), a["payload"].as_str()),
        (Some("DELETE"), Some(""))
    );
    assert_eq!(server.seen().method, "DELETE");
    let out = fetch(
        &server,
        &client,
        &["-X", "PATCH", "--data-raw", "@x", &url],
        b"",
    );
    assert_exit(&out, 0);
    let a = stdout_json(&out);
    assert_eq!(a["method"], "PATCH");
    assert_eq!(a["content_type"], "");
    assert_eq!(a["payload"], "@x");
    assert_eq!(server.requests(), 5, "one request each: nothing retried");
}

#[test]
fn the_compressed_server_key_works_as_well_as_the_x_only_one() {
    let server = V2Server::start();
    let client = SecretKey::generate();
    let url = format!("{}/echo", server.url);
    let compressed = server.secret.public_key().to_hex();
    let out = run(
        &["fetch", "--server-key", &compressed, &url],
        &[("CRYPTO_SESSION_KEY", client.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["client"], xonly(&client));
}

#[test]
fn a_signed_404_exits_4_and_prints_the_verified_answer() {
    let server = V2Server::start();
    let url = format!("{}/missing", server.url);
    let out = fetch(&server, &SecretKey::generate(), &[&url], b"");
    assert_exit(&out, 4);
    assert_eq!(out.stdout, b"no such thing");
    assert!(
        stderr(&out).contains("the server answered 404 Not Found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rejections_exit_3_with_the_servers_code() {
    let server = V2Server::start();
    let client = SecretKey::generate();
    let url = format!("{}/echo", server.url);
    // A key the server does not hold: its kid names no server key.
    let other = xonly(&SecretKey::generate());
    let out = run(
        &["fetch", "--server-key", &other, &url],
        &[("CRYPTO_SESSION_KEY", client.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 3);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("(401 Unauthorized, unknown_key)"), "{err}");
    assert!(err.contains("whether it ran is unknown"), "{err}");

    // Signed for an origin the server is not configured with.
    let port = server.url.rsplit(':').next().unwrap();
    let out = fetch(
        &server,
        &client,
        &[&format!("http://localhost:{port}/echo")],
        b"",
    );
    assert_exit(&out, 3);
    assert!(
        stderr(&out).contains("invalid_signature"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_answer_that_does_not_verify_exits_5_and_redirects_are_not_followed() {
    let server = V2Server::start();
    let client = SecretKey::generate();
    let out = fetch(
        &server,
        &client,
        &[&format!("{}/tampered", server.url)],
        b"",
    );
    assert_exit(&out, 5);
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("the answer does not verify"),
        "{}",
        stderr(&out)
    );

    let before = server.requests();
    let out = fetch(
        &server,
        &client,
        &[&format!("{}/redirect", server.url)],
        b"",
    );
    assert_exit(&out, 5);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("(302 Found)"), "{err}");
    assert!(err.contains("without a Crypto-Session header"), "{err}");
    assert_eq!(
        server.requests(),
        before + 1,
        "the Location was not followed"
    );
}

#[test]
fn a_signed_stale_answer_sets_the_clock_offset_and_the_request_is_retried_once() {
    // The server's clock runs 2 minutes ahead: outside max_age (60 s).
    let server = V2Server::with_clock(Arc::new(ManualClock::new(unix_now() + 120)));
    let client = SecretKey::generate();
    let url = format!("{}/echo", server.url);
    let out = fetch(
        &server,
        &client,
        &["-v", "-X", "PUT", "-d", "once", &url],
        b"",
    );
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["payload"], "once");
    let err = stderr(&out);
    assert!(err.contains("signed stale answer"), "{err}");
    assert!(err.contains("retrying once with a new nonce"), "{err}");
    assert_eq!(
        server.requests(),
        2,
        "the stale request, then the one retry"
    );

    // Two hours ahead: more than the 1 hour a client corrects; the one retry is
    // stale again and the client stops.
    let server = V2Server::with_clock(Arc::new(ManualClock::new(unix_now() + 7200)));
    let out = fetch(&server, &client, &[&format!("{}/echo", server.url)], b"");
    assert_exit(&out, 3);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("refused the request as stale"), "{err}");
    assert!(err.contains("more than an hour"), "{err}");
    assert_eq!(server.requests(), 2, "one retry, never more");
}

#[test]
fn a_v1_only_server_gets_a_clear_error_and_v1_with_the_flag() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    let key = client.to_hex();
    let server_key = server.public_hex();
    let url = format!("{}/echo", server.url);
    let env = [("CRYPTO_SESSION_KEY", key.as_str())];

    let out = run(&["fetch", "--server-key", &server_key, &url], &env, b"");
    assert_exit(&out, 3);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("it may speak only protocol v1"), "{err}");
    assert!(err.contains("use --v1"), "{err}");
    assert_eq!(server.requests(), 1, "no fallback to v1");

    let out = run(
        &["fetch", "--v1", "--server-key", &server_key, &url],
        &env,
        b"",
    );
    assert_exit(&out, 0);
    let a = stdout_json(&out);
    assert_eq!(a["method"], "GET");
    assert_eq!(a["peer"], client.public_key().to_hex());
}

#[test]
fn verbose_shows_the_exchange_but_never_the_secret() {
    let server = V2Server::start();
    let client = SecretKey::generate();
    let secret = client.to_hex();
    let url = format!("{}/echo", server.url);
    let out = fetch(&server, &client, &["-v", "--json", r#"{"a":1}"#, &url], b"");
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("* protocol v2"), "{err}");
    assert!(err.contains(&format!("> POST {url}")), "{err}");
    assert!(err.contains("> Authorization: CryptoSession "), "{err}");
    assert!(
        err.contains("> Content-Type: application/vnd.crypto-session.v2"),
        "{err}"
    );
    assert!(err.contains("< 200 OK"), "{err}");
    assert!(err.contains("< crypto-session: "), "{err}");
    assert!(err.contains("* answer verified"), "{err}");
    assert!(err.contains(&xonly(&client)), "{err}");
    for shown in [&err, &stdout(&out)] {
        assert!(
            !shown.contains(secret.as_str()),
            "the secret leaked: {shown}"
        );
    }
}

#[test]
fn v2_bad_input_is_refused_before_anything_is_sent() {
    let server = V2Server::start();
    let client = SecretKey::generate();
    let url = format!("{}/echo", server.url);
    let cases: &[(&[&str], &str)] = &[
        (&["-X", "G T", &url], "the method must be a non-empty token"),
        (
            &["-H", "Content-Type: caf\u{e9}", "-d", "x", &url],
            "content type holds byte",
        ),
        (&["ftp://127.0.0.1/x"], "the scheme must be http or https"),
        (
            &["--server-key", "02abc", &url],
            "cannot be used multiple times",
        ),
    ];
    for (args, message) in cases {
        let out = fetch(&server, &client, args, b"");
        assert!(out.status.code() == Some(1) || out.status.code() == Some(2));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    let out = run(
        // x = 5 is not the x-coordinate of a curve point.
        &[
            "fetch",
            "--server-key",
            &format!("{}05", "0".repeat(62)),
            &url,
        ],
        &[("CRYPTO_SESSION_KEY", client.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("--server-key: "), "{}", stderr(&out));
    assert_eq!(server.requests(), 0);
}
