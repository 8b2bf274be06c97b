//! The host that wrote a log line: the syslog header's host field.
//!
//! A syslog line is `STAMP HOST TAG[PID]: MESSAGE`, whether the stamp is the
//! traditional `Mmm dd HH:MM:SS` or RFC 3339 (`journalctl -o json` records
//! are rendered in that shape too, with `_HOSTNAME` as the host). Exim's own
//! main log (`YYYY-MM-DD HH:MM:SS [+zone] [[pid]] ...`) has no host field:
//! its lines give `None`, and the run's `--host` names them instead.
//!
//! The field is taken as a host only when the word after it is a syslog tag
//! (`name:` or `name[pid]:`), so a header without a host field
//! (`Mmm dd HH:MM:SS postfix/smtp[1]: ...`) and Exim's own lines are not
//! misread. Bytes only, no allocation.

/// The longest host field taken (a DNS name is at most 253 bytes); a longer
/// word is not a host.
const MAX_HOST: usize = 255;

/// The host field of `line`'s syslog header, or `None` when the line has
/// none (Exim's main log, a header without a host, anything else).
pub fn syslog_host(line: &[u8]) -> Option<&[u8]> {
    let mut words = Words { rest: line };
    let first = words.next()?;
    let stamp_words = if is_month(first) {
        // `Mmm dd HH:MM:SS[.f]`: the month, the day, the time.
        2
    } else if first.first()?.is_ascii_digit() && first.get(10) == Some(&b'T') {
        // RFC 3339 in one word.
        0
    } else if first.len() == 10 && first[0].is_ascii_digit() && first[4] == b'-' {
        // `YYYY-MM-DD HH:MM:SS[.f]`, maybe a numeric zone after it.
        words.next()?;
        if words.peek().is_some_and(is_zone) {
            words.next();
        }
        0
    } else {
        return None;
    };
    for _ in 0..stamp_words {
        words.next()?;
    }
    let host = words.next()?;
    let tag = words.next()?;
    (is_host(host) && is_tag(tag)).then_some(host)
}

/// Space-separated words (runs of spaces are one separator: the BSD stamp
/// pads a one-digit day).
#[derive(Clone)]
struct Words<'a> {
    rest: &'a [u8],
}

impl<'a> Words<'a> {
    fn peek(&self) -> Option<&'a [u8]> {
        self.clone().next()
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.rest.iter().position(|&b| b != b' ')?;
        let rest = &self.rest[start..];
        let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        self.rest = &rest[end..];
        Some(&rest[..end])
    }
}

fn is_month(word: &[u8]) -> bool {
    matches!(
        word,
        b"Jan" | b"Feb" | b"Mar" | b"Apr" | b"May" | b"Jun" | b"Jul" | b"Aug" | b"Sep" | b"Oct" | b"Nov" | b"Dec"
    )
}

/// `+0100`, `-0500`: the zone Exim writes with `log_timezone`.
fn is_zone(word: &[u8]) -> bool {
    word.len() == 5 && matches!(word[0], b'+' | b'-') && word[1..].iter().all(u8::is_ascii_digit)
}

/// A host name or address as syslog writes it: printable, no brackets or
/// colon at its end (a tag is not a host).
fn is_host(word: &[u8]) -> bool {
    !word.is_empty()
        && word.len() <= MAX_HOST
        && !word.ends_with(b":")
        && word.iter().all(|&b| b.is_ascii_graphic() && b != b'[' && b != b']')
}

