"""Building a :class:`Server` from arguments, app config or the environment.

Shared by the Flask extension, the FastAPI dependency and the ASGI middleware, so
they read the same settings the same way and fail the same way: at start-up.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Optional, Union

from crypto_sessions._native import DEFAULT_MAX_BODY, ENV_HOST, ENV_MAX_BODY, ENV_SECRET_KEY, Server
from crypto_sessions.errors import CryptoSessionError, InvalidKeyError

KEY_SETTING = ENV_SECRET_KEY
HOST_SETTING = ENV_HOST
MAX_BODY_SETTING = ENV_MAX_BODY
#: The reference middleware's default origin when CRYPTO_SESSION_HOST is not set.
DEFAULT_HOST = "http://localhost:3001"

logger = logging.getLogger("crypto_sessions")

Lookup = Callable[[str], Any]
KeyArg = Union[str, bytes, None]


def _environment(name: str) -> Optional[str]:
    return os.environ.get(name) or None


def build_server(
    secret_key: KeyArg,
    host: Optional[str],
    max_body: Optional[int],
    config: Optional[Lookup] = None,
) -> Server:
    """A server from explicit values, else ``config`` (an app's), else the environment.

    A missing or invalid key raises :class:`InvalidKeyError` naming where the key came
    from (never the key itself).
    """

    def setting(name: str) -> tuple[Any, str]:
        if config is not None:
            value = config(name)
            if value not in (None, ""):
                return value, f"app config {name}"
        return _environment(name), f"environment variable {name}"

    key_source = "the secret_key argument"
    if secret_key in (None, ""):
        secret_key, key_source = setting(KEY_SETTING)
    if secret_key in (None, ""):
        raise InvalidKeyError(
            f"no server secret key: pass secret_key= or set {KEY_SETTING} "
            "(64 hex characters)"
        )
    if host in (None, ""):
        host, host_source = setting(HOST_SETTING)
        if host in (None, ""):
            host = DEFAULT_HOST
            logger.warning(
                "%s is not set: clients must sign GET requests for %s",
                HOST_SETTING,
                DEFAULT_HOST,
            )
    if max_body is None:
        configured, body_source = setting(MAX_BODY_SETTING)
        try:
            max_body = DEFAULT_MAX_BODY if configured in (None, "") else int(configured)
        except ValueError:
            raise ValueError(f"{body_source} must be an integer number of bytes") from None
    if max_body < 0:
        raise ValueError("max_body must not be negative")
    try:
        return Server(secret_key, str(host), max_body=max_body)
    except CryptoSessionError as err:
        # The core's message names the problem, never the key's value.
        raise type(err)(f"{key_source}: {err}") from None
