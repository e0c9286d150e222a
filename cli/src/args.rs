//! The command line: subcommands, options and the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Keys:
  A secret key is 64 hex characters. Commands that need one take --key, --key-file,
  or the environment variable CRYPTO_SESSION_KEY (in that order). The secret is never
  printed, except by `keygen`, whose job it is.

Exit status:
  0  success
  1  error: bad input, invalid key, network failure
  2  wrong usage
  3  the server rejected the request (401; with v2 also 403 forbidden, 413 too_large,
     503 busy): the outcome of a v2 rejection is unknown, it is not signed
  4  the server answered with another status that is not 2xx (v2: a signed answer)
  5  a message or an answer is not valid: it does not decrypt, its signature
     does not hold, or another key signed it

Examples:
  crypto-session keygen --json
  export CRYPTO_SESSION_KEY=<secret>
  crypto-session fetch --server-key <pubkey> http://localhost:3001/hello
  crypto-session fetch --server-key <pubkey> -X PUT --json '{\"order\":42}' http://localhost:3001/orders/7
  crypto-session fetch --v1 --server-key <pubkey> http://localhost:3001/hello
  crypto-session inspect --server-key <pubkey> --method GET --url http://localhost:3001/hello <token>
  printf hello | crypto-session encode --peer <pubkey> | crypto-session decode --peer <pubkey>";

/// Talk to crypto-session servers from the shell: every request signed with your key,
/// every body encrypted end to end, every answer checked against the server's key.
/// `fetch` speaks protocol v2 (fresh, replay-protected requests, answers bound to
/// them); `--v1` speaks v1 of @cmdcode/crypto-session.
#[derive(Debug, Parser)]
#[command(name = "crypto-session", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a key pair: a secret key and its public key (v1's compressed form),
    /// with protocol v2's x-only key and key id.
    Keygen {
        /// Print {"secret_key", "public_key", "xonly_key", "kid"} instead of four lines.
        #[arg(long)]
        json: bool,
    },
    /// Print the public key of a secret key.
    ///
    /// The secret comes from the argument, from standard input when the argument is
    /// `-`, or else from CRYPTO_SESSION_KEY.
    Pubkey {
        /// The secret key (64 hex characters), or `-` to read it from standard input.
        secret: Option<String>,
        /// Print {"public_key", "xonly_key", "kid"}: also protocol v2's x-only key and
        /// key id.
        #[arg(long, conflicts_with = "xonly")]
        json: bool,
        /// Print protocol v2's x-only key (64 hex characters) instead of the
        /// compressed one, e.g. for `fetch --server-key`.
        #[arg(long)]
        xonly: bool,
    },
    /// Show what a token holds (v1 or v2), and whether its signature holds.
    ///
    /// v1: who signed it and the signature; with --payload, whether it holds over
    /// that payload. v2 (a request token, `CryptoSession ...`,
    /// or an answer token): version, created and its age, nonce, client key, kid;
    /// with --server-key, whether the kid names that key, and with --method and
    /// --url also whether the signature holds.
    Inspect(InspectArgs),
    /// Send a signed request (protocol v2; v1 with --v1) and print the server's
    /// verified, decrypted answer.
    Fetch(FetchArgs),
    /// Sign and encrypt a payload for a peer: prints the token and the encrypted data.
    Encode(EncodeArgs),
    /// Decrypt data from a peer and check its token: prints the plaintext.
    Decode(DecodeArgs),
}

