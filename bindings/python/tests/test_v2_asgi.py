"""Protocol v2 on FastAPI behind V2Middleware under real uvicorn: Pydantic body
models see the payload, 204/404 answers sealed, replay, stale correction, CORS; and
two uvicorn workers sharing one real redis-server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import httpx
import pytest

import crypto_sessions as cs
import v2_asgi_app
from conftest import AppFactory, Keys, RunningServer
from crypto_sessions import _native
from crypto_sessions.client import HttpxAuth, v2_answer

Serve = Callable[[str, AppFactory], RunningServer]


def test_fastapi_models_answers_replay_and_cors(serve: Serve, keys: Keys) -> None:
    server = serve("uvicorn", lambda url: v2_asgi_app.build(keys.server_secret, url))
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret)) as http:
        r = http.post("/note", json={"text": "hé", "n": 3})
        assert r.status_code == 200 and r.json()["text"] == "hé" and r.json()["version"] == 2
        assert r.headers["cache-control"] == _native.V2_NO_STORE
        r = http.delete("/item")
        assert (r.status_code, r.content, v2_answer(r).status) == (204, b"", 204)
        r = http.get("/missing")
        assert (r.status_code, r.content) == (404, b"nope")
        # A body that is not the model: FastAPI's own 422, sealed too.
        r = http.post("/note", json={"text": 1})
        assert r.status_code == 422 and v2_answer(r).status == 422
    client = cs.V2Client(keys.client_secret, keys.server_pub)
    prepared = client.prepare("GET", server.base_url + "/pid")
    first = httpx.get(prepared.url, headers=dict(prepared.headers))
    again = httpx.get(prepared.url, headers=dict(prepared.headers))
    assert first.status_code == 200
    assert (again.status_code, again.headers["www-authenticate"]) == (401, 'CryptoSession error="replayed"')
    pre = httpx.request("OPTIONS", server.base_url + "/note", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"})
    assert pre.headers["access-control-allow-headers"] == _native.V2_ALLOWED_HEADERS


def test_fastapi_stale_request_is_corrected_once(serve: Serve, keys: Keys) -> None:
    server = serve("uvicorn", lambda url: v2_asgi_app.build(keys.server_secret, url, now=int(time.time()) - 700))
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret)) as http:
        assert http.post("/note", json={"text": "t", "n": 1}).json()["n"] == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_uvicorn_workers_share_one_redis(keys: Keys) -> None:
    url = os.environ.get("CRYPTO_SESSION_TEST_REDIS_URL")
    assert url, "run under tests/redis/with-redis.sh (make test-python does)"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CRYPTO_SESSION_KEY": keys.server_secret,
        "CRYPTO_SESSION_HOST": base,
        "CRYPTO_SESSION_REPLAY": url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "v2_asgi_app:create", "--factory", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=Path(__file__).parent, env=env,
    )
    try:
        client = cs.V2Client(keys.client_secret, keys.server_pub)
        deadline = time.monotonic() + 30
        pids: set[int] = set()
        while True:
            prepared = client.prepare("GET", base + "/pid")
            try:
                r = httpx.get(prepared.url, headers=dict(prepared.headers), timeout=5)
                if r.status_code == 200:
                    answer = client.open(prepared, 200, r.headers["crypto-session"], None, r.content)
                    pids.add(int(json.loads(answer.payload)["pid"]))
                    if len(pids) == 2:
                        break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"both workers did not answer: {pids}"
            time.sleep(0.05)
        # Both workers answer; concurrent duplicates get exactly one acceptance,
        # whichever worker each lands on.
        for _ in range(5):
            prepared = client.prepare("POST", base + "/note", "application/json", b'{"text":"x","n":1}')
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(
                    lambda _: httpx.post(prepared.url, headers=dict(prepared.headers), content=prepared.body, timeout=10),
                    range(8),
                ))
            codes = sorted(r.status_code for r in statuses)
            assert codes == [200] + [401] * 7, codes
            assert all(r.headers["www-authenticate"] == 'CryptoSession error="replayed"' for r in statuses if r.status_code == 401)
    finally:
        proc.terminate()
        proc.wait(15)
