//! Fuzz target `v2_server_authenticate`: its body is `harness_v2::server_authenticate` (shared with the corpus replay).
#![no_main]

#[path = "../harness_v2.rs"]
mod harness_v2;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness_v2::server_authenticate(data);
});
