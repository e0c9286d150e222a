"""The exceptions of crypto_sessions: one class per error kind of the core.

Every failure raised by the library is a :class:`CryptoSessionError`. Each subclass
stands for one :class:`ErrorKind` of the Rust core (the numbers are the core's stable
codes) and carries it as ``kind``. Input errors also subclass :class:`ValueError`, so
``except ValueError`` keeps working where it should. Messages never contain secret
material.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Optional

__all__ = [
    "ErrorKind",
    "CryptoSessionError",
    "MalformedInputError",
    "InvalidKeyError",
    "DecryptionError",
    "InvalidSignatureError",
    "WrongPeerError",
    "TooLargeError",
    "UnsupportedMethodError",
    "HttpStatusError",
    "RejectedError",
    "MalformedRequestError",
    "UnknownKeyError",
    "StaleRequestError",
    "InvalidRequestSignatureError",
    "ReplayedError",
    "ForbiddenError",
    "InvalidBodyError",
    "RequestTooLargeError",
    "BusyError",
    "StaleError",
    "InvalidAnswerError",
    "V1OnlyServerError",
    "rejected",
]


class ErrorKind(enum.IntEnum):
    """What went wrong, with the core's stable numeric codes."""

    MALFORMED_INPUT = 1
    INVALID_KEY = 2
    DECRYPT_FAILED = 3
    INVALID_SIGNATURE = 4
    WRONG_PEER = 5
    TOO_LARGE = 6
    UNSUPPORTED_METHOD = 7
    HTTP_STATUS = 8

    @property
    def code(self) -> str:
        """The kind as a stable snake-case identifier, e.g. ``"malformed_input"``."""
        return self.name.lower()


class CryptoSessionError(Exception):
    """Base class of every error raised by crypto_sessions; ``kind`` says which."""

    kind: ClassVar[ErrorKind]


class MalformedInputError(CryptoSessionError, ValueError):
    """Input not in the protocol's format: not base64url, empty, not the expected JSON..."""

    kind = ErrorKind.MALFORMED_INPUT


class InvalidKeyError(CryptoSessionError, ValueError):
    """A key that is not a valid secp256k1 key (or no key where one is required)."""

    kind = ErrorKind.INVALID_KEY


class DecryptionError(CryptoSessionError):
    """The encrypted data did not decrypt (bad length or padding)."""

    kind = ErrorKind.DECRYPT_FAILED


class InvalidSignatureError(CryptoSessionError):
    """The signature does not hold over the payload, or is not a signature at all."""

    kind = ErrorKind.INVALID_SIGNATURE


class WrongPeerError(InvalidSignatureError):
    """The token was signed by a key other than the expected peer.

    A subclass of :class:`InvalidSignatureError`: for the session, a signature by
    anyone else is not a valid one.
    """

    kind = ErrorKind.WRONG_PEER


class TooLargeError(CryptoSessionError, ValueError):
    """An input is larger than the configured limit."""

    kind = ErrorKind.TOO_LARGE


class UnsupportedMethodError(CryptoSessionError, ValueError):
    """An HTTP method that protocol v1 does not sign (it knows GET and POST)."""

    kind = ErrorKind.UNSUPPORTED_METHOD


class HttpStatusError(CryptoSessionError):
    """A client received an answer whose status is not 2xx; ``status`` holds it."""

    kind = ErrorKind.HTTP_STATUS

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        #: The HTTP status the server answered with.
        self.status = status

    def __reduce__(self) -> tuple[type[HttpStatusError], tuple[str, Optional[int]]]:
        return (type(self), (str(self), self.status))


