//! The shared replay store on a real redis-server (`make test-redis` starts one and
//! sets `CRYPTO_SESSION_TEST_REDIS_URL`; without it these tests fail, they never
//! skip). Tests that stop, hang, reconfigure or fill a server start private instances
//! of their own. The checks talk to Redis over a plain socket, not through the store.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crypto_sessions::v2::replay::{
    self, redis_key, Recorded, RedisStore, ReplayStore, DEFAULT_PREFIX, DEFAULT_TIMEOUT,
};
use serde_json::Value;

const URL_VAR: &str = "CRYPTO_SESSION_TEST_REDIS_URL";
const SERVER_VAR: &str = "CRYPTO_SESSION_TEST_REDIS_SERVER";

fn url() -> String {
    std::env::var(URL_VAR).unwrap_or_else(|_| {
        panic!("{URL_VAR} is not set: run `make test-redis` (tests/redis/with-redis.sh)")
    })
}

/// `host:port` of a `redis://host:port/` URL.
fn addr_of(url: &str) -> String {
    url.trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A prefix of its own for each test: the tests share one server and run at once.
fn prefix(test: &str) -> String {
    format!("test:{}:{test}:", std::process::id())
}

// ---- a minimal RESP client, independent of the store under test ----

#[derive(Debug, PartialEq)]
enum Resp {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Resp>),
}

struct Raw {
    reader: BufReader<TcpStream>,
}

impl Raw {
    fn connect(addr: &str) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, args: &[&[u8]]) {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
        self.reader.get_mut().write_all(&out).unwrap();
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line.trim_end_matches("\r\n").to_owned()
    }

    fn reply(&mut self) -> Resp {
        let line = self.line();
        let (kind, rest) = line.split_at(1);
        match kind {
            "+" => Resp::Simple(rest.to_owned()),
            "-" => Resp::Error(rest.to_owned()),
            ":" => Resp::Int(rest.parse().unwrap()),
            "$" => {
                let len: i64 = rest.parse().unwrap();
                if len < 0 {
                    return Resp::Bulk(None);
                }
                let mut data = vec![0u8; len as usize + 2];
                self.reader.read_exact(&mut data).unwrap();
                data.truncate(len as usize);
                Resp::Bulk(Some(data))
            }
            "*" => Resp::Array(
                (0..rest.parse::<usize>().unwrap())
                    .map(|_| self.reply())
                    .collect(),
            ),
            _ => panic!("unexpected RESP line {line:?}"),
        }
    }

    fn cmd(&mut self, args: &[&str]) -> Resp {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.send(&args);
        self.reply()
    }

    fn int(&mut self, args: &[&str]) -> i64 {
        match self.cmd(args) {
            Resp::Int(n) => n,
            other => panic!("{args:?}: {other:?}"),
        }
    }
}

// ---- private redis-server instances ----

