//! The scanner: finds delivery lines in blocks and tallies them, in parallel.
//!
//! One reader thread cuts the inputs into blocks (see [`crate::input`]) and
//! sends them through a bounded channel, so memory stays at a few blocks
//! per thread whatever the input size. Rayon workers search each whole block
//! for the MTA anchors at once (never line by line), widen each hit to its
//! line, parse it, and count it in a per-worker [`Tally`]; the tallies are
//! added together at the end.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::config::Mta;
use crate::error::{Error, Result};
use crate::input::{Block, BlockOptions, ReadStats, Source, read_blocks};
use crate::parse::{Parsed, exim, postfix};
use crate::tally::Tally;

/// Finds and parses delivery lines.
#[derive(Clone, Debug)]
pub struct Scanner {
    anchors: Anchors,
    /// Longer lines are skipped and counted, never parsed (see [`BlockOptions`]).
    max_line: usize,
    /// For each anchor pattern, whether it is Postfix's (else Exim's).
    is_postfix: Vec<bool>,
}

impl Scanner {
    /// A scanner for the lines of `mta`.
    pub fn new(mta: Mta) -> Scanner {
        let mut patterns: Vec<&[u8]> = Vec::new();
        if mta != Mta::Exim {
            patterns.push(postfix::ANCHOR);
        }
        let postfix_count = patterns.len();
        if mta != Mta::Postfix {
            patterns.extend(exim::ANCHORS);
        }
        let anchors = Anchors::new(&patterns);
        let is_postfix = (0..patterns.len()).map(|i| i < postfix_count).collect();
        Scanner {
            anchors,
            max_line: BlockOptions::default().max_line,
            is_postfix,
        }
    }

    /// Sets the length above which a line is skipped and counted.
    pub fn max_line(mut self, max_line: usize) -> Scanner {
        self.max_line = max_line;
        self
    }

    /// Reads one line on its own: the first delivery line found in it.
    /// (The scanner does the same for every line of a block.)
    pub fn parse_line<'a>(&self, line: &'a [u8]) -> Parsed<'a> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut from = 0;
        while let Some(hit) = self.anchors.find(line, from) {
            match self.parse_at(line, hit.0, hit.1) {
                Parsed::Other => from = hit.0 + 1,
                parsed => return parsed,
            }
        }
        Parsed::Other
    }

    fn parse_at<'a>(&self, line: &'a [u8], at: usize, pattern: usize) -> Parsed<'a> {
        if self.is_postfix[pattern] {
            postfix::parse(line, at)
        } else {
            exim::parse(line, at)
        }
    }

    /// Scans one block and counts what it finds in `tally`.
    pub fn scan_block(&self, block: &Block, tally: &mut Tally) {
        let data = &block.data[..];
        let mut from = 0;
        // Line numbers are only needed for examples of unparsable lines;
        // they are counted lazily, from the last place counted.
        let (mut counted_to, mut line_no) = (0, block.first_line);
        // The bounds of the line being read, kept while further anchors are
        // tried on it, so a line full of false anchors costs linear time.
        let mut current: Option<(usize, usize)> = None;
        while let Some((at, pattern)) = self.anchors.find(data, from) {
            let (start, end) = match current {
                Some((start, end)) if at < end => (start, end),
                _ => {
                    let start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |i| i + 1);
                    let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
                    (start, end)
                }
            };
            from = (end + 1).min(data.len());
            current = None;
            if end - start > self.max_line {
                tally.record_overlong();
                continue;
            }
            let line = &data[start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match self.parse_at(line, at - start, pattern) {
                Parsed::Event(event) => tally.record(block.input, &event),
                Parsed::Probe => tally.record_probe(),
                Parsed::Malformed => {
                    tally.record_malformed(block.input);
                    if tally.wants_example(block.input, line_no) {
                        line_no +=
                            memchr::memchr_iter(b'\n', &data[counted_to..start]).count() as u64;
                        counted_to = start;
                        tally.add_example(block.input, line_no, line);
                    }
                }
                Parsed::Other => {
                    // The literal matched by chance; a real anchor may follow
                    // on the same line.
                    from = at + 1;
                    current = Some((start, end));
                }
            }
        }
    }
}

/// A multi-literal searcher: Teddy (SIMD) where the CPU has it, else an
/// Aho-Corasick automaton. Both report the leftmost match.
#[derive(Clone, Debug)]
enum Anchors {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Anchors {
    fn new(patterns: &[&[u8]]) -> Anchors {
        let packed = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(patterns)
            .build();
        match packed {
            Some(searcher) => Anchors::Packed(searcher),
            None => Anchors::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(patterns)
                    .expect("a handful of short literals always compile"),
            ),
        }
    }

    /// The start and pattern index of the leftmost anchor at or after `from`.
    fn find(&self, haystack: &[u8], from: usize) -> Option<(usize, usize)> {
        let input = aho_corasick::Input::new(haystack).span(from..haystack.len());
        let hit = match self {
            Anchors::Packed(searcher) => searcher.find_in(haystack, input.get_span()),
            Anchors::Automaton(automaton) => automaton.find(input),
        }?;
        Some((hit.start(), hit.pattern().as_usize()))
    }
}

