//! The `domains` report: one row per recipient domain.
//!
//! `domain,total,delivered,deferred,bounced,bounce_rate,top_failure`, sorted
//! by bounced, then total (both descending), then domain.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Arc;

use super::{Group, Meaning, failure_label};
use crate::parse::Outcome;
use crate::tally::CodeCount;

/// One row of the `domains` report.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRow {
    /// The recipient domain (lower case, no trailing dot; empty when the
    /// address had no domain).
    pub domain: Arc<str>,
    /// Delivery events by outcome: delivered, deferred, bounced.
    pub counts: [u64; 3],
    /// The most frequent code label among deferred and bounced events.
    pub top_failure: Option<String>,
}

impl DomainRow {
    /// All events.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// bounced / (delivered + bounced), when anything was delivered or bounced.
    pub fn bounce_rate(&self) -> Option<f64> {
        let [delivered, _, bounced] = self.counts;
        (delivered + bounced > 0).then(|| bounced as f64 / (delivered + bounced) as f64)
    }
}

/// The rows of `groups`, which must be sorted by name.
pub(super) fn rows(groups: &[Group]) -> Vec<DomainRow> {
    let mut rows: Vec<DomainRow> = groups
        .iter()
        .map(|g| DomainRow { domain: g.name.clone(), counts: g.outcomes, top_failure: top_failure(&g.codes) })
        .collect();
    // The groups come sorted by name, and a stable sort keeps that order
    // among equal counts: no name is compared again.
    rows.sort_by_key(|row| (std::cmp::Reverse(row.counts[2]), std::cmp::Reverse(row.total())));
    rows
}

/// The most frequent (code, enhanced, note) among deferred and bounced
/// events, as a label; ties go to the label that sorts first.
fn top_failure(codes: &[CodeCount]) -> Option<String> {
    let mut failures: Vec<(Meaning, u64)> = Vec::new();
    for c in codes.iter().filter(|c| c.outcome != Outcome::Delivered) {
        let key = (c.code, c.enhanced, c.note);
        match failures.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 += c.count,
            None => failures.push((key, c.count)),
        }
    }
    let most = failures.iter().map(|(_, n)| *n).max()?;
    failures
        .iter()
        .filter(|(_, n)| *n == most)
        .map(|&((code, enhanced, note), _)| failure_label(code, enhanced, note))
        .min()
}

pub(super) fn write(rows: &[DomainRow], csv: &mut csv::Writer<impl Write>, raw_csv: bool) -> io::Result<()> {
    csv.write_record(["domain", "total", "delivered", "deferred", "bounced", "bounce_rate", "top_failure"])
        .map_err(super::io_error)?;
    // Numbers are formatted into reused buffers: no allocation per row.
    let mut numbers = [itoa::Buffer::new(); 4];
    let mut rate = String::new();
    for row in rows {
        let [delivered, deferred, bounced] = row.counts;
        rate.clear();
        if let Some(r) = row.bounce_rate() {
            write!(rate, "{r:.4}").expect("writing to a String cannot fail");
        }
        let [a, b, c, d] = &mut numbers;
        csv.write_record([
            &*super::defuse(&row.domain, raw_csv),
            a.format(row.total()),
            b.format(delivered),
            c.format(deferred),
            d.format(bounced),
            &rate,
            row.top_failure.as_deref().unwrap_or(""),
        ])
        .map_err(super::io_error)?;
    }
    Ok(())
}
