//! Line parsers: one delivery line in, one [`Event`] out.
//!
//! The scanner has already found a candidate line with a literal search
//! (`: to=` for Postfix, an Exim delivery flag); the parsers here confirm it
//! and pull out the recipient domain, the outcome, the basic reply code and
//! the enhanced status code (and, for Exim, whether a delivery was local).
//! They work on raw bytes, never allocate, and never trust a code that is
//! not where the MTA puts a remote reply.

pub mod dialect;
pub mod domain;
pub mod exim;
pub mod host;
pub mod postfix;
pub mod problem;
pub mod refusal;

use std::fmt;
use std::sync::LazyLock;

use memchr::memmem::Finder;

/// What the MTA did with one delivery attempt to one recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Delivered to the recipient's server or mailbox.
    Delivered = 0,
    /// Not delivered yet; the MTA will try again.
    Deferred = 1,
    /// Failed for good; the sender gets a non-delivery report.
    Bounced = 2,
}

impl Outcome {
    /// All outcomes, in report order.
    pub const ALL: [Outcome; 3] = [Outcome::Delivered, Outcome::Deferred, Outcome::Bounced];

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Deferred => "deferred",
            Outcome::Bounced => "bounced",
        }
    }
}

/// An enhanced status code (RFC 3463) such as `5.1.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Enhanced {
    /// 2, 4 or 5.
    pub class: u8,
    /// The subject, 0 to 999.
    pub subject: u16,
    /// The detail, 0 to 999.
    pub detail: u16,
}

impl fmt::Display for Enhanced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// The SMTP command a remote reply answered, as the log line names it
/// (Postfix: `(in reply to RCPT TO command)`, `refused to talk to me`;
/// Exim: `after RCPT TO:<...>`, `after end of data`, `after initial
/// connection`). Some codes mean different things at different stages: a
/// 554 at connection opening is "no SMTP service here", after RCPT or the
/// data "transaction failed" (RFC 5321 §4.2.2, §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Connection opening or the greeting banner.
    Connect,
    /// EHLO, HELO or LHLO.
    Helo,
    /// STARTTLS.
    StartTls,
    /// AUTH.
    Auth,
    /// MAIL FROM.
    Mail,
    /// RCPT TO.
    Rcpt,
    /// DATA, BDAT or the end of data.
    Data,
}

impl Stage {
    /// Every stage, in the order of an SMTP session.
    pub const ALL: [Stage; 7] =
        [Stage::Connect, Stage::Helo, Stage::StartTls, Stage::Auth, Stage::Mail, Stage::Rcpt, Stage::Data];

    /// Reads the command named at the start of `text`, as Postfix names it
    /// after `in reply to ` (`RCPT TO`, `end of DATA`, `BDAT`) and Exim after
    /// `after ` (`RCPT TO:<...>`, `pipelined MAIL FROM:<...>`, `end of data`,
    /// `sending data block`, `initial connection`, `EHLO host`), in any case.
    pub fn of_command(text: &[u8]) -> Option<Stage> {
        const COMMANDS: [(&[u8], Stage); 12] = [
            (b"initial connection", Stage::Connect),
            (b"EHLO", Stage::Helo),
            (b"HELO", Stage::Helo),
            (b"LHLO", Stage::Helo),
            (b"STARTTLS", Stage::StartTls),
            (b"AUTH", Stage::Auth),
            (b"MAIL FROM", Stage::Mail),
            (b"RCPT TO", Stage::Rcpt),
            (b"DATA", Stage::Data),
            (b"BDAT", Stage::Data),
            (b"end of data", Stage::Data),
            (b"sending data block", Stage::Data),
        ];
        let text = text.strip_prefix(b"pipelined ").unwrap_or(text);
        COMMANDS.iter().find_map(|&(name, stage)| {
            let matches = text.get(..name.len()).is_some_and(|head| head.eq_ignore_ascii_case(name))
                && !text.get(name.len()).is_some_and(u8::is_ascii_alphanumeric);
            matches.then_some(stage)
        })
    }

