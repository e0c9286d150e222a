# The C library and the Go package on each elliptic-curve backend, side by side.
#
#   make bench-backends   builds the C library twice (k256: --no-default-features;
#                         libsecp256k1: the default), installs each under the build
#                         tree, builds tests/bench/bench.c and tests/bench/go against
#                         each, runs them in alternating rounds and prints the
#                         medians and the ratios (BENCHMARKS.md, "C and Go").

BENCH_BACKENDS = $(CARGO_TARGET_DIR)/bench-backends
BENCH_BACKENDS_ROUNDS ?= 3

.PHONY: bench-backends
bench-backends:
	$(CARGO) build --release --locked -p crypto-sessions-ffi --no-default-features
	rm -rf $(BENCH_BACKENDS)/k256
	$(call ffi_install,$(BENCH_BACKENDS)/k256/lib,$(BENCH_BACKENDS)/k256/include,$(BENCH_BACKENDS)/k256,$(BENCH_BACKENDS)/k256/lib,$(BENCH_BACKENDS)/k256/include)
	$(CARGO) build --release --locked -p crypto-sessions-ffi
	rm -rf $(BENCH_BACKENDS)/libsecp256k1
	$(call ffi_install,$(BENCH_BACKENDS)/libsecp256k1/lib,$(BENCH_BACKENDS)/libsecp256k1/include,$(BENCH_BACKENDS)/libsecp256k1,$(BENCH_BACKENDS)/libsecp256k1/lib,$(BENCH_BACKENDS)/libsecp256k1/include)
	$(PYTHON3) tests/bench/backends.py --work $(BENCH_BACKENDS) --rounds $(BENCH_BACKENDS_ROUNDS) \
		k256=$(BENCH_BACKENDS)/k256 libsecp256k1=$(BENCH_BACKENDS)/libsecp256k1
