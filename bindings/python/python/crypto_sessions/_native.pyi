"""Type stubs of the compiled module ``crypto_sessions._native`` (checked by stubtest)."""

from typing import Any, Callable, Final, Optional, Sequence, Union, final

__all__ = [
    "generate_secret_key",
    "public_key",
    "serialize",
    "serialize_json",
    "revive",
    "CryptoSession",
    "Encoded",
    "Decoded",
    "Server",
    "Peer",
    "SealedAnswer",
    "Cipher",
    "Client",
    "PreparedRequest",
    "PROTOCOL_VERSION",
    "CORE_VERSION",
    "BACKEND",
    "DEFAULT_MAX_BODY",
    "ENV_SECRET_KEY",
    "ENV_HOST",
    "ENV_MAX_BODY",
    "REJECTION_STATUS",
    "signed_url",
    "read_server_settings",
    "origins_with_host",
    "read_max_body",
    "ANSWER_CONTENT_TYPE",
    "V2Server",
    "V2Authenticated",
    "V2SealedAnswer",
    "V2Client",
    "V2PreparedRequest",
    "V2Answer",
    "V2_AUTH_SCHEME",
    "V2_AUTHORIZATION",
    "V2_CRYPTO_SESSION",
    "V2_WWW_AUTHENTICATE",
    "V2_CACHE_CONTROL",
    "V2_NO_STORE",
    "V2_EXPOSED_HEADERS",
    "V2_ALLOWED_HEADERS",
    "V2_ACCESS_CONTROL_EXPOSE_HEADERS",
    "V2_SEALED_CONTENT_TYPE",
    "V2_ENV_VECTORS",
    "ENV_REPLAY",
    "ENV_ORIGINS",
    "ENV_MAX_AGE",
    "ENV_MAX_SKEW",
    "ENV_ACCEPT_V1",
    "V2_DEFAULT_MAX_AGE",
    "V2_DEFAULT_MAX_SKEW",
]

_KeyLike = Union[str, bytes, bytearray, memoryview]
_BytesLike = Union[bytes, bytearray, memoryview]
_TextLike = Union[str, bytes, bytearray, memoryview]
#: What a payload may be: text, bytes, or a JSON-serializable value.
_Payload = Any

PROTOCOL_VERSION: Final[int]
CORE_VERSION: Final[str]
#: The core's elliptic-curve arithmetic in this build: "k256" or "libsecp256k1".
BACKEND: Final[str]
DEFAULT_MAX_BODY: Final[int]
#: The environment variables every binding reads (the core's names).
ENV_SECRET_KEY: Final[str]
ENV_HOST: Final[str]
ENV_MAX_BODY: Final[str]
REJECTION_STATUS: Final[int]

def read_server_settings(lookup: Callable[[str], Any]) -> dict[str, Any]:
    """A v2 server's settings read by the core through ``lookup`` (by environment
    variable name): ``keys``, ``host``, ``origins``, ``max_age``, ``max_skew``,
    ``max_body``, ``accept_v1``, ``replay``; a bad value raises
    :class:`MalformedInputError` naming its variable."""

def origins_with_host(host: Optional[str], more: list[str]) -> list[str]:
    """``host`` first, then ``more``, each once."""

def read_max_body(text: str) -> int:
    """``max_body`` from text (``CRYPTO_SESSION_MAX_BODY``) as the core reads it:
    digits only, 1 to the ceiling; a bad value raises :class:`MalformedInputError`."""

def signed_url(origin: Optional[str], url: str) -> tuple[str, str]:
    """``(signed, target)``: what a GET signs for ``url``, and the request-target to
    send (the core's; ``origin`` is the server's host, ``None`` for the URL's own)."""

ANSWER_CONTENT_TYPE: Final[str]
V2_AUTH_SCHEME: Final[str]
V2_AUTHORIZATION: Final[str]
V2_CRYPTO_SESSION: Final[str]
V2_WWW_AUTHENTICATE: Final[str]
V2_CACHE_CONTROL: Final[str]
V2_NO_STORE: Final[str]
V2_EXPOSED_HEADERS: Final[str]
V2_ALLOWED_HEADERS: Final[str]
V2_ACCESS_CONTROL_EXPOSE_HEADERS: Final[str]
V2_SEALED_CONTENT_TYPE: Final[str]
V2_ENV_VECTORS: Final[str]
ENV_REPLAY: Final[str]
ENV_ORIGINS: Final[str]
ENV_MAX_AGE: Final[str]
ENV_MAX_SKEW: Final[str]
ENV_ACCEPT_V1: Final[str]
V2_DEFAULT_MAX_AGE: Final[int]
V2_DEFAULT_MAX_SKEW: Final[int]


def generate_secret_key() -> str:
    """Create a new random secp256k1 secret key, as 64 lowercase hex characters."""

def public_key(secret: _KeyLike) -> str:
    """The compressed public key (66 hex characters) of a secret key."""

def serialize(payload: _Payload) -> bytes:
    """The bytes a payload is signed and encrypted as."""

