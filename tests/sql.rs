//! The DuckDB queries of `sql/duckdb/` against the reports they reproduce:
//! each bundled sample is analyzed with `--events` into Parquet, each query
//! is run over that file with DuckDB's Python package (`sql/duckdb/run.py`),
//! and its rows are compared with the CSV report of the same run, cell by
//! cell, as the CSV writes them (ratios with four decimals, empty for a
//! missing value, text from the log defused). The `codes` query leaves out
//! the `description` column (see sql/README.md).
//!
//! Needs `python3` with `duckdb` (`.ci/run` installs it): without it the
//! test says SKIP on stderr and passes, except under CI (`CI` set), where
//! it fails.

use std::path::Path;
use std::process::Command;

use crate::util::{root, run, sample, stderr};

/// The samples compared, each read alone.
const SAMPLES: [&str; 6] =
    ["postfix.log", "exim.log", "messages.log", "messages.exim.log", "times.log", "postfix.journal.json"];

/// The reports compared: (query and report name).
const REPORTS: [&str; 4] = ["domains", "codes", "reasons", "daily"];

/// Whether `python3 -c "import duckdb"` works; under CI its absence fails.
fn duckdb_available() -> bool {
    let ok = Command::new("python3").args(["-c", "import duckdb"]).output().is_ok_and(|out| out.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `python3 -c \"import duckdb\"` fails: .ci/run must install duckdb"
        );
        eprintln!("SKIP sql::*: python3 with the duckdb package is not available (pip install duckdb)");
    }
    ok
}

/// A cell as the CSV writer spells it: a number's digits, a ratio with four
/// decimals, empty for null, text defused as the CSV defuses text from the
/// log (a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'`).
fn spell(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::Number(n) if n.is_f64() => format!("{:.4}", n.as_f64().expect("a float")),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match s.as_bytes().first() {
            Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}"),
            _ => s.clone(),
        },
        other => panic!("unexpected value from DuckDB: {other}"),
    }
}

/// Runs `sql/duckdb/NAME.sql` over `parquet`: the header, then the rows as
/// the CSV spells them.
fn query(name: &str, parquet: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let script = root().join("sql/duckdb/run.py");
    let sql = root().join(format!("sql/duckdb/{name}.sql"));
    let out = Command::new("python3")
        .arg(&script)
        .arg("--json")
        .arg(&sql)
        .arg(parquet)
        .arg("UTC")
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{name}.sql failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("UTF-8 from run.py");
    let mut lines = text.lines();
    let header: Vec<String> = serde_json::from_str(lines.next().expect("a header")).expect("a JSON header");
    let rows = lines
        .map(|line| {
            let cells: Vec<serde_json::Value> = serde_json::from_str(line).expect("a JSON row");
            cells.iter().map(spell).collect()
        })
        .collect();
    (header, rows)
}

/// The CSV report `path`: header and rows.
fn report(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().expect("a header").iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// Compares the query's rows with the report's, column by column of the
/// query (the report may have more: `codes`' description).
fn compare(
    what: &str,
    (q_header, q_rows): (Vec<String>, Vec<Vec<String>>),
    (r_header, r_rows): (Vec<String>, Vec<Vec<String>>),
) {
    let at: Vec<usize> = q_header
        .iter()
        .map(|name| {
            r_header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{what}: no column {name} in the report"))
        })
        .collect();
    let left_out: Vec<&String> = r_header.iter().filter(|h| !q_header.contains(h)).collect();
    assert!(left_out.iter().all(|h| *h == "description"), "{what}: the query leaves out {left_out:?}");
    for (i, (q, r)) in q_rows.iter().zip(&r_rows).enumerate() {
        for (j, &k) in at.iter().enumerate() {
            assert_eq!(q[j], r[k], "{what}: row {} column {}: query {q:?}, report {r:?}", i + 1, q_header[j]);
        }
    }
    assert_eq!(
        q_rows.len(),
        r_rows.len(),
        "{what}: {} rows from the query, {} in the report",
        q_rows.len(),
        r_rows.len()
    );
}

/// Analyzes `logs` with `--events` into Parquet and compares every query
/// with its report; `what` names the run in messages.
fn check(what: &str, logs: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.parquet");
    let out_dir = dir.path().to_str().expect("a UTF-8 temporary path");
    let mut args = vec!["analyze", "-q", "--tz", "UTC", "-o", out_dir, "--events", events.to_str().unwrap()];
    for report in REPORTS {
        args.extend(["--report", report]);
    }
    args.extend(logs);
    let out = run(&args);
    assert!(out.status.success(), "{what}: {}", stderr(&out));
    for report_name in REPORTS {
        let what = format!("{what} {report_name}");
        compare(&what, query(report_name, &events), report(&dir.path().join(format!("{report_name}.csv"))));
    }
}

#[test]
fn duckdb_queries_reproduce_the_reports_of_every_sample() {
    if !duckdb_available() {
        return;
    }
    // Each sample alone, then all of them in one run (several files, both
    // MTAs, hosts of their own).
    let paths: Vec<String> = SAMPLES.iter().map(|n| sample(n).to_str().expect("a UTF-8 path").to_string()).collect();
    for (name, path) in SAMPLES.iter().zip(&paths) {
        check(name, &[path.as_str()]);
    }
    check("every sample", &paths.iter().map(String::as_str).collect::<Vec<_>>());
}

/// A rate of 7/160 is 0.04375 as a fraction, but its nearest double is a
/// little less, and the CSV writer, which formats the double exactly, writes
/// 0.0437; rounding that multiplies first (DuckDB's `round_even`) gave
/// 0.0438. The queries format as the writer does, in `domains` and `daily`.
#[test]
fn duckdb_queries_round_a_ratio_as_the_csv_writer_does() {
    if !duckdb_available() {
        return;
    }
    let mut log = String::new();
    for i in 0..160 {
        let (dsn, status) = if i < 7 {
            (
                "5.1.1",
                "bounced (host mx.tie.example[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))",
            )
        } else {
            ("2.0.0", "sent (250 2.0.0 OK)")
        };
        log.push_str(&format!(
            "Nov  5 08:{:02}:{:02} mx1 postfix/smtp[123]: 4B1C2D{i:04X}: to=<u{i}@tie.example>, \
             relay=mx.tie.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn={dsn}, status={status}\n",
            i / 60,
            i % 60
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tie.log");
    std::fs::write(&path, log).unwrap();
    let domains = dir.path().join("domains.csv");
    check("7 bounces in 160", &[path.to_str().unwrap()]);
    let out = run(&[
        "analyze",
        "-q",
        "--tz",
        "UTC",
        "-o",
        dir.path().to_str().unwrap(),
        "--report",
        "domains",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&domains).unwrap();
    assert!(text.contains(",0.0437,"), "the case this test is about: {text}");
}
