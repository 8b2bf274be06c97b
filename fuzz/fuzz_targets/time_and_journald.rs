//! `Clock::line_time` and `parse_bound` on arbitrary input in a few zones
//! and against a few references, and the journald renderer on arbitrary
//! bytes and on records built from the input.
//!
//! Input: a selector byte and 8 bytes (an extra reference time, and the
//! timestamp of the built record), then the payload; shorter inputs are
//! all payload.
//!
//! Besides not panicking:
//! - `line_time`: a clock that has read the lines before gives what a fresh
//!   clock gives (the caches never change a result); what follows the
//!   stamp after whitespace does not matter (except a `short-full` stamp's
//!   zone name; with whitespace appended the
//!   answer is the same, which also takes the fraction parser from its
//!   byte-by-byte path to its eight-bytes path); a BSD stamp's year is
//!   inferred within [reference - 9 years, reference + 1 day] (plus slack
//!   for offsets), and a BSD stamp without a fraction reads as the
//!   documented year rule worked out with jiff gives; a journald
//!   `short-full` stamp reads as `parse_bound` reads it written in RFC 3339
//!   (the zone name as its offset, or none).
//! - `parse_bound`: errors name the accepted forms; `-N[smhdw]` is not
//!   after now; a value that is a whole RFC 3339 stamp with seconds
//!   (`YYYY-MM-DDTHH:MM:SS[.f][zone]`) gives what `line_time` gives for it.
//! - `render`: appends nothing unless it returns `Line`, and then exactly one
//!   line with no other `\n` or `\r`, starting with an RFC 3339 UTC stamp
//!   that `line_time` reads back the same in any zone and that jiff formats
//!   the same; a record built from the input renders exactly as specified
//!   (fallbacks for host, tag and pid; CR/LF to spaces; the timestamp
//!   limit).
//! - `render_block`: `records == lines + skipped + malformed`, `records` is
//!   the number of non-blank lines, one output line per rendered record,
//!   and the output is that of `render` line by line.
//! - `looks_like_journal_json` on the payload and its prefixes.
#![no_main]

use std::sync::LazyLock;

use bounces::internals::journald::{BlockStats, Record, Skip, looks_like_journal_json, render, render_block};
use bounces::internals::time::{Clock, Micros, parse_bound};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use libfuzzer_sys::fuzz_target;

const SECOND: i64 = 1_000_000;
const HOUR: i64 = 3600 * SECOND;
const DAY: i64 = 24 * HOUR;

/// The last timestamp `render` accepts: 9999-12-31T23:59:59.999999Z.
const MAX_MICROS: u64 = 253_402_300_800_000_000 - 1;

/// Zones: UTC, Berlin and New York (POSIX, DST at 2:00/3:00), Lord Howe
/// (a 30-minute DST shift), India (fixed +5:30) and a southern zone whose
/// DST starts and ends at midnight (so midnight falls in the gap).
static ZONES: LazyLock<Vec<TimeZone>> = LazyLock::new(|| {
    let mut zones = vec![TimeZone::UTC];
    for posix in [
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "EST5EDT,M3.2.0,M11.1.0",
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
        "IST-5:30",
        "<-03>3<-02>,M10.3.0/0,M2.3.0/0",
    ] {
        zones.push(TimeZone::posix(posix).expect("valid POSIX zone"));
    }
    zones
});

/// Fixed references: a late-November day, the day before a leap day, just
/// after New Year, and the extremes.
static REFERENCES: LazyLock<Vec<Timestamp>> = LazyLock::new(|| {
    let mut refs: Vec<Timestamp> = ["2026-11-29T10:30:00Z", "2024-02-28T12:00:00Z", "2027-01-01T00:30:00Z"]
        .iter()
        .map(|s| s.parse().expect("valid timestamp"))
        .collect();
    refs.extend([Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH]);
    refs
});

/// At most this many lines of the payload are read by each clock.
const MAX_LINES: usize = 16;

