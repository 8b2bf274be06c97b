//! `bounces` reads Postfix and Exim logs, finds every delivery outcome,
//! and counts them per recipient domain and per SMTP code.
//!
//! The public interface is what the `bounces` binary runs: [`analyze`] and
//! [`explain()`] with a [`config::Config`], and the [`Exit`] they end with.
//! The stages behind them are private; what the binary's command line, the
//! tests, the benchmarks and the fuzz targets need of them is re-exported,
//! item by item, in the hidden module `internals`, which is not a stable
//! interface.
//!
//! The pipeline, one module per stage (docs/architecture.md has more):
//!
//! ```text
//! Config ─▶ input (pieces ending on '\n') ─▶ scan (the pieces, in parallel)
//!   each thread: search (anchors of every parse::dialect → parse → Event)
//!            ─▶ worker (time, window, classify, domain) ─▶ tally + messages
//!        ─▶ tallies added up ─▶ report (typed rows) ─▶ format (CSV, TSV, JSON, xlsx)
//!        + summary (stderr)
//! ```
#![deny(missing_docs)]
// The stages are private and documented with `--document-private-items`
// (as .ci/run builds the docs): links into them from public items resolve.
#![allow(rustdoc::private_intra_doc_links)]

pub mod config;
pub mod error;

mod classify;
mod events;
mod explain;
mod format;
mod hosts;
mod input;
mod journald;
mod messages;
mod numbers;
mod parse;
mod problems;
mod refusals;
mod report;
mod scan;
mod search;
mod seek;
mod summary;
mod tally;
mod time;
mod worker;

pub use explain::Format as ExplainFormat;

/// What the binary's command line, the tests, the benchmarks and the fuzz
/// targets use of the stages, item by item, under the stages' names. Not a
/// stable interface.
#[doc(hidden)]
pub mod internals {
    #![allow(missing_docs)]

    pub mod classify {
        pub use crate::classify::{
            Class, Classifier, NORMALIZED_MAX, Reason, UserRules, Verdict, bounce_type, class_of, classify, describe,
            normalize,
        };
    }
    pub mod explain {
        pub use crate::explain::{Format, SCHEMA, args_from_os, run};
    }
    pub mod format {
        pub use crate::format::{Options, write};
    }
    pub mod input {
        pub use crate::input::{Block, BlockOptions, Compression, Source, count_lines, read_blocks};
    }
    pub mod journald {
        pub use crate::journald::{BlockStats, Record, Skip, looks_like_journal_json, render, render_block};
    }
    pub mod messages {
        pub use crate::messages::{Attempt, Finished, Fold, Messages, Ordered, Outcomes, SETTLE};
    }
    pub mod parse {
        pub use crate::parse::{
            Enhanced, Event, Note, Outcome, Parsed, Stage, bracketed, domain_of, end_outside_quotes, enhanced_at,
            reply_at, reply_code_at,
        };
        pub mod dialect {
            pub use crate::parse::dialect::DIALECTS;
        }
        pub mod domain {
            pub use crate::parse::domain::normalize;
        }
    }
    pub mod report {
        pub use crate::report::{Reports, header, keyed_hash};
    }
    pub mod scan {
        pub use crate::scan::{ScanOptions, run};
    }
    pub mod search {
        pub use crate::search::Scanner;
    }
    pub mod tally {
        pub use crate::tally::Tally;
    }
    pub mod time {
        pub use crate::time::{Clock, Micros, date, parse_bound};
    }
    pub mod worker {
        pub use crate::worker::Worker;
    }
}

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::{Config, ReportKind};
use crate::error::{Error, Result};
use crate::report::{RecipientOptions, Reports};
use crate::scan::ScanOptions;

/// How a run ended, as far as the exit code is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Every input was read and every report written (exit 0).
    Success,
    /// Reports were written, but the input was not what was meant
    /// (exit 1): nothing was read at all (every input empty), or some
    /// input held no Postfix or Exim lines, or only lines of another MTA
    /// than `--mta` named.
    WrongInput,
    /// Some input could not be read, or a report could not be written
    /// (exit 2). Reports still cover the inputs that were read.
    Error,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::WrongInput => 1,
            Exit::Error => 2,
        })
    }
}

/// Has SIGINT, SIGTERM and SIGHUP end the run cleanly: the files being
/// written (reports, events) are removed, as on any other failure, a line
/// on stderr says so, and the exit status is 128 plus the signal's number,
/// as a shell reports a process the signal killed (130 for SIGINT, 143 for
/// SIGTERM). Files already put in place are complete and stay. The binary
/// calls this first; a thread of its own waits for the signals.
pub fn remove_unfinished_files_on_signals() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        std::thread::Builder::new().name("bounces-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                let removed = match format::remove_temporaries() {
                    0 => "no unfinished output file to remove".to_string(),
                    1 => "1 unfinished output file removed".to_string(),
                    n => format!("{n} unfinished output files removed"),
                };
                eprintln!("bounces: stopped by {name}; {removed}");
                std::process::exit(128 + signal);
            }
        })?;
    }
    Ok(())
}

