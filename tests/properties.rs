//! Property tests (proptest): parsing never panics, whatever the bytes, and
//! the reports never depend on block size, thread count, line limit path or
//! how the lines are shared out between files.
//!
//! Logs are built from the sample lines, mutated sample lines and noise
//! (random bytes, and "token soup" made of the literals the parsers look
//! for). The case counts are kept small so that the suite stays fast in a
//! debug build; `PROPTEST_CASES=5000 cargo test --release --test
//! integration properties` runs more of each.

use std::sync::LazyLock;

use indicatif::ProgressBar;
use proptest::prelude::*;
use proptest::sample::Index;

use bounces::config::{Mta, ReportKind};
use bounces::internals::input::{Block, BlockOptions, Compression, Source, count_lines, read_blocks};
use bounces::internals::parse::{Event, Parsed};
use bounces::internals::report::Reports;
use bounces::internals::scan::{self, ScanOptions};
use bounces::internals::search::Scanner;
use bounces::internals::tally::Tally;
use bounces::internals::worker::Worker;

use crate::util::sample;

/// Lines whose reading needs the whole log: Exim's `Unrouteable address`
/// at a domain with a local delivery (no `H=`) is no such user, wherever
/// the delivery is (the samples have local deliveries to `hostco.example`).
const UNROUTEABLE_LINES: [&str; 4] = [
    "2026-11-05 10:00:01 1tXyZa-0003Ab-Qr ** nouser@own.example: Unrouteable address",
    "2026-11-05 10:00:02 1tXyZa-0003Ab-Qr ** x@typo-domain.example: Unrouteable address",
    "2026-11-05 10:00:03 1tXyZa-0003Ab-Qr => alice <alice@own.example> R=localuser T=local_delivery",
    "2026-11-05 10:00:04 1tXyZb-0003Ab-Qr ** nobody@hostco.example: Unrouteable address",
];

/// The non-empty lines of both samples, without their line ends, and
/// [`UNROUTEABLE_LINES`].
static SAMPLE_LINES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut lines = Vec::new();
    for name in ["postfix.log", "exim.log"] {
        let data = std::fs::read(sample(name)).expect("the samples are there");
        lines.extend(data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec));
    }
    lines.extend(UNROUTEABLE_LINES.map(|line| line.as_bytes().to_vec()));
    lines
});

static SCANNERS: LazyLock<[Scanner; 3]> = LazyLock::new(|| {
    [Scanner::new(Mta::Auto), Scanner::new(Mta::named("postfix").unwrap()), Scanner::new(Mta::named("exim").unwrap())]
});

/// The pieces delivery lines are made of, and some hostile ones.
const TOKENS: &[&[u8]] = &[
    b": to=<",
    b"to=<",
    b">",
    b", ",
    b"status=",
    b"sent",
    b"bounced",
    b"deferred",
    b"SOFTBOUNCE",
    b"deliverable",
    b" (",
    b")",
    b"said: ",
    b"refused to talk to me: ",
    b"550",
    b"250 ",
    b"5.1.1",
    b"5.1.10 RESOLVER.ADR.RecipientNotFound",
    b"does not accept mail (nullMX)",
    b" ",
    b"-",
    b"dsn=",
    b"4.7.0",
    b"@",
    b"Example.COM.",
    b"\"",
    b"\\",
    b" => ",
    b" ** ",
    b" == ",
    b" -> ",
    b" >> ",
    b" *> ",
    b" <= ",
    b"1tXyZa-0003Ab-Qr",
    b"1tXyZa-00000003Ab-Qr1x",
    b" R=dnslookup T=remote_smtp",
    b"C=\"250 OK\"",
    b"SMTP error from remote mail server after RCPT TO:<a@b>: ",
    b"host h.example [192.0.2.1]: ",
    b"postfix/smtp[1]: ",
    b"4B1C2D3E: ",
    b"\r",
    b"\t",
    b"\xff",
    b"\xc3",
    b"\xef\xbf\xbd",
    b"=cmd|' /C calc'!A0",
    b"+1",
    b"@SUM(A1)",
];

