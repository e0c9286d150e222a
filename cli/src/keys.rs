//! `keygen` and `pubkey`.

use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::SecretKey;

use crate::failure::{CliResult, Failure};
use crate::input::{parse_secret, stdin_text, KEY_ENV};

pub fn keygen(json: bool) -> CliResult {
    let secret = SecretKey::generate();
    let public = secret.public_key().to_hex();
    let (xonly, kid) = v2_key(&secret);
    let secret_hex = secret.to_hex();
    if json {
        let doc = serde_json::json!({
            "secret_key": secret_hex.as_str(),
            "public_key": public,
            "xonly_key": xonly,
            "kid": kid,
        });
        println!("{doc}");
    } else {
        println!("secret_key {}", secret_hex.as_str());
        println!("public_key {public}");
        println!("xonly_key {xonly}");
        println!("kid {kid}");
    }
    Ok(())
}

/// Protocol v2's names of a key: the x-only public key and its key id, in hex.
fn v2_key(secret: &SecretKey) -> (String, String) {
    let xonly = XOnlyKey::from_public_key(&secret.public_key());
    (xonly.to_hex(), hex::encode(xonly.kid()))
}

/// The public key (v1's compressed form, one line as before); with `json`, also v2's
/// x-only key and kid; with `xonly`, the x-only key alone.
pub fn pubkey(secret: Option<&str>, json: bool, xonly: bool) -> CliResult {
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
    if json {
        let (xonly, kid) = v2_key(&secret);
        let doc = serde_json::json!({
            "public_key": secret.public_key().to_hex(),
            "xonly_key": xonly,
            "kid": kid,
        });
        println!("{doc}");
    } else if xonly {
        println!("{}", v2_key(&secret).0);
    } else {
        println!("{}", secret.public_key());
    }
    Ok(())
}
