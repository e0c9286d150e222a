# The command-line tool `crypto-session` (issue 6) and the Rust benchmarks (issue 7).

.PHONY: test-cli bench-rust

# Runs the built binary against a real HTTP server on 127.0.0.1 (tests in cli/tests).
test-cli:
	$(CARGO) test -p crypto-session-cli --locked

# Not part of `make test`: criterion benches of each protocol step at 32 B, 1 KiB and
# 64 KiB, then cold/warm ratios timed in one run. BENCH_ARGS=--quick for a short run.
BENCH_ARGS ?=
bench-rust:
	$(CARGO) bench -p crypto-sessions --locked --bench protocol -- $(BENCH_ARGS)
	$(CARGO) bench -p crypto-sessions --locked --bench ratios
	$(CARGO) bench -p crypto-sessions --locked --bench v2 -- $(BENCH_ARGS)

TEST_TARGETS += test-cli
