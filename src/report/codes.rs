//! The `codes` report: one row per (domain, status, code, enhanced code).
//!
//! `domain,status,code,enhanced,class,description,count`, sorted by domain,
//! then status (delivered, deferred, bounced), then count (descending), then
//! code and enhanced code. Events whose text the MTA is known to use for a
//! null MX get a row of their own, so each row's description holds for
//! every event counted in it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::classify::{self, Class};
use crate::parse::{Enhanced, Note, Outcome};

/// One row of the `codes` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRow {
    /// The recipient domain.
    pub domain: String,
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
    /// What the codes mean.
    pub description: String,
    /// How many events.
    pub count: u64,
}

/// A codes row's identity: domain, outcome, code, enhanced code, note.
pub(super) type Key = (String, Outcome, Option<u16>, Option<Enhanced>, Note);

pub(super) fn rows(counts: BTreeMap<Key, u64>) -> Vec<CodeRow> {
    let mut rows: Vec<CodeRow> = counts
        .into_iter()
        .map(|((domain, outcome, code, enhanced, note), count)| CodeRow {
            domain,
            outcome,
            code,
            enhanced,
            note,
            class: classify::class_of(code, enhanced, note),
            description: classify::describe(code, enhanced, note),
            count,
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.domain, a.outcome)
            .cmp(&(&b.domain, b.outcome))
            .then(b.count.cmp(&a.count))
            .then((a.code, a.enhanced, a.note).cmp(&(b.code, b.enhanced, b.note)))
    });
    rows
}

pub(super) fn write(rows: &[CodeRow], csv: &mut csv::Writer<impl Write>) -> io::Result<()> {
    csv.write_record(["domain", "status", "code", "enhanced", "class", "description", "count"])
        .map_err(super::io_error)?;
    for row in rows {
        csv.write_record([
            row.domain.as_str(),
            row.outcome.as_str(),
            &row.code.map(|c| c.to_string()).unwrap_or_default(),
            &row.enhanced.map(|e| e.to_string()).unwrap_or_default(),
            row.class.map_or("", Class::as_str),
            &row.description,
            &row.count.to_string(),
        ])
        .map_err(super::io_error)?;
    }
    Ok(())
}
