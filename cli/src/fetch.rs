//! `fetch`: a signed request, sent as curl would, and the answer opened and checked.
//!
//! Protocol v2 by default (the core's `v2::client::Client`: the request, the answer
//! bound to it, the clock offset and the one retry); v1 with `--v1`. This module
//! only moves bytes over HTTP and reports.

use std::time::Duration;

use crypto_sessions::http::{Method, RequestHeaders, AUTHORIZATION};
use crypto_sessions::payload::{json_bytes, parse_json};
use crypto_sessions::v2::client::{self as v2client, ClientError, Response};
use crypto_sessions::v2::keys::XOnlyKey;
use crypto_sessions::v2::{CONTENT_TYPE, CRYPTO_SESSION, WWW_AUTHENTICATE};
use crypto_sessions::{Client, ErrorKind, PublicKey, SecretKey};
use ureq::http::{Request, Uri};

use crate::args::FetchArgs;
use crate::codec::write_stdout;
use crate::failure::{CliResult, Exit, Failure};
use crate::input::{at_argument, public_key, secret_key, SERVER_KEY_ENV};

pub fn fetch(args: &FetchArgs) -> CliResult {
    let server_key = match &args.server_key {
        Some(text) => text.clone(),
        None => std::env::var(SERVER_KEY_ENV).map_err(|_| {
            Failure::error(format!(
                "no server key: pass --server-key or set {SERVER_KEY_ENV}"
            ))
        })?,
    };
    if args.v1 {
        fetch_v1(args, &server_key)
    } else {
        fetch_v2(args, &server_key)
    }
}

/// The method: the user's, else POST with a body and GET without.
fn method(args: &FetchArgs, body: &Option<Vec<u8>>) -> String {
    match (&args.method, body) {
        (Some(method), _) => method.clone(),
        (None, Some(_)) => "POST".to_string(),
        (None, None) => "GET".to_string(),
    }
}

/// A v2 server key: x-only (64 hex characters) or a compressed key (66).
fn xonly_key(text: &str) -> CliResult<XOnlyKey> {
    let text = text.trim();
    let parsed = if text.len() == 64 {
        XOnlyKey::from_hex(text)
    } else {
        PublicKey::from_hex(text).map(|k| XOnlyKey::from_public_key(&k))
    };
    parsed.map_err(|e| Failure::error(format!("--server-key: {e}")))
}

