"""FastAPI/Starlette and ASGI specifics, on a real uvicorn server where there is one:
the ``CryptoSessions`` dependency (v2, v1 with ``accept_v1``) and the v1 middleware."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import BaseModel
from starlette.responses import PlainTextResponse

import apps
import crypto_sessions as cs
from conftest import AppFactory, Keys, RunningServer
from crypto_sessions.asgi import CryptoSessionMiddleware
from crypto_sessions import _native
from crypto_sessions.client import HttpxAuth, SecureClient, decoded, v2_answer
from crypto_sessions.fastapi import CryptoPeer, CryptoSessions, SecureResponse


def test_route_with_a_body_parameter(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    server = serve("uvicorn", lambda url: apps.fastapi_app(keys.server_secret, url))
    auth = HttpxAuth(keys.server_pub, keys.client_secret, version=1)
    with httpx.Client(base_url=server.base_url, auth=auth, timeout=10) as http:
        # The body parameter gets the decrypted payload (v1 too), as the dependency does.
        response = http.post("/withBodyParam", json={"x": 1})
        assert decoded(response) == {"payload": {"x": 1}, "body": {"x": 1}}


class Note(BaseModel):
    text: str
    n: int


def v2_app(secret: str, host: str, **options: Any) -> FastAPI:
    """Routes guarded by the dependency: on the route, on a router, through another
    dependency; one open route; answers the usual FastAPI way."""
    app = FastAPI()
    options.setdefault("replay_store_created", 0.0)
    sessions = CryptoSessions(app, secret_key=secret, host=host, **options)

    @app.post("/note")
    async def note(body: Note, peer: CryptoPeer = Depends(sessions)) -> dict[str, Any]:
        return {"text": body.text, "n": body.n, "version": peer.version, "key": peer.public_key,
                "type": peer.content_type}

    @app.put("/bytes")
    async def put_bytes(request: Request, peer: CryptoPeer = Depends(sessions)) -> Response:
        return Response((await request.body())[::-1], media_type=request.headers["content-type"])

    @app.get("/missing")
    async def missing(peer: CryptoPeer = Depends(sessions)) -> Response:
        return Response(b"nope", status_code=404, media_type="text/plain")

    @app.get("/text")
    async def text(peer: CryptoPeer = Depends(sessions)) -> Any:
        return SecureResponse("sealed by the guard")

    async def who(peer: CryptoPeer = Depends(sessions)) -> str:
        return peer.public_key

    @app.get("/indirect")
    async def indirect(key: str = Depends(who)) -> dict[str, str]:
        return {"key": key}

    router = APIRouter(dependencies=[Depends(sessions)])

    @router.get("/in-router")
    async def in_router() -> dict[str, bool]:
        return {"guarded": True}

    app.include_router(router, prefix="/r")
    included = APIRouter()

    @included.get("/by-include")
    async def by_include() -> dict[str, bool]:
        return {"guarded": True}

    app.include_router(included, dependencies=[Depends(sessions)])

    @app.get("/open")
    async def open_route() -> dict[str, str]:
        return {"open": "yes"}

    return app


def _code(response: httpx.Response) -> str:
    return response.headers.get("www-authenticate", "")


def test_dependency_serves_v2(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    server = serve("uvicorn", lambda url: v2_app(keys.server_secret, url))
    client_key = cs.V2Client(keys.client_secret, keys.server_pub).public_key
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret)) as http:
        r = http.post("/note", json={"text": "hé", "n": 3})
        assert r.status_code == 200
        assert r.json() == {"text": "hé", "n": 3, "version": 2, "key": client_key, "type": "application/json"}
        assert "crypto-session" in r.headers and r.headers["cache-control"] == _native.V2_NO_STORE
        r = http.put("/bytes", content=b"\x00ab\xff", headers={"content-type": "application/octet-stream"})
        assert (r.content, v2_answer(r).content_type) == (b"\xffba\x00", "application/octet-stream")
        r = http.get("/missing")
        assert (r.status_code, r.content, v2_answer(r).status) == (404, b"nope", 404)
        assert http.get("/text").text == "sealed by the guard"
        assert http.get("/indirect").json() == {"key": client_key}
        assert http.get("/r/in-router").json() == {"guarded": True}
        assert http.get("/by-include").json() == {"guarded": True}
        # A body that is not the model: FastAPI's own 422, sealed as well.
        r = http.post("/note", json={"text": 1})
        assert (r.status_code, v2_answer(r).status) == (422, 422)
    with SecureClient(keys.server_pub, keys.client_secret, server.base_url) as secure:
        assert secure.get("/r/in-router") == {"guarded": True}
    # The open route is not guarded: a plain answer to a plain request.
    r = httpx.get(server.base_url + "/open")
    assert (r.status_code, r.json(), "crypto-session" in r.headers) == (200, {"open": "yes"}, False)


def test_dependency_rejects_as_the_spec_says(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    server = serve("uvicorn", lambda url: v2_app(keys.server_secret, url))
    for path in ("/note", "/indirect", "/r/in-router", "/by-include"):
        r = httpx.get(server.base_url + path)
        assert (r.status_code, _code(r)) == (401, 'CryptoSession error="malformed"'), path
    client = cs.V2Client(keys.client_secret, keys.server_pub)
    prepared = client.prepare("GET", server.base_url + "/r/in-router")
    first = httpx.get(prepared.url, headers=dict(prepared.headers))
    again = httpx.get(prepared.url, headers=dict(prepared.headers))
    assert first.status_code == 200
    assert (again.status_code, _code(again)) == (401, 'CryptoSession error="replayed"')
    other = cs.V2Client(keys.client_secret, cs.V2Client(cs.generate_secret_key(), keys.server_pub).public_key)
    prepared = other.prepare("GET", server.base_url + "/indirect")
    r = httpx.get(prepared.url, headers=dict(prepared.headers))
    assert (r.status_code, _code(r)) == (401, 'CryptoSession error="unknown_key"')
    # v1 is refused unless accept_v1 is on.
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret, version=1)) as v1:
        assert v1.get("/r/in-router").status_code == 401


def test_dependency_stale_request_is_corrected_once(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    server = serve("uvicorn", lambda url: v2_app(keys.server_secret, url, now=int(time.time()) - 700))
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret)) as http:
        assert http.post("/note", json={"text": "t", "n": 1}).json()["n"] == 1


def test_dependency_serves_v1_with_accept_v1(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    server = serve("uvicorn", lambda url: v2_app(keys.server_secret, url, accept_v1=True))
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret, version=1)) as v1:
        assert decoded(v1.post("/note", json={"text": "v1", "n": 2}))["version"] == 1
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret)) as v2:
        assert v2.post("/note", json={"text": "v2", "n": 2}).json()["version"] == 2


def test_without_init_app_a_guarded_route_fails_closed(
    keys: Keys, serve: Callable[[str, AppFactory], RunningServer]
) -> None:
    def factory(url: str) -> FastAPI:
        app = FastAPI()
        sessions = CryptoSessions(secret_key=keys.server_secret, host=url)  # no app

        @app.get("/x")
        async def x(peer: CryptoPeer = Depends(sessions)) -> Any:
            return SecureResponse("x")

        @app.get("/unguarded")
        async def unguarded() -> Any:
            return SecureResponse("no peer here")

        return app

    server = serve("uvicorn", factory)
    prepared = cs.V2Client(keys.client_secret, keys.server_pub).prepare("GET", server.base_url + "/x")
    # Never an unauthenticated view, nor an unsealed answer: a 500.
    assert httpx.get(server.base_url + "/x").status_code == 500
    assert httpx.get(prepared.url, headers=dict(prepared.headers)).status_code == 500
    # A SecureResponse with no peer is a programming error, not an answer.
    assert httpx.get(server.base_url + "/unguarded").status_code == 500


def test_middleware_checks_the_key_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRYPTO_SESSION_KEY", raising=False)
    with pytest.raises(cs.InvalidKeyError, match="CRYPTO_SESSION_KEY"):
        CryptoSessionMiddleware(PlainTextResponse("x"), host="http://h")
    with pytest.raises(cs.InvalidKeyError):
        CryptoSessions(secret_key="12" * 31, host="http://h")


def test_middleware_passes_lifespan_and_closes_websockets(keys: Keys) -> None:
    seen: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    middleware = CryptoSessionMiddleware(inner, keys.server_secret, "http://h", exempt_paths=["/open-ws"])
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(message)

    async def run() -> None:
        await middleware({"type": "lifespan"}, receive, send)
        await middleware({"type": "websocket", "path": "/ws", "headers": []}, receive, send)
        await middleware({"type": "websocket", "path": "/open-ws", "headers": []}, receive, send)

    asyncio.run(run())
    assert seen == ["lifespan", "websocket"]  # the guarded websocket never reached the app
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_middleware_can_leave_answers_unsealed(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    async def inner(scope: Any, receive: Any, send: Any) -> None:
        peer = scope["state"]["crypto_peer"]
        answer = peer.seal_json({"sealed": "by the app"})
        headers = [(k.encode(), v.encode()) for k, v in answer.headers]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body.encode()})

    server = serve(
        "uvicorn",
        lambda url: CryptoSessionMiddleware(inner, keys.server_secret, url, seal_responses=False),
    )
    auth = HttpxAuth(keys.server_pub, keys.client_secret, version=1)
    assert decoded(httpx.get(server.base_url + "/", auth=auth)) == {"sealed": "by the app"}
