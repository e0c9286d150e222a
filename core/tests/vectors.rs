//! Runs the vectors captured from the reference JS package (`tests/vectors/`).
//!
//! `CRYPTO_SESSIONS_VECTORS=<file>` runs another file of the same format. The test
//! fails, never skips, when the file cannot be read or a section is empty.

use crypto_sessions::http::{Client, Server};
use crypto_sessions::payload::{json_bytes, revive};
use crypto_sessions::token::digest;
use crypto_sessions::{ErrorKind, PublicKey, SecretKey, Session, Token};
use serde_json::Value;

fn vectors() -> Value {
    let path = std::env::var("CRYPTO_SESSIONS_VECTORS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/reference-1.1.10.json"
        )
        .to_string()
    });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read vectors {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("vectors {path} are not JSON: {e}"))
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

fn sk(hex: &str) -> SecretKey {
    SecretKey::from_hex(hex).unwrap()
}

fn pk(hex: &str) -> PublicKey {
    PublicKey::from_hex(hex).unwrap()
}

#[test]
fn keys() {
    for v in section(&vectors(), "keys") {
        assert_eq!(sk(s(v, "secret")).public_key().to_hex(), s(v, "pubkey"));
    }
}

#[test]
fn ecdh() {
    for v in section(&vectors(), "ecdh") {
        let session = Session::new(&pk(s(v, "peer_pubkey")), &sk(s(v, "secret")));
        assert_eq!(hex::encode(session.shared_secret()), s(v, "aes_key"));
    }
}

#[test]
fn sign() {
    for v in section(&vectors(), "sign") {
        let secret = sk(s(v, "secret"));
        let serialized = hex::decode(s(v, "serialized_hex")).unwrap();
        // Our serialization of the payload gives the reference's bytes.
        let ours = match s(v, "payload_kind") {
            "string" => s(v, "payload").as_bytes().to_vec(),
            "json" => json_bytes(&v["payload"]),
            other => panic!("unknown payload_kind {other}"),
        };
        assert_eq!(ours, serialized, "serialization of {}", v["payload"]);
        assert_eq!(hex::encode(digest(&serialized)), s(v, "digest_hex"));
        // Signing is deterministic: the same DER bytes and token.
        let session = Session::new(&secret.public_key(), &secret);
        let sig = session.sign(&serialized);
        assert_eq!(hex::encode(&sig), s(v, "signature_der_hex"));
        assert_eq!(session.token_for(&serialized).encode(), s(v, "token"));
        // And the reference's token verifies.
        let token = Token::parse(s(v, "token")).unwrap();
        session.verify(&token, &serialized).unwrap();
    }
}

#[test]
fn cipher() {
    for v in section(&vectors(), "cipher") {
        let key: [u8; 32] = hex::decode(s(v, "aes_key")).unwrap().try_into().unwrap();
        let iv: [u8; 16] = hex::decode(s(v, "iv")).unwrap().try_into().unwrap();
        let plaintext = hex::decode(s(v, "plaintext_hex")).unwrap();
        let c = crypto_sessions::cipher::Cipher::new(&key);
        let raw = crypto_sessions::hazmat::encrypt_with_iv(&c, &iv, &plaintext);
        assert_eq!(crypto_sessions::b64url_encode(&raw), s(v, "data"));
        assert_eq!(c.decrypt(s(v, "data")).unwrap(), plaintext);
    }
}

#[test]
fn session() {
    for v in section(&vectors(), "session") {
        let receiver = sk(s(v, "receiver_secret"));
        let sender = pk(s(v, "sender_pubkey"));
        assert_eq!(receiver.public_key().to_hex(), s(v, "receiver_pubkey"));
        let session = Session::new(&sender, &receiver);
        let bytes = session.decode(s(v, "token"), s(v, "data")).unwrap();
        assert_eq!(revive(&bytes), v["decoded"]);
        let d = session
            .decode_unchecked(s(v, "token"), s(v, "data"))
            .unwrap();
        assert_eq!(d.is_valid, v["is_valid"].as_bool().unwrap());
        // The mirror session (the sender's) encodes something the receiver decodes.
        let mirror = Session::new(&receiver.public_key(), &sk(s(v, "sender_secret")));
        let e = mirror.encode(&bytes);
        assert_eq!(session.decode(&e.token.encode(), &e.data).unwrap(), bytes);
    }
}

