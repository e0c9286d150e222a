"""CryptoSession, payload rules and errors."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

import crypto_sessions as cs


@pytest.fixture(scope="module")
def pair() -> tuple[cs.CryptoSession, cs.CryptoSession]:
    a, b = cs.generate_secret_key(), cs.generate_secret_key()
    return cs.CryptoSession(cs.public_key(b), a), cs.CryptoSession(cs.public_key(a), b)


def test_keys_as_str_or_bytes() -> None:
    secret = cs.generate_secret_key()
    assert len(secret) == 64 and int(secret, 16) > 0
    pub = cs.public_key(secret)
    assert len(pub) == 66 and pub[:2] in ("02", "03")
    assert cs.public_key(bytes.fromhex(secret)) == pub
    assert cs.public_key(secret.encode()) == pub
    peer = cs.generate_secret_key()
    one = cs.CryptoSession(cs.public_key(peer), secret)
    two = cs.CryptoSession(bytes.fromhex(cs.public_key(peer)), bytes.fromhex(secret))
    assert one.shared_secret == two.shared_secret and len(one.shared_secret) == 32
    assert one.pubkey == pub and one.is_with(cs.public_key(peer)) and not one.is_with(pub)


def test_mirrored_sessions_agree(pair: tuple[cs.CryptoSession, cs.CryptoSession]) -> None:
    alice, bob = pair
    assert alice.shared_secret == bob.shared_secret
    assert alice.shared_hash == bob.shared_hash != alice.shared_secret
    for payload, revived in [
        ("hello", "hello"),
        (b"\x00\xff", "\x00\ufffd"),  # invalid UTF-8 revives as TextDecoder does
        ({"k": [1, 2.5, None, True, "ü"]}, {"k": [1, 2.5, None, True, "ü"]}),
        ("42", 42),
        ("null", None),
        (42, 42),
        ([], []),
    ]:
        encoded = alice.encode(payload)
        decoded = bob.decode(encoded.token, encoded.data)
        assert decoded.is_valid
        assert decoded.data == revived and bob.open(encoded.token, encoded.data) == revived
        assert decoded.raw == cs.serialize(payload)


def test_serialization_is_json_stringify() -> None:
    value = {"b": 1, "a": [1, "ü", None, False], "c": 'x"y', "d": {"e": 1.5}, "t": (1, 2)}
    assert cs.serialize(value) == '{"b":1,"a":[1,"ü",null,false],"c":"x\\"y","d":{"e":1.5},"t":[1,2]}'.encode()
    plain = {"b": 1, "a": [1, "ü", None, False], "c": 'x"y', "z": "\u2028"}
    assert cs.serialize(plain) == json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    assert cs.serialize("text") == b"text"  # a str is sent as text...
    assert cs.serialize_json("text") == b'"text"'  # ...unless JSON is asked for
    assert cs.serialize(bytearray(b"ab")) == b"ab" and cs.serialize(memoryview(b"cd")) == b"cd"
    assert cs.serialize(2**64 - 1) == b"18446744073709551615"
    assert cs.revive(b" [1] ") == [1] and cs.revive(b"{bad") == "{bad"


@pytest.mark.parametrize(
    "value, error",
    [
        ({1: "x"}, TypeError),
        ({"a": object()}, TypeError),
        ({"a": b"bytes inside JSON"}, TypeError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (2**64, ValueError),
    ],
)
def test_unserializable_payloads(pair: tuple[cs.CryptoSession, cs.CryptoSession], value: Any, error: type) -> None:
    with pytest.raises(error):
        pair[0].encode(value)


def test_deep_and_self_referencing_payloads_fail_cleanly() -> None:
    deep: Any = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError, match="deeper"):
        cs.serialize(deep)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="deeper"):
        cs.serialize(loop)
    text = "[" * 100_000
    assert cs.revive(text.encode()) == text  # too deep to parse: stays text


def test_sign_verify(pair: tuple[cs.CryptoSession, cs.CryptoSession]) -> None:
    alice, bob = pair
    encoded = alice.encode({"m": 1})
    assert bob.verify(encoded.token, {"m": 1})
    assert not bob.verify(encoded.token, {"m": 2})
    assert not alice.verify(encoded.token, {"m": 1})  # alice's peer is bob, not herself
    signature = alice.sign("x")
    assert 70 <= len(signature) <= 72 and signature[0] == 0x30
    with pytest.raises(cs.MalformedInputError):
        bob.verify("!!", "x")


def test_encrypt_decrypt(pair: tuple[cs.CryptoSession, cs.CryptoSession]) -> None:
    alice, bob = pair
    data = alice.encrypt(b"secret message")
    assert data != alice.encrypt(b"secret message")  # random IV
    assert bob.decrypt(data) == b"secret message"
    assert cs.Cipher(alice.shared_secret).decrypt(data) == b"secret message"


@pytest.mark.parametrize(
    "token, data, error",
    [
        ("", "", cs.MalformedInputError),
        ("A" * 200, "AAAA", cs.DecryptionError),  # the data is looked at first
        ("AAAA", "a+b/", cs.MalformedInputError),
        ("AAAA", "AAAAAAAAAAAAAAAAAAAAAA", cs.DecryptionError),
    ],
)
def test_open_errors(pair: tuple[cs.CryptoSession, cs.CryptoSession], token: str, data: str, error: type) -> None:
    with pytest.raises(error):
        pair[1].open(token, data)


def test_unreadable_token_is_an_invalid_signature(pair: tuple[cs.CryptoSession, cs.CryptoSession]) -> None:
    alice, bob = pair
    data = alice.encode("x").data
    for token in ("A" * 200, "AAAA", "not base64!"):
        with pytest.raises(cs.InvalidSignatureError):
            bob.open(token, data)
        assert bob.decode(token, data).is_valid is False


def test_open_rejects_other_signers(pair: tuple[cs.CryptoSession, cs.CryptoSession]) -> None:
    alice, bob = pair
    mallory = cs.CryptoSession(alice.peer_pubkey, cs.generate_secret_key())
    forged = mallory.encode("hi")
    real = alice.encode("hi")
    with pytest.raises(cs.WrongPeerError) as info:
        bob.open(forged.token, real.data)
    assert isinstance(info.value, cs.InvalidSignatureError)
    assert info.value.kind is cs.ErrorKind.WRONG_PEER and info.value.kind.code == "wrong_peer"
    assert bob.decode(forged.token, real.data).is_valid is False


def test_error_classes_map_the_core_kinds_one_to_one() -> None:
    classes = [
        cs.MalformedInputError,
        cs.InvalidKeyError,
        cs.DecryptionError,
        cs.InvalidSignatureError,
        cs.WrongPeerError,
        cs.TooLargeError,
        cs.UnsupportedMethodError,
        cs.HttpStatusError,
    ]
    assert [c.kind for c in classes] == list(cs.ErrorKind)
    assert [int(k) for k in cs.ErrorKind] == list(range(1, 9))
    for c in classes:
        assert issubclass(c, cs.CryptoSessionError)
    for c in (cs.MalformedInputError, cs.InvalidKeyError, cs.TooLargeError, cs.UnsupportedMethodError):
        assert issubclass(c, ValueError)
    err = cs.HttpStatusError("http status: 404", 404)
    again = pickle.loads(pickle.dumps(err))
    assert again.status == 404 and str(again) == "http status: 404"


@pytest.mark.parametrize(
    "peer, secret",
    [
        ("02" + "11" * 31, None),
        ("05" + "11" * 32, None),
        (None, "00" * 32),
        (None, "ff" * 32),
        (None, "xyz"),
        (None, b"\x01" * 31),
    ],
)
def test_bad_keys(peer: Any, secret: Any) -> None:
    good_secret = cs.generate_secret_key()
    with pytest.raises(cs.InvalidKeyError):
        cs.CryptoSession(peer or cs.public_key(good_secret), secret or good_secret)


def test_wrong_argument_types() -> None:
    secret = cs.generate_secret_key()
    with pytest.raises(TypeError):
        cs.CryptoSession(123, secret)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cs.Server(secret, "http://h").authenticate("POST", "/", None, "not bytes")  # type: ignore[arg-type]


def test_server_rejects_an_empty_host() -> None:
    with pytest.raises(cs.MalformedInputError, match="host"):
        cs.Server(cs.generate_secret_key(), " ")


def test_client_prepare() -> None:
    server = cs.Server(cs.generate_secret_key(), "http://h:1")
    client = cs.Client(server.public_key, cs.generate_secret_key(), "http://h:1")
    get = client.prepare("get", "/p?q=%20")
    assert (get.method, get.url, get.body) == ("GET", "http://h:1/p?q=%20", None)
    assert [k for k, _ in get.headers] == ["authorization"]
    post = client.prepare("POST", "/p", {"a": 1})
    assert dict(post.headers)["content-type"] == "application/json"
    assert post.body is not None and json.loads(post.body).keys() == {"data"}
    peer = server.authenticate("POST", "/p", dict(post.headers)["authorization"], post.body.encode())
    assert peer.payload == {"a": 1} and peer.method == "POST"
    with pytest.raises(cs.UnsupportedMethodError):
        client.prepare("PATCH", "/p")
    with pytest.raises(cs.MalformedInputError):
        client.prepare("GET", "/p", "a GET has no body")
    answer = peer.seal_json("text", 202)
    assert answer.status == 202
    assert client.open(202, answer.authorization, answer.body) == b'"text"'
    with pytest.raises(cs.HttpStatusError):
        client.open(500, answer.authorization, answer.body)
    with pytest.raises(cs.InvalidSignatureError, match="not signed"):
        client.open(200, None, answer.body)
