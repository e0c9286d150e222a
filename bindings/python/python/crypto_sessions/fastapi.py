"""FastAPI / Starlette integration: a dependency that yields the authenticated peer,
and responses sealed to it.

::

    from fastapi import Depends, FastAPI
    from crypto_sessions import Peer
    from crypto_sessions.fastapi import CryptoSessions, SecureJSONResponse

    app = FastAPI()
    sessions = CryptoSessions(app)  # CRYPTO_SESSION_KEY / CRYPTO_SESSION_HOST

    @app.post("/hello")
    async def hello(peer: Peer = Depends(sessions)):
        return SecureJSONResponse({"you_sent": peer.payload})

Protocol v2 (and v1 with ``accept_v1``): wrap the app in
:class:`crypto_sessions.asgi_v2.V2Middleware`; a view then takes the usual Pydantic
body models and returns the usual answers (all sealed), and ``Depends(current_peer)``
gives the authenticated request (``.version``, ``.client_key``)::

    app = FastAPI()

    @app.post("/notes")
    async def add(note: Note, peer: V2Authenticated = Depends(current_peer)):
        return {"n": note.n, "version": peer.version}

    asgi = V2Middleware(app)  # serve this one

The rest of this module speaks v1 only.
``CryptoSessions(app)`` (or ``init_app(app)``) registers the handler that answers
every rejection with the same empty 401; the reason is logged on the
``crypto_sessions.server`` logger. For any ASGI app, see
:class:`crypto_sessions.asgi.CryptoSessionMiddleware` (re-exported here).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from crypto_sessions._config import build_server
from crypto_sessions._http import REJECTED_STATUS, log_rejection
from crypto_sessions._native import ANSWER_CONTENT_TYPE, Peer, Server, V2Authenticated, serialize, serialize_json
from crypto_sessions.asgi import (
    PEER_STATE_KEY,
    CryptoSessionMiddleware,
    RoutedTarget,
    raw_target,
    read_request,
    sealing_peer,
)
from crypto_sessions.asgi_v2 import PEER_STATE_KEY as V2_PEER_STATE_KEY
from crypto_sessions.errors import CryptoSessionError

__all__ = [
    "CryptoSessionMiddleware",
    "CryptoSessions",
    "SecureJSONResponse",
    "SecureResponse",
    "SessionRejected",
    "current_peer",
]


class SessionRejected(HTTPException):
    """Raised by the dependency for a request that does not authenticate.

    The handler that :meth:`CryptoSessions.init_app` registers turns it into an
    empty 401; without it, Starlette's default handler still answers 401.
    """

    def __init__(self) -> None:
        super().__init__(status_code=REJECTED_STATUS)


async def _answer_rejection(request: Request, exc: Exception) -> Response:
    return Response(status_code=REJECTED_STATUS)


class CryptoSessions:
    """The dependency: ``CryptoSessions(app=None, secret_key=None, host=None)``.

    Use the instance as ``Depends(sessions)``: it yields the
    :class:`~crypto_sessions.Peer` of a valid request (also on
    ``request.state.crypto_peer``). The key and host come from the arguments, else
    ``CRYPTO_SESSION_KEY`` / ``CRYPTO_SESSION_HOST`` in the environment; a missing or
    invalid key raises here, at start-up.
    """

    def __init__(
        self,
        app: Any = None,
        secret_key: Union[str, bytes, None] = None,
        host: Optional[str] = None,
        *,
        max_body: Optional[int] = None,
        server: Optional[Server] = None,
    ) -> None:
        self.server = server if server is not None else build_server(secret_key, host, max_body)
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"CryptoSessions(server={self.server!r})"

    def init_app(self, app: Any) -> None:
        """Register the handler that answers rejections with an empty 401, and
        :class:`~crypto_sessions.asgi.RoutedTarget`, so that an absolute-form target
        is routed as the path and query the core checks."""
        app.add_exception_handler(SessionRejected, _answer_rejection)
        app.add_middleware(RoutedTarget)

    async def __call__(self, request: Request) -> Peer:
        """Authenticate the request: its peer, or raise :class:`SessionRejected`."""
        state = request.scope.get("state") or {}
        peer = state.get(PEER_STATE_KEY)
        if isinstance(peer, Peer):
            return peer  # the middleware already did it
        try:
            # request.stream() also serves a body FastAPI already read for the route.
            peer = await read_request(self.server, request.scope, request.stream())
        except CryptoSessionError as err:
            log_rejection(str(request.scope.get("method", "")), raw_target(request.scope), err)
            raise SessionRejected() from None
        except ClientDisconnect:
            raise SessionRejected() from None
        setattr(request.state, PEER_STATE_KEY, peer)
        return peer


def current_peer(request: Request) -> V2Authenticated:
    """The dependency of a view behind :class:`~crypto_sessions.asgi_v2.V2Middleware`:
    the authenticated request (``version``, ``client_key``, ``payload``,
    ``content_type``). A request that did not come through the middleware (an
    ``exempt_paths`` one, or no middleware) raises ``RuntimeError``: a 500, never an
    unauthenticated view."""
    peer = (request.scope.get("state") or {}).get(V2_PEER_STATE_KEY)
    if not isinstance(peer, V2Authenticated):
        raise RuntimeError(
            "crypto_sessions: no authenticated request; serve the app wrapped in "
            "crypto_sessions.asgi_v2.V2Middleware and do not exempt this path"
        )
    return peer


class SecureResponse(Response):
    """An answer sealed to the peer: ``SecureResponse(content, status_code=200,
    headers=None, peer=None)``.

    ``content`` is ``str`` (sent as text), ``bytes`` or a JSON-serializable value.
    The peer defaults to the request's (``request.state.crypto_peer``, set by the
    dependency or the middleware). Under :class:`CryptoSessionMiddleware` the
    middleware seals it.
    """

    media_type = ANSWER_CONTENT_TYPE

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Optional[Mapping[str, str]] = None,
        peer: Optional[Peer] = None,
        background: Optional[BackgroundTask] = None,
    ) -> None:
        self.payload = content
        self.peer = peer
        self._extra_headers = headers
        super().__init__(b"", status_code, headers, self.media_type, background)

    def plain(self) -> bytes:
        """The payload's bytes before sealing."""
        return serialize(self.payload)

    def _seal(self, peer: Peer) -> tuple[bytes, list[tuple[str, str]]]:
        sealed = peer.seal(self.payload, self.status_code)
        return sealed.body.encode("ascii"), sealed.headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Seal the payload to the request's peer, then send it."""
        outer = sealing_peer.get()
        if outer is not None and (self.peer is None or self.peer is outer):
            self.body = self.plain()
            sealed_headers: list[tuple[str, str]] = []
        else:
            peer = self.peer or (scope.get("state") or {}).get(PEER_STATE_KEY)
            if not isinstance(peer, Peer):
                raise RuntimeError(
                    "SecureResponse needs a peer: use it in a route that depends on "
                    "CryptoSessions, or pass peer="
                )
            self.body, sealed_headers = self._seal(peer)
        self.init_headers(self._extra_headers)
        self.raw_headers = [
            (k, v) for k, v in self.raw_headers if k not in (b"authorization", b"content-type")
        ] + [(k.encode("latin-1"), v.encode("latin-1")) for k, v in sealed_headers]
        if not sealed_headers:
            self.raw_headers.append((b"content-type", ANSWER_CONTENT_TYPE.encode("latin-1")))
        await super().__call__(scope, receive, send)


class SecureJSONResponse(SecureResponse):
    """An answer of the compact JSON of ``content`` (a ``str`` too becomes JSON),
    sealed to the peer: the reference's ``res.secure.json``."""

    def plain(self) -> bytes:
        """The payload's compact JSON before sealing."""
        return serialize_json(self.payload)

    def _seal(self, peer: Peer) -> tuple[bytes, list[tuple[str, str]]]:
        sealed = peer.seal_json(self.payload, self.status_code)
        return sealed.body.encode("ascii"), sealed.headers
