"""The binding against protocol v1 on coincurve + cryptography, in one process.

Same keys, same payloads (32 B, 1 KiB, 64 KiB), same requests for both sides. Each
case runs in batches of about ``--batch-ms``, the two sides alternating, ``--repeat``
times; the table shows median times per operation and the median of the per-round
ratios (alternative time / binding time: above 1 the binding is faster). Ratios from
one run are what count: absolute times move with the machine's load.

Before timing, the alternative must pass the reference's vectors (session, sign,
http, and the rest of the file) and agree with the binding on every request used.

    python bench/bench.py [--quick] [--json results.json]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Optional

from coincurve import PrivateKey, PublicKey

import crypto_sessions as cs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import alt_vectors  # noqa: E402
import v1_coincurve as alt  # noqa: E402

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "reference-1.1.10.json"
HOST = "http://127.0.0.1:8000"
SIZES = (32, 1024, 65536)
# Pools of distinct inputs cycled through caches smaller than the pool, so every
# operation misses: a peer not in the cache each time, or a GET token not seen lately.
NEW_PEERS = 256
SMALL_CACHE = 64
FRESH_GETS = 5000  # more than the default verified-GET cache (4096)


def payload(size: int, n: int) -> str:
    """JSON-looking ASCII text of exactly ``size`` bytes, distinct for each ``n``."""
    head = '{"n":%d,"pad":"' % n
    return head + "x" * (size - len(head) - 2) + '"}'


@dataclass
class Case:
    name: str
    size: Optional[int]
    ours: Callable[[Any], Any]
    theirs: Callable[[Any], Any]
    items: list[Any]
    target: Optional[float] = None
    note: str = ""
    ours_us: float = 0.0
    theirs_us: float = 0.0
    ratio: float = 0.0
    spread: tuple[float, float] = (0.0, 0.0)
    positions: list[int] = field(default_factory=lambda: [0, 0])


def run_batch(fn: Callable[[Any], Any], seq: list[Any]) -> float:
    """Seconds per call over ``seq``, the collector off as timeit does."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for item in seq:
            fn(item)
        return (time.perf_counter() - start) / len(seq)
    finally:
        if enabled:
            gc.enable()


def next_items(case: Case, side: int, n: int) -> list[Any]:
    start = case.positions[side]
    case.positions[side] = start + n
    items = case.items
    return [items[(start + i) % len(items)] for i in range(n)]


def measure(case: Case, repeat: int, batch_s: float) -> None:
    sides = (case.ours, case.theirs)
    counts = []
    for side, fn in enumerate(sides):
        run_batch(fn, next_items(case, side, 3))  # warm up
        per_op = run_batch(fn, next_items(case, side, max(3, min(50, len(case.items)))))
        counts.append(max(3, int(batch_s / per_op)))
    ours, theirs, ratios = [], [], []
    for r in range(repeat):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        t = [0.0, 0.0]
        for side in order:
            t[side] = run_batch(sides[side], next_items(case, side, counts[side]))
        ours.append(t[0])
        theirs.append(t[1])
        ratios.append(t[1] / t[0])
    case.ours_us = statistics.median(ours) * 1e6
    case.theirs_us = statistics.median(theirs) * 1e6
    case.ratio = statistics.median(ratios)
    q = statistics.quantiles(ratios, n=4) if len(ratios) >= 4 else [min(ratios), 0, max(ratios)]
    case.spread = (q[0], q[-1])


