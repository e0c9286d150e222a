//! What the CLI tests share: the built binary, and a real HTTP server on 127.0.0.1
//! (tiny_http) that authenticates with the core's `Server`.

#![allow(dead_code)] // each test file uses part of it

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use crypto_sessions::http::Server;
use crypto_sessions::{SecretKey, Session};
use serde_json::json;
use tiny_http::{Header, Response};

/// Run the built `crypto-session` with arguments, extra environment and stdin.
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crypto-session"));
    cmd.args(args)
        .env_remove("CRYPTO_SESSION_KEY")
        .env_remove("CRYPTO_SESSION_SERVER_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_vec();
    // Write from a thread so a child that does not read stdin cannot block us.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("the binary runs");
    writer.join().expect("stdin writer");
    out
}

/// `crypto-session fetch` with `flags` then `args`, the client's key from the
/// environment.
pub fn fetch_as(client: &SecretKey, flags: &[&str], args: &[&str], stdin: &[u8]) -> Output {
    let key = client.to_hex();
    let all: Vec<&str> = ["fetch"].iter().chain(flags).chain(args).copied().collect();
    run(&all, &[("CRYPTO_SESSION_KEY", key.as_str())], stdin)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout parsed as JSON, or a failure that shows both outputs.
pub fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            stdout(out),
            stderr(out)
        )
    })
}

/// A vector file of `tests/vectors/`.
pub fn vectors(file: &str) -> serde_json::Value {
    let path = format!("{}/../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A string of a vector file.
pub fn s(v: &serde_json::Value) -> &str {
    v.as_str().expect("a string in the vectors")
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Assert the exit status, showing stderr when it is not the expected one.
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

/// What the server saw of the last request that reached a handler.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub target: String,
    pub content_type: Option<String>,
    pub extra: Option<String>,
    pub payload: Option<Vec<u8>>,
}

/// An HTTP server on an ephemeral port of 127.0.0.1 that hands every request to
/// one handler on its own thread, counts them, and stops when dropped.
pub struct Listener {
    pub url: String,
    requests: Arc<AtomicUsize>,
    http: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    /// Bind, then serve with the handler `make` builds for the listener's URL.
    pub fn start<H>(make: impl FnOnce(&str) -> H) -> Listener
    where
        H: FnMut(tiny_http::Request) + Send + 'static,
    {
        let http = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = http.server_addr().to_ip().expect("an IP address").port();
        let url = format!("http://127.0.0.1:{port}");
        let mut handle = make(&url);
        let requests = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (http, requests) = (http.clone(), requests.clone());
            std::thread::spawn(move || {
                for request in http.incoming_requests() {
                    requests.fetch_add(1, Ordering::SeqCst);
                    handle(request);
                }
            })
        };
        Listener {
            url,
            requests,
            http,
            thread: Some(thread),
        }
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.http.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A crypto-session server on an ephemeral port of 127.0.0.1, for one test.
///
/// Routes (after authentication; a rejected request gets 401 and an empty body):
/// - `/echo`: a sealed JSON answer with the request target, the client's key and
///   the payload as text;
/// - `/text`: a sealed text answer `plain answer`;
/// - `/missing`: a sealed answer `no such thing` with status 404;
/// - `/tampered`: a sealed answer with one character of the body changed;
/// - `/forged`: the server's encrypted answer with a token of another key;
/// - `/unsigned`: a 200 answer in clear with no authorization header.
pub struct TestServer {
    pub url: String,
    pub secret: SecretKey,
    pub seen: Arc<Mutex<Seen>>,
    listener: Listener,
}

impl TestServer {
    pub fn start() -> TestServer {
        let secret = SecretKey::generate();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let listener = Listener::start(|url| {
            let server = Server::new(&secret, url).expect("a server");
            let seen = seen.clone();
            move |request| handle(&server, request, &seen)
        });
        TestServer {
            url: listener.url.clone(),
            secret,
            seen,
            listener,
        }
    }

    pub fn public_hex(&self) -> String {
        self.secret.public_key().to_hex()
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.listener.requests()
    }
}

/// The first value of header `name`.
pub fn header(request: &tiny_http::Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

/// Answer `request` with these headers and body.
pub fn respond(
    request: tiny_http::Request,
    status: u16,
    headers: &[(&str, String)],
    body: impl Into<Vec<u8>>,
) {
    let mut response = Response::from_data(body).with_status_code(status);
    for (name, value) in headers {
        response.add_header(Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}

/// A v1 answer: the `authorization` header when signed, and the body.
fn respond_v1(request: tiny_http::Request, status: u16, auth: Option<&str>, body: &str) {
    let headers: Vec<_> = auth
        .map(|a| ("authorization", a.to_string()))
        .into_iter()
        .collect();
    respond(request, status, &headers, body)
}

fn handle(server: &Server, mut request: tiny_http::Request, seen: &Mutex<Seen>) {
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    let method = request.method().as_str().to_string();
    let target = request.url().to_string();
    let auth = header(&request, "authorization");
    let ok = match server.authenticate(&method, target.as_bytes(), auth.as_deref(), &body) {
        Ok(ok) => ok,
        Err(e) => {
            eprintln!("test server: rejected {method} {target}: {e}");
            return respond_v1(request, 401, None, "");
        }
    };
    *seen.lock().unwrap() = Seen {
        target: target.clone(),
        content_type: header(&request, "content-type"),
        extra: header(&request, "x-extra"),
        payload: ok.payload.clone(),
    };
    let path = target.split('?').next().unwrap_or_default();
    match path {
        "/text" => {
            let a = server.seal_text(&ok.session, 200, "plain answer").unwrap();
            respond_v1(request, a.status, Some(&a.authorization), &a.body)
        }
        "/missing" => {
            let a = server.seal_text(&ok.session, 404, "no such thing").unwrap();
            respond_v1(request, a.status, Some(&a.authorization), &a.body)
        }
        "/tampered" => {
            let a = server
                .seal_text(&ok.session, 200, "an answer long enough to tamper with")
                .unwrap();
            let mut body = a.body.into_bytes();
            let i = body.len() / 2;
            body[i] = if body[i] == b'A' { b'B' } else { b'A' };
            respond_v1(
                request,
                200,
                Some(&a.authorization),
                &String::from_utf8(body).unwrap(),
            )
        }
        "/forged" => {
            // The server's encrypted answer, re-signed by another key.
            let message = b"signed by an impostor";
            let a = server.seal(&ok.session, 200, message).unwrap();
            let impostor = Session::new(ok.peer(), &SecretKey::generate());
            respond_v1(
                request,
                200,
                Some(&impostor.token_for(message).encode()),
                &a.body,
            )
        }
        "/unsigned" => respond_v1(request, 200, None, "in clear"),
        _ => {
            let payload = ok
                .payload
                .as_deref()
                .map(|p| String::from_utf8_lossy(p).into_owned());
            let answer = json!({
                "method": method,
                "target": target,
                "peer": ok.peer().to_hex(),
                "payload": payload,
            });
            let a = server.seal_json(&ok.session, 200, &answer).unwrap();
            respond_v1(request, a.status, Some(&a.authorization), &a.body)
        }
    }
}
