# ---- js-peer: two pure-JS implementations of protocol v1 --------------------------
# tests/interop/js-peer: one on the reference's own primitives (@cmdcode/crypto-utils
# 1.8.4 + @cmdcode/buff-utils 1.7.1), one on secp256k1 (native) + node:crypto. Used by
# the interop matrix as a client and an Express server, and by the benchmarks as
# baselines. `npm ci` runs only when node_modules is missing or older than the lock.

JS_PEER := $(ROOT)/tests/interop/js-peer
JS_PEER_INSTALLED := $(JS_PEER)/node_modules/.package-lock.json

$(JS_PEER_INSTALLED): $(JS_PEER)/package-lock.json $(JS_PEER)/package.json
	cd $(JS_PEER) && npm ci --no-audit --no-fund
	touch $@

.PHONY: js-peer-deps test-js-peer
js-peer-deps: $(JS_PEER_INSTALLED)

test-js-peer: js-peer-deps
	cd $(JS_PEER) && CRYPTO_SESSIONS_VECTORS="$${CRYPTO_SESSIONS_VECTORS:-$(ROOT)/tests/vectors/reference-1.1.10.json}" \
		node --test test/*.test.mjs

TEST_TARGETS += test-js-peer
# ---- end js-peer ----------------------------------------------------------------------

# The v2 peer (tests/*/*.mk is as deep as the Makefile looks).
include $(ROOT)/tests/interop/js-peer-v2/js-peer-v2.mk

# ---- the interop matrix and the demo (matrix.py, demo.py; README.md) ---------------
#
#   make interop-peers   build every peer the matrix runs (below)
#   make test-interop    v1: 7 servers x 7 clients x 8 scenarios, v2: 7 x 10 x 14 (matrix.py,
#                        matrix_v2.py); fails on any cell
#   make demo-interop    the main job's account (demo.py): Python, Node and Go servers,
#                        each called by Python, Node and Go clients; `make demo` runs it
#
# The peers: the Python package installed in $(VENV) (python.mk), the Node addon in
# bindings/node (node.mk; the Node peers import the package from that folder and
# Express from its dev dependencies), the Go peer and the C client linked with the
# static C library of the local install under the build tree (ffi.mk, as go.mk
# does), the CLI (debug build), and the independent JS peers (js-peer-deps, above; the
# v2 one, js-peer-v2-deps).

INTEROP_BIN = $(CARGO_TARGET_DIR)/interop
INTEROP_GO_PEER = $(INTEROP_BIN)/go-peer
INTEROP_C_CLIENT = $(INTEROP_BIN)/c-client
INTEROP_C_CLIENT_V2 = $(INTEROP_BIN)/c-client-v2
INTEROP_C_FLAGS = -std=c11 -Wall -Wextra -Werror -Wpedantic -O2 -I tests/c
INTEROP_C_LIBS = $$(PKG_CONFIG_PATH=$(FFI_PREFIX)/lib/pkgconfig pkg-config --cflags --libs crypto_sessions_static)
INTEROP_ENV = VENV=$(VENV) CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)

.PHONY: interop-peers interop-go-peer interop-c-client interop-cli interop-faketime test-interop demo-interop

# GO_ENV (go.mk) finds the library with pkg-config and relinks when it changed.
interop-go-peer: ffi-local-install
	cd tests/interop/peers/go && unformatted=$$(gofmt -l .) && test -z "$$unformatted" \
		|| { echo "gofmt: tests/interop/peers/go/$$unformatted needs formatting"; exit 1; }
	cd tests/interop/peers/go && $(GO_ENV) $(GO) vet ./...
	mkdir -p $(INTEROP_BIN)
	cd tests/interop/peers/go && $(GO_ENV) $(GO) build -o $(INTEROP_GO_PEER) .

interop-c-client: ffi-local-install
	mkdir -p $(INTEROP_BIN)
	$(CC) $(INTEROP_C_FLAGS) -o $(INTEROP_C_CLIENT) tests/interop/peers/c_client.c $(INTEROP_C_LIBS)
	$(CC) $(INTEROP_C_FLAGS) -o $(INTEROP_C_CLIENT_V2) tests/interop/peers/c_client_v2.c $(INTEROP_C_LIBS)

interop-cli:
	$(CARGO) build --locked -p crypto-session-cli

# The CLI's stale scenario runs it with its clock off, under libfaketime.
interop-faketime:
	@command -v faketime >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; }

interop-peers: python-install node-build interop-go-peer interop-c-client interop-cli interop-faketime js-peer-deps \
	js-peer-v2-deps

test-interop: interop-peers
	$(INTEROP_ENV) $(VENV)/bin/python tests/interop/matrix.py
	$(INTEROP_ENV) $(VENV)/bin/python tests/interop/edges.py

TEST_TARGETS += test-interop

# The demo's servers and clients only: Python, Node and Go.
demo-interop: python-install node-build interop-go-peer
	$(INTEROP_ENV) $(VENV)/bin/python tests/interop/demo.py

DEMO_TARGETS += demo-interop