/// What happened to one input.
#[derive(Debug)]
pub struct InputReport {
    /// The input as named.
    pub name: String,
    /// What was read from it (up to an error, if there was one).
    pub read: ReadStats,
    /// Why it could not be read to the end, if it could not.
    pub error: Option<Error>,
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
}

/// Scans every input with `threads` workers and returns the merged counts.
/// An input that cannot be read is recorded in its [`InputReport`]; the
/// others are still scanned. Fails only when the threads cannot be started.
pub fn run(
    inputs: &[Source],
    mta: Mta,
    threads: usize,
    blocks: BlockOptions,
    progress: &ProgressBar,
) -> Result<Analysis> {
    let started = Instant::now();
    let scanner = Scanner::new(mta).max_line(blocks.max_line);
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("bounces-scan-{i}"))
        .build()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot start {threads} scan threads ({e}); try a smaller --threads"
            ))
        })?;
    let (tx, rx) = mpsc::sync_channel::<Block>(threads * 2);
    // Scanned blocks' buffers go back to the reader for reuse.
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let (tally, reports) = std::thread::scope(|s| {
        let reader = s.spawn(move || read_all(inputs, blocks, progress, &tx, &free_rx));
        let tally = pool.install(|| {
            rx.into_iter()
                .par_bridge()
                .fold(Tally::default, |mut tally, block| {
                    scanner.scan_block(&block, &mut tally);
                    // The reader may have finished and gone; then the buffer is dropped.
                    let _ = free_tx.send(block.data);
                    tally
                })
                .reduce(Tally::default, |mut a, b| {
                    a += b;
                    a
                })
        });
        (
            tally,
            reader.join().expect("the reader thread does not panic"),
        )
    });
    Ok(Analysis {
        tally,
        inputs: reports,
        elapsed: started.elapsed(),
    })
}

/// Reads the inputs one after the other into the channel.
fn read_all(
    inputs: &[Source],
    blocks: BlockOptions,
    progress: &ProgressBar,
    tx: &mpsc::SyncSender<Block>,
    free: &mpsc::Receiver<Vec<u8>>,
) -> Vec<InputReport> {
    let mut reports = Vec::with_capacity(inputs.len());
    let buffer = || match free.try_recv() {
        Ok(mut buf) => {
            buf.clear();
            buf
        }
        Err(_) => Vec::with_capacity(blocks.block_size),
    };
    for (index, source) in inputs.iter().enumerate() {
        let name = source.name();
        let emit = |block: Block| {
            progress.inc(block.data.len() as u64);
            // The receiver lives until every block is scanned.
            let _ = tx.send(block);
        };
        let result = match source.open() {
            Ok(reader) => read_blocks(reader, index, &name, blocks, buffer, emit),
            Err(error) => Err((error, ReadStats::default())),
        };
        let (read, error) = match result {
            Ok(read) => (read, None),
            Err((error, read)) => (read, Some(error)),
        };
        reports.push(InputReport { name, read, error });
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(data: &[u8], mta: Mta) -> Tally {
        let mut tally = Tally::default();
        let block = Block {
            input: 0,
            first_line: 1,
            data: data.to_vec(),
        };
        Scanner::new(mta).scan_block(&block, &mut tally);
        tally
    }

    const MIXED: &[u8] = b"Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@p.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\r\n\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qr => b@e.example R=r T=t C=\"250 OK\"\n\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= s@x T=\"a => b\" then 1tXyZa-0003Ab-Qs ** c@e.example: Unrouteable address\n\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qs ** c@e.example: Unrouteable address\n\
Nov  5 10:00:01 mx postfix/smtp[1]: 4B1C2D3E: to=<d@p.example>, relay=x, delay=1\n\
Nov  5 10:00:02 mx postfix/smtp[1]: 4B1C2D3E: to=<e@p.example>, relay=x, dsn=2.1.5, status=deliverable (250 ok)";

    #[test]
    fn finds_both_mtas_in_one_block() {
        let t = scan(MIXED, Mta::Auto);
        assert_eq!(t.events_by_outcome(), [2, 0, 1]);
        assert_eq!((t.malformed(), t.probes()), (1, 1));
        assert_eq!(t.examples()[0].line, 5);
        assert_eq!(scan(MIXED, Mta::Postfix).events_by_outcome(), [1, 0, 0]);
        assert_eq!(scan(MIXED, Mta::Exim).events_by_outcome(), [1, 0, 1]);
    }

    #[test]
    fn empty_and_anchor_only_blocks() {
        assert_eq!(scan(b"", Mta::Auto).events(), 0);
        assert_eq!(scan(b": to=", Mta::Auto).events(), 0);
        assert_eq!(scan(b" == ", Mta::Auto).events(), 0);
        assert_eq!(scan(b"\n\n\n", Mta::Auto).events(), 0);
    }
}
