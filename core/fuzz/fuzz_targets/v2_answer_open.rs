//! Fuzz target `v2_answer_open`: its body is `harness_v2::answer_open` (shared with the corpus replay).
#![no_main]

#[path = "../harness_v2.rs"]
mod harness_v2;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness_v2::answer_open(data);
});
