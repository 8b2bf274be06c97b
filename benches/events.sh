#!/usr/bin/env bash
# What --events costs: `--report domains` alone, with `--events x.jsonl`
# and with `--events x.parquet`, side by side on the same log, in
# interleaved rounds (the machine is shared and noisy: compare the ratios,
# not the seconds).
#
#   bash benches/events.sh [SIZE] [ROUNDS] [WORK_DIR]
#
# Defaults: 1G (10^9 bytes of Postfix log from examples/synth, seed 1), 5
# rounds, target/events-bench. Prints, per variant, the median wall time,
# its ratio to `--report domains` alone, the median CPU time (user + system)
# and the largest peak RSS; then the bytes per event of each format. Set
# THREADS=N to pass -jN. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
rounds=${2:-5}
work=${3:-target/events-bench}
threads=${THREADS:+-j$THREADS}

[ -x /usr/bin/time ] || {
    echo "events.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
}
cargo build --release --quiet --bin bounces --example synth
bounces=target/release/bounces
mkdir -p "$work"
log="$work/postfix-$size.log"
[ -s "$log" ] || target/release/examples/synth --mta postfix --size "$size" --seed 1 -q > "$log"

times="$work/times"
: > "$times"
for round in $(seq "$rounds"); do
    for variant in domains jsonl parquet; do
        case $variant in
            domains) events=() ;;
            *) events=(--events "$work/events.$variant") ;;
        esac
        /usr/bin/time -a -o "$times" -f "$variant %e %U %S %M" \
            "$bounces" analyze -q $threads --report domains "${events[@]}" "$log" > /dev/null
        [ "$variant" = domains ] || stat -c "$variant-bytes %s" "$work/events.$variant" >> "$times"
        rm -f "$work/events.$variant"
    done
    echo "round $round of $rounds done" >&2
done
events=$("$bounces" analyze -q --events - "$log" | wc -l)

python3 - "$times" "$events" <<'PY'
import statistics, sys

runs, sizes = {}, {}
for line in open(sys.argv[1]):
    name, *values = line.split()
    if name.endswith("-bytes"):
        sizes[name[:-6]] = int(values[0])
    else:
        wall, user, system, rss = (float(v) for v in values)
        runs.setdefault(name, []).append((wall, user + system, rss))
events = int(sys.argv[2])
base = statistics.median(w for w, _, _ in runs["domains"])
print(f"{'variant':<10} {'wall s':>7} {'ratio':>6} {'cpu s':>6} {'peak RSS MB':>12}")
for name, r in runs.items():
    wall = statistics.median(w for w, _, _ in r)
    cpu = statistics.median(c for _, c, _ in r)
    rss = max(m for _, _, m in r) / 1024
    print(f"{name:<10} {wall:7.2f} {wall / base:6.2f} {cpu:6.2f} {rss:12.0f}")
print(f"{events:,} events")
for name, size in sizes.items():
    print(f"{name}: {size:,} bytes, {size / events:.1f} bytes per event")
PY
