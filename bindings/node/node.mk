# Node package (bindings/node): the napi-rs addon over the core and its JS facade.
#
# test-node: dev dependencies from the committed lock (npm ci), the generated
# native.d.ts checked against a fresh generation, the addon built with the shared
# CARGO_TARGET_DIR, the facade's index.d.ts type-checked against a usage file,
# node's own test runner, then installs of the package (folder and `npm pack`
# tarball) into fresh temporary projects.

NODE_DIR := $(ROOT)/bindings/node
NPM ?= npm

.PHONY: test-node bench-node bench-node-compare node-deps node-build

TEST_TARGETS += test-node

node-deps:
	cd $(NODE_DIR) && $(NPM) ci --ignore-scripts --no-audit --no-fund

node-build: node-deps
	cd $(NODE_DIR) && node scripts/build-native.js

test-node: node-deps
	@echo "== node: native.d.ts matches a fresh napi-rs generation"
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  cd $(NODE_DIR) && npx napi build --release --no-js --dts native.d.ts --output-dir "$$tmp" && \
	  diff -u native.d.ts "$$tmp/native.d.ts"
	@echo "== node: build the addon"
	cd $(NODE_DIR) && node scripts/build-native.js
	@echo "== node: index.d.ts against test/types/usage.ts"
	cd $(NODE_DIR) && npx tsc -p test/types/tsconfig.json
	@echo "== node: web/index.d.mts (the browser/edge conditions) against test/types/web/usage.mts, no Node types"
	cd $(NODE_DIR) && npx tsc -p test/types/web/tsconfig.json
	@echo "== node: node --test"
	cd $(NODE_DIR) && $(ROOT)/tests/redis/with-redis.sh node --test test/*.test.js
	@echo "== node: install into fresh projects (folder and tarball)"
	cd $(NODE_DIR) && node test/install/check.js

# Pool (napi AsyncTask) vs inline cryptography for a server under load; prints ratios.
bench-node: node-build
	cd $(NODE_DIR) && node bench/load.mjs 4 32

# The addon against the two pure-JS implementations of tests/interop/js-peer (the
# reference's crypto stack; secp256k1 npm + node:crypto), in one process, with the
# addon built on each core backend side by side (CRYPTO_SESSIONS_BACKEND); prints
# times and ratios, and whether issue 7's decode targets are met.
NODE_BENCH_ADDONS = $(CARGO_TARGET_DIR)/node-bench
bench-node-compare: node-build js-peer-deps
	cd $(NODE_DIR) && CRYPTO_SESSIONS_BACKEND=libsecp256k1 node scripts/build-native.js --output $(NODE_BENCH_ADDONS)/libsecp256k1.node
	cd $(NODE_DIR) && CRYPTO_SESSIONS_BACKEND=k256 node scripts/build-native.js --output $(NODE_BENCH_ADDONS)/k256.node
	cd $(NODE_DIR) && node bench/compare.mjs --addon libsecp256k1=$(NODE_BENCH_ADDONS)/libsecp256k1.node \
		--addon k256=$(NODE_BENCH_ADDONS)/k256.node
