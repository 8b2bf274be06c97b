//! The `domains` report: one row per recipient domain.
//!
//! Columns: [`DomainRow::COLUMNS`]. Sorted by bounced plus expired, then
//! total (both descending), then domain.
//!
//! A bounce that says the message expired (Exim's `retry timeout exceeded`,
//! `X.4.7` from a later relay: the reason `expired`) counts as expired, not
//! bounced; so do the recipients that Postfix returned to their sender
//! (`status=expired`), which the message layer finds from the queue id's
//! deferrals ([`DomainRow::add_expired_in_queue`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::table::{Cell, Column, Row, bounce_rate};
use super::{Group, failure_label};
use crate::classify::Reason;
use crate::parse::{Enhanced, Note, Outcome};
use crate::tally::CodeCount;

/// One row of the `domains` report.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRow {
    /// The recipient domain (lower case, no trailing dot; empty when the
    /// address had no domain).
    pub domain: Arc<str>,
    /// Delivery events by outcome: delivered, deferred, bounced (bounces
    /// with the reason `expired` left out: they are in `expired`).
    pub counts: [u64; 3],
    /// Recipients given up on after expiring: bounces with the reason
    /// `expired`, and recipients Postfix returned after their queue id
    /// expired.
    pub expired: u64,
    /// The most frequent code label among bounced events.
    pub top_bounce: Option<String>,
    /// The most frequent code label among deferred events.
    pub top_deferral: Option<String>,
}

impl DomainRow {
    /// All outcomes: the events and the recipients expired.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.expired
    }

    /// (bounced + expired) / (delivered + bounced + expired), when any of
    /// them is not 0.
    pub fn bounce_rate(&self) -> Option<f64> {
        let [delivered, _, bounced] = self.counts;
        bounce_rate(delivered, bounced + self.expired)
    }

    /// Adds `n` recipients expired in the queue (found by the message
    /// layer: a Postfix expiry names no recipient).
    pub fn add_expired_in_queue(&mut self, n: u64) {
        self.expired += n;
    }

    /// The key of the report's order (ascending): bounced plus expired,
    /// then total, both descending.
    pub(super) fn order(&self) -> (std::cmp::Reverse<u64>, std::cmp::Reverse<u64>) {
        (std::cmp::Reverse(self.counts[2] + self.expired), std::cmp::Reverse(self.total()))
    }
}

/// The rows of `groups`, which must be sorted by name.
pub(super) fn rows(groups: &[Group]) -> Vec<DomainRow> {
    let mut rows: Vec<DomainRow> = groups
        .iter()
        .map(|g| {
            let expired: u64 = g.codes.iter().filter(|c| is_expiry(c)).map(|c| c.count).sum();
            let [delivered, deferred, bounced] = g.outcomes;
            DomainRow {
                domain: g.name.clone(),
                counts: [delivered, deferred, bounced.saturating_sub(expired)],
                expired,
                top_bounce: top(&g.codes, Outcome::Bounced),
                top_deferral: top(&g.codes, Outcome::Deferred),
            }
        })
        .collect();
    // The groups come sorted by name, and a stable sort keeps that order
    // among equal counts: no name is compared again.
    rows.sort_by_key(DomainRow::order);
    rows
}

