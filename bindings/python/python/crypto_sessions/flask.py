"""Flask integration: authenticate crypto-session requests and answer them sealed.

::

    from flask import Flask, g, request
    from crypto_sessions.flask import CryptoSessions, require_session

    app = Flask(__name__)
    sessions = CryptoSessions(app)  # CRYPTO_SESSION_KEY / CRYPTO_SESSION_HOST / ...

    @app.post("/hello")
    @require_session
    def hello():
        return {"hello": g.crypto_peer.public_key, "you_sent": request.get_json()}

Protocol v2 by default; ``accept_v1=True`` (or ``CRYPTO_SESSION_ACCEPT_V1=1``) serves
v1 requests as well. A guarded view sees the decrypted payload as the request body
with its content type (``request.get_json()`` works), and whatever it returns (a dict,
a str, a ``Response``) is sealed to the client. A v2 rejection gets the spec's status,
``WWW-Authenticate: CryptoSession error="<code>"`` and, for ``stale``, the signed stale
answer; a v1 rejection the uniform empty 401. Reasons are logged on the
``crypto_sessions.server`` logger. Preflight ``OPTIONS`` requests pass
unauthenticated and get ``Access-Control-Allow-Headers: Authorization, Content-Type, Cache-Control``.
"""

from __future__ import annotations

import functools
import inspect
import io
from typing import Any, Callable, Optional, TypeVar, Union, cast
from urllib.parse import quote

from flask import Flask, Response, current_app, g, request

from crypto_sessions._config import build_v2_server
from crypto_sessions._http import log_rejection
from crypto_sessions._native import V2_ALLOWED_HEADERS, V2Server
from crypto_sessions._peer import CryptoPeer
from crypto_sessions.errors import CryptoSessionError, RejectedError

