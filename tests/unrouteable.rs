//! Exim's `Unrouteable address` read with the whole log: no such user at a
//! domain the log shows a local delivery to (a delivery line without
//! `H=`), no such domain elsewhere; the same in every report that shows a
//! reason, whatever the threads and block size, and only with the local
//! deliveries inside `--since`/`--until`.

use std::collections::BTreeMap;

use crate::util::{self, run_with_stdin, stderr, stdout};

/// An Exim log written for the test. `own.example` gets one local delivery
/// (after its `Unrouteable address`, so that a reading in log order would
/// miss it); `remote.example` only a remote one (`H=`), which says nothing
/// of the domain being ours; `typo-domain.example` nothing else.
const LOG: &str = "\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= s@sender.example H=h [192.0.2.1] P=esmtp S=1234
2026-11-05 10:00:01 1tXyZa-0003Ab-Qr ** nouser@own.example: Unrouteable address
2026-11-05 10:00:02 1tXyZa-0003Ab-Qr ** x@typo-domain.example: Unrouteable address
2026-11-05 10:00:03 1tXyZa-0003Ab-Qr => bob@remote.example R=dnslookup T=remote_smtp H=mx.remote.example [192.0.2.2]
2026-11-05 10:00:04 1tXyZa-0003Ab-Qr ** gone@remote.example: Unrouteable address
2026-11-05 10:00:05 1tXyZa-0003Ab-Qr => alice <alice@own.example> R=localuser T=local_delivery
";

type Rows = Vec<BTreeMap<String, String>>;

/// The report `kind` with `extra` arguments, and the summary.
fn report(kind: &str, extra: &[&str]) -> (Rows, String) {
    let args = [&["analyze", "--tz", "UTC", "--report", kind][..], extra, &["-"]].concat();
    let out = run_with_stdin(&args, Some(LOG.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{kind} {extra:?}: {}", stderr(&out));
    (util::csv_records(&stdout(&out)), stderr(&out))
}

fn columns<'a>(rows: &'a Rows, names: &[&str]) -> Vec<Vec<&'a str>> {
    rows.iter().map(|row| names.iter().map(|&name| row[name].as_str()).collect()).collect()
}

/// Worked out by hand from [`LOG`]: the own domain's `Unrouteable address`
/// is userunknown, the two others hostunknown, in the reasons (with their
/// example), the codes, the summary and the suppression list; all hard
/// bounces, all listed. The same with one thread, and with two threads
/// reading blocks of 100 bytes (one line or less each).
#[test]
fn unrouteable_is_no_such_user_where_the_log_delivers_locally() {
    for extra in [&[][..], &["-j1"], &["-j2", "--block-size", "100"]] {
        let (reasons, summary) = report("reasons", extra);
        assert_eq!(
            columns(&reasons, &["domain", "reason", "bounce_type", "bounced", "example"]),
            [
                ["own.example", "userunknown", "hard", "1", "Unrouteable address"],
                ["remote.example", "hostunknown", "hard", "1", "Unrouteable address"],
                ["typo-domain.example", "hostunknown", "hard", "1", "Unrouteable address"],
            ],
            "{extra:?}"
        );
        assert!(summary.contains("bounced: 2 hostunknown (hard), 1 userunknown (hard)"), "{extra:?}: {summary}");

        let (codes, _) = report("codes", extra);
        assert_eq!(
            columns(&codes, &["domain", "status", "code", "reason", "bounce_type", "count"]),
            [
                ["own.example", "delivered", "", "delivered", "", "1"],
                ["own.example", "bounced", "", "userunknown", "hard", "1"],
                ["remote.example", "delivered", "", "delivered", "", "1"],
                ["remote.example", "bounced", "", "hostunknown", "hard", "1"],
                ["typo-domain.example", "bounced", "", "hostunknown", "hard", "1"],
            ],
            "{extra:?}"
        );
        let (domains, _) = report("domains", extra);
        let top: Vec<(&str, &str)> = domains.iter().map(|r| (r["domain"].as_str(), r["top_bounce"].as_str())).collect();
        assert!(top.iter().all(|&(_, label)| label == "unrouteable"), "{extra:?}: {top:?}");

        let (recipients, _) = report("recipients", extra);
        assert_eq!(
            columns(&recipients, &["recipient", "action", "outcome", "reason", "bounce_type", "last_reply"]),
            [
                ["nouser@own.example", "suppress", "bounced", "userunknown", "hard", "Unrouteable address"],
                ["gone@remote.example", "suppress", "bounced", "hostunknown", "hard", "Unrouteable address"],
                ["x@typo-domain.example", "suppress", "bounced", "hostunknown", "hard", "Unrouteable address"],
            ],
            "{extra:?}"
        );
    }
}

/// A local delivery outside `--since`/`--until` is not read: with the
/// window ending before it, the own domain's `Unrouteable address` is
/// hostunknown again, in the counts and the suppression list.
#[test]
fn only_local_deliveries_inside_the_window_count() {
    let window = ["--since", "2026-11-05T10:00:00Z", "--until", "2026-11-05T10:00:05Z"];
    let (reasons, _) = report("reasons", &window);
    let rows = columns(&reasons, &["domain", "reason", "bounced"]);
    assert!(rows.contains(&vec!["own.example", "hostunknown", "1"]), "{rows:?}");
    let (recipients, _) = report("recipients", &window);
    let rows = columns(&recipients, &["recipient", "reason"]);
    assert!(rows.contains(&vec!["nouser@own.example", "hostunknown"]), "{rows:?}");
    // The window that holds it reads it again.
    let (reasons, _) = report("reasons", &["--since", "2026-11-05T10:00:01Z"]);
    let rows = columns(&reasons, &["domain", "reason", "bounced"]);
    assert!(rows.contains(&vec!["own.example", "userunknown", "1"]), "{rows:?}");
}

/// The cut (`--max-domains`) folds a domain only after it was read with
/// the log: `(other)` holds the own domain's failure as userunknown.
#[test]
fn the_cut_folds_domains_after_they_are_read() {
    let (reasons, _) = report("reasons", &["--max-domains", "1"]);
    let rows = columns(&reasons, &["domain", "reason", "bounced"]);
    // own.example and remote.example have two events each, typo-domain one:
    // own.example sorts first and stays; `(other)` comes last.
    assert_eq!(rows, [["own.example", "userunknown", "1"], ["(other)", "hostunknown", "2"]]);
}
