//! The scan: every input read in pieces, in parallel, and the counts of
//! every thread added up.
//!
//! Regular files are cut into chunks that the rayon threads read themselves
//! (see [`crate::input`]); streams (stdin, pipes, compressed files) are cut
//! into blocks by reader threads, one per stream, and sent through a bounded
//! channel. Either way memory stays at a few pieces per thread, whatever the
//! input size. Each thread runs the searcher ([`crate::search`]) over its
//! pieces and pushes what it finds to a [`Worker`] of its own; the workers'
//! tallies are added together at the end, and what needs the whole log is
//! read then, once ([`Tally::settle_unrouteable`]).

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::config::TimeConfig;
use crate::error::{Error, Result};
use crate::events::Collector;
use crate::input::{
    Block, BlockOptions, Chunk, Compression, Opened, STREAM_BLOCK_MAX, Source, Stream, chunks, read_blocks, read_chunk,
    read_head_at,
};
use crate::journald::{self, BlockStats};
use crate::messages::{Folder, Outcomes, SETTLE};
use crate::numbers::{plural, thousands};
use crate::parse::dialect::{Mta, Recognised};
use crate::search::{Lines, Scanner};
use crate::seek;
use crate::tally::Tally;
use crate::time::{Clock, Micros, TimeSetup};
use crate::worker::Worker;

/// What happened to one input.
#[derive(Debug)]
pub struct InputReport {
    /// The input as named.
    pub name: String,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read (a last line without `\n` counts).
    pub lines: u64,
    /// Lines longer than the limit, skipped.
    pub overlong: u64,
    /// Which MTAs' logs its start looked like (none: probably not a mail
    /// log).
    pub recognised: Recognised,
    /// For a regular file, its size when it was opened: more than `bytes`
    /// when it shrank while it was read (logrotate's copytruncate).
    pub planned: Option<u64>,
    /// Why it could not be read to the end, if it could not.
    pub error: Option<Error>,
    /// For journald's JSON export: records read, rendered, skipped (no
    /// message) and malformed.
    pub journal: Option<BlockStats>,
    /// Bytes not read because they lie outside `--since`/`--until` (found
    /// by binary search in a chronological file).
    pub skipped: u64,
}

/// The result of scanning every input.
#[derive(Debug)]
pub struct Analysis {
    /// All counts.
    pub tally: Tally,
    /// One entry per input, in the order given.
    pub inputs: Vec<InputReport>,
    /// Wall-clock time of the scan.
    pub elapsed: Duration,
    /// Every recipient's final outcome, when messages were followed.
    pub messages: Option<Outcomes>,
}

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Which MTA's lines to read.
    pub mta: Mta,
    /// Worker threads.
    pub threads: usize,
    /// How inputs are cut into pieces.
    pub blocks: BlockOptions,
    /// The memory cap on distinct domains (`--max-tracked-domains`).
    pub max_tracked: usize,
    /// Read event times (for a window or a time series), with this zone,
    /// year reference for stdin, and window.
    pub time: Option<TimeConfig>,
    /// Follow every recipient to its final outcome (message-level reports).
    pub messages: bool,
    /// With `messages`: follow only what the `domains` report's expired
    /// column needs, not every recipient ([`crate::messages::Messages::for_expiries`]).
    pub expiries_only: bool,
    /// With `messages`: keep the suppression list (the `recipients` report).
    pub suppression: bool,
    /// With `messages`: follow each message's sender and count the volume
    /// (the sender reports).
    pub senders: bool,
    /// How long a settled recipient is kept for late lines (see
    /// [`crate::messages::fold`]).
    pub settle: Micros,
    /// The user's classification rules (`--rules`).
    pub rules: Option<std::sync::Arc<crate::classify::UserRules>>,
    /// The host of lines whose header names none (`--host`): part of each
    /// message's key.
    pub host: Option<std::sync::Arc<[u8]>>,
    /// With `time`: read every delivery event's time too (a window, a time
    /// series, the message layer). Without, `time` is there only for the
    /// `problems` report's first and last times, and only its lines' times
    /// are read.
    pub events_timed: bool,
    /// Look for our own server's refusals (the `rejects` report).
    pub rejects: bool,
    /// Look for warning, error, fatal and panic lines (the `problems` report).
    pub problems: bool,
    /// Where the rows of the events export go (`--events`), in log order.
    /// Refusals are then looked for too.
    pub events: Option<std::sync::Arc<Collector>>,
}

