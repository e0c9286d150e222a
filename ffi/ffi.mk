# The C ABI: libcrypto_sessions.so / .a, include/crypto_sessions.h, the pkg-config
# files, and the C tests (tests/c/).
#
#   make install PREFIX=/usr/local   libraries, header, pkg-config files (DESTDIR works)
#   make ffi-header                  regenerate include/crypto_sessions.h
#   make test-c                      header check, Rust unit tests, C tests
#
# The crate's library is named crypto_sessions_ffi (the core's is crypto_sessions);
# it is installed as libcrypto_sessions.*.

CBINDGEN_VERSION := 0.29.4
CBINDGEN := $(TOOLS)/bin/cbindgen
CBINDGEN_STAMP := $(TOOLS)/.cbindgen-$(CBINDGEN_VERSION)
FFI_RELEASE = $(CARGO_TARGET_DIR)/release
FFI_WORK = $(CARGO_TARGET_DIR)/c-tests
# A local install under the build tree, used by the C tests and the Go package.
FFI_PREFIX = $(CARGO_TARGET_DIR)/crypto-sessions-prefix

TEST_TARGETS += test-c

.PHONY: test-c test-ffi-rust ffi-lib ffi-header ffi-header-check ffi-local-install install install-ffi

$(CBINDGEN_STAMP):
	$(CARGO) install --locked --quiet cbindgen --version $(CBINDGEN_VERSION) --root $(TOOLS)
	touch $@

ffi-header: $(CBINDGEN_STAMP)
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate crypto-sessions-ffi \
		--output include/crypto_sessions.h ffi

# The committed header must be what cbindgen makes from the code now.
ffi-header-check: $(CBINDGEN_STAMP)
	mkdir -p $(FFI_WORK)
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate crypto-sessions-ffi \
		--output $(FFI_WORK)/crypto_sessions.h ffi
	@diff -u include/crypto_sessions.h $(FFI_WORK)/crypto_sessions.h \
		|| { echo "include/crypto_sessions.h differs from the code: run 'make ffi-header'"; exit 1; }
	@echo "include/crypto_sessions.h matches the code"

ffi-lib:
	$(CARGO) build --release --locked -p crypto-sessions-ffi

# $(1): where to copy; $(2): the prefix the installed files name.
define ffi_install
	@abi=$$(sed -n 's/^#define CS_ABI_VERSION \([0-9]*\)$$/\1/p' include/crypto_sessions.h); \
	version=$$($(CARGO) pkgid -p crypto-sessions-ffi | sed 's/.*[#@]//'); \
	test -n "$$abi"; test -n "$$version"; \
	install -d $(1)/lib/pkgconfig $(1)/include; \
	install -m 644 include/crypto_sessions.h $(1)/include/crypto_sessions.h; \
	install -m 644 $(FFI_RELEASE)/libcrypto_sessions_ffi.a $(1)/lib/libcrypto_sessions.a; \
	install -m 755 $(FFI_RELEASE)/libcrypto_sessions_ffi.so $(1)/lib/libcrypto_sessions.so.$$abi; \
	ln -sfn libcrypto_sessions.so.$$abi $(1)/lib/libcrypto_sessions.so; \
	sed -e 's|@PREFIX@|$(2)|' -e "s|@VERSION@|$$version|" ffi/crypto_sessions.pc.in \
		> $(1)/lib/pkgconfig/crypto_sessions.pc; \
	sed -e 's|@PREFIX@|$(2)|' -e "s|@VERSION@|$$version|" ffi/crypto_sessions_static.pc.in \
		> $(1)/lib/pkgconfig/crypto_sessions_static.pc; \
	echo "installed crypto_sessions $$version (ABI $$abi) in $(1)"
endef

# Other parts may add their own prerequisites to `install`.
install: install-ffi

install-ffi: ffi-lib
	$(call ffi_install,$(DESTDIR)$(PREFIX),$(PREFIX))

ffi-local-install: ffi-lib
	rm -rf $(FFI_PREFIX)
	$(call ffi_install,$(FFI_PREFIX),$(FFI_PREFIX))

test-ffi-rust:
	$(CARGO) test -p crypto-sessions-ffi --locked

test-c: ffi-header-check test-ffi-rust ffi-local-install
	bash tests/c/run.sh $(FFI_PREFIX) $(FFI_WORK)
