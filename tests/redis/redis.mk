# The shared v2 replay store on a real Redis (issue 12): `v2::replay::RedisStore`,
# behind the core's `redis` feature.
#
#   make test-redis    lint with the feature on, then core/tests/replay_redis.rs
#                      against a throwaway redis-server (installed from Debian when
#                      missing) on a free loopback port; it always stops afterwards
#   make bench-replay  p50/p99 of `record` on the memory store and on Redis
#
# tests/redis/with-redis.sh starts the server; the tests fail, never skip, without it.

WITH_REDIS := bash $(ROOT)/tests/redis/with-redis.sh

TEST_TARGETS += test-redis

.PHONY: test-redis bench-replay

test-redis:
	$(CARGO) clippy -p crypto-sessions --all-targets --locked --features redis -- -D warnings
	$(WITH_REDIS) $(CARGO) test -p crypto-sessions --locked --features redis --test replay_redis

bench-replay:
	$(WITH_REDIS) $(CARGO) bench -p crypto-sessions --locked --features redis --bench replay
