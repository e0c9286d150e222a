//! Criterion benches of each protocol step (issue 7): sign, verify, ECDH, encode,
//! decode (cold and warm peer), server authentication of GET and POST (cold and
//! warm caches), and sealing an answer, at 32 B, 1 KiB and 64 KiB.
//!
//! `make bench-rust` runs them with the ratios bench; `cargo bench -p crypto-sessions
//! --bench protocol -- --quick` runs them alone.

mod fixture;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crypto_sessions::Session;

use fixture::{get_token, payload, post_request, Parties, GET_TARGET, POST_TARGET, SIZES};

fn keys(c: &mut Criterion) {
    let p = Parties::new();
    let client_public = p.client_secret.public_key();
    // ECDH is the cost of a session: a new peer pays it once, then it is cached.
    c.bench_function("ecdh/session_new", |b| {
        b.iter(|| Session::new(black_box(&client_public), black_box(&p.server_secret)))
    });
}

fn signatures(c: &mut Criterion) {
    let p = Parties::new();
    let mut group = c.benchmark_group("sign");
    for (name, len) in SIZES {
        let data = payload(len);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &data, |b, data| {
            b.iter(|| p.client.sign(black_box(data)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("verify");
    for (name, len) in SIZES {
        let data = payload(len);
        let token = p.client.token_for(&data);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &data, |b, data| {
            b.iter(|| p.server.verify(black_box(&token), black_box(data)).unwrap())
        });
    }
    group.finish();
}

fn messages(c: &mut Criterion) {
    let p = Parties::new();
    let client_public = p.client_secret.public_key();
    let server_public = p.server_secret.public_key();

    let mut group = c.benchmark_group("encode");
    for (name, len) in SIZES {
        let data = payload(len);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::new("warm", name), &data, |b, data| {
            b.iter(|| p.client.encode(black_box(data)))
        });
        group.bench_with_input(BenchmarkId::new("cold", name), &data, |b, data| {
            b.iter(|| Session::new(&server_public, &p.client_secret).encode(black_box(data)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("decode");
    for (name, len) in SIZES {
        let sent = p.client.encode(&payload(len));
        let token = sent.token.encode();
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(BenchmarkId::new("warm", name), |b| {
            b.iter(|| {
                p.server
                    .decode(black_box(&token), black_box(&sent.data))
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("cold", name), |b| {
            b.iter(|| {
                Session::new(&client_public, &p.server_secret)
                    .decode(black_box(&token), black_box(&sent.data))
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn server(c: &mut Criterion) {
    let p = Parties::new();
    let client = p.http_client();

    let mut group = c.benchmark_group("authenticate_get");
    let token = get_token(&client);
    for (name, server) in [
        ("cold", p.http_server(false)),
        ("session_cached", p.http_server_without_verified_cache()),
        ("warm", p.http_server(true)),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                server
                    .authenticate(
                        "GET",
                        black_box(GET_TARGET.as_bytes()),
                        Some(black_box(&token)),
                        b"",
                    )
                    .unwrap()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("authenticate_post");
    let (cold, warm) = (p.http_server(false), p.http_server(true));
    for (name, len) in SIZES {
        let (token, body) = post_request(&client, &payload(len));
        group.throughput(Throughput::Bytes(len as u64));
        for (state, server) in [("cold", &cold), ("warm", &warm)] {
            group.bench_function(BenchmarkId::new(state, name), |b| {
                b.iter(|| {
                    server
                        .authenticate(
                            "POST",
                            POST_TARGET.as_bytes(),
                            Some(&token),
                            black_box(&body),
                        )
                        .unwrap()
                })
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("seal");
    let server = p.http_server(true);
    for (name, len) in SIZES {
        let data = payload(len);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &data, |b, data| {
            b.iter(|| server.seal(&p.server, 200, black_box(data)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, keys, signatures, messages, server);
criterion_main!(benches);
