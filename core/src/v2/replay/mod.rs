//! Replay stores: where a v2 server records each accepted `(client key, request nonce)`
//! pair until its deadline (steps 5 and 6 of the server checks, and "Replay stores" in
//! the protocol).
//!
//! - [`MemoryStore`]: one process, bounded by a capacity, with the restart rule.
//! - `RedisStore` (feature `redis`): shared by several processes or machines.
//!
//! Every store fails closed: when it cannot answer, it says so with a [`StoreError`]
//! and the server answers `busy`; it never reports [`Recorded::Fresh`] without having
//! recorded the pair. The server's clock (`now`, Unix seconds) is passed in on every
//! call, so a store never decides with its own clock (nor with Redis's).

use std::fmt;
use std::sync::Arc;

use sha2::{Digest, Sha256};

mod memory;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{RedisStore, DEFAULT_TIMEOUT};
pub use memory::MemoryStore;

/// The default key prefix of a shared store. Servers of one application share a
/// prefix, whatever their language; different applications on one Redis use
/// different prefixes.
pub const DEFAULT_PREFIX: &str = "cs2:replay:";

/// The environment variable that chooses a server's replay store: `memory`, or a
/// Redis URL (`redis://`, `rediss://`, `unix://`). See [`open`].
pub const ENV_REPLAY: &str = "CRYPTO_SESSION_REPLAY";

/// The domain separator of [`redis_key`].
const KEY_TAG: &[u8] = b"crypto-session/v2 replay";

/// Outcome of recording a (client key, request nonce) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Newly recorded: the request may proceed.
    Fresh,
    /// Already there: `replayed`.
    Replayed,
}

/// The store could not answer (full, unreachable, error reply, timeout): the server
/// answers `busy`. [`Display`](fmt::Display) says why; it never holds secrets (no
/// key, no nonce, no URL credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    reason: String,
}

impl StoreError {
    /// An error with the given reason. For implementations of [`ReplayStore`]
    /// outside this crate; the reason must not contain secrets.
    pub fn new(reason: impl Into<String>) -> Self {
        StoreError {
            reason: reason.into(),
        }
    }

    /// Why the store could not answer.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay store unavailable: {}", self.reason)
    }
}

impl std::error::Error for StoreError {}

/// Where a v2 server records the requests it accepted.
///
/// Both methods take the server's clock `now` (Unix seconds); an entry whose deadline
/// is at or before `now` is expired. Implementations must be atomic across threads
/// (and, for a shared store, across processes): of concurrent `record` calls with the
/// same pair, exactly one gets [`Recorded::Fresh`].
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Record `(client, nonce)` until `deadline` (Unix seconds), atomically, if absent.
    /// `now` is the server's clock (Unix seconds): the store never uses its own clock
    /// or Redis's.
    ///
    /// A `deadline` at or before `now` records nothing and is a [`StoreError`]: the
    /// server's freshness check (step 5) never lets such a request reach step 6, so
    /// reaching it is a caller's bug, and the store fails closed.
    fn record(
        &self,
        client: &[u8; 32],
        nonce: &[u8; 16],
        deadline: u64,
        now: u64,
    ) -> Result<Recorded, StoreError>;

    /// Whether `(client, nonce)` is recorded and not expired at `now` (step 5: an
    /// out-of-window request already in the store is `replayed`, not `stale`).
    fn contains(&self, client: &[u8; 32], nonce: &[u8; 16], now: u64) -> Result<bool, StoreError>;

    /// The memory store's restart rule: `Some(ceil(T_store))` (`T_store` = the store's
    /// creation time, Unix seconds) while the guard is on; `None` for a shared store or
    /// when the guard was turned off. The server rejects as unsigned `stale` any
    /// request (inside the window) with `created < restart_floor + max_skew`; use
    /// `saturating_add`, the floor may be `u64::MAX` (see
    /// [`MemoryStore::with_created`]).
    fn restart_floor(&self) -> Option<u64>;
}

impl<T: ReplayStore + ?Sized> ReplayStore for Arc<T> {
    fn record(
        &self,
        client: &[u8; 32],
        nonce: &[u8; 16],
        deadline: u64,
        now: u64,
    ) -> Result<Recorded, StoreError> {
        (**self).record(client, nonce, deadline, now)
    }

    fn contains(&self, client: &[u8; 32], nonce: &[u8; 16], now: u64) -> Result<bool, StoreError> {
        (**self).contains(client, nonce, now)
    }

    fn restart_floor(&self) -> Option<u64> {
        (**self).restart_floor()
    }
}

/// The Redis key of a pair: `prefix` + lower-case
/// hex(sha256("crypto-session/v2 replay" || C || nonce)[0..16]).
///
/// Every language's server computes the same key, so servers of one application can
/// share a store. The hash keeps client keys out of Redis and makes keys fixed-size.
pub fn redis_key(prefix: &str, client: &[u8; 32], nonce: &[u8; 16]) -> String {
    let digest = Sha256::new()
        .chain_update(KEY_TAG)
        .chain_update(client)
        .chain_update(nonce)
        .finalize();
    let mut key = String::with_capacity(prefix.len() + 32);
    key.push_str(prefix);
    key.push_str(&hex::encode(&digest[..16]));
    key
}

/// The `PX` time to live of a shared-store entry, in milliseconds:
/// `(deadline - now) * 1000` on the server's clock, or `None` when `deadline <= now`
/// (nothing left to record).
pub fn ttl_ms(deadline: u64, now: u64) -> Option<u64> {
    deadline
        .checked_sub(now)
        .filter(|&secs| secs > 0)
        .and_then(|secs| secs.checked_mul(1000))
}

/// The error of a `record` whose deadline is at or before `now`.
fn deadline_passed() -> StoreError {
    StoreError::new("deadline is not after now: nothing to record")
}

/// Opens the store a configuration names (typically the value of [`ENV_REPLAY`]):
/// `memory` (a [`MemoryStore`] of `capacity` entries, restart guard on), or a Redis
/// URL (`redis://`, `rediss://`, `unix://`; the `redis` feature) with `prefix`
/// ([`DEFAULT_PREFIX`] if `None`; a memory store ignores it).
///
/// Anything else, or a Redis URL in a build without the `redis` feature, is a
/// [`StoreError`]: a server must not start with a store it did not ask for.
pub fn open(
    spec: &str,
    capacity: usize,
    prefix: Option<&str>,
) -> Result<Arc<dyn ReplayStore>, StoreError> {
    let spec = spec.trim();
    if spec == "memory" {
        return Ok(Arc::new(MemoryStore::new(capacity)));
    }
    let is_redis = ["redis://", "rediss://", "unix://"].iter().any(|scheme| {
        spec.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    });
    if !is_redis {
        return Err(StoreError::new(
            "unknown replay store: expected `memory` or a redis:// URL",
        ));
    }
    open_redis(spec, prefix)
}

#[cfg(feature = "redis")]
fn open_redis(url: &str, prefix: Option<&str>) -> Result<Arc<dyn ReplayStore>, StoreError> {
    Ok(Arc::new(RedisStore::connect(url, prefix)?))
}

#[cfg(not(feature = "redis"))]
fn open_redis(_url: &str, _prefix: Option<&str>) -> Result<Arc<dyn ReplayStore>, StoreError> {
    Err(StoreError::new(
        "a Redis replay store needs crypto-sessions built with the `redis` feature",
    ))
}
