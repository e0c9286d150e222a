"""V2Server and V2Client against each other, without HTTP: the clock offset and the
one retry, the admission hook, configuration errors, rejections' headers."""

from __future__ import annotations

import sys
import time

import pytest

import crypto_sessions as cs
from crypto_sessions import _native
from crypto_sessions.errors import (
    ForbiddenError,
    InvalidAnswerError,
    InvalidRequestSignatureError,
    ReplayedError,
    StaleError,
)

ORIGIN = "https://api.example.com"


def send(server: cs.V2Server, request: cs.V2PreparedRequest) -> cs.V2Authenticated:
    target = request.url[len(ORIGIN):].encode()
    return server.authenticate(
        request.method, target, [dict(request.headers)[_native.V2_AUTHORIZATION]], len(request.body), request.body
    )


def test_stale_answer_sets_the_offset_and_allows_one_retry() -> None:
    secret = cs.generate_secret_key()
    now = int(time.time())
    server = cs.V2Server(secret, [ORIGIN], now=now + 600)
    client = cs.V2Client(cs.generate_secret_key(), server.public_keys[0], now=now)
    first = client.prepare("PUT", ORIGIN + "/doc", "text/plain", b"hi")
    with pytest.raises(cs.StaleRequestError) as rejected:
        send(server, first)
    assert rejected.value.stale_answer is not None
    with pytest.raises(StaleError) as stale:
        client.open(first, 401, rejected.value.stale_answer, rejected.value.www_authenticate, b"")
    assert stale.value.server_time == now + 600 and stale.value.offset_applied
    assert client.clock_offset == 600
    retry = stale.value.retry
    assert isinstance(retry, cs.V2PreparedRequest) and retry.is_retry
    got = send(server, retry)
    assert (got.payload, got.content_type, got.version) == (b"hi", "text/plain", 2)
    sealed = got.seal(404, "application/json", b"{}")
    answer = client.open(retry, sealed.status, dict(sealed.headers)[_native.V2_CRYPTO_SESSION], None, sealed.body)
    assert (answer.status, answer.payload) == (404, b"{}")
    # The answer binds to its request: the first (unsent) request does not open it.
    with pytest.raises(InvalidAnswerError):
        client.open(first, sealed.status, dict(sealed.headers)[_native.V2_CRYPTO_SESSION], None, sealed.body)
    # A second stale answer to the retry allows no further retry.
    server.set_now(now + 5000)
    again = client.prepare("GET", ORIGIN + "/doc")
    with pytest.raises(cs.StaleRequestError) as rejected2:
        send(server, again)
    retry2 = None
    try:
        client.open(again, 401, rejected2.value.stale_answer, None, b"")
    except StaleError as err:
        retry2 = err.retry
    assert retry2 is not None  # a fresh request gets its one retry
    with pytest.raises(cs.StaleRequestError) as rejected3:
        server.set_now(now + 9000)
        send(server, retry2)
    with pytest.raises(StaleError) as last:
        client.open(retry2, 401, rejected3.value.stale_answer, None, b"")
    assert last.value.retry is None


def test_replay_and_tampering_are_rejected() -> None:
    server = cs.V2Server(cs.generate_secret_key(), [ORIGIN], replay_store_created=0.0)
    client = cs.V2Client(cs.generate_secret_key(), server.public_keys[0])
    request = client.prepare("POST", ORIGIN + "/x", "application/json", b"{}")
    send(server, request)
    with pytest.raises(ReplayedError) as replayed:
        send(server, request)
    assert replayed.value.status == 401
    assert replayed.value.www_authenticate == 'CryptoSession error="replayed"'
    other = client.prepare("POST", ORIGIN + "/x", "application/json", b"{}")
    auth = dict(other.headers)[_native.V2_AUTHORIZATION]
    with pytest.raises(InvalidRequestSignatureError):
        server.authenticate("PUT", b"/x", [auth], len(other.body), other.body)


def test_admission_hook_refuses_and_an_exception_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    def deny(key: bytes) -> bool:
        seen.append(key)
        return False

    def broken(key: bytes) -> bool:
        raise RuntimeError("hook failed")

    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))
    for hook in (deny, broken):
        server = cs.V2Server(cs.generate_secret_key(), [ORIGIN], admission=hook, replay_store_created=0.0)
        client = cs.V2Client(cs.generate_secret_key(), server.public_keys[0])
        with pytest.raises(ForbiddenError) as refused:
            send(server, client.prepare("GET", ORIGIN + "/"))
        assert refused.value.status == 403
    assert seen and len(seen[0]) == 32
    # The hook's exception refused the client and was reported, not swallowed.
    assert any(isinstance(e, RuntimeError) for e in reported)


@pytest.mark.parametrize(
    "options",
    [
        {"replay": "memcached://x"},
        {"max_skew": 1},
        {"max_age": 0},
        {"max_body": 0},
        {"replay_capacity": 0},
    ],
)
def test_bad_configuration_fails_at_construction(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        cs.V2Server(cs.generate_secret_key(), [ORIGIN], **options)  # type: ignore[arg-type]


def test_v1_is_off_by_default_and_served_with_accept_v1() -> None:
    secret = cs.generate_secret_key()
    client_secret = cs.generate_secret_key()
    v1_client = cs.Client(cs.public_key(secret), client_secret, ORIGIN)
    prepared = v1_client.prepare("GET", "/x")
    auth = dict(prepared.headers)["authorization"]
    with pytest.raises(cs.MalformedRequestError):
        cs.V2Server(secret, [ORIGIN]).authenticate("GET", b"/x", [auth], None, b"")
    both = cs.V2Server(secret, [ORIGIN], accept_v1=True)
    got = both.authenticate("GET", b"/x", [auth], None, b"")
    assert got.version == 1 and got.client_key.hex() == cs.public_key(client_secret)
    sealed = got.seal(200, "text/plain", b"ok")
    assert v1_client.open(sealed.status, dict(sealed.headers)["authorization"], sealed.body) == b"ok"
    with pytest.raises(cs.RejectedError) as v1_rejected:
        both.authenticate("GET", b"/y", [auth], None, b"")
    assert v1_rejected.value.code is None and v1_rejected.value.status == 401
    # CORS: the server's exposed headers name Authorization (the v1 answer's) with v1 on.
    assert cs.V2Server(secret, [ORIGIN]).exposed_headers == "Crypto-Session, WWW-Authenticate"
    assert both.exposed_headers == "Crypto-Session, WWW-Authenticate, Authorization"
    assert dict(sealed.headers)["Access-Control-Expose-Headers"] == both.exposed_headers
