"""The test applications: the reference's test routes on every server integration.

Routes (as the reference's own test server): ``GET /getSend?challenge=`` answers the
challenge as text, ``GET /getJson`` the query as JSON, ``POST /postSend`` the
payload's ``challenge`` as text, ``POST /postJson`` the payload as JSON. Plus
``POST /created`` (status 201), ``PUT /put`` (never reached), ``GET /whoami`` (the peer's key) and an open
``GET /health``.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qsl

from fastapi import Body, Depends, FastAPI, Request
from flask import Flask, g, request

import crypto_sessions as cs
from crypto_sessions.asgi import CryptoSessionMiddleware
from crypto_sessions.fastapi import CryptoSessions as FastAPISessions
from crypto_sessions.fastapi import CryptoPeer, SecureJSONResponse, SecureResponse
from crypto_sessions.flask import CryptoSessions as FlaskSessions
from crypto_sessions.flask import require_session, secure_json, secure_send


def flask_app(secret: str, host: str, max_body: Optional[int] = None, **options: Any) -> Flask:
    app = Flask("crypto_sessions_test")
    options.setdefault("accept_v1", True)
    sessions = FlaskSessions(app, secret_key=secret, host=host, max_body=max_body, **options)

    @app.get("/getSend")
    @require_session
    def get_send() -> Any:
        return secure_send(request.args["challenge"])

    @app.get("/getJson")
    @require_session
    def get_json() -> Any:
        return secure_json(request.args.to_dict())

    @app.post("/postSend")
    @require_session
    def post_send() -> Any:
        return secure_send(request.get_json()["challenge"])

    @app.post("/postJson")
    @require_session
    def post_json() -> Any:
        return secure_json(g.crypto_peer.value)

    @app.post("/created")
    @require_session
    def created() -> Any:
        return secure_send("created", 201)

    @app.put("/put")
    @require_session
    def put() -> Any:  # v1 cannot sign a PUT: every PUT is rejected
        return secure_send("unreachable")

    @app.get("/whoami")
    @require_session
    def whoami() -> Any:
        return secure_json({"peer": g.crypto_peer.public_key})

    @app.get("/health")
    @sessions.exempt
    def health() -> Any:
        return "ok"

    return app


def flask_v2_app(secret: str, host: str, **options: Any) -> Flask:
    """Protocol v2 routes answering the usual Flask way (dicts, strings, Responses)."""
    app = Flask("crypto_sessions_v2_test")
    options.setdefault("replay_store_created", 0.0)
    FlaskSessions(app, secret_key=secret, host=host, **options)
    add_v2_routes(app)
    return app


def add_v2_routes(app: Flask) -> None:
    from flask import Response

    @app.get("/query")
    @require_session
    def query() -> Any:
        return dict(request.args)

    @app.post("/json")
    @require_session
    def post_json() -> Any:
        return {"got": request.get_json(), "type": request.content_type}

    @app.put("/bytes")
    @require_session
    def put_bytes() -> Any:
        return Response(request.get_data()[::-1], content_type=request.content_type)

    @app.delete("/item")
    @require_session
    def delete() -> Any:
        return "", 204

    @app.get("/missing")
    @require_session
    def missing() -> Any:
        return "nope", 404

    @app.get("/whoami")
    @require_session
    def whoami() -> Any:
        return {"version": g.crypto_peer.version, "key": g.crypto_peer.public_key}


def fastapi_app(secret: str, host: str, max_body: Optional[int] = None) -> FastAPI:
    app = FastAPI()
    sessions = FastAPISessions(app, secret_key=secret, host=host, max_body=max_body, accept_v1=True)

    @app.get("/getSend")
    async def get_send(challenge: str, peer: CryptoPeer = Depends(sessions)) -> SecureResponse:
        return SecureResponse(challenge)

    @app.get("/getJson")
    def get_json(request: Request, peer: CryptoPeer = Depends(sessions)) -> SecureJSONResponse:
        return SecureJSONResponse(dict(request.query_params), peer=peer)

    @app.post("/postSend")
    async def post_send(peer: CryptoPeer = Depends(sessions)) -> SecureResponse:
        return SecureResponse(peer.value["challenge"])

    @app.post("/postJson")
    async def post_json(peer: CryptoPeer = Depends(sessions)) -> SecureJSONResponse:
        return SecureJSONResponse(peer.value)

    @app.post("/created")
    async def created(peer: CryptoPeer = Depends(sessions)) -> SecureResponse:
        return SecureResponse("created", status_code=201)

    @app.post("/withBodyParam")
    async def with_body_param(
        body: dict[str, Any] = Body(...), peer: CryptoPeer = Depends(sessions)
    ) -> SecureJSONResponse:
        # The guard hands the decrypted payload to FastAPI as the body.
        return SecureJSONResponse({"payload": peer.value, "body": body})

    @app.put("/put")
    async def put(peer: CryptoPeer = Depends(sessions)) -> SecureResponse:
        return SecureResponse("unreachable")

    @app.get("/whoami")
    async def whoami(peer: CryptoPeer = Depends(sessions)) -> SecureJSONResponse:
        return SecureJSONResponse({"peer": peer.public_key})

    @app.get("/health")
    async def health() -> str:
        return "ok"

    return app


async def _raw_asgi_routes(scope: Any, receive: Any, send: Any) -> None:
    """A bare ASGI app (no framework): it answers plainly, the middleware seals."""
    import json

    assert scope["type"] == "http"
    message = await receive()
    body: bytes = message.get("body", b"")
    peer = scope.get("state", {}).get("crypto_peer")
    query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
    path = scope["path"]
    status = 200
    if path == "/getSend":
        out = query["challenge"].encode()
    elif path == "/getJson":
        out = cs.serialize_json(query)
    elif path == "/postSend":
        out = json.loads(body)["challenge"].encode()
    elif path == "/postJson":
        out = cs.serialize_json(peer.payload)
    elif path == "/created":
        out, status = b"created", 201
    elif path == "/whoami":
        out = cs.serialize_json({"peer": peer.public_key})
    elif path == "/health":
        out = b"ok"
    else:
        out, status = b"not found", 404
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/octet-stream")],
        }
    )
    await send({"type": "http.response.body", "body": out})


def middleware_app(secret: str, host: str, max_body: Optional[int] = None) -> Any:
    return CryptoSessionMiddleware(
        _raw_asgi_routes, secret, host, max_body=max_body, exempt_paths=["/health"]
    )


def fastapi_behind_middleware(secret: str, host: str, max_body: Optional[int] = None) -> Any:
    """FastAPI routes (with the dependency and SecureResponse) inside the middleware:
    the answers must be sealed once, not twice."""
    return CryptoSessionMiddleware(
        fastapi_app(secret, host, max_body), secret, host, max_body=max_body,
        exempt_paths=["/health"],
    )
