//! The bundled samples, checked two ways:
//! - every line against `samples/expected/*.events.tsv`, a list of events
//!   written by hand from the spec (which lines are deliveries, and the
//!   domain, status, code and enhanced code of each);
//! - the whole `domains` and `codes` CSV reports against
//!   `samples/expected/*.{domains,codes}.csv`.
//!
//! The CSV files are goldens: they were checked by hand, but a change in the
//! program can rewrite them (`BOUNCES_BLESS=1 cargo test samples`, which then
//! fails on purpose until the diff is reviewed and the tests run again
//! without it). So every value in them that is derived (bounce rate, top
//! failure, descriptions, reasons, bounce types) also has a table test with
//! expectations worked out by hand, next to the code that derives it.

use bounces::config::{Mta, ReportKind};
use bounces::internals::parse::{Outcome, Parsed};
use bounces::internals::report::Reports;
use bounces::internals::search::Scanner;
use bounces::internals::worker::Worker;

use crate::util::{self, run, sample, stdout};

/// The events the scanner finds, one TSV row per line, as in the truth file.
fn events_of(log: &[u8]) -> String {
    let scanner = Scanner::new(Mta::Auto);
    let mut out = String::from("line\tdomain\tstatus\tcode\tenhanced\n");
    for (index, line) in log.split(|&b| b == b'\n').enumerate() {
        let row = match scanner.parse_line(line) {
            Parsed::Event(e) => {
                // The name the reports give it, by the crate's own
                // normalization: the truth file holds it as written by hand.
                let mut worker = Worker::default();
                worker.record(0, &e);
                let domain = Reports::build_for(worker.tally(), &[ReportKind::Domains]).domains[0].domain.to_string();
                let status = match e.outcome {
                    Outcome::Delivered => "delivered",
                    Outcome::Deferred => "deferred",
                    Outcome::Bounced => "bounced",
                };
                let code = e.code.map(|c| c.to_string()).unwrap_or_default();
                let enhanced = e.enhanced.map(|c| c.to_string()).unwrap_or_default();
                format!("{domain}\t{status}\t{code}\t{enhanced}")
            }
            Parsed::Malformed => "\tmalformed\t\t".to_string(),
            Parsed::Expiry { queue_id } => format!("{}\texpiry\t\t", String::from_utf8_lossy(queue_id)),
            Parsed::Probe
            | Parsed::Arrival { .. }
            | Parsed::Queued { .. }
            | Parsed::Refusal(_)
            | Parsed::BadRefusal
            | Parsed::Problem(_)
            | Parsed::Other => continue,
        };
        out.push_str(&format!("{}\t{row}\n", index + 1));
    }
    out
}

fn check_events(name: &str) {
    let log = std::fs::read(sample(&format!("{name}.log"))).unwrap();
    let want = util::read(&sample(&format!("expected/{name}.events.tsv")));
    util::assert_same_text(&format!("{name}.log events"), &events_of(&log), &want);
}

#[test]
fn postfix_lines_match_the_hand_written_events() {
    check_events("postfix");
}

#[test]
fn exim_lines_match_the_hand_written_events() {
    check_events("exim");
}

fn check_report(name: &str, report: &str) {
    // Exim's stamps carry their year, so its time series do not depend on
    // when the test runs; the zone is fixed.
    let out = run(&["analyze", "-q", "--tz", "UTC", "--report", report, &format!("samples/{name}.log")]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let path = sample(&format!("expected/{name}.{report}.csv"));
    util::assert_golden(&format!("{name} {report} report"), &stdout(&out), &path);
}

#[test]
fn postfix_domains_report() {
    check_report("postfix", "domains");
}

#[test]
fn postfix_codes_report() {
    check_report("postfix", "codes");
}

#[test]
fn exim_domains_report() {
    check_report("exim", "domains");
}

#[test]
fn exim_codes_report() {
    check_report("exim", "codes");
}

#[test]
fn postfix_reasons_report() {
    check_report("postfix", "reasons");
}

#[test]
fn exim_reasons_report() {
    check_report("exim", "reasons");
}

#[test]
fn exim_hourly_report() {
    check_report("exim", "hourly");
}