class Fixture:
    """Keys, sessions, servers and pre-built requests shared by both sides."""

    def __init__(self, sizes: tuple[int, ...]) -> None:
        self.server_secret = cs.generate_secret_key()
        self.server_pub = cs.public_key(self.server_secret)
        self.client_secret = cs.generate_secret_key()
        self.client_pub = cs.public_key(self.client_secret)
        self.client = cs.Client(self.server_pub, self.client_secret, HOST)
        self.sizes = sizes
        # Known peer: reused sessions, servers with their default caches.
        self.our_session = cs.CryptoSession(self.client_pub, self.server_secret)
        self.their_session = alt.Session(self.client_pub, self.server_secret)
        self.our_server = cs.Server(self.server_secret, HOST)
        self.their_server = alt.Server(self.server_secret, HOST)
        # New peers: the same servers with caches smaller than the pool of clients.
        self.our_cold_server = cs.Server(self.server_secret, HOST, session_cache=SMALL_CACHE)
        self.their_cold_server = alt.Server(self.server_secret, HOST, session_cache=SMALL_CACHE)
        self.new_peer_secrets = [cs.generate_secret_key() for _ in range(NEW_PEERS)]

    def post(self, client: cs.Client, text: str) -> tuple[str, bytes]:
        request = client.prepare("POST", "/post", text)
        assert request.body is not None
        return dict(request.headers)["authorization"], request.body.encode()

    def get(self, client: cs.Client, path: str) -> str:
        return str(dict(client.prepare("GET", path).headers)["authorization"])

    def known_posts(self, size: int) -> list[tuple[str, bytes]]:
        return [self.post(self.client, payload(size, n)) for n in range(8)]

    def known_encoded(self, size: int) -> list[tuple[str, str]]:
        sender = cs.CryptoSession(self.server_pub, self.client_secret)
        return [(e.token, e.data) for e in (sender.encode(payload(size, n)) for n in range(8))]

    def new_peer_posts(self, size: int) -> list[tuple[str, str, bytes, str]]:
        """(client pubkey, token, POST body, data) from a different client each."""
        out = []
        for n, secret in enumerate(self.new_peer_secrets):
            client = cs.Client(self.server_pub, secret, HOST)
            token, body = self.post(client, payload(size, n))
            out.append((cs.public_key(secret), token, body, json.loads(body)["data"]))
        return out


def agree(ours: Any, theirs: alt.Authenticated) -> None:
    assert ours.public_key == theirs.peer.hex()
    assert ours.raw == theirs.raw and ours.payload == theirs.payload


