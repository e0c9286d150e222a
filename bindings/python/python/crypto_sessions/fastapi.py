"""FastAPI / Starlette integration: a dependency that guards a route and yields the
authenticated client, answers sealed to it.

::

    from fastapi import Depends, FastAPI
    from crypto_sessions.fastapi import CryptoPeer, CryptoSessions

    app = FastAPI()
    sessions = CryptoSessions(app)  # CRYPTO_SESSION_KEY / CRYPTO_SESSION_HOST / ...

    @app.post("/notes")
    async def add(note: Note, peer: CryptoPeer = Depends(sessions)):
        return {"n": note.n, "version": peer.version, "key": peer.public_key}

Protocol v2 by default; ``accept_v1=True`` (or ``CRYPTO_SESSION_ACCEPT_V1=1``) serves
v1 requests as well. ``CryptoSessions(app)`` (or ``init_app(app)``) adds a middleware
on the core's :class:`~crypto_sessions.V2Server` (that of
:class:`crypto_sessions.asgi_v2.V2Middleware`) that guards every route depending on
the instance (directly, through another dependency, or in the app's or a router's
``dependencies``): such a view sees the decrypted payload as the request body with
its content type (Pydantic body models work), and whatever it returns is sealed. A
rejection gets the spec's status, ``WWW-Authenticate: CryptoSession error="<code>"``
and, for ``stale``, the signed stale answer (a v1 one the uniform empty 401); it
never reaches the view. Reasons are logged on the ``crypto_sessions.server`` logger.

To guard every route of any ASGI app, wrap it in
:class:`~crypto_sessions.asgi_v2.V2Middleware` and use ``Depends(current_peer)``;
:class:`crypto_sessions.asgi.CryptoSessionMiddleware` (re-exported here) is the older
v1-only middleware.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from crypto_sessions._config import build_v2_server
from crypto_sessions._http import REJECTED_STATUS
from crypto_sessions._native import ANSWER_CONTENT_TYPE, Peer, V2Authenticated, V2Server, serialize, serialize_json
from crypto_sessions._peer import CryptoPeer
from crypto_sessions.asgi import PEER_STATE_KEY, CryptoSessionMiddleware, RoutedTarget, sealing_peer
from crypto_sessions.asgi_v2 import V2Middleware

__all__ = [
    "CryptoPeer",
    "CryptoSessionMiddleware",
    "CryptoSessions",
    "SecureJSONResponse",
    "SecureResponse",
    "SessionRejected",
    "current_peer",
]


class SessionRejected(HTTPException):
    """A 401 for a request that does not authenticate. Kept for code that raises or
    handles it: the guard of :class:`CryptoSessions` now answers rejections itself,
    with the spec's status and headers."""

    def __init__(self) -> None:
        super().__init__(status_code=REJECTED_STATUS)


def _depends_on(dependant: Any, call: Any, depth: int = 0) -> bool:
    """Whether a FastAPI dependant needs ``call``, at any depth."""
    if dependant is None or depth > 32:
        return False
    return any(
        d.call is call or _depends_on(d, call, depth + 1) for d in getattr(dependant, "dependencies", ())
    )


def _matched_dependant(route: Any, scope: Scope) -> Any:
    """The dependant of the route that serves ``scope``, in a route that matched it.
    Older FastAPI versions flatten an included router into routes of their own (with
    the router's and the inclusion's dependencies); newer ones (0.165 is tested) keep
    it whole, each of its routes an effective context with its regex and merged
    dependant."""
    contexts = getattr(route, "effective_route_contexts", None)
    if contexts is None:
        return getattr(route, "dependant", None)
    root = str(scope.get("root_path", ""))
    path = str(scope.get("path", ""))
    path = path[len(root):] if root and path.startswith(root) else path
    for context in contexts():
        regex = getattr(context, "path_regex", None)
        if regex is not None and regex.match(path):
            return getattr(context, "dependant", None)
    return None


