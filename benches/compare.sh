#!/usr/bin/env bash
# Side-by-side speed of `bounces analyze` against rg, grep and wc (and
# pflogsumm and eximstats when installed) on the same generated logs, in one
# run, with the page cache warm before every timed run.
#
#   bash benches/compare.sh [SIZE]      # SIZE as synth takes it; default 1G (10^9 bytes)
#   bash benches/compare.sh 50M > compare.md
#
# The tables (Markdown) go to stdout; progress and hyperfine's own output go
# to stderr. Environment:
#   BENCH_DIR=DIR           where generated logs and results are kept (default target/bench-data);
#                           logs are cached by name, size and seed: delete them after changing synth
#   COMPARE_RUNS=N          timed runs of each command (default 5; medians are reported)
#   COMPARE_INTERLEAVE=0    one hyperfine call with --runs N (each command's runs back to back)
#                           instead of N rounds of one run of every command (default: rounds)
#   COMPARE_SLOW_SIZE=SIZE  log size for pflogsumm and eximstats, run once (default 100M)
#   COMPARE_CALLGRIND=1     also count instructions per input byte with valgrind --tool=callgrind
#   COMPARE_CALLGRIND_SIZE  log size for that (default 10M)
#   COMPARE_CALLGRIND_LARGE a larger log of the same generator (default 100M, 0 to skip): the
#                           instructions per byte it adds over the smaller one are the cost of
#                           the scan once fixed costs (start-up, classifier warm-up) are paid
#   COMPARE_HOSTILE=N       lines of the hostile log (each to a new made-up domain and recipient;
#                           default 2000000, 0 to skip): peak memory and time of the reports on it
#   COMPARE_ONLY="hostile linear"  run only these sections (of postfix exim gzip hostile linear
#                           callgrind; default all that are switched on)
#   COMPARE_LINEAR=1        also time the full analysis on 100M, SIZE and 4x SIZE logs (MB/s should
#                           not fall as logs grow; the 4x log takes 4x SIZE of disk)
#
# "Full analysis" is the domains and codes reports (-o OUT --report domains
# --report codes), as the speed issue defines it; "the default reports" are
# all of them (-o OUT, what a nightly run writes), message level included.
#
# Gzip input: one .gz of the Postfix log against zcat, and four rotated .gz
# parts read with one and with two threads.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${1:-1G}
SEED=1
BENCH_DIR=${BENCH_DIR:-target/bench-data}
RUNS=${COMPARE_RUNS:-5}
INTERLEAVE=${COMPARE_INTERLEAVE:-1}
SLOW_SIZE=${COMPARE_SLOW_SIZE:-100M}
CALLGRIND=${COMPARE_CALLGRIND:-0}
CALLGRIND_SIZE=${COMPARE_CALLGRIND_SIZE:-10M}
CALLGRIND_LARGE=${COMPARE_CALLGRIND_LARGE:-100M}
HOSTILE=${COMPARE_HOSTILE:-2000000}
ONLY=${COMPARE_ONLY:-}
LINEAR=${COMPARE_LINEAR:-0}
TARGET=${CARGO_TARGET_DIR:-target}
BOUNCES=$TARGET/release/bounces
SYNTH=$TARGET/release/examples/synth

# Patterns of the reference commands: the lines each MTA's deliveries are on.
POSTFIX_PATTERN='status='
EXIM_PATTERN=' (=>|->|>>|==|\*\*) '

log() { printf '%s\n' "$*" >&2; }
die() { log "compare.sh: $*"; exit 1; }
# Quotes one word for hyperfine -N (which splits commands like a POSIX shell).
q() { printf '%q' "$1"; }
file_bytes() { stat -L -c %s "$1"; }

# --- tools -----------------------------------------------------------------

missing=()
for tool in rg grep wc hyperfine cargo; do
    command -v "$tool" > /dev/null || missing+=("$tool")
done
if command -v python3 > /dev/null; then
    JSON=python3