/// A line made of tokens (no `\n`).
fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|tokens| tokens.concat())
}

/// Random bytes without `\n`.
fn noise() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>().prop_filter("one line", |&b| b != b'\n'), 0..160)
}

/// One change to a line.
#[derive(Clone, Debug)]
enum Mutation {
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<Index>(), prop_oneof![token_soup(), noise()]).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1..40usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut line: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::Set(i, b) if !line.is_empty() => {
                let i = i.index(line.len());
                line[i] = *b;
            }
            Mutation::Set(..) => {}
            Mutation::Insert(i, bytes) => {
                let i = at(i, line.len());
                line.splice(i..i, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let i = at(i, line.len());
                line.drain(i..(i + n).min(line.len()));
            }
            Mutation::Truncate(i) => line.truncate(at(i, line.len())),
        }
    }
    line
}

/// A sample line, possibly mutated (which may add `\n`s: then it is several lines).
fn sample_line() -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), prop::collection::vec(mutation(), 0..4))
        .prop_map(|(i, mutations)| mutate(SAMPLE_LINES[i.index(SAMPLE_LINES.len())].clone(), &mutations))
}

/// Checks what the parsers make of a line: events point into it and carry
/// codes in range; scanning it as a one-line block counts the same thing.
fn check_line(line: &[u8]) -> Result<(), TestCaseError> {
    let [auto, postfix, exim] = &*SCANNERS;
    let parsed = [auto.parse_line(line), postfix.parse_line(line), exim.parse_line(line)];
    for p in &parsed {
        if let Parsed::Event(event) = p {
            check_event(line, event)?;
        }
    }
    if line.contains(&b'\n') {
        return Ok(());
    }
    let mut worker = Worker::default();
    auto.scan_block(&Block { input: 0, seq: 0, lines_before: 0, data: line.to_vec() }, &mut worker);
    let tally = worker.tally();
    let mut want = [0; 3];
    if let Parsed::Event(event) = parsed[0] {
        want[event.outcome as usize] = 1;
    }
    prop_assert_eq!(tally.events_by_outcome(), want, "{:?}", parsed[0]);
    prop_assert_eq!(tally.malformed(), u64::from(parsed[0] == Parsed::Malformed));
    prop_assert_eq!(tally.probes(), u64::from(parsed[0] == Parsed::Probe));
    Ok(())
}

fn check_event(line: &[u8], event: &Event<'_>) -> Result<(), TestCaseError> {
    let (range, domain) = (line.as_ptr_range(), event.domain.as_ptr_range());
    prop_assert!(event.domain.is_empty() || (range.start <= domain.start && domain.end <= range.end));
    if let Some(code) = event.code {
        prop_assert!((200..600).contains(&code), "code {}", code);
    }
    if let Some(e) = event.enhanced {
        prop_assert!(matches!(e.class, 2 | 4 | 5) && e.subject <= 999 && e.detail <= 999, "enhanced {}", e);
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::util::proptest_cases(256))]

    #[test]
    fn parsing_arbitrary_bytes_never_panics(line in prop_oneof![noise(), token_soup()]) {
        check_line(&line)?;
    }

    #[test]
    fn parsing_mutated_sample_lines_never_panics(line in sample_line()) {
        check_line(&line)?;
    }

    #[test]
    fn count_lines_agrees_with_splitting(
        data in prop::collection::vec(prop_oneof![3 => Just(b'\n'), 1 => Just(b'\r'), 8 => any::<u8>()], 0..600),
        runs in prop::collection::vec((any::<Index>(), 0..300usize), 0..3),
        max_line in prop_oneof![1..64usize, 64..400usize, Just(1 << 20)],
    ) {
        // Long runs without a newline, to make over-long lines.
        let mut data = data;
        for (at, len) in runs {
            let at = at.index(data.len() + 1);
            data.splice(at..at, std::iter::repeat_n(b'x', len));
        }
        let newlines = data.iter().filter(|&&b| b == b'\n').count() as u64;
        let lines = newlines + u64::from(data.last().is_some_and(|&b| b != b'\n'));
        let long = data.split(|&b| b == b'\n').filter(|l| l.len() > max_line).count() as u64;
        prop_assert_eq!(count_lines(&data, max_line), (lines, long));
    }
}

