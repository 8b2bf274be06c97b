//! Operational trouble: Postfix's `warning:`, `error:`, `fatal:` and
//! `panic:` lines, and the few error lines Exim writes in a recognisable
//! form ([`EXIM_PROBLEMS`]). One line in, one [`Problem`] out; and the
//! kind of a problem: its message with the variable parts masked
//! ([`mask`]), so that lines that say the same thing are counted together.
//!
//! The scanner looks for these lines only when the `problems` report is
//! asked for ([`super::dialect::Dialect::problem_anchors`]).

use super::{Parsed, exim, is_alphanumeric, postfix};

/// How bad the MTA said it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `panic:`: a bug, the process stopped.
    Panic,
    /// `fatal:`: the process stopped.
    Fatal,
    /// `error:` (and Exim's error lines).
    Error,
    /// `warning:`.
    Warning,
}

impl Level {
    /// The word in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Panic => "panic",
            Level::Fatal => "fatal",
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// One line of trouble, borrowing from its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem<'a> {
    /// How bad.
    pub level: Level,
    /// The program that said it, as its syslog tag names it without the
    /// process id (`postfix/smtpd`), or `exim`.
    pub process: &'a [u8],
    /// What it said, after the level word (for Exim, the whole message).
    pub message: &'a [u8],
}

/// Postfix's trouble anchors and their levels, in the order of
/// [`POSTFIX_PARSERS`]. The `: ` before the level is checked by the parser,
/// not searched for: every syslog line has `]: `, and the searcher's
/// fingerprint is taken from the first bytes.
pub const POSTFIX_ANCHORS: [&[u8]; 4] = [b"warning: ", b"error: ", b"fatal: ", b"panic: "];

/// The Postfix parsers of [`POSTFIX_ANCHORS`], in the same order.
pub const POSTFIX_PARSERS: [for<'a> fn(&'a [u8], usize) -> Parsed<'a>; 4] = [
    |line, at| postfix_at(line, at, Level::Warning, POSTFIX_ANCHORS[0].len()),
    |line, at| postfix_at(line, at, Level::Error, POSTFIX_ANCHORS[1].len()),
    |line, at| postfix_at(line, at, Level::Fatal, POSTFIX_ANCHORS[2].len()),
    |line, at| postfix_at(line, at, Level::Panic, POSTFIX_ANCHORS[3].len()),
];

/// The Exim messages counted as trouble: each a literal that starts the
/// line's message (after the timestamp, process id and message id).
/// Exim marks no level in its main log, so each is an error here.
pub const EXIM_PROBLEMS: [&[u8]; 6] = [
    b"TLS error on connection ",
    b"SMTP protocol synchronization error ",
    b"SMTP protocol error in ",
    b"SMTP command timeout on ",
    b"SMTP data timeout ",
    b"failed to expand ",
];

/// Reads an Exim trouble line, in which one of [`EXIM_PROBLEMS`] starts at
/// byte `at`: only where the message starts with it.
pub fn parse_exim(line: &[u8], at: usize) -> Parsed<'_> {
    let Some(start) = exim::message_start(line) else { return Parsed::Other };
    let mut message_start = start;
    // A message id may come first.
    if let Some(space) = memchr::memchr(b' ', &line[start..])
        && exim::is_message_id(&line[start..start + space])
    {
        message_start = start + space + 1;
    }
    if at != message_start {
        return Parsed::Other;
    }
    Parsed::Problem(Problem { level: Level::Error, process: b"exim", message: &line[message_start..] })
}

/// How far back the syslog tag of a Postfix line is looked for.
const MAX_TAG: usize = 96;

