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

from crypto_sessions._answers import decoded, decoded_bytes, open_answer
from crypto_sessions._native import Client, serialize, signed_url
from crypto_sessions.errors import MalformedInputError

__all__ = ["AsyncSecureClient", "HttpxAuth", "SecureClient", "decoded", "decoded_bytes"]

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
    ) -> None:
        self._client = Client(server_pubkey, secret_key)
        self._host = host
        self._follow_redirects = follow_redirects

    def __repr__(self) -> str:
        return f"HttpxAuth(server_pubkey={self._client.server_pubkey!r}, host={self._host!r})"

    def sign(self, request: httpx.Request) -> httpx.Request:
        """The signed (and, for a POST, encrypted) version of ``request``."""
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


class SecureClient:
    """``SecureClient(server_pubkey, secret_key, base_url, *, host=None, **httpx_options)``:
    a small synchronous client whose ``get``/``post`` return the decoded payload.

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
        **httpx_options: Any,
    ) -> None:
        self.auth = HttpxAuth(server_pubkey, secret_key, host=host)
        self.http = httpx.Client(base_url=base_url, auth=self.auth, **httpx_options)

    def __repr__(self) -> str:
        return f"SecureClient(base_url={str(self.http.base_url)!r})"

    def get(self, path: str, params: Optional[Mapping[str, str]] = None) -> Any:
        """GET ``path`` (signed URL); the server's decoded answer."""
        return decoded(self.http.get(path, params=params))

    def post(self, path: str, payload: Any = None) -> Any:
        """POST ``payload`` (``str``, ``bytes`` or JSON-serializable; ``None`` signs the
        URL) encrypted; the server's decoded answer."""
        return decoded(self.http.post(path, content=_content(payload)))

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
        **httpx_options: Any,
    ) -> None:
        self.auth = HttpxAuth(server_pubkey, secret_key, host=host)
        self.http = httpx.AsyncClient(base_url=base_url, auth=self.auth, **httpx_options)

    def __repr__(self) -> str:
        return f"AsyncSecureClient(base_url={str(self.http.base_url)!r})"

    async def get(self, path: str, params: Optional[Mapping[str, str]] = None) -> Any:
        """GET ``path`` (signed URL); the server's decoded answer."""
        return decoded(await self.http.get(path, params=params))

    async def post(self, path: str, payload: Any = None) -> Any:
        """POST ``payload`` encrypted; the server's decoded answer."""
        return decoded(await self.http.post(path, content=_content(payload)))

    async def aclose(self) -> None:
        """Close the underlying ``httpx.AsyncClient``."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncSecureClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
