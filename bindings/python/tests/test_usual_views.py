"""A guarded view written the usual way, on FastAPI (V2Middleware, under real
uvicorn) and Flask (the extension, under real werkzeug), for a v2 client and a v1
client of one server (``accept_v1``), through the package's httpx clients:

- the dependency (FastAPI ``Depends(current_peer)``) / ``g.crypto_peer`` give the
  version and the client's key;
- the view sees the decrypted payload as the body with its content type: Pydantic
  body models, ``await request.json()``, ``request.get_json()``;
- an answer returned the usual way (a dict, a str, a ``Response``) is sealed: the
  wire never carries it in clear, and the client opens and verifies it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import httpx
import pytest
from fastapi import Depends, FastAPI, Request, Response
from flask import Flask, g, request as flask_request
from pydantic import BaseModel

import crypto_sessions as cs
from conftest import AppFactory, Keys, RunningServer
from crypto_sessions.asgi_v2 import V2Middleware
from crypto_sessions.client import HttpxAuth, decoded, v2_answer
from crypto_sessions.fastapi import current_peer
from crypto_sessions.flask import CryptoSessions, require_session

Serve = Callable[[str, AppFactory], RunningServer]
SECRET = "sëcret-marker"  # must never cross the wire in clear


class Note(BaseModel):
    text: str
    n: int


def fastapi_app(secret: str, host: str, accept_v1: bool = True) -> Any:
    app = FastAPI()

    @app.post("/model")
    async def model(note: Note, peer: cs.V2Authenticated = Depends(current_peer)) -> dict[str, Any]:
        return {"text": note.text, "n": note.n, "version": peer.version, "key": peer.client_key.hex()}

    @app.post("/json")
    async def raw_json(request: Request, peer: cs.V2Authenticated = Depends(current_peer)) -> dict[str, Any]:
        return {"got": await request.json(), "type": request.headers.get("content-type"), "version": peer.version}

    @app.get("/str")
    async def text(q: str) -> str:
        return f"{SECRET} {q}"

    @app.get("/response")
    async def response() -> Response:
        return Response(f"{SECRET} as text".encode(), status_code=202, media_type="text/plain; charset=utf-8")

    return V2Middleware(app, secret, host, accept_v1=accept_v1, replay_store_created=0.0)


def flask_app(secret: str, host: str, accept_v1: bool = True) -> Flask:
    app = Flask("usual_views")
    CryptoSessions(app, secret, host, accept_v1=accept_v1, replay_store_created=0.0)

    @app.post("/model")
    @require_session
    def model() -> Any:
        body = flask_request.get_json()
        return {"text": body["text"], "n": body["n"], "version": g.crypto_peer.version, "key": g.crypto_peer.client_key.hex()}

    @app.post("/json")
    @require_session
    def raw_json() -> Any:
        return {"got": flask_request.get_json(), "type": flask_request.content_type, "version": g.crypto_peer.version}

    @app.get("/str")
    @require_session
    def text() -> Any:
        return f"{SECRET} {flask_request.args['q']}"

    @app.get("/response")
    @require_session
    def response() -> Any:
        from flask import Response as FlaskResponse

        return FlaskResponse(f"{SECRET} as text", status=202, content_type="text/plain; charset=utf-8")

    return app


class Wire(httpx.HTTPTransport):
    """A real transport that keeps every answer's bytes as they came over the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.bodies.append(response.read())
        return response


@pytest.fixture(scope="module", params=["fastapi", "flask"])
def server(request: pytest.FixtureRequest, serve: Serve, keys: Keys) -> Iterator[RunningServer]:
    if request.param == "fastapi":
        yield serve("uvicorn", lambda url: fastapi_app(keys.server_secret, url))
    else:
        yield serve("werkzeug", lambda url: flask_app(keys.server_secret, url))


