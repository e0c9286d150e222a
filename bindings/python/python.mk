# bindings/python: the PyO3 package `crypto-sessions` (import name crypto_sessions).
#
# test-python  builds the package with pip (maturin as the PEP 517 backend, release,
#              into the shared CARGO_TARGET_DIR), installs it into $(VENV), checks the
#              .pyi stubs against the compiled module (mypy stubtest), type-checks the
#              package (mypy --strict) and runs pytest.
# python-wheel builds the abi3 wheel and the sdist into bindings/python/dist.

PY_DIR := $(ROOT)/bindings/python
PY_REQS := $(PY_DIR)/requirements-dev.txt
PY_STAMP := $(VENV)/.crypto-sessions-python-reqs
VENV_PY := $(VENV)/bin/python
PYTHON3 ?= python3

TEST_TARGETS += test-python
.PHONY: test-python python-venv python-install python-wheel

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
	cd $(PY_DIR) && $(VENV_PY) -m pytest -q -p no:cacheprovider

python-wheel: python-venv
	$(VENV)/bin/maturin build --release --sdist --manifest-path $(PY_DIR)/Cargo.toml \
		--out $(PY_DIR)/dist
