# The shared v2 replay store on a real Redis (issue 12): `v2::replay::RedisStore`,
# behind the core's `redis` feature.
#
#   make test-redis    lint with the feature on, then core/tests/replay_redis.rs
#                      against a throwaway redis-server (installed from Debian when
#                      missing) on a free loopback port; it always stops afterwards
#   make bench-replay  p50/p99 of `record` on the memory store and on Redis
#   make test-xproc    two server processes of different languages on one real
#                      redis-server (tests/redis/xproc): FastAPI under uvicorn with 2
#                      workers (Python binding) and Express (Node binding); a request
#                      accepted by one is `replayed` at the other, and concurrent
#                      duplicates spread over every process give one acceptance
#
# tests/redis/with-redis.sh starts the server; the tests fail, never skip, without it.

WITH_REDIS := bash $(ROOT)/tests/redis/with-redis.sh

TEST_TARGETS += test-redis test-xproc

.PHONY: test-redis bench-replay test-xproc

test-redis:
	$(CARGO) clippy -p crypto-sessions --all-targets --locked --features redis -- -D warnings
	$(WITH_REDIS) $(CARGO) test -p crypto-sessions --locked --features redis --test replay_redis

bench-replay:
	$(WITH_REDIS) $(CARGO) bench -p crypto-sessions --locked --features redis --bench replay

test-xproc: python-install node-build
	cd $(ROOT)/tests/redis/xproc && $(WITH_REDIS) $(VENV_PY) -m pytest -q -p no:cacheprovider -s test_cross_process.py
