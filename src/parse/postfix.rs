//! Postfix delivery-agent lines.
//!
//! ```text
//! Nov  5 10:00:00 mx1 postfix/smtp[123]: 4B1C2D3E4F: to=<u@example.com>, relay=..., dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command))
//! ```
//! The scanner finds `: to=`; [`parse`] checks that a queue id precedes it
//! and that the syslog tag (when there is one) is Postfix's, then reads the
//! fields by name, not by position. The timestamp is never looked at, so
//! BSD, RFC 3339 and prefix-less lines parse alike.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::{
    Envelope, Event, Note, Outcome, Parsed, Stage, bracketed, domain_of, enhanced_at, is_alphanumeric, leading_number,
    reply_code_at,
};

/// The literal the scanner searches for.
pub const ANCHOR: &[u8] = b": to=";

/// The literal that ends qmgr's expiry line, `QID: from=<s>, status=expired,
/// returned to sender` (also `status=force-expired`).
pub const EXPIRY_ANCHOR: &[u8] = b", returned to sender";

/// The literal of qmgr's line for a message taken into the active queue,
/// `QID: from=<sender>, size=N, nrcpt=M (queue active)`, read by
/// [`parse_queued`] (its expiry line holds it too, and is left to
/// [`parse_expiry`]).
pub const QUEUED_ANCHOR: &[u8] = b": from=<";

/// Whether the start of an input looks like a Postfix log: its name appears
/// in it (the syslog tags `postfix/smtp`, `postfix/qmgr`...).
pub fn recognises(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"postfix").is_some()
}

struct Finders {
    said: Finder<'static>,
    refused: Finder<'static>,
    queued_as: Finder<'static>,
    from: Finder<'static>,
    in_reply_to: memchr::memmem::FinderRev<'static>,
}

static FINDERS: LazyLock<Finders> = LazyLock::new(|| Finders {
    said: Finder::new(b" said: "),
    refused: Finder::new(b" refused to talk to me: "),
    queued_as: Finder::new(b"queued as "),
    in_reply_to: memchr::memmem::FinderRev::new(b"(in reply to "),
    from: Finder::new(b": from=<"),
});

/// The longest queue id accepted, and how far back a syslog tag is looked for.
const MAX_QUEUE_ID: usize = 24;
const MAX_TAG: usize = 96;

/// Parses the line `line`, in which [`ANCHOR`] starts at byte `at`.
pub fn parse(line: &[u8], at: usize) -> Parsed<'_> {
    let Some((queue_id, tag)) = queue_id_and_tag(&line[..at]) else {
        return Parsed::Other;
    };
    // Postfix's syslog name can be anything (`syslog_name`), so a line is
    // Postfix's when its fields say so; a tag naming Postfix only decides
    // that a line without them is a broken delivery line, not another
    // program's (sendmail logs `: to=` with `stat=`).
    let broken = || {
        if tag.is_none_or(|t| memchr::memmem::find(t, b"postfix").is_some()) {
            Parsed::Malformed
        } else {
            Parsed::Other
        }
    };
    let rest = &line[at + ANCHOR.len()..];
    let (addr, mut fields) = if rest.first() == Some(&b'<') {
        match bracketed(rest) {
            Some(split) => split,
            None => return broken(),
        }
    } else {
        // Old local deliveries: `to=user@host, orig_to=...`.
        let end = memchr::memchr2(b',', b' ', rest).unwrap_or(rest.len());
        (&rest[..end], &rest[end..])
    };
    // Skip orig_to=<...> as a whole: its address may hold ", status=".
    if let Some(orig) = fields.strip_prefix(b", orig_to=") {
        fields = match bracketed(orig) {
            Some((_, after)) => after,
            None => orig,
        };
    }
    // Walk the `, key=value` fields (no value holds a comma) up to
    // `status=`, noting `dsn=`, `relay=` and `delay=` on the way.
    let (mut enhanced, mut relay, mut delay_ms) = (None, &b""[..], None);
    let status_text = loop {
        let Some(comma) = memchr::memchr(b',', fields) else {
            return broken();
        };
        fields = &fields[comma + 1..];
        if let Some(value) = fields.strip_prefix(b" status=") {
            break value;
        }
        if let Some(value) = fields.strip_prefix(b" dsn=") {
            enhanced = enhanced_at(value);
        } else if let Some(value) = fields.strip_prefix(b" relay=") {
            relay = &value[..memchr::memchr(b',', value).unwrap_or(value.len())];
        } else if let Some(value) = fields.strip_prefix(b" delay=") {
            delay_ms = millis(&value[..memchr::memchr(b',', value).unwrap_or(value.len())]);
        }
    };
    let word_len = memchr::memchr2(b' ', b'(', status_text).unwrap_or(status_text.len());
    let outcome = match &status_text[..word_len] {
        b"sent" => Outcome::Delivered,
        b"deferred" | b"SOFTBOUNCE" => Outcome::Deferred,
        b"bounced" => Outcome::Bounced,
        b"deliverable" | b"undeliverable" | b"undeliverable-but-not-cached" | b"expired" | b"force-expired" => {
            return Parsed::Probe;
        }
        _ => return broken(),
    };
    let text = reply_text(&status_text[word_len..]);
    let (code, stage) = match outcome {
        Outcome::Delivered => (reply_code_at(text), None),
        Outcome::Deferred | Outcome::Bounced => match remote_reply(text) {
            Some((reply, stage)) => (reply_code_at(reply), stage),
            None => (None, None),
        },
    };
    let note = Note::of_text(code, enhanced, text);
    let (hop_to, discarded) = match outcome {
        Outcome::Delivered if is_loopback(relay) => {
            let hop_to = content_filter_hop(text);
            (hop_to, hop_to.is_none() && filter_discarded(text))
        }
        _ => (None, false),
    };
    Parsed::Event(Event {
        domain: domain_of(addr),
        outcome,
        code,
        enhanced,
        note,
        stage,
        text,
        reply: text,
        queue_id,
        recipient: addr,
        hop_to,
        delay_ms,
        expired: false,
        discarded,
        // Postfix's local deliveries (`relay=local`) are not looked for:
        // only Exim's `Unrouteable address` needs them.
        local: false,
        expires_by_queue: true,
        mta: "postfix",
        relay,
    })
}

