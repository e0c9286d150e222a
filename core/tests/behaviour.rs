//! The core's behaviour as a user of the crate states it: boundaries, round trips,
//! identities, error kinds and details (issue 15: each of these would let a mutant of
//! the code through if it were missing; `tests/mutants/README.md` has the scores).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crypto_sessions::cipher::{Cipher, IV_LEN};
use crypto_sessions::keys::{public_key_from_any, secret_key_from_any};
use crypto_sessions::payload::{is_json, json_bytes, parse_json, revive, Payload};
use crypto_sessions::token::{self, Token, MAX_SIGNATURE_LEN, MAX_TOKEN_LEN, PUBKEY_LEN};
use crypto_sessions::{b64url_decode, b64url_encode, ErrorKind, PublicKey, SecretKey, Session};
use serde_json::json;
use sha2::{Digest, Sha256};

fn key(byte: u8) -> SecretKey {
    SecretKey::from_bytes(&[byte; 32]).unwrap()
}

fn pair() -> (Session, Session) {
    let (a, b) = (key(1), key(2));
    (
        Session::new(&b.public_key(), &a),
        Session::new(&a.public_key(), &b),
    )
}

fn detail<T: std::fmt::Debug>(r: crypto_sessions::Result<T>, kind: ErrorKind) -> String {
    let e = r.unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    e.detail().to_string()
}

// ---- token.rs ---------------------------------------------------------------------

#[test]
fn token_length_bounds() {
    assert_eq!(
        (PUBKEY_LEN, MAX_SIGNATURE_LEN, MAX_TOKEN_LEN),
        (33, 72, 140)
    );
    let signer = key(1).public_key().to_bytes();
    let with_sig = |n: usize| [signer.as_slice(), &vec![0x30; n]].concat();

    // A public key alone is not a token; one signature byte more is (by shape).
    let d = detail(Token::from_bytes(&with_sig(0)), ErrorKind::MalformedInput);
    assert!(d.contains("token is 33 bytes"), "{d}");
    assert_eq!(Token::from_bytes(&with_sig(1)).unwrap().signature(), [0x30]);
    // Up to a 72-byte (DER) signature, not one byte more.
    let longest = Token::from_bytes(&with_sig(72)).unwrap();
    assert_eq!(longest.signature().len(), 72);
    let d = detail(Token::from_bytes(&with_sig(73)), ErrorKind::MalformedInput);
    assert!(d.contains("token is 106 bytes: longer"), "{d}");

    // The string limit: the encoding of the longest token is accepted, one more is not.
    let text = longest.encode();
    assert_eq!(text.len(), MAX_TOKEN_LEN);
    assert_eq!(Token::parse(&text).unwrap(), longest);
    let d = detail(Token::parse(&format!("{text}A")), ErrorKind::TooLarge);
    assert_eq!(d, "token is 141 characters, the limit is 140");
    // Over the limit is TooLarge before anything is decoded.
    let d = detail(Token::parse(&"!".repeat(141)), ErrorKind::TooLarge);
    assert!(d.contains("141"), "{d}");
}

#[test]
fn token_round_trips_and_shows_itself() {
    let (alice, _) = pair();
    let t = alice.token_for(b"hi");
    let bytes = t.to_bytes();
    assert_eq!(&bytes[..PUBKEY_LEN], alice.public_key().as_bytes());
    assert_eq!(&bytes[PUBKEY_LEN..], t.signature());
    assert_eq!(bytes.len(), PUBKEY_LEN + t.signature().len());
    assert_eq!(Token::from_bytes(&bytes).unwrap(), t);
    assert_eq!(t.encode(), b64url_encode(&bytes));
    assert_eq!(Token::parse(&t.encode()).unwrap(), t);
    assert_eq!(t.to_string(), t.encode());
    assert_eq!(t.encode().parse::<Token>().unwrap(), t);
    assert!("".parse::<Token>().is_err());
    assert_eq!(t.signer_bytes(), alice.public_key().as_bytes());
    assert_eq!(&t.signer().unwrap(), alice.public_key());
    let shown = format!("{t:?}");
    assert!(shown.contains(&alice.public_key().to_hex()), "{shown}");
    assert!(shown.contains(&hex::encode(t.signature())), "{shown}");
    // A signer that is not a point on the curve reads as a token, not as a key.
    let mut off_curve = [0u8; 34];
    off_curve[0] = 2;
    off_curve[32] = 5;
    let t = Token::from_bytes(&off_curve).unwrap();
    assert_eq!(t.signer().unwrap_err().kind(), ErrorKind::InvalidKey);
}

