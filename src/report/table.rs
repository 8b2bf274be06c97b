//! What every report is for the writers: named columns, and rows of typed
//! cells.
//!
//! A report declares its columns once ([`Row::COLUMNS`]: the header, the
//! `--help` text and the documentation all come from it) and turns each of
//! its rows into cells. A format (CSV, TSV, JSON, xlsx: `format/`) writes cells; it
//! knows nothing of any one report, so a new format touches no report and a
//! new report touches no format.

use crate::parse::Enhanced;

/// One column of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header, as written.
    pub name: &'static str,
    /// What the column holds, one line.
    pub about: &'static str,
}

/// One cell of a row: what it holds, not how it is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// A count.
    Count(u64),
    /// A ratio from 0 to 1 (written with four decimals); empty when there is
    /// none.
    Ratio(Option<f64>),
    /// A duration in seconds (written with three decimals); empty when
    /// unknown.
    Seconds(Option<f64>),
    /// A basic reply code; empty when there is none.
    Code(Option<u16>),
    /// An enhanced status code; empty when there is none.
    Enhanced(Option<Enhanced>),
    /// A day (`YYYY-MM-DD`) or an hour (`YYYY-MM-DDTHH:00`) in the `--tz`
    /// zone: a date or date-time in a workbook, this text elsewhere.
    Period(&'a str),
    /// A moment, RFC 3339 in the `--tz` zone
    /// (`2026-11-04T10:15:00+01:00`); empty when unknown. A date-time in a
    /// workbook (the wall-clock time: workbooks know no zones), this text
    /// elsewhere.
    Time(&'a str),
    /// Text of this program's own (a reason, a label, a description):
    /// written as it is.
    Text(&'a str),
    /// Text taken from the log, which a hostile sender or server may have
    /// chosen (a domain, an address, a reply): formats that a spreadsheet
    /// reads defuse it.
    Logged(&'a str),
}

/// A row of a report.
pub trait Row {
    /// The report's columns, in order.
    const COLUMNS: &'static [Column];

    /// Appends the row's cells to `out`, one per column, in order.
    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>);
}

/// `bounced / (delivered + bounced)`: the share of final outcomes that
/// failed. `None` when there were none (only deferrals, or nothing): a rate
/// that does not exist is not a rate of 0. Every report's `bounce_rate` is
/// this.
pub fn bounce_rate(delivered: u64, bounced: u64) -> Option<f64> {
    let done = delivered + bounced;
    (done > 0).then(|| bounced as f64 / done as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked out by hand.
    #[test]
    fn bounce_rate_table() {
        let cases: [(u64, u64, Option<f64>); 6] = [
            (3, 1, Some(0.25)),
            (0, 0, None),
            (0, 2, Some(1.0)),
            (5, 0, Some(0.0)),
            (1, 2, Some(2.0 / 3.0)),
            (9_999, 1, Some(0.0001)),
        ];
        for (delivered, bounced, want) in cases {
            assert_eq!(bounce_rate(delivered, bounced), want, "{delivered} {bounced}");
        }
    }
}
