#!/usr/bin/env python3
"""Every client against every server: the interop matrix.

Each server is a real process on 127.0.0.1 with an ephemeral port. It reads
CRYPTO_SESSION_KEY, CRYPTO_SESSION_HOST and PORT=0, prints one JSON line
{"port": N, "pubkey": "..."} when it listens, and serves the routes of
tests/interop/README.md. Each client is a real process too: given
--server-key, --key, --url and optionally --method/--json/--data it sends one
request and prints one JSON line {"status", "data", "err"}.

Between them runs a small proxy of ours, so that the same tampering reaches every
pair: a target with `tamper=request` gets one character of its authorization token
changed on the way in; `tamper=answer` gets one character of the answer body
changed on the way out. The server is configured with the proxy's origin as its
host, since that is the URL the clients sign.

Then the protocol v2 matrix (matrix_v2.py): every v2 server against every v2 client,
fourteen scenarios per pair, the cells in parallel.

Usage: matrix.py [--protocol 1|2|both] [--servers a,b] [--clients x,y] [--jobs N] [-v]
Prints each matrix as a table and exits 1 if any cell failed.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import matrix_v2
from harness import CLIENTS, CLIENTS_V2, SERVERS, SERVERS_V2, Client, Running, stop_on_sigterm


# --- scenarios -------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    method: str
    path: str
    json_body: object = None
    text_body: str | None = None
    # What the client must report: ("data", value) or ("err", status or None).
    expect: tuple = ("data", None)


def scenarios(origin: str) -> list[Scenario]:
    return [
        Scenario("GET text", "GET", "/text?msg=hello%20w%C3%B6rld%26more", expect=("data", "hello wörld&more")),
        Scenario("GET JSON", "GET", "/json?a=1&b=two", expect=("data", {"a": "1", "b": "two"})),
        Scenario("POST JSON", "POST", "/echo", json_body={"n": 1, "s": "ü", "l": [1, None]},
                 expect=("data", {"n": 1, "s": "ü", "l": [1, None]})),
        Scenario("POST text", "POST", "/echo", text_body="plain text, not JSON",
                 expect=("data", "plain text, not JSON")),
        Scenario("POST no body", "POST", "/nobody", expect=("data", origin + "/nobody")),
        Scenario("non-2xx", "GET", "/teapot", expect=("err", 418)),
        Scenario("tampered request", "GET", "/text?msg=x&tamper=request", expect=("err", 401)),
        Scenario("tampered answer", "GET", "/text?msg=x&tamper=answer", expect=("err", None)),
    ]


# The kinds a client may report for an answer it rejects: the core's error kinds
# for a body or a token that does not hold.
ANSWER_REJECTED = {"malformed_input", "decrypt_failed", "invalid_signature", "wrong_peer"}

# The CLI's exit statuses (`crypto-session --help`) as the contract's error kinds.
CLI_EXIT_KINDS = {1: "error", 2: "usage", 3: "http_status", 4: "http_status", 5: "answer_invalid"}


def cli_report(p: subprocess.CompletedProcess) -> dict:
    """The CLI's outcome in the contract's form. It prints the opened answer as is on
    success; on failure a message on stderr and an exit status that says which."""
    if p.returncode == 0:
        try:
            data = json.loads(p.stdout)  # revived as the reference does: JSON, else text
        except ValueError:
            data = p.stdout
        return {"status": 200, "data": data, "err": None}
    message = p.stderr.strip()
    status = None
    if p.returncode == 3:
        status = 401
    elif p.returncode == 4:
        found = re.search(r"answered (\d{3})", message)
        status = int(found.group(1)) if found else None
    kind = CLI_EXIT_KINDS.get(p.returncode, f"exit {p.returncode}")
    return {"status": status, "data": None, "err": {"kind": kind, "message": message, "status": status}}


def run_client(client: Client, server_pub: str, url: str, sc: Scenario) -> dict:
    key = secrets.token_hex(32)
    if client.style == "cli":
        argv = client.argv + ["fetch", "--v1", url, "--server-key", server_pub, "--key", key, "-X", sc.method,
                              "--max-time", "30"]
        if sc.json_body is not None:
            argv += ["--json", json.dumps(sc.json_body)]
        elif sc.text_body is not None:
            argv += ["--data-raw", sc.text_body]  # -d would read a file for text starting with @
    else:
        argv = client.argv + ["--server-key", server_pub, "--key", key, "--url", url, "--method", sc.method]
        if sc.json_body is not None:
            argv += ["--json", json.dumps(sc.json_body)]
        elif sc.text_body is not None:
            argv += ["--data", sc.text_body]
    try:
        p = subprocess.run(argv, cwd=client.cwd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return {"err": "the client did not finish in 60s", "crash": True}
    if key in p.stdout or key in p.stderr:
        return {"err": "the client printed its secret key", "leak": True}
    if client.style == "cli":
        return cli_report(p)
    # Split on newlines only: str.splitlines() also splits inside JSON text at U+2028.
    lines = [ln for ln in p.stdout.split("\n") if ln.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"err": f"no JSON line (exit {p.returncode}): {p.stdout.strip()[-300:]} "
                       f"{p.stderr.strip()[-500:]}", "crash": True}


def judge(sc: Scenario, out: dict) -> str | None:
    """None when the client's report is what the scenario requires, else why not."""
    if out.get("leak") or out.get("crash"):
        return str(out["err"])
    kind, want = sc.expect
    err = out.get("err")
    if kind == "data":
        if err:
            return f"error: {err}"
        if out.get("data") != want:
            return f"data {out.get('data')!r} != {want!r}"
        return None
    if not err:
        return f"accepted: {out.get('data')!r}"
    if not isinstance(err, dict):
        return f"error not in the contract's form: {err!r}"
    if want is None:
        # A tampered answer: rejected because it does not verify, not for another reason.
        if err.get("kind") not in ANSWER_REJECTED | {"answer_invalid"}:
            return f"rejected for another reason than the answer: {err}"
        return None
    if err.get("kind") != "http_status" or err.get("status", out.get("status")) != want:
        return f"want an http_status error with status {want}: {err}"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", default="", help="default: every server of each protocol")
    ap.add_argument("--clients", default="", help="default: every client of each protocol")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--protocol", choices=["1", "2", "both"], default="both")
    ap.add_argument("--jobs", type=int, default=4, help="cells run in parallel (default 4)")
    args = ap.parse_args()
    stop_on_sigterm()
    code = 0
    if args.protocol in ("1", "both"):
        code |= main_v1(args)
    if args.protocol in ("2", "both"):
        code |= main_v2(args)
    return code