class RejectedError(HttpStatusError):
    """A rejected request. A server gets it from ``V2Server.authenticate`` (answer
    with ``status``, :attr:`headers` and an empty body); a client gets it for an
    unsigned rejection (the outcome is then unknown: never proof that the request
    was not executed).

    ``code`` is the protocol's error code (``None`` for v1, which rejects
    uniformly); each code has its subclass below.
    """

    _code: ClassVar[Optional[str]] = None

    @property
    def code(self) -> Optional[str]:
        """The protocol's error code (``"stale"``, ``"replayed"``...); ``None`` for v1."""
        return self._code

    def __init__(
        self,
        message: str,
        status: Optional[int] = None,
        www_authenticate: Optional[str] = None,
        stale_answer: Optional[str] = None,
        headers: Optional[list[tuple[str, str]]] = None,
    ) -> None:
        super().__init__(message, status)
        #: The ``WWW-Authenticate`` value to send (server side).
        self.www_authenticate = www_authenticate
        #: The ``Crypto-Session`` value of the signed stale answer, if any.
        self.stale_answer = stale_answer
        self._headers = None if headers is None else [(str(k), str(v)) for k, v in headers]

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The headers of the rejection, as the core builds them (server side): the
        rejecting server's, whose CORS exposed headers name ``Authorization`` when it
        accepts v1; for one made by hand, those of a v2-only server."""
        from crypto_sessions import _native

        if self._headers is not None:
            return list(self._headers)
        out: list[tuple[str, str]] = []
        if self.www_authenticate is not None:
            out.append((_native.V2_WWW_AUTHENTICATE, self.www_authenticate))
        if self.code is not None:
            out.append((_native.V2_ACCESS_CONTROL_EXPOSE_HEADERS, _native.V2_EXPOSED_HEADERS))
            out.append((_native.V2_CACHE_CONTROL, _native.V2_NO_STORE))
        if self.stale_answer is not None:
            out.append((_native.V2_CRYPTO_SESSION, self.stale_answer))
        return out

    def __reduce__(self) -> Any:
        return (type(self), (str(self), self.status, self.www_authenticate, self.stale_answer, self._headers))


class MalformedRequestError(RejectedError):
    """``malformed`` (401): not a v2 request of the right syntax."""

    _code = "malformed"


class UnknownKeyError(RejectedError):
    """``unknown_key`` (401): the request names none of the server's keys."""

    _code = "unknown_key"


class StaleRequestError(RejectedError):
    """``stale`` (401): outside the server's freshness window."""

    _code = "stale"


class InvalidRequestSignatureError(RejectedError):
    """``invalid_signature`` (401): bad client key or signature, or another origin."""

    _code = "invalid_signature"


class ReplayedError(RejectedError):
    """``replayed`` (401): this request was seen already."""

    _code = "replayed"


class ForbiddenError(RejectedError):
    """``forbidden`` (403): the server's admission hook refused the client."""

    _code = "forbidden"


class InvalidBodyError(RejectedError):
    """``invalid_body`` (401): the body does not open."""

    _code = "invalid_body"


class RequestTooLargeError(RejectedError):
    """``too_large`` (413): the body is larger than the server's ``max_body``."""

    _code = "too_large"


class BusyError(RejectedError):
    """``busy`` (503): the replay store is full or unreachable."""

    _code = "busy"


_BY_CODE: dict[str, type[RejectedError]] = {
    c._code: c
    for c in (
        MalformedRequestError,
        UnknownKeyError,
        StaleRequestError,
        InvalidRequestSignatureError,
        ReplayedError,
        ForbiddenError,
        InvalidBodyError,
        RequestTooLargeError,
        BusyError,
    )
    if c._code is not None
}


def rejected(
    code: Optional[str],
    status: int,
    message: str,
    www_authenticate: Optional[str] = None,
    stale_answer: Optional[str] = None,
    headers: Optional[list[tuple[str, str]]] = None,
) -> RejectedError:
    """The exception of a rejection with ``code`` (the core builds them this way,
    with the rejection's headers)."""
    cls = _BY_CODE.get(code or "", RejectedError)
    return cls(message, status, www_authenticate, stale_answer, headers)


class StaleError(StaleRequestError):
    """A verified signed stale answer: the request was NOT executed.

    ``server_time`` is the server's clock; ``offset_applied`` says whether the
    client now dates its requests by it; ``retry`` is the one retry to send (a
    ``V2PreparedRequest``), or ``None`` when none is allowed.
    """

    def __init__(self, message: str, server_time: int, offset_applied: bool, retry: Any = None) -> None:
        super().__init__(message, 401)
        self.server_time = server_time
        self.offset_applied = offset_applied
        self.retry = retry

    def __reduce__(self) -> Any:
        return (type(self), (str(self), self.server_time, self.offset_applied, None))


class InvalidAnswerError(InvalidSignatureError):
    """``invalid_answer``: the response is not a sound answer to this request (bad
    or missing signature, an answer to another request, a body that does not open).
    Never data."""

    code = "invalid_answer"


class V1OnlyServerError(RejectedError):
    """A 401 without ``WWW-Authenticate: CryptoSession`` to a v2 request: the server
    may speak only protocol v1. Upgrade it, or pass ``version=1`` to the client."""
