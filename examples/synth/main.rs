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
//! (default 50000), `-q`. Bad arguments print a message and exit with
//! status 2.
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
