//! The `rejects` and `problems` reports: the hand-written samples against
//! their goldens and against counts written here by hand, the same reports
//! whatever the threads and block size, and the real logs in
//! `../shared/corpus` against an independent count (skipped, saying so,
//! when the corpus is absent).

use std::collections::BTreeMap;

use regex::bytes::Regex;

use crate::util::{self, run, sample, stdout};

/// The report `report` of the sample `name`, as CSV, with the zone fixed.
fn report(name: &str, report: &str, extra: &[&str]) -> String {
    let path = format!("samples/{name}.log");
    let mut args = vec!["analyze", "-q", "--tz", "UTC", "--report", report];
    args.extend_from_slice(extra);
    args.push(&path);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    stdout(&out)
}

fn check_golden(name: &str, kind: &str) {
    let path = sample(&format!("expected/{name}.{kind}.csv"));
    util::assert_golden(&format!("{name} {kind} report"), &report(name, kind, &[]), &path);
}

#[test]
fn postfix_rejects_report() {
    check_golden("postfix-rejects", "rejects");
}

#[test]
fn exim_rejects_report() {
    check_golden("exim-rejects", "rejects");
}

#[test]
fn postfix_problems_report() {
    check_golden("postfix-rejects", "problems");
}

#[test]
fn exim_problems_report() {
    check_golden("exim-rejects", "problems");
}

