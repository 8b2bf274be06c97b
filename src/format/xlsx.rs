//! Excel workbooks (`--format xlsx`): one sheet per report, named as the
//! report, with typed cells, so that no spreadsheet in any locale reads a
//! code as a date or a decimal point as a thousands separator.
//!
//! How each cell is typed: counts are numbers (integers), a ratio is a
//! number shown as a percentage (`0.00%`), seconds a number (`0.000`),
//! reply codes and enhanced codes are text (shown as text: `@`), a day is
//! a date, an hour and a moment (`first_seen`) are date-times in the `--tz`
//! zone (a workbook knows no zones: the wall-clock time is kept, the offset
//! is not); texts are text. The values are those of the CSV: a ratio is
//! rounded to four decimals and seconds to three, as there. A missing value
//! is an empty cell. Nothing is defused: a text cell is never a formula.
//!
//! Each sheet has its header row frozen, an autofilter over its rows and
//! columns as wide as their contents (within bounds). A sheet holds at most
//! [`MAX_ROWS`] rows: a larger report goes on into sheets of the same name
//! numbered `(2)`, `(3)`, ..., each with the header, never cut. Charts: the
//! `daily` and `hourly` sheets show their outcomes as stacked columns with
//! the bounce rate as a line (the latest [`CHART_POINTS`] periods); with the
//! `domains` report a `top_bounced` sheet lists the domains with the most
//! bounces beside a bar chart of them.
//!
//! The workbook's creation time is fixed, so the same input gives the same
//! bytes.
//!
//! rust_xlsxwriter writes the workbook with each sheet's header row alone;
//! the rows are written into its sheets' XML here ([`super::xlsx_sheet`]),
//! each sheet compressed on its own thread, because rust_xlsxwriter keeps
//! every cell in memory before it writes any: for the reports of a 1 GB log
//! that cost a second and 400 MB (docs/performance.md).

use std::io::{self, Cursor, Read, Write};

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, DocProperties, ExcelDateTime, Format, IgnoreError, Workbook,
    Worksheet, XlsxError,
};
use zip::write::SimpleFileOptions;
use zip::{ZipArchive, ZipWriter};

use rayon::prelude::*;

use super::WithRows;
use super::text::Speller;
use super::xlsx_sheet::{self, Rows, Splice, Value, xf};
use crate::config::ReportKind;
use crate::report::Reports;
use crate::report::table::{Cell, Row};

/// The rows of an Excel sheet, the header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// The name of the sheet of the domains with the most bounces.
pub const TOP_BOUNCED: &str = "top_bounced";

/// How many domains [`TOP_BOUNCED`] lists.
const TOP: usize = 20;

/// The most periods a chart shows: the latest, 31 days of hours or two
/// years of days (more columns than that are no longer read by eye, and each
/// point costs the file a cached value).
const CHART_POINTS: u32 = 744;

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// The workbook of the reports `kinds`, in that order, as the bytes of an
/// xlsx file.
pub fn workbook(reports: &Reports, kinds: &[ReportKind]) -> Result<Vec<u8>, XlsxError> {
    workbook_with_limit(reports, kinds, MAX_ROWS)
}