/// Parses qmgr's expiry line, in which [`EXPIRY_ANCHOR`] starts at byte `at`:
/// `QID: from=<sender>, status=expired, returned to sender`.
pub fn parse_expiry(line: &[u8], at: usize) -> Parsed<'_> {
    let head = &line[..at];
    if !(head.ends_with(b", status=expired") || head.ends_with(b", status=force-expired")) {
        return Parsed::Other;
    }
    // The sender address may be long, but `: from=<` comes right after the queue id.
    let window = at.saturating_sub(MAX_TAG + MAX_QUEUE_ID + 1024);
    let Some(from) = FINDERS.from.find(&head[window..]).map(|i| window + i) else {
        return Parsed::Other;
    };
    match queue_id_and_tag(&line[..from]) {
        Some((queue_id, _)) => Parsed::Expiry { queue_id },
        None => Parsed::Other,
    }
}

/// Parses qmgr's line for a message taken into the active queue, in which
/// [`QUEUED_ANCHOR`] starts at byte `at`: `QID: from=<sender>, size=N,
/// nrcpt=M (queue active)`. The sender is read between the brackets (a `>`
/// in a quoted local part does not end it); `size=` and `nrcpt=` are read
/// by name among the fields after it, so a line without a size still gives
/// the sender. A line without `nrcpt=` (sendmail writes `from=<...>,
/// size=N, class=0, nrcpts=1`), or whose fields say `status=` (the expiry
/// line), is no such line.
pub fn parse_queued(line: &[u8], at: usize) -> Parsed<'_> {
    let Some((queue_id, _)) = queue_id_and_tag(&line[..at]) else {
        return Parsed::Other;
    };
    let Some((sender, fields)) = bracketed(&line[at + QUEUED_ANCHOR.len() - 1..]) else {
        return Parsed::Other;
    };
    let (mut size, mut recipients, mut known) = (None, None, false);
    for field in fields.split(|&b| b == b',') {
        let field = field.trim_ascii_start();
        if let Some(value) = field.strip_prefix(b"size=") {
            size = leading_number(value);
        } else if let Some(value) = field.strip_prefix(b"nrcpt=") {
            recipients = leading_number(value).and_then(|n| u32::try_from(n).ok());
            known = true;
        } else if field.starts_with(b"status=") {
            return Parsed::Other;
        }
    }
    match known {
        true => Parsed::Queued { queue_id, envelope: Envelope { sender, size, recipients } },
        false => Parsed::Other,
    }
}

/// Whether `relay=` is a loopback address (`127.x.x.x`, `::1`): a content
/// filter or a delivery agent on this host.
fn is_loopback(relay: &[u8]) -> bool {
    let loopback = |r: &[u8]| r.starts_with(b"127.") || r.starts_with(b"::1]") || r.starts_with(b"::1:");
    memchr::memchr(b'[', relay).is_some_and(|i| loopback(&relay[i + 1..]))
}

