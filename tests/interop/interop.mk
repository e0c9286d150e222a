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
