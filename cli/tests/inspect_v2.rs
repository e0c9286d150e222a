//! `crypto-session inspect` on v2 tokens from `tests/vectors/v2.json` (an independent
//! implementation's): every expected value comes from the vector file.

mod common;

use common::{assert_exit, run, s, stderr, stdout, stdout_json, unix_now, vectors};
use serde_json::Value;
use std::collections::HashMap;

/// The vectors' `keys` section: secret -> (xonly, kid) and xonly -> kid.
fn keys(v: &Value) -> (HashMap<String, String>, HashMap<String, String>) {
    let mut by_secret = HashMap::new();
    let mut kid = HashMap::new();
    for k in v["keys"].as_array().unwrap() {
        by_secret.insert(s(&k["secret"]).to_string(), s(&k["xonly"]).to_string());
        kid.insert(s(&k["xonly"]).to_string(), s(&k["kid"]).to_string());
    }
    (by_secret, kid)
}

/// The time, signed: vector times are compared with differences.
fn now() -> i64 {
    unix_now() as i64
}

/// The body of a vector as a file, for --payload-file.
fn body_file(name: &str, body_hex: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("cs-v2-body-{}-{name}", std::process::id()));
    std::fs::write(&path, hex::decode(body_hex).unwrap()).unwrap();
    path
}

#[test]
fn inspect_decodes_and_verifies_every_request_vector() {
    let v = vectors("v2.json");
    let (xonly_of, kid_of) = keys(&v);
    let requests = v["request"].as_array().unwrap();
    assert!(requests.len() >= 10);
    for r in requests {
        let name = s(&r["name"]);
        let server = s(&r["server_xonly"]);
        let url = format!("{}{}", s(&r["origin"]), s(&r["target"]));
        let method = s(&r["method"]);
        let body = body_file(name, s(&r["body_hex"]));
        let body = body.to_str().unwrap();
        let before = now();
        let args = [
            "inspect",
            "--json",
            "--server-key",
            server,
            "--method",
            method,
            "--url",
            &url,
            "--payload-file",
            body,
            s(&r["authorization"]),
        ];
        let out = run(&args, &[], b"");
        assert_exit(&out, 0);
        let doc = stdout_json(&out);
        assert_eq!(doc["version"], 2, "{name}");
        assert_eq!(doc["kind"], "request", "{name}");
        assert_eq!(doc["created"], r["created"], "{name}");
        let age = doc["age_seconds"].as_i64().unwrap();
        let created = r["created"].as_i64().unwrap();
        assert!(
            (before - created..=now() - created).contains(&age),
            "{name}: {age}"
        );
        assert_eq!(s(&doc["nonce"]), s(&r["nonce_req"]), "{name}");
        assert_eq!(
            s(&doc["client_key"]),
            xonly_of[s(&r["client_secret"])],
            "{name}"
        );
        assert_eq!(doc["client_key_is_valid"], true, "{name}");
        assert_eq!(s(&doc["kid"]), kid_of[server], "{name}");
        assert_eq!(doc["kid_matches"], true, "{name}");
        assert_eq!(doc["valid"], true, "{name}: {}", doc["error"]);
        assert_eq!(s(&doc["signature"]), &s(&r["token"])[132..], "{name}");

        // The bare token (the vector's `authorization` value without its scheme)
        // reads the same.
        let bare = s(&r["authorization"]).split_once(' ').unwrap().1;
        let out = run(&["inspect", "--json", bare], &[], b"");
        assert_exit(&out, 0);
        assert_eq!(stdout_json(&out)["nonce"], doc["nonce"], "{name}");

        // Another method, or a changed body: the signature does not hold (exit 5).
        let other = if method == "PUT" { "POST" } else { "PUT" };
        let mut tampered = args;
        tampered[5] = other;
        let out = run(&tampered, &[], b"");
        assert_exit(&out, 5);
        assert_eq!(stdout_json(&out)["valid"], false, "{name}");
        assert!(
            stderr(&out).contains("does not hold"),
            "{name}: {}",
            stderr(&out)
        );
        std::fs::remove_file(body).unwrap();
    }
}

#[test]
fn inspect_text_output_and_the_wrong_server_key() {
    let v = vectors("v2.json");
    let (_, kid_of) = keys(&v);
    let r = &v["request"][0];
    let server = s(&r["server_xonly"]);
    let out = run(&["inspect", s(&r["authorization"])], &[], b"");
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("version    2 (request)"), "{text}");
    assert!(
        text.contains(&format!("created    {} (", r["created"])),
        "{text}"
    );
    assert!(text.contains(s(&r["nonce_req"])), "{text}");
    assert!(
        text.contains(&format!("kid        {}", kid_of[server])),
        "{text}"
    );

    // A key from the vectors that is not the addressed one: the kid does not match.
    let other = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| s(&k["xonly"]))
        .find(|k| *k != server)
        .unwrap();
    let out = run(
        &[
            "inspect",
            "--json",
            "--server-key",
            other,
            s(&r["authorization"]),
        ],
        &[],
        b"",
    );
    assert_exit(&out, 5);
    assert_eq!(stdout_json(&out)["kid_matches"], false);
    assert!(stderr(&out).contains("the kid does not name --server-key"));
}

#[test]
fn inspect_decodes_answer_tokens() {
    let v = vectors("v2.json");
    let answers = v["answer"].as_array().unwrap();
    assert!(!answers.is_empty());
    for a in answers {
        let name = s(&a["name"]);
        let out = run(
            &["inspect", "--json", s(&a["crypto_session_header"])],
            &[],
            b"",
        );
        assert_exit(&out, 0);
        let doc = stdout_json(&out);
        assert_eq!(doc["version"], 2, "{name}");
        assert_eq!(doc["created"], a["created"], "{name}");
        assert_eq!(s(&doc["nonce"]), s(&a["nonce_ans"]), "{name}");
        // The vector's token hex: version, flags, created, nonce, then the signature.
        let token = s(&a["token"]);
        assert_eq!(
            doc["flags"],
            u8::from_str_radix(&token[2..4], 16).unwrap(),
            "{name}"
        );
        assert_eq!(s(&doc["signature"]), &token[52..], "{name}");
    }
}

#[test]
fn inspect_refuses_bad_v2_input_clearly() {
    let v = vectors("v2.json");
    let r = &v["request"][0];
    let auth = s(&r["authorization"]);
    // One character changed in the version byte's place: not version 2.
    let bad_version = auth.replacen("CryptoSession Ag", "CryptoSession Aw", 1);
    let out = run(&["inspect", &bad_version], &[], b"");
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("not a v2 request token"),
        "{}",
        stderr(&out)
    );
    // v1 options on a v2 token, and the signature check without the key.
    let out = run(
        &["inspect", "--peer", s(&r["server_xonly"]), auth],
        &[],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("--peer is for v1 tokens"));
    let out = run(
        &[
            "inspect",
            "--method",
            "GET",
            "--url",
            "https://a.example/",
            auth,
        ],
        &[],
        b"",
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("needs --server-key"));
    let out = run(&["inspect", "--method", "GET", auth], &[], b"");
    assert_exit(&out, 2);
}