def build_cases(fx: Fixture) -> list[Case]:
    cases: list[Case] = []
    server_secret = fx.server_secret
    our_server, their_server = fx.our_server, fx.their_server
    our_cold, their_cold = fx.our_cold_server, fx.their_cold_server
    our_session, their_session = fx.our_session, fx.their_session

    for size in fx.sizes:
        posts = fx.known_posts(size)
        for token, body in posts:
            agree(our_server.authenticate("POST", "/post", token, body),
                  their_server.authenticate("POST", "/post", token, body))
        cases.append(Case(
            "POST decode, known peer: Server.authenticate", size,
            lambda r: our_server.authenticate("POST", "/post", r[0], r[1]),
            lambda r: their_server.authenticate("POST", "/post", r[0], r[1]),
            posts, target=2.0, note="session cache hit / lru_cache hit"))

        encoded = fx.known_encoded(size)
        for token, data in encoded:
            mine, other = our_session.decode(token, data), their_session.decode(token, data)
            assert mine.is_valid and other.is_valid and mine.raw == other.raw
            assert mine.data == other.data
        cases.append(Case(
            "POST decode, known peer: CryptoSession.decode", size,
            lambda r: our_session.decode(r[0], r[1]),
            lambda r: their_session.decode(r[0], r[1]),
            encoded, target=2.0, note="one session object reused"))

        fresh = fx.new_peer_posts(size)
        for _, token, body, _ in fresh[:4]:
            agree(our_cold.authenticate("POST", "/post", token, body),
                  their_cold.authenticate("POST", "/post", token, body))
        cases.append(Case(
            "POST decode, new peer: Server.authenticate", size,
            lambda r: our_cold.authenticate("POST", "/post", r[1], r[2]),
            lambda r: their_cold.authenticate("POST", "/post", r[1], r[2]),
            fresh, target=1.0, note=f"{NEW_PEERS} clients, cache of {SMALL_CACHE}: ECDH each time"))
        cases.append(Case(
            "POST decode, new peer: CryptoSession(peer, key).decode", size,
            lambda r: cs.CryptoSession(r[0], server_secret).decode(r[1], r[3]),
            lambda r: alt.Session(r[0], server_secret).decode(r[1], r[3]),
            fresh, target=1.0, note="a session built per message"))

        texts = [payload(size, n) for n in range(8)]
        for text in texts:
            e = our_session.encode(text)
            assert their_session.decode(e.token, e.data).raw == text.encode()
            e2 = their_session.encode(text)
            assert our_session.decode(e2.token, e2.data).raw == text.encode()
        cases.append(Case(
            "encode (sign + encrypt), known peer", size,
            our_session.encode, their_session.encode, texts))

    # GET: the server checks the signature over host + request-target.
    repeated = [fx.get(fx.client, "/poll?id=1")]
    fresh_gets = [(f"/poll?n={n}", fx.get(fx.client, f"/poll?n={n}")) for n in range(FRESH_GETS)]
    for target, token in [("/poll?id=1", repeated[0])] + fresh_gets[:4]:
        agree(our_server.authenticate("GET", target, token),
              their_server.authenticate("GET", target, token, b""))
    cases.append(Case(
        "GET verify, repeated token: Server.authenticate", None,
        lambda t: our_server.authenticate("GET", "/poll?id=1", t),
        lambda t: their_server.authenticate("GET", "/poll?id=1", t, b""),
        repeated, target=1.0, note="binding: verified-GET cache hit; alternative verifies"))
    cases.append(Case(
        "GET verify, fresh token each time: Server.authenticate", None,
        lambda r: our_server.authenticate("GET", r[0], r[1]),
        lambda r: their_server.authenticate("GET", r[0], r[1], b""),
        fresh_gets, target=1.0, note=f"{FRESH_GETS} distinct URLs: every check is a real one"))

    # The floor: coincurve's verify alone (hash + libsecp256k1), with a parsed key.
    key = PublicKey(bytes.fromhex(fx.client_pub))
    sha256 = hashlib.sha256
    bare = []
    for target, token in fresh_gets:
        url = HOST + target
        signature = alt.parse_token(token)[1]
        assert key.verify(signature, sha256(url.encode()).digest(), hasher=None)
        bare.append((target, token, url, signature))
    cases.append(Case(
        "GET verify, repeated token vs bare coincurve verify", None,
        lambda r: our_server.authenticate("GET", "/poll?id=1", repeated[0]),
        lambda r: key.verify(r[3], sha256(r[2].encode()).digest(), hasher=None),
        bare, target=1.0, note="alternative: sha256 + PublicKey.verify, nothing else"))
    cases.append(Case(
        "GET verify, fresh token vs bare coincurve verify", None,
        lambda r: our_server.authenticate("GET", r[0], r[1]),
        lambda r: key.verify(r[3], sha256(r[2].encode()).digest(), hasher=None),
        bare, target=1.0, note="alternative: sha256 + PublicKey.verify, nothing else"))

    # The primitive both sides stand on: one ECDSA verification (libsecp256k1 in
    # coincurve; the binding's backend). Small payloads cannot decode faster than this.
    signer = cs.CryptoSession(fx.server_pub, fx.client_secret)
    signed = []
    for n in range(64):
        message = payload(32, n).encode()
        token = signer.encode(message).token
        signed.append((token, message, alt.parse_token(token)[1]))
        assert our_session.verify(token, message)
    cases.append(Case(
        "verify only: CryptoSession.verify vs bare coincurve verify", 32,
        lambda r: our_session.verify(r[0], r[1]),
        lambda r: key.verify(r[2], sha256(r[1]).digest(), hasher=None),
        signed, note="binding parses the token too; the alternative gets it parsed"))
    return cases


