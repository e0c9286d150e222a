"""The reference's vectors, run against the benchmark's alternative (v1_coincurve).

The benchmark calls ``check_all`` before it times anything, and
``tests/test_bench_alternative.py`` runs each check in ``make test-python``.
"""

from __future__ import annotations

from typing import Any

from coincurve import PrivateKey
from cryptography.hazmat.primitives.ciphers import algorithms

import v1_coincurve as alt


def _section(items: Any, name: str) -> list[dict[str, Any]]:
    assert isinstance(items, list) and items, f"vector section {name} is missing or empty"
    return items


def check_keys_and_ecdh(vectors: dict[str, Any]) -> None:
    for v in _section(vectors.get("keys"), "keys"):
        assert PrivateKey(bytes.fromhex(v["secret"])).public_key.format().hex() == v["pubkey"]
    for v in _section(vectors.get("ecdh"), "ecdh"):
        assert alt.Session(v["peer_pubkey"], v["secret"]).shared_secret.hex() == v["aes_key"]
        openssl = alt.ecdh_x_openssl(bytes.fromhex(v["secret"]), bytes.fromhex(v["peer_pubkey"]))
        assert openssl.hex() == v["aes_key"]


def check_sign(vectors: dict[str, Any]) -> None:
    """Serialization, the deterministic DER signature and the token, byte for byte."""
    for v in _section(vectors.get("sign"), "sign"):
        serialized = alt.serialize(v["payload"])
        assert serialized.hex() == v["serialized_hex"], v["payload"]
        own = PrivateKey(bytes.fromhex(v["secret"])).public_key.format()
        session = alt.Session(own, v["secret"])
        assert session.sign(v["payload"]).hex() == v["signature_der_hex"], v["payload"]
        encoded = session.encode(v["payload"])
        assert encoded.token == v["token"], v["payload"]
        assert session.verify(v["token"], serialized)
        assert alt.decrypt(session.aes, encoded.data) == serialized


def check_cipher(vectors: dict[str, Any]) -> None:
    for v in _section(vectors.get("cipher"), "cipher"):
        aes = algorithms.AES(bytes.fromhex(v["aes_key"]))
        plaintext = bytes.fromhex(v["plaintext_hex"])
        assert alt.encrypt(aes, plaintext, bytes.fromhex(v["iv"])) == v["data"]
        assert alt.decrypt(aes, v["data"]) == plaintext


def check_session(vectors: dict[str, Any]) -> None:
    """The reference's real encode outputs decode, revived to the same value and type."""
    for v in _section(vectors.get("session"), "session"):
        decoded = alt.Session(v["sender_pubkey"], v["receiver_secret"]).decode(v["token"], v["data"])
        assert decoded.is_valid is v["is_valid"], v["payload"]
        assert decoded.data == v["decoded"] and type(decoded.data) is type(v["decoded"])


_RAISES = {"malformed_input": alt.MalformedInput, "decrypt_error": alt.DecryptFailed}


def check_negative(vectors: dict[str, Any]) -> None:
    for v in _section(vectors.get("negative"), "negative"):
        session = alt.Session(v["sender_pubkey"], v["receiver_secret"])
        outcome = v["reference_outcome"]
        try:
            valid = session.decode(v["token"], v["data"]).is_valid
        except (alt.MalformedInput, alt.DecryptFailed) as err:
            assert isinstance(err, _RAISES[outcome]), (v["name"], err)
            continue
        assert outcome not in _RAISES, v["name"]
        assert valid is (outcome == "valid"), v["name"]


def check_http(vectors: dict[str, Any]) -> None:
    """The captured requests pass the alternative server and tampered ones do not;
    the captured answers open with the alternative client session; its request
    tokens are the reference's (signing is deterministic)."""
    http = vectors["http"]
    host = http["host"]
    server = alt.Server(http["server_secret"], host)
    for x in _section(http.get("exchanges"), "http.exchanges"):
        target = x["url"][len(host):]
        auth = x["request_headers"]["authorization"]
        body = (x["request_body"] or "").encode()
        options = x["options"]
        content = options.get("body", x["url"]) if x["method"] == "POST" else x["url"]
        peer = server.authenticate(x["method"], target, auth, body)
        assert peer.peer.hex() == x["client_pubkey"]
        if x["method"] == "POST":
            assert peer.payload == alt.revive(alt.serialize(content))
        client = alt.Session(http["server_pubkey"], x["client_secret"])
        answer = client.decode(x["response_authorization"], x["response_body"])
        assert answer.is_valid and answer.data == x["client_decoded"], x["url"]
        assert client.encode(content).token == auth, x["url"]
        # Another URL (GET), another first IV byte and so another plaintext (POST).
        assert body[:9] in (b"", b'{"data":"')
        tampered = body[:9] + (b"B" if body[9:10] == b"A" else b"A") + body[10:] if body else body
        try:
            server.authenticate(x["method"], target + "x", auth, tampered)
        except alt.Rejected:
            pass
        else:
            raise AssertionError(f"a tampered {x['method']} {x['url']} passed")


def check_all(vectors: dict[str, Any]) -> None:
    check_keys_and_ecdh(vectors)
    check_sign(vectors)
    check_cipher(vectors)
    check_session(vectors)
    check_negative(vectors)
    check_http(vectors)