def _pick(names: str, table: dict, other: dict, what: str) -> list:
    """The peers named (all by default); a name only the other protocol has is skipped."""
    out = []
    for n in names.split(","):
        if n in table:
            out.append(table[n])
        elif n and n not in other:
            raise SystemExit(f"no {what} named {n!r} (v1: {', '.join(CLIENTS if what == 'client' else SERVERS)}; "
                             f"v2: {', '.join(CLIENTS_V2 if what == 'client' else SERVERS_V2)})")
    return out


def main_v2(args) -> int:
    started = time.monotonic()
    servers = _pick(args.servers or ",".join(SERVERS_V2), SERVERS_V2, SERVERS, "server")
    clients = _pick(args.clients or ",".join(CLIENTS_V2), CLIENTS_V2, CLIENTS, "client")
    if not servers or not clients:
        return 0
    table, failures = matrix_v2.run(servers, clients, args.jobs, args.verbose)
    n = len(matrix_v2.SCENARIOS)
    width = max(max(len(c.name) for c in clients), n) + 2
    print("\nprotocol v2 interop matrix (rows: servers, columns: clients; one mark per scenario)")
    print("scenarios: " + ", ".join(s.name for s in matrix_v2.SCENARIOS))
    print(" " * 10 + "".join(c.name.ljust(width) for c in clients))
    for s in servers:
        print(s.name.ljust(10) + "".join(table.get((s.name, c.name), "-").ljust(width) for c in clients))
    cells = len(servers) * len(clients) * n
    passed = sum(m.count(".") for m in table.values())
    print(f"\nv2: {passed}/{cells} cells passed in {time.monotonic() - started:.0f}s")
    for f in failures:
        print("FAIL", f)
    return 1 if failures or passed != cells else 0


