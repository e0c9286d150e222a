//! The in-memory replay store (protocol v2, "Replay stores"), checked against the v2
//! vectors (`replay_keys`, and every `server` scenario replayed at the store level)
//! and under many threads.

use std::sync::{Arc, Barrier};
use std::thread;

use crypto_sessions::b64url_decode;
use crypto_sessions::v2::replay::{
    self, redis_key, ttl_ms, MemoryStore, Recorded, ReplayStore, DEFAULT_PREFIX, ENV_REPLAY,
};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/v2.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex_array<const N: usize>(v: &Value) -> [u8; N] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

/// The fields of a request token the store sees: (created, nonce, client key).
fn token_fields(authorization: &str) -> (u64, [u8; 16], [u8; 32]) {
    let value = authorization.trim_matches([' ', '\t']);
    let (_scheme, token) = value.split_once(' ').unwrap();
    let token = b64url_decode(token.trim_start_matches(' '), "token").unwrap();
    assert_eq!(token.len(), 130, "a v2 request token is 130 bytes");
    let created = u64::from_be_bytes(token[2..10].try_into().unwrap());
    (
        created,
        token[10..26].try_into().unwrap(),
        token[26..58].try_into().unwrap(),
    )
}

#[test]
fn replay_keys_vectors() {
    let v = vectors();
    let cases = v["replay_keys"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let client: [u8; 32] = hex_array(&case["client_xonly"]);
        let nonce: [u8; 16] = hex_array(&case["nonce_req"]);
        let key = redis_key(DEFAULT_PREFIX, &client, &nonce);
        assert_eq!(key, case["key"].as_str().unwrap());
        // The deadline of step 6, then the TTL on the server's clock.
        let deadline =
            u64_of(&case["created"]) + u64_of(&case["max_age"]) + u64_of(&case["max_skew"]) + 1;
        assert_eq!(
            ttl_ms(deadline, u64_of(&case["now"])),
            Some(u64_of(&case["ttl_ms"]))
        );
        let command: Vec<&str> = case["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let ttl = case["ttl_ms"].to_string();
        assert_eq!(
            command,
            ["SET", key.as_str(), "1", "NX", "PX", ttl.as_str()]
        );
    }
}

#[test]
fn redis_key_honours_the_prefix_and_is_lowercase_hex() {
    let key = redis_key("app7:", &[7; 32], &[9; 16]);
    let default = redis_key(DEFAULT_PREFIX, &[7; 32], &[9; 16]);
    assert_eq!(
        key.strip_prefix("app7:"),
        default.strip_prefix(DEFAULT_PREFIX)
    );
    let hash = key.strip_prefix("app7:").unwrap();
    assert_eq!(hash.len(), 32);
    assert!(hash
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    // Client key and nonce are not interchangeable halves of one string.
    assert_ne!(
        redis_key("", &[7; 32], &[9; 16]),
        redis_key("", &[9; 32], &[7; 16])
    );
}

#[test]
fn ttl_is_none_when_the_deadline_has_passed() {
    assert_eq!(ttl_ms(100, 100), None);
    assert_eq!(ttl_ms(99, 100), None);
    assert_eq!(ttl_ms(101, 100), Some(1000));
    assert_eq!(
        ttl_ms(u64::MAX, 0),
        None,
        "overflow is no TTL, not a wrapped one"
    );
}

/// What a v2 server decides at steps 5-6 for a request that passed 1-4, using only
/// the store (the same rules as the protocol text).
fn store_outcome(
    store: &MemoryStore,
    created: u64,
    nonce: &[u8; 16],
    client: &[u8; 32],
    now: u64,
    max_age: u64,
    max_skew: u64,
) -> &'static str {
    let in_window = now.saturating_sub(max_age) <= created && created <= now + max_skew;
    if !in_window {
        return if store.contains(client, nonce, now).unwrap() {
            "replayed"
        } else {
            "stale signed"
        };
    }
    if let Some(floor) = store.restart_floor() {
        if created < floor.saturating_add(max_skew) {
            return "stale unsigned";
        }
    }
    match store.record(client, nonce, created + max_age + max_skew + 1, now) {
        Ok(Recorded::Fresh) => "recorded",
        Ok(Recorded::Replayed) => "replayed",
        Err(_) => "busy",
    }
}

/// Every scenario of `server`, with a fresh store of the scenario's capacity and
/// creation time: each step that reaches the replay checks (expects `ok`,
/// `invalid_body` (recorded before the body is opened), `replayed`, `busy` or
/// `stale`) gets the outcome the vectors expect.
#[test]
fn server_scenarios_at_the_store_level() {
    let v = vectors();
    let mut checked = 0;
    for scenario in v["server"].as_array().unwrap() {
        let name = scenario["name"].as_str().unwrap();
        let store = MemoryStore::with_created(
            u64_of(&scenario["replay_capacity"]) as usize,
            scenario["replay_store_created"].as_f64().unwrap(),
        );
        let (max_age, max_skew) = (u64_of(&scenario["max_age"]), u64_of(&scenario["max_skew"]));
        for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
            let expected = match (
                step["expect"].as_str().unwrap(),
                step["stale_answer"].as_bool(),
            ) {
                ("ok" | "invalid_body", _) => "recorded",
                ("replayed", _) => "replayed",
                ("busy", _) => "busy",
                ("stale", Some(true)) => "stale signed",
                ("stale", Some(false)) => "stale unsigned",
                _ => continue, // refused before step 5: the store is not asked
            };
            let (created, nonce, client) = token_fields(step["authorization"].as_str().unwrap());
            let got = store_outcome(
                &store,
                created,
                &nonce,
                &client,
                u64_of(&step["now"]),
                max_age,
                max_skew,
            );
            assert_eq!(got, expected, "{name} step {i}");
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} steps reached the store");
}

/// `replay_capacity` (capacity 2): ok, ok, busy, then ok once the first entry's
/// deadline is reached (deadline <= now is expired), and so on.
#[test]
fn replay_capacity_scenario() {
    let v = vectors();
    let scenario = v["server"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "replay_capacity")
        .unwrap();
    assert_eq!(scenario["replay_capacity"], 2);
    let store = MemoryStore::with_created(2, scenario["replay_store_created"].as_f64().unwrap());
    let mut outcomes = Vec::new();
    for step in scenario["steps"].as_array().unwrap() {
        let (created, nonce, client) = token_fields(step["authorization"].as_str().unwrap());
        let deadline = created + 60 + 30 + 1;
        outcomes.push(
            match store.record(&client, &nonce, deadline, u64_of(&step["now"])) {
                Ok(Recorded::Fresh) => "ok",
                Ok(Recorded::Replayed) => "replayed",
                Err(_) => "busy",
            },
        );
        assert!(store.len() <= 2);
    }
    assert_eq!(outcomes, ["ok", "ok", "busy", "ok", "busy", "ok", "busy"]);
}

#[test]
fn records_once_then_replayed_until_the_deadline() {
    let store = MemoryStore::with_created(10, 0.0);
    let (c, n) = ([1; 32], [2; 16]);
    assert_eq!(store.record(&c, &n, 200, 100), Ok(Recorded::Fresh));
    assert_eq!(store.record(&c, &n, 200, 150), Ok(Recorded::Replayed));
    assert_eq!(store.record(&c, &n, 300, 199), Ok(Recorded::Replayed));
    assert_eq!(store.contains(&c, &n, 199), Ok(true));
    // Expired at its deadline.
    assert_eq!(store.contains(&c, &n, 200), Ok(false));
    assert_eq!(store.record(&c, &n, 300, 200), Ok(Recorded::Fresh));
    // Other pairs, sharing a key or a nonce, are distinct.
    assert_eq!(store.contains(&[1; 32], &[3; 16], 200), Ok(false));
    assert_eq!(store.contains(&[3; 32], &[2; 16], 200), Ok(false));
}

#[test]
fn a_deadline_not_after_now_records_nothing() {
    let store = MemoryStore::with_created(10, 0.0);
    for (deadline, now) in [(100, 100), (99, 100), (0, u64::MAX)] {
        let err = store.record(&[1; 32], &[2; 16], deadline, now).unwrap_err();
        assert!(err.reason().contains("deadline"), "{err}");
    }
    assert!(store.is_empty());
    assert_eq!(
        store.record(&[1; 32], &[2; 16], 101, 100),
        Ok(Recorded::Fresh)
    );
}

#[test]
fn full_of_unexpired_entries_is_busy_and_evicts_nothing() {
    let store = MemoryStore::with_created(3, 0.0);
    for i in 0..3u8 {
        assert_eq!(
            store.record(&[i; 32], &[i; 16], 1000 + u64::from(i), 10),
            Ok(Recorded::Fresh)
        );
    }
    let err = store.record(&[9; 32], &[9; 16], 5000, 11).unwrap_err();
    assert!(err.reason().contains("full"), "{err}");
    assert!(err.to_string().starts_with("replay store unavailable: "));
    // A duplicate is still `replayed` when the store is full.
    for i in 0..3u8 {
        assert_eq!(
            store.record(&[i; 32], &[i; 16], 5000, 999),
            Ok(Recorded::Replayed)
        );
    }
    assert_eq!(store.len(), 3);
    // The earliest deadline passes: exactly one place frees up.
    assert_eq!(
        store.record(&[9; 32], &[9; 16], 5000, 1000),
        Ok(Recorded::Fresh)
    );
    assert!(store.record(&[8; 32], &[8; 16], 5000, 1000).is_err());
    assert_eq!(store.contains(&[1; 32], &[1; 16], 1000), Ok(true));
    assert_eq!(store.contains(&[2; 32], &[2; 16], 1000), Ok(true));
}

#[test]
fn capacity_zero_is_always_busy() {
    let store = MemoryStore::with_created(0, 0.0);
    assert!(store.record(&[1; 32], &[1; 16], 10, 1).is_err());
    assert_eq!(store.contains(&[1; 32], &[1; 16], 1), Ok(false));
}

/// A steady stream below capacity / window runs forever in bounded memory: every
/// request is fresh and the store never holds more than its capacity.
#[test]
fn expired_entries_are_reclaimed() {
    let store = MemoryStore::with_created(100, 0.0);
    let window = 60 + 30 + 1;
    let mut nonce = [0u8; 16];
    for now in 1_000..11_000u64 {
        nonce[..8].copy_from_slice(&now.to_be_bytes());
        assert_eq!(
            store.record(&[5; 32], &nonce, now + window, now),
            Ok(Recorded::Fresh),
            "at {now}"
        );
        assert!(store.len() <= 91, "{} entries at {now}", store.len());
    }
}

#[test]
fn concurrent_duplicates_get_exactly_one_fresh() {
    const THREADS: usize = 16;
    const ROUNDS: u64 = 300;
    let store = Arc::new(MemoryStore::with_created(1 << 20, 0.0));
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            thread::spawn(move || {
                let mut fresh = Vec::new();
                for round in 0..ROUNDS {
                    let mut nonce = [0u8; 16];
                    nonce[..8].copy_from_slice(&round.to_be_bytes());
                    barrier.wait();
                    let got = store.record(&[3; 32], &nonce, 1_000, 10).unwrap();
                    fresh.push(got == Recorded::Fresh);
                }
                fresh
            })
        })
        .collect();
    let per_thread: Vec<Vec<bool>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for round in 0..ROUNDS as usize {
        let fresh = per_thread.iter().filter(|t| t[round]).count();
        assert_eq!(fresh, 1, "round {round}");
    }
    assert_eq!(store.len(), ROUNDS as usize);
}

