# Release artifacts and the proof that they install without a Rust toolchain.
#
#   make set-version V=X.Y.Z  write the version into every package (scripts/version.py)
#   make version-check        every package says the workspace's version (in make test)
#   make dist                 dist/: the Python wheel + sdist, the npm tarballs, the Go
#                             release copy, the C tarball with the CLI (tests/dist/README.md)
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

TEST_TARGETS += version-check
