//! The resolved configuration of a run: plain data, no command-line types.
//!
//! `cli.rs` builds it once from the arguments and the environment (is stdin
//! a terminal, which system log exists, how many cores); everything after
//! that reads only this.

use std::path::{Path, PathBuf};

pub use crate::input::{BlockOptions, Source};
pub use crate::time::Micros;

pub use crate::parse::dialect::Mta;

/// A report `bounces analyze` can write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportKind {
    /// Per recipient domain: counts by outcome, bounce rate, top failure.
    #[default]
    Domains,
    /// Per (domain, outcome, code, enhanced code, reason): counts, class,
    /// reason, bounce type, description.
    Codes,
    /// Per (domain, reason, bounce type): deferred and bounced counts, an
    /// example reply.
    Reasons,
    /// Per day (in the `--tz` zone): counts by outcome, bounce rate.
    Daily,
    /// Per hour (in the `--tz` zone): counts by outcome, bounce rate.
    Hourly,
    /// Per domain, counted per recipient by final outcome.
    Messages,
    /// The suppression list: the addresses whose latest messages failed,
    /// as many as [`Suppress`] asks for.
    Recipients,
    /// Per envelope sender, counted per recipient by final outcome.
    Senders,
    /// Per envelope sender domain, counted per recipient by final outcome.
    SenderDomains,
    /// Our own server's refusals, per (action, stage, code, enhanced code,
    /// reason, bounce type).
    Rejects,
    /// Operational trouble (warning, error, fatal, panic lines), per kind.
    Problems,
    /// A one-page plain-text overview for a mail body, built from the
    /// other reports' rows (`overview.txt` with `-o`; with `--format html`
    /// an HTML page, `overview.html`).
    Overview,
}

impl ReportKind {
    /// Every report.
    pub const ALL: [ReportKind; 12] = [
        ReportKind::Domains,
        ReportKind::Codes,
        ReportKind::Reasons,
        ReportKind::Daily,
        ReportKind::Hourly,
        ReportKind::Messages,
        ReportKind::Recipients,
        ReportKind::Senders,
        ReportKind::SenderDomains,
        ReportKind::Rejects,
        ReportKind::Problems,
        ReportKind::Overview,
    ];

    /// The reports `-o` writes unless told otherwise, in that order.
    pub const WRITTEN_TO_DIR: [ReportKind; 7] = [
        ReportKind::Domains,
        ReportKind::Codes,
        ReportKind::Reasons,
        ReportKind::Daily,
        ReportKind::Messages,
        ReportKind::Recipients,
        ReportKind::Overview,
    ];

    /// Whether the report is a time series (it needs every event's time).
    pub fn is_time_series(self) -> bool {
        matches!(self, ReportKind::Daily | ReportKind::Hourly)
    }

    /// Whether the report follows messages to their final outcome.
    pub fn is_message_level(self) -> bool {
        matches!(self, ReportKind::Messages | ReportKind::Recipients) || self.is_per_sender()
    }

    /// Whether the report counts per envelope sender (it follows each
    /// message's sender too).
    pub fn is_per_sender(self) -> bool {
        matches!(self, ReportKind::Senders | ReportKind::SenderDomains)
    }

    /// Whether the report is text for people, not rows: it has no columns,
    /// and is written as text whatever the format (an HTML page with html).
    pub fn is_text(self) -> bool {
        self == ReportKind::Overview
    }

    /// The report's name, also its file name without `.csv` and its sheet
    /// in a workbook.
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Domains => "domains",
            ReportKind::Codes => "codes",
            ReportKind::Reasons => "reasons",
            ReportKind::Daily => "daily",
            ReportKind::Hourly => "hourly",
            ReportKind::Messages => "messages",
            ReportKind::Recipients => "recipients",
            ReportKind::Senders => "senders",
            ReportKind::SenderDomains => "sender-domains",
            ReportKind::Rejects => "rejects",
            ReportKind::Problems => "problems",
            ReportKind::Overview => "overview",
        }
    }
}