elif command -v jq > /dev/null; then
    JSON=jq
else
    missing+=("python3 or jq")
fi
if ((${#missing[@]})); then
    log "compare.sh: missing: ${missing[*]}"
    log "  install them with: apt-get install -y ripgrep hyperfine (and jq, grep, coreutils if named)"
    exit 1
fi
have() { command -v "$1" > /dev/null; }
TIME=/usr/bin/time
[[ -x $TIME ]] || TIME=

# --- machine ---------------------------------------------------------------

machine() {
    local cpu mem
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2> /dev/null || true)
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2> /dev/null || true)
    echo "## Machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: ${cpu:-unknown}, $(nproc) cores available (nproc)"
    echo "- memory: ${mem:-unknown}"
    echo "- kernel: $(uname -srm)"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2> /dev/null || echo unknown)"
    echo "- $(rustc --version 2> /dev/null || echo 'rustc: not found')"
    echo "- $(rg --version | head -n1); $(grep --version | head -n1); $(wc --version | head -n1); $(hyperfine --version)"
    echo "- pflogsumm: $(have pflogsumm && echo present || echo absent); eximstats: $(have eximstats && echo present || echo absent)"
    echo "- locale: LC_ALL=${LC_ALL:-} LANG=${LANG:-}"
    echo
}
machine

# --- build and data --------------------------------------------------------

log "compare.sh: cargo build --release --bins --examples"
cargo build --release --bins --examples >&2
[[ -x $BOUNCES && -x $SYNTH ]] || die "$BOUNCES or $SYNTH is missing after the build"
mkdir -p "$BENCH_DIR"
RESULTS=$BENCH_DIR/results
mkdir -p "$RESULTS"
WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# gen MTA SIZE [TIMESTAMPS]: prints the path of the generated log, made once.
gen() {
    local mta=$1 size=$2 stamps=${3:-mixed} path
    if [[ $stamps == mixed ]]; then
        path=$BENCH_DIR/$mta-$size-seed$SEED.log
    else
        path=$BENCH_DIR/$mta-$size-seed$SEED-$stamps.log
    fi
    if [[ ! -s $path ]]; then
        log "compare.sh: generating $path"
        "$SYNTH" --mta "$mta" --size "$size" --seed "$SEED" --timestamps "$stamps" -q > "$path.partial"
        mv "$path.partial" "$path"
    fi
    printf '%s\n' "$path"
}

# --- timing ----------------------------------------------------------------

# json_times FILE: one "name<TAB>seconds" line per timed run in a hyperfine export.
json_times() {
    if [[ $JSON == python3 ]]; then
        python3 - "$1" << 'EOF'
import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    for t in result["times"]:
        print(f"{result['command']}\t{t!r}")
EOF
    else
        jq -r '.results[] | .command as $c | .times[] | "\($c)\t\(.)"' "$1"
    fi
}