#[test]
fn token_signer_identity() {
    let (alice, bob) = pair();
    let t = alice.token_for(b"m");
    assert!(t.is_signed_by(alice.public_key()));
    assert!(!t.is_signed_by(bob.public_key()));
}

#[test]
fn signatures_compact_der_and_high_s() {
    let (alice, bob) = pair();
    let msg = b"payload";
    let der = alice.sign(msg);
    let sig = k256::ecdsa::Signature::from_der(&der).unwrap();
    let r_s: [u8; 64] = sig.to_bytes().into();
    let parsed = token::parse_signature(&der).unwrap();
    assert_eq!(
        (parsed.format, parsed.r_s),
        (token::SignatureFormat::Der, r_s)
    );
    assert_eq!(token::digest(msg), <[u8; 32]>::from(Sha256::digest(msg)));

    // The 64-byte compact form of the same signature verifies too.
    let compact = sig.to_bytes().to_vec();
    assert_eq!(compact.len(), 64);
    let parsed = token::parse_signature(&compact).unwrap();
    assert_eq!(
        (parsed.format, parsed.r_s),
        (token::SignatureFormat::Compact, r_s)
    );
    let t = Token::new(alice.public_key(), compact);
    bob.verify(&t, msg).unwrap();
    token::verify(alice.public_key(), &t, msg).unwrap();

    // 63 or 65 bytes that are not DER are no signature.
    for n in [63, 65] {
        let d = detail(
            token::parse_signature(&vec![0x42; n]),
            ErrorKind::InvalidSignature,
        );
        assert_eq!(
            d,
            format!("not a DER or 64-byte compact signature ({n} bytes)")
        );
    }

    // The same signature with s replaced by n - s is refused (low-S only).
    let (r, s) = sig.split_scalars();
    let high = k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    for bytes in [high.to_der().as_bytes().to_vec(), high.to_bytes().to_vec()] {
        let d = detail(token::parse_signature(&bytes), ErrorKind::InvalidSignature);
        assert!(d.contains("high-S"), "{d}");
        let t = Token::new(alice.public_key(), bytes);
        assert_eq!(
            bob.verify(&t, msg).unwrap_err().kind(),
            ErrorKind::InvalidSignature
        );
    }
}

#[test]
fn verify_names_what_is_wrong() {
    let (alice, bob) = pair();
    let t = alice.token_for(b"m");
    token::verify(alice.public_key(), &t, b"m").unwrap();
    let d = detail(
        token::verify(alice.public_key(), &t, b"other"),
        ErrorKind::InvalidSignature,
    );
    assert_eq!(d, "the signature does not verify over the payload");
    let d = detail(
        token::verify(bob.public_key(), &t, b"m"),
        ErrorKind::WrongPeer,
    );
    assert_eq!(
        d,
        format!(
            "token signed by {}, expected the peer {}",
            alice.public_key().to_hex(),
            bob.public_key().to_hex()
        )
    );
}

// ---- keys.rs ----------------------------------------------------------------------

