"""A ``requests`` auth for crypto-session servers.

::

    import requests
    from crypto_sessions.requests import RequestsAuth, decoded

    auth = RequestsAuth(server_pubkey, my_secret_key)
    response = requests.post("http://localhost:3001/hello", json={"name": "world"}, auth=auth)
    print(decoded(response))
"""

from __future__ import annotations

from typing import Any, Optional, Union

from requests import PreparedRequest, Response
from requests.auth import AuthBase

from crypto_sessions._answers import decoded, decoded_bytes, open_answer
from crypto_sessions._native import Client, signed_url
from crypto_sessions.errors import MalformedInputError

__all__ = ["RequestsAuth", "decoded", "decoded_bytes"]


class RequestsAuth(AuthBase):
    """``RequestsAuth(server_pubkey, secret_key, *, host=None)``: sign requests and
    open answers for one server, as :class:`crypto_sessions.client.HttpxAuth` does.

    The body (``str`` or ``bytes``, e.g. from ``json=``/``data=``) is the payload; an
    empty body signs the URL. A 2xx answer the server did not sign raises
    :class:`~crypto_sessions.InvalidSignatureError` from the request call.
    """

    def __init__(
        self, server_pubkey: Union[str, bytes], secret_key: Union[str, bytes], *, host: Optional[str] = None
    ) -> None:
        self._client = Client(server_pubkey, secret_key)
        self._host = host

    def __repr__(self) -> str:
        return f"RequestsAuth(server_pubkey={self._client.server_pubkey!r}, host={self._host!r})"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        """Sign ``r`` (and encrypt its body for a POST) in place."""
        body = r.body
        if body is not None and not isinstance(body, (str, bytes)):
            raise TypeError("RequestsAuth signs str or bytes bodies, not streams or files")
        url, target = signed_url(self._host, r.url or "")
        if target != r.path_url:
            raise MalformedInputError(f"malformed input: {r.path_url!r} would be signed as {target!r}")
        prepared = self._client.prepare(r.method or "GET", url, body or None)
        for name in ("Content-Length", "Transfer-Encoding", "Content-Type"):
            r.headers.pop(name, None)
        for name, value in prepared.headers:
            r.headers[name] = value
        if prepared.body is None:
            r.body = None
        else:
            content = prepared.body.encode("utf-8")
            r.body = content
            r.headers["Content-Length"] = str(len(content))
        r.register_hook("response", self._open)
        return r

    def _open(self, response: Response, **kwargs: Any) -> Response:
        open_answer(
            self._client,
            response,
            response.status_code,
            response.headers.get("authorization"),
            response.content,
        )
        return response