def ecdh_routes(repeat: int, batch_s: float) -> Case:
    """The alternative's two ECDH routes, to show which one it uses and why."""
    secret = PrivateKey()
    peers = [PrivateKey().public_key.format() for _ in range(64)]
    assert all(alt.ecdh_x(secret, PublicKey(p)) == alt.ecdh_x_openssl(secret.secret, p)
               for p in peers)
    case = Case(
        "alternative ECDH: coincurve multiply (ours column) vs OpenSSL", None,
        lambda p: alt.ecdh_x(secret, PublicKey(p)),
        lambda p: alt.ecdh_x_openssl(secret.secret, p), peers)
    measure(case, repeat, batch_s)
    return case


def size_label(size: Optional[int]) -> str:
    if size is None:
        return "URL"
    return f"{size // 1024} KiB" if size >= 1024 else f"{size} B"


def report(cases: list[Case], ecdh: Case, repeat: int, batch_s: float,
           out: Optional[Path]) -> None:
    load = os.getloadavg()
    try:
        from cryptography.hazmat.backends.openssl.backend import backend
        openssl = backend.openssl_version_text()
    except ImportError:  # the module moved: the version is a detail of the report
        openssl = "OpenSSL ?"
    print(f"crypto-sessions {cs.__version__} (core {cs.CORE_VERSION}, backend {cs.BACKEND}) "
          f"vs coincurve {version('coincurve')} + cryptography {version('cryptography')} "
          f"({openssl})")
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"{repeat} alternating rounds of ~{batch_s * 1000:.0f} ms per side, medians")
    print("The alternative passed the reference's vectors (keys, ecdh, sign, cipher, session,")
    print("negative, http) and agreed with the binding on every request below.\n")
    print("| operation | payload | binding µs | alternative µs | ratio (alt ÷ binding) "
          "| ratio IQR | target | met |")
    print("|---|---:|---:|---:|---:|---:|---:|:-:|")
    for c in cases:
        target = f">= {c.target:g}x" if c.target else ""
        met = ("yes" if c.ratio >= c.target else "**no**") if c.target else ""
        print(f"| {c.name} | {size_label(c.size)} | {c.ours_us:.1f} | {c.theirs_us:.1f} "
              f"| {c.ratio:.2f}x | {c.spread[0]:.2f}-{c.spread[1]:.2f} | {target} | {met} |")
    print(f"\nThe alternative's ECDH for a new peer: coincurve PublicKey.multiply "
          f"{ecdh.ours_us:.1f} µs (variable-time; used above, the faster), OpenSSL exchange "
          f"{ecdh.theirs_us:.1f} µs (constant-time). The binding's ECDH is constant-time.\n")
    notes = {c.name: c.note for c in cases if c.note}
    for name, note in notes.items():
        print(f"- {name}: {note}")
    if out:
        rows = [dict(name=c.name, size=c.size, binding_us=c.ours_us, alternative_us=c.theirs_us,
                     ratio=c.ratio, ratio_iqr=c.spread, target=c.target, note=c.note)
                for c in cases]
        out.write_text(json.dumps(dict(
            backend=cs.BACKEND, load=load, repeat=repeat, batch_ms=batch_s * 1000,
            ecdh_us=dict(coincurve_multiply=ecdh.ours_us, openssl=ecdh.theirs_us),
            cases=rows), indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer, shorter batches")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--batch-ms", type=float, default=None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    repeat = args.repeat or (5 if args.quick else 15)
    batch_s = (args.batch_ms or (8 if args.quick else 30)) / 1000

    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))
    alt_vectors.check_all(vectors)
    fx = Fixture(tuple(int(s) for s in args.sizes.split(",")))
    cases = build_cases(fx)
    for case in cases:
        measure(case, repeat, batch_s)
        print(".", end="", flush=True, file=sys.stderr)
    ecdh = ecdh_routes(repeat, batch_s)
    print(file=sys.stderr)
    report(cases, ecdh, repeat, batch_s, args.json)


if __name__ == "__main__":
    main()
