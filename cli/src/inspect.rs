//! `inspect`: what a token holds, and whether it holds over a payload.

use crypto_sessions::token::{digest, parse_signature};
use crypto_sessions::{SecretKey, Session, Token};
use serde_json::json;

use crate::args::InspectArgs;
use crate::failure::{CliResult, Exit, Failure};
use crate::input::{file_bytes, public_key, stdin_text};

/// The signature as the token carries it, read as v1 reads it.
struct SignatureReport {
    format: Option<&'static str>,
    r: Option<String>,
    s: Option<String>,
    problem: Option<String>,
}

fn read_signature(bytes: &[u8]) -> SignatureReport {
    match parse_signature(bytes) {
        Ok(sig) => {
            // DER is canonical: bytes accepted as DER re-encode to themselves.
            let format = if sig.to_der().as_bytes() == bytes {
                "DER"
            } else {
                "compact"
            };
            let rs = sig.to_bytes();
            SignatureReport {
                format: Some(format),
                r: Some(hex::encode(&rs[..32])),
                s: Some(hex::encode(&rs[32..])),
                problem: None,
            }
        }
        Err(e) => SignatureReport {
            format: None,
            r: None,
            s: None,
            problem: Some(e.to_string()),
        },
    }
}

pub fn inspect(args: &InspectArgs) -> CliResult {
    if args.token == "-" && args.payload_file.as_deref() == Some(std::path::Path::new("-")) {
        return Err(Failure::error(
            "the token and the payload cannot both come from standard input",
        ));
    }
    let text = match args.token.as_str() {
        "-" => stdin_text("the token")?,
        token => token.to_string(),
    };
    let token =
        Token::parse(text.trim()).map_err(|e| Failure::error(format!("not a token: {e}")))?;
    let payload = match (&args.payload, &args.payload_file) {
        (Some(text), _) => Some(text.as_bytes().to_vec()),
        (None, Some(path)) => Some(file_bytes(path)?),
        (None, None) => None,
    };
    let expected = args
        .peer
        .as_deref()
        .map(|p| public_key(p, "--peer"))
        .transpose()?;

    let signer = token.signer();
    let signature = read_signature(token.signature());
    let peer_matches = expected.as_ref().map(|p| token.is_signed_by(p));
    // Verification needs only the peer's public key; a session's own key plays no
    // part in it, so a throwaway one stands in.
    let verdict = payload.as_ref().map(|payload| {
        let peer = match (&expected, &signer) {
            (Some(peer), _) => peer.clone(),
            (None, Ok(signer)) => signer.clone(),
            (None, Err(e)) => return Err(e.to_string()),
        };
        Session::new(&peer, &SecretKey::generate())
            .verify(&token, payload)
            .map_err(|e| e.to_string())
    });

    let mut problems = Vec::new();
    if let Err(e) = &signer {
        problems.push(format!("signer: {e}"));
    }
    if let Some(p) = &signature.problem {
        problems.push(format!("signature: {p}"));
    }
    if peer_matches == Some(false) {
        problems.push("the token is not signed by --peer".to_string());
    }
    if let Some(Err(e)) = &verdict {
        problems.push(format!("over the payload: {e}"));
    }

    if args.json {
        let doc = json!({
            "signer": hex::encode(token.signer_bytes()),
            "signer_is_valid_key": signer.is_ok(),
            "signature": hex::encode(token.signature()),
            "signature_length": token.signature().len(),
            "signature_format": signature.format,
            "r": signature.r,
            "s": signature.s,
            "signature_error": signature.problem,
            "peer_matches": peer_matches,
            "payload_digest": payload.as_ref().map(|p| hex::encode(digest(p))),
            "valid": verdict.as_ref().map(Result::is_ok),
            "error": verdict.as_ref().and_then(|v| v.as_ref().err()).map(String::as_str),
        });
        println!("{doc}");
    } else {
        print_report(&token, &signer, &signature, &expected, &payload, &verdict);
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(Exit::Invalid, problems.join("; ")))
    }
}

fn print_report(
    token: &Token,
    signer: &crypto_sessions::Result<crypto_sessions::PublicKey>,
    signature: &SignatureReport,
    expected: &Option<crypto_sessions::PublicKey>,
    payload: &Option<Vec<u8>>,
    verdict: &Option<Result<(), String>>,
) {
    let line = |name: &str, value: &dyn std::fmt::Display| println!("{name:<10} {value}");
    let signer_note = match signer {
        Ok(_) => String::new(),
        Err(e) => format!("  ({e})"),
    };
    line(
        "signer",
        &format!("{}{signer_note}", hex::encode(token.signer_bytes())),
    );
    line("signature", &hex::encode(token.signature()));
    let format = match (signature.format, &signature.problem) {
        (Some(format), _) => format!("{format}, {} bytes, low-S", token.signature().len()),
        (None, Some(problem)) => format!("unreadable: {problem}"),
        (None, None) => unreachable!("a signature is either read or not"),
    };
    line("format", &format);
    if let (Some(r), Some(s)) = (&signature.r, &signature.s) {
        line("r", r);
        line("s", s);
    }
    if let Some(peer) = expected {
        let verdict = if token.is_signed_by(peer) {
            format!("{peer} (matches the signer)")
        } else {
            format!("{peer} (NOT the signer)")
        };
        line("peer", &verdict);
    }
    if let Some(payload) = payload {
        line(
            "digest",
            &format!(
                "{} (SHA-256 of the {}-byte payload)",
                hex::encode(digest(payload)),
                payload.len()
            ),
        );
    }
    match verdict {
        Some(Ok(())) => line("valid", &"yes: the signature holds over the payload"),
        Some(Err(e)) => line("valid", &format!("no: {e}")),
        None => {}
    }
}
