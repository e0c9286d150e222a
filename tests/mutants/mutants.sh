#!/usr/bin/env bash
# Mutation testing of the core crate with cargo-mutants (issue 15). Called by
# tests/mutants/mutants.mk; see tests/mutants/README.md.
#
#   mutants.sh full          every mutant of every core file (hours: `make mutants`)
#   mutants.sh files F...    every mutant of the files F (`make mutants-files FILES=...`);
#                            when all are caught or unviable and F is committed
#                            unchanged, F is recorded in passing.txt at HEAD
#   mutants.sh diff          the gate of `make test`: only the files listed in
#                            passing.txt that changed since the commit they passed
#                            on, and only the mutants on the changed lines
#
# Mutants are built and tested in a copy of the tracked files under
# $CARGO_TARGET_DIR/mutants/tree (a stable path, so cargo's incremental state and the
# registry dependencies of the shared target dir are reused; never the source tree
# itself, so a parallel make never builds a mutated core), with the core's no-code
# `mutants` feature, so that their artifacts never stand in for the source tree's.
set -euo pipefail

mode=${1:?usage: mutants.sh full|files F...|diff}
shift
: "${CARGO_MUTANTS:?the cargo-mutants binary}"
: "${CARGO_TARGET_DIR:?the cargo target dir}"
# One mutant at a time (--in-place). MUTANTS_ARGS: more cargo-mutants options, e.g. '--baseline skip --timeout 300'.
NICE=${MUTANTS_NICE:-15}

root=$(git rev-parse --show-toplevel 2>/dev/null) || {
    echo "mutants: SKIPPED, not a git checkout: the passing files cannot be compared" \
        "(this is not a pass of mutation testing)"
    exit 0
}
cd "$root"
PASSING=tests/mutants/passing.txt
work=$CARGO_TARGET_DIR/mutants
tree=$work/tree
mkdir -p "$work"

# The tracked (and new, not ignored) files. Only a file whose content differs is
# written, with the time of now: cargo then rebuilds what changed since the last run,
# and never takes a file restored to older content for up to date.
copy_tree() {
    mkdir -p "$tree"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do
            [[ -f $f ]] || continue
            if ! cmp -s "$f" "$tree/$f"; then
                mkdir -p "$tree/$(dirname "$f")"
                cp "$f" "$tree/$f"
            fi
        done
}

run_mutants() {
    local out=$1
    shift
    copy_tree
    rm -rf "$out"
    local rc=0
    (cd "$tree" && nice -n "$NICE" "$CARGO_MUTANTS" mutants --in-place --package crypto-sessions --features mutants \
        --output "$out" --no-shuffle "$@" ${MUTANTS_ARGS:-}) || rc=$?
    if [[ -f $out/mutants.out/outcomes.json ]]; then
        python3 tests/mutants/scores.py "$out/mutants.out" || true
    fi
    return $rc
}

# The core's source files that cargo-mutants mutates.
core_files() {
    git ls-files 'core/src/*.rs' 'core/src/**/*.rs'
}

# Rewrite passing.txt with each given file at HEAD (committed, unchanged).
record() {
    local head
    head=$(git rev-parse HEAD)
    for f in "$@"; do
        if ! git diff --quiet HEAD -- "$f"; then
            echo "mutants: $f has uncommitted changes: not recorded (commit it, then run again)"
            continue
        fi
        local blob
        blob=$(git rev-parse "HEAD:$f")
        { grep -v "^$f " "$PASSING" || true; } > "$work/passing.new"
        echo "$f $head $blob" >> "$work/passing.new"
        { grep '^#' "$work/passing.new"; grep -v '^#' "$work/passing.new" | sort; } > "$PASSING"
        echo "mutants: recorded $f as passing at $head"
    done
}

case $mode in
full)
    mapfile -t files < <(core_files)
    start=$SECONDS
    run_mutants "$work/full"
    echo "mutants: every mutant of the core caught or unviable ($((SECONDS - start)) s)"
    record "${files[@]}"
    ;;
files)
    [[ $# -gt 0 ]] || { echo "usage: make mutants-files FILES='core/src/token.rs ...'"; exit 2; }
    args=()
    for f in "$@"; do args+=(--file "$f"); done
    start=$SECONDS
    run_mutants "$work/files" "${args[@]}"
    echo "mutants: every mutant of $* caught or unviable ($((SECONDS - start)) s)"
    record "$@"
    ;;
diff)
    diff=$work/passing.diff
    : > "$diff"
    changed=() skipped=() unchanged=0
    while read -r f commit blob _; do
        [[ -z ${f:-} || $f == \#* ]] && continue
        if [[ ! -f $f ]]; then
            echo "mutants-diff: $f (listed in $PASSING) no longer exists: remove its line"
            exit 1
        fi
        if [[ $(git hash-object "$f") == "$blob" ]]; then
            unchanged=$((unchanged + 1))
            continue
        fi
        # The content that passed: the file at its recorded commit, or its blob.
        if git cat-file -e "$commit:$f" 2>/dev/null; then
            git show "$commit:$f" > "$work/old"
        elif git cat-file -e "$blob" 2>/dev/null; then
            git cat-file blob "$blob" > "$work/old"
        else
            skipped+=("$f")
            continue
        fi
        diff -u --label "a/$f" --label "b/$f" "$work/old" "$f" >> "$diff" || true
        changed+=("$f")
    done < "$PASSING"
    for f in "${skipped[@]}"; do
        echo "mutants-diff: SKIPPED $f: it changed since it passed, and neither the commit" \
            "it passed on nor its old content is in this clone (a shallow clone?). Its" \
            "changes are NOT mutation-tested here (not a pass): run 'make mutants-diff' in a" \
            "full clone, or 'make mutants-files FILES=$f'."
    done
    if [[ ${#changed[@]} -eq 0 ]]; then
        echo "mutants-diff: $unchanged passing files unchanged since they passed," \
            "${#skipped[@]} skipped: no mutant to run"
        exit 0
    fi
    echo "mutants-diff: changed since they passed: ${changed[*]} ($unchanged unchanged)"
    ${MUTANTS_INSTALL:-true}
    args=()
    for f in "${changed[@]}"; do args+=(--file "$f"); done
    start=$SECONDS
    # No baseline: `make test-rust` ran the same tests unmutated just before.
    run_mutants "$work/diff" --in-diff "$diff" --baseline skip \
        --timeout "${MUTANTS_TIMEOUT:-300}" "${args[@]}"
    echo "mutants-diff: every mutant on the changed lines caught or unviable ($((SECONDS - start)) s)"
    ;;
*)
    echo "usage: mutants.sh full|files F...|diff"
    exit 2
    ;;
esac