/// A delivery into a content filter on this host (a loopback relay) that
/// answered `250 ... queued as NEWQID`. Returns the new queue id.
fn content_filter_hop(text: &[u8]) -> Option<&[u8]> {
    let after = &text[FINDERS.queued_as.find(text)? + FINDERS.queued_as.needle().len()..];
    let len = after.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    (len >= 5).then(|| &after[..len])
}

/// How far into a reply [`filter_discarded`] looks: amavis says it at once.
const VERDICT_WINDOW: usize = 64;

/// Whether the reply of a content filter on this host (a loopback relay)
/// says it discarded or quarantined the message: amavis's `250 2.7.0 Ok,
/// discarded, id=... - BANNED: ...` (or `INFECTED`, `spam`), another
/// filter's `Discarded` or `quarantined`. The word is looked for, in any
/// case, in the first [`VERDICT_WINDOW`] bytes before any `<`, so an
/// address in the reply (an LMTP server's `250 2.0.0 <discarded@x> Saved`)
/// is never taken for a verdict.
fn filter_discarded(text: &[u8]) -> bool {
    let head = &text[..text.len().min(VERDICT_WINDOW)];
    let head = &head[..memchr::memchr(b'<', head).unwrap_or(head.len())];
    let has = |word: &[u8]| head.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
    has(b"discarded") || has(b"quarantined")
}

/// `delay=` seconds (`2017`, `0.43`) as milliseconds.
fn millis(value: &[u8]) -> Option<u64> {
    let (whole, fraction) = match memchr::memchr(b'.', value) {
        Some(dot) => (&value[..dot], &value[dot + 1..]),
        None => (value, &b""[..]),
    };
    if whole.is_empty() || whole.len() > 12 || !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
        return None;
    }
    let seconds = whole.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let mut ms = 0;
    for i in 0..3 {
        ms = ms * 10 + fraction.get(i).map_or(0, |d| u64::from(d - b'0'));
    }
    Some(seconds * 1000 + ms)
}

/// The remote server's reply in a failure text, and the command it
/// answered: after `host H[ip] said: ` (the command in the `(in reply to
/// CMD command)` that ends the text) or `host H[ip] refused to talk to me: `
/// (the greeting), whichever comes first (a quoted reply may itself contain
/// the other phrase).
fn remote_reply(text: &[u8]) -> Option<(&[u8], Option<Stage>)> {
    let f = &*FINDERS;
    let said = f.said.find(text).map(|i| i + f.said.needle().len());
    let refused = f.refused.find(text).map(|i| i + f.refused.needle().len());
    let (start, greeting) = match (said, refused) {
        (Some(a), Some(b)) => (a.min(b), b < a),
        (Some(a), None) => (a, false),
        (None, Some(b)) => (b, true),
        (None, None) => return None,
    };
    let reply = &text[start..];
    let stage = if greeting {
        Some(Stage::Connect)
    } else {
        f.in_reply_to.rfind(reply).and_then(|i| Stage::of_command(&reply[i + f.in_reply_to.needle().len()..]))
    };
    Some((reply, stage))
}

/// The text inside `status=WORD (...)`, without its parentheses.
fn reply_text(after_word: &[u8]) -> &[u8] {
    let text = after_word.strip_prefix(b" ").unwrap_or(after_word);
    let text = text.strip_prefix(b"(").unwrap_or(text);
    text.strip_suffix(b")").unwrap_or(text)
}

