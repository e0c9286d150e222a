"""Shared by the interop matrix and the demo: the peers, a tampering proxy, and
running a server process behind it. See README.md for the peer contract."""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import os
import re
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
JS_PEER_V2 = HERE / "js-peer-v2"


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


# Protocol v2 (README.md, "The v2 peer contract"). The servers get a short max_age (the
# stale scenario) and the smallest max_skew the spec allows, so that the memory replay
# store's restart window (every request `stale` for max_skew seconds) is short.
V2_MAX_AGE = 20
V2_MAX_SKEW = 5
_V2_ENV = {"CRYPTO_SESSION_MAX_AGE": str(V2_MAX_AGE), "CRYPTO_SESSION_MAX_SKEW": str(V2_MAX_SKEW)}

SERVERS_V2 = {
    s.name: s
    for s in [
        Server("flask", [str(VENV_PY), str(PEERS / "python_server.py"), "flask-v2"], env=_V2_ENV),
        Server("asgi", [str(VENV_PY), str(PEERS / "python_server.py"), "asgi-v2"], env=_V2_ENV),
        Server("express", ["node", str(PEERS / "node_server.mjs"), "express-v2"], env=_V2_ENV),
        Server("next", ["node", str(PEERS / "node_server.mjs"), "next-v2"], env=_V2_ENV),
        Server("web", ["node", str(PEERS / "node_server.mjs"), "web-v2"], env=_V2_ENV),
        Server("noble", ["node", str(JS_PEER_V2 / "server.mjs")], env=_V2_ENV),
        Server("go", [str(TARGET / "interop" / "go-peer"), "server-v2"], env=_V2_ENV),
    ]
}

# Every v2 client reads JSON request lines on stdin and writes one JSON line each.
CLIENTS_V2 = {
    c.name: c
    for c in [
        Client("httpx", [str(VENV_PY), str(PEERS / "python_client_v2.py"), "httpx"]),
        Client("requests", [str(VENV_PY), str(PEERS / "python_client_v2.py"), "requests"]),
        Client("secure", [str(VENV_PY), str(PEERS / "python_client_v2.py"), "secure-client"]),
        Client("async", [str(VENV_PY), str(PEERS / "python_client_v2.py"), "async-secure-client"]),
        Client("fetch", ["node", str(PEERS / "node_client_v2.mjs"), "secure-fetch"]),
        Client("create", ["node", str(PEERS / "node_client_v2.mjs"), "create-secure-fetch"]),
        Client("noble", ["node", str(PEERS / "noble_client_v2.mjs")]),
        Client("go", [str(TARGET / "interop" / "go-peer"), "client-v2"]),
        Client("c", [str(TARGET / "interop" / "c-client-v2")]),
        Client("cli", [str(VENV_PY), str(PEERS / "cli_client_v2.py"), str(TARGET / "debug" / "crypto-session")]),
    ]
}


# --- the tampering proxy ---------------------------------------------------------------

def _flip(text: str, index: int) -> str:
    """Change one base64url character (to another base64url character)."""
    c = text[index]
    return text[:index] + ("B" if c == "A" else "A") + text[index + 1:]


def _v2_client_key(authorization: str) -> str | None:
    """The client key (x-only hex) of a v2 token, None for anything else."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "cryptosession":
        return None
    try:
        raw = base64.urlsafe_b64decode(token.strip() + "=" * (-len(token.strip()) % 4))
    except ValueError:
        return None
    return raw[26:58].hex() if len(raw) == 130 else None


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream_port = 0
        self.seen: list[tuple[str, str, int]] = []
        # (method, target, request headers, request body, status, answer headers, answer body)
        self.exchanges: list[tuple] = []
        # v2: what each request forwarded upstream got ({"target", "method", "status",
        # "www_authenticate", "crypto_session"}), and the last answer per client key.
        self.v2log: list[dict] = []
        self.last_answer: dict[str, tuple] = {}
        self.lock = threading.Lock()

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

    def _upstream(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, list, bytes]:
        """One exchange with the server: (status, answer headers, answer body)."""
        conn = RawTargetConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        try:
            # The request-target goes upstream exactly as given.
            conn.request(method, target, body=body or None, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def _forward(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("authorization", "content-type", "accept")}
        auth_key = next((k for k in headers if k.lower() == "authorization"), None)
        client = _v2_client_key(headers[auth_key]) if auth_key else None
        found = re.search(r"[?&]tamper=(\w+)", self.path)
        mode = found.group(1) if found else ""
        method, target = self.command, self.path
        if mode in ("request", "token") and auth_key:
            headers[auth_key] = _flip(headers[auth_key], len(headers[auth_key]) - 10)
        elif mode == "target":
            target = target.replace("tamper=target", "tamper=targex")
        elif mode == "method":
            method = "PATCH" if method == "PUT" else "PUT"
        elif mode == "body" and body:
            body = body[:len(body) // 2] + bytes([body[len(body) // 2] ^ 1]) + body[len(body) // 2 + 1:]
        try:
            rounds = 2 if mode == "replay" else 1  # the same request again, as it was
            for _ in range(rounds):
                status, answer_headers, answer = self._upstream(method, target, headers, body)
                self._record(client, status, answer_headers, answer)
        except OSError as e:  # the server closed or refused the connection
            self.server.seen.append((self.command, self.path, 502))
            self.send_error(502, f"upstream: {e}")
            return
        self.server.seen.append((self.command, self.path, status))
        self.server.exchanges.append((self.command, self.path, headers, body, status,
                                      dict((k.lower(), v) for k, v in answer_headers), answer))
        if mode == "swap":
            # The server's answer to an earlier request of the same client, instead.
            with self.server.lock:
                earlier = self.server.last_answer.get(client or "")
            if earlier is None:
                self.send_error(502, "no earlier answer to this client to swap in")
                return
            status, answer_headers, answer = earlier
        elif client is not None and any(k.lower() == "crypto-session" for k, _ in answer_headers) and status != 401:
            with self.server.lock:
                self.server.last_answer[client] = (status, answer_headers, answer)
        if "tamper=answer" in self.path and answer:
            answer = _flip(answer.decode(), len(answer) // 2).encode()
        self.send_response(status)
        for k, v in answer_headers:
            if k.lower() in ("authorization", "content-type", "crypto-session", "www-authenticate", "cache-control"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _record(self, client: str | None, status: int, answer_headers: list, answer: bytes) -> None:
        if client is None:
            return
        got = {k.lower(): v for k, v in answer_headers}
        with self.server.lock:
            self.server.v2log.append({"target": self.path, "method": self.command, "status": status,
                                      "www_authenticate": got.get("www-authenticate"),
                                      "crypto_session": "crypto-session" in got})

    do_GET = _forward
    do_POST = _forward
    do_PUT = _forward
    do_DELETE = _forward
    do_PATCH = _forward


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
