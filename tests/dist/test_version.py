#!/usr/bin/env python3
"""scripts/version.py on a copy of the files it keeps: `check` catches a file that
disagrees, `set` rewrites every one, a bad version is refused. Run by make version-check."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = ["scripts/version.py", "Cargo.toml", "Cargo.lock", "core/fuzz/Cargo.lock", "bindings/python/pyproject.toml",
         "bindings/node/package.json", "bindings/node/package-lock.json", "bindings/go/version.go",
         *[str(p.relative_to(ROOT)) for p in (ROOT / "bindings/node/npm").glob("*/package.json")]]
failures = 0


def expect(ok: bool, what: str) -> None:
    global failures
    print(f"{'ok' if ok else 'FAILED'}: {what}")
    failures += not ok


def version(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, tree / "scripts/version.py", *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    tree = Path(tmp)
    for f in FILES:
        (tree / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / f, tree / f)
    current = version(tree).stdout.strip()
    expect(version(tree, "check").returncode == 0, f"the copy agrees on {current}")

    go = tree / "bindings/go/version.go"
    go.write_text(go.read_text().replace(f'"{current}"', '"9.9.9"'))
    bad = version(tree, "check")
    expect(bad.returncode == 1 and "bindings/go/version.go: 9.9.9" in bad.stderr, "check names the Go constant that disagrees")

    done = version(tree, "set", "2.3.4-rc.1")
    expect(done.returncode == 0 and version(tree).stdout.strip() == "2.3.4-rc.1", "set writes the workspace version")
    texts = {f: (tree / f).read_text() for f in FILES[1:]}
    # (the locks may hold other packages at the old version)
    stale = [f for f, text in texts.items() if f'"{current}"' in text and not f.endswith(("Cargo.lock", "package-lock.json"))]
    expect(not stale and version(tree, "check").returncode == 0, f"set left no {current} behind ({stale})")
    expect('name = "crypto-sessions"\nversion = "2.3.4-rc.1"' in texts["Cargo.lock"], "set updates the lock's own crates")

    refused = version(tree, "set", "2.3")
    expect(refused.returncode == 2 and version(tree).stdout.strip() == "2.3.4-rc.1", "a bad version is refused, nothing written")

print(f"version: {6 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
