//! One spelling of a domain in every report: the same name written in upper
//! case, with a trailing dot, or in its ASCII (`xn--`) form is one row, and
//! an address without `@` is `(local)`, in the line-level reports and the
//! message-level ones alike, so they can be joined on the domain column.

use std::collections::BTreeSet;

use crate::util::{self, run_with_stdin, stderr, stdout};

/// One name, `münchen.example`, four ways; `пример.рф` two ways; and Exim
/// local deliveries whose recipient has no `@` (as Exim's test suite logs
/// them), one delivered and one bounced.
const LOG: &str = "\
2026-11-05T10:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E01: to=<a@M\u{dc}NCHEN.example>, relay=mx.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command))
2026-11-05T10:00:01+00:00 mx postfix/smtp[1]: 4B1C2D3E02: to=<b@xn--mnchen-3ya.example>, relay=mx.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command))
2026-11-05T10:00:02+00:00 mx postfix/smtp[1]: 4B1C2D3E03: to=<c@m\u{fc}nchen.example.>, relay=mx.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 ok)
2026-11-05T10:00:03+00:00 mx postfix/smtp[1]: 4B1C2D3E04: to=<d@XN--MNCHEN-3YA.EXAMPLE>, relay=mx.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.example[192.0.2.1] said: 452 4.2.2 mailbox full (in reply to RCPT TO command))
2026-11-05T10:00:04+00:00 mx postfix/smtp[1]: 4B1C2D3E05: to=<e@\u{41f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{420}\u{424}>, relay=mx.example[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example[192.0.2.2] said: 550 5.1.1 no such user (in reply to RCPT TO command))
2026-11-05T10:00:05+00:00 mx postfix/smtp[1]: 4B1C2D3E06: to=<f@xn--e1afmkfd.xn--p1ai>, relay=mx.example[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 ok)
2026-11-05 10:00:06 1tXyZa-000000003Ab-Qr1x => userz <system-filter> R=user_accept1 T=appendfile
2026-11-05 10:00:07 1tXyZb-000000003Ab-Qr1x ** root <root> R=localuser T=local_delivery: Unrouteable address
";

const MUNICH: &str = "m\u{fc}nchen.example";
const EXAMPLE_RF: &str = "\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}";

fn report(kind: &str, extra: &[&str]) -> Vec<std::collections::BTreeMap<String, String>> {
    let args = [&["analyze", "-q", "--tz", "UTC", "--report", kind][..], extra, &["-"]].concat();
    let out = run_with_stdin(&args, Some(LOG.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
    util::csv_records(&stdout(&out))
}

fn domains(rows: &[std::collections::BTreeMap<String, String>]) -> BTreeSet<&str> {
    rows.iter().map(|row| row["domain"].as_str()).collect()
}

#[test]
fn every_report_spells_a_domain_the_same_way() {
    let all: BTreeSet<&str> = [MUNICH, EXAMPLE_RF, "(local)"].into();
    for kind in ["domains", "codes", "reasons", "messages"] {
        assert_eq!(domains(&report(kind, &[])), all, "{kind}");
    }
    let line_level = report("domains", &[]);
    let counts: Vec<(&str, &str)> = line_level.iter().map(|r| (r["domain"].as_str(), r["total"].as_str())).collect();
    assert_eq!(counts, [(MUNICH, "4"), ("(local)", "2"), (EXAMPLE_RF, "2")]);
    let messages = report("messages", &[]);
    let counts: Vec<(&str, &str)> = messages.iter().map(|r| (r["domain"].as_str(), r["recipients"].as_str())).collect();
    assert_eq!(counts, [(MUNICH, "4"), ("(local)", "2"), (EXAMPLE_RF, "2")]);
    // The suppression list: the address keeps its local part as logged and
    // takes the domain's spelling; an address without `@` stays whole.
    let recipients = report("recipients", &[]);
    let rows: Vec<(&str, &str)> = recipients.iter().map(|r| (r["recipient"].as_str(), r["domain"].as_str())).collect();
    let a = format!("a@{MUNICH}");
    let b = format!("b@{MUNICH}");
    let e = format!("e@{EXAMPLE_RF}");
    assert_eq!(rows, [("root", "(local)"), (&a[..], MUNICH), (&b[..], MUNICH), (&e[..], EXAMPLE_RF)]);
}

/// The cap counts names as spelled: three domains fit in three places,
/// however many ways the log wrote them.
#[test]
fn the_domain_cap_counts_spellings_once() {
    let rows = report("domains", &["--max-domains", "3"]);
    assert!(!domains(&rows).contains("(other)"), "{rows:?}");
    let rows = report("domains", &["--max-domains", "2"]);
    assert!(domains(&rows).contains("(other)"), "{rows:?}");
}
