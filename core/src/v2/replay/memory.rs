//! The in-memory replay store: one process, bounded, with the restart rule.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{deadline_passed, Recorded, ReplayStore, StoreError};

/// A recorded pair: client x-only key (32 bytes) then request nonce (16 bytes).
type Pair = [u8; 48];

/// The replay store of a single server process.
///
/// - Bounded: it holds at most `capacity` entries. When it is full of unexpired
///   entries, [`record`](ReplayStore::record) is a [`StoreError`] (`busy`): an
///   unexpired entry is never evicted, since that would reopen its replay.
/// - Entries expire at their deadline (an entry whose deadline is at or before `now`
///   is expired) and are reclaimed as `record` goes: a heap ordered by deadline hands
///   back the expired ones, so `record` stays O(log n) amortised.
/// - Many threads: one lock around a hash map (SipHash with random keys, so chosen
///   nonces cannot degrade it) and the heap; of concurrent duplicates exactly one is
///   [`Recorded::Fresh`]. The lock is held for a map and a heap operation only.
/// - The restart rule: it forgets everything when the process stops, so its
///   [`restart_floor`](ReplayStore::restart_floor) is `ceil(T_store)` (its creation
///   time) and the server refuses requests dated before `ceil(T_store) + max_skew`.
///   [`without_restart_guard`](MemoryStore::without_restart_guard) turns that off.
///
/// Several worker processes need a shared store (`RedisStore`, feature `redis`).
pub struct MemoryStore {
    capacity: usize,
    restart_floor: Option<u64>,
    entries: Mutex<Entries>,
}

/// The same entries twice: by pair (lookups) and by deadline (reclaiming).
#[derive(Default)]
struct Entries {
    deadlines: HashMap<Pair, u64>,
    by_deadline: BinaryHeap<Reverse<(u64, Pair)>>,
}

impl Entries {
    /// Drops every entry whose deadline is at or before `now`.
    fn reclaim(&mut self, now: u64) {
        while let Some(Reverse((deadline, _))) = self.by_deadline.peek() {
            if *deadline > now {
                break;
            }
            if let Some(Reverse((_, pair))) = self.by_deadline.pop() {
                self.deadlines.remove(&pair);
            }
        }
    }
}

impl MemoryStore {
    /// A store of at most `capacity` entries, created now (the system clock, to the
    /// nanosecond, so that its restart floor is the exact ceiling), restart guard on.
    /// A capacity of 0 makes every `record` `busy`.
    ///
    /// Size it from the traffic: at most (requests per second) x
    /// (`max_age` + `max_skew` + 1) entries are live at once.
    pub fn new(capacity: usize) -> Self {
        // A clock before 1970 gives 0: a floor in the past, the guard a no-op.
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let floor = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
        Self::with_floor(capacity, floor)
    }

    /// A store of at most `capacity` entries whose creation time is
    /// `created_unix_seconds` (fractional seconds allowed), restart guard on: for test
    /// vectors and servers with an injected clock.
    ///
    /// A NaN creation time fails closed: the floor is `u64::MAX` and every request is
    /// refused; a negative one gives 0.
    pub fn with_created(capacity: usize, created_unix_seconds: f64) -> Self {
        let floor = if created_unix_seconds.is_nan() {
            u64::MAX
        } else {
            // Saturating: -inf and negatives give 0, +inf gives u64::MAX.
            created_unix_seconds.ceil() as u64
        };
        Self::with_floor(capacity, floor)
    }

    fn with_floor(capacity: usize, floor: u64) -> Self {
        MemoryStore {
            capacity,
            restart_floor: Some(floor),
            entries: Mutex::new(Entries::default()),
        }
    }

    /// Turns the restart rule off: [`restart_floor`](ReplayStore::restart_floor)
    /// becomes `None`.
    ///
    /// Only for a development server that reloads often. The risk is real: a request
    /// dated up to `max_skew` ahead and accepted just before a restart can be replayed
    /// once after it, as the new store has forgotten it.
    pub fn without_restart_guard(mut self) -> Self {
        self.restart_floor = None;
        self
    }

    /// The most entries the store holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The entries held now, expired ones not yet reclaimed included (never more than
    /// the capacity).
    pub fn len(&self) -> usize {
        self.lock().deadlines.len()
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // Every operation under the lock leaves both collections consistent, so a
        // panic elsewhere while it was held does not make the state unusable.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn pair(client: &[u8; 32], nonce: &[u8; 16]) -> Pair {
    let mut pair = [0u8; 48];
    pair[..32].copy_from_slice(client);
    pair[32..].copy_from_slice(nonce);
    pair
}

impl ReplayStore for MemoryStore {
    fn record(
        &self,
        client: &[u8; 32],
        nonce: &[u8; 16],
        deadline: u64,
        now: u64,
    ) -> Result<Recorded, StoreError> {
        if deadline <= now {
            return Err(deadline_passed());
        }
        let pair = pair(client, nonce);
        let mut entries = self.lock();
        entries.reclaim(now);
        // After reclaiming, an entry still there has not expired.
        if entries.deadlines.contains_key(&pair) {
            return Ok(Recorded::Replayed);
        }
        if entries.deadlines.len() >= self.capacity {
            return Err(StoreError::new(format!(
                "memory store is full of unexpired entries (capacity {})",
                self.capacity
            )));
        }
        entries.deadlines.insert(pair, deadline);
        entries.by_deadline.push(Reverse((deadline, pair)));
        Ok(Recorded::Fresh)
    }

    fn contains(&self, client: &[u8; 32], nonce: &[u8; 16], now: u64) -> Result<bool, StoreError> {
        let entries = self.lock();
        Ok(entries
            .deadlines
            .get(&pair(client, nonce))
            .is_some_and(|&deadline| deadline > now))
    }

    fn restart_floor(&self) -> Option<u64> {
        self.restart_floor
    }
}

impl fmt::Debug for MemoryStore {
    // The entries are left out: a count says enough.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("entries", &self.len())
            .field("restart_floor", &self.restart_floor)
            .finish()
    }
}
