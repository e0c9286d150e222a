#!/usr/bin/env bash
# Runs a command beside a private, throwaway redis-server on a free loopback port.
#
#   tests/redis/with-redis.sh COMMAND...
#
# The command gets CRYPTO_SESSION_TEST_REDIS_URL (redis://127.0.0.1:PORT/) and
# CRYPTO_SESSION_TEST_REDIS_SERVER (the redis-server binary, for tests that start
# instances of their own). Installs Debian's redis-server when it is missing (root, as
# on CI). No persistence; the server is stopped on exit, whatever happened.
set -euo pipefail

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "with-redis: redis-server is missing; run 'apt-get install redis-server' as root" >&2
    exit 1
  fi
  echo "with-redis: installing Debian's redis-server" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

workdir=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A random high port nobody listens on; redis-server exits at once if it lost the race,
# and we try another.
for _attempt in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  port_in_use "$port" && continue
  redis-server --save '' --appendonly no --port "$port" --bind 127.0.0.1 \
    --daemonize no --dir "$workdir" --logfile "$workdir/redis.log" &
  pid=$!
  for _wait in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
      break 2
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
done
if [ -z "$pid" ]; then
  echo "with-redis: could not start redis-server" >&2
  cat "$workdir/redis.log" >&2 || true
  exit 1
fi
echo "with-redis: $(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$port" >&2

export CRYPTO_SESSION_TEST_REDIS_URL="redis://127.0.0.1:$port/"
export CRYPTO_SESSION_TEST_REDIS_SERVER
CRYPTO_SESSION_TEST_REDIS_SERVER=$(command -v redis-server)
"$@"
