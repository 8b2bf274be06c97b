//! `synth`: a deterministic generator of large, realistic Postfix and Exim
//! mail logs, for benchmarks and end-to-end checks of `bounces`.
//!
//! ```text
//! cargo run --release --example synth -- --mta postfix --size 1G --seed 1 > big.log
//! cargo run --release --example synth -- --mta exim --size 20M --seed 7 --truth truth.csv > exim.log
//! ```
//!
//! Options (`--help` prints them): `--mta postfix|exim` and `--size SIZE` are
//! required; `--seed N` (default 1), `--truth FILE`, `--truth-codes FILE`,
//! `--timestamps bsd|rfc3339|native|mixed` (default `mixed`), `--domains N`
//! (default 50000), `--host NAME`, `--hosts N --days D --out-dir DIR`, `-q`.
//! Bad arguments print a message and exit with status 2.
//!
//! # A fleet
//!
//! `--host NAME` writes `NAME` as the syslog host field (default `mx1` for
//! Postfix, `mx2` for Exim; Exim's own timestamps carry no host, so its
//! `native` lines are the same). `--hosts N --days D --out-dir DIR` writes
//! instead one log per host and day, `DIR/HOST/YYYY-MM-DD.log` (hosts `mx01`
//! ... or `NAME01` ... with `--host NAME`; days from 2026-11-01 in the
//! generator's zone, +01:00), each of about `SIZE` bytes spread over most
//! of its day and never past its midnight, each from its own seed (`--seed`
//! mixed with the host's and the day's numbers): the hosts share the world
//! of domains but not their traffic, and a retry never crosses midnight.
//! `benches/fleet.sh` uses it. Without these options the output is byte for
//! byte what it was before they existed.
//!
//! # Output
//!
//! The log goes to stdout and stops at the first line end at or after `SIZE`
//! bytes. `SIZE` is a byte count with an optional suffix: `K`, `M`, `G`, `T`
//! are powers of 1000 (`1G` = 1,000,000,000 bytes), `KiB`, `MiB`, `GiB`,
//! `TiB` (or `Ki`, `Mi`, ...) are powers of 1024.
//!
//! The same arguments always give the same bytes: the only source of
//! randomness is the hand-written SplitMix64 generator in `rng.rs`, seeded
//! with `--seed`, and all arithmetic is on integers (the `rand` crate does not
//! promise stable streams across versions). Timestamps start at 2026-11-01
//! 00:00:00 (+01:00) and only move forward; queue ids and Exim message ids are
//! derived from a message counter through bijections, so they never repeat;
//! every line draws fresh random values, so no block of lines repeats.
//!
//! Recipient domains follow a Zipf distribution (exponent 1) over `--domains`
//! domains: big providers first (gmail.com, outlook.com, yahoo.com, ...), then
//! generated names such as `d12345-shop.example`. A few recipients are
//! written with upper-case letters or a trailing dot. Each domain has a fixed
//! mail host (Google, Microsoft, Yahoo, Apple or its own `mx.DOMAIN`, some
//! with IPv6 addresses) and a fixed character (most are healthy; a few
//! greylist, are unreachable, have no DNS, or publish a null MX), which
//! decides the mix of replies: mostly `250 2.0.0`; deferrals `421 4.7.0`,
//! `450 4.2.0` greylisting, `451 4.7.1`, `452 4.2.2`, Gmail's `450-4.2.1`,
//! Microsoft's `451 4.7.650`, connect timeouts (no code); bounces `550
//! 5.1.1`, `550 5.7.1`, `552 5.2.2`, `554 5.7.1`, Microsoft's `5.1.10`,
//! `5.4.4` host not found, null MX. Deferred recipients are retried later
//! under the same queue id (deferred-then-delivered, or expired after five
//! attempts).
//!
//! **Postfix** (`mx1`, home domain `corp.example`): submissions from laptops,
//! inbound mail through postscreen, smtpd, an amavis hop and LMTP or pipe
//! delivery, newsletters from a `postfix-out` instance with long queue ids,
//! local cron mail, non-delivery notifications, all with the usual noise
//! around them (smtpd connect/disconnect, cleanup, qmgr, postscreen
//! PREGREET/DNSBL rejects, dnsblog, anvil, tlsproxy, dovecot, amavis, NOQUEUE
//! rejects, milter rejects, SASL failures, `host X said:` lines without
//! `to=`, `status=expired` lines, address-verification probes, sendmail lines
//! with `stat=Sent`). Gmail replies are multi-line (`550-5.1.1 ... 550
//! 5.1.1`), some reply texts carry bytes that are not UTF-8, a few lines end
//! in CRLF. About 26% of the lines are delivery lines.
//!
//! **Exim** (`mx2`, home domain `hostco.example`): the main log with `<=`
//! arrivals, `=>`, `->` and `>>` deliveries (most with `C="250 ..."`), `==`
//! deferrals (remote replies, `retry time not reached`, connection errors),
//! `**` failures in the old (host inside the text) and new (`H=... :`)
//! forms, `Unrouteable address`, null MX, `retry timeout exceeded`, bounce
//! messages (`<= <> R=...`), `Completed`, queue runs, SMTP connection and
//! reject noise. Message ids are mostly 6-6-2, with stretches of the 6-11-4
//! form of Exim 4.97+. About 42% of the lines are delivery lines.
//!
//! **Timestamps**: `bsd` (`Nov  5 10:00:00 mx1 postfix/smtp[123]: `),
//! `rfc3339` (`2026-11-05T10:00:00.123456+01:00 mx1 ...`), `native` (Exim's
//! own `2026-11-05 10:00:00`; for Postfix the same as `bsd`), or `mixed`: the
//! style changes every few tens of thousands of lines (Postfix: BSD,
//! BSD without the day's padding, RFC 3339; Exim: plain, with milliseconds,
//! with `[pid]`, with a zone, wrapped in BSD or RFC 3339 syslog).
//!
//! # Truth
//!
//! `--truth FILE` writes `domain,delivered,deferred,bounced`, one row per
//! recipient domain (lower-cased, trailing dot removed), sorted by domain:
//! the delivery events in the log by the rules of the README ("What counts
//! as a delivery event"). Probes, rejects, `said:` lines without `to=`,
//! expired lines and arrivals are not counted; content-filter hops, LMTP
//! deliveries and notifications are, like any delivery line. The counts are
//! taken as each line is written, so they match the log exactly.
//!
//! `--truth-codes FILE` writes `domain,outcome,code,enhanced,count` for the
//! same events, one row per (domain, outcome, code, enhanced code), sorted by
//! domain, outcome (`delivered`, `deferred`, `bounced`), code (none first)
//! and enhanced code (as text); an empty field is a code the line lacks. The
//! code is the one that starts the remote server's reply where the README
//! says it is read (Postfix: after `said:` or `refused to talk to me:`, or at
//! the start of the `status=sent` text; Exim: after `SMTP error ...: ` or
//! `LMTP error ...: `, or in `C="..."`); lines without a reply (connect
//! timeouts, `Unrouteable address`, local deliveries) have none. The enhanced
//! code is Postfix's `dsn=`, or for Exim the one right after the reply's
//! code. Both are noted by the code that writes them (`reply_start`,
//! `dsn_field`), not read back from the line.
//!
//! A summary (bytes, lines, delivery lines, domains) goes to stderr unless
//! `-q`. Exit status: 0 on success (also when stdout is closed early), 1 when
//! the log or a truth file cannot be written, 2 on bad arguments.
//!
//! Since the stream does not depend on `--size`, a smaller log is a prefix of
//! a larger one with the same seed and options.
//!
//! # Files
//!
//! `main.rs` runs the generator; `args.rs` reads the command line;
//! `generator.rs` holds its state (`Gen`) and what all lines share;
//! `rng.rs` is the random source; `clock.rs` the clock and timestamp styles;
//! `world.rs` the domains, their hosts and addresses; `outcomes.rs` what an
//! attempt meets, with messages and retries; `replies.rs` the servers'
//! replies; `postfix.rs` and `exim.rs` write each MTA's lines; `out.rs`
//! buffers them and counts the truth; `truth.rs` writes the truth files.

