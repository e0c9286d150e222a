#!/usr/bin/env python3
"""The main job: protocol v2 between the project's Python, Node and Go servers and
clients, with a readable account of what happened on the wire; then protocol v1
still answering the Node package's SecureFetch (the JavaScript package's protocol).

Protocol v2 (PROTOCOL-v2.md): for each exchange it prints what the client signed
(the method, the target with the origin, the body's hash, the server key's id, the
time and a nonce), what travelled (sealed), what the server verified and what the
client verified in the answer (signed for its request only). Then, for each pair,
a replayed request refused (`replayed`), a stale request refused with a signed
stale answer and corrected once by the client, and another request's answer
refused by the client. Everything goes through the interop matrix's proxy
(harness.py), so the demo sees the wire; since it also knows both secret keys, it
checks each printed claim with the Python package's v2 primitives (`V2Server`
re-verifies each request, `V2Client` opens each answer for its request and not for
another) and fails when one does not hold. All processes are stopped before it
exits.

Usage: demo.py [--servers asgi,express,go] [--clients httpx,fetch,go]
               [--v1-servers fastapi,express,go] [--v1-client node]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone

from crypto_sessions import CryptoSession, V2Client, V2Server, public_key, serialize_json
from crypto_sessions.errors import InvalidAnswerError, RejectedError, StaleError
from harness import (CLIENTS, CLIENTS_V2, SERVERS, SERVERS_V2, V2_MAX_AGE, V2_MAX_SKEW, Running,
                     stop_on_sigterm)

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
V2_SERVER_NAMES = {
    "flask": "Python (Flask + CryptoSessions)", "asgi": "Python (FastAPI under V2Middleware)",
    "express": "Node (Express)", "next": "Node (Next-style route)", "web": "Node (Web handler)",
    "noble": "the independent JS peer (noble)", "go": "Go (net/http, NewV2Server)",
}
V2_CLIENT_NAMES = {
    "httpx": "Python (httpx + HttpxAuth)", "requests": "Python (requests + RequestsAuth)",
    "secure": "Python (SecureClient)", "async": "Python (AsyncSecureClient)",
    "fetch": "Node (SecureFetch, protocol 2)", "create": "Node (createSecureFetch)",
    "noble": "the independent JS peer (noble)", "go": "Go (http.Client + NewTransport)",
}

SEALED_TYPE = "application/vnd.crypto-session.v2"
ORDER = {"order": 42, "items": ["tea", "cake"], "note": "für dich"}
# The stale request: the client's clock this far behind (past max_age, within the
# hour a client accepts as a correction).
BEHIND = V2_MAX_AGE + V2_MAX_SKEW + 60


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signer_of(token: str) -> str:
    """The public key a v1 token names as its signer: its first 33 bytes."""
    return b64(token)[:33].hex()


def key(hex_key: str) -> str:
    return f"{hex_key[:10]}...{hex_key[-4:]}"


def short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else f"{text[:n]}... ({len(text)} chars)"


def shown(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def clock(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%H:%M:%S")


class Checks:
    """The claims of one part of the account; a claim that does not hold is printed
    as CHECK FAILED and counted."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, ok: bool, claim: str) -> bool:
        if not ok:
            self.failed.append(claim)
        return ok

    def report(self) -> int:
        for claim in self.failed:
            print(f"    CHECK FAILED: {claim}")
        n = len(self.failed)
        self.failed = []
        return n


# --- protocol v2 -----------------------------------------------------------------------

@dataclass
class Step:
    name: str
    method: str
    path: str
    content_type: str = ""
    body: bytes = b""
    clock_offset: int = 0


STEPS = [
    Step("get", "GET", "/inspect?greeting=hello&to=world"),
    Step("post", "POST", "/inspect", "application/json", json.dumps(ORDER, ensure_ascii=False).encode()),
    Step("replay", "GET", "/inspect?tamper=replay"),
    Step("stale", "GET", "/inspect?clock=behind", clock_offset=-BEHIND),
    Step("swap", "GET", "/inspect?tamper=swap"),
]