    /// How descriptions name the stage.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Connect => "connection opening",
            Stage::Helo => "EHLO",
            Stage::StartTls => "STARTTLS",
            Stage::Auth => "AUTH",
            Stage::Mail => "MAIL FROM",
            Stage::Rcpt => "RCPT TO",
            Stage::Data => "DATA",
        }
    }
}

/// Something recognised in the text of a line that says more than its codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Note {
    /// Nothing beyond the codes.
    #[default]
    None,
    /// The MTA found a null MX (RFC 7505): the domain accepts no mail.
    NullMx,
    /// Microsoft 365's `5.1.10 RESOLVER.ADR.RecipientNotFound`: an unknown
    /// recipient, although the registry gives 5.1.10 to null MX.
    RecipientNotFound,
    /// Exim's `Unrouteable address`: no router accepted the address (no
    /// code). Set by the worker where the reason is decided
    /// ([`crate::classify::unrouteable`]), never by [`Note::of_text`]: its
    /// reason (no such domain, or no such user at a domain this host
    /// delivers to) is settled once the whole log is read
    /// ([`crate::tally::Tally::settle_unrouteable`]), and the note keeps
    /// these events apart until then.
    Unrouteable,
}

impl Note {
    /// Every note, in declaration order.
    pub const ALL: [Note; 4] = [Note::None, Note::NullMx, Note::RecipientNotFound, Note::Unrouteable];

    /// A short label, used after the codes in `top_bounce` and `top_deferral`.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Note::None => None,
            Note::NullMx => Some("null MX"),
            Note::RecipientNotFound => Some("recipient not found"),
            Note::Unrouteable => Some("unrouteable"),
        }
    }

    /// Reads what a reply `text` says beyond its codes: only texts that
    /// contradict or sharpen the codes' registered meaning.
    pub fn of_text(code: Option<u16>, enhanced: Option<Enhanced>, text: &[u8]) -> Note {
        // The codes are checked first: most events never search their text.
        let [postfix_null_mx, exim_null_mx, not_found] = &*NOTE_TEXTS;
        let subject_detail = enhanced.map(|e| (e.subject, e.detail));
        let found = |finder: &Finder<'_>| finder.find(text).is_some();
        if code.is_none() && subject_detail == Some((1, 0)) && found(postfix_null_mx) {
            // Postfix's outbound null-MX bounce: dsn=5.1.0 and no reply.
            Note::NullMx
        } else if code.is_none() && enhanced.is_none() && found(exim_null_mx) {
            // Exim's dnslookup router on a null MX: no code of any kind.
            Note::NullMx
        } else if subject_detail == Some((1, 10)) && found(not_found) {
            Note::RecipientNotFound
        } else {
            Note::None
        }
    }
}

/// The texts [`Note::of_text`] looks for, compiled once.
static NOTE_TEXTS: LazyLock<[Finder<'static>; 3]> = LazyLock::new(|| {
    [
        Finder::new(b"does not accept mail (nullMX)"),
        Finder::new(b"an MX or SRV record indicated no SMTP service"),
        Finder::new(b"RecipientNotFound"),
    ]
});