# timed FILE TAG RUNS NAME CMD [NAME CMD]...: times the commands with hyperfine,
# each run after a pre-read of FILE, and appends "name<TAB>seconds" lines to
# $WORK/TAG.tsv. The hyperfine exports are kept as $RESULTS/TAG*.json.
timed() {
    local file=$1 tag=$2 runs=$3 round
    shift 3
    local args=()
    while (($#)); do
        args+=(-n "$1" "$2")
        shift 2
    done
    local common=(-N --style basic --output=pipe --prepare "sh -c $(q "cat $(q "$file") > /dev/null")")
    : > "$WORK/$tag.tsv"
    if [[ $INTERLEAVE == 1 && $runs -gt 1 ]]; then
        # Round-robin: every round runs each command once, so a busy
        # neighbour or a drifting page cache affects all commands alike.
        for ((round = 1; round <= runs; round++)); do
            log "compare.sh: $tag, round $round of $runs"
            local warmup=()
            ((round == 1)) && warmup=(--warmup 1)
            hyperfine "${common[@]}" "${warmup[@]}" --runs 1 --export-json "$RESULTS/$tag-round$round.json" \
                "${args[@]}" >&2
            json_times "$RESULTS/$tag-round$round.json" >> "$WORK/$tag.tsv"
        done
    else
        hyperfine "${common[@]}" --warmup 1 --runs "$runs" --export-json "$RESULTS/$tag.json" "${args[@]}" >&2
        json_times "$RESULTS/$tag.json" >> "$WORK/$tag.tsv"
    fi
}

# table TSV BYTES REF: the Markdown table of medians, then the derived
# figures. FULL, J1, J2 and SLOW name the full analysis, -j1, -j2 and
# slow-tool commands; GZ names bounces on one .gz file, and with GZ set, J1
# and J2 are the rotated parts read with one and two threads.
table() {
    local tsv=$1 bytes=$2 ref=$3
    shift 3
    # Names go through the environment: awk -v would read backslashes as escapes.
    REF=$ref FULL=${FULL:-} J1=${J1:-} J2=${J2:-} SLOW=${SLOW:-} GZ=${GZ:-} DEFAULT=${DEFAULT:-} awk -F'\t' -v bytes="$bytes" '
        BEGIN {
            ref = ENVIRON["REF"]; full = ENVIRON["FULL"]; j1 = ENVIRON["J1"]; j2 = ENVIRON["J2"]; slow = ENVIRON["SLOW"]
            gz = ENVIRON["GZ"]; dflt = ENVIRON["DEFAULT"]
        }
        # A command as a Markdown table cell: in code, with | escaped.
        function cell(name) { gsub(/\|/, "\\|", name); return "`" name "`" }
        function commas(x,   s) {
            s = sprintf("%d", x + 0.5)
            while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
            return s
        }
        function median(name,   n, i, j, t, v) {
            n = count[name]
            for (i = 1; i <= n; i++) v[i] = times[name, i]
            for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        function verdict(ok) { return ok ? "met" : "**not met**" }
        function num(x) { return x < 100 ? sprintf("%.1f", x) : commas(x) }
        function ratio(x) { return x < 0.1 ? sprintf("%.4f", x) : sprintf("%.2f", x) }
        {
            if (!($1 in count)) order[++names] = $1
            times[$1, ++count[$1]] = $2
        }
        END {
            for (k = 1; k <= names; k++) med[order[k]] = median(order[k])
            printf "| command | runs | median ms | MB/s | ratio to %s |\n", cell(ref)
            print "|---|---:|---:|---:|---:|"
            for (k = 1; k <= names; k++) {
                name = order[k]; m = med[name]
                printf "| %s | %d | %s | %s | %s |\n", cell(name), count[name], num(m * 1000), num(bytes / 1e6 / m), ratio(med[ref] / m)
            }
            print ""
            if (full != "" && (full in med)) {
                r = med[full] / med[ref]
                printf "- full analysis, all threads: %.3fx the time of `%s` (target <= 1.5x: %s)\n", r, ref, verdict(r <= 1.5)
            }
            if (dflt != "" && (dflt in med)) {
                r = med[dflt] / med[ref]
                printf "- the default reports (-o, message level included): %.3fx the time of `%s` (target <= 2x: %s)\n", r, ref, verdict(r <= 2)
                if (full != "" && (full in med)) {
                    r = (med[dflt] - med[full]) / med[full] * 100
                    printf "- the default reports take %.0f%% more time than the full analysis (target <= 30%%: %s)\n", r, verdict(r <= 30)
                }
            }
            if (gz != "" && (gz in med)) {
                r = med[ref] / med[gz]
                printf "- one .gz file: %.2fx the speed of `%s` (target >= 3x: %s)\n", r, ref, verdict(r >= 3)
            }
            if (gz == "" && j1 != "" && (j1 in med)) {
                r = med[ref] / med[j1]
                printf "- one thread (-j1): %.3fx the speed of `%s` (target >= 0.45x: %s)\n", r, ref, verdict(r >= 0.45)
            }
            if (j1 != "" && j2 != "" && (j1 in med) && (j2 in med)) {
                r = med[j1] / med[j2]
                target = gz == "" ? 1.7 : 1.8
                printf "- two threads (-j2): %.3fx the speed of -j1 (target >= %.1fx: %s)\n", r, target, verdict(r >= target)
            }
            if (slow != "" && (slow in med)) {
                r = med[slow] / med[ref]
                printf "- `%s` is %.0fx as fast as `%s` (target >= 100x: %s)\n", ref, r, slow, verdict(r >= 100)
            }
        }' "$tsv"
}

# peak_rss FILE: peak RSS of the file read by 2 threads and as a stream on stdin.
peak_rss() {
    local file=$1 a b
    if [[ -z $TIME ]]; then
        echo "- peak RSS: not measured (/usr/bin/time is missing: apt-get install -y time)"
        return
    fi
    cat "$file" > /dev/null
    "$TIME" -f %M -o "$WORK/rss" "$BOUNCES" analyze -q -j2 "$file" > /dev/null
    a=$(tail -n1 "$WORK/rss")
    cat "$file" > /dev/null
    "$TIME" -f %M -o "$WORK/rss" "$BOUNCES" analyze -q - < "$file" > /dev/null
    b=$(tail -n1 "$WORK/rss")
    awk -v a="$a" -v b="$b" 'BEGIN {
        printf "- peak RSS: %.1f MiB for `bounces analyze -q -j2 FILE`, %.1f MiB for `bounces analyze -q - < FILE` (stdin)\n",
            a / 1024, b / 1024 }'
}

# measure MTA: the main table for one MTA's log of SIZE.
measure() {
    local mta=$1 pattern file bytes out domains
    if [[ $mta == postfix ]]; then pattern=$POSTFIX_PATTERN; else pattern=$EXIM_PATTERN; fi
    file=$(gen "$mta" "$SIZE")
    bytes=$(file_bytes "$file")
    out=$WORK/out-$mta
    local F O P
    F=$(q "$file")
    O=$(q "$out")
    P=$(q "$pattern")
    FULL="bounces analyze -q -o OUT FILE"
    J1="bounces analyze -q -j1 -o OUT FILE"
    J2="bounces analyze -q -j2 -o OUT FILE"
    DEFAULT="bounces analyze -q -o OUT FILE (default reports)"
    SLOW="" GZ=""
    local ref="rg -c '$pattern' FILE"
    timed "$file" "$mta-$SIZE" "$RUNS" \
        "$FULL" "$(q "$BOUNCES") analyze -q --report domains --report codes -o $O-all $F" \
        "$DEFAULT" "$(q "$BOUNCES") analyze -q -o $O-default $F" \
        "bounces analyze -q --report messages -o OUT FILE" "$(q "$BOUNCES") analyze -q --report messages -o $O-messages $F" \
        "$J1" "$(q "$BOUNCES") analyze -q -j1 --report domains --report codes -o $O-j1 $F" \
        "$J2" "$(q "$BOUNCES") analyze -q -j2 --report domains --report codes -o $O-j2 $F" \
        "$ref" "rg -c $P $F" \
        "grep -cE '$pattern' FILE" "grep -cE $P $F" \
        "wc -l FILE" "wc -l $F"
    domains=$(($(wc -l < "$out-all/domains.csv") - 1))
    echo "## ${mta^} log: $(basename "$file")"
    echo
    printf '%s bytes, %s lines, %s recipient domains; warm page cache (pre-read before each run), ' \
        "$bytes" "$(wc -l < "$file")" "$domains"
    if [[ $INTERLEAVE == 1 ]]; then
        echo "$RUNS rounds of every command in turn after one warm-up each, medians. MB = 10^6 bytes; ratio = \`$ref\` time / this time (above 1 = faster than rg)."
    else
        echo "one warm-up and $RUNS runs of each command in turn, medians. MB = 10^6 bytes; ratio = \`$ref\` time / this time (above 1 = faster than rg)."
    fi
    echo
    table "$WORK/$mta-$SIZE.tsv" "$bytes" "$ref"
    peak_rss "$file"
    echo
}

# slow MTA TOOL: TOOL (pflogsumm or eximstats) once, and bounces on the same file.
slow() {
    local mta=$1 tool=$2 stamps file bytes
    if ! have "$tool"; then
        local pkg=pflogsumm
        [[ $tool == eximstats ]] && pkg=exim4-base
        echo "- $tool: not installed, row skipped (apt-get install -y $pkg)"
        echo
        return
    fi
    # The timestamp style each tool reads (both skip lines in other styles).
    if [[ $mta == postfix ]]; then stamps=bsd; else stamps=native; fi
    file=$(gen "$mta" "$SLOW_SIZE" "$stamps")
    bytes=$(file_bytes "$file")
    local F
    F=$(q "$file")
    FULL="" J1="" J2="" SLOW="" GZ="" DEFAULT=""
    timed "$file" "$mta-$SLOW_SIZE-$stamps-bounces" "$RUNS" \
        "bounces analyze -q -o OUT FILE" "$(q "$BOUNCES") analyze -q --report domains --report codes -o $(q "$WORK/out-slow-$mta") $F"
    log "compare.sh: $tool on $(basename "$file"), once (this takes a while)"
    timed "$file" "$mta-$SLOW_SIZE-$stamps-$tool" 1 "$tool FILE" "$tool $F"
    cat "$WORK/$mta-$SLOW_SIZE-$stamps-$tool.tsv" >> "$WORK/$mta-$SLOW_SIZE-$stamps-bounces.tsv"
    echo "$tool, run once, on $(basename "$file") ($bytes bytes, \`--timestamps $stamps\`, the stamps $tool reads); ratio = bounces time / this time:"
    echo
    SLOW="$tool FILE" table "$WORK/$mta-$SLOW_SIZE-$stamps-bounces.tsv" "$bytes" "bounces analyze -q -o OUT FILE"
    echo
}

# instructions MTA: callgrind instruction counts per input byte.
instructions() {
    local mta=$1 pattern file empty bytes
    if [[ $mta == postfix ]]; then pattern=$POSTFIX_PATTERN; else pattern=$EXIM_PATTERN; fi
    file=$(gen "$mta" "$CALLGRIND_SIZE")
    bytes=$(file_bytes "$file")
    empty=$BENCH_DIR/empty.log
    : > "$empty"
    # ir LOG CMD...: instructions collected for CMD on LOG (its exit status is not checked:
    # bounces says 1 and rg says 1 on an empty file).
    ir() {
        local log=$1 n
        shift
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$log" > /dev/null 2> "$WORK/callgrind" || true
        n=$(awk '/Collected :/ { print $NF }' "$WORK/callgrind")
        [[ -n $n ]] || die "no instruction count from valgrind for $*: $(tail -n3 "$WORK/callgrind")"
        echo "$n"
    }
    local large="" large_bytes=0
    if [[ $CALLGRIND_LARGE != 0 ]]; then
        large=$(gen "$mta" "$CALLGRIND_LARGE")
        large_bytes=$(file_bytes "$large")
    fi
    echo "| command (on $(basename "$file"), $bytes bytes) | Ir on the log | Ir on an empty file | instructions per byte | Ir on $(basename "${large:-none}") | per byte beyond the smaller log |"
    echo "|---|---:|---:|---:|---:|---:|"
    local name cmd
    for name in "bounces analyze -q -j1 -o DIR FILE" "rg -c '$pattern' FILE"; do
        if [[ $name == bounces* ]]; then
            cmd=("$BOUNCES" analyze -q -j1 --report domains --report codes -o "$WORK/callgrind-out")
        else
            cmd=(rg -c "$pattern")
        fi
        log "compare.sh: callgrind: $name on $(basename "$file")"
        local full none big=0
        full=$(ir "$file" "${cmd[@]}")
        none=$(ir "$empty" "${cmd[@]}")
        if [[ -n $large ]]; then
            log "compare.sh: callgrind: $name on $(basename "$large")"
            big=$(ir "$large" "${cmd[@]}")
        fi
        NAME=$name awk -v full="$full" -v none="$none" -v bytes="$bytes" -v big="$big" -v big_bytes="$large_bytes" 'BEGIN {
            name = ENVIRON["NAME"]; gsub(/\|/, "\\|", name)
            marginal = big_bytes > bytes ? sprintf("%.2f", (big - full) / (big_bytes - bytes)) : "-"
            printf "| `%s` | %d | %d | %.2f | %d | %s |\n", name, full, none, (full - none) / bytes, big, marginal }'
    done
    echo
}

# compressed: bounces on gzip'd logs against zcat, and rotated files in parallel.
compressed() {
    local file gz bytes part parts=()
    have gzip || { echo "- gzip: not installed, section skipped"; return; }
    file=$(gen postfix "$SIZE")
    bytes=$(file_bytes "$file")
    gz=$file.gz
    if [[ ! -s $gz ]]; then
        log "compare.sh: gzip -1 $file"
        gzip -1 -c "$file" > "$gz.partial" && mv "$gz.partial" "$gz"
    fi
    # Four rotated parts of the same log, cut at line boundaries.
    if [[ ! -s $file.part4.gz ]]; then
        log "compare.sh: cutting $file into 4 rotated .gz parts"
        split -n l/4 -d -a 1 "$file" "$WORK/part"
        for part in 0 1 2 3; do
            gzip -1 -c "$WORK/part$part" > "$file.part$((part + 1)).gz"
        done
    fi
    for part in 1 2 3 4; do parts+=("$(q "$file.part$part.gz")"); done
    local G O
    G=$(q "$gz")
    O=$(q "$WORK/out-gz")
    FULL="" J1="bounces analyze -q -j1 -o OUT 4 parts .gz" J2="bounces analyze -q -j2 -o OUT 4 parts .gz" SLOW="" DEFAULT=""
    GZ="bounces analyze -q -o OUT FILE.gz"
    timed "$gz" "gzip-$SIZE" "$RUNS" \
        "bounces analyze -q -o OUT FILE.gz" "$(q "$BOUNCES") analyze -q --report domains --report codes -o $O $G" \
        "zcat FILE.gz > /dev/null" "zcat $G" \
        "zcat FILE.gz | rg -c status=" "sh -c $(q "zcat $G | rg -c status=")" \
        "$J1" "$(q "$BOUNCES") analyze -q -j1 --report domains --report codes -o $O-j1 ${parts[*]}" \
        "$J2" "$(q "$BOUNCES") analyze -q -j2 --report domains --report codes -o $O-j2 ${parts[*]}"
    echo "## Gzip'd Postfix log: $(basename "$gz")"
    echo
    echo "$(file_bytes "$gz") bytes compressed (gzip -1), $bytes uncompressed; MB/s are uncompressed bytes. The 4 parts are the same log cut into 4 rotated files."
    echo "ratio = \`zcat FILE.gz > /dev/null\` time / this time (target for one .gz: >= 3x; two threads on several files: >= 1.8x one)."
    echo
    table "$WORK/gzip-$SIZE.tsv" "$bytes" "zcat FILE.gz > /dev/null"
    echo
}

# hostile: peak memory and time on a log of HOSTILE lines, each a bounce to
# a new made-up domain and recipient under a new queue id, all in the same
# second (nothing settles before the end: the worst case for memory).
hostile() {
    local file=$BENCH_DIR/hostile-$HOSTILE.log
    [[ -n $TIME ]] || { echo "- hostile log: not measured (/usr/bin/time is missing: apt-get install -y time)"; return; }
    if [[ ! -s $file ]]; then
        log "compare.sh: writing $file"
        awk -v n="$HOSTILE" 'BEGIN {
            for (i = 0; i < n; i++)
                printf "2026-03-01T08:00:00.000000+00:00 mx1 postfix/smtp[1]: %012X: to=<u%d@fake%d.attacker.example>, relay=mx.attacker.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.attacker.example[192.0.2.1] said: 550 5.1.1 <u%d@fake%d.attacker.example>: Recipient address rejected: User unknown (in reply to RCPT TO command))\n", i, i, i, i, i
        }' > "$file.partial"
        mv "$file.partial" "$file"
    fi
    local tiny=$WORK/tiny.log
    head -n 10 "$file" > "$tiny"
    # run NAME ARGS...: wall seconds and peak KiB of bounces on the hostile log.
    run() {
        local name=$1 out=$WORK/hostile-$1
        shift
        rm -rf "$out"
        cat "$file" > /dev/null
        "$TIME" -f '%e %M' -o "$WORK/hostile-time" "$BOUNCES" analyze -j2 -o "$out" "$@" "$file" > /dev/null 2> "$WORK/hostile-$name.err" || true
        read -r secs kib < <(tail -n1 "$WORK/hostile-time")
        eval "${name}_secs=$secs ${name}_kib=$kib"
    }
    "$TIME" -f '%M' -o "$WORK/hostile-time" "$BOUNCES" analyze -q -j2 -o "$WORK/hostile-tiny" "$tiny" > /dev/null 2>&1 || true
    local base_kib
    base_kib=$(tail -n1 "$WORK/hostile-time")
    local domains_secs domains_kib messages_secs messages_kib all_secs all_kib
    run domains --report domains
    run messages --report messages
    run all
    local tracked held
    tracked=$(awk -F, 'NR > 1 && $1 != "(other)"' "$WORK/hostile-domains/domains.csv" | wc -l)
    held=$(sed -n 's/.*(at most \([0-9,]*\) queue id and recipient pair.*/\1/p' "$WORK/hostile-messages.err" | tr -d ,)
    echo "## Hostile log: $(basename "$file")"
    echo
    echo "$(file_bytes "$file") bytes, $HOSTILE lines, each a bounce to a new made-up domain and recipient under a new queue id, all in one second (nothing settles before the end). 2 threads, run once each, the default memory cap (--max-tracked-domains 1000000); a run on its first 10 lines took $((base_kib / 1024)) MiB."
    echo
    echo "| command | wall s | peak RSS MiB |"
    echo "|---|---:|---:|"
    echo "| \`bounces analyze -o OUT --report domains FILE\` | $domains_secs | $((domains_kib / 1024)) |"
    echo "| \`bounces analyze -o OUT --report messages FILE\` | $messages_secs | $((messages_kib / 1024)) |"
    echo "| \`bounces analyze -o OUT FILE\` (the default reports) | $all_secs | $((all_kib / 1024)) |"
    echo
    awk -v base="$base_kib" -v d="$domains_kib" -v m="$messages_kib" -v a="$all_kib" -v as="$all_secs" \
        -v tracked="$tracked" -v held="${held:-0}" '
        function verdict(ok) { return ok ? "met" : "**not met**" }
        BEGIN {
            per_domain = tracked > 0 ? (d - base) * 1024 / tracked : 0
            printf "- per tracked domain (%d tracked): %.0f bytes, peak of the domains report over the 10-line run (target <= 200: %s)\n", tracked, per_domain, verdict(tracked > 0 && per_domain <= 200)
            if (held > 0) {
                per_pair = (m - base) * 1024 / held
                printf "- per held (queue id, recipient) pair (%d held at once): %.0f bytes, peak of the messages report over the 10-line run, texts included (target <= 200 apart from texts: %s)\n", held, per_pair, verdict(per_pair <= 200)
            }
            printf "- the default reports: %.0f MiB peak, %.2f s (target < 1024 MiB and < 5 s: %s)\n", a / 1024, as, verdict(a < 1048576 && as < 5)
        }'
    echo
}

