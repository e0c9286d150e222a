//! Fuzz target `b64url`: its body is `harness::b64url` (shared with the corpus replay).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::b64url(data);
});
