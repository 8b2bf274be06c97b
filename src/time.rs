//! Timestamps at the start of log lines, the day and hour periods that
//! reports group them by, and the `--since`/`--until` bounds.
//!
//! # Stamp shapes
//!
//! [`Clock::line_time`] reads these shapes, always at the very start of the line:
//!
//! | shape | example | zone |
//! |-------|---------|------|
//! | BSD syslog | `Nov 29 06:55:19 host …`, `Nov  9 …`, `Nov 9 …` | civil time in `tz`, year inferred |
//! | journald `short-precise` | `Nov 29 06:55:19.123456 host …` | as BSD |
//! | RFC 3339 (rsyslog, journald `short-iso[-precise]`) | `2026-11-29T06:55:19.123456+01:00`, `…Z`, `…+0100` | the offset |
//! | Exim main log | `2026-11-29 06:55:19 …`, `2026-11-29 06:55:19.123 +0100 …` | the offset if present, else `tz` |
//! | journald `short-full` | `Sun 2026-11-29 06:55:19 UTC host …` | see below |
//!
//! A stamp must be followed by whitespace or the end of the line. Fractions
//! have 1 to 9 digits and are truncated to microseconds. A leap second
//! (`:60`) is read as `:59`, as jiff does. An RFC 3339 stamp without an
//! offset (`2026-11-29T06:55:19 host`) is read as civil time in `tz`.
//! Exim's offset (`log_timezone = true`) is only taken as one when it is
//! exactly a sign and four digits followed by whitespace or the end, so a
//! message id that starts with digits is never mistaken for it.
//!
//! # Ambiguous cases
//!
//! - **BSD year.** BSD stamps carry no year. The year is the latest year `y`,
//!   not after the reference's civil year in `tz`, for which the stamp is a
//!   valid date and is not later than the reference plus one day (the day is
//!   slack for clock skew and zone differences). So `Dec 31` read against a
//!   January reference is last year's. The comparison is done in civil time
//!   in `tz`, which equals the comparison of instants except within an hour
//!   of a DST transition at the cut-off itself. The result depends only on
//!   (line, reference, `tz`), so chunks can be read in any order.
//! - **Feb 29** follows the same rule: it goes back to the most recent leap
//!   year whose Feb 29 is not after the cut-off (`Feb 29` against a 2026
//!   reference is 2024-02-29). `Feb 30`, `Apr 31` and the like are `None`.
//! - **Zone abbreviations** (journald `short-full`): `UTC`, `UT`, `GMT` and
//!   `Z` are UTC, and numeric ones (`+04`, `-0330`, `+05:30`, which strftime
//!   prints for zones without a name) are that offset. Any other
//!   abbreviation (`CET`, `EST`, `IST`, …) is ignored and the civil time is
//!   read in `tz`: journald prints the writing machine's abbreviation,
//!   which cannot be mapped to an offset reliably (`IST` alone has three
//!   meanings). Run with `--tz` set to that machine's zone. The weekday is
//!   checked to be a weekday name but not checked against the date.
//! - **DST gaps and folds.** A civil time that does not exist in `tz` (the
//!   spring-forward gap) or exists twice (the fall-back fold) is resolved
//!   with jiff's "compatible" disambiguation: the later offset in a gap (so
//!   02:30 in a 02:00→03:00 gap is read as 03:30), the earlier offset in a
//!   fold (the first 02:30). The same rule applies to `--since`/`--until`
//!   values without an offset.
//!
//! # Periods
//!
//! A day starts at civil midnight in `tz` (or, where midnight falls in a
//! gap, at the end of the gap), so DST days are 23 or 25 hours long. An hour
//! starts at the civil `HH:00` in `tz`. In a fold the repeated hour is two
//! periods, both labelled with the same `HH:00`.
//!
//! # Speed
//!
//! [`Clock::line_time`] parses the bytes by hand (the date and the time of
//! day eight bytes at a time) and never allocates. Converting a civil time
//! to UTC through the zone rules is slow, so the clock caches the start of
//! the last civil hour it converted, but only when the offset is the same
//! at the start and the end of that hour (an hour containing a transition
//! is always converted in full); for stamps with an offset it caches the
//! day number of the last date. Likewise [`Clock::period_start`] caches
//! the last day and the last hour. The caches never change a result, so
//! clones of one clock may read chunks in any order.

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// A point in time, microseconds since the Unix epoch (UTC).
pub type Micros = i64;

const SECOND: i64 = 1_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// A calendar period that times are grouped by, in the clock's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// A civil day (23, 24 or 25 hours long around DST changes).
    Day,
    /// A civil hour.
    Hour,
}

/// A half-open range of instants `[start, end)`.
#[derive(Clone, Copy, Debug)]
struct Range {
    start: Micros,
    end: Micros,
}

impl Range {
    /// Contains nothing.
    const EMPTY: Range = Range { start: Micros::MAX, end: Micros::MIN };

    fn contains(self, t: Micros) -> bool {
        self.start <= t && t < self.end
    }
}

/// Reads timestamps at the start of log lines.
#[derive(Clone, Debug)]
pub struct Clock {
    tz: TimeZone,
    /// The reference's civil year in `tz`: the first guess for BSD stamps.
    reference_year: i32,
    /// The reference plus one day in `tz`, as a [`Civil::key`]. BSD stamps
    /// later than this belong to an earlier year.
    bsd_cutoff: i64,
    /// The [`Civil::hour_key`] of the civil hour whose start is cached, or
    /// `i64::MIN` for none.
    cached_hour: i64,
    /// The instant at which `cached_hour` starts (its offset being constant).
    cached_hour_start: Micros,
    /// The [`Civil::date_key`] of the date whose day number is cached.
    cached_date: i64,
    /// Days from 1970-01-01 to `cached_date`.
    cached_days: i64,
    /// The last day returned by `period_start`.
    day: Range,
    /// The last hour returned by `period_start`.
    hour: Range,
}

impl Clock {
    /// `tz`: the zone for stamps that carry none (the `--tz` option; default the system zone).
    /// `reference`: the latest time the stamps can plausibly show, used to infer the year of
    /// BSD syslog stamps that have none: a file's modification time, or now for stdin.
    pub fn new(tz: TimeZone, reference: Timestamp) -> Clock {
        let mut clock = Clock {
            tz,
            reference_year: 0,
            bsd_cutoff: 0,
            cached_hour: i64::MIN,
            cached_hour_start: 0,
            cached_date: i64::MIN,
            cached_days: 0,
            day: Range::EMPTY,
            hour: Range::EMPTY,
        };
        clock.set_reference(reference);
        clock
    }

    /// Returns a clone with another reference (each input file has its own mtime).
    pub fn with_reference(&self, reference: Timestamp) -> Clock {
        let mut clock = self.clone();
        clock.set_reference(reference);
        clock
    }

    fn set_reference(&mut self, reference: Timestamp) {
        self.reference_year = i32::from(self.tz.to_datetime(reference).year());
        let cutoff = reference.saturating_add(SignedDuration::from_hours(24)).unwrap_or(Timestamp::MAX);
        self.bsd_cutoff = Civil::from_datetime(self.tz.to_datetime(cutoff)).key();
    }

    /// The zone in use.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The time at the start of `line`, or None when the line does not start with a stamp shape
    /// this module knows. Takes &mut self because it caches zone offsets.
    #[inline]
    pub fn line_time(&mut self, line: &[u8]) -> Option<Micros> {
        let first = *line.first()?;
        if first.is_ascii_digit() {
            let (civil, zone) = numeric_stamp(line)?;
            self.resolve(civil, zone)
        } else if let Some(month) = month_number(line) {
            self.bsd_stamp(line, month)
        } else {
            let (civil, zone) = short_full_stamp(line)?;
            self.resolve(civil, zone)
        }
    }

    /// Reads `Mmm dd HH:MM:SS[.f]`, `month` being already matched.
    #[inline]
    fn bsd_stamp(&mut self, line: &[u8], month: u32) -> Option<Micros> {
        if line.get(3) != Some(&b' ') {
            return None;
        }
        let (day, space) = match (*line.get(4)?, *line.get(5)?) {
            (b' ', d) => (digit(d)?, 6),
            (d, b' ') => (digit(d)?, 5),
            (d1, d2) => (digit(d1)? * 10 + digit(d2)?, 6),
        };
        if line.get(space) != Some(&b' ') || day == 0 || day > max_days_in_month(month) {
            return None;
        }
        let (hour, minute, second) = hms(line.get(space + 1..space + 9)?)?;
        let (micro, end) = fraction(line, space + 9)?;
        if !at_boundary(line, end) {
            return None;
        }
        let mut civil = Civil { year: self.reference_year, month, day, hour, minute, second, micro };
        if day > days_in_month(civil.year, month) || civil.key() > self.bsd_cutoff {
            civil.year -= 1;
            // Only Feb 29 can be invalid here; a leap year comes within 8 years.
            while day > days_in_month(civil.year, month) {
                civil.year -= 1;
            }
        }
        self.resolve(civil, Zone::Local)
    }

