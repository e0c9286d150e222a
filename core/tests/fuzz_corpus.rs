//! Replays the committed fuzz corpus (`core/fuzz/corpus/<target>/*`) through the same
//! target bodies the libFuzzer binaries run (`core/fuzz/harness.rs`), on the stable
//! toolchain, so an input that once crashed stays fixed. `make fuzz` grows the corpus.

#[path = "../fuzz/harness.rs"]
mod harness;
#[path = "../fuzz/seeds.rs"]
mod seeds;

use std::path::{Path, PathBuf};

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus of {target} missing at {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "corpus of {target} is empty");
    files
}

#[test]
fn every_target_replays_its_committed_corpus() {
    for target in harness::TARGETS {
        let files = corpus_files(target);
        let mut accepted = 0;
        for file in &files {
            let data = std::fs::read(file).expect("readable corpus file");
            let outcome = std::panic::catch_unwind(|| harness::run(target, &data));
            match outcome {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(_) => panic!("{target}: {} makes the target fail", file.display()),
            }
        }
        eprintln!(
            "{target}: {} inputs replayed, {accepted} accepted",
            files.len()
        );
    }
}

#[test]
fn seeds_decode_as_written_and_reach_the_accepting_paths() {
    let seeds = seeds::seeds();
    for target in harness::TARGETS {
        assert!(
            seeds
                .iter()
                .any(|s| s.target == target && s.accepted == Some(true)),
            "{target} has no seed the core accepts"
        );
    }
    for seed in &seeds {
        let accepted = harness::run(seed.target, &seed.bytes);
        if let Some(expected) = seed.accepted {
            assert_eq!(accepted, expected, "{} seed {}", seed.target, seed.name);
        }
    }
}
