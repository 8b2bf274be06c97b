//! Output: the rows of the reports written in a format, to stdout or to
//! files.
//!
//! The reports hand over rows of typed cells ([`crate::report::table`]);
//! this stage alone decides how a cell is written, one module per format:
//! [`csv`] (the default), [`tsv`], [`json`] (JSON and JSON Lines), all
//! spelling cells as [`text`] does, so every format carries the same values,
//! and [`xlsx`], one workbook of typed cells holding every report.
//! With `-o DIR` each report goes to a temporary file in
//! `DIR` that is renamed into place, so nobody ever reads half a report;
//! the temporary file is created exclusively under a random name and is
//! readable only by the owner unless `--report-mode` says otherwise (see
//! [`write_atomically`] and docs/security.md).

pub mod csv;
pub mod events;
pub mod html;
pub mod json;
pub mod temporary;
pub mod text;
pub mod tsv;
pub mod xlsx;
mod xlsx_sheet;

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::config::{Format, ReportKind, WORKBOOK};
use crate::error::{Error, Result};
use crate::report::table::Row;
use crate::report::{Reports, overview};

pub use temporary::{Temporary, put_in_place, remove_temporaries, temporary, write_atomically};

/// How the reports are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The format.
    pub format: Format,
    /// CSV and TSV: write text from the log exactly as found, no formula
    /// defusing.
    pub raw_csv: bool,
    /// CSV: the field delimiter.
    pub delimiter: u8,
    /// CSV and TSV: start with a UTF-8 byte order mark.
    pub bom: bool,
}

impl Default for Options {
    /// RFC 4180 CSV, defused.
    fn default() -> Self {
        Options { format: Format::Csv, raw_csv: false, delimiter: b',', bom: false }
    }
}

/// Does something with the rows of one report, whatever their type.
pub trait WithRows {
    /// What it gives.
    type Output;
    /// Does it with `rows`.
    fn rows<R: Row>(self, rows: &[R]) -> Self::Output;
}

/// Hands the rows of the report `kind` to `with`.
pub fn with_rows<W: WithRows>(reports: &Reports, kind: ReportKind, with: W) -> W::Output {
    match kind {
        ReportKind::Domains => with.rows(&reports.domains),
        ReportKind::Codes => with.rows(&reports.codes),
        ReportKind::Reasons => with.rows(&reports.reasons),
        ReportKind::Daily => with.rows(&reports.daily),
        ReportKind::Hourly => with.rows(&reports.hourly),
        ReportKind::Messages => with.rows(&reports.messages),
        ReportKind::Recipients => with.rows(&reports.recipients),
        ReportKind::Senders => with.rows(&reports.senders),
        ReportKind::SenderDomains => with.rows(&reports.sender_domains),
        ReportKind::Rejects => with.rows(&reports.rejects),
        ReportKind::Problems => with.rows(&reports.problems),
        ReportKind::Overview => unreachable!("the overview is text: write writes it, not as rows"),
    }
}

/// Writes rows in a text format.
struct Text<W> {
    out: W,
    options: Options,
}

impl<W: Write> WithRows for Text<W> {
    type Output = io::Result<()>;

    fn rows<R: Row>(self, rows: &[R]) -> io::Result<()> {
        match self.options.format {
            Format::Csv => csv::write(rows, self.out, self.options),
            Format::Tsv => tsv::write(rows, self.out, self.options),
            Format::Json => json::write(rows, self.out, json::Layout::Array),
            Format::Jsonl => json::write(rows, self.out, json::Layout::Lines),
            Format::Xlsx => unreachable!("write hands workbooks to xlsx"),
            Format::Html => unreachable!("only the overview is HTML (checked by the command line)"),
        }
    }
}

/// Writes one report to `out`: as text, or as a workbook of that report.
/// The overview is an HTML page with `--format html`, plain text with any
/// other format.
pub fn write(reports: &Reports, kind: ReportKind, mut out: impl Write, options: Options) -> io::Result<()> {
    if kind.is_text() {
        return write_overview(reports, options.format == Format::Html, out);
    }
    match options.format {
        Format::Xlsx => {
            let bytes = xlsx::workbook(reports, &[kind]).map_err(xlsx_error)?;
            out.write_all(&bytes)?;
            out.flush()
        }
        _ => with_rows(reports, kind, Text { out, options }),
    }
}

