//! Output: the rows of the reports written in a format, to stdout or to
//! files.
//!
//! The reports hand over rows of typed cells ([`crate::report::table`]);
//! this stage alone decides how a cell is written. Today the one format is
//! CSV ([`csv`]). With `-o DIR` each report goes to a temporary file in
//! `DIR` that is renamed into place, so nobody ever reads half a report.

pub mod csv;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::ReportKind;
use crate::error::{Error, Result};
use crate::report::Reports;

/// How cells are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Write text from the log exactly as found: no formula defusing.
    pub raw_csv: bool,
}

/// Writes one report to `out`.
pub fn write(reports: &Reports, kind: ReportKind, out: impl Write, options: Options) -> io::Result<()> {
    match kind {
        ReportKind::Domains => csv::write(&reports.domains, out, options),
        ReportKind::Codes => csv::write(&reports.codes, out, options),
        ReportKind::Reasons => csv::write(&reports.reasons, out, options),
        ReportKind::Daily => csv::write(&reports.daily, out, options),
        ReportKind::Hourly => csv::write(&reports.hourly, out, options),
        ReportKind::Messages => csv::write(&reports.messages, out, options),
        ReportKind::Recipients => csv::write(&reports.recipients, out, options),
    }
}

/// Writes the reports `kinds` into `dir` as `<name>.csv`, each atomically.
pub fn write_all(reports: &Reports, dir: &Path, kinds: &[ReportKind], options: Options) -> Result<()> {
    fs::create_dir_all(dir).map_err(|source| Error::Output { path: dir.to_path_buf(), source })?;
    // Each file on its own (a thread each when the pool has them); the
    // first failure in the order given is the one reported.
    let results: Vec<Result<()>> = kinds
        .par_iter()
        .map(|&kind| {
            let path = dir.join(format!("{}.csv", kind.name()));
            write_atomically(&path, |file| write(reports, kind, file, options))
                .map_err(|source| Error::Output { path: path.clone(), source })
        })
        .collect();
    results.into_iter().collect()
}

/// Writes a file under a temporary name in the same directory, then renames
/// it over `path`. On failure the temporary file is removed and `path` is
/// left as it was.
fn write_atomically(path: &Path, write: impl FnOnce(&mut fs::File) -> io::Result<()>) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp: PathBuf = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
