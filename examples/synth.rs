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
//! randomness is the hand-written SplitMix64 generator below, seeded with
//! `--seed`, and all arithmetic is on integers (the `rand` crate does not
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

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const HELP: &str = "\
synth: write a large, realistic, deterministic Postfix or Exim mail log to stdout

Usage:
  cargo run --release --example synth -- --mta postfix|exim --size SIZE [OPTIONS] > big.log

Options:
  --mta postfix|exim   which MTA's log to write (required)
  --size SIZE          stop at the first line end at or after SIZE bytes (required);
                       suffixes K, M, G, T are powers of 1000 (1G = 10^9 bytes),
                       KiB, MiB, GiB, TiB (or Ki, Mi, Gi, Ti) powers of 1024
  --seed N             seed of the generator (default 1); the same arguments
                       always give the same bytes
  --truth FILE         also write the expected per-domain counts to FILE as CSV:
                       domain,delivered,deferred,bounced (domain lower-cased,
                       trailing dot removed, rows sorted by domain)
  --truth-codes FILE   also write the expected counts per code to FILE as CSV:
                       domain,outcome,code,enhanced,count (outcome delivered,
                       deferred or bounced; code and enhanced empty when the
                       line has none; Postfix's enhanced code is its dsn=)
  --timestamps STYLE   bsd, rfc3339, native (Exim's own stamp; bsd for Postfix)
                       or mixed (default: the style changes every few tens of
                       thousands of lines)
  --domains N          recipient domains in the Zipf distribution (default 50000,
                       at least 100)
  -q, --quiet          no summary on stderr
  -h, --help           print this help

Exit status: 0 on success, 1 if the log or a FILE cannot be written, 2 on bad arguments.
";

// ---------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; constants as in Vigna's public-domain reference
/// `splitmix64.c`): a 64-bit state advanced by the golden-ratio increment and
/// passed through a bijective mixing function. It passes BigCrush, needs no
/// seeding procedure, and is written out here so that its stream, and with
/// it every generated log, stays the same forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// A number in `0..n` (`n > 0`), by Lemire's multiply-shift; the bias is
    /// below `n / 2^64`, far too small to matter here.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p` per cent.
    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// True with probability `p` per mille.
    fn permille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// An index into `weights`, drawn with those weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

/// SplitMix64's finalizer: a bijection on `u64` that scatters its input. Also
/// used on its own to give each domain fixed, seed-independent traits.
fn mix64(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A bijection on `0..m` for `n < m`: multiplication by a prime that divides
/// none of the `m`s used (powers of 51 and 62). Turns a counter into
/// unique, random-looking ids.
fn scramble(n: u64, m: u64) -> u64 {
    ((u128::from(n) * 2_654_435_761 + 12_345_678_901) % u128::from(m)) as u64
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mta {
    Postfix,
    Exim,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TsMode {
    Bsd,
    Rfc3339,
    Native,
    Mixed,
}

struct Args {
    mta: Mta,
    size: u64,
    seed: u64,
    truth: Option<String>,
    truth_codes: Option<String>,
    ts: TsMode,
    domains: u32,
    quiet: bool,
}

/// Parses the command line; `Ok(None)` means `--help` was asked for.
fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let (mut mta, mut size, mut seed, mut truth, mut truth_codes) = (None, None, 1, None, None);
    let (mut ts, mut domains, mut quiet) = (TsMode::Mixed, 50_000, false);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg, None),
        };
        match name {
            "-h" | "--help" => return Ok(None),
            "-q" | "--quiet" => {
                quiet = true;
                continue;
            }
            "--mta" | "--size" | "--seed" | "--truth" | "--truth-codes" | "--timestamps" | "--domains" => {}
            _ => return Err(format!("unknown argument '{arg}'")),
        }
        let value = match inline {
            Some(v) => v,
            None => {
                let v = args.get(i).ok_or_else(|| format!("{name} needs a value"))?;
                i += 1;
                v.clone()
            }
        };
        match name {
            "--mta" => {
                mta = Some(match value.as_str() {
                    "postfix" => Mta::Postfix,
                    "exim" => Mta::Exim,
                    _ => return Err(format!("--mta must be postfix or exim, not '{value}'")),
                });
            }
            "--size" => size = Some(parse_size(&value)?),
            "--seed" => {
                seed =
                    value.parse().map_err(|_| format!("--seed must be an integer from 0 to 2^64-1, not '{value}'"))?;
            }
            "--truth" => truth = Some(value),
            "--truth-codes" => truth_codes = Some(value),
            "--timestamps" => {
                ts = match value.as_str() {
                    "bsd" => TsMode::Bsd,
                    "rfc3339" => TsMode::Rfc3339,
                    "native" => TsMode::Native,
                    "mixed" => TsMode::Mixed,
                    _ => {
                        return Err(format!("--timestamps must be bsd, rfc3339, native or mixed, not '{value}'"));
                    }
                };
            }
            _ => {
                domains = match value.parse::<u32>() {
                    Ok(n) if (100..=10_000_000).contains(&n) => n,
                    _ => {
                        return Err(format!("--domains must be a number from 100 to 10000000, not '{value}'"));
                    }
                };
            }
        }
    }
    let mta = mta.ok_or("--mta postfix|exim is required")?;
    let size = size.ok_or("--size SIZE is required (e.g. 100M or 1G)")?;
    Ok(Some(Args { mta, size, seed, truth, truth_codes, ts, domains, quiet }))
}

/// `10K`, `100M`, `1G` (powers of 1000), `4GiB`/`4Gi` (powers of 1024), or a
/// plain byte count; an optional trailing `B` is accepted (`100MB`).
fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("--size must be a size such as 10K, 100M, 1G or 4GiB, not '{s}'");
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (num, suffix) = s.split_at(digits);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let suffix = suffix.strip_suffix(['B', 'b']).unwrap_or(suffix);
    let (letter, binary) = match suffix.strip_suffix('i') {
        Some(l) => (l, true),
        None => (suffix, false),
    };
    let exp = match letter {
        "" if !binary => 0,
        "k" | "K" => 1,
        "m" | "M" => 2,
        "g" | "G" => 3,
        "t" | "T" => 4,
        _ => return Err(bad()),
    };
    let unit: u64 = if binary { 1024 } else { 1000 };
    let size = n.checked_mul(unit.pow(exp)).ok_or_else(bad)?;
    if size == 0 {
        return Err("--size must be more than 0 bytes".into());
    }
    Ok(size)
}

// ---------------------------------------------------------------------------
// Output: one line at a time, with the truth counted as lines are written
// ---------------------------------------------------------------------------

struct Out<W: Write> {
    w: BufWriter<W>,
    line: Vec<u8>,
    limit: u64,
    bytes: u64,
    lines: u64,
    deliveries: u64,
    /// Set once `limit` is reached (or writing failed): later lines are dropped.
    done: bool,
    error: Option<io::Error>,
    /// The delivery event of the line being built: (domain index, outcome).
    event: Option<(u32, usize)>,
    /// The remote reply written on the line being built: its basic code and
    /// the enhanced code right after it.
    reply: Option<(u16, Option<&'static str>)>,
    /// Postfix's `dsn=` written on the line being built.
    dsn: Option<&'static str>,
    /// Whether the enhanced code is the `dsn=` (Postfix) or the reply's (Exim).
    postfix: bool,
    /// Per domain index: delivered, deferred, bounced.
    truth: Vec<[u64; 3]>,
    /// With `--truth-codes`: events per (domain index, outcome, code, enhanced code).
    codes: Option<HashMap<CodeKey, u64>>,
}

/// Domain index, outcome, basic code, enhanced code.
type CodeKey = (u32, usize, Option<u16>, Option<&'static str>);

impl<W: Write> Out<W> {
    fn s(&mut self, b: &[u8]) {
        self.line.extend_from_slice(b);
    }

    fn t(&mut self, s: &str) {
        self.line.extend_from_slice(s.as_bytes());
    }

    fn c(&mut self, b: u8) {
        self.line.push(b);
    }

    /// A decimal number.
    fn n(&mut self, mut v: u64) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.line.extend_from_slice(&buf[i..]);
    }

    /// A decimal number, zero-padded to `width` digits.
    fn pad(&mut self, v: u64, width: usize) {
        self.digits(v, width, b"0123456789");
    }

    /// `v` in the base `alphabet.len()`, exactly `width` digits (the most
    /// significant ones dropped if `v` is too big).
    fn digits(&mut self, mut v: u64, width: usize, alphabet: &[u8]) {
        let base = alphabet.len() as u64;
        let start = self.line.len();
        self.line.resize(start + width, b'0');
        for i in (start..start + width).rev() {
            self.line[i] = alphabet[(v % base) as usize];
            v /= base;
        }
    }

    /// Seconds as Postfix prints delays: `0.84`, `1.2`, `47`, `28802`, `0`.
    fn secs(&mut self, us: u64) {
        let cs = (us + 5_000) / 10_000;
        if cs >= 10_000 {
            self.n((us + 500_000) / 1_000_000);
        } else if cs >= 1_000 {
            let ds = (us + 50_000) / 100_000;
            self.n(ds / 10);
            if !ds.is_multiple_of(10) {
                self.c(b'.');
                self.n(ds % 10);
            }
        } else {
            self.n(cs / 100);
            let frac = cs % 100;
            if frac != 0 {
                self.c(b'.');
                if frac.is_multiple_of(10) {
                    self.n(frac / 10);
                } else {
                    self.pad(frac, 2);
                }
            }
        }
    }

    /// Ends the line (LF, or CRLF) and writes it, unless the size limit was
    /// already reached; counts its delivery event, if any, only when written.
    fn end(&mut self, crlf: bool) {
        let (event, reply, dsn) = (self.event.take(), self.reply.take(), self.dsn.take());
        if !self.done {
            if crlf {
                self.line.push(b'\r');
            }
            self.line.push(b'\n');
            if let Err(e) = self.w.write_all(&self.line) {
                self.error = Some(e);
                self.done = true;
            } else {
                self.bytes += self.line.len() as u64;
                self.lines += 1;
                if let Some((d, o)) = event {
                    self.truth[d as usize][o] += 1;
                    self.deliveries += 1;
                    if let Some(codes) = &mut self.codes {
                        let enhanced = if self.postfix { dsn } else { reply.and_then(|(_, e)| e) };
                        *codes.entry((d, o, reply.map(|(c, _)| c), enhanced)).or_default() += 1;
                    }
                }
                if self.bytes >= self.limit {
                    self.done = true;
                }
            }
        }
        self.line.clear();
    }
}

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, usize, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as usize, d as u64)
}

/// Local time (+01:00) of the first line: 2026-11-01 00:00:00.
const START_DAY: i64 = days_from_civil(2026, 11, 1);
const UTC_OFFSET_SECS: u64 = 3600;

/// The log's clock, in microseconds since the start, with the calendar fields
/// of the current second cached.
struct Clock {
    us: u64,
    sec: u64,
    mon: usize,
    day: u64,
    /// `2026-11-05`
    ymd: [u8; 10],
    /// `10:00:00`
    hms: [u8; 8],
}

impl Clock {
    fn new() -> Clock {
        let mut c = Clock { us: 0, sec: u64::MAX, mon: 0, day: 0, ymd: [0; 10], hms: [0; 8] };
        c.refresh();
        c
    }

    fn refresh(&mut self) {
        let sec = self.us / 1_000_000;
        if sec == self.sec {
            return;
        }
        self.sec = sec;
        let (y, m, d) = civil_from_days(START_DAY + (sec / 86_400) as i64);
        self.mon = m;
        self.day = d;
        let tod = sec % 86_400;
        let two = |v: u64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
        let y = y as u64;
        self.ymd[..4].copy_from_slice(&[
            b'0' + (y / 1000 % 10) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
        ]);
        self.ymd[4] = b'-';
        self.ymd[5..7].copy_from_slice(&two(m as u64));
        self.ymd[7] = b'-';
        self.ymd[8..10].copy_from_slice(&two(d));
        self.hms[..2].copy_from_slice(&two(tod / 3600));
        self.hms[2] = b':';
        self.hms[3..5].copy_from_slice(&two(tod / 60 % 60));
        self.hms[5] = b':';
        self.hms[6..8].copy_from_slice(&two(tod % 60));
    }

    /// Unix time in seconds.
    fn unix(&self) -> u64 {
        START_DAY as u64 * 86_400 + self.us / 1_000_000 - UTC_OFFSET_SECS
    }
}

/// How a line's prefix looks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `Nov  5 10:00:00 host tag[pid]: `
    Bsd,
    /// `Nov 5 10:00:00 host tag[pid]: `
    BsdNoPad,
    /// `2026-11-05T10:00:00.123456+01:00 host tag[pid]: `
    Rfc,
    /// Exim: `2026-11-05 10:00:00 `
    Native,
    /// Exim: `2026-11-05 10:00:00.123 `
    NativeMs,
    /// Exim: `2026-11-05 10:00:00 [1234] `
    NativePid,
    /// Exim: `2026-11-05 10:00:00 +0100 `
    NativeZone,
    /// Exim in syslog: `Nov  5 10:00:00 mx2 exim[1234]: 2026-11-05 10:00:00 `
    SyslogBsd,
    /// Exim in syslog: `2026-11-05T10:00:00.123456+01:00 mx2 exim[1234]: 2026-11-05 10:00:00 `
    SyslogRfc,
}

// ---------------------------------------------------------------------------
// Domains and addresses
// ---------------------------------------------------------------------------

/// Who runs a domain's mail servers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mx {
    Gmail,
    Workspace,
    Outlook,
    M365,
    Yahoo,
    Aol,
    Apple,
    Own,
    /// One of our own domains (local delivery).
    Local,
}

const PROVIDERS: &[(&str, Mx)] = &[
    ("gmail.com", Mx::Gmail),
    ("outlook.com", Mx::Outlook),
    ("yahoo.com", Mx::Yahoo),
    ("hotmail.com", Mx::Outlook),
    ("icloud.com", Mx::Apple),
    ("aol.com", Mx::Aol),
    ("gmx.de", Mx::Own),
    ("web.de", Mx::Own),
    ("comcast.net", Mx::Own),
    ("live.com", Mx::Outlook),
    ("protonmail.com", Mx::Own),
    ("yahoo.co.uk", Mx::Yahoo),
    ("msn.com", Mx::Outlook),
    ("orange.fr", Mx::Own),
    ("t-online.de", Mx::Own),
    ("googlemail.com", Mx::Gmail),
    ("free.fr", Mx::Own),
    ("att.net", Mx::Yahoo),
    ("mail.ru", Mx::Own),
    ("yandex.ru", Mx::Own),
    ("btinternet.com", Mx::Own),
    ("qq.com", Mx::Own),
    ("163.com", Mx::Own),
    ("hotmail.co.uk", Mx::Outlook),
    ("sbcglobal.net", Mx::Yahoo),
    ("me.com", Mx::Apple),
    ("verizon.net", Mx::Aol),
    ("libero.it", Mx::Own),
    ("laposte.net", Mx::Own),
    ("wanadoo.fr", Mx::Own),
];

