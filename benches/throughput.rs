//! Throughput benchmarks of the library: per-line parsing, scanning an
//! in-memory buffer, and building the reports.
//!
//! ```text
//! cargo bench --bench throughput                # all of them (about a minute)
//! cargo bench --bench throughput -- scan_block  # one group
//! ```
//!
//! Every benchmark reports throughput in input bytes (criterion prints it as
//! MiB/s or GiB/s). The buffers are generated once by the `synth` example
//! (`--size 16M --seed 1`) and cached under `target/bench-data/`; delete that
//! directory after changing the generator. `benches/compare.sh` measures the
//! whole binary against ripgrep, grep and wc instead.

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use bounces::config::Mta;
use bounces::internals::input::Block;
use bounces::internals::parse::Parsed;
use bounces::internals::report::Reports;
use bounces::internals::search::Scanner;
use bounces::internals::worker::Worker;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Size of each generated log, as `synth --size` takes it (10^6 bytes).
const LOG_SIZE: &str = "16M";
/// Seed of the generated logs.
const SEED: &str = "1";
/// Pieces the scanned buffer is cut into, like the reader's blocks.
const BLOCK_SIZE: usize = 2 << 20;

/// Representative delivery lines, one per shape the parsers handle.
const LINES: &[(&str, &str)] = &[
    (
        "postfix_sent",
        "Nov  5 01:12:07 mx1 postfix/smtp[30218]: 1E7B40C2A9: to=<j.doe@gmail.com>, \
         relay=gmail-smtp-in.l.google.com[198.51.100.26]:25, delay=1.2, delays=0.11/0.01/0.48/0.6, \
         dsn=2.0.0, status=sent (250 2.0.0 OK  1762301527 ffacd0b85a97d-3b5e2c8f1a0si2281942f8f.311 - gsmtp)",
    ),
    (
        "postfix_deferred_said",
        "Nov  5 04:30:21 mx1 postfix/smtp[30340]: 9E8D7C6B5A: to=<purchasing@acme-widgets.com>, \
         relay=mx2.acme-widgets.com[203.0.113.12]:25, delay=6.2, delays=0.05/0.01/3.4/2.7, dsn=4.7.1, \
         status=deferred (host mx2.acme-widgets.com[203.0.113.12] said: 451 4.7.1 Service unavailable - \
         try again later (in reply to RCPT TO command))",
    ),
    (
        "postfix_gmail_multiline_bounce",
        "2026-11-05T13:15:02.118230+01:00 mx1 postfix-out/smtp[40142]: 4Rq4Hj3DcSz3tBr: \
         to=<no.such.user@gmail.com>, relay=gmail-smtp-in.l.google.com[2001:db8:4860::1b]:25, delay=1.9, \
         delays=0.02/0.01/1.2/0.66, dsn=5.1.1, status=bounced (host gmail-smtp-in.l.google.com[2001:db8:4860::1b] \
         said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 \
         double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more \
         information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser \
         5b1f17b1804b1-43b41c7d2e0si1310458f8f.201 - gsmtp (in reply to RCPT TO command))",
    ),
    (
        "exim_delivered_c",
        "2026-11-05 00:09:42 1tVm9c-000G0d-2B => bob@gmail.com R=dnslookup T=remote_smtp \
         H=gmail-smtp-in.l.google.com [198.51.100.26] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes \
         DN=\"CN=mx.google.com\" C=\"250 2.0.0 OK  1762301382 ffacd0b85a97d-3b5e2d1a7c2si3301275f8f.402 - gsmtp\"",
    ),
    (
        "exim_bounced_old_form",
        "Nov  5 01:30:03 mx2 exim[20933]: 2026-11-05 01:30:03 1tVmQ4-0005Kt-3c ** former@bluth-company.net \
         R=dnslookup T=remote_smtp: SMTP error from remote mailer after RCPT TO:<former@bluth-company.net>: \
         host mx.bluth-company.net [198.51.100.77]: 553 5.1.3 <former@bluth-company.net>: Recipient address \
         rejected: invalid address",
    ),
];

fn bench_parse_line(c: &mut Criterion) {
    let scanner = Scanner::new(Mta::Auto);
    let mut group = c.benchmark_group("parse_line");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    for &(name, line) in LINES {
        let line = line.as_bytes();
        assert!(
            matches!(scanner.parse_line(line), Parsed::Event(_)),
            "{name}: the sample line no longer parses as a delivery event"
        );
        group.throughput(Throughput::Bytes(line.len() as u64));
        group.bench_function(name, |b| b.iter(|| scanner.parse_line(black_box(line))));
    }
    group.finish();
}

