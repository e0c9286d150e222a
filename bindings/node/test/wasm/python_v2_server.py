#!/usr/bin/env python3
"""The project's Python v2 server for the Chromium test (browser.test.mjs): a FastAPI
app behind the package's V2Middleware (v1 as well), inside Starlette's CORSMiddleware
for the test page's origin, as the spec's "Browsers" section asks: preflights pass
unauthenticated allowing the core's headers (V2_ALLOWED_HEADERS), and answers and
rejections carry the core's Access-Control-Expose-Headers for a server accepting v1
(Authorization among them, where a v1 answer travels) beside
Access-Control-Allow-Origin.

Usage: python_v2_server.py <page origin>; the secret key in CS_SERVER_SECRET.
Prints one JSON line {"origin": ...} when listening on 127.0.0.1 (ephemeral port).
Every answer is {"version", "method", "got"} (the request's JSON payload or null).
"""

import json
import os
import socket
import sys
import time
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware

from crypto_sessions._native import V2_ALLOWED_HEADERS
from crypto_sessions.asgi_v2 import V2Middleware


def routes() -> FastAPI:
    app = FastAPI()

    async def answer(request: Request) -> dict[str, Any]:
        body = await request.body()
        peer = request.state.crypto_peer
        return {"version": peer.version, "method": request.method, "got": json.loads(body) if body else None}

    app.add_api_route("/items/{item}", answer, methods=["GET"])
    app.add_api_route("/items", answer, methods=["POST"])
    return app


def main() -> None:
    page_origin = sys.argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # A fresh key per run: no earlier process to guard against, so the memory
    # store's restart guard (max_skew after start) is dated back.
    guarded = V2Middleware(routes(), os.environ["CS_SERVER_SECRET"], origin, accept_v1=True,
                           replay_store_created=time.time() - 10)
    # No expose_headers here: the middleware's answers carry the core's own.
    app = CORSMiddleware(guarded, allow_origins=[page_origin], allow_methods=["GET", "POST"],
                         allow_headers=V2_ALLOWED_HEADERS.split(", "))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    print(json.dumps({"origin": origin}), flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