#[test]
fn concurrent_distinct_pairs_fill_exactly_the_capacity() {
    const THREADS: u8 = 8;
    const PER_THREAD: u8 = 50;
    const CAPACITY: usize = 123;
    let store = Arc::new(MemoryStore::with_created(CAPACITY, 0.0));
    let barrier = Arc::new(Barrier::new(THREADS.into()));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                let (mut fresh, mut busy) = (0, 0);
                for i in 0..PER_THREAD {
                    match store.record(&[t; 32], &[i; 16], 1_000, 10) {
                        Ok(Recorded::Fresh) => fresh += 1,
                        Ok(Recorded::Replayed) => panic!("distinct pairs"),
                        Err(_) => busy += 1,
                    }
                }
                (fresh, busy)
            })
        })
        .collect();
    let (fresh, busy) = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold((0, 0), |(f, b), (f2, b2)| (f + f2, b + b2));
    assert_eq!(fresh, CAPACITY);
    assert_eq!(
        busy,
        usize::from(THREADS) * usize::from(PER_THREAD) - CAPACITY
    );
    assert_eq!(store.len(), CAPACITY);
}

#[test]
fn restart_floor_is_the_ceiling_of_the_creation_time() {
    assert_eq!(
        MemoryStore::with_created(1, 1_859_686_495.0).restart_floor(),
        Some(1_859_686_495)
    );
    assert_eq!(
        MemoryStore::with_created(1, 1_859_686_495.25).restart_floor(),
        Some(1_859_686_496)
    );
    assert_eq!(MemoryStore::with_created(1, -5.0).restart_floor(), Some(0));
    // Fail closed: an unknown creation time refuses every request.
    assert_eq!(
        MemoryStore::with_created(1, f64::NAN).restart_floor(),
        Some(u64::MAX)
    );
    assert_eq!(
        MemoryStore::with_created(1, f64::INFINITY).restart_floor(),
        Some(u64::MAX)
    );
    assert_eq!(
        MemoryStore::with_created(1, 5.5)
            .without_restart_guard()
            .restart_floor(),
        None
    );

    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let floor = MemoryStore::new(1).restart_floor().unwrap();
    let after = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        before <= floor && floor <= after + 1,
        "{before} <= {floor} <= {after} + 1"
    );
    assert!(MemoryStore::new(1)
        .without_restart_guard()
        .restart_floor()
        .is_none());
}

