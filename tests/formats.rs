//! `--format`: every format carries the rows and values of the CSV of the
//! same run, read back and compared cell by cell; `--delimiter` and
//! `--bom`; one small golden per format; the errors.

use std::path::Path;

use crate::util::{self, run, sample, stdout};

/// Every report.
const REPORTS: [&str; 9] =
    ["domains", "codes", "reasons", "daily", "hourly", "messages", "recipients", "senders", "sender-domains"];

/// A log with text a spreadsheet would run (`=`, `-`), a tab, a backslash
/// and a non-ASCII domain in replies, besides the samples.
const HOSTILE: &str = "\
2026-01-02T09:59:59+00:00 mx1 postfix/qmgr[2]: 1A2B3C4D5E: from=<=HYPERLINK(\"x\")@x.example>, size=1, nrcpt=1 (queue active)
2026-01-02T10:00:00+00:00 mx1 postfix/smtp[1]: 1A2B3C4D5E: to=<a@b\u{fc}ro.example>, relay=mx.x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.x[192.0.2.1] said: 550 5.1.1 =HYPERLINK(\"x\")\tC:\\temp (in reply to RCPT TO command))
2026-01-02T10:00:01+00:00 mx1 postfix/smtp[1]: 2A2B3C4D5E: to=<-b@x.example>, relay=mx.x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.x[192.0.2.1] said: 452 4.2.2 -full (in reply to RCPT TO command))
2026-01-02T10:00:02+00:00 mx1 postfix/smtp[1]: 3A2B3C4D5E: to=<c@x.example>, relay=mx.x[192.0.2.1]:25, delay=0.9, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)
";

/// Runs `analyze -o DIR` over the samples and [`HOSTILE`] with every report
/// and `args`; the files written, by report name.
pub fn written(dir: &tempfile::TempDir, extension: &str, args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let out_dir = write_into(dir, args);
    REPORTS
        .iter()
        .map(|report| {
            let path = out_dir.join(format!("{report}.{extension}"));
            (report.to_string(), std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        })
        .collect()
}

/// Runs `analyze -o DIR` over the samples and [`HOSTILE`] with every report
/// and `args`; gives `DIR`.
fn write_into(dir: &tempfile::TempDir, args: &[&str]) -> std::path::PathBuf {
    let log = util::temp_file(dir, "hostile.log", HOSTILE.as_bytes());
    let out_dir = dir.path().join(format!("out-{}", args.join("")));
    let mut all: Vec<&str> = vec!["analyze", "-q", "--tz", "UTC", "-o", out_dir.to_str().unwrap()];
    for report in REPORTS {
        all.extend(["--report", report]);
    }
    all.extend(args);
    let samples = ["samples/postfix.log", "samples/exim.log", "samples/messages.log"];
    all.extend(samples);
    all.push(&log);
    let out = run(&all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", util::stderr(&out));
    out_dir
}

/// A CSV report as rows of cells, the header first.
pub fn csv_rows(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(bytes);
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_string).collect()).collect()
}

/// Compares JSON objects with the CSV rows (header first): the same keys in
/// the same set, null for an empty cell, a number where the CSV has one
/// (of the same value, an integer where the CSV has digits alone), the same
/// text elsewhere.
fn assert_json_is_csv(what: &str, objects: &[serde_json::Value], csv: &[Vec<String>]) {
    let (header, rows) = csv.split_first().expect("a header");
    assert_eq!(objects.len(), rows.len(), "{what}: rows");
    assert!(!rows.is_empty() || what.contains("hourly") || what.contains("daily"), "{what}: no rows to compare");
    for (n, (object, row)) in objects.iter().zip(rows).enumerate() {
        let object = object.as_object().unwrap_or_else(|| panic!("{what} row {n}: not an object"));
        // (serde_json's map sorts its keys: the order is checked by the
        // golden.)
        let mut columns: Vec<&String> = header.iter().collect();
        columns.sort();
        assert_eq!(object.keys().collect::<Vec<_>>(), columns, "{what} row {n}: keys");
        for (key, cell) in header.iter().zip(row) {
            let value = &object[key];
            let at = format!("{what} row {n} {key}: {value} vs {cell:?}");
            match value {
                serde_json::Value::Null => assert_eq!(cell, "", "{at}"),
                serde_json::Value::Number(number) => {
                    assert_eq!(number.as_f64(), cell.parse::<f64>().ok(), "{at}");
                    if !cell.contains('.') {
                        assert!(number.is_u64(), "{at}");
                    }
                }
                serde_json::Value::String(text) => assert_eq!(text, cell, "{at}"),
                other => panic!("{at}: {other} is neither null, a number nor a string"),
            }
        }
    }
}