/// Reads a Postfix trouble line: `TAG[PID]: [QID: ]LEVEL: MESSAGE`, where
/// the tag is a Postfix daemon's (`postfix/smtpd`, `postfix-out/smtp`: a
/// `/` or the word `postfix` in it; other programs log `warning:` too).
fn postfix_at(line: &[u8], at: usize, level: Level, len: usize) -> Parsed<'_> {
    let message = &line[at + len..];
    // `at` becomes the `: ` before the level.
    let Some(at) = line[..at].strip_suffix(b": ").map(<[u8]>::len) else { return Parsed::Other };
    let mut head = &line[..at];
    // A queue id between the tag and the level (cleanup's header warnings).
    if let Some((qid, Some(_))) = postfix::queue_id_and_tag(&line[..at])
        && is_alphanumeric(qid)
        && !qid.ends_with(b"]")
    {
        head = &line[..at - qid.len() - 2];
    }
    let window = head.len().saturating_sub(MAX_TAG);
    let tag_start = memchr::memrchr(b' ', &head[window..]).map_or(window, |i| window + i + 1);
    let tag = &head[tag_start..];
    let process = match memchr::memrchr(b'[', tag) {
        Some(open) if tag.ends_with(b"]") => &tag[..open],
        _ => tag,
    };
    let postfix = memchr::memchr(b'/', process).is_some() || process.starts_with(b"postfix");
    if !postfix {
        return Parsed::Other;
    }
    Parsed::Problem(Problem { level, process, message })
}

/// The longest kind kept: longer messages are cut (a hostile client can
/// make a warning as long as a line).
pub const MAX_KIND: usize = 200;