const MONTHS: [&[u8]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

fn month_name(line: &[u8]) -> bool {
    line.get(..3).is_some_and(|m| MONTHS.contains(&m))
}

fn two_digits(b: &[u8], i: usize) -> Option<i8> {
    let (a, c) = (*b.get(i)?, *b.get(i + 1)?);
    (a.is_ascii_digit() && c.is_ascii_digit()).then(|| ((a - b'0') * 10 + (c - b'0')) as i8)
}

/// What a BSD line `Mmm dd HH:MM:SS` (no fraction) must read as, worked
/// out with jiff from the documented rule: the latest year, not after the
/// reference's civil year in `tz`, in which the date exists and the civil
/// time is not after that of the reference plus a day; the civil time then
/// resolved in `tz` ("compatible"). `None` when the line is not of that
/// simple shape.
fn bsd_oracle(line: &[u8], tz: &TimeZone, reference: Timestamp) -> Option<Option<Micros>> {
    let month = MONTHS.iter().position(|m| line.starts_with(m))? as i8 + 1;
    let digit = |b: u8| b.is_ascii_digit().then(|| (b - b'0') as i8);
    if line.get(3) != Some(&b' ') {
        return None;
    }
    let (day, space) = match (*line.get(4)?, *line.get(5)?) {
        (b' ', d) => (digit(d)?, 6),
        (d, b' ') => (digit(d)?, 5),
        (a, b) => (digit(a)? * 10 + digit(b)?, 6),
    };
    let t = space + 1;
    if line.get(space) != Some(&b' ') || line.get(t + 2) != Some(&b':') || line.get(t + 5) != Some(&b':') {
        return None;
    }
    let (hour, minute, second) = (two_digits(line, t)?, two_digits(line, t + 3)?, two_digits(line, t + 6)?);
    if !matches!(line.get(t + 8), None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
        return None;
    }
    if day == 0 || hour > 23 || minute > 59 || second > 60 {
        return Some(None);
    }
    let second = second.min(59);
    let reference_year = i32::from(tz.to_datetime(reference).year());
    let cutoff =
        tz.to_datetime(reference.saturating_add(jiff::SignedDuration::from_hours(24)).unwrap_or(Timestamp::MAX));
    for year in (reference_year - 10..=reference_year).rev() {
        let Ok(year) = i16::try_from(year) else { return Some(None) };
        let Ok(dt) = jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0) else { continue };
        if dt > cutoff {
            continue;
        }
        return Some(tz.to_timestamp(dt).ok().map(Timestamp::as_microsecond));
    }
    Some(None)
}