/// Adds the recipients expired in the queue to the rows of their domains
/// (of `(other)` for a domain folded into it), and puts the rows back in
/// order, `(other)` still last.
pub(super) fn add_expired_in_queue<'a>(rows: &mut Vec<DomainRow>, expired: impl Iterator<Item = (&'a [u8], u64)>) {
    let mut found: Vec<(usize, u64)> = Vec::new();
    let mut folded = 0;
    {
        let at: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, row)| (&*row.domain, i)).collect();
        for (domain, n) in expired {
            match at.get(&*String::from_utf8_lossy(domain)) {
                Some(&i) if &*rows[i].domain != OTHER => found.push((i, n)),
                _ => folded += n,
            }
        }
    }
    if found.is_empty() && folded == 0 {
        return;
    }
    for (i, n) in found {
        rows[i].add_expired_in_queue(n);
    }
    if folded > 0 {
        let other = match rows.iter().position(|row| &*row.domain == OTHER) {
            Some(at) => at,
            None => {
                rows.push(DomainRow {
                    domain: OTHER.into(),
                    counts: [0; 3],
                    expired: 0,
                    top_bounce: None,
                    top_deferral: None,
                });
                rows.len() - 1
            }
        };
        rows[other].add_expired_in_queue(folded);
    }
    let kept = rows.iter().position(|row| &*row.domain == OTHER).unwrap_or(rows.len());
    rows[..kept].sort_by(|a, b| a.order().cmp(&b.order()).then_with(|| a.domain.cmp(&b.domain)));
}

/// The name of the row of the domains beyond the cap.
pub const OTHER: &str = "(other)";

/// A bounce that says the message expired.
fn is_expiry(c: &CodeCount) -> bool {
    c.outcome == Outcome::Bounced && c.reason == Reason::Expired
}

/// What a `top_bounce` or `top_deferral` label names: code, enhanced code, note.
type Label = (Option<u16>, Option<Enhanced>, Note);

/// The most frequent (code, enhanced, note) among the events of `outcome`
/// (expiries left out), as a label (the stage is not part of it: the labels
/// name codes); ties go to the label that sorts first.
fn top(codes: &[CodeCount], outcome: Outcome) -> Option<String> {
    let mut counts: Vec<(Label, u64)> = Vec::new();
    for c in codes.iter().filter(|c| c.outcome == outcome && !is_expiry(c)) {
        let key = (c.code, c.enhanced, c.note);
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 += c.count,
            None => counts.push((key, c.count)),
        }
    }
    let most = counts.iter().map(|(_, n)| *n).max()?;
    counts
        .iter()
        .filter(|(_, n)| *n == most)
        .map(|&((code, enhanced, note), _)| failure_label(code, enhanced, note))
        .min()
}

