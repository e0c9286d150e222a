# Hardening (issue 8): fuzzing the core with cargo-fuzz.
#
# The hardening tests of the core are integration tests of the crate, so `make test`
# already runs them through `test-rust` (`cargo test -p crypto-sessions`):
#   core/tests/wycheproof.rs    Project Wycheproof: ECDSA, ECDH, AES-CBC-PKCS5
#   core/tests/fuzz_corpus.rs   replays core/fuzz/corpus/* on stable (no nightly needed)
#   core/tests/fuzz_corpus_v2.rs  the same for the protocol v2 targets (v2_*)
#   core/tests/secrets.rs       no Debug/Display/error shows a secret key or shared secret
# This fragment adds nothing to TEST_TARGETS; it provides the fuzzing itself:
#   make fuzz        writes the seeds, then runs each target for FUZZ_SECONDS (nightly,
#                    cargo-fuzz, ASan); new inputs land in core/fuzz/corpus/<target>/,
#                    a crash fails the run and leaves its input in core/fuzz/artifacts/
#   make fuzz-seed   (re)write the seeds from tests/vectors/reference-1.1.10.json and v2.json
#   make fuzz-cmin   minimize each corpus (by edge coverage) before committing it

CARGO_FUZZ_VERSION := 0.13.2
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := token b64url session_decode server_authenticate client_open payload_revive \
	v2_token v2_server_authenticate v2_answer_open
# Targets whose new inputs stay out of the committed corpus: payload_revive mostly
# explores serde_json's parser, thousands of inputs; its committed corpus is the seeds.
FUZZ_SCRATCH_TARGETS := payload_revive
FUZZ_DIR := core/fuzz
CARGO_FUZZ_BIN := $(TOOLS)/bin/cargo-fuzz
# Instrumented nightly builds get their own folder inside the one target dir.
FUZZ_BUILD_DIR = $(CARGO_TARGET_DIR)/fuzz
CARGO_FUZZ = cd $(ROOT) && PATH="$(TOOLS)/bin:$$PATH" RUSTUP_TOOLCHAIN=nightly \
	CARGO_TARGET_DIR="$(FUZZ_BUILD_DIR)" cargo fuzz

.PHONY: fuzz fuzz-seed fuzz-cmin

$(CARGO_FUZZ_BIN):
	$(CARGO) install --locked cargo-fuzz --version $(CARGO_FUZZ_VERSION) --root $(TOOLS)

fuzz: $(CARGO_FUZZ_BIN) fuzz-seed
	$(CARGO_FUZZ) build --fuzz-dir $(FUZZ_DIR)
	for t in $(FUZZ_TARGETS); do \
	  corpus="$(FUZZ_DIR)/corpus/$$t"; \
	  case " $(FUZZ_SCRATCH_TARGETS) " in \
	    *" $$t "*) out="$(FUZZ_BUILD_DIR)/scratch/$$t"; mkdir -p "$$out"; set -- "$$out" "$$corpus";; \
	    *) set -- "$$corpus";; \
	  esac; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  $(CARGO_FUZZ) run --fuzz-dir $(FUZZ_DIR) $$t "$$@" -- \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; \
	done

fuzz-seed:
	$(CARGO) run -q --locked -p crypto-sessions --example fuzz_seed -- $(FUZZ_DIR)/corpus

# Edge coverage only (no hit counts, no comparison operands): a few hundred files.
fuzz-cmin: $(CARGO_FUZZ_BIN)
	for t in $(filter-out $(FUZZ_SCRATCH_TARGETS),$(FUZZ_TARGETS)); do \
	  $(CARGO_FUZZ) cmin --fuzz-dir $(FUZZ_DIR) $$t $(FUZZ_DIR)/corpus/$$t -- \
	    -use_counters=0 -use_cmp=0 || exit 1; \
	done
