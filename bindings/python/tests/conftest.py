"""Shared fixtures: the vector file, keys, and real servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import uvicorn
from werkzeug.serving import make_server

import crypto_sessions as cs

REPO = Path(__file__).resolve().parents[3]
DEFAULT_VECTORS = REPO / "tests" / "vectors" / "reference-1.1.10.json"


def load_vectors() -> dict[str, Any]:
    """The vector file (``CRYPTO_SESSIONS_VECTORS`` overrides); a missing file fails."""
    path = Path(os.environ.get("CRYPTO_SESSIONS_VECTORS") or DEFAULT_VECTORS)
    if not path.is_file():
        pytest.fail(f"vector file {path} is missing (set CRYPTO_SESSIONS_VECTORS)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    return load_vectors()


def section(vectors: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = vectors.get(name)
    assert isinstance(items, list) and items, f"vector section {name} is missing or empty"
    return items


class Keys:
    """A server key pair and a client key pair, fresh for the test session."""

    def __init__(self) -> None:
        self.server_secret = cs.generate_secret_key()
        self.server_pub = cs.public_key(self.server_secret)
        self.client_secret = cs.generate_secret_key()
        self.client_pub = cs.public_key(self.client_secret)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


class RunningServer:
    """A server listening on 127.0.0.1: its base URL and how to stop it."""

    def __init__(self, port: int, stop: Callable[[], None]) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.stop = stop


AppFactory = Callable[[str], Any]


def start_uvicorn(factory: AppFactory) -> RunningServer:
    """Run ``factory(base_url)`` under a real uvicorn server on an ephemeral port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = factory(f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()

    return RunningServer(port, stop)


def start_werkzeug(factory: AppFactory) -> RunningServer:
    """Run the WSGI app ``factory(base_url)`` under werkzeug's real threaded server."""
    holder: list[Any] = []
    server = make_server("127.0.0.1", 0, lambda env, start: holder[0](env, start), threaded=True)
    holder.append(factory(f"http://127.0.0.1:{server.server_port}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(10)
        server.server_close()

    return RunningServer(server.server_port, stop)


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[str, AppFactory], RunningServer]]:
    """Start real servers (``"uvicorn"`` or ``"werkzeug"``); all stop at the end."""
    running: list[RunningServer] = []

    def start(kind: str, factory: AppFactory) -> RunningServer:
        server = start_uvicorn(factory) if kind == "uvicorn" else start_werkzeug(factory)
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()