struct PrivateRedis {
    child: Child,
    port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PrivateRedis {
    fn start(extra: &[&str]) -> PrivateRedis {
        Self::start_on(free_port(), extra)
    }

    fn start_on(port: u16, extra: &[&str]) -> PrivateRedis {
        let bin = std::env::var(SERVER_VAR).unwrap_or_else(|_| "redis-server".to_owned());
        let child = Command::new(bin)
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "no",
            ])
            .args(["--port", &port.to_string()])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be on PATH or in CRYPTO_SESSION_TEST_REDIS_SERVER");
        let server = PrivateRedis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(server.addr()).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {port}"
            );
            thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn url(&self) -> String {
        format!("redis://{}/", self.addr())
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.signal_quietly("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PrivateRedis {
    fn signal_quietly(&self, signal: &str) -> std::io::Result<()> {
        Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status()
            .map(|_| ())
    }
}

// ---- the tests ----

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/v2.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The quoted arguments of a MONITOR line: `+ts [db addr] "SET" "key" ...`.
fn monitor_args(line: &str) -> Vec<String> {
    let (_, args) = line.split_once("] ").unwrap();
    args.split(' ')
        .map(|a| a.trim_matches('"').to_owned())
        .collect()
}

/// `replay_keys`: at the vector's `now`, the store sends exactly the vector's command
/// (seen by MONITOR), and the key then lives for `ttl_ms` (PTTL).
#[test]
fn replay_keys_vectors_on_a_real_server() {
    let url = url();
    let addr = addr_of(&url);
    let store = RedisStore::connect(&url, None).unwrap();
    assert_eq!(store.prefix(), DEFAULT_PREFIX);
    assert!(store.eviction_policy_checked());
    let mut raw = Raw::connect(&addr);
    let mut monitor = Raw::connect(&addr);
    assert_eq!(monitor.cmd(&["MONITOR"]), Resp::Simple("OK".into()));
    let v = vectors();
    for case in v["replay_keys"].as_array().unwrap() {
        let client: [u8; 32] = hex::decode(case["client_xonly"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let nonce: [u8; 16] = hex::decode(case["nonce_req"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let n = |f: &str| case[f].as_u64().unwrap();
        let key = case["key"].as_str().unwrap();
        let ttl_ms = n("ttl_ms") as i64;
        raw.int(&["DEL", key]);
        let deadline = n("created") + n("max_age") + n("max_skew") + 1;
        assert_eq!(
            store.record(&client, &nonce, deadline, n("now")),
            Ok(Recorded::Fresh)
        );

        let expected: Vec<String> = case["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        let sent = loop {
            let line = monitor.line();
            let args = monitor_args(&line);
            if args.len() > 1 && args[0].eq_ignore_ascii_case("SET") && args[1] == key {
                break args;
            }
        };
        assert_eq!(sent, expected);

        let pttl = raw.int(&["PTTL", key]);
        assert!(
            ttl_ms - 5_000 < pttl && pttl <= ttl_ms,
            "PTTL {pttl}, ttl_ms {ttl_ms}"
        );
        assert_eq!(
            store.record(&client, &nonce, deadline, n("now")),
            Ok(Recorded::Replayed)
        );
        assert_eq!(store.contains(&client, &nonce, n("now")), Ok(true));
        raw.int(&["DEL", key]);
        assert_eq!(store.contains(&client, &nonce, n("now")), Ok(false));
    }
}

/// Separate store instances, as separate server processes would have, send the same
/// pair at once: exactly one is fresh.
#[test]
fn concurrent_duplicates_across_instances_get_exactly_one_fresh() {
    const THREADS: usize = 12;
    const ROUNDS: u64 = 40;
    let (url, prefix) = (url(), prefix("concurrent"));
    let barrier = Arc::new(Barrier::new(THREADS));
    let now = unix_now();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (url, prefix, barrier) = (url.clone(), prefix.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                let store = RedisStore::connect(&url, Some(&prefix)).unwrap();
                (0..ROUNDS)
                    .map(|round| {
                        let mut nonce = [0u8; 16];
                        nonce[..8].copy_from_slice(&round.to_be_bytes());
                        barrier.wait();
                        store.record(&[4; 32], &nonce, now + 60, now).unwrap() == Recorded::Fresh
                    })
                    .collect::<Vec<bool>>()
            })
        })
        .collect();
    let per_thread: Vec<Vec<bool>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for round in 0..ROUNDS as usize {
        assert_eq!(
            per_thread.iter().filter(|t| t[round]).count(),
            1,
            "round {round}"
        );
    }
}

/// One store shared by many threads (its connection pool) also records each pair once.
#[test]
fn one_instance_many_threads() {
    const THREADS: usize = 8;
    let store = Arc::new(RedisStore::connect(&url(), Some(&prefix("pool"))).unwrap());
    let barrier = Arc::new(Barrier::new(THREADS));
    let now = unix_now();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                (0..50u8)
                    .filter(|&i| {
                        store.record(&[5; 32], &[i; 16], now + 60, now).unwrap() == Recorded::Fresh
                    })
                    .count()
            })
        })
        .collect();
    let fresh: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(fresh, 50);
    assert!(format!("{store:?}").contains("idle_connections"));
}

/// The key lives until the deadline given on the server's clock, and not after it.
#[test]
fn keys_expire_at_the_deadline() {
    let url = url();
    let prefix = prefix("expiry");
    let store = RedisStore::connect(&url, Some(&prefix)).unwrap();
    let mut raw = Raw::connect(&addr_of(&url));
    let (client, nonce) = ([6; 32], [7; 16]);
    let key = redis_key(&prefix, &client, &nonce);
    let now = unix_now();
    assert_eq!(
        store.record(&client, &nonce, now + 1, now),
        Ok(Recorded::Fresh)
    );
    let pttl = raw.int(&["PTTL", &key]);
    assert!(0 < pttl && pttl <= 1000, "PTTL {pttl}");
    thread::sleep(Duration::from_millis(1300));
    assert_eq!(raw.int(&["EXISTS", &key]), 0);
    assert_eq!(store.contains(&client, &nonce, now + 1), Ok(false));
    let now = unix_now();
    assert_eq!(
        store.record(&client, &nonce, now + 5, now),
        Ok(Recorded::Fresh)
    );
}

