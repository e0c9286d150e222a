"""What every server integration does the same way: the raw request-target, the
body limit, and how a rejection is logged and answered."""

from __future__ import annotations

import logging
from typing import Optional

from crypto_sessions.errors import CryptoSessionError, MalformedInputError, TooLargeError

logger = logging.getLogger("crypto_sessions.server")

#: The status of every rejected request, whatever the reason.
REJECTED_STATUS = 401


def origin_form(raw_target: bytes) -> bytes:
    """The request-target in origin form (path and query), as sent.

    A proxy-style absolute target (``http://host/path?q``) keeps its path and query
    bytes untouched; nothing is decoded or re-encoded.
    """
    if raw_target.startswith((b"http://", b"https://")):
        rest = raw_target.split(b"://", 1)[1]
        slash = rest.find(b"/")
        return rest[slash:] if slash >= 0 else b"/"
    return raw_target


def check_content_length(value: Optional[str], max_body: int) -> None:
    """Refuse a declared body over the limit before reading it."""
    if value is None:
        return
    try:
        length = int(value)
    except ValueError:
        raise MalformedInputError("malformed input: Content-Length is not a number") from None
    if length > max_body:
        raise TooLargeError(
            f"input too large: Content-Length is {length} bytes, the limit is {max_body}"
        )


def too_large(size: int, max_body: int) -> TooLargeError:
    """The error for a body that grew past the limit while it was read."""
    return TooLargeError(f"input too large: body is over {max_body} bytes (read {size})")


def log_rejection(method: str, path: str, err: CryptoSessionError) -> None:
    """Log why a request was rejected (the message never holds secrets)."""
    logger.info(
        "rejected %s %s: %s [%s]", method, path, err, err.kind.code, extra={"reason": err.kind.code}
    )
