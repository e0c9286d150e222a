"""HTTP clients for crypto-session servers, on httpx.

- :class:`HttpxAuth`: an ``httpx.Auth`` (sync and async clients) that signs each
  request as the reference's ``SecureFetch`` does (GET signs the URL; POST encrypts
  the body, or signs the URL when there is none) and opens each answer, raising
  when the server's signature does not hold. :func:`decoded` gives the opened answer.
- :class:`SecureClient`: ``get``/``post`` that return the decoded payload.

::

    auth = HttpxAuth(server_pubkey, my_secret_key)
    with httpx.Client(base_url="http://localhost:3001", auth=auth) as http:
        print(decoded(http.post("/hello", json={"name": "world"})))
"""

from __future__ import annotations

from typing import Any, Generator, Mapping, Optional, Union

import httpx

from crypto_sessions._answers import decoded, decoded_bytes, keep_v2_answer, open_answer, v2_answer
from crypto_sessions._native import Client, V2PreparedRequest, serialize, signed_url
from crypto_sessions._v2client import V2Exchange
from crypto_sessions.errors import MalformedInputError, StaleError

__all__ = ["AsyncSecureClient", "HttpxAuth", "SecureClient", "decoded", "decoded_bytes", "v2_answer"]

KeyArg = Union[str, bytes]
_REPLACED = ("authorization", "content-type", "content-length", "transfer-encoding")


def _origin(url: httpx.URL) -> tuple[str, str, Optional[int]]:
    return (url.scheme, url.host, url.port)


