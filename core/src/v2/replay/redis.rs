//! The shared replay store: Redis (or a compatible server), one `SET key 1 NX PX ttl`
//! per request.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use redis::{Client, Cmd, Connection, RedisError, Value};

use super::{
    deadline_passed, redis_key, ttl_ms, Recorded, ReplayStore, StoreError, DEFAULT_PREFIX,
};

/// The connect, read and write timeout of every Redis operation unless
/// [`RedisStore::connect_with_timeout`] says otherwise. Short: a request waits at
/// most this long before it is answered `busy`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Idle connections kept for reuse; more are opened while more requests run at once.
const MAX_IDLE: usize = 16;

/// The replay store shared by several server processes or machines, on Redis.
///
/// - `record` is one `SET key 1 NX PX ttl_ms`, with the key of [`redis_key`] and
///   `ttl_ms = (deadline - now) * 1000` on the server's clock, so Redis's clock never
///   decides; `contains` is one `EXISTS key`.
/// - Fails closed: an error reply, a timeout ([`DEFAULT_TIMEOUT`]), a dropped
///   connection or an unreachable server is a [`StoreError`] (`busy`), never
///   [`Recorded::Fresh`]. A connection that failed is dropped; the next call opens a
///   new one. A call that finds its pooled connection dead (Redis restarted) tries
///   once more on a new connection: if the first `SET` did land, the retry reads
///   `replayed`, which refuses the request, never lets it through twice.
/// - Refuses to start when a write fails (wrong or missing password, an ACL without
///   `SET`, a read-only replica, out of memory): such a store could only answer `busy`.
/// - Refuses to start unless Redis's `maxmemory-policy` is `noeviction`: an evicted
///   entry would reopen its replay. Where the server does not let the client read its
///   configuration (`CONFIG` renamed or denied by an ACL; a compatible server without
///   that setting), the store starts unchecked and
///   [`eviction_policy_checked`](RedisStore::eviction_policy_checked) says so: the
///   operator must then make sure of it.
/// - A Redis restart without persistence, or a failover that loses writes, forgets
///   recorded requests: run Redis with persistence, or accept that risk knowingly.
/// - Threads: a small pool of connections, so concurrent requests do not wait on one
///   socket.
pub struct RedisStore {
    client: Client,
    prefix: String,
    timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    policy_checked: bool,
}

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://[user:password@]host[:port][/db]`,
    /// `unix:///path`), with key `prefix` ([`DEFAULT_PREFIX`] if `None`) and
    /// [`DEFAULT_TIMEOUT`], and checks its eviction policy.
    pub fn connect(url: &str, prefix: Option<&str>) -> Result<RedisStore, StoreError> {
        Self::connect_with_timeout(url, prefix, DEFAULT_TIMEOUT)
    }

    /// [`connect`](RedisStore::connect) with another timeout (non-zero) for
    /// connecting, reading and writing.
    pub fn connect_with_timeout(
        url: &str,
        prefix: Option<&str>,
        timeout: Duration,
    ) -> Result<RedisStore, StoreError> {
        if timeout.is_zero() {
            return Err(StoreError::new("the Redis timeout must not be zero"));
        }
        // The URL may hold a password: the error names the kind of problem only.
        let client = Client::open(url)
            .map_err(|e| StoreError::new(format!("invalid Redis URL ({})", e.category())))?;
        let mut store = RedisStore {
            client,
            prefix: prefix.unwrap_or(DEFAULT_PREFIX).to_owned(),
            timeout,
            idle: Mutex::new(Vec::new()),
            policy_checked: false,
        };
        store.policy_checked = store.check_eviction_policy()?;
        store.check_write()?;
        Ok(store)
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether the store could read Redis's `maxmemory-policy` at start (and found
    /// `noeviction`). `false`: the server did not let it read the setting.
    pub fn eviction_policy_checked(&self) -> bool {
        self.policy_checked
    }

    /// `Ok(true)`: the policy is `noeviction`; `Ok(false)`: the server refused to say.
    fn check_eviction_policy(&self) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("CONFIG");
        cmd.arg("GET").arg("maxmemory-policy");
        let reply = match self.query(&cmd) {
            Ok(reply) => reply,
            // An error reply (`ERR unknown command`, `NOPERM`): the server does not
            // let us read it. Anything else (unreachable, timeout) is an error.
            Err(Failure::Reply(_)) => return Ok(false),
            Err(Failure::Store(e)) => return Err(e),
        };
        match policy_of(reply) {
            None => Ok(false),
            Some(policy) if policy.eq_ignore_ascii_case("noeviction") => Ok(true),
            Some(policy) => Err(StoreError::new(format!(
                "Redis maxmemory-policy is `{policy}`; the replay store needs `noeviction` \
                 (an evicted entry reopens its replay)"
            ))),
        }
    }

    /// One write like `record`'s, on a key no pair can have (not hex), so that a
    /// store that could only answer `busy` (no password, an ACL without `SET`, a
    /// read-only replica, out of memory) does not start.
    fn check_write(&self) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(format!("{}startup-check", self.prefix))
            .arg("1")
            .arg("PX")
            .arg(1000);
        match self.run(&cmd)? {
            reply if is_ok(&reply) => Ok(()),
            _ => Err(StoreError::new("unexpected Redis reply to SET")),
        }
    }

    fn pool(&self) -> MutexGuard<'_, Vec<Connection>> {
        // A Vec of connections stays valid whatever panicked while it was held.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn new_connection(&self) -> Result<Connection, StoreError> {
        let con = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|e| describe("cannot connect to Redis", &e))?;
        con.set_read_timeout(Some(self.timeout))
            .and_then(|()| con.set_write_timeout(Some(self.timeout)))
            .map_err(|e| describe("cannot set the Redis timeouts", &e))?;
        Ok(con)
    }

    /// Runs one command on a pooled (or new) connection. A connection comes back to
    /// the pool only after a well-formed exchange.
    fn query(&self, cmd: &Cmd) -> Result<Value, Failure> {
        let pooled = self.pool().pop();
        let reused = pooled.is_some();
        let mut con = match pooled {
            Some(con) => con,
            None => self.new_connection().map_err(Failure::Store)?,
        };
        let result = match cmd.query::<Value>(&mut con) {
            // A reused connection that Redis closed meanwhile (a restart): once more
            // on a new one.
            Err(e) if reused && is_stale_connection(&e) => {
                con = self.new_connection().map_err(Failure::Store)?;
                cmd.query::<Value>(&mut con)
            }
            other => other,
        };
        match result {
            Ok(reply) => {
                self.put_back(con);
                Ok(reply)
            }
            // The server answered with an error: the connection is still in step.
            Err(e) if e.code().is_some() => {
                self.put_back(con);
                Err(Failure::Reply(describe("Redis error reply", &e)))
            }
            // Timeouts and I/O errors leave the stream unusable: drop it.
            Err(e) => Err(Failure::Store(describe("Redis did not answer", &e))),
        }
    }

    fn put_back(&self, con: Connection) {
        let mut idle = self.pool();
        if idle.len() < MAX_IDLE {
            idle.push(con);
        }
    }

    fn run(&self, cmd: &Cmd) -> Result<Value, StoreError> {
        self.query(cmd).map_err(Failure::into_store_error)
    }
}

