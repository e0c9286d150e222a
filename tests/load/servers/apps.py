"""The Python apps of the load benchmarks: FastAPI and Flask, each with the
crypto-sessions binding and without any authentication (the baseline).

Routes: ``POST /echo`` answers the JSON payload it got; ``GET /hello`` answers the
client's public key (without authentication: ``hello``). Key and origin come from
``LOAD_SECRET_KEY`` and ``LOAD_HOST``.

(No ``from __future__ import annotations``: FastAPI reads the handlers' annotations,
and names imported inside a function would not resolve as strings.)
"""

import os
from typing import Any


def _settings() -> tuple[str, str]:
    return os.environ["LOAD_SECRET_KEY"], os.environ["LOAD_HOST"]


def fastapi_app(auth: bool) -> Any:
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import JSONResponse, PlainTextResponse

    app = FastAPI()
    if not auth:

        @app.post("/echo")
        async def echo_plain(request: Request) -> JSONResponse:
            return JSONResponse(await request.json())

        @app.get("/hello")
        async def hello_plain() -> PlainTextResponse:
            return PlainTextResponse("hello")

        return app

    from crypto_sessions.fastapi import CryptoPeer, CryptoSessions, SecureJSONResponse, SecureResponse

    secret_key, host = _settings()
    sessions = CryptoSessions(app, secret_key=secret_key, host=host, accept_v1=True)  # the load tests speak v1

    @app.post("/echo")
    async def echo(peer: CryptoPeer = Depends(sessions)) -> SecureJSONResponse:
        return SecureJSONResponse(peer.value)

    @app.get("/hello")
    async def hello(peer: CryptoPeer = Depends(sessions)) -> SecureResponse:
        return SecureResponse(peer.public_key)

    return app


def flask_app(auth: bool) -> Any:
    from flask import Flask, g, jsonify, request

    app = Flask("load")
    if not auth:

        @app.post("/echo")
        def echo_plain() -> Any:
            return jsonify(request.get_json())

        @app.get("/hello")
        def hello_plain() -> Any:
            return "hello", 200, {"content-type": "text/plain"}

        return app

    from crypto_sessions.flask import CryptoSessions, require_session, secure_json, secure_send

    secret_key, host = _settings()
    CryptoSessions(app, secret_key=secret_key, host=host, accept_v1=True)  # the load tests speak v1

    @app.post("/echo")
    @require_session
    def echo() -> Any:
        return secure_json(g.crypto_peer.value)

    @app.get("/hello")
    @require_session
    def hello() -> Any:
        return secure_send(g.crypto_peer.public_key)

    return app


# gunicorn loads `apps:flask_wsgi`; LOAD_AUTH=1 selects the authenticated app.
def __getattr__(name: str) -> Any:
    if name == "flask_wsgi":
        return flask_app(os.environ.get("LOAD_AUTH") == "1")
    raise AttributeError(name)
