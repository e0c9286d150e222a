//! Property tests: round trips hold for any payload and keys, and no input makes
//! parsing, decoding or authentication panic.

use crypto_sessions::http::{Client, Server};
use crypto_sessions::{SecretKey, Session, Token};
use proptest::prelude::*;

fn secret() -> impl Strategy<Value = SecretKey> {
    any::<[u8; 32]>().prop_filter_map("not a valid scalar", |b| SecretKey::from_bytes(&b).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn encode_decode_round_trip(a in secret(), b in secret(), payload in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let sender = Session::new(&b.public_key(), &a);
        let receiver = Session::new(&a.public_key(), &b);
        let e = sender.encode(&payload);
        prop_assert_eq!(receiver.decode(&e.token.encode(), &e.data).unwrap(), payload.clone());
        let d = receiver.decode_unchecked(&e.token.encode(), &e.data).unwrap();
        prop_assert!(d.is_valid);
        prop_assert_eq!(d.bytes, payload);
    }

    #[test]
    fn http_round_trip(server_key in secret(), client_key in secret(), path in "/[a-z0-9%?&=]{0,40}", body in proptest::option::of(".{0,200}")) {
        let server = Server::new(&server_key, "http://127.0.0.1:9").unwrap();
        let client = Client::new(server.public_key(), &client_key, Some("http://127.0.0.1:9"));
        let method = if body.is_some() { "POST" } else { "GET" };
        let req = client.prepare(method, &path, body.as_deref().map(str::as_bytes)).unwrap();
        let ok = server.authenticate(method, path.as_bytes(), Some(req.headers.authorization()), req.body.as_deref().unwrap_or("").as_bytes()).unwrap();
        prop_assert_eq!(ok.payload.as_deref(), body.as_deref().map(str::as_bytes));
        let answer = server.seal(&ok.session, 200, b"ok").unwrap();
        prop_assert_eq!(client.open(200, Some(&answer.authorization), &answer.body).unwrap(), b"ok".to_vec());
    }

    #[test]
    fn token_parsing_never_panics(text in ".{0,200}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Token::parse(&text);
        let _ = Token::from_bytes(&bytes);
        let _ = Token::parse(&crypto_sessions::b64url_encode(&bytes));
    }

    #[test]
    fn decoding_never_panics(a in secret(), token in "[A-Za-z0-9_-]{0,160}", data in "[A-Za-z0-9_=-]{0,100}") {
        let s = Session::new(&a.public_key(), &a);
        let _ = s.decode(&token, &data);
        let _ = s.decode_unchecked(&token, &data);
    }

    #[test]
    fn authentication_never_panics(method in "(GET|POST|get|PUT|)", target in ".{0,60}", auth in proptest::option::of("[A-Za-z0-9_-]{0,160}"), body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let server = Server::new(&SecretKey::from_bytes(&[7u8; 32]).unwrap(), "http://h").unwrap();
        prop_assert!(server.authenticate(&method, target.as_bytes(), auth.as_deref(), &body).is_err());
    }
}
