//! Hostile and broken input: every case gets a clear message naming the
//! path, a documented exit code, no panic, and the good inputs beside it
//! still counted.

use crate::util::{self, run, run_with_stdin, stderr, stdout, temp_file};

const GOOD: &[u8] = b"Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@example.com>, relay=mx[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))\n";

const HEADER: &str = "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\n";

fn line(domain: &str, status: &str, text: &str) -> Vec<u8> {
    format!(
        "Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<u@{domain}>, relay=x, dsn=5.1.1, status={status} ({text})\n"
    )
    .into_bytes()
}

#[test]
fn missing_file_is_reported_and_the_others_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    let good = temp_file(&dir, "good.log", GOOD);
    let out = run(&["analyze", "no/such/file.log", &good]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bounces: no/such/file.log: No such file or directory"), "{err}");
    assert!(stdout(&out).contains("example.com,1,0,0,1,0,1.0000,550 5.1.1"), "{}", stdout(&out));
}

#[test]
fn directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["analyze", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

/// A file its reader may not open. Root may open any file, and CI runs as
/// root: there the binary runs as `nobody` (through util-linux's
/// `setpriv`), so the test checks the same thing either way.
#[test]
fn unreadable_file_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = temp_file(&dir, "secret.log", GOOD);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = if std::fs::File::open(&path).is_ok() {
        // A copy of the binary that `nobody` can reach, wherever the build is.
        let binary = dir.path().join("bounces");
        std::fs::copy(env!("CARGO_BIN_EXE_bounces"), &binary).unwrap();
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(["analyze", &path])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("running as root, the test needs setpriv (util-linux) to drop to nobody")
    } else {
        run(&["analyze", &path])
    };
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("bounces: {path}: Permission denied (run as a user that can read it")), "{err}");
    assert_eq!(stdout(&out), HEADER);
}

/// A read that fails after the open, for root too: the kernel answers
/// reads of a process's memory at address 0 with EIO.
#[cfg(target_os = "linux")]
#[test]
fn read_error_is_reported() {
    let out = run(&["analyze", "/proc/self/mem"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bounces: /proc/self/mem: Input/output error"), "{}", stderr(&out));
    assert_eq!(stdout(&out), HEADER);
}

#[test]
fn binary_junk_is_not_a_mail_log() {
    let dir = tempfile::tempdir().unwrap();
    let junk: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = temp_file(&dir, "junk.bin", &junk);
    let out = run(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no Postfix or Exim lines found"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\n");
}

/// `1234567` as `1,234,567`, as the messages write counts.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The test's log, gzipped and cut at two thirds, and the complete lines a
/// gzip reader gets from it.
fn truncated_gzip(lines: usize) -> (Vec<u8>, Vec<u8>) {
    use std::io::{Read, Write};
    let mut log = Vec::new();
    for i in 0..lines {
        log.extend(line(&format!("d{i}.example"), "sent", "250 2.0.0 ok"));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&log).unwrap();
    let mut gz = gz.finish().unwrap();
    gz.truncate(gz.len() * 2 / 3);
    let mut decoded = Vec::new();
    let _ = flate2::read::MultiGzDecoder::new(&gz[..]).read_to_end(&mut decoded);
    decoded.truncate(decoded.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1));
    assert!(log.starts_with(&decoded), "a prefix of what the test wrote");
    (gz, decoded)
}

/// See issue 13: the message said "the 524288 bytes of log before it were
/// counted" (the blocks read before the error) when 716,759 bytes, 5,717
/// lines, were; and on stdin it advised `gzip -t -`.
#[test]
fn truncated_gzip_keeps_what_was_read_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let (gz, counted) = truncated_gzip(20_000);
    let lines = counted.iter().filter(|&&b| b == b'\n').count();
    assert!(lines > 1000 && lines < 20_000, "the cut is in the middle: {lines} lines");
    let said =
        format!("the {} bytes ({} lines) of log before it were counted", thousands(counted.len()), thousands(lines));
    let path = temp_file(&dir, "mail.log.2.gz", &gz);
    let good = temp_file(&dir, "good.log", GOOD);
    let out = run(&["analyze", &path, &good]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("bounces: {path}: gzip data is damaged or cut short at compressed byte ")),
        "{err}"
    );
    assert!(first.contains(&said), "{said:?} in {err}");
    assert!(
        first.ends_with(&format!(
            "(check the file with 'gzip -t {path}'; a file still being written is complete once logrotate is done)"
        )),
        "{err}"
    );
    let report = stdout(&out);
    assert!(report.contains("example.com,1,0,0,1,0,"), "the good file is still counted");
    assert_eq!(report.lines().count() - 2, lines, "every line counted is a row of its own");
    // On stdin there is no path to give gzip -t.
    let out = run_with_stdin(&["analyze", "-q", "-"], Some(&gz));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("bounces: -: gzip data is damaged or cut short at compressed byte "), "{err}");
    assert!(err.contains(&said), "{said:?} in {err}");
    assert!(err.ends_with("(check the file that was piped in with 'gzip -t FILE')\n"), "{err}");
    assert_eq!(stdout(&out).lines().count() - 1, lines);
}