#[test]
fn a_deadline_not_after_now_records_nothing() {
    let url = url();
    let prefix = prefix("deadline");
    let store = RedisStore::connect(&url, Some(&prefix)).unwrap();
    let err = store.record(&[1; 32], &[1; 16], 100, 100).unwrap_err();
    assert!(err.reason().contains("deadline"), "{err}");
    assert!(store.record(&[1; 32], &[1; 16], 99, 100).is_err());
    let mut raw = Raw::connect(&addr_of(&url));
    assert_eq!(
        raw.int(&["EXISTS", &redis_key(&prefix, &[1; 32], &[1; 16])]),
        0
    );
}

#[test]
fn the_prefix_is_honoured() {
    let url = url();
    let (a, b) = (prefix("app-a"), prefix("app-b"));
    let store_a = RedisStore::connect(&url, Some(&a)).unwrap();
    let store_b = replay::open(&url, 0, Some(&b)).unwrap();
    let mut raw = Raw::connect(&addr_of(&url));
    let now = unix_now();
    assert_eq!(
        store_a.record(&[8; 32], &[8; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
    assert_eq!(raw.int(&["EXISTS", &redis_key(&a, &[8; 32], &[8; 16])]), 1);
    assert_eq!(raw.int(&["EXISTS", &redis_key(&b, &[8; 32], &[8; 16])]), 0);
    // Another application on the same Redis has its own entries.
    assert_eq!(store_b.contains(&[8; 32], &[8; 16], now), Ok(false));
    assert_eq!(
        store_b.record(&[8; 32], &[8; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
    assert_eq!(
        store_b.restart_floor(),
        None,
        "a shared store has no restart rule"
    );
}

/// Redis stops mid-run: every call is `busy`, never fresh, and so is connecting.
#[test]
fn a_killed_server_is_busy_never_fresh() {
    let mut server = PrivateRedis::start(&[]);
    let store = RedisStore::connect(&server.url(), None).unwrap();
    let now = unix_now();
    assert_eq!(
        store.record(&[1; 32], &[1; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
    server.kill();
    for i in 2..8u8 {
        let err = store.record(&[1; 32], &[i; 16], now + 30, now).unwrap_err();
        assert!(err.reason().contains("Redis"), "{err}");
    }
    assert!(store.contains(&[1; 32], &[1; 16], now).is_err());
    let err = RedisStore::connect(&server.url(), None).unwrap_err();
    assert!(err.reason().contains("connect"), "{err}");
    assert!(replay::open(&server.url(), 0, None).is_err());
}

/// After Redis comes back, the store reconnects by itself: the first call after a
/// restart is answered (its pooled connection was dead, it retried on a new one).
#[test]
fn reconnects_after_a_restart() {
    let mut server = PrivateRedis::start(&[]);
    let port = server.port;
    let store = RedisStore::connect(&server.url(), None).unwrap();
    let now = unix_now();
    assert_eq!(
        store.record(&[2; 32], &[1; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
    server.kill();
    let _server = PrivateRedis::start_on(port, &[]);
    assert_eq!(
        store.record(&[2; 32], &[2; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
    assert_eq!(
        store.record(&[2; 32], &[2; 16], now + 30, now),
        Ok(Recorded::Replayed)
    );
    // Without persistence the restart forgot the first pair: the documented risk.
    assert_eq!(store.contains(&[2; 32], &[1; 16], now), Ok(false));
}

/// A server that stops answering (SIGSTOP) is a timeout, so `busy`, never fresh.
#[test]
fn a_hung_server_times_out_as_busy() {
    let server = PrivateRedis::start(&[]);
    let store =
        RedisStore::connect_with_timeout(&server.url(), None, Duration::from_millis(300)).unwrap();
    let now = unix_now();
    assert_eq!(
        store.record(&[3; 32], &[1; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
    server.signal("-STOP");
    for i in 2..4u8 {
        let err = store.record(&[3; 32], &[i; 16], now + 30, now).unwrap_err();
        assert!(err.reason().contains("timed out"), "{err}");
    }
    assert!(store.contains(&[3; 32], &[1; 16], now).is_err());
    server.signal("-CONT");
    assert_eq!(
        store.record(&[3; 32], &[9; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
}

/// An error reply (here: out of memory under `noeviction`) is `busy`, never fresh.
#[test]
fn an_error_reply_is_busy() {
    let server = PrivateRedis::start(&[]);
    let store = RedisStore::connect(&server.url(), None).unwrap();
    let mut raw = Raw::connect(&server.addr());
    // Less memory than Redis already uses: every write is refused with OOM.
    assert_eq!(
        raw.cmd(&["CONFIG", "SET", "maxmemory", "1"]),
        Resp::Simple("OK".into())
    );
    assert!(matches!(raw.cmd(&["SET", "probe", "1"]), Resp::Error(e) if e.starts_with("OOM")));
    let now = unix_now();
    for _ in 0..3 {
        let err = store.record(&[4; 32], &[4; 16], now + 30, now).unwrap_err();
        assert!(err.reason().contains("OOM"), "{err}");
    }
    // A store cannot start on it either.
    assert!(RedisStore::connect(&server.url(), None).is_err());
    // The pair was not recorded, and the store works again once there is room.
    assert_eq!(
        raw.cmd(&["CONFIG", "SET", "maxmemory", "0"]),
        Resp::Simple("OK".into())
    );
    assert_eq!(store.contains(&[4; 32], &[4; 16], now), Ok(false));
    assert_eq!(
        store.record(&[4; 32], &[4; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
}

/// A Redis that may evict keys would reopen replays: the store refuses to start.
#[test]
fn an_evicting_policy_is_refused() {
    let server = PrivateRedis::start(&[]);
    let mut raw = Raw::connect(&server.addr());
    for policy in ["allkeys-lru", "volatile-ttl", "allkeys-random"] {
        assert_eq!(
            raw.cmd(&["CONFIG", "SET", "maxmemory-policy", policy]),
            Resp::Simple("OK".into())
        );
        let err = RedisStore::connect(&server.url(), None).unwrap_err();
        assert!(
            err.reason().contains(policy) && err.reason().contains("noeviction"),
            "{err}"
        );
        assert!(replay::open(&server.url(), 0, None).is_err());
    }
    assert_eq!(
        raw.cmd(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]),
        Resp::Simple("OK".into())
    );
    assert!(RedisStore::connect(&server.url(), None)
        .unwrap()
        .eviction_policy_checked());
}

/// Where the server does not let the client read its configuration, the store starts
/// and says it could not check.
#[test]
fn an_unreadable_policy_starts_unchecked() {
    let renamed = PrivateRedis::start(&["--rename-command", "CONFIG", ""]);
    let store = RedisStore::connect(&renamed.url(), None).unwrap();
    assert!(!store.eviction_policy_checked());
    assert!(format!("{store:?}").contains("eviction_policy_checked: false"));
    let now = unix_now();
    assert_eq!(
        store.record(&[5; 32], &[5; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );

    // An ACL user without CONFIG: the same.
    let server = PrivateRedis::start(&[]);
    let mut raw = Raw::connect(&server.addr());
    let acl = [
        "ACL",
        "SETUSER",
        "app",
        "on",
        ">app-pass-1",
        "~*",
        "+@all",
        "-config",
    ];
    assert_eq!(raw.cmd(&acl), Resp::Simple("OK".into()));
    let url = format!("redis://app:app-pass-1@{}/", server.addr());
    let store = RedisStore::connect(&url, None).unwrap();
    assert!(!store.eviction_policy_checked());
    assert_eq!(
        store.record(&[5; 32], &[5; 16], now + 30, now),
        Ok(Recorded::Fresh)
    );
}

/// A store that could only answer `busy` does not start: a read-only replica.
#[test]
fn a_read_only_replica_is_refused() {
    let replica = PrivateRedis::start(&["--replicaof", "127.0.0.1", "1"]);
    let err = RedisStore::connect(&replica.url(), None).unwrap_err();
    assert!(err.reason().contains("READONLY"), "{err}");
}

/// A password in the URL never shows, in errors or in Debug.
#[test]
fn credentials_never_show() {
    const SECRET: &str = "s3cret-Pa55word";
    let server = PrivateRedis::start(&["--requirepass", SECRET]);
    let good = format!("redis://:{SECRET}@{}/", server.addr());
    let store = RedisStore::connect(&good, None).unwrap();
    let debug = format!("{store:?}");
    assert!(
        !debug.contains(SECRET) && debug.contains(&server.addr()),
        "{debug}"
    );

    let wrong = format!("redis://:{SECRET}x@{}/", server.addr());
    let err = RedisStore::connect(&wrong, None).unwrap_err();
    assert!(!format!("{err} {err:?}").contains(SECRET), "{err:?}");
    // Without the password the store cannot work: it must not start.
    let no_password = RedisStore::connect(&server.url(), None).unwrap_err();
    assert!(no_password.reason().contains("NOAUTH"), "{no_password}");

    for bad in [
        format!("redis://:{SECRET}@[::1"),
        format!("redis://:{SECRET}@host:99999/"),
        "not a url".into(),
    ] {
        let err = RedisStore::connect(&bad, None).unwrap_err();
        assert!(!format!("{err} {err:?}").contains(SECRET), "{err:?}");
    }
    assert!(RedisStore::connect_with_timeout(&good, None, Duration::ZERO).is_err());
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(1));
}
