//! Exim main-log delivery lines.
//!
//! ```text
//! 2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** u@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1] : SMTP error from remote mail server after RCPT TO:<u@example.com>: 550 5.1.1 unknown
//! ```
//! The scanner finds a delivery flag with a space on each side; [`parse`]
//! checks that an Exim message id stands right before it. That makes the
//! timestamp style (plain, with milliseconds, `[pid]`, a zone, or wrapped in
//! syslog) irrelevant, and ignores flags that occur inside subjects or texts.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::{
    Envelope, Event, Note, Outcome, Parsed, Reply, Stage, after, bracketed, domain_of, end_outside_quotes,
    is_alphanumeric, reply_at, unquoted,
};

/// The literals the scanner searches for: `=>` and `->` (delivered), `>>`
/// (cut-through delivery, also delivered), `==` (deferred), `**` (failed).
/// A space or the end of the line must follow; [`parse`] checks that, so a
/// line cut off right after its flag is still seen (as malformed).
pub const ANCHORS: [&[u8]; 5] = [b" =>", b" ->", b" >>", b" ==", b" **"];

/// The literal of an arrival line, `ID <= sender ...`, read by
/// [`parse_arrival`]: not a delivery, but the time the message's delays
/// count from.
pub const ARRIVAL_ANCHOR: &[u8] = b" <= ";

/// Whether the start of an input looks like an Exim main log: `exim[` as a
/// syslog tag, a message id among the first words of a line, or Exim's own
/// timestamp before something only Exim writes.
pub fn recognises(head: &[u8]) -> bool {
    if memchr::memmem::find(head, b" exim[").is_some() {
        return true;
    }
    head.split(|&b| b == b'\n').take(1000).any(|line| {
        line.split(|&b| b == b' ').take(8).any(is_message_id)
            || (starts_with_exim_time(line)
                && [&b" H="[..], b" authenticator failed", b"queue run", b" rejected "]
                    .iter()
                    .any(|n| memchr::memmem::find(line, n).is_some()))
    })
}

/// `YYYY-MM-DD HH:MM:SS` at the start of the line.
fn starts_with_exim_time(line: &[u8]) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-dd dd:dd:dd";
    line.len() >= SHAPE.len()
        && line.iter().zip(SHAPE).all(|(&b, &s)| if s == b'd' { b.is_ascii_digit() } else { b == s })
}