/// An empty file alone is nothing read (exit 1, said even with -q); beside
/// a log with lines (the current file of a rotation set, just rotated) it
/// is fine, and said only without -q.
#[test]
fn an_empty_file_alone_is_an_error_beside_a_log_it_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "empty.log", b"");
    let out = run(&["analyze", "-q", &path]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "bounces: {path}: the file is empty, nothing to count (a log just rotated has its lines in the rotated \
             files: name them too, e.g. {path}*)\n"
        )
    );
    let good = temp_file(&dir, "good.log", GOOD);
    let out = run(&["analyze", "-q", &path, &good]);
    assert_eq!((out.status.code(), stderr(&out)), (Some(0), String::new()));
    let out = run(&["analyze", &path, &good]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out).lines().next(), Some(&format!("bounces: {path}: empty, nothing to count")[..]));
}

#[test]
fn nul_bytes_do_not_hide_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    // A crash can leave a run of NULs where a line should be; the next line
    // starts right after them.
    let mut log = vec![0u8; 4096];
    log.extend_from_slice(GOOD);
    log.extend_from_slice(b"\0\0\0");
    log.extend(line("nul.example", "sent", "250 2.0.0 ok"));
    let path = temp_file(&dir, "nul.log", &log);
    let out = run(&["analyze", "-q", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("example.com,1,0,0,1,0,") && report.contains("nul.example,1,1,0,0,"), "{report}");
}

#[test]
fn invalid_utf8_in_addresses_and_replies_is_counted_and_written_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = line("caf\u{e9}.example", "bounced", "host x[192.0.2.1] said: 550 5.1.1 no");
    log.extend(b"Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<u@bad\xff\xfe.example>, relay=x, dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 \xc3\x28 no)\n");
    let path = temp_file(&dir, "utf8.log", &log);
    let out = run(&["analyze", "-q", "--report", "codes", &path]);
    assert_eq!(out.status.code(), Some(0));
    let report = String::from_utf8(out.stdout).expect("the report is UTF-8");
    assert!(report.contains("caf\u{e9}.example,bounced,550,5.1.1,"), "{report}");
    assert!(report.contains("bad\u{fffd}\u{fffd}.example,bounced,550,5.1.1,"), "{report}");
}

#[test]
fn crlf_and_a_last_line_without_newline() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = GOOD.to_vec();
    log.truncate(log.len() - 1);
    log.extend_from_slice(b"\r\n");
    let mut last = line("last.example", "sent", "250 ok");
    last.pop(); // no final newline
    log.extend(last);
    let path = temp_file(&dir, "crlf.log", &log);
    let out = run(&["analyze", "-q", "--report", "codes", &path]);
    let report = stdout(&out);
    assert!(report.contains("example.com,bounced,550,5.1.1,"), "{report}");
    assert!(report.contains("last.example,delivered,250,5.1.1,"), "{report}");
}

