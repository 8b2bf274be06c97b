//! The `problems` report: operational trouble, per (level, process, kind).
//!
//! Columns: [`ProblemRow::COLUMNS`]. The kind is the message with its
//! variable parts masked ([`crate::parse::problem::mask`]). Sorted by level
//! (panic, fatal, error, warning), then count (descending), then process
//! and kind. The example is the line that sorts first; the first and last
//! times are the earliest and latest read, so nothing depends on threads or
//! input order.

use super::table::{Cell, Column, Row};

use crate::parse::problem::Level;
use crate::problems::Problems;
use crate::time::{self, Micros};

/// One row of the `problems` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemRow {
    /// How bad.
    pub level: Level,
    /// Who said it.
    pub process: String,
    /// What, masked.
    pub kind: String,
    /// How many lines.
    pub count: u64,
    /// The earliest time, RFC 3339 in the `--tz` zone; empty when no line
    /// had one.
    pub first: String,
    /// The latest time, likewise.
    pub last: String,
    /// The line that sorts first.
    pub example: String,
}

/// The rows of the trouble counted, in report order.
pub fn rows(problems: &Problems, tz: &jiff::tz::TimeZone) -> Vec<ProblemRow> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let moment = |t: Option<Micros>| t.map(|t| time::rfc3339(t, tz)).unwrap_or_default();
    let mut rows: Vec<ProblemRow> = problems
        .kinds()
        .map(|k| ProblemRow {
            level: k.level,
            process: text(k.process),
            kind: text(k.kind),
            count: k.counts.count,
            first: moment(k.counts.first),
            last: moment(k.counts.last),
            example: text(&k.counts.example),
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(b.count.cmp(&a.count))
            .then_with(|| (&a.process, &a.kind).cmp(&(&b.process, &b.kind)))
    });
    rows
}

impl Row for ProblemRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "level", about: "panic, fatal, error or warning" },
        Column { name: "process", about: "the program that logged it (postfix/smtpd, exim)" },
        Column { name: "kind", about: "the message, its numbers, addresses, host names and paths masked as *" },
        Column { name: "count", about: "lines" },
        Column { name: "first", about: "the earliest time, in --tz; empty when no line had one" },
        Column { name: "last", about: "the latest time, in --tz; empty when no line had one" },
        Column { name: "example", about: "the line that sorts first" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([
            Cell::Text(self.level.as_str()),
            Cell::Logged(&self.process),
            Cell::Logged(&self.kind),
            Cell::Count(self.count),
            Cell::Time(&self.first),
            Cell::Time(&self.last),
            Cell::Logged(&self.example),
        ]);
    }
}
