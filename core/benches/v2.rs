//! Protocol v2's server check against v1's and against one bare BIP-340 verification:
//! criterion times first (`cargo bench -p crypto-sessions --bench v2`), then the
//! ratios timed in one run in alternating batches (machines are noisy; ratios from
//! one run hold).
//!
//! Every v2 request is new (a repeated one is `replayed` in microseconds): requests
//! are prepared outside the timed part. The v1 server keeps its session cache but
//! checks every signature (its verified-GET cache off), as v2 always does; v2 keeps
//! conversation keys per client in the same way. The replay store is in memory.

mod fixture;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use crypto_sessions::v2::client::{Client, PreparedRequest};
use crypto_sessions::v2::clock::ManualClock;
use crypto_sessions::v2::keys::{KeyPair, XOnlyKey};
use crypto_sessions::v2::replay::MemoryStore;
use crypto_sessions::v2::server::Server;
use fixture::{payload, post_request, Parties, GET_TARGET, HOST, POST_TARGET, SIZES};

const NOW: u64 = 1_900_000_000;
/// Enough entries for every request a full criterion run sends.
const REPLAY_CAPACITY: usize = 1 << 23;

fn v2_pair(p: &Parties) -> (Server, Client) {
    let clock = Arc::new(ManualClock::new(NOW));
    let server = Server::builder()
        .secret_key(&p.server_secret)
        .origin(HOST)
        .replay_store(Arc::new(
            MemoryStore::with_created(REPLAY_CAPACITY, 0.0).without_restart_guard(),
        ))
        .clock(clock.clone())
        .build()
        .unwrap();
    let client = Client::new(
        &p.client_secret,
        &XOnlyKey::from_public_key(&p.server_secret.public_key()),
    )
    .with_clock(clock);
    (server, client)
}

fn v2_authenticate(server: &Server, method: &str, req: &PreparedRequest) {
    let target = req.url().strip_prefix(HOST).unwrap();
    let auth = req.headers().authorization();
    black_box(
        server
            .authenticate(method, target.as_bytes(), &[auth], None, req.body())
            .unwrap(),
    );
}

/// A bare BIP-340 verification: key parsed once, one 32-byte message.
fn schnorr_fixture(p: &Parties) -> (XOnlyKey, [u8; 32], [u8; 64]) {
    let keys = KeyPair::new(&p.client_secret);
    let msg = [7u8; 32];
    let sig = keys.sign(&msg, &[9u8; 32]);
    (keys.public_key().clone(), msg, sig)
}

fn criterion_benches(c: &mut Criterion, p: &Parties) {
    let (server, client) = v2_pair(p);
    let v1_server = p.http_server_without_verified_cache();
    let v1_client = p.http_client();
    let get_url = format!("{HOST}{GET_TARGET}");
    let post_url = format!("{HOST}{POST_TARGET}");

    let (key, msg, sig) = schnorr_fixture(p);
    c.bench_function("schnorr verify (bare)", |b| {
        b.iter(|| assert!(key.verify(black_box(&msg), black_box(&sig))))
    });
    c.bench_function("v2 authenticate GET", |b| {
        b.iter_batched(
            || client.prepare("GET", &get_url, "", b"").unwrap(),
            |req| v2_authenticate(&server, "GET", &req),
            BatchSize::SmallInput,
        )
    });
    let token = fixture::get_token(&v1_client);
    c.bench_function("v1 authenticate GET (fresh verify)", |b| {
        b.iter(|| {
            black_box(
                v1_server
                    .authenticate("GET", GET_TARGET.as_bytes(), Some(&token), b"")
                    .unwrap(),
            )
        })
    });
    for (name, len) in SIZES {
        let body = payload(len);
        c.bench_function(&format!("v2 authenticate POST {name}"), |b| {
            b.iter_batched(
                || {
                    client
                        .prepare("POST", &post_url, "application/json", &body)
                        .unwrap()
                },
                |req| v2_authenticate(&server, "POST", &req),
                BatchSize::SmallInput,
            )
        });
        let (token, v1_body) = post_request(&v1_client, &body);
        c.bench_function(&format!("v1 authenticate POST {name}"), |b| {
            b.iter(|| {
                black_box(
                    v1_server
                        .authenticate("POST", POST_TARGET.as_bytes(), Some(&token), &v1_body)
                        .unwrap(),
                )
            })
        });
    }
}

/// Batches per side; the median is reported.
const ROUNDS: usize = 21;
/// Operations per batch.
const BATCH_OPS: usize = 64;

/// Median µs per operation of `v2` (over requests made by `make`, untimed) and of
/// `other`, in alternating batches.
fn pair(
    make: &dyn Fn() -> PreparedRequest,
    v2: &dyn Fn(&PreparedRequest),
    other: &dyn Fn(),
) -> (f64, f64) {
    let per_op = |d: Duration| d.as_secs_f64() * 1e6 / BATCH_OPS as f64;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let requests: Vec<PreparedRequest> = (0..BATCH_OPS).map(|_| make()).collect();
        let start = Instant::now();
        for r in &requests {
            v2(r);
        }
        a.push(per_op(start.elapsed()));
        let start = Instant::now();
        for _ in 0..BATCH_OPS {
            other();
        }
        b.push(per_op(start.elapsed()));
    }
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    (median(a), median(b))
}

fn row(what: &str, other: &str, (v2, base): (f64, f64)) {
    println!(
        "{what:<24} v2 {v2:>9.2} µs   {other:<26} {base:>9.2} µs   v2 ÷ it {:>6.2}x",
        v2 / base
    );
}

fn ratios(p: &Parties) {
    let (server, client) = v2_pair(p);
    let v1_server = p.http_server_without_verified_cache();
    let v1_client = p.http_client();
    let (key, msg, sig) = schnorr_fixture(p);
    let verify = || assert!(key.verify(black_box(&msg), black_box(&sig)));
    let get_url = format!("{HOST}{GET_TARGET}");
    let post_url = format!("{HOST}{POST_TARGET}");
    println!("\nmedian µs per operation, timed in one run; the last column is v2's cost over the other\n");

    let make_get = || client.prepare("GET", &get_url, "", b"").unwrap();
    let get = |r: &PreparedRequest| v2_authenticate(&server, "GET", r);
    let token = fixture::get_token(&v1_client);
    let v1_get = || {
        black_box(
            v1_server
                .authenticate("GET", GET_TARGET.as_bytes(), Some(&token), b"")
                .unwrap(),
        );
    };
    row(
        "authenticate GET",
        "v1 GET (fresh verify)",
        pair(&make_get, &get, &v1_get),
    );
    row(
        "authenticate GET",
        "bare Schnorr verify",
        pair(&make_get, &get, &verify),
    );
    for (name, len) in SIZES {
        let body = payload(len);
        let make = || {
            client
                .prepare("POST", &post_url, "application/json", &body)
                .unwrap()
        };
        let post = |r: &PreparedRequest| v2_authenticate(&server, "POST", r);
        let (token, v1_body) = post_request(&v1_client, &body);
        let v1_post = || {
            black_box(
                v1_server
                    .authenticate("POST", POST_TARGET.as_bytes(), Some(&token), &v1_body)
                    .unwrap(),
            );
        };
        row(
            &format!("authenticate POST {name}"),
            "v1 POST (warm session)",
            pair(&make, &post, &v1_post),
        );
        row(
            &format!("authenticate POST {name}"),
            "bare Schnorr verify",
            pair(&make, &post, &verify),
        );
    }
}

fn main() {
    let p = Parties::new();
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &p);
    c.final_summary();
    ratios(&p);
}