/// Writes the kind of `message` into `out` (cleared first): the message
/// with its variable parts masked as `*`. Masked are what is inside `[...]`
/// and `<...>` (addresses, IPs), the name before a `[` (`host[ip]`), and
/// every word that holds a digit, a `/` or a dot between two letters or
/// digits (numbers, queue ids, host names, IPs, paths). Words end at
/// spaces and at `,;:()"'=`. Cut at [`MAX_KIND`] bytes.
pub fn mask(message: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < message.len() && out.len() < MAX_KIND {
        let b = message[i];
        match b {
            b'[' | b'<' => {
                let close = if b == b'[' { b']' } else { b'>' };
                match memchr::memchr(close, &message[i..]) {
                    Some(end) => {
                        out.extend_from_slice(&[b, b'*', close]);
                        i += end + 1;
                    }
                    None => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            b' ' | b',' | b';' | b':' | b'(' | b')' | b'"' | b'\'' | b'=' | b']' | b'>' => {
                out.push(b);
                i += 1;
            }
            _ => {
                let end =
                    message[i..].iter().position(|c| b" ,;:()\"'=[<]>".contains(c)).map_or(message.len(), |n| i + n);
                let word = &message[i..end];
                let dotted = word
                    .windows(3)
                    .any(|w| w[1] == b'.' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric());
                let variable =
                    dotted || message.get(end) == Some(&b'[') || word.iter().any(|c| c.is_ascii_digit() || *c == b'/');
                if variable {
                    out.push(b'*');
                } else {
                    out.extend_from_slice(word);
                }
                i = end;
            }
        }
    }
    if out.len() > MAX_KIND {
        out.truncate(MAX_KIND);
    }
    // Text from the log: never cut inside a UTF-8 sequence.
    while !out.is_empty() && std::str::from_utf8(out).is_err_and(|e| e.error_len().is_none()) {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Parsed<'_> {
        let bytes = line.as_bytes();
        for (i, anchor) in POSTFIX_ANCHORS.iter().enumerate() {
            if let Some(at) = memchr::memmem::find(bytes, anchor) {
                return POSTFIX_PARSERS[i](bytes, at);
            }
        }
        for anchor in EXIM_PROBLEMS {
            if let Some(at) = memchr::memmem::find(bytes, anchor) {
                return parse_exim(bytes, at);
            }
        }
        Parsed::Other
    }

    fn kind(message: &str) -> String {
        let mut out = Vec::new();
        mask(message.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    /// Worked out by hand: (line, level, process, message).
    #[test]
    fn table() {
        let cases = [
            (
                "Oct 21 03:10:02 mx1 postfix/smtpd[1234]: warning: not enough free space in mail queue: 104857600 bytes < 1.5*message size limit",
                Level::Warning,
                "postfix/smtpd",
                "not enough free space in mail queue: 104857600 bytes < 1.5*message size limit",
            ),
            (
                "Oct 21 03:14:00 mx1 postfix/postfix-script[1400]: fatal: the Postfix mail system is already running",
                Level::Fatal,
                "postfix/postfix-script",
                "the Postfix mail system is already running",
            ),
            (
                "Oct 21 03:14:00 mx1 postfix/cleanup[1300]: 4B1C2D3E5F: warning: header Subject: hi from x[192.0.2.1]",
                Level::Warning,
                "postfix/cleanup",
                "header Subject: hi from x[192.0.2.1]",
            ),
            (
                "Oct 21 03:14:00 mx1 postfix-out/smtp[9]: panic: myfree: corrupt or unallocated memory block",
                Level::Panic,
                "postfix-out/smtp",
                "myfree: corrupt or unallocated memory block",
            ),
            (
                "Oct 21 03:14:00 mx1 postfix/trivial-rewrite[9]: error: open database /etc/postfix/x.db: No such file or directory",
                Level::Error,
                "postfix/trivial-rewrite",
                "open database /etc/postfix/x.db: No such file or directory",
            ),
            (
                "2013-06-02 06:54:20 [13314] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[211.148.195.192]:25936",
                Level::Error,
                "exim",
                "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[211.148.195.192]:25936",
            ),
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr TLS error on connection from x.example [192.0.2.1] (recv): timeout",
                Level::Error,
                "exim",
                "TLS error on connection from x.example [192.0.2.1] (recv): timeout",
            ),
        ];
        for (line, level, process, message) in cases {
            let Parsed::Problem(p) = read(line) else { panic!("not a problem: {line}") };
            assert_eq!(p.level, level, "{line}");
            assert_eq!(String::from_utf8_lossy(p.process), process, "{line}");
            assert_eq!(String::from_utf8_lossy(p.message), message, "{line}");
        }
    }

    #[test]
    fn other_programs_and_quoted_texts_are_not_trouble() {
        for line in [
            "Oct 21 03:14:00 mx1 opendkim[9]: 4B1C2D3E5F: error: key not found",
            "Oct 21 03:14:00 mx1 dovecot: imap(u): error: x",
            "2026-11-05 10:00:00 H=[192.0.2.3] F=<a@b> rejected RCPT <c@d>: failed to expand ACL string",
            "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** c@d R=r T=t: TLS error on connection from x",
        ] {
            assert_eq!(read(line), Parsed::Other, "{line}");
        }
    }

    /// Worked out by hand.
    #[test]
    fn kinds_mask_the_variable_parts() {
        let cases = [
            (
                "not enough free space in mail queue: 104857600 bytes < 1.5*message size limit",
                "not enough free space in mail queue: * bytes < * size limit",
            ),
            (
                "service \"smtp\" (25) has reached its process limit \"100\": new clients may experience noticeable delays",
                "service \"smtp\" (*) has reached its process limit \"*\": new clients may experience noticeable delays",
            ),
            (
                "hostname h1.example does not resolve to address 192.0.2.8: Name or service not known",
                "hostname * does not resolve to address *: Name or service not known",
            ),
            (
                "unknown[192.0.2.9]: SASL LOGIN authentication failed: authentication failure",
                "*[*]: SASL LOGIN authentication failed: authentication failure",
            ),
            (
                "mail for [127.0.0.1]:10024 is using up 4001 of 4020 active queue entries",
                "mail for [*]:* is using up * of * active queue entries",
            ),
            ("valid_hostname: misplaced delimiter: .", "valid_hostname: misplaced delimiter: ."),
            ("open database /etc/postfix/x.db: No such file", "open database *: No such file"),
        ];
        for (message, want) in cases {
            assert_eq!(kind(message), want, "{message}");
        }
        assert_eq!(kind(&"a".repeat(500)).len(), "a".repeat(500).len().min(MAX_KIND));
        let long_utf8 = "\u{e9}".repeat(300);
        assert!(kind(&long_utf8).len() <= MAX_KIND);
    }
}
