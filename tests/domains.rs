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

/// The `domains` report shows the mail Postfix gave up on: a domain whose
/// every message expired had 0 bounced and no bounce rate before. Worked
/// out by hand: queue id 01 expires with `a@` still deferred and `b@`
/// delivered in between; queue id 02 expires before its recipient's later
/// deferral (so it stays pending); an Exim retry timeout is an expiry too.
#[test]
fn expired_messages_count_in_the_domains_report() {
    let log = "\
2026-11-01T10:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E01: to=<a@slow.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.1]:25: Connection timed out)
2026-11-01T10:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E01: to=<b@fast.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.fast.example[192.0.2.2]:25: Connection timed out)
2026-11-02T10:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E01: to=<b@fast.example>, relay=mx.fast.example[192.0.2.2]:25, delay=86400, delays=86399/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 ok)
2026-11-04T10:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E01: to=<a@slow.example>, relay=none, delay=259200, delays=259199/0/1/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.1]:25: Connection timed out)
2026-11-05T10:00:00+00:00 mx postfix/qmgr[2]: 4B1C2D3E01: from=<news@our.example>, status=expired, returned to sender
2026-11-05T11:00:00+00:00 mx postfix/qmgr[2]: 4B1C2D3E02: from=<news@our.example>, status=expired, returned to sender
2026-11-05T12:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E02: to=<c@slow.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.1]:25: Connection timed out)
2026-11-05 13:00:00 1tXyZb-000000003Ab-Qr1x ** d@slow.example: retry timeout exceeded
";
    let want = "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\n\
                slow.example,5,0,3,0,2,1.0000,,4.4.1\r\n\
                fast.example,2,1,1,0,0,0.0000,,4.4.1\r\n";
    for extra in [&[][..], &["-j", "1"], &["--block-size", "100"]] {
        let args = [&["analyze", "-q", "--tz", "UTC"][..], extra, &["-"]].concat();
        let out = run_with_stdin(&args, Some(log.as_bytes()));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        util::assert_same_text("domains with expiries", &stdout(&out), want);
    }
    // The messages report counts the same recipients as expired.
    let out = run_with_stdin(&["analyze", "-q", "--tz", "UTC", "--report", "messages", "-"], Some(log.as_bytes()));
    let rows = util::csv_records(&stdout(&out));
    let slow = rows.iter().find(|r| r["domain"] == "slow.example").expect("a slow.example row");
    assert_eq!((slow["expired"].as_str(), slow["pending"].as_str()), ("2", "1"), "{rows:?}");
    let out = run_with_stdin(&["analyze", "--tz", "UTC", "-"], Some(log.as_bytes()));
    assert!(
        stderr(&out).contains(
            "Postfix gave up on 2 messages (status=expired): 1 recipient still deferred then, counted as expired"
        ),
        "{}",
        stderr(&out)
    );
}

/// Six domains with 6, 3, 2, 2, 1 and 1 events, in an order that is not
/// theirs: (domain, status, dsn, reply).
const SIX: [(&str, &str, &str, &str); 15] = [
    ("e.example", "sent", "2.0.0", "250 2.0.0 ok"),
    ("c.example", "sent", "2.0.0", "250 2.0.0 ok"),
    ("big.example", "sent", "2.0.0", "250 2.0.0 ok"),
    ("d.example", "bounced", "5.1.1", "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)"),
    ("b.example", "deferred", "4.7.1", "host mx[192.0.2.1] said: 451 4.7.1 try later (in reply to RCPT TO command)"),
    ("big.example", "sent", "2.0.0", "250 2.0.0 ok"),
    ("a.example", "bounced", "5.1.1", "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)"),
    (
        "big.example",
        "bounced",
        "5.1.1",
        "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)",
    ),
    ("c.example", "sent", "2.0.0", "250 2.0.0 ok"),
    ("a.example", "bounced", "5.1.1", "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)"),
    ("big.example", "sent", "2.0.0", "250 2.0.0 ok"),
    ("b.example", "deferred", "4.7.1", "host mx[192.0.2.1] said: 451 4.7.1 try later (in reply to RCPT TO command)"),
    (
        "big.example",
        "bounced",
        "5.1.1",
        "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)",
    ),
    ("a.example", "bounced", "5.1.1", "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)"),
    ("big.example", "sent", "2.0.0", "250 2.0.0 ok"),
];

fn six_log() -> String {
    SIX.iter()
        .enumerate()
        .map(|(i, (domain, status, dsn, reply))| {
            format!(
                "2026-11-05T10:00:{i:02}+00:00 mx postfix/smtp[1]: 4B1C2D3F{i:02}: to=<u{i}@{domain}>, \
                 relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn={dsn}, status={status} ({reply})\n"
            )
        })
        .collect()
}

/// `--max-domains 3` keeps the three domains with the most events (b and c
/// have 2 each: b sorts first) and counts c, d and e together, last; the
/// summary says how many domains and events that is. Worked out by hand;
/// the same with one thread and two, and with tiny blocks.
#[test]
fn max_domains_keeps_the_biggest_and_says_what_it_folded() {
    let want = "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\n\
                a.example,3,0,0,3,0,1.0000,550 5.1.1,\r\n\
                big.example,6,4,0,2,0,0.3333,550 5.1.1,\r\n\
                b.example,2,0,2,0,0,,,451 4.7.1\r\n\
                (other),4,3,0,1,0,0.2500,550 5.1.1,\r\n";
    let log = six_log();
    for extra in [&["-j", "1"][..], &["-j", "2", "--block-size", "200"]] {
        let args = [&["analyze", "--tz", "UTC", "--max-domains", "3"][..], extra, &["-"]].concat();
        let out = run_with_stdin(&args, Some(log.as_bytes()));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), want, "{extra:?}");
        let err = stderr(&out);
        let line = "bounces: --max-domains 3: the 3 recipient domains with the most delivery events have rows of \
                    their own, the other 3 (4 delivery events) are counted together as (other)\n";
        assert!(err.contains(line), "{err}");
    }
}

/// Every report that counts per domain folds the same domains: `codes`,
/// `reasons` and `messages` name the three biggest and `(other)`, as
/// `domains` does; `(other)`'s rows add up to what the folded domains had.
/// The suppression list keeps each address's own domain.
#[test]
fn every_report_folds_the_same_domains() {
    let log = six_log();
    let report = |kind: &str| {
        let args = ["analyze", "-q", "--tz", "UTC", "--max-domains", "3", "--report", kind, "-"];
        let out = run_with_stdin(&args, Some(log.as_bytes()));
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        util::csv_records(&stdout(&out))
    };
    let kept: BTreeSet<&str> = ["a.example", "big.example", "b.example", "(other)"].into();
    for kind in ["domains", "codes", "reasons", "messages"] {
        assert_eq!(domains(&report(kind)), kept, "{kind}");
    }
    let codes = report("codes");
    let other: Vec<(&str, &str, &str)> = codes
        .iter()
        .filter(|r| r["domain"] == "(other)")
        .map(|r| (r["status"].as_str(), r["code"].as_str(), r["count"].as_str()))
        .collect();
    assert_eq!(other, [("delivered", "250", "3"), ("bounced", "550", "1")]);
    let messages = report("messages");
    let last = messages.last().unwrap();
    assert_eq!(
        (last["domain"].as_str(), last["recipients"].as_str(), last["delivered"].as_str()),
        ("(other)", "4", "3")
    );
    let recipients = report("recipients");
    let listed: BTreeSet<&str> = recipients.iter().map(|r| r["domain"].as_str()).collect();
    assert_eq!(listed, ["a.example", "big.example", "d.example"].into());
}
