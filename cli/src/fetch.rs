//! `fetch`: a signed request, sent as curl would, and the answer opened and checked.

use std::time::Duration;

use crypto_sessions::http::PreparedRequest;
use crypto_sessions::payload::{json_bytes, parse_json};
use crypto_sessions::{Client, ErrorKind};
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
    let server_key = public_key(&server_key, "--server-key")?;
    let secret = secret_key(&args.key)?;
    let body = request_body(args)?;
    let method = match (&args.method, &body) {
        (Some(method), _) => method.clone(),
        (None, Some(_)) => "POST".to_string(),
        (None, None) => "GET".to_string(),
    };
    let url = signed_url(&args.url)?;
    let extra = extra_headers(&args.headers)?;

    // An empty hostname: the full URL is the path, so the signed string is exactly
    // the URL that is sent (the server checks its origin + the raw request-target).
    let client = Client::new(&server_key, &secret, None);
    let prepared = client.prepare(&method, &url, body.as_deref())?;
    let headers = merge_headers(&prepared, extra);

    if args.verbose {
        eprintln!("* client key {} (signs the request)", secret.public_key());
        eprintln!("* server key {} (must sign the answer)", server_key);
        if let Some(body) = &body {
            eprintln!("* payload {} bytes, signed and encrypted", body.len());
        } else if prepared.method == "POST" {
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

    let answer = send(&prepared, &headers, args.max_time)?;

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
    let uri: Uri = sent
        .signed
        .parse()
        .map_err(|e| Failure::error(format!("{raw:?} is not a valid URL: {e}")))?;
    let on_the_wire = uri.path_and_query().map_or("/", |p| p.as_str());
    if on_the_wire != sent.target {
        return Err(Failure::error(format!(
            "{raw:?} would be sent as {on_the_wire:?}, which is not what is signed"
        )));
    }
    Ok(sent.signed)
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
            if name.eq_ignore_ascii_case("authorization") {
                return Err(Failure::error(
                    "-H authorization: the authorization header carries the signature; it cannot be set",
                ));
            }
            Ok((name.to_string(), value.trim().to_string()))
        })
        .collect()
}

/// The prepared headers, with the user's extra headers added; an extra header of
/// the same name as a prepared one (content-type) replaces it.
fn merge_headers(
    prepared: &PreparedRequest,
    extra: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = prepared
        .headers
        .iter()
        .filter(|(name, _)| !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    headers.extend(extra);
    headers
}

/// The raw answer: status, the `authorization` header and the body text.
struct Answer {
    status: u16,
    authorization: Option<String>,
    body: String,
}

fn send(
    prepared: &PreparedRequest,
    headers: &[(String, String)],
    max_time: Option<f64>,
) -> CliResult<Answer> {
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
        .user_agent(format!("crypto-session/{}", env!("CARGO_PKG_VERSION")))
        .timeout_global(timeout)
        .build()
        .into();
    let mut request = Request::builder()
        .method(prepared.method)
        .uri(prepared.url.as_str());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let unreachable = |e: ureq::Error| Failure::error(format!("{}: {e}", prepared.url));
    let mut response = match &prepared.body {
        Some(body) => {
            let request = request
                .body(body.clone())
                .map_err(|e| Failure::error(format!("cannot build the request: {e}")))?;
            agent.run(request)
        }
        None => {
            let request = request
                .body(())
                .map_err(|e| Failure::error(format!("cannot build the request: {e}")))?;
            agent.run(request)
        }
    }
    .map_err(unreachable)?;
    let status = response.status().as_u16();
    let authorization = response
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.body_mut().read_to_vec().map_err(unreachable)?;
    Ok(Answer {
        status,
        authorization,
        body: String::from_utf8_lossy(&body).into_owned(),
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
