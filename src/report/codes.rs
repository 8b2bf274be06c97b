//! The `codes` report: one row per (domain, status, code, enhanced code,
//! reason).
//!
//! Columns: [`CodeRow::COLUMNS`]. Sorted by domain, then status (delivered, deferred, bounced), then count
//! (descending), then code, enhanced code and reason. Events whose text the
//! MTA is known to use for a null MX get a row of their own, as do Exim's
//! `Unrouteable address` failures, and so do
//! events of a code whose meaning depends on the command it answered (554
//! at connection opening or after a command), so each row's description
//! holds for every event counted in it; events with the same
//! codes but different reasons (a `550 5.7.1` for a blocklist and one for
//! relaying) get a row each.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::table::{Cell, Column, Row};
use super::{Group, Meaning};

use crate::classify::{self, Class};
use crate::classify::{BounceType, Reason};
use crate::parse::{Enhanced, Note, Outcome};

/// One row of the `codes` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRow {
    /// The recipient domain.
    pub domain: Arc<str>,
    /// The outcome of the events.
    pub outcome: Outcome,
    /// Their basic reply code.
    pub code: Option<u16>,
    /// Their enhanced status code.
    pub enhanced: Option<Enhanced>,
    /// What their text said beyond the codes.
    pub note: Note,
    /// The class of the reply.
    pub class: Option<Class>,
    /// Why the events failed (`delivered` for deliveries).
    pub reason: Reason,
    /// What that says about the addresses (none for deliveries).
    pub bounce_type: BounceType,
    /// What the codes mean.
    pub description: Arc<str>,
    /// How many events.
    pub count: u64,
}

/// The rows of every group (already in domain order), each domain's rows
/// sorted by status, then count (descending), then codes. Descriptions are
/// worked out once per distinct combination.
pub(super) fn rows(groups: &[Group]) -> Vec<CodeRow> {
    let mut meanings: HashMap<Meaning, (Option<Class>, Arc<str>), RandomState> = HashMap::default();
    let mut rows = Vec::with_capacity(groups.iter().map(|g| g.codes.len()).sum());
    let mut codes = Vec::new();
    for group in groups {
        codes.clear();
        codes.extend_from_slice(&group.codes);
        codes.sort_unstable_by(|a, b| {
            a.outcome.cmp(&b.outcome).then(b.count.cmp(&a.count)).then(
                (a.code, a.enhanced, a.note, a.reason, a.stage).cmp(&(b.code, b.enhanced, b.note, b.reason, b.stage)),
            )
        });
        for c in codes.iter() {
            let (class, description) = meanings
                .entry((c.code, c.enhanced, c.note, c.stage))
                .or_insert_with(|| {
                    (
                        classify::class_of(c.code, c.enhanced, c.note),
                        classify::describe(c.code, c.enhanced, c.note, c.stage).into(),
                    )
                })
                .clone();
            rows.push(CodeRow {
                domain: group.name.clone(),
                outcome: c.outcome,
                code: c.code,
                enhanced: c.enhanced,
                note: c.note,
                class,
                reason: c.reason,
                bounce_type: c.bounce_type(),
                description,
                count: c.count,
            });
        }
    }
    rows
}

impl Row for CodeRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "domain", about: "recipient domain" },
        Column { name: "status", about: "delivered, deferred or bounced" },
        Column { name: "code", about: "the basic reply code (RFC 5321); empty when the line had none" },
        Column { name: "enhanced", about: "the enhanced status code (RFC 3463); empty when the line had none" },
        Column { name: "class", about: "what the server said: positive_completion ... permanent_negative" },
        Column { name: "reason", about: "why it failed; delivered for deliveries" },
        Column { name: "bounce_type", about: "hard, soft, block or undetermined; empty for deliveries" },
        Column { name: "description", about: "what the codes mean" },
        Column { name: "count", about: "events" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([
            Cell::Logged(&self.domain),
            Cell::Text(self.outcome.as_str()),
            Cell::Code(self.code),
            Cell::Enhanced(self.enhanced),
            Cell::Text(self.class.map_or("", Class::as_str)),
            Cell::Text(self.reason.as_str()),
            Cell::Text(self.bounce_type.as_str()),
            Cell::Text(&self.description),
            Cell::Count(self.count),
        ]);
    }
}
