//! The `daily` and `hourly` reports: counts by outcome per period.
//!
//! `period,delivered,deferred,bounced,bounce_rate`, one row per day
//! (`YYYY-MM-DD`) or hour (`YYYY-MM-DDTHH:00`) in the `--tz` zone, in time
//! order, from the window's start (or the first event) to its end (or the
//! last event), with a row for every period, empty ones included, so a
//! chart of it has no gaps.

use std::fmt::Write as _;
use std::io::{self, Write};

/// One row of the `daily` or `hourly` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodRow {
    /// The period's label.
    pub period: String,
    /// Events by outcome: delivered, deferred, bounced.
    pub counts: [u64; 3],
}

impl PeriodRow {
    /// bounced / (delivered + bounced), as in the `domains` report.
    pub fn bounce_rate(&self) -> Option<f64> {
        let [delivered, _, bounced] = self.counts;
        (delivered + bounced > 0).then(|| bounced as f64 / (delivered + bounced) as f64)
    }
}

pub(super) fn write(rows: &[PeriodRow], csv: &mut csv::Writer<impl Write>) -> io::Result<()> {
    csv.write_record(["period", "delivered", "deferred", "bounced", "bounce_rate"]).map_err(super::io_error)?;
    let mut numbers = [itoa::Buffer::new(); 3];
    let mut rate = String::new();
    for row in rows {
        rate.clear();
        if let Some(r) = row.bounce_rate() {
            write!(rate, "{r:.4}").expect("writing to a String cannot fail");
        }
        let [a, b, c] = &mut numbers;
        let [delivered, deferred, bounced] = row.counts;
        csv.write_record([&row.period, a.format(delivered), b.format(deferred), c.format(bounced), &rate])
            .map_err(super::io_error)?;
    }
    Ok(())
}
