//! Every log in `../shared/corpus` (real logs from public projects): the
//! number of events by outcome, in the library's tally and in the binary's
//! reports, must equal an independent count made here with regular
//! expressions, line by line (for Postfix logs, domain by domain too).
//! Skipped when the corpus is absent (it is not part of the project).

use std::collections::BTreeMap;
use std::path::PathBuf;

use indicatif::ProgressBar;
use regex::bytes::Regex;

use bounces::config::Mta;
use bounces::internals::input::{BlockOptions, Source};
use bounces::internals::report::Reports;
use bounces::internals::scan::{self, ScanOptions};

use crate::util;

fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = util::root().join("../shared/corpus");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return None;
    }
    let mut files: Vec<PathBuf> = ["postfix", "exim"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).into_iter().flatten())
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus has logs");
    Some(files)
}

/// Counts delivery lines by outcome without the crate's parsers: a Postfix
/// line starts with the queue id or has it right after a postfix syslog
/// tag; an Exim line has a delivery flag right after a message id.
fn independent_count(data: &[u8]) -> [u64; 3] {
    let postfix = Regex::new(
        r"^(?:.*? postfix[^ ]*\[[0-9]+\]: )?[0-9A-Za-z]+: to=[^ ]*, .*?\bstatus=(sent|deferred|SOFTBOUNCE|bounced)\b",
    )
    .unwrap();
    let exim = Regex::new(r"(?:^| )[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (=>|->|>>|==|\*\*) [^ ]").unwrap();
    let mut counts = [0u64; 3];
    for line in data.split(|&b| b == b'\n') {
        let flag = if let Some(c) = postfix.captures(line) {
            c.get(1).unwrap().as_bytes().to_vec()
        } else if let Some(c) = exim.captures(line) {
            c.get(1).unwrap().as_bytes().to_vec()
        } else {
            continue;
        };
        let outcome = match &flag[..] {
            b"sent" | b"=>" | b"->" | b">>" => 0,
            b"deferred" | b"SOFTBOUNCE" | b"==" => 1,
            _ => 2,
        };
        counts[outcome] += 1;
    }
    counts
}

/// Postfix events by domain, read without the crate's parsers.
fn independent_postfix_domains(data: &[u8]) -> BTreeMap<String, [u64; 3]> {
    let line_re = Regex::new(
        r"^(?:.*? [^ ]+\[[0-9]+\]: )?[0-9A-Za-z]+: to=<?([^>, ]*)>?, .*?\bstatus=(sent|deferred|SOFTBOUNCE|bounced)\b",
    )
    .unwrap();
    let mut domains = BTreeMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(c) = line_re.captures(line) else {
            continue;
        };
        let addr = String::from_utf8_lossy(&c[1]).to_lowercase();
        let domain = addr.rsplit_once('@').map_or("", |(_, d)| d);
        // No IDN in these logs: lower case and the trailing dot are the rule.
        let domain = match domain.strip_suffix('.').unwrap_or(domain) {
            "" => "(local)".to_string(),
            domain => domain.to_string(),
        };
        let outcome = match &c[2] {
            b"sent" => 0,
            b"deferred" | b"SOFTBOUNCE" => 1,
            _ => 2,
        };
        domains.entry(domain).or_insert([0u64; 3])[outcome] += 1;
    }
    domains
}

#[test]
fn events_match_an_independent_count() {
    let Some(files) = corpus_files() else { return };
    let mut total = 0;
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let want = independent_count(&data);
        let options = ScanOptions::new(Mta::Auto, 2, BlockOptions::default());
        let analysis =
            scan::run(&[Source::Path(path.clone())], &options, &ProgressBar::hidden()).expect("the scan runs");
        assert!(analysis.inputs[0].error.is_none(), "{}: {:?}", path.display(), analysis.inputs[0].error);
        assert_eq!(analysis.tally.events_by_outcome(), want, "{}", path.display());
        assert_eq!(analysis.tally.malformed(), 0, "{}: {:?}", path.display(), analysis.tally.examples());
        total += want.iter().sum::<u64>();
        if path.parent().is_some_and(|p| p.ends_with("postfix")) {
            let got: BTreeMap<String, [u64; 3]> = Reports::build(&analysis.tally)
                .domains
                .into_iter()
                .map(|row| (row.domain.to_string(), row.counts))
                .collect();
            assert_eq!(got, independent_postfix_domains(&data), "{} by domain", path.display());
        }
    }
    assert!(total > 4000, "the corpus holds thousands of delivery lines, counted {total}");
}

