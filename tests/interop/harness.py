"""Shared by the interop matrix and the demo: the peers, a tampering proxy, and
running a server process behind it. See README.md for the peer contract."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import secrets
import select
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


# --- peers ---------------------------------------------------------------------------

def _env_path(var: str, default: Path) -> Path:
    return Path(os.environ.get(var, str(default)))


TARGET = _env_path("CARGO_TARGET_DIR", ROOT / "target")
VENV_PY = _env_path("VENV", ROOT / ".venv") / "bin" / "python"
PEERS = HERE / "peers"
JS_PEER = HERE / "js-peer"


@dataclass
class Server:
    name: str
    argv: list[str]
    cwd: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Client:
    name: str
    argv: list[str]
    cwd: Path = ROOT
    # "standard": --server-key/--key/--url/... and one JSON line out;
    # "cli": the crypto-session command-line tool.
    style: str = "standard"


SERVERS = {
    s.name: s
    for s in [
        Server("flask", [str(VENV_PY), str(PEERS / "python_server.py"), "flask"]),
        Server("fastapi", [str(VENV_PY), str(PEERS / "python_server.py"), "fastapi"]),
        Server("express", ["node", str(PEERS / "node_server.mjs"), "express"]),
        Server("next", ["node", str(PEERS / "node_server.mjs"), "next"]),
        Server("web", ["node", str(PEERS / "node_server.mjs"), "web"]),
        Server("go", [str(TARGET / "interop" / "go-peer"), "server"]),
        Server("js-ref", ["node", str(JS_PEER / "server.mjs")]),
    ]
}

CLIENTS = {
    c.name: c
    for c in [
        Client("httpx", [str(VENV_PY), str(PEERS / "python_client.py"), "httpx"]),
        Client("requests", [str(VENV_PY), str(PEERS / "python_client.py"), "requests"]),
        Client("node", ["node", str(PEERS / "node_client.mjs")]),
        Client("go", [str(TARGET / "interop" / "go-peer"), "client"]),
        Client("c", [str(TARGET / "interop" / "c-client")]),
        Client("cli", [str(TARGET / "debug" / "crypto-session")], style="cli"),
        Client("js-ref", ["node", str(JS_PEER / "client.mjs")]),
    ]
}


# --- the tampering proxy ---------------------------------------------------------------

def _flip(text: str, index: int) -> str:
    """Change one base64url character (to another base64url character)."""
    c = text[index]
    return text[:index] + ("B" if c == "A" else "A") + text[index + 1:]


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream_port = 0
        self.seen: list[tuple[str, str, int]] = []
        # (method, target, request headers, request body, status, answer headers, answer body)
        self.exchanges: list[tuple] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class RawTargetConnection(http.client.HTTPConnection):
    """Sends the request line's bytes as they arrived: BaseHTTPRequestHandler read
    them as Latin-1, and http.client would refuse a target that is not ASCII."""

    def _encode_request(self, request: str) -> bytes:
        return request.encode("latin-1")


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Proxy

    def log_message(self, *args) -> None:  # quiet
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("authorization", "content-type", "accept")}
        if "tamper=request" in self.path and "authorization" in {k.lower() for k in headers}:
            key = next(k for k in headers if k.lower() == "authorization")
            headers[key] = _flip(headers[key], len(headers[key]) - 10)
        conn = RawTargetConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        try:
            # The request-target goes upstream exactly as it came.
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            answer = resp.read()
        except OSError as e:  # the server closed or refused the connection
            conn.close()
            self.server.seen.append((self.command, self.path, 502))
            self.send_error(502, f"upstream: {e}")
            return
        self.server.seen.append((self.command, self.path, resp.status))
        self.server.exchanges.append((self.command, self.path, headers, body, resp.status,
                                      dict((k.lower(), v) for k, v in resp.getheaders()), answer))
        if "tamper=answer" in self.path and answer:
            answer = _flip(answer.decode(), len(answer) // 2).encode()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() in ("authorization", "content-type"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        conn.close()

    do_GET = _forward
    do_POST = _forward


# --- running peers ---------------------------------------------------------------------

class Running:
    """A server process behind a proxy of ours. Use it as a context manager (or call
    stop()): the process and the proxy are stopped on every way out."""

    START_TIMEOUT = 60.0  # seconds for a server to print its line (a cold Python import is slow)

    def __init__(self, server: Server) -> None:
        self.name = server.name
        self.proxy = Proxy()
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()
        self.secret = secrets.token_hex(32)
        env = dict(os.environ, **server.env, CRYPTO_SESSION_KEY=self.secret,
                   CRYPTO_SESSION_HOST=self.proxy.origin, PORT="0")
        self.log: list[str] = []
        try:
            self.proc = subprocess.Popen(server.argv, cwd=server.cwd, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
        except OSError as e:
            self._close_proxy()
            raise RuntimeError(f"server {server.name} did not start: {e}") from e
        try:
            info = json.loads(self._first_line())
            self.proxy.upstream_port = int(info["port"])
            self.pubkey = info["pubkey"]
        except BaseException:
            self.stop()
            raise
        # Drain stderr (rejection logs) so the server never blocks on a full pipe.
        self._drain_thread = threading.Thread(target=self._drain, daemon=True)
        self._drain_thread.start()

    def _first_line(self) -> str:
        """The server's {"port", "pubkey"} line, within START_TIMEOUT."""
        assert self.proc.stdout is not None and self.proc.stderr is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], self.START_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if line:
            return line
        if self.proc.poll() is None:
            self.proc.kill()
        err = self.proc.stderr.read()
        why = "exited" if ready else f"printed nothing in {self.START_TIMEOUT:.0f}s"
        raise RuntimeError(f"server {self.name} {why}: {err.strip()[-2000:]}")

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def _close_proxy(self) -> None:
        self.proxy.shutdown()
        self.proxy.server_close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # The process is gone, so its stderr ends: after this, self.log is complete.
        drain = getattr(self, "_drain_thread", None)
        if drain is not None:
            drain.join(timeout=10)
        self._close_proxy()

    def __enter__(self) -> "Running":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` and `with` blocks stop the servers
    when make (or anyone) terminates the run."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