/// How `bounces analyze` writes its reports (`--format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV (or with another delimiter, `--delimiter`).
    #[default]
    Csv,
    /// Tab-separated values, tabs and line ends in texts escaped.
    Tsv,
    /// One JSON array of objects per report.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// One Excel workbook, a sheet per report, with typed cells.
    Xlsx,
    /// One self-contained HTML page: the overview only.
    Html,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 6] = [Format::Csv, Format::Tsv, Format::Json, Format::Jsonl, Format::Xlsx, Format::Html];

    /// The name on the command line, also the file extension.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }

    /// The files `-o` writes for `report`: `<report>.<format>`, except for
    /// xlsx, whose one workbook holds every report, and the overview, which
    /// is written both as text (`overview.txt`, a mail body) and as a page
    /// (`overview.html`), whatever the format.
    pub fn file_names(self, report: ReportKind) -> Vec<String> {
        match self {
            _ if report.is_text() => vec![format!("{}.txt", report.name()), format!("{}.html", report.name())],
            Format::Xlsx => vec![WORKBOOK.to_string()],
            _ => vec![format!("{}.{}", report.name(), self.name())],
        }
    }
}

/// The workbook `-o DIR --format xlsx` writes into `DIR`.
pub const WORKBOOK: &str = "bounces.xlsx";

/// Which failed addresses the `recipients` report lists (`--suppress`).
///
/// The hard bounces (the address or the domain is bad) always, with the
/// action `suppress`; each flag adds a kind of failure whose address may
/// well be fine, with the action `review`. Block-type failures (the
/// sending side was refused: blocklists, reputation, spam, policy, reverse
/// DNS, authentication of our mail) are never listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suppress {
    /// Also the addresses whose latest message expired (given up on after
    /// retrying too long) without a hard bounce since their last delivery.
    pub expired: bool,
    /// Also the addresses whose latest message bounced soft (mailbox full,
    /// account suspended, ...).
    pub soft: bool,
    /// Also the addresses whose latest message bounced with a reply that
    /// nothing could classify.
    pub undetermined: bool,
}

impl Suppress {
    /// Every kind of failure that can be listed (`--suppress all`).
    pub const ALL: Suppress = Suppress { expired: true, soft: true, undetermined: true };
}

/// The default of `--max-tracked-domains`: generous, yet bounded.
pub const DEFAULT_MAX_TRACKED: usize = 1_000_000;

/// The mode of the files written with `-o` unless told otherwise
/// (`--report-mode`): read and write for the owner only, since the reports
/// hold what the logs hold (addresses, reply texts) and mail logs are
/// readable only by root and `adm`.
pub const DEFAULT_REPORT_MODE: u32 = 0o600;

