"""Resident memory over many operations through the binding: it must stay flat.

Two runs (``--mode``, default both), each ``--count`` operations (default one million):

- ``decode``: ``CryptoSession.decode`` of 1 KiB POST payloads from a known peer.
- ``authenticate``: ``Server.authenticate`` of a GET then a POST from each client of
  a pool five times larger than the server's session cache, in turn, so that both the
  session cache and the verified-GET cache (one distinct GET token per client) keep
  evicting: their memory must stay bounded.

RSS (``/proc/self/statm``) is printed at tenths of the run. The growth is measured
from the end of a warm-up (the first twentieth, and at least until every client has
been seen twice: caches full, allocator settled) to the end and to the highest
sample; the run fails (exit 1) above ``--limit`` percent.

    python bench/memory.py [--count 1000000] [--mode decode|authenticate|both]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

import crypto_sessions as cs

HOST = "http://127.0.0.1:8000"
PAGE = os.sysconf("SC_PAGE_SIZE")
DEFAULT_CACHE = 4096  # Server's session and verified-GET caches


def rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def payload(size: int, n: int) -> str:
    head = '{"n":%d,"pad":"' % n
    return head + "x" * (size - len(head) - 2) + '"}'


def decode_op() -> Callable[[int], object]:
    server_key, client_key = cs.generate_secret_key(), cs.generate_secret_key()
    sender = cs.CryptoSession(cs.public_key(server_key), client_key)
    receiver = cs.CryptoSession(cs.public_key(client_key), server_key)
    messages = [sender.encode(payload(1024, n)) for n in range(64)]
    assert all(receiver.decode(m.token, m.data).is_valid for m in messages)

    def op(i: int) -> object:
        m = messages[i % len(messages)]
        decoded = receiver.decode(m.token, m.data)
        if not decoded.is_valid:
            raise AssertionError("a valid message did not decode")
        return decoded.data

    return op


def authenticate_op(clients: int) -> Callable[[int], object]:
    server_key = cs.generate_secret_key()
    server = cs.Server(server_key, HOST, session_cache=DEFAULT_CACHE, verified_cache=DEFAULT_CACHE)
    requests = []
    for n in range(clients):
        client = cs.Client(server.public_key, cs.generate_secret_key(), HOST)
        get = client.prepare("GET", f"/poll?n={n}")
        post = client.prepare("POST", "/post", payload(32, n))
        assert post.body is not None
        requests.append((dict(get.headers)["authorization"], f"/poll?n={n}",
                         dict(post.headers)["authorization"], post.body.encode()))

    def op(i: int) -> object:
        get_token, target, post_token, body = requests[(i // 2) % len(requests)]
        if i % 2:
            return server.authenticate("POST", "/post", post_token, body).payload
        return server.authenticate("GET", target, get_token).public_key

    return op


def run(name: str, op: Callable[[int], object], count: int, limit: float,
        min_warm: int = 1) -> bool:
    warm = min(max(count // 20, min_warm), count)
    step = max(count // 10, 1)
    start_rss = rss_mib()
    print(f"{name}: {count:,} operations, RSS at start {start_rss:.1f} MiB", flush=True)
    baseline = peak = 0.0
    began = time.perf_counter()
    for i in range(count):
        op(i)
        done = i + 1
        if done == warm:
            baseline = rss_mib()
            print(f"  {done:>9,}  {baseline:7.1f} MiB  (end of warm-up: the baseline)", flush=True)
        elif done % step == 0 or done == count:
            now = rss_mib()
            rate = done / (time.perf_counter() - began)
            if done < warm:
                print(f"  {done:>9,}  {now:7.1f} MiB  (warming up)", flush=True)
                continue
            peak = max(peak, now)
            print(f"  {done:>9,}  {now:7.1f} MiB  {100 * (now / baseline - 1):+6.2f}%"
                  f"  ({rate:,.0f} ops/s)", flush=True)
    final = rss_mib()
    growth, worst = 100 * (final / baseline - 1), 100 * (max(peak, final) / baseline - 1)
    ok = growth <= limit and worst <= limit
    print(f"{name}: growth after warm-up {growth:+.2f}% at the end, {worst:+.2f}% at the "
          f"highest sample (limit {limit:g}%): {'flat' if ok else 'NOT FLAT'}", flush=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--mode", choices=["decode", "authenticate", "both"], default="both")
    parser.add_argument("--clients", type=int, default=20_480,
                        help="distinct clients for authenticate (default 5x the session cache)")
    parser.add_argument("--limit", type=float, default=10.0, help="allowed growth, percent")
    args = parser.parse_args()
    print(f"crypto-sessions {cs.__version__}, backend {cs.BACKEND}, pid {os.getpid()}")
    ok = True
    if args.mode in ("decode", "both"):
        ok &= run("decode", decode_op(), args.count, args.limit)
    if args.mode in ("authenticate", "both"):
        # Warm-up: the caches filled twice over (each GET/POST pair is one client).
        fill = 2 * 2 * max(DEFAULT_CACHE, args.clients)
        ok &= run("authenticate", authenticate_op(args.clients), args.count, args.limit, fill)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
