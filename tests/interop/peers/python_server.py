#!/usr/bin/env python3
"""Interop peer: the Python package's Flask or FastAPI integration as a server.

Usage: python_server.py flask|fastapi          protocol v1 (the v1 matrix's routes)
       python_server.py flask-v2|asgi-v2       protocol v2 (the v2 matrix's routes)
(contract: tests/interop/README.md)
"""

# No `from __future__ import annotations`: FastAPI reads the route annotations at run time.
import json
import logging
import socket
import sys

logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s: %(message)s")


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def announce(sock: socket.socket, pubkey: str) -> None:
    print(json.dumps({"port": sock.getsockname()[1], "pubkey": pubkey}), flush=True)


def run_flask() -> None:
    from flask import Flask, request
    from werkzeug.serving import make_server

    from crypto_sessions.flask import CryptoSessions, current_peer, secure_json, secure_send

    app = Flask(__name__)
    # Key and host from the environment; the interop matrix speaks v1.
    sessions = CryptoSessions(app, protect_all=True, accept_v1=True)

    @app.get("/text")
    def text():
        return secure_send(request.args.get("msg", ""))

    @app.get("/json")
    def query():
        return secure_json(request.args.to_dict())

    @app.post("/echo")
    def echo():
        payload = current_peer().value
        return secure_send(payload) if isinstance(payload, str) else secure_json(payload)

    @app.post("/nobody")
    def nobody():
        return secure_send(str(current_peer().value))

    @app.get("/r/<path:rest>")
    def routed(rest):
        # What the router served: the edge tests compare it with what was signed.
        return secure_json({"path": request.path, "query": request.query_string.decode("latin-1")})

    @app.get("/teapot")
    def teapot():
        return secure_send("teapot", status=418)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(json.dumps({"port": server.server_port, "pubkey": sessions.server(app).v1_public_key}),
          flush=True)
    server.serve_forever()


def run_fastapi() -> None:
    import uvicorn
    from fastapi import Depends, FastAPI, Request

    from crypto_sessions.fastapi import CryptoPeer as Peer
    from crypto_sessions.fastapi import CryptoSessions, SecureJSONResponse, SecureResponse

    app = FastAPI()
    sessions = CryptoSessions(app, accept_v1=True)  # the v1 matrix

    @app.get("/text")
    async def text(request: Request, peer: Peer = Depends(sessions)):
        return SecureResponse(request.query_params.get("msg", ""))

    @app.get("/json")
    async def query(request: Request, peer: Peer = Depends(sessions)):
        return SecureJSONResponse(dict(request.query_params))

    @app.post("/echo")
    async def echo(peer: Peer = Depends(sessions)):
        payload = peer.value
        return SecureResponse(payload) if isinstance(payload, str) else SecureJSONResponse(payload)

    @app.post("/nobody")
    async def nobody(peer: Peer = Depends(sessions)):
        return SecureResponse(str(peer.value))

    @app.get("/r/{rest:path}")
    async def routed(request: Request, rest: str, peer: Peer = Depends(sessions)):
        return SecureJSONResponse({"path": request.url.path, "query": request.scope["query_string"].decode("latin-1")})

    @app.get("/teapot")
    async def teapot(peer: Peer = Depends(sessions)):
        return SecureResponse("teapot", status_code=418)

    sock = listening_socket()
    announce(sock, sessions.server.v1_public_key)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])


# --- protocol v2: /inspect, /empty, /missing for every method -------------------------

V2_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def run_flask_v2() -> None:
    from flask import Flask, Response, request
    from werkzeug.serving import make_server

    from crypto_sessions.flask import CryptoSessions, current_peer, secure_json

    app = Flask(__name__)
    # Key, host, max_age, max_skew from the environment; v2 only.
    sessions = CryptoSessions(app, protect_all=True)

    @app.route("/inspect", methods=V2_METHODS)
    def inspect():
        peer = current_peer()
        return secure_json({"method": request.method, "content_type": peer.content_type,
                            "payload_hex": peer.payload.hex()})

    @app.route("/empty", methods=V2_METHODS)
    def empty():
        return Response(b"", status=204)

    @app.route("/missing", methods=V2_METHODS)
    def missing():
        return secure_json({"error": "not found"}, status=404)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(json.dumps({"port": server.server_port, "pubkey": sessions.server(app).public_keys[0]}), flush=True)
    server.serve_forever()


def run_asgi_v2() -> None:
    import uvicorn
    from fastapi import FastAPI, Request, Response
    from fastapi.responses import JSONResponse

    from crypto_sessions.asgi_v2 import V2Middleware

    app = FastAPI()

    @app.api_route("/inspect", methods=V2_METHODS)
    async def inspect(request: Request):
        body = await request.body()
        return JSONResponse({"method": request.method, "content_type": request.headers.get("content-type", ""),
                             "payload_hex": body.hex()})

    @app.api_route("/empty", methods=V2_METHODS)
    async def empty():
        return Response(status_code=204)

    @app.api_route("/missing", methods=V2_METHODS)
    async def missing():
        return JSONResponse({"error": "not found"}, status_code=404)

    guarded = V2Middleware(app)  # key, host, max_age, max_skew from the environment
    sock = listening_socket()
    announce(sock, guarded.server.public_keys[0])
    server = uvicorn.Server(uvicorn.Config(guarded, log_level="warning"))
    server.run(sockets=[sock])


if __name__ == "__main__":
    {"flask": run_flask, "fastapi": run_fastapi, "flask-v2": run_flask_v2, "asgi-v2": run_asgi_v2}[sys.argv[1]]()