@dataclass
class Pair:
    """One client process against one server: its key, its requests, its reports."""
    server: str
    client: str
    running: Running
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    cell: str = field(default_factory=lambda: secrets.token_hex(3))
    outs: dict = field(default_factory=dict)
    fatal: str | None = None

    def target(self, step: Step) -> str:
        return step.path + ("&" if "?" in step.path else "?") + f"id={self.cell}-{step.name}"

    def run(self) -> None:
        client = CLIENTS_V2[self.client]
        lines = [json.dumps({"server_key": self.running.pubkey, "url": self.running.proxy.origin + self.target(s),
                             "method": s.method, "content_type": s.content_type, "body_hex": s.body.hex(),
                             "clock_offset": s.clock_offset}) for s in STEPS]
        try:
            p = subprocess.run(client.argv + ["--key", self.secret], cwd=client.cwd, input="\n".join(lines) + "\n",
                               capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            self.fatal = "the client did not finish in 60 s"
            return
        if self.secret in p.stdout or self.secret in p.stderr:
            self.fatal = "the client printed its secret key"
            return
        outs = [ln for ln in p.stdout.split("\n") if ln.strip()]
        if len(outs) != len(STEPS):
            self.fatal = f"{len(outs)} answers for {len(STEPS)} requests (exit {p.returncode}): {p.stderr.strip()[-500:]}"
            return
        self.outs = {s.name: json.loads(line) for s, line in zip(STEPS, outs)}

    def wire(self, step: Step) -> list[tuple]:
        """What the proxy forwarded for this step: (method, target, headers, body, status,
        answer headers, answer body), one per request that reached it."""
        mine = re.compile(rf"[?&]id={self.cell}-{step.name}(&|$)")
        return [x for x in self.running.proxy.exchanges if mine.search(x[1])]

    def rounds(self, step: Step) -> list[dict]:
        """The proxy's record of every request it sent upstream for this step (a
        replayed request is sent twice)."""
        mine = re.compile(rf"[?&]id={self.cell}-{step.name}(&|$)")
        return [w for w in self.running.proxy.v2log if mine.search(w["target"])]


@dataclass
class RequestToken:
    raw: bytes

    @classmethod
    def of(cls, headers: dict) -> "RequestToken":
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = auth.strip().partition(" ")
        return cls(b64(token.strip()) if scheme == "CryptoSession" else b"")

    @property
    def created(self) -> int:
        return int.from_bytes(self.raw[2:10], "big")

    @property
    def nonce(self) -> str:
        return self.raw[10:26].hex()

    @property
    def client_key(self) -> str:
        return self.raw[26:58].hex()

    @property
    def kid(self) -> str:
        return self.raw[58:66].hex()

    @property
    def signature(self) -> bytes:
        return self.raw[66:130]


def answer_token(headers: dict) -> bytes:
    value = headers.get("crypto-session")
    return b64(value) if value else b""


def kid_of(server_key: str) -> str:
    return hashlib.sha256(bytes.fromhex(server_key)).digest()[:8].hex()


def verifier(pair: Pair, now: int) -> V2Server:
    """A server of the demo's own, with the server's secret key and origin, its clock
    at `now`: it re-checks a request the way the real server had to."""
    return V2Server(pair.running.secret, [pair.running.proxy.origin], max_age=V2_MAX_AGE, max_skew=V2_MAX_SKEW,
                    now=now, replay_capacity=16)


def authenticated(server: V2Server, method: str, target: str, headers: dict, body: bytes):
    """What `server` makes of the request: the V2Authenticated request, or the code
    it refuses it with."""
    auth = [v for k, v in headers.items() if k.lower() == "authorization"]
    try:
        return server.authenticate(method, target, auth, len(body), body)
    except RejectedError as e:
        return e.code or "rejected"


def rejection(server: V2Server, method: str, target: str, headers: dict, body: bytes) -> str | None:
    """The code `server` refuses the request with, None when it accepts it."""
    got = authenticated(server, method, target, headers, body)
    return got if isinstance(got, str) else None


def same_payload(content_type: str, a: bytes, b: bytes) -> bool:
    """The same payload: as a JSON value for JSON (SecureClient serializes the value
    itself), else byte for byte."""
    if content_type.split(";")[0].strip() == "application/json" and a and b:
        try:
            return json.loads(a) == json.loads(b)
        except ValueError:
            return False
    return a == b


def opened(pair: Pair, method: str, token: RequestToken, status: int, ans_headers: dict, answer: bytes,
           kind: str = "answer"):
    """The answer opened by the demo as the client, for the request `token`, or the
    exception that refuses it."""
    client = V2Client(pair.secret, pair.running.pubkey)
    try:
        return client.open_for_token(method, token.raw, status, ans_headers.get("crypto-session", ""), answer,
                                     kind=kind)
    except (InvalidAnswerError, StaleError) as e:
        return e


def exchange(pair: Pair, step: Step, other: Step, check: Checks) -> None:
    """A normal exchange (GET or POST): what was signed, what travelled, what each side
    verified. `other`: another step of the pair, whose request this answer must not fit."""
    out = pair.outs[step.name]
    wire = pair.wire(step)
    client_name = V2_CLIENT_NAMES[pair.client]
    if not check(len(wire) == 1, f"one request on the wire for {step.name} (got {len(wire)})"):
        return
    method, target, headers, body, status, ans_headers, answer = wire[0]
    token = RequestToken.of(headers)
    client_key = V2Client(pair.secret, pair.running.pubkey).public_key
    check(len(token.raw) == 130 and token.raw[:2] == b"\x02\x00", "the request carries a v2 token (130 bytes)")
    check(token.client_key == client_key, "the token names the client's key")
    check(token.kid == kid_of(pair.running.pubkey), "the token's kid names the server key")
    digest = hashlib.sha256(body).hexdigest()
    url = pair.running.proxy.origin + target
    print(f"  {client_name}, client key {key(client_key)}: {method} {target}")
    print(f"    signed (BIP-340 Schnorr, client key): {method} {url}")
    print(f"      body sha256 {digest[:16]}...{' (no body)' if not body else ''}, kid {token.kid} "
          f"(server key), created {clock(token.created)}, nonce {token.nonce}")
    # The demo's own server, at the time the real one answered, accepts exactly this
    # request, and refuses it for another method, target or body.
    ans = answer_token(ans_headers)
    server_time = int.from_bytes(ans[2:10], "big") if len(ans) == 90 else 0
    check(-V2_MAX_SKEW <= server_time - token.created <= V2_MAX_AGE,
          "created was within max_age of the server's time")
    demo_server = verifier(pair, server_time or token.created)
    check(rejection(demo_server, "PUT" if method != "PUT" else "PATCH", target, headers, body) == "invalid_signature",
          "the signature covers the method")
    check(rejection(demo_server, method, target + "&x", headers, body) == "invalid_signature",
          "the signature covers the target")
    if body:
        flipped = body[:-1] + bytes([body[-1] ^ 1])
        check(rejection(demo_server, method, target, headers, flipped) == "invalid_signature",
              "the signature covers the body")
    request = authenticated(demo_server, method, target, headers, body)
    if not check(not isinstance(request, str), f"the request verifies with the server key ({request})"):
        return
    check(request.client_key.hex() == client_key, "the server key authenticates the client key")
    plain = request.payload
    check(request.content_type == step.content_type and same_payload(step.content_type, plain, step.body),
          "the sealed body opens to the payload and content type the client was given")
    if body:
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        check(ctype == SEALED_TYPE, f"the body travels as {SEALED_TYPE}")
        check(plain not in body and b'"order"' not in body, "the body is not on the wire in clear")
        print(f"    travelled sealed: {len(body)} bytes of {SEALED_TYPE} (ChaCha20-Poly1305, a key for this "
              f"request only), not {request.content_type} {plain.decode()}")
    else:
        check(not step.body, "a request without payload has no body")
    check(status == 200 and len(ans) == 90 and ans[:2] == b"\x02\x00", "the server answered 200, signed")
    got = opened(pair, method, token, status, ans_headers, answer)
    seen = json.loads(got.payload) if not isinstance(got, Exception) and got.payload else None
    check(isinstance(seen, dict), f"the answer opens for this request ({got})")
    seen = seen if isinstance(seen, dict) else {}
    check((seen.get("method"), seen.get("content_type"), seen.get("payload_hex"))
          == (method, request.content_type, plain.hex()),
          "the server saw the signed method, content type and payload")
    # A server whose /inspect also names the client key (the Go peer's does).
    check(seen.get("client") in (None, client_key), "the server authenticated the client's key")
    payload = bytes.fromhex(seen.get("payload_hex") or "")
    print(f"  {V2_SERVER_NAMES[pair.server]}: kid, signature, created and the nonce "
          f"(recorded: not seen before) checked{'; opened the body' if body else ''}")
    print(f"    its application saw {seen.get('method')}, content type {seen.get('content_type')!r}, "
          f"payload {payload.decode('utf-8', 'replace') if payload else '(none)'}")
    print(f"    answered {status}: Crypto-Session created {clock(server_time)}, signed (server key) over the request's "
          f"signature, the status and the sealed body ({len(answer)} bytes)")
    # The same answer does not fit another request of this client.
    other_wire = pair.wire(other)
    other_token = RequestToken.of(other_wire[0][2]) if other_wire else None
    check(other_token is not None and isinstance(opened(pair, other.method, other_token, status, ans_headers, answer),
                                                 InvalidAnswerError),
          "the answer does not verify for another request")
    if out.get("err") is not None:
        check(False, f"the client accepts the answer (it reported {out['err']})")
        print(f"  {client_name} REJECTED the answer: {out['err']}")
        return
    # SecureClient gives no status (it returns the payload of a 2xx answer).
    check(out.get("status") in (200, None) and out.get("data") == seen, "the client reports what the server sealed")
    data = dict(out.get("data") or {})
    if len(data.get("payload_hex") or "") > 16:
        data["payload_hex"] = f"{data['payload_hex'][:8]}...{data['payload_hex'][-4:]}"
    print(f"  {client_name} verified the answer for its request (server key) and opened it:")
    print(f"    {shown(data)}{' (the payload it sent)' if body else ''}")


def refusals(pair: Pair, check: Checks) -> None:
    """The replay, the stale request and another request's answer, told in a few lines."""
    client_name = V2_CLIENT_NAMES[pair.client]
    step = {s.name: s for s in STEPS}

    # A replay: the proxy sent the same bytes twice.
    out, rounds, wire = pair.outs["replay"], pair.rounds(step["replay"]), pair.wire(step["replay"])
    statuses = [(r["status"], r["crypto_session"]) for r in rounds]
    check(statuses == [(200, True), (401, False)]
          and 'error="replayed"' in (rounds[-1]["www_authenticate"] or ""),
          f"the wire shows a signed 200, then an unsigned 401 replayed (got {rounds})")
    check((out.get("err") or {}).get("kind") == "replayed", f"the client reports replayed (got {out})")
    if wire:
        method, target, headers, body = wire[0][:4]
        token = RequestToken.of(headers)
        demo_server = verifier(pair, token.created)
        verdicts = [rejection(demo_server, method, target, headers, body) for _ in range(2)]
        check(verdicts == [None, "replayed"], f"the demo's server accepts it once, then says replayed ({verdicts})")
        print(f"  Replay: the proxy sent {client_name}'s request twice, as it was (nonce {token.nonce[:12]}...):")
    print(f"    first 200, signed; then 401 {rounds[-1]['www_authenticate'] if rounds else '?'}, unsigned; "
          f"the client reports {(out.get('err') or {}).get('kind')}")

    # A stale request: the client's clock is behind.
    out, wire = pair.outs["stale"], pair.wire(step["stale"])
    if check(len(wire) == 2, f"the stale request went twice: refused, then corrected (got {len(wire)})"):
        (m1, t1, h1, b1, s1, ah1, a1), (m2, t2, h2, b2, s2, ah2, a2) = wire
        first, retry = RequestToken.of(h1), RequestToken.of(h2)
        got = opened(pair, m1, first, s1, ah1, a1, kind="stale")
        server_time = got.server_time if isinstance(got, StaleError) else 0
        check(s1 == 401 and 'error="stale"' in ah1.get("www-authenticate", "") and isinstance(got, StaleError),
              f"a signed stale answer, bound to the request, refused it (got {s1}, {got!r})")
        check(server_time - first.created > V2_MAX_AGE, "the request was older than max_age")
        check(rejection(verifier(pair, server_time), m1, t1, h1, b1) == "stale", "the demo's server also says stale")
        check(retry.nonce != first.nonce and abs(retry.created - server_time) <= V2_MAX_SKEW,
              "the retry has a new nonce and the corrected time")
        answer = opened(pair, m2, retry, s2, ah2, a2)
        check(s2 == 200 and not isinstance(answer, Exception), "the retry was answered 200, signed for it")
        check(out.get("err") is None and (out.get("data") or {}).get("method") == "GET" and out.get("retried") is not False,
              f"the client returns the retry's answer (got {out})")
        print(f"  Stale: {client_name}'s clock {BEHIND} s behind: created {clock(first.created)} (max_age {V2_MAX_AGE} s)")
        print(f"    401 {ah1.get('www-authenticate')} + Crypto-Session: a signed stale answer for this request, "
              f"server time {clock(server_time)}")
        print(f"    the client took the offset {server_time - first.created:+d} s from it and retried once: "
              f"new nonce, created {clock(retry.created)}: {s2}, verified")

    # Another request's answer: the proxy returns the answer to the previous request.
    out, wire = pair.outs["swap"], pair.wire(step["swap"])
    earlier = [x for x in pair.running.proxy.exchanges
               if re.search(rf"[?&]id={pair.cell}-(\w+)", x[1]) and x[4] != 401 and "crypto-session" in x[5]]
    index = next((i for i, x in enumerate(earlier) if wire and x is wire[0]), 0)
    if check(len(wire) == 1 and index >= 1, "the swapped request reached the server, after another one"):
        method, target, headers, body, status, ans_headers, answer = wire[0]
        token = RequestToken.of(headers)
        em, et, eh, eb, es, eah, ea = earlier[index - 1]
        check(not isinstance(opened(pair, method, token, status, ans_headers, answer), Exception),
              "the server's own answer verifies for the request")
        check(not isinstance(opened(pair, em, RequestToken.of(eh), es, eah, ea), Exception),
              "the answer delivered instead is genuine, for the earlier request")
        check(isinstance(opened(pair, method, token, es, eah, ea), InvalidAnswerError),
              "the answer delivered instead does not verify for this request")
        check((out.get("err") or {}).get("kind") == "invalid_answer", f"the client refuses it (got {out})")
        print(f"  Another request's answer: the proxy gave {client_name} the server's signed answer to its "
              f"previous request ({em} {et[:40]})")
        print(f"    genuine, but signed over that request's signature, not this one's: the client reports "
              f"{(out.get('err') or {}).get('kind')}")


def v2_part(names: list[str], clients: list[str], runnings: dict[str, Running]) -> int:
    failures = 0
    pairs = [Pair(s, c, runnings[s]) for s in names if s in runnings for c in clients]
    # The memory replay store's restart window: every request is stale (unsigned) for
    # max_skew seconds after a server starts.
    started = max((r.started for r in runnings.values()), default=time.monotonic())
    time.sleep(max(0.0, started + V2_MAX_SKEW + 1.5 - time.monotonic()))
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(Pair.run, pairs))
    step = {s.name: s for s in STEPS}
    for server_name in names:
        running = runnings.get(server_name)
        if running is None:
            continue
        print(f"=== {V2_SERVER_NAMES[server_name]} server, server key {running.pubkey} "
              f"(x-only; kid {kid_of(running.pubkey)})")
        print(f"    listens on 127.0.0.1:{running.proxy.upstream_port}; clients sign the origin {running.proxy.origin}, "
              f"a proxy that shows the demo the wire; max_age {V2_MAX_AGE} s")
        print()
        for pair in (p for p in pairs if p.server == server_name):
            check = Checks()
            if pair.fatal:
                check(False, f"{pair.client}: {pair.fatal}")
            else:
                exchange(pair, step["get"], step["post"], check)
                print()
                exchange(pair, step["post"], step["get"], check)
                print()
                refusals(pair, check)
            n = check.report()
            failures += n
            print()
    return failures


