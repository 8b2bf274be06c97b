//! The reports against what `examples/synth` wrote: for a few seeds, sizes,
//! timestamp styles and both MTAs, the synth writes a log and, counted as it
//! wrote each line, the events per domain (`--truth`) and per (domain,
//! outcome, code, enhanced code) (`--truth-codes`). Every row of the
//! `domains` report must match the first (counts, total, and a bounce rate
//! worked out here from the truth), and the `codes` report, summed over the
//! columns the truth does not cover (class, reason, ...), must match the
//! second: no row missing, none extra. The `messages` report counts
//! recipients, not lines: its deferred attempts must add up to the deferred
//! lines, and it can have no more delivered or bounced recipients than lines.
//!
//! The synth is an example: `cargo test` builds it next to the binary, while
//! `cargo test --test integration` alone does not (run `cargo build
//! --example synth` first).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{self, run, stdout};

/// One generated log.
struct Case {
    mta: &'static str,
    seed: u64,
    size: &'static str,
    timestamps: &'static str,
    /// Fewer domains give more events per domain (rates other than 0 and 1,
    /// several codes per domain); the default gives many rare domains.
    domains: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case { mta: "postfix", seed: 1, size: "2M", timestamps: "mixed", domains: None },
    Case { mta: "postfix", seed: 7, size: "300K", timestamps: "bsd", domains: Some("150") },
    Case { mta: "postfix", seed: 42, size: "1M", timestamps: "rfc3339", domains: Some("2000") },
    Case { mta: "exim", seed: 1, size: "2M", timestamps: "mixed", domains: None },
    Case { mta: "exim", seed: 7, size: "300K", timestamps: "native", domains: Some("150") },
    Case { mta: "exim", seed: 42, size: "1M", timestamps: "rfc3339", domains: Some("2000") },
];

/// The synth example, built by `cargo test` next to the `bounces` binary.
fn synth() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_bounces"));
    let path = bin
        .parent()
        .expect("the binary is in a directory")
        .join("examples")
        .join(format!("synth{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run `cargo test` (which builds the examples) or `cargo build --example synth` first",
            path.display()
        )
    });
    // The newest of the generator's source files.
    let source = std::fs::read_dir(util::root().join("examples/synth"))
        .unwrap()
        .map(|entry| entry.unwrap().metadata().and_then(|m| m.modified()).unwrap())
        .max()
        .expect("examples/synth holds the generator");
    assert!(
        built >= source,
        "{} is older than examples/synth/: run `cargo test` or `cargo build --example synth` first",
        path.display()
    );
    path
}

/// bounced / (delivered + bounced) with 4 decimals, empty when both are 0
/// (README, `domains`).
fn bounce_rate(delivered: u64, bounced: u64) -> String {
    if delivered + bounced == 0 {
        String::new()
    } else {
        format!("{:.4}", bounced as f64 / (delivered + bounced) as f64)
    }
}

/// Panics with the first few `problems`, if there are any.
fn check(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(12).map(String::as_str).collect();
        panic!("{what}: {} problems, first:\n  {}", problems.len(), shown.join("\n  "));
    }
}

/// (domain, outcome, code, enhanced) to a count.
type CodeCounts = BTreeMap<(String, String, String, String), u64>;