/// JSON and JSON Lines, parsed back, hold every cell of the CSV (written
/// without defusing: JSON is never defused).
#[test]
fn json_and_jsonl_carry_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    let csv = written(&dir, "csv", &["--raw-csv"]);
    let json = written(&dir, "json", &["--format", "json"]);
    let jsonl = written(&dir, "jsonl", &["--format", "jsonl"]);
    for ((report, csv), ((_, json), (_, jsonl))) in csv.iter().zip(json.iter().zip(&jsonl)) {
        let rows = csv_rows(csv, b',');
        let array: Vec<serde_json::Value> = serde_json::from_slice(json).expect("one JSON array");
        assert_json_is_csv(&format!("{report}.json"), &array, &rows);
        let lines: Vec<serde_json::Value> = std::str::from_utf8(jsonl)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).expect("one object a line"))
            .collect();
        assert_eq!(lines, array, "{report}.jsonl holds the objects of {report}.json");
    }
    // The hostile reply is there, whole and not defused, tab and all.
    let reasons = String::from_utf8(json[2].1.clone()).unwrap();
    assert!(reasons.contains(r#"550 5.1.1 =HYPERLINK(\"x\")\tC:\\temp"#), "{reasons}");
}

/// Reverses TSV's escapes.
fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('t') => '\t',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('\\') => '\\',
            other => panic!("{field:?}: \\{other:?} is not an escape"),
        });
    }
    out
}

/// TSV, its escapes undone, is the CSV cell by cell, defused alike; every
/// line has one field per column.
#[test]
fn tsv_carries_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    let csv = written(&dir, "csv", &[]);
    let tsv = written(&dir, "tsv", &["--format", "tsv"]);
    for ((report, csv), (_, tsv)) in csv.iter().zip(&tsv) {
        let text = std::str::from_utf8(tsv).unwrap();
        assert!(text.ends_with('\n') && !text.contains('\r'), "{report}.tsv: lines end in LF");
        let rows: Vec<Vec<String>> = text.lines().map(|line| line.split('\t').map(unescape).collect()).collect();
        assert_eq!(rows, csv_rows(csv, b','), "{report}.tsv");
    }
    let reasons = std::str::from_utf8(&tsv[2].1).unwrap();
    assert!(reasons.contains("550 5.1.1 =HYPERLINK(\"x\")\\tC:\\\\temp"), "{reasons}");
    // A sender is text from the log: defused as the CSV defuses it.
    let senders = std::str::from_utf8(&tsv[7].1).unwrap();
    assert!(senders.contains("\n'=HYPERLINK(\"x\")@x.example\tx.example\t"), "{senders}");
}

/// `--delimiter ';'` and `--bom` change how the CSV is spelled, not what it
/// holds.
#[test]
fn delimiter_and_bom_keep_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let plain = written(&dir, "csv", &[]);
    let semicolon = written(&dir, "csv", &["--delimiter", ";", "--bom"]);
    for ((report, plain), (_, semicolon)) in plain.iter().zip(&semicolon) {
        let body = semicolon.strip_prefix("\u{feff}".as_bytes()).unwrap_or_else(|| panic!("{report}: a BOM"));
        let first = ["domain;", "period;", "recipient;", "sender;", "sender_domain;"];
        assert!(first.iter().any(|f| body.starts_with(f.as_bytes())), "{report}");
        assert_eq!(csv_rows(body, b';'), csv_rows(plain, b','), "{report}");
    }
}