/// Why a command failed: Redis answered with an error, or did not answer.
enum Failure {
    Reply(StoreError),
    Store(StoreError),
}

impl Failure {
    fn into_store_error(self) -> StoreError {
        match self {
            Failure::Reply(e) | Failure::Store(e) => e,
        }
    }
}

/// `+OK`, in RESP2 or RESP3.
fn is_ok(reply: &Value) -> bool {
    match reply {
        Value::Okay => true,
        Value::SimpleString(s) => s == "OK",
        _ => false,
    }
}

/// A dropped or reset connection, as a pooled one is after Redis restarted; not a
/// timeout (retrying a slow server only doubles the wait).
fn is_stale_connection(e: &RedisError) -> bool {
    e.is_connection_dropped() || (e.is_io_error() && !e.is_timeout())
}

/// A reason that names the failure, without the URL (it may hold a password) and
/// without any key.
fn describe(context: &str, e: &RedisError) -> StoreError {
    let what = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connection_refusal() {
        "connection refused".to_owned()
    } else if e.is_connection_dropped() {
        "connection closed".to_owned()
    } else if let Some(code) = e.code() {
        format!("{code} reply")
    } else {
        e.category().to_owned()
    };
    StoreError::new(format!("{context}: {what}"))
}

/// The value of `CONFIG GET maxmemory-policy`: `[name, value]` in RESP2, a map in
/// RESP3; `None` when the server has no such setting.
fn policy_of(reply: Value) -> Option<String> {
    let value = match reply {
        Value::Array(items) if items.len() == 2 => items.into_iter().nth(1),
        Value::Map(pairs) if pairs.len() == 1 => pairs.into_iter().next().map(|(_, v)| v),
        _ => None,
    }?;
    match value {
        Value::BulkString(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Value::SimpleString(text) => Some(text),
        _ => None,
    }
}

impl ReplayStore for RedisStore {
    fn record(
        &self,
        client: &[u8; 32],
        nonce: &[u8; 16],
        deadline: u64,
        now: u64,
    ) -> Result<Recorded, StoreError> {
        let Some(ttl) = ttl_ms(deadline, now) else {
            return Err(deadline_passed());
        };
        let mut cmd = redis::cmd("SET");
        cmd.arg(redis_key(&self.prefix, client, nonce))
            .arg("1")
            .arg("NX")
            .arg("PX")
            .arg(ttl);
        match self.run(&cmd)? {
            reply if is_ok(&reply) => Ok(Recorded::Fresh),
            Value::Nil => Ok(Recorded::Replayed),
            _ => Err(StoreError::new("unexpected Redis reply to SET")),
        }
    }

    fn contains(&self, client: &[u8; 32], nonce: &[u8; 16], _now: u64) -> Result<bool, StoreError> {
        // Redis drops the key at its deadline (the TTL was set from the server's
        // clock), so existence is the answer.
        let mut cmd = redis::cmd("EXISTS");
        cmd.arg(redis_key(&self.prefix, client, nonce));
        match self.run(&cmd)? {
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            _ => Err(StoreError::new("unexpected Redis reply to EXISTS")),
        }
    }

    fn restart_floor(&self) -> Option<u64> {
        None
    }
}

impl fmt::Debug for RedisStore {
    // The address only: the URL's credentials stay out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("addr", &self.client.get_connection_info().addr.to_string())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("idle_connections", &self.pool().len())
            .field("eviction_policy_checked", &self.policy_checked)
            .finish()
    }
}