def test_v2_view_sees_the_payload_and_its_answer_is_sealed(server: RunningServer, keys: Keys) -> None:
    wire = Wire()
    client_key = cs.V2Client(keys.client_secret, keys.server_pub).public_key
    auth = HttpxAuth(keys.server_pub, keys.client_secret)
    with httpx.Client(base_url=server.base_url, auth=auth, transport=wire) as http:
        r = http.post("/model", json={"text": SECRET, "n": 3})
        assert r.status_code == 200, r.content
        assert r.json() == {"text": SECRET, "n": 3, "version": 2, "key": client_key}
        r = http.post("/json", content=b'{"a": [1, "\xc3\xa9"]}', headers={"content-type": "application/json; charset=utf-8"})
        assert r.json() == {"got": {"a": [1, "é"]}, "type": "application/json; charset=utf-8", "version": 2}
        r = http.get("/str", params={"q": "x y"})
        assert r.status_code == 200
        # FastAPI answers a str as JSON, Flask as text; both sealed with their type.
        answer = v2_answer(r)
        assert f"{SECRET} x y" in answer.payload.decode("utf-8")
        assert answer.content_type.split(";")[0] in ("application/json", "text/html")
        r = http.get("/response")
        assert (r.status_code, v2_answer(r).status, r.text) == (202, 202, f"{SECRET} as text")
        assert v2_answer(r).content_type == "text/plain; charset=utf-8"
    assert len(wire.bodies) == 4
    for body in wire.bodies:
        assert body and SECRET.encode() not in body and b"x y" not in body, body


def test_v1_view_sees_the_payload_and_its_answer_is_sealed(server: RunningServer, keys: Keys) -> None:
    wire = Wire()
    auth = HttpxAuth(keys.server_pub, keys.client_secret, version=1)
    with httpx.Client(base_url=server.base_url, auth=auth, transport=wire) as http:
        got = decoded(http.post("/model", content=('{"text": "%s", "n": 4}' % SECRET).encode()))
        # v1 names the client by its compressed key.
        assert got == {"text": SECRET, "n": 4, "version": 1, "key": keys.client_pub}
        got = decoded(http.post("/json", content=b'{"a":1}'))
        assert got["got"] == {"a": 1} and got["version"] == 1 and got["type"].startswith("application/json")
        got = decoded(http.get("/str", params={"q": "x y"}))
        assert got == f"{SECRET} x y"
        r = http.get("/response")
        assert (r.status_code, decoded(r)) == (202, f"{SECRET} as text")
    assert len(wire.bodies) == 4
    for body in wire.bodies:
        assert body and SECRET.encode() not in body and b"x y" not in body, body


# The spec's "Browsers" list, and Authorization where a v1 answer travels.
V2_EXPOSED = "Crypto-Session, WWW-Authenticate"
WITH_V1_EXPOSED = "Crypto-Session, WWW-Authenticate, Authorization"
PAGE = {"Origin": "https://page.example"}


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
@pytest.mark.parametrize("accept_v1", [False, True])
def test_cross_origin_answers_expose_authorization_only_with_accept_v1(
    framework: str, accept_v1: bool, serve: Serve, keys: Keys
) -> None:
    build = fastapi_app if framework == "fastapi" else flask_app
    server = serve("uvicorn" if framework == "fastapi" else "werkzeug", lambda url: build(keys.server_secret, url, accept_v1))
    want = WITH_V1_EXPOSED if accept_v1 else V2_EXPOSED
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(keys.server_pub, keys.client_secret), headers=PAGE) as http:
        r = http.get("/str", params={"q": "v2"})
        assert r.status_code == 200 and r.headers["access-control-expose-headers"] == want
    rejected = httpx.get(server.base_url + "/str?q=x", headers={**PAGE, "Authorization": "CryptoSession"})
    assert rejected.status_code == 401 and rejected.headers["access-control-expose-headers"] == want
    v1 = HttpxAuth(keys.server_pub, keys.client_secret, version=1)
    with httpx.Client(base_url=server.base_url, auth=v1, headers=PAGE) as http:
        r = http.get("/str", params={"q": "v1"})
        if accept_v1:
            assert decoded(r) == f"{SECRET} v1"
            assert r.headers["access-control-expose-headers"] == want and r.headers["authorization"]
        else:
            assert r.status_code == 401 and "authorization" not in r.headers