def serialize_json(value: Any) -> bytes:
    """The compact JSON bytes of ``value``."""

def revive(raw: _BytesLike) -> Any:
    """Received bytes revived as the reference does (JSON if it parses, else text)."""

@final
class CryptoSession:
    """A session between your secret key and a peer's public key."""

    def __new__(cls, peer_pubkey: _KeyLike, secret_key: _KeyLike) -> CryptoSession: ...
    @property
    def pubkey(self) -> str:
        """Your own public key (66 hex characters, compressed)."""
    @property
    def peer_pubkey(self) -> str:
        """The peer's public key (66 hex characters, compressed)."""
    @property
    def shared_secret(self) -> bytes:
        """The ECDH shared secret (32 bytes; the AES-256 key)."""
    @property
    def shared_hash(self) -> bytes:
        """SHA-256 of the shared secret (32 bytes)."""
    def is_with(self, key: _KeyLike) -> bool:
        """Whether the peer is ``key``."""
    def encode(self, payload: _Payload) -> Encoded:
        """Sign and encrypt ``payload``."""
    def decode(self, token: _TextLike, data: _TextLike) -> Decoded:
        """Decrypt ``data`` and check ``token``, as the reference's ``decode`` does."""
    def open(self, token: _TextLike, data: _TextLike) -> Any:
        """Decrypt, verify and revive, or raise."""
    def sign(self, payload: _Payload) -> bytes:
        """The DER signature over SHA-256 of ``payload``."""
    def verify(self, token: _TextLike, payload: _Payload) -> bool:
        """Whether ``token`` is the peer's valid signature over ``payload``."""
    def encrypt(self, payload: _Payload) -> str:
        """Encrypt ``payload`` under the shared key: ``base64url(IV || ciphertext)``."""
    def decrypt(self, data: _TextLike) -> bytes:
        """Decrypt ``base64url(IV || ciphertext)`` (no signature check)."""

@final
class Encoded:
    """The result of ``CryptoSession.encode``."""

    @property
    def token(self) -> str:
        """``base64url(your pubkey || signature)``."""
    @property
    def data(self) -> str:
        """``base64url(IV || AES-256-CBC(payload))``."""

@final
class Decoded:
    """The result of ``CryptoSession.decode``."""

    @property
    def data(self) -> Any:
        """The payload revived as the reference does."""
    @property
    def raw(self) -> bytes:
        """The decrypted bytes."""
    @property
    def is_valid(self) -> bool:
        """Whether the token is the peer's valid signature over the bytes."""

@final
class Server:
    """A server's key, its origin (``host``) and its limits."""

    def __new__(
        cls,
        secret_key: _KeyLike,
        host: str,
        *,
        max_body: Optional[int] = None,
        session_cache: Optional[int] = None,
        verified_cache: Optional[int] = None,
    ) -> Server: ...
    @property
    def public_key(self) -> str:
        """The server's public key (66 hex characters)."""
    @property
    def host(self) -> str:
        """The origin clients sign."""
    @property
    def max_body(self) -> int:
        """The largest request body accepted, in bytes."""
    def check_headers(self, method: str, content_length: Optional[str], has_transfer_encoding: bool) -> None:
        """The body rule on the headers: raise for a GET with a body, or a
        ``Content-Length`` that is not a number or is over ``max_body``."""
    def authenticate(
        self,
        method: str,
        target: _TextLike,
        authorization: Optional[_TextLike],
        body: Optional[_BytesLike] = None,
    ) -> Peer:
        """Authenticate a request; the ``Peer`` that sent it, or raise."""
    def seal(self, peer: Union[Peer, CryptoSession], payload: _Payload, status: int = 200) -> SealedAnswer:
        """Seal an answer to ``peer``."""
    def seal_json(self, peer: Union[Peer, CryptoSession], value: Any, status: int = 200) -> SealedAnswer:
        """Seal the compact JSON of ``value``."""

@final
class Peer:
    """An authenticated client: who it is, its session, and what it sent."""

    @property
    def public_key(self) -> str:
        """The client's public key (66 hex characters)."""
    @property
    def token(self) -> str:
        """The token the client sent in ``authorization``."""
    @property
    def method(self) -> str:
        """``"GET"`` or ``"POST"``."""
    @property
    def payload(self) -> Any:
        """For a POST, the revived payload; ``None`` for a GET."""
    @property
    def raw(self) -> Optional[bytes]:
        """For a POST, the decrypted payload bytes; ``None`` for a GET."""
    @property
    def session(self) -> CryptoSession:
        """The session with the client."""
    @property
    def server(self) -> Server:
        """The server that authenticated the request."""
    def seal(self, payload: _Payload, status: int = 200) -> SealedAnswer:
        """Seal an answer to this client."""
    def seal_json(self, value: Any, status: int = 200) -> SealedAnswer:
        """Seal the compact JSON of ``value`` to this client."""

@final
class SealedAnswer:
    """A sealed answer: status, ``authorization`` header and body."""

    @property
    def status(self) -> int:
        """The HTTP status."""
    @property
    def authorization(self) -> str:
        """The server's token over the payload."""
    @property
    def body(self) -> str:
        """The encrypted payload, base64url text."""
    @property
    def headers(self) -> list[tuple[str, str]]:
        """The headers to send: ``authorization`` and ``content-type``."""