class HttpxAuth(httpx.Auth):
    """``HttpxAuth(server_pubkey, secret_key, *, host=None)``: sign requests and open
    answers for one server.

    ``host`` is the origin the server signs with (its ``CRYPTO_SESSION_HOST``); by
    default the request URL's own ``scheme://host[:port]``.

    Redirects: httpx never re-signs the requests it makes to follow one (a hop
    carries the old token, or none across origins). An answer that came through a
    redirect raises :class:`~crypto_sessions.MalformedInputError`, unless
    ``follow_redirects=True`` here and every hop stayed on the same origin. The request body (``str``
    or ``bytes``, e.g. from ``json=``/``content=``) is the payload; an empty body
    signs the URL. Methods other than GET and POST raise
    :class:`~crypto_sessions.UnsupportedMethodError`.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        server_pubkey: KeyArg,
        secret_key: KeyArg,
        *,
        host: Optional[str] = None,
        follow_redirects: bool = False,
        version: int = 2,
        now: Optional[int] = None,
    ) -> None:
        if version not in (1, 2):
            raise ValueError(f"version must be 1 or 2, not {version!r}")
        self.version = version
        self._host = host
        self._follow_redirects = follow_redirects
        if version == 2:
            self._v2 = V2Exchange(server_pubkey, secret_key, host, now)
        else:
            self._client = Client(server_pubkey, secret_key)

    def __repr__(self) -> str:
        return f"HttpxAuth(version={self.version}, host={self._host!r})"

    def _v2_request(self, request: httpx.Request, prepared: V2PreparedRequest) -> httpx.Request:
        headers = httpx.Headers(
            [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _REPLACED]
        )
        for name, value in prepared.headers:
            headers[name] = value
        return httpx.Request(
            request.method, request.url, headers=headers, content=prepared.body, extensions=request.extensions
        )

    def _v2_open(self, prepared: V2PreparedRequest, response: httpx.Response) -> None:
        answer = self._v2.open(prepared, response.status_code, response.headers, response.content)
        keep_v2_answer(response, answer)
        # The application reads the plaintext as it would any answer.
        response._content = answer.payload
        response.headers["content-type"] = answer.content_type
        response.headers["content-length"] = str(len(answer.payload))

    def _v2_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Protocol v2: any method, the body with its content type; a signed stale
        answer sets the clock offset and allows one retry; redirects are never
        followed (a ``Location`` is not signed): a 3xx is the answer."""
        prepared = self._v2.prepare(
            request.method,
            str(request.url),
            request.url.raw_path.decode("ascii"),
            request.headers.get("content-type", ""),
            request.content,
        )
        response = yield self._v2_request(request, prepared)
        if response.history:
            raise MalformedInputError("malformed input: a v2 answer never comes through a redirect")
        try:
            self._v2_open(prepared, response)
        except StaleError as stale:
            if stale.retry is None:
                raise
            response.read()
            retried = yield self._v2_request(request, stale.retry)
            self._v2_open(stale.retry, retried)

    def sign(self, request: httpx.Request) -> httpx.Request:
        """v1: the signed (and, for a POST, encrypted) version of ``request``."""
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        url, target = signed_url(self._host, origin + request.url.raw_path.decode("ascii"))
        if target.encode("ascii") != request.url.raw_path:
            raise MalformedInputError(
                f"malformed input: {request.url.raw_path!r} would be signed as {target!r}"
            )
        body = request.content or None
        prepared = self._client.prepare(request.method, url, body)
        headers = httpx.Headers(
            [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _REPLACED]
        )
        for name, value in prepared.headers:
            headers[name] = value
        content = None if prepared.body is None else prepared.body.encode("utf-8")
        return httpx.Request(
            request.method,
            request.url,
            headers=headers,
            content=content,
            extensions=request.extensions,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send the signed request, then open the answer (see :func:`decoded`)."""
        if self.version == 2:
            yield from self._v2_flow(request)
            return
        response = yield self.sign(request)
        if response.history:
            # httpx followed redirects after sending the signed request (it never
            # re-signs: the hops went with the old token, or none across origins).
            asked = _origin(request.url)
            moved = [str(r.url) for r in (*response.history[1:], response) if _origin(r.url) != asked]
            if moved or not self._follow_redirects:
                raise MalformedInputError(
                    f"malformed input: the answer to {str(request.url)!r} came through a redirect"
                    + (f" to another origin ({moved[0]!r})" if moved else "")
                    + "; pass follow_redirects=True to HttpxAuth to accept same-origin ones"
                )
        open_answer(
            self._client,
            response,
            response.status_code,
            response.headers.get("authorization"),
            response.content,
        )


def _content(payload: Any) -> Optional[bytes]:
    return None if payload is None else serialize(payload)


def _body(payload: Any, version: int) -> dict[str, Any]:
    """httpx arguments for a payload: ``str`` as text, ``bytes`` as octets, anything
    else as JSON (v2 sends the content type; v1 has none)."""
    if payload is None:
        return {}
    content = serialize(payload)
    if version == 1:
        return {"content": content}
    if isinstance(payload, str):
        kind = "text/plain; charset=utf-8"
    elif isinstance(payload, (bytes, bytearray, memoryview)):
        kind = "application/octet-stream"
    else:
        kind = "application/json"
    return {"content": content, "headers": {"content-type": kind}}


class SecureClient:
    """``SecureClient(server_pubkey, secret_key, base_url, *, host=None, version=2,
    now=None, **httpx_options)``: a small synchronous client whose ``get``/``post``
    return the decoded payload. ``now`` (tests) is a fixed clock, as in :class:`HttpxAuth`.

    Non-2xx answers raise :class:`~crypto_sessions.HttpStatusError`; answers the
    server did not sign raise :class:`~crypto_sessions.InvalidSignatureError`.
    """

    def __init__(
        self,
        server_pubkey: KeyArg,
        secret_key: KeyArg,
        base_url: str,
        *,
        host: Optional[str] = None,
        version: int = 2,
        now: Optional[int] = None,
        **httpx_options: Any,
    ) -> None:
        self.auth = HttpxAuth(server_pubkey, secret_key, host=host, version=version, now=now)
        self.http = httpx.Client(base_url=base_url, auth=self.auth, **httpx_options)

    def __repr__(self) -> str:
        return f"SecureClient(base_url={str(self.http.base_url)!r})"

    def get(self, path: str, params: Optional[Mapping[str, str]] = None) -> Any:
        """GET ``path`` (signed URL); the server's decoded answer."""
        return decoded(self.http.get(path, params=params))

    def post(self, path: str, payload: Any = None) -> Any:
        """POST ``payload`` (``str``, ``bytes`` or JSON-serializable; ``None`` signs the
        URL) encrypted; the server's decoded answer."""
        return self.request("POST", path, payload)

    def put(self, path: str, payload: Any = None) -> Any:
        """PUT ``payload`` (v2); the server's decoded answer."""
        return self.request("PUT", path, payload)

    def delete(self, path: str) -> Any:
        """DELETE ``path`` (v2); the server's decoded answer."""
        return self.request("DELETE", path)

    def request(self, method: str, path: str, payload: Any = None, params: Optional[Mapping[str, str]] = None) -> Any:
        """Any method (v2); the server's decoded answer (non-2xx raises
        :class:`~crypto_sessions.HttpStatusError`)."""
        return decoded(self.http.request(method, path, params=params, **_body(payload, self.auth.version)))

    def close(self) -> None:
        """Close the underlying ``httpx.Client``."""
        self.http.close()

    def __enter__(self) -> SecureClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSecureClient:
    """The ``asyncio`` twin of :class:`SecureClient`, on ``httpx.AsyncClient``."""

    def __init__(
        self,
        server_pubkey: KeyArg,
        secret_key: KeyArg,
        base_url: str,
        *,
        host: Optional[str] = None,
        version: int = 2,
        now: Optional[int] = None,
        **httpx_options: Any,
    ) -> None:
        self.auth = HttpxAuth(server_pubkey, secret_key, host=host, version=version, now=now)
        self.http = httpx.AsyncClient(base_url=base_url, auth=self.auth, **httpx_options)

    def __repr__(self) -> str:
        return f"AsyncSecureClient(base_url={str(self.http.base_url)!r})"

    async def get(self, path: str, params: Optional[Mapping[str, str]] = None) -> Any:
        """GET ``path`` (signed URL); the server's decoded answer."""
        return decoded(await self.http.get(path, params=params))

    async def post(self, path: str, payload: Any = None) -> Any:
        """POST ``payload`` encrypted; the server's decoded answer."""
        return await self.request("POST", path, payload)

    async def put(self, path: str, payload: Any = None) -> Any:
        """PUT ``payload`` (v2); the server's decoded answer."""
        return await self.request("PUT", path, payload)

    async def delete(self, path: str) -> Any:
        """DELETE ``path`` (v2); the server's decoded answer."""
        return await self.request("DELETE", path)

    async def request(
        self, method: str, path: str, payload: Any = None, params: Optional[Mapping[str, str]] = None
    ) -> Any:
        """Any method (v2); the server's decoded answer."""
        return decoded(await self.http.request(method, path, params=params, **_body(payload, self.auth.version)))

    async def aclose(self) -> None:
        """Close the underlying ``httpx.AsyncClient``."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncSecureClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
