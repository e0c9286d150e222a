//! `keygen` and `pubkey`.

use crypto_sessions::SecretKey;

use crate::failure::{CliResult, Failure};
use crate::input::{parse_secret, stdin_text, KEY_ENV};

pub fn keygen(json: bool) -> CliResult {
    let secret = SecretKey::generate();
    let public = secret.public_key().to_hex();
    let secret_hex = secret.to_hex();
    if json {
        let doc = serde_json::json!({ "secret_key": secret_hex.as_str(), "public_key": public });
        println!("{doc}");
    } else {
        println!("secret_key {}", secret_hex.as_str());
        println!("public_key {public}");
    }
    Ok(())
}

pub fn pubkey(secret: Option<&str>) -> CliResult {
    let secret = match secret {
        Some("-") => parse_secret(&stdin_text("the secret key")?)?,
        Some(text) => parse_secret(text)?,
        None => match std::env::var(KEY_ENV) {
            Ok(text) if !text.trim().is_empty() => parse_secret(&text)?,
            _ => {
                return Err(Failure::error(format!(
                "no secret key: give it as an argument, `-` for standard input, or set {KEY_ENV}"
            )))
            }
        },
    };
    println!("{}", secret.public_key());
    Ok(())
}
