//! The `domains` report: one row per recipient domain.
//!
//! Columns: [`DomainRow::COLUMNS`]. Sorted by bounced, then total (both
//! descending), then domain.

use std::sync::Arc;

use super::table::{Cell, Column, Row, bounce_rate};
use super::{Group, failure_label};
use crate::parse::{Enhanced, Note, Outcome};
use crate::tally::CodeCount;

/// One row of the `domains` report.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRow {
    /// The recipient domain (lower case, no trailing dot; empty when the
    /// address had no domain).
    pub domain: Arc<str>,
    /// Delivery events by outcome: delivered, deferred, bounced.
    pub counts: [u64; 3],
    /// The most frequent code label among bounced events.
    pub top_bounce: Option<String>,
    /// The most frequent code label among deferred events.
    pub top_deferral: Option<String>,
}

impl DomainRow {
    /// All events.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// bounced / (delivered + bounced), when anything was delivered or bounced.
    pub fn bounce_rate(&self) -> Option<f64> {
        let [delivered, _, bounced] = self.counts;
        bounce_rate(delivered, bounced)
    }
}

/// The rows of `groups`, which must be sorted by name.
pub(super) fn rows(groups: &[Group]) -> Vec<DomainRow> {
    let mut rows: Vec<DomainRow> = groups
        .iter()
        .map(|g| DomainRow {
            domain: g.name.clone(),
            counts: g.outcomes,
            top_bounce: top(&g.codes, Outcome::Bounced),
            top_deferral: top(&g.codes, Outcome::Deferred),
        })
        .collect();
    // The groups come sorted by name, and a stable sort keeps that order
    // among equal counts: no name is compared again.
    rows.sort_by_key(|row| (std::cmp::Reverse(row.counts[2]), std::cmp::Reverse(row.total())));
    rows
}

/// What a `top_bounce` or `top_deferral` label names: code, enhanced code, note.
type Label = (Option<u16>, Option<Enhanced>, Note);

/// The most frequent (code, enhanced, note) among the events of `outcome`,
/// as a label (the stage is not part of it: the labels name codes); ties
/// go to the label that sorts first.
fn top(codes: &[CodeCount], outcome: Outcome) -> Option<String> {
    let mut counts: Vec<(Label, u64)> = Vec::new();
    for c in codes.iter().filter(|c| c.outcome == outcome) {
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
        Column { name: "total", about: "delivery events for the domain" },
        Column { name: "delivered", about: "events delivered" },
        Column { name: "deferred", about: "events deferred" },
        Column { name: "bounced", about: "events bounced" },
        Column { name: "bounce_rate", about: "bounced / (delivered + bounced); empty when both are 0" },
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

    /// The written `bounce_rate` cell of a domain with these counts.
    fn rate_cell(counts: [u64; 3]) -> String {
        let row = DomainRow { domain: "d.example".into(), counts, top_bounce: None, top_deferral: None };
        let mut out = Vec::new();
        crate::format::csv::write(&[row], &mut out, Default::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(1).expect("one row after the header").to_string();
        line.split(',').nth(5).expect("bounce_rate is the sixth column").to_string()
    }

    /// bounced / (delivered + bounced), worked out by hand: deferrals are
    /// attempts, not outcomes, so they change neither side.
    #[test]
    fn bounce_rate_leaves_deferrals_out() {
        let cases: [([u64; 3], &str); 8] = [
            ([3, 0, 1], "0.2500"),
            ([3, 5, 1], "0.2500"),     // deferrals do not dilute the rate
            ([0, 7, 0], ""),           // only deferrals: no rate at all, not 0
            ([0, 0, 0], ""),           // nothing (the `(other)` row can be empty)
            ([0, 4, 2], "1.0000"),     // every outcome a bounce
            ([1, 9, 2], "0.6667"),     // 2/3, rounded
            ([2, 1, 0], "0.0000"),     // delivered only: a rate of zero
            ([9_999, 3, 1], "0.0001"), // 1/10000
        ];
        for (counts, want) in cases {
            assert_eq!(rate_cell(counts), want, "{counts:?}");
        }
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