/// [`workbook`] with sheets of at most `max_rows` rows (tests use small
/// ones).
///
/// In three steps: the column widths of every sheet are measured, each
/// report a thread when the current rayon pool has them; rust_xlsxwriter
/// writes the workbook with each report's header row alone (styles,
/// charts, frozen headers, autofilters, widths, the `top_bounced` sheet);
/// then the rows of each sheet are written into its XML ([`xlsx_sheet`])
/// and compressed, a thread each, and the whole is put together in the
/// order rust_xlsxwriter gave. Nothing is written to disk on the way.
pub fn workbook_with_limit(reports: &Reports, kinds: &[ReportKind], max_rows: u32) -> Result<Vec<u8>, XlsxError> {
    let sheets: Vec<Sheet<'_>> = kinds
        .par_iter()
        .map(|&kind| super::with_rows(reports, kind, Measure { kind, max_rows }))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    styles.register(&mut workbook);
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    workbook.set_zip_compression_level(COMPRESSION);
    for sheet in &sheets {
        workbook.push_worksheet(sheet.header(&styles)?);
    }
    if kinds.contains(&ReportKind::Domains) {
        top_bounced(&mut workbook, reports, &styles)?;
    }
    let skeleton = workbook.save_to_buffer()?;
    let filled: Vec<Result<Vec<u8>, XlsxError>> = sheets
        .par_iter()
        .enumerate()
        .map(|(n, sheet)| {
            let name = sheet_file(n);
            let xml = read_entry(&skeleton, &name)?;
            let splice = Splice::new(&xml, sheet.rows, sheet.columns - 1)
                .ok_or_else(|| XlsxError::ParameterError(format!("{name}: not a sheet as expected")))?;
            Ok(fill(reports, sheet, &name, &splice)?)
        })
        .collect();
    let mut filled = filled.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter();
    let mut source = ZipArchive::new(Cursor::new(&skeleton[..]))?;
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(skeleton.len() * 2)));
    let mut next = 0;
    for i in 0..source.len() {
        let entry = source.by_index_raw(i)?;
        if next < sheets.len() && *entry.name()? == sheet_file(next) {
            drop(entry);
            let bytes = filled.next().expect("one zip per sheet");
            let mut one = ZipArchive::new(Cursor::new(&bytes[..]))?;
            out.raw_copy_file(one.by_index_raw(0)?)?;
            next += 1;
        } else {
            out.raw_copy_file(entry)?;
        }
    }
    if next != sheets.len() {
        return Err(XlsxError::ParameterError(format!("{} of {} sheets found", next, sheets.len())));
    }
    Ok(out.finish()?.into_inner())
}

/// The zip compression level: 2 of 9 writes the workbook of a 1 GB log's
/// reports twice as fast as the default 6, for a file about a quarter
/// larger (measured in docs/performance.md).
const COMPRESSION: u8 = 2;

/// The name in the zip file of the `n`th sheet (0-based), as
/// rust_xlsxwriter names it.
fn sheet_file(n: usize) -> String {
    format!("xl/worksheets/sheet{}.xml", n + 1)
}

/// The text of the entry `name` of the zip file `bytes`.
fn read_entry(bytes: &[u8], name: &str) -> Result<String, XlsxError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))?;
    let mut text = String::new();
    zip.by_name(name)?.read_to_string(&mut text)?;
    Ok(text)
}

/// One sheet of a report: its rows from `first` (a report longer than
/// a sheet goes on in more sheets), and what its header needs.
struct Sheet<'r> {
    kind: ReportKind,
    /// Its name.
    name: String,
    /// The index in the report of its first row.
    first: usize,
    /// How many rows it has, the header left out.
    rows: u32,
    /// How many columns.
    columns: u16,
    /// The names of the columns.
    header: &'r [crate::report::table::Column],
    /// The width of each column, in characters.
    widths: Vec<usize>,
    /// An upper bound of its XML's length, in bytes.
    xml_bound: u64,
    /// Whether the chart goes on it (the first sheet of a time series).
    chart: bool,
}

impl Sheet<'_> {
    /// The sheet with its header row alone, frozen, the autofilter over
    /// the rows to come, the column widths, and the chart.
    fn header(&self, styles: &Styles) -> Result<Worksheet, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(&self.name)?;
        for (col, column) in self.header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, column.name, &styles.header)?;
        }
        let last_col = self.columns - 1;
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, self.rows, last_col)?;
        // Codes are text on purpose: no green triangles for them.
        sheet.ignore_error_range(0, 0, self.rows, last_col, IgnoreError::NumberStoredAsText)?;
        for (col, &width) in self.widths.iter().enumerate() {
            // Room for the autofilter's button.
            sheet.set_column_width(col as u16, (width + 3).min(MAX_WIDTH) as f64)?;
        }
        if self.chart {
            period_chart(&mut sheet, self.kind.name(), self.rows)?;
        }
        Ok(sheet)
    }
}

