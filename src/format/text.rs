//! Cells spelled as text, the one spelling CSV, TSV and JSON share: a
//! ratio has four decimals and seconds three in all of them, so a script
//! reading JSON sees the very values a spreadsheet reading CSV sees.
//!
//! The buffers are reused from cell to cell: no allocation per row.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::report::table::Cell;

/// Spells cells, reusing its buffers.
#[derive(Default)]
pub struct Speller {
    number: itoa::Buffer,
    text: String,
}

impl Speller {
    /// The cell as the CSV holds it: digits for counts and codes, four
    /// decimals for a ratio, three for seconds, `5.1.1` for an enhanced
    /// code, the text itself for texts, periods and times, and an empty
    /// string for a value that is missing. Text from the log is defused
    /// ([`defuse`]) when `defusing`.
    pub fn spell<'s>(&'s mut self, cell: Cell<'s>, defusing: bool) -> &'s str {
        self.text.clear();
        match cell {
            Cell::Count(n) => self.number.format(n),
            Cell::Code(Some(code)) => self.number.format(code),
            Cell::Ratio(Some(r)) => {
                write!(self.text, "{r:.4}").expect("writing to a String cannot fail");
                &self.text
            }
            Cell::Seconds(Some(s)) => {
                write!(self.text, "{s:.3}").expect("writing to a String cannot fail");
                &self.text
            }
            Cell::Enhanced(Some(e)) => {
                write!(self.text, "{e}").expect("writing to a String cannot fail");
                &self.text
            }
            Cell::Code(None) | Cell::Ratio(None) | Cell::Seconds(None) | Cell::Enhanced(None) => "",
            Cell::Text(t) | Cell::Period(t) | Cell::Time(t) => t,
            Cell::Logged(t) => match defuse(t, !defusing) {
                Cow::Borrowed(t) => t,
                Cow::Owned(t) => {
                    self.text = t;
                    &self.text
                }
            },
        }
    }
}

/// Defuses a cell that a spreadsheet would run as a formula, as OWASP
/// recommends for CSV files: text from a log (a hostile sender or server
/// chooses it) that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, which spreadsheets show as text.
pub fn defuse(cell: &str, raw_csv: bool) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !raw_csv => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Whether the cell is a number in JSON (a count, a ratio, seconds), as
/// opposed to a string; codes are identifiers, strings as in `explain`.
pub fn is_number(cell: &Cell<'_>) -> bool {
    matches!(cell, Cell::Count(_) | Cell::Ratio(_) | Cell::Seconds(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        let cases = [
            ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("example.com", "example.com"),
            ("", ""),
            ("a=b", "a=b"),
        ];
        for (cell, want) in cases {
            assert_eq!(defuse(cell, false), want, "{cell:?}");
            assert_eq!(defuse(cell, true), cell, "{cell:?} raw");
        }
    }

    /// Only text from the log is defused: periods, times and the program's
    /// own texts are written as they are.
    #[test]
    fn only_logged_text_is_defused() {
        let mut speller = Speller::default();
        assert_eq!(speller.spell(Cell::Logged("-x"), true), "'-x");
        assert_eq!(speller.spell(Cell::Logged("-x"), false), "-x");
        for cell in [Cell::Text("-x"), Cell::Period("-x"), Cell::Time("-x")] {
            assert_eq!(speller.spell(cell, true), "-x", "{cell:?}");
        }
    }
}
