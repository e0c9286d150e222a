"""FastAPI/Starlette and ASGI specifics, on a real uvicorn server where there is one."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.responses import PlainTextResponse

import apps
import crypto_sessions as cs
from conftest import AppFactory, Keys, RunningServer
from crypto_sessions.asgi import CryptoSessionMiddleware
from crypto_sessions.client import HttpxAuth, decoded
from crypto_sessions.fastapi import CryptoSessions, SecureResponse


def test_route_with_a_body_parameter(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> None:
    server = serve("uvicorn", lambda url: apps.fastapi_app(keys.server_secret, url))
    auth = HttpxAuth(keys.server_pub, keys.client_secret, version=1)
    with httpx.Client(base_url=server.base_url, auth=auth, timeout=10) as http:
        response = http.post("/withBodyParam", json={"x": 1})
        assert decoded(response) == {"payload": {"x": 1}, "envelope_keys": ["data"]}


def test_without_init_app_rejections_are_still_401(
    keys: Keys, serve: Callable[[str, AppFactory], RunningServer]
) -> None:
    def factory(url: str) -> FastAPI:
        app = FastAPI()
        sessions = CryptoSessions(secret_key=keys.server_secret, host=url)  # no app

        @app.get("/x")
        async def x(peer: cs.Peer = Depends(sessions)) -> Any:
            return SecureResponse("x")

        @app.get("/unguarded")
        async def unguarded() -> Any:
            return SecureResponse("no peer here")

        return app

    server = serve("uvicorn", factory)
    responses = [httpx.get(server.base_url + "/x"), httpx.get(server.base_url + "/x", headers={"authorization": "zz"})]
    assert [r.status_code for r in responses] == [401, 401]
    assert responses[0].content == responses[1].content
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
