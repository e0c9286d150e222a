//! Fuzz target `token`: its body is `harness::token` (shared with the corpus replay).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::token(data);
});
