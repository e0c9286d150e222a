"""tests/vectors/v2.json replayed through the public API: the ``server`` scenarios
through ``V2Server`` (fixed clock), the ``answer_checks`` and ``request`` sections
through ``V2Client``. ``CRYPTO_SESSIONS_V2_VECTORS`` names another file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import pytest

import crypto_sessions as cs
from crypto_sessions import _native
from crypto_sessions.errors import InvalidAnswerError, RejectedError, StaleError

REPO = Path(__file__).resolve().parents[3]
# The request token's layout (spec, "Request token"): C at 26-58, kid(S) at 58-66.
CLIENT_KEY = slice(26, 58)
KID = slice(58, 66)
STATUS = {"too_large": 413, "forbidden": 403, "busy": 503}


@pytest.fixture(scope="module")
def v2() -> dict[str, Any]:
    path = Path(os.environ.get(_native.V2_ENV_VECTORS) or REPO / "tests" / "vectors" / "v2.json")
    if not path.is_file():
        pytest.fail(f"v2 vector file {path} is missing (set {_native.V2_ENV_VECTORS})")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def secrets_by_xonly(v2: dict[str, Any]) -> dict[str, str]:
    """Every secret key the file gives, by its x-only key (for the client side)."""
    out = {k["xonly"]: k["secret"] for k in v2["keys"]}
    for section in ("request", "answer_checks"):
        for item in v2[section]:
            client = _native.V2Client(item["client_secret"], item["server_xonly"])
            out[client.public_key] = item["client_secret"]
    return out


def test_server_scenarios(v2: dict[str, Any]) -> None:
    secrets = secrets_by_xonly(v2)
    steps = stale_verified = sealed = 0
    for sc in v2["server"]:
        denied: set[bytes] = {bytes.fromhex(c) for c in sc.get("denied_clients", [])}
        server = cs.V2Server(
            sc["server_secrets"],
            sc["origins"],
            max_age=sc["max_age"],
            max_skew=sc["max_skew"],
            max_body=sc["max_body"],
            replay_capacity=sc["replay_capacity"],
            replay_store_created=sc["replay_store_created"],
            admission=lambda key: key not in denied,
            now=0,
        )
        for i, step in enumerate(sc["steps"]):
            at = f"{sc['name']}[{i}]"
            server.set_now(step["now"])
            if "denied_clients" in step:
                denied.clear()
                denied.update(bytes.fromhex(c) for c in step["denied_clients"])
            fields = step.get("authorization_fields", [step["authorization"]] if "authorization" in step else [])
            body = bytes.fromhex(step.get("body_hex", ""))
            steps += 1
            expect = step["expect"]
            if expect == "ok":
                got = server.authenticate(step["method"], step["target"].encode(), fields, len(body), body)
                assert got.version == 2, at
                assert got.client_key.hex() == step["client_xonly"], at
                assert got.payload == bytes.fromhex(step["payload_hex"]), at
                assert got.content_type == step["content_type"], at
                client_secret = secrets.get(step["client_xonly"])
                if client_secret is not None:
                    sealed += round_trip(server, got, client_secret, step, fields[0], at)
                continue
            with pytest.raises(RejectedError) as info:
                server.authenticate(step["method"], step["target"].encode(), fields, len(body), body)
            err = info.value
            assert err.code == expect, f"{at}: {err}"
            assert err.status == STATUS.get(expect, 401), at
            assert err.www_authenticate == f'CryptoSession error="{expect}"', at
            assert ("WWW-Authenticate", err.www_authenticate) in err.headers, at
            if expect == "too_large":
                with pytest.raises(RejectedError) as early:
                    server.check_content_length(fields, len(body))
                assert early.value.code == "too_large", at
            if expect == "stale" and step["stale_answer"]:
                assert err.stale_answer is not None, at
                stale_verified += verify_stale(server, err.stale_answer, fields[0], step, secrets, at)
            else:
                assert err.stale_answer is None, at
    assert steps > 50 and stale_verified > 0 and sealed > 0, (steps, stale_verified, sealed)


def _token_of(authorization: str) -> bytes:
    import base64

    text = authorization.split()[-1]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _client_for(server: cs.V2Server, secret: str, token: bytes) -> Optional[cs.V2Client]:
    """The client of the server key the token's kid names."""
    for key in server.public_keys:
        client = cs.V2Client(secret, key)
        probe = client.prepare("GET", "https://example.com/")
        if probe.token[KID] == token[KID]:
            return client
    return None


