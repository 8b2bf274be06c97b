//! `--events PATH`: one row per delivery event, expiry and refusal, as JSON
//! Lines or Parquet (docs/events.md).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use parquet::file::reader::SerializedFileReader;
use parquet::record::Field;
use serde_json::Value;

use crate::util::{self, run, run_with_stdin, sample, stderr};

/// 2026-11-06T00:00:00Z: the samples' BSD stamps are of November 5th 2026.
const NOV_6_2026: u64 = 1_793_923_200 + 86_400;

/// Copies samples into `dir` with a fixed modification time (the year of
/// BSD syslog stamps is read from it).
fn copy_samples(dir: &Path, names: &[&str]) {
    for name in names {
        let path = dir.join(name);
        std::fs::copy(sample(name), &path).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(NOV_6_2026)).unwrap();
    }
}

/// Runs `bounces analyze -q --tz UTC` with `args` in `dir`.
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bounces"));
    cmd.args(["analyze", "-q", "--tz", "UTC"]).args(args).current_dir(dir);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("the binary starts");
    if let Some(data) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    child.wait_with_output().expect("the binary runs")
}

/// The events of `args` written to `events.<extension>` in `dir`, as bytes.
fn events(dir: &Path, extension: &str, args: &[&str]) -> Vec<u8> {
    let path = dir.join(format!("events.{extension}"));
    let name = path.to_str().unwrap();
    let out = run_in(dir, &[&["--events", name], args].concat(), None);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    std::fs::read(&path).unwrap()
}

fn rows(jsonl: &[u8]) -> Vec<BTreeMap<String, Value>> {
    String::from_utf8(jsonl.to_vec())
        .expect("JSON Lines are UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

/// The rows of a Parquet file as JSON objects, the time written as in
/// JSON Lines.
fn parquet_rows(path: &Path) -> Vec<BTreeMap<String, Value>> {
    let reader = SerializedFileReader::try_from(path.to_str().unwrap()).unwrap();
    reader
        .into_iter()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(name, field)| {
                    let value = match field {
                        Field::Null => Value::Null,
                        Field::Bool(b) => Value::Bool(*b),
                        Field::Int(n) => Value::from(*n),
                        Field::Long(n) => Value::from(*n),
                        Field::Double(x) => Value::from(*x),
                        Field::Str(s) => Value::from(s.clone()),
                        Field::TimestampMicros(t) => {
                            let ts = jiff::Timestamp::from_microsecond(*t).unwrap();
                            Value::from(ts.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string())
                        }
                        other => panic!("{name}: unexpected {other:?}"),
                    };
                    (name.clone(), value)
                })
                .collect()
        })
        .collect()
}

/// The JSON Lines of the samples, checked by hand against the logs.
#[test]
fn samples_golden() {
    for name in ["postfix", "exim"] {
        let dir = tempfile::tempdir().unwrap();
        let log = format!("{name}.log");
        copy_samples(dir.path(), &[&log]);
        let got = events(dir.path(), "jsonl", &[&log]);
        let path = sample(&format!("expected/{name}.events.jsonl"));
        util::assert_golden(&format!("{name} events"), &String::from_utf8(got).unwrap(), &path);
    }
}

/// Identical bytes whatever the threads and the block size, for two
/// inputs, in JSON Lines and in Parquet.
#[test]
fn threads_and_block_sizes_do_not_change_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    copy_samples(dir.path(), &["postfix.log", "exim.log"]);
    let inputs = ["postfix.log", "exim.log"];
    for extension in ["jsonl", "parquet"] {
        let reference = events(dir.path(), extension, &[&["-j1"], &inputs[..]].concat());
        for threads in ["-j1", "-j2", "-j4"] {
            for size in ["1", "7", "4096"] {
                let got = events(dir.path(), extension, &[&[threads, "--block-size", size], &inputs[..]].concat());
                assert!(got == reference, "{extension} {threads} --block-size {size}");
            }
        }
    }
}

/// stdin and the same file give the same rows but for the `file` column;
/// `--events -` writes them to stdout instead of the report.
#[test]
fn stdin_and_file_give_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read(sample("postfix.log")).unwrap();
    // Stdin's year reference is now; so is a file's just written.
    std::fs::write(dir.path().join("postfix.log"), &log).unwrap();
    let from_file = rows(&events(dir.path(), "jsonl", &["postfix.log"]));
    let out = run_in(dir.path(), &["--events", "-", "-"], Some(&log));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let from_stdin = rows(&out.stdout);
    assert!(!from_file.is_empty());
    assert_eq!(from_file.len(), from_stdin.len());
    for (mut a, mut b) in from_file.into_iter().zip(from_stdin) {
        assert_eq!(a.remove("file"), Some(Value::from("postfix.log")));
        assert_eq!(b.remove("file"), Some(Value::from("-")));
        assert_eq!(a, b);
    }
}

