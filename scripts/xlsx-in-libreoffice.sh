#!/usr/bin/env bash
# Opens the workbook `--format xlsx` writes in LibreOffice, headless, under a
# German locale (where a CSV import turns 5.1.1 into 2001-01-05), exports
# every sheet as CSV and checks that no code became a date: the columns
# code, enhanced, top_bounce and top_deferral must hold exactly what
# bounces' own CSV holds.
#
#   bash scripts/xlsx-in-libreoffice.sh
#
# Needs LibreOffice (soffice or libreoffice; 7.2 or later, for the export of
# every sheet) and python3. Without them it prints SKIPPED and exits 0: CI
# does not install LibreOffice (hundreds of megabytes for one check), so
# run it by hand after changing format/xlsx.rs.
set -euo pipefail
cd "$(dirname "$0")/.."

soffice=$(command -v soffice || command -v libreoffice || true)
if [ -z "$soffice" ]; then
    echo "SKIPPED: neither soffice nor libreoffice is installed; the workbook was not opened in LibreOffice"
    exit 0
fi
if ! command -v python3 >/dev/null; then
    echo "SKIPPED: python3 is not installed"
    exit 0
fi

cargo build --quiet
bin=target/debug/bounces
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

reports=(--report domains --report codes --report recipients)
logs=(samples/postfix.log samples/exim.log samples/messages.log samples/messages.exim.log)
"$bin" analyze -q --tz UTC --format xlsx -o "$tmp/xlsx" "${reports[@]}" "${logs[@]}"
"$bin" analyze -q --tz UTC --raw-csv -o "$tmp/csv" "${reports[@]}" "${logs[@]}"

# Field separator ;, quote ", UTF-8 (76), from line 1, cells as shown,
# German (1031), every sheet (-1) into <name>-<sheet>.csv.
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 "$soffice" --headless \
    "-env:UserInstallation=file://$tmp/profile" \
    --convert-to 'csv:Text - txt - csv (StarCalc):59,34,76,1,,1031,false,true,false,false,false,-1' \
    --outdir "$tmp/lo" "$tmp/xlsx/bounces.xlsx" >/dev/null

python3 - "$tmp" <<'PY'
import csv, pathlib, re, sys

tmp = pathlib.Path(sys.argv[1])
columns = ["code", "enhanced", "top_bounce", "top_deferral"]
# A date as LibreOffice shows one in German (05.01.01, 05.01.2001) or ISO;
# no code has two digits before its first point.
looks_like_a_date = re.compile(r"^\d{2}\.\d{2}\.\d{2,4}$|^\d{4}-\d{2}-\d{2}")
checked = 0
for report in ["domains", "codes", "recipients"]:
    with open(tmp / "csv" / f"{report}.csv", newline="", encoding="utf-8") as f:
        want = list(csv.DictReader(f))
    with open(tmp / "lo" / f"bounces-{report}.csv", newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f, delimiter=";"))
    assert len(got) == len(want), f"{report}: {len(got)} rows in LibreOffice, {len(want)} in the CSV"
    for n, (g, w) in enumerate(zip(got, want)):
        for column in columns:
            if column not in w:
                continue
            assert not looks_like_a_date.match(g[column]), f"{report} row {n + 1} {column}: {g[column]!r} is a date"
            assert g[column] == w[column], f"{report} row {n + 1} {column}: {g[column]!r}, not {w[column]!r}"
            checked += 1
print(f"ok: {checked} code cells read back from LibreOffice (German locale) as written, none a date")
PY