/// The `parse_bound` value that reads as a journald `short-full` line
/// `Www YYYY-MM-DD HH:MM:SS[.f] ZONE` does: the stamp in RFC 3339 with the
/// zone as an offset (`Z` for UTC, UT, GMT, Z; a numeric one as it is,
/// `±HH` with `00` minutes) or none (any other name: civil time in `tz`).
/// `None` when the line is not of that shape or its zone is a numeric one
/// `parse_bound` does not take.
fn short_full_as_bound(line: &[u8]) -> Option<String> {
    const WEEKDAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    if !WEEKDAYS.iter().any(|w| line.starts_with(w)) || line.get(3) != Some(&b' ') || line.get(14) != Some(&b' ') {
        return None;
    }
    let mut end = 23;
    if line.get(end) == Some(&b'.') {
        end += 1;
        while line.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    if line.get(end) != Some(&b' ') {
        return None;
    }
    let rest = &line[end + 1..];
    let zone = &rest[..rest.iter().position(u8::is_ascii_whitespace).unwrap_or(rest.len())];
    let offset: Vec<u8> = match zone {
        b"" => return None,
        b"UTC" | b"UT" | b"GMT" | b"Z" => b"Z".to_vec(),
        [b'+' | b'-', ..] => match zone.len() {
            3 => [zone, b"00"].concat(),
            5 => zone.to_vec(),
            6 if zone[3] == b':' => zone.to_vec(),
            _ => return None,
        },
        _ => Vec::new(),
    };
    let mut bound = line[4..14].to_vec();
    bound.push(b'T');
    bound.extend_from_slice(&line[15..end]);
    bound.extend_from_slice(&offset);
    let numeric = offset.len() > 1;
    let bound = String::from_utf8(bound).ok()?;
    (!numeric || !bound.bytes().any(|b| b.is_ascii_whitespace())).then_some(bound)
}

/// Whether `stamp` and `want` agree, where `line_time` may give an instant
/// outside jiff's range that jiff cannot give.
fn agree(stamp: Option<Micros>, want: Option<Micros>) -> bool {
    stamp == want || (want.is_none() && stamp.is_some_and(|t| Timestamp::from_microsecond(t).is_err()))
}

/// A timestamp in jiff's range from any `i64` of microseconds.
fn clamp_reference(raw: i64) -> Timestamp {
    let (min, max) = (Timestamp::MIN.as_microsecond(), Timestamp::MAX.as_microsecond());
    let t = min + (raw as i128 - min as i128).rem_euclid(max as i128 - min as i128 + 1) as i64;
    Timestamp::from_microsecond(t).expect("in range")
}

fn check_clock(tz: &TimeZone, reference: Timestamp, lines: &[&[u8]]) {
    let mut shared = Clock::new(tz.clone(), reference);
    let r = reference.as_microsecond();
    for &line in lines {
        let got = shared.line_time(line);
        let fresh = Clock::new(tz.clone(), reference).line_time(line);
        assert_eq!(got, fresh, "cached clock differs from a fresh one: {tz:?} {reference} {line:?}");
        // Whitespace and more text after the line do not change the stamp
        // (but for `short-full`, a word after a space is the zone name).
        let short_full = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"].iter().any(|w| line.starts_with(*w));
        for tail in [&b" x"[..], b"\t", b"         more"] {
            if short_full && tail == b" x" {
                continue;
            }
            let longer = [line, tail].concat();
            let again = shared.line_time(&longer);
            assert_eq!(got, again, "{tz:?} {reference}: {line:?} vs {longer:?}");
        }
        if let Some(want) = bsd_oracle(line, tz, reference) {
            assert!(agree(got, want), "BSD stamp: {tz:?} {reference} {line:?}: line_time {got:?}, rule {want:?}");
        }
        if let Some(bound) = short_full_as_bound(line) {
            let want = parse_bound(&bound, reference, tz);
            let numeric_refused =
                want.is_err() && bound.len() > 19 && bound.as_bytes()[19..].iter().any(|b| matches!(b, b'+' | b'-'));
            if !numeric_refused {
                let want = want.ok();
                assert!(
                    agree(got, want),
                    "short-full: {tz:?} {line:?} as {bound:?}: line_time {got:?}, parse_bound {want:?}"
                );
            }
        }
        if let Some(t) = got
            && month_name(line)
        {
            assert!(
                t <= r.saturating_add(DAY + 3 * HOUR),
                "BSD stamp after the reference plus a day: {tz:?} {reference} {line:?} -> {t}"
            );
            assert!(
                t >= r.saturating_sub(9 * 366 * DAY + 2 * DAY),
                "BSD stamp more than 9 years before the reference: {tz:?} {reference} {line:?} -> {t}"
            );
        }
    }
}

fn check_bound(tz: &TimeZone, now: Timestamp, text: &str) {
    let result = parse_bound(text, now, tz);
    match &result {
        Ok(t) => {
            if text.trim().starts_with('-') {
                assert!(*t <= now.as_microsecond(), "{text:?}: a relative time after now");
            }
        }
        Err(message) => {
            assert!(message.contains("RFC 3339") && message.contains("-24h"), "{text:?}: {message}");
        }
    }
    // A whole RFC 3339 stamp with seconds reads as `line_time` reads it.
    let b = text.trim().as_bytes();
    if b.len() >= 19
        && matches!(b[10], b'T' | b't')
        && b[16] == b':'
        && b[0].is_ascii_digit()
        && !b.iter().any(u8::is_ascii_whitespace)
    {
        // `line_time` does not range-check an instant it computes itself:
        // only an instant outside jiff's range may be missing from `parse_bound`.
        let stamp = Clock::new(tz.clone(), now).line_time(b);
        let bound = result.as_ref().ok().copied();
        assert!(agree(stamp, bound), "{tz:?}: line_time {stamp:?} and parse_bound {result:?} differ on {text:?}");
    }
}

/// Checks a line `render` appended: one line, an RFC 3339 UTC stamp first.
/// Returns its microseconds.
fn check_rendered(line: &[u8]) -> Micros {
    assert_eq!(line.last(), Some(&b'\n'), "{line:?}");
    let breaks = line.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
    assert_eq!(breaks, 1, "more than one line: {line:?}");
    assert!(line.len() >= 32 + 2 && line[32] == b' ', "{line:?}");
    let stamp = &line[..32];
    assert!(stamp.ends_with(b"+00:00") && stamp[10] == b'T' && stamp[19] == b'.', "{line:?}");
    let t = Clock::new(TimeZone::UTC, Timestamp::UNIX_EPOCH).line_time(line).expect("line_time reads the stamp");
    for tz in &ZONES[1..3] {
        assert_eq!(Clock::new(tz.clone(), Timestamp::UNIX_EPOCH).line_time(line), Some(t), "{tz:?} {line:?}");
    }
    assert!((0..=MAX_MICROS as i64).contains(&t), "{t}");
    assert_eq!(stamp, jiff_stamp(t as u64).as_bytes(), "rendered stamp differs from jiff's for {t}");
    t
}

/// `micros` as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, through jiff's civil
/// arithmetic (its `Timestamp` ends on 9999-12-30, before `MAX_MICROS`).
fn jiff_stamp(micros: u64) -> String {
    let epoch = jiff::civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0);
    let dt = epoch.checked_add(jiff::SignedDuration::from_micros(micros as i64)).expect("in range");
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1000
    )
}

