//! systemd journal records, as `journalctl -o json` writes them, turned back
//! into syslog text lines.
//!
//! ```text
//! {"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"1234","MESSAGE":"3F2A1B: to=<a@example.com>, ..."}
//! 2025-11-29T06:35:19.123456+00:00 mx1 postfix/smtp[1234]: 3F2A1B: to=<a@example.com>, ...
//! ```
//! The rest of the tool reads syslog lines, so `journalctl -u postfix -o json
//! | bounces analyze -` works once each record is rendered as one: the time
//! in RFC 3339 (UTC, microseconds), the host, the syslog tag and pid, then
//! the message.
//!
//! What journalctl writes (systemd's "Journal JSON Format", and
//! `src/shared/logs-show.c`): one object per line; every value is a string,
//! except that a value that is not valid UTF-8 or holds a control character
//! other than tab and newline (`\r`, NUL, ESC...) is an array of its bytes as
//! numbers, a value of 4096 bytes or more (counting `NAME=`) is `null` unless
//! `--all` was given, and a field present more than once is an array of such
//! values. `__REALTIME_TIMESTAMP` is the time journald received the entry, in
//! microseconds since the epoch, as a decimal string.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};

use crate::time::civil_from_days;

/// Whether `head` (the first bytes of a stream, possibly cut mid-line) looks like `journalctl -o json`
/// output: its first non-blank line starts with `{` and has a `"__REALTIME_TIMESTAMP"` or `"MESSAGE"` key.
///
/// A key is the quoted name followed (after optional whitespace) by `:`, so
/// both the compact output of current journalctl and the `"KEY" : "value"`
/// spacing of old versions are recognised, and a value that happens to read
/// `"MESSAGE"` is not taken for a key.
pub fn looks_like_journal_json(head: &[u8]) -> bool {
    let Some(line) = head.split(|&b| b == b'\n').map(trim_start).find(|line| !line.is_empty()) else {
        return false;
    };
    line.first() == Some(&b'{') && (has_key(line, b"\"__REALTIME_TIMESTAMP\"") || has_key(line, b"\"MESSAGE\""))
}

/// Whether the quoted `key` occurs in `line` followed by optional whitespace and `:`.
fn has_key(line: &[u8], key: &[u8]) -> bool {
    memchr::memmem::find_iter(line, key).any(|at| trim_start(&line[at + key.len()..]).first() == Some(&b':'))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !is_blank(*b)).unwrap_or(bytes.len());
    &bytes[start..]
}

/// JSON's whitespace, which is also what a blank line may hold.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// What `render` made of one input line.
#[derive(Debug, PartialEq, Eq)]
pub enum Record {
    /// One text line was appended.
    Line,
    /// Nothing was appended, for this reason.
    Skipped(Skip),
}

/// Why a well-formed input line produced no text line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The line is empty or whitespace only: not a record.
    Blank,
    /// The record has no `MESSAGE`, or journalctl wrote it as `null`
    /// because it was too large (4096 bytes or more, unless `--all`).
    NoMessage,
}

/// The last usable timestamp, 9999-12-31T23:59:59.999999Z: later ones have
/// no four-digit year, cannot be written in RFC 3339, and count as unusable.
const MAX_MICROS: u64 = 253_402_300_800_000_000 - 1;

