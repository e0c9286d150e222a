"""The benchmark's alternative (bench/v1_coincurve.py: coincurve + cryptography) is a
correct protocol v1: it passes the reference's vectors and speaks to the binding in
both directions. A benchmark against a wrong alternative would prove nothing. And the
benchmark scripts themselves still run (tiny runs, no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import crypto_sessions as cs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import alt_vectors  # noqa: E402
import v1_coincurve as alt  # noqa: E402


def test_keys_and_ecdh(vectors: dict[str, Any]) -> None:
    alt_vectors.check_keys_and_ecdh(vectors)


def test_sign(vectors: dict[str, Any]) -> None:
    alt_vectors.check_sign(vectors)


def test_cipher(vectors: dict[str, Any]) -> None:
    alt_vectors.check_cipher(vectors)


def test_session(vectors: dict[str, Any]) -> None:
    alt_vectors.check_session(vectors)


def test_negative(vectors: dict[str, Any]) -> None:
    alt_vectors.check_negative(vectors)


def test_http_exchanges(vectors: dict[str, Any]) -> None:
    alt_vectors.check_http(vectors)


def test_speaks_to_the_binding_both_ways(keys: Any) -> None:
    ours = cs.CryptoSession(keys.server_pub, keys.client_secret)
    theirs = alt.Session(keys.client_pub, keys.server_secret)
    for payload in ["x" * 1000, {"a": [1, "ü"]}, b"\x00\xff" * 40, "42"]:
        sent = ours.encode(payload)
        got = theirs.decode(sent.token, sent.data)
        assert got.is_valid and got.raw == cs.serialize(payload)
        back = theirs.encode(payload)
        decoded = ours.decode(back.token, back.data)
        assert decoded.is_valid and decoded.raw == got.raw and decoded.data == got.data


def test_servers_agree(keys: Any) -> None:
    """The binding's Server and the alternative's accept the same requests with the
    same result, and both refuse a GET token on another URL."""
    host = "http://127.0.0.1:8000"
    ours, theirs = cs.Server(keys.server_secret, host), alt.Server(keys.server_secret, host)
    client = cs.Client(ours.public_key, keys.client_secret, host)
    for method, body in [("GET", None), ("POST", {"n": 1}), ("POST", "x" * 100)]:
        request = client.prepare(method, "/p?q=1", body)
        auth = dict(request.headers)["authorization"]
        raw = (request.body or "").encode()
        mine = ours.authenticate(method, "/p?q=1", auth, raw)
        other = theirs.authenticate(method, "/p?q=1", auth, raw)
        assert mine.public_key == other.peer.hex() == keys.client_pub
        assert mine.raw == other.raw and mine.payload == other.payload
    with pytest.raises(cs.InvalidSignatureError):
        ours.authenticate("GET", "/p?q=2", auth_get(client), b"")
    with pytest.raises(alt.Rejected):
        theirs.authenticate("GET", "/p?q=2", auth_get(client), b"")


def auth_get(client: Any) -> str:
    return str(dict(client.prepare("GET", "/p?q=1").headers)["authorization"])


BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_the_benchmark_runs(tmp_path: Path) -> None:
    """A tiny run of bench/bench.py (a harness that rots is a benchmark nobody can
    rerun): every case is timed on both sides. No speed is asserted here."""
    out = tmp_path / "bench.json"
    subprocess.run(
        [sys.executable, str(BENCH / "bench.py"), "--sizes", "32", "--repeat", "2",
         "--batch-ms", "1", "--json", str(out)],
        check=True, capture_output=True, timeout=120,
    )
    report = json.loads(out.read_text())
    assert report["backend"] == cs.BACKEND
    names = {case["name"] for case in report["cases"]}
    assert {"POST decode, known peer: Server.authenticate", "encode (sign + encrypt), known peer",
            "GET verify, fresh token each time: Server.authenticate"} <= names
    assert all(case["binding_us"] > 0 and case["alternative_us"] > 0 for case in report["cases"])


def test_the_memory_script_runs() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH / "memory.py"), "--count", "200", "--clients", "20"],
        check=True, capture_output=True, text=True, timeout=120,
    )
    assert "decode: growth after warm-up" in run.stdout
    assert "authenticate: growth after warm-up" in run.stdout
