//! The rows of a worksheet as SpreadsheetML, written here rather than by
//! rust_xlsxwriter, which keeps every cell in a table of its own before it
//! writes any XML (about 500 ns and a few hundred bytes a cell: a second and
//! 400 MB for the reports of a 1 GB log). rust_xlsxwriter still writes
//! everything else, the header row included: styles, charts, the frozen
//! header, the autofilter, the column widths ([`super::xlsx`]); the rows are
//! put into its sheet's `<sheetData>` ([`Splice`]).
//!
//! A cell is written as rust_xlsxwriter writes it, with three differences:
//! a text is an inline string (`t="inlineStr"`), not an index into the
//! shared strings (so each sheet is written on its own, a thread each); a
//! number is written as the CSV spells it (`0.1234`: the same value read
//! back); and a cell that follows the previous one of its row (or starts
//! the row) has no reference (`r="C5"`), which is optional and then means
//! the next column: the references made up a fifth of the XML and, as
//! numbers that keep changing, more than half of the compressed file. Text is escaped as rust_xlsxwriter and Excel escape it: `&`, `<`,
//! `>` as entities, control characters (those XML 1.0 forbids) and U+FFFE,
//! U+FFFF as `_xHHHH_`, and a `_xHHHH_` already in the text as
//! `_x005F_xHHHH_`, so that it reads back as itself.

use std::io::{self, Write};

/// The cell format (`s="N"`) of each kind of cell: the index of its `xf` in
/// the workbook's styles, the order in which [`super::xlsx`] registers its
/// formats (0 is the default format).
pub mod xf {
    /// Header cells: bold.
    pub const HEADER: u32 = 1;
    /// Codes: text (`@`).
    pub const TEXT: u32 = 2;
    /// Ratios: `0.00%`.
    pub const RATIO: u32 = 3;
    /// Seconds: `0.000`.
    pub const SECONDS: u32 = 4;
    /// Days: `yyyy-mm-dd`.
    pub const DATE: u32 = 5;
    /// Hours: `yyyy-mm-dd hh:mm`.
    pub const HOUR: u32 = 6;
    /// Moments: `yyyy-mm-dd hh:mm:ss`.
    pub const TIME: u32 = 7;
}

/// A cell's value as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// No cell.
    Empty,
    /// A number as spelled (digits, a decimal point), of cell format `xf`.
    Number(&'a str, u32),
    /// A date or date-time: days since 1899-12-30, of cell format `xf`.
    Serial(f64, u32),
    /// A text, of cell format `xf`.
    Text(&'a str, u32),
}

/// Writes rows of cells as `<row>` elements into a buffer, which the
/// caller empties into its output when it grows large.
#[derive(Default)]
pub struct Rows {
    /// The XML written.
    pub buf: Vec<u8>,
    row: itoa::Buffer,
    /// The current row number (1-based), spelled.
    row_spelled: String,
    /// Column names by number, as computed.
    columns: Vec<String>,
    /// The column after the last cell written in the row.
    next_col: u16,
    serial: ryu::Buffer,
}

impl Rows {
    /// Starts row `row` (0-based, as rust_xlsxwriter counts).
    pub fn start(&mut self, row: u32) {
        self.row_spelled.clear();
        self.row_spelled.push_str(self.row.format(row + 1));
        self.buf.extend_from_slice(b"<row r=\"");
        self.buf.extend_from_slice(self.row_spelled.as_bytes());
        self.buf.extend_from_slice(b"\">");
        self.next_col = 0;
    }

    /// Ends the row.
    pub fn end(&mut self) {
        self.buf.extend_from_slice(b"</row>");
    }

    /// Writes the cell of column `col` (0-based) of the current row.
    pub fn cell(&mut self, col: u16, value: Value<'_>) {
        let (xf, kind) = match value {
            Value::Empty => return,
            Value::Number(_, xf) | Value::Serial(_, xf) => (xf, ""),
            Value::Text(_, xf) => (xf, " t=\"inlineStr\""),
        };
        let follows = col == self.next_col;
        self.next_col = col + 1;
        while !follows && self.columns.len() <= col as usize {
            let mut name = Vec::new();
            column_name(self.columns.len() as u16, &mut name);
            self.columns.push(String::from_utf8(name).expect("column names are ASCII"));
        }
        let buf = &mut self.buf;
        if follows {
            buf.extend_from_slice(b"<c");
        } else {
            buf.extend_from_slice(b"<c r=\"");
            buf.extend_from_slice(self.columns[col as usize].as_bytes());
            buf.extend_from_slice(self.row_spelled.as_bytes());
            buf.push(b'"');
        }
        if xf > 0 {
            buf.extend_from_slice(b" s=\"");
            buf.extend_from_slice(self.row.format(xf).as_bytes());
            buf.push(b'"');
        }
        buf.extend_from_slice(kind.as_bytes());
        match value {
            Value::Number(spelled, _) => {
                buf.extend_from_slice(b"><v>");
                buf.extend_from_slice(spelled.as_bytes());
                buf.extend_from_slice(b"</v></c>");
            }
            Value::Serial(days, _) => {
                buf.extend_from_slice(b"><v>");
                buf.extend_from_slice(self.serial.format(days).as_bytes());
                buf.extend_from_slice(b"</v></c>");
            }
            Value::Text(text, _) => {
                let space = text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']);
                buf.extend_from_slice(if space { b"><is><t xml:space=\"preserve\">" } else { b"><is><t>" });
                escape(text, buf);
                buf.extend_from_slice(b"</t></is></c>");
            }
            Value::Empty => unreachable!("returned above"),
        }
    }
}

/// Appends the name of column `col` (0-based): `A` to `Z`, `AA` to `ZZ`,
/// `AAA` to `XFD`.
pub fn column_name(col: u16, out: &mut Vec<u8>) {
    let mut n = u32::from(col) + 1;
    let mut letters = [0u8; 3];
    let mut len = 0;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters[len] = b'A' + rem as u8;
        len += 1;
        n = (n - 1) / 26;
    }
    out.extend(letters[..len].iter().rev());
}

