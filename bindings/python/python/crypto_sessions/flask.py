"""Flask integration: authenticate crypto-session requests and answer them sealed.

::

    from flask import Flask, g
    from crypto_sessions.flask import CryptoSessions, require_session, secure_json

    app = Flask(__name__)
    sessions = CryptoSessions(app)  # CRYPTO_SESSION_KEY / CRYPTO_SESSION_HOST

    @app.post("/hello")
    @require_session
    def hello():
        return secure_json({"hello": g.crypto_peer.public_key, "you_sent": g.crypto_peer.payload})

Every rejected request gets the same 401 with an empty body; the reason is logged on
the ``crypto_sessions.server`` logger. A GET is checked against the request-target as
it came over the wire (``RAW_URI`` / ``REQUEST_URI``, which werkzeug, gunicorn,
uWSGI and mod_wsgi provide).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, cast
from urllib.parse import quote

from flask import Flask, Response, current_app, g, request

from crypto_sessions._config import build_server
from crypto_sessions._http import (
    REJECTED_STATUS,
    check_headers,
    log_rejection,
    too_large,
)
from crypto_sessions._native import Peer, SealedAnswer, Server
from crypto_sessions.errors import CryptoSessionError

__all__ = [
    "CryptoSessions",
    "current_peer",
    "require_session",
    "secure_json",
    "secure_send",
]

#: The key of the extension's state in ``app.extensions``.
EXTENSION_KEY = "crypto_sessions"
#: The app config key that turns on the guard for every view.
PROTECT_ALL_SETTING = "CRYPTO_SESSION_PROTECT_ALL"

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    """What one app's extension holds: its server and its exempt views."""

    def __init__(self, server: Server, exempt: set[Callable[..., Any]]) -> None:
        self.server = server
        self.exempt = exempt


class CryptoSessions:
    """The Flask extension: ``CryptoSessions(app=None, secret_key=None, host=None)``.

    The key and host come from the arguments, else the app config
    (``CRYPTO_SESSION_KEY``, ``CRYPTO_SESSION_HOST``, ``CRYPTO_SESSION_MAX_BODY``),
    else the environment. A missing or invalid key raises in :meth:`init_app`.
    With ``protect_all=True`` (or ``CRYPTO_SESSION_PROTECT_ALL``) every view is
    guarded except those marked with :meth:`exempt` and static files.
    """

    def __init__(
        self,
        app: Optional[Flask] = None,
        secret_key: Union[str, bytes, None] = None,
        host: Optional[str] = None,
        *,
        max_body: Optional[int] = None,
        protect_all: Optional[bool] = None,
    ) -> None:
        self._secret_key = secret_key
        self._host = host
        self._max_body = max_body
        self._protect_all = protect_all
        self._exempt: set[Callable[..., Any]] = set()
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"CryptoSessions(host={self._host!r}, protect_all={self._protect_all!r})"

    def init_app(self, app: Flask) -> None:
        """Configure ``app``: build its server now, so a bad key fails at start-up."""
        server = build_server(self._secret_key, self._host, self._max_body, app.config.get)
        app.extensions[EXTENSION_KEY] = _State(server, self._exempt)
        protect_all = self._protect_all
        if protect_all is None:
            protect_all = bool(app.config.get(PROTECT_ALL_SETTING, False))
        if protect_all:
            app.before_request(_guard_every_view)

    def server(self, app: Optional[Flask] = None) -> Server:
        """The :class:`Server` of ``app`` (default: the current app)."""
        return _state(app).server

    def exempt(self, view: F) -> F:
        """Mark a view as open when the whole app is guarded (``protect_all``)."""
        self._exempt.add(view)
        return view

    @staticmethod
    def require_session(view: F) -> F:
        """Guard one view; the same as the module's :func:`require_session`."""
        return require_session(view)


def _state(app: Optional[Flask] = None) -> _State:
    target = app if app is not None else current_app
    state = target.extensions.get(EXTENSION_KEY)
    if state is None:
        raise RuntimeError("crypto_sessions: call CryptoSessions(app) or init_app(app) first")
    return cast(_State, state)


