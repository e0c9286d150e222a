//! Writes the seed corpus of every fuzz target from the reference vectors:
//! `cargo run -p crypto-sessions --example fuzz_seed -- core/fuzz/corpus`
//! (`make fuzz-seed`). Files are named `seed-<vector>`; existing files are kept.

#[path = "harness.rs"]
mod harness;
#[path = "seeds.rs"]
mod seeds;

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
        let dir = root.join(seed.target);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let path = dir.join(format!("seed-{}", seed.name));
        std::fs::write(&path, &seed.bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        written += 1;
    }
    println!("wrote {written} seeds under {}", root.display());
}