__all__ = [
    "CryptoPeer",
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

    def __init__(self, server: V2Server, exempt: set[Callable[..., Any]]) -> None:
        self.server = server
        self.exempt = exempt


class CryptoSessions:
    """The Flask extension: ``CryptoSessions(app=None, secret_key=None, host=None, *,
    origins=None, max_age=None, max_skew=None, max_body=None, accept_v1=None,
    replay=None, admission=None, protect_all=None)``.

    Each option comes from its argument, else the app config, else the environment
    (``CRYPTO_SESSION_KEY``, ``CRYPTO_SESSION_HOST``, ``CRYPTO_SESSION_ORIGINS``,
    ``CRYPTO_SESSION_REPLAY``, ``CRYPTO_SESSION_MAX_AGE``, ``CRYPTO_SESSION_MAX_SKEW``,
    ``CRYPTO_SESSION_MAX_BODY``, ``CRYPTO_SESSION_ACCEPT_V1``); a bad value raises in
    :meth:`init_app`. With ``protect_all=True`` (or ``CRYPTO_SESSION_PROTECT_ALL``)
    every view is guarded except those marked with :meth:`exempt` and static files.
    ``now`` and ``replay_store_created`` are for tests (see ``V2Server``).
    """

    def __init__(
        self,
        app: Optional[Flask] = None,
        secret_key: Union[str, bytes, list[Union[str, bytes]], None] = None,
        host: Optional[str] = None,
        *,
        origins: Optional[list[str]] = None,
        max_age: Optional[int] = None,
        max_skew: Optional[int] = None,
        max_body: Optional[int] = None,
        accept_v1: Optional[bool] = None,
        replay: Optional[str] = None,
        admission: Optional[Callable[[bytes], bool]] = None,
        protect_all: Optional[bool] = None,
        now: Optional[int] = None,
        replay_store_created: Optional[float] = None,
    ) -> None:
        self._secret_key = secret_key
        self._host = host
        self._options: dict[str, Any] = dict(
            origins=origins,
            max_age=max_age,
            max_skew=max_skew,
            max_body=max_body,
            accept_v1=accept_v1,
            replay=replay,
            admission=admission,
            now=now,
            replay_store_created=replay_store_created,
        )
        self._protect_all = protect_all
        self._exempt: set[Callable[..., Any]] = set()
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"CryptoSessions(host={self._host!r}, protect_all={self._protect_all!r})"

    def init_app(self, app: Flask) -> None:
        """Configure ``app``: build its server now, so a bad setting fails at start-up."""
        server = build_v2_server(self._secret_key, self._host, config=app.config.get, **self._options)
        app.extensions[EXTENSION_KEY] = _State(server, self._exempt)
        protect_all = self._protect_all
        if protect_all is None:
            protect_all = bool(app.config.get(PROTECT_ALL_SETTING, False))
        if protect_all:
            app.before_request(_guard_every_view)
        app.after_request(_finish)

    def server(self, app: Optional[Flask] = None) -> V2Server:
        """The :class:`~crypto_sessions.V2Server` of ``app`` (default: the current app)."""
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


def _content_length() -> Optional[int]:
    value = request.headers.get("Content-Length")
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def _read_body(max_body: int) -> bytes:
    """The body, read at most ``max_body + 1`` bytes (the core then says
    ``too_large``); a chunked body has no length."""
    stream = request.stream
    chunks: list[bytes] = []
    size = 0
    while True:
        # A read may return less than asked (one chunk of a chunked body).
        chunk = stream.read(min(65536, max_body + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        chunks.append(chunk)
        if size > max_body:
            return b"".join(chunks)


def _is_preflight() -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _authorization() -> list[str]:
    return request.headers.getlist("Authorization")


def _authenticate() -> Union[CryptoPeer, Response]:
    """The request's peer (cached on ``g``), or the rejection to answer with."""
    peer = g.get("crypto_peer")
    if peer is not None:
        return cast(CryptoPeer, peer)
    server = _state().server
    target = _raw_target()
    try:
        server.check_content_length(_authorization(), _content_length())
        body = _read_body(server.limits[2])
        authenticated = server.authenticate(_raw_method(), target, _authorization(), _content_length(), body)
    except RejectedError as err:
        log_rejection(_raw_method(), target, err)
        response = Response(b"", status=err.status or 401, headers=err.headers)
        del response.headers["Content-Type"]
        return response
    peer = CryptoPeer(authenticated)
    _hand_payload_to_the_view(peer)
    g.crypto_peer = peer
    return peer


# What werkzeug caches about a request's body and its type.
_BODY_CACHES = ("stream", "_cached_data", "_cached_json", "form", "files", "_parsed_content_type")


def _hand_payload_to_the_view(peer: CryptoPeer) -> None:
    """Make the decrypted payload the request's body, with its content type (v1
    carries none: a payload that is JSON is marked ``application/json``)."""
    content_type = peer.content_type
    if peer.version == 1 and peer.payload and not isinstance(peer.value, str):
        content_type = "application/json"
    environ = request.environ
    environ["wsgi.input"] = io.BytesIO(peer.payload)
    environ["CONTENT_LENGTH"] = str(len(peer.payload))
    environ["CONTENT_TYPE"] = content_type
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    cached = request._get_current_object().__dict__  # type: ignore[attr-defined]
    for name in _BODY_CACHES:
        cached.pop(name, None)


def _guard_every_view() -> Optional[Response]:
    state = _state()
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint == "static" or (view is not None and view in state.exempt) or _is_preflight():
        return None
    got = _authenticate()
    return got if isinstance(got, Response) else None


# Statuses whose answers have no body (and HEAD): sealed with an empty payload.
_NO_BODY = (204, 304)


def _finish(response: Response) -> Response:
    """After every request: seal the answer to an authenticated one (never a
    plaintext answer by accident), and answer preflights' CORS question."""
    peer = g.get("crypto_peer")
    if peer is None:
        if _is_preflight():
            response.headers["Access-Control-Allow-Headers"] = V2_ALLOWED_HEADERS
        return response
    if g.get("crypto_sealed"):
        return response
    g.crypto_sealed = True
    status = response.status_code
    empty = request.method == "HEAD" or status in _NO_BODY or status < 200
    payload = b"" if empty else response.get_data()
    content_type = "" if empty else (response.headers.get("Content-Type") or "")
    authenticated = cast(CryptoPeer, peer).authenticated
    if authenticated is None:  # g.crypto_peer replaced by a peer the extension did not authenticate
        raise RuntimeError("crypto_sessions: g.crypto_peer is not the request's authenticated peer")
    try:
        sealed = authenticated.seal(status, content_type, payload)
    except CryptoSessionError as err:
        # Fail closed: nothing of the answer leaves unsealed.
        log_rejection(_raw_method(), _raw_target(), err)
        out = Response(b"", status=500)
        del out.headers["Content-Type"]
        return out
    kept = [(k, v) for k, v in response.headers.items() if k.lower() not in _REPLACED]
    out = Response(sealed.body, status=sealed.status, headers=kept + list(sealed.headers))
    if not sealed.body:
        del out.headers["Content-Type"]
    return out


_REPLACED = ("content-type", "content-length", "authorization", "crypto-session", "cache-control", "transfer-encoding")


def require_session(view: F) -> F:
    """Guard a view: a valid crypto-session request reaches it with the peer on
    ``flask.g.crypto_peer``; anything else gets the rejection."""
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            got = _authenticate()
            if isinstance(got, Response):
                return got
            return await view(*args, **kwargs)

        return cast(F, guarded_async)

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        got = _authenticate()
        if isinstance(got, Response):
            return got
        return view(*args, **kwargs)

    return cast(F, guarded)


def current_peer() -> CryptoPeer:
    """The authenticated peer of the current request, or ``RuntimeError``."""
    peer = g.get("crypto_peer")
    if peer is None:
        raise RuntimeError(
            "crypto_sessions: no authenticated peer; guard the view with @require_session"
        )
    return cast(CryptoPeer, peer)


def secure_send(text: Union[str, bytes], status: int = 200) -> Response:
    """An answer of ``text`` to the current peer, sealed after the view (the
    reference's ``res.secure.send``)."""
    current_peer()
    body = text.encode("utf-8") if isinstance(text, str) else text
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


def secure_json(value: Any, status: int = 200) -> Response:
    """An answer of the compact JSON of ``value`` to the current peer, sealed after
    the view (the reference's ``res.secure.json``)."""
    from crypto_sessions._native import serialize_json

    current_peer()
    return Response(serialize_json(value), status=status, content_type="application/json")