impl ScanOptions {
    /// Options with no time reading and no domain cap.
    pub fn new(mta: Mta, threads: usize, blocks: BlockOptions) -> ScanOptions {
        ScanOptions {
            mta,
            threads,
            blocks,
            max_tracked: usize::MAX,
            time: None,
            messages: false,
            expiries_only: false,
            suppression: true,
            senders: false,
            settle: SETTLE,
            rules: None,
            host: None,
            events_timed: true,
            rejects: false,
            problems: false,
            events: None,
        }
    }

    /// A worker for one scan thread.
    fn worker(&self, clocks: &Option<Vec<Clock>>) -> Worker {
        let times = match (&self.time, clocks) {
            (Some(time), Some(clocks)) => {
                Some(TimeSetup { clocks: clocks.clone(), since: time.since, until: time.until })
            }
            _ => None,
        };
        let tally = match &times {
            Some(setup) if self.events_timed => Tally::with_times(self.max_tracked, setup.clone()),
            _ => Tally::with_max_tracked(self.max_tracked),
        };
        let worker = Worker::new(tally, times, self.messages)
            .with_rules(self.rules.clone())
            .with_event_times(self.events_timed)
            .with_host(self.host.clone())
            .with_event_rows(self.events.is_some());
        match (self.expiries_only, self.senders) {
            (true, _) => worker.following_expiries_only(),
            (false, true) => worker.following_senders(),
            (false, false) => worker,
        }
    }
}

/// Each input's clock: the zone of the options, and as year reference the
/// input's modification time (now for stdin or when it is unknown).
fn clocks(inputs: &[Source], time: &TimeConfig) -> Vec<Clock> {
    let base = Clock::new(time.tz.clone(), time.now);
    inputs
        .iter()
        .map(|source| match source.modified().and_then(|m| jiff::Timestamp::try_from(m).ok()) {
            Some(modified) => base.with_reference(modified),
            None => base.clone(),
        })
        .collect()
}

/// Scans every input with `options.threads` workers and returns the merged
/// counts. Regular files are read in parallel chunks, streams (stdin, pipes)
/// by one reader thread. An input that cannot be read is recorded in its
/// [`InputReport`]; the others are still scanned. Fails only when the
/// threads cannot be started.
pub fn run(inputs: &[Source], options: &ScanOptions, progress: &ProgressBar) -> Result<Analysis> {
    let started = Instant::now();
    let (mta, threads, blocks) = (options.mta, options.threads, options.blocks);
    let clocks = options.time.as_ref().map(|time| clocks(inputs, time));
    // Each report's lines are looked for only when it is asked for.
    let lines = Lines {
        messages: options.messages,
        senders: options.messages && options.senders,
        rejects: options.rejects || options.events.is_some(),
        problems: options.problems,
    };
    let scanner = Scanner::for_reports(mta, lines);
    let scanner = scanner.max_line(blocks.max_line).numbering_lines(options.events.is_some());
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("bounces-scan-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} scan threads ({e}); try a smaller --threads")))?;

    let mut reports: Vec<InputReport> = inputs
        .iter()
        .map(|source| InputReport {
            name: source.name(),
            bytes: 0,
            lines: 0,
            overlong: 0,
            recognised: Recognised::default(),
            planned: None,
            error: None,
            journal: None,
            skipped: 0,
        })
        .collect();
    let mut files = Vec::new();
    let mut streams = Vec::new();
    for (index, source) in inputs.iter().enumerate() {
        let report = &mut reports[index];
        match source.open() {
            Err(error) => report.error = Some(error),
            Ok(Opened::File { file, size, recognised }) => {
                report.recognised = recognised;
                let (start, end) = match (&options.time, &clocks) {
                    (Some(time), Some(clocks)) => seek::window(&file, size, &clocks[index], time.since, time.until),
                    _ => (0, size),
                };
                report.planned = Some(end - start);
                report.skipped = size - (end - start);
                files.push((index, file, start, end));
            }
            Ok(Opened::Stream(stream)) => streams.push((index, report.name.clone(), stream)),
        }
    }

    let scan = (&scanner, &pool, options, &clocks, progress);
    let mut messages = None;
    let events = options.events.as_deref();
    let mut tally = if options.messages || events.is_some() {
        // Message states are folded, and event rows written, in log order:
        // one input at a time, oldest first, its pieces in order (see
        // `crate::messages::fold`).
        let folder = options.messages.then(|| {
            let folder = Folder::new(options.settle, 4 * threads as u64);
            let folder = if options.suppression { folder } else { folder.without_suppression() };
            if options.senders { folder.with_senders() } else { folder }
        });
        let order = fold_order(&files, &mut streams, clocks.as_deref());
        let mut files: std::collections::HashMap<usize, FileInput> = files.into_iter().map(|f| (f.0, f)).collect();
        let mut streams: std::collections::HashMap<usize, _> = streams.into_iter().map(|s| (s.0, s)).collect();
        let mut tallies = Vec::new();
        let ordered = Ordered { folder: folder.as_ref(), events };
        for index in order {
            if let Some(file) = files.remove(&index) {
                tallies.push(scan_files(std::slice::from_ref(&file), scan, ordered));
            } else if let Some(stream) = streams.remove(&index) {
                tallies.push(scan_streams(vec![stream], scan, ordered, &mut reports));
            }
            if let Some(folder) = &folder {
                folder.end_input();
            }
            if let Some(events) = events {
                events.end_input();
            }
        }
        messages = folder.map(Folder::finish);
        sum(tallies)
    } else {
        let mut tally = scan_files(&files, scan, Ordered::default());
        if !streams.is_empty() {
            tally += scan_streams(streams, scan, Ordered::default(), &mut reports);
        }
        tally
    };
    for (index, report) in reports.iter_mut().enumerate() {
        let counts = tally.input_counts(index);
        report.bytes += counts.bytes;
        report.lines += counts.lines;
        report.overlong += counts.overlong;
        if let (None, Some(error)) = (&report.error, tally.error(index)) {
            let message = format!("{} (at byte {})", error.message, error.offset);
            report.error =
                Some(Error::Input { name: report.name.clone(), source: io::Error::new(error.kind, message) });
        }
    }
    // Once, on the sum of every thread's counts (before any cut folds
    // domains): Exim's `Unrouteable address` at a domain the log shows local
    // deliveries to is no such user, in the counts and in the recipients.
    tally.settle_unrouteable();
    if let Some(outcomes) = &mut messages {
        outcomes.settle_unrouteable(|domain| tally.delivers_locally(domain));
    }
    Ok(Analysis { tally, inputs: reports, elapsed: started.elapsed(), messages })
}

