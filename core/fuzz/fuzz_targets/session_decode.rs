//! Fuzz target `session_decode`: its body is `harness::session_decode` (shared with the corpus replay).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::session_decode(data);
});
