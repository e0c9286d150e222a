"""The protocol v2 half of the interop matrix (run by matrix.py).

Every v2 server (harness.SERVERS_V2) against every v2 client (harness.CLIENTS_V2),
all real processes on 127.0.0.1 behind the matrix's proxy. A client process gets
every scenario of its cell as JSON lines on stdin and answers one JSON line each
(README.md, "The v2 peer contract"), so a cell costs one process start, and the
cells run in parallel (--jobs).

A cell passes only for the right reason: the answer's data (what /inspect saw: the
method, the content type, the payload bytes) or the rejection code the scenario
requires, reported by the client AND seen on the wire by the proxy (the server's
`WWW-Authenticate: CryptoSession error="<code>"`; for the stale request, a signed
stale answer then a 200; for the replay, a 200 then `replayed`).
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness import V2_MAX_AGE, V2_MAX_SKEW, Client, Running, Server

# JSON as the clients send it: the answer's payload is compared as a value, since
# SecureClient serializes the value itself.
JSON_VALUE = {"n": 1, "s": "ü", "l": [1, None]}
BYTES = bytes(range(0, 256, 7)) + b"\x00\xff"
# The stale request: a client clock this far behind (past max_age, within the 1 hour
# a client accepts as a correction).
STALE_OFFSET = -(V2_MAX_AGE + V2_MAX_SKEW + 60)
# A key no server holds: the x-only key of the secret key 1 (the curve's generator).
OTHER_KEY = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    content_type: str = ""
    body: bytes = b""
    # ("answer", status, data): a verified answer; ("code", code): the client reports
    # the server's rejection code; ("invalid_answer",): the client refuses the answer.
    expect: tuple = ("answer", 200, None)
    clock_offset: int = 0
    other_key: bool = False  # the request names a key the server does not hold


def inspect(method: str, content_type: str = "", payload: bytes = b"") -> dict:
    return {"method": method, "content_type": content_type, "payload_hex": payload.hex()}


JSON_BODY = json.dumps(JSON_VALUE).encode()

SCENARIOS = [
    Scenario("GET", "GET", "/inspect?a=1&b=two", expect=("answer", 200, inspect("GET"))),
    Scenario("POST JSON", "POST", "/inspect", "application/json", JSON_BODY,
             expect=("answer", 200, "json")),
    Scenario("PUT bytes", "PUT", "/inspect", "application/octet-stream", BYTES,
             expect=("answer", 200, inspect("PUT", "application/octet-stream", BYTES))),
    Scenario("DELETE", "DELETE", "/inspect", expect=("answer", 200, inspect("DELETE"))),
    Scenario("204", "GET", "/empty", expect=("answer", 204, None)),
    Scenario("404", "GET", "/missing", expect=("answer", 404, {"error": "not found"})),
    Scenario("replay", "GET", "/inspect?tamper=replay", expect=("code", "replayed")),
    Scenario("stale (corrected)", "GET", "/inspect?clock=behind", expect=("answer", 200, inspect("GET")),
             clock_offset=STALE_OFFSET),
    Scenario("tampered token", "GET", "/inspect?tamper=token", expect=("code", "invalid_signature")),
    Scenario("tampered target", "GET", "/inspect?tamper=target", expect=("code", "invalid_signature")),
    Scenario("tampered method", "POST", "/inspect?tamper=method", "application/json", JSON_BODY,
             expect=("code", "invalid_signature")),
    Scenario("tampered body", "POST", "/inspect?tamper=body", "application/json", JSON_BODY,
             expect=("code", "invalid_signature")),
    Scenario("other request's answer", "GET", "/inspect?tamper=swap", expect=("invalid_answer",)),
    Scenario("unknown kid", "GET", "/inspect?kid=other", expect=("code", "unknown_key"), other_key=True),
]


def _with_id(path: str, cell_id: str) -> str:
    return path + ("&" if "?" in path else "?") + f"id={cell_id}"


def run_cell(client: Client, running: Running, other_key: str) -> list[dict]:
    """The client's report for every scenario (or one error for all)."""
    key = secrets.token_hex(32)
    cell = secrets.token_hex(6)
    lines = []
    for i, sc in enumerate(SCENARIOS):
        lines.append(json.dumps({
            "server_key": other_key if sc.other_key else running.pubkey,
            "url": running.proxy.origin + _with_id(sc.path, f"{cell}-{i}"),
            "method": sc.method, "content_type": sc.content_type, "body_hex": sc.body.hex(),
            "clock_offset": sc.clock_offset,
        }))
    try:
        p = subprocess.run(client.argv + ["--key", key], cwd=client.cwd, input="\n".join(lines) + "\n",
                           capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        return [{"fatal": "the client did not finish in 180s"}] * len(SCENARIOS)
    if key in p.stdout or key in p.stderr:
        return [{"fatal": "the client printed its secret key"}] * len(SCENARIOS)
    outs = [ln for ln in p.stdout.split("\n") if ln.strip()]
    reports: list[dict] = []
    for i in range(len(SCENARIOS)):
        try:
            out = json.loads(outs[i])
        except (IndexError, ValueError):
            out = {"fatal": f"no JSON line (exit {p.returncode}): {p.stderr.strip()[-500:]}"}
        out["id"] = f"{cell}-{i}"
        reports.append(out)
    return reports


def judge(sc: Scenario, out: dict, wire: list[dict]) -> str | None:
    """None when the client's report and what crossed the wire are what the scenario
    requires, else why not. `wire`: the proxy's records for this request."""
    if "fatal" in out:
        return out["fatal"]
    err = out.get("err")
    kind = sc.expect[0]
    if kind == "answer":
        _, status, data = sc.expect
        if err:
            # SecureClient raises for a non-2xx answer it verified.
            if status >= 300 and err.get("kind") == "http_status" and err.get("status") == status:
                return None if [w["status"] for w in wire][-1:] == [status] else f"wire {wire}"
            return f"error: {err}"
        if out.get("status") not in (status, None):  # None: SecureClient gives no status
            return f"status {out.get('status')} != {status}"
        got = out.get("data")
        if data == "json":
            if not isinstance(got, dict):
                return f"data {got!r}"
            try:
                sent = json.loads(bytes.fromhex(got.get("payload_hex", "")))
            except ValueError:
                return f"payload not JSON: {got!r}"
            if (got.get("method"), got.get("content_type", "").split(";")[0], sent) != ("POST", "application/json", JSON_VALUE):
                return f"data {got!r}"
        elif isinstance(data, dict) and "method" in data:
            # What /inspect saw (a server may add fields: the noble one does).
            seen = {k: got.get(k) for k in data} if isinstance(got, dict) else got
            if seen != data:
                return f"data {got!r}, want {data!r}"
        elif got != data:
            return f"data {got!r} != {data!r}"
        statuses = [(w["status"], w["crypto_session"]) for w in wire]
        if sc.clock_offset:
            stale = [w for w in wire if w["status"] == 401]
            if (len(wire) != 2 or not stale or 'error="stale"' not in (stale[0]["www_authenticate"] or "")
                    or not stale[0]["crypto_session"] or wire[1]["status"] != 200):
                return f"want a signed stale answer then a 200 on the wire, got {wire}"
            if out.get("retried") is False:
                return "the client says it did not retry"
        elif statuses != [(status, True)]:
            return f"wire {wire}, want one signed answer with status {status}"
        return None
    if not err:
        return f"accepted: {out.get('data')!r}"
    if kind == "invalid_answer":
        if err.get("kind") != "invalid_answer":
            return f"want invalid_answer, got {err}"
        if [w["status"] for w in wire] != [200]:
            return f"wire {wire}, want the server's 200 (then swapped)"
        return None
    code = sc.expect[1]
    if err.get("kind") != code:
        return f"want {code}, got {err}"
    want_wire = [200, 401] if code == "replayed" else [401]
    if [w["status"] for w in wire] != want_wire or f'error="{code}"' not in (wire[-1]["www_authenticate"] or "") \
            or wire[-1]["crypto_session"]:
        return f"wire {wire}, want statuses {want_wire} ending with an unsigned {code}"
    return None


def run(servers: list[Server], clients: list[Client], jobs: int, verbose: bool) -> tuple[dict, list[str]]:
    """-> (table {(server, client): marks}, failures)."""
    table: dict[tuple[str, str], str] = {}
    failures: list[str] = []
    runnings: dict[str, Running] = {}
    started: dict[str, float] = {}

    def start(server: Server) -> None:
        try:
            runnings[server.name] = Running(server)
            started[server.name] = time.monotonic()
        except RuntimeError as e:
            failures.append(str(e))

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        # The memory replay store's restart window: every request is stale for
        # max_skew seconds after a start.
        if started:
            time.sleep(max(0.0, max(started.values()) + V2_MAX_SKEW + 1.5 - time.monotonic()))
        pairs = [(s, c) for s in servers if s.name in runnings for c in clients]

        def cell(pair: tuple[Server, Client]) -> tuple[Server, Client, list[dict]]:
            server, client = pair
            running = runnings[server.name]
            return server, client, run_cell(client, running, OTHER_KEY)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for server, client, reports in pool.map(cell, pairs):
                log = runnings[server.name].proxy.v2log
                marks = ""
                for sc, out in zip(SCENARIOS, reports):
                    mine = re.compile(rf"[?&]id={out['id']}(&|$)")
                    wire = [w for w in log if mine.search(w["target"])]
                    why = judge(sc, out, wire)
                    marks += "x" if why else "."
                    if why:
                        failures.append(f"v2 {server.name:8} <- {client.name:8} {sc.name}: {why}")
                    if verbose:
                        print(f"v2 {server.name:8} <- {client.name:8} {sc.name:24} {'FAIL ' + why if why else 'ok'}",
                              flush=True)
                table[(server.name, client.name)] = marks
    finally:
        for running in runnings.values():
            running.stop()
    for s in servers:
        if s.name not in runnings:
            for c in clients:
                table[(s.name, c.name)] = "x" * len(SCENARIOS)
                failures.append(f"v2 {s.name:8} <- {c.name:8}: server not started")
    # Every rejection was logged by its server, on stderr.
    for name, running in runnings.items():
        rejected = sum(1 for w in running.proxy.v2log if w["status"] == 401)
        logged = sum(1 for ln in running.log if "stale" in ln or "replayed" in ln or "invalid_signature" in ln
                     or "unknown_key" in ln or "reject" in ln.lower())
        if logged < rejected:
            failures.append(f"v2 {name}: {rejected} rejections but {logged} logged on stderr")
    return table, failures
