//! The `reasons` report: why deliveries failed, per recipient domain.
//!
//! Columns: [`ReasonRow::COLUMNS`]. One row per
//! (domain, reason, bounce type), sorted by bounced (descending), then
//! deferred (descending), then domain, reason and bounce type. The example
//! is one reply text of the row's events, shortened (`...` when cut): the
//! one that sorts first, so it does not depend on threads or input order.

use std::sync::Arc;

use super::Group;
use super::table::{Cell, Column, Row};

use crate::classify::{BounceType, Reason};

/// One row of the `reasons` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonRow {
    /// The recipient domain.
    pub domain: Arc<str>,
    /// Why the deliveries failed.
    pub reason: Reason,
    /// What that says about the addresses.
    pub bounce_type: BounceType,
    /// Deferred events.
    pub deferred: u64,
    /// Bounced events.
    pub bounced: u64,
    /// The first reply text, as text (invalid UTF-8 replaced).
    pub example: Arc<str>,
}

/// The rows of every group, in report order.
pub(super) fn rows(groups: &[Group]) -> Vec<ReasonRow> {
    let mut rows: Vec<ReasonRow> = groups
        .iter()
        .flat_map(|group| {
            group.reasons.iter().map(|r| ReasonRow {
                domain: group.name.clone(),
                reason: r.reason,
                bounce_type: r.bounce_type,
                deferred: r.deferred,
                bounced: r.bounced,
                example: {
                    let text = String::from_utf8_lossy(&r.example);
                    Arc::from(if r.example_cut { format!("{text}...") } else { text.into_owned() })
                },
            })
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        (b.bounced, b.deferred)
            .cmp(&(a.bounced, a.deferred))
            .then_with(|| (&a.domain, a.reason, a.bounce_type).cmp(&(&b.domain, b.reason, b.bounce_type)))
    });
    rows
}

impl Row for ReasonRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "domain", about: "recipient domain" },
        Column { name: "reason", about: "why the deliveries failed" },
        Column { name: "bounce_type", about: "hard, soft, block or undetermined" },
        Column { name: "deferred", about: "events deferred" },
        Column { name: "bounced", about: "events bounced" },
        Column { name: "example", about: "one reply text of these events, shortened (... when cut)" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([
            Cell::Logged(&self.domain),
            Cell::Text(self.reason.as_str()),
            Cell::Text(self.bounce_type.as_str()),
            Cell::Count(self.deferred),
            Cell::Count(self.bounced),
            Cell::Logged(&self.example),
        ]);
    }
}
