"""Protocol v2 through an installed wheel: SecureClient (v2 by default) against a v2
server of another implementation. Usage: v2_exchange.py SERVER_XONLY_KEY ORIGIN.
Prints "ok" and exits 0 when every answer was verified, opened and is what was sent."""

import os
import sys

from crypto_sessions.client import SecureClient

server_key, origin = sys.argv[1], sys.argv[2]
body = {"order": 42, "items": ["a", "b"]}
with SecureClient(server_key, os.urandom(32).hex(), origin) as client:
    echoed = client.post("/echo", body)
    seen = client.get("/inspect", params={"q": "a b"})
    put = client.put("/inspect", "text")
problems = []
if echoed != body:
    problems.append(f"POST /echo answered {echoed!r}")
if (seen.get("version"), seen.get("method"), seen.get("target")) != (2, "GET", "/inspect?q=a+b"):
    problems.append(f"GET /inspect answered {seen!r}")
if (put.get("method"), put.get("payload_hex")) != ("PUT", b"text".hex()):
    problems.append(f"PUT /inspect answered {put!r}")
if problems:
    sys.exit("; ".join(problems))
print("ok")