/// Renders one JSON record (one line of input, without its '\n') as a syslog text line ending in '\n',
/// appended to `out`. Returns Err with a short message when the line is not a JSON object (malformed,
/// truncated) — the caller counts such lines and reports them.
///
/// The line is `TIME HOST TAG[PID]: MESSAGE`:
/// - `TIME` is `__REALTIME_TIMESTAMP` (else `_SOURCE_REALTIME_TIMESTAMP`) as
///   `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`. A record with a message but neither
///   timestamp usable (absent, not a decimal number, or past year 9999) is an
///   `Err`: a line without a time, or with a made-up one, would mislead.
/// - `HOST` is `_HOSTNAME`, or `localhost` when absent (an empty value
///   counts as absent, here and below).
/// - `TAG` is `SYSLOG_IDENTIFIER`, else `_COMM`, else `journal`.
/// - `[PID]` is `SYSLOG_PID`, else `_PID`, and is left out when neither is there.
/// - `MESSAGE` is copied byte for byte (a value journalctl wrote as a byte
///   array included, invalid UTF-8 and NULs kept), except that `\n` and `\r`
///   become spaces, so that one record is always one line. The same holds for
///   the other fields.
///
/// A field given several values takes the first that is not `null`. A line
/// holding nothing but whitespace is `Skipped(Blank)`; a record without a
/// usable `MESSAGE` is `Skipped(NoMessage)` (checked before the timestamp).
/// A `\r` before the end is whitespace, as JSON has it. Nothing is appended
/// unless the result is `Ok(Record::Line)`.
pub fn render(record: &[u8], out: &mut Vec<u8>) -> Result<Record, String> {
    let body = trim_start(record);
    match body.first() {
        None => return Ok(Record::Skipped(Skip::Blank)),
        Some(b'{') => {}
        Some(_) => return Err("not a JSON object".to_owned()),
    }
    let entry: Entry = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let Some(message) = entry.message.as_ref().and_then(Value::bytes) else {
        return Ok(Record::Skipped(Skip::NoMessage));
    };
    let Some(micros) = [&entry.realtime, &entry.source_realtime].into_iter().find_map(|v| parse_micros(v.as_ref()?))
    else {
        return Err("no usable __REALTIME_TIMESTAMP".to_owned());
    };
    let host = non_empty(&entry.hostname).unwrap_or(b"localhost");
    let tag = non_empty(&entry.identifier).or_else(|| non_empty(&entry.comm)).unwrap_or(b"journal");
    let pid = non_empty(&entry.syslog_pid).or_else(|| non_empty(&entry.pid));

    out.reserve(TIMESTAMP_LEN + host.len() + tag.len() + pid.map_or(0, |p| p.len() + 2) + message.len() + 5);
    out.extend_from_slice(&rfc3339(micros));
    out.push(b' ');
    push_one_line(out, host);
    out.push(b' ');
    push_one_line(out, tag);
    if let Some(pid) = pid {
        out.push(b'[');
        push_one_line(out, pid);
        out.push(b']');
    }
    out.extend_from_slice(b": ");
    push_one_line(out, message);
    out.push(b'\n');
    Ok(Record::Line)
}

/// Converts a whole buffer of complete JSON lines (each ending in '\n', as the stream reader
/// delivers blocks) into text lines appended to `out`; returns counts.
///
/// A last line without `\n` is rendered too, and a `\r` before a `\n` is
/// ignored. Blank lines are not records and are not counted at all, so
/// `records == lines + skipped + malformed`.
pub fn render_block(block: &[u8], out: &mut Vec<u8>) -> BlockStats {
    let mut stats = BlockStats::default();
    let mut start = 0;
    while start < block.len() {
        let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i);
        let line = &block[start..end];
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match render(line, out) {
            Ok(Record::Skipped(Skip::Blank)) => continue,
            Ok(Record::Line) => stats.lines += 1,
            Ok(Record::Skipped(Skip::NoMessage)) => stats.skipped += 1,
            Err(_) => stats.malformed += 1,
        }
        stats.records += 1;
    }
    stats
}

/// What `render_block` found in a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockStats {
    /// Non-blank input lines: `lines + skipped + malformed`.
    pub records: u64,
    /// Text lines appended (records with a message).
    pub lines: u64,
    /// Records without a message (absent, or `null` because too large).
    pub skipped: u64,
    /// Lines that are not a JSON object (or are cut off), and records with a
    /// message but no usable timestamp.
    pub malformed: u64,
}

/// The fields of a record that a syslog line needs; the others are skipped.
#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow, default)]
    realtime: Option<Value<'a>>,
    #[serde(rename = "_SOURCE_REALTIME_TIMESTAMP", borrow, default)]
    source_realtime: Option<Value<'a>>,
    #[serde(rename = "_HOSTNAME", borrow, default)]
    hostname: Option<Value<'a>>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow, default)]
    identifier: Option<Value<'a>>,
    #[serde(rename = "_COMM", borrow, default)]
    comm: Option<Value<'a>>,
    #[serde(rename = "SYSLOG_PID", borrow, default)]
    syslog_pid: Option<Value<'a>>,
    #[serde(rename = "_PID", borrow, default)]
    pid: Option<Value<'a>>,
    #[serde(rename = "MESSAGE", borrow, default)]
    message: Option<Value<'a>>,
}