/// Where the message of an Exim line starts: after Exim's timestamp (with
/// an optional fraction and zone) and process id (`[1234]`), or after a
/// syslog prefix ending in an `exim...: ` tag and such a timestamp if one
/// follows. `None` when the line has neither.
pub(crate) fn message_start(line: &[u8]) -> Option<usize> {
    let mut at = if starts_with_exim_time(line) {
        19
    } else {
        let head = &line[..line.len().min(MAX_ID_START)];
        let tag = memchr::memmem::find(head, b" exim")?;
        let colon = tag + memchr::memmem::find(&head[tag..], b": ")? + 2;
        if !starts_with_exim_time(&line[colon..]) {
            return Some(colon);
        }
        colon + 19
    };
    if line.get(at) == Some(&b'.') {
        at += 1;
        while line.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    let zone = |z: &[u8]| matches!(z[1], b'+' | b'-') && z[2..].iter().all(u8::is_ascii_digit);
    if line.get(at) == Some(&b' ') && line.get(at..at + 6).is_some_and(zone) {
        at += 6;
    }
    if line.get(at..at + 2) == Some(b" [") {
        let close = memchr::memchr(b']', &line[at..]).map(|i| at + i);
        if let Some(close) = close.filter(|&c| c > at + 2 && line[at + 2..c].iter().all(u8::is_ascii_digit)) {
            at = close + 1;
        }
    }
    match line.get(at) {
        Some(b' ') => Some(at + 1),
        None => Some(at),
        Some(_) => None,
    }
}

struct Finders {
    smtp_error: Finder<'static>,
    lmtp_error: Finder<'static>,
    colon: Finder<'static>,
    host_end: Finder<'static>,
    confirmation: Finder<'static>,
    address_start: Finder<'static>,
    retry_timeout: Finder<'static>,
    host_field: Finder<'static>,
}

static FINDERS: LazyLock<Finders> = LazyLock::new(|| Finders {
    smtp_error: Finder::new(b"SMTP error from remote mail"),
    lmtp_error: Finder::new(b"LMTP error after "),
    colon: Finder::new(b": "),
    host_end: Finder::new(b"]: "),
    confirmation: Finder::new(b" C=\""),
    address_start: Finder::new(b" <"),
    retry_timeout: Finder::new(b"retry timeout exceeded"),
    host_field: Finder::new(b" H="),
});

/// How far into a line its message id may start (past a syslog prefix and
/// a timestamp with milliseconds, pid and zone).
const MAX_ID_START: usize = 160;

/// Parses the line `line`, in which one of [`ANCHORS`] starts at byte `at`.
pub fn parse(line: &[u8], at: usize) -> Parsed<'_> {
    let Some(id_start) = message_id_before(line, at) else {
        return Parsed::Other;
    };
    let flag = &line[at + 1..at + 3];
    let outcome = match flag {
        b"=>" | b"->" | b">>" => Outcome::Delivered,
        b"==" => Outcome::Deferred,
        _ => Outcome::Bounced,
    };
    let rest = match line.get(at + 3) {
        None => return Parsed::Malformed,
        Some(b' ') => &line[at + 4..],
        Some(_) => return Parsed::Other,
    };
    let (field, after_field) = first_field(rest);
    let field = field.strip_suffix(b":").unwrap_or(field);
    if field.is_empty() {
        return Parsed::Malformed;
    }
    let is_address = !matches!(field[0], b'|' | b'/' | b'>');
    let mut recipient = if is_address { field } else { &[] };
    let mut domain = domain_of(recipient);
    if domain.is_empty() {
        // A local part, a file, a pipe or an autoreply: the address is the
        // `<...>` right after it (before F=, P= and R=, whose addresses are
        // the sender's and the return path's).
        if let Some((addr, _)) = bracketed(after_field.trim_ascii_start()) {
            (recipient, domain) = (addr, domain_of(addr));
        }
    }
    let f = &*FINDERS;
    let text = after_field.trim_ascii_start();
    let remote = match outcome {
        // The confirmation ends at its closing quote: `C="250"` is a 250.
        Outcome::Delivered => {
            let confirmation = after(rest, &f.confirmation).map(|c| &c[..memchr::memchr(b'"', c).unwrap_or(c.len())]);
            Remote { stage: None, reply: None, codes: confirmation.and_then(reply_at) }
        }
        Outcome::Deferred | Outcome::Bounced => remote_reply(rest),
    };
    let (code, enhanced) = match remote.codes {
        Some((code, enhanced)) => (Some(code), enhanced),
        None => (None, None),
    };
    let note = Note::of_text(code, enhanced, rest);
    let queue_id = &line[id_start..at];
    let expired = outcome == Outcome::Bounced && FINDERS.retry_timeout.find(text).is_some();
    // Only a delivery's: a failure's reply is not quoted, so a `QT=` in it
    // could be the remote server's words.
    let delay_ms = if outcome == Outcome::Delivered { queue_time(rest) } else { None };
    Parsed::Event(Event {
        domain,
        outcome,
        code,
        enhanced,
        note,
        stage: remote.stage,
        text,
        // Without a reply, the text as it is, but for the `: ` that
        // separates it from the address (`** a@b.example : Unrouteable address`).
        reply: remote.reply.unwrap_or_else(|| text.strip_prefix(b": ").unwrap_or(text)),
        queue_id,
        recipient,
        hop_to: None,
        delay_ms,
        expired,
        discarded: false,
        // `>>` (cut-through) is always to a remote host.
        local: matches!(flag, b"=>" | b"->") && !names_host(after_field),
        expires_by_queue: false,
        mta: "exim",
        relay: host_field(after_field),
    })
}

/// Whether a delivery's fields (after its first one) hold ` H=`, the remote
/// host Exim logs for every delivery over SMTP, outside quoted values (a
/// quoted local part or a `DN="..."` may hold the same bytes). Local
/// transports log none.
fn names_host(fields: &[u8]) -> bool {
    host_at(fields).is_some()
}

/// Where the value of the first ` H=` outside quoted values of `fields`
/// starts.
fn host_at(fields: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = FINDERS.host_field.find(&fields[from..]) {
        let at = from + i;
        // Usually no quote comes before it: no need to walk the quotes.
        if memchr::memchr(b'"', &fields[..at]).is_none() || unquoted(fields).any(|(j, _)| j == at) {
            return Some(at + FINDERS.host_field.needle().len());
        }
        from = at + 1;
    }
    None
}

/// The remote host of a line's fields as logged: ` H=`'s name and, when
/// it follows, its `[ip]` (`mx.example [192.0.2.1]`); empty when none.
fn host_field(fields: &[u8]) -> &[u8] {
    let Some(start) = host_at(fields) else { return b"" };
    let value = &fields[start..];
    let mut end = memchr::memchr(b' ', value).unwrap_or(value.len());
    if value[end..].starts_with(b" [")
        && let Some(close) = memchr::memchr(b']', &value[end..])
    {
        end += close + 1;
    }
    let host = &value[..end];
    host.strip_suffix(b":").unwrap_or(host)
}

