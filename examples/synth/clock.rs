//! Time: the generator's clock and the timestamp styles it writes.

use super::*;

pub(crate) const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub(crate) const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, usize, u64) {
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
pub(crate) const START_DAY: i64 = days_from_civil(2026, 11, 1);
pub(crate) const UTC_OFFSET_SECS: u64 = 3600;

/// The log's clock, in microseconds since the start, with the calendar fields
/// of the current second cached.
pub(crate) struct Clock {
    pub(crate) us: u64,
    pub(crate) sec: u64,
    pub(crate) mon: usize,
    pub(crate) day: u64,
    /// `2026-11-05`
    pub(crate) ymd: [u8; 10],
    /// `10:00:00`
    pub(crate) hms: [u8; 8],
}

impl Clock {
    pub(crate) fn new() -> Clock {
        let mut c = Clock { us: 0, sec: u64::MAX, mon: 0, day: 0, ymd: [0; 10], hms: [0; 8] };
        c.refresh();
        c
    }

    pub(crate) fn refresh(&mut self) {
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
    pub(crate) fn unix(&self) -> u64 {
        START_DAY as u64 * 86_400 + self.us / 1_000_000 - UTC_OFFSET_SECS
    }
}

/// How a line's prefix looks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
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

// The timestamp styles at work: which one the next stretch of lines uses,
// and the BSD and RFC 3339 stamps (each MTA's prefix is in its own file).
impl<W: Write> Gen<W> {
    /// Picks the timestamp style (and the Exim version) for the next chunk.
    pub(crate) fn switch_style(&mut self) {
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

    pub(crate) fn bsd_stamp(&mut self, pad: bool) {
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

    pub(crate) fn rfc_stamp(&mut self) {
        let (ymd, hms) = (self.clk.ymd, self.clk.hms);
        self.o.s(&ymd);
        self.o.c(b'T');
        self.o.s(&hms);
        self.o.c(b'.');
        self.o.pad(self.clk.us % 1_000_000, 6);
        self.o.t("+01:00");
    }
}
