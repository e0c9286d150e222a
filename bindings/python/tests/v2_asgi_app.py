"""A FastAPI app behind V2Middleware, configured from the environment only (for
``uvicorn --factory --workers 2``), and a builder for in-process tests."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

from crypto_sessions.asgi_v2 import V2Middleware


class Note(BaseModel):
    text: str
    n: int


def routes() -> FastAPI:
    app = FastAPI()

    @app.post("/note")
    async def note(body: Note, request: Request) -> dict[str, Any]:
        peer = request.state.crypto_peer
        return {"text": body.text, "n": body.n, "version": peer.version, "pid": os.getpid()}

    @app.delete("/item")
    async def delete() -> Response:
        return Response(status_code=204)

    @app.get("/missing")
    async def missing() -> Response:
        return Response(b"nope", status_code=404, media_type="text/plain")

    @app.get("/pid")
    async def pid() -> dict[str, int]:
        return {"pid": os.getpid()}

    return app


def create() -> Any:
    return V2Middleware(routes())


def build(secret: str, host: str, **options: Any) -> Any:
    options.setdefault("replay_store_created", 0.0)
    return V2Middleware(routes(), secret, host, **options)
