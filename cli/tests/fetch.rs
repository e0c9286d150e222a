//! `crypto-session fetch --v1` against a real HTTP server on 127.0.0.1 running the
//! core's v1 `Server` (v2, the default, is in `fetch_v2.rs`).

mod common;

use common::{assert_exit, fetch_as, run, stderr, stdout, stdout_json, TestServer};
use crypto_sessions::SecretKey;
use serde_json::{json, Value};

/// `fetch --v1` with the server's key and a client key from the environment.
fn fetch(
    server: &TestServer,
    client: &SecretKey,
    args: &[&str],
    stdin: &[u8],
) -> std::process::Output {
    let server_key = server.public_hex();
    fetch_as(client, &["--v1", "--server-key", &server_key], args, stdin)
}

#[test]
fn get_sends_the_url_exactly_as_signed_and_prints_the_opened_answer() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    // %20 and %2F must reach the server undecoded: the server verifies its host +
    // the raw request-target, so any re-encoding would be a 401.
    let url = format!("{}/echo?name=a%20b&path=x%2Fy", server.url);
    let out = fetch(&server, &client, &[&url], b"");
    assert_exit(&out, 0);
    let answer = stdout_json(&out);
    assert_eq!(answer["method"], "GET");
    assert_eq!(answer["target"], "/echo?name=a%20b&path=x%2Fy");
    assert_eq!(answer["peer"], client.public_key().to_hex());
    assert_eq!(answer["payload"], Value::Null);
    assert_eq!(server.seen().target, "/echo?name=a%20b&path=x%2Fy");
}

#[test]
fn raw_spaces_and_non_ascii_are_percent_encoded_as_fetch_does() {
    let server = TestServer::start();
    let url = format!("{}/echo?name=a b&city=Zürich", server.url);
    let out = fetch(&server, &SecretKey::generate(), &[&url], b"");
    assert_exit(&out, 0);
    assert_eq!(
        stdout_json(&out)["target"],
        "/echo?name=a%20b&city=Z%C3%BCrich"
    );
    assert_eq!(server.seen().target, "/echo?name=a%20b&city=Z%C3%BCrich");
}

#[test]
fn a_url_without_a_path_is_signed_with_the_slash_that_is_sent() {
    let server = TestServer::start();
    let out = fetch(&server, &SecretKey::generate(), &[&server.url], b"");
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["target"], "/");
    let with_query = format!("{}?q=1#fragment-is-not-sent", server.url);
    let out = fetch(&server, &SecretKey::generate(), &[&with_query], b"");
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["target"], "/?q=1");
}

#[test]
fn text_answers_are_printed_as_they_are() {
    let server = TestServer::start();
    let url = format!("{}/text", server.url);
    let out = fetch(&server, &SecretKey::generate(), &[&url], b"");
    assert_exit(&out, 0);
    assert_eq!(out.stdout, b"plain answer");
}

#[test]
fn post_json_is_sent_in_compact_form_and_decrypted_by_the_server() {
    let server = TestServer::start();
    let url = format!("{}/echo", server.url);
    let out = fetch(
        &server,
        &SecretKey::generate(),
        &[
            "--json",
            r#"{ "order": 42, "items": ["tea", "cake"], "ü": null }"#,
            &url,
        ],
        b"",
    );
    assert_exit(&out, 0);
    let answer = stdout_json(&out);
    assert_eq!(answer["method"], "POST");
    let expected = r#"{"order":42,"items":["tea","cake"],"ü":null}"#;
    assert_eq!(answer["payload"], expected);
    let seen = server.seen();
    assert_eq!(seen.payload.as_deref(), Some(expected.as_bytes()));
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
}

#[test]
fn post_text_from_an_argument_and_from_stdin() {
    let server = TestServer::start();
    let url = format!("{}/echo", server.url);
    let client = SecretKey::generate();

    let out = fetch(&server, &client, &["-d", "hello, world", &url], b"");
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["payload"], "hello, world");

    let out = fetch(
        &server,
        &client,
        &["--data", "@-", &url],
        b"line one\nline two\n",
    );
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["payload"], "line one\nline two\n");

    let out = fetch(&server, &client, &["--data-raw", "@literal", &url], b"");
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["payload"], "@literal");
}