/// Measures the sheets of a report: splits it and finds the widths of the
/// columns of each sheet.
struct Measure {
    kind: ReportKind,
    max_rows: u32,
}

impl WithRows for Measure {
    type Output = Vec<Sheet<'static>>;

    fn rows<R: Row>(self, rows: &[R]) -> Self::Output {
        let per_sheet = (self.max_rows - 1) as usize;
        // At least one sheet, if only with the header.
        let chunks: Vec<&[R]> = if rows.is_empty() { vec![rows] } else { rows.chunks(per_sheet).collect() };
        let name = self.kind.name();
        let mut cells = Vec::with_capacity(R::COLUMNS.len());
        let mut speller = Speller::default();
        chunks
            .into_iter()
            .enumerate()
            .map(|(n, chunk)| {
                let mut widths: Vec<usize> = R::COLUMNS.iter().map(|c| c.name.len()).collect();
                let mut xml_bound = 1 << 16;
                for row in chunk {
                    cells.clear();
                    row.cells(&mut cells);
                    debug_assert_eq!(cells.len(), R::COLUMNS.len(), "one cell per column");
                    xml_bound += 32;
                    for (col, &cell) in cells.iter().enumerate() {
                        widths[col] = widths[col].max(width(cell, &mut speller));
                        // A text's bytes may grow 7 times (a control
                        // character as `_x0001_`), plus the tags.
                        xml_bound +=
                            64 + if let Cell::Text(t) | Cell::Logged(t) = cell { 7 * t.len() as u64 } else { 0 };
                    }
                }
                Sheet {
                    kind: self.kind,
                    name: if n == 0 { name.to_string() } else { format!("{name} ({})", n + 1) },
                    first: n * per_sheet,
                    rows: chunk.len() as u32,
                    columns: R::COLUMNS.len() as u16,
                    header: R::COLUMNS,
                    widths,
                    xml_bound,
                    chart: n == 0 && self.kind.is_time_series(),
                }
            })
            .collect()
    }
}

/// Writes the rows of `sheet` into its XML, cut by `splice`, as the one
/// entry `name` of a zip file of its own.
fn fill(reports: &Reports, sheet: &Sheet<'_>, name: &str, splice: &Splice<'_>) -> io::Result<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(i64::from(COMPRESSION)))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default())
        .large_file(sheet.xml_bound > u64::from(u32::MAX));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(name, options)?;
    zip.write_all(splice.before.as_bytes())?;
    super::with_rows(reports, sheet.kind, Fill { sheet, out: &mut zip })?;
    zip.write_all(splice.after.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

/// Writes the rows of a sheet to `out`.
struct Fill<'s, W> {
    sheet: &'s Sheet<'s>,
    out: W,
}

impl<W: Write> WithRows for Fill<'_, W> {
    type Output = io::Result<()>;

    fn rows<R: Row>(mut self, rows: &[R]) -> io::Result<()> {
        let rows = &rows[self.sheet.first..self.sheet.first + self.sheet.rows as usize];
        let mut xml = Rows::default();
        xml.buf.reserve(1 << 17);
        let mut cells = Vec::with_capacity(R::COLUMNS.len());
        let mut speller = Speller::default();
        for (i, row) in rows.iter().enumerate() {
            cells.clear();
            row.cells(&mut cells);
            xml.start(i as u32 + 1);
            for (col, &cell) in cells.iter().enumerate() {
                xml.cell(col as u16, value(cell, &mut speller).0);
            }
            xml.end();
            if xml.buf.len() >= 1 << 16 {
                xlsx_sheet::drain(&mut xml.buf, &mut self.out)?;
            }
        }
        xlsx_sheet::drain(&mut xml.buf, &mut self.out)
    }
}