fn fetch_v2(args: &FetchArgs, server_key: &str) -> CliResult {
    let server_key = xonly_key(server_key)?;
    let secret: SecretKey = secret_key(&args.key)?;
    let body = request_body(args)?;
    let method = method(args, &body);
    let mut extra = extra_headers(&args.headers)?;
    // The payload's media type travels sealed; the HTTP one is the sealed body's.
    let user_type = extra
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case(CONTENT_TYPE))
        .map(|i| extra.remove(i).1);
    let content_type = match (user_type, &args.json) {
        (Some(t), _) => t,
        (None, Some(_)) => "application/json".to_string(),
        (None, None) => String::new(),
    };
    let payload = body.unwrap_or_default();

    let client = v2client::Client::new(&secret, &server_key);
    let mut prepared = client
        .prepare(&method, &args.url, &content_type, &payload)
        .map_err(|e| Failure::error(format!("{:?}: {}", args.url, e.detail())))?;
    check_sent_as_signed(prepared.url())?;

    if args.verbose {
        eprintln!(
            "* protocol v2; client key {} (signs the request)",
            client.public_key()
        );
        eprintln!(
            "* server key {} (kid {}, must sign the answer)",
            server_key,
            hex::encode(server_key.kid())
        );
        if prepared.body().is_empty() {
            eprintln!("* no body: the method, the URL and the empty body are signed");
        } else {
            let shown = if content_type.is_empty() {
                "none"
            } else {
                content_type.as_str()
            };
            eprintln!(
                "* payload {} bytes (content type {shown}), sealed and signed",
                payload.len()
            );
        }
    }

    loop {
        let headers = merge_headers(prepared.headers(), extra.clone());
        if args.verbose {
            eprintln!("> {} {}", prepared.method(), prepared.url());
            for (name, value) in &headers {
                eprintln!("> {name}: {value}");
            }
            if !prepared.body().is_empty() {
                eprintln!(">");
                eprintln!("> [{} bytes, sealed]", prepared.body().len());
            }
        }
        let body = (!prepared.body().is_empty()).then(|| prepared.body().to_vec());
        let answer = send(
            prepared.method(),
            prepared.url(),
            &headers,
            body,
            args.max_time,
        )?;
        let crypto_session = answer.header(CRYPTO_SESSION);
        let www_authenticate = answer.header(WWW_AUTHENTICATE);
        if args.verbose {
            eprintln!("< {} {}", answer.status, reason(answer.status));
            if let Some(value) = crypto_session {
                eprintln!("< {}: {value}", CRYPTO_SESSION.to_ascii_lowercase());
            }
            if let Some(value) = www_authenticate {
                eprintln!("< {}: {value}", WWW_AUTHENTICATE.to_ascii_lowercase());
            }
            if !answer.body.is_empty() {
                eprintln!("<");
                eprintln!("< [{} bytes]", answer.body.len());
            }
        }
        let response = Response {
            status: answer.status,
            crypto_session,
            www_authenticate,
            body: &answer.body,
        };
        match client.open(&prepared, response) {
            Ok(opened) => {
                if args.verbose {
                    let shown = if opened.content_type.is_empty() {
                        "none"
                    } else {
                        opened.content_type.as_str()
                    };
                    eprintln!(
                        "* answer verified: signed by the server for this request, \
                         {} bytes opened (content type {shown})",
                        opened.payload.len()
                    );
                }
                write_stdout(&opened.payload)?;
                if (200..300).contains(&opened.status) {
                    return Ok(());
                }
                let note = if opened.payload.is_empty() {
                    ""
                } else {
                    " (its signed answer is on standard output)"
                };
                return Err(Failure::new(
                    Exit::Status,
                    format!(
                        "the server answered {} {}{note}",
                        opened.status,
                        reason(opened.status)
                    ),
                ));
            }
            Err(ClientError::Stale {
                server_time,
                offset_applied,
                retry: Some(retry),
            }) => {
                if args.verbose {
                    eprintln!(
                        "* signed stale answer: the server's clock reads {server_time}; \
                         {}; retrying once with a new nonce",
                        offset_note(&client, offset_applied)
                    );
                }
                prepared = *retry;
            }
            Err(ClientError::Stale {
                server_time,
                offset_applied,
                retry: None,
            }) => {
                let why = if prepared.is_retry() {
                    "the one retry was stale too"
                } else {
                    "it came too late to retry safely"
                };
                return Err(Failure::new(
                    Exit::Rejected,
                    format!(
                        "the server refused the request as stale (a signed answer: its clock \
                         reads {server_time}; {}); {why}: check your clock",
                        offset_note(&client, offset_applied)
                    ),
                ));
            }
            Err(ClientError::Rejected { status, code }) => {
                let code = code.map_or("no code", |c| c.as_str());
                return Err(Failure::new(
                    Exit::Rejected,
                    format!(
                        "the server rejected the request ({status} {}, {code}); it is not \
                         signed, so whether it ran is unknown{}",
                        reason(status),
                        rejection_hint(code)
                    ),
                ));
            }
            Err(ClientError::InvalidAnswer(_)) if response.is_v1_rejection() => {
                return Err(Failure::new(
                    Exit::Rejected,
                    "the server rejected the request (401 Unauthorized) without a v2 answer: \
                     it may speak only protocol v1; use --v1 to speak v1 to it \
                     (v1 has no freshness: a captured request can be replayed)",
                ));
            }
            Err(ClientError::InvalidAnswer(e)) => {
                return Err(Failure::new(
                    Exit::Invalid,
                    format!(
                        "the answer does not verify ({} {}): {}",
                        answer.status,
                        reason(answer.status),
                        e.detail()
                    ),
                ));
            }
        }
    }
}