fn category(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::MalformedInput => "malformed_input",
        ErrorKind::DecryptFailed => "decrypt_error",
        ErrorKind::InvalidSignature | ErrorKind::WrongPeer => "invalid_signature",
        other => panic!("decode never fails with {other:?}"),
    }
}

#[test]
fn negative() {
    for v in section(&vectors(), "negative") {
        let session = Session::new(&pk(s(v, "sender_pubkey")), &sk(s(v, "receiver_secret")));
        let strict = session.decode(s(v, "token"), s(v, "data"));
        let outcome = match &strict {
            Ok(_) => "valid",
            Err(e) => category(e.kind()),
        };
        assert_eq!(
            outcome,
            s(v, "reference_outcome"),
            "vector {}",
            s(v, "name")
        );
        // The reference-compatible decode agrees: errors where the reference throws,
        // is_valid = false where it reports an invalid signature.
        let compat = session.decode_unchecked(s(v, "token"), s(v, "data"));
        match outcome {
            "valid" => assert!(compat.unwrap().is_valid),
            "invalid_signature" => assert!(!compat.unwrap().is_valid, "{}", s(v, "name")),
            _ => assert_eq!(category(compat.unwrap_err().kind()), outcome),
        }
    }
}

#[test]
fn http() {
    let all = vectors();
    let http = &all["http"];
    let server_secret = sk(s(http, "server_secret"));
    assert_eq!(
        server_secret.public_key().to_hex(),
        s(http, "server_pubkey")
    );
    let host = s(http, "host");
    let server = Server::new(&server_secret, host).unwrap();
    for x in section(http, "exchanges") {
        let client_secret = sk(s(x, "client_secret"));
        let url = s(x, "url");
        let target = url.strip_prefix(host).expect("url starts with the host");
        let headers = &x["request_headers"];
        let authorization = s(headers, "authorization");
        let body = x["request_body"].as_str().unwrap_or("");

        // The captured request authenticates on our server.
        let ok = server
            .authenticate(
                s(x, "method"),
                target.as_bytes(),
                Some(authorization),
                body.as_bytes(),
            )
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(ok.peer(), &client_secret.public_key());

        // The captured answer opens on our client, to what the reference decoded.
        let client = Client::new(server.public_key(), &client_secret, Some(host));
        let status = x["status"].as_u64().unwrap() as u16;
        let answer = client
            .open(
                status,
                Some(s(x, "response_authorization")),
                s(x, "response_body"),
            )
            .unwrap();
        assert_eq!(revive(&answer), x["client_decoded"], "{url}");
        // Our server signs that answer with the same (deterministic) token.
        assert_eq!(
            server
                .seal(&ok.session, status, &answer)
                .unwrap()
                .authorization,
            s(x, "response_authorization")
        );

        // A request prepared from the same inputs equals the captured one where the
        // bytes are deterministic: the URL, the headers (the token included), and
        // for a POST the plaintext behind the (randomly encrypted) body.
        let options = &x["options"];
        let payload = match &options["body"] {
            Value::Null => None,
            Value::String(t) => Some(t.as_bytes().to_vec()),
            other => Some(json_bytes(other)),
        };
        let method = options["method"].as_str().unwrap_or("GET");
        let prepared = client
            .prepare(method, s(x, "path"), payload.as_deref())
            .unwrap();
        assert_eq!(prepared.url, url);
        assert_eq!(prepared.method.as_str(), s(x, "method"));
        let captured: Vec<(String, String)> = headers
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let ours: Vec<(String, String)> = prepared
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(ours, captured, "{url}");
        match (&prepared.body, x["request_body"].as_str()) {
            (None, None) => {}
            (Some(ours), Some(theirs)) => {
                let server_view = |b: &str| {
                    server
                        .authenticate("POST", target.as_bytes(), Some(authorization), b.as_bytes())
                        .unwrap()
                        .payload
                };
                assert_eq!(server_view(ours), server_view(theirs));
            }
            other => panic!("{url}: body mismatch {other:?}"),
        }
    }
}

/// tests/vectors/json-numbers.json: payload objects holding floats serialize to the
/// bytes JSON.stringify writes (the vector states node's output).
#[test]
fn json_numbers_serialize_as_json_stringify() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/json-numbers.json"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let value: Value = serde_json::from_str(case["value"].as_str().unwrap()).unwrap();
        let written = String::from_utf8(json_bytes(&value)).unwrap();
        assert_eq!(written, case["stringify"].as_str().unwrap());
    }
}
