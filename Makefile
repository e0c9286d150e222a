# The two commands: `make demo` and `make test`. Both install what they need.
#
# Each component adds its own targets in a fragment next to its code
# (ffi/ffi.mk, bindings/*/*.mk, tests/*/*.mk) and appends to TEST_TARGETS.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
# One cargo target dir for every build in a run, so nothing is compiled twice.
export CARGO_TARGET_DIR ?= $(ROOT)/target
CARGO ?= cargo
# Project-local tools (cbindgen, cargo-fuzz, ...) and the Python virtual environment.
TOOLS := $(ROOT)/.tools
VENV := $(ROOT)/.venv
PREFIX ?= /usr/local

TEST_TARGETS := test-rust
DEMO_TARGETS :=

include $(sort $(wildcard ffi/*.mk bindings/*/*.mk cli/*.mk tests/*/*.mk))

.PHONY: help test demo lint test-rust demo-rust clean
help:
	@echo "make demo   build what is needed and show a signed, encrypted exchange"
	@echo "make test   every test of the project (installs what it needs)"
	@echo "parts:      $(TEST_TARGETS)"

test: $(TEST_TARGETS)
	@echo "make test: all passed ($(TEST_TARGETS))"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The core runs its tests on both arithmetic backends.
test-rust: lint
	$(CARGO) test -p crypto-sessions --locked
	$(CARGO) test -p crypto-sessions --locked --features libsecp256k1

demo-rust:
	$(CARGO) run -q --locked -p crypto-sessions --example demo

demo: $(if $(DEMO_TARGETS),$(DEMO_TARGETS),demo-rust)

clean:
	rm -rf target .venv .tools