/// A cell typed as written, and its width in characters as shown.
fn value<'s>(cell: Cell<'s>, speller: &'s mut Speller) -> (Value<'s>, usize) {
    match cell {
        Cell::Count(_) => {
            let spelled = speller.spell(cell, false);
            (Value::Number(spelled, 0), spelled.len())
        }
        // The value the CSV holds, rounded as there.
        Cell::Ratio(Some(_)) => {
            let spelled = speller.spell(cell, false);
            (Value::Number(spelled, xf::RATIO), spelled.len() + 1)
        }
        Cell::Seconds(Some(_)) => {
            let spelled = speller.spell(cell, false);
            (Value::Number(spelled, xf::SECONDS), spelled.len())
        }
        Cell::Code(Some(_)) | Cell::Enhanced(Some(_)) => {
            let spelled = speller.spell(cell, false);
            (Value::Text(spelled, xf::TEXT), spelled.len())
        }
        Cell::Code(None) | Cell::Ratio(None) | Cell::Seconds(None) | Cell::Enhanced(None) => (Value::Empty, 0),
        Cell::Period(text) | Cell::Time(text) => match civil(text) {
            Some((datetime, shape)) => (Value::Serial(datetime.to_excel(), shape.xf()), shape.width()),
            None => text_value(text),
        },
        Cell::Text(text) | Cell::Logged(text) => text_value(text),
    }
}

/// The width of a cell as shown, as [`value`] gives it, without spelling
/// the cells most common (every cell is measured before any is written).
fn width(cell: Cell<'_>, speller: &mut Speller) -> usize {
    let digits = |n: u64| n.checked_ilog10().map_or(1, |l| l as usize + 1);
    match cell {
        Cell::Count(n) => digits(n),
        Cell::Code(Some(code)) => digits(code.into()),
        Cell::Enhanced(Some(e)) => digits(e.class.into()) + digits(e.subject.into()) + digits(e.detail.into()) + 2,
        // `0.1234` or `1.0000`, and the percent sign.
        Cell::Ratio(Some(r)) if r.is_sign_positive() && r <= 1.0 => 7,
        Cell::Text(text) | Cell::Logged(text) => text.chars().count(),
        _ => value(cell, speller).1,
    }
}

/// A text cell, none for an empty text.
fn text_value(text: &str) -> (Value<'_>, usize) {
    if text.is_empty() { (Value::Empty, 0) } else { (Value::Text(text, 0), text.chars().count()) }
}

/// The cell formats of a workbook.
struct Styles {
    header: Format,
    text: Format,
    ratio: Format,
    seconds: Format,
    date: Format,
    hour: Format,
    time: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new().set_bold(),
            text: Format::new().set_num_format("@"),
            ratio: Format::new().set_num_format("0.00%"),
            seconds: Format::new().set_num_format("0.000"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            hour: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }

    /// Registers the formats with `workbook` first, in the order of
    /// [`xf`]: the rows written by hand refer to them by that index.
    /// (`register_format` is documented as for tests and for programs
    /// that write sheets side by side; the test `the_rows_formats_are_the_styles`
    /// checks the indices in the styles written.)
    fn register(&self, workbook: &mut Workbook) {
        for format in [&self.header, &self.text, &self.ratio, &self.seconds, &self.date, &self.hour, &self.time] {
            workbook.register_format(format);
        }
    }

    /// The format of a cell format index of [`xf`].
    fn of(&self, xf: u32) -> Option<&Format> {
        match xf {
            xf::HEADER => Some(&self.header),
            xf::TEXT => Some(&self.text),
            xf::RATIO => Some(&self.ratio),
            xf::SECONDS => Some(&self.seconds),
            xf::DATE => Some(&self.date),
            xf::HOUR => Some(&self.hour),
            xf::TIME => Some(&self.time),
            _ => None,
        }
    }
}

