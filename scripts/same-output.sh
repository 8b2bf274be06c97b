#!/usr/bin/env bash
# Does the working tree write the same reports as another version? For
# changes that must not change behaviour (refactoring): every report, the
# summary on stderr and the exit code, on the bundled samples, on the real
# logs in ../shared/corpus when present, and on generated logs of several
# seeds, sizes and timestamp styles, each with 1 and 2 threads.
#
#   bash scripts/same-output.sh            # the working tree against HEAD
#   bash scripts/same-output.sh v0.1 big   # against a tag, larger logs too
#
# Exit 0 when every output is byte-identical, 1 when some differ (the
# differing files are listed; both sides are kept under OUT), 2 on error.
# OUT defaults to target/same-output. The base is built in a worktree of its
# own; both builds are release builds without LTO (faster to build, same
# results).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
base=${1:-HEAD}
size=${2:-small}
out=${OUT:-$root/target/same-output}
base_rev=$(git rev-parse --verify "$base^{commit}") || { echo "same-output.sh: $base is not a commit" >&2; exit 2; }

export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_TERM_COLOR=never
mkdir -p "$out"
rm -rf "$out/base-src" "$out/inputs" "$out/base" "$out/new"
git worktree prune
git worktree add --detach --quiet "$out/base-src" "$base_rev"
trap 'git worktree remove --force "$out/base-src" 2>/dev/null || true' EXIT

echo "same-output.sh: building $base ($base_rev) and the working tree" >&2
(cd "$out/base-src" && CARGO_TARGET_DIR="$out/base-target" cargo build --quiet --release --bin bounces --example synth)
cargo build --quiet --release --bin bounces
old_bin=$out/base-target/release/bounces
new_bin=$root/target/release/bounces
synth=$out/base-target/release/examples/synth

# The inputs: one list, the same files for both sides (the generated logs
# come from the base's generator, so a change to it cannot hide a change).
mkdir -p "$out/inputs"
inputs=()
for f in samples/*.log samples/*.json; do inputs+=("$root/$f"); done
if [ -d ../shared/corpus ]; then
    while IFS= read -r f; do inputs+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done \
        < <(find ../shared/corpus -type f ! -name '*.md' | sort)
else
    echo "same-output.sh: ../shared/corpus not found; comparing samples and generated logs only" >&2
fi
sizes=(300K 3M)
if [ "$size" = big ]; then sizes=(300K 3M 50M); fi
seed=1
for mta in postfix exim; do
    for s in "${sizes[@]}"; do
        for style in mixed bsd rfc3339 native; do
            f=$out/inputs/$mta-$s-$style-$seed.log
            "$synth" --mta "$mta" --size "$s" --seed "$seed" --timestamps "$style" --domains 500 > "$f"
            inputs+=("$f")
            seed=$((seed + 1))
        done
    done
done
# Everything at once, in one run: the files' order must not matter.
all=("${inputs[@]}")

reports=(--report domains --report codes --report reasons --report daily --report hourly --report messages --report recipients)
run() { # BIN SIDE NAME ARGS...
    local bin=$1 side=$2 name=$3; shift 3
    local dir=$out/$side/$name
    mkdir -p "$dir"
    # An argument may name the side's own directory as @SIDE@.
    local args=("${@//@SIDE@/$side}")
    local code=0
    "$bin" "${args[@]}" > "$dir/stdout" 2> "$dir/stderr.raw" || code=$?
    echo "$code" > "$dir/exit"
    # The first summary line holds the time taken and the speed.
    grep -v '^bounces: read .* in [0-9.]* s (' "$dir/stderr.raw" | sed "s#$out/inputs/##g; s#$root/##g" > "$dir/stderr" || true
    rm "$dir/stderr.raw"
}
both() {
    run "$old_bin" base "$@"
    run "$new_bin" new "$@"
}
n=0
for f in "${inputs[@]}"; do
    name=$(basename "$f")
    for j in 1 2; do
        both "$name-j$j" analyze --tz UTC -j "$j" -o "$out/@SIDE@/$name-j$j/reports" "${reports[@]}" "$f"
        n=$((n + 1))
    done
done
both "all-j2" analyze --tz UTC -j 2 -o "$out/@SIDE@/all-j2/reports" "${reports[@]}" "${all[@]}"
both "window" analyze --tz UTC --since 2026-11-05 --until 2026-11-06T12:00:00Z -o "$out/@SIDE@/window/reports" "${reports[@]}" "${all[@]}"
both "explain" explain 250 252 421 451 550 551 554 556 4.7.0 5.1.1 5.7.1 '550 5.1.1 <a@b>: Recipient address rejected: User unknown'
n=$((n + 3))

echo "same-output.sh: $n runs on ${#inputs[@]} inputs" >&2
if diff -r "$out/base" "$out/new" > "$out/diff.txt"; then
    echo "same-output.sh: every output is byte-identical" >&2
else
    echo "same-output.sh: outputs differ; see $out/diff.txt" >&2
    grep '^diff\|^Only' "$out/diff.txt" | head -20 >&2
    exit 1
fi
