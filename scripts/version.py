#!/usr/bin/env python3
"""One version for every package: the Cargo workspace's.

    python3 scripts/version.py              print the workspace version
    python3 scripts/version.py set X.Y.Z    write X.Y.Z everywhere (make set-version V=X.Y.Z)
    python3 scripts/version.py check        fail unless every place says the workspace's

The places: Cargo.toml ([workspace.package]) and the lock entries of the workspace's
own crates (Cargo.lock, core/fuzz/Cargo.lock), bindings/python/pyproject.toml,
bindings/node/package.json (its version and the platform packages it lists in
optionalDependencies), bindings/node/package-lock.json (the root package),
bindings/node/npm/*/package.json, and the Go package's ModuleVersion
(bindings/go/version.go). Only the standard library: it runs before anything is
installed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# SemVer 2.0 without build metadata (npm, PEP 440 and Go tags all accept these forms
# for plain X.Y.Z; pre-releases are written X.Y.Z-rc.N).
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
WORKSPACE_CRATES = {
    "crypto-sessions",
    "crypto-sessions-ffi",
    "crypto-session-cli",
    "crypto-sessions-python",
    "crypto-sessions-node",
}
NODE = ROOT / "bindings" / "node"


class Place:
    """One file that holds the version: how to read it and how to rewrite it."""

    def __init__(self, path: Path, read, write):
        self.path, self._read, self._write = path, read, write

    def read(self) -> list[str]:
        return self._read(self.path.read_text())

    def write(self, version: str) -> None:
        if all(v == version for v in self.read()):
            return  # untouched: no reformatting of a file that already agrees
        text = self.path.read_text()
        new = self._write(text, version)
        if new != text:
            self.path.write_text(new)


def _one(pattern: str, flags: int = re.M):
    """A place whose version is the first group of one regex match."""
    rx = re.compile(pattern, flags)

    def read(text: str) -> list[str]:
        found = rx.findall(text)
        if len(found) != 1:
            raise SystemExit(f"version.py: expected one match of {pattern!r}, found {len(found)}")
        return found

    def write(text: str, version: str) -> str:
        return rx.sub(lambda m: m.group(0).replace(m.group(1), version, 1), text, count=1)

    return read, write


def _lock():
    """A Cargo.lock: the entries of the workspace's own crates."""
    rx = re.compile(r'^name = "([^"]+)"\nversion = "([^"]+)"$', re.M)

    def read(text: str) -> list[str]:
        return [v for name, v in rx.findall(text) if name in WORKSPACE_CRATES]

    def write(text: str, version: str) -> str:
        return rx.sub(
            lambda m: f'name = "{m.group(1)}"\nversion = "{version}"'
            if m.group(1) in WORKSPACE_CRATES else m.group(0),
            text,
        )

    return read, write


def _json(getters):
    """A JSON file: `getters` yields (container, key) pairs that hold the version."""

    def read(text: str) -> list[str]:
        data = json.loads(text)
        return [container[key] for container, key in getters(data)]

    def write(text: str, version: str) -> str:
        data = json.loads(text)
        for container, key in getters(data):
            container[key] = version
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    return read, write


def _platform_packages() -> list[Path]:
    return sorted((NODE / "npm").glob("*/package.json"))


def _main_package(data):
    yield data, "version"
    optional = data.get("optionalDependencies", {})
    for name in optional:
        yield optional, name


def _main_lock(data):
    yield data, "version"
    yield data["packages"][""], "version"


def places() -> list[Place]:
    found = [
        Place(ROOT / "Cargo.toml", *_one(r'^\[workspace\.package\]\nversion = "([^"]+)"$')),
        Place(ROOT / "Cargo.lock", *_lock()),
        Place(ROOT / "core" / "fuzz" / "Cargo.lock", *_lock()),
        Place(ROOT / "bindings" / "python" / "pyproject.toml", *_one(r'^version = "([^"]+)"')),
        Place(NODE / "package.json", *_json(_main_package)),
        Place(NODE / "package-lock.json", *_json(_main_lock)),
        Place(ROOT / "bindings" / "go" / "version.go", *_one(r'^const ModuleVersion = "([^"]+)"$')),
    ]
    found += [Place(p, *_json(lambda d: [(d, "version")])) for p in _platform_packages()]
    return [p for p in found if p.path.exists()]


def workspace_version() -> str:
    return places()[0].read()[0]


def check() -> int:
    want = workspace_version()
    bad = []
    for place in places():
        for got in place.read():
            if got != want:
                bad.append(f"{place.path.relative_to(ROOT)}: {got}")
    if bad:
        print(f"version.py: the workspace is {want}, but:", *bad, sep="\n  ", file=sys.stderr)
        print("run: make set-version V=" + want, file=sys.stderr)
        return 1
    print(f"version {want}: the same in {len(places())} files")
    return 0


def set_version(version: str) -> int:
    if not SEMVER.match(version):
        print(f"version.py: {version!r} is not a version like 1.2.3 or 1.2.3-rc.1", file=sys.stderr)
        return 2
    every = places()
    for place in every:
        place.read()  # all readable before the first is written
    for place in every:
        place.write(version)
    return check()


def main(argv: list[str]) -> int:
    if not argv:
        print(workspace_version())
        return 0
    if argv == ["check"]:
        return check()
    if len(argv) == 2 and argv[0] == "set":
        return set_version(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
