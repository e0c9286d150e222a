//! Fuzz target `client_open`: its body is `harness::client_open` (shared with the corpus replay).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::client_open(data);
});
