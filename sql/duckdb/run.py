#!/usr/bin/env python3
"""Runs one of these queries over --events Parquet files with DuckDB's Python
package and prints its rows as CSV (a header, then one line per row).

    python3 sql/duckdb/run.py sql/duckdb/domains.sql 'events/**/*.parquet' [ZONE]

ZONE (an IANA name, default UTC) is the zone of the days of daily.sql. With
--json, each row is printed as a JSON array instead (null for a missing
value, numbers as numbers): tests/sql.rs reads that.
"""

import csv
import json
import sys

import duckdb


def main() -> int:
    args = sys.argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    if len(args) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    query_file, files = args[0], args[1]
    zone = args[2] if len(args) == 3 else "UTC"
    with open(query_file, encoding="utf-8") as f:
        query = f.read()
    con = duckdb.connect()
    con.execute("SET VARIABLE events = ?", [files])
    con.execute("SET VARIABLE tz = ?", [zone])
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if as_json:
        print(json.dumps(names))
        for row in rows:
            print(json.dumps(list(row), ensure_ascii=False))
    else:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(names)
        for row in rows:
            out.writerow("" if v is None else v for v in row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