# --- protocol v1 ---------------------------------------------------------------------

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


def v1_account(client_name: str, server_name: str, running: Running) -> int:
    """One v1 POST, told from the wire; every claim checked with the Python package."""
    secret = secrets.token_hex(32)
    client_key = public_key(secret)
    before = len(running.proxy.exchanges)
    out = call(client_name, running, "POST", "/echo", ORDER, secret)
    check = Checks()
    if not check(len(running.proxy.exchanges) > before, "the request crossed the proxy"):
        return check.report()
    _, target, headers, req_body, status, ans_headers, answer = running.proxy.exchanges[before]
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    at_server = CryptoSession(client_key, running.secret)
    at_client = CryptoSession(running.pubkey, secret)
    sent = serialize_json(ORDER)
    data = json.loads(req_body).get("data", "")
    check(signer_of(auth) == client_key, "the request token names the client key")
    check(at_server.verify(auth, sent), "the client key signed the JSON body")
    check(at_client.decrypt(data) == sent and sent not in b64(data),
          "the wire carries the body encrypted under the shared key, not in clear")
    server_token = ans_headers.get("authorization", "")
    sealed = at_client.decode(server_token, answer.decode()) if server_token else None
    check(sealed is not None and sealed.is_valid and signer_of(server_token) == running.pubkey,
          "the answer is signed by the server key")
    check(out.get("err") is None and sealed is not None and out.get("data") == sealed.data == ORDER,
          "the client opened the server's echo of the body it sent")
    print(f"  {SERVER_NAMES[server_name]}, server key {key(running.pubkey)} <- {CLIENT_NAMES[client_name]}, "
          f"client key {key(client_key)}: POST {target}")
    print(f"    signed the body {sent.decode()} (DER ECDSA) and sent it AES-256-CBC encrypted "
          f'(ECDH key): {{"data":"{short(data, 16)}"}}')
    print(f"    the server decrypted and verified it, answered {status} signed and encrypted; the client "
          f"verified and opened {shown(out.get('data'))}")
    return check.report()


