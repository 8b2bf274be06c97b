//! The `domains` report: one row per recipient domain.
//!
//! `domain,total,delivered,deferred,bounced,bounce_rate,top_failure`, sorted
//! by bounced, then total (both descending), then domain.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// One row of the `domains` report.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRow {
    /// The recipient domain (lower case, no trailing dot; empty when the
    /// address had no domain).
    pub domain: String,
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

pub(super) fn rows(
    outcomes: &BTreeMap<String, [u64; 3]>,
    failures: &HashMap<&str, BTreeMap<String, u64>>,
) -> Vec<DomainRow> {
    let mut rows: Vec<DomainRow> = outcomes
        .iter()
        .map(|(domain, &counts)| DomainRow {
            domain: domain.clone(),
            counts,
            top_failure: failures.get(domain.as_str()).and_then(top),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.counts[2].cmp(&a.counts[2]).then(b.total().cmp(&a.total())).then_with(|| a.domain.cmp(&b.domain))
    });
    rows
}

/// The label with the highest count; ties go to the label that sorts first.
fn top(labels: &BTreeMap<String, u64>) -> Option<String> {
    let mut best: Option<(&String, u64)> = None;
    for (label, &count) in labels {
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((label, count));
        }
    }
    best.map(|(label, _)| label.clone())
}

pub(super) fn write(rows: &[DomainRow], csv: &mut csv::Writer<impl Write>) -> io::Result<()> {
    csv.write_record(["domain", "total", "delivered", "deferred", "bounced", "bounce_rate", "top_failure"])
        .map_err(super::io_error)?;
    for row in rows {
        let [delivered, deferred, bounced] = row.counts;
        csv.write_record([
            row.domain.as_str(),
            &row.total().to_string(),
            &delivered.to_string(),
            &deferred.to_string(),
            &bounced.to_string(),
            &row.bounce_rate().map(|r| format!("{r:.4}")).unwrap_or_default(),
            row.top_failure.as_deref().unwrap_or(""),
        ])
        .map_err(super::io_error)?;
    }
    Ok(())
}