# linear: the full analysis on 100M, SIZE and 4x SIZE Postfix logs.
linear() {
    local sizes=(100M "$SIZE") big size file
    big=$(awk -v s="$SIZE" 'BEGIN { n = s + 0; u = substr(s, length(n "") + 1); printf "%d%s", n * 4, u }')
    sizes+=("$big")
    : > "$WORK/linear.tsv"
    for size in "${sizes[@]}"; do
        file=$(gen postfix "$size")
        FULL="" J1="" J2="" SLOW="" GZ="" DEFAULT=""
        timed "$file" "linear-$size" "$RUNS" "full analysis, $size" \
            "$(q "$BOUNCES") analyze -q --report domains --report codes -o $(q "$WORK/out-linear") $(q "$file")"
        awk -F'\t' -v bytes="$(file_bytes "$file")" '{ printf "%s\t%s\t%s\n", $1, $2, bytes }' "$WORK/linear-$size.tsv" >> "$WORK/linear.tsv"
    done
    echo "## Linear: the full analysis of growing Postfix logs (same generator and seed)"
    echo
    echo "| log | median ms | MB/s |"
    echo "|---|---:|---:|"
    awk -F'\t' '
        { if (!($1 in n)) order[++k] = $1; t[$1, ++n[$1]] = $2; b[$1] = $3 }
        END {
            for (i = 1; i <= k; i++) {
                name = order[i]; c = n[name]
                for (x = 1; x <= c; x++) v[x] = t[name, x]
                for (x = 2; x <= c; x++) { y = v[x]; for (j = x - 1; j >= 1 && v[j] > y; j--) v[j + 1] = v[j]; v[j + 1] = y }
                m = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
                mbs[i] = b[name] / 1e6 / m
                printf "| %s | %.0f | %.0f |\n", name, m * 1000, mbs[i]
            }
            lo = hi = mbs[1]
            for (i = 2; i <= k; i++) { if (mbs[i] < lo) lo = mbs[i]; if (mbs[i] > hi) hi = mbs[i] }
            printf "\n- the slowest MB/s is %.0f%% of the fastest (target: the same MB/s, taken as within 15%%: %s)\n", lo / hi * 100, lo >= 0.85 * hi ? "met" : "**not met**"
        }' "$WORK/linear.tsv"
    echo
}

