"""The opened answers of HTTP responses, kept beside the response objects.

The auth classes open each answer as it arrives (raising when the server's
signature does not hold) and leave the result here for :func:`decoded`.
"""

from __future__ import annotations

import weakref
from typing import Any, Optional

from crypto_sessions._native import Client, V2Answer, revive
from crypto_sessions.errors import CryptoSessionError, HttpStatusError

__all__ = ["decoded", "decoded_bytes", "v2_answer"]


class _Opened:
    __slots__ = ("raw", "error", "v2")

    def __init__(
        self, raw: Optional[bytes], error: Optional[CryptoSessionError], v2: Optional[V2Answer] = None
    ) -> None:
        self.raw = raw
        self.error = error
        self.v2 = v2


_opened: weakref.WeakKeyDictionary[Any, _Opened] = weakref.WeakKeyDictionary()


def open_answer(
    client: Client, response: Any, status: int, authorization: Optional[str], body: bytes
) -> None:
    """Open an answer and remember it; raise unless it is sound or merely not 2xx."""
    try:
        raw = client.open(status, authorization, body)
    except HttpStatusError as err:
        _opened[response] = _Opened(None, err)
        return
    _opened[response] = _Opened(raw, None)


def keep_v2_answer(response: Any, answer: V2Answer) -> None:
    """Remember the verified v2 answer of ``response``; a non-2xx one is an error
    for :func:`decoded`, as in v1 (:func:`v2_answer` gives it whatever its status)."""
    error = None
    if not 200 <= answer.status < 300:
        error = HttpStatusError(f"HTTP status is not 2xx: the server answered with status {answer.status}", answer.status)
    _opened[response] = _Opened(answer.payload, error, answer)


def v2_answer(response: Any) -> V2Answer:
    """The verified v2 answer of a response (status, content type, payload)."""
    opened = _opened.get(response)
    if opened is None or opened.v2 is None:
        raise LookupError("this response was not sent with a crypto_sessions v2 auth")
    return opened.v2


def _get(response: Any) -> bytes:
    opened = _opened.get(response)
    if opened is None:
        raise LookupError(
            "this response was not sent with a crypto_sessions auth (HttpxAuth, "
            "RequestsAuth or SecureClient)"
        )
    if opened.error is not None:
        raise opened.error
    assert opened.raw is not None
    return opened.raw


def decoded(response: Any) -> Any:
    """The server's answer, verified, decrypted and revived (JSON if it parses, else
    text), of an ``httpx`` or ``requests`` response sent with a crypto_sessions auth.

    Raises :class:`~crypto_sessions.HttpStatusError` for a non-2xx answer.
    """
    return revive(_get(response))


def decoded_bytes(response: Any) -> bytes:
    """Like :func:`decoded`, the plaintext bytes."""
    return _get(response)