#[test]
fn post_without_a_body_signs_the_url_as_the_reference_does() {
    let server = TestServer::start();
    let url = format!("{}/echo?x=1", server.url);
    let out = fetch(&server, &SecretKey::generate(), &["-X", "POST", &url], b"");
    assert_exit(&out, 0);
    assert_eq!(stdout_json(&out)["payload"], url);
}

#[test]
fn extra_headers_are_sent_but_authorization_cannot_be_overridden() {
    let server = TestServer::start();
    let url = format!("{}/echo", server.url);
    let client = SecretKey::generate();
    let out = fetch(&server, &client, &["-H", "X-Extra: 7", &url], b"");
    assert_exit(&out, 0);
    assert_eq!(server.seen().extra.as_deref(), Some("7"));

    let before = server.requests();
    let out = fetch(&server, &client, &["-H", "Authorization: x", &url], b"");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("authorization header carries the signature"));
    assert_eq!(server.requests(), before, "nothing was sent");
}

#[test]
fn a_rejected_request_exits_3_with_a_clear_message() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    // The server signs "http://127.0.0.1:PORT"; a request signed for "localhost"
    // does not verify there.
    let port = server.url.rsplit(':').next().unwrap();
    let url = format!("http://localhost:{port}/echo");
    let out = fetch(&server, &client, &[&url], b"");
    assert_exit(&out, 3);
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("the server rejected the request (401"));

    // A POST encrypted for another server's key does not decrypt there.
    let other = SecretKey::generate().public_key().to_hex();
    let url = format!("{}/echo", server.url);
    let out = run(
        &["fetch", "--v1", "--server-key", &other, "-d", "x", &url],
        &[("CRYPTO_SESSION_KEY", client.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 3);
}

#[test]
fn an_answer_that_does_not_verify_exits_5_and_prints_nothing() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    for (path, why) in [
        ("/tampered", ""),
        ("/forged", "signed by an unexpected key"),
        ("/unsigned", "not signed"),
    ] {
        let url = format!("{}{path}", server.url);
        let out = fetch(&server, &client, &[&url], b"");
        assert_exit(&out, 5);
        assert!(out.stdout.is_empty(), "{path}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains("the answer does not verify"), "{path}: {err}");
        assert!(err.contains(why), "{path}: {err}");
    }
    // A GET signed for the right URL but checked against another server key: the
    // server accepts it, the answer is not from the key the client expects.
    let other = SecretKey::generate().public_key().to_hex();
    let url = format!("{}/text", server.url);
    let out = run(
        &["fetch", "--v1", "--server-key", &other, &url],
        &[("CRYPTO_SESSION_KEY", client.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 5);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_sealed_error_status_exits_4_and_shows_the_verified_answer() {
    let server = TestServer::start();
    let url = format!("{}/missing", server.url);
    let out = fetch(&server, &SecretKey::generate(), &[&url], b"");
    assert_exit(&out, 4);
    assert_eq!(out.stdout, b"no such thing");
    assert!(stderr(&out).contains("the server answered 404 Not Found"));
}

#[test]
fn verbose_shows_the_signed_request_and_raw_answer_but_never_the_secret() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    let secret = client.to_hex();
    let url = format!("{}/echo", server.url);
    let out = fetch(&server, &client, &["-v", "--json", r#"{"a":1}"#, &url], b"");
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains(&format!("> POST {url}")), "{err}");
    assert!(err.contains("> authorization: "), "{err}");
    assert!(err.contains("> content-type: application/json"), "{err}");
    assert!(err.contains("> {\"data\":\""), "{err}");
    assert!(err.contains("< 200 OK"), "{err}");
    assert!(err.contains("< authorization: "), "{err}");
    assert!(err.contains("* answer verified"), "{err}");
    assert!(err.contains(&client.public_key().to_hex()), "{err}");
    for shown in [&err, &stdout(&out)] {
        assert!(
            !shown.contains(secret.as_str()),
            "the secret leaked: {shown}"
        );
        assert!(!shown.contains(&secret.to_uppercase()));
    }

    // The same with the key on the command line and in a file.
    let path = std::env::temp_dir().join(format!("cs-key-{}", std::process::id()));
    std::fs::write(&path, format!("{}\n", secret.as_str())).unwrap();
    let server_key = server.public_hex();
    for key_args in [
        vec!["--key", secret.as_str()],
        vec!["--key-file", path.to_str().unwrap()],
    ] {
        let mut args = vec!["fetch", "--v1", "-v", "--server-key", &server_key];
        args.extend(key_args);
        args.push(&url);
        let out = run(&args, &[], b"");
        assert_exit(&out, 0);
        assert!(!stderr(&out).contains(secret.as_str()));
        assert!(!stdout(&out).contains(secret.as_str()));
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn help_does_not_show_the_secret_from_the_environment() {
    let secret = SecretKey::generate().to_hex();
    for args in [&["--help"][..], &["fetch", "--help"], &["encode", "--help"]] {
        let out = run(args, &[("CRYPTO_SESSION_KEY", secret.as_str())], b"");
        assert_exit(&out, 0);
        assert!(stdout(&out).contains("CRYPTO_SESSION_KEY"));
        assert!(!stdout(&out).contains(secret.as_str()));
    }
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    let url = format!("{}/echo", server.url);
    let cases: &[(&[&str], &str)] = &[
        (&["-X", "PUT", &url], "unsupported HTTP method"),
        (&["-X", "GET", "-d", "x", &url], "a GET request has no body"),
        (&["--json", "{not json", &url], "--json: not JSON"),
        (&["ftp://127.0.0.1/x"], "the scheme must be http or https"),
        (&["http:///x"], "is not scheme://host[:port]"),
        (
            &["http://user@127.0.0.1/x"],
            "an origin is scheme://host[:port] only",
        ),
        (&["-H", "no colon", &url], "Name: value"),
    ];
    for (args, message) in cases {
        let out = fetch(&server, &client, args, b"");
        assert_exit(&out, 1);
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(server.requests(), 0);

    // A key that is not a key: the error names the problem, never echoes the value.
    let almost = &client.to_hex()[..63];
    let server_key = server.public_hex();
    let out = run(
        &[
            "fetch",
            "--v1",
            "--server-key",
            &server_key,
            "--key",
            almost,
            &url,
        ],
        &[],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("64 hex characters, got 63"));
    assert!(!stderr(&out).contains(almost));

    let out = run(
        &["fetch", "--v1", "--server-key", &server_key, &url],
        &[],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("no secret key"));
    let out = fetch(&server, &client, &["--server-key", "02abc", &url], b"");
    assert_exit(&out, 2); // given twice: a usage error
    let out = run(
        &["fetch", "--v1", "--server-key", "02abc", &url],
        &[("CRYPTO_SESSION_KEY", client.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("--server-key: invalid key"));
    assert_eq!(server.requests(), 0);
}

#[test]
fn an_unreachable_server_exits_1() {
    // Bind and drop a listener: its port is closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let key = SecretKey::generate();
    let out = run(
        &[
            "fetch",
            "--v1",
            "--server-key",
            &key.public_key().to_hex(),
            "-m",
            "5",
            &format!("http://127.0.0.1:{port}/x"),
        ],
        &[("CRYPTO_SESSION_KEY", key.to_hex().as_str())],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains(&format!("http://127.0.0.1:{port}/x: ")));
}

#[test]
fn the_server_key_can_come_from_the_environment() {
    let server = TestServer::start();
    let client = SecretKey::generate();
    let url = format!("{}/echo", server.url);
    let out = run(
        &["fetch", "--v1", &url],
        &[
            ("CRYPTO_SESSION_KEY", client.to_hex().as_str()),
            ("CRYPTO_SESSION_SERVER_KEY", server.public_hex().as_str()),
        ],
        b"",
    );
    assert_exit(&out, 0);
    assert_eq!(
        stdout_json(&out)["peer"],
        json!(client.public_key().to_hex())
    );
}
