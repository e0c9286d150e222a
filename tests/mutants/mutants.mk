# Mutation testing of the core crate with cargo-mutants (issue 15), see
# tests/mutants/README.md for the scores per file and the times.
#
#   make mutants                      every mutant of every core file: fails unless
#                                     each is caught or unviable (apart from the
#                                     equivalent ones excluded in .cargo/mutants.toml);
#                                     8 to 10 hours on 2 cores
#   make mutants-files FILES='a b'    the same for some files; records them as passing
#   make mutants-diff                 (in make test) the files recorded as passing that
#                                     changed since: only the mutants on changed lines
#
# One mutant at a time (-j 1), under nice -n 15 (MUTANTS_NICE); MUTANTS_ARGS adds options.

MUTANTS_VERSION := 27.1.0
CARGO_MUTANTS := $(TOOLS)/bin/cargo-mutants
MUTANTS_STAMP := $(TOOLS)/.cargo-mutants-$(MUTANTS_VERSION)
MUTANTS_RUN = CARGO_MUTANTS=$(CARGO_MUTANTS) bash tests/mutants/mutants.sh

TEST_TARGETS += mutants-diff

.PHONY: mutants mutants-files mutants-diff

$(MUTANTS_STAMP):
	$(CARGO) install --locked --quiet cargo-mutants --version $(MUTANTS_VERSION) --root $(TOOLS)
	touch $@

mutants: $(MUTANTS_STAMP)
	$(MUTANTS_RUN) full

mutants-files: $(MUTANTS_STAMP)
	$(MUTANTS_RUN) files $(FILES)

# Installs cargo-mutants only when a passing file changed: the usual case costs one
# `git hash-object` per listed file.
# test_gate.sh first checks the gate itself in throwaway clones (about a second).
mutants-diff:
	@bash tests/mutants/test_gate.sh
	@MUTANTS_INSTALL='$(MAKE) --no-print-directory $(MUTANTS_STAMP)' $(MUTANTS_RUN) diff