/// Appends `text` escaped for the content of a `<t>` element (see the
/// module's documentation).
pub fn escape(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\t' | b'\n' => continue,
            0..=0x1F => {
                out.extend_from_slice(&bytes[from..i]);
                write!(out, "_x{b:04X}_").expect("writing to a Vec cannot fail");
                from = i + 1;
                continue;
            }
            b'_' if is_escape_like(&bytes[i..]) => b"_x005F",
            // U+FFFE and U+FFFF: EF BF BE, EF BF BF.
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBF, 0xBE]) || bytes[i..].starts_with(&[0xEF, 0xBF, 0xBF]) => {
                out.extend_from_slice(&bytes[from..i]);
                out.extend_from_slice(if bytes[i + 2] == 0xBE { b"_xFFFE_" } else { b"_xFFFF_" });
                from = i + 3;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        out.extend_from_slice(escaped);
        // `_x005F` goes before the `_`, which is kept.
        from = if b == b'_' { i } else { i + 1 };
    }
    out.extend_from_slice(&bytes[from..]);
}

/// Whether `bytes` starts with `_xHHHH_` (four hex digits), which a reader
/// takes for an escaped character.
fn is_escape_like(bytes: &[u8]) -> bool {
    bytes.len() >= 7 && bytes[1] == b'x' && bytes[2..6].iter().all(u8::is_ascii_hexdigit) && bytes[6] == b'_'
}

/// A sheet as rust_xlsxwriter wrote it (the header row alone), cut where
/// the rows go: `before`, the rows, `after`.
pub struct Splice<'x> {
    /// Everything before `</sheetData>`, the dimension widened to the rows.
    pub before: String,
    /// `</sheetData>` and everything after.
    pub after: &'x str,
}

