"""The Python side of the cross-process test: a FastAPI app behind V2Middleware,
configured from the environment only (``uvicorn --factory --workers 2``). An outer
layer names the process that answered (``x-served-by: python:<pid>``) on every
answer, rejections included, so the test can see where each copy landed."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel

from crypto_sessions.asgi_v2 import V2Middleware


class Note(BaseModel):
    n: int


def _served_by(app: Any) -> Any:
    name = f"python:{os.getpid()}".encode("ascii")

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"x-served-by", name)]}
            await send(message)

        await app(scope, receive, tagged)

    return wrapped


def create() -> Any:
    app = FastAPI()

    @app.post("/note")
    async def note(body: Note, request: Request) -> dict[str, Any]:
        return {"n": body.n, "version": request.state.crypto_peer.version, "server": f"python:{os.getpid()}"}

    @app.get("/who")
    async def who() -> dict[str, str]:
        return {"server": f"python:{os.getpid()}"}

    return _served_by(V2Middleware(app))