/// Where our secret key comes from.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Your secret key, 64 hex characters [env: CRYPTO_SESSION_KEY].
    #[arg(long, value_name = "SECRET", conflicts_with = "key_file")]
    pub key: Option<String>,
    /// Read your secret key from this file (`-` for standard input).
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The token (an `Authorization` header value, v1 or v2, or a v2 `Crypto-Session`
    /// answer header value), or `-` to read it from standard input.
    pub token: String,
    /// The signed bytes to check the signature over. v1: the full URL of a GET, the
    /// plaintext body of a POST or of an answer. v2 (with --method and --url): the
    /// request body exactly as sent (sealed; none for a request without a body).
    #[arg(long, value_name = "TEXT", conflicts_with = "payload_file")]
    pub payload: Option<String>,
    /// Read the signed bytes from this file (`-` for standard input).
    #[arg(long, value_name = "PATH")]
    pub payload_file: Option<PathBuf>,
    /// v1: the public key the token must come from.
    #[arg(long, value_name = "PUBKEY")]
    pub peer: Option<String>,
    /// v2: the server key the request addresses (x-only, 64 hex characters, or the
    /// compressed form): checks the kid, and with --method and --url the signature.
    #[arg(long, value_name = "PUBKEY")]
    pub server_key: Option<String>,
    /// v2: the method of the request (with --url and --server-key).
    #[arg(long, value_name = "METHOD", requires = "url")]
    pub method: Option<String>,
    /// v2: the full URL of the request (with --method and --server-key).
    #[arg(long, value_name = "URL", requires = "method")]
    pub url: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The full URL, e.g. http://localhost:3001/hello?name=world. It is signed as
    /// sent (the target percent-encoded as browsers do, the fragment dropped; the
    /// server checks its own origin + the request target), so it must start with an
    /// origin the server is configured with.
    pub url: String,
    /// Speak protocol v1 (no freshness, GET and POST only) to a server that does not
    /// speak v2. Never chosen by itself: a v2 fetch does not fall back to v1.
    #[arg(long)]
    pub v1: bool,
    /// The HTTP method: any with v2 (GET, POST, PUT, DELETE, PATCH, ...), GET or POST
    /// with --v1. The default is GET, or POST when a body is given.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// Send this text as the body (POST unless -X says otherwise). `@FILE` reads a
    /// file, `@-` standard input.
    #[arg(short = 'd', long, value_name = "TEXT", group = "body")]
    pub data: Option<String>,
    /// Like --data, without the special meaning of `@`.
    #[arg(long, value_name = "TEXT", group = "body")]
    pub data_raw: Option<String>,
    /// Send this JSON as the body (POST unless -X says otherwise), in compact form.
    /// `@FILE` and `@-` as for --data.
    #[arg(long, value_name = "JSON", group = "body")]
    pub json: Option<String>,
    /// An extra header, `Name: value` (repeatable). The authorization header is the
    /// signature and cannot be set. With v2, `Content-Type` names the payload's media
    /// type, sealed with it (the default: application/json for --json, else none,
    /// i.e. application/octet-stream); the HTTP content type of a sealed body is
    /// application/vnd.crypto-session.v2.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// The server's public key [env: CRYPTO_SESSION_SERVER_KEY]: 66 hex characters
    /// (compressed), or with v2 also the 64 of the x-only key.
    #[arg(long, value_name = "PUBKEY")]
    pub server_key: Option<String>,
    #[command(flatten)]
    pub key: KeyArgs,
    /// Show the signed request and the raw answer on standard error.
    #[arg(short, long)]
    pub verbose: bool,
    /// Give up after this many seconds.
    #[arg(short = 'm', long, value_name = "SECONDS")]
    pub max_time: Option<f64>,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// The public key of the peer who will decode.
    #[arg(long, value_name = "PUBKEY")]
    pub peer: String,
    #[command(flatten)]
    pub key: KeyArgs,
    /// The payload; without it, standard input is read (bytes as they are, so mind
    /// the newline `echo` adds).
    #[arg(long, value_name = "TEXT")]
    pub data: Option<String>,
    /// Print {"token": ..., "data": ...} instead of two lines (token, then data).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The public key of the peer who encoded.
    #[arg(long, value_name = "PUBKEY")]
    pub peer: String,
    #[command(flatten)]
    pub key: KeyArgs,
    /// The peer's token. Without it, standard input holds what `encode` prints: the
    /// token and the data on two lines, or its JSON.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The encrypted data; without it, standard input is read.
    #[arg(long, value_name = "DATA")]
    pub data: Option<String>,
}
