//! Writes the seed corpus of every fuzz target from the vectors (v1's reference file
//! and `v2.json`):
//! `cargo run -p crypto-sessions --example fuzz_seed -- core/fuzz/corpus`
//! (`make fuzz-seed`). Files are named `seed-<vector>`; existing files are kept.

#[path = "harness.rs"]
mod harness;
#[path = "harness_v2.rs"]
mod harness_v2;
#[path = "seeds.rs"]
mod seeds;
#[path = "seeds_v2.rs"]
mod seeds_v2;

use std::path::PathBuf;

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus")));
    let mut written = 0;
    for seed in seeds::seeds() {
        // A seed the core treats otherwise than the vector file says is a bad seed.
        let accepted = harness::run(seed.target, &seed.bytes);
        if let Some(expected) = seed.accepted {
            assert_eq!(accepted, expected, "{} seed {}", seed.target, seed.name);
        }
        written += write(&root, seed.target, &seed.name, &seed.bytes);
    }
    for seed in seeds_v2::seeds() {
        let accepted = harness_v2::run(seed.target, &seed.bytes);
        if let Some(expected) = seed.accepted {
            assert_eq!(accepted, expected, "{} seed {}", seed.target, seed.name);
        }
        written += write(&root, seed.target, &seed.name, &seed.bytes);
    }
    println!("wrote {written} seeds under {}", root.display());
}

fn write(root: &std::path::Path, target: &str, name: &str, bytes: &[u8]) -> usize {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let path = dir.join(format!("seed-{name}"));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    1
}