/// Everything `bounces analyze` needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// The inputs, in the order given.
    pub inputs: Vec<Source>,
    /// Which MTA's lines to read.
    pub mta: Mta,
    /// The report printed on stdout (when there is no `out_dir`).
    pub report: ReportKind,
    /// Write the reports of `out_reports` into this directory instead of
    /// one on stdout.
    pub out_dir: Option<PathBuf>,
    /// The reports written into `out_dir`.
    pub out_reports: Vec<ReportKind>,
    /// How the reports are written (`--format`).
    pub format: Format,
    /// The field delimiter of CSV (`--delimiter`; a comma by default).
    pub delimiter: u8,
    /// Start CSV and TSV with a UTF-8 byte order mark (`--bom`).
    pub bom: bool,
    /// The mode of the files written into `out_dir` (`--report-mode`, at
    /// most 0666); a directory it creates gets the same bits plus search
    /// where reading is allowed.
    pub report_mode: u32,
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
    /// Write CSV and TSV cells as they are, without defusing spreadsheet
    /// formulas (JSON and xlsx never defuse).
    pub raw_csv: bool,
    /// Show at most this many recipient domains on their own, those with
    /// the most events (`--max-domains`); the events of the others are
    /// counted together as `(other)`. `None`: every domain tracked.
    pub max_domains: Option<usize>,
    /// Track at most this many distinct domains while counting (the memory
    /// cap, `--max-tracked-domains`); beyond it domains are chosen by a
    /// fixed hash of their names (see [`crate::tally`]).
    pub max_tracked: usize,
    /// Reading and bucketing of timestamps.
    pub time: TimeConfig,
    /// Write recipients as HMAC-SHA256 under this key instead of as
    /// addresses (`--hash-recipients`).
    pub hash_key: Option<Vec<u8>>,
    /// For the message-level reports: how long after a recipient settled
    /// its late lines are still expected (see [`crate::messages::fold`]).
    pub settle: Micros,
    /// Which failed addresses the `recipients` report lists besides the
    /// hard bounces (`--suppress`).
    pub suppress: Suppress,
    /// The user's classification rules (`--rules`), checked before the
    /// built-in ones.
    pub rules: Option<std::sync::Arc<crate::classify::UserRules>>,
    /// The host of lines whose header names none (`--host`).
    pub host: Option<Vec<u8>>,
    /// Where the events export goes (`--events`), when it is written.
    pub events: Option<EventsOutput>,
}

/// The events export (`--events PATH`): one row per delivery event, expiry
/// and refusal (docs/events.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsOutput {
    /// The file; `-` is stdout.
    pub path: PathBuf,
    /// How the rows are written, from the file's extension.
    pub format: EventsFormat,
}

/// How the events are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventsFormat {
    /// One JSON object per line (`.jsonl`, and `-`).
    Jsonl,
    /// Apache Parquet (`.parquet`).
    Parquet,
}

impl EventsOutput {
    /// The export to `path`, its format from its extension: `.jsonl` or
    /// `.parquet`; `-` is JSON Lines on stdout.
    pub fn at(path: &Path) -> Result<EventsOutput, String> {
        if path.as_os_str() == "-" {
            return Ok(EventsOutput { path: path.to_path_buf(), format: EventsFormat::Jsonl });
        }
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let format = match extension.as_deref() {
            Some("jsonl") => EventsFormat::Jsonl,
            Some("parquet") => EventsFormat::Parquet,
            _ => {
                return Err(format!(
                    "--events {}: the format is chosen by the extension, .jsonl (JSON Lines) or .parquet; - \
                     writes JSON Lines to stdout",
                    path.display()
                ));
            }
        };
        Ok(EventsOutput { path: path.to_path_buf(), format })
    }

