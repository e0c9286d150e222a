//! No `Debug`, `Display` or error message of the core's types shows a secret key or
//! a shared secret: every type is built and formatted, every failing path that can be
//! triggered from the public API is triggered (its kind checked, so none is skipped
//! by accident), and all the text is searched for the secrets in every usual
//! spelling: hex either case, base64url, Rust's byte-array `Debug`, and any 12-byte
//! stretch of the hex (a partial leak).

use crypto_sessions::http::{Client, Limits, Server};
use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::token::parse_signature;
use crypto_sessions::{b64url_encode, Error, ErrorKind, PublicKey, SecretKey, Session, Token};

const HOST: &str = "http://127.0.0.1:3001";

/// Everything formatted, and the secrets to look for.
#[derive(Default)]
struct Shown {
    text: Vec<String>,
    errors: usize,
}

impl Shown {
    fn debug(&mut self, value: &impl std::fmt::Debug) {
        self.text.push(format!("{value:?}"));
        self.text.push(format!("{value:#?}"));
    }

    fn both(&mut self, value: &(impl std::fmt::Debug + std::fmt::Display)) {
        self.debug(value);
        self.text.push(value.to_string());
    }

    /// An error from a failing path, of the kind that path must give.
    fn error<T: std::fmt::Debug>(&mut self, result: Result<T, Error>, kind: ErrorKind) {
        let e = result.expect_err("this path must fail");
        assert_eq!(e.kind(), kind, "{e}");
        self.both(&e);
        self.text.push(e.detail().to_string());
        self.both(&e.kind());
        self.errors += 1;
    }
}

/// The spellings of a 32-byte secret that must not appear anywhere.
fn needles(secret: &[u8; 32]) -> Vec<String> {
    let lower = hex::encode(secret);
    let mut out = vec![
        lower.clone(),
        hex::encode_upper(secret),
        b64url_encode(secret),
        format!("{secret:?}"),
        format!("{:?}", secret.to_vec()),
    ];
    // Any 12-byte stretch, in either case.
    for start in (0..=lower.len() - 24).step_by(2) {
        out.push(lower[start..start + 24].to_string());
        out.push(lower[start..start + 24].to_ascii_uppercase());
    }
    out
}

fn key(hex: &str) -> SecretKey {
    SecretKey::from_hex(hex).unwrap()
}

