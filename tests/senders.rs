//! The sender reports (`senders`, `sender-domains`) and the volume line of
//! the summary: against hand-checked expected files, the `messages` report
//! they must add up to, any thread count, block size or split of the log,
//! `--hash-recipients`, and the real corpus (skipped when absent).

use std::collections::BTreeMap;

use crate::util::{self, run, run_with_stdin, sample, stderr, stdout};

const SAMPLES: [&str; 4] = ["postfix", "messages", "exim", "messages.exim"];
const KINDS: [&str; 2] = ["senders", "sender-domains"];
const COUNTS: [&str; 7] =
    ["recipients", "delivered", "bounced", "expired", "discarded", "pending", "deferred_attempts"];

/// Runs the binary; returns stdout and stderr, after checking it succeeded.
fn analyze(args: &[&str]) -> (String, String) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    (stdout(&out), stderr(&out))
}

/// The `bounces: received ...` line of a summary.
fn volume_line(summary: &str) -> &str {
    summary.lines().find(|l| l.starts_with("bounces: received ")).unwrap_or_else(|| panic!("no volume in {summary}"))
}

/// The columns `COUNTS` summed over every row of a report.
fn totals(csv: &str) -> BTreeMap<&'static str, u64> {
    let rows = util::csv_records(csv);
    COUNTS.iter().map(|&c| (c, rows.iter().map(|r| util::csv_count(r, c)).sum())).collect()
}

/// The expected files were checked by hand: in `messages.log`, the four
/// messages of `news@sender.example` (qmgr lines, one with `nrcpt=2`) give
/// u1 delivered after two deferrals, u2 bounced (user unknown), u3 expired,
/// u4 delivered, u6 pending (6 deferred lines); the hop of 1D00000004 and the
/// discard of 1G00000008 have no qmgr line and count as `(unknown)`. In
/// `messages.exim.log`, three `<=` lines of the same sender: x1 delivered,
/// x2 expired (retry timeout), x3 bounced. In `postfix.log`, e.g.
/// `hr@corp.example`'s one message (`nrcpt=6`) bounced for all six.
#[test]
fn samples_match_the_expected_reports() {
    for name in SAMPLES {
        for kind in KINDS {
            let (got, _) = analyze(&["analyze", "-q", "--tz", "UTC", "--report", kind, &format!("samples/{name}.log")]);
            let path = sample(&format!("expected/{name}.{kind}.csv"));
            util::assert_golden(&format!("{name} {kind}"), &got, &path);
        }
    }
}

/// The volume of each sample, counted by hand (`grep` of the distinct
/// queue ids of the qmgr `from=<...>, size=` lines or Exim `<=` lines, and
/// their sizes; recipients from `nrcpt=`, or for Exim the recipients
/// followed of each message).
#[test]
fn the_summary_says_what_was_received() {
    let cases = [
        ("messages", "bounces: received 4 messages, 8,192 bytes, 1.25 recipients per message"),
        ("messages.exim", "bounces: received 3 messages, 6,144 bytes, 1.00 recipients per message"),
        ("postfix", "bounces: received 30 messages, 631,077 bytes, 2.10 recipients per message"),
    ];
    for (name, want) in cases {
        let (_, summary) = analyze(&["analyze", "--tz", "UTC", "--report", "senders", &format!("samples/{name}.log")]);
        assert_eq!(volume_line(&summary), want, "{name}");
    }
    // Without a sender report, no volume (nothing of it was read).
    let (_, summary) = analyze(&["analyze", "--tz", "UTC", "--report", "messages", "samples/messages.log"]);
    assert!(!summary.contains("bounces: received "), "{summary}");
    // A log without any line that takes a message in says so.
    let dir = tempfile::tempdir().unwrap();
    let log = "2026-03-02T08:00:05+00:00 mx1 postfix/smtp[1]: 1A00000001: to=<u@a.example>, relay=x[192.0.2.1]:25, \
               delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n";
    let path = util::temp_file(&dir, "mail.log", log.as_bytes());
    let (got, summary) = analyze(&["analyze", "--tz", "UTC", "--report", "senders", &path]);
    assert!(summary.contains("bounces: received no message"), "{summary}");
    assert_eq!(got.lines().nth(1), Some("(unknown),(unknown),1,1,0,0,0,0,0,0.0000,"));
}

/// Every recipient the `messages` report counts is in exactly one sender
/// row (the `(unknown)` row included), and in one sender-domain row.
#[test]
fn sender_rows_add_up_to_the_messages_report() {
    for name in SAMPLES {
        let log = format!("samples/{name}.log");
        let (messages, _) = analyze(&["analyze", "-q", "--tz", "UTC", "--report", "messages", &log]);
        let want = totals(&messages);
        for kind in KINDS {
            let (got, _) = analyze(&["analyze", "-q", "--tz", "UTC", "--report", kind, &log]);
            assert_eq!(totals(&got), want, "{name} {kind}");
        }
    }
}

