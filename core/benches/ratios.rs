//! Cold against warm, measured in one run and printed as ratios (issue 7): machines
//! are noisy and absolute times move from run to run, ratios from one run hold.
//!
//! Each pair is timed in alternating batches (cold, warm, cold, warm, ...), so a
//! slow spell of the machine hits both sides; the median batch gives the time.
//! `cargo bench -p crypto-sessions --bench ratios` (no criterion: plain timing).

mod fixture;

use std::hint::black_box;
use std::time::{Duration, Instant};

use crypto_sessions::Session;

use fixture::{get_token, payload, post_request, Parties, GET_TARGET, POST_TARGET, SIZES};

/// Batches per side; the median of these is reported.
const ROUNDS: usize = 25;
/// How long one batch should take.
const BATCH: Duration = Duration::from_millis(25);

/// Operations per batch so that one batch of `op` lasts about [`BATCH`].
fn calibrate(op: &mut dyn FnMut()) -> u32 {
    let mut n = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            op();
        }
        let took = start.elapsed();
        if took >= BATCH / 4 || n >= 1 << 24 {
            let per_op = took.as_secs_f64() / f64::from(n);
            return ((BATCH.as_secs_f64() / per_op) as u32).max(1);
        }
        n *= 4;
    }
}

fn batch(op: &mut dyn FnMut(), n: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        op();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median µs per operation of `slow` and `fast`, timed in alternating batches.
fn pair(slow: &mut dyn FnMut(), fast: &mut dyn FnMut()) -> (f64, f64) {
    let (n_slow, n_fast) = (calibrate(slow), calibrate(fast));
    let (mut a, mut b) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for _ in 0..ROUNDS {
        a.push(batch(slow, n_slow));
        b.push(batch(fast, n_fast));
    }
    (median(a), median(b))
}

fn row(what: &str, slow_name: &str, fast_name: &str, (slow, fast): (f64, f64)) {
    println!(
        "{what:<28} {slow_name:>16} {slow:>10.2} µs   {fast_name:>16} {fast:>10.2} µs   {:>7.2}x",
        slow / fast
    );
}

fn main() {
    let p = Parties::new();
    let client = p.http_client();
    let client_public = p.client_secret.public_key();
    println!("median µs per operation; the last column is how many times faster the second is\n");

    let token = get_token(&client);
    let (cold, fresh, warm) = (
        p.http_server(false),
        p.http_server_without_verified_cache(),
        p.http_server(true),
    );
    let get = |server: &crypto_sessions::Server| {
        black_box(
            server
                .authenticate("GET", GET_TARGET.as_bytes(), Some(&token), b"")
                .unwrap(),
        );
    };
    row(
        "authenticate GET",
        "cold (no cache)",
        "warm (caches)",
        pair(&mut || get(&cold), &mut || get(&warm)),
    );
    row(
        "authenticate GET",
        "new peer",
        "known peer",
        pair(&mut || get(&cold), &mut || get(&fresh)),
    );
    row(
        "authenticate GET, known peer",
        "fresh verify",
        "cached verify",
        pair(&mut || get(&fresh), &mut || get(&warm)),
    );

    for (name, len) in SIZES {
        let (token, body) = post_request(&client, &payload(len));
        let post = |server: &crypto_sessions::Server| {
            black_box(
                server
                    .authenticate("POST", POST_TARGET.as_bytes(), Some(&token), &body)
                    .unwrap(),
            );
        };
        row(
            &format!("authenticate POST {name}"),
            "cold (no cache)",
            "warm (caches)",
            pair(&mut || post(&cold), &mut || post(&warm)),
        );
    }

    for (name, len) in SIZES {
        let sent = p.client.encode(&payload(len));
        let token = sent.token.encode();
        row(
            &format!("decode {name}"),
            "new Session",
            "cached Session",
            pair(
                &mut || {
                    black_box(
                        Session::new(&client_public, &p.server_secret)
                            .decode(&token, &sent.data)
                            .unwrap(),
                    );
                },
                &mut || {
                    black_box(p.server.decode(&token, &sent.data).unwrap());
                },
            ),
        );
    }
}