#[test]
fn secret_key_round_trips() {
    let hex_text = format!("{:064x}", 0x1234_5678u64);
    let sk = SecretKey::from_hex(&format!("  {hex_text}\n")).unwrap();
    assert_eq!(sk.to_hex().as_str(), hex_text);
    let mut expected = [0u8; 32];
    expected[28..].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    assert_eq!(*sk.to_bytes(), expected);
    assert_eq!(
        SecretKey::from_bytes(sk.to_bytes().as_ref())
            .unwrap()
            .public_key(),
        sk.public_key()
    );
    let fresh = SecretKey::generate();
    assert_eq!(
        SecretKey::from_hex(&fresh.to_hex()).unwrap().public_key(),
        fresh.public_key()
    );
    assert_ne!(SecretKey::generate().to_bytes(), fresh.to_bytes());
}

#[test]
fn secret_key_errors() {
    for n in [0usize, 31, 33] {
        let d = detail(SecretKey::from_bytes(&vec![1; n]), ErrorKind::InvalidKey);
        assert_eq!(d, format!("secret key must be 32 bytes, got {n}"));
    }
    let d = detail(SecretKey::from_hex(&"1".repeat(63)), ErrorKind::InvalidKey);
    assert_eq!(d, "secret key must be 64 hex characters, got 63");
    let d = detail(SecretKey::from_hex(&"1".repeat(65)), ErrorKind::InvalidKey);
    assert_eq!(d, "secret key must be 64 hex characters, got 65");
    let d = detail(SecretKey::from_hex(&"g".repeat(64)), ErrorKind::InvalidKey);
    assert_eq!(d, "secret key is not hex");
}

/// The compressed encoding of a point whose x is a small integer: all of its bytes
/// are ASCII, so it is valid UTF-8 as well as a raw key.
fn ascii_point() -> PublicKey {
    (1u8..)
        .find_map(|x| {
            let mut bytes = [0u8; 33];
            bytes[0] = 2;
            bytes[32] = x;
            PublicKey::from_bytes(&bytes).ok()
        })
        .unwrap()
}

fn uncompressed(pk: &PublicKey) -> Vec<u8> {
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    k256::PublicKey::from_sec1_bytes(pk.as_bytes())
        .unwrap()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec()
}

#[test]
fn public_key_encodings() {
    let pk = key(3).public_key();
    let compressed = pk.to_bytes();
    assert_eq!(&compressed, pk.as_bytes());
    assert!(compressed[0] == 2 || compressed[0] == 3);
    assert_eq!(pk.to_hex(), hex::encode(compressed));
    assert_eq!(pk.to_string(), pk.to_hex());
    assert_eq!(format!("{pk:?}"), format!("PublicKey({})", pk.to_hex()));
    assert_eq!(PublicKey::from_hex(&pk.to_hex()).unwrap(), pk);
    assert_eq!(PublicKey::from_bytes(&compressed).unwrap(), pk);

    // Both prefixes of the compressed form, and the uncompressed form (bytes and hex).
    let other_parity = {
        let mut b = compressed;
        b[0] ^= 1;
        PublicKey::from_bytes(&b).unwrap()
    };
    assert_ne!(other_parity, pk);
    assert_eq!(other_parity.as_bytes()[1..], compressed[1..]);
    let uncompressed = uncompressed(&pk);
    assert_eq!(uncompressed.len(), 65);
    assert_eq!(PublicKey::from_bytes(&uncompressed).unwrap(), pk);
    assert_eq!(
        PublicKey::from_hex(&format!(" {} ", hex::encode(&uncompressed))).unwrap(),
        pk
    );

    // Distinct keys hash apart; equal keys hash alike.
    let hash = |k: &PublicKey| {
        let mut h = DefaultHasher::new();
        k.hash(&mut h);
        h.finish()
    };
    assert_eq!(
        hash(&pk),
        hash(&PublicKey::from_bytes(&uncompressed).unwrap())
    );
    assert_ne!(hash(&pk), hash(&other_parity));
    assert_ne!(hash(&pk), hash(&key(4).public_key()));
}

