"""The opened answers of HTTP responses, kept beside the response objects.

The auth classes open each answer as it arrives (raising when the server's
signature does not hold) and leave the result here for :func:`decoded`.
"""

from __future__ import annotations

import weakref
from typing import Any, Optional

from crypto_sessions._native import Client, revive
from crypto_sessions.errors import CryptoSessionError, HttpStatusError

__all__ = ["decoded", "decoded_bytes"]


class _Opened:
    __slots__ = ("raw", "error")

    def __init__(self, raw: Optional[bytes], error: Optional[CryptoSessionError]) -> None:
        self.raw = raw
        self.error = error


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
