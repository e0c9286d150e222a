"""A pure ASGI middleware that guards any ASGI application with crypto-sessions.

::

    app = CryptoSessionMiddleware(app)  # CRYPTO_SESSION_KEY / CRYPTO_SESSION_HOST

For each HTTP request the middleware reads the body (refusing more than
``max_body`` bytes, and a larger ``Content-Length`` before reading), authenticates it
against the raw request-target (``raw_path`` and ``query_string``), and then:

- rejects it with the same empty 401 whatever the reason (logged on the
  ``crypto_sessions.server`` logger), or
- calls the app with the :class:`~crypto_sessions.Peer` in ``scope["state"]["crypto_peer"]``
  (Starlette: ``request.state.crypto_peer``) and the decrypted payload as the request
  body, and seals the app's answer to the peer (unless ``seal_responses=False``; a
  :class:`crypto_sessions.fastapi.SecureResponse` is then not sealed twice).

Paths in ``exempt_paths`` pass through untouched; websocket connections are closed
(protocol v1 signs HTTP requests only) unless exempt.
"""

from __future__ import annotations

import contextvars
from urllib.parse import unquote
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, MutableMapping, Optional, Union

from crypto_sessions._config import build_server
from crypto_sessions._http import (
    REJECTED_STATUS,
    check_headers,
    log_rejection,
    too_large,
)
from crypto_sessions._native import Peer, Server, signed_url
from crypto_sessions.errors import CryptoSessionError