fn bench_scan_block(c: &mut Criterion) {
    let scanner = Scanner::new(Mta::Auto);
    let mut group = c.benchmark_group("scan_block");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for mta in ["postfix", "exim"] {
        let data = generated_log(mta);
        let blocks = blocks_of(&data);
        let bytes = data.len() as u64;
        drop(data);
        let events = scan_all(&scanner, &blocks).tally().events();
        assert!(events > 0, "{mta}: the generated log gave no delivery events");
        group.throughput(Throughput::Bytes(bytes));
        // A fresh tally each time: every domain is interned anew, as in a
        // 16 MB log.
        group.bench_function(format!("{mta}_{LOG_SIZE}"), |b| {
            b.iter_with_large_drop(|| scan_all(&scanner, black_box(&blocks)))
        });
        // A tally that already knows every domain: the steady state of a
        // long log, where interning new domains is rare.
        let mut worker = scan_all(&scanner, &blocks);
        group.bench_function(format!("{mta}_{LOG_SIZE}_warm_tally"), |b| {
            b.iter(|| {
                for block in black_box(&blocks) {
                    scanner.scan_block(block, &mut worker);
                }
            })
        });
    }
    group.finish();
}

fn bench_report_build(c: &mut Criterion) {
    let scanner = Scanner::new(Mta::Auto);
    let data = generated_log("postfix");
    let bytes = data.len() as u64;
    let tally = scan_all(&scanner, &blocks_of(&data)).into_tally();
    drop(data);
    let mut group = c.benchmark_group("report_build");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    // Throughput in bytes of the log the tally came from: the report's cost
    // per input byte, comparable with `scan_block`.
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(format!("postfix_{LOG_SIZE}"), |b| {
        b.iter_with_large_drop(|| Reports::build(black_box(&tally)))
    });
    group.finish();
}

/// Scans every block with a fresh worker, as one thread would.
fn scan_all(scanner: &Scanner, blocks: &[Block]) -> Worker {
    let mut worker = Worker::default();
    for block in blocks {
        scanner.scan_block(block, &mut worker);
    }
    worker
}

/// Cuts `data` into blocks of about [`BLOCK_SIZE`] bytes ending on a line end.
fn blocks_of(data: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let cut = if rest.len() <= BLOCK_SIZE {
            rest.len()
        } else {
            memchr::memchr(b'\n', &rest[BLOCK_SIZE..]).map_or(rest.len(), |i| BLOCK_SIZE + i + 1)
        };
        let (head, tail) = rest.split_at(cut);
        blocks.push(Block { input: 0, seq: blocks.len() as u64, lines_before: 0, data: head.to_vec() });
        rest = tail;
    }
    blocks
}

/// The generated log of `mta`, from the cache or made now.
fn generated_log(mta: &str) -> Vec<u8> {
    let target = target_dir();
    let dir = target.join("bench-data");
    let path = dir.join(format!("{mta}-{LOG_SIZE}-seed{SEED}.log"));
    if let Ok(data) = fs::read(&path)
        && !data.is_empty()
    {
        return data;
    }
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let synth = synth_binary(&target);
    let partial = dir.join(format!(".{mta}-{LOG_SIZE}-seed{SEED}.log.partial"));
    let out = fs::File::create(&partial).unwrap_or_else(|e| panic!("cannot create {}: {e}", partial.display()));
    let status = Command::new(&synth)
        .args(["--mta", mta, "--size", LOG_SIZE, "--seed", SEED, "-q"])
        .stdout(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", synth.display()));
    assert!(status.success(), "{} failed: {status}", synth.display());
    fs::rename(&partial, &path).unwrap_or_else(|e| panic!("cannot rename to {}: {e}", path.display()));
    fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `target/release/examples/synth`, built first if it is missing.
fn synth_binary(target: &Path) -> PathBuf {
    let synth = target.join("release").join("examples").join(format!("synth{}", std::env::consts::EXE_SUFFIX));
    if !synth.is_file() {
        eprintln!("building the synth example to generate benchmark logs...");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--example", "synth"])
            .arg("--target-dir")
            .arg(target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .status()
            .expect("cannot run cargo");
        assert!(status.success(), "cargo build --release --example synth failed: {status}");
    }
    synth
}

/// The target directory this benchmark was built in (the executable is
/// `TARGET/release/deps/throughput-HASH`), else `CARGO_TARGET_DIR` or
/// `./target`.
fn target_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe()
        && let Some(target) = exe.parent().and_then(Path::parent).and_then(Path::parent)
        && exe.parent().is_some_and(|deps| deps.ends_with("deps"))
    {
        return target.to_path_buf();
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

criterion_group!(benches, bench_parse_line, bench_scan_block, bench_report_build);
criterion_main!(benches);
