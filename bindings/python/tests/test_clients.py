"""httpx (sync and async), requests and SecureClient against real servers."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Optional

import httpx
import pytest
import requests

import apps
import crypto_sessions as cs
from conftest import AppFactory, Keys, RunningServer
from crypto_sessions.client import AsyncSecureClient, HttpxAuth, SecureClient, decoded, decoded_bytes
from crypto_sessions.requests import RequestsAuth
from crypto_sessions.requests import decoded as requests_decoded

PUBLIC_HOST = "https://api.example.test"

_servers: dict[str, RunningServer] = {}


@pytest.fixture(params=["flask", "fastapi"])
def server(
    request: pytest.FixtureRequest, keys: Keys, serve: Callable[[str, AppFactory], RunningServer]
) -> RunningServer:
    """The app on a real server whose host is its own base URL."""
    kind = request.param
    if kind not in _servers:
        if kind == "flask":
            _servers[kind] = serve("werkzeug", lambda url: apps.flask_app(keys.server_secret, url))
        else:
            _servers[kind] = serve("uvicorn", lambda url: apps.fastapi_app(keys.server_secret, url))
    return _servers[kind]


@pytest.fixture(scope="module")
def public_host_server(keys: Keys, serve: Callable[[str, AppFactory], RunningServer]) -> RunningServer:
    """A server whose configured origin is not the address it listens on (a proxy)."""
    return serve("uvicorn", lambda _url: apps.fastapi_app(keys.server_secret, PUBLIC_HOST))


def test_httpx_sync(server: RunningServer, keys: Keys) -> None:
    auth = HttpxAuth(keys.server_pub, keys.client_secret)
    with httpx.Client(base_url=server.base_url, auth=auth) as http:
        response = http.get("/getSend", params={"challenge": "a b&c"})
        assert response.status_code == 200 and decoded(response) == "a b&c"
        response = http.get("/getSend?challenge=a%20b%26c")
        assert decoded(response) == "a b&c"
        response = http.post("/postJson", json={"z": 1, "a": ["ü"]})
        assert decoded(response) == {"z": 1, "a": ["ü"]}
        assert decoded_bytes(response) == '{"z":1,"a":["ü"]}'.encode()
        response = http.post("/postJson")
        assert decoded(response) == server.base_url + "/postJson"
        response = http.post("/created", content=b"x")
        assert response.status_code == 201 and decoded(response) == "created"


def test_httpx_async(server: RunningServer, keys: Keys) -> None:
    async def run() -> list[Any]:
        auth = HttpxAuth(keys.server_pub, keys.client_secret)
        async with httpx.AsyncClient(base_url=server.base_url, auth=auth) as http:
            first = await http.get("/whoami")
            second = await http.post("/postSend", json={"challenge": "async"})
            return [decoded(first), decoded(second)]

    assert asyncio.run(run()) == [{"peer": keys.client_pub}, "async"]


def test_requests(server: RunningServer, keys: Keys) -> None:
    auth = RequestsAuth(keys.server_pub, keys.client_secret)
    with requests.Session() as http:
        http.auth = auth
        response = http.get(server.base_url + "/getSend", params={"challenge": "a b&c"})
        assert response.status_code == 200 and requests_decoded(response) == "a b&c"
        response = http.post(server.base_url + "/postJson", json={"k": [1, "✓"]})
        assert requests_decoded(response) == {"k": [1, "✓"]}
        response = http.post(server.base_url + "/postSend", data='{"challenge":"raw"}')
        assert requests_decoded(response) == "raw"
        response = http.post(server.base_url + "/postJson")
        assert requests_decoded(response) == server.base_url + "/postJson"


def test_secure_client(server: RunningServer, keys: Keys) -> None:
    with SecureClient(keys.server_pub, keys.client_secret, server.base_url) as client:
        assert client.get("/getSend", params={"challenge": "q"}) == "q"
        assert client.get("/getJson?x=1&y=two") == {"x": "1", "y": "two"}
        assert client.post("/postJson", {"n": None, "f": 2.5}) == {"n": None, "f": 2.5}
        assert client.post("/postSend", '{"challenge":"text payload"}') == "text payload"
        assert client.post("/postJson") == server.base_url + "/postJson"


def test_async_secure_client(server: RunningServer, keys: Keys) -> None:
    async def run() -> Any:
        async with AsyncSecureClient(keys.server_pub, keys.client_secret, server.base_url) as client:
            return await client.post("/postJson", [1, 2, 3])

    assert asyncio.run(run()) == [1, 2, 3]


def test_host_override_signs_for_the_public_origin(public_host_server: RunningServer, keys: Keys) -> None:
    base = public_host_server.base_url
    plain = SecureClient(keys.server_pub, keys.client_secret, base)
    with pytest.raises(cs.HttpStatusError) as info:
        plain.get("/whoami")  # signed for 127.0.0.1:port, the server expects PUBLIC_HOST
    assert info.value.status == 401
    with SecureClient(keys.server_pub, keys.client_secret, base, host=PUBLIC_HOST) as client:
        assert client.get("/whoami") == {"peer": keys.client_pub}
    auth = RequestsAuth(keys.server_pub, keys.client_secret, host=PUBLIC_HOST)
    assert requests_decoded(requests.get(base + "/whoami", auth=auth)) == {"peer": keys.client_pub}


def test_rejection_surfaces_as_http_status_error(server: RunningServer, keys: Keys) -> None:
    wrong = cs.public_key(cs.generate_secret_key())
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(wrong, keys.client_secret)) as http:
        response = http.post("/postJson", json={"a": 1})  # the server cannot decrypt it
        assert response.status_code == 401
        with pytest.raises(cs.HttpStatusError) as info:
            decoded(response)
        assert info.value.status == 401 and info.value.kind is cs.ErrorKind.HTTP_STATUS


def test_answer_from_another_key_raises(server: RunningServer, keys: Keys) -> None:
    """A GET needs no server key to be accepted; the answer, sealed by the real server,
    does not hold for a client that expects another server key."""
    wrong = cs.public_key(cs.generate_secret_key())
    with httpx.Client(base_url=server.base_url, auth=HttpxAuth(wrong, keys.client_secret)) as http:
        with pytest.raises(cs.CryptoSessionError) as info:
            http.get("/whoami")
    assert not isinstance(info.value, cs.HttpStatusError)
    with pytest.raises(cs.CryptoSessionError):
        requests.get(server.base_url + "/whoami", auth=RequestsAuth(wrong, keys.client_secret))


def test_unsigned_answer_raises(server: RunningServer, keys: Keys) -> None:
    auth = HttpxAuth(keys.server_pub, keys.client_secret)
    with pytest.raises(cs.InvalidSignatureError, match="not signed"):
        httpx.get(server.base_url + "/health", auth=auth)
    with pytest.raises(cs.InvalidSignatureError):
        requests.get(server.base_url + "/health", auth=RequestsAuth(keys.server_pub, keys.client_secret))


def test_unsupported_method_is_refused_before_sending(keys: Keys) -> None:
    auth = HttpxAuth(keys.server_pub, keys.client_secret)
    # Nothing listens on port 9: the error must come before any connection.
    with pytest.raises(cs.UnsupportedMethodError):
        httpx.put("http://127.0.0.1:9/x", content=b"x", auth=auth)
    with pytest.raises(cs.UnsupportedMethodError):
        requests.delete("http://127.0.0.1:9/x", auth=RequestsAuth(keys.server_pub, keys.client_secret))


def test_decoded_of_a_foreign_response_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="crypto_sessions auth"):
        decoded(httpx.Response(200, content=b"x"))


class _Redirector:
    """A real HTTP server that answers ``/start`` with a 302 to ``location`` and
    anything else with an (unsigned) 200; it records the targets and authorization
    headers it received."""

    def __init__(self, location: str) -> None:
        import http.server
        import threading

        seen: list[tuple[str, Optional[str]]] = []
        self.seen = seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append((self.path, self.headers.get("authorization")))
                self.send_response(302 if self.path == "/start" else 200)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_httpx_refuses_answers_that_came_through_a_redirect(keys: Keys) -> None:
    from crypto_sessions.errors import MalformedInputError

    elsewhere = _Redirector("/")  # another origin: another port
    try:
        for location, opt_in, says in [
            (elsewhere.url + "/evil", False, "to another origin"),
            (elsewhere.url + "/evil", True, "to another origin"),
            ("/same-origin", False, "came through a redirect"),
        ]:
            redirector = _Redirector(location)
            try:
                auth = HttpxAuth(keys.server_pub, keys.client_secret, follow_redirects=opt_in)
                with httpx.Client(auth=auth, follow_redirects=True) as http:
                    with pytest.raises(MalformedInputError, match=says):
                        http.get(redirector.url + "/start")
                # Only the request the caller made was signed.
                assert redirector.seen[0] == ("/start", redirector.seen[0][1])
                assert redirector.seen[0][1] is not None
            finally:
                redirector.close()
        # The other origin never received a token.
        assert elsewhere.seen and all(auth is None for _, auth in elsewhere.seen)
    finally:
        elsewhere.close()