/// Parses an arrival line, `ID <= sender ...`, in which [`ARRIVAL_ANCHOR`]
/// starts at byte `at`: the message `ID` arrived at the line's time. The
/// flag must follow the line's first message id, as a delivery's.
///
/// The envelope is read too: the sender is the word after the flag (`<>`,
/// the null sender, is read as empty), the size the digits of the first
/// ` S=` after it. Exim names no recipients there.
pub fn parse_arrival(line: &[u8], at: usize) -> Parsed<'_> {
    match message_id_before(line, at) {
        Some(id_start) => Parsed::Arrival { queue_id: &line[id_start..at], envelope: envelope(&line[at + 4..]) },
        None => Parsed::Other,
    }
}

/// The envelope of an arrival line, from `rest`, what follows `<= `.
fn envelope(rest: &[u8]) -> Envelope<'_> {
    let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
    let sender = match &rest[..end] {
        b"<>" => &[][..],
        sender => sender,
    };
    let after = &rest[end..];
    let size = memchr::memmem::find(after, b" S=").and_then(|i| super::leading_number(&after[i + 3..]));
    Envelope { sender, size, recipients: None }
}

/// Where the message id that ends right before the flag at `at` starts,
/// when it is the line's first message id: ids quoted later in a subject
/// or a reply are not deliveries.
fn message_id_before(line: &[u8], at: usize) -> Option<usize> {
    // A message id is at most 23 bytes: look back no further than that.
    let window = at.saturating_sub(24);
    let id_start = match memchr::memrchr(b' ', &line[window..at]) {
        Some(i) => window + i + 1,
        None if window == 0 => 0,
        None => return None,
    };
    (is_message_id(&line[id_start..at]) && is_first_message_id(line, id_start)).then_some(id_start)
}

/// How far from the end of a delivery line `QT=` is looked for: Exim
/// writes it and `DT=` last (` QT=1w2d3h4m5s DT=1w2d3h4m5s` is 35 bytes).
const QT_WINDOW: usize = 64;

/// Exim's `QT=` (the `queue_time` log selector) on a delivery line, in
/// milliseconds: the time since the message arrived, which is what the
/// message-level delay is. It comes after the quoted confirmation
/// (`C="..."`), at the end of the line, so the last ` QT=` in the last
/// [`QT_WINDOW`] bytes is taken (a bounded backward search for its rare
/// `Q`: most lines have none), and only when no quote follows it (else it
/// was inside the confirmation). `DT=` (`deliver_time`) is the time of
/// this one delivery, not since arrival: not read.
fn queue_time(rest: &[u8]) -> Option<u64> {
    let tail = &rest[rest.len().saturating_sub(QT_WINDOW)..];
    let at =
        memchr::memrchr_iter(b'Q', tail).find(|&q| q > 0 && tail[q - 1] == b' ' && tail[q + 1..].starts_with(b"T="))?;
    let value = &tail[at + 3..];
    if memchr::memchr(b'"', value).is_some() {
        return None;
    }
    duration_ms(&value[..memchr::memchr(b' ', value).unwrap_or(value.len())])
}

/// A duration as Exim writes it, in milliseconds: `1w2d3h4m5s` (each part
/// optional, in that order, at least one; `0s` for none), or under 5
/// seconds with the `millisec` selector `1.234s`. A negative time (a clock
/// set back) or anything else is none.
fn duration_ms(text: &[u8]) -> Option<u64> {
    const UNITS: [(u8, u64); 5] =
        [(b'w', 604_800_000), (b'd', 86_400_000), (b'h', 3_600_000), (b'm', 60_000), (b's', 1000)];
    let digits = |t: &[u8]| t.iter().take_while(|b| b.is_ascii_digit()).count();
    let number = |t: &[u8]| t.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    // `1.234s`
    let whole = digits(text);
    if let Some(fraction) = text.get(whole..).and_then(|t| t.strip_prefix(b".")) {
        let n = digits(fraction);
        return (whole > 0 && whole <= 9 && (1..=3).contains(&n) && &fraction[n..] == b"s").then(|| {
            let ms = fraction[..n].iter().chain(std::iter::repeat_n(&b'0', 3 - n));
            number(&text[..whole]) * 1000 + ms.fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
        });
    }
    let (mut rest, mut total, mut next) = (text, 0u64, 0);
    while !rest.is_empty() {
        let n = digits(rest);
        if n == 0 || n > 9 {
            return None;
        }
        let unit = *rest.get(n)?;
        let i = next + UNITS[next..].iter().position(|&(u, _)| u == unit)?;
        total += number(&rest[..n]) * UNITS[i].1;
        (rest, next) = (&rest[n + 1..], i + 1);
    }
    (next > 0).then_some(total)
}

