"""Protocol v1 written by hand on coincurve (libsecp256k1) and cryptography (OpenSSL).

This is what the benchmark compares the binding against: the best a Python user can
assemble today without this package, written the way a competent user would write
it. It keeps, for a known peer, what can be kept: the parsed coincurve ``PublicKey``
and the AES key object (the ECDH result); digests come from ``hashlib``, signatures
are DER and checked by libsecp256k1, AES-256-CBC and PKCS#7 are OpenSSL's through
``cryptography``. It does not import ``crypto_sessions``: it stands on its own, and
``tests/test_bench_alternative.py`` runs it against the reference's vectors so that
a faster but wrong alternative cannot creep in.

ECDH: v1 uses the raw x-coordinate as the AES key. coincurve's ``ecdh`` hashes the
point, so the fastest route it offers is ``PublicKey.multiply`` (libsecp256k1's
tweak multiplication), which is variable-time in the secret scalar.
``ecdh_x_openssl`` is the constant-time route (OpenSSL's ECDH on secp256k1, raw x);
the benchmark times both and uses the faster one, so the bar is the higher one.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from typing import Any, NamedTuple, Union

from coincurve import PrivateKey, PublicKey
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

Key = Union[str, bytes]

_B64URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_PUBKEY_LEN = 33
_MAX_TOKEN_CHARS = 140


class MalformedInput(ValueError):
    """Empty or non-base64url data, an unreadable token, a bad POST body."""


class DecryptFailed(ValueError):
    """A bad length or padding after decryption."""


def _key_bytes(key: Key) -> bytes:
    return bytes.fromhex(key) if isinstance(key, str) else key


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """base64url without padding, only ``A-Z a-z 0-9 - _`` (as the reference checks).

    ``bytes.translate`` finds a stray character in C (a regular expression took
    longer than the whole decryption on a 64 KiB body)."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedInput("not base64url") from None
    if not raw or raw.translate(None, _B64URL_ALPHABET):
        raise MalformedInput("not base64url")
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except ValueError as err:  # a length of 4n+1 characters
        raise MalformedInput(str(err)) from None


def serialize(payload: Any) -> bytes:
    """``str`` as UTF-8, ``bytes`` as is, anything else as ``JSON.stringify`` writes it."""
    if isinstance(payload, str):
        return payload.encode()
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray):
        return bytes(payload)
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # JSON.parse rejects NaN and Infinity


def revive(raw: bytes) -> Any:
    """The reference's rule: the JSON value if the text is JSON, else the text."""
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return text


def _der_int(raw: bytes) -> bytes:
    raw = raw.lstrip(b"\0") or b"\0"
    if raw[0] & 0x80:
        raw = b"\0" + raw
    return b"\x02" + bytes([len(raw)]) + raw


def compact_to_der(sig: bytes) -> bytes:
    """A 64-byte ``r || s`` signature as DER (v1 accepts both)."""
    body = _der_int(sig[:32]) + _der_int(sig[32:])
    return b"\x30" + bytes([len(body)]) + body


def verify_digest(key: PublicKey, signature: bytes, digest: bytes) -> bool:
    """DER first, then 64-byte compact; libsecp256k1 rejects high-S itself."""
    try:
        return key.verify(signature, digest, hasher=None)
    except ValueError:  # not DER
        if len(signature) != 64:
            return False
        try:
            return key.verify(compact_to_der(signature), digest, hasher=None)
        except ValueError:
            return False


def ecdh_x(secret: PrivateKey, peer: PublicKey) -> bytes:
    """The x-coordinate of secret * peer (libsecp256k1, variable-time)."""
    return peer.multiply(secret.secret).format(compressed=True)[1:]


def ecdh_x_openssl(secret: bytes, peer: bytes) -> bytes:
    """The same x-coordinate through OpenSSL's constant-time ECDH."""
    curve = ec.SECP256K1()
    own = ec.derive_private_key(int.from_bytes(secret, "big"), curve)
    return own.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(curve, peer))


def encrypt(aes: algorithms.AES, plaintext: bytes, iv: bytes | None = None) -> str:
    """``base64url(IV || AES-256-CBC(PKCS#7(plaintext)))``, random IV unless given."""
    iv = os.urandom(16) if iv is None else iv
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(aes, modes.CBC(iv)).encryptor()
    padded = padder.update(plaintext) + padder.finalize()
    return b64url_encode(iv + encryptor.update(padded) + encryptor.finalize())


