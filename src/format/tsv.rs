//! Tab-separated values: a header line, fields separated by a tab, lines
//! ending in LF, no quoting.
//!
//! A field cannot hold a tab or a line end, so four characters in texts are
//! escaped, as PostgreSQL's text format and most TSV readers expect: a
//! backslash as `\\`, a tab as `\t`, a line feed as `\n`, a carriage return
//! as `\r`. Nothing else changes. Text from the log that a spreadsheet would
//! run as a formula is defused as in CSV unless `--raw-csv`, before it is
//! escaped; `--bom` starts the file with a byte order mark.

use std::io::{self, BufWriter, Write};

use super::Options;
use super::csv::BOM;
use super::text::Speller;
use crate::report::table::Row;

/// Writes `rows` as TSV, the header first.
pub fn write<R: Row>(rows: &[R], out: impl Write, options: Options) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 << 10, out);
    if options.bom {
        out.write_all(BOM)?;
    }
    for (i, column) in R::COLUMNS.iter().enumerate() {
        let tab: &[u8] = if i == 0 { b"" } else { b"\t" };
        out.write_all(tab)?;
        escaped(&mut out, column.name)?;
    }
    out.write_all(b"\n")?;
    let mut cells = Vec::with_capacity(R::COLUMNS.len());
    let mut speller = Speller::default();
    for row in rows {
        cells.clear();
        row.cells(&mut cells);
        debug_assert_eq!(cells.len(), R::COLUMNS.len(), "one cell per column");
        for (i, &cell) in cells.iter().enumerate() {
            if i > 0 {
                out.write_all(b"\t")?;
            }
            escaped(&mut out, speller.spell(cell, !options.raw_csv))?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Writes `field` with its backslashes, tabs and line ends escaped.
fn escaped(out: &mut impl Write, field: &str) -> io::Result<()> {
    let bytes = field.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => continue,
        };
        out.write_all(&bytes[from..i])?;
        out.write_all(escape)?;
        from = i + 1;
    }
    out.write_all(&bytes[from..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::enhanced_at;
    use crate::report::table::{Cell, Column};

    struct Every<'a>(Vec<Cell<'a>>);

    impl Row for Every<'_> {
        const COLUMNS: &'static [Column] = &[
            Column { name: "count", about: "" },
            Column { name: "ratio", about: "" },
            Column { name: "enhanced", about: "" },
            Column { name: "text", about: "" },
            Column { name: "logged", about: "" },
        ];

        fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
            out.extend_from_slice(&self.0);
        }
    }

    fn written(rows: &[Every<'_>], options: Options) -> String {
        let mut out = Vec::new();
        write(rows, &mut out, options).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Worked out by hand: the values as in CSV, tabs, line ends and
    /// backslashes escaped, text from the log defused before it is escaped.
    #[test]
    fn cells_are_escaped_as_documented() {
        let rows = [
            Every(vec![
                Cell::Count(7),
                Cell::Ratio(Some(0.25)),
                Cell::Enhanced(enhanced_at(b"5.1.1")),
                Cell::Text("a\tb"),
                Cell::Logged("\tx\\y\r\nz"),
            ]),
            Every(vec![Cell::Count(0), Cell::Ratio(None), Cell::Enhanced(None), Cell::Text(""), Cell::Logged("")]),
        ];
        let want = "count\tratio\tenhanced\ttext\tlogged\n\
                    7\t0.2500\t5.1.1\ta\\tb\t'\\tx\\\\y\\r\\nz\n\
                    0\t\t\t\t\n";
        assert_eq!(written(&rows, Options::default()), want);
        let raw = written(&rows, Options { raw_csv: true, ..Options::default() });
        assert!(raw.contains("\ta\\tb\t\\tx\\\\y\\r\\nz\n"), "{raw:?}");
        let bom = written(&rows, Options { bom: true, ..Options::default() });
        assert_eq!(bom.strip_prefix('\u{feff}'), Some(want));
    }
}