/// Checks what precedes `: to=`: a queue id (short hex or long form), and
/// before it maybe a syslog tag (`postfix/smtp[123]:`, `mail-out/smtp[9]:`).
/// Returns `None` when there is no queue id, else the queue id and the tag
/// if there is one. Looks back a bounded distance, so hostile lines cost
/// linear time.
pub(crate) fn queue_id_and_tag(head: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let window = head.len().saturating_sub(MAX_QUEUE_ID + 1);
    let qid_start = match memchr::memrchr(b' ', &head[window..]) {
        Some(i) => window + i + 1,
        None if window == 0 => 0,
        None => return None,
    };
    let qid = &head[qid_start..];
    if qid.len() < 5 || !is_alphanumeric(qid) {
        return None;
    }
    let Some(tag_end) = head[..qid_start].strip_suffix(b": ") else {
        return Some((qid, None)); // the line starts with the queue id, or a bare timestamp precedes it
    };
    let window = tag_end.len().saturating_sub(MAX_TAG);
    let tag_start = memchr::memrchr(b' ', &tag_end[window..]).map_or(window, |i| window + i + 1);
    Some((qid, Some(&tag_end[tag_start..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Parsed<'_> {
        let at = memchr::memmem::find(line.as_bytes(), ANCHOR).expect("test line has the anchor");
        match parse(line.as_bytes(), at) {
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
                "Feb 24 16:18:40 letterman postfix/smtp[59649]: 5270320179: to=<a@telia.example>, relay=mail.telia.example[192.0.2.10]:25, delay=2017, delays=0.1/2017/0.03/0.05, dsn=2.0.0, status=sent (250 2.0.0 6FVIjIMwUJwU66FVIjAEB0 mail accepted for delivery)",
                event("telia.example", Delivered, Some(250), "2.0.0"),
            ),
            (
                "2023-03-16T02:27:29.827273+01:00 helga postfix/smtp[505058]: 4PcV4K5FPLz3tBr: to=<u@Example.COM>, relay=none, delay=0.07, delays=0.01/0.02/0.04/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=other.example type=AAAA: Host not found)",
                event("Example.COM", Bounced, None, "5.4.4"),
            ),
            (
                "Dec 29 02:54:12 mail postfix-out/smtp[7648]: 732BB407C3: to=<r@domain.example>, relay=mail.domain.example[192.0.2.1]:25, delay=6.2, delays=0.1/0/5.2/0.87, dsn=4.0.0, status=deferred (host mail.domain.example[192.0.2.1] said: 451 DT:SPM 163 mx40, please try again 15min later (in reply to end of DATA command))",
                event("domain.example", Deferred, Some(451), "4.0.0"),
            ),
            (
                "Jun  1 12:00:03 mx1 postfix/smtp[2348]: 4B1C2D3E51: to=<b@gmail.example>, relay=gmail-smtp-in.l.google.com[2001:db8::1b]:25, conn_use=2, delay=0.9, delays=0.01/0/0.4/0.5, tls=may, dsn=5.1.1, status=bounced (host gmail-smtp-in.l.google.com[2001:db8::1b] said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp (in reply to RCPT TO command))",
                event("gmail.example", Bounced, Some(550), "5.1.1"),
            ),
            (
                "892A0205B6: to=ghdsgfhdslfh@localhost, relay=local, delay=0.05, delays=0.02/0/0/0.02, dsn=5.1.1, status=bounced (unknown user: \"ghdsgfhdslfh\")",
                event("localhost", Bounced, None, "5.1.1"),
            ),
            (
                "Jan 31 09:50:08 raptor postfix/pipe[29598]: 4B80DE08044: to=<trex@dinos.test>, orig_to=<t.rex@dinos.test>, relay=dovecot, delay=0.13, delays=0.04/0/0/0.09, dsn=2.0.0, status=sent (delivered via dovecot service)",
                event("dinos.test", Delivered, None, "2.0.0"),
            ),
            (
                "Mar 14 postfix/amavis/smtp[1]: 4PbC4x469Jz3tBr: to=<u@x.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 4PbC4y0Xyz)",
                event("x.example", Delivered, Some(250), "2.0.0"),
            ),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=mx.b.example[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.b.example[192.0.2.2] refused to talk to me: 554 5.7.1 go away)",
                event("b.example", Deferred, Some(554), "4.7.1"),
            ),
            // The reply starts after whichever phrase comes first; the
            // quoted reply may contain the other one, with another code.
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=mx.b.example[192.0.2.2]:25, dsn=4.7.1, status=deferred (host mx.b.example[192.0.2.2] said: 450 4.7.1 Client host mx1 refused to talk to me: 554 5.7.1 listed (in reply to RCPT TO command))",
                event("b.example", Deferred, Some(450), "4.7.1"),
            ),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=mx.b.example[192.0.2.2]:25, dsn=4.7.0, status=deferred (host mx.b.example[192.0.2.2] refused to talk to me: 421 4.7.0 the admin said: 550 go away)",
                event("b.example", Deferred, Some(421), "4.7.0"),
            ),
            // Any syslog name (Postfix's `syslog_name`): the fields decide.
            (
                "Jun  1 mx1 mail-out/smtp[9]: 4B1C2D3E: to=<a@b.example>, relay=mx.b.example[192.0.2.2]:25, dsn=5.1.1, status=bounced (host mx.b.example[192.0.2.2] said: 550 5.1.1 unknown)",
                event("b.example", Bounced, Some(550), "5.1.1"),
            ),
            // A quoted local part is read as a unit, `>` and fields included.
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<\"x>, dsn=5.1.1, status=bounced (no)\"@q.example>, relay=x, dsn=2.0.0, status=sent (250 ok)",
                event("q.example", Delivered, Some(250), "2.0.0"),
            ),
            // orig_to=<...> is skipped as a whole: fields quoted inside the
            // original address are not the line's own.
            (
                "Jan 31 09:50:08 raptor postfix/local[1]: 4B80DE08044: to=<t@dinos.test>, orig_to=<x, dsn=5.1.1, status=bounced (no)@dinos.test>, relay=local, delay=0.1, dsn=2.0.0, status=sent (delivered to mailbox)",
                event("dinos.test", Delivered, None, "2.0.0"),
            ),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.b.example[192.0.2.2]:25: Connection timed out)",
                event("b.example", Deferred, None, "4.4.1"),
            ),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=x, dsn=5.0.0, status=SOFTBOUNCE (host x[192.0.2.3] said: 550 no)",
                event("b.example", Deferred, Some(550), "5.0.0"),
            ),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<>, relay=none, delay=1, status=bounced (no dsn here)",
                event("", Bounced, None, ""),
            ),
            (
                "2847EE008E: to=<info@test2.example>, relay=mail.domain.test[192.0.2.34]:25, delay=6.3, delays=0.04/0.01/6/0.19, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)",
                Parsed::Probe,
            ),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=mx[192.0.2.9]:25, delay=1",
                Parsed::Malformed,
            ),
            ("Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example, relay=mx", Parsed::Malformed),
            (
                "Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, dsn=2.0.0, status=frobnicated (x)",
                Parsed::Malformed,
            ),
            ("Jun  1 mx1 sm-mta[1]: x9ABcdEF012345: to=<a@b.example>, delay=00:00:01, stat=Sent", Parsed::Other),
            ("Jun  1 mx1 postfix/smtpd[1]: connect from x: to=<a@b>", Parsed::Other),
        ];
        for (line, want) in cases {
            assert_eq!(run(line), want, "{line}");
        }
    }

    /// See 00211c9: the look-back is bounded (so a line full of false
    /// anchors costs linear time), which also bounds what is accepted: a
    /// queue id of at most MAX_QUEUE_ID bytes, a tag of at most MAX_TAG.
    #[test]
    fn queue_ids_and_tags_are_read_within_their_bounds() {
        let long_id = "A".repeat(MAX_QUEUE_ID + 1);
        let id = "A".repeat(MAX_QUEUE_ID);
        let long_tag = format!("postfix/{}[1]", "s".repeat(MAX_TAG));
        type Case<'a> = (String, Option<(&'a str, Option<&'a str>)>);
        let cases: [Case; 8] = [
            // Five characters at least (Postfix's short ids are 6 to 12).
            ("Jun  1 mx1 postfix/smtp[1]: ABCDE".into(), Some(("ABCDE", Some("postfix/smtp[1]")))),
            ("Jun  1 mx1 postfix/smtp[1]: ABCD".into(), None),
            ("Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E".into(), Some(("4B1C2D3E", Some("postfix/smtp[1]")))),
            (format!("Jun  1 mx1 postfix/smtp[1]: {id}"), Some((&id, Some("postfix/smtp[1]")))),
            (format!("Jun  1 mx1 postfix/smtp[1]: {long_id}"), None),
            ("A".repeat(MAX_QUEUE_ID + 2), None),
            (id.clone(), Some((&id, None))),
            // Only the last MAX_TAG bytes of a longer tag are kept.
            (format!("x {long_tag}: 4B1C2D3E"), Some(("4B1C2D3E", Some(&long_tag[long_tag.len() - MAX_TAG..])))),
        ];
        for (head, want) in cases {
            let got = queue_id_and_tag(head.as_bytes());
            let want = want.map(|(q, t)| (q.as_bytes(), t.map(str::as_bytes)));
            assert_eq!(got, want, "{head}");
        }
    }

    #[test]
    fn null_mx_is_noted() {
        let line = "Jun  1 12:00:00 mx1 postfix/smtp[2345]: 4B1C2D3E4F: to=<user@nullmx.example>, relay=none, delay=0.21, delays=0.1/0/0.11/0, dsn=5.1.0, status=bounced (Domain nullmx.example does not accept mail (nullMX))";
        let Parsed::Event(ev) = run(line) else { panic!("not an event") };
        assert_eq!(ev.note, Note::NullMx);
        assert_eq!(ev.code, None);
        // The same dsn with another text is not a null MX.
        let line = line.replace("Domain nullmx.example does not accept mail (nullMX)", "sender rejected");
        let Parsed::Event(ev) = run(&line) else { panic!("not an event") };
        assert_eq!(ev.note, Note::None);
    }

    #[test]
    fn invalid_utf8_is_read() {
        let mut line = b"Jun  1 mx1 postfix/smtp[1]: 4B1C2D3E: to=<a@b.example>, relay=x, dsn=5.7.1, status=bounced (host x[192.0.2.3] said: 550 5.7.1 \xff\xfe bad)".to_vec();
        line.extend_from_slice(b"");
        let at = memchr::memmem::find(&line, ANCHOR).unwrap();
        let Parsed::Event(ev) = parse(&line, at) else { panic!("not an event") };
        assert_eq!((ev.code, ev.outcome), (Some(550), Outcome::Bounced));
    }

    #[test]
    fn text_queue_id_and_recipient() {
        let cases = [
            (
                "Nov  5 10:00:00 mx1 postfix/smtp[123]: 4B1C2D3E4F: to=<U@Example.com>, relay=mx[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))",
                "4B1C2D3E4F",
                "U@Example.com",
                "host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)",
            ),
            (
                "4TgQ2x0bKyz9vKd: to=<a@b.example>, orig_to=<x@y>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to b.example[192.0.2.2]:25: Connection timed out)",
                "4TgQ2x0bKyz9vKd",
                "a@b.example",
                "connect to b.example[192.0.2.2]:25: Connection timed out",
            ),
            ("ABCDE12345: to=local, relay=local, dsn=2.0.0, status=sent", "ABCDE12345", "local", ""),
        ];
        for (line, qid, rcpt, text) in cases {
            let at = memchr::memmem::find(line.as_bytes(), ANCHOR).unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!((e.queue_id, e.recipient, e.text), (qid.as_bytes(), rcpt.as_bytes(), text.as_bytes()), "{line}");
        }
    }

    /// The stage is the command in the `(in reply to ...)` that ends the
    /// text, or the greeting for `refused to talk to me`; the reply kept
    /// for reports is the whole text. Worked out by hand.
    #[test]
    fn stages_and_replies() {
        use Stage::*;
        let line = |status: &str| {
            format!(
                "Nov  5 10:00:00 mx1 postfix/smtp[1]: 4B1C2D3E4F: to=<u@x.example>, relay=mx[192.0.2.1]:25, dsn=5.0.0, {status}"
            )
        };
        let cases: [(&str, Option<Stage>); 7] = [
            ("status=bounced (host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))", Some(Rcpt)),
            (
                "status=bounced (host mx[192.0.2.1] said: 554 delivery error: dd This user doesn't have a yahoo.com account (in reply to end of DATA command))",
                Some(Data),
            ),
            ("status=bounced (host mx[192.0.2.1] said: 553 sorry (in reply to MAIL FROM command))", Some(Mail)),
            ("status=deferred (host mx[192.0.2.1] refused to talk to me: 554 go away)", Some(Connect)),
            // A reply that quotes an earlier command: the last one counts.
            (
                "status=bounced (host mx[192.0.2.1] said: 550 (in reply to RCPT TO command) seen (in reply to end of DATA command))",
                Some(Data),
            ),
            ("status=deferred (connect to mx[192.0.2.1]:25: Connection refused)", None),
            ("status=bounced (host mx[192.0.2.1] said: 550 5.7.1 no)", None),
        ];
        for (status, stage) in cases {
            let line = line(status);
            let at = memchr::memmem::find(line.as_bytes(), ANCHOR).unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!((e.stage, e.reply), (stage, e.text), "{line}");
        }
    }

    #[test]
    fn content_filter_hops_and_delays() {
        let cases: [(&str, Option<&str>, Option<u64>); 5] = [
            (
                "Nov  5 10:00:00 mx1 postfix/smtp[1]: 4B1C2D3E4F: to=<u@example.com>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.43, delays=0.1/0/0/0.33, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 5C6D7E8F9A)",
                Some("5C6D7E8F9A"),
                Some(430),
            ),
            (
                "Nov  5 10:00:00 mx1 postfix/lmtp[1]: 4B1C2D3E4F: to=<u@example.com>, relay=localhost[::1]:10024, delay=2017, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4TgQ2x0bKyz9vKd)",
                Some("4TgQ2x0bKyz9vKd"),
                Some(2_017_000),
            ),
            // A remote relay that says "queued as" is a real delivery.
            (
                "Nov  5 10:00:00 mx1 postfix/smtp[1]: 4B1C2D3E4F: to=<u@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5C6D7E8F9A)",
                None,
                Some(1200),
            ),
            // Loopback, but no new queue id: a local delivery (dovecot LMTP).
            (
                "Nov  5 10:00:00 mx1 postfix/lmtp[1]: 4B1C2D3E4F: to=<u@example.com>, relay=127.0.0.1[127.0.0.1]:24, delay=0.05, dsn=2.0.0, status=sent (250 2.0.0 <u@example.com> Saved)",
                None,
                Some(50),
            ),
            // A failure is never a hop, and a bad delay is no delay.
            (
                "Nov  5 10:00:00 mx1 postfix/smtp[1]: 4B1C2D3E4F: to=<u@example.com>, relay=127.0.0.1[127.0.0.1]:10024, delay=x, dsn=4.4.2, status=deferred (lost connection with 127.0.0.1[127.0.0.1] while sending end of data -- message may be sent more than once; queued as 5C6D7E8F9A)",
                None,
                None,
            ),
        ];
        for (line, hop, delay) in cases {
            let at = memchr::memmem::find(line.as_bytes(), ANCHOR).unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!((e.hop_to, e.delay_ms), (hop.map(str::as_bytes), delay), "{line}");
        }
    }

    /// A content filter on this host that discarded or quarantined the
    /// message: still a delivered line, flagged for the message level.
    #[test]
    fn content_filter_discards() {
        let line = |relay: &str, dsn: &str, status: &str| {
            format!(
                "2023-03-15T09:33:43.255874+01:00 helga postfix/amavis/smtp[440819]: 4Pc3ZX1jFxz3tBr: \
                 to=<u@uhu.example>, relay={relay}, delay=3.2, delays=0.44/0.02/0.01/2.7, dsn={dsn}, status={status}"
            )
        };
        let amavis = "127.0.0.1[127.0.0.1]:10024";
        let cases = [
            (line(amavis, "2.7.0", "sent (250 2.7.0 Ok, discarded, id=351462-17 - BANNED: .exe,.exe-ms)"), true),
            (line(amavis, "2.7.0", "sent (250 2.7.0 Ok, discarded, id=351462-18 - INFECTED: Eicar-Signature)"), true),
            (line(amavis, "2.7.0", "sent (250 2.7.0 Ok, discarded, id=351462-19 - spam)"), true),
            (line("localhost[::1]:10026", "2.0.0", "sent (250 Virus Detected; Discarded Email)"), true),
            (line(amavis, "2.0.0", "sent (250 2.0.0 Ok, id=351462-20, quarantined)"), true),
            // Passed on: a hop, not a discard, whatever its new queue id says.
            (
                line(
                    amavis,
                    "2.0.0",
                    "sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 4Discarded1)",
                ),
                false,
            ),
            // A remote server's words are not a filter's verdict.
            (line("mx.example[192.0.2.1]:25", "2.0.0", "sent (250 2.0.0 Ok, discarded)"), false),
            // An address in a local delivery's reply is not a verdict.
            (line("127.0.0.1[127.0.0.1]:24", "2.0.0", "sent (250 2.0.0 <discarded@uhu.example> Saved)"), false),
            // Far into the reply: not where a filter says it.
            (line(amavis, "2.0.0", &format!("sent (250 2.0.0 Ok {} discarded)", "x".repeat(60))), false),
            (line(amavis, "4.7.0", "deferred (host 127.0.0.1[127.0.0.1] said: 450 4.7.0 discarded)"), false),
        ];
        for (line, discarded) in cases {
            let at = memchr::memmem::find(line.as_bytes(), ANCHOR).unwrap();
            let Parsed::Event(e) = parse(line.as_bytes(), at) else { panic!("{line}") };
            assert_eq!(e.discarded, discarded, "{line}");
            if e.outcome == Outcome::Delivered {
                assert_eq!(e.code, Some(250), "{line}");
            }
        }
    }

    /// qmgr's queued lines: the sender between the brackets (`<>` is the
    /// null sender, read as empty), `size=` and `nrcpt=` by name; the
    /// expiry line and lines without either field are not read as such.
    #[test]
    fn queued_lines() {
        let head = "Nov  5 10:00:00 mx1 postfix/qmgr[1190]: 4E5F6A7B8C: from=<";
        type Read<'a> = Option<(&'a str, Option<u64>, Option<u32>)>;
        let cases: [(&str, Read<'_>); 12] = [
            ("a@b.example>, size=2345, nrcpt=3 (queue active)", Some(("a@b.example", Some(2345), Some(3)))),
            (">, size=4420, nrcpt=1 (queue active)", Some(("", Some(4420), Some(1)))),
            (
                "Odd+Tag=x@Sender.EXAMPLE>, size=1, nrcpt=1 (queue active)",
                Some(("Odd+Tag=x@Sender.EXAMPLE", Some(1), Some(1))),
            ),
            // A `>` inside a quoted local part does not end the address.
            ("\"a>b\"@x.example>, size=10, nrcpt=2 (queue active)", Some(("\"a>b\"@x.example", Some(10), Some(2)))),
            // A field missing, or not a number.
            ("a@b.example>, nrcpt=2 (queue active)", Some(("a@b.example", None, Some(2)))),
            ("a@b.example>, nrcpt=x (queue active)", Some(("a@b.example", None, None))),
            ("a@b.example>, size=x, nrcpt=2 (queue active)", Some(("a@b.example", None, Some(2)))),
            // The expiry line, a line without the fields, an unclosed address.
            ("a@b.example>, status=expired, returned to sender", None),
            ("a@b.example>, something else", None),
            ("a@b.example, size=1, nrcpt=1", None),
            // No `nrcpt=`: not qmgr's line (sendmail's has `nrcpts=`).
            ("a@b.example>, size=77", None),
            ("a@b.example>, size=1234, class=0, nrcpts=1, msgid=<x@y>, proto=ESMTP", None),
        ];
        for (rest, want) in cases {
            let line = format!("{head}{rest}");
            let at = memchr::memmem::find(line.as_bytes(), QUEUED_ANCHOR).unwrap();
            let got = match parse_queued(line.as_bytes(), at) {
                Parsed::Queued { queue_id, envelope } => {
                    assert_eq!(queue_id, b"4E5F6A7B8C");
                    Some((std::str::from_utf8(envelope.sender).unwrap(), envelope.size, envelope.recipients))
                }
                Parsed::Other => None,
                other => panic!("{line}: {other:?}"),
            };
            assert_eq!(got, want, "{line}");
        }
        // No queue id before the anchor: another line.
        let line = b"Nov  5 10:00:00 mx1 postfix/smtpd[1]: NOQUEUE; x: from=<a@b>, size=1, nrcpt=1";
        let at = memchr::memmem::find(line, QUEUED_ANCHOR).unwrap();
        assert_eq!(parse_queued(line, at), Parsed::Other);
    }

    /// The sender may be long, up to the bounded look-back: `: from=<` is
    /// searched for at most MAX_TAG + MAX_QUEUE_ID + 1024 bytes before the
    /// anchor, so a sender of 1,119 bytes is read and one of 1,120 is not.
    #[test]
    fn expiry_lines_with_long_senders() {
        for (sender_len, found) in [(1, true), (1_119, true), (1_120, false), (5_000, false)] {
            let sender = "x".repeat(sender_len);
            let line = format!(
                "Nov  5 07:00:02 mx1 postfix/qmgr[1190]: 4E5F6A7B8C: from=<{sender}>, status=expired, returned to sender"
            );
            let at = memchr::memmem::find(line.as_bytes(), EXPIRY_ANCHOR).unwrap();
            let got = parse_expiry(line.as_bytes(), at);
            let want = if found { Parsed::Expiry { queue_id: b"4E5F6A7B8C" } } else { Parsed::Other };
            assert_eq!(got, want, "a sender of {sender_len} bytes");
        }
    }

    /// `delay=` as Postfix writes it (`0.43`, `2017`), to milliseconds;
    /// digits beyond the third of the fraction are dropped, and a number
    /// of more than 12 digits of seconds (over 30,000 years) is no delay.
    #[test]
    fn delays_in_milliseconds() {
        let cases: [(&str, Option<u64>); 12] = [
            ("0.43", Some(430)),
            ("2017", Some(2_017_000)),
            ("1.2", Some(1_200)),
            ("0.0005", Some(0)),
            ("3.14159", Some(3_141)),
            ("7.", Some(7_000)),
            ("123456789012", Some(123_456_789_012_000)),
            ("1234567890123", None),
            (".5", None),
            ("", None),
            ("1.2.3", None),
            ("-1", None),
        ];
        for (value, want) in cases {
            assert_eq!(millis(value.as_bytes()), want, "{value:?}");
        }
    }

    #[test]
    fn expiry_lines() {
        let cases = [
            (
                "Nov  5 07:00:02 mx1 postfix/qmgr[1190]: 4E5F6A7B8C: from=<n@corp.example>, status=expired, returned to sender",
                Some("4E5F6A7B8C"),
            ),
            (
                "2026-11-05T13:45:00+01:00 mx1 postfix/qmgr[1]: 1B2C3D4E5A: from=<>, status=force-expired, returned to sender",
                Some("1B2C3D4E5A"),
            ),
            (
                "Nov  5 07:00:02 mx1 postfix/qmgr[1190]: 4E5F6A7B8C: from=<n@corp.example>, status=sent, returned to sender",
                None,
            ),
            ("Nov  5 07:00:02 mx1 postfix/cleanup[1]: message-id=<a, status=expired, returned to sender>", None),
            ("status=expired, returned to sender", None),
        ];
        for (line, want) in cases {
            let at = memchr::memmem::find(line.as_bytes(), EXPIRY_ANCHOR).unwrap();
            let got = match parse_expiry(line.as_bytes(), at) {
                Parsed::Expiry { queue_id } => Some(queue_id),
                _ => None,
            };
            assert_eq!(got, want.map(str::as_bytes), "{line}");
        }
    }
}
