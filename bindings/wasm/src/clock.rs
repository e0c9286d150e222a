//! The v2 clock in WebAssembly: `std::time::SystemTime` panics on
//! `wasm32-unknown-unknown`, so the wall clock is JavaScript's `Date.now()` and the
//! monotonic one `performance.now()` (browsers, workers, Node, Deno), falling back to
//! `Date.now()` where there is no `performance`.

use std::time::Duration;

use crypto_sessions::v2::clock::Clock;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
}

fn performance_now() -> Option<f64> {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok()?;
    let now = js_sys::Reflect::get(&performance, &"now".into()).ok()?;
    let now: js_sys::Function = now.dyn_into().ok()?;
    now.call0(&performance).ok()?.as_f64()
}

/// JavaScript's clocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsClock;

impl JsClock {
    /// `Date.now()` in (fractional) Unix seconds.
    pub fn unix_seconds() -> f64 {
        date_now() / 1000.0
    }
}

impl Clock for JsClock {
    fn now(&self) -> u64 {
        // Saturating: a clock before 1970 gives 0.
        Self::unix_seconds().floor() as u64
    }

    fn monotonic(&self) -> Duration {
        let ms = performance_now().unwrap_or_else(date_now);
        Duration::from_secs_f64(ms.max(0.0) / 1000.0)
    }
}
