//! Clocks, injectable so that tests run at a fixed `now`.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Wall-clock time (Unix seconds, floored) and a monotonic clock.
pub trait Clock: Send + Sync + Debug {
    /// `now`: the floor of the current Unix time.
    fn now(&self) -> u64;

    /// Time since an arbitrary fixed point, never going backwards (the client's
    /// "within 5 seconds of sending" rule).
    fn monotonic(&self) -> Duration;
}

/// The system clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    fn monotonic(&self) -> Duration {
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed()
    }
}

/// A clock that stands still until told otherwise (tests, vectors, simulations).
#[derive(Debug, Default)]
pub struct ManualClock {
    now: AtomicU64,
    monotonic_ms: AtomicU64,
}

impl ManualClock {
    /// A clock at `now` (Unix seconds).
    pub fn new(now: u64) -> Self {
        ManualClock {
            now: AtomicU64::new(now),
            monotonic_ms: AtomicU64::new(0),
        }
    }

    /// Set the wall clock.
    pub fn set(&self, now: u64) {
        self.now.store(now, Ordering::SeqCst);
    }

    /// Move both clocks forward.
    pub fn advance(&self, by: Duration) {
        self.now.fetch_add(by.as_secs(), Ordering::SeqCst);
        self.monotonic_ms
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }

    fn monotonic(&self) -> Duration {
        Duration::from_millis(self.monotonic_ms.load(Ordering::SeqCst))
    }
}
