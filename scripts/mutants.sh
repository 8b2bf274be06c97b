#!/usr/bin/env bash
# Mutation testing with cargo-mutants: does the test suite fail when the code
# is wrong? See docs/testing.md for how to read the result.
#
#   bash scripts/mutants.sh                     # parse, classify, tally, report, messages
#   bash scripts/mutants.sh src/report          # one module (a directory or a file)
#   SHARD=1/4 bash scripts/mutants.sh           # a quarter of the mutants (run 4 machines)
#   JOBS=4 bash scripts/mutants.sh              # mutants tested at once (default 2)
#   FILTER='kind(lib)' bash scripts/mutants.sh src/classify
#                                               # first pass with only these tests (a nextest
#                                               # filter); the second pass still runs them all
#
# Two passes. The first runs every mutant against the suite without the slow
# invariance tests (nextest profile `mutants` in .config/nextest.toml); the
# second runs only the mutants that survived it against the whole suite
# (`--iterate`). What survives both is in OUT/mutants.out/missed.txt.
# Needs cargo-mutants and cargo-nextest (`cargo install --locked
# cargo-mutants cargo-nextest`). OUT defaults to target/mutants.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-target/mutants}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(src/parse src/classify src/tally.rs src/report src/messages)
fi
files=()
for target in "${targets[@]}"; do
    if [ -d "$target" ]; then
        files+=(-f "$target/**")
    else
        files+=(-f "$target")
    fi
done
shard=()
if [ -n "${SHARD:-}" ]; then
    shard=(--shard "$SHARD")
fi
for tool in cargo-mutants cargo-nextest; do
    command -v "$tool" >/dev/null || { echo "mutants.sh: $tool not found: cargo install --locked $tool" >&2; exit 2; }
done
mkdir -p "$out"
common=(--test-tool nextest --profile mutants --timeout "${TIMEOUT:-90}" --jobs "${JOBS:-2}" --output "$out" "${files[@]}" "${shard[@]}")

filter=()
if [ -n "${FILTER:-}" ]; then
    filter=(--cargo-test-arg=-E "--cargo-test-arg=$FILTER")
fi

# Pass 1: fast. Exit 2 means some mutants were missed: not an error here.
cargo mutants "${common[@]}" --cargo-test-arg=--profile --cargo-test-arg=mutants "${filter[@]}" || [ $? -eq 2 ] || exit $?
if [ ! -s "$out/mutants.out/missed.txt" ]; then
    echo "mutants.sh: no mutant survived"
    exit 0
fi
# Pass 2: the survivors against the whole suite.
cargo mutants "${common[@]}" --iterate