/// The delivery rows of each domain add up to the `domains` report's
/// delivered, deferred and bounced columns of the same run; a bounce whose
/// reason is `expired` (Exim's retry timeout) is in its expired column
/// instead.
#[test]
fn delivery_rows_add_up_to_the_domains_report() {
    let dir = tempfile::tempdir().unwrap();
    copy_samples(dir.path(), &["postfix.log", "exim.log"]);
    let events = rows(&events(dir.path(), "jsonl", &["-o", "out", "--report", "domains", "postfix.log", "exim.log"]));
    let mut counted: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    let expired = |r: &BTreeMap<String, Value>| r["status"] == "bounced" && r["reason"] == "expired";
    for row in events.iter().filter(|r| r["kind"] == "delivery" && !expired(r)) {
        let column = ["delivered", "deferred", "bounced"].iter().position(|s| row["status"] == *s).unwrap();
        counted.entry(row["domain"].as_str().unwrap().to_string()).or_default()[column] += 1;
    }
    let report = util::read(&dir.path().join("out/domains.csv"));
    let mut reported = BTreeMap::new();
    for row in util::csv_records(&report) {
        let counts = ["delivered", "deferred", "bounced"].map(|c| util::csv_count(&row, c));
        reported.insert(row["domain"].clone(), counts);
    }
    assert_eq!(counted, reported);
}

/// The Parquet file read back holds the rows of the JSON Lines, in order.
#[test]
fn parquet_reads_back_as_the_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    copy_samples(dir.path(), &["postfix.log", "exim.log", "postfix-rejects.log"]);
    let inputs = ["postfix.log", "exim.log", "postfix-rejects.log"];
    let jsonl = rows(&events(dir.path(), "jsonl", &inputs));
    events(dir.path(), "parquet", &inputs);
    let parquet = parquet_rows(&dir.path().join("events.parquet"));
    assert_eq!(jsonl.len(), parquet.len());
    for (n, (a, b)) in jsonl.iter().zip(&parquet).enumerate() {
        assert_eq!(a, b, "row {n}");
    }
    let kinds: std::collections::BTreeSet<&str> = jsonl.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["delivery", "expiry", "refusal"]);
}

/// `--hash-recipients` leaves no address in either file: the recipients
/// are the `recipients` report's hashes, the texts masked.
#[test]
fn hashed_recipients_leave_no_address() {
    let dir = tempfile::tempdir().unwrap();
    copy_samples(dir.path(), &["postfix.log", "exim.log", "postfix-rejects.log"]);
    let key_dir = tempfile::tempdir().unwrap();
    let key = util::secret_file(&key_dir, "key", b"a key");
    let inputs = ["postfix.log", "exim.log", "postfix-rejects.log"];
    let plain = rows(&events(dir.path(), "jsonl", &inputs));
    let addresses: Vec<String> =
        plain.iter().filter_map(|r| r["recipient"].as_str()).filter(|a| a.contains('@')).map(String::from).collect();
    assert!(addresses.len() > 50);
    let hashing = [&["--hash-recipients", "--hash-key-file", &key][..], &inputs[..]].concat();
    let jsonl = events(dir.path(), "jsonl", &hashing);
    events(dir.path(), "parquet", &hashing);
    let parquet = parquet_rows(&dir.path().join("events.parquet"));
    let jsonl = rows(&jsonl);
    assert_eq!(jsonl, parquet);
    for row in &jsonl {
        for (column, value) in row {
            let text = value.as_str().unwrap_or_default();
            for address in &addresses {
                assert!(!text.contains(address.as_str()), "{column}: {text}");
            }
        }
        if let Some(hash) = row["recipient"].as_str() {
            assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
        }
    }
}

#[test]
fn a_path_that_cannot_be_written_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = util::temp_file(&dir, "file", b"");
    let log = sample("postfix.log");
    let log = log.to_str().unwrap();
    for (path, why) in [
        (format!("{}/missing/events.jsonl", dir.path().display()), "No such file"),
        (format!("{file}/events.parquet"), "Not a directory"),
    ] {
        let out = run(&["analyze", "-q", "--events", &path, log]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        let message = stderr(&out);
        assert!(message.starts_with(&format!("bounces: {path}: cannot write the events")), "{message}");
        assert!(message.contains(why) && message.contains("no file was left"), "{message}");
        assert!(out.stdout.is_empty(), "nothing is scanned or reported");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["file"]);
}

