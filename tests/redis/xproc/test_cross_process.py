"""Two server processes of different languages share one real redis-server as their
v2 replay store: a FastAPI app under uvicorn with 2 workers (Python binding,
V2Middleware) and an Express app (Node binding, createServer), both configured from
the environment only (CRYPTO_SESSION_KEY, _HOST, _REPLAY=redis://...).

Both serve one public origin (as two backends behind a load balancer); the client
(the Python package's V2Client) signs for that origin and sends each request
(origin-form) to either backend.

- a request accepted by one process is `replayed` at the other (401 and the spec's
  WWW-Authenticate code), both ways;
- 20 copies of one request sent at once, spread over both servers (and so over both
  uvicorn workers) get exactly one acceptance; every other copy is `replayed`.

Run by `make test-xproc` under tests/redis/with-redis.sh; without a Redis URL the
test fails, it never skips.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, Optional

import httpx
import pytest

import crypto_sessions as cs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PUBLIC_ORIGIN = "https://api.xproc.test"
REPLAYED = 'CryptoSession error="replayed"'
COPIES = 20
ROUNDS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Backends:
    def __init__(self, python: str, node: str, client: cs.V2Client) -> None:
        self.python, self.node, self.client = python, node, client

    def send(self, base: str, prepared: cs.V2PreparedRequest) -> httpx.Response:
        """The prepared request, origin-form, to one backend (a fresh connection)."""
        path = prepared.url[len(PUBLIC_ORIGIN):]
        return httpx.request(prepared.method, base + path, headers=dict(prepared.headers),
                             content=prepared.body, timeout=15)

    def payload(self, prepared: cs.V2PreparedRequest, r: httpx.Response) -> dict[str, object]:
        answer = self.client.open(prepared, r.status_code, r.headers.get("crypto-session"),
                                  r.headers.get("www-authenticate"), r.content)
        return dict(json.loads(answer.payload))


@pytest.fixture(scope="module")
def backends() -> Iterator[Backends]:
    redis_url = os.environ.get("CRYPTO_SESSION_TEST_REDIS_URL")
    assert redis_url, "CRYPTO_SESSION_TEST_REDIS_URL is not set: run under tests/redis/with-redis.sh (make test-xproc)"
    secret = cs.generate_secret_key()
    env = {
        **os.environ,
        "CRYPTO_SESSION_KEY": secret,
        "CRYPTO_SESSION_HOST": PUBLIC_ORIGIN,
        "CRYPTO_SESSION_REPLAY": redis_url,
    }
    for name in ("CRYPTO_SESSION_ORIGINS", "CRYPTO_SESSION_ACCEPT_V1", "CRYPTO_SESSION_MAX_AGE", "CRYPTO_SESSION_MAX_SKEW"):
        env.pop(name, None)
    port = _free_port()
    python = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fastapi_app:create", "--factory", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=HERE, env=env,
    )
    node: Optional[subprocess.Popen[str]] = None
    try:
        node = subprocess.Popen(
            ["node", str(HERE / "express_app.js")],
            env={**env, "CRYPTO_SESSIONS_NODE_PACKAGE": str(ROOT / "bindings" / "node")},
            stdout=subprocess.PIPE, text=True,
        )
        assert node.stdout is not None
        line = node.stdout.readline()
        assert line.startswith("listening "), f"the Express app did not start: {line!r}"
        node_base = f"http://127.0.0.1:{int(line.split()[1])}"
        yield Backends(f"http://127.0.0.1:{port}", node_base, cs.V2Client(cs.generate_secret_key(), cs.public_key(secret)))
    finally:
        for proc in (python, node):
            if proc is not None:
                proc.terminate()
        for proc in (python, node):
            if proc is not None:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _servers_up(b: Backends) -> set[str]:
    """Wait until the Express app and both uvicorn workers have answered."""
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    i = 0
    while len(seen) < 3:
        assert time.monotonic() < deadline, f"not every process answered: {seen}"
        base = b.node if i % 4 == 0 else b.python
        i += 1
        prepared = b.client.prepare("GET", PUBLIC_ORIGIN + "/who")
        try:
            r = b.send(base, prepared)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        assert r.status_code == 200, (r.status_code, r.headers)
        server = str(b.payload(prepared, r)["server"])
        assert server == r.headers["x-served-by"]
        seen.add(server)
    return seen


def test_accepted_at_one_process_is_replayed_at_the_other(backends: Backends) -> None:
    b = backends
    processes = _servers_up(b)
    assert sum(p.startswith("python:") for p in processes) == 2 and sum(p.startswith("node:") for p in processes) == 1
    for first, second in ((b.python, b.node), (b.node, b.python)):
        prepared = b.client.prepare("POST", PUBLIC_ORIGIN + "/note", "application/json", b'{"n":7}')
        r = b.send(first, prepared)
        assert r.status_code == 200, (r.status_code, r.headers)
        answer = b.payload(prepared, r)
        assert (answer["n"], answer["version"]) == (7, 2)
        again = b.send(second, prepared)
        assert (again.status_code, again.headers.get("www-authenticate")) == (401, REPLAYED), (first, second, again.headers)
        assert again.content == b"" and "crypto-session" not in again.headers
        # ... and at the one that accepted it, too.
        assert b.send(first, prepared).headers.get("www-authenticate") == REPLAYED


def test_concurrent_duplicates_across_processes_give_one_acceptance(backends: Backends) -> None:
    b = backends
    _servers_up(b)
    answered_by: set[str] = set()
    accepted_by: list[str] = []
    for round_ in range(ROUNDS):
        prepared = b.client.prepare("POST", PUBLIC_ORIGIN + "/note", "application/json", json.dumps({"n": round_}).encode())
        start = threading.Barrier(COPIES)

        def one(i: int) -> httpx.Response:
            start.wait()
            return b.send(b.node if i % 2 else b.python, prepared)

        with ThreadPoolExecutor(COPIES) as pool:
            results = list(pool.map(one, range(COPIES)))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200] + [401] * (COPIES - 1), statuses
        for r in results:
            answered_by.add(r.headers["x-served-by"])
            if r.status_code == 401:
                assert r.headers.get("www-authenticate") == REPLAYED, r.headers
            else:
                answer = b.payload(prepared, r)
                assert answer["n"] == round_ and answer["server"] == r.headers["x-served-by"]
                accepted_by.append(str(answer["server"]))
    # The copies reached the Express app and both uvicorn workers.
    assert sum(p.startswith("python:") for p in answered_by) == 2, answered_by
    assert sum(p.startswith("node:") for p in answered_by) == 1, answered_by
    print(f"\n{ROUNDS} rounds of {COPIES} copies; accepted by {accepted_by}; answered by {sorted(answered_by)}")