/// One delivery event, borrowing from the line it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// The recipient's domain as written in the log (not yet lower-cased);
    /// empty when the address has no `@`.
    pub domain: &'a [u8],
    /// What happened.
    pub outcome: Outcome,
    /// The remote server's basic reply code, when the line carries one.
    pub code: Option<u16>,
    /// The enhanced status code, when the line carries one.
    pub enhanced: Option<Enhanced>,
    /// A specific text the MTA is known to write.
    pub note: Note,
    /// The SMTP command the remote reply answered, when the line names it.
    pub stage: Option<Stage>,
    /// The text that explains the outcome: for Postfix the text in the
    /// parentheses after `status=`, for Exim the rest of the line after the
    /// address. The classifier reads the reason from it (and the stage,
    /// the host, the router from it when it needs them).
    pub text: &'a [u8],
    /// The part of `text` kept and shown for the event (the `reasons`
    /// example, the `recipients` `last_reply`, `explain`'s reply): the
    /// remote server's reply itself, from its code on, when the line has
    /// one where the MTA puts it (Exim: after `SMTP error from remote mail
    /// server after <command>: [host H [ip]: ]`); else all of `text`
    /// (Postfix, and Exim lines without a reply such as `Unrouteable
    /// address`).
    pub reply: &'a [u8],
    /// The queue id (Postfix) or message id (Exim) of the message.
    pub queue_id: &'a [u8],
    /// The recipient address as logged (without `<>`).
    pub recipient: &'a [u8],
    /// For a Postfix delivery into a content filter on this host (a
    /// loopback relay that answered `queued as NEWQID`): the new queue id,
    /// under which the message goes on. Not a final delivery.
    pub hop_to: Option<&'a [u8]>,
    /// Milliseconds since the message arrived: Postfix's `delay=`, Exim's
    /// `QT=` (on delivery lines, with the `queue_time` log selector).
    pub delay_ms: Option<u64>,
    /// An Exim `retry timeout exceeded` failure: the address expired.
    pub expired: bool,
    /// A Postfix delivery into a content filter on this host (a loopback
    /// relay) whose reply says the filter discarded or quarantined the
    /// message (amavis's `250 2.7.0 Ok, discarded, id=... - BANNED: ...`).
    /// Still a delivered line; the message-level reports count the
    /// recipient as discarded.
    pub discarded: bool,
    /// An Exim delivery (`=>`, `->`) with no remote host (`H=`) among its
    /// fields: a local transport (a mailbox, a file, a pipe, an autoreply,
    /// LMTP to a socket) or `:blackhole:`, so this host handles the
    /// recipient's domain itself. Always false for Postfix lines and for
    /// failures.
    pub local: bool,
    /// A Postfix line: Postfix gives up on a deferred recipient in an expiry
    /// line of its queue id that names no recipient (`status=expired`), so
    /// only following the queue id tells which recipients expired. False
    /// for Exim, which names each expired recipient.
    pub expires_by_queue: bool,
    /// The MTA that wrote the line, as its dialect is named (`postfix`,
    /// `exim`); empty for events made up by tests and tools.
    pub mta: &'static str,
    /// The host the MTA handed the message to, as logged: Postfix's
    /// `relay=` value, Exim's `H=` field (name and `[ip]`); empty when the
    /// line names none.
    pub relay: &'a [u8],
}

impl<'a> Event<'a> {
    /// An event with only a domain, an outcome and codes: no text, ids or
    /// note. For tests and tools that make events up.
    pub fn new(domain: &'a [u8], outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>) -> Event<'a> {
        Event {
            domain,
            outcome,
            code,
            enhanced,
            note: Note::None,
            stage: None,
            text: b"",
            reply: b"",
            queue_id: b"",
            recipient: b"",
            hop_to: None,
            delay_ms: None,
            expired: false,
            discarded: false,
            local: false,
            expires_by_queue: false,
            mta: "",
            relay: b"",
        }
    }

    /// The same event without its stage, text, ids, recipient and flags:
    /// what the parser tables of the unit tests compare.
    pub fn without_text(self) -> Event<'a> {
        Event { note: self.note, ..Event::new(self.domain, self.outcome, self.code, self.enhanced) }
    }
}

/// What a line that takes in a message says of it (Postfix's qmgr
/// `from=<...>, size=N, nrcpt=M`, Exim's `<= sender ... S=N`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The envelope sender as logged, without the angle brackets: empty
    /// for the null sender (`<>`).
    pub sender: &'a [u8],
    /// The message's size in bytes, when logged (`size=`, `S=`).
    pub size: Option<u64>,
    /// Its recipients, when logged (Postfix's `nrcpt=`; Exim's arrival line
    /// names none).
    pub recipients: Option<u32>,
}

/// The digits at the start of `bytes` as a number, when there are 1 to 18
/// of them (a size or a count; more is no number this program believes).
pub fn leading_number(bytes: &[u8]) -> Option<u64> {
    let digits = bytes.iter().take(19).take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    Some(bytes[..digits].iter().fold(0, |n, &b| n * 10 + u64::from(b - b'0')))
}

