#!/usr/bin/env python3
"""make test-dist: each artifact of dist/ installed as a user would, where Rust is absent.

Every install and every run below gets a PATH that is a fresh folder of links to the
few tools it needs (never cargo or rustc; no C compiler for the wheel and the npm
packages) and a fresh HOME (no .cargo). Each installed package then completes real
protocol v1 exchanges with a server of another language, over 127.0.0.1 (each server
behind the interop harness's proxy):

  wheel (new venv; requests, httpx, flask)      client -> the Go peer server
  npm tarballs (new project, --ignore-scripts)  client -> the Python server (the wheel's Flask)
  Go release copy (new module, `replace`)       client -> the Python server
  C tarball (unpacked; cc, static and shared)   client -> the Python server
  the CLI from the C tarball                    fetch  -> the Python server

The clients are the interop peers of tests/interop/peers (their contract:
tests/interop/README.md). Also checked: auditwheel's tag, the wheel's and sdist's
files, `npm pack --dry-run` of both tarballs, the Go copy's and C tarball's files.
Only the standard library: it runs with the machine's python3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "tests" / "interop" / "peers"
NODE_INSTALL_TESTS = ROOT / "bindings" / "node" / "test" / "install"
# The independent v2 implementation (tests only): the v2 server of another language.
JS_PEER_V2 = ROOT / "tests" / "interop" / "js-peer-v2"
HERE = Path(__file__).resolve().parent
GO_MODULE = "github.com/crypto-sessions/crypto-sessions/bindings/go"
RUST_TOOLS = ("cargo", "rustc", "rustup")
C_TOOLS = ("cc", "gcc", "c99", "clang")
PASSED: list[str] = []

sys.path.insert(0, str(ROOT / "tests" / "interop"))
from harness import Running, Server  # noqa: E402  (the matrix's way of running a peer server)


def step(name: str) -> None:
    print(f"== dist: {name}", flush=True)


def ok(what: str) -> None:
    PASSED.append(what)
    print(f"   ok: {what}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"test-dist: {message}")


def shown_command(cmd) -> str:
    """The command as printed: a secret key given with --key is never shown."""
    words = [str(c) for c in cmd]
    return " ".join("<secret>" if i and words[i - 1] == "--key" else w for i, w in enumerate(words))


def run(cmd, env, cwd=None, capture=True) -> str:
    shown = shown_command(cmd)
    print(f"   $ {shown}", flush=True)
    done = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, text=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE if capture else None)
    if done.returncode != 0:
        fail(f"{shown} exited {done.returncode}\n{done.stdout or ''}{done.stderr or ''}")
    return done.stdout or ""


class Sandbox:
    """A fresh HOME and a PATH of links to the named tools only."""

    def __init__(self, base: Path, name: str, tools: dict[str, str], forbidden: tuple[str, ...]):
        self.home = base / name / "home"
        self.bin = base / name / "bin"
        self.home.mkdir(parents=True)
        self.bin.mkdir(parents=True)
        for tool, target in tools.items():
            (self.bin / tool).symlink_to(target)
        for tool in forbidden:
            if shutil.which(tool, path=str(self.bin)):
                fail(f"{tool} is on the sandbox's PATH")
        if (self.home / ".cargo").exists():
            fail("the sandbox's HOME has .cargo")

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TERM", "TZ")}
        return {**keep, "PATH": str(self.bin), "HOME": str(self.home), "TMPDIR": tempfile.gettempdir(), **extra}


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        fail(f"{name} is needed for test-dist")
    return os.path.realpath(found)


@contextmanager
def server(cmd, env, what: str):
    """A peer server behind the interop harness's proxy (its origin is what clients
    sign); yields (origin, the server's public key)."""
    print(f"   $ {shown_command(cmd)}   (server: {what})", flush=True)
    with Running(Server(what, [str(c) for c in cmd], env=env)) as running:
        yield running.proxy.origin, running.pubkey


def exchange(client_cmd, env, origin: str, pubkey: str, what: str) -> None:
    """GET /text and POST /echo through a client peer; both answers opened and checked."""
    key = os.urandom(32).hex()
    base = [*client_cmd, "--server-key", pubkey, "--key", key]
    got = json.loads(run([*base, "--url", f"{origin}/text?msg=hello%20dist"], env).strip().splitlines()[-1])
    if got != {"status": 200, "data": "hello dist", "err": None}:
        fail(f"{what}: GET /text answered {got}")
    body = {"order": 42, "items": ["a", "b"]}
    got = json.loads(run([*base, "--url", f"{origin}/echo", "--json", json.dumps(body)], env).strip().splitlines()[-1])
    if got != {"status": 200, "data": body, "err": None}:
        fail(f"{what}: POST /echo answered {got}")
    ok(f"{what}: GET and POST exchanges")


@contextmanager
def v2_server():
    """The independent v2 peer's server on 127.0.0.1 (its own origin, no proxy);
    yields (origin, its x-only key)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRYPTO_SESSION")}
    # A fresh process per test run: its memory store's restart guard would refuse every
    # request for max_skew seconds; nothing was accepted before it started.
    cmd = ["node", str(JS_PEER_V2 / "server.mjs"), "--port", "0", "--no-restart-guard"]
    print(f"   $ {shown_command(cmd)}   (server: independent v2 peer)", flush=True)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line:
            fail(f"the v2 peer server did not start: {proc.stderr.read()}")
        info = json.loads(line)
        yield f"http://127.0.0.1:{info['port']}", info["pubkey"]
    finally:
        proc.kill()
        proc.wait()


def v2_exchange(client_cmd, env, origin: str, pubkey: str, what: str) -> None:
    """A v2 client script of the installed package (POST JSON, GET with a query, PUT or
    DELETE), each answer verified and compared by the script; it prints "ok"."""
    out = run([*client_cmd, pubkey, origin], env).strip().splitlines()
    if not out or out[-1] != "ok":
        fail(f"{what}: {out}")
    ok(f"{what}: every answer verified and as sent")


# ---- Python -----------------------------------------------------------------------

def check_wheel_files(wheel: Path, sdist: Path, auditwheel: str, version: str) -> None:
    if not wheel.name.startswith(f"crypto_sessions-{version}-cp39-abi3-") or "manylinux_2_17_x86_64" not in wheel.name:
        fail(f"the wheel's name is not an abi3 manylinux_2_17 one: {wheel.name}")
    shown = run([auditwheel, "show", wheel], dict(os.environ))
    if 'consistent with the following platform tag:\n"manylinux_2_17_x86_64"' not in shown:
        fail(f"auditwheel does not give manylinux_2_17_x86_64:\n{shown}")
    ok("auditwheel show: manylinux_2_17_x86_64")
    names = zipfile.ZipFile(wheel).namelist()
    info = f"crypto_sessions-{version}.dist-info"
    for needed in (f"{info}/licenses/LICENSE-MIT", f"{info}/licenses/LICENSE-APACHE", "crypto_sessions/py.typed",
                   "crypto_sessions/__init__.py"):
        if needed not in names:
            fail(f"the wheel lacks {needed}")
    if not any(n.startswith("crypto_sessions/_native") and n.endswith(".so") for n in names):
        fail("the wheel has no compiled module")
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    for needed in (f"Version: {version}", "License-Expression: MIT OR Apache-2.0", "Project-URL: Source, "):
        if needed not in metadata:
            fail(f"the wheel's METADATA lacks {needed!r}")
    members = tarfile.open(sdist).getnames()
    top = f"crypto_sessions-{version}"
    for needed in ("LICENSE-MIT", "LICENSE-APACHE", "pyproject.toml", "Cargo.lock", "core/src/lib.rs"):
        if not any(m == f"{top}/{needed}" or m.endswith(f"/{needed}") for m in members):
            fail(f"the sdist lacks {needed}")
    if any("/target/" in m for m in members):
        fail("the sdist carries a target/ folder")
    ok("wheel and sdist: licences, metadata, sources")


def second_python(first: str) -> str | None:
    """Another CPython minor version than `first`, if this machine has one (the image's
    pyenv versions, or python3.N on PATH)."""
    def minor(exe: str) -> str:
        return subprocess.run([exe, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                              text=True).stdout
    have = minor(first)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(f"python3.{n}") for n in (13, 12, 10, 9)]
    candidates += [str(p) for n in (13, 12, 10, 9) for p in sorted(pyenv.glob(f"3.{n}.*/bin/python3"))]
    for exe in filter(None, candidates):
        if minor(exe) not in ("", have):
            return os.path.realpath(exe)
    return None


def python_venv(base: Path, python: str, wheel: Path, name: str = "python") -> tuple[Sandbox, Path]:
    box = Sandbox(base, name, {"python3": python}, RUST_TOOLS + C_TOOLS)
    env = box.env()
    venv = box.home / "venv"
    run(["python3", "-m", "venv", venv], env)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--only-binary", ":all:"]
    # The wheel alone first: it must install with no build step at all.
    run([*pip, "--no-index", "--no-deps", wheel], env)
    # The client module imports httpx even for its requests adapter.
    run([*pip, "requests", "httpx", "flask"], env)
    shown = run([venv / "bin" / "python", "-c",
                 "import crypto_sessions, crypto_sessions._native as n; print(crypto_sessions.__version__, n.__file__)"], env)
    if "site-packages/crypto_sessions/_native" not in shown:
        fail(f"crypto_sessions did not load from the venv: {shown}")
    minor = run([venv / "bin" / "python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env).strip()
    ok(f"wheel {shown.split()[0]} installed into a new Python {minor} venv without Rust or a C compiler")
    return box, venv


# ---- Node -------------------------------------------------------------------------

def npm_dry_run(tarball: Path, env) -> set[str]:
    out = run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts", tarball], env, cwd=tarball.parent)
    return {f["path"] for f in json.loads(out)[0]["files"]}


def check_npm_files(main: Path, platform: Path, env) -> None:
    files = npm_dry_run(platform, env)
    expected = {"package.json", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "crypto-sessions.linux-x64-gnu.node"}
    if files != expected:
        fail(f"the platform package has {sorted(files)}, expected {sorted(expected)}")
    files = npm_dry_run(main, env)
    for needed in ("package.json", "index.js", "index.mjs", "index.d.ts", "native.d.ts", "lib/native.js",
                   "LICENSE-MIT", "LICENSE-APACHE", "README.md", "scripts/build-native.js", "vendor/Cargo.toml",
                   # the WebAssembly build (built by prepack): the Node fallback and the browser/edge bundle
                   "wasm/crypto_sessions_wasm.js", "wasm/crypto_sessions_wasm_bg.wasm",
                   "dist/web/crypto-sessions.mjs", "dist/web/crypto_sessions_wasm_bg.wasm"):
        if needed not in files:
            fail(f"the main package lacks {needed}")
    for f in files:
        if f.startswith(("target/", "test/", "bench/", "node_modules/")) or "/target/" in f or f.endswith(".node"):
            fail(f"the main package carries {f}")
    manifest = json.loads(tarfile.open(main).extractfile("package/package.json").read())
    if manifest.get("optionalDependencies") != {"crypto-sessions-linux-x64-gnu": manifest["version"]}:
        fail(f"optionalDependencies: {manifest.get('optionalDependencies')}")
    if {"preinstall", "install", "postinstall"} & set(manifest.get("scripts", {})):
        fail("the main package has an install script")
    platform_manifest = json.loads(tarfile.open(platform).extractfile("package/package.json").read())
    for field, want in (("os", ["linux"]), ("cpu", ["x64"]), ("libc", ["glibc"]), ("version", manifest["version"])):
        if platform_manifest.get(field) != want:
            fail(f"the platform package's {field} is {platform_manifest.get(field)}")
    ok(f"npm pack --dry-run: platform package {len(expected)} files, main package {len(files)} files, none from target/")


def node_project(base: Path, main: Path, platform: Path, python_env, python_origin, python_pubkey) -> None:
    box = Sandbox(base, "node", {"node": tool("node"), "npm": tool("npm")}, RUST_TOOLS + C_TOOLS)
    env = box.env()
    check_npm_files(main, platform, env)
    project = box.home / "app"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", "private": True}))
    run(["npm", "install", "--ignore-scripts", "--offline", "--no-audit", "--no-fund", main, platform], env, cwd=project)
    installed = project / "node_modules"
    if (installed / "crypto-sessions" / "crypto-sessions.node").exists():
        fail("the main package brought an addon of its own")
    for f in ("smoke.cjs", "smoke.mjs"):
        shutil.copy(NODE_INSTALL_TESTS / f, project / f)
    smoke_env = {**env, "CRYPTO_SESSIONS_SMOKE_ADDON": "platform", "CRYPTO_SESSIONS_SMOKE_PACKED": "1"}
    run(["node", "smoke.cjs"], smoke_env, cwd=project)
    run(["node", "smoke.mjs"], smoke_env, cwd=project)
    ok("npm tarballs installed with --ignore-scripts --offline; the platform package's addon loads (CJS, ESM)")
    # The interop client, with the installed package as its package under test.
    shutil.copy(PEERS / "node_client.mjs", project / "node_client.mjs")
    (project / "node_package.mjs").write_text("export * from 'crypto-sessions'\n")
    exchange(["node", project / "node_client.mjs"], env, python_origin, python_pubkey, "npm packages -> Python server")
    shutil.copy(HERE / "v2_exchange.mjs", project / "v2_exchange.mjs")
    with v2_server() as (origin, pubkey):
        v2_exchange(["node", project / "v2_exchange.mjs"], env, origin, pubkey,
                    "npm packages -> independent v2 server (protocol v2)")


# ---- Go ---------------------------------------------------------------------------

def go_module(base: Path, copy: Path, origin: str, pubkey: str) -> None:
    tools = {"go": tool("go"), "gcc": tool("gcc"), "cc": tool("cc"), "as": tool("as"), "ld": tool("ld")}
    box = Sandbox(base, "go", tools, RUST_TOOLS + ("pkg-config",))
    gocache = subprocess.run([tool("go"), "env", "GOCACHE"], text=True, capture_output=True, check=True).stdout.strip()
    env = box.env(GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="1",
                  GOPATH=str(box.home / "go"), GOCACHE=gocache)
    module = box.home / "app"
    module.mkdir()
    for f in (PEERS / "go").glob("*.go"):
        shutil.copy(f, module / f.name)
    (module / "go.mod").write_text(
        f"module example.com/app\n\ngo 1.22\n\nrequire {GO_MODULE} v0.0.0\n\nreplace {GO_MODULE} => {copy}\n")
    binary = module / "go-peer"
    run(["go", "build", "-o", binary, "."], env, cwd=module)
    needed = run(["/usr/bin/ldd", binary], env)
    if "crypto_sessions" in needed:
        fail(f"the Go program links a shared crypto_sessions:\n{needed}")
    ok("Go release copy built into a new module (replace, no pkg-config, no installed library)")
    exchange([binary, "client"], env, origin, pubkey, "Go release copy -> Python server")


def check_go_copy(copy: Path, version: str) -> None:
    lib = copy / "lib" / "linux_amd64"
    for needed in ("go.mod", "LICENSE-MIT", "LICENSE-APACHE", "cgo_vendored.go", "version.go"):
        if not (copy / needed).is_file():
            fail(f"the Go release copy lacks {needed}")
    if not (lib / "libcrypto_sessions.a").is_file() or not (lib / "crypto_sessions.h").is_file():
        fail("the Go release copy lacks lib/linux_amd64/libcrypto_sessions.a or its header")
    if list(copy.glob("*_test.go")):
        fail("the Go release copy carries tests")
    if f'const ModuleVersion = "{version}"' not in (copy / "version.go").read_text():
        fail(f"the Go release copy's ModuleVersion is not {version}")
    sections = subprocess.run(["objdump", "-h", lib / "libcrypto_sessions.a"], capture_output=True, text=True).stdout
    if ".debug_info" in sections:
        fail("the Go release copy's static library is not stripped")
    ok("Go release copy: sources, licences, stripped lib/linux_amd64/libcrypto_sessions.a + header")


# ---- C and the CLI ----------------------------------------------------------------

def c_tarball(base: Path, tarball: Path, version: str, origin: str, pubkey: str) -> None:
    tools = {"cc": tool("cc"), "gcc": tool("gcc"), "as": tool("as"), "ld": tool("ld"),
             "pkg-config": tool("pkg-config")}
    box = Sandbox(base, "c", tools, RUST_TOOLS)
    env = box.env()
    with tarfile.open(tarball) as tar:
        tar.extractall(box.home, filter="data")
    tree = box.home / f"crypto-sessions-{version}-x86_64-linux-gnu"
    for needed in ("LICENSE-MIT", "LICENSE-APACHE", "include/crypto_sessions.h", "lib/libcrypto_sessions.a",
                   "lib/libcrypto_sessions.so.1", "lib/pkgconfig/crypto_sessions.pc", "bin/crypto-session",
                   "share/man/man1/crypto-session.1", "share/bash-completion/completions/crypto-session",
                   "share/zsh/site-functions/_crypto-session", "share/fish/vendor_completions.d/crypto-session.fish",
                   "share/doc/crypto-sessions/examples/exchange.c"):
        if not (tree / needed).exists():
            fail(f"the C tarball lacks {needed}")
    soname = run(["/usr/bin/readelf", "-d", tree / "lib" / "libcrypto_sessions.so"], env)
    if "Library soname: [libcrypto_sessions.so.1]" not in soname:
        fail(f"the shared library's SONAME is not libcrypto_sessions.so.1:\n{soname}")
    pc_env = {**env, "PKG_CONFIG_PATH": str(tree / "lib" / "pkgconfig")}
    flags = {pc: run(["pkg-config", "--cflags", "--libs", pc], pc_env).split()
             for pc in ("crypto_sessions", "crypto_sessions_static")}
    if run(["pkg-config", "--modversion", "crypto_sessions"], pc_env).strip() != version:
        fail("pkg-config's version of crypto_sessions is not the release's")
    work = box.home / "build"
    work.mkdir()
    cc = ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"]
    static, shared = work / "c-client-static", work / "c-client-shared"
    run([*cc, "-o", static, PEERS / "c_client.c", *flags["crypto_sessions_static"]], env)
    run([*cc, "-o", shared, PEERS / "c_client.c", *flags["crypto_sessions"], f"-Wl,-rpath,{tree / 'lib'}"], env)
    needed = run(["/usr/bin/ldd", shared], env)
    if f"{tree / 'lib' / 'libcrypto_sessions.so.1'}" not in needed:
        fail(f"the shared client does not load the tarball's library:\n{needed}")
    example = work / "exchange"
    run([*cc, "-o", example, tree / "share/doc/crypto-sessions/examples/exchange.c", *flags["crypto_sessions_static"]], env)
    run([example], env)
    ok("C tarball: pkg-config from the unpacked tree, static and shared links with cc, the example runs")
    exchange([static], env, origin, pubkey, "C tarball (static) -> Python server")
    exchange([shared], env, origin, pubkey, "C tarball (shared) -> Python server")
    cli = tree / "bin" / "crypto-session"
    if run([cli, "--version"], env).split() != ["crypto-session", version]:
        fail("crypto-session --version is not the release's")
    key = os.urandom(32).hex()
    # The Flask server accepts v1 (the C clients above speak it); fetch speaks v2
    # unless told --v1.
    got = run([cli, "fetch", "--v1", "--server-key", pubkey, "--key", key, f"{origin}/text?msg=from%20the%20cli"], env)
    if got.strip() != "from the cli":
        fail(f"crypto-session fetch printed {got!r}")
    got = run([cli, "fetch", "--v1", "--server-key", pubkey, "--key", key, "--json", '{"n":1}', f"{origin}/echo"], env)
    if json.loads(got) != {"n": 1}:
        fail(f"crypto-session fetch --v1 --json printed {got!r}")
    with v2_server() as (v2_origin, v2_pubkey):
        v2 = [cli, "fetch", "--server-key", v2_pubkey, "--key", key]
        got = json.loads(run([*v2, "-X", "DELETE", f"{v2_origin}/inspect?q=a b"], env))
        if (got["version"], got["method"], got["target"]) != (2, "DELETE", "/inspect?q=a%20b"):
            fail(f"crypto-session fetch (v2) -> /inspect printed {got!r}")
        got = run([*v2, "-X", "PUT", "-H", "Content-Type: text/plain", "-d", "put by the cli", f"{v2_origin}/echo"], env)
        if got != "put by the cli":
            fail(f"crypto-session fetch (v2) -> PUT /echo printed {got!r}")
    ok("CLI from the C tarball: fetch v2 (DELETE, PUT) -> independent v2 server")
    page = tree / "share/man/man1/crypto-session-fetch.1"
    source = page.read_text()
    if ".TH crypto-session-fetch 1" not in source:
        fail("crypto-session-fetch.1 is not a man page")
    if "\\-\\-server\\-key" not in source:
        fail("the fetch man page does not document --server-key")
    ok("CLI from the C tarball: fetch GET and POST -> Python server; its man pages document the options")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, required=True)
    ap.add_argument("--go-peer", type=Path, required=True, help="the interop Go peer (a server of another language)")
    ap.add_argument("--auditwheel", required=True)
    ap.add_argument("--version", required=True)
    a = ap.parse_args()
    dist, version = a.dist.resolve(), a.version

    def one(pattern: str) -> Path:
        found = sorted(dist.glob(pattern))
        if len(found) != 1:
            fail(f"expected one {pattern} in {dist}, found {[f.name for f in found]}")
        return found[0]

    wheel, sdist = one("python/*.whl"), one("python/*.tar.gz")
    npm_main, npm_platform = one(f"npm/crypto-sessions-{version}.tgz"), one(f"npm/crypto-sessions-linux-x64-gnu-{version}.tgz")
    go_copy, c_tar = one(f"go/crypto-sessions-go-{version}"), one(f"c/crypto-sessions-{version}-x86_64-linux-gnu.tar.gz")

    with tempfile.TemporaryDirectory(prefix="crypto-sessions-dist-") as tmp:
        base = Path(tmp)
        step("Python wheel")
        check_wheel_files(wheel, sdist, a.auditwheel, version)
        py_box, venv = python_venv(base, os.path.realpath(sys.executable), wheel)
        py_env = py_box.env()
        with server([a.go_peer, "server"], py_env, "Go peer") as (origin, pubkey):
            exchange([venv / "bin" / "python", PEERS / "python_client.py", "requests"], py_env, origin, pubkey,
                     "wheel -> Go server")
            other = second_python(os.path.realpath(sys.executable))
            if other:
                box2, venv2 = python_venv(base, other, wheel, "python-second")
                exchange([venv2 / "bin" / "python", PEERS / "python_client.py", "httpx"], box2.env(), origin, pubkey,
                         "wheel on a second Python minor version -> Go server")
            else:
                print("   note: no second Python minor version on this machine; the wheel ran under one only")
        with v2_server() as (origin, pubkey):
            v2_exchange([venv / "bin" / "python", HERE / "v2_exchange.py"], py_env, origin, pubkey,
                        "wheel -> independent v2 server (protocol v2)")
        with server([venv / "bin" / "python", PEERS / "python_server.py", "flask"], py_env, "the wheel's Flask server") \
                as (origin, pubkey):
            step("npm packages")
            node_project(base, npm_main, npm_platform, py_env, origin, pubkey)
            step("Go release copy")
            check_go_copy(go_copy, version)
            go_module(base, go_copy, origin, pubkey)
            step("C tarball and the CLI")
            c_tarball(base, c_tar, version, origin, pubkey)
    print(f"test-dist: {len(PASSED)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
