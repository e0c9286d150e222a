"""Every server integration, on a real server on 127.0.0.1, spoken to on the wire."""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

import pytest

import apps
import crypto_sessions as cs
from conftest import AppFactory, Keys, RunningServer, section
from wire import Answer, Req, send, signed

SMALL_LIMIT = 64 * 1024

# kind -> (server, app builder(secret, host, max_body))
KINDS: dict[str, tuple[str, Callable[..., Any]]] = {
    "flask": ("werkzeug", apps.flask_app),
    "fastapi": ("uvicorn", apps.fastapi_app),
    "asgi-middleware": ("uvicorn", apps.middleware_app),
    "fastapi-in-middleware": ("uvicorn", apps.fastapi_behind_middleware),
}


class Deployed:
    """A running test app with its keys and a client that signs for its host."""

    def __init__(self, server: RunningServer, host: str, server_pub: str, client_secret: str) -> None:
        self.server = server
        self.host = host
        self.client = cs.Client(server_pub, client_secret, host)

    def send(self, req: Req, chunked: bool = False, chunk_size: int = 65536) -> Answer:
        return send(self.server.base_url, req, chunked, chunk_size)

    def open(self, answer: Answer) -> Any:
        return cs.revive(self.client.open(answer.status, answer.headers.get("authorization"), answer.body))


_deployed: dict[str, Deployed] = {}


