//! Replays the committed v2 fuzz corpus (`core/fuzz/corpus/v2_*/`) through the same
//! target bodies the libFuzzer binaries run (`core/fuzz/harness_v2.rs`), on stable,
//! and checks that the seeds written from `tests/vectors/v2.json` are accepted or
//! rejected as the vector file says.

#[path = "../fuzz/harness_v2.rs"]
mod harness_v2;
#[path = "../fuzz/seeds_v2.rs"]
mod seeds_v2;

use std::path::Path;

#[test]
fn every_v2_target_replays_its_committed_corpus() {
    for target in harness_v2::TARGETS {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus of {target} missing at {}: {e}", dir.display()))
            .map(|e| e.expect("readable corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus of {target} is empty");
        let mut accepted = 0;
        for file in &files {
            let data = std::fs::read(file).expect("readable corpus file");
            match std::panic::catch_unwind(|| harness_v2::run(target, &data)) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(_) => panic!("{target}: {} makes the target fail", file.display()),
            }
        }
        assert!(accepted > 0, "{target}: no corpus input is accepted");
        eprintln!(
            "{target}: {} inputs replayed, {accepted} accepted",
            files.len()
        );
    }
}

#[test]
fn v2_seeds_behave_as_the_vectors_say() {
    let seeds = seeds_v2::seeds();
    let mut pinned = 0;
    for target in harness_v2::TARGETS {
        assert!(
            seeds
                .iter()
                .any(|s| s.target == target && s.accepted == Some(true)),
            "{target} has no seed the core accepts"
        );
        assert!(
            seeds
                .iter()
                .any(|s| s.target == target && s.accepted == Some(false)),
            "{target} has no seed the core rejects"
        );
    }
    for seed in &seeds {
        let accepted = harness_v2::run(seed.target, &seed.bytes);
        if let Some(expected) = seed.accepted {
            assert_eq!(accepted, expected, "{} seed {}", seed.target, seed.name);
            pinned += 1;
        }
    }
    assert!(pinned > 100, "{pinned}");
}
