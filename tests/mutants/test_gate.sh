#!/usr/bin/env bash
# What `make mutants-diff` runs, checked in throwaway clones with a stand-in for
# cargo-mutants that records its arguments: nothing when the passing files are
# unchanged; the diff of a changed one since its recorded commit (or blob); a clear
# SKIPPED, not a pass and not a failure, when a shallow clone has neither.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test_gate: FAIL: $*"; exit 1; }

cat > "$work/fake-mutants" <<'EOF'
#!/usr/bin/env bash
echo "$@" > "$FAKE_LOG"
for a in "$@"; do [[ $prev == --in-diff ]] && cp "$a" "$FAKE_LOG.diff"; prev=$a; done
EOF
chmod +x "$work/fake-mutants"

# A repository of two commits: passing.txt records core/src/token.rs at the first.
mkdir -p "$work/repo"
tar -C "$root" -cf - tests/mutants core/src/token.rs core/src/keys.rs | tar -xf - -C "$work/repo"
cd "$work/repo"
git init -q && git config user.email t@t && git config user.name t
git add -A && git commit -qm one
first=$(git rev-parse HEAD)
{
    echo "# header"
    echo "core/src/keys.rs $first $(git rev-parse HEAD:core/src/keys.rs)"
    echo "core/src/token.rs $first $(git rev-parse HEAD:core/src/token.rs)"
} > tests/mutants/passing.txt
echo "// a change" >> core/src/token.rs
git commit -qam two

run() {
    local dir=$1
    rm -f "$work/log" "$work/log.diff"
    (cd "$dir" && CARGO_MUTANTS="$work/fake-mutants" FAKE_LOG="$work/log" \
        CARGO_TARGET_DIR="$work/target" MUTANTS_INSTALL=true MUTANTS_NICE=0 \
        bash tests/mutants/mutants.sh diff)
}

# A changed passing file: its diff since the recorded commit, that file only.
out=$(run "$work/repo")
[[ -f $work/log ]] || fail "cargo-mutants did not run for a changed file: $out"
grep -q -- "--in-diff" "$work/log" || fail "no --in-diff: $(cat "$work/log")"
grep -q -- "--file core/src/token.rs" "$work/log" || fail "not token.rs: $(cat "$work/log")"
grep -q -- "core/src/keys.rs" "$work/log" && fail "unchanged keys.rs was tested"
grep -q '^+// a change$' "$work/log.diff" || fail "the diff lacks the change"
grep -q '^+++ b/core/src/token.rs$' "$work/log.diff" || fail "the diff's path"

# The recorded commit gone but the blob present (a rebase): the same diff.
sed -i "s/ $first / 0000000000000000000000000000000000000000 /" tests/mutants/passing.txt
out=$(run "$work/repo")
grep -q '^+// a change$' "$work/log.diff" || fail "blob fallback: $out"
git checkout -q tests/mutants/passing.txt

# Unchanged files: cargo-mutants never starts.
git checkout -q "$first" -- core/src/token.rs
out=$(run "$work/repo")
[[ -f $work/log ]] && fail "cargo-mutants ran with nothing changed"
grep -q "2 passing files unchanged" <<< "$out" || fail "unchanged: $out"
git checkout -q HEAD -- core/src/token.rs

# A shallow clone without the commit it passed on: skipped, said so, exit 0.
git clone -q --depth 1 "file://$work/repo" "$work/shallow"
out=$(run "$work/shallow")
[[ -f $work/log ]] && fail "cargo-mutants ran without the old content"
grep -q "SKIPPED core/src/token.rs" <<< "$out" || fail "no SKIPPED line: $out"
grep -q "NOT mutation-tested" <<< "$out" || fail "the skip is not said to be no pass: $out"

echo "test_gate: the mutants-diff gate runs, skips and stays idle as it should"
