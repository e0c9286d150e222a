#!/usr/bin/env python3
"""Interop peer (protocol v2): the Python package's clients, one request per line.

Usage: python_client_v2.py httpx|requests|secure-client|async-secure-client --key HEX

Reads requests as JSON lines on stdin and prints one JSON line per request, in
order (contract: tests/interop/README.md, "The v2 peer contract"):

  in:  {"server_key": HEX, "url": URL, "method": M, "content_type": T,
        "body_hex": HEX, "clock_offset": SECONDS}
  out: {"status": N|null, "content_type": T|null, "data": <answer revived>|null,
        "err": null|{"kind": "...", "status": N|null, "message": "..."}}

Each request gets a fresh client (so a clock offset learnt from a signed stale
answer stays in its request), all with the same key. A non-zero clock_offset gives
the client a clock that reads the current time plus that offset.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any, Optional
from urllib.parse import urlsplit

from crypto_sessions import CryptoSessionError, HttpStatusError, RejectedError
from crypto_sessions.errors import InvalidAnswerError, StaleError


def error(e: Exception, status: Optional[int] = None) -> dict:
    if isinstance(e, StaleError):
        kind = "stale"
    elif isinstance(e, RejectedError) and e.code is not None:
        kind = e.code  # the server's (unsigned) rejection code
    elif isinstance(e, InvalidAnswerError):
        kind = "invalid_answer"
    elif isinstance(e, CryptoSessionError):
        kind = e.kind.code
    else:
        kind = type(e).__name__
    return {"kind": kind, "status": getattr(e, "status", status), "message": str(e)}


def revive(content_type: str, payload: bytes) -> Any:
    if not payload:
        return None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return json.loads(payload)
    if kind.startswith("text/"):
        return payload.decode("utf-8")
    return {"hex": payload.hex()}


def payload_of(content_type: str, body: bytes) -> Any:
    """The value SecureClient sends with that content type (it picks the type itself)."""
    if not body and not content_type:
        return None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        return json.loads(body)
    if kind == "text/plain":
        return body.decode("utf-8")
    if kind == "application/octet-stream":
        return body
    raise ValueError(f"SecureClient cannot send content type {content_type!r}")


def one(library: str, key: str, req: dict) -> dict:
    server_key = req["server_key"]
    url, method = req["url"], req["method"]
    content_type = req.get("content_type") or ""
    body = bytes.fromhex(req.get("body_hex") or "")
    offset = int(req.get("clock_offset") or 0)
    now = int(time.time()) + offset if offset else None
    headers = {"content-type": content_type} if content_type else {}
    status = None
    try:
        if library == "httpx":
            import httpx

            from crypto_sessions.client import HttpxAuth

            with httpx.Client(auth=HttpxAuth(server_key, key, now=now), timeout=30) as http:
                r = http.request(method, url, content=body or None, headers=headers)
            status = r.status_code
            ct = r.headers.get("content-type", "")
            return {"status": status, "content_type": ct, "data": revive(ct, r.content), "err": None}
        if library == "requests":
            import requests

            from crypto_sessions.requests import RequestsAuth

            rr = requests.request(method, url, data=body or None, headers=headers,
                                  auth=RequestsAuth(server_key, key, now=now), timeout=30)
            status = rr.status_code
            ct = rr.headers.get("content-type", "")
            return {"status": status, "content_type": ct, "data": revive(ct, rr.content), "err": None}
        parts = urlsplit(url)
        base, path = f"{parts.scheme}://{parts.netloc}", parts.path + (f"?{parts.query}" if parts.query else "")
        payload = payload_of(content_type, body)
        if library == "secure-client":
            from crypto_sessions.client import SecureClient

            with SecureClient(server_key, key, base, now=now, timeout=30) as client:
                data = client.request(method, path, payload)
        else:
            from crypto_sessions.client import AsyncSecureClient

            async def run() -> Any:
                async with AsyncSecureClient(server_key, key, base, now=now, timeout=30) as client:
                    return await client.request(method, path, payload)

            data = asyncio.run(run())
        # SecureClient returns the revived payload of a 2xx answer (JSON, else text).
        return {"status": None, "content_type": None, "data": None if data == "" else data, "err": None}
    except HttpStatusError as e:
        return {"status": e.status, "content_type": None, "data": None, "err": error(e, e.status)}
    except (CryptoSessionError, ValueError, OSError) as e:
        return {"status": status, "content_type": None, "data": None, "err": error(e, status)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", choices=["httpx", "requests", "secure-client", "async-secure-client"])
    ap.add_argument("--key", required=True)
    a = ap.parse_args()
    for line in sys.stdin:
        if line.strip():
            out = one(a.library, a.key, json.loads(line))
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