def decrypt(aes: algorithms.AES, data: str) -> bytes:
    if not data:
        raise MalformedInput("data is empty")
    raw = b64url_decode(data)
    if len(raw) < 32 or len(raw) % 16:
        raise DecryptFailed(f"{len(raw)} bytes is not an IV and whole blocks")
    decryptor = Cipher(aes, modes.CBC(raw[:16])).decryptor()
    padded = decryptor.update(raw[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptFailed("bad padding") from None


def parse_token(token: str) -> tuple[bytes, bytes]:
    """``(signer pubkey33, signature)``; ``MalformedInput`` when unreadable."""
    if len(token) > _MAX_TOKEN_CHARS:
        raise MalformedInput("token too long")
    raw = b64url_decode(token)
    if len(raw) <= _PUBKEY_LEN:
        raise MalformedInput("token too short")
    return raw[:_PUBKEY_LEN], raw[_PUBKEY_LEN:]


class Decoded(NamedTuple):
    data: Any
    raw: bytes
    is_valid: bool


class Encoded(NamedTuple):
    token: str
    data: str


class Session:
    """(peer public key, own secret key), with what a known peer lets one keep."""

    def __init__(self, peer: Key, secret: Key) -> None:
        self.secret = PrivateKey(_key_bytes(secret))
        self.peer = PublicKey(_key_bytes(peer))
        self.peer_bytes = self.peer.format(compressed=True)
        self.pubkey_bytes = self.secret.public_key.format(compressed=True)
        self.shared_secret = ecdh_x(self.secret, self.peer)
        self.aes = algorithms.AES(self.shared_secret)

    def sign(self, payload: Any) -> bytes:
        return self.secret.sign(hashlib.sha256(serialize(payload)).digest(), hasher=None)

    def verify(self, token: str, payload: Any) -> bool:
        signer, signature = parse_token(token)
        if signer != self.peer_bytes:
            return False
        return verify_digest(self.peer, signature, hashlib.sha256(serialize(payload)).digest())

    def encode(self, payload: Any) -> Encoded:
        raw = serialize(payload)
        signature = self.secret.sign(hashlib.sha256(raw).digest(), hasher=None)
        return Encoded(b64url_encode(self.pubkey_bytes + signature), encrypt(self.aes, raw))

    def decode(self, token: str, data: str) -> Decoded:
        """As the reference: malformed data and decryption failures raise, a bad or
        foreign signature is ``is_valid=False``."""
        raw = decrypt(self.aes, data)
        try:
            valid = self.verify(token, raw)
        except MalformedInput:
            valid = False
        return Decoded(revive(raw), raw, valid)


class _Peer(NamedTuple):
    key: PublicKey
    aes: algorithms.AES


class Authenticated(NamedTuple):
    peer: bytes
    method: str
    payload: Any
    raw: bytes | None


class Rejected(Exception):
    """Answer 401 with an empty body."""


class Server:
    """The reference's middleware as a function of (method, target, authorization,
    body), with an LRU cache of parsed peer keys and AES keys."""

    def __init__(self, secret: Key, host: str, session_cache: int = 4096) -> None:
        self.secret = PrivateKey(_key_bytes(secret))
        self.host = host.rstrip("/")
        self._peer = functools.lru_cache(maxsize=session_cache)(self._new_peer)

    def _new_peer(self, pubkey: bytes) -> _Peer:
        key = PublicKey(pubkey)
        return _Peer(key, algorithms.AES(ecdh_x(self.secret, key)))

    def authenticate(
        self, method: str, target: str, authorization: str | None, body: bytes = b""
    ) -> Authenticated:
        if not authorization:
            raise Rejected("no authorization")
        try:
            signer, signature = parse_token(authorization)
            peer = self._peer(signer)
            if method == "GET":
                digest = hashlib.sha256((self.host + target).encode()).digest()
                if not verify_digest(peer.key, signature, digest):
                    raise Rejected("bad signature")
                return Authenticated(signer, method, None, None)
            if method == "POST":
                data = json.loads(body)["data"]
                raw = decrypt(peer.aes, data)
                if not verify_digest(peer.key, signature, hashlib.sha256(raw).digest()):
                    raise Rejected("bad signature")
                return Authenticated(signer, method, revive(raw), raw)
        except (ValueError, KeyError, TypeError) as err:
            raise Rejected(str(err)) from None
        raise Rejected(f"method {method}")