fn check_render(record: &[u8]) -> Result<Record, String> {
    let mut out = b"kept".to_vec();
    let result = render(record, &mut out);
    assert!(out.starts_with(b"kept"), "render must append");
    match result {
        Ok(Record::Line) => {
            check_rendered(&out[4..]);
        }
        _ => assert_eq!(out.len(), 4, "appended without a line: {result:?}"),
    }
    result
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn check_block(block: &[u8]) {
    let mut out = Vec::new();
    let stats = render_block(block, &mut out);
    assert_eq!(stats.records, stats.lines + stats.skipped + stats.malformed, "{stats:?}");
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count() as u64, stats.lines, "{stats:?}");
    assert!(out.is_empty() || out.ends_with(b"\n"));
    // Line by line: the same output and counts.
    let mut want = BlockStats::default();
    let mut want_out = Vec::new();
    let body = block.strip_suffix(b"\n").unwrap_or(block);
    if !block.is_empty() {
        for line in body.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let before = want_out.len();
            let result = render(line, &mut want_out);
            if is_blank(line) {
                assert_eq!(result, Ok(Record::Skipped(Skip::Blank)), "{line:?}");
                continue;
            }
            want.records += 1;
            match result {
                Ok(Record::Line) => {
                    want.lines += 1;
                    check_rendered(&want_out[before..]);
                }
                Ok(Record::Skipped(Skip::NoMessage)) => want.skipped += 1,
                Ok(Record::Skipped(Skip::Blank)) => panic!("a non-blank line is Blank: {line:?}"),
                Err(_) => want.malformed += 1,
            }
        }
    }
    assert_eq!(stats, want);
    assert_eq!(out, want_out);
}

/// A JSON value for a field: a string, or (as journalctl writes binary
/// values) an array of bytes.
fn json_value(bytes: &[u8], as_bytes: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !as_bytes => serde_json::to_string(text).expect("a string serializes"),
        _ => serde_json::to_string(bytes).expect("bytes serialize"),
    }
}

fn one_line(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b }).collect()
}