/// Progress bars appear only for inputs at least this large (or of unknown size).
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// Runs `bounces analyze`: scans the inputs, writes the reports, prints
/// the summary on stderr.
pub fn analyze(config: &Config) -> Result<Exit> {
    let progress = progress_bar(config);
    let written = config.written();
    // The reports whose rows are built: those written, and those the
    // overview is made of.
    let built = &config.built()[..];
    // The domains report counts the recipients Postfix returned after their
    // queue id expired, which only the message layer can tell.
    let expiries_need_messages =
        built.contains(&ReportKind::Domains) && config.mta.dialects().any(|dialect| dialect.expires_without_recipients);
    let needs_messages = expiries_need_messages || built.iter().any(|r| r.is_message_level());
    // The events export has a time column.
    let needs_time = config.time.has_window()
        || built.iter().any(|r| r.is_time_series())
        || needs_messages
        || config.events.is_some();
    // The problems report says when each kind was first and last seen: the
    // clocks are needed, but only its own lines' times are read.
    let problems = written.contains(&ReportKind::Problems);
    // The overview compares the window with the period before it.
    let mut time = config.time.clone();
    if written.contains(&ReportKind::Overview) {
        time.previous = time.previous_start();
    }
    // The events file is created (as a temporary file) before the scan, so
    // that a path that cannot be written fails at once.
    let events = match &config.events {
        Some(output) => {
            let writer = format::events::create(output, config.report_mode, config.hash_key.clone())
                .map_err(|source| Error::Events { path: output.path.clone(), source })?;
            let names = config.inputs.iter().map(|source| source.name()).collect();
            let collector = events::Collector::new(writer, names, 4 * config.threads as u64).map_err(|e| {
                Error::Usage(format!("cannot start the thread that writes the events ({e}); try a smaller --threads"))
            })?;
            Some(std::sync::Arc::new(collector))
        }
        None => None,
    };
    let options = ScanOptions {
        mta: config.mta,
        threads: config.threads,
        blocks: config.blocks,
        max_tracked: config.tracked(),
        time: (needs_time || problems).then_some(time),
        events_timed: needs_time,
        messages: needs_messages,
        expiries_only: needs_messages && !built.iter().any(|r| r.is_message_level()),
        suppression: written.contains(&ReportKind::Recipients),
        senders: written.iter().any(|r| r.is_per_sender()),
        settle: config.settle,
        rules: config.rules.clone(),
        host: config.host.as_deref().map(Into::into),
        hosts: written.contains(&ReportKind::Overview),
        rejects: written.contains(&ReportKind::Rejects),
        problems,
        events: events.clone(),
    };
    let mut analysis = scan::run(&config.inputs, &options, &progress)?;
    progress.finish_and_clear();
    // How many event rows went where, for the summary's last line.
    let mut events_written = None;
    if let (Some(collector), Some(output)) = (&events, &config.events) {
        let finished = collector.finish().map_err(|source| Error::Events { path: output.path.clone(), source });
        match finished {
            Err(error) if !error.is_broken_pipe() => return Err(error),
            Err(_) => {}
            Ok(rows) => events_written = Some((rows, output.path.clone())),
        }
    }
    if let Some(n) = config.max_domains {
        // Once, on the sum of every thread's tally (which the scan has
        // settled, `scan::run`): every report then folds the same domains.
        analysis.tally.keep_biggest(n);
    }
    // The reports are built, and their files written, by as many threads as
    // scanned.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .thread_name(|i| format!("bounces-report-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads ({e}); try a smaller --threads", config.threads)))?;
    let mut reports = pool.install(|| Reports::build_for(&analysis.tally, built));
    reports.add_refusals_and_problems(&analysis.tally, built, &config.time.tz);
    if let Some(outcomes) = &analysis.messages {
        let options = RecipientOptions {
            tz: config.time.tz.clone(),
            hash_key: config.hash_key.clone(),
            suppress: config.suppress,
        };
        reports.add_messages(outcomes, &options, &analysis.tally, built);
    }
    if let Some(key) = &config.hash_key {
        reports.mask_addresses(key);
    }
    if written.contains(&ReportKind::Overview) {
        reports.add_overview(&overview_facts(config, &analysis));
    }
    let output = format::Options {
        format: config.format,
        raw_csv: config.raw_csv,
        delimiter: config.delimiter,
        bom: config.bom,
    };
    match &config.out_dir {
        Some(dir) => {
            pool.install(|| format::write_all(&reports, dir, written, output, config.report_mode))?;
            // A security note, so even with -q.
            if let Some(note) = format::shared_dir_note(dir) {
                let _ = writeln!(io::stderr().lock(), "bounces: {note}");
            }
        }
        // `--events -` without -o: stdout carries the events, no report.
        None if written.is_empty() => {}
        None => {
            let stdout = io::stdout().lock();
            let result = format::write(&reports, config.report, io::BufWriter::new(stdout), output)
                .and_then(|()| io::stdout().flush());
            if let Err(source) = result {
                let error = Error::Output { path: PathBuf::from("-"), source };
                if !error.is_broken_pipe() {
                    return Err(error);
                }
            }
        }
    }
    // A failure to write the summary to stderr is not worth failing the run.
    let _ = summary::print(config, &analysis, &mut io::stderr().lock());
    if let Some((rows, path)) = events_written.filter(|_| !config.quiet) {
        let rows = numbers::thousands(rows);
        let _ = match path.as_os_str() == "-" {
            true => writeln!(io::stderr().lock(), "bounces: wrote {rows} event rows to stdout"),
            false => writeln!(io::stderr().lock(), "bounces: wrote {rows} event rows into {}", path.display()),
        };
    }
    let read_failed = analysis.inputs.iter().any(|i| i.error.is_some());
    Ok(if read_failed {
        Exit::Error
    } else if summary::wrong_input(config, &analysis) {
        Exit::WrongInput
    } else {
        Exit::Success
    })
}