#[test]
fn no_output_shows_a_secret_key_or_shared_secret() {
    let client_key = key("1f0e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    let server_key = key("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9f");
    let stranger_key = key("5555aaaa5555aaaa3333cccc3333cccc0f0f0f0ff0f0f0f0123456789abcdef0");
    let server = Server::new(&server_key, HOST).unwrap();
    let client = Client::new(server.public_key(), &client_key, Some(HOST));
    let stranger = Client::new(server.public_key(), &stranger_key, Some(HOST));
    let to_server = client.session().clone();
    let from_client = Session::new(&client_key.public_key(), &server_key);

    let mut secrets: Vec<[u8; 32]> = [&client_key, &server_key, &stranger_key]
        .iter()
        .map(|k| *k.to_bytes())
        .collect();
    secrets.push(*to_server.shared_secret());
    secrets.push(*stranger.session().shared_secret());
    assert_eq!(to_server.shared_secret(), from_client.shared_secret());

    let mut shown = Shown::default();

    // ---- the types themselves
    for k in [&client_key, &server_key, &stranger_key] {
        shown.debug(k);
        shown.both(&k.public_key());
    }
    for s in [&to_server, &from_client, stranger.session()] {
        shown.debug(s);
        shown.debug(s.cipher());
    }
    shown.debug(&server);
    shown.debug(&server.limits());
    shown.debug(&client);
    shown.debug(&stranger);
    let encoded = to_server.encode(b"{\"k\":1}");
    shown.debug(&encoded);
    shown.both(&encoded.token);
    let decoded = from_client
        .decode_unchecked(&encoded.token.encode(), &encoded.data)
        .unwrap();
    assert!(decoded.is_valid);
    shown.debug(&decoded);

    // ---- keys: every malformed form, including a secret where a public key belongs
    let secret_hex = client_key.to_hex();
    let secret_bytes = client_key.to_bytes();
    // The accessors' zeroizing wrappers do not print their contents either.
    shown.debug(&secret_hex);
    shown.debug(&secret_bytes);
    shown.error(
        SecretKey::from_hex(&secret_hex[..63]),
        ErrorKind::InvalidKey,
    );
    shown.error(
        SecretKey::from_hex(&format!("{}0", &*secret_hex)),
        ErrorKind::InvalidKey,
    );
    shown.error(
        SecretKey::from_hex(&format!("{}g", &secret_hex[..63])),
        ErrorKind::InvalidKey,
    );
    shown.error(SecretKey::from_hex(&"00".repeat(32)), ErrorKind::InvalidKey);
    shown.error(
        SecretKey::from_bytes(&secret_bytes[..31]),
        ErrorKind::InvalidKey,
    );
    shown.error(
        secret_key_from_any(format!("{}00", &*secret_hex).as_bytes()),
        ErrorKind::InvalidKey,
    );
    shown.error(PublicKey::from_hex(&secret_hex), ErrorKind::InvalidKey);
    shown.error(
        PublicKey::from_hex(&format!("05{}", &*secret_hex)),
        ErrorKind::InvalidKey,
    );
    shown.error(
        PublicKey::from_bytes(&secret_bytes[..]),
        ErrorKind::InvalidKey,
    );
    shown.error(
        public_key_from_any(secret_hex.as_bytes()),
        ErrorKind::InvalidKey,
    );
    shown.error(
        public_key_from_any(&secret_bytes[..]),
        ErrorKind::InvalidKey,
    );

    // ---- token and signature
    shown.error(
        Token::parse(&format!("{}!", &*secret_hex)),
        ErrorKind::MalformedInput,
    );
    shown.error(Token::parse(&"A".repeat(141)), ErrorKind::TooLarge);
    shown.error(Token::parse(""), ErrorKind::MalformedInput);
    shown.error(
        Token::from_bytes(&secret_bytes[..]),
        ErrorKind::MalformedInput,
    );
    shown.error(
        parse_signature(&secret_bytes[..]),
        ErrorKind::InvalidSignature,
    );
    let token = encoded.token.encode();
    let mut tampered_sig = encoded.token.to_bytes();
    *tampered_sig.last_mut().unwrap() ^= 1;
    let tampered_sig = b64url_encode(&tampered_sig);

    // ---- session decode: every error of the strict decode, and verify
    // Fixed IV: the tampered block's padding is then bad on every run, not 255 in 256.
    let mut tampered_data =
        crypto_sessions::hazmat::encrypt_with_iv(to_server.cipher(), &[7u8; 16], b"{\"k\":1}");
    *tampered_data.last_mut().unwrap() ^= 0x55;
    let tampered_data = b64url_encode(&tampered_data);
    let foreign = stranger.session().token_for(b"{\"k\":1}").encode();
    shown.error(from_client.decode(&token, ""), ErrorKind::MalformedInput);
    shown.error(from_client.decode(&token, "a+b"), ErrorKind::MalformedInput);
    shown.error(from_client.decode(&token, "AAAA"), ErrorKind::DecryptFailed);
    shown.error(
        from_client.decode(&token, &tampered_data),
        ErrorKind::DecryptFailed,
    );
    shown.error(
        from_client.decode(&tampered_sig, &encoded.data),
        ErrorKind::InvalidSignature,
    );
    shown.error(
        from_client.decode("!!", &encoded.data),
        ErrorKind::InvalidSignature,
    );
    shown.error(
        from_client.decode(&foreign, &encoded.data),
        ErrorKind::WrongPeer,
    );
    shown.error(
        from_client.decode_unchecked(&token, &tampered_data),
        ErrorKind::DecryptFailed,
    );
    shown.error(
        from_client.verify(&encoded.token, b"other"),
        ErrorKind::InvalidSignature,
    );
    shown.error(
        to_server.cipher().decrypt_raw(&[0u8; 17]),
        ErrorKind::DecryptFailed,
    );
    let unverified = from_client
        .decode_unchecked(&tampered_sig, &encoded.data)
        .unwrap();
    assert!(!unverified.is_valid);
    shown.debug(&unverified);

    // ---- server: construction and every rejection of authenticate
    shown.error(Server::new(&server_key, " "), ErrorKind::MalformedInput);
    let small = Server::with_limits(&server_key, HOST, Limits::default().with_max_body(8)).unwrap();
    shown.debug(&small);
    let get = client.prepare("GET", "/a?b=1", None).unwrap();
    let post = client.prepare("POST", "/p", Some(b"{\"k\":1}")).unwrap();
    shown.debug(&get);
    shown.debug(&post);
    let get_auth = get.headers.authorization();
    let post_auth = post.headers.authorization();
    let post_body = post.body.as_deref().unwrap().as_bytes();
    // A well-formed signature behind a key that is not a point: the key is checked.
    let get_signature = Token::parse(get_auth).unwrap().signature().to_vec();
    let bad_point = b64url_encode(&[&[2u8][..], &[0u8; 32], &get_signature].concat());
    let auth = |s: &Server, m: &str, t: &str, a: Option<&str>, b: &[u8]| {
        s.authenticate(m, t.as_bytes(), a, b)
    };
    shown.error(
        auth(&server, "PUT", "/", Some(get_auth), b""),
        ErrorKind::UnsupportedMethod,
    );
    shown.error(
        auth(&small, "POST", "/p", Some(post_auth), post_body),
        ErrorKind::TooLarge,
    );
    shown.error(
        auth(&server, "GET", "/a?b=1", None, b""),
        ErrorKind::MalformedInput,
    );
    shown.error(
        auth(&server, "GET", "/a?b=1", Some(" "), b""),
        ErrorKind::MalformedInput,
    );
    shown.error(
        auth(&server, "GET", "/a?b=1", Some(&secret_hex), b""),
        ErrorKind::InvalidSignature,
    );
    shown.error(
        auth(&server, "GET", "/a?b=1", Some(&bad_point), b""),
        ErrorKind::InvalidKey,
    );
    shown.error(
        auth(&server, "GET", "/a?b=2", Some(get_auth), b""),
        ErrorKind::InvalidSignature,
    );
    shown.error(
        auth(&server, "POST", "/p", Some(post_auth), b"{}"),
        ErrorKind::MalformedInput,
    );
    shown.error(
        auth(
            &server,
            "POST",
            "/p",
            Some(post_auth),
            br#"{"data":"AAAA"}"#,
        ),
        ErrorKind::DecryptFailed,
    );
    shown.error(
        auth(&server, "POST", "/p", Some(&tampered_sig), post_body),
        ErrorKind::InvalidSignature,
    );
    let ok_get = auth(&server, "GET", "/a?b=1", Some(get_auth), b"").unwrap();
    let ok_post = auth(&server, "POST", "/p", Some(post_auth), post_body).unwrap();
    shown.debug(&ok_get);
    shown.debug(&ok_post);
    shown.debug(&ok_post.revived());

    // ---- client: prepare and open
    shown.error(
        client.prepare("DELETE", "/", None),
        ErrorKind::UnsupportedMethod,
    );
    shown.error(
        client.prepare("GET", "/", Some(b"x")),
        ErrorKind::MalformedInput,
    );
    let answer = server.seal_text(&ok_post.session, 200, "hi").unwrap();
    let json_answer = server
        .seal_json(&ok_get.session, 201, &serde_json::json!({"a": 1}))
        .unwrap();
    shown.debug(&answer);
    shown.debug(&json_answer);
    // An answer signed by another key than the server's.
    let other_signer = Session::new(&client_key.public_key(), &stranger_key).token_for(b"hi");
    shown.error(
        client.open(500, Some(&answer.authorization), &answer.body),
        ErrorKind::HttpStatus,
    );
    shown.error(
        client.open(200, None, &answer.body),
        ErrorKind::InvalidSignature,
    );
    shown.error(
        client.open(200, Some(&answer.authorization), ""),
        ErrorKind::MalformedInput,
    );
    shown.error(
        client.open(
            200,
            Some(&answer.authorization),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
        ErrorKind::DecryptFailed,
    );
    shown.error(
        client.open(200, Some(&other_signer.encode()), &answer.body),
        ErrorKind::WrongPeer,
    );
    assert_eq!(
        client
            .open(200, Some(&answer.authorization), &answer.body)
            .unwrap(),
        b"hi"
    );

    // ---- the search
    // Every failing path above ran (each `shown.error` fails the test if its path passes).
    assert_eq!(shown.errors, 44);
    let all = shown.text.join("\n");
    for secret in &secrets {
        for needle in needles(secret) {
            assert!(
                !all.contains(&needle),
                "a secret is shown ({needle}) in:\n{}",
                shown.text.iter().find(|t| t.contains(&needle)).unwrap()
            );
        }
    }
    // The search can find what it looks for: the public keys are shown.
    assert!(all.contains(&client_key.public_key().to_hex()));
    let leaked = format!("key={}", &*secret_hex);
    assert!(needles(&secrets[0]).iter().all(|n| !n.is_empty()));
    assert!(needles(&secrets[0]).iter().any(|n| leaked.contains(n)));
}