const WORDS: &[&str] = &[
    "shop",
    "mail",
    "labs",
    "media",
    "bank",
    "travel",
    "news",
    "games",
    "cloud",
    "health",
    "law",
    "build",
    "foods",
    "motors",
    "energy",
    "design",
    "print",
    "farm",
    "tech",
    "data",
    "school",
    "clinic",
    "hotel",
    "music",
    "sport",
    "pharma",
    "books",
    "garden",
    "auto",
    "logistics",
    "consult",
    "finance",
    "studio",
    "market",
    "photo",
    "realty",
    "dental",
    "craft",
    "solar",
    "marine",
];
const SUFFIXES: &[&str] = &["example", "example.com", "example.net", "example.org", "test"];

struct Dom {
    /// Lower case, no trailing dot: the name the truth is kept under.
    name: String,
    mx: Mx,
    /// Fixed random bits for the domain's traits and addresses.
    h: u64,
    trait_: Trait,
}

/// A domain's fixed character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trait {
    Normal,
    /// First attempts are greylisted, retries pass.
    Greylist,
    /// Nobody answers: connect timeouts until the message expires.
    Dead,
    /// No such domain: 5.4.4 / Unrouteable address.
    NoDns,
    /// RFC 7505 null MX.
    NullMx,
    /// Spam-filtering Chinese-style provider (`554 DT:SPM`).
    DtSpm,
}

fn build_domains(n: u32, locals: &[&str]) -> Vec<Dom> {
    let mut doms = Vec::with_capacity(n as usize + locals.len());
    for i in 0..n {
        let h = mix64(u64::from(i) ^ 0x5EED_D0D0);
        let (name, mx) = match PROVIDERS.get(i as usize) {
            Some(&(name, mx)) => (name.to_string(), mx),
            None => {
                let w = WORDS[(h % WORDS.len() as u64) as usize];
                let w2 = WORDS[((h >> 8) % WORDS.len() as u64) as usize];
                let sfx = SUFFIXES[((h >> 16) % SUFFIXES.len() as u64) as usize];
                let name = match (h >> 24) % 4 {
                    0 | 1 => format!("d{i}-{w}.{sfx}"),
                    2 => format!("{w}-{w2}{i}.{sfx}"),
                    _ => format!("{w}{i}.{sfx}"),
                };
                let mx = match (h >> 28) % 10 {
                    0 | 1 => Mx::Workspace,
                    2 | 3 => Mx::M365,
                    _ => Mx::Own,
                };
                (name, mx)
            }
        };
        // Only self-hosted domains can be broken: the big providers always
        // answer.
        let trait_ = if (i as usize) < PROVIDERS.len() || mx != Mx::Own {
            Trait::Normal
        } else {
            match (h >> 32) % 400 {
                0 => Trait::NullMx,
                1 | 2 => Trait::NoDns,
                3 | 4 => Trait::Dead,
                5..=8 => Trait::DtSpm,
                9..=28 => Trait::Greylist,
                _ => Trait::Normal,
            }
        };
        doms.push(Dom { name, mx, h, trait_ });
    }
    for (j, &name) in locals.iter().enumerate() {
        doms.push(Dom { name: name.to_string(), mx: Mx::Local, h: mix64(j as u64 ^ 0x10CA1), trait_: Trait::Normal });
    }
    doms
}

/// Cumulative Zipf (exponent 1) weights over `n` ranks, in integers so that
/// the table is the same on every machine.
fn zipf_table(n: u32) -> Vec<u64> {
    let mut acc = 0u64;
    (0..u64::from(n))
        .map(|k| {
            acc += (1u64 << 44) / (k + 1);
            acc
        })
        .collect()
}

const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "nina", "oscar",
    "peggy", "rupert", "sybil", "trent", "victor", "walter", "anna", "ben", "chloe", "daniel", "emma", "felix",
    "hannah", "jonas", "lea", "lukas", "mia", "noah", "olivia", "paul", "sofia", "tom", "wang", "yuki", "ahmed",
    "maria", "jose",
];
const LAST: &[&str] = &[
    "smith", "jones", "mueller", "schmidt", "garcia", "martin", "rossi", "dubois", "novak", "kim", "lee", "chen",
    "nguyen", "silva", "santos", "ortiz", "brown", "wilson", "taylor", "moore", "white", "harris", "clark", "lewis",
    "walker", "hall", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson", "hill", "campbell",
    "mitchell", "roberts", "carter", "phillips",
];
const ROLES: &[&str] = &[
    "info",
    "sales",
    "support",
    "billing",
    "noreply",
    "newsletter",
    "admin",
    "postmaster",
    "hr",
    "office",
    "contact",
    "orders",
    "jobs",
    "team",
    "hello",
    "reports",
    "alerts",
    "root",
];
/// Users at or above this value are role accounts (`ROLES`).
const ROLE: u32 = 1 << 30;

/// An address: a local part (from `user`) at a domain, written in one of a
/// few looks.
#[derive(Clone, Copy)]
struct Addr {
    dom: u32,
    user: u32,
    /// 0 as is, 1 domain in upper case, 2 capitalised words, 3 trailing dot.
    look: u8,
}

// ---------------------------------------------------------------------------
// Outcomes and replies
// ---------------------------------------------------------------------------

/// What happened to one delivery attempt, and with which words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum K {
    // Delivered.
    SQueued,
    SGmail,
    SMsft,
    SYahoo,
    SAccepted,
    SEximId,
    SApple,
    // Deferred with a remote reply.
    DGrey,
    D451,
    D452,
    DYahoo,
    DGmailRate,
    DGmail421,
    DMsft,
    D430,
    DRefused421,
    DLmtpQuota,
    // Deferred without a reply.
    DTimeout,
    DRefusedConn,
    DLost,
    DConv,
    DDnsAgain,
    DSuspended,
    // Bounced with a remote reply.
    BUser,
    BContent,
    BQuota,
    BBlocked,
    BGmailUser,
    BGmailSpam,
    BGmailQuota,
    BMsftUser,
    BOutlookUser,
    BYahooUser,
    BDtSpm,
    BLatin1,
    BPlain550,
    B553,
    BDmarc,
    // Bounced without a reply.
    BHostNotFound,
    BNullMx,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    Mail,
    Rcpt,
    Data,
}

impl K {
    /// 0 delivered, 1 deferred, 2 bounced.
    fn outcome(self) -> usize {
        use K::*;
        match self {
            SQueued | SGmail | SMsft | SYahoo | SAccepted | SEximId | SApple => 0,
            DGrey | D451 | D452 | DYahoo | DGmailRate | DGmail421 | DMsft | D430 | DRefused421 | DLmtpQuota
            | DTimeout | DRefusedConn | DLost | DConv | DDnsAgain | DSuspended => 1,
            _ => 2,
        }
    }

    /// Whether the text holds a remote server's reply (a code).
    fn has_reply(self) -> bool {
        self.reply_codes().is_some()
    }

    /// The basic code that starts the remote server's reply, and the
    /// enhanced code right after it (if any): [`Gen::reply`] writes them from
    /// here, and the truth counts them from what it wrote.
    fn reply_codes(self) -> Option<(u16, Option<&'static str>)> {
        use K::*;
        let (code, enhanced) = match self {
            SQueued | SGmail | SApple => (250, Some("2.0.0")),
            SMsft => (250, Some("2.6.0")),
            SYahoo | SAccepted | SEximId => (250, None),
            DGrey => (450, Some("4.2.0")),
            D451 => (451, Some("4.7.1")),
            D452 | DLmtpQuota => (452, Some("4.2.2")),
            DYahoo | DGmail421 | DRefused421 => (421, Some("4.7.0")),
            DGmailRate => (450, Some("4.2.1")),
            DMsft => (451, Some("4.7.650")),
            D430 => (451, Some("4.3.0")),
            BUser | BGmailUser => (550, Some("5.1.1")),
            BContent | BGmailSpam | BLatin1 | BDmarc => (550, Some("5.7.1")),
            BQuota | BGmailQuota => (552, Some("5.2.2")),
            BBlocked => (554, Some("5.7.1")),
            BMsftUser => (550, Some("5.1.10")),
            BOutlookUser => (550, Some("5.5.0")),
            BYahooUser | BDtSpm => (554, None),
            BPlain550 => (550, None),
            B553 => (553, Some("5.1.3")),
            DTimeout | DRefusedConn | DLost | DConv | DDnsAgain | DSuspended | BHostNotFound | BNullMx => return None,
        };
        Some((code, enhanced))
    }

    /// Whether Postfix logs `relay=none` (no server was talked to).
    fn no_relay(self) -> bool {
        use K::*;
        matches!(self, DTimeout | DRefusedConn | DDnsAgain | DSuspended | BHostNotFound | BNullMx)
    }

    fn stage(self) -> Stage {
        use K::*;
        match self {
            DYahoo | DMsft | BDmarc => Stage::Mail,
            DRefused421 => Stage::Connect,
            BContent | BBlocked | BGmailSpam | DGmail421 | BYahooUser | BDtSpm | BLatin1 | D430 | DLmtpQuota => {
                Stage::Data
            }
            _ => Stage::Rcpt,
        }
    }

    /// Postfix's `dsn=`.
    fn dsn(self) -> &'static str {
        use K::*;
        match self {
            SQueued | SGmail | SYahoo | SAccepted | SEximId | SApple => "2.0.0",
            SMsft => "2.6.0",
            DGrey => "4.2.0",
            D451 => "4.7.1",
            D452 | DLmtpQuota => "4.2.2",
            DYahoo | DGmail421 | DRefused421 => "4.7.0",
            DGmailRate => "4.2.1",
            DMsft => "4.7.650",
            D430 => "4.3.0",
            DTimeout | DRefusedConn | DSuspended => "4.4.1",
            DLost | DConv => "4.4.2",
            DDnsAgain => "4.4.3",
            BUser | BGmailUser => "5.1.1",
            BContent | BBlocked | BGmailSpam | BLatin1 | BDmarc => "5.7.1",
            BQuota | BGmailQuota => "5.2.2",
            BMsftUser => "5.1.10",
            BOutlookUser => "5.5.0",
            BYahooUser | BDtSpm | BPlain550 => "5.0.0",
            B553 => "5.1.3",
            BHostNotFound => "5.4.4",
            BNullMx => "5.1.0",
        }
    }
}

/// Which server of a domain was talked to.
#[derive(Clone, Copy)]
struct Hop {
    dom: u32,
    /// 0 the primary MX, 1 the secondary.
    which: u8,
    v6: bool,
}

/// Where a recipient's mail goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Over SMTP to the domain's MX.
    Remote,
    /// Into a local mailbox over LMTP.
    Lmtp,
}

/// A message as the queue knows it.
#[derive(Clone, Copy)]
struct Msg {
    /// Counter: the source of its unique ids.
    n: u64,
    /// Postfix: 0 the main instance (short hex ids), 1 `postfix-out` (long
    /// ids). Exim: 0 the 6-6-2 id, 1 the 6-11-4 id.
    inst: u8,
    sender: Addr,
    size: u64,
    /// Clock at arrival (for Postfix's `delay=`).
    arrived: u64,
    /// Unix seconds at arrival (the time part of long ids).
    id_sec: u64,
    tail: u64,
}

/// Recipients waiting for their next attempt.
struct Retry {
    due: u64,
    seq: u64,
    msg: Msg,
    rcpts: Vec<Addr>,
    attempt: u8,
    route: Route,
}

impl PartialEq for Retry {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Retry {}
impl PartialOrd for Retry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Retry {
    /// Reversed, so that the `BinaryHeap` pops the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// Attempts before a message expires (Postfix `status=expired`, Exim
/// `retry timeout exceeded`).
const MAX_ATTEMPTS: u8 = 5;

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Postfix long queue ids: no vowels, and no `z`, which separates the parts.
const B51: &[u8] = b"0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
const HEX_UP: &[u8] = b"0123456789ABCDEF";
const HEX_LO: &[u8] = b"0123456789abcdef";
const B64ISH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const SUBJECTS: &[&str] = &[
    "Re: Lunch on Friday?",
    "Quote request",
    "Invoice 2026-11",
    "Weekly metrics",
    "Meeting notes",
    "Re: Migration plan: old => new cluster",
    "Fwd: contract draft",
    "Your order has shipped",
    "Gr\u{fc}\u{df}e aus M\u{fc}nchen",
    "Angebot f\\374r Sie",
    "[ALERT] disk /var 91%",
    "Re: Re: budget ** final **",
    "Password reset",
    "Newsletter November",
    "Q4 planning -> next steps",
    "\u{8bf7}\u{67e5}\u{6536}\u{9644}\u{4ef6}",
];

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

struct Gen<W: Write> {
    o: Out<W>,
    rng: Rng,
    clk: Clock,
    doms: Vec<Dom>,
    zipf: Vec<u64>,
    mta: Mta,
    ts: TsMode,
    style: Style,
    style_left: u64,
    /// Exim: write new-style (4.97+) message ids and `**` lines.
    new_exim: bool,
    /// Largest random pause before a line, in microseconds.
    step: u64,
    counter: u64,
    pid: u32,
    retries: BinaryHeap<Retry>,
    retry_seq: u64,
    /// Index of the home domain (`corp.example` / `hostco.example`).
    home: u32,
    /// Postfix: `hosted.example.net`, `mx1.corp.example`, `news.corp.example`.
    hosted: u32,
    local_host: u32,
    news: u32,
    our_ip: &'static str,
    next_periodic: u64,
}

const POSTFIX_LOCALS: &[&str] = &["corp.example", "hosted.example.net", "mx1.corp.example", "news.corp.example"];
const EXIM_LOCALS: &[&str] = &["hostco.example", "lists.hostco.example", "mx2.hostco.example"];

impl<W: Write> Gen<W> {
    fn new(args: &Args, w: W) -> Gen<W> {
        let locals = match args.mta {
            Mta::Postfix => POSTFIX_LOCALS,
            Mta::Exim => EXIM_LOCALS,
        };
        let doms = build_domains(args.domains, locals);
        let n = args.domains;
        let mut g = Gen {
            o: Out {
                w: BufWriter::with_capacity(1 << 20, w),
                line: Vec::with_capacity(4096),
                limit: args.size,
                bytes: 0,
                lines: 0,
                deliveries: 0,
                done: false,
                error: None,
                event: None,
                reply: None,
                dsn: None,
                postfix: args.mta == Mta::Postfix,
                truth: vec![[0; 3]; doms.len()],
                codes: args.truth_codes.is_some().then(HashMap::new),
            },
            rng: Rng(args.seed),
            clk: Clock::new(),
            doms,
            zipf: zipf_table(n),
            mta: args.mta,
            ts: args.ts,
            style: Style::Bsd,
            style_left: 0,
            new_exim: false,
            step: 40_000,
            counter: 0,
            pid: 20_000,
            retries: BinaryHeap::new(),
            retry_seq: 0,
            home: n,
            hosted: n + 1,
            local_host: n + 2,
            news: n + 3,
            our_ip: match args.mta {
                Mta::Postfix => "192.0.2.25",
                Mta::Exim => "192.0.2.35",
            },
            next_periodic: 0,
        };
        g.switch_style();
        g
    }

    // ----- small helpers -----

    fn newpid(&mut self) -> u32 {
        self.pid += 1 + self.rng.below(3) as u32;
        if self.pid > 4_194_303 {
            self.pid = 300;
        }
        self.pid
    }