/// A directory its writer may not write to. Root may write anywhere, and
/// CI runs as root: there the binary runs as `nobody` (through util-linux's
/// `setpriv`), as `bad_input.rs` does, so the test checks the same thing
/// either way.
#[test]
fn an_unwritable_directory_is_an_error_and_leaves_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    copy_samples(dir.path(), &["postfix.log"]);
    std::fs::set_permissions(dir.path().join("postfix.log"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o555)).unwrap();
    let events = closed.join("events.parquet");
    let args = ["analyze", "-q", "--events", events.to_str().unwrap(), "postfix.log"];
    let root = std::fs::File::create(closed.join("probe")).is_ok();
    let out = if root {
        std::fs::remove_file(closed.join("probe")).unwrap();
        let binary = dir.path().join("bounces");
        std::fs::copy(env!("CARGO_BIN_EXE_bounces"), &binary).unwrap();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("running as root, the test needs setpriv (util-linux) to drop to nobody")
    } else {
        run_in(dir.path(), &args[2..], None)
    };
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    let want = format!("bounces: {}: cannot write the events: Permission denied", events.display());
    assert!(message.starts_with(&want), "{message}");
    assert!(out.stdout.is_empty(), "nothing is scanned or reported");
    assert_eq!(std::fs::read_dir(&closed).unwrap().count(), 0);
}

/// Line numbers count every line, an over-long one the scan skips
/// included, for a file read in chunks and for stdin read in blocks.
#[test]
fn line_numbers_count_skipped_lines() {
    let delivery = |n: usize| {
        format!(
            "2026-11-05T10:00:0{n}+00:00 mx1 postfix/smtp[1]: 4B1C2D3E{n}: to=<u{n}@a.example>, relay=mx.a.example[192.0.2.1]:25, \
             delay=1, dsn=2.0.0, status=sent (250 ok)\n"
        )
    };
    let long = format!("2026-11-05T10:00:00+00:00 mx1 junk: {}\n", "x".repeat(1_100_000));
    let log = [delivery(1), long.clone(), delivery(2), "\n".into(), long, delivery(3)].concat();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("long.log"), &log).unwrap();
    let lines =
        |rows: Vec<BTreeMap<String, Value>>| rows.iter().map(|r| r["line"].as_u64().unwrap()).collect::<Vec<_>>();
    for size in ["4096", "100000", "2097152"] {
        let got = lines(rows(&events(dir.path(), "jsonl", &["-j2", "--block-size", size, "long.log"])));
        assert_eq!(got, [1, 3, 6], "file, --block-size {size}");
        let out = run_in(dir.path(), &["-j2", "--block-size", size, "--events", "-", "-"], Some(log.as_bytes()));
        assert_eq!(lines(rows(&out.stdout)), [1, 3, 6], "stdin, --block-size {size}: {}", stderr(&out));
    }
}

#[test]
fn usage_errors() {
    let log = sample("postfix.log");
    let log = log.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--events", "events.csv"], ".jsonl (JSON Lines) or .parquet"),
        (&["--events", "events"], ".jsonl (JSON Lines) or .parquet"),
        (&["--events", "-", "--report", "codes"], "write the report with -o DIR"),
    ];
    for (args, want) in cases {
        let out = run(&[&["analyze"], args, &[log]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
}

/// `--events -` is JSON Lines on stdout, and no report goes there; with
/// `-o` the reports go into the directory.
#[test]
fn events_to_stdout_are_json_lines_and_the_report_goes_elsewhere() {
    let log = std::fs::read(sample("exim.log")).unwrap();
    let out = run_with_stdin(&["analyze", "-q", "--events", "-"], Some(&log));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"{\"time\":"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("domain,total"));
    let alone = rows(&out.stdout);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = run_with_stdin(&["analyze", "-q", "--events", "-", "-o", out_dir.to_str().unwrap()], Some(&log));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows(&out.stdout), alone);
    assert!(out_dir.join("domains.csv").exists());
}

/// `--since`/`--until` keep the rows in the window, as they do the counts.
#[test]
fn the_window_applies_to_rows() {
    let dir = tempfile::tempdir().unwrap();
    copy_samples(dir.path(), &["postfix.log"]);
    let all = rows(&events(dir.path(), "jsonl", &["postfix.log"]));
    let (since, until) = ("2026-11-05T12:00:00Z", "2026-11-05T14:00:00Z");
    let window = rows(&events(dir.path(), "jsonl", &["--since", since, "--until", until, "postfix.log"]));
    let inside: Vec<_> = all
        .into_iter()
        .filter(|r| r["time"].as_str().is_some_and(|t| (&since[..19]..&until[..19]).contains(&t)))
        .collect();
    assert!(!inside.is_empty());
    assert_eq!(window, inside);
}

