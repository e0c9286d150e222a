//! `encode` and `decode`: one message to or from a peer, for scripts.

use std::io::Write;

use crypto_sessions::Session;

use crate::args::{DecodeArgs, EncodeArgs};
use crate::failure::{CliResult, Exit, Failure};
use crate::input::{public_key, secret_key, stdin_bytes, stdin_text};

pub fn encode(args: &EncodeArgs) -> CliResult {
    let peer = public_key(&args.peer, "--peer")?;
    let session = Session::new(&peer, &secret_key(&args.key)?);
    let payload = match &args.data {
        Some(text) => text.as_bytes().to_vec(),
        None => stdin_bytes()?,
    };
    let encoded = session.encode(&payload);
    let token = encoded.token.encode();
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "token": token, "data": encoded.data })
        );
    } else {
        println!("{token}\n{}", encoded.data);
    }
    Ok(())
}

pub fn decode(args: &DecodeArgs) -> CliResult {
    let peer = public_key(&args.peer, "--peer")?;
    let session = Session::new(&peer, &secret_key(&args.key)?);
    let (token, data) = match (&args.token, &args.data) {
        (Some(token), Some(data)) => (token.clone(), data.clone()),
        (Some(token), None) => (token.clone(), stdin_text("the encrypted data")?),
        (None, data) => {
            let input = match data {
                Some(data) => data.clone(),
                None => stdin_text("the encoded message")?,
            };
            split_message(&input)?
        }
    };
    let plaintext = session
        .decode(token.trim(), data.trim())
        .map_err(|e| Failure::new(Exit::Invalid, format!("the message does not decode: {e}")))?;
    write_stdout(&plaintext)
}

/// What `encode` prints, read back: `{"token": ..., "data": ...}` or two fields.
fn split_message(input: &str) -> CliResult<(String, String)> {
    let input = input.trim();
    if input.starts_with('{') {
        let doc: serde_json::Value = serde_json::from_str(input)
            .map_err(|e| Failure::error(format!("the input is not JSON: {e}")))?;
        let field = |name: &str| {
            doc.get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| Failure::error(format!("the JSON input has no string \"{name}\"")))
        };
        return Ok((field("token")?, field("data")?));
    }
    let mut fields = input.split_whitespace();
    match (fields.next(), fields.next(), fields.next()) {
        (Some(token), Some(data), None) => Ok((token.to_string(), data.to_string())),
        _ => Err(Failure::error(
            "without --token, give the token and the data on two lines, as `encode` prints them",
        )),
    }
}

/// Write bytes to standard output as they are (they need not be text).
pub fn write_stdout(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::error(format!("cannot write standard output: {e}")))
}