fn check_case(case: &Case) {
    let Case { mta, seed, size, timestamps, domains } = case;
    let name = format!("{mta} seed {seed} size {size} timestamps {timestamps} domains {domains:?}");
    let dir = tempfile::tempdir().unwrap();
    let (log, truth, truth_codes) =
        (dir.path().join("synth.log"), dir.path().join("truth.csv"), dir.path().join("codes.csv"));
    let seed = seed.to_string();
    let mut args = vec!["--mta", mta, "--size", size, "--seed", &seed, "--timestamps", timestamps, "-q"];
    if let Some(n) = domains {
        args.extend(["--domains", n]);
    }
    let status = Command::new(synth())
        .args(args)
        .arg("--truth")
        .arg(&truth)
        .arg("--truth-codes")
        .arg(&truth_codes)
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::inherit())
        .status()
        .expect("the synth runs");
    assert!(status.success(), "{name}: synth failed");
    let log = log.to_str().expect("temporary paths are UTF-8");
    let report = |kind: &str| {
        let out = run(&["analyze", "-q", "--tz", "UTC", "--report", kind, log]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", util::stderr(&out));
        util::csv_records(&stdout(&out))
    };

    // The truth, and a check that it is worth comparing with.
    let mut want: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for row in util::csv_records(&util::read(&truth)) {
        let counts =
            [util::csv_count(&row, "delivered"), util::csv_count(&row, "deferred"), util::csv_count(&row, "bounced")];
        assert!(want.insert(row["domain"].clone(), counts).is_none(), "{name}: truth repeats {}", row["domain"]);
    }
    let sums = want.values().fold([0; 3], |s, c| [s[0] + c[0], s[1] + c[1], s[2] + c[2]]);
    assert!(sums.iter().all(|&n| n > 0) && sums.iter().sum::<u64>() > 300, "{name}: thin truth {sums:?}");

    // domains: every row is a truth domain with its counts, and back.
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for row in report("domains") {
        let domain = row["domain"].clone();
        let got =
            [util::csv_count(&row, "delivered"), util::csv_count(&row, "deferred"), util::csv_count(&row, "bounced")];
        match want.get(&domain) {
            None => problems.push(format!("{domain}: in the report, not in the truth ({got:?})")),
            Some(&counts) => {
                if got != counts {
                    problems.push(format!("{domain}: delivered, deferred, bounced {got:?}, truth {counts:?}"));
                }
                let total = counts.iter().sum::<u64>();
                if util::csv_count(&row, "total") != total {
                    problems.push(format!("{domain}: total {}, truth {total}", row["total"]));
                }
                let rate = bounce_rate(counts[0], counts[2]);
                if row["bounce_rate"] != rate {
                    problems.push(format!("{domain}: bounce_rate {:?}, truth {rate:?}", row["bounce_rate"]));
                }
            }
        }
        if !seen.insert(domain.clone()) {
            problems.push(format!("{domain}: two rows"));
        }
    }
    problems
        .extend(want.keys().filter(|d| !seen.contains(*d)).map(|d| format!("{d}: in the truth, not in the report")));
    check(&format!("{name}: domains report"), &problems);

    // codes: rows summed by (domain, status, code, enhanced), both ways.
    let mut want_codes = CodeCounts::new();
    for row in util::csv_records(&util::read(&truth_codes)) {
        let key = (row["domain"].clone(), row["outcome"].clone(), row["code"].clone(), row["enhanced"].clone());
        assert!(
            want_codes.insert(key, util::csv_count(&row, "count")).is_none(),
            "{name}: codes truth repeats {row:?}"
        );
    }
    let mut got_codes = CodeCounts::new();
    for row in report("codes") {
        let key = (row["domain"].clone(), row["status"].clone(), row["code"].clone(), row["enhanced"].clone());
        *got_codes.entry(key).or_default() += util::csv_count(&row, "count");
    }
    let mut problems = Vec::new();
    for key in want_codes.keys().chain(got_codes.keys().filter(|k| !want_codes.contains_key(*k))) {
        let (got, truth) = (got_codes.get(key).copied().unwrap_or(0), want_codes.get(key).copied().unwrap_or(0));
        if got != truth {
            problems.push(format!("{key:?}: report {got}, truth {truth}"));
        }
    }
    check(&format!("{name}: codes report"), &problems);
    // The two truths count the same events.
    let mut from_codes: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for ((domain, outcome, _, _), n) in &want_codes {
        let i = ["delivered", "deferred", "bounced"].iter().position(|o| o == outcome).expect("a known outcome");
        from_codes.entry(domain.clone()).or_default()[i] += n;
    }
    assert!(from_codes == want, "{name}: the two truth files count different events");

    // messages counts recipients, not lines, so only some sums are bound by
    // the truth: each deferred line is one recipient's deferred attempt, and
    // a recipient delivered or bounced has a line saying so.
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for row in report("messages") {
        let domain = row["domain"].clone();
        let Some(&[delivered, deferred, bounced]) = want.get(&domain) else {
            problems.push(format!("{domain}: in the messages report, not in the truth"));
            continue;
        };
        seen.insert(domain.clone());
        let n = |column| util::csv_count(&row, column);
        if n("deferred_attempts") != deferred {
            problems.push(format!("{domain}: deferred_attempts {}, truth deferred {deferred}", n("deferred_attempts")));
        }
        if n("recipients") != n("delivered") + n("bounced") + n("expired") + n("discarded") + n("pending") {
            problems.push(format!(
                "{domain}: recipients are not delivered + bounced + expired + discarded + pending: {row:?}"
            ));
        }
        // A discard is a delivered line too.
        if n("delivered") + n("discarded") > delivered || n("bounced") > bounced {
            problems.push(format!("{domain}: more recipients than lines: {row:?}, truth {:?}", want[&domain]));
        }
    }
    problems.extend(want.keys().filter(|d| !seen.contains(*d)).map(|d| format!("{d}: not in the messages report")));
    check(&format!("{name}: messages report"), &problems);
}

#[test]
fn postfix_reports_match_the_synth_truth() {
    for case in CASES.iter().filter(|c| c.mta == "postfix") {
        check_case(case);
    }
}

#[test]
fn exim_reports_match_the_synth_truth() {
    for case in CASES.iter().filter(|c| c.mta == "exim") {
        check_case(case);
    }
}
