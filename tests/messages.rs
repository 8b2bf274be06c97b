//! Message-level reports: each recipient followed to its final outcome,
//! whatever the threads, the block size, or how the log is split.

use crate::util::{self, run, run_with_stdin, sample, stderr, stdout};

fn report(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The sample's reports against the hand-checked expected files:
/// deferred-then-delivered, deferred-then-bounced, deferred-then-expired
/// (qmgr's `status=expired`; Exim's retry timeout), a content-filter hop
/// through 127.0.0.1:10024, a recipient still pending at the end.
#[test]
fn samples_match_the_expected_reports() {
    for name in ["messages", "messages.exim"] {
        for kind in ["messages", "recipients"] {
            let got = report(&["analyze", "-q", "--tz", "UTC", "--report", kind, &format!("samples/{name}.log")]);
            let path = sample(&format!("expected/{name}.{kind}.csv"));
            if std::env::var_os("BOUNCES_BLESS").is_some() {
                std::fs::write(&path, &got).unwrap();
            }
            util::assert_same_text(&format!("{name} {kind}"), &got, &util::read(&path));
        }
    }
}

#[test]
fn threads_and_block_sizes_do_not_change_them() {
    for kind in ["messages", "recipients"] {
        let want = util::read(&sample(&format!("expected/messages.{kind}.csv")));
        for block_size in [1, 7, 64, 333, 4096] {
            for threads in ["1", "2", "4"] {
                let bs = block_size.to_string();
                let got = report(&[
                    "analyze",
                    "-q",
                    "--tz",
                    "UTC",
                    "--report",
                    kind,
                    "-j",
                    threads,
                    "--block-size",
                    &bs,
                    "samples/messages.log",
                ]);
                util::assert_same_text(&format!("{kind}, block size {block_size}, {threads} threads"), &got, &want);
            }
        }
    }
}

/// A message's lines split across two files (rotated logs), named in
/// either order, plain or piped: the same recipients and outcomes.
#[test]
fn a_queue_id_split_across_files_is_followed() {
    let data = std::fs::read(sample("messages.log")).unwrap();
    let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
    let dir = tempfile::tempdir().unwrap();
    // The cut falls between 1A00000001's deferrals and its delivery, and
    // between 1C00000003's deferrals and its expiry.
    for cut in [3, 12, 14, 17] {
        let first = util::temp_file(&dir, &format!("mail.log.1-{cut}"), &lines[..cut].concat());
        let second = util::temp_file(&dir, &format!("mail.log-{cut}"), &lines[cut..].concat());
        for kind in ["messages", "recipients"] {
            let want = util::read(&sample(&format!("expected/messages.{kind}.csv")));
            for files in [[&first, &second], [&second, &first]] {
                let got = report(&["analyze", "-q", "--tz", "UTC", "--report", kind, files[0], files[1]]);
                util::assert_same_text(&format!("{kind}, cut at line {cut}"), &got, &want);
            }
            let piped = run_with_stdin(
                &["analyze", "-q", "--tz", "UTC", "--report", kind, "-", &first],
                Some(lines[cut..].concat().as_slice()),
            );
            util::assert_same_text(&format!("{kind}, cut at line {cut}, piped"), &stdout(&piped), &want);
        }
    }
}

#[test]
fn hashed_recipients_are_stable_and_keyed() {
    let dir = tempfile::tempdir().unwrap();
    let key = util::temp_file(&dir, "key", b"s3cret\n");
    let hashed = report(&[
        "analyze",
        "-q",
        "--tz",
        "UTC",
        "--report",
        "recipients",
        "--hash-recipients",
        "--hash-key-file",
        &key,
        "samples/messages.log",
    ]);
    let first = hashed.lines().nth(1).unwrap();
    let hash = first.split(',').next().unwrap();
    assert_eq!(hash.len(), 64, "{first}");
    assert!(!hashed.contains("u2@beta.example,"), "{hashed}");
    // HMAC-SHA256("s3cret", "u2@beta.example"), computed independently.
    assert_eq!(hash, bounces::report::keyed_hash(b"s3cret", b"u2@beta.example"));
    let out = run(&["analyze", "-q", "--report", "recipients", "--hash-recipients", "samples/messages.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--hash-recipients needs a key"), "{}", stderr(&out));
}

#[test]
fn out_dir_writes_the_message_reports_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["analyze", "-q", "--tz", "UTC", "-o", dir.path().to_str().unwrap(), "samples/messages.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for kind in ["messages", "recipients"] {
        let want = util::read(&sample(&format!("expected/messages.{kind}.csv")));
        util::assert_same_text(kind, &util::read(&dir.path().join(format!("{kind}.csv"))), &want);
    }
}