__all__ = [
    "ClientGone",
    "CryptoSessionMiddleware",
    "PEER_STATE_KEY",
    "RoutedTarget",
    "read_request",
    "receive_chunks",
    "send_rejection",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Where the authenticated peer is kept in ``scope["state"]``.
PEER_STATE_KEY = "crypto_peer"

# Set while the middleware will seal the app's answer, so that a SecureResponse
# inside sends its payload plainly instead of sealing it twice.
sealing_peer: contextvars.ContextVar[Optional[Peer]] = contextvars.ContextVar(
    "crypto_sessions_sealing_peer", default=None
)


def _header(scope: Scope, name: bytes) -> Optional[str]:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


#: Where :func:`routed` keeps the request-target as received, for authentication.
RAW_TARGET_KEY = "crypto_sessions.raw_target"


def raw_target(scope: Scope) -> bytes:
    """The request-target's bytes as received: ``raw_path`` and ``query_string``
    (empty when the server gives no ``raw_path``: the core then refuses it), or what
    :func:`routed` kept of an absolute-form target. The core parses it; nothing is
    decoded here."""
    kept = scope.get(RAW_TARGET_KEY)
    if kept is not None:
        return bytes(kept)
    raw_path = scope.get("raw_path")
    if raw_path is None:
        return b""
    query = scope.get("query_string") or b""
    return bytes(raw_path) + b"?" + bytes(query) if query else bytes(raw_path)


def routed(scope: Scope) -> Scope:
    """The scope a router should see.

    uvicorn (h11) puts an absolute-form target (``GET http://host/a?b HTTP/1.1``)
    whole in ``path``, so no route matches it. For such a target this gives a copy
    whose ``path``, ``raw_path`` and ``query_string`` are the origin-form target the
    core makes of it (:func:`~crypto_sessions.signed_url`, the same cut at the first
    ``/`` or ``?`` as the server's check), and which keeps the target as received
    for authentication: the core then accepts it only when its origin is the
    configured one, and the route that runs is the path and query it checked.
    Any other scope is returned as it is.
    """
    if scope.get("type") != "http" or RAW_TARGET_KEY in scope:
        return scope
    raw = raw_target(scope)
    if not raw or raw.startswith(b"/"):
        return scope
    try:
        _, target = signed_url(None, raw.decode("ascii"))
    except (CryptoSessionError, UnicodeDecodeError, ValueError):
        return scope  # not a URL: nothing routes it, and the core refuses it
    path, _, query = target.partition("?")
    inner: Scope = dict(scope)
    inner[RAW_TARGET_KEY] = raw
    inner["raw_path"] = path.encode("ascii")
    inner["path"] = unquote(path)
    inner["query_string"] = query.encode("ascii")
    return inner


class RoutedTarget:
    """An ASGI middleware that gives the app :func:`routed` scopes: registered by
    :class:`crypto_sessions.fastapi.CryptoSessions` so that its guard, which matches
    the route, sees an absolute-form target routed as the core checks it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(routed(scope), receive, send)


class ClientGone(Exception):
    """The client disconnected before its request body arrived."""


async def receive_chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The body chunks of an ASGI HTTP request; :class:`ClientGone` on disconnect."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone()
        yield bytes(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _read_body(chunks: AsyncIterator[bytes], max_body: int) -> bytes:
    """The whole body, refused as soon as it grows past ``max_body`` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_body:
            raise too_large(size, max_body)
        parts.append(chunk)
    return b"".join(parts)


async def read_request(server: Server, scope: Scope, chunks: AsyncIterator[bytes]) -> Peer:
    """Authenticate one HTTP request: its ASGI ``scope`` and its body ``chunks``.

    Raises :class:`~crypto_sessions.CryptoSessionError` (the body is not read when its
    ``Content-Length`` is over the limit).
    """
    max_body = server.max_body
    method = str(scope.get("method", ""))
    check_headers(
        server, method, _header(scope, b"content-length"), _header(scope, b"transfer-encoding")
    )
    body = await _read_body(chunks, max_body)
    return server.authenticate(method, raw_target(scope), _header(scope, b"authorization"), body)


async def send_rejection(send: Send) -> None:
    """The one answer to every rejected request: 401, no body, no extra headers."""
    await send(
        {
            "type": "http.response.start",
            "status": REJECTED_STATUS,
            "headers": [(b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _replay(payload: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the decrypted payload, then waits as usual."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}
        return await receive()

    return replay


class _SealingSend:
    """Collect the app's answer and send it sealed to the peer."""

    _DROPPED = {b"content-length", b"content-type", b"authorization", b"transfer-encoding"}

    def __init__(self, peer: Peer, send: Send) -> None:
        self.peer = peer
        self.send = send
        self.start: Optional[Message] = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.start = message
            return
        if kind != "http.response.body" or self.start is None:
            await self.send(message)
            return
        self.chunks.append(bytes(message.get("body", b"")))
        if message.get("more_body", False):
            return
        sealed = self.peer.seal(b"".join(self.chunks), int(self.start["status"]))
        body = sealed.body.encode("ascii")
        headers = [
            (bytes(k), bytes(v))
            for k, v in self.start.get("headers", ())
            if bytes(k).lower() not in self._DROPPED
        ]
        headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in sealed.headers]
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body, "more_body": False})


class CryptoSessionMiddleware:
    """``CryptoSessionMiddleware(app, secret_key=None, host=None, *, max_body=None,
    exempt_paths=(), seal_responses=True, server=None)``.

    The key and host come from the arguments, else ``CRYPTO_SESSION_KEY`` /
    ``CRYPTO_SESSION_HOST`` in the environment; a missing or invalid key raises
    here, when the middleware is built. Pass ``server`` to share a
    :class:`~crypto_sessions.Server` (and its caches) with other code.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: Union[str, bytes, None] = None,
        host: Optional[str] = None,
        *,
        max_body: Optional[int] = None,
        exempt_paths: Iterable[str] = (),
        seal_responses: bool = True,
        server: Optional[Server] = None,
    ) -> None:
        self.app = app
        self.server = server if server is not None else build_server(secret_key, host, max_body)
        self.exempt_paths = frozenset(exempt_paths)
        self.seal_responses = seal_responses

    def __repr__(self) -> str:
        return f"CryptoSessionMiddleware(server={self.server!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard one ASGI connection."""
        scope = routed(scope)
        kind = scope["type"]
        if kind not in ("http", "websocket") or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        method = str(scope.get("method", ""))
        try:
            peer = await read_request(self.server, scope, receive_chunks(receive))
        except CryptoSessionError as err:
            log_rejection(method, raw_target(scope), err)
            await send_rejection(send)
            return
        except ClientGone:
            return
        payload = peer.raw or b""
        inner: Scope = dict(scope)
        inner["state"] = {**scope.get("state", {}), PEER_STATE_KEY: peer}
        inner["headers"] = [
            (k, v) for k, v in scope.get("headers", ()) if bytes(k).lower() != b"content-length"
        ] + [(b"content-length", str(len(payload)).encode("ascii"))]
        if not self.seal_responses:
            await self.app(inner, _replay(payload, receive), send)
            return
        token = sealing_peer.set(peer)
        try:
            await self.app(inner, _replay(payload, receive), _SealingSend(peer, send))
        finally:
            sealing_peer.reset(token)
