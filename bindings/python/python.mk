# bindings/python: the PyO3 package `crypto-sessions` (import name crypto_sessions).
#
# test-python  builds the package with pip (maturin as the PEP 517 backend, release,
#              into the shared CARGO_TARGET_DIR), installs it into $(VENV), checks the
#              .pyi stubs against the compiled module (mypy stubtest), type-checks the
#              package (mypy --strict) and runs pytest beside a throwaway
#              redis-server (tests/redis/with-redis.sh: the v2 replay store tests).
# python-wheel builds the abi3 wheel and the sdist into bindings/python/dist.
#
# bench-python the binding against protocol v1 written by hand on coincurve +
#              cryptography (bench/v1_coincurve.py), in one process: the installed
#              wheel (libsecp256k1), then a k256 build of it. Prints tables of times
#              and ratios. PY_BENCH_ARGS=--quick for a smoke run (~10 s each).
# bench-python-memory  resident size over one million decodes and one million
#              authentications through caches kept full (a few minutes);
#              PY_MEMORY_ARGS="--count 100000" for a shorter run.

PY_DIR := $(ROOT)/bindings/python
PY_REQS := $(PY_DIR)/requirements-dev.txt
PY_STAMP := $(VENV)/.crypto-sessions-python-reqs
VENV_PY := $(VENV)/bin/python
PYTHON3 ?= python3

TEST_TARGETS += test-python
.PHONY: test-python python-venv python-install python-wheel bench-python bench-python-memory

$(PY_STAMP): $(PY_REQS)
	test -x $(VENV_PY) || $(PYTHON3) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r $(PY_REQS)
	touch $@

python-venv: $(PY_STAMP)

# A real `pip install ./bindings/python`: isolated build environment, maturin from
# PyPI (pinned through PIP_CONSTRAINT), the path dependency on core/ resolved by cargo.
python-install: python-venv
	PIP_CONSTRAINT=$(PY_REQS) $(VENV_PY) -m pip install --quiet --disable-pip-version-check \
		--force-reinstall --no-deps $(PY_DIR)

test-python: python-install
	cd $(PY_DIR) && $(VENV_PY) -m mypy.stubtest crypto_sessions
	cd $(PY_DIR) && $(VENV_PY) -m mypy --strict python/crypto_sessions
	cd $(PY_DIR) && $(WITH_REDIS) $(VENV_PY) -m pytest -q -p no:cacheprovider

python-wheel: python-venv
	$(VENV)/bin/maturin build --release --sdist --manifest-path $(PY_DIR)/Cargo.toml \
		--out $(PY_DIR)/dist

PY_BENCH_DIR := $(TOOLS)/python-bench
PY_BENCH_ARGS ?=
PY_MEMORY_ARGS ?=

# The k256 build goes into its own directory, put first on PYTHONPATH; a feature
# named on maturin's command line replaces pyproject.toml's (libsecp256k1).
bench-python: python-install
	cd $(PY_DIR) && $(VENV_PY) bench/bench.py $(PY_BENCH_ARGS)
	rm -rf $(PY_BENCH_DIR)/wheel-k256 $(PY_BENCH_DIR)/k256
	$(VENV)/bin/maturin build --release --quiet --features k256 --interpreter $(VENV_PY) \
		--manifest-path $(PY_DIR)/Cargo.toml --out $(PY_BENCH_DIR)/wheel-k256
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check --no-deps \
		--target $(PY_BENCH_DIR)/k256 $(PY_BENCH_DIR)/wheel-k256/*.whl
	cd $(PY_DIR) && PYTHONPATH=$(PY_BENCH_DIR)/k256 $(VENV_PY) bench/bench.py $(PY_BENCH_ARGS)

bench-python-memory: python-install
	cd $(PY_DIR) && $(VENV_PY) bench/memory.py $(PY_MEMORY_ARGS)