/// Whether the token at `id_start` (shaped like a message id) is the first
/// such token of the line, among the tokens (split at each space) that
/// start in the first [`MAX_ID_START`] bytes.
fn is_first_message_id(line: &[u8], id_start: usize) -> bool {
    if id_start >= MAX_ID_START {
        return false;
    }
    let mut start = 0;
    while start < id_start {
        let end = memchr::memchr(b' ', &line[start..id_start]).map_or(id_start, |i| start + i);
        if is_message_id(&line[start..end]) {
            return false;
        }
        start = end + 1;
    }
    true
}

/// The first field after the flag, and the text after it. An address may
/// hold quoted spaces (`"john doe"@example.org`); a pipe command, a file
/// or an autoreply (`|...`, `/...`, `>...`) runs up to the ` <` before the
/// address it was delivered for.
fn first_field(rest: &[u8]) -> (&[u8], &[u8]) {
    let end = match rest.first() {
        Some(b'|' | b'/' | b'>') => FINDERS.address_start.find(rest).unwrap_or(rest.len()),
        _ => end_outside_quotes(rest, b' '),
    };
    (&rest[..end], &rest[end..])
}

/// What a failure text says of the remote server's reply.
struct Remote<'a> {
    /// The command it answered.
    stage: Option<Stage>,
    /// The reply itself, from its code to the end of the line, when it has
    /// a code where Exim puts it.
    reply: Option<&'a [u8]>,
    /// Its codes.
    codes: Option<Reply>,
}

/// The remote server's reply in a failure text:
/// `SMTP error from remote mail server after <CMD>: [host H [ip]: ]<reply>`
/// (also `remote mailer`) or `LMTP error after <CMD>: <reply>`.
fn remote_reply(rest: &[u8]) -> Remote<'_> {
    let none = Remote { stage: None, reply: None, codes: None };
    let f = &*FINDERS;
    let Some(tail) = after(rest, &f.smtp_error).or_else(|| after(rest, &f.lmtp_error)) else {
        return none;
    };
    // `SMTP error from remote mail` is followed by ` server after ` or
    // `er after `; `LMTP error after ` by the command itself.
    let command = match memchr::memmem::find(&tail[..tail.len().min(16)], b"after ") {
        Some(i) => &tail[i + 6..],
        None => tail,
    };
    let stage = Stage::of_command(command);
    // The command may quote an address holding `: ` itself
    // (`RCPT TO:<"x: y"@example.com>`): the reply starts after the address.
    let tail = match (memchr::memchr(b'<', tail), f.colon.find(tail)) {
        (Some(open), Some(colon)) if open < colon => bracketed(&tail[open..]).map_or(tail, |(_, after)| after),
        _ => tail,
    };
    let Some(mut reply) = after(tail, &f.colon) else {
        return Remote { stage, ..none };
    };
    if reply.starts_with(b"host ") {
        let Some(past_host) = after(reply, &f.host_end) else {
            return Remote { stage, ..none };
        };
        reply = past_host;
    }
    let codes = reply_at(reply);
    Remote { stage, reply: codes.map(|_| reply), codes }
}