/// The summary's last line says how many rows went where; `-q` keeps it
/// quiet.
#[test]
fn the_summary_says_how_many_rows_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let path = path.to_str().unwrap();
    let out = run(&["analyze", "--tz", "UTC", "--events", path, "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = std::fs::read_to_string(path).unwrap().lines().count();
    assert!(rows > 10, "{rows}");
    let want = format!("bounces: wrote {rows} event rows into {path}");
    assert_eq!(stderr(&out).lines().last(), Some(want.as_str()), "{}", stderr(&out));
    let out = run(&["analyze", "--tz", "UTC", "--events", "-", "samples/postfix.log"]);
    assert!(stderr(&out).ends_with(&format!("bounces: wrote {rows} event rows to stdout\n")), "{}", stderr(&out));
    let out = run(&["analyze", "-q", "--tz", "UTC", "--events", path, "samples/postfix.log"]);
    assert!(!stderr(&out).contains("event rows"), "{}", stderr(&out));
}

/// Bytes that are not UTF-8 become U+FFFD in both formats, and control
/// characters and quotes are escaped in JSON Lines; the two formats read
/// back alike.
#[test]
fn texts_that_are_not_utf8_are_replaced_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    log.extend_from_slice(b"Nov  5 08:00:01 mx1 postfix/smtp[1]: 4F2A1B: to=<j\xe9r\xf4me@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 <j\xe9r\xf4me@example.net>: \"no\" such\tuser \\ here (in reply to RCPT TO command))\n");
    log.extend_from_slice("Nov  5 08:00:02 mx1 postfix/smtp[1]: 4F2A1C: to=<zoë@exämple.org>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.exämple.org[192.0.2.2]:25: Connection timed out)\n".as_bytes());
    std::fs::write(dir.path().join("odd.log"), &log).unwrap();
    let file = std::fs::File::options().write(true).open(dir.path().join("odd.log")).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(NOV_6_2026)).unwrap();

    let jsonl = events(dir.path(), "jsonl", &["odd.log"]);
    let text = String::from_utf8(jsonl.clone()).expect("JSON Lines are UTF-8");
    assert!(text.contains(r#""recipient":"j�r�me@example.net""#), "{text}");
    assert!(text.contains(r#"\"no\" such\tuser \\ here"#), "{text}");
    assert!(text.contains(r#""recipient":"zoë@exämple.org""#), "{text}");
    let got = rows(&jsonl);
    assert_eq!(got.len(), 2);
    events(dir.path(), "parquet", &["odd.log"]);
    assert_eq!(parquet_rows(&dir.path().join("events.parquet")), got);
}

/// A run stopped by SIGTERM or SIGINT (a cron timeout, Ctrl-C) removes the
/// events file it was writing, says so, and exits with 128 + the signal,
/// as a shell reports a process the signal killed.
#[test]
fn a_signal_removes_the_unfinished_events_file() {
    use std::io::Write;
    for (signal, status) in [("TERM", 143), ("INT", 130)] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_bounces"))
            .args(["analyze", "-q", "--tz", "UTC", "--events", "e.parquet", "-o", "out", "-"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Some lines, then stdin stays open: the run waits for more, its
        // events file begun.
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&std::fs::read(sample("postfix.log")).unwrap()).unwrap();
        let unfinished = || {
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp"))
                .count()
        };
        let waited = std::time::Instant::now();
        while unfinished() == 0 {
            assert!(waited.elapsed() < Duration::from_secs(30), "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(out.status.code(), Some(status), "SIG{signal}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).trim_end(),
            format!("bounces: stopped by SIG{signal}; 1 unfinished output file removed")
        );
        assert_eq!(unfinished(), 0, "SIG{signal}");
        assert!(!dir.path().join("e.parquet").exists());
    }
}

/// A file that cannot grow (a full disk, a quota) fails while the rows are
/// written: the run says so, exits with 2 and leaves no file, in either
/// format. The shell's file size limit stands in for the full disk
/// (`ulimit -f`, with SIGXFSZ ignored so that writes fail with EFBIG).
#[test]
fn a_file_that_cannot_grow_is_an_error_and_leaves_nothing() {
    let mut log = Vec::new();
    let sample = std::fs::read(sample("postfix.log")).unwrap();
    for _ in 0..40 {
        log.extend_from_slice(&sample);
    }
    for name in ["e.jsonl", "e.parquet"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mail.log"), &log).unwrap();
        let script = format!("ulimit -f 16 && trap '' XFSZ && exec \"$0\" analyze -q --events {name} mail.log");
        let out = Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_bounces")])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {message}");
        assert!(message.starts_with(&format!("bounces: {name}: cannot write the events: ")), "{message}");
        assert!(message.contains("File too large") && message.contains("no file was left"), "{message}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["mail.log"], "{name}");
    }
}
