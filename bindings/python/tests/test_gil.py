"""The GIL is released while the cryptography runs.

No timing: Python's switch interval is raised so far that a thread holding the GIL
is never asked to give it up. A second thread then gets to run while a native call
is in progress only if that call released the GIL itself.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

import pytest

import crypto_sessions as cs

SIZE = 32 * 1024 * 1024  # long enough that the other thread wakes while it runs


def runs_alongside(native_call: Callable[[], Any]) -> bool:
    """Whether this thread ran while ``native_call`` was in progress in another one."""
    started = threading.Event()
    done: list[bool] = []

    def worker() -> None:
        started.set()  # wakes this thread, which then waits for the GIL
        native_call()
        done.append(True)

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        started.wait()
        ran_during_call = not done  # only reachable while the worker gave up the GIL
        thread.join()
    finally:
        sys.setswitchinterval(previous)
    assert done, "the native call did not finish"
    return ran_during_call


@pytest.fixture(scope="module")
def material() -> dict[str, Any]:
    server_secret, client_secret = cs.generate_secret_key(), cs.generate_secret_key()
    server = cs.Server(server_secret, "http://h", max_body=4 * SIZE)
    client = cs.Client(server.public_key, client_secret, "http://h")
    big = b"x" * SIZE
    session = client.session
    encoded = session.encode(big)
    prepared = client.prepare("POST", "/p", big)
    assert prepared.body is not None
    body = prepared.body.encode()
    auth = dict(prepared.headers)["authorization"]
    peer = server.authenticate("POST", "/p", auth, body)
    mirror = peer.session
    answer = peer.seal(big)
    return dict(
        big=big, session=session, mirror=mirror, encoded=encoded, server=server,
        client=client, body=body, auth=auth, answer=answer, peer=peer,
        cipher=cs.Cipher(session.shared_secret), json_text=b'"' + b"x" * SIZE + b'"',
    )


CALLS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "encode": lambda m: m["session"].encode(m["big"]),
    "decode": lambda m: m["mirror"].decode(m["encoded"].token, m["encoded"].data),
    "open": lambda m: m["mirror"].open(m["encoded"].token, m["encoded"].data),
    "sign": lambda m: m["session"].sign(m["big"]),
    "verify": lambda m: m["mirror"].verify(m["encoded"].token, m["big"]),
    "encrypt": lambda m: m["session"].encrypt(m["big"]),
    "decrypt": lambda m: m["mirror"].decrypt(m["encoded"].data),
    "Cipher.encrypt": lambda m: m["cipher"].encrypt(m["big"]),
    "Server.authenticate": lambda m: m["server"].authenticate("POST", "/p", m["auth"], m["body"]),
    "Peer.seal": lambda m: m["peer"].seal(m["big"]),
    "Client.prepare": lambda m: m["client"].prepare("POST", "/p", m["big"]),
    "Client.open": lambda m: m["client"].open(200, m["answer"].authorization, m["answer"].body),
    "revive": lambda m: cs.revive(m["json_text"]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_native_call_releases_the_gil(name: str, material: dict[str, Any]) -> None:
    assert runs_alongside(lambda: CALLS[name](material)), f"{name} held the GIL"


def test_the_probe_detects_a_call_that_holds_the_gil() -> None:
    """The same probe on pure-Python work, which keeps the GIL: it must say so."""
    assert runs_alongside(lambda: sum(range(3_000_000))) is False


SMALL_CALLS: dict[str, Callable[[cs.CryptoSession, str, cs.Cipher], Any]] = {
    "encrypt": lambda s, data, c: s.encrypt(b"x" * 100),
    "decrypt": lambda s, data, c: s.decrypt(data),
    "Cipher.encrypt": lambda s, data, c: c.encrypt(b"x" * 100),
    "Cipher.decrypt": lambda s, data, c: c.decrypt(data),
    "revive": lambda s, data, c: cs.revive(b'{"a": [1, 2, 3]}'),
}


@pytest.mark.parametrize("name", sorted(SMALL_CALLS))
def test_small_aes_or_json_work_keeps_the_gil(name: str) -> None:
    """Under 4 KiB, AES or JSON alone takes microseconds: less than handing the GIL to
    another thread and waiting to get it back, so these calls keep it."""
    secret = cs.generate_secret_key()
    session = cs.CryptoSession(cs.public_key(secret), secret)
    data = session.encrypt(b"x" * 100)
    cipher = cs.Cipher(session.shared_secret)
    assert runs_alongside(lambda: SMALL_CALLS[name](session, data, cipher)) is False
