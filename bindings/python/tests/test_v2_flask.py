"""Protocol v2 between every Python client and the Flask extension on a real
werkzeug server: methods and bodies, 204/404 answers, replay, the signed stale
answer and its one retry, tampering, answers bound to their request, unknown key,
CORS preflight, a redis replay store, and a v1-only server seen by a v2 client."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Callable

import httpx
import pytest
import requests

import apps
import crypto_sessions as cs
from conftest import AppFactory, Keys, RunningServer
from crypto_sessions import _native
from crypto_sessions.client import AsyncSecureClient, HttpxAuth, SecureClient, v2_answer
from crypto_sessions.requests import RequestsAuth

Serve = Callable[[str, AppFactory], RunningServer]
_running: dict[str, RunningServer] = {}


def flask_server(serve: Serve, keys: Keys, name: str, **options: Any) -> RunningServer:
    if name not in _running:
        _running[name] = serve("werkzeug", lambda url: apps.flask_v2_app(keys.server_secret, url, **options))
    return _running[name]


@pytest.fixture
def server(serve: Serve, keys: Keys) -> RunningServer:
    return flask_server(serve, keys, "plain")


class Caller:
    """One client kind: ``call(method, path, payload)`` -> (status, content type, body)."""

    def __init__(self, kind: str, keys: Keys, base: str, **options: Any) -> None:
        self.kind, self.keys, self.base, self.options = kind, keys, base, options

    def call(self, method: str, path: str, payload: Any = None) -> tuple[int, str, bytes]:
        k = self.keys
        body = {} if payload is None else ({"json": payload} if isinstance(payload, dict) else {"content": payload[1], "headers": {"content-type": payload[0]}})
        if self.kind == "httpx":
            with httpx.Client(base_url=self.base, auth=HttpxAuth(k.server_pub, k.client_secret, **self.options)) as http:
                r = http.request(method, path, **body)
                return r.status_code, v2_answer(r).content_type, r.content
        if self.kind == "requests":
            rbody = {"json": payload} if isinstance(payload, dict) else ({} if payload is None else {"data": payload[1], "headers": {"content-type": payload[0]}})
            r = requests.request(method, self.base + path, auth=RequestsAuth(k.server_pub, k.client_secret, **self.options), allow_redirects=False, **rbody)
            return r.status_code, v2_answer(r).content_type, r.content
        if self.kind == "secure":
            with SecureClient(k.server_pub, k.client_secret, self.base) as c:
                r = c.http.request(method, path, **body)
                return r.status_code, v2_answer(r).content_type, r.content

        async def run() -> tuple[int, str, bytes]:
            async with AsyncSecureClient(k.server_pub, k.client_secret, self.base) as c:
                r = await c.http.request(method, path, **body)
                return r.status_code, v2_answer(r).content_type, r.content

        return asyncio.run(run())


CLIENTS = ["httpx", "requests", "secure", "async-secure"]


@pytest.mark.parametrize("kind", CLIENTS)
def test_methods_bodies_and_statuses(kind: str, server: RunningServer, keys: Keys) -> None:
    c = Caller(kind, keys, server.base_url)
    status, ctype, body = c.call("GET", "/query?a=1&b=x%20y")
    assert (status, ctype) == (200, "application/json") and httpx.Response(200, content=body).json() == {"a": "1", "b": "x y"}
    status, _, body = c.call("POST", "/json", {"k": ["ü", 1]})
    # The view read the payload with request.get_json(), and saw its content type.
    assert status == 200 and httpx.Response(200, content=body).json() == {"got": {"k": ["ü", 1]}, "type": "application/json"}
    status, ctype, body = c.call("PUT", "/bytes", ("application/x-thing", b"\x00\x01abc"))
    assert (status, ctype, body) == (200, "application/x-thing", b"cba\x01\x00")
    assert c.call("DELETE", "/item") == (204, "", b"")
    assert c.call("GET", "/missing")[0::2] == (404, b"nope")
    status, _, body = c.call("GET", "/whoami")
    assert httpx.Response(200, content=body).json() == {"version": 2, "key": cs.V2Client(keys.client_secret, keys.server_pub).public_key}


@pytest.mark.parametrize("kind", CLIENTS[:2])
def test_stale_request_is_corrected_once(kind: str, serve: Serve, keys: Keys) -> None:
    """The server's clock runs 10 minutes ahead: the first request gets a signed
    stale answer, the client takes the offset and its one retry succeeds."""
    ahead = flask_server(serve, keys, "ahead", now=int(time.time()) + 600)
    assert Caller(kind, keys, ahead.base_url).call("GET", "/query?x=1")[0] == 200


def test_stale_with_a_skewed_client_clock(server: RunningServer, keys: Keys) -> None:
    auth = HttpxAuth(keys.server_pub, keys.client_secret, now=int(time.time()) - 900)
    with httpx.Client(base_url=server.base_url, auth=auth) as http:
        sent: list[httpx.Request] = []
        http.event_hooks["request"].append(sent.append)
        assert http.get("/query?y=2").json() == {"y": "2"}
        assert len(sent) == 2  # the request, then the one retry
        assert http.get("/query?y=3").json() == {"y": "3"}
        assert len(sent) == 3  # the offset is kept: no stale answer any more


def raw(server: RunningServer, prepared: cs.V2PreparedRequest, **change: Any) -> httpx.Response:
    headers = dict(prepared.headers)
    headers.update(change.pop("headers", {}))
    return httpx.request(
        change.pop("method", prepared.method),
        server.base_url + change.pop("target", prepared.url[len(server.base_url):]),
        headers=headers,
        content=change.pop("body", prepared.body),
    )


def code(response: httpx.Response) -> str:
    return response.headers["www-authenticate"]


def test_replay_and_tampering_are_rejected_with_codes(server: RunningServer, keys: Keys) -> None:
    client = cs.V2Client(keys.client_secret, keys.server_pub)
    first = client.prepare("POST", server.base_url + "/json", "application/json", b'{"a":1}')
    ok = raw(server, first)
    assert ok.status_code == 200 and ok.headers["cache-control"] == _native.V2_NO_STORE
    assert ok.headers["access-control-expose-headers"] == _native.V2_EXPOSED_HEADERS
    again = raw(server, first)
    assert (again.status_code, code(again), again.content) == (401, 'CryptoSession error="replayed"', b"")
    cases = {
        "token": dict(headers={"authorization": dict(first.headers)["Authorization"][:-4] + "AAAA"}),
        "target": dict(target="/json?x=1"),
        "body": dict(body=first.body[:-1] + bytes([first.body[-1] ^ 1])),
    }
    for name, change in cases.items():
        fresh = client.prepare("POST", server.base_url + "/json", "application/json", b'{"a":1}')
        got = raw(server, fresh, **change)
        assert got.status_code == 401 and "error=" in code(got), name
        assert got.headers["access-control-expose-headers"] == _native.V2_EXPOSED_HEADERS, name
    # A request signed for PATCH and sent as PUT does not verify.
    patch = client.prepare("PATCH", server.base_url + "/bytes", "text/plain", b"x")
    got = raw(server, patch, method="PUT")
    assert (got.status_code, code(got)) == (401, 'CryptoSession error="invalid_signature"')
    # Method-override headers are ignored: the signed method is the one on the wire.
    fresh = client.prepare("PUT", server.base_url + "/bytes", "text/plain", b"x")
    got = raw(server, fresh, headers={"X-HTTP-Method-Override": "DELETE"})
    assert got.status_code == 200


def test_an_answer_to_another_request_is_refused(server: RunningServer, keys: Keys) -> None:
    client = cs.V2Client(keys.client_secret, keys.server_pub)
    a = client.prepare("GET", server.base_url + "/query?n=1")
    b = client.prepare("GET", server.base_url + "/query?n=1")
    answer_b = raw(server, b)
    with pytest.raises(cs.InvalidAnswerError):
        client.open(a, answer_b.status_code, answer_b.headers.get("crypto-session"), None, answer_b.content)
    assert client.open(b, answer_b.status_code, answer_b.headers["crypto-session"], None, answer_b.content).status == 200


def test_unknown_key_is_an_unsigned_rejection(server: RunningServer, keys: Keys) -> None:
    other = cs.public_key(cs.generate_secret_key())
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(other, keys.client_secret)) as http:
        with pytest.raises(cs.UnknownKeyError) as info:
            http.get("/query")
    assert info.value.status == 401


def test_cors_preflight_passes_unauthenticated(server: RunningServer) -> None:
    r = httpx.request(
        "OPTIONS",
        server.base_url + "/json",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-headers"] == _native.V2_ALLOWED_HEADERS


def test_v1_only_server_gives_a_clear_error(serve: Serve, keys: Keys) -> None:
    v1 = serve("uvicorn", lambda url: apps.middleware_app(keys.server_secret, url))
    with httpx.Client(base_url=v1.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret)) as http:
        with pytest.raises(cs.V1OnlyServerError, match="version=1"):
            http.get("/whoami")


def test_redis_replay_store(serve: Serve, keys: Keys) -> None:
    url = os.environ.get("CRYPTO_SESSION_TEST_REDIS_URL")
    assert url, "run under tests/redis/with-redis.sh (make test-python does)"
    one = serve("werkzeug", lambda u: apps.flask_v2_app(keys.server_secret, u, replay=url))
    two = serve("werkzeug", lambda u: apps.flask_v2_app(keys.server_secret, one.base_url, replay=url))
    client = cs.V2Client(keys.client_secret, keys.server_pub)
    prepared = client.prepare("GET", one.base_url + "/query?r=1")
    assert raw(one, prepared).status_code == 200
    # The other server shares the store: the same request is a replay there.
    moved = httpx.request("GET", two.base_url + "/query?r=1", headers=dict(prepared.headers))
    assert code(moved) == 'CryptoSession error="replayed"'
