# ---- js-peer-v2: an independent pure-JS implementation of protocol v2 ---------------
# tests/interop/js-peer-v2: written from PROTOCOL-v2.md and the vectors alone, on
# @noble/curves + @noble/ciphers + @noble/hashes (no code of the core). Replays every
# section of tests/vectors/v2.json and runs its own client against its own node:http
# server. `npm ci` runs only when node_modules is missing or older than the lock.

JS_PEER_V2 := $(ROOT)/tests/interop/js-peer-v2
JS_PEER_V2_INSTALLED := $(JS_PEER_V2)/node_modules/.package-lock.json

$(JS_PEER_V2_INSTALLED): $(JS_PEER_V2)/package-lock.json $(JS_PEER_V2)/package.json
	cd $(JS_PEER_V2) && npm ci --no-audit --no-fund
	touch $@

.PHONY: js-peer-v2-deps test-js-peer-v2
js-peer-v2-deps: $(JS_PEER_V2_INSTALLED)

test-js-peer-v2: js-peer-v2-deps
	cd $(JS_PEER_V2) && CRYPTO_SESSIONS_V2_VECTORS="$${CRYPTO_SESSIONS_V2_VECTORS:-$(ROOT)/tests/vectors/v2.json}" \
		node --test test/*.test.mjs

TEST_TARGETS += test-js-peer-v2
# ---- end js-peer-v2 -----------------------------------------------------------------