/// What a parser made of a candidate line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// A delivery event.
    Event(Event<'a>),
    /// A well-formed line that is not a delivery (an address-verification
    /// probe, say). Counted in the summary, not in reports.
    Probe,
    /// Postfix gave up on a message (`QID: from=<...>, status=expired,
    /// returned to sender`): its recipients still deferred have expired.
    Expiry {
        /// The message's queue id.
        queue_id: &'a [u8],
    },
    /// Exim received a message (`ID <= sender ...`): its delays count from
    /// this line's time.
    Arrival {
        /// The message id.
        queue_id: &'a [u8],
        /// Its envelope sender, size and recipients.
        envelope: Envelope<'a>,
    },
    /// Postfix's qmgr took a message into the active queue (`QID:
    /// from=<sender>, size=N, nrcpt=M (queue active)`), logged again each
    /// time a deferred message comes back: its envelope, for the sender
    /// reports (no delay counts from it: Postfix logs `delay=`).
    Queued {
        /// The queue id.
        queue_id: &'a [u8],
        /// Its envelope sender, size and recipients.
        envelope: Envelope<'a>,
    },
    /// It looked like a delivery line but could not be read as one.
    Malformed,
    /// A refusal by our own server (only looked for when the `rejects`
    /// report is asked for).
    Refusal(refusal::Refusal<'a>),
    /// A line with the shape of a refusal up to its action, but not after
    /// it: counted as unparsable in the `rejects` report.
    BadRefusal,
    /// Operational trouble: a warning, error, fatal or panic line (only
    /// looked for when the `problems` report is asked for).
    Problem(problem::Problem<'a>),
    /// Not a delivery line after all (the literal matched by chance).
    Other,
}

/// Whether every byte is an ASCII letter or digit (queue ids, message ids).
/// Every byte is looked at, through a table, without a branch per byte.
pub fn is_alphanumeric(bytes: &[u8]) -> bool {
    static ALNUM: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        table
    };
    bytes.iter().fold(true, |ok, &b| ok & ALNUM[usize::from(b)])
}

/// The domain part of an address: what follows the last `@` that is not
/// inside a quoted local part (`"a@b"@example.org`), or empty.
pub fn domain_of(addr: &[u8]) -> &[u8] {
    if memchr::memchr(b'"', addr).is_none() {
        return match memchr::memrchr(b'@', addr) {
            Some(i) => &addr[i + 1..],
            None => &[],
        };
    }
    let last_at = unquoted(addr).filter(|&(_, b)| b == b'@').last();
    last_at.map_or(&[], |(i, _)| &addr[i + 1..])
}

/// The position of the first `stop` byte in `text` that is not inside a
/// double-quoted string, or the length of `text`.
pub fn end_outside_quotes(text: &[u8], stop: u8) -> usize {
    // The stop byte is usually near and no quote comes before it.
    match memchr::memchr2(stop, b'"', text) {
        None => return text.len(),
        Some(i) if text[i] == stop => return i,
        Some(_) => {}
    }
    unquoted(text).find(|&(_, b)| b == stop).map_or(text.len(), |(i, _)| i)
}

/// The bytes of `text` (with their positions) that are not inside a
/// double-quoted string, where `\` escapes the next byte.
fn unquoted(text: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let (mut quoted, mut escaped) = (false, false);
    text.iter().enumerate().filter_map(move |(i, &b)| {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ if !quoted => return Some((i, b)),
            _ => {}
        }
        None
    })
}

/// Splits `<address>rest` into the address and what follows its closing
/// `>` (a `>` inside a quoted local part does not close it).
pub fn bracketed(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let inner = text.strip_prefix(b"<")?;
    let end = end_outside_quotes(inner, b'>');
    (end < inner.len()).then(|| (&inner[..end], &inner[end + 1..]))
}