@final
class Cipher:
    """AES-256-CBC with PKCS#7 padding, as v1 encrypts payloads."""

    def __new__(cls, key: _BytesLike) -> Cipher: ...
    def encrypt(self, plaintext: _Payload, iv: Optional[_BytesLike] = None) -> str:
        """Encrypt under a fresh random IV (or ``iv``): ``base64url(IV || ciphertext)``."""
    def decrypt(self, data: _TextLike) -> bytes:
        """Decrypt ``base64url(IV || ciphertext)`` to bytes."""

@final
class Client:
    """A client of one server."""

    def __new__(cls, server_pubkey: _KeyLike, secret_key: _KeyLike, hostname: Optional[str] = None) -> Client: ...
    @property
    def hostname(self) -> str:
        """The hostname put in front of paths."""
    @property
    def server_pubkey(self) -> str:
        """The server's public key (66 hex characters)."""
    @property
    def session(self) -> CryptoSession:
        """The session with the server."""
    def prepare(self, method: str, path: str, body: _Payload = None) -> PreparedRequest:
        """Prepare a request as the reference's ``SecureFetch`` does."""
    def open(self, status: int, authorization: Optional[_TextLike], body: _TextLike) -> bytes:
        """Open an answer: the plaintext bytes, or raise."""

@final
class PreparedRequest:
    """A request ready to send."""

    @property
    def method(self) -> str:
        """``"GET"`` or ``"POST"``."""
    @property
    def url(self) -> str:
        """``hostname + path``: exactly the string signed for a GET."""
    @property
    def headers(self) -> list[tuple[str, str]]:
        """``authorization``, and ``content-type`` for a POST."""
    @property
    def body(self) -> Optional[str]:
        """The body text for a POST, else ``None``."""


@final
class V2Server:
    """A v2 server (and v1 with ``accept_v1``); see the module's README."""

    def __new__(
        cls,
        secret_keys: Union[_KeyLike, Sequence[_KeyLike]],
        origins: Sequence[str],
        *,
        max_age: Optional[int] = None,
        max_skew: Optional[int] = None,
        max_body: Optional[int] = None,
        accept_v1: bool = False,
        replay: str = "memory",
        replay_capacity: Optional[int] = None,
        replay_prefix: Optional[str] = None,
        admission: Optional[Callable[[bytes], bool]] = None,
        now: Optional[int] = None,
        replay_store_created: Optional[float] = None,
    ) -> V2Server: ...
    def set_now(self, now: int) -> None: ...
    @property
    def public_keys(self) -> list[str]: ...
    @property
    def v1_public_key(self) -> Optional[str]: ...
    @property
    def origins(self) -> list[str]: ...
    @property
    def limits(self) -> tuple[int, int, int]: ...
    @property
    def accept_v1(self) -> bool: ...
    @property
    def exposed_headers(self) -> str: ...
    def check_content_length(self, authorization: list[str], content_length: Optional[int]) -> None: ...
    def authenticate(
        self,
        method: str,
        target: _TextLike,
        authorization: list[str],
        content_length: Optional[int],
        body: _BytesLike,
    ) -> V2Authenticated: ...

@final
class V2Authenticated:
    """An authenticated request of either version."""

    @property
    def version(self) -> int: ...
    @property
    def client_key(self) -> bytes: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def content_type(self) -> str: ...
    def seal(self, status: int, content_type: str, payload: _BytesLike) -> V2SealedAnswer: ...

@final
class V2SealedAnswer:
    """A sealed answer: status, headers, body."""

    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...

@final
class V2Client:
    """A v2 client of one server key."""

    def __new__(cls, secret_key: _KeyLike, server_key: _KeyLike, *, now: Optional[int] = None) -> V2Client: ...
    def set_now(self, now: int) -> None: ...
    @property
    def public_key(self) -> str: ...
    @property
    def server_key(self) -> str: ...
    @property
    def clock_offset(self) -> int: ...
    def prepare(
        self, method: str, url: str, content_type: str = "", payload: Optional[_BytesLike] = None
    ) -> V2PreparedRequest: ...
    def open(
        self,
        request: V2PreparedRequest,
        status: int,
        crypto_session: Optional[str],
        www_authenticate: Optional[str],
        body: _BytesLike,
    ) -> V2Answer: ...
    def open_for_token(
        self,
        method: str,
        request_token: _BytesLike,
        status: int,
        crypto_session: str,
        body: _BytesLike,
        *,
        kind: Optional[str] = None,
    ) -> V2Answer: ...

@final
class V2PreparedRequest:
    """A v2 request ready to send."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def token(self) -> bytes: ...
    @property
    def is_retry(self) -> bool: ...

@final
class V2Answer:
    """A verified v2 answer."""

    @property
    def status(self) -> int: ...
    @property
    def content_type(self) -> str: ...
    @property
    def payload(self) -> bytes: ...