#[test]
fn public_key_errors() {
    let pk = key(3).public_key();
    let mut b = pk.to_bytes();
    b[0] = 4;
    let d = detail(PublicKey::from_bytes(&b), ErrorKind::InvalidKey);
    assert_eq!(d, "public key has an invalid prefix byte 0x04");
    let mut u = uncompressed(&pk);
    u[0] = 2;
    let d = detail(PublicKey::from_bytes(&u), ErrorKind::InvalidKey);
    assert_eq!(d, "public key has an invalid prefix byte 0x02");
    for n in [0usize, 32, 34, 64, 66] {
        let d = detail(PublicKey::from_bytes(&vec![2; n]), ErrorKind::InvalidKey);
        assert_eq!(
            d,
            format!("public key must be 33 bytes (compressed) or 65 bytes (uncompressed), got {n}")
        );
    }
    let d = detail(PublicKey::from_hex(&"0".repeat(67)), ErrorKind::InvalidKey);
    assert_eq!(d, "public key must be 66 or 130 hex characters, got 67");
    let d = detail(
        PublicKey::from_hex(&format!("02{}", "x".repeat(64))),
        ErrorKind::InvalidKey,
    );
    assert_eq!(d, "public key is not hex");
    let d = detail(
        PublicKey::from_hex(&format!("04{}", "x".repeat(128))),
        ErrorKind::InvalidKey,
    );
    assert_eq!(d, "public key is not hex");
}

#[test]
fn keys_from_any_form() {
    // 32 raw bytes that happen to be valid UTF-8 are still a raw key.
    let raw = [b'1'; 32];
    let sk = secret_key_from_any(&raw).unwrap();
    assert_eq!(*sk.to_bytes(), raw);
    // Hex text, and raw bytes of another length that are not UTF-8.
    assert_eq!(
        secret_key_from_any(sk.to_hex().as_bytes())
            .unwrap()
            .public_key(),
        sk.public_key()
    );
    let d = detail(secret_key_from_any(&[0xff; 31]), ErrorKind::InvalidKey);
    assert_eq!(d, "secret key must be 32 bytes, got 31");
    let d = detail(secret_key_from_any(b"abc"), ErrorKind::InvalidKey);
    assert_eq!(d, "secret key must be 64 hex characters, got 3");

    // 33 raw bytes that are valid UTF-8 are still a raw key.
    let pk = ascii_point();
    assert!(std::str::from_utf8(pk.as_bytes()).is_ok());
    assert_eq!(public_key_from_any(pk.as_bytes()).unwrap(), pk);
    assert_eq!(public_key_from_any(pk.to_hex().as_bytes()).unwrap(), pk);
    let d = detail(public_key_from_any(&[0xff; 40]), ErrorKind::InvalidKey);
    assert!(d.contains("got 40"), "{d}");
    let d = detail(public_key_from_any(b"abc"), ErrorKind::InvalidKey);
    assert_eq!(d, "public key must be 66 or 130 hex characters, got 3");
}

// ---- payload.rs -------------------------------------------------------------------

#[test]
fn payload_bytes() {
    assert_eq!(Payload::Text("héllo".into()).to_bytes(), "héllo".as_bytes());
    assert_eq!(Payload::Bytes(vec![0, 255, 7]).to_bytes(), vec![0, 255, 7]);
    assert_eq!(
        Payload::Json(json!({"b": [1.5, "x"], "a": null})).to_bytes(),
        br#"{"b":[1.5,"x"],"a":null}"#
    );
    assert_eq!(
        Payload::Json(json!(1.0e21)).to_bytes(),
        json_bytes(&json!(1.0e21))
    );
}

