"""``tests/env/v2-settings.json``: the environment values every binding accepts and
refuses alike (the core replays the same file in ``core/tests/env_settings.rs``, Node
in ``test/env-settings.test.js``). Here through the builder the Flask extension, the
FastAPI dependency and the ASGI middleware share, from the process environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import crypto_sessions as cs
from crypto_sessions._config import build_server, build_v2_server

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[3] / "tests" / "env" / "v2-settings.json").read_text()
)["cases"]
HOST = "https://a.example"


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}={c['value']!r}" for c in CASES])
def test_the_environment_is_read_as_every_binding_reads_it(
    case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("CRYPTO_SESSION_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CRYPTO_SESSION_KEY", cs.generate_secret_key())
    monkeypatch.setenv("CRYPTO_SESSION_HOST", HOST)
    monkeypatch.setenv(case["name"], case["value"])
    if not case["ok"]:
        # Input errors are ValueErrors (MalformedInputError, or the replay store's).
        with pytest.raises(ValueError):
            build_v2_server(None, None)
        return
    server = build_v2_server(None, None)
    max_age, max_skew, max_body = server.limits
    for field, got in [("max_age", max_age), ("max_skew", max_skew), ("max_body", max_body)]:
        if field in case:
            assert got == case[field]
    if "accept_v1" in case:
        assert server.accept_v1 is case["accept_v1"]
    if "origins" in case:
        assert server.origins == case["origins"]


BODY_CASES = [c for c in CASES if c["name"] == "CRYPTO_SESSION_MAX_BODY"]


@pytest.mark.parametrize("case", BODY_CASES, ids=[repr(c["value"]) for c in BODY_CASES])
def test_the_v1_server_reads_max_body_as_the_v2_one(
    case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRYPTO_SESSION_MAX_BODY", case["value"])
    secret = cs.generate_secret_key()
    if not case["ok"]:
        with pytest.raises(cs.MalformedInputError, match="CRYPTO_SESSION_MAX_BODY"):
            build_server(secret, HOST, None)
        return
    assert build_server(secret, HOST, None).max_body == case["max_body"]


ARGUMENT_CASES = [
    c
    for c in CASES
    if c["name"] in ("CRYPTO_SESSION_MAX_AGE", "CRYPTO_SESSION_MAX_SKEW", "CRYPTO_SESSION_MAX_BODY")
]


@pytest.mark.parametrize("case", ARGUMENT_CASES, ids=[f"{c['name']}={c['value']!r}" for c in ARGUMENT_CASES])
def test_an_argument_is_read_as_its_variable(
    case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("CRYPTO_SESSION_")]:
        monkeypatch.delenv(name)
    field = case["name"].removeprefix("CRYPTO_SESSION_").lower()
    secret = cs.generate_secret_key()
    if not case["ok"]:
        with pytest.raises(ValueError):
            build_v2_server(secret, HOST, **{field: case["value"]})
        return
    server = build_v2_server(secret, HOST, **{field: case["value"]})
    max_age, max_skew, max_body = server.limits
    got = {"max_age": max_age, "max_skew": max_skew, "max_body": max_body}
    if field in case:
        assert got[field] == case[field]