/// The `domains` report as domain -> (delivered, deferred, bounced,
/// expired), its total checked.
fn domains_of(report: &str) -> BTreeMap<String, [u64; 4]> {
    let mut rows = BTreeMap::new();
    for row in util::csv_records(report) {
        let count = |column: &str| util::csv_count(&row, column);
        let outcomes = [count("delivered"), count("deferred"), count("bounced"), count("expired")];
        assert_eq!(count("total"), outcomes.iter().sum::<u64>(), "total of {row:?}");
        rows.insert(row["domain"].clone(), outcomes);
    }
    rows
}

/// Postfix recipients returned to the sender after their queue id expired,
/// by domain, read without the crate's parsers: the recipients of the
/// queue id whose latest line before the `status=expired` line was a
/// deferral (the log is in time order).
fn independent_postfix_expired(data: &[u8]) -> BTreeMap<String, u64> {
    let delivery =
        Regex::new(r"([0-9A-Za-z]+): to=<?([^>, ]*)>?, .*?\bstatus=(sent|deferred|SOFTBOUNCE|bounced)\b").unwrap();
    let expiry = Regex::new(r"([0-9A-Za-z]+): from=<[^>]*>, status=(?:force-)?expired, returned to sender").unwrap();
    let mut last: BTreeMap<(Vec<u8>, String), bool> = BTreeMap::new();
    let mut expired = BTreeMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Some(c) = delivery.captures(line) {
            let addr = String::from_utf8_lossy(&c[2]).to_lowercase();
            let deferred = matches!(&c[3], b"deferred" | b"SOFTBOUNCE");
            last.insert((c[1].to_vec(), addr), deferred);
        } else if let Some(c) = expiry.captures(line) {
            for ((_, addr), deferred) in last.iter_mut().filter(|((qid, _), _)| *qid == c[1]) {
                if std::mem::take(deferred) {
                    let domain = addr.rsplit_once('@').map_or("", |(_, d)| d);
                    let domain = domain.strip_suffix('.').unwrap_or(domain);
                    *expired
                        .entry(if domain.is_empty() { "(local)".to_string() } else { domain.to_string() })
                        .or_default() += 1;
                }
            }
        }
    }
    expired
}

/// The binary on each file, as a user runs it: the `domains` report adds up
/// to the independent count by outcome (by domain, for Postfix), and the
/// `codes` report's counts add up to the same total.
#[test]
fn binary_reports_match_the_independent_count() {
    let Some(files) = corpus_files() else { return };
    for path in files {
        let name = path.display();
        let data = std::fs::read(&path).unwrap();
        let out = util::run(&["analyze", "-q", "--report", "domains", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", util::stderr(&out));
        let domains = domains_of(&util::stdout(&out));
        let postfix = path.parent().is_some_and(|p| p.ends_with("postfix"));
        let in_queue = if postfix { independent_postfix_expired(&data) } else { BTreeMap::new() };
        // Bounces that say the message expired are in `expired`, beside the
        // recipients expired in the queue, which are no delivery lines.
        let as_lines: BTreeMap<String, [u64; 3]> = domains
            .iter()
            .map(|(domain, &[delivered, deferred, bounced, expired])| {
                let expired_lines = expired - in_queue.get(domain).copied().unwrap_or(0);
                (domain.clone(), [delivered, deferred, bounced + expired_lines])
            })
            .collect();
        let mut sums = [0u64; 3];
        for counts in as_lines.values() {
            for (sum, n) in sums.iter_mut().zip(counts) {
                *sum += n;
            }
        }
        let want = independent_count(&data);
        assert_eq!(sums, want, "{name}: domains report by outcome");
        if postfix {
            assert_eq!(as_lines, independent_postfix_domains(&data), "{name}: domains report by domain");
            let got: BTreeMap<String, u64> =
                domains.iter().filter(|(_, c)| c[3] > 0).map(|(d, c)| (d.clone(), c[3])).collect();
            assert_eq!(got, in_queue, "{name}: expired recipients by domain");
        }
        let out = util::run(&["analyze", "-q", "--report", "codes", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", util::stderr(&out));
        let total: u64 = util::csv_records(&util::stdout(&out)).iter().map(|row| util::csv_count(row, "count")).sum();
        assert_eq!(total, want.iter().sum::<u64>(), "{name}: codes report total");
    }
}
