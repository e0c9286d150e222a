//! `keygen`, `pubkey`, `inspect`, `encode` and `decode`, run as the built binary and
//! checked against the reference's vectors and the core.

mod common;

use std::process::Output;

use common::{assert_exit, run, s, stderr, stdout, vectors};
use crypto_sessions::{b64url_decode, b64url_encode, PublicKey, SecretKey, Session};
use serde_json::Value;

/// `decode` of `data` from `peer`; `--data=` since base64url data may start with `-`.
fn decode(peer: &str, token: &str, data: &str, env: &[(&str, &str)]) -> Output {
    let data = format!("--data={data}");
    run(
        &["decode", "--peer", peer, "--token", token, &data],
        env,
        b"",
    )
}

#[test]
fn keygen_makes_a_key_pair_whose_halves_match() {
    let out = run(&["keygen"], &[], b"");
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let secret = lines[0].strip_prefix("secret_key ").unwrap();
    let public = lines[1].strip_prefix("public_key ").unwrap();
    let key = SecretKey::from_hex(secret).unwrap();
    assert_eq!(key.public_key().to_hex(), public);
    // v2's x-only key is the compressed key without its parity byte; the kid is
    // checked against the v2 vectors in `pubkey_json_gives_the_v2_key_and_kid`.
    let xonly = lines[2].strip_prefix("xonly_key ").unwrap();
    assert_eq!(xonly, &public[2..]);
    let kid = lines[3].strip_prefix("kid ").unwrap();
    assert_eq!(kid.len(), 16);

    let out = run(&["keygen", "--json"], &[], b"");
    assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = SecretKey::from_hex(s(&doc["secret_key"])).unwrap();
    assert_eq!(key.public_key().to_hex(), s(&doc["public_key"]));
    assert_eq!(s(&doc["xonly_key"]), &s(&doc["public_key"])[2..]);
    assert_ne!(s(&doc["secret_key"]), secret, "two keys differ");
}

#[test]
fn pubkey_json_gives_the_v2_key_and_kid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/v2.json");
    let v2: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let keys = v2["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    for k in keys {
        let out = run(&["pubkey", "--json", s(&k["secret"])], &[], b"");
        assert_exit(&out, 0);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(s(&doc["xonly_key"]), s(&k["xonly"]));
        assert_eq!(s(&doc["kid"]), s(&k["kid"]));
        let key = SecretKey::from_hex(s(&k["secret"])).unwrap();
        assert_eq!(s(&doc["public_key"]), key.public_key().to_hex());
        // Without --json: the compressed key alone, as scripts expect.
        let out = run(&["pubkey", s(&k["secret"])], &[], b"");
        assert_eq!(stdout(&out), format!("{}\n", key.public_key().to_hex()));
        // With --xonly: the vector's x-only key alone.
        let out = run(&["pubkey", "--xonly", s(&k["secret"])], &[], b"");
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), format!("{}\n", s(&k["xonly"])));
    }
}

#[test]
fn pubkey_matches_the_reference_from_every_source() {
    for pair in vectors("reference-1.1.10.json")["keys"].as_array().unwrap() {
        let (secret, public) = (s(&pair["secret"]), format!("{}\n", s(&pair["pubkey"])));
        let out = run(&["pubkey", secret], &[], b"");
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), public);
        let out = run(&["pubkey", "-"], &[], format!("{secret}\n").as_bytes());
        assert_eq!(stdout(&out), public);
        let out = run(&["pubkey"], &[("CRYPTO_SESSION_KEY", secret)], b"");
        assert_eq!(stdout(&out), public);
    }
}

#[test]
fn pubkey_refuses_bad_keys_without_echoing_them() {
    let zero = "00".repeat(32);
    let cases = [
        (zero.as_str(), "[1, n-1]"),
        ("abc", "64 hex characters, got 3"),
    ];
    for (secret, message) in cases {
        let out = run(&["pubkey", secret], &[], b"");
        assert_exit(&out, 1);
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert!(!stderr(&out).contains(secret));
    }
    let out = run(&["pubkey"], &[], b"");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("no secret key"));
}