/// The sum of `count` per value of `column`.
fn sums(csv: &str, column: &str) -> BTreeMap<String, u64> {
    let mut sums = BTreeMap::new();
    for row in util::csv_records(csv) {
        *sums.entry(row[column].clone()).or_insert(0) += util::csv_count(&row, "count");
    }
    sums
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

/// Counted by hand from the samples, line by line: every refusal shape
/// once or more, two lines shaped like refusals that cannot be read.
#[test]
fn rejects_match_the_hand_counts() {
    let postfix = report("postfix-rejects", "rejects", &[]);
    assert_eq!(
        sums(&postfix, "action"),
        map(&[("reject", 17), ("warn", 2), ("discard", 1), ("hold", 1), ("unparsable", 2)])
    );
    assert_eq!(
        sums(&postfix, "stage"),
        map(&[
            ("RCPT", 10),
            ("CONNECT", 1),
            ("HELO", 2),
            ("MAIL", 2),
            ("DATA", 1),
            ("END-OF-MESSAGE", 4),
            ("VRFY", 1),
            ("", 2)
        ])
    );
    let reasons = sums(&postfix, "reason");
    assert_eq!(reasons["userunknown"], 4, "three RCPT and one VRFY to unknown local users");
    assert_eq!(reasons["blocked"], 3, "two DNSBL hits by postscreen, one milter");
    assert_eq!(reasons["norelaying"], 1);
    assert_eq!(reasons["notaccept"], 1, "a null-MX recipient");

    let exim = report("exim-rejects", "rejects", &[]);
    assert_eq!(sums(&exim, "action"), map(&[("reject", 15), ("unparsable", 1)]));
    assert_eq!(
        sums(&exim, "stage"),
        map(&[
            ("RCPT", 5),
            ("MAIL", 1),
            ("END-OF-MESSAGE", 2),
            ("HELO", 2),
            ("CONNECT", 2),
            ("LOCAL", 1),
            ("DATA", 1),
            ("VRFY", 1),
            ("", 1)
        ])
    );
    assert_eq!(sums(&exim, "bounce_type")["soft"], 2, "the two temporarily rejected");
}

/// Counted by hand: Postfix's trouble (another program's `error:` lines
/// left out) and Exim's error lines.
#[test]
fn problems_match_the_hand_counts() {
    let postfix = report("postfix-rejects", "problems", &[]);
    assert_eq!(sums(&postfix, "level"), map(&[("warning", 10), ("fatal", 1), ("error", 1), ("panic", 1)]));
    assert_eq!(util::csv_records(&postfix).len(), 11, "two pairs of warnings are one kind each");
    let exim = report("exim-rejects", "problems", &[]);
    assert_eq!(sums(&exim, "level"), map(&[("error", 6)]));
    assert_eq!(util::csv_records(&exim).len(), 5);
}

/// Without `--report rejects` or `problems` their lines are not looked
/// for, and the delivery reports are what they were.
#[test]
fn the_delivery_reports_do_not_change() {
    for name in ["postfix-rejects", "exim-rejects"] {
        let domains = report(name, "domains", &[]);
        let rows: Vec<_> = util::csv_records(&domains);
        let total: u64 = rows.iter().map(|r| util::csv_count(r, "total")).sum();
        assert_eq!(total, 2, "{name}: one delivery, one bounce");
    }
}

/// Results merge by addition and examples are chosen by a rule: the same
/// bytes whatever the threads and block size.
#[test]
fn threads_and_block_size_do_not_change_them() {
    for name in ["postfix-rejects", "exim-rejects"] {
        for kind in ["rejects", "problems"] {
            let reference = report(name, kind, &["-j", "1"]);
            for block in ["1", "7", "64", "333", "4096"] {
                for threads in ["1", "2", "4"] {
                    let got = report(name, kind, &["-j", threads, "--block-size", block]);
                    assert!(got == reference, "{name} {kind}: block size {block}, {threads} threads");
                }
            }
        }
    }
}

/// The summary names the refusals and the most frequent kinds of trouble.
#[test]
fn the_summary_tells_them() {
    let out = run(&["analyze", "--tz", "UTC", "--report", "rejects", "samples/postfix-rejects.log"]);
    let err = util::stderr(&out);
    assert!(
        err.contains("bounces: 21 refusals by this server: 19 refused, discarded or held, 2 only warned (reject_warning); 2 lines shaped like refusals could not be read"),
        "{err}"
    );
    let out = run(&["analyze", "--tz", "UTC", "--report", "problems", "samples/postfix-rejects.log"]);
    let err = util::stderr(&out);
    assert!(err.contains("bounces: 13 lines of trouble (warning, error, fatal, panic) of 11 kinds"), "{err}");
    assert!(err.contains("  2 warning postfix/smtpd: hostname * does not resolve to address *"), "{err}");
}

/// Every real log: the report's lines (refusals and unparsable ones) equal
/// a count of the refusal lines made here with regular expressions.
#[test]
fn corpus_rejects_match_an_independent_count() {
    let dir = util::root().join("../shared/corpus");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found (the corpus is not part of the project)", dir.display());
        return;
    }
    let postfix = Regex::new(r"[0-9A-Za-z]+: (?:milter-|proxy-)?(?:reject|reject_warning|discard|hold): ").unwrap();
    let stamp = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}(?:\.[0-9]+)?(?: [+-][0-9]{4})? ";
    let exim = Regex::new(&format!(
        r"^(?:.*? exim\[[0-9]+\]: (?:{stamp})?|{stamp})(?:\[[0-9]+\] )?(?:[0-9A-Za-z]{{6}}-[0-9A-Za-z]{{6,11}}-[0-9A-Za-z]{{2,4}} )?(?:[A-Z][A-Za-z]*=.*? )?(?:temporarily )?rejected "
    ))
    .unwrap();
    let sync_error = Regex::new(r"SMTP protocol synchronization error").unwrap();
    let mut checked = 0;
    for sub in ["postfix", "exim"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .collect();
        files.sort();
        for path in files {
            let data = std::fs::read(&path).unwrap();
            let want = data
                .split(|&b| b == b'\n')
                .filter(|line| postfix.is_match(line) || (exim.is_match(line) && !sync_error.is_match(line)))
                .count() as u64;
            let out = run(&["analyze", "-q", "--report", "rejects", path.to_str().unwrap()]);
            let got: u64 = util::csv_records(&stdout(&out)).iter().map(|r| util::csv_count(r, "count")).sum();
            assert_eq!(got, want, "{}", path.display());
            checked += want;
        }
    }
    assert!(checked > 500, "the corpus holds many refusals ({checked})");
}

/// `--hash-recipients` hashes the addresses in the examples too (the
/// replies name recipients and senders); the counts stay the same.
#[test]
fn hashed_addresses_in_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let key = util::secret_file(&dir, "key", b"s3cret\n");
    for (name, kind) in [("postfix-rejects", "rejects"), ("exim-rejects", "rejects"), ("postfix-rejects", "problems")] {
        let plain = report(name, kind, &[]);
        let hashed = report(name, kind, &["--hash-recipients", "--hash-key-file", &key]);
        assert!(plain.contains("@our.example"), "{name} {kind}: {plain}");
        for row in util::csv_records(&hashed) {
            assert!(!row["example"].contains('@'), "{name} {kind}: {}", row["example"]);
        }
        let column = if kind == "rejects" { "stage" } else { "level" };
        assert_eq!(sums(&hashed, column), sums(&plain, column), "{name} {kind}");
    }
}
