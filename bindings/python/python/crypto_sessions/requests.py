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

from crypto_sessions._answers import decoded, decoded_bytes, keep_v2_answer, open_answer, v2_answer
from crypto_sessions._native import Client, V2PreparedRequest, signed_url
from crypto_sessions._v2client import V2Exchange
from crypto_sessions.errors import MalformedInputError, StaleError

__all__ = ["RequestsAuth", "decoded", "decoded_bytes", "v2_answer"]


class RequestsAuth(AuthBase):
    """``RequestsAuth(server_pubkey, secret_key, *, host=None)``: sign requests and
    open answers for one server, as :class:`crypto_sessions.client.HttpxAuth` does.

    The body (``str`` or ``bytes``, e.g. from ``json=``/``data=``) is the payload; an
    empty body signs the URL. A 2xx answer the server did not sign raises
    :class:`~crypto_sessions.InvalidSignatureError` from the request call.
    """

    def __init__(
        self,
        server_pubkey: Union[str, bytes],
        secret_key: Union[str, bytes],
        *,
        host: Optional[str] = None,
        version: int = 2,
        now: Optional[int] = None,
    ) -> None:
        if version not in (1, 2):
            raise ValueError(f"version must be 1 or 2, not {version!r}")
        self.version = version
        self._host = host
        if version == 2:
            self._v2 = V2Exchange(server_pubkey, secret_key, host, now)
        else:
            self._client = Client(server_pubkey, secret_key)

    def __repr__(self) -> str:
        return f"RequestsAuth(version={self.version}, host={self._host!r})"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        """Sign ``r`` (and seal its body) in place."""
        if self.version == 2:
            return self._v2_sign(r)
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

    def _v2_sign(self, r: PreparedRequest) -> PreparedRequest:
        body = r.body
        if body is not None and not isinstance(body, (str, bytes)):
            raise TypeError("RequestsAuth signs str or bytes bodies, not streams or files")
        content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        prepared = self._v2.prepare(
            r.method or "GET", r.url or "", r.path_url, str(r.headers.get("Content-Type", "")), content
        )
        self._apply(r, prepared)
        r.register_hook("response", self._v2_open)
        return r

    @staticmethod
    def _apply(r: PreparedRequest, prepared: V2PreparedRequest) -> None:
        for name in ("Content-Length", "Transfer-Encoding", "Content-Type", "Authorization", "Cache-Control"):
            r.headers.pop(name, None)
        for name, value in prepared.headers:
            r.headers[name] = value
        r.body = prepared.body if prepared.body else None
        r.headers["Content-Length"] = str(len(prepared.body))
        r._v2_prepared = prepared  # type: ignore[attr-defined]

    def _v2_open(self, response: Response, **kwargs: Any) -> Response:
        if response.is_redirect:
            raise MalformedInputError("malformed input: a v2 answer never comes through a redirect")
        prepared: V2PreparedRequest = getattr(response.request, "_v2_prepared")
        try:
            self._v2_keep(prepared, response)
        except StaleError as stale:
            if stale.retry is None or response.connection is None:
                raise
            retry = response.request.copy()
            self._apply(retry, stale.retry)
            response.content  # release the connection  # noqa: B018
            response.raw.release_conn()
            retried: Response = response.connection.send(retry, **kwargs)
            retried.history.append(response)
            retried.request = retry
            self._v2_keep(stale.retry, retried)
            return retried
        return response

    def _v2_keep(self, prepared: V2PreparedRequest, response: Response) -> None:
        answer = self._v2.open(prepared, response.status_code, response.headers, response.content)
        keep_v2_answer(response, answer)
        response._content = answer.payload
        response.headers["Content-Type"] = answer.content_type