#[test]
fn inspect_reads_the_reference_tokens() {
    for v in vectors("reference-1.1.10.json")["sign"].as_array().unwrap() {
        let secret = SecretKey::from_hex(s(&v["secret"])).unwrap();
        let payload = hex::decode(s(&v["serialized_hex"])).unwrap();
        let token = s(&v["token"]);
        let dir = std::env::temp_dir();
        let payload_path = dir.join(format!("cs-payload-{}", std::process::id()));
        let payload_path = payload_path.to_str().unwrap();
        std::fs::write(payload_path, &payload).unwrap();
        let signer = secret.public_key().to_hex();
        let out = run(
            &[
                "inspect",
                token,
                "--json",
                "--payload-file",
                payload_path,
                "--peer",
                &signer,
            ],
            &[],
            b"",
        );
        assert_exit(&out, 0);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["signer"], signer);
        assert_eq!(doc["signature"], v["signature_der_hex"]);
        assert_eq!(doc["signature_format"], "DER");
        assert_eq!(doc["payload_digest"], v["digest_hex"]);
        assert_eq!(doc["peer_matches"], true);
        assert_eq!(doc["valid"], true);

        // One byte more in the payload and the signature no longer holds.
        let mut other = payload.clone();
        other.push(b'!');
        std::fs::write(payload_path, &other).unwrap();
        let out = run(
            &["inspect", token, "--payload-file", payload_path],
            &[],
            b"",
        );
        std::fs::remove_file(payload_path).unwrap();
        assert_exit(&out, 5);
        assert!(stdout(&out).contains("valid      no: invalid signature"));
    }
}

#[test]
fn inspect_shows_r_and_s_and_reads_a_compact_signature() {
    let v = &vectors("reference-1.1.10.json")["sign"][1];
    let token = s(&v["token"]);
    let payload = String::from_utf8(hex::decode(s(&v["serialized_hex"])).unwrap()).unwrap();
    let out = run(&["inspect", token, "--json"], &[], b"");
    assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["valid"], Value::Null, "no payload, no verdict");
    let (r, sig_s) = (s(&doc["r"]), s(&doc["s"]));

    // The same signature as 64-byte r || s: another token, still valid.
    let raw = b64url_decode(token, "token").unwrap();
    let mut compact = raw[..33].to_vec();
    compact.extend(hex::decode(r).unwrap());
    compact.extend(hex::decode(sig_s).unwrap());
    let compact = b64url_encode(&compact);
    let out = run(&["inspect", &compact, "--payload", &payload], &[], b"");
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("format     compact, 64 bytes, low-S"),
        "{text}"
    );
    assert!(text.contains(&format!("r          {r}")), "{text}");
    assert!(text.contains("valid      yes"), "{text}");
}

#[test]
fn inspect_reports_a_high_s_signature_and_a_foreign_signer() {
    let negative = vectors("reference-1.1.10.json")["negative"]
        .as_array()
        .unwrap()
        .clone();
    let high_s = negative
        .iter()
        .find(|n| n["name"] == "high_s_signature")
        .unwrap();
    let out = run(&["inspect", s(&high_s["token"])], &[], b"");
    assert_exit(&out, 5);
    assert!(stdout(&out).contains("unreadable: invalid signature: high-S"));

    let good = negative.iter().find(|n| n["name"] == "good").unwrap();
    let stranger = SecretKey::generate().public_key().to_hex();
    let out = run(
        &["inspect", s(&good["token"]), "--peer", &stranger],
        &[],
        b"",
    );
    assert_exit(&out, 5);
    assert!(stdout(&out).contains("(NOT the signer)"));
    assert!(stderr(&out).contains("not signed by --peer"));

    // The token from standard input, as a script pipes a header value.
    let out = run(
        &["inspect", "-", "--peer", s(&good["sender_pubkey"])],
        &[],
        format!("{}\n", s(&good["token"])).as_bytes(),
    );
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("(matches the signer)"));
    let out = run(&["inspect", "-", "--payload-file", "-"], &[], b"");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("cannot both come from standard input"));

    let out = run(&["inspect", "not a token!"], &[], b"");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("not a token: malformed input"));
}

