# WebAssembly build (bindings/wasm): the core for browsers and edge runtimes.
#
# make wasm: the wasm32-unknown-unknown target (rustup) and wasm-bindgen-cli at
# exactly the wasm-bindgen version of Cargo.lock (crates.io, into .tools) when
# missing, and clang with llvm-ar (Debian packages) for libsecp256k1's C; a release
# build with the core's libsecp256k1 backend (its settings: secp256k1-config.h);
# wasm-bindgen --target web (one ESM glue for browsers, workers, Deno, Bun and
# Node); wasm-opt -O3 (npm package binaryen, a devDependency); then the
# browser/edge bundle of the npm package (bindings/node/dist/web/).

WASM_DIR := $(ROOT)/bindings/wasm
WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3}' $(ROOT)/Cargo.lock)
WASM_BINDGEN := $(TOOLS)/bin/wasm-bindgen
# The glue and the .wasm, where the npm package takes them from.
WASM_OUT := $(ROOT)/bindings/node/wasm

# secp256k1-sys compiles libsecp256k1 with the cc crate: clang for wasm32, llvm-ar.
# The header's hash rides in CFLAGS: cargo rebuilds the C when CFLAGS change, not
# when an -include'd file does.
WASM_CC_ENV = CC_wasm32_unknown_unknown=clang AR_wasm32_unknown_unknown=llvm-ar \
  CFLAGS_wasm32_unknown_unknown="-include $(WASM_DIR)/secp256k1-config.h \
  -DCS_SECP256K1_CONFIG=$$(sha256sum $(WASM_DIR)/secp256k1-config.h | cut -c1-16)"
WASM_OPT := $(ROOT)/bindings/node/node_modules/.bin/wasm-opt

.PHONY: wasm wasm-tools

wasm-tools:
	@command -v clang >/dev/null && command -v llvm-ar >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang llvm; }
	@rustup target list --installed | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	@if ! [ -x "$(WASM_BINDGEN)" ] || [ "$$($(WASM_BINDGEN) --version | awk '{print $$2}')" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  echo "== wasm-bindgen-cli $(WASM_BINDGEN_VERSION) into $(TOOLS)"; \
	  $(CARGO) install --locked --root $(TOOLS) wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) || \
	  { echo "(its lock names a crate version the registry lacks: resolving afresh, same wasm-bindgen-cli version)"; \
	    $(CARGO) install --force --root $(TOOLS) wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }; \
	fi

wasm: wasm-tools node-deps
	$(WASM_CC_ENV) $(CARGO) build --locked --release -p crypto-sessions-wasm --target $(WASM_TARGET)
	rm -rf $(WASM_OUT) && mkdir -p $(WASM_OUT)
	$(WASM_BINDGEN) --target web --out-dir $(WASM_OUT) \
	  $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/crypto_sessions_wasm.wasm
	$(WASM_OPT) -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
	  -o $(WASM_OUT)/crypto_sessions_wasm_bg.wasm $(WASM_OUT)/crypto_sessions_wasm_bg.wasm
	cd $(ROOT)/bindings/node && node scripts/bundle-web.mjs

# test-wasm: the size budget; the `node` condition's fallback when no addon loads;
# both vector files under Node with the `browser` condition; the browser entry's
# declarations (web/index.d.mts) against its real exports; the Web handler on
# Deno (npm package `deno`) for v2 (SecureFetch) and v1 (the Python and Go clients),
# and on workerd (npm package `workerd`) for v1 and v2 (the Python and Go clients).
.PHONY: test-wasm
TEST_TARGETS += test-wasm

test-wasm: wasm python-install interop-go-peer
	cd $(ROOT)/bindings/node && node --test test/wasm/size.test.mjs test/wasm/fallback.test.js
	cd $(ROOT)/bindings/node && node --conditions=browser --test test/wasm/vectors.test.mjs test/wasm/exports.test.mjs
	cd $(ROOT)/bindings/node && CS_PYTHON=$(VENV)/bin/python CS_GO_PEER=$(INTEROP_GO_PEER) \
	  node --conditions=browser --test test/wasm/edge.test.mjs test/wasm/workerd.test.mjs

# The browser test and demo: Debian's Chromium (installed when missing; no browser
# download) driven by playwright-core; the page calls the package's Web handler, the
# Python package's ASGI server (the project's venv) and the Go package's middleware
# (the interop peer's server-browser mode). The screenshot of the demo page is kept
# in $(WASM_ARTIFACTS) (under the build tree, gitignored).
CHROMIUM := /usr/bin/chromium
WASM_ARTIFACTS := $(CARGO_TARGET_DIR)/wasm-artifacts
.PHONY: chromium test-wasm-browser demo-wasm
TEST_TARGETS += test-wasm-browser
DEMO_TARGETS += demo-wasm

chromium:
	@[ -x $(CHROMIUM) ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test-wasm-browser: wasm chromium python-install interop-go-peer
	cd $(ROOT)/bindings/node && CS_ARTIFACTS=$(WASM_ARTIFACTS) CS_PYTHON=$(VENV)/bin/python CS_GO_PEER=$(INTEROP_GO_PEER) \
	  node --conditions=browser --test test/wasm/browser.test.mjs

demo-wasm: test-wasm-browser
	@echo "the browser demo page (what was signed, what travelled, what was verified): $(WASM_ARTIFACTS)/browser-demo.png"

# Issue 14's benchmark (BENCHMARKS.md): decode + verify, WebAssembly vs the
# reference's crypto stack vs @noble/curves + WebCrypto, in Node and in Chromium.
.PHONY: bench-wasm
bench-wasm: wasm chromium js-peer-deps
	cd $(ROOT)/bindings/node && node --conditions=browser bench/wasm-compare.mjs
