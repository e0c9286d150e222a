# Release artifacts and the proof that they install without a Rust toolchain.
#
#   make set-version V=X.Y.Z  write the version into every package (scripts/version.py)
#   make version-check        every package says the workspace's version (in make test)
#   make dist                 dist/: the Python wheel + sdist, the npm tarballs, the Go
#                             release copy, the C tarball with the CLI (README.md, Install)
#   make test-dist            make dist, then install each artifact into a fresh place
#                             with no cargo/rustc on PATH and run a real exchange
#                             against a server of another language

DIST := $(ROOT)/dist
PYTHON3 ?= python3

.PHONY: set-version version-check

set-version:
	@test -n "$(V)" || { echo "usage: make set-version V=X.Y.Z"; exit 2; }
	$(PYTHON3) scripts/version.py set $(V)

version-check:
	$(PYTHON3) scripts/version.py check
	$(PYTHON3) tests/dist/test_version.py

TEST_TARGETS += version-check

# ---- make dist --------------------------------------------------------------------
# Every artifact is built here from this commit's sources, into $(DIST) (never
# committed). One cargo target dir: the host's release build serves the C library,
# the CLI and the npm addon; the wheel is a zig cross build (manylinux2014, glibc
# 2.17) into $(CARGO_TARGET_DIR)/x86_64-unknown-linux-gnu.

DIST_VENV := $(TOOLS)/dist-venv
DIST_REQS := $(ROOT)/tests/dist/requirements.txt
DIST_STAMP := $(DIST_VENV)/.crypto-sessions-dist-reqs
DIST_VERSION = $(shell $(PYTHON3) $(ROOT)/scripts/version.py)
DIST_C_NAME = crypto-sessions-$(DIST_VERSION)-x86_64-linux-gnu
DIST_GO_NAME = crypto-sessions-go-$(DIST_VERSION)
DIST_WORK = $(CARGO_TARGET_DIR)/dist-work
LICENCES := LICENSE-MIT LICENSE-APACHE

.PHONY: dist dist-python dist-node dist-c dist-go test-dist test-install

$(DIST_STAMP): $(DIST_REQS)
	test -x $(DIST_VENV)/bin/python || $(PYTHON3) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(DIST_REQS)
	touch $@

dist: dist-python dist-node dist-c dist-go
	@echo "dist/:" && cd $(DIST) && find . -maxdepth 2 -type f | sort

# maturin finds zig (the ziglang package) on PATH through the venv.
dist-python: $(DIST_STAMP)
	rm -rf $(DIST)/python
	PATH=$(DIST_VENV)/bin:$$PATH maturin build --release --locked --zig --compatibility manylinux2014 \
		--target x86_64-unknown-linux-gnu --manifest-path bindings/python/Cargo.toml --out $(DIST)/python
	PATH=$(DIST_VENV)/bin:$$PATH maturin sdist --manifest-path bindings/python/Cargo.toml --out $(DIST)/python

dist-node: node-deps
	rm -rf $(DIST)/npm
	cd $(NODE_DIR) && node scripts/dist.js --out $(DIST)/npm