impl<'x> Splice<'x> {
    /// Cuts `xml` for rows up to `last_row` (0-based, the header being 0)
    /// and columns up to `last_col`; `None` when `xml` is not a sheet of
    /// the shape expected.
    pub fn new(xml: &'x str, last_row: u32, last_col: u16) -> Option<Splice<'x>> {
        let end = xml.find("</sheetData>")?;
        let (head, after) = xml.split_at(end);
        const DIMENSION: &str = "<dimension ref=\"";
        let start = head.find(DIMENSION)? + DIMENSION.len();
        let stop = start + head[start..].find('"')?;
        let mut range = b"A1:".to_vec();
        column_name(last_col, &mut range);
        range.extend_from_slice(itoa::Buffer::new().format(last_row + 1).as_bytes());
        let range = String::from_utf8(range).expect("a range is ASCII");
        let before = [&head[..start], &range, &head[stop..]].concat();
        Some(Splice { before, after })
    }
}

/// Writes `buf` to `out` and empties it.
pub fn drain(buf: &mut Vec<u8>, out: &mut impl Write) -> io::Result<()> {
    out.write_all(buf)?;
    buf.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        escape(text, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn xml_special_and_control_characters_are_escaped() {
        assert_eq!(escaped("a<b>&c\"d'"), "a&lt;b&gt;&amp;c\"d'");
        assert_eq!(escaped("tab\there\nnewline"), "tab\there\nnewline");
        assert_eq!(escaped("\u{0}\u{1}\r\u{1F}x"), "_x0000__x0001__x000D__x001F_x");
        assert_eq!(escaped("\u{FFFE}\u{FFFF}\u{FFFD}"), "_xFFFE__xFFFF_\u{FFFD}");
        assert_eq!(escaped("b\u{fc}ro"), "b\u{fc}ro");
        // Text that reads as an escape is escaped itself.
        assert_eq!(escaped("_x0041_"), "_x005F_x0041_");
        assert_eq!(escaped("a_x00e9_b_x12_"), "a_x005F_x00e9_b_x12_");
        assert_eq!(escaped("_x_x004"), "_x_x004");
        assert_eq!(escaped(""), "");
    }

    /// As rust_xlsxwriter escapes, for every character class concerned.
    #[test]
    fn escaping_is_rust_xlsxwriters() {
        let texts = ["<&>", "\u{1}_x0001_", "x_xFFFF_\u{FFFF}", "=HYPERLINK(\"x\")\tC:\\temp", "\u{b}\u{c}"];
        for text in texts {
            let mut book = rust_xlsxwriter::Workbook::new();
            book.add_worksheet().write_string(0, 0, text).unwrap();
            let bytes = book.save_to_buffer().unwrap();
            let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
            let mut sst = String::new();
            io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut sst).unwrap();
            let want = format!("<t>{}</t>", escaped(text));
            assert!(sst.contains(&want), "{text:?}: {want} in {sst}");
        }
    }

    #[test]
    fn columns_are_named_beyond_z() {
        let name = |col| {
            let mut out = Vec::new();
            column_name(col, &mut out);
            String::from_utf8(out).unwrap()
        };
        for (col, want) in
            [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA"), (16_383, "XFD")]
        {
            assert_eq!(name(col), want, "{col}");
            assert_eq!(name(col), rust_xlsxwriter::utility::column_number_to_name(col), "{col}");
        }
    }

    #[test]
    fn cells_are_written_typed() {
        let mut rows = Rows::default();
        rows.start(4);
        rows.cell(0, Value::Number("12", 0));
        rows.cell(1, Value::Empty);
        rows.cell(2, Value::Number("0.1234", xf::RATIO));
        rows.cell(27, Value::Text(" a&b", 0));
        rows.cell(28, Value::Serial(46_330.5, xf::HOUR));
        rows.end();
        assert_eq!(
            String::from_utf8(rows.buf).unwrap(),
            "<row r=\"5\"><c><v>12</v></c><c r=\"C5\" s=\"3\"><v>0.1234</v></c>\
             <c r=\"AB5\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> a&amp;b</t></is></c>\
             <c s=\"6\"><v>46330.5</v></c></row>"
        );
    }

    /// Texts and numbers written here read back as themselves with
    /// calamine, put into a sheet rust_xlsxwriter wrote.
    #[test]
    fn cells_read_back_as_written() {
        use calamine::{Data, Reader};
        let texts = [
            "<&>\"'",
            "\u{1}x\u{1F}",
            "_x0041_",
            "a_x005F_b",
            " lead",
            "trail\t",
            "\r\n",
            "b\u{fc}ro",
            "\u{FFFE}\u{FFFF}",
            "\u{1F600}",
            "=HYPERLINK(\"x\")",
            "5.1.1",
        ];
        let numbers = ["0", "1", "9007199254740992", "0.1234", "1.0000", "12345.678", "0.001"];
        let serials = [46_330.541_666_666_664, 46_330.0, 1.0 / 86_400.0];
        let mut rows = Rows::default();
        let mut want = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            rows.start(i as u32 + 1);
            rows.cell(0, Value::Text(text, 0));
            rows.cell(30, Value::Number(numbers[i % numbers.len()], 0));
            rows.cell(31, Value::Serial(serials[i % serials.len()], 0));
            rows.end();
            want.push((
                Data::String(text.to_string()),
                Data::Float(numbers[i % numbers.len()].parse().unwrap()),
                Data::Float(serials[i % serials.len()]),
            ));
        }
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "header").unwrap();
        let skeleton = book.save_to_buffer().unwrap();
        let mut source = zip::ZipArchive::new(io::Cursor::new(&skeleton[..])).unwrap();
        let mut out = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        for i in 0..source.len() {
            let mut entry = source.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            if name != "xl/worksheets/sheet1.xml" {
                drop(entry);
                out.raw_copy_file(source.by_index_raw(i).unwrap()).unwrap();
                continue;
            }
            let mut xml = String::new();
            io::Read::read_to_string(&mut entry, &mut xml).unwrap();
            let splice = Splice::new(&xml, texts.len() as u32, 31).unwrap();
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(splice.before.as_bytes()).unwrap();
            out.write_all(&rows.buf).unwrap();
            out.write_all(splice.after.as_bytes()).unwrap();
        }
        let bytes = out.finish().unwrap().into_inner();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Sheet1").unwrap();
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("header".into())));
        for (i, (text, number, serial)) in want.iter().enumerate() {
            let row = i as u32 + 1;
            assert_eq!(range.get_value((row, 0)), Some(text), "row {row}");
            assert_eq!(range.get_value((row, 1)), Some(&Data::Empty), "row {row}");
            assert_eq!(range.get_value((row, 30)), Some(number), "row {row}");
            assert_eq!(range.get_value((row, 31)), Some(serial), "row {row}");
        }
    }

    #[test]
    fn a_sheet_is_cut_before_the_end_of_its_rows() {
        let xml = "<worksheet><dimension ref=\"A1:E1\"/><sheetData><row r=\"1\"></row></sheetData><x/></worksheet>";
        let splice = Splice::new(xml, 1_000, 29).unwrap();
        assert_eq!(splice.before, "<worksheet><dimension ref=\"A1:AD1001\"/><sheetData><row r=\"1\"></row>");
        assert_eq!(splice.after, "</sheetData><x/></worksheet>");
        assert!(Splice::new("<worksheet><sheetData/></worksheet>", 1, 1).is_none());
    }
}