    fn next_n(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn end(&mut self) {
        // A few lines arrive through a Windows relay, with CRLF.
        let crlf = self.rng.below(5_000) == 0;
        self.o.end(crlf);
    }

    fn done(&self) -> bool {
        self.o.done
    }

    /// Picks the timestamp style (and the Exim version) for the next chunk.
    fn switch_style(&mut self) {
        self.style_left = self.rng.range(20_000, 80_000);
        self.new_exim = self.rng.percent(30);
        self.style = match (self.mta, self.ts) {
            (Mta::Postfix, TsMode::Bsd | TsMode::Native) => Style::Bsd,
            (Mta::Postfix, TsMode::Rfc3339) => Style::Rfc,
            (Mta::Postfix, TsMode::Mixed) => [Style::Bsd, Style::BsdNoPad, Style::Rfc][self.rng.weighted(&[55, 5, 40])],
            (Mta::Exim, TsMode::Bsd) => Style::SyslogBsd,
            (Mta::Exim, TsMode::Rfc3339) => Style::SyslogRfc,
            (Mta::Exim, TsMode::Native) => Style::Native,
            (Mta::Exim, TsMode::Mixed) => [
                Style::Native,
                Style::NativeMs,
                Style::NativePid,
                Style::NativeZone,
                Style::SyslogBsd,
                Style::SyslogRfc,
            ][self.rng.weighted(&[40, 10, 25, 5, 15, 5])],
        };
    }

    fn bsd_stamp(&mut self, pad: bool) {
        let c = &self.clk;
        self.o.t(MONTHS[c.mon - 1]);
        self.o.c(b' ');
        if pad && c.day < 10 {
            self.o.c(b' ');
        }
        let (day, hms) = (c.day, c.hms);
        self.o.n(day);
        self.o.c(b' ');
        self.o.s(&hms);
    }

    fn rfc_stamp(&mut self) {
        let (ymd, hms) = (self.clk.ymd, self.clk.hms);
        self.o.s(&ymd);
        self.o.c(b'T');
        self.o.s(&hms);
        self.o.c(b'.');
        self.o.pad(self.clk.us % 1_000_000, 6);
        self.o.t("+01:00");
    }

    /// Moves the clock and writes a Postfix line's prefix, up to the `: `
    /// after `[pid]`. `inst` 1 is the `postfix-out` instance.
    fn ph(&mut self, inst: u8, daemon: &str, pid: u32) {
        self.clk.us += self.rng.below(self.step);
        self.clk.refresh();
        match self.style {
            Style::BsdNoPad => self.bsd_stamp(false),
            Style::Rfc => self.rfc_stamp(),
            _ => self.bsd_stamp(true),
        }
        self.o.t(if inst == 1 { " mx1 postfix-out/" } else { " mx1 postfix/" });
        self.o.t(daemon);
        self.o.c(b'[');
        self.o.n(u64::from(pid));
        self.o.t("]: ");
    }

    /// A prefix for programs that are not Postfix daemons (`dovecot: `,
    /// `amavis[123]: `).
    fn ph_other(&mut self, prog: &str, pid: Option<u32>) {
        self.clk.us += self.rng.below(self.step);
        self.clk.refresh();
        match self.style {
            Style::BsdNoPad => self.bsd_stamp(false),
            Style::Rfc => self.rfc_stamp(),
            _ => self.bsd_stamp(true),
        }
        self.o.t(" mx1 ");
        self.o.t(prog);
        if let Some(pid) = pid {
            self.o.c(b'[');
            self.o.n(u64::from(pid));
            self.o.c(b']');
        }
        self.o.t(": ");
    }

    /// Moves the clock and writes an Exim line's prefix, up to the space
    /// before the message id or text.
    fn eh(&mut self, pid: u32) {
        self.clk.us += self.rng.below(self.step);
        self.clk.refresh();
        match self.style {
            Style::SyslogBsd | Style::SyslogRfc => {
                if self.style == Style::SyslogBsd {
                    self.bsd_stamp(true);
                } else {
                    self.rfc_stamp();
                }
                self.o.t(" mx2 exim[");
                self.o.n(u64::from(pid));
                self.o.t("]: ");
            }
            _ => {}
        }
        let (ymd, hms) = (self.clk.ymd, self.clk.hms);
        self.o.s(&ymd);
        self.o.c(b' ');
        self.o.s(&hms);
        match self.style {
            Style::NativeMs => {
                self.o.c(b'.');
                self.o.pad(self.clk.us / 1000 % 1000, 3);
            }
            Style::NativePid => {
                self.o.t(" [");
                self.o.n(u64::from(pid));
                self.o.c(b']');
            }
            Style::NativeZone => self.o.t(" +0100"),
            _ => {}
        }
        self.o.c(b' ');
    }

    /// A Postfix queue id: 10 upper-case hex digits for the main instance,
    /// the 15-character long form (`4PbC4x469Jz3tBr`) for `postfix-out`.
    fn qid(&mut self, m: &Msg) {
        if m.inst == 1 {
            self.o.digits(m.id_sec, 6, B51);
            let x = scramble(m.n, 51u64.pow(8));
            self.o.digits(x / 51u64.pow(4), 4, B51);
            self.o.c(b'z');
            self.o.digits(x, 4, B51);
        } else {
            let mut x = m.n.wrapping_mul(0x9E37_79B9_7F4B) & ((1 << 40) - 1);
            x ^= x >> 19;
            self.o.digits(x, 10, HEX_UP);
        }
    }

    /// An Exim message id: `1tVm3a-000Fq2-Xe` or `1tVn0R-00000000Kx3-Ab1c`.
    fn eid(&mut self, m: &Msg) {
        self.o.digits(m.id_sec, 6, B62);
        self.o.c(b'-');
        if m.inst == 1 {
            self.o.t("00000");
        }
        self.o.digits(scramble(m.n, 62u64.pow(6)), 6, B62);
        self.o.c(b'-');
        self.o.digits(m.tail, if m.inst == 1 { 4 } else { 2 }, B62);
    }

    fn new_msg(&mut self, inst: u8, sender: Addr) -> Msg {
        let n = self.next_n();
        let size = match self.rng.below(10) {
            0 => self.rng.range(40_000, 4_000_000),
            1..=3 => self.rng.range(8_000, 60_000),
            _ => self.rng.range(900, 12_000),
        };
        Msg { n, inst, sender, size, arrived: self.clk.us, id_sec: self.clk.unix(), tail: self.rng.next() }
    }

    /// A recipient at a Zipf-chosen domain.
    fn rcpt(&mut self) -> Addr {
        let r = self.rng.below(*self.zipf.last().expect("domains"));
        let dom = self.zipf.partition_point(|&c| c <= r) as u32;
        let user = if self.rng.percent(15) {
            ROLE + self.rng.below(ROLES.len() as u64) as u32
        } else {
            self.rng.below(8_000) as u32
        };
        let look = match self.rng.below(1000) {
            0..=5 => 1,
            6..=13 => 2,
            14..=19 => 3,
            _ => 0,
        };
        Addr { dom, user, look }
    }

    fn local_user(&mut self, dom: u32) -> Addr {
        Addr { dom, user: self.rng.below(400) as u32, look: 0 }
    }

    fn role(dom: u32, role: &str) -> Addr {
        let i = ROLES.iter().position(|&r| r == role).expect("known role");
        Addr { dom, user: ROLE + i as u32, look: 0 }
    }

    fn local_part(&mut self, user: u32) {
        if user >= ROLE {
            self.o.t(ROLES[(user - ROLE) as usize % ROLES.len()]);
            return;
        }
        let (f, l) = (FIRST.len() as u32, LAST.len() as u32);
        let first = FIRST[(user % f) as usize];
        let last = LAST[(user / f % l) as usize];
        match user / (f * l) % 5 {
            0 => {
                self.o.t(first);
                self.o.c(b'.');
                self.o.t(last);
            }
            1 => {
                self.o.c(first.as_bytes()[0]);
                self.o.c(b'.');
                self.o.t(last);
            }
            2 => self.o.t(first),
            3 => {
                self.o.t(first);
                self.o.t(last);
            }
            _ => {
                self.o.t(first);
                self.o.c(b'.');
                self.o.t(last);
                self.o.n(u64::from(user % 90 + 10));
            }
        }
    }

    fn dom_name(&mut self, d: u32) {
        let name = &self.doms[d as usize].name;
        self.o.line.extend_from_slice(name.as_bytes());
    }

    /// An address in its look (without angle brackets).
    fn addr(&mut self, a: Addr) {
        let start = self.o.line.len();
        self.local_part(a.user);
        self.o.c(b'@');
        let at = self.o.line.len();
        self.dom_name(a.dom);
        match a.look {
            1 => self.o.line[at..].make_ascii_uppercase(),
            2 => {
                let mut up = true;
                for b in &mut self.o.line[start..] {
                    if up {
                        b.make_ascii_uppercase();
                    }
                    up = matches!(*b, b'.' | b'-' | b'@');
                }
            }
            3 => self.o.c(b'.'),
            _ => {}
        }
    }

    fn ip_v4(&mut self, seed: u64) {
        self.o.t(["192.0.2.", "198.51.100.", "203.0.113."][(seed % 3) as usize]);
        self.o.n(1 + (seed >> 8) % 250);
    }

    fn ip_v6(&mut self, seed: u64) {
        self.o.t("2001:db8:");
        self.o.digits(seed & 0xfff, 3, HEX_LO);
        self.o.t("::");
        self.o.digits((seed >> 12) % 0xff + 1, 2, HEX_LO);
    }

    /// A random client address.
    fn client_ip(&mut self) {
        let seed = self.rng.next();
        if seed.is_multiple_of(10) {
            self.ip_v6(seed >> 8);
        } else {
            self.ip_v4(seed >> 8);
        }
    }

    /// The mail server of a hop.
    fn mx_host(&mut self, hop: Hop) {
        let (mx, h) = {
            let d = &self.doms[hop.dom as usize];
            (d.mx, d.h)
        };
        match mx {
            Mx::Gmail => {
                if hop.which == 1 {
                    self.o.t("alt1.");
                }
                self.o.t("gmail-smtp-in.l.google.com");
            }
            Mx::Workspace => {
                if hop.which == 1 {
                    self.o.t("alt1.");
                }
                self.o.t("aspmx.l.google.com");
            }
            Mx::Outlook => {
                let start = self.o.line.len();
                self.dom_name(hop.dom);
                for b in &mut self.o.line[start..] {
                    if *b == b'.' {
                        *b = b'-';
                    }
                }
                self.o.t(".olc.protection.outlook.com");
            }
            Mx::M365 => {
                let name = &self.doms[hop.dom as usize].name;
                for &b in name.as_bytes() {
                    match b {
                        b'-' => {}
                        b'.' => self.o.line.push(b'-'),
                        _ => self.o.line.push(b),
                    }
                }
                self.o.t(".mail.protection.outlook.com");
            }
            Mx::Yahoo => {
                self.o.t("mta");
                self.o.n(5 + (h + u64::from(hop.which)) % 3);
                self.o.t(".am0.yahoodns.net");
            }
            Mx::Aol => self.o.t("mx-aol.mail.gm0.yahoodns.net"),
            Mx::Apple => {
                self.o.t("mx0");
                self.o.n(1 + u64::from(hop.which));
                self.o.t(".mail.icloud.com");
            }
            Mx::Own | Mx::Local => {
                if h.is_multiple_of(3) {
                    self.o.t("mx");
                    self.o.n(1 + u64::from(hop.which));
                    self.o.c(b'.');
                } else if hop.which == 1 {
                    self.o.t("mx2.");
                } else {
                    self.o.t("mx.");
                }
                self.dom_name(hop.dom);
            }
        }
    }

    fn mx_ip(&mut self, hop: Hop) {
        let d = &self.doms[hop.dom as usize];
        let seed = mix64(d.h ^ u64::from(hop.which));
        let google = matches!(d.mx, Mx::Gmail | Mx::Workspace);
        if hop.v6 && google {
            self.o.t(if hop.which == 0 { "2001:db8:4860:4::1b" } else { "2001:db8:4860:4::1a" });
        } else if hop.v6 {
            self.ip_v6(seed);
        } else {
            self.ip_v4(seed);
        }
    }

    /// A hop to the primary MX of `dom`; IPv6 for some domains always, for
    /// the big providers now and then.
    fn hop(&mut self, dom: u32) -> Hop {
        let d = &self.doms[dom as usize];
        let v6 = match d.mx {
            Mx::Gmail | Mx::Workspace | Mx::Outlook | Mx::M365 => self.rng.percent(25),
            Mx::Own => (d.h >> 40).is_multiple_of(6),
            _ => false,
        };
        Hop { dom, which: 0, v6 }
    }

    /// What one attempt to deliver to `dom` gives.
    fn decide(&mut self, dom: u32, attempt: u8) -> K {
        use K::*;
        let (mx, tr) = {
            let d = &self.doms[dom as usize];
            (d.mx, d.trait_)
        };
        match tr {
            Trait::NullMx => return BNullMx,
            Trait::NoDns => return BHostNotFound,
            Trait::Dead => {
                return if attempt == 0 || self.rng.percent(50) { DTimeout } else { DSuspended };
            }
            Trait::Greylist if attempt == 0 && self.rng.percent(80) => return DGrey,
            _ => {}
        }
        let (p_bounce, p_defer) = if attempt == 0 { (35, 55) } else { (30, 120) };
        let r = self.rng.below(1000);
        if r < p_bounce {
            let pick = |rng: &mut Rng, ks: &[K], ws: &[u32]| ks[rng.weighted(ws)];
            return match (mx, tr) {
                (Mx::Gmail | Mx::Workspace, _) => {
                    pick(&mut self.rng, &[BGmailUser, BGmailQuota, BGmailSpam], &[70, 15, 15])
                }
                (Mx::Outlook, _) => pick(&mut self.rng, &[BOutlookUser, BBlocked], &[80, 20]),
                (Mx::M365, _) => pick(&mut self.rng, &[BMsftUser, BContent], &[85, 15]),
                (Mx::Yahoo | Mx::Aol, _) => pick(&mut self.rng, &[BYahooUser, BBlocked], &[85, 15]),
                (_, Trait::DtSpm) => pick(&mut self.rng, &[BDtSpm, BUser], &[70, 30]),
                _ => pick(
                    &mut self.rng,
                    &[BUser, BContent, BQuota, BBlocked, BPlain550, B553, BLatin1, BHostNotFound, BDmarc],
                    &[45, 8, 10, 10, 10, 5, 1, 5, 6],
                ),
            };
        }
        if r < p_bounce + p_defer {
            let pick = |rng: &mut Rng, ks: &[K], ws: &[u32]| ks[rng.weighted(ws)];
            return match mx {
                Mx::Gmail | Mx::Workspace => pick(&mut self.rng, &[DGmailRate, DGmail421], &[60, 40]),
                Mx::Outlook | Mx::M365 => pick(&mut self.rng, &[DMsft, DTimeout, D451], &[70, 10, 20]),
                Mx::Yahoo | Mx::Aol => pick(&mut self.rng, &[DYahoo, DTimeout], &[90, 10]),
                Mx::Apple => pick(&mut self.rng, &[D451, DTimeout], &[50, 50]),
                _ => pick(
                    &mut self.rng,
                    &[DGrey, D451, D452, DTimeout, DRefused421, DLost, DConv, DDnsAgain, D430, DRefusedConn],
                    &[18, 15, 15, 14, 10, 7, 5, 5, 8, 3],
                ),
            };
        }
        match mx {
            Mx::Gmail | Mx::Workspace => SGmail,
            Mx::Outlook | Mx::M365 => SMsft,
            Mx::Yahoo | Mx::Aol => SYahoo,
            Mx::Apple => SApple,
            _ => [SQueued, SAccepted, SEximId][self.rng.weighted(&[80, 10, 10])],
        }
    }

    /// `n` random characters from `alphabet` (a fresh random number for
    /// every 8 characters, so that no character is padding).
    fn rand_chars(&mut self, n: usize, alphabet: &[u8]) {
        let mut left = n;
        while left > 0 {
            let k = left.min(8);
            let x = self.rng.next();
            self.o.digits(x, k, alphabet);
            left -= k;
        }
    }

    /// A Gmail-style request id: `5b1f17b1804b1-43b41c7d2e0si1310458f8f.201`.
    fn gmail_id(&mut self) {
        let x = self.rng.next();
        self.o.digits(x, 13, HEX_LO);
        self.o.c(b'-');
        let y = self.rng.next();
        self.o.digits(y, 11, HEX_LO);
        self.o.t("si");
        self.o.n(self.rng.range(1_000_000, 9_999_999));
        self.o.t("f8f.");
        self.o.n(self.rng.below(500));
    }

    /// Microsoft's front-end host names: `SN7P220MB0412`.
    fn msft_host(&mut self) {
        self.o.t(self.rng.pick(&["SN7P", "DM6P", "BN8P", "CH3P", "PH0P"]));
        self.o.n(self.rng.range(100, 299));
        self.o.t("MB");
        self.o.pad(self.rng.below(10_000), 4);
    }

    /// A multi-line reply, joined the MTA's way: `sep` is a space for
    /// Postfix and a literal `\n` for Exim.
    fn multiline(&mut self, code: u16, enh: &str, parts: &[&str], sep: &str) {
        for (i, part) in parts.iter().enumerate() {
            self.o.n(u64::from(code));
            self.o.c(if i + 1 == parts.len() { b' ' } else { b'-' });
            self.o.t(enh);
            self.o.c(b' ');
            self.o.t(part);
            if i + 1 < parts.len() {
                self.o.t(sep);
            }
        }
        self.o.c(b' ');
        self.gmail_id();
        self.o.t(" - gsmtp");
    }

    /// Starts a remote server's reply: writes `CODE ` or `CODE ENHANCED `
    /// and notes both codes for the truth of this line.
    fn reply_start(&mut self, code: u16, enhanced: Option<&'static str>) {
        self.o.reply = Some((code, enhanced));
        self.o.n(u64::from(code));
        self.o.c(b' ');
        if let Some(e) = enhanced {
            self.o.t(e);
            self.o.c(b' ');
        }
    }

    /// Dovecot's LMTP reply: `250 2.0.0 <ADDR> ID Saved`.
    fn saved_reply(&mut self, a: Addr) {
        self.reply_start(250, Some("2.0.0"));
        self.o.c(b'<');
        self.addr(a);
        self.o.t("> ");
        self.rand_chars(22, B64ISH);
        self.o.t(" Saved");
    }

    /// Writes Postfix's `, dsn=X` and notes it for the truth of this line.
    fn dsn_field(&mut self, dsn: &'static str) {
        self.o.dsn = Some(dsn);
        self.o.t(", dsn=");
        self.o.t(dsn);
    }

    /// The remote server's reply (code and text) for `k`: the codes from
    /// [`K::reply_codes`], then the words.
    fn reply(&mut self, k: K, a: Addr, hop: Hop, sep: &str) {
        use K::*;
        let ip = self.our_ip;
        let (code, enhanced) = k.reply_codes().expect("only kinds with a reply have a reply text");
        let multiline = matches!(k, DGmailRate | DGmail421 | BGmailUser | BGmailSpam | BGmailQuota);
        if multiline {
            self.o.reply = Some((code, enhanced));
        } else {
            self.reply_start(code, enhanced);
        }
        let enh = enhanced.unwrap_or_default();
        match k {
            SQueued => {
                self.o.t("Ok: queued as ");
                let x = self.rng.next();
                self.o.digits(x, 10, HEX_UP);
            }
            SGmail => {
                self.o.t("OK  ");
                self.o.n(self.clk.unix());
                self.o.c(b' ');
                self.gmail_id();
                self.o.t(" - gsmtp");
            }
            SMsft => {
                self.o.c(b'<');
                let x = self.rng.next();
                self.o.digits(x, 16, HEX_LO);
                self.o.c(b'@');
                self.dom_name(self.home);
                self.o.t("> [InternalId=");
                self.o.n(self.rng.range(10_000_000_000_000, 99_999_999_999_999));
                self.o.t(", Hostname=");
                self.msft_host();
                self.o.t(".namprd");
                self.o.pad(self.rng.range(1, 22), 2);
                self.o.t(".prod.outlook.com] ");
                self.o.n(self.rng.range(2_000, 900_000));
                self.o.t(" bytes in 0.");
                self.o.pad(self.rng.below(1000), 3);
                self.o.t(", ");
                self.o.n(self.rng.range(20, 900));
                self.o.c(b'.');
                self.o.pad(self.rng.below(1000), 3);
                self.o.t(" KB/sec Queued mail for delivery");
            }
            SYahoo => self.o.t("ok dirdel"),
            SAccepted => self.o.t("Message accepted"),
            SEximId => {
                self.o.t("OK id=");
                let (x, y) = (self.rng.next(), self.rng.next());
                self.o.digits(x, 6, B62);
                self.o.c(b'-');
                self.o.digits(y, 6, B62);
                self.o.c(b'-');
                self.o.digits(y >> 40, 2, B62);
            }
            SApple => {
                self.o.t("Ok: queued as ");
                let (x, y) = (self.rng.next(), self.rng.next());
                self.o.digits(x >> 32, 8, HEX_UP);
                self.o.c(b'-');
                self.o.digits(x >> 16, 4, HEX_UP);
                self.o.c(b'-');
                self.o.digits(x, 4, HEX_UP);
                self.o.c(b'-');
                self.o.digits(y >> 48, 4, HEX_UP);
                self.o.c(b'-');
                self.o.digits(y, 12, HEX_UP);
            }
            DGrey => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/");
                self.dom_name(a.dom);
                self.o.t(".html");
            }
            D451 => self.o.t("Service unavailable - try again later"),
            D452 => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: Mailbox full");
            }
            DYahoo => {
                self.o.t("[TSS04] Messages from ");
                self.o.t(ip);
                self.o.t(" temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes");
            }
            DGmailRate => self.multiline(
                code,
                enh,
                &[
                    "The user you are trying to contact is receiving mail at a rate that",
                    "prevents additional messages from being delivered. Please resend your",
                    "message at a later point. If the user is able to receive mail at that",
                    "time, your message will be delivered. For more information, go to",
                    " https://support.google.com/mail/?p=ReceivingRate",
                ],
                sep,
            ),
            DGmail421 => {
                let first = format!("[{ip}      15] Our system has detected an unusual rate of");
                self.multiline(
                    code,
                    enh,
                    &[
                        &first,
                        "unsolicited mail originating from your IP address. To protect our",
                        "users from spam, mail sent from your IP address has been temporarily",
                        "rate limited. For more information, go to",
                        " https://support.google.com/mail/?p=UnsolicitedRateLimitError",
                    ],
                    sep,
                );
            }
            DMsft => {
                self.o.t("The mail server [");
                self.o.t(ip);
                self.o.t("] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [");
                self.msft_host();
                self.o.t(".eop-nam12.prod.protection.outlook.com]");
            }
            D430 => self.o.t("Temporary server error. Please try again later"),
            DRefused421 => {
                self.mx_host(hop);
                self.o.t(" Service temporarily unavailable, closing transmission channel");
            }
            DLmtpQuota => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t("> Quota exceeded (mailbox for user is full)");
            }
            BUser => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: User unknown in virtual mailbox table");
            }
            BContent => self.o.t("Message rejected due to content restrictions"),
            BQuota => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: Mailbox quota exceeded");
            }
            BBlocked => {
                self.o.t("Service unavailable; Client host [");
                self.o.t(ip);
                self.o.t("] blocked using bl.spamcop.net");
            }
            BGmailUser => self.multiline(
                code,
                enh,
                &[
                    "The email account that you tried to reach does not exist. Please try",
                    "double-checking the recipient's email address for typos or",
                    "unnecessary spaces. For more information, go to",
                    " https://support.google.com/mail/?p=NoSuchUser",
                ],
                sep,
            ),
            BGmailSpam => {
                let first = format!("[{ip}      12] Our system has detected that this message is");
                self.multiline(
                    code,
                    enh,
                    &[
                        &first,
                        "likely unsolicited mail. To reduce the amount of spam sent to Gmail,",
                        "this message has been blocked. For more information, go to",
                        " https://support.google.com/mail/?p=UnsolicitedMessage",
                    ],
                    sep,
                );
            }
            BGmailQuota => self.multiline(
                code,
                enh,
                &[
                    "The recipient's inbox is out of storage space and inactive. Please",
                    "direct the recipient to",
                    " https://support.google.com/mail/?p=OverQuotaPerm",
                ],
                sep,
            ),
            BMsftUser => {
                self.o.t("RESOLVER.ADR.RecipientNotFound; Recipient ");
                self.addr(a);
                self.o.t(" not found by SMTP address lookup");
            }
            BOutlookUser => {
                self.o.t("Requested action not taken: mailbox unavailable (S2017062302). [");
                self.msft_host();
                self.o.t(".eop-nam12.prod.protection.outlook.com]");
            }
            BYahooUser => {
                self.o.t("delivery error: dd This user doesn't have a ");
                self.dom_name(a.dom);
                self.o.t(" account (");
                self.addr(a);
                self.o.t(") [0] - ");
                self.mx_host(hop);
            }
            BDtSpm => {
                self.o.t("DT:SPM 163 mx");
                self.o.n(self.rng.range(1, 40));
                self.o.c(b',');
                let (x, y) = (self.rng.next(), self.rng.next());
                self.o.digits(x, 10, B64ISH);
                self.o.digits(y, 10, B64ISH);
                self.o.t("--.");
                self.o.n(self.rng.range(10_000, 60_000));
                self.o.t("S2 ");
                self.o.n(self.clk.unix());
                self.o.t(",please see http://");
                self.mx_host(hop);
                self.o.t("/help/help_spam.htm?ip=");
                self.o.t(ip);
            }
            BLatin1 => {
                // ISO 8859-1, not UTF-8: bytes a scanner must survive.
                self.o.s(b"Nachricht abgelehnt: Betreff enth\xe4lt unzul\xe4ssige Zeichen \xa7\xfe");
            }
            BPlain550 => self.o.t("Requested action not taken: mailbox unavailable"),
            B553 => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: invalid address");
            }
            BDmarc => {
                self.o.t("Sender domain ");
                self.dom_name(self.home);
                self.o.t(" rejected by DMARC policy");
            }
            DTimeout | DRefusedConn | DLost | DConv | DDnsAgain | DSuspended | BHostNotFound | BNullMx => {
                unreachable!("no reply text")
            }
        }
    }

    /// Random `delays=a/b/c/d` fields and their sum, in microseconds; `age`
    /// is the time already spent in the queue.
    fn delays(&mut self, age: u64, k: K) -> [u64; 4] {
        let a = age + self.rng.range(2_000, 300_000);
        let b = if self.rng.percent(40) { 0 } else { self.rng.below(30_000) };
        let (c, d) = if k.no_relay() {
            match k {
                K::DTimeout => (30_000_000 + self.rng.below(100_000), 0),
                _ => (self.rng.below(150_000), 0),
            }
        } else if k == K::DConv {
            (self.rng.below(900_000), 300_000_000)
        } else {
            (self.rng.range(100_000, 2_000_000), self.rng.range(50_000, 1_500_000))
        };
        [a, b, c, d]
    }

    fn delay_fields(&mut self, ds: [u64; 4]) {
        self.o.t(", delay=");
        self.o.secs(ds.iter().sum());
        self.o.t(", delays=");
        for (i, &v) in ds.iter().enumerate() {
            if i > 0 {
                self.o.c(b'/');
            }
            self.o.secs(v);
        }
    }

    fn schedule(&mut self, msg: Msg, rcpts: Vec<Addr>, attempt: u8, route: Route) {
        let base: u64 = 900_000_000 << (attempt.min(5) - 1);
        let due = self.clk.us + base + self.rng.below(base / 2);
        self.retry_seq += 1;
        self.retries.push(Retry { due, seq: self.retry_seq, msg, rcpts, attempt, route });
    }

    // ------------------------------------------------------------------
    // Postfix
    // ------------------------------------------------------------------

    fn run_postfix(&mut self) {
        while !self.done() {
            self.clk.us += self.rng.below(1_400_000);
            if self.clk.us >= self.next_periodic {
                self.pf_periodic();
            }
            while self.retries.peek().is_some_and(|r| r.due <= self.clk.us) && !self.done() {
                let r = self.retries.pop().expect("peeked");
                self.pf_retry(r);
            }
            match self.rng.weighted(&[300, 170, 45, 70, 70, 40, 40, 25, 20, 25, 20, 15, 10, 3]) {
                0 => self.pf_outbound(false),
                1 => self.pf_inbound(),
                2 => self.pf_outbound(true),
                3 => self.pf_postscreen(),
                4 => self.pf_smtpd_reject(),
                5 => self.pf_dovecot(),
                6 => self.pf_hosted(),
                7 => self.pf_cron(),
                8 => self.pf_probe(),
                9 => self.pf_sasl_fail(),
                10 => self.pf_milter(),
                11 => self.pf_tlsproxy(),
                12 => self.pf_warning(),
                _ => self.pf_sendmail(),
            }
            self.style_left = self.style_left.saturating_sub(10);
            if self.style_left == 0 {
                self.switch_style();
            }
        }
    }

    /// anvil statistics and friends, every ten minutes of log time.
    fn pf_periodic(&mut self) {
        self.next_periodic = self.clk.us + 600_000_000;
        let pid = 30_112;
        for i in 0..self.rng.range(1, 3) {
            self.ph(0, "anvil", pid);
            self.o.t("statistics: max ");
            match i {
                0 => {
                    self.o.t("connection rate ");
                    self.o.n(self.rng.range(2, 20));
                    self.o.t("/60s for (smtpd:");
                    self.client_ip();
                }
                1 => {
                    self.o.t("connection count ");
                    self.o.n(self.rng.range(1, 6));
                    self.o.t(" for (smtpd:");
                    self.client_ip();
                }
                _ => {
                    self.o.t("cache size ");
                    self.o.n(self.rng.range(2, 30));
                }
            }
            if i < 2 {
                self.o.c(b')');
            }
            self.o.t(" at ");
            self.bsd_stamp(true);
            self.end();
        }
        if self.rng.percent(30) {
            let pid = self.newpid();
            self.ph(0, "scache", pid);
            self.o.t("statistics: domain lookup hits=");
            let (hits, miss) = (self.rng.below(50), self.rng.range(1, 50));
            self.o.n(hits);
            self.o.t(" miss=");
            self.o.n(miss);
            self.o.t(" success=");
            self.o.n(hits * 100 / (hits + miss));
            self.o.c(b'%');
            self.end();
        }
    }

    fn pf_tls_in(&mut self, inst: u8, daemon: &str, pid: u32, client: &[u8]) {
        self.ph(inst, daemon, pid);
        self.o.t("Anonymous TLS connection established from ");
        self.o.s(client);
        self.o.t(": TLSv1.3 with cipher ");
        self.o.t(self.rng.pick(&[
            "TLS_AES_256_GCM_SHA384 (256/256 bits)",
            "TLS_AES_128_GCM_SHA256 (128/128 bits)",
            "TLS_CHACHA20_POLY1305_SHA256 (256/256 bits)",
        ]));
        self.o.t(" key-exchange X25519 server-signature ");
        self.o.t(self.rng.pick(&["RSA-PSS (2048 bits)", "ECDSA (P-256)", "RSA-PSS (4096 bits)"]));
        self.o.t(" server-digest SHA256");
        self.end();
    }

    /// Writes `host[ip]` of a random client into a small buffer.
    fn client_name(&mut self, prefix: &str) -> Vec<u8> {
        let start = self.o.line.len();
        match self.rng.below(4) {
            0 => self.o.t("unknown"),
            1 => {
                self.o.t("mail-");
                let a = self.rcpt();
                self.dom_name(a.dom);
            }
            _ => {
                self.o.t(prefix);
                let a = self.rcpt();
                self.dom_name(a.dom);
            }
        }
        self.o.c(b'[');
        self.client_ip();
        self.o.c(b']');
        let v = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        v
    }

    fn pf_outbound(&mut self, newsletter: bool) {
        let inst = u8::from(newsletter);
        let sender = if newsletter { Self::role(self.news, "newsletter") } else { self.local_user(self.home) };
        let msg = self.new_msg(inst, sender);
        let k = if newsletter {
            self.rng.range(4, 40)
        } else {
            [1, 1, 1, 1, 1, 2, 2, 3, 4, 6][self.rng.below(10) as usize]
        };
        let rcpts: Vec<Addr> = (0..k).map(|_| self.rcpt()).collect();
        if newsletter {
            let pid = self.newpid();
            self.ph(1, "pickup", pid);
            self.qid(&msg);
            self.o.t(": uid=1010 from=<newsletter>");
            self.end();
            let pid = self.newpid();
            self.ph(1, "cleanup", pid);
            self.qid(&msg);
            self.o.t(": message-id=<nl-");
            let ymd = self.clk.ymd;
            self.o.s(&ymd);
            self.o.c(b'.');
            self.o.pad(msg.n % 100_000, 5);
            self.o.c(b'@');
            self.dom_name(self.news);
            self.o.t(">");
            self.end();
            self.pf_queue_active(&msg, k);
        } else {
            let pid = self.newpid();
            let mut client = b"laptop-".to_vec();
            let laptop = self.rng.range(1, 60);
            client.extend_from_slice(format!("{laptop:02}.corp.example[198.51.100.").as_bytes());
            client.extend_from_slice(format!("{}]", 100 + laptop).as_bytes());
            let daemon = "submission/smtpd";
            self.ph(0, daemon, pid);
            self.o.t("connect from ");
            self.o.s(&client);
            self.end();
            if self.rng.percent(90) {
                self.pf_tls_in(0, daemon, pid, &client);
            }
            self.ph(0, daemon, pid);
            self.qid(&msg);
            self.o.t(": client=");
            self.o.s(&client);
            self.o.t(", sasl_method=");
            self.o.t(self.rng.pick(&["PLAIN", "LOGIN"]));
            self.o.t(", sasl_username=");
            self.addr(sender);
            self.end();
            self.pf_cleanup_msgid(&msg, false, msg.n);
            self.pf_queue_active(&msg, k);
            self.ph(0, daemon, pid);
            self.o.t("disconnect from ");
            self.o.s(&client);
            self.o.t(" ehlo=2 starttls=1 auth=1 mail=1 rcpt=");
            self.o.n(k);
            self.o.t(if self.rng.percent(20) { " bdat=1 quit=1 commands=" } else { " data=1 quit=1 commands=" });
            self.o.n(k + 6);
            self.end();
        }
        self.pf_round(msg, rcpts, 0, Route::Remote);
    }

    fn pf_cleanup_msgid(&mut self, msg: &Msg, local: bool, id_n: u64) {
        let pid = self.newpid();
        self.ph(msg.inst, "cleanup", pid);
        self.qid(msg);
        self.o.t(": message-id=<");
        if local {
            let (ymd, hms) = (self.clk.ymd, self.clk.hms);
            for &b in ymd.iter().chain(hms.iter()) {
                if b.is_ascii_digit() {
                    self.o.c(b);
                }
            }
            self.o.c(b'.');
            self.qid(msg);
            self.o.t("@mx1.corp.example>");
        } else {
            let x = mix64(id_n ^ 0x1D);
            self.o.digits(x >> 32, 8, HEX_LO);
            self.o.c(b'-');
            self.o.digits(x >> 16, 4, HEX_LO);
            self.o.t("-4");
            self.o.digits(x, 3, HEX_LO);
            self.o.c(b'-');
            self.o.digits(x >> 7, 4, HEX_LO);
            self.o.c(b'-');
            self.o.digits(mix64(x), 12, HEX_LO);
            self.o.c(b'@');
            self.dom_name(msg.sender.dom);
            self.o.c(b'>');
        }
        self.end();
    }

    fn pf_queue_active(&mut self, msg: &Msg, nrcpt: u64) {
        let pid = if msg.inst == 1 { 40_105 } else { 1_190 };
        self.ph(msg.inst, "qmgr", pid);
        self.qid(msg);
        self.o.t(": from=<");
        if msg.sender.user != u32::MAX {
            self.addr(msg.sender);
        }
        self.o.t(">, size=");
        self.o.n(msg.size);
        self.o.t(", nrcpt=");
        self.o.n(nrcpt);
        self.o.t(" (queue active)");
        self.end();
    }

    fn pf_removed(&mut self, msg: &Msg) {
        let pid = if msg.inst == 1 { 40_105 } else { 1_190 };
        self.ph(msg.inst, "qmgr", pid);
        self.qid(msg);
        self.o.t(": removed");
        self.end();
    }

    /// One delivery attempt to each recipient, then notification, retry or
    /// removal.
    fn pf_round(&mut self, msg: Msg, rcpts: Vec<Addr>, attempt: u8, route: Route) {
        let mut deferred = Vec::new();
        let mut bounced = false;
        for &a in &rcpts {
            let outcome = match route {
                Route::Remote => self.pf_attempt(&msg, a, attempt),
                Route::Lmtp => self.pf_lmtp(&msg, a, attempt),
            };
            match outcome {
                1 => deferred.push(a),
                2 => bounced = true,
                _ => {}
            }
        }
        if bounced {
            self.pf_notify(&msg, false);
        }
        if deferred.is_empty() {
            self.pf_removed(&msg);
        } else {
            self.schedule(msg, deferred, attempt + 1, route);
        }
    }

    fn pf_retry(&mut self, r: Retry) {
        if r.attempt >= MAX_ATTEMPTS && r.route == Route::Remote {
            self.pf_notify(&r.msg, true);
            return;
        }
        self.pf_queue_active(&r.msg, r.rcpts.len() as u64);
        self.pf_round(r.msg, r.rcpts, r.attempt, r.route);
    }

    /// A bounce (or, with `expired`, the qmgr expiry line and then the
    /// bounce): the notification message and its delivery to the sender.
    fn pf_notify(&mut self, msg: &Msg, expired: bool) {
        let qmgr = if msg.inst == 1 { 40_105 } else { 1_190 };
        if expired {
            self.ph(msg.inst, "qmgr", qmgr);
            self.qid(msg);
            self.o.t(": from=<");
            self.addr(msg.sender);
            self.o.t(">, status=expired, returned to sender");
            self.end();
        }
        let null = Addr { dom: self.home, user: u32::MAX, look: 0 };
        let mut ndr = self.new_msg(msg.inst, null);
        ndr.size = msg.size.min(60_000) + self.rng.range(2_000, 6_000);
        self.pf_cleanup_msgid(&ndr, true, ndr.n);
        let pid = self.newpid();
        self.ph(msg.inst, "bounce", pid);
        self.qid(msg);
        self.o.t(": sender non-delivery notification: ");
        self.qid(&ndr);
        self.end();
        if expired {
            self.pf_removed(msg);
        }
        self.pf_queue_active(&ndr, 1);
        let to = msg.sender;
        let pid = self.newpid();
        if msg.inst == 1 {
            self.ph(1, "smtp", pid);
            self.qid(&ndr);
            self.o.t(": to=<");
            self.addr(to);
            self.o.t(">, relay=mx1.corp.example[192.0.2.25]:25");
            let ds = self.delays(0, K::SQueued);
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            let hop = Hop { dom: to.dom, which: 0, v6: false };
            self.reply(K::SQueued, to, hop, " ");
            self.o.c(b')');
        } else {
            self.ph(0, "lmtp", pid);
            self.qid(&ndr);
            self.o.t(": to=<");
            self.addr(to);
            self.o.t(">, relay=mail.corp.example[private/dovecot-lmtp]");
            let ds = self.delays(0, K::SYahoo);
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            self.saved_reply(to);
            self.o.c(b')');
        }
        self.o.event = Some((to.dom, 0));
        self.end();
        self.pf_removed(&ndr);
    }

    /// One SMTP delivery attempt; returns the outcome.
    fn pf_attempt(&mut self, msg: &Msg, a: Addr, attempt: u8) -> usize {
        let k = self.decide(a.dom, attempt);
        let mut hop = self.hop(a.dom);
        let pid = self.newpid();
        let own_two = {
            let d = &self.doms[a.dom as usize];
            d.mx == Mx::Own && d.h.is_multiple_of(3)
        };
        if own_two && k.has_reply() && self.rng.percent(10) {
            // The first MX failed; Postfix logs it without to= and tries the next.
            self.ph(msg.inst, "smtp", pid);
            self.qid(msg);
            self.o.t(": host ");
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("] said: ");
            self.reply(K::D430, a, hop, " ");
            self.o.t(" (in reply to end of DATA command)");
            self.end();
            hop.which = 1;
        }
        if k.outcome() == 0 && self.rng.percent(8) {
            self.ph(msg.inst, "smtp", pid);
            self.o.t(self.rng.pick(&["Trusted", "Verified", "Untrusted"]));
            self.o.t(" TLS connection established to ");
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256");
            self.end();
        }
        let daemon = if k == K::DSuspended { "error" } else { "smtp" };
        self.ph(msg.inst, daemon, pid);
        self.qid(msg);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, ");
        // Some recipients came in through a local alias; the same on every
        // attempt.
        let alias = mix64(msg.n ^ (u64::from(a.user) << 20) ^ u64::from(a.dom));
        if msg.inst == 0 && alias.is_multiple_of(33) {
            self.o.t("orig_to=<");
            self.o.t(["finance-out", "sales-team", "all-partners", "press"][(alias >> 8) as usize % 4]);
            self.o.t("@corp.example>, ");
        }
        self.o.t("relay=");
        if k.no_relay() {
            self.o.t("none");
        } else {
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("]:25");
            if self.rng.percent(6) {
                self.o.t(", conn_use=");
                self.o.n(self.rng.range(2, 9));
            }
        }
        let age = self.clk.us - msg.arrived;
        let ds = self.delays(age, k);
        self.delay_fields(ds);
        if msg.inst == 1 && self.rng.percent(30) {
            self.o.t(", tls=may");
        }
        self.dsn_field(k.dsn());
        self.o.t(", status=");
        let outcome = k.outcome();
        self.o.t(["sent (", "deferred (", "bounced ("][outcome]);
        self.pf_status_text(k, a, hop);
        self.o.c(b')');
        self.o.event = Some((a.dom, outcome));
        self.end();
        outcome
    }

    /// The text inside `status=... (...)`.
    fn pf_status_text(&mut self, k: K, a: Addr, hop: Hop) {
        use K::*;
        match k {
            DTimeout | DRefusedConn | DSuspended => {
                if k == DSuspended {
                    self.o.t("delivery temporarily suspended: ");
                }
                self.o.t("connect to ");
                self.mx_host(hop);
                self.o.c(b'[');
                self.mx_ip(hop);
                self.o.t(if k == DRefusedConn { "]:25: Connection refused" } else { "]:25: Connection timed out" });
            }
            DLost | DConv => {
                self.o.t(if k == DLost { "lost connection with " } else { "conversation with " });
                self.mx_host(hop);
                self.o.c(b'[');
                self.mx_ip(hop);
                self.o.t(if k == DLost {
                    "] while sending end of data -- message may be sent more than once"
                } else {
                    "] timed out while receiving the initial server greeting"
                });
            }
            DDnsAgain | BHostNotFound => {
                self.o.t("Host or domain name not found. Name service error for name=");
                self.dom_name(a.dom);
                if k == DDnsAgain {
                    self.o.t(" type=MX: Host not found, try again");
                } else {
                    self.o.t(self.rng.pick(&[
                        " type=MX: Host not found",
                        " type=AAAA: Host not found",
                        " type=A: Host not found",
                    ]));
                }
            }
            BNullMx => {
                self.o.t("Domain ");
                self.dom_name(a.dom);
                self.o.t(" does not accept mail (nullMX)");
            }
            _ if k.outcome() == 0 => self.reply(k, a, hop, " "),
            _ => {
                self.o.t("host ");
                self.mx_host(hop);
                self.o.c(b'[');
                self.mx_ip(hop);
                if k.stage() == Stage::Connect {
                    self.o.t("] refused to talk to me: ");
                    self.reply(k, a, hop, " ");
                } else {
                    self.o.t("] said: ");
                    self.reply(k, a, hop, " ");
                    self.o.t(match k.stage() {
                        Stage::Mail => " (in reply to MAIL FROM command)",
                        Stage::Data => " (in reply to end of DATA command)",
                        _ => " (in reply to RCPT TO command)",
                    });
                }
            }
        }
    }

    /// Final delivery into a mailbox over LMTP (or pipe to dovecot).
    fn pf_lmtp(&mut self, msg: &Msg, a: Addr, attempt: u8) -> usize {
        let pid = self.newpid();
        let quota = attempt == 0 && self.rng.permille(15);
        let pipe = !quota && self.rng.percent(20);
        self.ph(0, if pipe { "pipe" } else { "lmtp" }, pid);
        self.qid(msg);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, ");
        if self.rng.percent(10) {
            self.o.t("orig_to=<");
            self.o.t(self.rng.pick(&["sales", "info", "support", "jobs"]));
            self.o.t("@corp.example>, ");
        }
        self.o.t(if pipe { "relay=dovecot" } else { "relay=mail.corp.example[private/dovecot-lmtp]" });
        let age = self.clk.us - msg.arrived;
        let mut ds = self.delays(age, K::SQueued);
        ds[2] /= 50;
        ds[3] /= 10;
        self.delay_fields(ds);
        let outcome = if quota {
            self.dsn_field(K::DLmtpQuota.dsn());
            self.o.t(", status=deferred (host mail.corp.example[private/dovecot-lmtp] said: ");
            let hop = Hop { dom: a.dom, which: 0, v6: false };
            self.reply(K::DLmtpQuota, a, hop, " ");
            self.o.t(" (in reply to end of DATA command))");
            1
        } else if pipe {
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (delivered via dovecot service)");
            0
        } else {
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            self.saved_reply(a);
            self.o.c(b')');
            0
        };
        self.o.event = Some((a.dom, outcome));
        self.end();
        if outcome == 0 && self.rng.percent(50) {
            self.ph_other("dovecot", None);
            self.o.t(if pipe { "lda(" } else { "lmtp(" });
            self.addr(a);
            self.o.t(")<");
            self.o.n(u64::from(pid) + 1);
            self.o.t("><");
            self.rand_chars(22, B64ISH);
            self.o.t(">: msgid=<");
            self.o.digits(mix64(msg.n), 16, HEX_LO);
            self.o.c(b'@');
            self.dom_name(msg.sender.dom);
            self.o.t(if pipe { ">: sieve: stored mail into mailbox 'INBOX'" } else { ">: saved mail to INBOX" });
            self.end();
        }
        outcome
    }

    /// Inbound mail: postscreen, smtpd, amavis, then local delivery.
    fn pf_inbound(&mut self) {
        let sender = self.rcpt();
        let msg = self.new_msg(0, sender);
        let k = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][self.rng.below(10) as usize];
        let rcpts: Vec<Addr> = (0..k).map(|_| self.local_user(self.home)).collect();
        let ip_seed = self.rng.next();
        let port = self.rng.range(1_024, 65_535);
        let mut client = b"mail-out.".to_vec();
        client.extend_from_slice(self.doms[sender.dom as usize].name.as_bytes());
        client.push(b'[');
        let start = self.o.line.len();
        if ip_seed.is_multiple_of(8) {
            self.ip_v6(ip_seed >> 8);
        } else {
            self.ip_v4(ip_seed >> 8);
        }
        let ip = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        client.extend_from_slice(&ip);
        client.push(b']');
        let ps = 1_184;
        self.ph(0, "postscreen", ps);
        self.o.t("CONNECT from [");
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.o.t(" to [192.0.2.25]:25");
        self.end();
        self.ph(0, "postscreen", ps);
        self.o.t(if self.rng.percent(90) { "PASS OLD [" } else { "PASS NEW [" });
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.end();
        let pid = self.newpid();
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        if self.rng.percent(80) {
            self.pf_tls_in(0, "smtpd", pid, &client);
        }
        self.ph(0, "smtpd", pid);
        self.qid(&msg);
        self.o.t(": client=");
        self.o.s(&client);
        self.end();
        self.pf_cleanup_msgid(&msg, false, msg.n);
        self.pf_queue_active(&msg, k);
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=2 starttls=1 mail=1 rcpt=");
        self.o.n(k);
        self.o.t(" data=1 quit=1 commands=");
        self.o.n(k + 6);
        self.end();

        // The content filter.
        let spam = self.rng.percent(5);
        let filtered = self.new_msg(0, sender);
        let apid = 2_210 + self.rng.below(8) as u32;
        self.ph_other("amavis", Some(apid));
        self.o.c(b'(');
        self.o.pad(u64::from(apid), 5);
        self.o.c(b'-');
        self.o.pad(self.rng.range(1, 99), 2);
        self.o.t(if spam { ") Blocked SPAM {DiscardedInbound}, [" } else { ") Passed CLEAN {RelayedInbound}, [" });
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.o.t(" [");
        self.o.s(&ip);
        self.o.t("] <");
        self.addr(sender);
        self.o.t("> -> ");
        for (i, &r) in rcpts.iter().enumerate() {
            if i > 0 {
                self.o.c(b',');
            }
            self.o.c(b'<');
            self.addr(r);
            self.o.c(b'>');
        }
        self.o.t(", Queue-ID: ");
        self.qid(&msg);
        self.o.t(", mail_id: ");
        self.rand_chars(12, B62);
        self.o.t(", Hits: ");
        if spam {
            self.o.n(self.rng.range(6, 30));
        } else {
            if self.rng.percent(50) {
                self.o.c(b'-');
            }
            self.o.n(self.rng.below(3));
        }
        self.o.c(b'.');
        self.o.pad(self.rng.below(1000), 3);
        self.o.t(", size: ");
        self.o.n(msg.size);
        if !spam {
            self.o.t(", queued_as: ");
            self.qid(&filtered);
        }
        self.o.t(", ");
        self.o.n(self.rng.range(300, 4_000));
        self.o.t(" ms");
        self.end();
        if !spam {
            let pid2 = self.newpid();
            self.ph(0, "10025/smtpd", pid2);
            self.o.t("connect from localhost[127.0.0.1]");
            self.end();
            self.ph(0, "10025/smtpd", pid2);
            self.qid(&filtered);
            self.o.t(": client=localhost[127.0.0.1]");
            self.end();
            self.pf_cleanup_msgid(&filtered, false, msg.n);
            self.ph(0, "10025/smtpd", pid2);
            self.o.t("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=");
            self.o.n(k);
            self.o.t(" data=1 quit=1 commands=");
            self.o.n(k + 4);
            self.end();
            let mut f = filtered;
            f.size = msg.size + self.rng.range(300, 900);
            self.pf_queue_active(&f, k);
        }
        let hpid = self.newpid();
        for &r in &rcpts {
            self.ph(0, "amavis/smtp", hpid);
            self.qid(&msg);
            self.o.t(": to=<");
            self.addr(r);
            self.o.t(">, relay=127.0.0.1[127.0.0.1]:10024");
            let mut ds = self.delays(0, K::SQueued);
            ds[3] += 1_000_000;
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            if spam {
                self.reply_start(250, Some("2.7.0"));
                self.o.t("Ok, discarded, id=");
                self.o.pad(u64::from(apid), 5);
                self.o.t("-01 - spam)");
            } else {
                self.reply_start(250, Some("2.0.0"));
                self.o.t("from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as ");
                self.qid(&filtered);
                self.o.c(b')');
            }
            self.o.event = Some((r.dom, 0));
            self.end();
        }
        self.pf_removed(&msg);
        if !spam {
            self.pf_round(filtered, rcpts, 0, Route::Lmtp);
        }
    }

    /// Mail for a virtual-mailbox domain: no filter, `postfix/virtual`.
    fn pf_hosted(&mut self) {
        let sender = self.rcpt();
        let msg = self.new_msg(0, sender);
        let k = self.rng.range(1, 3);
        let pid = self.newpid();
        let client = self.client_name("relay.");
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        self.ph(0, "smtpd", pid);
        self.qid(&msg);
        self.o.t(": client=");
        self.o.s(&client);
        self.end();
        self.pf_cleanup_msgid(&msg, false, msg.n);
        self.pf_queue_active(&msg, k);
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 mail=1 rcpt=");
        self.o.n(k);
        self.o.t(" data=1 quit=1 commands=");
        self.o.n(k + 4);
        self.end();
        let vpid = self.newpid();
        for _ in 0..k {
            let mut a = self.local_user(self.hosted);
            if self.rng.percent(10) {
                a.look = 2;
            }
            self.ph(0, "virtual", vpid);
            self.qid(&msg);
            self.o.t(": to=<");
            self.addr(a);
            self.o.t(">, relay=virtual");
            let mut ds = self.delays(0, K::SQueued);
            ds[2] = 0;
            ds[3] /= 20;
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (delivered to maildir)");
            self.o.event = Some((a.dom, 0));
            self.end();
        }
        self.pf_removed(&msg);
    }

    /// Cron mail to root, delivered by `postfix/local` with a bare address.
    fn pf_cron(&mut self) {
        let sender = Self::role(self.local_host, "root");
        let msg = self.new_msg(0, sender);
        let pid = self.newpid();
        self.ph(0, "pickup", pid);
        self.qid(&msg);
        self.o.t(": uid=0 from=<root>");
        self.end();
        self.pf_cleanup_msgid(&msg, true, msg.n);
        self.pf_queue_active(&msg, 1);
        let lpid = self.newpid();
        self.ph(0, "local", lpid);
        self.qid(&msg);
        let to = Self::role(self.local_host, "admin");
        if self.rng.percent(70) {
            self.o.t(": to=");
            self.addr(to);
            self.o.t(", orig_to=root@localhost, relay=local");
        } else {
            self.o.t(": to=<");
            self.addr(to);
            self.o.t(">, orig_to=<root>, relay=local");
        }
        let mut ds = self.delays(0, K::SQueued);
        ds[2] = 0;
        ds[3] /= 50;
        self.delay_fields(ds);
        self.dsn_field("2.0.0");
        self.o.t(", status=sent (delivered to mailbox)");
        self.o.event = Some((to.dom, 0));
        self.end();
        self.pf_removed(&msg);
    }

    /// Address verification probes: not deliveries.
    fn pf_probe(&mut self) {
        let sender = Self::role(self.local_host, "root");
        let mut msg = self.new_msg(0, sender);
        msg.size = self.rng.range(250, 300);
        let a = self.rcpt();
        let pid = self.newpid();
        self.ph(0, "qmgr", 1_190);
        self.qid(&msg);
        self.o.t(": from=<double-bounce@mx1.corp.example>, size=");
        self.o.n(msg.size);
        self.o.t(", nrcpt=1 (queue active)");
        self.end();
        let hop = self.hop(a.dom);
        let ok = self.rng.percent(75);
        self.ph(0, "smtp", pid);
        self.qid(&msg);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, relay=");
        self.mx_host(hop);
        self.o.c(b'[');
        self.mx_ip(hop);
        self.o.t("]:25");
        let ds = self.delays(0, K::SQueued);
        self.delay_fields(ds);
        if ok {
            self.o.t(", dsn=2.1.5, status=deliverable (250 2.1.5 Ok)");
        } else {
            self.o.t(", dsn=5.1.1, status=undeliverable (host ");
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("] said: ");
            self.reply(K::BUser, a, hop, " ");
            self.o.t(" (in reply to RCPT TO command))");
        }
        self.end();
        self.pf_removed(&msg);
    }

    /// `[ip]:port` of a postscreen client.
    fn ps_client(&mut self, ip: &[u8], port: u64) {
        self.o.c(b'[');
        self.o.s(ip);
        self.o.t("]:");
        self.o.n(port);
    }

    /// A spam bot stopped by postscreen.
    fn pf_postscreen(&mut self) {
        let ps = 1_184;
        let start = self.o.line.len();
        self.client_ip();
        let ip = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        let port = self.rng.range(1_024, 65_535);
        self.ph(0, "postscreen", ps);
        self.o.t("CONNECT from ");
        self.ps_client(&ip, port);
        self.o.t(" to [192.0.2.25]:25");
        self.end();
        if self.rng.percent(30) {
            self.ph(0, "postscreen", ps);
            self.o.t("PREGREET ");
            self.o.n(self.rng.range(6, 40));
            self.o.t(" after 0.");
            self.o.pad(self.rng.below(100), 2);
            self.o.t(" from ");
            self.ps_client(&ip, port);
            self.o.t(": ");
            if self.rng.percent(40) {
                // A TLS hello or other binary sent before the greeting.
                // Postfix escapes control characters but passes high bytes.
                self.o.t("\\026\\003\\001\\000");
                for _ in 0..self.rng.range(3, 9) {
                    let b = 0x80 + self.rng.below(0x80) as u8;
                    self.o.c(b);
                }
                self.o.t("\\001EHLO User\\r\\n");
            } else {
                self.o.t(self.rng.pick(&["EHLO User\\r\\n", "RSET\\r\\n", "HELO ylmf-pc\\r\\n"]));
            }
            self.end();
        }
        if self.rng.percent(70) {
            let pid = self.newpid();
            self.ph(0, "dnsblog", pid);
            self.o.t("addr ");
            self.o.s(&ip);
            self.o.t(" listed by domain ");
            let list = self.rng.pick(&["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org"]);
            self.o.t(list);
            self.o.t(" as 127.0.0.");
            self.o.n(self.rng.range(2, 11));
            self.end();
            self.ph(0, "postscreen", ps);
            self.o.t("DNSBL rank ");
            self.o.n(self.rng.range(2, 8));
            self.o.t(" for ");
            self.ps_client(&ip, port);
            self.end();
            if self.rng.percent(60) {
                self.ph(0, "postscreen", ps);
                self.o.t("NOQUEUE: reject: RCPT from ");
                self.ps_client(&ip, port);
                self.o.t(": 550 5.7.1 Service unavailable; client [");
                self.o.s(&ip);
                self.o.t("] blocked using ");
                self.o.t(list);
                self.o.t("; from=<");
                let s = self.rcpt();
                self.addr(s);
                self.o.t(">, to=<");
                let r = self.local_user(self.home);
                self.addr(r);
                self.o.t(">, proto=ESMTP, helo=<");
                self.o.t(self.rng.pick(&["User", "ylmf-pc", "localhost", "[127.0.0.1]"]));
                self.o.c(b'>');
                self.end();
            }
        }
        if self.rng.percent(30) {
            self.ph(0, "postscreen", ps);
            self.o.t("HANGUP after ");
            self.o.n(self.rng.range(1, 9));
            self.o.c(b'.');
            self.o.n(self.rng.below(10));
            self.o.t(" from ");
            self.ps_client(&ip, port);
            self.o.t(" in tests after SMTP handshake");
            self.end();
        }
        self.ph(0, "postscreen", ps);
        self.o.t("DISCONNECT ");
        self.ps_client(&ip, port);
        self.end();
    }

    /// smtpd rejects before a queue file exists: not deliveries.
    fn pf_smtpd_reject(&mut self) {
        let pid = self.newpid();
        let client = self.client_name("mx.");
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        let what = self.rng.below(4);
        self.ph(0, "smtpd", pid);
        self.o.t("NOQUEUE: reject: RCPT from ");
        self.o.s(&client);
        let to = match what {
            0 => {
                let to = self.rcpt();
                self.o.t(": 554 5.7.1 <");
                self.addr(to);
                self.o.t(">: Relay access denied");
                to
            }
            1 => {
                let mut to = self.local_user(self.home);
                to.user += 500;
                self.o.t(": 550 5.1.1 <");
                self.addr(to);
                self.o.t(">: Recipient address rejected: User unknown in virtual mailbox table");
                to
            }
            2 => {
                self.o.t(": 450 4.7.1 Client host rejected: cannot find your reverse hostname, [");
                self.o.t("203.0.113.");
                self.o.n(self.rng.range(1, 254));
                self.o.c(b']');
                self.local_user(self.home)
            }
            _ => {
                let to = self.rcpt();
                self.o.t(": 556 5.1.10 <");
                self.addr(to);
                self.o.t(">: Recipient address rejected: Domain ");
                self.dom_name(to.dom);
                self.o.t(" does not accept mail (nullMX)");
                to
            }
        };
        self.o.t("; from=<");
        let s = self.rcpt();
        self.addr(s);
        self.o.t("> to=<");
        self.addr(to);
        self.o.t("> proto=ESMTP helo=<");
        self.o.t(self.rng.pick(&["User", "mail.example.com", "[203.0.113.87]", "localhost"]));
        self.o.c(b'>');
        self.end();
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
        self.end();
    }

    fn pf_milter(&mut self) {
        let pid = self.newpid();
        let client = self.client_name("smtp.");
        let sender = self.rcpt();
        let msg = self.new_msg(0, sender);
        let to = self.local_user(self.home);
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        self.ph(0, "smtpd", pid);
        self.qid(&msg);
        self.o.t(": client=");
        self.o.s(&client);
        self.end();
        let cpid = self.newpid();
        self.ph(0, "cleanup", cpid);
        self.qid(&msg);
        self.o.t(": milter-reject: END-OF-MESSAGE from ");
        self.o.s(&client);
        self.o.t(": 5.7.1 Blocked by SpamAssassin; from=<");
        self.addr(sender);
        self.o.t("> to=<");
        self.addr(to);
        self.o.t("> proto=ESMTP helo=<");
        self.dom_name(sender.dom);
        self.o.c(b'>');
        self.end();
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 mail=1 rcpt=1 data=0/1 quit=1 commands=4/5");
        self.end();
    }

    fn pf_sasl_fail(&mut self) {
        let pid = self.newpid();
        let client = self.client_name("dyn-");
        self.ph(0, "submission/smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        for _ in 0..self.rng.range(1, 3) {
            self.ph(0, "submission/smtpd", pid);
            self.o.t("warning: ");
            self.o.s(&client);
            self.o.t(": SASL LOGIN authentication failed: ");
            self.o.t(self.rng.pick(&["UGFzc3dvcmQ6", "authentication failure"]));
            self.end();
        }
        self.ph(0, "submission/smtpd", pid);
        self.o.t("lost connection after AUTH from ");
        self.o.s(&client);
        self.end();
        self.ph(0, "submission/smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 auth=0/1 commands=1/2");
        self.end();
    }

    fn pf_dovecot(&mut self) {
        let user = self.local_user(self.home);
        let pid = self.rng.range(10_000, 99_999);
        let sess = (self.rng.next(), self.rng.next());
        self.ph_other("dovecot", None);
        self.o.t("imap-login: Login: user=<");
        self.addr(user);
        self.o.t(">, method=PLAIN, rip=198.51.100.");
        self.o.n(100 + user.user as u64 % 60);
        self.o.t(", lip=192.0.2.25, mpid=");
        self.o.n(pid);
        self.o.t(", TLS, session=<");
        self.o.digits(sess.0, 8, B64ISH);
        self.o.digits(sess.1, 8, B64ISH);
        self.o.c(b'>');
        self.end();
        self.ph_other("dovecot", None);
        self.o.t("imap(");
        self.addr(user);
        self.o.t(")<");
        self.o.n(pid);
        self.o.t("><");
        self.o.digits(sess.0, 8, B64ISH);
        self.o.digits(sess.1, 8, B64ISH);
        self.o.t(">: Disconnected: Logged out in=");
        self.o.n(self.rng.range(50, 5_000));
        self.o.t(" out=");
        self.o.n(self.rng.range(500, 900_000));
        self.o.t(" deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0");
        self.end();
    }

    fn pf_tlsproxy(&mut self) {
        let pid = self.newpid();
        let start = self.o.line.len();
        self.client_ip();
        let ip = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        let port = self.rng.range(1_024, 65_535);
        self.ph(0, "tlsproxy", pid);
        self.o.t("CONNECT from [");
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.end();
        let mut client = b"[".to_vec();
        client.extend_from_slice(&ip);
        client.extend_from_slice(format!("]:{port}").as_bytes());
        self.pf_tls_in(0, "tlsproxy", pid, &client);
        self.ph(0, "tlsproxy", pid);
        self.o.t("DISCONNECT [");
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.end();
    }

    fn pf_warning(&mut self) {
        let pid = self.newpid();
        match self.rng.below(4) {
            0 => {
                self.ph(0, "smtp", pid);
                self.o.t("warning: TLS library problem: error:0A000086:SSL routines::certificate verify failed:../ssl/statem/statem_clnt.c:2092:");
            }
            1 => {
                let a = self.rcpt();
                self.ph(0, "smtp", pid);
                self.o.t("warning: no MX host for ");
                self.dom_name(a.dom);
                self.o.t(" has a valid address record");
            }
            2 => {
                self.ph(0, "smtpd", pid);
                self.o.t("warning: hostname ");
                self.o.n(self.rng.range(1, 254));
                self.o.t("-0-113-");
                self.o.n(self.rng.range(1, 254));
                self.o.t(".rev.isp.example does not resolve to address 203.0.113.");
                self.o.n(self.rng.range(1, 254));
                self.o.t(": Name or service not known");
            }
            _ => {
                self.ph(0, "smtpd", pid);
                self.o.t("warning: non-SMTP command from unknown[203.0.113.");
                self.o.n(self.rng.range(1, 254));
                self.o.t("]: GET / HTTP/1.1");
            }
        }
        self.end();
    }

    /// A sendmail on the same host: `: to=` lines that are not Postfix's.
    fn pf_sendmail(&mut self) {
        let pid = self.newpid();
        let id = self.rng.next();
        let a = self.rcpt();
        self.ph_other("sm-mta", Some(pid));
        self.o.digits(id, 8, B62);
        self.o.pad(u64::from(pid) % 1_000_000, 6);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120431, relay=");
        let hop = self.hop(a.dom);
        self.mx_host(hop);
        self.o.t(". [");
        self.mx_ip(Hop { v6: false, ..hop });
        self.o.t("], dsn=2.0.0, stat=Sent (Ok: queued as ");
        let x = self.rng.next();
        self.o.digits(x, 10, HEX_UP);
        self.o.c(b')');
        self.end();
        self.ph_other("sm-mta", Some(pid));
        self.o.digits(id, 8, B62);
        self.o.pad(u64::from(pid) % 1_000_000, 6);
        self.o.t(": done; delay=00:00:01, ntries=1");
        self.end();
    }

    // ------------------------------------------------------------------
    // Exim
    // ------------------------------------------------------------------

    fn run_exim(&mut self) {
        let mut next_queue_run = 0;
        while !self.done() {
            self.clk.us += self.rng.below(2_400_000);
            if self.clk.us >= next_queue_run {
                next_queue_run = self.clk.us + 1_800_000_000;
                self.ex_queue_run();
            }
            match self.rng.weighted(&[380, 230, 60, 80, 30, 30, 20, 20, 20, 15, 20, 5]) {
                0 => self.ex_outbound(),
                1 => self.ex_inbound(),
                2 => self.ex_list(),
                3 => self.ex_reject(),
                4 => self.ex_auth_fail(),
                5 => self.ex_callout_reject(),
                6 => self.ex_tls_error(),
                7 => self.ex_sync_error(),
                8 => self.ex_no_host_name(),
                9 => self.ex_sender_verify_nullmx(),
                10 => self.ex_lost(),
                _ => self.ex_cron(),
            }
            self.style_left = self.style_left.saturating_sub(8);
            if self.style_left == 0 {
                self.switch_style();
            }
        }
    }

    /// `H=(helo) [ip]:port I=[192.0.2.35]:25`
    fn ex_client(&mut self, helo: bool, port_25: bool) -> Vec<u8> {
        let start = self.o.line.len();
        let seed = self.rng.next();
        match seed % 3 {
            0 if helo => {
                self.o.t("(");
                self.o.t(self.rng.pick(&["User", "ylmf-pc", "WIN-3LK2JQ", "localhost"]));
                self.o.t(") ");
            }
            _ => {
                self.o.t("mail.");
                let a = self.rcpt();
                self.dom_name(a.dom);
                self.o.c(b' ');
            }
        }
        self.o.c(b'[');
        if seed % 10 == 1 {
            self.ip_v6(seed >> 8);
        } else {
            self.ip_v4(seed >> 8);
        }
        self.o.t("]:");
        self.o.n(self.rng.range(1_024, 65_535));
        self.o.t(if port_25 { " I=[192.0.2.35]:25" } else { " I=[192.0.2.35]:587" });
        let v = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        v
    }

    fn ex_conn(&mut self, pid: u32, client: &[u8], opening: bool) {
        self.eh(pid);
        self.o.t("SMTP connection from ");
        self.o.s(client);
        if opening {
            self.o.t(" (TCP/IP connection count = ");
            self.o.n(self.rng.range(1, 8));
            self.o.c(b')');
        } else {
            self.o.t(" closed by QUIT");
        }
        self.end();
    }

    fn ex_arrival(&mut self, pid: u32, msg: &Msg, client: Option<&[u8]>, rcpts: &[Addr]) {
        self.eh(pid);
        self.eid(msg);
        self.o.t(" <= ");
        self.addr(msg.sender);
        match client {
            Some(c) => {
                self.o.t(" H=");
                self.o.s(c);
                if c.ends_with(b":587") {
                    self.o.t(" P=esmtpsa X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=no A=dovecot_plain:");
                    self.addr(msg.sender);
                } else {
                    self.o.t(" P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no");
                }
            }
            None => {
                self.o.t(" U=");
                self.local_part(msg.sender.user);
                self.o.t(" P=local");
            }
        }
        self.o.t(" S=");
        self.o.n(msg.size);
        self.o.t(" id=");
        let x = mix64(msg.n ^ 0xE1);
        self.o.digits(x, 10, B62);
        self.o.c(b'.');
        self.o.pad(msg.n % 100_000, 5);
        self.o.c(b'@');
        self.dom_name(msg.sender.dom);
        self.o.t(" T=\"");
        self.o.t(self.rng.pick(SUBJECTS));
        self.o.t("\" for");
        for &r in rcpts {
            self.o.c(b' ');
            self.addr(r);
        }
        self.end();
    }

    fn ex_completed(&mut self, pid: u32, msg: &Msg) {
        self.eh(pid);
        self.eid(msg);
        self.o.t(" Completed");
        self.end();
    }

    fn ex_new_msg(&mut self, sender: Addr) -> Msg {
        let inst = u8::from(self.new_exim);
        self.new_msg(inst, sender)
    }

    fn ex_outbound(&mut self) {
        let sender = self.local_user(self.home);
        let mut msg = self.ex_new_msg(sender);
        let k = [1, 1, 1, 1, 1, 2, 2, 3, 4, 6][self.rng.below(10) as usize];
        let mut rcpts: Vec<Addr> = (0..k).map(|_| self.rcpt()).collect();
        rcpts.sort_by_key(|a| a.dom);
        let pid = self.newpid();
        let client = self.ex_client(false, false);
        let mut laptop = b"(laptop-".to_vec();
        laptop.extend_from_slice(format!("{:02}) ", self.rng.range(1, 60)).as_bytes());
        let client = [&laptop[..], &client[client.iter().position(|&b| b == b'[').unwrap_or(0)..]].concat();
        self.ex_conn(pid, &client, true);
        self.ex_arrival(pid, &msg, Some(&client), &rcpts);
        if k == 1 && self.rng.percent(15) {
            // Cut-through delivery: the `>>` line comes before the QUIT.
            let a = rcpts[0];
            let kk = self.decide(a.dom, 0);
            if kk.outcome() == 0 {
                let hop = self.hop(a.dom);
                self.ex_delivered(pid, &msg, a, kk, hop, ">>");
                self.ex_conn(pid, &client, false);
                self.ex_completed(pid, &msg);
                return;
            }
        }
        self.ex_conn(pid, &client, false);
        msg.arrived = self.clk.us;
        self.ex_round(msg, rcpts, 0, Route::Remote);
    }

    /// A mailing-list or report message from a local program: many
    /// recipients, grouped by domain (`->` lines).
    fn ex_list(&mut self) {
        let sender = Self::role(self.doms.len() as u32 - 2, "newsletter");
        let msg = self.ex_new_msg(sender);
        let k = self.rng.range(3, 25);
        let mut rcpts: Vec<Addr> = (0..k).map(|_| self.rcpt()).collect();
        rcpts.sort_by_key(|a| a.dom);
        let pid = self.newpid();
        self.ex_arrival(pid, &msg, None, &rcpts);
        self.ex_round(msg, rcpts, 0, Route::Remote);
    }

    fn ex_cron(&mut self) {
        let sender = Self::role(self.doms.len() as u32 - 1, "root");
        let msg = self.ex_new_msg(sender);
        let to = Self::role(self.home, "admin");
        let pid = self.newpid();
        self.ex_arrival(pid, &msg, None, &[to]);
        self.eh(pid);
        self.eid(&msg);
        self.o.t(" => admin <");
        self.addr(to);
        self.o.t("> R=local_user T=local_delivery");
        self.o.event = Some((to.dom, 0));
        self.end();
        self.ex_completed(pid, &msg);
    }

    fn ex_inbound(&mut self) {
        let sender = self.rcpt();
        let msg = self.ex_new_msg(sender);
        let k = [1, 1, 1, 1, 1, 1, 2, 2, 3, 1][self.rng.below(10) as usize];
        let rcpts: Vec<Addr> = (0..k).map(|_| self.local_user(self.home)).collect();
        let pid = self.newpid();
        let client = self.ex_client(false, true);
        self.ex_conn(pid, &client, true);
        if self.rng.percent(40) {
            self.eh(pid);
            self.eid(&msg);
            self.o.t(" DKIM: d=");
            self.dom_name(sender.dom);
            self.o.t(" s=");
            self.o.t(self.rng.pick(&["20230601", "selector1", "s1", "default", "google"]));
            self.o.t(" c=relaxed/relaxed a=rsa-sha256 b=2048 [verification succeeded]");
            self.end();
        }
        self.ex_arrival(pid, &msg, Some(&client), &rcpts);
        self.ex_conn(pid, &client, false);
        self.ex_round(msg, rcpts, 0, Route::Lmtp);
    }

    /// One delivery attempt to each recipient, then the bounce message,
    /// a retry, or `Completed`.
    fn ex_round(&mut self, msg: Msg, rcpts: Vec<Addr>, attempt: u8, route: Route) {
        let pid = self.newpid();
        let mut deferred = Vec::new();
        let mut bounced = false;
        let mut prev: Option<u32> = None;
        for &a in &rcpts {
            let outcome = match route {
                Route::Remote => self.ex_attempt(pid, &msg, a, attempt, &mut prev),
                Route::Lmtp => self.ex_lmtp(pid, &msg, a, attempt),
            };
            match outcome {
                1 => deferred.push(a),
                2 => bounced = true,
                _ => {}
            }
        }
        if bounced {
            self.ex_bounce_message(pid, &msg);
        }
        if deferred.is_empty() {
            self.ex_completed(pid, &msg);
        } else {
            self.schedule(msg, deferred, attempt + 1, route);
        }
    }

    fn ex_delivered(&mut self, pid: u32, msg: &Msg, a: Addr, k: K, hop: Hop, flag: &str) {
        self.eh(pid);
        self.eid(msg);
        self.o.c(b' ');
        self.o.t(flag);
        self.o.c(b' ');
        self.addr(a);
        if self.rng.percent(3) {
            self.o.t(" <");
            self.o.t(self.rng.pick(&["sales", "all-staff", "partners", "billing"]));
            self.o.t("@hostco.example>");
        }
        self.o.t(" R=dnslookup T=remote_smtp H=");
        self.mx_host(hop);
        self.o.t(" [");
        self.mx_ip(hop);
        self.o.c(b']');
        if self.rng.percent(85) {
            self.o.t(self.rng.pick(&[
                " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes",
                " X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no",
                " X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=yes",
            ]));
        }
        if matches!(k, K::SGmail) {
            self.o.t(" DN=\"CN=mx.google.com\"");
        }
        if self.rng.percent(if self.new_exim { 95 } else { 80 }) {
            self.o.t(" C=\"");
            self.reply(k, a, hop, "\\n");
            self.o.c(b'"');
        }
        self.o.event = Some((a.dom, 0));
        self.end();
    }

    fn ex_attempt(&mut self, pid: u32, msg: &Msg, a: Addr, attempt: u8, prev: &mut Option<u32>) -> usize {
        let k = self.decide(a.dom, attempt);
        let mut hop = self.hop(a.dom);
        let outcome = k.outcome();
        if outcome == 0 {
            let flag = if *prev == Some(a.dom) && self.rng.percent(80) { "->" } else { "=>" };
            self.ex_delivered(pid, msg, a, k, hop, flag);
            *prev = Some(a.dom);
            return 0;
        }
        *prev = None;
        let own_two = {
            let d = &self.doms[a.dom as usize];
            d.mx == Mx::Own && d.h.is_multiple_of(3)
        };
        if own_two && k.has_reply() && self.rng.percent(10) {
            // The first host failed; Exim logs it and tries the next.
            self.eh(pid);
            self.eid(msg);
            self.o.t(" H=");
            self.mx_host(hop);
            self.o.t(" [");
            self.mx_ip(hop);
            self.o.t("]: SMTP error from remote mail server after end of data: ");
            self.reply(K::D430, a, hop, "\\n");
            self.end();
            hop.which = 1;
        }
        self.eh(pid);
        self.eid(msg);
        self.o.t(if outcome == 1 { " == " } else { " ** " });
        self.addr(a);
        use K::*;
        match k {
            BHostNotFound => {
                self.o.t(if self.rng.percent(50) { ": Unrouteable address" } else { " : Unrouteable address" })
            }
            BNullMx => self.o.t(" R=dnslookup: an MX or SRV record indicated no SMTP service"),
            DDnsAgain => self.o.t(" R=dnslookup defer (-36): host lookup did not complete"),
            DSuspended => {
                self.o.t(" R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for '");
                self.dom_name(a.dom);
                self.o.c(b'\'');
            }
            DTimeout => self.o.t(" R=dnslookup T=remote_smtp defer (110): Connection timed out"),
            DRefusedConn => self.o.t(" R=dnslookup T=remote_smtp defer (111): Connection refused"),
            DLost | DConv => {
                self.o.t(" R=dnslookup T=remote_smtp defer (");
                self.o.t(if k == DLost { "-18" } else { "-37" });
                self.o.t(") H=");
                self.mx_host(hop);
                self.o.t(" [");
                self.mx_ip(hop);
                self.o.t(if k == DLost {
                    "]: Remote host closed connection in response to end of data"
                } else {
                    "]: TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed"
                });
            }
            _ => {
                self.o.t(" R=dnslookup T=remote_smtp");
                let new_form = msg.inst == 1;
                if outcome == 1 {
                    self.o.t(match k.stage() {
                        Stage::Rcpt => " defer (-44)",
                        Stage::Mail => " defer (-45)",
                        Stage::Data => " defer (-46)",
                        Stage::Connect => " defer (0)",
                    });
                }
                if new_form || outcome == 1 {
                    self.o.t(" H=");
                    self.mx_host(hop);
                    self.o.t(" [");
                    self.mx_ip(hop);
                    self.o.c(b']');
                    if outcome == 2 {
                        if self.rng.percent(70) {
                            self.o.t(" X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes");
                        }
                        self.o.t(" :");
                    } else {
                        self.o.c(b':');
                    }
                } else {
                    self.o.c(b':');
                }
                self.o.t(if self.rng.percent(3) {
                    " SMTP error from remote mailer after "
                } else {
                    " SMTP error from remote mail server after "
                });
                match k.stage() {
                    Stage::Rcpt => {
                        if self.rng.percent(20) {
                            self.o.t("pipelined ");
                        }
                        self.o.t("RCPT TO:<");
                        self.addr(a);
                        self.o.c(b'>');
                    }
                    Stage::Mail => {
                        self.o.t("MAIL FROM:<");
                        self.addr(msg.sender);
                        self.o.t("> SIZE=");
                        self.o.n(msg.size);
                    }
                    Stage::Data => self.o.t("end of data"),
                    Stage::Connect => self.o.t("initial connection"),
                }
                self.o.t(": ");
                if !new_form && outcome == 2 {
                    self.o.t("host ");
                    self.mx_host(hop);
                    self.o.t(" [");
                    self.mx_ip(hop);
                    self.o.t("]: ");
                }
                self.reply(k, a, hop, "\\n");
            }
        }
        self.o.event = Some((a.dom, outcome));
        self.end();
        outcome
    }

    /// Local delivery over LMTP (or to a local user's mailbox).
    fn ex_lmtp(&mut self, pid: u32, msg: &Msg, a: Addr, attempt: u8) -> usize {
        self.eh(pid);
        self.eid(msg);
        let outcome = if attempt == 0 && self.rng.permille(15) {
            self.o.t(" == ");
            self.addr(a);
            self.o.t(" R=virtual_user T=dovecot_lmtp defer (0) H=127.0.0.1 [127.0.0.1]: LMTP error after DATA: ");
            let hop = Hop { dom: a.dom, which: 0, v6: false };
            self.reply(K::DLmtpQuota, a, hop, "\\n");
            1
        } else if self.rng.percent(25) {
            self.o.t(" => ");
            self.local_part(a.user);
            self.o.t(" <");
            self.addr(a);
            self.o.t("> R=local_user T=local_delivery");
            0
        } else {
            self.o.t(" => ");
            self.addr(a);
            self.o.t(" R=virtual_user T=dovecot_lmtp H=127.0.0.1 [127.0.0.1]");
            if self.rng.percent(85) {
                self.o.t(" C=\"");
                self.saved_reply(a);
                self.o.c(b'"');
            }
            0
        };
        self.o.event = Some((a.dom, outcome));
        self.end();
        outcome
    }

    /// The bounce message Exim sends back, and its local delivery.
    fn ex_bounce_message(&mut self, pid: u32, orig: &Msg) {
        let null = Addr { dom: self.home, user: u32::MAX, look: 0 };
        let msg = self.ex_new_msg(null);
        self.eh(pid);
        self.eid(&msg);
        self.o.t(" <= <> R=");
        self.eid(orig);
        self.o.t(" U=Debian-exim P=local S=");
        self.o.n(orig.size.min(60_000) + self.rng.range(2_000, 6_000));
        self.o.t(" T=\"Mail delivery failed: returning message to sender\" for ");
        let to = orig.sender;
        self.addr(to);
        self.end();
        self.eh(pid);
        self.eid(&msg);
        if to.dom == self.home && self.rng.percent(50) {
            self.o.t(" => ");
            self.local_part(to.user);
            self.o.t(" <");
            self.addr(to);
            self.o.t("> R=local_user T=local_delivery");
        } else {
            self.o.t(" => ");
            self.addr(to);
            self.o.t(" R=virtual_user T=dovecot_lmtp H=127.0.0.1 [127.0.0.1] C=\"");
            self.saved_reply(to);
            self.o.c(b'"');
        }
        self.o.event = Some((to.dom, 0));
        self.end();
        self.ex_completed(pid, &msg);
    }

    fn ex_queue_run(&mut self) {
        let qpid = self.newpid();
        self.eh(qpid);
        self.o.t("Start queue run: pid=");
        self.o.n(u64::from(qpid));
        self.end();
        while self.retries.peek().is_some_and(|r| r.due <= self.clk.us) && !self.done() {
            let r = self.retries.pop().expect("peeked");
            self.ex_retry(r);
        }
        self.eh(qpid);
        self.o.t("End queue run: pid=");
        self.o.n(u64::from(qpid));
        self.end();
    }

    fn ex_retry(&mut self, r: Retry) {
        let pid = self.newpid();
        if r.route == Route::Remote && r.attempt >= MAX_ATTEMPTS {
            for &a in &r.rcpts {
                self.eh(pid);
                self.eid(&r.msg);
                self.o.t(" ** ");
                self.addr(a);
                self.o.t(": retry timeout exceeded");
                self.o.event = Some((a.dom, 2));
                self.end();
            }
            self.ex_bounce_message(pid, &r.msg);
            self.ex_completed(pid, &r.msg);
            return;
        }
        if r.route == Route::Remote && self.rng.percent(25) {
            // The host's retry time has not come yet: deferred again, no try.
            for &a in &r.rcpts {
                self.eh(pid);
                self.eid(&r.msg);
                self.o.t(" == ");
                self.addr(a);
                self.o.t(" R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for '");
                self.dom_name(a.dom);
                self.o.c(b'\'');
                self.o.event = Some((a.dom, 1));
                self.end();
            }
            let attempt = r.attempt;
            self.schedule(r.msg, r.rcpts, attempt, r.route);
            return;
        }
        self.ex_round(r.msg, r.rcpts, r.attempt, r.route);
    }

    fn ex_reject(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, true);
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" F=<");
        let s = self.rcpt();
        self.addr(s);
        self.o.t(">");
        match self.rng.below(4) {
            0 => {
                self.o.t(" rejected RCPT <");
                let mut r = self.local_user(self.home);
                r.user += 500;
                self.addr(r);
                self.o.t(">: Unrouteable address");
            }
            1 => {
                self.o.t(" rejected RCPT <");
                let r = self.local_user(self.home);
                self.addr(r);
                self.o.t(">: ** BLOCKED ** sender IP is listed at zen.spamhaus.org");
            }
            2 => {
                self.o.t(" temporarily rejected RCPT <");
                let r = self.local_user(self.home);
                self.addr(r);
                self.o.t(">: Deferred due to greylisting. Waiting: 300s");
            }
            _ => {
                self.o.t(" rejected RCPT <");
                let r = self.rcpt();
                self.addr(r);
                self.o.t(">: relay not permitted");
            }
        }
        self.end();
    }

    /// A callout failure: the remote reply is there, but it is not a delivery.
    fn ex_callout_reject(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(false, true);
        let r = self.local_user(self.home);
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" F=<");
        let s = self.rcpt();
        self.addr(s);
        self.o.t("> rejected RCPT <");
        self.addr(r);
        self.o.t(">: relay.hostco.example [192.0.2.36] : SMTP error from remote mail server after RCPT TO:<");
        self.addr(r);
        self.o.t(">: 550 5.1.1 <");
        self.addr(r);
        self.o.t(">: Recipient address rejected: User unknown in local recipient table");
        self.end();
    }

    fn ex_auth_fail(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, false);
        self.eh(pid);
        self.o.t("dovecot_login authenticator failed for ");
        self.o.s(&client);
        self.o.t(": 535 Incorrect authentication data (set_id=");
        let u = self.local_user(self.home);
        self.addr(u);
        self.o.c(b')');
        self.end();
        if self.rng.percent(50) {
            self.eh(pid);
            self.o.t("SMTP call from ");
            self.o.s(&client);
            self.o.t(
                " dropped: too many syntax or protocol errors (last command was \"AUTH LOGIN\", C=EHLO,AUTH,AUTH,AUTH)",
            );
            self.end();
        }
    }

    fn ex_tls_error(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, true);
        self.eh(pid);
        self.o.t("TLS error on connection from ");
        self.o.s(&client);
        self.o.t(" (SSL_accept): error:0A000102:SSL routines::unsupported protocol");
        self.end();
    }

    fn ex_sync_error(&mut self) {
        let pid = self.newpid();
        self.eh(pid);
        self.o.t("SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[");
        let seed = self.rng.next();
        self.ip_v4(seed);
        self.o.t("]:");
        self.o.n(self.rng.range(1_024, 65_535));
        self.o.t(" I=[192.0.2.35]:25 input=\"");
        if self.rng.percent(30) {
            self.o.s(b"\\026\\003\\001\\002\\000\\001\\000\\001\\374\\003\\003\xd5\xe1");
        } else {
            self.o.t("EHLO User\\r\\n");
        }
        self.o.c(b'"');
        self.end();
    }

    fn ex_no_host_name(&mut self) {
        let pid = self.newpid();
        self.eh(pid);
        self.o.t("no host name found for IP address ");
        let seed = self.rng.next();
        self.ip_v4(seed);
        self.end();
    }

    fn ex_sender_verify_nullmx(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(false, true);
        let s = self.rcpt();
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" sender verify fail for <");
        self.addr(s);
        self.o.t(">: an MX or SRV record indicated no SMTP service");
        self.end();
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" F=<");
        self.addr(s);
        self.o.t("> rejected RCPT <");
        let r = self.local_user(self.home);
        self.addr(r);
        self.o.t(">: Sender verify failed");
        self.end();
    }

    fn ex_lost(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, true);
        self.ex_conn(pid, &client, true);
        self.eh(pid);
        self.o.t("unexpected disconnection while reading SMTP command from ");
        self.o.s(&client);
        self.o.t(" D=");
        self.o.n(self.rng.below(30));
        self.o.c(b'.');
        self.o.pad(self.rng.below(1000), 3);
        self.o.c(b's');
        self.end();
    }
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