/// A record built from the input, and the line it must render as.
fn check_built(sel: u8, raw: u64, payload: &[u8]) {
    let micros = if sel & 0x10 != 0 { raw } else { raw % (MAX_MICROS + 1) };
    let mut fields = payload.splitn(4, |&b| b == 0xff);
    let (message, host, tag, pid) = (fields.next().unwrap_or_default(), fields.next(), fields.next(), fields.next());
    let mut json = String::from("{");
    if sel & 0x20 != 0 {
        json.push_str(&format!(r#""__REALTIME_TIMESTAMP":{micros},"#));
    } else {
        json.push_str(&format!(r#""__REALTIME_TIMESTAMP":"{micros}","#));
    }
    for (i, (name, value)) in
        [("_HOSTNAME", host), ("SYSLOG_IDENTIFIER", tag), ("SYSLOG_PID", pid)].into_iter().enumerate()
    {
        if let Some(value) = value {
            json.push_str(&format!(r#""{name}":{},"#, json_value(value, sel & (1 << i) != 0)));
        }
    }
    json.push_str(&format!(r#""MESSAGE":{}}}"#, json_value(message, sel & 0x08 != 0)));
    let mut out = Vec::new();
    let result = render(json.as_bytes(), &mut out);
    if micros > MAX_MICROS {
        assert!(result.is_err() && out.is_empty(), "{json}: {result:?}");
        return;
    }
    assert_eq!(result, Ok(Record::Line), "{json}");
    fn non_empty(v: Option<&[u8]>) -> Option<&[u8]> {
        v.filter(|v| !v.is_empty())
    }
    let mut want = jiff_stamp(micros).into_bytes();
    want.push(b' ');
    want.extend(one_line(non_empty(host).unwrap_or(b"localhost")));
    want.push(b' ');
    want.extend(one_line(non_empty(tag).unwrap_or(b"journal")));
    if let Some(pid) = non_empty(pid) {
        want.push(b'[');
        want.extend(one_line(pid));
        want.push(b']');
    }
    want.extend_from_slice(b": ");
    want.extend(one_line(message));
    want.push(b'\n');
    assert_eq!(out, want, "{json}");
    assert_eq!(check_rendered(&out), micros as i64);
    // The same record as a block, with a blank line and CRLF around it.
    let block = [b"\r\n  \n".as_slice(), json.as_bytes(), b"\r\n"].concat();
    let mut block_out = Vec::new();
    let stats = render_block(&block, &mut block_out);
    assert_eq!(stats, BlockStats { records: 1, lines: 1, skipped: 0, malformed: 0 });
    assert_eq!(block_out, want);
    assert!(looks_like_journal_json(&block), "{json}");
}

fuzz_target!(|data: &[u8]| {
    let (sel, raw, payload) = match data.split_first_chunk::<9>() {
        Some((head, payload)) => (head[0], u64::from_le_bytes(head[1..9].try_into().expect("8 bytes")), payload),
        None => (0, 0, data),
    };

    // line_time: every zone, the fixed references and one from the input.
    let lines: Vec<&[u8]> = payload.split(|&b| b == b'\n').take(MAX_LINES).collect();
    let extra = clamp_reference(raw as i64);
    for tz in ZONES.iter() {
        for &reference in REFERENCES.iter().chain([&extra]) {
            check_clock(tz, reference, &lines);
        }
    }

    // parse_bound: the payload as UTF-8 (lossily), and each line of it.
    let text = String::from_utf8_lossy(payload);
    for tz in ZONES.iter() {
        for &now in [REFERENCES[0], extra].iter() {
            check_bound(tz, now, &text);
            for line in text.lines().take(4) {
                check_bound(tz, now, line);
            }
        }
    }

    // journald.
    let _ = looks_like_journal_json(payload);
    for cut in [1, 2, 7, 64, payload.len() / 2] {
        let _ = looks_like_journal_json(&payload[..cut.min(payload.len())]);
    }
    let _ = check_render(payload);
    check_block(payload);
    check_built(sel, raw, payload);
});
