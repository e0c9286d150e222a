//! Fuzz target `server_authenticate`: its body is `harness::server_authenticate` (shared with the corpus replay).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::server_authenticate(data);
});
