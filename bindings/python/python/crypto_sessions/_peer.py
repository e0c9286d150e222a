"""The authenticated client of a request, as the Flask and FastAPI integrations
hand it to a view."""

from __future__ import annotations

from typing import Any, Optional

from crypto_sessions._native import Peer, V2Authenticated, revive

__all__ = ["CryptoPeer"]


class CryptoPeer:
    """The authenticated client of a request (Flask's ``g.crypto_peer``, FastAPI's
    ``Depends(sessions)``): ``version``
    (2, or 1 with ``accept_v1``), ``client_key`` (x-only 32 bytes for v2, compressed
    33 for v1), ``public_key`` (its hex), ``payload`` bytes and ``content_type``."""

    def __init__(self, authenticated: V2Authenticated) -> None:
        self.authenticated: Optional[V2Authenticated] = authenticated
        self.version = authenticated.version
        self.client_key = authenticated.client_key
        self.public_key = self.client_key.hex()
        self.payload = authenticated.payload
        self.content_type = authenticated.content_type

    @classmethod
    def from_v1(cls, peer: Peer) -> "CryptoPeer":
        """The client of a request the v1-only middleware authenticated (no
        ``authenticated``: that middleware seals the answer)."""
        self = cls.__new__(cls)
        self.authenticated = None
        self.version = 1
        self.client_key = bytes.fromhex(peer.public_key)
        self.public_key = peer.public_key
        self.payload = peer.raw or b""
        self.content_type = ""
        return self

    @property
    def value(self) -> Any:
        """The payload revived as the v1 reference does (JSON if it parses, else text)."""
        return revive(self.payload)

    def __repr__(self) -> str:
        return f"CryptoPeer(version={self.version}, public_key={self.public_key!r})"
