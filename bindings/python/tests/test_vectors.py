"""The reference's captured vectors, through the Python API."""

from __future__ import annotations

from typing import Any

import pytest

import crypto_sessions as cs
from conftest import section

NEGATIVE_ERRORS = {
    "malformed_input": cs.MalformedInputError,
    "decrypt_error": cs.DecryptionError,
}


def test_keys(vectors: dict[str, Any]) -> None:
    for v in section(vectors, "keys"):
        assert cs.public_key(v["secret"]) == v["pubkey"]
        assert cs.public_key(bytes.fromhex(v["secret"])) == v["pubkey"]


def test_ecdh(vectors: dict[str, Any]) -> None:
    for v in section(vectors, "ecdh"):
        session = cs.CryptoSession(v["peer_pubkey"], v["secret"])
        assert session.shared_secret.hex() == v["aes_key"]
        mirror_pub = cs.public_key(v["secret"])
        assert session.pubkey == mirror_pub and session.peer_pubkey == v["peer_pubkey"]


def test_sign(vectors: dict[str, Any]) -> None:
    for v in section(vectors, "sign"):
        serialized = bytes.fromhex(v["serialized_hex"])
        assert cs.serialize(v["payload"]) == serialized, v["payload"]
        session = cs.CryptoSession(cs.public_key(v["secret"]), v["secret"])
        assert session.sign(v["payload"]).hex() == v["signature_der_hex"]
        # encode signs deterministically: the token is the reference's.
        encoded = session.encode(v["payload"])
        assert encoded.token == v["token"]
        assert session.verify(v["token"], serialized)
        assert session.decrypt(encoded.data) == serialized


def test_cipher(vectors: dict[str, Any]) -> None:
    for v in section(vectors, "cipher"):
        cipher = cs.Cipher(bytes.fromhex(v["aes_key"]))
        plaintext = bytes.fromhex(v["plaintext_hex"])
        assert cipher.encrypt(plaintext, iv=bytes.fromhex(v["iv"])) == v["data"]
        assert cipher.decrypt(v["data"]) == plaintext


def test_session(vectors: dict[str, Any]) -> None:
    for v in section(vectors, "session"):
        receiver = cs.CryptoSession(v["sender_pubkey"], v["receiver_secret"])
        assert receiver.pubkey == v["receiver_pubkey"]
        decoded = receiver.decode(v["token"], v["data"])
        assert decoded.is_valid is v["is_valid"]
        assert decoded.data == v["decoded"]
        assert type(decoded.data) is type(v["decoded"])
        assert receiver.open(v["token"], v["data"]) == v["decoded"]
        # The sender's side encodes what the receiver decodes back to the same bytes.
        sender = cs.CryptoSession(v["receiver_pubkey"], v["sender_secret"])
        again = sender.encode(decoded.raw)
        assert receiver.decode(again.token, again.data).raw == decoded.raw


def test_negative(vectors: dict[str, Any]) -> None:
    for v in section(vectors, "negative"):
        session = cs.CryptoSession(v["sender_pubkey"], v["receiver_secret"])
        outcome = v["reference_outcome"]
        name = v["name"]
        if outcome == "valid":
            assert session.decode(v["token"], v["data"]).is_valid, name
            session.open(v["token"], v["data"])
        elif outcome == "invalid_signature":
            assert session.decode(v["token"], v["data"]).is_valid is False, name
            with pytest.raises(cs.InvalidSignatureError):
                session.open(v["token"], v["data"])
        else:
            error = NEGATIVE_ERRORS[outcome]
            with pytest.raises(error):
                session.decode(v["token"], v["data"])
            with pytest.raises(error):
                session.open(v["token"], v["data"])


def test_http_exchanges_offline(vectors: dict[str, Any]) -> None:
    """The captured requests authenticate on Server, the captured answers open on
    Client, and both sides reproduce the reference's deterministic bytes."""
    http = vectors["http"]
    host = http["host"]
    server = cs.Server(http["server_secret"], host)
    assert server.public_key == http["server_pubkey"]
    for x in section(http, "exchanges"):
        target = x["url"][len(host):]
        auth = x["request_headers"]["authorization"]
        body = (x["request_body"] or "").encode()
        peer = server.authenticate(x["method"], target, auth, body)
        assert peer.public_key == x["client_pubkey"]
        client = cs.Client(server.public_key, x["client_secret"], host)
        raw = client.open(x["status"], x["response_authorization"], x["response_body"])
        assert cs.revive(raw) == x["client_decoded"]
        assert server.seal(peer, raw, x["status"]).authorization == x["response_authorization"]
        options = x["options"]
        prepared = client.prepare(options.get("method", "GET"), x["path"], options.get("body"))
        assert prepared.url == x["url"]
        assert prepared.method == x["method"]
        assert dict(prepared.headers) == x["request_headers"]
        if prepared.body is not None:
            mine = server.authenticate("POST", target, auth, prepared.body.encode())
            assert mine.raw == peer.raw
