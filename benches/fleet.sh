#!/usr/bin/env bash
# A month of a simulated fleet, through --events into Parquet, aggregated by
# DuckDB: how long the domains query of sql/duckdb/ takes over all of it.
#
#   bash benches/fleet.sh [HOSTS] [DAYS] [SIZE] [WORK_DIR]
#
# Defaults: 20 hosts, 30 days, 5M bytes of Postfix log per host and day,
# in target/fleet. It writes WORK_DIR/logs/HOST/DATE.log with
# examples/synth (--hosts/--days), exports each file with the release binary
# (bounces analyze --events WORK_DIR/events/HOST/DATE.parquet, one run per
# file as the nightly cron job does), then runs sql/duckdb/domains.sql over
# WORK_DIR/events/**/*.parquet three times and prints the events, the
# Parquet bytes, the bytes per event and DuckDB's seconds. Needs python3 with
# duckdb (pip install duckdb). The logs take HOSTS x DAYS x SIZE of disk
# (3 GB by default); they are removed at the end unless KEEP_LOGS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-20}
days=${2:-30}
size=${3:-5M}
work=${4:-target/fleet}

python3 -c 'import duckdb' 2>/dev/null || {
    echo "fleet.sh: needs python3 with duckdb (python3 -m pip install --user duckdb)" >&2
    exit 2
}
cargo build --release --quiet --bin bounces --example synth
bounces=target/release/bounces
synth=target/release/examples/synth

rm -rf "$work/logs" "$work/events"
mkdir -p "$work/logs" "$work/events"

start=$(date +%s.%N)
"$synth" --mta postfix --size "$size" --hosts "$hosts" --days "$days" --out-dir "$work/logs" -q
generated=$(date +%s.%N)

# One run per host and day, as the cron job of the README does; the
# generator's clock is +01:00.
for dir in "$work"/logs/*/; do
    host=$(basename "$dir")
    mkdir -p "$work/events/$host"
    for log in "$dir"*.log; do
        day=$(basename "$log" .log)
        "$bounces" analyze -q --tz +01:00 --report domains --events "$work/events/$host/$day.parquet" "$log" > /dev/null
    done
done
exported=$(date +%s.%N)

log_bytes=$(du -cb "$work"/logs/*/*.log | tail -1 | cut -f1)
parquet_bytes=$(du -cb "$work"/events/*/*.parquet | tail -1 | cut -f1)

python3 - "$work/events/**/*.parquet" "$log_bytes" "$parquet_bytes" \
    "$start" "$generated" "$exported" <<'PY'
import sys, time
import duckdb

files, log_bytes, parquet_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start, generated, exported = (float(t) for t in sys.argv[4:7])
gen_s, export_s = generated - start, exported - generated
query = open("sql/duckdb/domains.sql", encoding="utf-8").read()
con = duckdb.connect()
con.execute("SET VARIABLE events = ?", [files])
events = con.execute("SELECT count(*) FROM read_parquet(getvariable('events'))").fetchone()[0]
deliveries = con.execute(
    "SELECT count(*) FROM read_parquet(getvariable('events')) WHERE kind = 'delivery'"
).fetchone()[0]
times = []
for _ in range(3):
    t = time.perf_counter()
    rows = con.execute(query).fetchall()
    times.append(time.perf_counter() - t)
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(f"logs:           {log_bytes / 1e6:,.0f} MB (generated in {gen_s:.1f} s)")
print(f"exported:       in {export_s:.1f} s ({log_bytes / 1e6 / export_s:,.0f} MB/s of log)")
print(f"events:         {events:,} rows ({deliveries:,} delivery events)")
print(f"parquet:        {parquet_bytes / 1e6:,.1f} MB, {parquet_bytes / events:.1f} bytes per event")
print(f"domains.sql:    {len(rows):,} rows; " + ", ".join(f"{t:.2f}" for t in times) + f" s (DuckDB {duckdb.__version__}, {threads} threads)")
PY
if [ "${KEEP_LOGS:-0}" != 1 ]; then
    rm -rf "$work/logs"
fi