/// A log: sample lines (most), mutated sample lines, noise and token soup.
/// Never starts with a compression format's magic bytes.
#[derive(Clone, Debug)]
struct Log {
    lines: Vec<Vec<u8>>,
    final_newline: bool,
}

impl Log {
    fn bytes(&self) -> Vec<u8> {
        let mut out = self.lines.join(&b"\n"[..]);
        if self.final_newline && !self.lines.is_empty() {
            out.push(b'\n');
        }
        out
    }
}

fn log_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => any::<Index>().prop_map(|i| SAMPLE_LINES[i.index(SAMPLE_LINES.len())].clone()),
        // Often enough that a log has a domain's local delivery and its
        // `Unrouteable address` in different pieces.
        2 => any::<Index>().prop_map(|i| UNROUTEABLE_LINES[i.index(UNROUTEABLE_LINES.len())].as_bytes().to_vec()),
        2 => sample_line(),
        1 => noise(),
        1 => token_soup(),
    ]
}

fn log() -> impl Strategy<Value = Log> {
    (prop::collection::vec(log_line(), 0..48), any::<bool>()).prop_map(|(lines, final_newline)| {
        // A mutation may have put newlines in a line: make them lines.
        let lines = lines.join(&b"\n"[..]);
        let mut lines: Vec<Vec<u8>> =
            if lines.is_empty() { Vec::new() } else { lines.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect() };
        for line in &mut lines {
            // As the first line of a file, it must not look compressed.
            if Compression::sniff(line).is_some() {
                line.insert(0, b' ');
            }
        }
        Log { lines, final_newline }
    })
}

/// Both reports, as written.
fn render(tally: &Tally) -> Vec<u8> {
    let reports = Reports::build(tally);
    let mut out = Vec::new();
    for kind in ReportKind::ALL {
        bounces::internals::format::write(&reports, kind, &mut out, bounces::internals::format::Options::default())
            .expect("writing to memory works");
    }
    out
}

/// What a scan found: both reports and the counts the summary prints.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    reports: String,
    malformed: u64,
    probes: u64,
}

/// `tally` is settled first, as `scan::run` does once the tallies are added
/// up (settling twice changes nothing).
fn found(tally: &Tally) -> Found {
    let mut tally = tally.clone();
    tally.settle_unrouteable();
    let tally = &tally;
    Found {
        reports: String::from_utf8(render(tally)).expect("reports are UTF-8"),
        malformed: tally.malformed(),
        probes: tally.probes(),
    }
}

/// The reference: the whole log as one block.
fn scan_whole(data: &[u8], max_line: usize) -> Tally {
    let mut worker = Worker::default();
    let block = Block { input: 0, seq: 0, lines_before: 0, data: data.to_vec() };
    // The anchors `scan::run` searches for without message-level reports:
    // with Exim's arrival anchor too, a line that is both an arrival and a
    // malformed delivery line is read as the arrival, and the two differ.
    Scanner::for_lines(Mta::Auto).max_line(max_line).scan_block(&block, &mut worker);
    worker.into_tally()
}

/// The stream path: `read_blocks`, the blocks dealt out to `threads`
/// tallies in turn, then added up.
fn scan_stream(data: &[u8], opts: BlockOptions, threads: usize) -> Tally {
    let scanner = Scanner::for_lines(Mta::Auto).max_line(opts.max_line);
    let mut workers: Vec<Worker> = (0..threads).map(|_| Worker::default()).collect();
    let mut next = 0;
    read_blocks(data, 0, "log", opts, Vec::new, |block| {
        scanner.scan_block(&block, &mut workers[next % threads]);
        next += 1;
    })
    .expect("reading memory works");
    let mut total = Tally::default();
    for worker in workers {
        total += worker.into_tally();
    }
    total
}

