"""crypto_sessions: public-key authenticated, end-to-end encrypted HTTP requests.

Protocol v1 of the JavaScript package ``@cmdcode/crypto-session`` 1.1.10, byte for
byte, on a Rust core. This package holds the session (:class:`CryptoSession`), the
framework-free server and client (:class:`Server`, :class:`Client`) and the errors;
the integrations live in submodules:

- ``crypto_sessions.flask``: a Flask extension.
- ``crypto_sessions.fastapi``: a FastAPI/Starlette dependency and secured responses.
- ``crypto_sessions.asgi``: a pure ASGI middleware for any ASGI app.
- ``crypto_sessions.client``: an ``httpx.Auth`` and ``SecureClient``.
- ``crypto_sessions.requests``: a ``requests`` auth.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from crypto_sessions._native import (
    ANSWER_CONTENT_TYPE,
    BACKEND,
    CORE_VERSION,
    DEFAULT_MAX_BODY,
    PROTOCOL_VERSION,
    REJECTION_STATUS,
    Cipher,
    Client,
    CryptoSession,
    Decoded,
    Encoded,
    Peer,
    PreparedRequest,
    SealedAnswer,
    Server,
    V2Answer,
    V2Authenticated,
    V2Client,
    V2PreparedRequest,
    V2SealedAnswer,
    V2Server,
    generate_secret_key,
    public_key,
    revive,
    serialize,
    serialize_json,
)
from crypto_sessions.errors import (
    CryptoSessionError,
    DecryptionError,
    ErrorKind,
    HttpStatusError,
    InvalidKeyError,
    InvalidSignatureError,
    MalformedInputError,
    TooLargeError,
    UnsupportedMethodError,
    WrongPeerError,
    BusyError,
    ForbiddenError,
    InvalidAnswerError,
    InvalidBodyError,
    InvalidRequestSignatureError,
    MalformedRequestError,
    RejectedError,
    ReplayedError,
    RequestTooLargeError,
    StaleError,
    StaleRequestError,
    UnknownKeyError,
    V1OnlyServerError,
)

try:
    __version__ = version("crypto-sessions")
except PackageNotFoundError:  # imported from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "ANSWER_CONTENT_TYPE",
    "BACKEND",
    "CORE_VERSION",
    "DEFAULT_MAX_BODY",
    "PROTOCOL_VERSION",
    "REJECTION_STATUS",
    "Cipher",
    "Client",
    "CryptoSession",
    "CryptoSessionError",
    "Decoded",
    "DecryptionError",
    "Encoded",
    "ErrorKind",
    "HttpStatusError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedInputError",
    "Peer",
    "PreparedRequest",
    "SealedAnswer",
    "Server",
    "TooLargeError",
    "UnsupportedMethodError",
    "WrongPeerError",
    "V2Answer",
    "V2Authenticated",
    "V2Client",
    "V2PreparedRequest",
    "V2SealedAnswer",
    "V2Server",
    "BusyError",
    "ForbiddenError",
    "InvalidAnswerError",
    "InvalidBodyError",
    "InvalidRequestSignatureError",
    "MalformedRequestError",
    "RejectedError",
    "ReplayedError",
    "RequestTooLargeError",
    "StaleError",
    "StaleRequestError",
    "UnknownKeyError",
    "V1OnlyServerError",
    "generate_secret_key",
    "public_key",
    "revive",
    "serialize",
    "serialize_json",
]
