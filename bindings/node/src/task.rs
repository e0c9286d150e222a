//! Work that runs on the libuv thread pool.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Run `work`, turning a panic (a bug: the core does not panic on input) into a
/// rejected promise instead of an abort of the Node process.
pub(crate) fn guarded<T>(work: impl FnOnce() -> T) -> napi::Result<T> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|_| {
        napi::Error::new(
            napi::Status::GenericFailure,
            "crypto-sessions: internal error (a panic in the native addon)",
        )
    })
}
