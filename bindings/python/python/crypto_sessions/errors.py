"""The exceptions of crypto_sessions: one class per error kind of the core.

Every failure raised by the library is a :class:`CryptoSessionError`. Each subclass
stands for one :class:`ErrorKind` of the Rust core (the numbers are the core's stable
codes) and carries it as ``kind``. Input errors also subclass :class:`ValueError`, so
``except ValueError`` keeps working where it should. Messages never contain secret
material.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Optional

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