fn offset_note(client: &v2client::Client, applied: bool) -> String {
    if applied {
        format!(
            "requests to this server are now dated with a clock offset of {} s",
            client.clock_offset()
        )
    } else {
        "the difference is more than an hour, so it is not used".to_string()
    }
}

fn rejection_hint(code: &str) -> &'static str {
    match code {
        "unknown_key" => ": check --server-key",
        "invalid_signature" => {
            ": check --server-key, and that the URL starts with an origin the server is \
             configured with"
        }
        "stale" => ": check your clock",
        "too_large" => ": the body is larger than the server accepts",
        "busy" => ": the server's replay store is full or unreachable; try again later",
        _ => "",
    }
}

fn fetch_v1(args: &FetchArgs, server_key: &str) -> CliResult {
    let server_key = public_key(server_key, "--server-key")?;
    let secret = secret_key(&args.key)?;
    let body = request_body(args)?;
    let method = method(args, &body);
    let url = signed_url(&args.url)?;
    let extra = extra_headers(&args.headers)?;

    // An empty hostname: the full URL is the path, so the signed string is exactly
    // the URL that is sent (the server checks its origin + the raw request-target).
    let client = Client::new(&server_key, &secret, None);
    let prepared = client.prepare(&method, &url, body.as_deref())?;
    let headers = merge_headers(&prepared.headers, extra);

    if args.verbose {
        eprintln!("* client key {} (signs the request)", secret.public_key());
        eprintln!("* server key {} (must sign the answer)", server_key);
        if let Some(body) = &body {
            eprintln!("* payload {} bytes, signed and encrypted", body.len());
        } else if prepared.method == Method::Post {
            eprintln!("* no payload: the URL is signed and encrypted as the body");
        } else {
            eprintln!("* signed: the URL string");
        }
        eprintln!("> {} {}", prepared.method, prepared.url);
        for (name, value) in &headers {
            eprintln!("> {name}: {value}");
        }
        if let Some(body) = &prepared.body {
            eprintln!(">");
            eprintln!("> {body}");
        }
    }

    let raw = send(
        prepared.method.as_str(),
        &prepared.url,
        &headers,
        prepared.body.clone().map(String::into_bytes),
        args.max_time,
    )?;
    let answer = Answer {
        status: raw.status,
        authorization: raw.header(AUTHORIZATION).map(str::to_string),
        body: String::from_utf8_lossy(&raw.body).into_owned(),
    };

    if args.verbose {
        eprintln!("< {} {}", answer.status, reason(answer.status));
        if let Some(auth) = &answer.authorization {
            eprintln!("< authorization: {auth}");
        }
        eprintln!("<");
        eprintln!("< {}", answer.body);
    }

    open_answer(&client, &answer, args.verbose)
}

/// The body to sign and encrypt, from --data, --data-raw or --json.
fn request_body(args: &FetchArgs) -> CliResult<Option<Vec<u8>>> {
    if let Some(data) = &args.data {
        return at_argument(data).map(Some);
    }
    if let Some(data) = &args.data_raw {
        return Ok(Some(data.as_bytes().to_vec()));
    }
    if let Some(json) = &args.json {
        // Sent as JSON.stringify would write it, as the reference client does.
        let value = parse_json(&at_argument(json)?)
            .map_err(|e| Failure::error(format!("--json: {}", e.detail())))?;
        return Ok(Some(json_bytes(&value)));
    }
    Ok(None)
}

/// The URL as it will be signed and sent (the core's [`signed_url`]: the target
/// percent-encoded, the fragment dropped, `/` for an empty path), checked to stay
/// exactly as signed through the HTTP library's URL parser.
fn signed_url(raw: &str) -> CliResult<String> {
    let sent = crypto_sessions::http::signed_url(None, raw)
        .map_err(|e| Failure::error(format!("{raw:?}: {}", e.detail())))?;
    check_sent_as_signed(&sent.signed)?;
    Ok(sent.signed)
}