impl Row for DomainRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "domain", about: "recipient domain" },
        Column { name: "total", about: "delivered + deferred + bounced + expired" },
        Column { name: "delivered", about: "events delivered" },
        Column { name: "deferred", about: "events deferred" },
        Column { name: "bounced", about: "events bounced (expiries left out)" },
        Column {
            name: "expired",
            about: "recipients given up on after expiring: Postfix status=expired, Exim retry timeout, X.4.7",
        },
        Column {
            name: "bounce_rate",
            about: "(bounced + expired) / (delivered + bounced + expired); empty when all are 0",
        },
        Column { name: "top_bounce", about: "the most frequent codes among bounced events" },
        Column { name: "top_deferral", about: "the most frequent codes among deferred events" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        let [delivered, deferred, bounced] = self.counts;
        out.extend([
            Cell::Logged(&self.domain),
            Cell::Count(self.total()),
            Cell::Count(delivered),
            Cell::Count(deferred),
            Cell::Count(bounced),
            Cell::Count(self.expired),
            Cell::Ratio(self.bounce_rate()),
            Cell::Text(self.top_bounce.as_deref().unwrap_or("")),
            Cell::Text(self.top_deferral.as_deref().unwrap_or("")),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Reason;
    use crate::parse::{Note, enhanced_at};

    /// The written `total` and `bounce_rate` cells of a domain with these
    /// counts (delivered, deferred, bounced) and expired recipients.
    fn cells(counts: [u64; 3], expired: u64) -> (String, String) {
        let row = DomainRow { domain: "d.example".into(), counts, expired, top_bounce: None, top_deferral: None };
        let mut out = Vec::new();
        crate::format::csv::write(&[row], &mut out, Default::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("domain,total,delivered,deferred,bounced,expired,bounce_rate,"), "{text}");
        let line = text.lines().nth(1).expect("one row after the header");
        let cells: Vec<&str> = line.split(',').collect();
        (cells[1].to_string(), cells[6].to_string())
    }

    /// (bounced + expired) / (delivered + bounced + expired), worked out by
    /// hand: deferrals are attempts, not outcomes, so they change neither
    /// side; an expiry is a failure like a bounce.
    #[test]
    fn bounce_rate_counts_expiries_and_leaves_deferrals_out() {
        let cases: [([u64; 3], u64, &str, &str); 11] = [
            ([3, 0, 1], 0, "4", "0.2500"),
            ([3, 5, 1], 0, "9", "0.2500"),         // deferrals do not dilute the rate
            ([0, 7, 0], 0, "7", ""),               // only deferrals: no rate at all, not 0
            ([0, 0, 0], 0, "0", ""),               // nothing (the `(other)` row can be empty)
            ([0, 4, 2], 0, "6", "1.0000"),         // every outcome a bounce
            ([1, 9, 2], 0, "12", "0.6667"),        // 2/3, rounded
            ([2, 1, 0], 0, "3", "0.0000"),         // delivered only: a rate of zero
            ([9_999, 3, 1], 0, "10003", "0.0001"), // 1/10000
            ([0, 72, 0], 3, "75", "1.0000"),       // every message returned after expiring
            ([2, 5, 1], 1, "9", "0.5000"),         // (1 + 1) / (2 + 1 + 1)
            ([3, 0, 0], 1, "4", "0.2500"),
        ];
        for (counts, expired, total, rate) in cases {
            assert_eq!(cells(counts, expired), (total.to_string(), rate.to_string()), "{counts:?} {expired}");
        }
    }

    /// A bounce whose reason is `expired` counts as expired, not bounced,
    /// and is no candidate for the top bounce.
    #[test]
    fn expiry_bounces_count_as_expired() {
        use Outcome::*;
        let n = Note::None;
        let expiry = CodeCount { reason: Reason::Expired, ..count(Bounced, None, "", n, 4) };
        let group = Group {
            name: "d.example".into(),
            outcomes: [2, 1, 5],
            codes: vec![
                count(Delivered, Some(250), "2.0.0", n, 2),
                count(Deferred, Some(451), "4.0.0", n, 1),
                count(Bounced, Some(550), "5.1.1", n, 1),
                expiry,
            ],
            reasons: Vec::new(),
        };
        let rows = rows(&[group]);
        assert_eq!((rows[0].counts, rows[0].expired), ([2, 1, 1], 4));
        assert_eq!(rows[0].top_bounce.as_deref(), Some("550 5.1.1"));
        assert_eq!(rows[0].total(), 8);
    }

    /// Recipients expired in the queue go to their domain's row, or to
    /// `(other)` when the domain was folded into it; the rows are put back
    /// in order (bounced plus expired, total, name), `(other)` last.
    #[test]
    fn expired_in_queue_joins_the_rows() {
        let row = |domain: &str, counts: [u64; 3]| DomainRow {
            domain: domain.into(),
            counts,
            expired: 0,
            top_bounce: None,
            top_deferral: None,
        };
        let summary = |rows: &[DomainRow]| -> Vec<(String, u64, u64)> {
            rows.iter().map(|r| (r.domain.to_string(), r.counts[2], r.expired)).collect()
        };
        let mut rows = vec![row("b.example", [0, 0, 2]), row("a.example", [5, 9, 1]), row("c.example", [1, 72, 0])];
        add_expired_in_queue(&mut rows, [(&b"c.example"[..], 3), (b"a.example", 1)].into_iter());
        assert_eq!(
            summary(&rows),
            [("c.example".into(), 0, 3), ("a.example".into(), 1, 1), ("b.example".into(), 2, 0)]
        );
        // A domain not in the rows was folded: (other), made when missing.
        add_expired_in_queue(&mut rows, [(&b"z.example"[..], 2)].into_iter());
        assert_eq!(summary(&rows).last(), Some(&("(other)".into(), 0, 2)));
        add_expired_in_queue(&mut rows, [(&b"y.example"[..], 5), (b"b.example", 1)].into_iter());
        assert_eq!(
            summary(&rows),
            [
                ("c.example".into(), 0, 3),
                ("b.example".into(), 2, 1),
                ("a.example".into(), 1, 1),
                ("(other)".into(), 0, 7)
            ]
        );
    }

    fn count(outcome: Outcome, code: Option<u16>, enhanced: &str, note: Note, count: u64) -> CodeCount {
        let reason = if outcome == Outcome::Delivered { Reason::Delivered } else { Reason::Undefined };
        CodeCount { outcome, code, enhanced: enhanced_at(enhanced.as_bytes()), note, reason, stage: None, count }
    }

    /// The most frequent codes of bounces and of deferrals, each on its own,
    /// ties to the label that sorts first; worked out by hand as (codes,
    /// top bounce, top deferral).
    #[test]
    fn top_bounce_and_deferral_table() {
        use Outcome::*;
        let n = Note::None;
        type Case = (Vec<CodeCount>, Option<&'static str>, Option<&'static str>);
        let cases: Vec<Case> = vec![
            (vec![], None, None),
            // Deliveries never count, however many.
            (vec![count(Delivered, Some(250), "2.0.0", n, 90)], None, None),
            (
                vec![count(Delivered, Some(250), "2.0.0", n, 90), count(Bounced, Some(550), "5.1.1", n, 1)],
                Some("550 5.1.1"),
                None,
            ),
            // Many deferrals do not hide the bounces (all 550 here).
            (
                vec![count(Bounced, Some(550), "5.1.1", n, 2), count(Deferred, Some(451), "4.0.0", n, 70)],
                Some("550 5.1.1"),
                Some("451 4.0.0"),
            ),
            // A tie: the label that sorts first, whichever comes first in the list.
            (
                vec![count(Bounced, Some(554), "5.7.1", n, 3), count(Bounced, Some(550), "5.7.1", n, 3)],
                Some("550 5.7.1"),
                None,
            ),
            (
                vec![count(Deferred, Some(450), "4.2.0", n, 3), count(Deferred, Some(421), "4.4.2", n, 3)],
                None,
                Some("421 4.4.2"),
            ),
            // Not a tie: the bigger count wins even when its label sorts last.
            (
                vec![count(Bounced, Some(421), "4.4.2", n, 2), count(Bounced, Some(554), "5.7.1", n, 3)],
                Some("554 5.7.1"),
                None,
            ),
            // The same codes deferred and bounced count on their own side only.
            (
                vec![
                    count(Deferred, Some(552), "5.2.2", n, 1),
                    count(Bounced, Some(450), "4.2.0", n, 2),
                    count(Bounced, Some(552), "5.2.2", n, 1),
                ],
                Some("450 4.2.0"),
                Some("552 5.2.2"),
            ),
            // Rows of one label add up: 1 + 2 beat 2.
            (
                vec![
                    count(Bounced, Some(550), "5.1.1", n, 2),
                    count(Bounced, Some(552), "5.2.2", n, 1),
                    count(Bounced, Some(552), "5.2.2", n, 2),
                ],
                Some("552 5.2.2"),
                None,
            ),
            // The note is part of the label and of the key.
            (
                vec![count(Bounced, None, "5.1.0", Note::NullMx, 1), count(Bounced, None, "5.1.0", n, 1)],
                Some("5.1.0"),
                None,
            ),
            (vec![count(Bounced, None, "", Note::NullMx, 4)], Some("null MX"), None),
            (vec![count(Deferred, None, "", n, 1)], None, Some("no code")),
            (vec![count(Bounced, None, "5.4.4", n, 1)], Some("5.4.4"), None),
        ];
        for (codes, bounce, deferral) in cases {
            assert_eq!(top(&codes, Bounced).as_deref(), bounce, "{codes:?}");
            assert_eq!(top(&codes, Deferred).as_deref(), deferral, "{codes:?}");
        }
    }
}
