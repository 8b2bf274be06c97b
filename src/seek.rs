//! Finding a time window in a chronological log file without reading it all.
//!
//! Syslog writes lines in time order, so the lines of `--since T` start
//! near the first line stamped `T` or later, which a binary search over byte
//! offsets finds by reading a few blocks. The search only decides where
//! reading starts and stops: every event read is still checked against the
//! window, and the search keeps a margin ([`MARGIN`]) for lines written a
//! little out of order. When the probes show that the file is not in time
//! order, or carry no readable stamps, the whole file is read.

use std::fs::File;

use crate::input::read_full_at;
use crate::time::{Clock, Micros};

/// How far out of order lines may be: reading starts at the first line
/// stamped `since - MARGIN` or later, and stops at the first line stamped
/// `until + MARGIN` or later.
pub const MARGIN: Micros = 3_600 * 1_000_000;

/// Bytes read per probe: enough for several lines of any real log.
const PROBE: usize = 16 << 10;

/// Below this many bytes between the bounds, the search stops.
const DONE: u64 = 64 << 10;

/// The byte range `start..end` of `file` (of `size` bytes) that holds
/// every line stamped in `[since, until)`. `start` and `end` are line
/// starts (or 0 and `size`). Returns the whole file when the window is
/// open on both sides, when a read fails (the scan reports it), or when the
/// probes find the file out of time order.
pub fn window(file: &File, size: u64, clock: &Clock, since: Option<Micros>, until: Option<Micros>) -> (u64, u64) {
    let mut clock = clock.clone();
    let mut probes: Vec<(u64, Micros)> = Vec::new();
    let start = since.and_then(|s| first_at_or_after(file, size, &mut clock, s - MARGIN, &mut probes));
    let end = until.and_then(|u| first_at_or_after(file, size, &mut clock, u.saturating_add(MARGIN), &mut probes));
    // Every probe must agree with time order, else the search is not trusted.
    probes.sort_unstable();
    if probes.windows(2).any(|w| w[0].1 > w[1].1) {
        return (0, size);
    }
    let start = start.unwrap_or(0);
    let end = end.unwrap_or(size).max(start);
    (start, end)
}

/// The offset of the first line stamped `target` or later, by binary
/// search; `None` when no probe could be read or stamped.
fn first_at_or_after(
    file: &File,
    size: u64,
    clock: &mut Clock,
    target: Micros,
    probes: &mut Vec<(u64, Micros)>,
) -> Option<u64> {
    // Invariant: `lo` is a line start, and every line before it is stamped
    // before `target`; `hi` is a line start (or the end) at or after the
    // first line stamped `target` or later. Each step moves one bound.
    let (mut lo, mut hi) = (0u64, size);
    let mut buf = vec![0; PROBE];
    let mut stamped = false;
    while hi - lo > DONE {
        let mid = lo + (hi - lo) / 2;
        match probe(file, mid, hi, clock, &mut buf)? {
            Some((line_start, t)) => {
                stamped = true;
                probes.push((line_start, t));
                if t < target {
                    lo = line_start;
                } else {
                    hi = line_start;
                }
            }
            // No stamped line starts between mid and hi: search below.
            None => hi = mid,
        }
    }
    if !stamped {
        return None;
    }
    // The last stretch, line by line (with room for the stamp of a line
    // that starts just before `hi`).
    let mut data = vec![0; (hi - lo) as usize + 256];
    let len = read_full(file, lo, &mut data)?;
    let data = &data[..len];
    let mut pos = 0;
    while lo + (pos as u64) < hi && pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        if clock.line_time(&data[pos..end]).is_some_and(|t| t >= target) {
            return Some(lo + pos as u64);
        }
        pos = end + 1;
    }
    Some(hi)
}

/// Reads as much of `buf` as the file has from `at` on; `None` when the
/// read failed.
fn read_full(file: &File, at: u64, buf: &mut [u8]) -> Option<usize> {
    read_full_at(file, at, buf).ok()
}

/// The first stamped line that starts in `from..limit`, as its start and
/// time (`Some(None)` when there is none in the probe); `None` when the
/// read failed.
fn probe(file: &File, from: u64, limit: u64, clock: &mut Clock, buf: &mut [u8]) -> Option<Option<(u64, Micros)>> {
    let len = read_full(file, from, buf)?;
    let data = &buf[..len];
    // `from` may be mid-line: the first whole line starts after a '\n'.
    let Some(first) = memchr::memchr(b'\n', data) else { return Some(None) };
    let mut pos = first + 1;
    while from + (pos as u64) < limit {
        let Some(nl) = memchr::memchr(b'\n', &data[pos..]) else { break };
        if let Some(t) = clock.line_time(&data[pos..pos + nl]) {
            return Some(Some((from + pos as u64, t)));
        }
        pos += nl + 1;
    }
    Some(None)
}
