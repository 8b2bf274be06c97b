//! CSV as RFC 4180 defines it: a header row, fields quoted where needed,
//! records ending in CRLF; another delimiter with `--delimiter` (`;` for
//! spreadsheets whose decimal separator is a comma) and a UTF-8 byte order
//! mark with `--bom`.
//!
//! Text from the log that a spreadsheet would run as a formula is defused
//! (see [`super::text::defuse`]) unless `--raw-csv`. Cells are spelled by
//! [`super::text`], into buffers reused from row to row: no allocation per
//! row.

use std::io::{self, Write};

use super::Options;
use super::text::Speller;
use crate::report::table::Row;

/// The UTF-8 byte order mark, which Excel needs to read a CSV file as UTF-8.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// Writes `rows` as CSV, the header first.
pub fn write<R: Row>(rows: &[R], mut out: impl Write, options: Options) -> io::Result<()> {
    if options.bom {
        out.write_all(BOM)?;
    }
    let mut csv = csv::WriterBuilder::new()
        .delimiter(options.delimiter)
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(64 << 10)
        .from_writer(out);
    csv.write_record(R::COLUMNS.iter().map(|c| c.name)).map_err(io_error)?;
    let mut cells = Vec::with_capacity(R::COLUMNS.len());
    let mut speller = Speller::default();
    for row in rows {
        cells.clear();
        row.cells(&mut cells);
        debug_assert_eq!(cells.len(), R::COLUMNS.len(), "one cell per column");
        for &cell in &cells {
            csv.write_field(speller.spell(cell, !options.raw_csv)).map_err(io_error)?;
        }
        // An empty record ends the one the fields above started.
        csv.write_record(None::<&[u8]>).map_err(io_error)?;
    }
    csv.flush()
}

/// The I/O error inside a CSV error, so that a closed pipe is still
/// recognised as one.
fn io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => io::Error::other(format!("CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::enhanced_at;
    use crate::report::table::{Cell, Column};

    /// A row with one cell of every kind.
    struct Every<'a>(Vec<Cell<'a>>);

    impl Row for Every<'_> {
        const COLUMNS: &'static [Column] = &[
            Column { name: "count", about: "" },
            Column { name: "ratio", about: "" },
            Column { name: "seconds", about: "" },
            Column { name: "code", about: "" },
            Column { name: "enhanced", about: "" },
            Column { name: "text", about: "" },
            Column { name: "logged", about: "" },
        ];

        fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
            out.extend_from_slice(&self.0);
        }
    }

    fn written(rows: &[Every<'_>], raw_csv: bool) -> String {
        let mut out = Vec::new();
        write(rows, &mut out, Options { raw_csv, ..Options::default() }).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// How each kind of cell is written, worked out by hand: numbers as
    /// digits, ratios with 4 decimals, seconds with 3, missing values empty,
    /// only text from the log defused, quotes where RFC 4180 wants them.
    #[test]
    fn every_cell_kind_is_written_as_documented() {
        let rows = [
            Every(vec![
                Cell::Count(1_234_567),
                Cell::Ratio(Some(2.0 / 3.0)),
                Cell::Seconds(Some(1.5)),
                Cell::Code(Some(550)),
                Cell::Enhanced(enhanced_at(b"5.1.1")),
                Cell::Text("-own text"),
                Cell::Logged("=cmd"),
            ]),
            Every(vec![
                Cell::Count(0),
                Cell::Ratio(None),
                Cell::Seconds(None),
                Cell::Code(None),
                Cell::Enhanced(None),
                Cell::Text("a, \"b\""),
                Cell::Logged("x,\r\ny"),
            ]),
        ];
        assert_eq!(
            written(&rows, false),
            "count,ratio,seconds,code,enhanced,text,logged\r\n\
             1234567,0.6667,1.500,550,5.1.1,-own text,'=cmd\r\n\
             0,,,,,\"a, \"\"b\"\"\",\"x,\r\ny\"\r\n"
        );
        assert!(written(&rows, true).contains(",-own text,=cmd\r\n"));
    }

    /// No rows: the header alone, so a report that found nothing still
    /// says what it would hold.
    #[test]
    fn no_rows_is_the_header() {
        assert_eq!(written(&[], false), "count,ratio,seconds,code,enhanced,text,logged\r\n");
    }
}