#[test]
fn numbers_as_javascript_writes_them() {
    // Expected: what node prints for JSON.stringify of each number.
    for (value, js) in [
        (1.5, "1.5"),
        (-1.5, "-1.5"),
        (12.0, "12"),
        (0.1, "0.1"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.25e-7, "1.25e-7"),
        (-1e-7, "-1e-7"),
        (123456789012345680000.0, "123456789012345680000"),
        (1.5e21, "1.5e+21"),
        (-1e21, "-1e+21"),
        (2.5e300, "2.5e+300"),
        (1e300, "1e+300"),
    ] {
        assert_eq!(json_bytes(&json!(value)), js.as_bytes(), "{value:e}");
    }
}

#[test]
fn json_parsing_and_revive() {
    assert_eq!(
        parse_json(br#"{"z":1,"a":2}"#).unwrap(),
        json!({"z": 1, "a": 2})
    );
    assert_eq!(
        json_bytes(&parse_json(br#"{"z":1,"a":2}"#).unwrap()),
        br#"{"z":1,"a":2}"#
    );
    let d = detail(parse_json(b"{"), ErrorKind::MalformedInput);
    assert!(d.starts_with("not JSON: "), "{d}");
    assert_eq!(revive(b"[1,\"a\"]"), json!([1, "a"]));
    assert_eq!(revive(b"[1,"), json!("[1,"));
    assert!(is_json(b"{\"a\":[true,false,null,1,-1,1.5,\"s\"]}"));
    assert!(!is_json(b"{\"a\":}"));
    assert!(!is_json(b"[1,"));
}

// ---- encoding.rs ------------------------------------------------------------------

#[test]
fn base64url_errors_name_the_character() {
    let d = detail(b64url_decode("", "token"), ErrorKind::MalformedInput);
    assert_eq!(d, "token is empty");
    let d = detail(b64url_decode("a-_+", "data"), ErrorKind::MalformedInput);
    assert_eq!(d, "data is not base64url: unexpected character '+'");
    let d = detail(b64url_decode("a_- ", "data"), ErrorKind::MalformedInput);
    assert_eq!(d, "data is not base64url: unexpected character 0x20");
    let d = detail(b64url_decode("ab\u{e9}", "data"), ErrorKind::MalformedInput);
    assert_eq!(d, "data is not base64url: unexpected character 0xc3");
    // Every character is in the alphabet, the length is not: the decoder's reason.
    let d = detail(b64url_decode("abcde", "data"), ErrorKind::MalformedInput);
    assert!(d.starts_with("data is not base64url: "), "{d}");
    assert!(!d.contains("unexpected character"), "{d}");
    // Unused trailing bits are ignored, as the reference ignores them.
    assert_eq!(b64url_decode("-_9", "x").unwrap(), vec![0xfb, 0xff]);
}

// ---- cipher.rs --------------------------------------------------------------------

#[test]
fn cipher_sizes_and_errors() {
    let c = Cipher::new(&[7u8; 32]);
    assert_eq!(format!("{c:?}"), "Cipher(..)");
    let iv = [3u8; IV_LEN];
    for n in [0usize, 1, 15, 16, 17, 31, 32, 33] {
        let pt = vec![0xa5; n];
        let raw = crypto_sessions::hazmat::encrypt_with_iv(&c, &iv, &pt);
        assert_eq!(raw.len(), IV_LEN + (n / 16 + 1) * 16, "{n}");
        assert_eq!(raw[..IV_LEN], iv);
        assert_eq!(c.decrypt_raw(&raw).unwrap(), pt);
        let data = c.encrypt(&pt);
        assert_eq!(b64url_decode(&data, "d").unwrap().len(), raw.len());
        assert_eq!(c.decrypt(&data).unwrap(), pt);
    }
    // Two encryptions of the same plaintext take different IVs.
    assert_ne!(c.encrypt(b"x"), c.encrypt(b"x"));
    // A 16-byte IV and one whole block is the shortest input decrypted: a bad padding
    // then says so; shorter or misaligned input says its length.
    let raw = crypto_sessions::hazmat::encrypt_with_iv(&c, &iv, &[0u8; 16]);
    let d = detail(c.decrypt_raw(&raw[..32]), ErrorKind::DecryptFailed);
    assert_eq!(d, "bad padding after decryption");
    for n in [0usize, 16, 17, 31, 47] {
        let d = detail(c.decrypt_raw(&vec![0u8; n]), ErrorKind::DecryptFailed);
        assert_eq!(
            d,
            format!(
                "encrypted data is {n} bytes: it must be a 16-byte IV and whole 16-byte blocks"
            )
        );
    }
    let d = detail(c.decrypt("a+b"), ErrorKind::MalformedInput);
    assert!(d.starts_with("encrypted data is not base64url"), "{d}");
}

// ---- session.rs -------------------------------------------------------------------

#[test]
fn session_keys_and_identities() {
    let (alice, bob) = pair();
    let carol = key(9).public_key();
    assert_eq!(alice.peer(), bob.public_key());
    assert_eq!(bob.peer(), alice.public_key());
    assert!(alice.is_with(bob.public_key()));
    assert!(!alice.is_with(&carol));
    assert!(!alice.is_with(alice.public_key()));
    assert_eq!(alice.shared_secret(), bob.shared_secret());
    let hash: [u8; 32] = Sha256::digest(alice.shared_secret()).into();
    assert_eq!(alice.shared_hash(), hash);
    assert_eq!(bob.shared_hash(), hash);
    assert_ne!(
        alice.shared_hash(),
        Session::new(&carol, &key(1)).shared_hash()
    );
    // The session's cipher is the shared key's.
    let data = alice.cipher().encrypt(b"via cipher");
    assert_eq!(bob.decrypt(&data).unwrap(), b"via cipher");
    assert_eq!(
        Cipher::new(bob.shared_secret())
            .decrypt(&alice.encrypt(b"k"))
            .unwrap(),
        b"k"
    );
}

#[test]
fn session_check_verdicts() {
    let (alice, bob) = pair();
    let t = alice.token_for(b"m").encode();
    assert_eq!(bob.check(&t, b"m"), Ok(true));
    assert_eq!(bob.check(&t, b"n"), Ok(false));
    let foreign = Session::new(bob.public_key(), &key(5))
        .token_for(b"m")
        .encode();
    assert_eq!(bob.check(&foreign, b"m"), Ok(false));
    assert_eq!(
        bob.check("", b"m").unwrap_err().kind(),
        ErrorKind::MalformedInput
    );
}

#[test]
fn session_decode_reports() {
    let (alice, bob) = pair();
    let sent = alice.encode(b"hello");
    let token = sent.token.encode();

    let d = bob.decode_unchecked(&token, &sent.data).unwrap();
    assert_eq!((d.bytes.as_slice(), d.is_valid), (&b"hello"[..], true));
    assert_eq!(
        format!("{d:?}"),
        "Decoded { bytes: <5 bytes>, is_valid: true }"
    );
    let other = alice.encode(b"other");
    let d = bob
        .decode_unchecked(&other.token.encode(), &sent.data)
        .unwrap();
    assert_eq!((d.bytes.as_slice(), d.is_valid), (&b"hello"[..], false));
    let d = bob.decode_unchecked("!", &sent.data).unwrap();
    assert!(!d.is_valid);

    // An unreadable token with good data: an invalid signature naming the token.
    let d = detail(bob.decode("", &sent.data), ErrorKind::InvalidSignature);
    assert_eq!(d, "token: token is empty");
    let d = detail(
        bob.decode(&other.token.encode(), &sent.data),
        ErrorKind::InvalidSignature,
    );
    assert_eq!(d, "the signature does not verify over the payload");
    let d = detail(bob.decode(&token, ""), ErrorKind::MalformedInput);
    assert_eq!(d, "encrypted data is empty");
}

// ---- http/server.rs ---------------------------------------------------------------

mod server {
    use super::*;
    use crypto_sessions::http::{Limits, PreparedRequest};
    use crypto_sessions::{Client, Server};

    const HOST: &str = "http://localhost:3001";

    fn post(
        server: &Server,
        req: &PreparedRequest,
    ) -> crypto_sessions::Result<crypto_sessions::http::Authenticated> {
        let body = req.body.as_deref().unwrap_or_default();
        server.authenticate(
            "POST",
            b"/p",
            Some(req.headers.authorization()),
            body.as_bytes(),
        )
    }

    #[test]
    fn a_body_of_exactly_max_body_passes() {
        let client_key = key(7);
        let probe = Server::new(&key(8), HOST).unwrap();
        let client = Client::new(probe.public_key(), &client_key, Some(HOST));
        let req = client.prepare("POST", "/p", Some(b"{\"n\":1}")).unwrap();
        let len = req.body.as_ref().unwrap().len();

        let limits = Limits::default().with_max_body(len);
        let server = Server::with_limits(&key(8), HOST, limits).unwrap();
        assert_eq!(server.limits(), limits);
        assert_eq!(server.limits().max_body, len);
        let ok = post(&server, &req).unwrap();
        assert_eq!(ok.payload.as_deref(), Some(&b"{\"n\":1}"[..]));
        assert_eq!(ok.revived(), Some(json!({"n": 1})));
        assert_eq!(ok.peer(), &client_key.public_key());
        assert_eq!(
            server.check_headers("POST", Some(&len.to_string()), false),
            Ok(())
        );

        let server = Server::with_limits(&key(8), HOST, limits.with_max_body(len - 1)).unwrap();
        assert_eq!(server.limits().max_body, len - 1);
        let d = detail(post(&server, &req), ErrorKind::TooLarge);
        assert_eq!(d, format!("body is {len} bytes, the limit is {}", len - 1));
    }

    #[test]
    fn revived_payloads_and_gets() {
        let server = Server::new(&key(8), &format!("{HOST}/")).unwrap();
        assert_eq!(server.host(), HOST);
        assert_eq!(server.limits(), Limits::default());
        let client = Client::new(server.public_key(), &key(7), Some(HOST));
        let text = post(
            &server,
            &client.prepare("POST", "/p", Some(b"plain")).unwrap(),
        )
        .unwrap();
        assert_eq!(text.revived(), Some(json!("plain")));
        let get = client.prepare("GET", "/g?x=1", None).unwrap();
        let ok = server
            .authenticate("GET", b"/g?x=1", Some(get.headers.authorization()), b"")
            .unwrap();
        assert_eq!((ok.payload.clone(), ok.revived()), (None, None));
        assert_eq!(ok.path_and_query, "/g?x=1");

        // Sealed answers open to what was sealed.
        let a = server
            .seal_json(&ok.session, 201, &json!({"k": [1.0]}))
            .unwrap();
        assert_eq!(a.status, 201);
        assert_eq!(
            client.open(201, Some(&a.authorization), &a.body).unwrap(),
            br#"{"k":[1]}"#
        );
        let a = server.seal_text(&ok.session, 200, "hé").unwrap();
        assert_eq!(
            client.open(200, Some(&a.authorization), &a.body).unwrap(),
            "hé".as_bytes()
        );
        for status in [99, 600] {
            let d = detail(
                server.seal(&ok.session, status, b""),
                ErrorKind::MalformedInput,
            );
            assert_eq!(
                d,
                format!("status {status} is not an HTTP status (100 to 599)")
            );
        }
    }
}

#[test]
fn the_system_clock_tells_unix_time_and_monotonic_time_advances() {
    use crypto_sessions::v2::clock::{Clock, SystemClock};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let unix = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let before = unix(SystemTime::now());
    let now = SystemClock.now();
    let after = unix(SystemTime::now());
    assert!(
        before <= now && now <= after,
        "{before} <= {now} <= {after}"
    );

    let start = SystemClock.monotonic();
    std::thread::sleep(Duration::from_millis(20));
    assert!(SystemClock.monotonic() >= start + Duration::from_millis(20));
}

#[test]
fn an_opened_payload_debugs_as_its_type_and_size_only() {
    use crypto_sessions::v2::envelope::Opened;
    let opened = Opened {
        content_type: "text/plain".into(),
        payload: b"attack at dawn".to_vec(),
    };
    let shown = format!("{opened:?}");
    assert_eq!(
        shown,
        r#"Opened { content_type: "text/plain", payload_len: 14 }"#
    );
}

#[test]
fn a_conversation_key_debugs_without_its_bytes() {
    use crypto_sessions::v2::kdf::ConversationKey;
    let key = ConversationKey::from_bytes(&[0xab; 32]);
    assert_eq!(format!("{key:?}"), "ConversationKey(..)");
}

#[test]
fn error_kinds_have_stable_numbers_codes_and_messages() {
    // The codes are what Node's `err.code` and the logs carry, the messages what C's
    // cs_result_message and every Display show: both are part of the API.
    let table = [
        (1, "malformed_input", "malformed input"),
        (2, "invalid_key", "invalid key"),
        (3, "decrypt_failed", "decryption failed"),
        (4, "invalid_signature", "invalid signature"),
        (5, "wrong_peer", "signed by an unexpected key"),
        (6, "too_large", "input too large"),
        (7, "unsupported_method", "unsupported HTTP method"),
        (8, "http_status", "HTTP status is not 2xx"),
    ];
    assert_eq!(ErrorKind::ALL.len(), table.len());
    for (kind, (number, code, message)) in ErrorKind::ALL.into_iter().zip(table) {
        assert_eq!(kind as u32, number);
        assert_eq!(kind.code(), code);
        assert_eq!(kind.message(), message);
        assert_eq!(kind.to_string(), message);
    }
}

#[test]
fn verdict_is_false_only_for_a_signature_that_does_not_hold() {
    use crypto_sessions::verdict;
    let (a, b) = pair();
    let token = a.token_for(b"hello");
    assert_eq!(verdict(b.verify(&token, b"hello")), Ok(true));
    let bad = b.verify(&token, b"other");
    assert_eq!(
        bad.as_ref().unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    assert_eq!(verdict(bad), Ok(false));
    // Anything else the caller passed stays an error.
    let unreadable = Token::parse("not a token").map(|_| ());
    assert_eq!(
        unreadable.as_ref().unwrap_err().kind(),
        ErrorKind::MalformedInput
    );
    assert_eq!(
        verdict(unreadable).unwrap_err().kind(),
        ErrorKind::MalformedInput
    );
}

#[test]
fn a_client_keeps_the_hostname_it_signs_for() {
    let (server, client) = (key(1), key(2));
    let c =
        crypto_sessions::Client::new(&server.public_key(), &client, Some("http://localhost:3001"));
    assert_eq!(c.hostname(), "http://localhost:3001");
    assert_eq!(
        crypto_sessions::Client::new(&server.public_key(), &client, None).hostname(),
        ""
    );
}

#[test]
fn cache_limits_are_set_and_bounded_inclusively() {
    use crypto_sessions::http::config::MAX_CACHE_ENTRIES;
    use crypto_sessions::http::Limits;
    let limits = Limits::default()
        .with_verified_cache(7)
        .with_session_cache(9);
    assert_eq!((limits.verified_cache, limits.session_cache), (7, 9));
    let at_max = Limits::default()
        .with_verified_cache(MAX_CACHE_ENTRIES)
        .with_session_cache(MAX_CACHE_ENTRIES);
    assert!(at_max.validate().is_ok());
    let over = Limits::default().with_verified_cache(MAX_CACHE_ENTRIES + 1);
    assert_eq!(
        over.validate().unwrap_err().kind(),
        ErrorKind::MalformedInput
    );
}