# The C library, the CLI with its man pages and completions, the example, in a tree
# that works wherever it is unpacked (the pkg-config files find it from their place).
dist-c: ffi-lib
	$(CARGO) build --release --locked -p crypto-session-cli
	rm -rf $(DIST_WORK)/docs $(DIST_WORK)/$(DIST_C_NAME) $(DIST)/c && mkdir -p $(DIST)/c
	$(CARGO) run -q --release --locked -p crypto-session-cli --example gen_docs -- $(DIST_WORK)/docs
	$(call ffi_relocatable_install,$(DIST_WORK)/$(DIST_C_NAME))
	cd $(DIST_WORK)/$(DIST_C_NAME) && strip --strip-debug lib/libcrypto_sessions.a \
		&& strip --strip-unneeded lib/libcrypto_sessions.so.*
	install -D -m 755 -s $(CARGO_TARGET_DIR)/release/crypto-session $(DIST_WORK)/$(DIST_C_NAME)/bin/crypto-session
	install -D -m 644 -t $(DIST_WORK)/$(DIST_C_NAME)/share/man/man1 $(DIST_WORK)/docs/man/*.1
	install -D -m 644 $(DIST_WORK)/docs/completions/crypto-session.bash \
		$(DIST_WORK)/$(DIST_C_NAME)/share/bash-completion/completions/crypto-session
	install -D -m 644 $(DIST_WORK)/docs/completions/_crypto-session \
		$(DIST_WORK)/$(DIST_C_NAME)/share/zsh/site-functions/_crypto-session
	install -D -m 644 $(DIST_WORK)/docs/completions/crypto-session.fish \
		$(DIST_WORK)/$(DIST_C_NAME)/share/fish/vendor_completions.d/crypto-session.fish
	install -D -m 644 -t $(DIST_WORK)/$(DIST_C_NAME)/share/doc/crypto-sessions/examples ffi/examples/*.c
	install -m 644 $(LICENCES) CHANGELOG.md tests/dist/README-c.md $(DIST_WORK)/$(DIST_C_NAME)/
	mv $(DIST_WORK)/$(DIST_C_NAME)/README-c.md $(DIST_WORK)/$(DIST_C_NAME)/README.md
	tar -C $(DIST_WORK) --owner=0 --group=0 --numeric-owner -czf $(DIST)/c/$(DIST_C_NAME).tar.gz $(DIST_C_NAME)

# The Go module as released: its sources (no tests) with the static library and the
# header in lib/linux_amd64/, which cgo_vendored.go links (the wasmtime-go layout).
dist-go: ffi-lib
	rm -rf $(DIST)/go && mkdir -p $(DIST)/go/$(DIST_GO_NAME)/lib/linux_amd64
	cd bindings/go && install -m 644 go.mod README.md $$(ls *.go | grep -v '_test\.go$$') $(DIST)/go/$(DIST_GO_NAME)/
	install -m 644 $(LICENCES) $(DIST)/go/$(DIST_GO_NAME)/
	install -m 644 include/crypto_sessions.h $(DIST)/go/$(DIST_GO_NAME)/lib/linux_amd64/
	install -m 644 $(FFI_RELEASE)/libcrypto_sessions_ffi.a $(DIST)/go/$(DIST_GO_NAME)/lib/linux_amd64/libcrypto_sessions.a
	strip --strip-debug $(DIST)/go/$(DIST_GO_NAME)/lib/linux_amd64/libcrypto_sessions.a
	tar -C $(DIST)/go --owner=0 --group=0 --numeric-owner -czf $(DIST)/go/$(DIST_GO_NAME).tar.gz $(DIST_GO_NAME)

# ---- the proofs -------------------------------------------------------------------
# make install / make uninstall into a staging root (DESTDIR) with PREFIX and LIBDIR.
test-install: ffi-lib
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(MAKE) --no-print-directory install DESTDIR=$$tmp/root PREFIX=/opt/cs LIBDIR=/opt/cs/lib64 && \
	bash tests/dist/check_install.sh $$tmp/root /opt/cs /opt/cs/lib64 && \
	$(MAKE) --no-print-directory uninstall DESTDIR=$$tmp/root PREFIX=/opt/cs LIBDIR=/opt/cs/lib64 && \
	left=$$(find $$tmp/root -type f -o -type l) && \
	if [ -n "$$left" ]; then echo "make uninstall left: $$left"; exit 1; fi
	@echo "test-install: make install/uninstall honour DESTDIR, PREFIX and LIBDIR"

# Each artifact installed into a fresh place, with a PATH without cargo or rustc and a
# HOME without .cargo, then a real exchange with a server of another language.
test-dist: dist interop-go-peer test-install js-peer-v2-deps $(DIST_STAMP)
	$(PYTHON3) tests/dist/check.py --dist $(DIST) --go-peer $(INTEROP_GO_PEER) \
		--auditwheel $(DIST_VENV)/bin/auditwheel --version $(DIST_VERSION)

TEST_TARGETS += test-dist