@pytest.fixture(params=sorted(KINDS))
def app(request: pytest.FixtureRequest, keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> Deployed:
    kind = request.param
    if kind not in _deployed:
        runner, build = KINDS[kind]
        hosts: list[str] = []

        def factory(base_url: str) -> Any:
            hosts.append(base_url)
            return build(keys.server_secret, base_url, SMALL_LIMIT)

        server = serve(runner, factory)
        _deployed[kind] = Deployed(server, hosts[0], keys.server_pub, keys.client_secret)
    return _deployed[kind]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_reference_exchanges_replayed_on_the_wire(
    kind: str, vectors: dict[str, Any], serve: Callable[[str, AppFactory], RunningServer]
) -> None:
    """The reference client's captured requests, sent byte for byte to our server
    (configured with the capture's key and host), get the reference server's answers:
    the same deterministic authorization, and bodies that open to what it decoded."""
    http = vectors["http"]
    runner, build = KINDS[kind]
    server = serve(runner, lambda _url: build(http["server_secret"], http["host"]))
    for x in section(http, "exchanges"):
        target = x["url"][len(http["host"]):]
        body = None if x["request_body"] is None else x["request_body"].encode()
        answer = send(server.base_url, Req(x["method"], target, dict(x["request_headers"]), body))
        assert answer.status == x["status"], (kind, target)
        assert answer.headers["authorization"] == x["response_authorization"], (kind, target)
        client = cs.Client(http["server_pubkey"], x["client_secret"], http["host"])
        raw = client.open(answer.status, answer.headers["authorization"], answer.body)
        assert cs.revive(raw) == x["client_decoded"]


def test_get_signs_the_raw_target(app: Deployed) -> None:
    target = "/getSend?challenge=a%20b%26c"
    answer = app.send(signed(app.client, "GET", target))
    assert answer.status == 200
    assert answer.headers["content-type"] == cs.ANSWER_CONTENT_TYPE
    assert app.open(answer) == "a b&c"
    # Signed over the decoded target: not what came over the wire.
    forged = signed(app.client, "GET", "/getSend?challenge=a b&c")
    forged.target = target
    assert app.send(forged).status == 401


def test_post_round_trips(app: Deployed) -> None:
    payload = {"b": "ü", "a": [1, 2.5, None, True], "nested": {"z": "✓"}}
    answer = app.send(signed(app.client, "POST", "/postJson", payload))
    assert answer.status == 200
    opened = app.open(answer)
    assert opened == payload and list(opened) == ["b", "a", "nested"]
    answer = app.send(signed(app.client, "POST", "/postSend", {"challenge": "xyz"}))
    assert app.open(answer) == "xyz"
    # No body: the URL is the payload.
    answer = app.send(signed(app.client, "POST", "/postJson"))
    assert app.open(answer) == app.host + "/postJson"


def test_chunked_post_within_the_limit(app: Deployed) -> None:
    payload = {"blob": "ü" * (SMALL_LIMIT // 5)}
    req = signed(app.client, "POST", "/postJson", payload)
    assert req.body is not None and SMALL_LIMIT // 2 < len(req.body) < SMALL_LIMIT
    answer = app.send(req, chunked=True, chunk_size=1000)
    assert answer.status == 200 and app.open(answer) == payload


def test_status_and_peer(app: Deployed, keys: Keys) -> None:
    answer = app.send(signed(app.client, "POST", "/created", "x"))
    assert answer.status == 201 and app.open(answer) == "created"
    answer = app.send(signed(app.client, "GET", "/whoami"))
    assert app.open(answer) == {"peer": keys.client_pub}


def test_exempt_route_is_open(app: Deployed) -> None:
    answer = app.send(Req("GET", "/health"))
    assert answer.status == 200 and b"ok" in answer.body


def _bad_requests(app: Deployed, keys: Keys) -> dict[str, tuple[Req, bool]]:
    """Each way a request can be wrong -> (request, send it chunked)."""
    good_post = signed(app.client, "POST", "/postJson", {"k": "v"})
    good_get = signed(app.client, "GET", "/getSend?challenge=abc")
    token = good_post.headers["authorization"]
    data = good_post.body.decode()[len('{"data":"'):-2]

    def with_auth(req: Req, auth: Optional[str]) -> Req:
        headers = {k: v for k, v in req.headers.items() if k != "authorization"}
        if auth is not None:
            headers["authorization"] = auth
        return Req(req.method, req.target, headers, req.body)

    def with_data(new: str) -> Req:
        return Req("POST", "/postJson", dict(good_post.headers), ('{"data":"%s"}' % new).encode())

    flip = lambda s, i: s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1:]  # noqa: E731
    wrong_server = cs.Client(cs.public_key(cs.generate_secret_key()), keys.client_secret, app.host)
    huge = {"blob": "x" * (SMALL_LIMIT + 10)}
    big = signed(app.client, "POST", "/postJson", huge)
    return {
        "missing header": (with_auth(good_get, None), False),
        "garbage base64": (with_auth(good_get, "!!not*base64!!"), False),
        "tampered token (GET)": (with_auth(good_get, flip(good_get.headers["authorization"], 60)), False),
        "tampered token (POST)": (with_auth(good_post, flip(token, 60)), False),
        "token of another request": (with_auth(good_get, token), False),
        "tampered body (signature fails)": (with_data(flip(data, 5)), False),
        "tampered body (decryption fails)": (with_data(data[:-3]), False),
        "body not JSON": (Req("POST", "/postJson", dict(good_post.headers), b"nope"), False),
        "tampered target": (Req("GET", "/getSend?challenge=abd", dict(good_get.headers)), False),
        "wrong server key": (signed(wrong_server, "POST", "/postJson", {"k": "v"}), False),
        "unsupported method": (Req("PUT", "/put", dict(good_post.headers), good_post.body), False),
        "oversized body (Content-Length)": (big, False),
        "oversized body (chunked)": (big, True),
    }


def test_every_rejection_is_the_same_empty_401(
    app: Deployed, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crypto_sessions")
    shapes = {}
    for name, (req, chunked) in _bad_requests(app, keys).items():
        answer = app.send(req, chunked)
        assert answer.status == 401, name
        assert answer.body == b"", name
        assert "authorization" not in answer.headers, name
        shapes[name] = answer.shape()
    # Without any Authorization a dual v1/v2 server (Flask, FastAPI) answers as v2 does
    # (`malformed`, with its headers); every v1 token is rejected the same way.
    missing = shapes.pop("missing header")
    assert len(set(shapes.values())) == 1, shapes
    if app.server.base_url in _dual_version_urls():
        assert ("www-authenticate", 'CryptoSession error="malformed"') in missing[2]
        # The log tells the reasons apart; the answers do not.
        assert len({r.getMessage().split(": ", 1)[-1] for r in caplog.records}) >= 6
        return
    assert missing in shapes.values()
    reasons = {getattr(r, "reason", None) for r in caplog.records}
    # The log tells the reasons apart; the answers do not.
    for reason in ("malformed_input", "decrypt_failed", "invalid_signature", "too_large"):
        assert reason in reasons, (reason, reasons)


def _dual_version_urls() -> set[str]:
    """The test servers built on V2Server (v1 served through accept_v1)."""
    return {d.server.base_url for kind, d in _deployed.items() if kind in ("flask", "fastapi")}
