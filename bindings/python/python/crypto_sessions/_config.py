"""Building a :class:`Server` from arguments, app config or the environment.

Shared by the Flask extension, the FastAPI dependency and the ASGI middleware, so
they read the same settings the same way and fail the same way: at start-up.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Optional, Union

from crypto_sessions._native import (
    DEFAULT_MAX_BODY,
    ENV_HOST,
    ENV_MAX_AGE,
    ENV_MAX_BODY,
    ENV_MAX_SKEW,
    ENV_SECRET_KEY,
    Server,
    V2Server,
    origins_with_host,
    read_max_body,
    read_server_settings,
)
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


def _setting(config: Optional[Lookup], name: str) -> tuple[Any, str]:
    """A setting from the app's config, else the environment, and where it came from."""
    if config is not None:
        value = config(name)
        if value not in (None, ""):
            return value, f"app config {name}"
    return _environment(name), f"environment variable {name}"


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
        return _setting(config, name)

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
            # The core reads the text, as every binding does.
            max_body = DEFAULT_MAX_BODY if configured in (None, "") else read_max_body(str(configured))
        except CryptoSessionError as err:
            raise type(err)(f"{body_source}: {err}") from None
    if max_body < 0:
        raise ValueError("max_body must not be negative")
    try:
        return Server(secret_key, str(host), max_body=max_body)
    except CryptoSessionError as err:
        # The core's message names the problem, never the key's value.
        raise type(err)(f"{key_source}: {err}") from None


def build_v2_server(
    secret_key: Union[KeyArg, list[Union[str, bytes]]],
    host: Optional[str],
    *,
    origins: Optional[list[str]] = None,
    max_age: Optional[int] = None,
    max_skew: Optional[int] = None,
    max_body: Optional[int] = None,
    accept_v1: Optional[bool] = None,
    replay: Optional[str] = None,
    admission: Optional[Callable[[bytes], bool]] = None,
    now: Optional[int] = None,
    replay_store_created: Optional[float] = None,
    config: Optional[Lookup] = None,
) -> V2Server:
    """A v2 server (v1 too with ``accept_v1``): each option from its argument, else
    ``config`` (an app's), else the environment (``CRYPTO_SESSION_KEY`` — several keys
    comma-separated, the first also serves v1 — ``CRYPTO_SESSION_HOST``,
    ``CRYPTO_SESSION_ORIGINS``, ``CRYPTO_SESSION_REPLAY``, ``CRYPTO_SESSION_MAX_AGE``,
    ``CRYPTO_SESSION_MAX_SKEW``, ``CRYPTO_SESSION_MAX_BODY``,
    ``CRYPTO_SESSION_ACCEPT_V1``). A bad value raises here, at start-up."""

    # The core reads every setting (app config first, then the environment), so a
    # bad value fails here exactly as in the other bindings.
    # An explicit number is read by the core too, as its variable would be.
    given = {ENV_MAX_AGE: max_age, ENV_MAX_SKEW: max_skew, ENV_MAX_BODY: max_body}

    def lookup(name: str) -> Any:
        if given.get(name) is not None:
            return str(given[name])
        return _setting(config, name)[0]

    settings = read_server_settings(lookup)
    keys: list[Union[str, bytes]]
    if secret_key in (None, "", []):
        key_source = _setting(config, KEY_SETTING)[1]
        if not settings["keys"]:
            raise InvalidKeyError(
                f"no server secret key: pass secret_key= or set {KEY_SETTING} (64 hex characters)"
            )
        keys = list(settings["keys"])
    else:
        key_source = "the secret_key argument"
        keys = list(secret_key) if isinstance(secret_key, list) else [secret_key]
    if host in (None, ""):
        host = settings["host"]
        if host is None:
            host = DEFAULT_HOST
            logger.warning("%s is not set: clients must sign for %s", HOST_SETTING, DEFAULT_HOST)
    # The host is always one of the origins, and the first (it serves v1).
    all_origins = origins_with_host(str(host), settings["origins"] if origins is None else origins)
    if replay is None:
        replay = settings["replay"] or "memory"
    try:
        return V2Server(
            keys,
            all_origins,
            max_age=settings["max_age"],
            max_skew=settings["max_skew"],
            max_body=settings["max_body"],
            accept_v1=bool(settings["accept_v1"]) if accept_v1 is None else accept_v1,
            replay=replay,
            admission=admission,
            now=now,
            replay_store_created=replay_store_created,
        )
    except CryptoSessionError as err:
        # The core's message names the problem, never the key's value.
        raise type(err)(f"{key_source}: {err}") from None