/// One field's value as journalctl writes it. (A plain `null` is `None` of the
/// `Option` around it; `Null` only occurs among a repeated field's values.)
#[derive(Debug, PartialEq, Eq)]
enum Value<'a> {
    /// A JSON string: borrowed from the input unless it had escapes.
    Text(Cow<'a, str>),
    /// A byte array: binary data, or text with control characters.
    Bytes(Vec<u8>),
    /// Too large to be written.
    Null,
}

impl Value<'_> {
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Text(text) => Some(text.as_bytes()),
            Value::Bytes(bytes) => Some(bytes),
            Value::Null => None,
        }
    }
}

fn non_empty<'v>(value: &'v Option<Value<'_>>) -> Option<&'v [u8]> {
    value.as_ref()?.bytes().filter(|b| !b.is_empty())
}

impl<'de: 'a, 'a> Deserialize<'de> for Value<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor(PhantomData))
    }
}

struct ValueVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ValueVisitor<'a> {
    type Value = Value<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, an array of bytes, an array of values, or null")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Value<'a>, E> {
        Ok(Value::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value<'a>, E> {
        Ok(Value::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value<'a>, E> {
        Ok(Value::Text(Cow::Owned(v)))
    }

    // journalctl writes numbers as strings; other producers may not.
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value<'a>, E> {
        Ok(Value::Text(Cow::Owned(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value<'a>, E> {
        Ok(Value::Text(Cow::Owned(v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value<'a>, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value<'a>, E> {
        Ok(Value::Null)
    }

    /// Either one value's bytes (`[104, 105]`) or a repeated field's values
    /// (`["a", [104, 105], null]`), told apart by the first element.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'a>, A::Error> {
        match seq.next_element::<Element<'a>>()? {
            None => Ok(Value::Bytes(Vec::new())),
            Some(Element::Byte(first)) => {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).saturating_add(1).min(1 << 16));
                bytes.push(first);
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                Ok(Value::Bytes(bytes))
            }
            Some(Element::Value(mut chosen)) => {
                loop {
                    if chosen == Value::Null {
                        match seq.next_element::<Value<'a>>()? {
                            Some(next) => chosen = next,
                            None => break,
                        }
                    } else if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                }
                Ok(chosen)
            }
        }
    }
}

/// The first element of an array: a byte, or one of a repeated field's values.
enum Element<'a> {
    Byte(u8),
    Value(Value<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Element<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ElementVisitor(PhantomData))
    }
}