/// Reads a basic reply code at the very start of `text`: three digits, the
/// first 2 to 5, followed by a space, a hyphen (multi-line reply), a tab or
/// the end. Anything else (an IP address, a longer number) is not a code.
pub fn reply_code_at(text: &[u8]) -> Option<u16> {
    let d = text.get(..3)?;
    if !(b'2'..=b'5').contains(&d[0]) || !d[1].is_ascii_digit() || !d[2].is_ascii_digit() {
        return None;
    }
    match text.get(3) {
        None | Some(b' ' | b'-' | b'\t' | b'\r') => {}
        Some(_) => return None,
    }
    Some(u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0'))
}

/// Reads an enhanced status code at the start of `text` (`5.1.1`, `4.7.650`):
/// a class digit, then subject and detail of one to three digits each, and
/// then no further digit or dot.
pub fn enhanced_at(text: &[u8]) -> Option<Enhanced> {
    let class = *text.first()?;
    if !matches!(class, b'2' | b'4' | b'5') || text.get(1) != Some(&b'.') {
        return None;
    }
    let (subject, rest) = number(&text[2..])?;
    let rest = rest.strip_prefix(b".")?;
    let (detail, rest) = number(rest)?;
    if matches!(rest.first(), Some(b) if b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    Some(Enhanced { class: class - b'0', subject, detail })
}

/// One to three leading digits and what follows them.
fn number(text: &[u8]) -> Option<(u16, &[u8])> {
    let len = text.iter().take(4).take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > 3 {
        return None;
    }
    let value = text[..len].iter().fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
    Some((value, &text[len..]))
}

/// A remote reply's basic code and, when it has one, its enhanced code.
pub type Reply = (u16, Option<Enhanced>);

/// Reads a reply such as `550 5.1.1 <u@d>: unknown` or `550-5.1.1 ...`: the
/// basic code, and the enhanced code right after it when its class digit
/// agrees with the basic code's (RFC 2034; Postfix drops disagreeing ones).
pub fn reply_at(text: &[u8]) -> Option<Reply> {
    let code = reply_code_at(text)?;
    let enhanced = text
        .get(4..)
        .filter(|_| matches!(text[3], b' ' | b'-'))
        .and_then(enhanced_at)
        .filter(|e| u16::from(e.class) == code / 100);
    Some((code, enhanced))
}

/// Finds `needle` in `haystack` and returns what follows it.
fn after<'a>(haystack: &'a [u8], needle: &Finder<'_>) -> Option<&'a [u8]> {
    needle.find(haystack).map(|i| &haystack[i + needle.needle().len()..])
}

/// What ends a text that was cut short, so a cut is always visible.
pub const CUT_MARK: &str = "...";

/// A text from the log cut to fit in `max` bytes once [`CUT_MARK`] is put
/// after it: the part kept, and whether it was cut. A text of at most `max`
/// bytes is kept whole; a longer one is cut to at most `max - 3` bytes,
/// and the caller writes `...` after it. When the cut falls inside a UTF-8
/// character, it moves back to the character's start (past at most three
/// continuation bytes), so a text that was UTF-8 stays UTF-8.
pub fn shorten(text: &[u8], max: usize) -> (&[u8], bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max.saturating_sub(CUT_MARK.len());
    for _ in 0..3 {
        if end > 0 && text[end] & 0xC0 == 0x80 {
            end -= 1;
        }
    }
    (&text[..end], true)
}

/// A text from the log as shown: whole when it has at most `max` bytes,
/// else cut by [`shorten`] and ended with `...` (at most `max` bytes in all).
pub fn shown(text: &[u8], max: usize) -> std::borrow::Cow<'_, [u8]> {
    match shorten(text, max) {
        (whole, false) => whole.into(),
        (kept, true) => [kept, CUT_MARK.as_bytes()].concat().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked out by hand; "é" is two bytes, "€" three, "😀" four. A cut
    /// leaves room for the three bytes of `...`.
    #[test]
    fn shorten_table() {
        let cases: [(&str, usize, &str, bool); 10] = [
            ("abcdef", 6, "abcdef", false),
            ("abcdef", 10, "abcdef", false),
            ("abcdef", 5, "ab", true),
            ("abcdefgh", 6, "abc", true),
            ("abc\u{e9}xy", 6, "abc", true),  // "é" at the cut: kept whole or not at all
            ("ab\u{e9}xyz", 6, "ab", true),   // inside "é": back to its start
            ("a\u{20ac}xyzw", 6, "a", true),  // two bytes into "€"
            ("a\u{1f600}zzzz", 7, "a", true), // three bytes into "😀"
            ("abcd", 2, "", true),            // no room for anything but the mark
            ("", 0, "", false),
        ];
        for (text, max, want, cut) in cases {
            assert_eq!(shorten(text.as_bytes(), max), (want.as_bytes(), cut), "{text:?} {max}");
        }
        // Not UTF-8: cut where asked, continuation-like bytes aside.
        assert_eq!(shorten(b"ab\xff\xfexyz", 6), (&b"ab\xff"[..], true));
    }

    #[test]
    fn shown_texts_end_with_the_mark_when_cut() {
        let cases: [(&str, usize, &str); 5] = [
            ("abcdef", 6, "abcdef"),
            ("abcdefg", 6, "abc..."),
            ("ab\u{e9}xyz", 6, "ab..."),
            ("0123456789", 3, "..."),
            ("", 3, ""),
        ];
        for (text, max, want) in cases {
            let got = shown(text.as_bytes(), max);
            assert_eq!(std::str::from_utf8(&got).unwrap(), want, "{text:?} {max}");
            assert!(got.len() <= max.max(CUT_MARK.len()), "{text:?} {max}");
        }
    }

    #[test]
    fn stages_of_commands() {
        let cases: [(&str, Option<Stage>); 16] = [
            ("RCPT TO command)", Some(Stage::Rcpt)),
            ("RCPT TO:<u@x.example>: 550 x", Some(Stage::Rcpt)),
            ("pipelined RCPT TO:<u@x.example>", Some(Stage::Rcpt)),
            ("MAIL FROM:<s@x.example> SIZE=1", Some(Stage::Mail)),
            ("pipelined MAIL FROM:<>", Some(Stage::Mail)),
            ("end of DATA command)", Some(Stage::Data)),
            ("end of data: 554 no", Some(Stage::Data)),
            ("DATA: 451 later", Some(Stage::Data)),
            ("BDAT command)", Some(Stage::Data)),
            ("sending data block: 500 oops", Some(Stage::Data)),
            ("initial connection: 554 go away", Some(Stage::Connect)),
            ("EHLO the.local.host.name: 550 x", Some(Stage::Helo)),
            ("HELO myhost.test.ex: 550 x", Some(Stage::Helo)),
            ("STARTTLS command)", Some(Stage::StartTls)),
            ("DATAX", None),
            ("QUIT command)", None),
        ];
        for (text, want) in cases {
            assert_eq!(Stage::of_command(text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn alphanumeric_bytes() {
        for b in 0..=255u8 {
            assert_eq!(is_alphanumeric(&[b]), b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(is_alphanumeric(&[b'a', b, b'9']), b.is_ascii_alphanumeric(), "{b}");
        }
        assert!(is_alphanumeric(b""));
        assert!(is_alphanumeric(b"4PcV4K5FPLz3tBr"));
        assert!(!is_alphanumeric(b"1tXyZa-0003Ab-Qr"));
        assert!(!is_alphanumeric("5270320179\u{e9}".as_bytes()));
    }

    #[test]
    fn brackets_and_quotes() {
        assert_eq!(bracketed(b"<a@b>, x"), Some((&b"a@b"[..], &b", x"[..])));
        assert_eq!(bracketed(b"<\"a>b\"@q.example> R=x"), Some((&b"\"a>b\"@q.example"[..], &b" R=x"[..])));
        assert_eq!(bracketed(b"<a@b"), None);
        assert_eq!(bracketed(b"a@b>"), None);
        assert_eq!(end_outside_quotes(b"\"john doe\"@q.example R=x", b' '), 20);
        assert_eq!(end_outside_quotes(b"plain", b' '), 5);
        // A backslash escapes only inside quotes: outside, the quote after
        // it opens a quoted string as usual.
        assert_eq!(domain_of(b"a\\\"b\"@x.example"), b"x.example");
        assert_eq!(domain_of(b"\"a\\\"@b\"@x.example"), b"x.example");
        assert_eq!(domain_of(b"\"a@b\""), b"");
    }

    #[test]
    fn without_text_keeps_only_what_the_tables_compare() {
        let full = Event {
            note: Note::NullMx,
            stage: Some(Stage::Rcpt),
            text: b"text",
            reply: b"reply",
            queue_id: b"4B1C2D3E",
            recipient: b"u@d.example",
            hop_to: Some(b"5C6D7E8F"),
            delay_ms: Some(1),
            expired: true,
            discarded: true,
            local: true,
            expires_by_queue: true,
            ..Event::new(b"d.example", Outcome::Bounced, Some(550), enhanced_at(b"5.1.10"))
        };
        let want = Event { note: Note::NullMx, ..Event::new(b"d.example", Outcome::Bounced, Some(550), full.enhanced) };
        assert_eq!(full.without_text(), want);
    }

    #[test]
    fn notes() {
        let e = |s: &[u8]| enhanced_at(s);
        type Case<'a> = (Option<u16>, Option<Enhanced>, &'a [u8], Note);
        let cases: [Case; 5] = [
            (None, e(b"5.1.0"), b"Domain d.example does not accept mail (nullMX)", Note::NullMx),
            (None, None, b"R=dnslookup: an MX or SRV record indicated no SMTP service", Note::NullMx),
            (Some(550), e(b"5.1.10"), b"550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found", Note::RecipientNotFound),
            (Some(556), e(b"5.1.10"), b"556 5.1.10 Recipient address has null MX", Note::None),
            (None, e(b"5.1.0"), b"Sender address rejected", Note::None),
        ];
        for (code, enhanced, text, want) in cases {
            assert_eq!(Note::of_text(code, enhanced, text), want, "{}", String::from_utf8_lossy(text));
        }
    }

    fn e(class: u8, subject: u16, detail: u16) -> Option<Enhanced> {
        Some(Enhanced { class, subject, detail })
    }

    #[test]
    fn reply_codes() {
        let cases: &[(&[u8], Option<u16>)] = &[
            (b"550 5.1.1 unknown", Some(550)),
            (b"550-5.1.1 first line", Some(550)),
            (b"250", Some(250)),
            (b"421\tbusy", Some(421)),
            (b"199 nope", None),
            (b"650 nope", None),
            (b"5500 bytes", None),
            (b"550.1.2.3", None),
            (b"192.0.2.1", None),
            (b"55", None),
            (b"", None),
            (b"abc", None),
        ];
        for (text, want) in cases {
            assert_eq!(reply_code_at(text), *want, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn enhanced_codes() {
        let cases: &[(&[u8], Option<Enhanced>)] = &[
            (b"5.1.1", e(5, 1, 1)),
            (b"5.1.10 x", e(5, 1, 10)),
            (b"4.7.650,", e(4, 7, 650)),
            (b"5.12.345 x", e(5, 12, 345)),
            (b"2.0.0)", e(2, 0, 0)),
            (b"5.1.1000", None),
            (b"5.48.118.128", None),
            (b"3.1.1", None),
            (b"5.1", None),
            (b"5..1", None),
            (b"55.1.1", None),
            (b"", None),
        ];
        for (text, want) in cases {
            assert_eq!(enhanced_at(text), *want, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn replies() {
        let cases: &[(&[u8], Option<Reply>)] = &[
            (b"550 5.1.1 <u@d>: unknown", Some((550, e(5, 1, 1)))),
            (b"550-5.7.1 [2001:db8::1      12] Our system", Some((550, e(5, 7, 1)))),
            (b"550 4.1.1 class mismatch", Some((550, None))),
            (b"554 DT:SPM 163", Some((554, None))),
            (b"250 OK id=1abc", Some((250, None))),
            (b"452", Some((452, None))),
            (b"550 5.1.1", Some((550, e(5, 1, 1)))),
            (b"550  5.1.1 two spaces", Some((550, None))),
            (b"host mx said", None),
        ];
        for (text, want) in cases {
            assert_eq!(reply_at(text), *want, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn domains() {
        assert_eq!(domain_of(b"user@example.com"), b"example.com");
        assert_eq!(domain_of(b"\"a@b\"@example.org"), b"example.org");
        assert_eq!(domain_of(b"abcd+x+\"abc@def\""), b"");
        assert_eq!(domain_of(b"\"a\\\"@b\"@example.org"), b"example.org");
        assert_eq!(domain_of(b"root"), b"");
        assert_eq!(domain_of(b""), b"");
    }
}
