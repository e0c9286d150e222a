#!/usr/bin/env python3
"""The main job: a Python, a Node and a Go server, each called by a Python, a Node
and a Go client, with a readable account of what happened on the wire.

For every exchange it prints which key signed what (the client key the request,
the server key the answer), what travelled encrypted, what the server verified,
and what the client verified in the answer; for a POST, the server's answer is
the payload it decrypted, which proves it read the body. Then it shows a tampered
request being refused. Everything goes through a small proxy of ours, so the demo
sees the wire; since it also knows both secret keys, it checks each printed claim
with the Python package and fails when one does not hold. All processes are
stopped before it exits.

Usage: demo.py [--servers fastapi,express,go] [--clients httpx,node,go]
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import subprocess
import sys

from crypto_sessions import CryptoSession, public_key, serialize_json
from harness import CLIENTS, SERVERS, Running, stop_on_sigterm

SERVER_NAMES = {
    "flask": "Python (Flask)", "fastapi": "Python (FastAPI)", "express": "Node (Express)",
    "next": "Node (Next-style route)", "web": "Node (Web Request/Response handler)",
    "go": "Go (net/http middleware)", "js-ref": "JS on the reference's crypto stack (Express)",
}
CLIENT_NAMES = {
    "httpx": "Python (httpx)", "requests": "Python (requests)", "node": "Node (SecureFetch)",
    "go": "Go (http.Client + RoundTripper)", "c": "C (the C library)", "cli": "the CLI",
    "js-ref": "JS on the reference's crypto stack",
}


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signer_of(token: str) -> str:
    """The public key a token names as its signer: its first 33 bytes."""
    return b64(token)[:33].hex()


def key(hex_key: str) -> str:
    return f"{hex_key[:10]}...{hex_key[-4:]}"


def short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else f"{text[:n]}... ({len(text)} chars)"


def shown(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def call(client_name: str, running: Running, method: str, path: str, json_body=None,
         secret: str | None = None) -> dict:
    client = CLIENTS[client_name]
    secret = secret or secrets.token_hex(32)
    argv = client.argv + ["--server-key", running.pubkey, "--key", secret,
                          "--url", running.proxy.origin + path, "--method", method]
    if json_body is not None:
        argv += ["--json", json.dumps(json_body)]
    p = subprocess.run(argv, cwd=client.cwd, capture_output=True, text=True, timeout=60)
    # Split on newlines only: str.splitlines() also splits inside JSON text at U+2028.
    lines = [ln for ln in p.stdout.split("\n") if ln.strip()]
    if not lines:
        raise RuntimeError(f"{client_name} printed nothing: {p.stderr.strip()[-500:]}")
    return json.loads(lines[-1])


def account(client_name: str, server_name: str, running: Running, method: str, path: str, body=None) -> bool:
    """One exchange, told from what crossed the wire (the proxy saw it) and what the
    client reported. The demo knows both secret keys, so it checks every claim it
    prints with the Python package; a claim that does not hold fails the demo."""
    secret = secrets.token_hex(32)
    client_key = public_key(secret)
    before = len(running.proxy.exchanges)
    out = call(client_name, running, method, path, body, secret)
    _, target, headers, req_body, status, ans_headers, answer = running.proxy.exchanges[before]
    auth = next(v for k, v in headers.items() if k.lower() == "authorization")
    # The server's view (its secret, the client's key) and the client's (the reverse).
    at_server = CryptoSession(client_key, running.secret)
    at_client = CryptoSession(running.pubkey, secret)
    client, server = CLIENT_NAMES[client_name], SERVER_NAMES[server_name]
    failed: list[str] = []

    def check(ok: bool, claim: str) -> None:
        if not ok:
            failed.append(claim)

    signature = f"token: the client key + a {len(b64(auth)) - 33}-byte DER ECDSA signature"
    check(signer_of(auth) == client_key, "the request token names the client key")
    print(f"  {client}, client key {key(client_key)}: {method} {target}")
    if method == "GET":
        url = running.proxy.origin + target
        check(at_server.verify(auth, url), "the client key signed the URL")
        print(f"    signed the URL {url} with the client key")
        print(f"    ({signature}); a GET has no body")
    else:
        sent = serialize_json(body)
        data = json.loads(req_body)["data"]
        check(at_server.verify(auth, sent), "the client key signed the JSON body")
        check(at_client.decrypt(data) == sent and sent not in b64(data),
              "the wire carries the body encrypted under the shared key, not in clear")
        print(f"    signed the body {sent.decode()} with the client key")
        print(f"    ({signature}), and encrypted it to the server")
        print(f"    (AES-256-CBC, key: ECDH of client and server keys): on the wire only "
              f'{{"data":"{short(data, 16)}"}}')
    server_token = ans_headers.get("authorization", "")
    sealed = at_client.decode(server_token, answer.decode()) if server_token else None
    check(sealed is not None and sealed.is_valid and signer_of(server_token) == running.pubkey,
          "the answer is signed by the server key")
    what = ("verified the client's signature over its origin + the request-target" if method == "GET"
            else "decrypted the body and verified the client's signature over the plaintext")
    print(f"  {server} {what};")
    print(f"    answered {status}, signed with the server key {key(running.pubkey)} and encrypted "
          f"to the client ({short(answer.decode(), 16)})")
    if out.get("err") is not None:
        print(f"  {client} REJECTED the answer: {out['err']}")
    else:
        print(f"  {client} verified the answer's signature against the server key and decrypted it:")
        print(f"    {shown(out['data'])}")
        check(sealed is not None and out["data"] == sealed.data, "the client reports what the server sealed")
        if method == "POST":
            # /echo answers with the payload the server decrypted: getting the body
            # back proves the server decrypted and read exactly what was sent.
            check(out["data"] == body, "the server echoed the body it decrypted")
            print("    = the body it sent: the server decrypted exactly that")
    for claim in failed:
        print(f"  CHECK FAILED: {claim}")
    print()
    return out.get("err") is None and not failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", default="fastapi,express,go")
    ap.add_argument("--clients", default="httpx,node,go")
    args = ap.parse_args()
    stop_on_sigterm()
    print("crypto-session demo: every client signs its request with its own secp256k1 key, every")
    print("server signs its answer with its key, and bodies travel encrypted with the ECDH key of the")
    print("two. Each claim below is also checked by the demo, which knows both secret keys.")
    print()
    failures = 0
    for server_name in args.servers.split(","):
        with Running(SERVERS[server_name]) as running:
            print(f"=== {SERVER_NAMES[server_name]} server, server key {running.pubkey}")
            print(f"    listens on 127.0.0.1:{running.proxy.upstream_port}; clients call (and sign) the origin "
                  f"{running.proxy.origin}, a proxy that shows the demo what crosses the wire")
            print()
            for client_name in args.clients.split(","):
                failures += not account(client_name, server_name, running, "GET", "/json?greeting=hello&to=world")
                failures += not account(client_name, server_name, running, "POST", "/echo",
                                        {"order": 42, "items": ["tea", "cake"], "note": "für dich"})
            first = args.clients.split(",")[0]
            out = call(first, running, "GET", "/text?msg=x&tamper=request")
            status, answer = running.proxy.exchanges[-1][4], running.proxy.exchanges[-1][6]
            err = out.get("err") or {}
            print("  Tampering: the proxy changed one character of a request's token on the way.")
            print(f"    {SERVER_NAMES[server_name]} answered {status} with {'an empty body' if not answer else 'a BODY'}; "
                  f"{CLIENT_NAMES[first]} reports the error {err.get('kind', err) if err else 'NONE'}")
            failures += status != 401 or bool(answer) or not err
            print()
    print("every exchange verified on both sides, and the tampered requests were refused"
          if not failures else f"{failures} exchanges FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