/// The file path: `scan::run` on files.
fn scan_files(paths: &[std::path::PathBuf], opts: BlockOptions, threads: usize) -> (Tally, u64, u64) {
    let sources: Vec<Source> = paths.iter().cloned().map(Source::Path).collect();
    let analysis = scan::run(&sources, &ScanOptions::new(Mta::Auto, threads, opts), &ProgressBar::hidden())
        .expect("the scan runs");
    for input in &analysis.inputs {
        assert!(input.error.is_none(), "{}: {:?}", input.name, input.error);
    }
    let lines = analysis.inputs.iter().map(|i| i.lines).sum();
    let overlong = analysis.inputs.iter().map(|i| i.overlong).sum();
    (analysis.tally, lines, overlong)
}

proptest! {
    #![proptest_config(crate::util::proptest_cases(64))]

    #[test]
    fn block_size_threads_and_files_do_not_change_reports(
        log in log(),
        block_size in prop_oneof![1..=64usize, 1..=4096usize],
        threads in 1..=4usize,
        max_line in prop_oneof![3 => Just(BlockOptions::default().max_line), 1 => 40..=600usize],
        order in prop::collection::vec((any::<u32>(), 0..3usize), 48),
        files in 1..=3usize,
        reverse in any::<bool>(),
    ) {
        let data = log.bytes();
        let opts = BlockOptions { block_size, max_line };
        let want = found(&scan_whole(&data, max_line));

        // Streams.
        let got = found(&scan_stream(&data, opts, threads));
        prop_assert_eq!(&got, &want, "read_blocks, block size {}, {} threads", block_size, threads);

        // One file, read in chunks.
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("mail.log");
        std::fs::write(&path, &data).expect("the log is written");
        let (tally, lines, overlong) = scan_files(std::slice::from_ref(&path), opts, threads);
        prop_assert_eq!(&found(&tally), &want, "scan::run, block size {}, {} threads", block_size, threads);
        let (want_lines, want_overlong) = count_lines(&data, max_line);
        prop_assert_eq!((lines, overlong), (want_lines, want_overlong), "lines and over-long lines");

        // The same lines shuffled into 1 to 3 files, named in any order.
        let mut keyed: Vec<(u32, usize, &Vec<u8>)> = log
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let (key, file) = order[i % order.len()];
                (key.wrapping_add(i as u32), file % files, line)
            })
            .collect();
        keyed.sort_by_key(|&(key, ..)| key);
        let mut paths = Vec::new();
        for file in 0..files {
            let mut text = Vec::new();
            for (_, _, line) in keyed.iter().filter(|(_, f, _)| *f == file) {
                text.extend_from_slice(line);
                text.push(b'\n');
            }
            let path = dir.path().join(format!("part{file}.log"));
            std::fs::write(&path, &text).expect("a part is written");
            paths.push(path);
        }
        if reverse {
            paths.reverse();
        }
        let (tally, _, _) = scan_files(&paths, opts, threads);
        prop_assert_eq!(&found(&tally), &want, "{} files, block size {}, {} threads", files, block_size, threads);
    }

    #[test]
    fn crlf_line_ends_do_not_change_reports(log in log(), block_size in 1..=512usize) {
        // A line that already ends in `\r` would end in `\r\r\n` with CRLF,
        // and only one `\r` belongs to the line end (see the seed in
        // properties.proptest-regressions): such lines lose their trailing
        // `\r`s in both versions.
        let lines: Vec<Vec<u8>> = log
            .lines
            .iter()
            .map(|l| {
                let end = l.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
                l[..end].to_vec()
            })
            .collect();
        let lf = Log { lines: lines.clone(), ..log.clone() }.bytes();
        let crlf = Log { lines: lines.iter().map(|l| [&l[..], b"\r"].concat()).collect(), ..log.clone() }.bytes();
        let opts = BlockOptions { block_size, ..BlockOptions::default() };
        let want = found(&scan_whole(&lf, opts.max_line));
        prop_assert_eq!(&found(&scan_whole(&crlf, opts.max_line)), &want);
        prop_assert_eq!(&found(&scan_stream(&crlf, opts, 2)), &want);
    }
}
