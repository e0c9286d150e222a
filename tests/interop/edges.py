"""The HTTP edge, the same on every server integration: each case of
tests/vectors/http-edges.json is sent over a raw socket to every server peer (Flask
on werkzeug, FastAPI on uvicorn, Express, the Next-style and Web handlers, the Go
middleware), and must get the outcome the vector states: an accepted request reaches
exactly the route and query that were signed; a rejected one gets a 4xx and never
reaches the route (no signed answer)."""

from __future__ import annotations

import argparse
import json
import socket
import sys
from urllib.parse import unquote

import crypto_sessions as cs

from harness import ROOT, SERVERS, Running

VECTORS = ROOT / "tests" / "vectors" / "http-edges.json"
EDGE_SERVERS = ["flask", "fastapi", "express", "next", "web", "go"]

# Where a framework decides before the integration sees the request, the outcome
# differs from the vector's; each is listed with the outcome it has instead (checked:
# a change either way is reported), and none serves a route other than the signed one.
DIVERGENCES = {
    # Truly out of the wrapper's reach: a Web Request holds a parsed URL, and the URL
    # parser resolves dot segments (/r/x/../a is /r/a) before any handler runs, so the
    # target as sent cannot be checked. What is served is the route that was signed
    # (/r/a with a token for /r/a), never another.
    ("web", "dot segments are signed as sent"):
        ("the URL parser resolves /r/x/../a to /r/a before the wrapper sees it; /r/a is served", 200),
}


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as is; the status, headers (lower-case names) and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    if not data.startswith(b"HTTP/1."):
        # An HTTP/0.9-style error page (werkzeug's answer to a request line it
        # cannot split): no status line, no headers.
        return 0, {}, data
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        out, rest = b"", body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        body = out
    return status, headers, body


def request_bytes(case: dict, origin: str, token: str | None) -> bytes:
    if "target_hex" in case:
        target = bytes.fromhex(case["target_hex"])
    else:
        target = case["target"].replace("{origin}", origin).encode("latin-1")
    body = case.get("body", "").encode()
    lines = [case["method"].encode() + b" " + target + b" HTTP/1.1",
             b"Host: " + origin.split("://", 1)[1].encode(), b"Connection: close"]
    if token is not None:
        lines.append(b"Authorization: " + token.encode())
    if body:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def check(case: dict, running: Running, client_secret: str) -> str | None:
    """None when the server did what the vector states, else why not."""
    origin = running.proxy.origin
    token = None
    if case["signed"] is not None:
        signed = case["signed"].replace("{origin}", origin)
        if case.get("signer") == "server":
            token = cs.CryptoSession(cs.public_key(client_secret), running.secret).encode(signed).token
        else:
            token = cs.CryptoSession(running.pubkey, client_secret).encode(signed).token
    status, headers, body = raw_exchange(running.proxy.upstream_port, request_bytes(case, origin, token))
    if case["expect"] == "status":
        return None if status == case["status"] else f"the known divergence changed: {status}"
    if case["expect"] == "reject":
        if (status == 0 or 400 <= status < 500) and "authorization" not in headers:
            return None
        return f"expected a rejection, got {status} (authorization: {'authorization' in headers})"
    if status != 200 or "authorization" not in headers:
        return f"expected 200 from the route, got {status}"
    client = cs.Client(running.pubkey, client_secret)
    routed = cs.revive(client.open(status, headers["authorization"], body))
    want = {"path": case["path"], "query": case["query"]}
    got = {"path": unquote(routed["path"]), "query": routed["query"]}
    return None if got == want else f"routed {got}, signed {want}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", default=",".join(EDGE_SERVERS))
    args = parser.parse_args()
    cases = json.loads(VECTORS.read_text())["cases"]
    client_secret = cs.generate_secret_key()
    passed = failed = diverged = 0
    for name in args.servers.split(","):
        with Running(SERVERS[name]) as running:
            for case in cases:
                known = DIVERGENCES.get((name, case["name"]))
                if known is not None:
                    reason, status = known
                    case = {**case, "expect": "status", "status": status}
                why = check(case, running, client_secret)
                if why is None and known is not None:
                    diverged += 1
                    print(f"DIVERGES {name}: {case['name']}: {reason}")
                elif why is None:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL {name}: {case['name']}: {why}")
        print(f"{name}: done", flush=True)
    print(f"http edges: {diverged} known divergences (listed above, not counted as passed)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
