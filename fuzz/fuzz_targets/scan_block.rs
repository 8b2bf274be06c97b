//! Arbitrary bytes scanned as a block, then both reports built and written.
//!
//! The reports (`domains`, `codes`, `reasons`) must be valid UTF-8 CSV, one
//! record per row plus a header, each with its number of fields, no cell
//! starting a formula unless asked for raw CSV; add up to the events
//! counted; and not change when the block is cut in two at a line boundary
//! (the first byte chooses where).
#![no_main]

use std::sync::LazyLock;

use bounces::config::{Mta, ReportKind};
use bounces::internals::input::Block;
use bounces::internals::report::Reports;
use bounces::internals::search::Scanner;
use bounces::internals::tally::Tally;
use bounces::internals::worker::Worker;
use libfuzzer_sys::fuzz_target;

static SCANNER: LazyLock<Scanner> = LazyLock::new(|| Scanner::new(Mta::Auto));

/// Scans each piece as a block of its own into its own tally, and adds the
/// tallies up, as the worker threads do.
fn scan(pieces: &[&[u8]]) -> Tally {
    let mut tally = Tally::default();
    for (seq, piece) in pieces.iter().enumerate() {
        let block = Block { input: 0, seq: seq as u64, lines_before: 0, data: piece.to_vec() };
        let mut own = Worker::default();
        SCANNER.scan_block(&block, &mut own);
        tally += own.into_tally();
    }
    tally
}

/// Writes one report and checks it is UTF-8 CSV with `rows` rows after the
/// header, `fields` fields each, records ending in CRLF; unless `raw_csv`,
/// no cell starts a spreadsheet formula.
fn write(reports: &Reports, kind: ReportKind, rows: usize, fields: usize, raw_csv: bool) {
    let mut out = Vec::new();
    bounces::internals::format::write(&reports, kind, &mut out, bounces::internals::format::Options { raw_csv, ..Default::default() }).expect("writing to a Vec does not fail");
    let text = String::from_utf8(out).expect("reports are UTF-8");
    assert!(text.ends_with("\r\n"), "{kind:?}: records end with CRLF");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(text.as_bytes());
    let mut records = 0;
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{kind:?} is not valid CSV: {e}\n{text}"));
        assert_eq!(record.len(), fields, "{kind:?}: {record:?}");
        if !raw_csv {
            for cell in record.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{kind:?}: formula cell {cell:?}");
            }
        }
        records += 1;
    }
    assert_eq!(records, rows + 1, "{kind:?}: a header and one record per row\n{text}");
}

fuzz_target!(|data: &[u8]| {
    let (selector, data) = match data.split_first() {
        Some((&first, rest)) => (usize::from(first), rest),
        None => (0, data),
    };
    let whole = scan(&[data]);
    let reports = Reports::build(&whole);
    for raw_csv in [false, true] {
        write(&reports, ReportKind::Domains, reports.domains.len(), 7, raw_csv);
        write(&reports, ReportKind::Codes, reports.codes.len(), 9, raw_csv);
        write(&reports, ReportKind::Reasons, reports.reasons.len(), 6, raw_csv);
    }

    // The rows add up to the events counted.
    let by_outcome = whole.events_by_outcome();
    for (outcome, &count) in by_outcome.iter().enumerate() {
        assert_eq!(reports.domains.iter().map(|r| r.counts[outcome]).sum::<u64>(), count);
        assert_eq!(reports.codes.iter().filter(|r| r.outcome as usize == outcome).map(|r| r.count).sum::<u64>(), count);
    }
    // The reasons report counts the failures.
    assert_eq!(reports.reasons.iter().map(|r| r.deferred).sum::<u64>(), by_outcome[1], "deferred");
    assert_eq!(reports.reasons.iter().map(|r| r.bounced).sum::<u64>(), by_outcome[2], "bounced");

    // Cut at a line boundary chosen by the selector: the same reports.
    let newlines: Vec<usize> = memchr_all(data);
    if !newlines.is_empty() {
        let cut = newlines[selector % newlines.len()] + 1;
        let split = scan(&[&data[..cut], &data[cut..]]);
        assert!(Reports::build(&split) == reports, "cut at byte {cut}");
        assert_eq!((split.malformed(), split.probes()), (whole.malformed(), whole.probes()), "cut at byte {cut}");
    }
});

fn memchr_all(data: &[u8]) -> Vec<usize> {
    data.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect()
}