#[test]
fn a_single_100_mb_line_is_skipped_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = GOOD.to_vec();
    log.extend(std::iter::repeat_n(b'x', 100 << 20));
    log.push(b'\n');
    log.extend(line("after.example", "sent", "250 ok"));
    let path = temp_file(&dir, "huge.log", &log);
    let out = run(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 line longer than 1.05 MB skipped"), "{}", stderr(&out));
    assert!(stderr(&out).contains(", 3 lines in "), "3 lines, the long one once: {}", stderr(&out));
    assert!(stdout(&out).contains("after.example,1,1,0,0,"), "{}", stdout(&out));
    // The same through stdin, which must not buffer the whole line either.
    let out = run_with_stdin(&["analyze", "-"], Some(&log));
    assert!(stderr(&out).contains("1 line longer than 1.05 MB skipped"), "{}", stderr(&out));
    assert!(stderr(&out).contains(", 3 lines in "), "3 lines, the long one once: {}", stderr(&out));
    assert!(stdout(&out).contains("after.example,1,1,0,0,"), "{}", stdout(&out));
}

/// A stream that ends with an over-long line: it is one of the lines read,
/// as in a file (the stream's reader alone knew of it).
#[test]
fn an_overlong_last_line_on_stdin_is_counted_once() {
    let mut log = GOOD.to_vec();
    log.extend(std::iter::repeat_n(b'x', 2 << 20));
    log.push(b'\n');
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "long-last.log", &log);
    for out in [run(&["analyze", &path]), run_with_stdin(&["analyze", "-"], Some(&log))] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(", 2 lines in "), "{err}");
        assert!(err.contains("1 line longer than 1.05 MB skipped"), "{err}");
    }
}

/// A cell a spreadsheet would run as a formula.
fn dangerous(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The cells of a CSV report, header left out.
fn cells(report: &str) -> Vec<String> {
    util::csv_records(report).into_iter().flat_map(|row| row.into_values()).collect()
}

/// Every column that holds text from the log, in every report: domains,
/// recipients, reply texts (the `reasons` example, the `recipients` last
/// reply), from Postfix and Exim lines. The counts of defused cells are
/// worked out by hand from the log below, so a column left out shows.
#[test]
fn spreadsheet_formulas_from_the_log_are_defused() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    for domain in ["=HYPERLINK(\"http://evil.example\";\"x\")", "+cmd", "-2+3", "\tx"] {
        log.extend(line(domain, "bounced", "host x[192.0.2.1] said: 550 5.1.1 no"));
    }
    // A recipient, a domain and a reply text that each start a formula.
    log.extend_from_slice(b"Nov  5 10:00:02 mx postfix/smtp[1]: 4B1C2D3E03: to=<@b@-minus.example>, relay=x, dsn=5.1.1, status=bounced (@SUM(A1) user unknown)\n");
    log.extend_from_slice(b"Nov  5 10:00:03 mx postfix/smtp[1]: 4B1C2D3E04: to=<=c@plain.example>, relay=x, dsn=4.2.0, status=deferred (=1+2 try later)\n");
    log.extend_from_slice(b"2026-11-05 10:00:03 1tXyZa-0003Ab-Qa ** -x@exim.example R=r T=t: 550 5.1.1 no\n");
    let path = temp_file(&dir, "formula.log", &log);
    // Defused cells per report: the 5 hostile domains (4 + `-minus`); in
    // `reasons` also the 2 examples that start a formula; in `recipients`
    // (every failure but block-type ones with `--suppress all`, so `@b@` is
    // a user unknown; `-x@` is undetermined; `=c@` is still pending) the 2
    // hostile addresses, the 5 domains and the 1 last reply.
    let cases = [("domains", 5), ("codes", 5), ("reasons", 7), ("daily", 0), ("messages", 5), ("recipients", 8)];
    for (report, want) in cases {
        let args = ["analyze", "-q", "--tz", "UTC", "--suppress", "all", "--report", report, &path];
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{report}: {}", stderr(&out));
        let got = cells(&stdout(&out));
        assert!(!got.is_empty(), "{report}: no rows");
        for cell in &got {
            assert!(!dangerous(cell), "{report}: {cell:?} is not defused");
        }
        let defused = got.iter().filter(|c| c.starts_with('\'') && dangerous(&c[1..])).count();
        assert_eq!(defused, want, "{report}: defused cells in {:?}", stdout(&out));
        // `--raw-csv` writes the same cells as found, so they were hostile.
        let raw = run(&["analyze", "-q", "--raw-csv", "--tz", "UTC", "--suppress", "all", "--report", report, &path]);
        let raw = cells(&stdout(&raw));
        assert_eq!(raw.iter().filter(|c| dangerous(c)).count(), want, "{report} --raw-csv");
    }
}

