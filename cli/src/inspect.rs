//! `inspect`: what a token holds, and whether it holds over a payload.
//!
//! v1 tokens as v1 reads them; v2 request and answer tokens through the core's
//! `v2::request` and `v2::answer` (layout, kid, signature check).

use std::time::{SystemTime, UNIX_EPOCH};

use crypto_sessions::token::{digest, parse_signature, SignatureFormat};
use crypto_sessions::v2::answer::{AnswerToken, ANSWER_TOKEN_CHARS};
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::v2::request::{RequestToken, REQUEST_TOKEN_CHARS};
use crypto_sessions::v2::server::is_v2_authorization;
use crypto_sessions::v2::AUTH_SCHEME;
use crypto_sessions::{PublicKey, SecretKey, Session, Token};
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
            let format = match sig.format {
                SignatureFormat::Der => "DER",
                SignatureFormat::Compact => "compact",
            };
            let rs = sig.r_s;
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
    let payload = match (&args.payload, &args.payload_file) {
        (Some(text), _) => Some(text.as_bytes().to_vec()),
        (None, Some(path)) => Some(file_bytes(path)?),
        (None, None) => None,
    };
    let text = text.trim();
    if is_v2_authorization(text) {
        let token = text[AUTH_SCHEME.len()..].trim_start_matches([' ', '\t']);
        return inspect_request(args, token, payload);
    }
    match text.len() {
        REQUEST_TOKEN_CHARS => return inspect_request(args, text, payload),
        ANSWER_TOKEN_CHARS => return inspect_answer(args, text),
        _ => {}
    }
    for v2_only in [
        (args.server_key.is_some(), "--server-key"),
        (args.method.is_some(), "--method"),
    ] {
        if v2_only.0 {
            return Err(Failure::error(format!(
                "{} is for v2 tokens; a v1 token is checked with --peer and --payload",
                v2_only.1
            )));
        }
    }
    let token = Token::parse(text).map_err(|e| Failure::error(format!("not a token: {e}")))?;
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

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `created` in UTC, ISO 8601 (days to civil date, H. Hinnant's algorithm).
fn utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Seconds since `created` (negative: dated in the future).
fn age(created: u64) -> i128 {
    i128::from(now()) - i128::from(created)
}

fn age_text(created: u64) -> String {
    match age(created) {
        a if a >= 0 => format!("{a} s ago"),
        a => format!("{} s in the future", -a),
    }
}

/// A v2 server key: x-only (64 hex characters) or a compressed key (66).
fn server_key(text: &str) -> CliResult<XOnlyKey> {
    let text = text.trim();
    let parsed = if text.len() == 64 {
        XOnlyKey::from_hex(text)
    } else {
        PublicKey::from_hex(text).map(|k| XOnlyKey::from_public_key(&k))
    };
    parsed.map_err(|e| Failure::error(format!("--server-key: {e}")))
}

/// A v2 request token: its fields; with --server-key the kid, and with --method
/// and --url (and the body as sent in --payload) the signature.
fn inspect_request(args: &InspectArgs, text: &str, body: Option<Vec<u8>>) -> CliResult {
    if args.peer.is_some() {
        return Err(Failure::error(
            "--peer is for v1 tokens; a v2 request token is checked with --server-key",
        ));
    }
    let token = RequestToken::decode(text)
        .map_err(|e| Failure::error(format!("not a v2 request token: {}", e.detail())))?;
    let server = args.server_key.as_deref().map(server_key).transpose()?;
    if server.is_none() && args.method.is_some() {
        return Err(Failure::error(
            "--method and --url check the signature, which needs --server-key",
        ));
    }
    if body.is_some() && args.method.is_none() {
        return Err(Failure::error(
            "a v2 body (--payload) is checked with --server-key, --method and --url",
        ));
    }
    let client_key = XOnlyKey::from_bytes(token.client_key());
    let kid_matches = server.as_ref().map(|s| &s.kid() == token.kid());
    let body = body.unwrap_or_default();
    let verdict = match (&server, &args.method, &args.url) {
        (Some(server), Some(method), Some(url)) => Some(
            token
                .verify(server, method, url, &body)
                .map(|_| ())
                .map_err(|e| e.detail().to_string()),
        ),
        _ => None,
    };

    let mut problems = Vec::new();
    if let Err(e) = &client_key {
        problems.push(format!("client key: {}", e.detail()));
    }
    if kid_matches == Some(false) {
        problems.push("the kid does not name --server-key".to_string());
    }
    if let Some(Err(e)) = &verdict {
        problems.push(e.clone());
    }

    let created = token.created();
    if args.json {
        let doc = json!({
            "version": 2,
            "kind": "request",
            "flags": 0,
            "created": created,
            "created_utc": utc(created),
            "age_seconds": age(created) as i64,
            "nonce": hex::encode(token.nonce()),
            "client_key": hex::encode(token.client_key()),
            "client_key_is_valid": client_key.is_ok(),
            "kid": hex::encode(token.kid()),
            "signature": hex::encode(token.signature()),
            "server_key": server.as_ref().map(XOnlyKey::to_hex),
            "kid_matches": kid_matches,
            "body_digest": verdict.as_ref().map(|_| hex::encode(digest(&body))),
            "valid": verdict.as_ref().map(Result::is_ok),
            "error": verdict.as_ref().and_then(|v| v.as_ref().err()),
        });
        println!("{doc}");
    } else {
        let line = |name: &str, value: &dyn std::fmt::Display| println!("{name:<10} {value}");
        line("version", &"2 (request)");
        line(
            "created",
            &format!("{created} ({}, {})", utc(created), age_text(created)),
        );
        line("nonce", &hex::encode(token.nonce()));
        let note = match &client_key {
            Ok(_) => " (x-only)".to_string(),
            Err(e) => format!("  ({})", e.detail()),
        };
        line(
            "client",
            &format!("{}{note}", hex::encode(token.client_key())),
        );
        let kid_note = match (&server, kid_matches) {
            (Some(s), Some(true)) => format!(" (names {s})"),
            (Some(s), _) => format!(" (NOT the kid of {s}, which is {})", hex::encode(s.kid())),
            (None, _) => String::new(),
        };
        line("kid", &format!("{}{kid_note}", hex::encode(token.kid())));
        line("signature", &hex::encode(token.signature()));
        if let (Some(method), Some(url)) = (&args.method, &args.url) {
            line("request", &format!("{method} {url}"));
            line(
                "digest",
                &format!(
                    "{} (SHA-256 of the {}-byte body)",
                    hex::encode(digest(&body)),
                    body.len()
                ),
            );
        }
        match &verdict {
            Some(Ok(())) => line(
                "valid",
                &"yes: the signature holds over this method, URL and body",
            ),
            Some(Err(e)) => line("valid", &format!("no: {e}")),
            None => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(Exit::Invalid, problems.join("; ")))
    }
}

/// A v2 answer token (a `Crypto-Session` header value): its fields. Its signature is
/// bound to the request it answers; `fetch` checks it, `inspect` only shows it.
fn inspect_answer(args: &InspectArgs, text: &str) -> CliResult {
    if args.server_key.is_some() || args.peer.is_some() || args.method.is_some() {
        return Err(Failure::error(
            "an answer token is verified against its request by `fetch`; \
             inspect shows its fields only",
        ));
    }
    let token = AnswerToken::decode(text)
        .map_err(|e| Failure::error(format!("not a v2 answer token: {}", e.detail())))?;
    let created = token.created();
    let kind = if token.flags() == 0 {
        "answer"
    } else {
        "signed stale answer"
    };
    if args.json {
        let doc = json!({
            "version": 2,
            "kind": kind,
            "flags": token.flags(),
            "created": created,
            "created_utc": utc(created),
            "age_seconds": age(created) as i64,
            "nonce": hex::encode(token.nonce()),
            "signature": hex::encode(token.signature()),
        });
        println!("{doc}");
    } else {
        let line = |name: &str, value: &dyn std::fmt::Display| println!("{name:<10} {value}");
        line("version", &format!("2 ({kind})"));
        line(
            "created",
            &format!("{created} ({}, {})", utc(created), age_text(created)),
        );
        line("nonce", &hex::encode(token.nonce()));
        line("signature", &hex::encode(token.signature()));
    }
    Ok(())
}
