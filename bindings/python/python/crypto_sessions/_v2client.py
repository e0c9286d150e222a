"""What every v2 HTTP client does the same way, whatever the HTTP library: prepare a
request for the URL actually sent, open the response (a 401 without a
``CryptoSession`` challenge is a v1-only server), and hand the plaintext back."""

from __future__ import annotations

from typing import Optional, Protocol, Union
from urllib.parse import urlsplit

from crypto_sessions._native import (
    V2_AUTH_SCHEME,
    V2_CRYPTO_SESSION,
    V2_WWW_AUTHENTICATE,
    V2Answer,
    V2Client,
    V2PreparedRequest,
)
from crypto_sessions.errors import MalformedInputError, V1OnlyServerError

KeyArg = Union[str, bytes]


class Headers(Protocol):
    """A response's headers (httpx's and requests' are case-insensitive)."""

    def get(self, name: str) -> Optional[str]: ...


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class V2Exchange:
    """One client key and one server key; ``host`` is the origin the server signs
    for (its ``CRYPTO_SESSION_HOST``), by default the URL's own."""

    def __init__(self, server_key: KeyArg, secret_key: KeyArg, host: Optional[str], now: Optional[int] = None) -> None:
        self.client = V2Client(secret_key, server_key, now=now)
        self.host = host.rstrip("/") if host else None

    def prepare(self, method: str, url: str, raw_target: str, content_type: str, body: bytes) -> V2PreparedRequest:
        """Sign ``method`` on ``url`` (whose request-target as sent is ``raw_target``)
        with the body; refuses a URL that would be signed other than it is sent."""
        signed_origin = self.host or _origin(url)
        prepared = self.client.prepare(method, signed_origin + raw_target, content_type, body)
        if prepared.url != signed_origin + raw_target:
            raise MalformedInputError(
                f"malformed input: {raw_target!r} would be signed as {prepared.url[len(signed_origin):]!r}"
            )
        return prepared

    def open(self, prepared: V2PreparedRequest, status: int, headers: Headers, body: bytes) -> V2Answer:
        """The verified answer, or raise (``StaleError`` carries the one retry).
        ``headers`` is the response's case-insensitive header mapping."""
        crypto_session = headers.get(V2_CRYPTO_SESSION)
        www_authenticate = headers.get(V2_WWW_AUTHENTICATE)
        challenged = (www_authenticate or "").strip()[: len(V2_AUTH_SCHEME)].lower() == V2_AUTH_SCHEME.lower()
        if status == 401 and crypto_session is None and not challenged:
            raise V1OnlyServerError(
                "the server answered 401 without a `WWW-Authenticate: CryptoSession` challenge: "
                "it may speak only protocol v1. Upgrade it, or pass version=1 to the client",
                401,
            )
        return self.client.open(prepared, status, crypto_session, www_authenticate, body)