def round_trip(server: cs.V2Server, got: cs.V2Authenticated, secret: str, step: dict[str, Any], auth: str, at: str) -> int:
    token = _token_of(auth)
    client = _client_for(server, secret, token)
    assert client is not None, at
    head = step["method"] == "HEAD"
    sealed = got.seal(200, "" if head else "application/json", b"" if head else b'{"ok":true}')
    header = dict(sealed.headers)[_native.V2_CRYPTO_SESSION]
    answer = client.open_for_token(step["method"], token, 200, header, sealed.body)
    assert answer.payload == (b"" if head else b'{"ok":true}'), at
    # The same answer for another status does not verify.
    with pytest.raises(InvalidAnswerError):
        client.open_for_token(step["method"], token, 201, header, sealed.body)
    return 1


def verify_stale(server: cs.V2Server, stale_answer: str, auth: str, step: dict[str, Any], secrets: dict[str, str], at: str) -> int:
    token = _token_of(auth)
    secret = secrets.get(token[CLIENT_KEY].hex())
    if secret is None:
        return 0
    client = _client_for(server, secret, token)
    assert client is not None, at
    with pytest.raises(StaleError) as info:
        client.open_for_token(step["method"], token, 401, stale_answer, b"")
    assert info.value.server_time == step["now"], at
    assert info.value.retry is None
    return 1


def test_answer_checks(v2: dict[str, Any]) -> None:
    ok = refused = 0
    for item in v2["answer_checks"]:
        client = cs.V2Client(item["client_secret"], item["server_xonly"])
        token = bytes.fromhex(item["request_token"])
        body = bytes.fromhex(item["body_hex"])
        args = ("POST", token, item["status"], item["crypto_session_header"], body)
        if item["expect"] != "ok":
            with pytest.raises(InvalidAnswerError):
                client.open_for_token(*args, kind=item["kind"])
            refused += 1
        elif item["kind"] == "stale":
            with pytest.raises(StaleError) as info:
                client.open_for_token(*args, kind="stale")
            assert info.value.server_time == item["server_time"], item["name"]
            ok += 1
        else:
            answer = client.open_for_token(*args, kind="answer")
            assert answer.payload == bytes.fromhex(item["payload_hex"]), item["name"]
            assert answer.content_type == item["content_type"], item["name"]
            ok += 1
    assert ok > 0 and refused > 0


def test_request_vectors_verify_at_a_server(v2: dict[str, Any]) -> None:
    """Each request vector's ``authorization`` is accepted by a server with the
    vector's key and origin at its ``created`` time, and gives its payload."""
    server_secrets = {k["xonly"]: k["secret"] for k in v2["keys"]}
    for sc in v2["server"]:
        for secret in sc["server_secrets"]:
            server_secrets[cs.V2Server(secret, ["https://x.example"]).public_keys[0]] = secret
    checked = 0
    for item in v2["request"]:
        secret = server_secrets.get(item["server_xonly"])
        if secret is None:
            continue
        server = cs.V2Server(secret, [item["origin"]], now=item["created"])
        body = bytes.fromhex(item["body_hex"])
        got = server.authenticate(item["method"], item["target"].encode(), [item["authorization"]], len(body), body)
        assert got.payload == bytes.fromhex(item["payload_hex"]), item["name"]
        assert got.content_type == item["content_type"], item["name"]
        checked += 1
    assert checked > 0