    /// The instant of a civil time, in `tz` or at a fixed offset.
    #[inline(always)]
    fn resolve(&mut self, civil: Civil, zone: Zone) -> Option<Micros> {
        match zone {
            Zone::Local => {
                let key = civil.hour_key();
                if key == self.cached_hour {
                    Some(self.cached_hour_start + civil.within_hour())
                } else {
                    self.resolve_slow(civil, key)
                }
            }
            Zone::Fixed(offset) => {
                let key = civil.date_key();
                if key != self.cached_date {
                    self.cached_date = key;
                    self.cached_days = days_from_civil(civil.year, civil.month, civil.day);
                }
                Some(self.cached_days * DAY + i64::from(civil.hour) * HOUR + civil.within_hour() - offset)
            }
        }
    }

    /// Converts a civil time in `tz` through the zone rules, and caches the
    /// hour's start when its offset is the same all through the hour.
    #[cold]
    #[inline(never)]
    fn resolve_slow(&mut self, civil: Civil, key: i64) -> Option<Micros> {
        let year = i16::try_from(civil.year).ok()?;
        // All fields were range-checked by the parsers.
        let (month, day, hour) = (civil.month as i8, civil.day as i8, civil.hour as i8);
        let first = DateTime::new(year, month, day, hour, 0, 0, 0).ok()?;
        let last = DateTime::new(year, month, day, hour, 59, 59, 999_999_999).ok()?;
        let offsets = (self.tz.to_ambiguous_timestamp(first).offset(), self.tz.to_ambiguous_timestamp(last).offset());
        if let (AmbiguousOffset::Unambiguous { offset: a }, AmbiguousOffset::Unambiguous { offset: b }) = offsets
            && a == b
        {
            let local_start = days_from_civil(civil.year, civil.month, civil.day) * DAY + i64::from(civil.hour) * HOUR;
            self.cached_hour = key;
            self.cached_hour_start = local_start - i64::from(a.seconds()) * SECOND;
            return Some(self.cached_hour_start + civil.within_hour());
        }
        let exact =
            DateTime::new(year, month, day, hour, civil.minute as i8, civil.second as i8, civil.micro as i32 * 1000)
                .ok()?;
        self.tz.to_timestamp(exact).ok().map(Timestamp::as_microsecond)
    }

    /// The start of the period (day or hour, in the zone `tz`) containing `t`.
    pub fn period_start(&mut self, t: Micros, period: Period) -> Micros {
        let cached = match period {
            Period::Day => self.day,
            Period::Hour => self.hour,
        };
        if cached.contains(t) {
            return cached.start;
        }
        let mut start = self.raw_period_start(t, period);
        let mut end = self.next_period(start, period);
        // Only in odd zones (a fold across midnight) can `t` lie past the
        // period that the civil fields name; step forward then.
        for _ in 0..4 {
            if end > t {
                break;
            }
            start = end;
            end = self.next_period(start, period);
        }
        let range = Range { start, end };
        if range.contains(t) {
            match period {
                Period::Day => self.day = range,
                Period::Hour => self.hour = range,
            }
        }
        start
    }

    /// The start of the period whose civil fields `t` has, not after `t`.
    fn raw_period_start(&self, t: Micros, period: Period) -> Micros {
        let ts = timestamp(t);
        let start = match period {
            Period::Day => self.tz.to_timestamp(DateTime::from(self.tz.to_datetime(ts).date())).ok(),
            // `with` keeps the offset of `t` when it is valid at HH:00, so the
            // second pass through a fold starts at the second HH:00.
            Period::Hour => ts
                .to_zoned_datetime(self.tz.clone())
                .with()
                .minute(0)
                .second(0)
                .subsec_nanosecond(0)
                .build()
                .ok()
                .map(|z| z.timestamp()),
        };
        start.map_or(t, |s| s.as_microsecond().min(t))
    }

    /// The start of the next period after the one starting at `start` (handles DST days of 23/25 hours).
    pub fn next_period(&self, start: Micros, period: Period) -> Micros {
        match period {
            Period::Day => {
                let mut date = self.tz.to_datetime(timestamp(start)).date();
                for _ in 0..3 {
                    let Ok(next) = date.tomorrow() else { break };
                    date = next;
                    if let Ok(s) = self.tz.to_timestamp(DateTime::from(date)) {
                        let s = s.as_microsecond();
                        if s > start {
                            return s;
                        }
                    }
                }
                start.saturating_add(DAY)
            }
            Period::Hour => {
                for k in 1..=3 {
                    let s = self.raw_period_start(start.saturating_add(k * HOUR), Period::Hour);
                    if s > start {
                        return s;
                    }
                }
                start.saturating_add(HOUR)
            }
        }
    }