struct ElementVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ElementVisitor<'a> {
    type Value = Element<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a byte (0 to 255), a string, an array, or null")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Element<'a>, E> {
        u8::try_from(v).map(Element::Byte).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Element<'a>, E> {
        ValueVisitor(PhantomData).visit_borrowed_str(v).map(Element::Value)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Element<'a>, E> {
        ValueVisitor(PhantomData).visit_str(v).map(Element::Value)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Element<'a>, E> {
        ValueVisitor(PhantomData).visit_string(v).map(Element::Value)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Element<'a>, E> {
        Ok(Element::Value(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Element<'a>, E> {
        Ok(Element::Value(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Element<'a>, A::Error> {
        ValueVisitor(PhantomData).visit_seq(seq).map(Element::Value)
    }
}

/// Microseconds since the epoch from a decimal string (digits only), if it
/// can be written as an RFC 3339 time.
fn parse_micros(value: &Value) -> Option<u64> {
    let digits = value.bytes()?;
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    (n <= MAX_MICROS).then_some(n)
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`
const TIMESTAMP_LEN: usize = 32;

/// `micros` (at most [`MAX_MICROS`]) as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
fn rfc3339(micros: u64) -> [u8; TIMESTAMP_LEN] {
    debug_assert!(micros <= MAX_MICROS);
    let secs = micros / 1_000_000;
    let fraction = micros % 1_000_000;
    let days = secs / 86_400;
    let in_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut buf = *b"0000-00-00T00:00:00.000000+00:00";
    put_digits(&mut buf[0..4], year);
    put_digits(&mut buf[5..7], month);
    put_digits(&mut buf[8..10], day);
    put_digits(&mut buf[11..13], in_day / 3600);
    put_digits(&mut buf[14..16], in_day / 60 % 60);
    put_digits(&mut buf[17..19], in_day % 60);
    put_digits(&mut buf[20..26], fraction);
    buf
}

/// Writes `n` in decimal into all of `dst`, zero-padded (`n` must fit).
fn put_digits(dst: &mut [u8], mut n: u64) {
    for d in dst.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Appends `bytes` with every `\n` and `\r` replaced by a space.
fn push_one_line(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        out.extend_from_slice(&bytes[start..at]);
        out.push(b' ');
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mta;
    use crate::parse::{Outcome, Parsed};
    use crate::search::Scanner;

    fn render_str(record: &str) -> (Result<Record, String>, Vec<u8>) {
        let mut out = b"kept|".to_vec();
        let result = render(record.as_bytes(), &mut out);
        assert!(out.starts_with(b"kept|"), "render must append, not overwrite");
        (result, out.split_off(5))
    }

    const SENT: &str = r#"{"__CURSOR":"s=8b1f0c9e2a4d4e6b9c3a1f2e5d7c8b9a;i=1a2b3;b=0f1e2d3c4b5a69788796a5b4c3d2e1f0;m=2b3c4d5e;t=644b4a1e2f240;x=9f8e7d6c5b4a3928","__REALTIME_TIMESTAMP":"1764398119123456","__MONOTONIC_TIMESTAMP":"725379422","_BOOT_ID":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","_TRANSPORT":"syslog","PRIORITY":"6","SYSLOG_FACILITY":"2","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"1234","_PID":"1234","_UID":"89","_GID":"89","_COMM":"smtp","_EXE":"/usr/lib/postfix/sbin/smtp","_CMDLINE":"smtp -t unix -u -c","_SYSTEMD_UNIT":"postfix@-.service","_HOSTNAME":"mx1","_SOURCE_REALTIME_TIMESTAMP":"1764398119123001","MESSAGE":"3F2A1B: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 OK 1764398119 a1si123)"}"#;
    const SENT_LINE: &str = "2025-11-29T06:35:19.123456+00:00 mx1 postfix/smtp[1234]: 3F2A1B: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 OK 1764398119 a1si123)\n";

    #[test]
    fn records() {
        let big = "x".repeat(1 << 20);
        let huge = format!(
            r#"{{"__REALTIME_TIMESTAMP":"1764398119123456","SYSLOG_IDENTIFIER":"postfix/cleanup","MESSAGE":"{big}"}}"#
        );
        let huge_line = format!("2025-11-29T06:35:19.123456+00:00 localhost postfix/cleanup: {big}\n");
        // A message with invalid UTF-8 ("caf\xe9") and a control character, as journalctl writes it.
        let binary = r#"{"__REALTIME_TIMESTAMP":"1764398119000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"77","MESSAGE":[65,66,58,32,99,97,102,233,13,10,0,33]}"#;
        type Case<'a> = (&'a str, &'a str, Result<Record, String>, Vec<u8>);
        let cases: Vec<Case> = vec![
            ("postfix sent", SENT, Ok(Record::Line), SENT_LINE.into()),
            (
                "postfix deferred, multi-line reply",
                r#"{"__REALTIME_TIMESTAMP":"1764398120000001","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"1235","_PID":"1235","PRIORITY":"6","MESSAGE":"4B1C2D: to=<u@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.2.1, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.27] said: 450-4.2.1 The user you are trying to contact is receiving mail at a rate that\n450-4.2.1 prevents additional messages from being delivered.\n450 4.2.1 https://support.google.com/mail/?p=ReceivingRate x1si2 - gsmtp (in reply to end of DATA command))"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:20.000001+00:00 mx1 postfix/smtp[1235]: 4B1C2D: to=<u@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.2.1, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.27] said: 450-4.2.1 The user you are trying to contact is receiving mail at a rate that 450-4.2.1 prevents additional messages from being delivered. 450 4.2.1 https://support.google.com/mail/?p=ReceivingRate x1si2 - gsmtp (in reply to end of DATA command))\n".into(),
            ),
            (
                "exim",
                r#"{"__REALTIME_TIMESTAMP":"1764398121500000","_HOSTNAME":"relay.example.org","SYSLOG_IDENTIFIER":"exim","SYSLOG_PID":"4242","_COMM":"exim4","MESSAGE":"1tXyZa-0003Ab-Qr ** u@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<u@example.com>: 550 5.1.1 <u@example.com>: Recipient address rejected: User unknown"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:21.500000+00:00 relay.example.org exim[4242]: 1tXyZa-0003Ab-Qr ** u@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<u@example.com>: 550 5.1.1 <u@example.com>: Recipient address rejected: User unknown\n".into(),
            ),
            (
                "message as bytes: kept verbatim but for CR and LF",
                binary,
                Ok(Record::Line),
                b"2025-11-29T06:35:19.000000+00:00 mx1 postfix/smtp[77]: AB: caf\xe9  \0!\n".to_vec(),
            ),
            (
                "message null (too large)",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","SYSLOG_IDENTIFIER":"postfix/smtp","MESSAGE":null}"#,
                Ok(Record::Skipped(Skip::NoMessage)),
                vec![],
            ),
            (
                "no message",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","SYSLOG_IDENTIFIER":"postfix/smtp","CODE_FILE":"x.c"}"#,
                Ok(Record::Skipped(Skip::NoMessage)),
                vec![],
            ),
            ("empty object", "{}", Ok(Record::Skipped(Skip::NoMessage)), vec![]),
            (
                "no message and no timestamp: skipped first",
                r#"{"SYSLOG_IDENTIFIER":"postfix/smtp"}"#,
                Ok(Record::Skipped(Skip::NoMessage)),
                vec![],
            ),
            (
                "no host, no pid, no identifier: _COMM",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_COMM":"smtp","MESSAGE":"hello"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 localhost smtp: hello\n".into(),
            ),
            (
                "nothing but time and message; empty hostname counts as absent",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"","MESSAGE":"hello"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 localhost journal: hello\n".into(),
            ),
            (
                "_PID when no SYSLOG_PID",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"postfix/qmgr","_PID":"99","MESSAGE":"m"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 h postfix/qmgr[99]: m\n".into(),
            ),
            (
                "empty message is still a line",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"t","MESSAGE":""}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 h t: \n".into(),
            ),
            (
                "repeated fields: the first value that is not null",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"h","SYSLOG_IDENTIFIER":["postfix/smtp","other"],"SYSLOG_PID":[[49,50],"13"],"MESSAGE":[null,"first",[115,101,99]]}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 h postfix/smtp[12]: first\n".into(),
            ),
            (
                "repeated field, all null",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","MESSAGE":[null,null]}"#,
                Ok(Record::Skipped(Skip::NoMessage)),
                vec![],
            ),
            (
                "escapes",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"postfix\/smtp","MESSAGE":"say \"hi\" to Ren\u00e9 \ud83d\udce7 \\ \ttab"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 h postfix/smtp: say \"hi\" to René 📧 \\ \ttab\n".into(),
            ),
            (
                "escaped key, spaces as old journalctl wrote them, trailing CR",
                "{ \"__REALTIME_TIMESTAMP\" : \"1764398119123456\", \"\\u004dESSAGE\" : \"m\", \"_HOSTNAME\" : \"h\" }\r",
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 h journal: m\n".into(),
            ),
            (
                "CR and LF in the other fields too",
                r#"{"__REALTIME_TIMESTAMP":"1764398119123456","_HOSTNAME":"h\nx","SYSLOG_IDENTIFIER":[116,13,10],"MESSAGE":"a\r\nb"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 h x t  : a  b\n".into(),
            ),
            (
                "_SOURCE_REALTIME_TIMESTAMP when __REALTIME_TIMESTAMP is unusable",
                r#"{"__REALTIME_TIMESTAMP":"soon","_SOURCE_REALTIME_TIMESTAMP":"946684799999999","MESSAGE":"m"}"#,
                Ok(Record::Line),
                "1999-12-31T23:59:59.999999+00:00 localhost journal: m\n".into(),
            ),
            (
                "numbers where strings belong",
                r#"{"__REALTIME_TIMESTAMP":1764398119123456,"_PID":7,"MESSAGE":"m"}"#,
                Ok(Record::Line),
                "2025-11-29T06:35:19.123456+00:00 localhost journal[7]: m\n".into(),
            ),
            ("huge message (--all)", &huge, Ok(Record::Line), huge_line.into()),
            ("blank", "", Ok(Record::Skipped(Skip::Blank)), vec![]),
            ("whitespace", " \t\r", Ok(Record::Skipped(Skip::Blank)), vec![]),
        ];
        for (name, record, want, want_out) in cases {
            let (got, out) = render_str(record);
            assert_eq!(got, want, "{name}");
            assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&want_out), "{name}");
            assert_eq!(out, want_out, "{name}");
        }
    }

    #[test]
    fn malformed() {
        let cases = [
            ("truncated", &SENT[..SENT.len() / 2]),
            ("truncated after a key", r#"{"MESSAGE""#),
            ("not JSON", "Nov 29 06:55:19 mx1 postfix/smtp[1234]: 3F2A1B: to=<a@example.com>"),
            ("an array", r#"["1764398119123456","m"]"#),
            ("a string", r#""MESSAGE""#),
            ("trailing garbage", r#"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"1"} x"#),
            ("two records on a line", r#"{"MESSAGE":"m"}{"MESSAGE":"n"}"#),
            ("byte out of range", r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":[104,256]}"#),
            ("negative byte", r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":[104,-1]}"#),
            ("an object as value", r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":{"a":"b"}}"#),
            ("a boolean as value", r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":true}"#),
            ("invalid escape", r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"\q"}"#),
            ("no timestamp", r#"{"MESSAGE":"m","_HOSTNAME":"h"}"#),
            ("timestamp null", r#"{"__REALTIME_TIMESTAMP":null,"MESSAGE":"m"}"#),
            ("timestamp not a number", r#"{"__REALTIME_TIMESTAMP":"12:00","MESSAGE":"m"}"#),
            ("timestamp signed", r#"{"__REALTIME_TIMESTAMP":"+1764398119123456","MESSAGE":"m"}"#),
            ("timestamp empty", r#"{"__REALTIME_TIMESTAMP":"","MESSAGE":"m"}"#),
            ("timestamp past 9999", r#"{"__REALTIME_TIMESTAMP":"253402300800000000","MESSAGE":"m"}"#),
            ("timestamp past u64", r#"{"__REALTIME_TIMESTAMP":"99999999999999999999","MESSAGE":"m"}"#),
        ];
        for (name, record) in cases {
            let (got, out) = render_str(record);
            assert!(got.is_err(), "{name}: {got:?}");
            assert!(out.is_empty(), "{name}");
        }
        assert_eq!(render_str(r#"{"MESSAGE":"m"}"#).0, Err("no usable __REALTIME_TIMESTAMP".to_owned()));
        assert_eq!(render_str("Nov 29").0, Err("not a JSON object".to_owned()));
    }

    #[test]
    fn borrowed_unless_escaped() {
        let entry: Entry =
            serde_json::from_str(r#"{"MESSAGE":"plain","_HOSTNAME":"esc\"aped","_COMM":[1,2]}"#).unwrap();
        assert!(matches!(entry.message, Some(Value::Text(Cow::Borrowed("plain")))));
        assert!(matches!(entry.hostname, Some(Value::Text(Cow::Owned(ref s))) if s == "esc\"aped"));
        assert_eq!(entry.comm, Some(Value::Bytes(vec![1, 2])));
        assert_eq!(entry.pid, None);
    }

    #[test]
    fn blocks() {
        let no_message =
            r#"{"__REALTIME_TIMESTAMP":"1764398119123456","SYSLOG_IDENTIFIER":"postfix/smtp","MESSAGE":null}"#;
        let cases: Vec<(String, BlockStats, String)> = vec![
            (String::new(), BlockStats::default(), String::new()),
            (
                format!("{SENT}\n{SENT}\n"),
                BlockStats { records: 2, lines: 2, skipped: 0, malformed: 0 },
                SENT_LINE.repeat(2),
            ),
            (
                format!("{SENT}\r\n\r\n{no_message}\r\n{{\"MESSAGE\":\r\n{SENT}\r\n"),
                BlockStats { records: 4, lines: 2, skipped: 1, malformed: 1 },
                SENT_LINE.repeat(2),
            ),
            (
                format!("\n\n  \n{SENT}"),
                BlockStats { records: 1, lines: 1, skipped: 0, malformed: 0 },
                SENT_LINE.into(),
            ),
            (
                format!("{SENT}\n{}\n", &SENT[..40]),
                BlockStats { records: 2, lines: 1, skipped: 0, malformed: 1 },
                SENT_LINE.into(),
            ),
        ];
        for (block, want, want_out) in cases {
            let mut out = Vec::new();
            let stats = render_block(block.as_bytes(), &mut out);
            assert_eq!(stats, want, "{block:?}");
            assert_eq!(stats.records, stats.lines + stats.skipped + stats.malformed);
            assert_eq!(String::from_utf8(out).unwrap(), want_out, "{block:?}");
        }
    }

    #[test]
    fn rendered_lines_parse() {
        let scanner = Scanner::new(Mta::Auto);
        let exim = r#"{"__REALTIME_TIMESTAMP":"1764398121500000","_HOSTNAME":"relay.example.org","SYSLOG_IDENTIFIER":"exim","SYSLOG_PID":"4242","MESSAGE":"1tXyZa-0003Ab-Qr == u@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.2]: SMTP error from remote mail server after RCPT TO:<u@example.net>:\n451 4.7.1 Greylisted"}"#;
        for (record, domain, outcome) in
            [(SENT, "example.com", Outcome::Delivered), (exim, "example.net", Outcome::Deferred)]
        {
            let mut out = Vec::new();
            assert_eq!(render(record.as_bytes(), &mut out), Ok(Record::Line));
            let Parsed::Event(event) = scanner.parse_line(&out) else {
                panic!("not an event: {}", String::from_utf8_lossy(&out))
            };
            assert_eq!((event.domain, event.outcome), (domain.as_bytes(), outcome));
        }
    }

    #[test]
    fn timestamps() {
        let cases = [
            (0, "1970-01-01T00:00:00.000000+00:00"),
            (1, "1970-01-01T00:00:00.000001+00:00"),
            (1_764_398_119_000_000, "2025-11-29T06:35:19.000000+00:00"),
            (1_764_398_119_123_456, "2025-11-29T06:35:19.123456+00:00"),
            (1_795_935_319_123_456, "2026-11-29T06:55:19.123456+00:00"),
            (951_782_400_000_000, "2000-02-29T00:00:00.000000+00:00"),
            (946_684_799_999_999, "1999-12-31T23:59:59.999999+00:00"),
            (68_169_600_000_000, "1972-02-29T00:00:00.000000+00:00"),
            (2_147_483_647_000_000, "2038-01-19T03:14:07.000000+00:00"),
            (2_147_483_648_500_000, "2038-01-19T03:14:08.500000+00:00"),
            (4_107_542_400_000_000, "2100-03-01T00:00:00.000000+00:00"),
            (MAX_MICROS, "9999-12-31T23:59:59.999999+00:00"),
        ];
        for (micros, want) in cases {
            assert_eq!(std::str::from_utf8(&rfc3339(micros)).unwrap(), want, "{micros}");
        }
    }

    /// jiff's last timestamp, 9999-12-30T22:00:00Z (it leaves room for any offset).
    const JIFF_MAX_MICROS: u64 = 253_402_207_200_000_000;

    /// What jiff says `micros` (at most [`JIFF_MAX_MICROS`]) is, in the same format.
    fn jiff_rfc3339(micros: u64) -> String {
        let ts = jiff::Timestamp::from_microsecond(i64::try_from(micros).unwrap()).unwrap();
        ts.strftime("%Y-%m-%dT%H:%M:%S.%6f+00:00").to_string()
    }

    #[test]
    fn timestamps_agree_with_jiff_at_day_edges() {
        // Every day boundary for 1970..=2100 and around 9999, and the last microsecond before it.
        let days = (0..47_846u64).chain(2_932_800..2_932_897);
        for day in days {
            for micros in [day * 86_400_000_000, (day * 86_400_000_000).saturating_sub(1)] {
                if micros <= JIFF_MAX_MICROS {
                    assert_eq!(std::str::from_utf8(&rfc3339(micros)).unwrap(), jiff_rfc3339(micros), "{micros}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn timestamps_agree_with_jiff(micros in 0..=JIFF_MAX_MICROS) {
            let ours = rfc3339(micros);
            proptest::prop_assert_eq!(std::str::from_utf8(&ours).unwrap(), jiff_rfc3339(micros));
        }

        #[test]
        fn render_never_panics_and_appends_one_line(record in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let mut out = Vec::new();
            if let Ok(Record::Line) = render(&record, &mut out) {
                proptest::prop_assert_eq!(memchr::memchr_iter(b'\n', &out).count(), 1);
                proptest::prop_assert_eq!(out.last(), Some(&b'\n'));
            } else {
                proptest::prop_assert!(out.is_empty());
            }
        }

        #[test]
        fn any_message_is_one_line(message in "(?s).{0,200}", host in "[a-z\n\r]{0,8}") {
            let record = serde_json::json!({
                "__REALTIME_TIMESTAMP": "1764398119123456",
                "_HOSTNAME": host,
                "MESSAGE": message,
            });
            let mut out = Vec::new();
            proptest::prop_assert_eq!(render(record.to_string().as_bytes(), &mut out), Ok(Record::Line));
            proptest::prop_assert_eq!(memchr::memchr_iter(b'\n', &out).count(), 1);
            let text = String::from_utf8(out).unwrap();
            let want_end = format!(": {}\n", message.replace(['\n', '\r'], " "));
            proptest::prop_assert!(text.ends_with(&want_end), "{:?}", text);
        }
    }

    #[test]
    fn detection() {
        let cases: Vec<(&str, &[u8], bool)> = vec![
            ("journalctl -o json", SENT.as_bytes(), true),
            ("cut mid-line after the key", &SENT.as_bytes()[..SENT.find("__REALTIME").unwrap() + 30], true),
            ("cut before any key", &SENT.as_bytes()[..40], false),
            ("blank lines first", b"\n  \r\n{\"MESSAGE\":\"m\"", true),
            ("old spacing", b"{ \"__CURSOR\" : \"s=1\", \"__REALTIME_TIMESTAMP\" : \"1342540861416409\" }\n", true),
            ("only MESSAGE", b"{\"MESSAGE\":\"m\"}\n", true),
            (
                "syslog text",
                b"Nov 29 06:55:19 mx1 postfix/smtp[1234]: 3F2A1B: to=<a@example.com>, status=sent\n",
                false,
            ),
            (
                "rfc 3339 syslog",
                b"2025-11-29T06:35:19.123456+00:00 mx1 postfix/smtp[1234]: 3F2A1B: to=<a@example.com>\n",
                false,
            ),
            ("exim", b"2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** u@example.com R=dnslookup T=remote_smtp\n", false),
            ("empty", b"", false),
            ("blank", b"\n\n \n", false),
            ("other JSON", b"{\"level\":\"info\",\"msg\":\"started\",\"ts\":1764398119}\n", false),
            ("MESSAGE as a value", b"{\"kind\":\"MESSAGE\"}\n", false),
            ("keys only on a later line", b"{\"a\":1}\n{\"MESSAGE\":\"m\"}\n", false),
            ("JSON array", b"[{\"MESSAGE\":\"m\"}]\n", false),
        ];
        for (name, head, want) in cases {
            assert_eq!(looks_like_journal_json(head), want, "{name}");
        }
    }
}
