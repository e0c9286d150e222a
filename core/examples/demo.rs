//! A client and a server exchange a signed, encrypted request and answer, in one
//! process and without a network, printed step by step.

use crypto_sessions::http::{Client, Server};
use crypto_sessions::payload::revive;
use crypto_sessions::SecretKey;

fn short(s: &str) -> String {
    if s.len() > 60 {
        format!("{}... ({} chars)", &s[..60], s.len())
    } else {
        s.to_string()
    }
}

fn main() -> Result<(), crypto_sessions::Error> {
    let host = "http://localhost:3001";
    let server = Server::new(&SecretKey::generate(), host)?;
    let client_key = SecretKey::generate();
    let client = Client::new(server.public_key(), &client_key, Some(host));

    println!("server public key  {}", server.public_key());
    println!("client public key  {}", client_key.public_key());
    println!("shared AES key     (ECDH x-coordinate, never printed)\n");

    // A GET: the client signs the URL.
    let req = client.prepare("GET", "/hello?name=world", None)?;
    println!("client  -> GET {}", req.url);
    println!(
        "           authorization: {}",
        short(req.headers.authorization())
    );
    let ok = server.authenticate(
        "GET",
        b"/hello?name=world",
        Some(req.headers.authorization()),
        b"",
    )?;
    let target = "/hello?name=world";
    println!(
        "server  verified: signed by {} over \"{host}{target}\"",
        ok.peer()
    );
    let answer = server.seal_json(
        &ok.session,
        200,
        &serde_json::json!({"message": "Hello world!"}),
    )?;
    println!(
        "server  <- 200, authorization: {}",
        short(&answer.authorization)
    );
    println!("           body (encrypted): {}", short(&answer.body));
    let opened = client.open(answer.status, Some(&answer.authorization), &answer.body)?;
    println!(
        "client  verified the server's signature, decrypted: {}\n",
        revive(&opened)
    );

    // A POST: the client signs and encrypts the body.
    let body = br#"{"order":42,"items":["tea","cake"]}"#;
    let req = client.prepare("POST", "/orders", Some(body))?;
    println!("client  -> POST {}", req.url);
    println!(
        "           authorization: {}",
        short(req.headers.authorization())
    );
    println!(
        "           body: {}",
        short(req.body.as_deref().unwrap_or(""))
    );
    let ok = server.authenticate(
        "POST",
        b"/orders",
        Some(req.headers.authorization()),
        req.body.as_deref().unwrap_or("").as_bytes(),
    )?;
    println!(
        "server  decrypted and verified from {}: {}",
        ok.peer(),
        revive(ok.payload.as_deref().unwrap_or_default())
    );
    let answer = server.seal_text(&ok.session, 201, "order 42 accepted")?;
    let opened = client.open(answer.status, Some(&answer.authorization), &answer.body)?;
    println!(
        "client  <- {} verified and decrypted: {}\n",
        answer.status,
        String::from_utf8_lossy(&opened)
    );

    // A tampered request is rejected, whatever is wrong with it.
    let mut forged = req.body.clone().unwrap_or_default();
    forged.replace_range(12..13, if &forged[12..13] == "A" { "B" } else { "A" });
    let err = server
        .authenticate(
            "POST",
            b"/orders",
            Some(req.headers.authorization()),
            forged.as_bytes(),
        )
        .expect_err("a tampered body must not pass");
    println!("server  rejected a tampered body with 401 (logged reason: {err})");
    Ok(())
}