    /// Whether the rows go to stdout.
    pub fn to_stdout(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// How timestamps are read and which events count.
#[derive(Clone, Debug)]
pub struct TimeConfig {
    /// The zone of stamps that carry none, and of daily and hourly periods.
    pub tz: jiff::tz::TimeZone,
    /// When the run started: the year reference for stdin, and what
    /// `today` and `-24h` are relative to.
    pub now: jiff::Timestamp,
    /// Count only events at or after this time.
    pub since: Option<Micros>,
    /// Count only events before this time.
    pub until: Option<Micros>,
}

impl TimeConfig {
    /// Whether a window limits the events counted.
    pub fn has_window(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

impl Default for TimeConfig {
    fn default() -> Self {
        TimeConfig { tz: jiff::tz::TimeZone::UTC, now: jiff::Timestamp::now(), since: None, until: None }
    }
}

impl Config {
    /// The reports this run writes: those of `-o DIR`, or the one on stdout.
    /// With `--events -` and no `-o`, none: stdout carries the events.
    pub fn written(&self) -> &[ReportKind] {
        if self.out_dir.is_some() {
            &self.out_reports
        } else if self.events.as_ref().is_some_and(EventsOutput::to_stdout) {
            &[]
        } else {
            std::slice::from_ref(&self.report)
        }
    }

    /// The reports whose rows this run builds: those written and, when the
    /// overview is, those it is made of (the domains, codes, reasons,
    /// daily and hourly rows, and the messages rows when another report
    /// written follows the message level).
    pub fn built(&self) -> Vec<ReportKind> {
        let written = self.written();
        let mut built = written.to_vec();
        if written.contains(&ReportKind::Overview) {
            let mut parts = vec![
                ReportKind::Domains,
                ReportKind::Codes,
                ReportKind::Reasons,
                ReportKind::Daily,
                ReportKind::Hourly,
            ];
            if written.iter().any(|r| r.is_message_level()) {
                parts.push(ReportKind::Messages);
            }
            built.extend(parts.into_iter().filter(|part| !written.contains(part)));
        }
        built
    }

    /// The memory cap in effect: `max_tracked`, raised to `max_domains`, since
    /// the biggest domains can only be chosen among those tracked.
    pub fn tracked(&self) -> usize {
        self.max_tracked.max(self.max_domains.unwrap_or(0))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            mta: Mta::default(),
            report: ReportKind::default(),
            out_dir: None,
            out_reports: Vec::new(),
            format: Format::default(),
            delimiter: b',',
            bom: false,
            report_mode: DEFAULT_REPORT_MODE,
            threads: 1,
            blocks: BlockOptions::default(),
            progress: false,
            quiet: false,
            verbose: false,
            raw_csv: false,
            max_domains: None,
            max_tracked: DEFAULT_MAX_TRACKED,
            time: TimeConfig::default(),
            hash_key: None,
            settle: crate::messages::SETTLE,
            suppress: Suppress::default(),
            rules: None,
            host: None,
            events: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The overview builds the rows it is made of, and the messages rows
    /// only when another report written follows the message level.
    #[test]
    fn the_overview_builds_the_rows_it_is_made_of() {
        use ReportKind::*;
        let config = |reports: &[ReportKind]| Config {
            out_dir: Some(PathBuf::from("out")),
            out_reports: reports.to_vec(),
            ..Config::default()
        };
        assert_eq!(config(&[Rejects]).built(), [Rejects]);
        assert_eq!(config(&[Overview, Codes]).built(), [Overview, Codes, Domains, Reasons, Daily, Hourly]);
        assert_eq!(
            config(&[Recipients, Overview]).built(),
            [Recipients, Overview, Domains, Codes, Reasons, Daily, Hourly, Messages]
        );
        let stdout = Config { report: Overview, ..Config::default() };
        assert_eq!(stdout.built(), [Overview, Domains, Codes, Reasons, Daily, Hourly]);
    }

    /// See 56086a0: the derived default capped a library caller at one domain.
    #[test]
    fn the_default_config_keeps_the_documented_domain_cap() {
        assert_eq!(Config::default().max_tracked, 1_000_000);
        assert_eq!(Config::default().max_domains, None);
    }

    /// The extension picks the format, in any case; `-` is JSON Lines on
    /// stdout, and then no report goes to stdout.
    #[test]
    fn the_events_format_is_the_extension() {
        let cases: [(&str, Option<EventsFormat>); 7] = [
            ("events.jsonl", Some(EventsFormat::Jsonl)),
            ("dir/events.JSONL", Some(EventsFormat::Jsonl)),
            ("events.parquet", Some(EventsFormat::Parquet)),
            ("-", Some(EventsFormat::Jsonl)),
            ("events.json", None),
            ("events", None),
            ("events.parquet.gz", None),
        ];
        for (path, want) in cases {
            assert_eq!(EventsOutput::at(Path::new(path)).ok().map(|o| o.format), want, "{path}");
        }
        let to_stdout = Config { events: Some(EventsOutput::at(Path::new("-")).unwrap()), ..Config::default() };
        assert!(to_stdout.written().is_empty());
        let to_file = Config { events: Some(EventsOutput::at(Path::new("e.jsonl")).unwrap()), ..Config::default() };
        assert_eq!(to_file.written(), [ReportKind::Domains]);
    }
}