/// Writes the truth CSV: per-domain counts merged by normalised name,
/// sorted by domain.
fn write_truth(file: std::fs::File, doms: &[Dom], counts: &[[u64; 3]]) -> io::Result<()> {
    let mut truth: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    for (d, c) in doms.iter().zip(counts) {
        if c.iter().any(|&v| v > 0) {
            let e = truth.entry(d.name.as_str()).or_default();
            for (sum, v) in e.iter_mut().zip(c) {
                *sum += v;
            }
        }
    }
    let mut w = BufWriter::new(file);
    writeln!(w, "domain,delivered,deferred,bounced")?;
    for (name, c) in &truth {
        writeln!(w, "{name},{},{},{}", c[0], c[1], c[2])?;
    }
    w.flush()
}

/// Writes the codes truth CSV: events per (domain, outcome, code, enhanced
/// code), merged by normalised name, sorted by domain, outcome (delivered,
/// deferred, bounced), code (none first) and enhanced code (as text).
fn write_truth_codes(file: std::fs::File, doms: &[Dom], codes: &HashMap<CodeKey, u64>) -> io::Result<()> {
    let mut truth: BTreeMap<_, u64> = BTreeMap::new();
    for (&(d, o, code, enhanced), &n) in codes {
        *truth.entry((doms[d as usize].name.as_str(), o, code, enhanced)).or_default() += n;
    }
    let mut w = BufWriter::new(file);
    writeln!(w, "domain,outcome,code,enhanced,count")?;
    for ((name, o, code, enhanced), n) in &truth {
        let outcome = ["delivered", "deferred", "bounced"][*o];
        let code = code.map(|c| c.to_string()).unwrap_or_default();
        writeln!(w, "{name},{outcome},{code},{},{n}", enhanced.unwrap_or_default())?;
    }
    w.flush()
}

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
