# The Go package (bindings/go): cgo over the static C library.
#
#   make test-go   gofmt check, go vet, go test -race, against a local install of
#                  the C library under the build tree (ffi/ffi.mk: ffi-local-install),
#                  found through pkg-config; beside a throwaway redis-server
#                  (tests/redis/with-redis.sh: the v2 Redis replay store test).

GO ?= go
# FFI_PREFIX comes from ffi/ffi.mk (included after this file; recipes expand late).
# Go's build cache does not hash the C library it links, so its checksum goes into
# CGO_CFLAGS: a rebuilt library always gives a relinked test binary.
# The tag crypto_sessions_system: the installed library (a release copy carries its own).
GO_ENV = PKG_CONFIG_PATH=$(FFI_PREFIX)/lib/pkgconfig GOTOOLCHAIN=local GOFLAGS=-tags=crypto_sessions_system \
	CGO_CFLAGS="-g -O2 -DCS_LIBRARY_SHA256=$$(sha256sum $(FFI_PREFIX)/lib/libcrypto_sessions.a | cut -c1-16)"

TEST_TARGETS += test-go

.PHONY: test-go
test-go: ffi-local-install
	cd bindings/go && unformatted=$$(gofmt -l .) && test -z "$$unformatted" \
		|| { echo "gofmt: bindings/go/$$unformatted needs formatting"; exit 1; }
	cd bindings/go && $(GO_ENV) $(GO) vet ./...
	cd bindings/go && $(GO_ENV) $(ROOT)/tests/redis/with-redis.sh $(GO) test -race -count=1 ./...