/// A syslog tag: `name:` or `name[pid]:`, the name letters, digits and
/// `_ . / -` (`postfix/smtp`, `postfix-out/qmgr`, `exim`).
fn is_tag(word: &[u8]) -> bool {
    let Some(word) = word.strip_suffix(b":") else { return false };
    let name = match word.strip_suffix(b"]") {
        Some(with_pid) => {
            let Some(open) = memchr::memrchr(b'[', with_pid) else { return false };
            let pid = &with_pid[open + 1..];
            if pid.is_empty() || !pid.iter().all(u8::is_ascii_digit) {
                return false;
            }
            &with_pid[..open]
        }
        None => word,
    };
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::syslog_host;

    #[test]
    fn the_host_field_is_read_from_every_header_shape() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Dec  6 01:00:00 mx1 postfix/smtp[123]: 3F2A1B: to=<a@example.com>", Some("mx1")),
            ("Dec 16 01:00:00 mx1.example.net postfix/smtp[123]: 3F2A1B: to=<a@example.com>", Some("mx1.example.net")),
            ("Dec 16 01:00:00.123456 mx-2 postfix-out/qmgr[9]: 3F2A1B: removed", Some("mx-2")),
            ("2026-12-06T01:00:00.123456+01:00 mail postfix/smtp[1]: 3F2A1B: to=<a@b>", Some("mail")),
            ("2026-12-06T01:00:00Z 192.0.2.7 postfix/smtp[1]: x", Some("192.0.2.7")),
            ("Dec  6 01:00:00 mx exim[77]: 2026-12-06 01:00:00 1abc-000000-00 => a@b", Some("mx")),
            ("Dec  6 01:00:00 mx sendmail: x", Some("mx")),
            // Exim's own main log: no host field.
            ("2026-12-06 01:00:00 1abc-000000-00 => a@b R=r T=t", None),
            ("2026-12-06 01:00:00.123 +0100 [4242] 1abc-000000-00 ** a@b: x", None),
            ("2026-12-06 01:00:00 Start queue run: pid=1", None),
            ("2026-12-06 01:00:00 TLS error on connection from x", None),
            // A header without a host field.
            ("Dec  6 01:00:00 postfix/smtp[123]: 3F2A1B: to=<a@example.com>", None),
            // Not a syslog line, or cut short.
            ("hello world: x", None),
            ("Dec  6 01:00:00 mx1", None),
            ("", None),
            ("Dec  6 01:00:00 mx1 postfix/smtp[12a]: x", None),
            ("Dec  6 01:00:00 mx1 postfix/smtp[]: x", None),
            ("Dec  6 01:00:00 mx[1] postfix/smtp[1]: x", None),
        ];
        for &(line, want) in cases {
            assert_eq!(syslog_host(line.as_bytes()), want.map(str::as_bytes), "{line}");
        }
    }

    #[test]
    fn an_overlong_word_is_not_a_host() {
        let long = "h".repeat(256);
        let line = format!("Dec  6 01:00:00 {long} postfix/smtp[1]: x");
        assert_eq!(syslog_host(line.as_bytes()), None);
        let fits = "h".repeat(255);
        let line = format!("Dec  6 01:00:00 {fits} postfix/smtp[1]: x");
        assert_eq!(syslog_host(line.as_bytes()), Some(fits.as_bytes()));
    }

    /// Each case fails under a small change of the stamp, zone or tag
    /// checks that the cases above let through.
    #[test]
    fn the_edges_of_stamp_zone_host_and_tag() {
        let cases: &[(&str, Option<&str>)] = &[
            // A `YYYY-MM-DD HH:MM:SS` stamp followed by a host and a tag,
            // with or without a zone.
            ("2026-12-06 01:00:00 mx postfix/smtp[1]: x", Some("mx")),
            ("2026-12-06 01:00:00.123 +0100 mx postfix/smtp[1]: x", Some("mx")),
            ("2026-12-06 01:00:00 -0500 mx exim[7]: x", Some("mx")),
            // A word of digits alone is a host, not a zone.
            ("2026-12-06 01:00:00 10025 postfix/smtp[1]: x", Some("10025")),
            // A first word of another shape is no stamp (nor a panic).
            ("1 mx postfix/smtp[1]: x", None),
            ("ab mx postfix/smtp[1]: x", None),
            ("abcdefghijT mx postfix/smtp[1]: x", None),
            // A tag has a name.
            ("Dec  6 01:00:00 mx [1]: x", None),
            ("Dec  6 01:00:00 mx : x", None),
        ];
        for &(line, want) in cases {
            assert_eq!(syslog_host(line.as_bytes()), want.map(str::as_bytes), "{line}");
        }
    }
}