#[test]
fn decode_gives_the_reference_outcomes() {
    let v = vectors("reference-1.1.10.json");
    for case in v["session"].as_array().unwrap() {
        let receiver = s(&case["receiver_secret"]);
        let args = [
            "decode",
            "--peer",
            s(&case["sender_pubkey"]),
            "--token",
            s(&case["token"]),
        ];
        let out = run(
            &args,
            &[("CRYPTO_SESSION_KEY", receiver)],
            case["data"].as_str().unwrap().as_bytes(),
        );
        assert_exit(&out, 0);
        let decoded = match &case["decoded"] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        // The plaintext is printed as sent; the vectors hold it revived.
        assert_eq!(
            crypto_sessions::payload::revive(&out.stdout),
            crypto_sessions::payload::revive(decoded.as_bytes())
        );
    }
    for case in v["negative"].as_array().unwrap() {
        let out = run(
            &[
                "decode",
                "--peer",
                s(&case["sender_pubkey"]),
                "--key",
                s(&case["receiver_secret"]),
                "--token",
                s(&case["token"]),
                "--data",
                s(&case["data"]),
            ],
            &[],
            b"",
        );
        let expected = if case["reference_outcome"] == "valid" {
            0
        } else {
            5
        };
        assert_exit(&out, expected);
        if expected == 5 {
            assert!(out.stdout.is_empty(), "{}", case["name"]);
            assert!(stderr(&out).contains("the message does not decode"));
        }
    }
}

#[test]
fn encode_and_decode_round_trip_through_pipes_and_the_core() {
    let (alice, bob) = (SecretKey::generate(), SecretKey::generate());
    let (alice_pub, bob_pub) = (alice.public_key().to_hex(), bob.public_key().to_hex());
    let payload = "binary-safe \u{1F680} \n\0 end".as_bytes();

    for format in [&[][..], &["--json"][..]] {
        let mut args = vec!["encode", "--peer", &bob_pub];
        args.extend_from_slice(format);
        let out = run(
            &args,
            &[("CRYPTO_SESSION_KEY", alice.to_hex().as_str())],
            payload,
        );
        assert_exit(&out, 0);
        let message = out.stdout;
        // The CLI decodes what it encoded, from stdin, without --token.
        let out = run(
            &["decode", "--peer", &alice_pub],
            &[("CRYPTO_SESSION_KEY", bob.to_hex().as_str())],
            &message,
        );
        assert_exit(&out, 0);
        assert_eq!(out.stdout, payload);
        // The core decodes it too.
        let text = String::from_utf8(message).unwrap();
        let (token, data) = if format.is_empty() {
            let mut lines = text.lines();
            (
                lines.next().unwrap().to_string(),
                lines.next().unwrap().to_string(),
            )
        } else {
            let doc: Value = serde_json::from_str(&text).unwrap();
            (s(&doc["token"]).to_string(), s(&doc["data"]).to_string())
        };
        let session = Session::new(&PublicKey::from_hex(&alice_pub).unwrap(), &bob);
        assert_eq!(session.decode(&token, &data).unwrap(), payload);
        // A third key cannot read it: not the same shared key, not the same signer.
        let eve = SecretKey::generate();
        let out = decode(
            &alice_pub,
            &token,
            &data,
            &[("CRYPTO_SESSION_KEY", eve.to_hex().as_str())],
        );
        assert_exit(&out, 5);
        assert!(out.stdout.is_empty());
    }

    // What the core encodes, the CLI decodes.
    let sent = Session::new(&bob.public_key(), &alice).encode(b"from the core");
    let out = run(
        &[
            "decode",
            "--peer",
            &alice_pub,
            "--token",
            &sent.token.encode(),
        ],
        &[("CRYPTO_SESSION_KEY", bob.to_hex().as_str())],
        format!("{}\n", sent.data).as_bytes(),
    );
    assert_exit(&out, 0);
    assert_eq!(out.stdout, b"from the core");
}

#[test]
fn decode_refuses_tampered_data_and_bad_input() {
    let (alice, bob) = (SecretKey::generate(), SecretKey::generate());
    let sent = Session::new(&bob.public_key(), &alice).encode(b"a message of two blocks, at least");
    let mut data = sent.data.into_bytes();
    let last = data.len() - 3;
    data[last] = if data[last] == b'A' { b'B' } else { b'A' };
    let data = String::from_utf8(data).unwrap();
    let alice_pub = alice.public_key().to_hex();
    let token = sent.token.encode();
    let key = bob.to_hex();
    let env = [("CRYPTO_SESSION_KEY", key.as_str())];
    let out = decode(&alice_pub, &token, &data, &env);
    assert_exit(&out, 5);
    assert!(out.stdout.is_empty());

    let out = run(&["decode", "--peer", &alice_pub], &env, b"just one field");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("two lines"));
    let out = run(&["decode", "--peer", "nothex"], &env, b"");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("--peer: invalid key"));
    let out = run(&["encode", "--peer", &alice_pub, "--data", "x"], &[], b"");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("no secret key"));
}