/// Threads, block sizes, and the log cut into two files (named in either
/// order, or the second piped): the same reports and the same volume.
#[test]
fn threads_block_sizes_and_splits_do_not_change_them() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["messages", "postfix", "exim"] {
        let log = format!("samples/{name}.log");
        for kind in KINDS {
            let (want, summary) = analyze(&["analyze", "--tz", "UTC", "--report", kind, &log]);
            let volume = volume_line(&summary).to_string();
            let check = |what: &str, (got, summary): (String, String)| {
                util::assert_same_text(&format!("{name} {kind}, {what}"), &got, &want);
                assert_eq!(volume_line(&summary), volume, "{name} {kind}, {what}");
            };
            for block_size in ["1", "7", "333", "4096"] {
                for threads in ["1", "2", "3"] {
                    let args = ["analyze", "--tz", "UTC", "--report", kind, "-j", threads, "--block-size", block_size];
                    check(&format!("-j {threads} --block-size {block_size}"), analyze(&[&args[..], &[&log]].concat()));
                }
            }
            let data = std::fs::read(util::root().join(&log)).unwrap();
            let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
            for cut in [1, lines.len() / 3, lines.len() / 2, lines.len() - 1] {
                let first = util::temp_file(&dir, &format!("{name}.1-{cut}"), &lines[..cut].concat());
                let second = util::temp_file(&dir, &format!("{name}-{cut}"), &lines[cut..].concat());
                for files in [[&first, &second], [&second, &first]] {
                    let args = ["analyze", "--tz", "UTC", "--report", kind, files[0], files[1]];
                    check(&format!("cut at line {cut}"), analyze(&args));
                }
                let piped = run_with_stdin(
                    &["analyze", "--tz", "UTC", "--report", kind, "-", &first],
                    Some(lines[cut..].concat().as_slice()),
                );
                assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
                check(&format!("cut at line {cut}, piped"), (stdout(&piped), stderr(&piped)));
            }
        }
    }
}

/// With `--hash-recipients`, each sender is its keyed hash (the one the
/// address would get as a recipient); the null sender, `(unknown)` and
/// the domains stay readable.
#[test]
fn hashed_senders() {
    let dir = tempfile::tempdir().unwrap();
    let key = util::secret_file(&dir, "key", b"s3cret\n");
    for name in SAMPLES {
        let log = format!("samples/{name}.log");
        let args = ["analyze", "-q", "--tz", "UTC", "--report", "senders"];
        let (plain, _) = analyze(&[&args[..], &[&log]].concat());
        let (hashed, _) = analyze(&[&args[..], &["--hash-recipients", "--hash-key-file", &key, &log]].concat());
        assert!(!hashed.contains('@'), "{name}: {hashed}");
        let (plain, hashed) = (util::csv_records(&plain), util::csv_records(&hashed));
        assert_eq!(plain.len(), hashed.len());
        for row in &plain {
            let sender = &row["sender"];
            let want = match sender.as_str() {
                "<>" | "(unknown)" => sender.clone(),
                _ => bounces::internals::report::keyed_hash(b"s3cret", sender.as_bytes()),
            };
            let found = hashed.iter().find(|h| h["sender"] == want).unwrap_or_else(|| panic!("{name}: {want}"));
            let rest = |r: &BTreeMap<String, String>| {
                r.iter().filter(|(k, _)| *k != "sender").map(|(_, v)| v.clone()).collect::<Vec<_>>()
            };
            assert_eq!(rest(found), rest(row), "{name}: {sender}");
        }
    }
    // The sender is spelled before it is hashed: local part as logged,
    // domain lower-cased.
    let log = "2026-03-02T08:00:00+00:00 mx1 postfix/qmgr[1]: 1A00000001: from=<News@Sender.EXAMPLE>, size=1, nrcpt=1 (queue active)\n\
               2026-03-02T08:00:05+00:00 mx1 postfix/smtp[1]: 1A00000001: to=<u@a.example>, relay=x[192.0.2.1]:25, delay=1, \
               delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n";
    let path = util::temp_file(&dir, "mail.log", log.as_bytes());
    let (plain, _) = analyze(&["analyze", "-q", "--report", "senders", &path]);
    assert_eq!(plain.lines().nth(1), Some("News@sender.example,sender.example,1,1,0,0,0,0,0,0.0000,"));
    let (hashed, _) =
        analyze(&["analyze", "-q", "--report", "senders", "--hash-recipients", "--hash-key-file", &key, &path]);
    let hash = bounces::internals::report::keyed_hash(b"s3cret", b"News@sender.example");
    assert_eq!(hashed.lines().nth(1), Some(&*format!("{hash},sender.example,1,1,0,0,0,0,0,0.0000,")));
}

/// Every real log: the sender rows add up to the `messages` report, and the
/// messages received are the distinct queue ids of the lines that take a
/// message in, counted here with a regular expression.
#[test]
fn corpus_senders_add_up() {
    let dir = util::root().join("../shared/corpus");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let postfix = regex::bytes::Regex::new(r"(?:^| )([0-9A-Za-z]{5,}): from=<[^>]*>, size=[0-9]+, nrcpt=").unwrap();
    let exim = regex::bytes::Regex::new(r"(?:^| )([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) <= ").unwrap();
    let mut logs: Vec<_> = ["postfix", "exim"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).into_iter().flatten())
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    let mut received = 0;
    for log in &logs {
        let path = log.to_str().unwrap();
        let (messages, _) = analyze(&["analyze", "-q", "--tz", "UTC", "--report", "messages", path]);
        let (senders, summary) = analyze(&["analyze", "--tz", "UTC", "--report", "senders", path]);
        assert_eq!(totals(&senders), totals(&messages), "{path}");
        let data = std::fs::read(log).unwrap();
        let mut ids = std::collections::HashSet::new();
        for line in data.split(|&b| b == b'\n') {
            if let Some(c) = postfix.captures(line).or_else(|| exim.captures(line)) {
                ids.insert(c[1].to_vec());
            }
        }
        let line = volume_line(&summary);
        let counted = match line.strip_prefix("bounces: received ") {
            Some(rest) if rest.starts_with("no message") => 0,
            Some(rest) => rest.split(' ').next().unwrap().replace(',', "").parse::<usize>().unwrap(),
            None => unreachable!(),
        };
        assert_eq!(counted, ids.len(), "{path}: {line}");
        received += counted;
    }
    assert!(received > 0, "the corpus has messages received");
}
