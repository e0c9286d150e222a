"""What every server integration does the same way: the raw request-target, the
body limit, and how a rejection is logged and answered."""

from __future__ import annotations

import logging
from typing import Optional, Union

from crypto_sessions._native import REJECTION_STATUS, Server
from crypto_sessions.errors import CryptoSessionError, TooLargeError

logger = logging.getLogger("crypto_sessions.server")

#: The status of every rejected request, whatever the reason.
REJECTED_STATUS = REJECTION_STATUS


def check_headers(server: Server, method: str, content_length: Optional[str], transfer_encoding: Optional[str]) -> None:
    """The core's body rule on the headers, before the body is read: no body on a
    GET, a ``Content-Length`` within the limit."""
    server.check_headers(method, content_length, transfer_encoding is not None)


def too_large(size: int, max_body: int) -> TooLargeError:
    """The error for a body that grew past the limit while it was read."""
    return TooLargeError(f"input too large: body is over {max_body} bytes (read {size})")


def log_rejection(method: str, target: Union[str, bytes, None], err: CryptoSessionError) -> None:
    """Log why a request was rejected (the message never holds secrets). The method
    and the raw target are quoted (``repr``): a control character in them is shown
    escaped, so a request cannot write a line of its own into the log."""
    logger.info(
        "rejected %r %r: %s [%s]", method, target, err, err.kind.code, extra={"reason": err.kind.code}
    )
