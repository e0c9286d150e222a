//! Fuzz target `payload_revive`: its body is `harness::payload_revive` (shared with the corpus replay).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::payload_revive(data);
});