#[test]
fn good_inputs_are_counted_beside_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let good = temp_file(&dir, "good.log", GOOD);
    let junk = temp_file(&dir, "junk.bin", &[0xff; 5000]);
    let out = run(&["analyze", "-q", "no/such.log", &junk, dir.path().to_str().unwrap(), &good]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no/such.log: No such file") && err.contains("is a directory"), "{err}");
    assert_eq!(stdout(&out), format!("{HEADER}example.com,1,0,0,1,0,1.0000,550 5.1.1,\r\n"));
}

#[test]
fn made_up_domains_beyond_the_cap_are_counted_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    for i in 0..2000 {
        log.extend(line(&format!("fake{i}.attacker.example"), "bounced", "host x[192.0.2.1] said: 550 5.1.1 no"));
        if i % 40 == 0 {
            log.extend(line("real.example", "sent", "250 2.0.0 ok"));
        }
    }
    let path = temp_file(&dir, "many.log", &log);
    // The cut alone keeps the biggest (real.example and, of the made-up ones
    // with 1 event each, those whose names sort first); with the memory cap
    // as small, the domains tracked are chosen by their names' hash.
    for (cap, said) in [
        ("1000000", "--max-domains 100: the 100 recipient domains with the most delivery events"),
        ("100", "more than 100 recipient domains: those tracked were chosen by a fixed hash of their names; "),
    ] {
        let mut reports = Vec::new();
        for (j, block) in [("1", "1048576"), ("2", "4096"), ("2", "333")] {
            let args =
                ["analyze", "--max-domains", "100", "--max-tracked-domains", cap, "-j", j, "--block-size", block];
            let out = run(&[&args[..], &[&path[..]]].concat());
            assert_eq!(out.status.code(), Some(0));
            let err = stderr(&out);
            assert!(err.contains(said) && err.contains("counted together as (other)"), "{err}");
            reports.push(stdout(&out));
        }
        assert!(reports.iter().all(|r| *r == reports[0]), "the same domains are kept whatever the threads and blocks");
        let rows: Vec<&str> = reports[0].lines().skip(1).collect();
        assert!(rows.len() <= 101, "{} rows", rows.len());
        let last = rows.last().unwrap();
        assert!(last.starts_with("(other),"), "{last}");
        if cap == "1000000" {
            assert_eq!(rows.len(), 101);
            assert!(rows.contains(&"real.example,50,50,0,0,0,0.0000,,"), "{rows:?}");
            assert!(rows.contains(&"fake0.attacker.example,1,0,0,1,0,1.0000,550 5.1.1,"), "{rows:?}");
        }
        // Every event is still counted, in a domain's row or in (other).
        let total: u64 = rows.iter().map(|r| r.split(',').nth(1).unwrap().parse::<u64>().unwrap()).sum();
        assert_eq!(total, 2050);
    }
}
