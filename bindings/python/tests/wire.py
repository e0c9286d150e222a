"""Raw HTTP requests with exact control of the request-target, headers and body."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from typing import Any, Optional

import crypto_sessions as cs


@dataclass
class Req:
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Optional[bytes] = None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def shape(self) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
        """Everything a client can see, except the Date header that varies."""
        kept = tuple(sorted((k, v) for k, v in self.headers.items() if k != "date"))
        return (self.status, self.body, kept)


def signed(
    client: cs.Client, method: str, target: str, payload: Any = None
) -> Req:
    """A request signed by ``client`` (whose hostname is the server's host)."""
    prepared = client.prepare(method, target, payload)
    body = None if prepared.body is None else prepared.body.encode()
    return Req(method, target, dict(prepared.headers), body)


def send(base_url: str, req: Req, chunked: bool = False, chunk_size: int = 65536) -> Answer:
    """Send ``req`` as is (http.client does not touch the target)."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(req.method, req.target, skip_accept_encoding=True)
        for name, value in req.headers.items():
            conn.putheader(name, value)
        if chunked and req.body is not None:
            conn.putheader("transfer-encoding", "chunked")
            conn.endheaders()
            for start in range(0, len(req.body), chunk_size):
                chunk = req.body[start : start + chunk_size]
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        else:
            if req.body is not None:
                conn.putheader("content-length", str(len(req.body)))
            conn.endheaders(req.body)
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, headers, body)
    finally:
        conn.close()