class _Guard:
    """The middleware :meth:`CryptoSessions.init_app` adds: a request for a route that
    depends on the sessions goes through a :class:`V2Middleware` of their server
    (authenticated, its payload as the body, its answer sealed); any other passes."""

    def __init__(self, app: ASGIApp, sessions: "CryptoSessions", routes: Any) -> None:
        self.app = app
        self.routes = routes
        self.sessions = sessions
        self.guarded = V2Middleware(app, server=sessions.server)

    def _guards(self, scope: Scope) -> bool:
        if scope["type"] not in ("http", "websocket"):
            return False
        if isinstance((scope.get("state") or {}).get(PEER_STATE_KEY), (Peer, V2Authenticated)):
            return False  # an outer middleware authenticated it and seals the answer
        for route in self.routes.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                return _depends_on(_matched_dependant(route, scope), self.sessions)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard the request when its route depends on the sessions."""
        if self._guards(scope):
            await self.guarded(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class CryptoSessions:
    """The dependency: ``CryptoSessions(app=None, secret_key=None, host=None, *,
    origins=None, max_age=None, max_skew=None, max_body=None, accept_v1=None,
    replay=None, admission=None, server=None)``, options as
    :class:`crypto_sessions.flask.CryptoSessions` (each unset one from its environment
    variable; a bad value raises here, at start-up).

    Use the instance as ``Depends(sessions)``: it guards the route (see the module)
    and yields the :class:`CryptoPeer` of the request: ``version``, ``client_key``,
    ``public_key``, ``payload`` bytes, ``content_type``, and ``value`` (the payload
    revived, as v1's ``Peer.payload`` was). ``now`` and ``replay_store_created`` are
    for tests (see ``V2Server``).
    """

    def __init__(
        self,
        app: Any = None,
        secret_key: Union[str, bytes, list[Union[str, bytes]], None] = None,
        host: Optional[str] = None,
        *,
        server: Optional[V2Server] = None,
        **options: Any,
    ) -> None:
        self.server = server if server is not None else build_v2_server(secret_key, host, **options)
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"CryptoSessions(server={self.server!r})"

    def init_app(self, app: Any) -> None:
        """Add the guard of the routes that depend on this instance, and
        :class:`~crypto_sessions.asgi.RoutedTarget` outside it, so that an
        absolute-form target is routed as the path and query the core checks."""
        app.add_middleware(_Guard, sessions=self, routes=app.router)
        app.add_middleware(RoutedTarget)

    async def __call__(self, request: Request) -> CryptoPeer:
        """The authenticated client of the request. A request the guard did not
        authenticate (no ``init_app``) raises ``RuntimeError``: a 500, never an
        unauthenticated view."""
        peer = (request.scope.get("state") or {}).get(PEER_STATE_KEY)
        if isinstance(peer, V2Authenticated):
            return CryptoPeer(peer)
        if isinstance(peer, Peer):  # the v1 CryptoSessionMiddleware, outside
            return CryptoPeer.from_v1(peer)
        raise RuntimeError(
            "crypto_sessions: no authenticated request; build CryptoSessions(app) "
            "(or call init_app(app)) so that it guards the routes that depend on it"
        )


def current_peer(request: Request) -> V2Authenticated:
    """The dependency of a view behind :class:`~crypto_sessions.asgi_v2.V2Middleware`:
    the authenticated request (``version``, ``client_key``, ``payload``,
    ``content_type``). A request that did not come through the middleware (an
    ``exempt_paths`` one, or no middleware) raises ``RuntimeError``: a 500, never an
    unauthenticated view."""
    peer = (request.scope.get("state") or {}).get(PEER_STATE_KEY)
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
    Behind the guard of :class:`CryptoSessions` (v2, and v1 with ``accept_v1``) or a
    middleware, the guard or middleware seals it, and ``peer`` is not needed; a
    ``peer=`` (a v1 :class:`~crypto_sessions.Peer`) seals it here, v1.
    """

    media_type = ANSWER_CONTENT_TYPE

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Optional[Mapping[str, str]] = None,
        peer: Union[Peer, CryptoPeer, None] = None,
        background: Optional[BackgroundTask] = None,
    ) -> None:
        self.payload = content
        self.peer = peer
        self._extra_headers = headers
        super().__init__(b"", status_code, headers, self.media_type, background)

    def plain(self) -> bytes:
        """The payload's bytes before sealing."""
        return serialize(self.payload)

    def _plain_type(self) -> str:
        if isinstance(self.payload, str):
            return "text/plain; charset=utf-8"
        if isinstance(self.payload, (bytes, bytearray, memoryview)):
            return "application/octet-stream"
        return "application/json"

    def _seal(self, peer: Peer) -> tuple[bytes, list[tuple[str, str]]]:
        sealed = peer.seal(self.payload, self.status_code)
        return sealed.body.encode("ascii"), sealed.headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Seal the payload to the request's peer, then send it."""
        outer = sealing_peer.get()
        state_peer = (scope.get("state") or {}).get(PEER_STATE_KEY)
        sealed_headers: list[tuple[str, str]] = []
        # A CryptoPeer given as peer= names the request's client: sealed as the request is.
        explicit = self.peer if isinstance(self.peer, Peer) else None
        if isinstance(state_peer, V2Authenticated):
            # The guard of CryptoSessions (or V2Middleware) seals what the view answers.
            self.body = self.plain()
            content_type = self._plain_type()
        elif outer is not None and (explicit is None or explicit is outer):
            self.body = self.plain()  # the v1 middleware around seals it
            content_type = ANSWER_CONTENT_TYPE
        else:
            peer = explicit or state_peer
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
            self.raw_headers.append((b"content-type", content_type.encode("latin-1")))
        await super().__call__(scope, receive, send)


class SecureJSONResponse(SecureResponse):
    """An answer of the compact JSON of ``content`` (a ``str`` too becomes JSON),
    sealed to the peer: the reference's ``res.secure.json``."""

    def plain(self) -> bytes:
        """The payload's compact JSON before sealing."""
        return serialize_json(self.payload)

    def _plain_type(self) -> str:
        return "application/json"

    def _seal(self, peer: Peer) -> tuple[bytes, list[tuple[str, str]]]:
        sealed = peer.seal_json(self.payload, self.status_code)
        return sealed.body.encode("ascii"), sealed.headers