    /// Writes the period label: `YYYY-MM-DD` for days, `YYYY-MM-DDTHH:00` for hours, in zone `tz`.
    pub fn period_label(&self, start: Micros, period: Period) -> String {
        let dt = self.tz.to_datetime(timestamp(start));
        let mut label = String::with_capacity(16);
        // Writing to a String cannot fail.
        let _ = write!(label, "{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day());
        if period == Period::Hour {
            let _ = write!(label, "T{:02}:00", dt.hour());
        }
        label
    }
}

/// `t` in RFC 3339 in zone `tz`, to the second: `2026-11-05T00:00:00+01:00`
/// (empty for a time out of range).
pub fn rfc3339(t: Micros, tz: &TimeZone) -> String {
    Timestamp::from_microsecond(t)
        .map(|ts| ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_default()
}

/// The date of `t` in zone `tz`: `2026-11-05` (empty for a time out of
/// range).
pub fn date(t: Micros, tz: &TimeZone) -> String {
    Timestamp::from_microsecond(t).map(|ts| ts.to_zoned_datetime(tz.clone()).date().to_string()).unwrap_or_default()
}

/// What a worker needs to read event times: a clock per input (each input
/// has its own year reference) and the window.
#[derive(Clone, Debug)]
pub struct TimeSetup {
    /// One clock per input, in input order.
    pub clocks: Vec<Clock>,
    /// Count only events at or after this time.
    pub since: Option<Micros>,
    /// Count only events before this time.
    pub until: Option<Micros>,
    /// The start of the previous period, when the overview compares the
    /// window with it: events in `[previous, since)` are counted apart
    /// ([`crate::tally::Previous`]), not in any report.
    pub previous: Option<Micros>,
}

impl TimeSetup {
    /// Whether `t`, outside the window, lies in the previous period.
    pub fn in_previous(&self, t: Micros) -> bool {
        matches!((self.previous, self.since), (Some(p), Some(s)) if p <= t && t < s)
    }

    /// Whether `t` is outside the window.
    pub fn outside(&self, t: Micros) -> bool {
        self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u)
    }

    /// Whether there is a window at all.
    pub fn has_window(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

/// Parses a `--since`/`--until` value: RFC 3339 (`2026-11-28T10:00:00Z`, with offset or fraction; also
/// `2026-11-28T10:00:00` or `2026-11-28 10:00` without zone = in `tz`), `YYYY-MM-DD` (midnight in `tz`),
/// `today` (today's midnight in tz), `yesterday`, `now`, and relative `-24h`, `-90m`, `-7d`, `-30s`, `-2w`
/// (relative to `now`). Errors are a short human message saying what forms are accepted.
///
/// Relative days and weeks are fixed spans of 24 hours and 7 × 24 hours,
/// as in systemd's time spans. Civil times in `tz` that fall in a DST gap
/// or fold are resolved like stamps in log lines (see the module docs).
pub fn parse_bound(text: &str, now: Timestamp, tz: &TimeZone) -> Result<Micros, String> {
    let trimmed = text.trim();
    let midnight = |date: Result<Date, jiff::Error>| {
        date.and_then(|date| tz.to_timestamp(DateTime::from(date)))
            .map(Timestamp::as_microsecond)
            .map_err(|_| bound_error(text, "out of range"))
    };
    if trimmed.eq_ignore_ascii_case("now") {
        Ok(now.as_microsecond())
    } else if trimmed.eq_ignore_ascii_case("today") {
        midnight(Ok(tz.to_datetime(now).date()))
    } else if trimmed.eq_ignore_ascii_case("yesterday") {
        midnight(tz.to_datetime(now).date().yesterday())
    } else if let Some(span) = trimmed.strip_prefix('-') {
        let span = relative_span(span.as_bytes()).ok_or_else(|| bound_error(text, "not a relative time"))?;
        now.as_microsecond().checked_sub(span).ok_or_else(|| bound_error(text, "out of range"))
    } else {
        absolute_bound(trimmed.as_bytes(), tz).map_err(|reason| bound_error(text, reason))
    }
}

fn bound_error(text: &str, reason: &str) -> String {
    format!(
        "invalid time {text:?} ({reason}): use RFC 3339 (2026-11-28T10:00:00Z, 2026-11-28T11:00:00.5+01:00), \
         a date or civil time in the --tz zone (2026-11-28, 2026-11-28 10:00, 2026-11-28T10:00:00), \
         today, yesterday, now, or a time before now (-30s, -90m, -24h, -7d, -2w)"
    )
}

/// `N` followed by `s`, `m`, `h`, `d` or `w`, in microseconds.
fn relative_span(text: &[u8]) -> Option<i64> {
    let (&unit, digits) = text.split_last()?;
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut count: i64 = 0;
    for &b in digits {
        count = count * 10 + i64::from(digit(b)?);
    }
    let unit = match unit {
        b's' => SECOND,
        b'm' => MINUTE,
        b'h' => HOUR,
        b'd' => DAY,
        b'w' => WEEK,
        _ => return None,
    };
    count.checked_mul(unit)
}

/// `YYYY-MM-DD`, or `YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH:MM|±HHMM]`.
fn absolute_bound(b: &[u8], tz: &TimeZone) -> Result<Micros, &'static str> {
    const SHAPE: &str = "not a recognized form";
    let date = b.get(..10).ok_or(SHAPE)?;
    if !date.iter().enumerate().all(|(i, &c)| if i == 4 || i == 7 { c == b'-' } else { c.is_ascii_digit() }) {
        return Err(SHAPE);
    }
    let (year, month, day) = ymd(date).ok_or("no such date")?;
    if b.len() == 10 {
        let date = Date::new(year as i16, month as i8, day as i8).map_err(|_| "no such date")?;
        return tz.to_timestamp(DateTime::from(date)).map(Timestamp::as_microsecond).map_err(|_| "out of range");
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err(SHAPE);
    }
    let hour = two(b, 11).ok_or(SHAPE)?;
    if b.get(13) != Some(&b':') {
        return Err(SHAPE);
    }
    let minute = two(b, 14).ok_or(SHAPE)?;
    let (mut second, mut i) = (0, 16);
    if b.get(16) == Some(&b':') {
        second = two(b, 17).ok_or(SHAPE)?;
        i = 19;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("no such time");
    }
    let second = second.min(59);
    let (micro, i) = fraction(b, i).ok_or(SHAPE)?;
    let (zone, i) = rfc3339_zone(b, i).ok_or("bad UTC offset")?;
    if i != b.len() {
        return Err(SHAPE);
    }
    let civil = Civil { year, month, day, hour, minute, second, micro };
    match zone {
        Zone::Fixed(offset) => Ok(civil.local() - offset),
        Zone::Local => {
            let dt = DateTime::new(
                year as i16,
                month as i8,
                day as i8,
                hour as i8,
                minute as i8,
                second as i8,
                micro as i32 * 1000,
            )
            .map_err(|_| "no such time")?;
            tz.to_timestamp(dt).map(Timestamp::as_microsecond).map_err(|_| "out of range")
        }
    }
}

/// A civil date and time, every field range-checked.
#[derive(Clone, Copy, Debug)]
struct Civil {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micro: u32,
}

impl Civil {
    fn from_datetime(dt: DateTime) -> Civil {
        Civil {
            year: i32::from(dt.year()),
            month: dt.month() as u32,
            day: dt.day() as u32,
            hour: dt.hour() as u32,
            minute: dt.minute() as u32,
            second: dt.second() as u32,
            micro: (dt.subsec_nanosecond() / 1000) as u32,
        }
    }

    /// The fields packed into one integer that sorts like the civil time:
    /// year, then 4 bits of month, 5 of day, 5 of hour, 6 of minute, 6 of
    /// second and 20 of microseconds.
    #[inline]
    fn key(self) -> i64 {
        (i64::from(self.year) << 46)
            | i64::from(self.month) << 42
            | i64::from(self.day) << 37
            | i64::from(self.hour) << 32
            | i64::from(self.minute) << 26
            | i64::from(self.second) << 20
            | i64::from(self.micro)
    }

    /// The year, month, day and hour, packed (the top of [`Civil::key`]).
    #[inline]
    fn hour_key(self) -> i64 {
        self.key() >> 32
    }

    /// The year, month and day, packed (the top of [`Civil::key`]).
    #[inline]
    fn date_key(self) -> i64 {
        self.key() >> 37
    }

    /// Microseconds since the start of the hour.
    #[inline]
    fn within_hour(self) -> i64 {
        i64::from(self.minute * 60 + self.second) * SECOND + i64::from(self.micro)
    }

    /// Microseconds since 1970-01-01T00:00 counting this civil time as UTC.
    fn local(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * DAY + i64::from(self.hour) * HOUR + self.within_hour()
    }
}

/// What a stamp says about its zone.
#[derive(Clone, Copy, Debug)]
enum Zone {
    /// None: civil time in the clock's zone.
    Local,
    /// A UTC offset, in microseconds.
    Fixed(i64),
}

/// `t` as a jiff timestamp, clamped to jiff's range.
fn timestamp(t: Micros) -> Timestamp {
    Timestamp::from_microsecond(t).unwrap_or(if t < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// `YYYY-MM-DD?HH:MM:SS[.f]` followed by an RFC 3339 offset (after `T`) or
/// an Exim one (after a space).
#[inline]
fn numeric_stamp(line: &[u8]) -> Option<(Civil, Zone)> {
    let head = line.get(..19)?;
    let (year, month, day) = ymd(&head[..10])?;
    let (hour, minute, second) = hms(&head[11..19])?;
    let (micro, end) = fraction(line, 19)?;
    let (zone, end) = match head[10] {
        b'T' | b't' => rfc3339_zone(line, end)?,
        b' ' => exim_zone(line, end),
        _ => return None,
    };
    if !at_boundary(line, end) {
        return None;
    }
    Some((Civil { year, month, day, hour, minute, second, micro }, zone))
}

/// `Www YYYY-MM-DD HH:MM:SS[.f] ZONE`.
fn short_full_stamp(line: &[u8]) -> Option<(Civil, Zone)> {
    let head = line.get(..23)?;
    if !is_weekday(&head[..3]) || head[3] != b' ' || head[14] != b' ' {
        return None;
    }
    let (year, month, day) = ymd(&head[4..14])?;
    let (hour, minute, second) = hms(&head[15..23])?;
    let (micro, end) = fraction(line, 23)?;
    if line.get(end) != Some(&b' ') {
        return None;
    }
    let rest = &line[end + 1..];
    let len = rest.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(rest.len());
    if len == 0 {
        return None;
    }
    let zone = abbreviation_zone(&rest[..len]);
    Some((Civil { year, month, day, hour, minute, second, micro }, zone))
}

fn abbreviation_zone(abbreviation: &[u8]) -> Zone {
    match abbreviation {
        b"UTC" | b"UT" | b"GMT" | b"Z" => Zone::Fixed(0),
        [sign @ (b'+' | b'-'), ..] => {
            let offset = match abbreviation.len() {
                3 => two(abbreviation, 1).and_then(|h| offset_micros(*sign, h, 0)),
                5 => two(abbreviation, 1).zip(two(abbreviation, 3)).and_then(|(h, m)| offset_micros(*sign, h, m)),
                6 if abbreviation[3] == b':' => {
                    two(abbreviation, 1).zip(two(abbreviation, 4)).and_then(|(h, m)| offset_micros(*sign, h, m))
                }
                _ => None,
            };
            offset.map_or(Zone::Local, Zone::Fixed)
        }
        _ => Zone::Local,
    }
}

/// `Z`, `±HH:MM` or `±HHMM` at `i`; no offset at all is civil time in `tz`.
/// Returns the zone and the index after it.
#[inline]
fn rfc3339_zone(line: &[u8], i: usize) -> Option<(Zone, usize)> {
    match line.get(i) {
        Some(b'Z' | b'z') => Some((Zone::Fixed(0), i + 1)),
        Some(&sign @ (b'+' | b'-')) => {
            let hours = two(line, i + 1)?;
            let (minutes, end) =
                if line.get(i + 3) == Some(&b':') { (two(line, i + 4)?, i + 6) } else { (two(line, i + 3)?, i + 5) };
            Some((Zone::Fixed(offset_micros(sign, hours, minutes)?), end))
        }
        _ => Some((Zone::Local, i)),
    }
}

/// Exim's ` ±HHMM`, only when followed by whitespace or the end.
#[inline]
fn exim_zone(line: &[u8], i: usize) -> (Zone, usize) {
    if line.get(i) == Some(&b' ')
        && let Some(&sign @ (b'+' | b'-')) = line.get(i + 1)
        && at_boundary(line, i + 6)
        && let (Some(hours), Some(minutes)) = (two(line, i + 2), two(line, i + 4))
        && let Some(offset) = offset_micros(sign, hours, minutes)
    {
        (Zone::Fixed(offset), i + 6)
    } else {
        (Zone::Local, i)
    }
}

fn offset_micros(sign: u8, hours: u32, minutes: u32) -> Option<i64> {
    if hours > 25 || minutes > 59 {
        return None;
    }
    let offset = i64::from(hours * 3600 + minutes * 60) * SECOND;
    Some(if sign == b'-' { -offset } else { offset })
}

/// `.` and 1 to 9 digits at `i`, truncated to microseconds; no `.` is 0.
/// Returns the microseconds and the index after the fraction.
#[inline]
fn fraction(line: &[u8], i: usize) -> Option<(u32, usize)> {
    if line.get(i) != Some(&b'.') {
        return Some((0, i));
    }
    if let Some(bytes) = load8(line, i + 1) {
        let values = bytes ^ ZEROS;
        // The first byte that is not a digit ends the fraction.
        let count = (non_digits(values).trailing_zeros() / 8) as usize;
        let mut end = i + 1 + count;
        if count == 0 || count == 8 && is_digit(line, end) && is_digit(line, end + 1) {
            return None;
        }
        if count == 8 && is_digit(line, end) {
            end += 1;
        }
        // The first six digits, as the last six of eight ("00dddddd").
        let kept = values & (u64::MAX >> (64 - 8 * count.min(6)));
        return Some((eight_digits(kept << 16) as u32, end));
    }
    // Fewer than eight bytes left: digit by digit.
    let mut micro = 0;
    let mut count = 0;
    while let Some(d) = line.get(i + 1 + count).and_then(|&b| digit(b)) {
        if count < 6 {
            micro = micro * 10 + d;
        }
        count += 1;
    }
    if count == 0 || count > 9 {
        return None;
    }
    for _ in count..6 {
        micro *= 10;
    }
    Some((micro, i + 1 + count))
}

/// Whether a stamp may end at `i`: the end of the line or whitespace.
#[inline]
fn at_boundary(line: &[u8], i: usize) -> bool {
    matches!(line.get(i), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

// Digits are parsed eight bytes at a time ("SWAR"): a u64 read little-endian
// holds the first byte in its lowest byte; XOR with the expected pattern
// turns each digit into its value 0..=9 and each expected separator into 0.

/// `b"00000000"` as a little-endian u64.
const ZEROS: u64 = u64::from_le_bytes(*b"00000000");

/// The eight bytes at `i`, read little-endian, if the line has them.
#[inline(always)]
fn load8(line: &[u8], i: usize) -> Option<u64> {
    Some(u64::from_le_bytes(line.get(i..i.checked_add(8)?)?.try_into().ok()?))
}

/// The high bit of every byte of `values` that is not 0..=9, the rest 0.
#[inline(always)]
fn non_digits(values: u64) -> u64 {
    // Without the high bits, adding 0x76 sets the high bit exactly from 0x0a
    // up and carries into no other byte; the OR brings back bytes from 0x80.
    ((values & 0x7f7f_7f7f_7f7f_7f7f).wrapping_add(0x7676_7676_7676_7676) | values) & 0x8080_8080_8080_8080
}

/// Each byte `j` becomes `10 × byte j + byte j+1` (bytes must be 0..=9 and
/// the top byte 0): the two-digit numbers that start at each byte.
#[inline(always)]
fn digit_pairs(values: u64) -> u64 {
    values * 10 + (values >> 8)
}

/// The number written by eight digit values, the first in the lowest byte.
#[inline(always)]
fn eight_digits(values: u64) -> u64 {
    let v = ((values & 0x000f_000f_000f_000f) * 10) + ((values >> 8) & 0x000f_000f_000f_000f);
    let v = ((v & 0x0000_00ff_0000_00ff) * 100) + ((v >> 16) & 0x0000_00ff_0000_00ff);
    ((v & 0x0000_0000_0000_ffff) * 10_000) + ((v >> 32) & 0x0000_0000_0000_ffff)
}

/// `YYYY-MM-DD` (exactly 10 bytes), a valid date.
#[inline]
fn ymd(b: &[u8]) -> Option<(i32, u32, u32)> {
    const PATTERN: u64 = u64::from_le_bytes(*b"0000-00-");
    const DASHES: u64 = 0xff00_00ff_0000_0000;
    if b.len() != 10 {
        return None;
    }
    let values = load8(b, 0)? ^ PATTERN;
    if non_digits(values) | (values & DASHES) != 0 {
        return None;
    }
    let pairs = digit_pairs(values);
    let year = ((pairs & 0xff) * 100 + (pairs >> 16 & 0xff)) as i32;
    let month = (pairs >> 40 & 0xff) as u32;
    let day = two(b, 8)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((year, month, day))
}

/// `HH:MM:SS` (exactly 8 bytes), a valid time; second 60 becomes 59.
#[inline]
fn hms(b: &[u8]) -> Option<(u32, u32, u32)> {
    const PATTERN: u64 = u64::from_le_bytes(*b"00:00:00");
    const COLONS: u64 = 0x0000_ff00_00ff_0000;
    if b.len() != 8 {
        return None;
    }
    let values = load8(b, 0)? ^ PATTERN;
    if non_digits(values) | (values & COLONS) != 0 {
        return None;
    }
    let pairs = digit_pairs(values);
    let (hour, minute, second) = ((pairs & 0xff) as u32, (pairs >> 24 & 0xff) as u32, (pairs >> 48 & 0xff) as u32);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour, minute, second.min(59)))
}

/// Whether the byte at `i` is an ASCII digit.
#[inline]
fn is_digit(line: &[u8], i: usize) -> bool {
    line.get(i).is_some_and(u8::is_ascii_digit)
}

#[inline]
fn digit(b: u8) -> Option<u32> {
    let d = b.wrapping_sub(b'0');
    if d < 10 { Some(u32::from(d)) } else { None }
}

/// Two ASCII digits at `i`.
#[inline]
fn two(b: &[u8], i: usize) -> Option<u32> {
    Some(digit(*b.get(i)?)? * 10 + digit(*b.get(i + 1)?)?)
}

/// The month (1–12) named by the first three bytes of `line`.
#[inline]
fn month_number(line: &[u8]) -> Option<u32> {
    Some(match line.get(..3)? {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

fn is_weekday(b: &[u8]) -> bool {
    matches!(b, b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun")
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The longest a month can be in any year.
#[inline]
fn max_days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[inline]
fn days_in_month(year: i32, month: u32) -> u32 {
    if month == 2 && !is_leap_year(year) { 28 } else { max_days_in_month(month) }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date
/// (Howard Hinnant's `days_from_civil`; [`civil_from_days`] is its inverse).
#[inline]
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * if month > 2 { month - 3 } else { month + 9 } + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` days after 1970-01-01
/// (Howard Hinnant's `civil_from_days`, for non-negative days).
pub fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1st
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_dates_in_a_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let t = parse_bound("2026-11-05T00:30:00+01:00", Timestamp::UNIX_EPOCH, &TimeZone::UTC).unwrap();
        assert_eq!(rfc3339(t, &berlin), "2026-11-05T00:30:00+01:00");
        assert_eq!(rfc3339(t, &TimeZone::UTC), "2026-11-04T23:30:00+00:00");
        assert_eq!(date(t, &berlin), "2026-11-05");
        assert_eq!(date(t, &TimeZone::UTC), "2026-11-04");
        assert_eq!((rfc3339(Micros::MAX, &berlin), date(Micros::MAX, &berlin)), (String::new(), String::new()));
    }

    /// The two calendar functions are each other's inverse, day by day
    /// over four centuries (every leap-year rule), and agree with dates
    /// worked out by hand.
    #[test]
    fn civil_days_round_trip() {
        for days in 0..146_097 * 2 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as i32, m as u32, d as u32), days as i64, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_792), (2026, 12, 5));
    }

    /// Europe/Berlin without a tz database (the rules in force since 1996).
    fn berlin() -> TimeZone {
        TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap()
    }

    fn new_york() -> TimeZone {
        TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap()
    }

    /// Lord Howe Island: a 30-minute DST shift at 02:00.
    fn lord_howe() -> TimeZone {
        TimeZone::posix("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0").unwrap()
    }

    fn india() -> TimeZone {
        TimeZone::posix("IST-5:30").unwrap()
    }

    /// An instant written in RFC 3339, through jiff's own parser.
    fn at(text: &str) -> Micros {
        text.parse::<Timestamp>().unwrap().as_microsecond()
    }

    /// A civil time in `tz`, through jiff's own zone conversion (compatible).
    fn civil_in(tz: &TimeZone, text: &str) -> Micros {
        tz.to_timestamp(text.parse::<DateTime>().unwrap()).unwrap().as_microsecond()
    }

    fn clock(tz: TimeZone, reference: &str) -> Clock {
        Clock::new(tz, reference.parse().unwrap())
    }

    const REFERENCE: &str = "2026-11-29T10:00:00Z";

    #[test]
    fn shapes_in_utc() {
        let cases: &[(&str, Option<&str>)] = &[
            // BSD syslog
            ("Nov 29 06:55:19 host postfix/smtp[1]: x", Some("2026-11-29T06:55:19Z")),
            ("Nov  9 06:55:19 host postfix/smtp[1]: x", Some("2026-11-09T06:55:19Z")),
            ("Nov 9 06:55:19 host postfix/smtp[1]: x", Some("2026-11-09T06:55:19Z")),
            ("Nov 09 06:55:19 host", Some("2026-11-09T06:55:19Z")),
            ("Nov 29 06:55:19", Some("2026-11-29T06:55:19Z")),
            ("Nov 29 06:55:19\r", Some("2026-11-29T06:55:19Z")),
            ("Nov 29 06:55:19\thost", Some("2026-11-29T06:55:19Z")),
            ("Jan  1 00:00:00 h", Some("2026-01-01T00:00:00Z")),
            ("Jun 30 23:59:60 h", Some("2026-06-30T23:59:59Z")),
            // journald short-precise
            ("Nov 29 06:55:19.123456 host", Some("2026-11-29T06:55:19.123456Z")),
            ("Nov 29 06:55:19.1 host", Some("2026-11-29T06:55:19.1Z")),
            ("Nov 29 06:55:19.123456789 host", Some("2026-11-29T06:55:19.123456Z")),
            ("Nov 29 06:55:19.1234567890 host", None),
            ("Nov 29 06:55:19. host", None),
            ("Nov 29 06:55:19.", None),
            ("Nov 29 06:55:19.5", Some("2026-11-29T06:55:19.5Z")),
            ("Nov 29 06:55:19.123456", Some("2026-11-29T06:55:19.123456Z")),
            ("Nov 29 06:55:19.12345678", Some("2026-11-29T06:55:19.123456Z")),
            ("Nov 29 06:55:19.12345678 h", Some("2026-11-29T06:55:19.123456Z")),
            ("Nov 29 06:55:19.123456789", Some("2026-11-29T06:55:19.123456Z")),
            ("Nov 29 06:55:19.1234567890", None),
            ("Nov 29 06:55:19.000001 h", Some("2026-11-29T06:55:19.000001Z")),
            ("Nov 29 06:55:19.999999999 h", Some("2026-11-29T06:55:19.999999Z")),
            ("Nov 29 06:55:19.12x host", None),
            // RFC 3339
            ("2026-11-29T06:55:19.123456+01:00 host", Some("2026-11-29T05:55:19.123456Z")),
            ("2026-11-29T06:55:19Z host", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29t06:55:19z host", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29T06:55:19+0100 host", Some("2026-11-29T05:55:19Z")),
            ("2026-11-29T06:55:19.5-0000 host", Some("2026-11-29T06:55:19.5Z")),
            ("2026-11-29T06:55:19.123456789-05:30 host", Some("2026-11-29T12:25:19.123456Z")),
            ("2026-11-29T06:55:19.123-12:00", Some("2026-11-29T18:55:19.123Z")),
            ("2023-03-14T00:00:31.185246+01:00 helga postfix/smtpd[1]: x", Some("2023-03-13T23:00:31.185246Z")),
            ("2026-11-29T06:55:19 host", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29T06:55:19+01 host", None),
            ("2026-11-29T06:55:19+01:0 host", None),
            ("2026-11-29T06:55:19+26:00 host", None),
            ("2026-11-29T06:55:19+01:60 host", None),
            ("2026-11-29T06:55:19+01:00host", None),
            ("2026-11-29T06:55:19Zhost", None),
            // Exim
            ("2026-11-29 06:55:19 1abcde-000001-AB => x@y R=r T=t", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29 06:55:19.123 1abcde-000001-AB => x", Some("2026-11-29T06:55:19.123Z")),
            ("2026-11-29 06:55:19.123 +0100 1abcde-000001-AB => x", Some("2026-11-29T05:55:19.123Z")),
            ("2026-11-29 06:55:19 -0500 1abcde-000001-AB => x", Some("2026-11-29T11:55:19Z")),
            ("2026-11-29 06:55:19 +0100", Some("2026-11-29T05:55:19Z")),
            ("2026-11-29 06:55:19 +01001 x", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29 06:55:19 +0100x", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29 06:55:19 +2600 x", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29 06:55:19 123456-000001-AB => x", Some("2026-11-29T06:55:19Z")),
            ("2026-11-29 06:55:19 [8003] 1abcde-000001-AB => x", Some("2026-11-29T06:55:19Z")),
            ("2016-04-01 11:08:00 info exim[8003]: [8003] x", Some("2016-04-01T11:08:00Z")),
            ("1999-03-02 09:44:33 10HmaX-000000005vi-0000 => one@remote", Some("1999-03-02T09:44:33Z")),
            ("2024-02-29 12:00:00 x", Some("2024-02-29T12:00:00Z")),
            ("2026-11-29 06:55:19", Some("2026-11-29T06:55:19Z")),
            ("2026-02-29 12:00:00 x", None),
            ("2026-13-01 12:00:00 x", None),
            ("2026-00-01 12:00:00 x", None),
            ("2026-11-00 12:00:00 x", None),
            ("2026-11-31 12:00:00 x", None),
            ("2026-11-29 24:00:00 x", None),
            ("2026-11-29 13:61:00 x", None),
            ("2026-11-29 13:00:61 x", None),
            ("2026-11-29 06:55:190 x", None),
            ("2026-11-29 06:55 x", None),
            ("2026-11-29_06:55:19 x", None),
            ("2026/11/29 06:55:19 x", None),
            // journald short-full
            ("Sun 2026-11-29 06:55:19 UTC host", Some("2026-11-29T06:55:19Z")),
            ("Sun 2026-11-29 06:55:19 GMT host", Some("2026-11-29T06:55:19Z")),
            ("Sun 2026-11-29 06:55:19 Z host", Some("2026-11-29T06:55:19Z")),
            ("Sun 2026-11-29 06:55:19 +04 host", Some("2026-11-29T02:55:19Z")),
            ("Sun 2026-11-29 06:55:19 -0330 host", Some("2026-11-29T10:25:19Z")),
            ("Sun 2026-11-29 06:55:19 +05:30 host", Some("2026-11-29T01:25:19Z")),
            ("Sun 2026-11-29 06:55:19 UTC", Some("2026-11-29T06:55:19Z")),
            ("Sun 2026-11-29 06:55:19.25 UTC host", Some("2026-11-29T06:55:19.25Z")),
            ("Mon 2026-11-29 06:55:19 UTC host", Some("2026-11-29T06:55:19Z")),
            ("Sun 2026-11-29 06:55:19", None),
            ("Sun 2026-11-29 06:55:19 ", None),
            ("Sun 2026-11-29 06:55:19  UTC", None),
            ("Xyz 2026-11-29 06:55:19 UTC host", None),
            ("Sun 2026-11-29T06:55:19 UTC host", None),
            ("Sun 2026-02-30 06:55:19 UTC host", None),
            // not stamps
            ("", None),
            ("foo", None),
            ("N", None),
            ("Nov", None),
            ("Nov 29 06:5", None),
            ("Nov 29 06:55:1", None),
            ("Nov 29 06:55:19x", None),
            ("Nov 29 25:00:00 h", None),
            ("Nov 29 13:61:00 h", None),
            ("Feb 30 12:00:00 h", None),
            ("Apr 31 12:00:00 h", None),
            ("Nov 00 12:00:00 h", None),
            ("Nov 32 12:00:00 h", None),
            ("Nov   9 12:00:00 h", None),
            ("Nov 9  12:00:00 h", None),
            ("nov 29 06:55:19 h", None),
            ("NOV 29 06:55:19 h", None),
            ("Nov-29 06:55:19 h", None),
            (" Nov 29 06:55:19 h", None),
            ("%(day)s 11:03:18 server postfix/smtp[30639]: x", None),
            ("mail.example.com exim[3751842]: 2021-07-17 23:20:49 x", None),
            ("550 Don't like that sender", None),
            ("******** SERVER ********", None),
            ("2026", None),
            ("2026-11-29", None),
            ("2026-11-29 ", None),
        ];
        let mut clock = clock(TimeZone::UTC, REFERENCE);
        for &(line, expected) in cases {
            assert_eq!(clock.line_time(line.as_bytes()), expected.map(at), "{line:?}");
            // The same answer from a clock with nothing cached.
            assert_eq!(
                super::tests::clock(TimeZone::UTC, REFERENCE).line_time(line.as_bytes()),
                expected.map(at),
                "{line:?} (fresh clock)"
            );
        }
    }

    #[test]
    fn shapes_in_a_zone() {
        let tz = berlin();
        // (line, expected instant)
        let cases: &[(&str, Option<&str>)] = &[
            ("Nov 29 06:55:19 host", Some("2026-11-29T05:55:19Z")),
            ("Nov 29 06:55:19.123456 host", Some("2026-11-29T05:55:19.123456Z")),
            ("Jun 29 16:04:19 server exim[1234]: x", Some("2026-06-29T14:04:19Z")),
            ("2026-11-29 06:55:19 1abcde-000001-AB => x", Some("2026-11-29T05:55:19Z")),
            ("2026-06-29 06:55:19.123 1abcde-000001-AB => x", Some("2026-06-29T04:55:19.123Z")),
            // An explicit offset wins over the zone.
            ("2026-06-29 06:55:19.123 -0500 1abcde-000001-AB => x", Some("2026-06-29T11:55:19.123Z")),
            ("2026-06-29T06:55:19.123456+01:00 host", Some("2026-06-29T05:55:19.123456Z")),
            ("2026-06-29T06:55:19Z host", Some("2026-06-29T06:55:19Z")),
            ("2026-06-29T06:55:19 host", Some("2026-06-29T04:55:19Z")),
            // short-full: UTC is UTC, a name is civil time in the zone.
            ("Sun 2026-11-29 06:55:19 UTC host", Some("2026-11-29T06:55:19Z")),
            ("Sun 2026-11-29 06:55:19 CET host", Some("2026-11-29T05:55:19Z")),
            ("Mon 2026-06-29 06:55:19 CEST host", Some("2026-06-29T04:55:19Z")),
            ("Sun 2026-11-29 06:55:19 EST host", Some("2026-11-29T05:55:19Z")),
            ("Sun 2026-11-29 06:55:19 +0530 host", Some("2026-11-29T01:25:19Z")),
            // DST gap (02:00 → 03:00 CEST): the later offset.
            ("Mar 29 02:30:00 host", Some("2026-03-29T01:30:00Z")),
            ("2026-03-29 02:30:00 x", Some("2026-03-29T01:30:00Z")),
            ("Sun 2026-03-29 02:30:00 CET x", Some("2026-03-29T01:30:00Z")),
            ("Mar 29 01:59:59 host", Some("2026-03-29T00:59:59Z")),
            ("Mar 29 03:00:00 host", Some("2026-03-29T01:00:00Z")),
            // DST fold (03:00 CEST → 02:00 CET): the earlier offset.
            ("Oct 25 02:30:00 host", Some("2026-10-25T00:30:00Z")),
            ("2026-10-25 02:30:00 x", Some("2026-10-25T00:30:00Z")),
            ("Oct 25 01:59:59 host", Some("2026-10-24T23:59:59Z")),
            ("Oct 25 03:00:00 host", Some("2026-10-25T02:00:00Z")),
            // RFC 3339 in the fold is exact.
            ("2026-10-25T02:30:00+01:00 host", Some("2026-10-25T01:30:00Z")),
        ];
        for &(line, expected) in cases {
            let mut clock = clock(tz.clone(), REFERENCE);
            assert_eq!(clock.line_time(line.as_bytes()), expected.map(at), "{line:?}");
        }
        // The same through one clock, in order and reversed (cache reuse).
        let mut clock = clock(tz.clone(), REFERENCE);
        for &(line, expected) in cases.iter().chain(cases.iter().rev()) {
            assert_eq!(clock.line_time(line.as_bytes()), expected.map(at), "{line:?} (shared clock)");
        }
    }

    #[test]
    fn posix_berlin_matches_the_tz_database() {
        let Ok(database) = TimeZone::get("Europe/Berlin") else {
            eprintln!("no tz database here; skipped");
            return;
        };
        let mut ours = clock(berlin(), REFERENCE);
        let mut theirs = clock(database, REFERENCE);
        for line in ["Mar 29 02:30:00 h", "Oct 25 02:30:00 h", "Nov 29 06:55:19 h", "Jun 29 16:04:19 h"] {
            assert_eq!(ours.line_time(line.as_bytes()), theirs.line_time(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn bsd_year_inference() {
        // (zone, reference, line, expected civil time in the zone)
        let cases: &[(TimeZone, &str, &str, Option<&str>)] = &[
            (TimeZone::UTC, "2026-01-15T12:00:00Z", "Dec 31 23:59:59 h", Some("2025-12-31T23:59:59")),
            (TimeZone::UTC, "2026-01-15T12:00:00Z", "Jan 15 06:00:00 h", Some("2026-01-15T06:00:00")),
            (TimeZone::UTC, "2026-01-15T12:00:00Z", "Jan 16 11:59:59 h", Some("2026-01-16T11:59:59")),
            (TimeZone::UTC, "2026-01-15T12:00:00Z", "Jan 16 12:00:00 h", Some("2026-01-16T12:00:00")),
            (TimeZone::UTC, "2026-01-15T12:00:00Z", "Jan 16 12:00:00.000001 h", Some("2025-01-16T12:00:00.000001")),
            (TimeZone::UTC, "2026-01-15T12:00:00Z", "Jan 16 12:00:01 h", Some("2025-01-16T12:00:01")),
            (TimeZone::UTC, "2026-11-29T10:00:00Z", "Nov 29 06:55:19 h", Some("2026-11-29T06:55:19")),
            (TimeZone::UTC, "2026-11-29T10:00:00Z", "Nov 30 09:59:59 h", Some("2026-11-30T09:59:59")),
            (TimeZone::UTC, "2026-11-29T10:00:00Z", "Nov 30 12:00:00 h", Some("2025-11-30T12:00:00")),
            (TimeZone::UTC, "2026-11-29T10:00:00Z", "Dec  1 00:00:00 h", Some("2025-12-01T00:00:00")),
            (TimeZone::UTC, "2026-11-29T10:00:00Z", "Jan  1 00:00:00 h", Some("2026-01-01T00:00:00")),
            // The reference's year is its civil year in the zone: in Berlin
            // 2026-12-31T23:30Z is already 2027.
            (berlin(), "2026-12-31T23:30:00Z", "Jan  1 00:10:00 h", Some("2027-01-01T00:10:00")),
            (berlin(), "2026-12-31T23:30:00Z", "Dec 31 23:00:00 h", Some("2026-12-31T23:00:00")),
            (TimeZone::UTC, "2026-12-31T23:30:00Z", "Jan  1 00:10:00 h", Some("2026-01-01T00:10:00")),
            // The cut-off is compared in the zone's civil time.
            (berlin(), "2026-11-29T10:00:00Z", "Nov 30 11:00:00 h", Some("2026-11-30T11:00:00")),
            (berlin(), "2026-11-29T10:00:00Z", "Nov 30 11:00:01 h", Some("2025-11-30T11:00:01")),
            // Feb 29: the most recent leap year not after the cut-off.
            (TimeZone::UTC, "2026-06-01T00:00:00Z", "Feb 29 10:00:00 h", Some("2024-02-29T10:00:00")),
            (TimeZone::UTC, "2024-03-10T00:00:00Z", "Feb 29 10:00:00 h", Some("2024-02-29T10:00:00")),
            (TimeZone::UTC, "2024-02-28T09:00:00Z", "Feb 29 10:00:00 h", Some("2020-02-29T10:00:00")),
            (TimeZone::UTC, "2024-02-28T11:00:00Z", "Feb 29 10:00:00 h", Some("2024-02-29T10:00:00")),
            (TimeZone::UTC, "2025-01-10T00:00:00Z", "Feb 29 10:00:00 h", Some("2024-02-29T10:00:00")),
            (TimeZone::UTC, "2101-06-01T00:00:00Z", "Feb 29 10:00:00 h", Some("2096-02-29T10:00:00")),
            (TimeZone::UTC, "2026-06-01T00:00:00Z", "Feb 28 10:00:00 h", Some("2026-02-28T10:00:00")),
            (TimeZone::UTC, "2026-06-01T00:00:00Z", "Feb 30 10:00:00 h", None),
        ];
        for (tz, reference, line, expected) in cases {
            let mut clock = clock(tz.clone(), reference);
            let expected = expected.map(|civil| civil_in(tz, civil));
            assert_eq!(clock.line_time(line.as_bytes()), expected, "{line:?} against {reference}");
        }
    }

    #[test]
    fn with_reference_changes_only_the_year() {
        let mut november = clock(berlin(), "2026-11-29T10:00:00Z");
        let line = b"Dec 31 23:59:59 h";
        assert_eq!(november.line_time(line), Some(civil_in(&berlin(), "2025-12-31T23:59:59")));
        let mut january = november.with_reference("2027-01-02T00:00:00Z".parse().unwrap());
        assert_eq!(january.line_time(line), Some(civil_in(&berlin(), "2026-12-31T23:59:59")));
        assert_eq!(november.line_time(line), Some(civil_in(&berlin(), "2025-12-31T23:59:59")));
        assert_eq!(january.tz(), november.tz());
    }

    /// Every minute (and a few seconds) around each transition, through one
    /// clock in order, one clock jumping between days, and jiff directly.
    #[test]
    fn cache_agrees_with_jiff_around_transitions() {
        let zones = [
            (berlin(), ["2026-03-29", "2026-10-25"]),
            (new_york(), ["2026-03-08", "2026-11-01"]),
            (lord_howe(), ["2026-10-04", "2026-04-05"]),
            (india(), ["2026-03-29", "2026-10-25"]),
            (TimeZone::UTC, ["2026-03-29", "2026-10-25"]),
        ];
        for (tz, days) in zones {
            let mut in_order = clock(tz.clone(), REFERENCE);
            let mut jumping = clock(tz.clone(), REFERENCE);
            for minute in 0..24 * 60 {
                for second in [0, 1, 59] {
                    for (index, day) in days.iter().enumerate() {
                        let civil = format!("{day}T{:02}:{:02}:{second:02}", minute / 60, minute % 60);
                        let expected = Some(civil_in(&tz, &civil));
                        let exim = format!("{day} {:02}:{:02}:{second:02} x", minute / 60, minute % 60);
                        assert_eq!(jumping.line_time(exim.as_bytes()), expected, "{exim:?} in {tz:?}");
                        if index == 0 {
                            assert_eq!(in_order.line_time(exim.as_bytes()), expected, "{exim:?} in {tz:?}");
                        }
                        let fresh = clock(tz.clone(), REFERENCE).line_time(exim.as_bytes());
                        assert_eq!(fresh, expected, "{exim:?} in {tz:?} (fresh)");
                    }
                }
            }
        }
    }

    #[test]
    fn cache_is_not_used_across_a_transition_hour() {
        let mut clock = clock(berlin(), REFERENCE);
        // Fold hour: 02:xx CEST then 02:xx CET. Compatible means the first.
        let lines = [
            ("Oct 25 01:59:00 h", "2026-10-24T23:59:00Z"),
            ("Oct 25 02:00:00 h", "2026-10-25T00:00:00Z"),
            ("Oct 25 02:59:59 h", "2026-10-25T00:59:59Z"),
            ("Oct 25 03:00:00 h", "2026-10-25T02:00:00Z"),
            ("Oct 25 02:10:00 h", "2026-10-25T00:10:00Z"),
            ("Oct 25 03:10:00 h", "2026-10-25T02:10:00Z"),
            // Gap hour: 02:xx does not exist.
            ("Mar 29 01:59:00 h", "2026-03-29T00:59:00Z"),
            ("Mar 29 02:00:00 h", "2026-03-29T01:00:00Z"),
            ("Mar 29 02:59:59 h", "2026-03-29T01:59:59Z"),
            ("Mar 29 03:00:00 h", "2026-03-29T01:00:00Z"),
            ("Mar 29 01:00:00 h", "2026-03-29T00:00:00Z"),
        ];
        for (line, expected) in lines {
            assert_eq!(clock.line_time(line.as_bytes()), Some(at(expected)), "{line:?}");
        }
    }

    #[test]
    fn periods() {
        let tz = berlin();
        // (period, instant, start, next start, label)
        let cases = [
            (Period::Day, "2026-11-29T05:55:19Z", "2026-11-28T23:00:00Z", "2026-11-29T23:00:00Z", "2026-11-29"),
            (Period::Day, "2026-11-28T23:00:00Z", "2026-11-28T23:00:00Z", "2026-11-29T23:00:00Z", "2026-11-29"),
            (Period::Day, "2026-11-28T22:59:59.999999Z", "2026-11-27T23:00:00Z", "2026-11-28T23:00:00Z", "2026-11-28"),
            (Period::Day, "2026-06-29T12:00:00Z", "2026-06-28T22:00:00Z", "2026-06-29T22:00:00Z", "2026-06-29"),
            // 23-hour day
            (Period::Day, "2026-03-29T12:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-29"),
            // 25-hour day
            (Period::Day, "2026-10-25T12:00:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", "2026-10-25"),
            (Period::Day, "2026-10-25T00:30:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", "2026-10-25"),
            (Period::Day, "2026-10-25T01:30:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", "2026-10-25"),
            (Period::Hour, "2026-11-29T05:55:19Z", "2026-11-29T05:00:00Z", "2026-11-29T06:00:00Z", "2026-11-29T06:00"),
            (Period::Hour, "2026-11-29T22:59:59Z", "2026-11-29T22:00:00Z", "2026-11-29T23:00:00Z", "2026-11-29T23:00"),
            // Gap: 01:xx CET is followed by 03:xx CEST.
            (Period::Hour, "2026-03-29T00:30:00Z", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:00"),
            (Period::Hour, "2026-03-29T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z", "2026-03-29T03:00"),
            // Fold: 02:xx CEST, then 02:xx CET, two periods with one label.
            (Period::Hour, "2026-10-25T00:30:00Z", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00"),
            (Period::Hour, "2026-10-25T01:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:00"),
            (Period::Hour, "2026-10-25T02:30:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z", "2026-10-25T03:00"),
        ];
        let mut shared = clock(tz.clone(), REFERENCE);
        for (period, t, start, next, label) in cases {
            for clock in [&mut clock(tz.clone(), REFERENCE), &mut shared] {
                let s = clock.period_start(at(t), period);
                assert_eq!(s, at(start), "{period:?} start of {t}");
                assert_eq!(clock.period_start(at(t), period), at(start), "{period:?} start of {t} (cached)");
                assert_eq!(clock.next_period(s, period), at(next), "{period:?} after {start}");
                assert_eq!(clock.period_label(s, period), label, "{period:?} label of {start}");
            }
        }
        // Day lengths.
        let mut clock = clock(tz, REFERENCE);
        for (day, hours) in [("2026-03-29T12:00:00Z", 23), ("2026-10-25T12:00:00Z", 25), ("2026-11-29T12:00:00Z", 24)] {
            let start = clock.period_start(at(day), Period::Day);
            assert_eq!(clock.next_period(start, Period::Day) - start, hours * HOUR, "{day}");
        }
    }

    #[test]
    fn period_labels_in_utc() {
        let clock = clock(TimeZone::UTC, REFERENCE);
        assert_eq!(clock.period_label(at("2026-01-05T07:00:00Z"), Period::Day), "2026-01-05");
        assert_eq!(clock.period_label(at("2026-01-05T07:00:00Z"), Period::Hour), "2026-01-05T07:00");
        assert_eq!(clock.period_label(0, Period::Hour), "1970-01-01T00:00");
    }

    /// Periods tile time: each instant lies in exactly one, in order, in
    /// every zone, and cached answers equal fresh ones.
    #[test]
    fn periods_tile_time() {
        for tz in [berlin(), new_york(), lord_howe(), india(), TimeZone::UTC] {
            for period in [Period::Day, Period::Hour] {
                for window in ["2026-03-26T00:00:00Z", "2026-10-01T00:00:00Z", "2026-04-02T00:00:00Z"] {
                    let mut shared = clock(tz.clone(), REFERENCE);
                    let mut last_start = Micros::MIN;
                    let begin = at(window);
                    for step in 0..(10 * 24 * 4) {
                        let t = begin + step * 15 * MINUTE + 7 * SECOND;
                        let start = shared.period_start(t, period);
                        let fresh = clock(tz.clone(), REFERENCE).period_start(t, period);
                        assert_eq!(start, fresh, "{tz:?} {period:?} {t}");
                        let next = shared.next_period(start, period);
                        assert!(start <= t && t < next, "{tz:?} {period:?} {t}: [{start}, {next})");
                        assert!(start >= last_start, "{tz:?} {period:?} {t}: went back");
                        if start != last_start && last_start != Micros::MIN {
                            assert_eq!(shared.next_period(last_start, period), start, "{tz:?} {period:?} gap");
                        }
                        assert_eq!(shared.period_start(next, period), next, "{tz:?} {period:?} {next}");
                        last_start = start;
                    }
                }
            }
        }
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let mut clock = clock(berlin(), REFERENCE);
        for t in [Micros::MIN, Micros::MIN + 1, -1, 0, 1, Micros::MAX - 1, Micros::MAX] {
            for period in [Period::Day, Period::Hour] {
                let start = clock.period_start(t, period);
                assert!(start <= t);
                let _ = clock.next_period(start, period);
                let _ = clock.next_period(t, period);
                let _ = clock.period_label(t, period);
            }
        }
        let _ = Clock::new(berlin(), Timestamp::MAX).line_time(b"Feb 29 00:00:00");
        let _ = Clock::new(berlin(), Timestamp::MIN).line_time(b"Feb 29 00:00:00");
        let _ = Clock::new(berlin(), Timestamp::MIN).line_time(b"Jan  1 00:00:00");
    }

    #[test]
    fn bounds() {
        let tz = berlin();
        let now: Timestamp = "2026-11-29T10:30:00Z".parse().unwrap();
        let n = now.as_microsecond();
        let cases: &[(&str, Micros)] = &[
            ("2026-11-28T10:00:00Z", at("2026-11-28T10:00:00Z")),
            ("2026-11-28T10:00:00+01:00", at("2026-11-28T09:00:00Z")),
            ("2026-11-28T10:00:00-0530", at("2026-11-28T15:30:00Z")),
            ("2026-11-28T10:00:00.5Z", at("2026-11-28T10:00:00.5Z")),
            ("2026-11-28t10:00:00.123456789z", at("2026-11-28T10:00:00.123456Z")),
            ("2026-11-28T10:00Z", at("2026-11-28T10:00:00Z")),
            ("2026-11-28T10:00:00", at("2026-11-28T09:00:00Z")),
            ("2026-11-28 10:00", at("2026-11-28T09:00:00Z")),
            ("2026-11-28 10:00:30", at("2026-11-28T09:00:30Z")),
            ("2026-06-28 10:00", at("2026-06-28T08:00:00Z")),
            ("2026-11-28", at("2026-11-27T23:00:00Z")),
            ("2026-03-29 02:30", at("2026-03-29T01:30:00Z")),
            ("2026-10-25 02:30", at("2026-10-25T00:30:00Z")),
            ("today", at("2026-11-28T23:00:00Z")),
            ("Today", at("2026-11-28T23:00:00Z")),
            ("yesterday", at("2026-11-27T23:00:00Z")),
            ("now", n),
            (" NOW ", n),
            ("-24h", n - 24 * HOUR),
            ("-90m", n - 90 * MINUTE),
            ("-7d", n - 7 * DAY),
            ("-30s", n - 30 * SECOND),
            ("-2w", n - 14 * DAY),
            ("-0s", n),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_bound(text, now, &tz), Ok(expected), "{text:?}");
        }
        // `today` just after midnight in Berlin, before midnight in UTC.
        let late: Timestamp = "2026-11-28T23:30:00Z".parse().unwrap();
        assert_eq!(parse_bound("today", late, &tz), Ok(at("2026-11-28T23:00:00Z")));
        assert_eq!(parse_bound("today", late, &TimeZone::UTC), Ok(at("2026-11-28T00:00:00Z")));
        // 23-hour day: yesterday's midnight is 23 hours before today's.
        let after: Timestamp = "2026-03-30T12:00:00Z".parse().unwrap();
        assert_eq!(parse_bound("yesterday", after, &tz), Ok(at("2026-03-28T23:00:00Z")));

        let bad = [
            "",
            " ",
            "tomorrow",
            "yesterday2",
            "2026-11-28T",
            "2026-11-28T10",
            "2026-11-28T10:0",
            "2026-11-28X10:00",
            "2026-02-30",
            "2026-13-01",
            "2026-11-28T25:00",
            "2026-11-28T10:60",
            "2026-11-28T10:00:00+26:00",
            "2026-11-28T10:00:00+01",
            "2026-11-28T10:00:00Zjunk",
            "2026-11-28T10:00:00.Z",
            "26-11-28",
            "2026/11/28",
            "-24",
            "-h",
            "-24y",
            "-24H",
            "--24h",
            "-2.5h",
            "24h",
            "+24h",
            "-99999999999999999999h",
            "-999999999999999999h",
        ];
        for text in bad {
            let error = parse_bound(text, now, &tz).expect_err(text);
            assert!(error.contains("RFC 3339") && error.contains("-24h"), "{text:?}: {error}");
        }
        assert!(parse_bound("2026-02-30", now, &tz).unwrap_err().contains("no such date"));
        assert!(parse_bound("2026-11-28T25:00", now, &tz).unwrap_err().contains("no such time"));
    }

    fn naive_two(b: &[u8], i: usize) -> Option<u32> {
        let (a, c) = (*b.get(i)?, *b.get(i + 1)?);
        (a.is_ascii_digit() && c.is_ascii_digit()).then(|| u32::from(a - b'0') * 10 + u32::from(c - b'0'))
    }

    fn naive_hms(b: &[u8]) -> Option<(u32, u32, u32)> {
        if b.len() != 8 || b[2] != b':' || b[5] != b':' {
            return None;
        }
        let (h, m, s) = (naive_two(b, 0)?, naive_two(b, 3)?, naive_two(b, 6)?);
        (h < 24 && m < 60 && s <= 60).then_some((h, m, s.min(59)))
    }

    fn naive_ymd(b: &[u8]) -> Option<(i32, u32, u32)> {
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = (naive_two(b, 0)? * 100 + naive_two(b, 2)?) as i32;
        let (month, day) = (naive_two(b, 5)?, naive_two(b, 8)?);
        Date::new(year as i16, month as i8, day as i8).ok().map(|_| (year, month, day))
    }

    fn naive_fraction(b: &[u8], i: usize) -> Option<(u32, usize)> {
        if b.get(i) != Some(&b'.') {
            return Some((0, i));
        }
        let digits: Vec<u8> = b[i + 1..].iter().copied().take_while(u8::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        let mut padded = digits.clone();
        padded.resize(9, b'0');
        let micro = std::str::from_utf8(&padded[..6]).unwrap().parse().unwrap();
        Some((micro, i + 1 + digits.len()))
    }

    /// The eight-bytes-at-a-time parsers against obvious ones, on every
    /// single-byte change of valid input and on random digit-heavy input.
    #[test]
    fn swar_parsers_match_naive_ones() {
        let mut random = Random(7);
        let alphabet = b"0123456789:-. \x00\x7f\x80\xb0\xff/;";
        let check = |b: &[u8]| {
            if b.len() >= 8 {
                assert_eq!(hms(&b[..8]), naive_hms(&b[..8]), "{:?}", String::from_utf8_lossy(b));
            }
            if b.len() >= 10 {
                assert_eq!(ymd(&b[..10]), naive_ymd(&b[..10]), "{:?}", String::from_utf8_lossy(b));
            }
            for end in 0..=b.len() {
                assert_eq!(fraction(&b[..end], 0), naive_fraction(&b[..end], 0), "{:?}", String::from_utf8_lossy(b));
            }
        };
        for valid in ["23:59:60", "00:00:00", "2024-02-29", "2026-12-31", ".123456789 ", ".12345678", ".1 x"] {
            for at in 0..valid.len() {
                for byte in 0..=255u8 {
                    let mut b = valid.as_bytes().to_vec();
                    b[at] = byte;
                    check(&b);
                }
            }
        }
        for _ in 0..200_000 {
            let len = (random.next() % 14) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| alphabet[(random.next() as usize) % alphabet.len()]).collect();
            if random.next() & 1 == 0 && !b.is_empty() {
                b[0] = b'.';
            }
            check(&b);
        }
        for h in 0..100 {
            for m in [0, 9, 10, 59, 60, 99] {
                for s in [0, 59, 60, 61, 99] {
                    check(format!("{h:02}:{m:02}:{s:02}").as_bytes());
                }
            }
        }
        for y in [0, 1, 99, 100, 1900, 1999, 2000, 2024, 2026, 2100, 9999] {
            for m in 0..=13 {
                for d in 0..=32 {
                    check(format!("{y:04}-{m:02}-{d:02}").as_bytes());
                }
            }
        }
    }

    /// A small deterministic generator (SplitMix64).
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn no_input_panics() {
        let samples = [
            "Nov 29 06:55:19 host",
            "Nov  9 06:55:19.123456 host",
            "Nov 9 06:55:19 host",
            "Feb 29 06:55:19 host",
            "2026-11-29T06:55:19.123456+01:00 host",
            "2026-11-29T06:55:19+0100 host",
            "2026-11-29T06:55:19Z",
            "2026-11-29 06:55:19.123 +0100 1abcde-000001-AB => x",
            "Sun 2026-11-29 06:55:19 UTC host",
            "Sun 2026-11-29 06:55:19 -0330 host",
        ];
        let alphabet = b"0123456789 :.-+TZzNovFebSun\t\xff";
        let mut random = Random(1);
        for tz in [berlin(), lord_howe(), TimeZone::UTC] {
            let references =
                [at("2026-01-01T00:00:00Z"), at("2024-02-28T00:00:00Z"), Micros::MIN, Micros::MAX].map(timestamp);
            for reference in references {
                let mut clock = Clock::new(tz.clone(), reference);
                for sample in samples {
                    let bytes = sample.as_bytes();
                    for end in 0..=bytes.len() {
                        let _ = clock.line_time(&bytes[..end]);
                        let _ = parse_bound(&sample[..end], Timestamp::UNIX_EPOCH, &tz);
                    }
                    for _ in 0..2000 {
                        let mut mutated = bytes.to_vec();
                        for _ in 0..1 + random.next() % 3 {
                            let at = (random.next() as usize) % mutated.len();
                            mutated[at] = alphabet[(random.next() as usize) % alphabet.len()];
                        }
                        let end = (random.next() as usize) % (mutated.len() + 1);
                        let _ = clock.line_time(&mutated[..end]);
                        let _ = parse_bound(&String::from_utf8_lossy(&mutated[..end]), Timestamp::UNIX_EPOCH, &tz);
                    }
                }
                for _ in 0..20_000 {
                    let len = (random.next() % 40) as usize;
                    let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
                    let _ = clock.line_time(&bytes);
                }
            }
        }
    }

    /// Ad-hoc timing: `cargo test --release --lib time::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        use std::hint::black_box;
        use std::time::Instant;

        let lines: Vec<Vec<u8>> = (0..1000)
            .map(|i| {
                let (m, s) = (i / 60 % 60, i % 60);
                format!("Nov 29 06:{m:02}:{s:02} mail postfix/smtp[1234]: 732BB407C3: to=<a@b.c>, status=sent")
                    .into_bytes()
            })
            .collect();
        let shapes: [(&str, &[u8]); 5] = [
            ("BSD", b"Nov 29 06:55:19 mail postfix/smtp[1234]: x"),
            ("short-precise", b"Nov 29 06:55:19.123456 mail postfix/smtp[1234]: x"),
            ("RFC 3339", b"2026-11-29T06:55:19.123456+01:00 mail postfix/smtp[1234]: x"),
            ("Exim", b"2026-11-29 06:55:19.123 1abcde-000001-AB => x"),
            ("short-full", b"Sun 2026-11-29 06:55:19 CET mail postfix/smtp[1234]: x"),
        ];
        let mut clock = clock(berlin(), REFERENCE);
        let rounds = 10_000_000u32;
        for (name, line) in shapes {
            let started = Instant::now();
            for _ in 0..rounds {
                black_box(clock.line_time(black_box(line)));
            }
            println!("{name}: {:.1} ns/call", started.elapsed().as_nanos() as f64 / f64::from(rounds));
        }
        let started = Instant::now();
        for _ in 0..rounds / 1000 {
            for line in &lines {
                black_box(clock.line_time(black_box(line)));
            }
        }
        println!(
            "BSD, 1000 lines over an hour: {:.1} ns/call",
            started.elapsed().as_nanos() as f64 / f64::from(rounds)
        );
        let started = Instant::now();
        let mut t = at("2026-11-29T00:00:00Z");
        for _ in 0..rounds {
            t += 3 * SECOND;
            black_box(clock.period_start(black_box(t), Period::Hour));
        }
        println!("period_start (hour, cached): {:.1} ns/call", started.elapsed().as_nanos() as f64 / f64::from(rounds));
        let started = Instant::now();
        for i in 0..100_000i64 {
            black_box(Clock::new(berlin(), REFERENCE.parse().unwrap()).line_time(black_box(&lines[i as usize % 1000])));
        }
        println!("uncached (new clock + line): {:.1} ns/call", started.elapsed().as_nanos() as f64 / 100_000.0);
    }
}
