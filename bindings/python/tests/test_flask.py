"""The Flask extension through Flask's test client."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask, g, request

import apps
import crypto_sessions as cs
from conftest import Keys
from crypto_sessions.flask import CryptoSessions, current_peer, require_session, secure_json, secure_send

HOST = "http://testserver.local"


def call(app: Flask, client: cs.Client, method: str, target: str, payload: Any = None, **kw: Any) -> Any:
    prepared = client.prepare(method, target, payload)
    return app.test_client().open(
        target, method=method, headers=dict(prepared.headers), data=prepared.body, **kw
    )


def opened(client: cs.Client, response: Any) -> Any:
    raw = client.open(response.status_code, response.headers.get("authorization"), response.get_data())
    return cs.revive(raw)


@pytest.fixture
def client(keys: Keys) -> cs.Client:
    return cs.Client(keys.server_pub, keys.client_secret, HOST)


def test_get_and_post_through_the_test_client(keys: Keys, client: cs.Client) -> None:
    app = apps.flask_app(keys.server_secret, HOST)
    response = call(app, client, "GET", "/getSend?challenge=a%20b%26c")
    assert response.status_code == 200
    assert opened(client, response) == "a b&c"
    response = call(app, client, "POST", "/postJson", {"x": ["ü", 1]})
    assert opened(client, response) == {"x": ["ü", 1]}


def test_peer_is_on_g(keys: Keys, client: cs.Client) -> None:
    app = Flask("peer")
    CryptoSessions(app, keys.server_secret, HOST, accept_v1=True)
    seen: dict[str, Any] = {}

    @app.post("/p")
    @require_session
    def view() -> Any:
        peer = g.crypto_peer
        assert current_peer() is peer
        seen.update(
            version=peer.version,
            key=peer.public_key,
            value=peer.value,
            payload=peer.payload,
            body=request.get_data(),
            json=request.get_json(),
        )
        return secure_send("ok")

    call(app, client, "POST", "/p", "42")
    assert seen == {
        "version": 1,
        "key": keys.client_pub,
        "value": 42,  # revived as the reference does
        "payload": b"42",
        "body": b"42",  # the view reads the decrypted payload, not the envelope
        "json": 42,
    }


def test_settings_come_from_config_then_environment(
    keys: Keys, client: cs.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = Flask("configured")
    configured.config.update(CRYPTO_SESSION_KEY=keys.server_secret, CRYPTO_SESSION_HOST=HOST)
    sessions = CryptoSessions(configured, accept_v1=True)
    assert sessions.server(configured).v1_public_key == keys.server_pub
    assert sessions.server(configured).origins == [HOST]

    monkeypatch.setenv("CRYPTO_SESSION_KEY", keys.server_secret)
    monkeypatch.setenv("CRYPTO_SESSION_HOST", "http://from-env:1/")
    monkeypatch.setenv("CRYPTO_SESSION_ORIGINS", "https://a.example, http://from-env:1")
    monkeypatch.setenv("CRYPTO_SESSION_MAX_BODY", "1234")
    monkeypatch.setenv("CRYPTO_SESSION_MAX_AGE", "30")
    monkeypatch.setenv("CRYPTO_SESSION_MAX_SKEW", "7")
    monkeypatch.setenv("CRYPTO_SESSION_ACCEPT_V1", "1")
    from_env = Flask("env")
    server = CryptoSessions(from_env).server(from_env)
    assert (server.v1_public_key, server.origins, server.limits) == (
        keys.server_pub,
        ["http://from-env:1", "https://a.example"],  # the host first, once
        (30, 7, 1234),
    )
    explicit = Flask("explicit")
    assert CryptoSessions(explicit, accept_v1=False).server(explicit).accept_v1 is False
    # The core reads the values, as in every binding: `true`/`false` as well as 1/0.
    for text, on in [("true", True), ("FALSE", False), ("0", False)]:
        with monkeypatch.context() as m:
            m.setenv("CRYPTO_SESSION_ACCEPT_V1", text)
            app = Flask(f"accept-{text}")
            assert CryptoSessions(app).server(app).accept_v1 is on, text
    for name, bad in [
        ("CRYPTO_SESSION_MAX_AGE", "soon"),
        ("CRYPTO_SESSION_MAX_SKEW", "1"),
        ("CRYPTO_SESSION_ACCEPT_V1", "yes"),
        ("CRYPTO_SESSION_REPLAY", "memcached://x"),
        ("CRYPTO_SESSION_ORIGINS", "not an origin"),
    ]:
        with monkeypatch.context() as m:
            m.setenv(name, bad)
            with pytest.raises(ValueError):
                CryptoSessions(Flask("bad"))


def test_missing_or_bad_key_fails_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRYPTO_SESSION_KEY", raising=False)
    with pytest.raises(cs.InvalidKeyError, match="CRYPTO_SESSION_KEY"):
        CryptoSessions(Flask("nokey"), host=HOST)
    bad = "ab" * 31 + "zz"
    app = Flask("badkey")
    app.config["CRYPTO_SESSION_KEY"] = bad
    with pytest.raises(cs.InvalidKeyError) as info:
        CryptoSessions(app, host=HOST)
    assert "app config CRYPTO_SESSION_KEY" in str(info.value)
    assert bad not in str(info.value)
    with pytest.raises(cs.InvalidKeyError):
        CryptoSessions(Flask("zero"), secret_key="00" * 32, host=HOST)


def test_protect_all_guards_every_view_but_exempt_ones(keys: Keys, client: cs.Client) -> None:
    app = Flask("all", static_folder=None)
    sessions = CryptoSessions(app, keys.server_secret, HOST, protect_all=True, accept_v1=True)

    @app.get("/private")
    def private() -> Any:
        return secure_json({"peer": g.crypto_peer.public_key})

    @app.get("/open")
    @sessions.exempt
    def open_view() -> Any:
        return "open"

    assert app.test_client().get("/private").status_code == 401
    assert app.test_client().get("/nowhere").status_code == 401
    assert app.test_client().get("/open").data == b"open"
    response = call(app, client, "GET", "/private")
    assert opened(client, response) == {"peer": keys.client_pub}


def test_protect_all_from_config(keys: Keys) -> None:
    app = Flask("cfg")
    app.config.update(CRYPTO_SESSION_KEY=keys.server_secret, CRYPTO_SESSION_HOST=HOST)
    app.config["CRYPTO_SESSION_PROTECT_ALL"] = True
    CryptoSessions().init_app(app)

    @app.get("/x")
    def x() -> Any:
        return "reached"

    assert app.test_client().get("/x").status_code == 401


def test_default_limit_is_one_mebibyte(keys: Keys, client: cs.Client) -> None:
    app = apps.flask_app(keys.server_secret, HOST)
    default = Flask("d")
    assert CryptoSessions(default, keys.server_secret, HOST).server(default).limits[2] == 1 << 20
    fits = call(app, client, "POST", "/postSend", {"challenge": "y" * (cs.DEFAULT_MAX_BODY // 2)})
    assert fits.status_code == 200
    too_big = call(app, client, "POST", "/postSend", {"challenge": "y" * cs.DEFAULT_MAX_BODY})
    assert too_big.status_code == 401 and too_big.data == b""


def test_wsgi_server_without_raw_target_requotes_path_info(
    keys: Keys, client: cs.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crypto_sessions")
    app = apps.flask_app(keys.server_secret, HOST)
    no_raw = {"RAW_URI": "", "REQUEST_URI": ""}
    # PATH_INFO re-quoted with QUERY_STRING is the target when the server gives
    # no raw one: a plain path verifies...
    response = call(app, client, "GET", "/getSend?challenge=x", environ_overrides=no_raw)
    assert response.status_code == 200
    # ...and one whose escapes PATH_INFO lost (%41 decoded to A) fails closed.
    response = call(app, client, "GET", "/getS%65nd?challenge=x", environ_overrides=no_raw)
    assert response.status_code == 401
    assert "'/getSend?challenge=x'" in caplog.text


def test_rejection_logs_quote_the_raw_target(
    keys: Keys, client: cs.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crypto_sessions")
    app = apps.flask_app(keys.server_secret, HOST)
    forged = "/x\nINFO crypto_sessions.server accepted GET /admin"
    response = app.test_client().get("/getSend", environ_overrides={"RAW_URI": forged})
    assert response.status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "crypto_sessions.server"]
    assert len(lines) == 1 and "\n" not in lines[0], lines
    assert "\\nINFO" in lines[0]


def test_methods_are_matched_exactly_and_a_get_carries_no_body(keys: Keys, client: cs.Client) -> None:
    app = apps.flask_app(keys.server_secret, HOST)
    prepared = client.prepare("GET", "/getSend?challenge=x")
    headers = dict(prepared.headers)
    ok = app.test_client().open("/getSend?challenge=x", method="GET", headers=headers)
    assert ok.status_code == 200
    lower = app.test_client().open(
        "/getSend?challenge=x", method="GET", headers=headers, environ_overrides={"REQUEST_METHOD": "gEt"}
    )
    assert lower.status_code == 401
    with_body = app.test_client().open("/getSend?challenge=x", method="GET", headers=headers, data=b"x")
    assert with_body.status_code == 401


def test_async_view(keys: Keys, client: cs.Client) -> None:
    app = Flask("async")
    CryptoSessions(app, keys.server_secret, HOST, accept_v1=True)

    @app.post("/a")
    @require_session
    async def view() -> Any:
        return secure_json({"got": g.crypto_peer.value})

    assert opened(client, call(app, client, "POST", "/a", [1])) == {"got": [1]}
    assert app.test_client().post("/a").status_code == 401


def test_secure_send_needs_an_authenticated_request(keys: Keys) -> None:
    app = Flask("outside")
    CryptoSessions(app, keys.server_secret, HOST)
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError, match="require_session"):
            secure_send("x")


def test_extension_missing_is_a_clear_error() -> None:
    app = Flask("bare")

    @app.get("/v")
    @require_session
    def view() -> Any:
        return "x"

    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="init_app"):
        app.test_client().get("/v")