/// The summary names the files as written.
#[test]
fn out_dir_names_the_files_of_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("r");
    let out = run(&["analyze", "--format", "jsonl", "-o", out_dir.to_str().unwrap(), "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    assert!(util::stderr(&out).contains("bounces: wrote domains.jsonl, codes.jsonl, reasons.jsonl, daily.jsonl,"));
    let mut names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let mut want: Vec<String> =
        ["codes", "daily", "domains", "messages", "reasons", "recipients"].map(|r| format!("{r}.jsonl")).into();
    want.extend(["overview.html".to_string(), "overview.txt".to_string()]);
    want.sort();
    assert_eq!(names, want);
}

fn check_golden(report: &str, format: &str) {
    let out = run(&["analyze", "-q", "--tz", "UTC", "--report", report, "--format", format, "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let path = sample(&format!("expected/postfix.{report}.{format}"));
    util::assert_golden(&format!("postfix {report} report as {format}"), &stdout(&out), &path);
}

#[test]
fn postfix_domains_as_json() {
    check_golden("domains", "json");
}

#[test]
fn postfix_reasons_as_tsv() {
    check_golden("reasons", "tsv");
}

/// Usage errors exit 2 and write nothing.
#[test]
fn wrong_format_options_are_usage_errors() {
    for (args, says) in [
        (&["--format", "xml"][..], "invalid value 'xml' for '--format <FORMAT>'"),
        (&["--format", "json", "--delimiter", ";"], "--delimiter is for --format csv, not json"),
        (&["--format", "jsonl", "--bom"], "--bom is for --format csv and tsv, not jsonl"),
        (&["--format", "json", "--raw-csv"], "--raw-csv is for --format csv and tsv, not json"),
        (&["--delimiter", ";;"], "one ASCII character"),
        (&["--delimiter", "\""], "cannot separate CSV fields"),
    ] {
        let mut all = vec!["analyze"];
        all.extend(args);
        all.push("samples/postfix.log");
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(util::stderr(&out).contains(says), "{args:?}: {}", util::stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// A directory that cannot be written: exit 2, the path named, no file.
#[test]
fn unwritable_directory_is_an_error_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let out_dir = file.join("reports");
    for format in ["tsv", "json", "jsonl", "xlsx"] {
        let out = run(&["analyze", "--format", format, "-o", out_dir.to_str().unwrap(), "samples/postfix.log"]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        let stderr = util::stderr(&out);
        assert!(stderr.starts_with(&format!("bounces: {}: ", out_dir.display())), "{format}: {stderr}");
        assert!(!Path::new(&out_dir).exists(), "{format}");
    }
}

/// A date-time of a workbook (days since 1899-12-30) as the CSV spells it,
/// to the second: `2026-11-04T10:15:00`.
fn excel_time(serial: f64) -> String {
    let seconds = (serial * 86_400.0).round() as i64;
    let start = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    let time = start.checked_add(jiff::Span::new().seconds(seconds)).expect("a date-time in range");
    time.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Compares a sheet with the CSV rows (header first), cell by cell: the
/// same text, an empty cell where the CSV is empty, a number of the same
/// value where it has one (codes never: they are text), a date or
/// date-time of the same wall-clock time where it has a period or a moment.
fn assert_sheet_is_csv(what: &str, sheet: &calamine::Range<calamine::Data>, csv: &[Vec<String>]) {
    use calamine::{Data, DataType};
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), csv.len(), "{what}: rows, the header included");
    let header = &csv[0];
    for (n, (row, want)) in rows.iter().zip(csv).enumerate() {
        for (col, wanted) in want.iter().enumerate() {
            let got = row.get(col).unwrap_or(&Data::Empty);
            let at = format!("{what} row {n} {}: {got:?} vs {wanted:?}", header[col]);
            let column = header[col].as_str();
            match got {
                Data::Empty => assert_eq!(wanted, "", "{at}"),
                Data::String(text) => assert_eq!(text, wanted, "{at}"),
                Data::Float(value) => {
                    assert!(!matches!(column, "code" | "enhanced"), "{at}: a code is text");
                    assert_eq!(Some(*value), wanted.parse::<f64>().ok(), "{at}");
                    if !wanted.contains('.') {
                        assert_eq!(value.fract(), 0.0, "{at}: a count is an integer");
                    }
                }
                Data::DateTime(time) => {
                    assert!(matches!(column, "period" | "first_seen" | "last_seen"), "{at}: not a date column");
                    let spelled = excel_time(time.as_f64());
                    let want = match wanted.len() {
                        10 => format!("{wanted}T00:00:00"),
                        16 => format!("{wanted}:00"),
                        _ => wanted[..19].to_string(),
                    };
                    assert_eq!(spelled, want, "{at}");
                }
                other => panic!("{at}: unexpected {other:?} ({:?})", other.get_string()),
            }
        }
    }
}

/// Opens a workbook held in memory.
fn open_workbook(bytes: Vec<u8>) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook calamine reads")
}

/// The workbook, read back, holds every cell of the CSV (written without
/// defusing: a workbook cell is never a formula), typed; one sheet per
/// report, named as the report, in order, and the top_bounced sheet.
#[test]
fn xlsx_carries_the_csv_values() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let csv = written(&dir, "csv", &["--raw-csv"]);
    let out_dir = write_into(&dir, &["--format", "xlsx"]);
    let names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["bounces.xlsx"], "one workbook, no temporary file left");
    let mut workbook = open_workbook(std::fs::read(out_dir.join("bounces.xlsx")).unwrap());
    let mut sheets = REPORTS.map(String::from).to_vec();
    sheets.push("top_bounced".to_string());
    assert_eq!(workbook.sheet_names(), sheets);
    for (report, csv) in &csv {
        let sheet = workbook.worksheet_range(report).unwrap();
        assert_sheet_is_csv(report, &sheet, &csv_rows(csv, b','));
    }
    // The hostile reply is text, whole, not defused and not a formula.
    let reasons = workbook.worksheet_range("reasons").unwrap();
    let hostile = calamine::Data::String("=HYPERLINK(\"x\")".to_string());
    let found = reasons.rows().flatten().any(|cell| match (cell, &hostile) {
        (calamine::Data::String(text), calamine::Data::String(want)) => text.contains(want.as_str()),
        _ => false,
    });
    assert!(found, "the reply with a formula is in reasons, as text");
    assert!(workbook.worksheet_formula("reasons").unwrap().cells().all(|(_, _, f)| f.is_empty()), "no formulas");
}

/// The top_bounced sheet lists the domains with the most bounces, most
/// first, with the counts and rates of the domains report.
#[test]
fn xlsx_lists_the_top_bounced_domains() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let out_dir = write_into(&dir, &["--format", "xlsx"]);
    let mut workbook = open_workbook(std::fs::read(out_dir.join("bounces.xlsx")).unwrap());
    let domains = util::csv_records(&String::from_utf8(written(&dir, "csv", &[])[0].1.clone()).unwrap());
    let mut want: Vec<(String, f64)> = domains
        .iter()
        .filter(|row| row["domain"] != "(other)" && util::csv_count(row, "bounced") > 0)
        .map(|row| (row["domain"].clone(), util::csv_count(row, "bounced") as f64))
        .collect();
    want.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    want.truncate(20);
    let top = workbook.worksheet_range("top_bounced").unwrap();
    let got: Vec<(String, f64)> = top
        .rows()
        .skip(1)
        .map(|row| match (&row[0], &row[1]) {
            (Data::String(domain), Data::Float(bounced)) => (domain.clone(), *bounced),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(!got.is_empty());
    assert_eq!(got, want);
}

/// On stdout (not a terminal) a workbook of the one report; the same
/// bytes whatever the threads, and the same as -o's sheet.
#[test]
fn xlsx_on_stdout_is_the_one_report() {
    use calamine::Reader;
    let args = |threads: &'static str| {
        [
            "analyze",
            "-q",
            "--tz",
            "UTC",
            "-j",
            threads,
            "--format",
            "xlsx",
            "--report",
            "codes",
            "samples/postfix.log",
            "samples/exim.log",
        ]
    };
    let one = run(&args("1"));
    assert_eq!(one.status.code(), Some(0), "{}", util::stderr(&one));
    assert!(one.stdout.starts_with(b"PK"), "a zip file");
    let four = run(&args("4"));
    assert!(one.stdout == four.stdout, "the same bytes with 1 and 4 threads");
    let mut workbook = open_workbook(one.stdout);
    assert_eq!(workbook.sheet_names(), ["codes"]);
    let csv = run(&[
        "analyze",
        "-q",
        "--tz",
        "UTC",
        "--raw-csv",
        "--report",
        "codes",
        "samples/postfix.log",
        "samples/exim.log",
    ]);
    assert_sheet_is_csv("codes", &workbook.worksheet_range("codes").unwrap(), &csv_rows(&csv.stdout, b','));
}

/// A workbook is not written to a terminal (`script` gives the command
/// one; skipped where `script` is missing).
#[test]
fn xlsx_to_a_terminal_is_refused() {
    let bin = env!("CARGO_BIN_EXE_bounces");
    let command = format!("{bin} analyze --format xlsx samples/postfix.log; echo \"exit=$?\"");
    let out = match std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(util::root())
        .output()
    {
        Ok(out) if out.status.success() => out,
        _ => {
            eprintln!("skipped: `script` is not available to give the command a terminal");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("a workbook is not for a terminal"), "{text}");
    assert!(text.contains("exit=2"), "{text}");
    assert!(!text.contains("PK"), "{text}");
}
