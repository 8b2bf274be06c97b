//! JSON for scripts: per report one array of objects (`--format json`) or
//! one object per line (`--format jsonl`), keys the report's column names in
//! column order.
//!
//! Counts, ratios and seconds are numbers, with the digits the CSV has
//! (four decimals for a ratio, three for seconds); reply codes, enhanced
//! codes, periods and times are strings (codes are identifiers, as in
//! `bounces explain --format json`); a cell the CSV leaves empty is `null`.
//! Nothing is defused: JSON is not read by spreadsheets.

use std::io::{self, BufWriter, Write};

use super::text::{Speller, is_number};
use crate::report::table::Row;

/// How the objects are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[` and `]` around the objects, one object a line, commas between.
    Array,
    /// One object a line, nothing else (JSON Lines).
    Lines,
}

/// Writes `rows` as JSON objects laid out as `layout`.
pub fn write<R: Row>(rows: &[R], out: impl Write, layout: Layout) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 << 10, out);
    // The keys once, quoted: `"domain":`.
    let keys: Vec<String> = R::COLUMNS
        .iter()
        .map(|c| format!("{}:", serde_json::to_string(c.name).expect("a string serializes")))
        .collect();
    if layout == Layout::Array {
        out.write_all(if rows.is_empty() { b"[" } else { b"[\n" })?;
    }
    let mut cells = Vec::with_capacity(R::COLUMNS.len());
    let mut speller = Speller::default();
    for (n, row) in rows.iter().enumerate() {
        cells.clear();
        row.cells(&mut cells);
        debug_assert_eq!(cells.len(), R::COLUMNS.len(), "one cell per column");
        out.write_all(b"{")?;
        for (i, (&cell, key)) in cells.iter().zip(&keys).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(key.as_bytes())?;
            let number = is_number(&cell);
            match speller.spell(cell, false) {
                "" => out.write_all(b"null")?,
                text if number => out.write_all(text.as_bytes())?,
                text => serde_json::to_writer(&mut out, text).map_err(io::Error::from)?,
            }
        }
        out.write_all(b"}")?;
        let end: &[u8] = match layout {
            Layout::Array if n + 1 < rows.len() => b",\n",
            Layout::Array | Layout::Lines => b"\n",
        };
        out.write_all(end)?;
    }
    if layout == Layout::Array {
        out.write_all(b"]\n")?;
    }
    out.flush()
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
            Column { name: "seconds", about: "" },
            Column { name: "code", about: "" },
            Column { name: "enhanced", about: "" },
            Column { name: "period", about: "" },
            Column { name: "text", about: "" },
            Column { name: "logged", about: "" },
        ];

        fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
            out.extend_from_slice(&self.0);
        }
    }

    fn written(rows: &[Every<'_>], layout: Layout) -> String {
        let mut out = Vec::new();
        write(rows, &mut out, layout).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Worked out by hand: numbers with the CSV's digits, codes as strings,
    /// missing values null, text escaped as JSON wants and never defused.
    #[test]
    fn every_cell_kind_is_written_as_documented() {
        let rows = [
            Every(vec![
                Cell::Count(12),
                Cell::Ratio(Some(2.0 / 3.0)),
                Cell::Seconds(Some(0.9)),
                Cell::Code(Some(550)),
                Cell::Enhanced(enhanced_at(b"5.1.1")),
                Cell::Period("2026-11-04"),
                Cell::Text("a \"b\"\n"),
                Cell::Logged("=x"),
            ]),
            Every(vec![
                Cell::Count(0),
                Cell::Ratio(None),
                Cell::Seconds(None),
                Cell::Code(None),
                Cell::Enhanced(None),
                Cell::Period(""),
                Cell::Text(""),
                Cell::Logged(""),
            ]),
        ];
        let first = r#"{"count":12,"ratio":0.6667,"seconds":0.900,"code":"550","enhanced":"5.1.1","period":"2026-11-04","text":"a \"b\"\n","logged":"=x"}"#;
        let second = r#"{"count":0,"ratio":null,"seconds":null,"code":null,"enhanced":null,"period":null,"text":null,"logged":null}"#;
        assert_eq!(written(&rows, Layout::Array), format!("[\n{first},\n{second}\n]\n"));
        assert_eq!(written(&rows, Layout::Lines), format!("{first}\n{second}\n"));
        let parsed: serde_json::Value = serde_json::from_str(&written(&rows, Layout::Array)).unwrap();
        assert_eq!(parsed[0]["seconds"], 0.9);
    }

    /// No rows: an empty array, or no line at all.
    #[test]
    fn no_rows() {
        assert_eq!(written(&[], Layout::Array), "[]\n");
        assert_eq!(written(&[], Layout::Lines), "");
    }
}
