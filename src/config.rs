//! The resolved configuration of a run: plain data, no command-line types.
//!
//! `cli.rs` builds it once from the arguments and the environment (is stdin
//! a terminal, which system log exists, how many cores); everything after
//! that reads only this.

use std::path::PathBuf;

use crate::input::{BlockOptions, Source};

/// Which MTA's lines to look for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mta {
    /// Both, decided line by line (a merged log works).
    #[default]
    Auto,
    /// Postfix only.
    Postfix,
    /// Exim only.
    Exim,
}

/// A report `bounces analyze` can write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportKind {
    /// Per recipient domain: counts by outcome, bounce rate, top failure.
    #[default]
    Domains,
    /// Per (domain, outcome, code, enhanced code): counts, class, description.
    Codes,
}

impl ReportKind {
    /// Every report, in the order `-o` writes them.
    pub const ALL: [ReportKind; 2] = [ReportKind::Domains, ReportKind::Codes];

    /// The report's name, also its file name without `.csv`.
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Domains => "domains",
            ReportKind::Codes => "codes",
        }
    }
}

/// The default of `--max-domains`: generous, yet bounded.
pub const DEFAULT_MAX_DOMAINS: usize = 1_000_000;

/// Everything `bounces analyze` needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// The inputs, in the order given.
    pub inputs: Vec<Source>,
    /// Which MTA's lines to read.
    pub mta: Mta,
    /// The report printed on stdout (when there is no `out_dir`).
    pub report: ReportKind,
    /// Write every report into this directory instead of stdout.
    pub out_dir: Option<PathBuf>,
    /// Worker threads for scanning.
    pub threads: usize,
    /// How inputs are cut into blocks.
    pub blocks: BlockOptions,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Print nothing on stderr but errors.
    pub quiet: bool,
    /// Print examples of lines that could not be parsed.
    pub verbose: bool,
    /// Write CSV cells as they are, without defusing spreadsheet formulas.
    pub raw_csv: bool,
    /// Track at most this many recipient domains on their own; the events
    /// of the others are counted together as `(other)`.
    pub max_domains: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            mta: Mta::default(),
            report: ReportKind::default(),
            out_dir: None,
            threads: 1,
            blocks: BlockOptions::default(),
            progress: false,
            quiet: false,
            verbose: false,
            raw_csv: false,
            max_domains: DEFAULT_MAX_DOMAINS,
        }
    }
}