#[test]
fn debug_shows_counts_not_entries() {
    let store = MemoryStore::with_created(4, 0.0);
    store.record(&[0xab; 32], &[0xcd; 16], 100, 1).unwrap();
    let debug = format!("{store:?}");
    assert!(
        debug.contains("capacity: 4") && debug.contains("entries: 1"),
        "{debug}"
    );
    assert!(
        !debug.contains("171") && !debug.contains("ab") && !debug.contains("205"),
        "{debug}"
    );
}

#[test]
fn open_names_a_store() {
    assert_eq!(ENV_REPLAY, "CRYPTO_SESSION_REPLAY");
    let store = replay::open("memory", 7, None).unwrap();
    assert_eq!(store.record(&[1; 32], &[1; 16], 10, 1), Ok(Recorded::Fresh));
    assert!(
        store.restart_floor().is_some(),
        "the guard is on by default"
    );
    for bad in [
        "",
        "mem",
        "memory2",
        "http://127.0.0.1:6379",
        "réd",
        "ŕedis://x",
    ] {
        assert!(replay::open(bad, 7, None).is_err(), "{bad:?}");
    }
}

#[cfg(not(feature = "redis"))]
#[test]
fn open_redis_without_the_feature_says_so() {
    let err = replay::open("redis://127.0.0.1:1/", 7, None).unwrap_err();
    assert!(err.reason().contains("`redis` feature"), "{err}");
}
