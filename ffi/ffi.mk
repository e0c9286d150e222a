# The C ABI: libcrypto_sessions.so / .a, include/crypto_sessions.h, the pkg-config
# files, and the C tests (tests/c/).
#
#   make install PREFIX=/usr/local   libraries, header, pkg-config files (DESTDIR, LIBDIR,
#                                    INCLUDEDIR work); make uninstall removes them
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

.PHONY: test-c test-ffi-rust ffi-lib ffi-header ffi-header-check ffi-local-install install install-ffi uninstall uninstall-ffi

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

# $(1), $(2): the directories the libraries (and pkgconfig/) and the header go to;
# $(3), $(4), $(5): prefix, libdir and includedir as the pkg-config files say them.
define ffi_install
	@abi=$$(sed -n 's/^#define CS_ABI_VERSION \([0-9]*\)$$/\1/p' include/crypto_sessions.h); \
	version=$$($(CARGO) pkgid -p crypto-sessions-ffi | sed 's/.*[#@]//'); \
	test -n "$$abi"; test -n "$$version"; \
	install -d $(1)/pkgconfig $(2); \
	install -m 644 include/crypto_sessions.h $(2)/crypto_sessions.h; \
	install -m 644 $(FFI_RELEASE)/libcrypto_sessions_ffi.a $(1)/libcrypto_sessions.a; \
	install -m 755 $(FFI_RELEASE)/libcrypto_sessions_ffi.so $(1)/libcrypto_sessions.so.$$abi; \
	ln -sfn libcrypto_sessions.so.$$abi $(1)/libcrypto_sessions.so; \
	for pc in crypto_sessions crypto_sessions_static; do \
	  sed -e 's|@PREFIX@|$(3)|' -e 's|@LIBDIR@|$(4)|' -e 's|@INCLUDEDIR@|$(5)|' -e "s|@VERSION@|$$version|" \
	    ffi/$$pc.pc.in > $(1)/pkgconfig/$$pc.pc; \
	done; \
	echo "installed crypto_sessions $$version (ABI $$abi): $(1), $(2)"
endef

# `make install` / `make uninstall`: PREFIX (/usr/local), LIBDIR ($(PREFIX)/lib),
# INCLUDEDIR ($(PREFIX)/include), and DESTDIR (a staging root, as packagers use it).
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

# Other parts may add their own prerequisites to `install` and `uninstall`.
install: install-ffi
uninstall: uninstall-ffi

install-ffi: ffi-lib
	$(call ffi_install,$(DESTDIR)$(LIBDIR),$(DESTDIR)$(INCLUDEDIR),$(PREFIX),$(LIBDIR),$(INCLUDEDIR))

# Removes what install-ffi wrote (any ABI version of the shared library), nothing else.
uninstall-ffi:
	rm -f $(DESTDIR)$(LIBDIR)/libcrypto_sessions.a $(DESTDIR)$(LIBDIR)/libcrypto_sessions.so \
		$(DESTDIR)$(LIBDIR)/libcrypto_sessions.so.[0-9]* \
		$(DESTDIR)$(LIBDIR)/pkgconfig/crypto_sessions.pc $(DESTDIR)$(LIBDIR)/pkgconfig/crypto_sessions_static.pc \
		$(DESTDIR)$(INCLUDEDIR)/crypto_sessions.h

ffi-local-install: ffi-lib
	rm -rf $(FFI_PREFIX)
	$(call ffi_install,$(FFI_PREFIX)/lib,$(FFI_PREFIX)/include,$(FFI_PREFIX),$(FFI_PREFIX)/lib,$(FFI_PREFIX)/include)

# A relocatable tree for the release tarball (tests/dist/dist.mk): the pkg-config
# files find the tree from where they are. $(1): the tree.
define ffi_relocatable_install
	$(call ffi_install,$(1)/lib,$(1)/include,$${pcfiledir}/../..,$${prefix}/lib,$${prefix}/include)
endef

test-ffi-rust:
	$(CARGO) test -p crypto-sessions-ffi --locked

test-c: ffi-header-check test-ffi-rust ffi-local-install
	bash tests/c/run.sh $(FFI_PREFIX) $(FFI_WORK)
