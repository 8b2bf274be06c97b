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

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, DocProperties, ExcelDateTime, Format, IgnoreError, Workbook,
    Worksheet, XlsxError,
};

use rayon::prelude::*;

use super::WithRows;
use super::text::Speller;
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

/// The workbook of the reports `kinds`, in that order.
pub fn workbook(reports: &Reports, kinds: &[ReportKind]) -> Result<Workbook, XlsxError> {
    workbook_with_limit(reports, kinds, MAX_ROWS)
}

/// [`workbook`] with sheets of at most `max_rows` rows (tests use small
/// ones).
///
/// The sheets of each report are filled side by side (a thread each when
/// the current rayon pool has them), then added in the order of `kinds`.
pub fn workbook_with_limit(reports: &Reports, kinds: &[ReportKind], max_rows: u32) -> Result<Workbook, XlsxError> {
    let styles = Styles::new();
    let filled: Vec<Result<Vec<Worksheet>, XlsxError>> = kinds
        .par_iter()
        .map(|&kind| {
            let mut sheets = super::with_rows(reports, kind, Sheets { name: kind.name(), styles: &styles, max_rows })?;
            if kind.is_time_series() {
                period_chart(&mut sheets[0], kind.name())?;
            }
            Ok(sheets.into_iter().map(|(sheet, _)| sheet).collect())
        })
        .collect();
    let mut workbook = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    workbook.set_zip_compression_level(COMPRESSION);
    for sheets in filled {
        for sheet in sheets? {
            workbook.push_worksheet(sheet);
        }
    }
    if kinds.contains(&ReportKind::Domains) {
        top_bounced(&mut workbook, reports, &styles)?;
    }
    Ok(workbook)
}

/// The zip compression level: 2 of 9 writes the workbook of a 1 GB log's
/// reports twice as fast as the default 6, for a file about a quarter
/// larger (measured in docs/performance.md).
const COMPRESSION: u8 = 2;

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
}

/// Writes a report into sheets of `name`: each sheet with the number of
/// its rows, the header left out.
struct Sheets<'s> {
    name: &'static str,
    styles: &'s Styles,
    max_rows: u32,
}

impl WithRows for Sheets<'_> {
    type Output = Result<Vec<(Worksheet, u32)>, XlsxError>;

    fn rows<R: Row>(self, rows: &[R]) -> Self::Output {
        let per_sheet = (self.max_rows - 1) as usize;
        // At least one sheet, if only with the header.
        let chunks: Vec<&[R]> = if rows.is_empty() { vec![rows] } else { rows.chunks(per_sheet).collect() };
        let mut sheets = Vec::with_capacity(chunks.len());
        for (n, chunk) in chunks.into_iter().enumerate() {
            let mut sheet = Worksheet::new();
            sheet.set_name(if n == 0 { self.name.to_string() } else { format!("{} ({})", self.name, n + 1) })?;
            write_sheet(&mut sheet, chunk, self.styles)?;
            sheets.push((sheet, chunk.len() as u32));
        }
        Ok(sheets)
    }
}

/// Writes the header and `rows` into `sheet`, freezes the header, adds the
/// autofilter and sets the column widths.
fn write_sheet<R: Row>(sheet: &mut Worksheet, rows: &[R], styles: &Styles) -> Result<(), XlsxError> {
    let columns = R::COLUMNS;
    let mut widths: Vec<usize> = columns.iter().map(|c| c.name.len()).collect();
    for (col, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, column.name, &styles.header)?;
    }
    let mut cells = Vec::with_capacity(columns.len());
    let mut speller = Speller::default();
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        cells.clear();
        row.cells(&mut cells);
        debug_assert_eq!(cells.len(), columns.len(), "one cell per column");
        for (col, &cell) in cells.iter().enumerate() {
            let width = write_cell(sheet, r, col as u16, cell, styles, &mut speller)?;
            widths[col] = widths[col].max(width);
        }
    }
    let last_col = columns.len() as u16 - 1;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, last_col)?;
    // Codes are text on purpose: no green triangles for them.
    sheet.ignore_error_range(0, 0, rows.len() as u32, last_col, IgnoreError::NumberStoredAsText)?;
    for (col, width) in widths.into_iter().enumerate() {
        // Room for the autofilter's button.
        sheet.set_column_width(col as u16, (width + 3).min(MAX_WIDTH) as f64)?;
    }
    Ok(())
}

/// Writes one cell, typed; gives its width in characters as shown.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell<'_>,
    styles: &Styles,
    speller: &mut Speller,
) -> Result<usize, XlsxError> {
    match cell {
        Cell::Count(n) => {
            sheet.write_number(row, col, n as f64)?;
            Ok(speller.spell(cell, false).len())
        }
        Cell::Ratio(Some(_)) | Cell::Seconds(Some(_)) => {
            // The value the CSV holds, rounded as there.
            let spelled = speller.spell(cell, false);
            let value: f64 = spelled.parse().expect("a spelled number parses");
            let (style, width) = match cell {
                Cell::Ratio(_) => (&styles.ratio, spelled.len() + 1),
                _ => (&styles.seconds, spelled.len()),
            };
            sheet.write_number_with_format(row, col, value, style)?;
            Ok(width)
        }
        Cell::Code(Some(_)) | Cell::Enhanced(Some(_)) => {
            let spelled = speller.spell(cell, false);
            sheet.write_string_with_format(row, col, spelled, &styles.text)?;
            Ok(spelled.len())
        }
        Cell::Code(None) | Cell::Ratio(None) | Cell::Seconds(None) | Cell::Enhanced(None) => Ok(0),
        Cell::Period(text) | Cell::Time(text) => match civil(text) {
            Some((datetime, shape)) => {
                let style = match shape {
                    Shape::Date => &styles.date,
                    Shape::Hour => &styles.hour,
                    Shape::Time => &styles.time,
                };
                sheet.write_datetime_with_format(row, col, &datetime, style)?;
                Ok(shape.width())
            }
            None => write_text(sheet, row, col, text),
        },
        Cell::Text(text) | Cell::Logged(text) => write_text(sheet, row, col, text),
    }
}

/// Writes a text cell, nothing for an empty text.
fn write_text(sheet: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<usize, XlsxError> {
    if text.is_empty() {
        return Ok(0);
    }
    sheet.write_string(row, col, text)?;
    Ok(text.chars().count())
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
fn period_chart((worksheet, rows): &mut (Worksheet, u32), sheet: &str) -> Result<(), XlsxError> {
    let rows = *rows;
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
        width = width.max(write_text(sheet, r, 0, domain)?);
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
        let bytes = workbook_with_limit(&reports, &[ReportKind::Domains], 3).unwrap().save_to_buffer().unwrap();
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
