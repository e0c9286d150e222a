"""No secret key and no shared secret in any repr, str, log line or error message."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

import apps
import crypto_sessions as cs
from crypto_sessions.asgi import CryptoSessionMiddleware
from crypto_sessions.client import HttpxAuth, SecureClient
from crypto_sessions.fastapi import CryptoSessions as FastAPISessions
from crypto_sessions.flask import CryptoSessions as FlaskSessions
from crypto_sessions.requests import RequestsAuth

HOST = "http://testserver.local"


def forms(secret: bytes) -> list[str]:
    """The ways a secret could show up in text."""
    return [secret.hex(), secret.hex().upper(), repr(secret)[2:-1], secret.hex()[:24]]


def assert_clean(text: str, *secrets: bytes) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form not in text, "secret material in output"


def test_reprs_and_strs_hold_no_secrets() -> None:
    server_secret, client_secret = cs.generate_secret_key(), cs.generate_secret_key()
    server = cs.Server(server_secret, HOST)
    client = cs.Client(server.public_key, client_secret, HOST)
    session = client.session
    prepared = client.prepare("POST", "/p", "payload")
    assert prepared.body is not None
    peer = server.authenticate("POST", "/p", dict(prepared.headers)["authorization"], prepared.body.encode())
    objects: list[Any] = [
        server, client, session, peer, peer.session, prepared, session.encode("x"),
        peer.session.decode(session.encode("x").token, session.encode("x").data),
        peer.seal("y"), cs.Cipher(session.shared_secret),
        FlaskSessions(Flask("s"), server_secret, HOST),
        FastAPISessions(None, server_secret, HOST),
        CryptoSessionMiddleware(apps.fastapi_app(server_secret, HOST), server_secret, HOST),
        HttpxAuth(server.public_key, client_secret, version=1),
        RequestsAuth(server.public_key, client_secret, version=1),
        SecureClient(server.public_key, client_secret, "http://127.0.0.1:9", version=1),
    ]
    text = "\n".join(f"{o!r} {o!s}" for o in objects)
    assert_clean(
        text,
        bytes.fromhex(server_secret),
        bytes.fromhex(client_secret),
        session.shared_secret,
        session.shared_hash,
    )
    assert server.public_key in text  # the reprs do say something useful


@pytest.mark.parametrize(
    "bad_secret",
    [
        "0123456789abcdef" * 3 + "0123456789abcdez",  # one bad character
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",  # = n
        "0123456789abcdef" * 4 + "00",  # too long
    ],
)
def test_key_errors_do_not_repeat_the_key(bad_secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    messages = []
    for build in (
        lambda: cs.CryptoSession(cs.public_key(cs.generate_secret_key()), bad_secret),
        lambda: cs.Server(bad_secret, HOST),
        lambda: cs.public_key(bad_secret),
        lambda: FlaskSessions(Flask("k"), bad_secret, HOST),
        lambda: FastAPISessions(None, bad_secret, HOST),
    ):
        with pytest.raises(cs.InvalidKeyError) as info:
            build()
        messages.append(str(info.value) + repr(info.value))
    monkeypatch.setenv("CRYPTO_SESSION_KEY", bad_secret)
    with pytest.raises(cs.InvalidKeyError) as info:
        CryptoSessionMiddleware(apps.fastapi_app(cs.generate_secret_key(), HOST), host=HOST)
    messages.append(str(info.value))
    text = "\n".join(messages)
    assert bad_secret not in text and bad_secret[:20] not in text


def test_logs_hold_no_secrets(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    server_secret, client_secret = cs.generate_secret_key(), cs.generate_secret_key()
    app = apps.flask_app(server_secret, HOST)
    client = cs.Client(cs.public_key(server_secret), client_secret, HOST)
    test_client = app.test_client()
    for method, target, payload in [
        ("GET", "/getSend?challenge=x", None),
        ("POST", "/postJson", {"a": 1}),
        ("POST", "/postJson", "x" * 100),
    ]:
        prepared = client.prepare(method, target, payload)
        headers = dict(prepared.headers)
        test_client.open(target, method=method, headers=headers, data=prepared.body)
        headers["authorization"] = headers["authorization"][:-4] + "AAAA"
        test_client.open(target, method=method, headers=headers, data=prepared.body)
        test_client.open(target, method=method, data=b"garbage")
    assert "rejected" in caplog.text
    out = capsys.readouterr()
    assert_clean(
        caplog.text + out.out + out.err,
        bytes.fromhex(server_secret),
        bytes.fromhex(client_secret),
        client.session.shared_secret,
    )
