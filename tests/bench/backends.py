"""The C library and the Go package on two backends, timed in one run.

    python3 tests/bench/backends.py --work DIR NAME=PREFIX NAME=PREFIX

Each PREFIX is an installed C library (`make bench-backends` makes one on k256 and
one on libsecp256k1). For each, tests/bench/bench.c is linked statically and the Go
program tests/bench/go is built against it (cgo, pkg-config); then the programs run
in alternating rounds (first backend, second, first, ...) so that both see the same
machine load, and the medians per step are printed with the ratio first/second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build(name: str, prefix: Path, work: Path) -> dict[str, list[str]]:
    env = {**os.environ, "PKG_CONFIG_PATH": str(prefix / "lib" / "pkgconfig")}
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "crypto_sessions_static"], env=env,
                           check=True, capture_output=True, text=True).stdout.split()
    c_bin = work / f"bench-c-{name}"
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                    str(HERE / "bench.c"), *flags, "-o", str(c_bin)], check=True)
    # Go's build cache does not hash the C library: its checksum in CGO_CFLAGS does.
    digest = hashlib.sha256((prefix / "lib" / "libcrypto_sessions.a").read_bytes()).hexdigest()[:16]
    go_bin = work / f"bench-go-{name}"
    go_env = {**env, "GOTOOLCHAIN": "local", "GOFLAGS": "-tags=crypto_sessions_system",
              "CGO_CFLAGS": f"-g -O2 -DCS_LIBRARY_SHA256={digest}"}
    subprocess.run(["go", "build", "-o", str(go_bin), "."], cwd=HERE / "go", env=go_env, check=True)
    return {"C": [str(c_bin), name], "Go": [str(go_bin), "-name", name]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("backends", nargs=2, metavar="NAME=PREFIX")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    backends = [b.split("=", 1) for b in args.backends]
    programs = {name: build(name, Path(prefix), args.work) for name, prefix in backends}
    names = [name for name, _ in backends]
    # results[language][backend][step] = [ns/op per round]
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    versions = {}
    for r in range(args.rounds):
        for language in ("C", "Go"):
            for name in names:
                out = subprocess.run(programs[name][language], check=True, capture_output=True, text=True).stdout
                got = json.loads(out)
                versions[name] = got["version"]
                for step, ns in got["ns_per_op"].items():
                    results.setdefault(language, {}).setdefault(name, {}).setdefault(step, []).append(ns)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    first, second = names
    print(f"library {versions[first]}; medians of {args.rounds} alternating rounds (each the median of 5 batches)")
    print(f"| language | step | {first} µs | {second} µs | {first} / {second} |")
    print("|---|---|---:|---:|---:|")
    for language, by_backend in results.items():
        for step in by_backend[first]:
            a = statistics.median(by_backend[first][step]) / 1000
            b = statistics.median(by_backend[second][step]) / 1000
            print(f"| {language} | {step} | {a:.1f} | {b:.1f} | {a / b:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