# wanted SECTION: whether COMPARE_ONLY (default: every section) names it.
wanted() { [[ " ${ONLY:-postfix exim gzip hostile linear callgrind} " == *" $1 "* ]]; }

for mta in postfix exim; do
    wanted "$mta" || continue
    measure "$mta"
    if [[ $mta == postfix ]]; then slow postfix pflogsumm; else slow exim eximstats; fi
done

if wanted gzip; then
    compressed
fi

if [[ $HOSTILE != 0 ]] && wanted hostile; then
    hostile
fi

if [[ $LINEAR == 1 ]] && wanted linear; then
    linear
fi

if [[ $CALLGRIND == 1 ]] && wanted callgrind; then
    if have valgrind; then
        echo "## Instructions per input byte (valgrind --tool=callgrind; target <= 4 for the full analysis)"
        echo
        echo "(Ir on the log - Ir on an empty file) / bytes of the log. Valgrind hides AVX-512, so SIMD code runs its AVX2 path."
        echo
        instructions postfix
        instructions exim
        echo "- $(valgrind --version)"
        echo
    else
        echo "- instructions per byte: not measured (valgrind is missing: apt-get install -y valgrind)"
        echo
    fi
fi

echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2> /dev/null || echo unknown)"
log "compare.sh: hyperfine exports are in $RESULTS"
