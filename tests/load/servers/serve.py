"""Start a Python app of the load benchmarks on 127.0.0.1, an ephemeral port.

    python serve.py fastapi|fastapi-plain|flask|flask-plain

Binds the socket itself, prints the port on stdout, then serves until SIGTERM:
FastAPI with uvicorn (one process, so its RSS is the server's), Flask with
gunicorn (one gthread worker; gunicorn passes the raw request-target as RAW_URI),
which takes over the socket by file descriptor.
"""

from __future__ import annotations

import os
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# One worker process, as uvicorn's single process: with two, how autocannon's
# keep-alive connections happen to split between the workers made the throughput
# of one run double that of the next. The binding releases the GIL while it
# computes, so the threads overlap there.
GUNICORN_WORKERS = "1"
GUNICORN_THREADS = "8"


def bind() -> socket.socket:
    # IPPROTO_TCP as getaddrinfo gives it: asyncio sets TCP_NODELAY on accepted
    # connections only when the protocol says TCP (with 0, uvicorn's two writes
    # per answer meet the client's delayed ACK: 40 ms per request).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    return sock


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind not in ("fastapi", "fastapi-plain", "flask", "flask-plain"):
        sys.exit("usage: serve.py fastapi|fastapi-plain|flask|flask-plain")
    auth = not kind.endswith("-plain")
    sock = bind()
    if kind.startswith("fastapi"):
        import uvicorn

        sys.path.insert(0, HERE)
        from apps import fastapi_app

        config = uvicorn.Config(fastapi_app(auth), log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
        return
    os.set_inheritable(sock.fileno(), True)
    os.environ["LOAD_AUTH"] = "1" if auth else "0"
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(
        gunicorn,
        [
            gunicorn,
            "--bind", f"fd://{sock.fileno()}",
            "--chdir", HERE,
            "--worker-class", "gthread",
            "--workers", GUNICORN_WORKERS,
            "--threads", GUNICORN_THREADS,
            "--log-level", "warning",
            "apps:flask_wsgi",
        ],
    )


if __name__ == "__main__":
    main()