/// Writes one cell of the `top_bounced` sheet with rust_xlsxwriter, typed
/// as the rows written by hand; gives its width in characters as shown.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell<'_>,
    styles: &Styles,
    speller: &mut Speller,
) -> Result<usize, XlsxError> {
    let (value, width) = value(cell, speller);
    match value {
        Value::Empty => {}
        Value::Number(spelled, xf) => {
            let number: f64 = spelled.parse().expect("a spelled number parses");
            match styles.of(xf) {
                Some(format) => sheet.write_number_with_format(row, col, number, format)?,
                None => sheet.write_number(row, col, number)?,
            };
        }
        Value::Serial(days, xf) => {
            let format = styles.of(xf).expect("a date has a format");
            sheet.write_number_with_format(row, col, days, format)?;
        }
        Value::Text(text, xf) => {
            match styles.of(xf) {
                Some(format) => sheet.write_string_with_format(row, col, text, format)?,
                None => sheet.write_string(row, col, text)?,
            };
        }
    }
    Ok(width)
}

/// What a period or a moment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DDTHH:MM`.
    Hour,
    /// `YYYY-MM-DDTHH:MM:SS`, an offset after it or not.
    Time,
}

impl Shape {
    /// Its width as shown.
    fn width(self) -> usize {
        match self {
            Shape::Date => 10,
            Shape::Hour => 16,
            Shape::Time => 19,
        }
    }

    /// Its cell format.
    fn xf(self) -> u32 {
        match self {
            Shape::Date => xf::DATE,
            Shape::Hour => xf::HOUR,
            Shape::Time => xf::TIME,
        }
    }
}

/// The date or date-time at the start of `text` (a period or an RFC 3339
/// moment: the wall-clock time, its offset ignored); `None` for text of
/// another shape (then written as text).
fn civil(text: &str) -> Option<(ExcelDateTime, Shape)> {
    let b = text.as_bytes();
    let number = |from: usize, len: usize| -> Option<u16> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u16, |n, &d| d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0')))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-')) {
        return None;
    }
    let small = |from: usize| number(from, 2).and_then(|n| u8::try_from(n).ok());
    let date = ExcelDateTime::from_ymd(number(0, 4)?, small(5)?, small(8)?).ok()?;
    if b.len() == 10 {
        return Some((date, Shape::Date));
    }
    if !(at(10, b'T') && at(13, b':')) {
        return None;
    }
    let (hour, minute) = (number(11, 2).filter(|&h| h < 24)?, small(14)?);
    let (second, shape) = if b.len() == 16 {
        (0, Shape::Hour)
    } else if at(16, b':') {
        (small(17)?, Shape::Time)
    } else {
        return None;
    };
    Some((date.and_hms(hour, minute, second).ok()?, shape))
}

/// Colours of the outcomes in charts: delivered, deferred, bounced.
const COLOURS: [&str; 3] = ["#4E9A06", "#F5A623", "#CC0000"];

/// The chart of the `daily` or `hourly` sheet: delivered, deferred and
/// bounced as stacked columns, the bounce rate as a line on a second axis,
/// beside the table; the latest [`CHART_POINTS`] periods of its `rows`. No
/// chart without rows.
fn period_chart(worksheet: &mut Worksheet, sheet: &str, rows: u32) -> Result<(), XlsxError> {
    if rows == 0 {
        return Ok(());
    }
    let first = rows.saturating_sub(CHART_POINTS) + 1;
    let mut columns = Chart::new(ChartType::ColumnStacked);
    for (col, colour) in (1..=3).zip(COLOURS) {
        columns
            .add_series()
            .set_name((sheet, 0, col))
            .set_categories((sheet, first, 0, rows, 0))
            .set_values((sheet, first, col, rows, col))
            .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour)))
            .set_gap(20);
    }
    let mut line = Chart::new(ChartType::Line);
    line.add_series()
        .set_name((sheet, 0, 4))
        .set_categories((sheet, first, 0, rows, 0))
        .set_values((sheet, first, 4, rows, 4))
        .set_secondary_axis(true);
    line.y2_axis().set_name("bounce rate").set_num_format("0%");
    columns.combine(&line);
    let latest = if first > 1 { format!(", the latest {CHART_POINTS}") } else { String::new() };
    columns.title().set_name(&format!("{sheet}: outcomes and bounce rate{latest}"));
    columns.y_axis().set_name("events");
    columns.set_width(900).set_height(400);
    worksheet.insert_chart(1, 6, &columns)?;
    Ok(())
}

