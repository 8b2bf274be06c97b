//! The `daily` and `hourly` reports: counts by outcome per period.
//!
//! Columns: [`PeriodRow::COLUMNS`]. One row per day
//! (`YYYY-MM-DD`) or hour (`YYYY-MM-DDTHH:00`) in the `--tz` zone, in time
//! order, from the window's start (or the first event) to its end (or the
//! last event), with a row for every period, empty ones included, so a
//! chart of it has no gaps.

use super::table::{Cell, Column, Row, bounce_rate};

/// One row of the `daily` or `hourly` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodRow {
    /// The period's label.
    pub period: String,
    /// Events by outcome: delivered, deferred, bounced.
    pub counts: [u64; 3],
}

impl Row for PeriodRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "period", about: "the day (YYYY-MM-DD) or hour (YYYY-MM-DDTHH:00) in the --tz zone" },
        Column { name: "delivered", about: "events delivered" },
        Column { name: "deferred", about: "events deferred" },
        Column { name: "bounced", about: "events bounced" },
        Column { name: "bounce_rate", about: "bounced / (delivered + bounced); empty when both are 0" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        let [delivered, deferred, bounced] = self.counts;
        out.extend([
            Cell::Period(&self.period),
            Cell::Count(delivered),
            Cell::Count(deferred),
            Cell::Count(bounced),
            Cell::Ratio(bounce_rate(delivered, bounced)),
        ]);
    }
}