def main_v1(args) -> int:
    servers = _pick(args.servers or ",".join(SERVERS), SERVERS, SERVERS_V2, "server")
    clients = _pick(args.clients or ",".join(CLIENTS), CLIENTS, CLIENTS_V2, "client")
    if not servers or not clients:
        return 0

    failures: list[str] = []
    table: dict[tuple[str, str], str] = {}
    started = time.monotonic()
    for server in servers:
        try:
            running = Running(server)
        except RuntimeError as e:
            # Every cell of this server fails; the other servers still run.
            for client in clients:
                table[(server.name, client.name)] = "x" * len(scenarios(""))
                failures += [f"{server.name:8} <- {client.name:8} {sc.name}: not started"
                             for sc in scenarios("")]
            failures.append(str(e))
            continue
        with running:
            # The cells of one server run --jobs at a time (each is one client process).
            cells = [(sc, client) for sc in scenarios(running.proxy.origin) for client in clients]
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                outs = list(pool.map(lambda cell: run_client(cell[1], running.pubkey,
                                                             running.proxy.origin + cell[0].path, cell[0]), cells))
            for (sc, client), out in zip(cells, outs):
                why = judge(sc, out)
                cell = (server.name, client.name)
                if why:
                    failures.append(f"{server.name:8} <- {client.name:8} {sc.name}: {why}")
                    table[cell] = table.get(cell, "") + "x"
                else:
                    table[cell] = table.get(cell, "") + "."
                if args.verbose:
                    print(f"{server.name:8} <- {client.name:8} {sc.name:16} {'FAIL ' + why if why else 'ok'}",
                          flush=True)
            # Every tampered request reached the server and was answered 401.
            tampered = [s for m, p, s in running.proxy.seen if "tamper=request" in p]
            if not tampered or any(s != 401 for s in tampered):
                failures.append(f"{server.name}: tampered requests answered {tampered}, want all 401")
        # ... and the server logged why, on stderr (complete once it has stopped).
        logged = [ln for ln in running.log if re.search(r"reject|\b401\b", ln, re.IGNORECASE)]
        if len(logged) < len(tampered):
            failures.append(f"{server.name}: {len(tampered)} rejections but {len(logged)} logged on stderr")
        print(f"{server.name}: {sum(c.count('.') for (n, _), c in table.items() if n == server.name)}"
              f"/{len(clients) * len(scenarios(''))} cells passed ({time.monotonic() - started:.0f}s so far)",
              flush=True)

    names = [s.name for s in servers]
    width = max(max(len(c.name) for c in clients), len(scenarios(""))) + 2
    print("\ninterop matrix (rows: servers, columns: clients; one mark per scenario, '.' pass, 'x' fail)")
    print("scenarios: " + ", ".join(s.name for s in scenarios("")))
    print(" " * 10 + "".join(c.name.ljust(width) for c in clients))
    for n in names:
        print(n.ljust(10) + "".join(table.get((n, c.name), "-").ljust(width) for c in clients))
    cells = len(servers) * len(clients) * len(scenarios(""))
    print(f"\n{cells - len([f for f in failures if '<-' in f])}/{cells} cells passed "
          f"in {time.monotonic() - started:.0f}s")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
