//! Reading inputs: standard input, files, `@FILE` arguments, and keys.
//!
//! Secrets are parsed here, after clap, so that a malformed key is never echoed back
//! in a usage error.

use std::io::Read;
use std::path::Path;

use crypto_sessions::{PublicKey, SecretKey};

use crate::args::KeyArgs;
use crate::failure::{CliResult, Failure};

/// The environment variable that holds the user's secret key (as the reference's server).
pub const KEY_ENV: &str = "CRYPTO_SESSION_KEY";
/// The environment variable that holds the server's public key for `fetch`.
pub const SERVER_KEY_ENV: &str = "CRYPTO_SESSION_SERVER_KEY";

/// All of standard input.
pub fn stdin_bytes() -> CliResult<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| Failure::error(format!("cannot read standard input: {e}")))?;
    Ok(buf)
}

/// A file's bytes, or standard input for `-`.
pub fn file_bytes(path: &Path) -> CliResult<Vec<u8>> {
    if path == Path::new("-") {
        return stdin_bytes();
    }
    std::fs::read(path).map_err(|e| Failure::error(format!("cannot read {}: {e}", path.display())))
}

/// A curl-style argument: `@FILE` reads a file, `@-` standard input, else the text.
pub fn at_argument(value: &str) -> CliResult<Vec<u8>> {
    match value.strip_prefix('@') {
        Some(path) => file_bytes(Path::new(path)),
        None => Ok(value.as_bytes().to_vec()),
    }
}

/// Text from standard input, for values that are text by nature (keys, tokens, data).
pub fn stdin_text(what: &str) -> CliResult<String> {
    String::from_utf8(stdin_bytes()?)
        .map_err(|_| Failure::error(format!("{what} on standard input is not UTF-8 text")))
}

/// Parse a secret key without ever showing it: errors name the problem, not the value.
pub fn parse_secret(text: &str) -> CliResult<SecretKey> {
    SecretKey::from_hex(text).map_err(Failure::from)
}

/// Our secret key from `--key`, `--key-file` or the environment, in that order.
pub fn secret_key(args: &KeyArgs) -> CliResult<SecretKey> {
    if let Some(text) = &args.key {
        return parse_secret(text);
    }
    if let Some(path) = &args.key_file {
        let bytes = file_bytes(path)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Failure::error("the key file is not hex text"))?;
        return parse_secret(text);
    }
    match std::env::var(KEY_ENV) {
        Ok(text) if !text.trim().is_empty() => parse_secret(&text),
        _ => Err(Failure::error(format!(
            "no secret key: pass --key or --key-file, or set {KEY_ENV} \
             (`crypto-session keygen` makes one)"
        ))),
    }
}

/// A public key given by the user, with the option's name in the error.
pub fn public_key(text: &str, option: &str) -> CliResult<PublicKey> {
    PublicKey::from_hex(text).map_err(|e| Failure::error(format!("{option}: {e}")))
}