/// The `top_bounced` sheet: the [`TOP`] domains with the most bounced
/// events (of equal counts, the names that sort first; `(other)` left
/// out), with their bounce rate, beside a bar chart of them. No sheet when
/// nothing bounced.
fn top_bounced(workbook: &mut Workbook, reports: &Reports, styles: &Styles) -> Result<(), XlsxError> {
    let mut top: Vec<(&str, u64, Option<f64>)> = reports
        .domains
        .iter()
        .filter(|row| &*row.domain != crate::report::OTHER && row.counts[2] > 0)
        .map(|row| (&*row.domain, row.counts[2], row.bounce_rate()))
        .collect();
    if top.is_empty() {
        return Ok(());
    }
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    top.truncate(TOP);
    let rows = top.len() as u32;
    let sheet = workbook.add_worksheet();
    sheet.set_name(TOP_BOUNCED)?;
    let mut speller = Speller::default();
    for (col, name) in ["domain", "bounced", "bounce_rate"].into_iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, name, &styles.header)?;
    }
    let mut width = "domain".len();
    for (i, &(domain, bounced, rate)) in top.iter().enumerate() {
        let r = i as u32 + 1;
        width = width.max(write_cell(sheet, r, 0, Cell::Logged(domain), styles, &mut speller)?);
        write_cell(sheet, r, 1, Cell::Count(bounced), styles, &mut speller)?;
        write_cell(sheet, r, 2, Cell::Ratio(rate), styles, &mut speller)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(0, (width + 2).min(MAX_WIDTH) as f64)?;
    sheet.set_column_width(1, 10)?;
    sheet.set_column_width(2, 12)?;
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name((TOP_BOUNCED, 0, 1))
        .set_categories((TOP_BOUNCED, 1, 0, rows, 0))
        .set_values((TOP_BOUNCED, 1, 1, rows, 1))
        .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(COLOURS[2])));
    chart.title().set_name("domains with the most bounced events");
    // The most bounces at the top.
    chart.x_axis().set_reverse();
    chart.legend().set_hidden();
    chart.set_width(700).set_height(120 + 24 * rows);
    sheet.insert_chart(1, 4, &chart)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader};

    /// Reports of `domains` domains, one delivery each.
    fn reports(domains: usize) -> Reports {
        use crate::parse::{Event, Outcome};
        let mut worker = crate::worker::Worker::default();
        for n in 0..domains {
            let name = format!("d{n}.example");
            worker.record(0, &Event::new(name.as_bytes(), Outcome::Delivered, Some(250), None));
        }
        Reports::build(worker.tally())
    }

    /// A report longer than a sheet goes on in numbered sheets, each with
    /// the header: every row is there, in order, none cut.
    #[test]
    fn a_long_report_is_split_never_cut() {
        let reports = reports(5);
        let bytes = workbook_with_limit(&reports, &[ReportKind::Domains], 3).unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["domains", "domains (2)", "domains (3)"]);
        let mut domains = Vec::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            let mut rows = range.rows();
            assert_eq!(rows.next().unwrap()[0], Data::String("domain".into()), "{name}: the header");
            domains.extend(rows.map(|row| row[0].to_string()));
        }
        let want: Vec<String> = reports.domains.iter().map(|r| r.domain.to_string()).collect();
        assert_eq!(domains, want);
    }

    /// The cell formats the rows written by hand refer to ([`xf`]) are
    /// those the styles of the workbook give those indices: the `xf` of
    /// index N of `<cellXfs>` has the number format wanted (or is bold).
    #[test]
    fn the_rows_formats_are_the_styles() {
        let bytes = workbook(&reports(3), &[ReportKind::Domains, ReportKind::Daily]).unwrap();
        let styles = read_entry(&bytes, "xl/styles.xml").unwrap();
        let cell_xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let xfs: Vec<&str> = cell_xfs.split("<xf ").skip(1).collect();
        let num_fmt_id = |code: &str| -> String {
            let at = styles.find(&format!("formatCode=\"{code}\"")).unwrap_or_else(|| panic!("{code}"));
            let start = styles[..at].rfind("numFmtId=\"").unwrap() + "numFmtId=\"".len();
            styles[start..].split('"').next().unwrap().to_string()
        };
        let formats = [
            (xf::TEXT, "@"),
            (xf::RATIO, "0.00%"),
            (xf::SECONDS, "0.000"),
            (xf::DATE, "yyyy-mm-dd"),
            (xf::HOUR, "yyyy-mm-dd hh:mm"),
            (xf::TIME, "yyyy-mm-dd hh:mm:ss"),
        ];
        for (xf, code) in formats {
            let want = format!("numFmtId=\"{}\"", num_fmt_id(code));
            assert!(xfs[xf as usize].contains(&want), "xf {xf}: {want} in {}", xfs[xf as usize]);
        }
        assert!(xfs[xf::HEADER as usize].contains("fontId=\"1\""), "bold: {}", xfs[xf::HEADER as usize]);
        assert!(xfs[0].contains("numFmtId=\"0\" fontId=\"0\""), "the default: {}", xfs[0]);
    }

    /// Measuring a cell gives the width its value has.
    #[test]
    fn widths_are_those_of_the_values() {
        use crate::parse::Enhanced;
        let mut cells =
            vec![Cell::Text(""), Cell::Text("b\u{fc}ro"), Cell::Logged("x"), Cell::Code(None), Cell::Code(Some(550))];
        for n in [0, 9, 10, 99, 100, 123_456, u64::MAX] {
            cells.push(Cell::Count(n));
        }
        for r in [0.0, 0.00004, 0.5, 0.99994, 0.99995, 0.99999, 1.0, 1.5, 12.25] {
            cells.push(Cell::Ratio(Some(r)));
            cells.push(Cell::Seconds(Some(r * 100.0)));
        }
        for (class, subject, detail) in [(2, 0, 0), (5, 7, 1), (4, 4, 10), (5, 7, 13), (5, 123, 456)] {
            cells.push(Cell::Enhanced(Some(Enhanced { class, subject, detail })));
        }
        for text in ["2026-11-04", "2026-11-04T13:00", "2026-11-04T13:05:09+01:00", "2026-13-04", ""] {
            cells.push(Cell::Period(text));
            cells.push(Cell::Time(text));
        }
        let mut speller = Speller::default();
        for cell in cells {
            let want = value(cell, &mut Speller::default()).1;
            assert_eq!(width(cell, &mut speller), want, "{cell:?}");
        }
    }

    /// The limit is Excel's: 1,048,576 rows, the header one of them.
    #[test]
    fn the_limit_is_excels() {
        assert_eq!(MAX_ROWS, 1 << 20);
        let mut sheet = Worksheet::new();
        assert!(sheet.write_number(MAX_ROWS - 1, 0, 1.0).is_ok());
        assert!(sheet.write_number(MAX_ROWS, 0, 1.0).is_err());
    }

    /// Serial numbers worked out apart (Python: 2026-11-04 is day 46,330 after
    /// 1899-12-30); 13:00 is 13/24 of a day.
    #[test]
    fn periods_and_moments_are_read_as_dates() {
        let serial = |text| civil(text).map(|(t, shape)| (t.to_excel(), shape));
        assert_eq!(serial("2026-11-04"), Some((46_330.0, Shape::Date)));
        assert_eq!(serial("2026-11-04T13:00"), Some((46_330.0 + 13.0 / 24.0, Shape::Hour)));
        let moment = 46_330.0 + (13.0 * 3600.0 + 5.0 * 60.0 + 9.0) / 86_400.0;
        let (got, shape) = serial("2026-11-04T13:05:09+01:00").unwrap();
        assert!((got - moment).abs() < 1e-9 && shape == Shape::Time, "{got} {shape:?}");
        for other in ["", "2026-11", "2026-13-01", "2026-11-04 13:00", "2026-11-04T13", "x026-11-04", "2026-11-04T1:00"]
        {
            assert_eq!(serial(other), None, "{other:?}");
        }
    }
}