/// An Exim message id: `1tXyZa-0003Ab-Qr` (6-6-2) or, from Exim 4.97 on,
/// `1tXyZa-000000003Ab-Qr1x` (6-11-4), in base 62.
pub(crate) fn is_message_id(token: &[u8]) -> bool {
    let (first, second) = match token.len() {
        16 => (6, 13),
        23 => (6, 18),
        _ => return false,
    };
    token[first] == b'-'
        && token[second] == b'-'
        && is_alphanumeric(&token[..first])
        && is_alphanumeric(&token[first + 1..second])
        && is_alphanumeric(&token[second + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::enhanced_at;

    fn run(line: &str) -> Parsed<'_> {
        let bytes = line.as_bytes();
        let at = ANCHORS.iter().filter_map(|a| memchr::memmem::find(bytes, a)).min().expect("test line has an anchor");
        match parse(bytes, at) {
            Parsed::Event(e) => Parsed::Event(e.without_text()),
            other => other,
        }
    }

    fn event(domain: &'static str, outcome: Outcome, code: Option<u16>, enhanced: &str) -> Parsed<'static> {
        let enhanced = (!enhanced.is_empty()).then(|| enhanced_at(enhanced.as_bytes()).unwrap());
        Parsed::Event(Event::new(domain.as_bytes(), outcome, code, enhanced))
    }

    #[test]
    fn table() {
        use Outcome::*;
        let cases: Vec<(&str, Parsed)> = vec![
            (
                "2020-02-22 01:31:26 1j5IhX-0006pK-Rt => a.b@gmail.example <k@ucf.example> R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.26] X=TLS1.2:RSA_AES_128_CBC_SHA1:128 DN=\"C=US,ST=California,CN=mx.google.com\"",
                event("gmail.example", Delivered, None, ""),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 => one@remote <list@test.ex> R=all T=smtp H=127.0.0.1 [127.0.0.1] C=\"250 OK\"",
                event("remote", Delivered, Some(250), ""),
            ),
            (
                "2025-06-01 12:00:03.123 [4242] 1sDdXq-000Abc-Eh -> u@Example.COM R=dnslookup T=remote_smtp H=mx [192.0.2.10] CV=yes C=\"250 2.0.0 OK\"",
                event("Example.COM", Delivered, Some(250), "2.0.0"),
            ),
            (
                "2020-02-22 01:31:26 1j5IhX-0006pK-Rt => userx <userx@test.ex> R=accept T=appendfile",
                event("test.ex", Delivered, None, ""),
            ),
            (
                "2020-02-22 01:31:26 1j5IhX-0006pK-Rt => |/bin/sh -c \"cat >TESTSUITE/test-mail/pipe\" <pipe@test.ex> R=alias T=pipe",
                event("test.ex", Delivered, None, ""),
            ),
            (
                "2020-02-22 01:31:26 1j5IhX-0006pK-Rt => >userx (page+userx@test.ex) <page+ux@other.ex> R=a T=b",
                event("other.ex", Delivered, None, ""),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@domain.com R=all T=smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<userx@domain.com>: 452 Temporary error",
                event("domain.com", Deferred, Some(452), ""),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@simple R=all T=smtp defer (-54): retry time not reached for any host for 'simple'",
                event("simple", Deferred, None, ""),
            ),
            (
                "2020-02-22 08:47:17 1j5PVL-00068g-Vf ** w@sbc.example R=dnslookup T=remote_smtp: SMTP error from remote mail server after MAIL FROM:<n@p.example>: host ff-ip4-mx-vip2.prodigy.net [192.0.2.22]: 550 5.7.1 Connections not accepted",
                event("sbc.example", Bounced, Some(550), "5.7.1"),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** fail@test.ex R=fail T=fail H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<fail@test.ex>: 550-5.1.1 first\\n550 5.1.1 second",
                event("test.ex", Bounced, Some(550), "5.1.1"),
            ),
            (
                "2020-02-22 01:41:08 1j4ZTB-0001Sv-P4 ** noreply@pilgrim.example: Unrouteable address",
                event("pilgrim.example", Bounced, None, ""),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** user22@test.ex R=r1 : 590 5.4.3 Main and extended code",
                event("test.ex", Bounced, None, ""),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == u@test.ex R=lmtp T=lmtp defer (-46): LMTP error after DATA: 452 4.2.2 Quota exceeded",
                event("test.ex", Deferred, Some(452), "4.2.2"),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** u@test.ex R=r T=t H=h [192.0.2.1] : SMTP error from remote mail server after RCPT TO:<u@test.ex>: 550 4.1.1 mismatch",
                event("test.ex", Bounced, Some(550), ""),
            ),
            // Found by the reference parser (tests/reference_parser.rs): a
            // bare code before the confirmation's closing quote, and a `: `
            // inside the quoted address of the command.
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr => u@x.example R=dnslookup T=remote_smtp H=mx [192.0.2.1] C=\"250\"",
                event("x.example", Delivered, Some(250), ""),
            ),
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** \"x: y\"@x.example R=dnslookup T=remote_smtp H=mx [192.0.2.1] : SMTP error from remote mail server after RCPT TO:<\"x: y\"@x.example>: 550 5.1.1 unknown",
                event("x.example", Bounced, Some(550), "5.1.1"),
            ),
            // A `<` in the reply, after the command's `: `, changes nothing.
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr == u@x.example R=r T=t H=mx [192.0.2.1] : SMTP error from remote mail server after end of data: 451 4.3.0 <u@x.example>: try later",
                event("x.example", Deferred, Some(451), "4.3.0"),
            ),
            ("2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= s@x.example H=h [192.0.2.1] T=\"a => b\"", Parsed::Other),
            ("**NOTE: The delivery lines in this file ** have been sorted.", Parsed::Other),
            // The flag must follow the line's first message id.
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= s@x.example T=\"re: 1tXyZb-0003Ab-Qr => u@y.example\"",
                Parsed::Other,
            ),
            ("2026-11-05 10:00:00 1tXyZa-0003Ab-Qr 1tXyZb-0003Ab-Qr => u@y.example R=r T=t", Parsed::Other),
            // ... and start within the first 160 bytes.
            (
                "2026-11-05 10:00:00 [00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000] 1tXyZb-0003Ab-Qr => u@y.example R=r",
                Parsed::Other,
            ),
            (
                "2026-11-05 10:00:00 [000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000] 1tXyZb-0003Ab-Qr => u@y.example R=r",
                event("y.example", Delivered, None, ""),
            ),
            ("2026-11-05 10:00:00 1tXyZa-0003Ab-Qr == ", Parsed::Malformed),
        ];
        for (line, want) in cases {
            assert_eq!(run(line), want, "{line}");
        }
    }

    /// A delivery with no remote host (`H=`) among its fields is local: a
    /// mailbox, a file, a pipe, an autoreply, LMTP to a socket, a
    /// blackhole. Remote deliveries, cut-through (`>>`) and failures never
    /// are, and an `H=` inside a quoted value does not make one remote.
    #[test]
    fn local_deliveries_are_told_from_remote_ones() {
        let id = "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr";
        let cases: [(&str, &str, bool); 16] = [
            ("=> jsmith <jsmith@own.example> R=localuser T=local_delivery", "own.example", true),
            ("-> ann <ann@own.example> R=localuser T=local_delivery", "own.example", true),
            ("=> /var/mail/x <x@own.example> R=system_aliases T=address_file", "own.example", true),
            ("=> |/usr/bin/procmail -d \"h H=x\" <h@own.example> R=system_aliases T=address_pipe", "own.example", true),
            (
                "=> >jdoe (page+jdoe@pager.example) <page+jd@own.example> R=userforward T=address_reply",
                "own.example",
                true,
            ),
            ("=> :blackhole: <spam@own.example> R=blackhole_router", "own.example", true),
            ("=> u@own.example R=virtual_user T=dovecot_lmtp", "own.example", true),
            ("=> \"a H=b\"@own.example <\"a H=b\"@own.example> R=localuser T=local_delivery", "own.example", true),
            ("=> u@remote.example R=dnslookup T=remote_smtp H=mx.remote.example [192.0.2.1]", "remote.example", false),
            (
                "-> v@remote.example R=dnslookup T=remote_smtp H=mx.remote.example [192.0.2.1]:25",
                "remote.example",
                false,
            ),
            (
                "=> u@remote.example <a@own.example> R=dnslookup T=remote_smtp H=mx [192.0.2.1] C=\"250 OK\"",
                "remote.example",
                false,
            ),
            ("=> \"a H=b\"@remote.example R=dnslookup T=remote_smtp H=mx [192.0.2.1]", "remote.example", false),
            (">> u@remote.example R=dnslookup T=remote_smtp H=mx [192.0.2.1] C=\"250 OK\"", "remote.example", false),
            ("** nouser@own.example: Unrouteable address", "own.example", false),
            ("== u@own.example R=localuser T=local_delivery defer (-22): mailbox is full", "own.example", false),
            ("** u@own.example R=localuser T=local_delivery: Unknown user", "own.example", false),
        ];
        for (rest, domain, local) in cases {
            let line = format!("{id} {rest}");
            let at = ANCHORS.iter().filter_map(|a| memchr::memmem::find(line.as_bytes(), a)).min().unwrap();
            let Parsed::Event(ev) = parse(line.as_bytes(), at) else { panic!("not an event: {line}") };
            assert_eq!((ev.domain, ev.local), (domain.as_bytes(), local), "{line}");
        }
    }

    #[test]
    fn null_mx_is_noted() {
        let line = "2025-06-01 12:00:00 1sDdXq-000Abc-Ef ** user@nullmx.example : an MX or SRV record indicated no SMTP service";
        let Parsed::Event(ev) = run(line) else { panic!("not an event") };
        assert_eq!((ev.note, ev.domain), (Note::NullMx, &b"nullmx.example"[..]));
    }

    /// Arrival lines: the message id before `<=`, the line's first.
    #[test]
    fn arrivals() {
        let cases = [
            (
                "2020-02-22 01:01:56 1j5IhX-0006pK-Rt <= s@sender.example H=h [192.0.2.1] P=esmtp S=1234",
                Some("1j5IhX-0006pK-Rt"),
            ),
            (
                "2010-09-13 05:00:13 [1487] 1Ov4tU-0000Nz-Rm <= mailling.list@domain.com H=mailhost.domain.com [208.42.54.2]:51792 P=esmtps S=21778",
                Some("1Ov4tU-0000Nz-Rm"),
            ),
            (
                "Nov  5 01:30:03 mx2 exim[20934]: 2026-11-05 01:30:03 10HmaX-000000005vi-0000 <= <> R=1tVmQ4-0005Kt-3c U=Debian-exim P=local S=4420",
                Some("10HmaX-000000005vi-0000"),
            ),
            // Not after the line's first message id, or no id at all.
            ("2026-11-05 10:00:00 1tXyZa-0003Ab-Qr T=\"re: 1tXyZb-0003Ab-Qr <= u@y.example\"", None),
            ("2026-11-05 10:00:00 H=h [192.0.2.1] <= s@x.example", None),
            ("2026-11-05 10:00:00 x1tXyZa-0003Ab-Qr <= s@x.example", None),
        ];
        for (line, want) in cases {
            let at = memchr::memmem::find(line.as_bytes(), ARRIVAL_ANCHOR).unwrap();
            let got = match parse_arrival(line.as_bytes(), at) {
                Parsed::Arrival { queue_id, .. } => Some(std::str::from_utf8(queue_id).unwrap()),
                _ => None,
            };
            assert_eq!(got, want, "{line}");
        }
    }

    /// The envelope of an arrival line: the sender as logged (`<>` read as
    /// the null sender, empty), the size from `S=`; worked out by hand.
    #[test]
    fn arrival_envelopes() {
        let head = "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= ";
        let cases: [(&str, &str, Option<u64>); 6] = [
            ("s@sender.example H=h [192.0.2.1] P=esmtp S=1234 id=x@y", "s@sender.example", Some(1234)),
            ("<> R=1tVmQ4-0005Kt-3c U=Debian-exim P=local S=4420", "", Some(4420)),
            ("Odd+Tag=x@Sender.Example P=local S=0", "Odd+Tag=x@Sender.Example", Some(0)),
            // No size, a size that is not a number, the end of the line.
            ("root@host U=root P=local", "root@host", None),
            ("root@host P=local S=big", "root@host", None),
            ("root@host", "root@host", None),
        ];
        for (rest, sender, size) in cases {
            let line = format!("{head}{rest}");
            let at = memchr::memmem::find(line.as_bytes(), ARRIVAL_ANCHOR).unwrap();
            let Parsed::Arrival { envelope, .. } = parse_arrival(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!(envelope, Envelope { sender: sender.as_bytes(), size, recipients: None }, "{line}");
        }
    }

    /// `QT=` on a delivery line is its delay; one inside the quoted
    /// confirmation, or on a failure (whose reply is not quoted), is not.
    #[test]
    fn queue_times_of_deliveries() {
        let head = "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr";
        let cases = [
            ("=> u@x.example R=r T=t H=mx [192.0.2.1] C=\"250 OK\" QT=1m2s DT=1s", Some(62_000)),
            ("=> u@x.example R=r T=t QT=9s", Some(9000)),
            ("-> v@x.example R=r T=t QT=1.250s DT=0.200s", Some(1250)),
            ("=> u@x.example R=r T=t H=mx [192.0.2.1] C=\"250 OK QT=99s\"", None),
            ("=> u@x.example R=r T=t H=mx [192.0.2.1] C=\"250 OK QT=99s\" QT=3s", Some(3000)),
            ("=> u@x.example R=r T=t QT=qqs", None),
            ("=> u@x.example R=r T=t DT=5s", None),
            // Not at the end of the line, where Exim writes it.
            (
                "=> u@x.example R=r T=t QT=9s H=mx.x.example [192.0.2.1]:25 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes",
                None,
            ),
            (
                "** u@x.example R=r T=t: SMTP error from remote mail server after RCPT TO:<u@x.example>: 550 no QT=9s",
                None,
            ),
            (
                "== u@x.example R=r T=t defer (-44): SMTP error from remote mail server after RCPT TO:<u@x.example>: 450 QT=9s",
                None,
            ),
        ];
        for (rest, want) in cases {
            let line = format!("{head} {rest}");
            let at = ANCHORS.iter().filter_map(|a| memchr::memmem::find(line.as_bytes(), a)).min().unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!(e.delay_ms, want, "{line}");
        }
    }

    /// Durations as Exim's `readconf_printtime` and `string_timediff`
    /// write them, worked out by hand.
    #[test]
    fn durations() {
        let cases: [(&str, Option<u64>); 18] = [
            ("0s", Some(0)),
            ("9s", Some(9000)),
            ("1m2s", Some(62_000)),
            ("2h", Some(7_200_000)),
            ("1w2d3h4m5s", Some(((((7 + 2) * 24 + 3) * 60 + 4) * 60 + 5) * 1000)),
            ("3d5s", Some((3 * 86_400 + 5) * 1000)),
            ("1.234s", Some(1234)),
            ("0.050s", Some(50)),
            ("4.5s", Some(4500)),
            ("", None),
            ("s", None),
            ("5", None),
            ("2s1m", None),
            ("1m1m", None),
            ("-3s", None),
            ("1.2345s", None),
            ("1.s", None),
            ("1234567890s", None),
        ];
        for (text, want) in cases {
            assert_eq!(duration_ms(text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn message_ids() {
        for (id, ok) in [
            ("1tXyZa-0003Ab-Qr", true),
            ("10HmaX-000000005vi-0000", true),
            ("1tXyZa-0003Ab-Q", false),
            ("1tXyZa_0003Ab-Qr", false),
            ("H=host.example.c", false),
            ("", false),
        ] {
            assert_eq!(is_message_id(id.as_bytes()), ok, "{id}");
        }
    }

    /// The reply kept for reports starts at the remote server's code, after
    /// the command and the host; a line without a reply keeps its text. The
    /// stage is the command named after `after`. Worked out by hand.
    #[test]
    fn replies_and_stages() {
        use Stage::*;
        let cases: [(&str, &str, Option<Stage>); 12] = [
            (
                "2020-02-22 08:47:17 1j5PVL-00068g-Vf ** w@sbc.example R=dnslookup T=remote_smtp: SMTP error from remote mail server after MAIL FROM:<n@p.example>: host mx.sbc.example [192.0.2.22]: 550 5.7.1 Connections not accepted",
                "550 5.7.1 Connections not accepted",
                Some(Mail),
            ),
            (
                "2020-02-22 08:47:17 1j5PVL-00068g-Vf ** u@yahoo.example R=dnslookup T=remote_smtp: SMTP error from remote mail server after end of data: host mta5.yahoo.example [192.0.2.72]: 554 delivery error: dd Sorry your message to u@yahoo.example cannot be delivered. This mailbox is disabled (554.30)",
                "554 delivery error: dd Sorry your message to u@yahoo.example cannot be delivered. This mailbox is disabled (554.30)",
                Some(Data),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** fail@test.ex R=fail T=fail H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<fail@test.ex>: 550-5.1.1 first\\n550 5.1.1 second",
                "550-5.1.1 first\\n550 5.1.1 second",
                Some(Rcpt),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@domain1 R=others T=smtp defer (0) H=localhost4.test.ex [127.0.0.1]: SMTP error from remote mail server after initial connection: 450 I'm busy",
                "450 I'm busy",
                Some(Connect),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == u@test.ex R=r T=t H=h [127.0.0.1]: SMTP error from remote mail server after pipelined MAIL FROM:<a@b.example> SIZE=123: 451 later",
                "451 later",
                Some(Mail),
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == u@test.ex R=lmtp T=lmtp defer (-46): LMTP error after DATA: 452 4.2.2 Quota exceeded",
                "452 4.2.2 Quota exceeded",
                Some(Data),
            ),
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** \"x: y\"@x.example R=dnslookup T=remote_smtp H=mx [192.0.2.1] : SMTP error from remote mailer after RCPT TO:<\"x: y\"@x.example>: 550 5.1.1 unknown",
                "550 5.1.1 unknown",
                Some(Rcpt),
            ),
            // No reply code where Exim puts one: the text as it is.
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** u@x.example R=r T=t H=mx [192.0.2.1] : SMTP error from remote mail server after RCPT TO:<u@x.example>: host mx [192.0.2.1]: recipient refused",
                "R=r T=t H=mx [192.0.2.1] : SMTP error from remote mail server after RCPT TO:<u@x.example>: host mx [192.0.2.1]: recipient refused",
                Some(Rcpt),
            ),
            (
                "2020-02-22 01:41:08 1j4ZTB-0001Sv-P4 ** noreply@pilgrim.example: Unrouteable address",
                "Unrouteable address",
                None,
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** xx99@test.ex : Unrouteable address",
                "Unrouteable address",
                None,
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** b@known.ex: retry timeout exceeded",
                "retry timeout exceeded",
                None,
            ),
            (
                "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@simple R=all T=smtp defer (-54): retry time not reached for any host for 'simple'",
                "R=all T=smtp defer (-54): retry time not reached for any host for 'simple'",
                None,
            ),
        ];
        for (line, reply, stage) in cases {
            let at = ANCHORS.iter().filter_map(|a| memchr::memmem::find(line.as_bytes(), a)).min().unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!((String::from_utf8_lossy(e.reply), e.stage), (reply.into(), stage), "{line}");
        }
    }

    #[test]
    fn text_queue_id_and_recipient() {
        let cases = [
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** u@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<u@example.com>: 550 5.1.1 unknown",
                "1tXyZa-0003Ab-Qr",
                "u@example.com",
                "R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<u@example.com>: 550 5.1.1 unknown",
            ),
            (
                "2026-11-05 10:00:00 1tXyZa-000000003Ab-Qr1x => bob <bob@local.example> R=localuser T=local_delivery",
                "1tXyZa-000000003Ab-Qr1x",
                "bob@local.example",
                "<bob@local.example> R=localuser T=local_delivery",
            ),
            (
                "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** x@nullmx.example: an MX or SRV record indicated no SMTP service",
                "1tXyZa-0003Ab-Qr",
                "x@nullmx.example",
                "an MX or SRV record indicated no SMTP service",
            ),
        ];
        for (line, qid, rcpt, text) in cases {
            let at = ANCHORS.iter().filter_map(|a| memchr::memmem::find(line.as_bytes(), a)).min().unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!((e.queue_id, e.recipient, e.text), (qid.as_bytes(), rcpt.as_bytes(), text.as_bytes()), "{line}");
        }
    }
}