/// Writes the overview as its HTML page (`html`) or as its text.
fn write_overview(reports: &Reports, html: bool, mut out: impl Write) -> io::Result<()> {
    let overview = reports.overview.clone().unwrap_or_default();
    if html {
        out.write_all(html::page(&overview).as_bytes())?;
    } else {
        for line in overview::lines(&overview) {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()
}

/// An error of the workbook writer as an I/O error (as it is, when it is
/// one).
fn xlsx_error(error: rust_xlsxwriter::XlsxError) -> io::Error {
    match error {
        rust_xlsxwriter::XlsxError::IoError(error) => error,
        other => io::Error::other(format!("xlsx: {other}")),
    }
}

/// The mode a directory created by `-o` gets for files of `file_mode`: the
/// same bits, with search (`x`) wherever reading is allowed (0600 gives
/// 0700, 0640 gives 0750).
pub fn dir_mode(file_mode: u32) -> u32 {
    let mode = file_mode & 0o777;
    mode | ((mode & 0o444) >> 2)
}

/// Writes the reports `kinds` into `dir` as `<name>.<format>` (xlsx: all
/// of them into one workbook, [`WORKBOOK`]; the overview as both
/// `overview.txt` and `overview.html`), each file atomically and of
/// mode `mode` ([`write_atomically`]). `dir` and any missing parent are
/// created of mode [`dir_mode`]; an existing directory is left as it is.
pub fn write_all(reports: &Reports, dir: &Path, kinds: &[ReportKind], options: Options, mode: u32) -> Result<()> {
    create_dir(dir, dir_mode(mode)).map_err(|source| Error::Output { path: dir.to_path_buf(), source })?;
    let (texts, tables): (Vec<ReportKind>, Vec<ReportKind>) = kinds.iter().partition(|kind| kind.is_text());
    let kinds: &[ReportKind] = if options.format == Format::Xlsx { &texts } else { kinds };
    if options.format == Format::Xlsx && !tables.is_empty() {
        let path = dir.join(WORKBOOK);
        // Built whole before the file is created: a failure leaves no file.
        let output = |source| Error::Output { path: path.clone(), source };
        let workbook = xlsx::workbook(reports, &tables).map_err(xlsx_error).map_err(output)?;
        write_atomically(&path, mode, |file| file.write_all(&workbook)).map_err(output)?;
    }
    // Each file on its own (a thread each when the pool has them); the
    // first failure in the order given is the one reported.
    // The overview goes to two files: its text, and its page (`.html`).
    let files: Vec<(ReportKind, String)> = kinds
        .iter()
        .flat_map(|&kind| options.format.file_names(kind).into_iter().map(move |name| (kind, name)))
        .collect();
    let results: Vec<Result<()>> = files
        .par_iter()
        .map(|(kind, name)| {
            let path = dir.join(name);
            let written = |file: &mut fs::File| match kind.is_text() {
                true => write_overview(reports, name.ends_with(".html"), file),
                false => write(reports, *kind, file, options),
            };
            write_atomically(&path, mode, written).map_err(|source| Error::Output { path: path.clone(), source })
        })
        .collect();
    results.into_iter().collect()
}

/// Creates `dir` and its missing parents, each of `mode` (narrowed by the
/// umask, never widened).
fn create_dir(dir: &Path, mode: u32) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(dir)
}

/// A note for stderr when other users can write to `dir`: they cannot make
/// `bounces` write anywhere else, but they can replace or remove the
/// reports once written.
pub fn shared_dir_note(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir).ok()?.permissions().mode();
        (mode & 0o022 != 0).then(|| {
            format!(
                "note: {} is writable by other users (mode {:04o}): they cannot make bounces write anywhere else, \
                 but they can replace or remove the reports after they are written; a directory only its owner \
                 can write to is safer",
                dir.display(),
                mode & 0o7777
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}