/// What every scan needs: the scanner, the pool, the options, each input's
/// clock, the progress bar.
type Scan<'a> = (&'a Scanner, &'a rayon::ThreadPool, &'a ScanOptions, &'a Option<Vec<Clock>>, &'a ProgressBar);

/// Where the pieces of one input go in log order, when anything does: the
/// message fold, the events export.
#[derive(Clone, Copy, Default)]
struct Ordered<'a> {
    folder: Option<&'a Folder>,
    events: Option<&'a Collector>,
}

impl Ordered<'_> {
    /// Waits until piece `seq` may be read.
    fn admit(self, seq: u64) {
        if let Some(folder) = self.folder {
            folder.admit(seq);
        }
        if let Some(events) = self.events {
            events.admit(seq);
        }
    }

    /// Hands over what `worker` kept of piece `seq`.
    fn deliver(self, seq: u64, worker: &mut Worker) {
        if let Some(folder) = self.folder {
            folder.deliver(seq, worker.swap_messages());
        }
        if let Some(events) = self.events {
            worker.deliver_rows(|piece| events.deliver(seq, piece));
        }
    }
}

/// A regular file to read in chunks: its input index and the byte range to read.
type FileInput = (usize, File, u64, u64);

/// Scans regular files in parallel chunks. Each worker takes the next chunk
/// until none is left, with one buffer and one tally of its own: exactly
/// one tally per thread to merge. With a folder or an events collector
/// (one file at a time), each chunk's message states or rows go to it.
fn scan_files(files: &[FileInput], scan: Scan<'_>, ordered: Ordered<'_>) -> Tally {
    let (scanner, pool, options, clocks, progress) = scan;
    let blocks = options.blocks;
    let pieces: Vec<(&File, Chunk)> = files
        .iter()
        .flat_map(|(index, file, start, end)| chunks(*index, *start..*end, blocks.block_size).map(move |c| (file, c)))
        .collect();
    let next = AtomicUsize::new(0);
    sum(pool.broadcast(|_| {
        let _abort = (ordered.folder.map(Folder::guard), ordered.events.map(Collector::guard));
        let (mut worker, mut buf) = (options.worker(clocks), Vec::new());
        while let Some((file, chunk)) = pieces.get(next.fetch_add(1, Ordering::Relaxed)) {
            ordered.admit(chunk.seq);
            match read_chunk(file, chunk, blocks.max_line, &mut buf) {
                Ok(read) => {
                    progress.inc(read.bytes);
                    worker.tally_mut().record_bytes(chunk.input, read.bytes);
                    let dropped = u64::from(read.dropped_overlong);
                    scanner.scan(chunk.input, chunk.seq, 0, &buf[read.begin..read.end], &mut worker);
                    crate::search::Sink::piece(&mut worker, chunk.input, chunk.seq, dropped, dropped);
                }
                Err(error) => worker.tally_mut().record_error(chunk.input, chunk.start, &error),
            }
            ordered.deliver(chunk.seq, &mut worker);
        }
        worker.into_tally()
    }))
}

