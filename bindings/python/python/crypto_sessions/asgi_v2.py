"""Protocol v2 for any ASGI app (FastAPI, Starlette...): a middleware on
:class:`~crypto_sessions.V2Server`.

::

    app = V2Middleware(fastapi_app)   # settings as the Flask extension's (env names)

Every HTTP request but a preflight ``OPTIONS`` and the ``exempt_paths`` is
authenticated; the app then gets the decrypted payload as the body with its content
type (Pydantic body models work) and ``scope["state"]["crypto_peer"]`` (version,
client key), and its answer, whatever it is, is sealed. A rejection gets the
spec's status and headers and never reaches the app.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Union

from crypto_sessions._config import build_v2_server
from crypto_sessions._http import log_rejection
from crypto_sessions._native import V2_ALLOWED_HEADERS, V2Authenticated, V2Server, revive
from crypto_sessions.asgi import (
    ASGIApp,
    ClientGone,
    Message,
    Receive,
    Scope,
    Send,
    _replay,
    raw_target,
    receive_chunks,
)
from crypto_sessions.errors import CryptoSessionError, RejectedError

__all__ = ["PEER_STATE_KEY", "V2Middleware"]

#: Where the authenticated request is kept in ``scope["state"]``.
PEER_STATE_KEY = "crypto_peer"
_NO_BODY = (204, 304)
_DROPPED = {b"content-length", b"content-type", b"authorization", b"transfer-encoding", b"crypto-session", b"cache-control"}


def _headers(scope: Scope, name: bytes) -> list[str]:
    return [bytes(v).decode("latin-1") for k, v in scope.get("headers", ()) if bytes(k).lower() == name]


async def _empty(send: Send, status: int, headers: list[tuple[str, str]]) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw + [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


class V2Middleware:
    """``V2Middleware(app, secret_key=None, host=None, *, exempt_paths=(), server=None,
    **options)``: ``options`` as :class:`crypto_sessions.flask.CryptoSessions`
    (``origins``, ``max_age``, ``max_skew``, ``max_body``, ``accept_v1``, ``replay``,
    ``admission``, ``now``, ``replay_store_created``); each unset one from the
    environment. A bad value raises here."""

    def __init__(
        self,
        app: ASGIApp,
        secret_key: Union[str, bytes, list[Union[str, bytes]], None] = None,
        host: Optional[str] = None,
        *,
        exempt_paths: Iterable[str] = (),
        server: Optional[V2Server] = None,
        **options: Any,
    ) -> None:
        self.app = app
        self.server = server if server is not None else build_v2_server(secret_key, host, **options)
        self.exempt_paths = frozenset(exempt_paths)

    def __repr__(self) -> str:
        return f"V2Middleware(server={self.server!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard one ASGI connection."""
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            if scope["type"] == "websocket" and scope.get("path") not in self.exempt_paths:
                await receive()
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        if method == "OPTIONS" and _headers(scope, b"access-control-request-method"):
            await self.app(scope, receive, _preflight(send))
            return
        authorization = _headers(scope, b"authorization")
        length = _headers(scope, b"content-length")
        content_length = int(length[0]) if length and length[0].isdigit() else None
        try:
            self.server.check_content_length(authorization, content_length)
            body = await _read(receive_chunks(receive), self.server.limits[2])
            peer = self.server.authenticate(method, raw_target(scope), authorization, content_length, body)
        except RejectedError as err:
            log_rejection(method, raw_target(scope), err)
            await _empty(send, err.status or 401, err.headers)
            return
        except ClientGone:
            return
        inner: Scope = dict(scope)
        inner["state"] = {**scope.get("state", {}), PEER_STATE_KEY: peer}
        payload = peer.payload
        content_type = _content_type(peer)
        inner["headers"] = [
            (k, v) for k, v in scope.get("headers", ()) if bytes(k).lower() not in (b"content-length", b"content-type", b"transfer-encoding")
        ] + [(b"content-length", str(len(payload)).encode("ascii"))]
        if content_type:
            inner["headers"].append((b"content-type", content_type.encode("latin-1")))
        await self.app(inner, _replay(payload, receive), _Sealing(peer, method, send))


def _content_type(peer: V2Authenticated) -> str:
    """The payload's content type (v1 carries none: a payload that is JSON is marked
    ``application/json``, as the Flask extension does)."""
    if peer.version == 1 and peer.payload and not isinstance(revive(peer.payload), str):
        return "application/json"
    return peer.content_type


async def _read(chunks: Any, max_body: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        parts.append(chunk)
        if size > max_body:
            break  # the core answers too_large
    return b"".join(parts)


def _preflight(send: Send) -> Send:
    async def answer(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", ()) if bytes(k).lower() != b"access-control-allow-headers"]
            headers.append((b"access-control-allow-headers", V2_ALLOWED_HEADERS.encode("latin-1")))
            message = {**message, "headers": headers}
        await send(message)

    return answer


class _Sealing:
    """Collect the app's answer and send it sealed (fail closed: 500, empty)."""

    def __init__(self, peer: V2Authenticated, method: str, send: Send) -> None:
        self.peer, self.method, self.send = peer, method, send
        self.start: Optional[Message] = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.send(message)
            return
        self.chunks.append(bytes(message.get("body", b"")))
        if message.get("more_body", False):
            return
        status = int(self.start["status"])
        headers = [(bytes(k), bytes(v)) for k, v in self.start.get("headers", ())]
        content_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
        empty = self.method == "HEAD" or status in _NO_BODY or status < 200
        try:
            sealed = self.peer.seal(status, "" if empty else content_type, b"" if empty else b"".join(self.chunks))
        except CryptoSessionError:
            await _empty(self.send, 500, [])
            return
        kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED]
        kept += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in sealed.headers]
        kept.append((b"content-length", str(len(sealed.body)).encode("ascii")))
        await self.send({**self.start, "headers": kept})
        await self.send({"type": "http.response.body", "body": sealed.body, "more_body": False})
