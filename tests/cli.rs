//! Command-line behaviour: inputs good and bad, exit codes, stdout versus
//! `-o`, messages on stderr.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::util::{self, run, run_with_stdin, sample, stderr, stdout};

const GOOD: &[u8] = b"Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@example.com>, relay=mx[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))\n";

fn temp_file(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn missing_file_is_reported_and_the_others_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    let good = temp_file(&dir, "good.log", GOOD);
    let out = run(&["analyze", "no/such/file.log", &good]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bounces: no/such/file.log: No such file or directory"), "{err}");
    assert!(stdout(&out).contains("example.com,1,0,0,1,1.0000,550 5.1.1"), "{}", stdout(&out));
}

#[test]
fn directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["analyze", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

#[test]
fn unreadable_file_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "secret.log", GOOD);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        eprintln!("skipped: running with privileges that read any file");
        return;
    }
    let out = run(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Permission denied"), "{}", stderr(&out));
}

#[test]
fn binary_junk_is_not_a_mail_log() {
    let dir = tempfile::tempdir().unwrap();
    let junk: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = temp_file(&dir, "junk.bin", &junk);
    let out = run(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no Postfix or Exim lines found"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "domain,total,delivered,deferred,bounced,bounce_rate,top_failure\r\n");
}

#[test]
fn compressed_input_says_how_to_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "mail.log.2.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03");
    let out = run(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("gzip-compressed input is not supported yet"), "{}", stderr(&out));
}

#[test]
fn empty_file_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "empty.log", b"");
    let out = run(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("empty, nothing to count"), "{}", stderr(&out));
}

#[test]
fn stdin_dash_and_implicit_stdin_match_the_file() {
    let file = run(&["analyze", "--report", "codes", "samples/postfix.log"]);
    let data = std::fs::read(sample("postfix.log")).unwrap();
    let dash = run_with_stdin(&["analyze", "--report", "codes", "-"], Some(&data));
    let implicit = run_with_stdin(&["analyze", "--report", "codes"], Some(&data));
    assert_eq!(file.status.code(), Some(0));
    util::assert_same_text("stdin (-)", &stdout(&dash), &stdout(&file));
    util::assert_same_text("stdin (implicit)", &stdout(&implicit), &stdout(&file));
}

#[test]
fn stdin_can_be_named_once() {
    let out = run(&["analyze", "-", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("stdin (-) can be read only once"));
}

#[test]
fn zero_threads_is_a_usage_error() {
    let out = run(&["analyze", "-j", "0", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--threads must be at least 1"), "{}", stderr(&out));
}

#[test]
fn unknown_report_is_a_usage_error() {
    let out = run(&["analyze", "--report", "nope", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid value 'nope'"), "{}", stderr(&out));
}

#[test]
fn out_dir_gets_every_report_and_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/nightly");
    let out = run(&["analyze", "-q", "-o", target.to_str().unwrap(), "samples/postfix.log", "samples/exim.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "nothing on stdout with -o");
    let mut names: Vec<String> =
        std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["codes.csv", "domains.csv"]);
    for report in ["domains", "codes"] {
        let printed = run(&["analyze", "-q", "--report", report, "samples/postfix.log", "samples/exim.log"]);
        let written = util::read(&target.join(format!("{report}.csv")));
        util::assert_same_text(report, &written, &stdout(&printed));
    }
}

#[test]
fn out_dir_that_is_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = temp_file(&dir, "not-a-dir", b"x");
    let out = run(&["analyze", "-q", "-o", &file, "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write report"), "{}", stderr(&out));
}

#[test]
fn quiet_prints_nothing_on_good_input() {
    let out = run(&["analyze", "-q", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn summary_counts_events_and_shows_examples_with_verbose() {
    let out = run(&["analyze", "samples/postfix.log"]);
    let err = stderr(&out);
    assert!(err.contains("bounces: read 1 input, "), "{err}");
    assert!(err.contains("delivery events: "), "{err}");
    assert!(err.contains("could not be parsed; -v shows examples"), "{err}");
    let out = run(&["analyze", "-v", "samples/postfix.log"]);
    let err = stderr(&out);
    assert!(err.contains("  samples/postfix.log:158: Nov  5 08:20:10 mx1 postfix/smtp"), "{err}");
    // The same line numbers when the file is read through stdin, in small blocks.
    let data = std::fs::read(sample("postfix.log")).unwrap();
    let out = run_with_stdin(&["analyze", "-v", "--block-size", "100", "-"], Some(&data));
    assert!(stderr(&out).contains("  -:158: Nov  5 08:20:10 mx1 postfix/smtp"), "{}", stderr(&out));
    let out = run(&["analyze", "-v", "--block-size", "100", "samples/postfix.log"]);
    assert!(stderr(&out).contains("  samples/postfix.log:215: 2026-11-05T12:52:08"), "{}", stderr(&out));
}

#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    for i in 0..60_000 {
        data.extend_from_slice(
            format!("Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@d{i}.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\n")
                .as_bytes(),
        );
    }
    let path = temp_file(&dir, "many.log", &data);
    let mut child = Command::new(env!("CARGO_BIN_EXE_bounces"))
        .args(["analyze", "-q", &path])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is closed here, like `bounces analyze ... | head -c 16`.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn mta_choice_limits_what_is_read() {
    let out = run(&["analyze", "-q", "--mta", "exim", "samples/postfix.log"]);
    assert_eq!(stdout(&out), "domain,total,delivered,deferred,bounced,bounce_rate,top_failure\r\n");
    let out = run(&["analyze", "-q", "--mta", "postfix", "samples/exim.log"]);
    assert_eq!(stdout(&out), "domain,total,delivered,deferred,bounced,bounce_rate,top_failure\r\n");
}