/// Runs `bounces explain`: prints on stdout what the codes or the reply
/// text in `what` mean (see [`explain::run`]).
pub fn explain(what: &[String], format: explain::Format, rules: Option<&classify::UserRules>) -> Result<Exit> {
    let mut stdout = io::stdout().lock();
    match explain::run(what, format, rules, &mut stdout)
        .and_then(|()| stdout.flush().map_err(|source| Error::Output { path: PathBuf::from("-"), source }))
    {
        Err(error) if error.is_broken_pipe() => Ok(Exit::Success),
        Err(error) => Err(error),
        Ok(()) => Ok(Exit::Success),
    }
}

/// What the overview says of the run besides the rows.
fn overview_facts(config: &Config, analysis: &scan::Analysis) -> report::overview::Facts {
    let tz = &config.time.tz;
    report::overview::Facts {
        inputs: analysis.inputs.len() as u64,
        lines: analysis.inputs.iter().map(|i| i.lines).sum(),
        unparsed: analysis.tally.malformed(),
        hosts: {
            let hosts = analysis.tally.hosts();
            (hosts.ranked(), hosts.over(), hosts.unnamed())
        },
        since: config.time.since.map(|t| time::rfc3339(t, tz)),
        until: config.time.until.map(|t| time::rfc3339(t, tz)),
        followed: analysis.messages.is_some() && config.built().contains(&ReportKind::Messages),
        top: config.top,
        previous: previous_period(config, &analysis.tally),
        volume: analysis.messages.as_ref().filter(|m| m.senders().is_some()).map(|m| m.volume),
        flags: summary::flags(config, analysis),
    }
}

/// The events of the period before the window, when the overview compares
/// with it: the window has a start, and the input reaches back to the
/// start of the previous period (its earliest event there is at most a
/// 24th of the period after that start: an hour for a day).
fn previous_period(config: &Config, tally: &tally::Tally) -> Option<report::overview::PreviousPeriod> {
    const HOUR: i64 = 3_600_000_000;
    let (start, since) = (config.time.previous_start()?, config.time.since?);
    let previous = tally.previous()?;
    let length = since - start;
    if previous.first()? > start + length / 24 {
        return None;
    }
    let label = match length {
        l if (l - 24 * HOUR).abs() <= HOUR => "previous day",
        l if l == HOUR => "previous hour",
        l if (l - 7 * 24 * HOUR).abs() <= HOUR => "previous week",
        _ => "previous period",
    };
    let mut domains: std::collections::BTreeMap<String, [u64; 3]> = std::collections::BTreeMap::new();
    for (name, counts) in previous.domains() {
        let name = name.map_or_else(|| report::OTHER.to_string(), |n| String::from_utf8_lossy(n).into_owned());
        let sum = domains.entry(name).or_default();
        for (s, c) in sum.iter_mut().zip(counts) {
            *s += c;
        }
    }
    let tz = &config.time.tz;
    Some(report::overview::PreviousPeriod {
        label,
        since: time::rfc3339(start, tz),
        until: time::rfc3339(since, tz),
        domains: domains.into_iter().collect(),
    })
}

fn progress_bar(config: &Config) -> ProgressBar {
    if !config.progress {
        return ProgressBar::hidden();
    }
    let sizes: Option<u64> = config.inputs.iter().map(|s| s.size()).sum();
    match sizes {
        Some(total) if total < PROGRESS_MIN_BYTES => ProgressBar::hidden(),
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4)).with_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .expect("the template is valid"),
        ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4)).with_style(
            ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec}").expect("the template is valid"),
        ),
    }
}