/// The HTTP library must send the target exactly as it is signed.
fn check_sent_as_signed(url: &str) -> CliResult {
    let uri: Uri = url
        .parse()
        .map_err(|e| Failure::error(format!("{url:?} is not a valid URL: {e}")))?;
    let on_the_wire = uri.path_and_query().map_or("/", |p| p.as_str());
    let signed = url
        .find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
        .unwrap_or("/");
    if on_the_wire != signed {
        return Err(Failure::error(format!(
            "{url:?} would be sent as {on_the_wire:?}, which is not what is signed"
        )));
    }
    Ok(())
}

fn extra_headers(raw: &[String]) -> CliResult<Vec<(String, String)>> {
    raw.iter()
        .map(|h| {
            let (name, value) = h
                .split_once(':')
                .ok_or_else(|| Failure::error(format!("-H {h:?}: write it as `Name: value`")))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(Failure::error(format!("-H {h:?}: the name is empty")));
            }
            if name.eq_ignore_ascii_case(AUTHORIZATION) {
                return Err(Failure::error(
                    "-H authorization: the authorization header carries the signature; it cannot be set",
                ));
            }
            Ok((name.to_string(), value.trim().to_string()))
        })
        .collect()
}

/// The prepared headers, with the user's extra headers added; an extra header of
/// the same name as a prepared one replaces it.
fn merge_headers(prepared: &RequestHeaders, extra: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = prepared
        .iter()
        .filter(|(name, _)| !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    headers.extend(extra);
    headers
}

/// The v1 answer: status, the `authorization` header and the body text.
struct Answer {
    status: u16,
    authorization: Option<String>,
    body: String,
}

/// A response as it came: status, headers, body bytes.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    /// The first header of this name (case-insensitive) that is text.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Send one request; every status is an answer, redirects are never followed (a
/// `Location` header is not signed).
fn send(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<Vec<u8>>,
    max_time: Option<f64>,
) -> CliResult<Raw> {
    let timeout = match max_time {
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(Failure::error(format!(
                "--max-time {s}: give a positive number"
            )))
        }
        None => None,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        // Every status is an answer to show; a redirect would need a new signature.
        .http_status_as_error(false)
        .max_redirects(0)
        .allow_non_standard_methods(true)
        .user_agent(format!("crypto-session/{}", env!("CARGO_PKG_VERSION")))
        .timeout_global(timeout)
        .build()
        .into();
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let unreachable = |e: ureq::Error| Failure::error(format!("{url}: {e}"));
    let built = |e: ureq::http::Error| Failure::error(format!("cannot build the request: {e}"));
    let mut response = match body {
        Some(body) => agent.run(request.body(body).map_err(built)?),
        None => agent.run(request.body(()).map_err(built)?),
    }
    .map_err(unreachable)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let body = response.body_mut().read_to_vec().map_err(unreachable)?;
    Ok(Raw {
        status,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

fn open_answer(client: &Client, answer: &Answer, verbose: bool) -> CliResult {
    let opened = client.open(answer.status, answer.authorization.as_deref(), &answer.body);
    match opened {
        Ok(plaintext) => {
            if verbose {
                eprintln!(
                    "* answer verified: signed by the server, {} bytes decrypted",
                    plaintext.len()
                );
            }
            write_stdout(&plaintext)
        }
        Err(e) if e.kind() == ErrorKind::HttpStatus && answer.status == 401 => Err(Failure::new(
            Exit::Rejected,
            "the server rejected the request (401 Unauthorized): check --server-key, your key, \
             and that the URL starts with the origin the server signs (its configured host)",
        )),
        Err(e) if e.kind() == ErrorKind::HttpStatus => {
            // A handler may seal an error answer: show it when it verifies.
            let sealed = answer.authorization.as_deref().and_then(|auth| {
                client
                    .session()
                    .decode(auth.trim(), answer.body.trim())
                    .ok()
            });
            let note = match &sealed {
                Some(plaintext) => {
                    write_stdout(plaintext)?;
                    " (its signed answer is on standard output)"
                }
                None => "",
            };
            Err(Failure::new(
                Exit::Status,
                format!(
                    "the server answered {} {}{note}",
                    answer.status,
                    reason(answer.status)
                ),
            ))
        }
        Err(e) => Err(Failure::new(
            Exit::Invalid,
            format!("the answer does not verify: {e}"),
        )),
    }
}
