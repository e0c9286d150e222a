#!/usr/bin/env python3
"""Interop peer: one request with the Python package's httpx or requests client.

Usage: python_client.py httpx|requests --server-key HEX --key HEX --url URL
       [--method GET|POST] [--json JSON | --data TEXT]    (contract: tests/interop/README.md)
"""

from __future__ import annotations

import argparse
import json
import sys

from crypto_sessions import CryptoSessionError, HttpStatusError


def report(status, data=None, err=None) -> int:
    print(json.dumps({"status": status, "data": data, "err": err}, ensure_ascii=False))
    return 0 if err is None else 1


def error(e: Exception, status=None) -> dict:
    kind = getattr(e, "kind", None)
    return {"kind": getattr(kind, "name", type(e).__name__).lower(), "message": str(e),
            "status": getattr(e, "status", status)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", choices=["httpx", "requests"])
    ap.add_argument("--server-key", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--method", default=None)
    ap.add_argument("--json", dest="json_body")
    ap.add_argument("--data")
    a = ap.parse_args()
    method = a.method or ("POST" if a.json_body is not None or a.data is not None else "GET")
    kwargs: dict = {}
    if a.json_body is not None:
        kwargs["json"] = json.loads(a.json_body)
    elif a.data is not None:
        kwargs["content" if a.library == "httpx" else "data"] = a.data.encode()

    status = None
    try:
        if a.library == "httpx":
            import httpx

            from crypto_sessions.client import HttpxAuth, decoded

            with httpx.Client(auth=HttpxAuth(a.server_key, a.key, version=1), timeout=30) as http:
                response = http.request(method, a.url, **kwargs)
                status = response.status_code
                return report(status, decoded(response))
        else:
            import requests

            from crypto_sessions.client import decoded
            from crypto_sessions.requests import RequestsAuth

            response = requests.request(method, a.url, auth=RequestsAuth(a.server_key, a.key, version=1), timeout=30,
                                        **kwargs)
            status = response.status_code
            return report(status, decoded(response))
    except HttpStatusError as e:
        return report(e.status, err=error(e, e.status))
    except CryptoSessionError as e:
        return report(status, err=error(e, status))


if __name__ == "__main__":
    sys.exit(main())
