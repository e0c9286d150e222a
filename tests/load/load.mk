# ---- tests/load: HTTP load, soak and timing of the servers ---------------------------
# autocannon (pinned in package-lock.json) is the one load generator for every server.
#
#   make bench-http       req/s and p50/p99 latency, with and without authentication:
#                         Express (addon vs pure-JS middlewares vs none), FastAPI/uvicorn
#                         and Flask/gunicorn (Python binding vs none), Go net/http
#                         (middleware vs none); prints ratios (several minutes); then
#                         bench-http-v2
#   make bench-http-v2    v2 with the memory and with the Redis replay store against v1
#                         on the same Express server (createServer, acceptV1), one run,
#                         beside a throwaway redis-server; prints ratios (~2 min)
#   make soak             200,000 requests per server (Express + addon, FastAPI; Go
#                         2,000,000), good and bad mixed: every answer checked, memory flat
#   make bench-oracle     timing of a decryption failure against a signature failure
#   make test-soak-smoke  the soak at 5,000 requests per server (part of `make test`)
#
# Servers run on 127.0.0.1 with ephemeral ports; Python ones from $(VENV) (the binding
# from bindings/python, the extra pinned servers of requirements.txt), the Go one
# built against the local install of the C library (bindings/go/go.mk's GO_ENV).

LOAD_DIR := $(ROOT)/tests/load
LOAD_NPM_STAMP := $(LOAD_DIR)/node_modules/.package-lock.json
LOAD_PY_REQS := $(LOAD_DIR)/requirements.txt
LOAD_PY_STAMP := $(VENV)/.crypto-sessions-load-reqs
LOAD_GO_SERVER = $(CARGO_TARGET_DIR)/load/loadserver
LOAD_ENV = LOAD_PYTHON=$(VENV_PY) LOAD_GO_SERVER=$(LOAD_GO_SERVER)

.PHONY: bench-http bench-http-v2 soak bench-oracle test-soak-smoke load-deps load-go-server

TEST_TARGETS += test-soak-smoke

$(LOAD_NPM_STAMP): $(LOAD_DIR)/package-lock.json $(LOAD_DIR)/package.json
	cd $(LOAD_DIR) && $(NPM) ci --no-audit --no-fund
	touch $@

# Into the project venv, constrained by the Python binding's pins (same uvicorn,
# FastAPI, Flask as its tests).
$(LOAD_PY_STAMP): $(LOAD_PY_REQS) $(PY_STAMP)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -c $(PY_REQS) -r $(LOAD_PY_REQS)
	touch $@

load-go-server: ffi-local-install
	cd $(LOAD_DIR)/go && $(GO_ENV) $(GO) vet ./... && $(GO_ENV) $(GO) build -o $(LOAD_GO_SERVER) .

# The servers' packages: the addon (node-build), the JS stacks (js-peer-deps), the
# Python binding (python-install), the Go server.
load-deps: $(LOAD_NPM_STAMP) $(LOAD_PY_STAMP) node-build js-peer-deps python-install load-go-server

bench-http: load-deps
	mkdir -p $(CARGO_TARGET_DIR)/load
	cd $(LOAD_DIR) && $(LOAD_ENV) node bench-http.mjs --json $(CARGO_TARGET_DIR)/load/bench-http.json
	cd $(LOAD_DIR) && $(WITH_REDIS) node bench-http-v2.mjs --json $(CARGO_TARGET_DIR)/load/bench-http-v2.json

BENCH_V2_ARGS ?=
bench-http-v2: $(LOAD_NPM_STAMP) node-build
	mkdir -p $(CARGO_TARGET_DIR)/load
	cd $(LOAD_DIR) && $(WITH_REDIS) node bench-http-v2.mjs --json $(CARGO_TARGET_DIR)/load/bench-http-v2.json $(BENCH_V2_ARGS)

# Go gets 2,000,000: its RSS settles only after about a million requests (see soak.mjs).
soak: load-deps
	cd $(LOAD_DIR) && $(LOAD_ENV) node soak.mjs --requests 200000 --requests-for go=2000000

bench-oracle: $(LOAD_NPM_STAMP) node-build
	cd $(LOAD_DIR) && node oracle.mjs

test-soak-smoke: load-deps
	cd $(LOAD_DIR) && $(LOAD_ENV) node soak.mjs --requests 5000
# ---- end tests/load ---------------------------------------------------------------------
