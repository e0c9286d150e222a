#!/usr/bin/env python3
"""Interop peer (protocol v2): the `crypto-session fetch` command, one run per request.

Usage: cli_client_v2.py CRYPTO_SESSION_BINARY --key HEX

Reads requests as JSON lines on stdin and prints one JSON line per request
(tests/interop/README.md, "The v2 peer contract"). Each request is one run of the
CLI as a user would type it: `fetch URL -X METHOD [-H 'Content-Type: T' --data @-]
-v`, the key in CRYPTO_SESSION_KEY and the server key in CRYPTO_SESSION_SERVER_KEY,
the payload's bytes on its standard input. What the report says comes from what the
CLI shows: the opened payload on stdout, the status, the payload's content type and
the retry in its -v account on stderr, the outcome in its exit status (0 a 2xx
answer, 4 another verified answer, 3 a rejection, naming its code, 5 an answer that
does not verify).

A clock_offset runs the CLI under libfaketime (`faketime`): the process's clock is
off, as a user's would be; the product has no test hook for it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

from python_client_v2 import revive  # the contract's `data`

STATUS_LINE = re.compile(r"^< (\d{3})\b", re.M)
VERIFIED = re.compile(r"^\* answer verified: .*\(content type (.*)\)$", re.M)
REJECTED = re.compile(r"the server rejected the request \((\d{3}) [^,]*, (\w[\w ]*)\)")


def report(p: subprocess.CompletedProcess) -> dict:
    err = p.stderr.decode("utf-8", "replace")
    statuses = [int(s) for s in STATUS_LINE.findall(err)]
    status = statuses[-1] if statuses else None
    message = err.strip().splitlines()[-1] if err.strip() else ""
    if p.returncode in (0, 4):  # a verified answer (4: its status is not 2xx)
        found = VERIFIED.search(err)
        content_type = "" if not found or found.group(1) == "none" else found.group(1)
        return {"status": status, "content_type": content_type, "data": revive(content_type, p.stdout),
                "retried": "* signed stale answer" in err, "err": None}
    if p.returncode == 3:
        rejected = REJECTED.search(err)
        if rejected:
            code = rejected.group(2)
            kind = "rejected" if code == "no code" else code
        elif "refused the request as stale" in err:
            kind = "stale"
        else:
            kind = "rejected"
        return {"status": status, "data": None, "err": {"kind": kind, "status": status, "message": message}}
    kind = "invalid_answer" if p.returncode == 5 else f"exit {p.returncode}"
    return {"status": status, "data": None, "err": {"kind": kind, "status": status, "message": message}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--key", required=True)
    args = ap.parse_args()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        argv = [args.cli, "fetch", req["url"], "-X", req["method"], "-v"]
        body = bytes.fromhex(req["body_hex"])
        if req["content_type"]:
            argv += ["-H", f"Content-Type: {req['content_type']}"]
        if body:
            argv += ["--data", "@-"]
        env = dict(os.environ, CRYPTO_SESSION_KEY=args.key, CRYPTO_SESSION_SERVER_KEY=req["server_key"])
        if req.get("clock_offset"):
            # Only the wall clock: the CLI's timeouts run on the monotonic one.
            argv = ["faketime", "-f", f"{int(req['clock_offset']):+d}s"] + argv
            env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        try:
            p = subprocess.run(argv, input=body, capture_output=True, env=env, timeout=60)
            out = report(p)
        except (OSError, subprocess.TimeoutExpired) as e:
            out = {"status": None, "data": None, "err": {"kind": type(e).__name__, "status": None,
                                                         "message": str(e)}}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