/// The order in which inputs are folded: by the time of their first
/// stamped line (within their window), then as named. A stream's start is
/// read ahead once and replayed ([`Stream::peek_head`]): pipes and stdin
/// cannot be opened twice.
fn fold_order(files: &[FileInput], streams: &mut [(usize, String, Stream)], clocks: Option<&[Clock]>) -> Vec<usize> {
    let first_time = |index: usize, head: &[u8]| {
        let mut clock = clocks?.get(index)?.clone();
        head.split(|&b| b == b'\n').find_map(|line| clock.line_time(line))
    };
    let mut keyed: Vec<(Option<Micros>, usize)> = Vec::new();
    for (index, file, start, _) in files {
        let head = read_head_at(file, *start).unwrap_or_default();
        keyed.push((first_time(*index, &head), *index));
    }
    for (index, _, stream) in streams {
        let mut head = stream.peek_head();
        if journald::looks_like_journal_json(&head) {
            let whole = memchr::memrchr(b'\n', &head).map_or(0, |i| i + 1);
            let mut text = Vec::new();
            journald::render_block(&head[..whole], &mut text);
            head = text;
        }
        keyed.push((first_time(*index, &head), *index));
    }
    // Inputs without a readable stamp come last.
    keyed.sort_by_key(|&(time, index)| (time.is_none(), time, index));
    keyed.into_iter().map(|(_, index)| index).collect()
}

/// Adds tallies together, into the one with the most domains (merging
/// costs a lookup per domain of the one merged in).
fn sum(mut tallies: Vec<Tally>) -> Tally {
    tallies.sort_by_key(|t| std::cmp::Reverse(t.domain_count()));
    let mut tallies = tallies.into_iter();
    let mut total = tallies.next().unwrap_or_default();
    for tally in tallies {
        total += tally;
    }
    total
}