mod args;
mod clock;
mod exim;
mod generator;
mod out;
mod outcomes;
mod postfix;
mod replies;
mod rng;
mod truth;
mod world;

// What the modules share: each starts with `use super::*`.
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use args::*;
use clock::*;
use generator::*;
use out::*;
use outcomes::*;
use rng::*;
use truth::*;
use world::*;

/// Creates an output file named on the command line, so that a bad path
/// fails before the work.
fn create(path: Option<&str>) -> Result<Option<std::fs::File>, ExitCode> {
    match path.map(std::fs::File::create) {
        None => Ok(None),
        Some(Ok(f)) => Ok(Some(f)),
        Some(Err(e)) => {
            eprintln!("synth: cannot create {}: {e}", path.unwrap_or_default());
            Err(ExitCode::FAILURE)
        }
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("synth: {msg}\nTry 'synth --help' for more information.");
            return ExitCode::from(2);
        }
    };
    if let Some((hosts, days, dir)) = args.fleet.clone() {
        return fleet(&args, hosts, days, &dir);
    }
    // Create the truth files first, so that a bad path fails before the work.
    let truth_file = match create(args.truth.as_deref()) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let codes_file = match create(args.truth_codes.as_deref()) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let stdout = io::stdout();
    let mut g = Gen::new(&args, stdout.lock());
    match args.mta {
        Mta::Postfix => g.run_postfix(),
        Mta::Exim => g.run_exim(),
    }
    let flushed = g.o.w.flush();
    if let Some(e) = g.o.error.take().or(flushed.err()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("synth: cannot write the log: {e}");
        return ExitCode::FAILURE;
    }
    let distinct = g.o.truth.iter().filter(|c| c.iter().any(|&v| v > 0)).count();
    if let Some(file) = truth_file
        && let Err(e) = write_truth(file, &g.doms, &g.o.truth)
    {
        let path = args.truth.as_deref().unwrap_or_default();
        eprintln!("synth: cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    if let (Some(file), Some(codes)) = (codes_file, &g.o.codes)
        && let Err(e) = write_truth_codes(file, &g.doms, codes)
    {
        let path = args.truth_codes.as_deref().unwrap_or_default();
        eprintln!("synth: cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    if !args.quiet {
        let o = &g.o;
        eprintln!(
            "synth: {} bytes, {} lines, {} delivery lines ({:.1}%), {} recipient domains",
            o.bytes,
            o.lines,
            o.deliveries,
            100.0 * o.deliveries as f64 / o.lines.max(1) as f64,
            distinct
        );
    }
    ExitCode::SUCCESS
}

/// The microseconds a fleet file's lines are spread over: most of a day, so
/// that a file of `--size` bytes ends near midnight (the largest pause
/// between lines is scaled to it; a file that would run past midnight stops
/// there).
const FLEET_SPAN_US: u64 = 23 * 3_600_000_000;

/// The largest pause between lines that spreads `size` bytes over about
/// [`FLEET_SPAN_US`]: the clock moves about this many µs per byte written
/// per µs of largest pause (measured on 5 MB files; the pauses between
/// messages, which do not scale, are small beside them at that size).
fn fleet_step(mta: Mta, size: u64) -> u64 {
    let us_per_byte_per_step: f64 = match mta {
        Mta::Postfix => 0.00337,
        Mta::Exim => 0.0025,
    };
    ((FLEET_SPAN_US as f64 / (size as f64 * us_per_byte_per_step)) as u64).max(2)
}

/// `--hosts N --days D --out-dir DIR`: one log per host and day,
/// `DIR/HOST/YYYY-MM-DD.log`, each from its own seed (the seed mixed with
/// the host's and the day's numbers), so every host has traffic of its own
/// and any one file can be written again alone.
fn fleet(args: &Args, hosts: u32, days: u32, dir: &str) -> ExitCode {
    let base = args.host.as_deref().unwrap_or("mx");
    let width = hosts.to_string().len().max(2);
    let (mut files, mut bytes, mut deliveries) = (0u64, 0u64, 0u64);
    for h in 1..=hosts {
        let name = format!("{base}{h:0width$}");
        let host_dir = std::path::Path::new(dir).join(&name);
        if let Err(e) = std::fs::create_dir_all(&host_dir) {
            eprintln!("synth: cannot create {}: {e}", host_dir.display());
            return ExitCode::FAILURE;
        }
        for d in 0..days {
            let (y, m, day) = civil_from_days(START_DAY + i64::from(d));
            let path = host_dir.join(format!("{y:04}-{m:02}-{day:02}.log"));
            let file = match std::fs::File::create(&path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("synth: cannot create {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            };
            let seed = mix64(mix64(args.seed ^ (u64::from(h) << 32)) ^ u64::from(d));
            let one = Args { seed, host: Some(name.clone()), fleet: None, ..args.clone() };
            let mut g = Gen::new(&one, file);
            let start = u64::from(d) * 86_400_000_000;
            g.clk.us = start;
            g.clk.refresh();
            g.next_periodic = start;
            g.end_us = start + 86_400_000_000;
            g.step = fleet_step(args.mta, args.size);
            match args.mta {
                Mta::Postfix => g.run_postfix(),
                Mta::Exim => g.run_exim(),
            }
            let flushed = g.o.w.flush();
            if let Some(e) = g.o.error.take().or(flushed.err()) {
                eprintln!("synth: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            files += 1;
            bytes += g.o.bytes;
            deliveries += g.o.deliveries;
        }
    }
    if !args.quiet {
        eprintln!(
            "synth: {files} logs of {hosts} hosts, {days} days into {dir}: {bytes} bytes, {deliveries} delivery lines"
        );
    }
    ExitCode::SUCCESS
}