def v1_part(names: list[str], client_name: str, runnings: dict[str, Running]) -> int:
    print("=== Protocol v1 (the JavaScript package's protocol, for compatibility): the v1 servers answer")
    print(f"    {CLIENT_NAMES[client_name]}{', the Node package drop-in for @cmdcode/crypto-session' if client_name == 'node' else ''}")
    print()
    failures = 0
    for server_name in names:
        running = runnings.get(f"v1-{server_name}")
        if running is not None:
            failures += v1_account(client_name, server_name, running)
    print()
    return failures


# --- main ------------------------------------------------------------------------------

def start_all(stack: ExitStack, servers: dict, failures: list[str]) -> dict[str, Running]:
    """Start every server at once (a Python server's import is slow); the ones that
    do not start are failures."""
    runnings: dict[str, Running] = {}
    lock = threading.Lock()

    def start(label: str) -> None:
        try:
            running = Running(servers[label])
            running.started = time.monotonic()
        except RuntimeError as e:
            with lock:
                failures.append(str(e))
            return
        with lock:
            runnings[label] = running
            stack.callback(running.stop)

    threads = [threading.Thread(target=start, args=(label,)) for label in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return runnings


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", default="asgi,express,go", help="v2 servers (harness.SERVERS_V2)")
    ap.add_argument("--clients", default="httpx,fetch,go", help="v2 clients (harness.CLIENTS_V2)")
    ap.add_argument("--v1-servers", default="fastapi,express,go", help="v1 servers (harness.SERVERS)")
    ap.add_argument("--v1-client", default="node", help="the v1 client (harness.CLIENTS)")
    args = ap.parse_args()
    names, clients = args.servers.split(","), args.clients.split(",")
    v1_names = [n for n in args.v1_servers.split(",") if n]
    for given, known, what in ((names, SERVERS_V2, "v2 server"), (clients, CLIENTS_V2, "v2 client"),
                               (v1_names, SERVERS, "v1 server"), ([args.v1_client], CLIENTS, "v1 client")):
        unknown = [n for n in given if n not in known]
        if unknown:
            ap.error(f"unknown {what} {', '.join(unknown)} (known: {', '.join(known)})")
    stop_on_sigterm()
    began = time.monotonic()
    print("crypto-session demo, protocol v2: every client signs its request (method, target, body hash,")
    print("server key id, time, nonce) with its own secp256k1 key; every server refuses a replayed or stale")
    print("request, and signs its answer for that one request; bodies travel sealed both ways. Each claim")
    print("below is also checked by the demo, which knows both secret keys.")
    print()
    errors: list[str] = []
    with ExitStack() as stack:
        servers = {name: SERVERS_V2[name] for name in names}
        servers.update({f"v1-{name}": SERVERS[name] for name in v1_names})
        runnings = start_all(stack, servers, errors)
        failures = v2_part(names, clients, runnings)
        if v1_names:
            failures += v1_part(v1_names, args.v1_client, runnings)
    for error in errors:
        print(f"FAILED: {error}")
    failures += len(errors)
    took = time.monotonic() - began
    print(f"every exchange verified on both sides, replays, stale requests and swapped answers refused ({took:.0f} s)"
          if not failures else f"{failures} checks FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