/// Reads the streams in reader threads (one per stream, at most one per
/// worker: several rotated `.gz` files decompress in parallel), while the
/// pool's workers scan their blocks.
fn scan_streams(
    streams: Vec<(usize, String, Stream)>,
    scan: Scan<'_>,
    ordered: Ordered<'_>,
    reports: &mut [InputReport],
) -> Tally {
    let (scanner, pool, options, clocks, progress) = scan;
    let threads = pool.current_num_threads();
    // Streams are read in smaller blocks than files are cut into chunks:
    // the blocks in flight are most of a stream's memory.
    let blocks = BlockOptions { block_size: options.blocks.block_size.min(STREAM_BLOCK_MAX), ..options.blocks };
    let readers = threads.min(streams.len());
    let (tx, rx) = mpsc::sync_channel::<Block>(threads * 2);
    // Scanned blocks' buffers go back to the readers for reuse.
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let free_rx = Mutex::new(free_rx);
    let queue = Mutex::new(streams.into_iter());
    let results = Mutex::new(Vec::new());
    let tally = std::thread::scope(|s| {
        for _ in 0..readers {
            let tx = tx.clone();
            let (free_rx, queue, results) = (&free_rx, &queue, &results);
            s.spawn(move || {
                let buffer = || match free_rx.lock().expect("no reader panics holding it").try_recv() {
                    Ok(mut buf) => {
                        buf.clear();
                        buf
                    }
                    Err(_) => Vec::with_capacity(blocks.block_size),
                };
                loop {
                    let next = queue.lock().expect("no reader panics holding it").next();
                    let Some((index, name, stream)) = next else { break };
                    // journald's JSON export is turned into syslog lines as it is read.
                    let mut journal: Option<Journal> = None;
                    let emit = |mut block: Block| {
                        progress.inc(block.data.len() as u64);
                        let journal = journal.get_or_insert_with(|| Journal::detect(&block.data));
                        if journal.is_json {
                            let mut text = buffer();
                            let stats = journald::render_block(&block.data, &mut text);
                            journal.add(&stats, &text);
                            block.data = text;
                        }
                        // The receiver lives until every block is scanned.
                        let _ = tx.send(block);
                    };
                    let Stream { reader, compression, consumed } = stream;
                    let result = read_blocks(reader, index, &name, blocks, buffer, emit);
                    // Where the compressed data ended; said once the lines
                    // before it are counted.
                    let result = result.map_err(|(error, stats)| {
                        (Damage { error, compression, at: consumed.load(Ordering::Relaxed) }, stats)
                    });
                    let journal = journal.unwrap_or_default();
                    results.lock().expect("no reader panics holding it").push((index, result, journal));
                }
            });
        }
        drop(tx);
        let rx = Mutex::new(rx);
        sum(pool.broadcast(|_| {
            let _abort = (ordered.folder.map(Folder::guard), ordered.events.map(Collector::guard));
            let mut worker = options.worker(clocks);
            // The lock is held only to take the next block.
            while let Ok(block) = { rx.lock().expect("no worker panics holding it").recv() } {
                ordered.admit(block.seq);
                scanner.scan_block(&block, &mut worker);
                ordered.deliver(block.seq, &mut worker);
                // A reader may be done; then the buffer is dropped.
                let _ = free_tx.send(block.data);
            }
            worker.into_tally()
        }))
    });
    for (index, result, journal) in results.into_inner().expect("no reader panicked") {
        let report = &mut reports[index];
        report.journal = journal.is_json.then_some(journal.stats);
        let stats = match result {
            Ok(stats) => stats,
            Err((damage, stats)) => {
                let lines = tally.input_counts(index).lines;
                report.error = Some(damage.into_error(&report.name, stats.bytes, lines));
                stats
            }
        };
        report.bytes += stats.bytes;
        report.overlong += stats.dropped_overlong;
        report.recognised = stats.recognised.union(journal.recognised);
    }
    tally
}

/// What a stream turned out to be: journald's JSON export or plain text.
#[derive(Clone, Copy, Debug, Default)]
struct Journal {
    is_json: bool,
    stats: BlockStats,
    /// Which MTAs' logs the first rendered lines look like.
    recognised: Recognised,
}

impl Journal {
    fn detect(first_block: &[u8]) -> Journal {
        Journal { is_json: journald::looks_like_journal_json(first_block), ..Journal::default() }
    }

    fn add(&mut self, stats: &BlockStats, rendered: &[u8]) {
        if self.stats.lines == 0 && stats.lines > 0 {
            self.recognised = Recognised::of(rendered);
        }
        self.stats.records += stats.records;
        self.stats.lines += stats.lines;
        self.stats.skipped += stats.skipped;
        self.stats.malformed += stats.malformed;
    }
}

/// The error that stopped reading a stream, and where in its raw
/// (compressed) bytes.
struct Damage {
    error: Error,
    compression: Option<Compression>,
    /// Raw bytes consumed when it happened.
    at: u64,
}

impl Damage {
    /// The error to report: for compressed data, where it was damaged and
    /// how much was counted before it, the `bytes` and `lines` the scan
    /// got; any other error as it is.
    fn into_error(self, name: &str, bytes: u64, lines: u64) -> Error {
        let (kind, source) = match (self.compression, self.error) {
            (Some(kind), Error::Input { source, .. }) => (kind, source),
            (_, error) => return error,
        };
        let check = if name == "-" {
            format!("check the file that was piped in with '{} -t FILE'", kind.name())
        } else {
            format!(
                "check the file with '{} -t {name}'; a file still being written is complete once logrotate is done",
                kind.name()
            )
        };
        Error::Format {
            name: name.to_string(),
            message: format!(
                "{} data is damaged or cut short at compressed byte {} ({source}); the {} bytes ({}) of log \
                 before it were counted ({check})",
                kind.name(),
                thousands(self.at),
                thousands(bytes),
                plural(lines, "line"),
            ),
        }
    }
}