# Bytes a re-quoted path keeps as they are: visible ASCII but '%', '?' and '#'.
_KEPT = bytes(b for b in range(0x21, 0x7F) if b not in b"%?#").decode("ascii")


def _raw_target() -> bytes:
    """The request-target's bytes as received: the WSGI server's ``RAW_URI`` /
    ``REQUEST_URI`` (werkzeug, gunicorn, uWSGI), else ``PATH_INFO`` re-quoted with
    ``QUERY_STRING`` (a target the client sent otherwise then fails to verify: the
    check fails closed). The core parses it; nothing is decoded here."""
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        # WSGI hands over the bytes as latin-1 characters.
        return str(raw).encode("latin-1", "replace")
    path = quote(str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "")), safe=_KEPT, encoding="latin-1")
    query = str(environ.get("QUERY_STRING", ""))
    return (path + "?" + query if query else path).encode("latin-1", "replace")


def _raw_method() -> str:
    """The method as it came on the request line (werkzeug's ``request.method`` is
    upper-cased, which would let ``gEt`` pass as ``GET``)."""
    return str(request.environ.get("REQUEST_METHOD", ""))


def _read_body(max_body: int) -> bytes:
    """The body, refused before reading when its Content-Length is over the limit
    and as soon as it grows past it (a chunked body has no length)."""
    check_headers(
        _state().server,
        _raw_method(),
        request.headers.get("Content-Length"),
        request.headers.get("Transfer-Encoding"),
    )
    stream = request.stream
    chunks: list[bytes] = []
    size = 0
    while True:
        # A read may return less than asked (one chunk of a chunked body).
        chunk = stream.read(min(65536, max_body + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_body:
            raise too_large(size, max_body)
        chunks.append(chunk)


def _authenticate() -> Optional[Peer]:
    """The request's peer (cached on ``g``), or ``None`` after logging why not."""
    peer = g.get("crypto_peer")
    if peer is not None:
        return cast(Peer, peer)
    server = _state().server
    target = _raw_target()
    try:
        body = _read_body(server.max_body)
        peer = server.authenticate(
            _raw_method(), target, request.headers.get("Authorization"), body
        )
    except CryptoSessionError as err:
        log_rejection(_raw_method(), target, err)
        return None
    g.crypto_peer = peer
    return peer


def _rejection() -> Response:
    response = Response(b"", status=REJECTED_STATUS)
    del response.headers["Content-Type"]
    return response


def _guard_every_view() -> Optional[Response]:
    state = _state()
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint == "static" or (view is not None and view in state.exempt):
        return None
    return None if _authenticate() is not None else _rejection()


def require_session(view: F) -> F:
    """Guard a view: a valid crypto-session request reaches it with the peer on
    ``flask.g.crypto_peer``; anything else gets an empty 401."""
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            if _authenticate() is None:
                return _rejection()
            return await view(*args, **kwargs)

        return cast(F, guarded_async)

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if _authenticate() is None:
            return _rejection()
        return view(*args, **kwargs)

    return cast(F, guarded)


def current_peer() -> Peer:
    """The authenticated peer of the current request, or ``RuntimeError``."""
    peer = g.get("crypto_peer")
    if peer is None:
        raise RuntimeError(
            "crypto_sessions: no authenticated peer; guard the view with @require_session"
        )
    return cast(Peer, peer)


def _response(sealed: SealedAnswer) -> Response:
    return Response(sealed.body, status=sealed.status, headers=sealed.headers)


def secure_send(text: Union[str, bytes], status: int = 200) -> Response:
    """A sealed answer of ``text`` to the current peer (the reference's
    ``res.secure.send``)."""
    return _response(current_peer().seal(text, status))


def secure_json(value: Any, status: int = 200) -> Response:
    """A sealed answer of the compact JSON of ``value`` to the current peer (the
    reference's ``res.secure.json``)."""
    return _response(current_peer().seal_json(value, status))
