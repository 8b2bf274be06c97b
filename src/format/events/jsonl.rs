//! JSON Lines: one object per row, the keys in the schema's order
//! (docs/events.md). The scan workers encode their pieces' rows but for the
//! line number ([`JsonlEncode`]); the writing thread adds it.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use super::{Privacy, Target, enhanced, seconds};
use crate::events::{Encode, Piece, Record, Span, Writer};
use crate::time::Micros;

/// RFC 3339 in UTC with microseconds (`2026-03-02T08:00:05.000000Z`), the
/// date and time of the last second written kept.
#[derive(Default)]
struct Stamps {
    second: Option<i64>,
    text: String,
}

impl Stamps {
    fn write(&mut self, t: Micros, out: &mut Vec<u8>) {
        let (second, micros) = (t.div_euclid(1_000_000), t.rem_euclid(1_000_000));
        if self.second != Some(second) {
            self.second = Some(second);
            self.text.clear();
            if let Ok(ts) = jiff::Timestamp::from_second(second) {
                use std::fmt::Write as _;
                let _ = write!(self.text, "{}", ts.strftime("%Y-%m-%dT%H:%M:%S"));
            }
        }
        out.extend_from_slice(self.text.as_bytes());
        out.push(b'.');
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(micros);
        out.extend(std::iter::repeat_n(b'0', 6 - digits.len()));
        out.extend_from_slice(digits.as_bytes());
        out.push(b'Z');
    }
}

/// JSON Lines: one object per row, the keys in the schema's order.
pub(super) struct Jsonl {
    out: BufWriter<Target>,
    privacy: Privacy,
    stamps: Stamps,
    line: Vec<u8>,
}

impl Jsonl {
    pub(super) fn new(out: BufWriter<Target>, privacy: Privacy) -> Jsonl {
        Jsonl { out, privacy, stamps: Stamps::default(), line: Vec::with_capacity(1024) }
    }
}

/// Writes UTF-8 `text` as a JSON string, escaped as `serde_json` escapes
/// it: `"` and `\\`, and control characters (`\n`, `\t`, `\r`, `\b`,
/// `\f`, else `\u00xx`); everything else as it is. The piece's texts are
/// valid UTF-8 ([`Record::get`]), so the bytes are copied, not decoded.
fn string(text: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    // Most texts need no escape: skip 16 bytes at a time while none does
    // (a test without branches, which the compiler can vectorize).
    let clean = |chunk: &[u8]| chunk.iter().fold(true, |clean, &b| clean & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    let skipped = text.chunks_exact(16).take_while(|chunk| clean(chunk)).count() * 16;
    let mut start = 0;
    for (at, &byte) in text.iter().enumerate().skip(skipped) {
        // The short escape, or none for `\u00xx`.
        let short: Option<&[u8]> = match byte {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\t' => Some(b"\\t"),
            b'\r' => Some(b"\\r"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            0..0x20 => None,
            _ => continue,
        };
        out.extend_from_slice(&text[start..at]);
        match short {
            Some(escape) => out.extend_from_slice(escape),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(&[HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]]);
            }
        }
        start = at + 1;
    }
    out.extend_from_slice(&text[start..]);
    out.push(b'"');
}

/// Writes `"key":` and the text of `bytes` as a JSON string, or null.
fn text_field(key: &str, bytes: Option<&[u8]>, out: &mut Vec<u8>) {
    field_key(key, out);
    match bytes {
        Some(bytes) => string(bytes, out),
        None => out.extend_from_slice(b"null"),
    }
}

fn word_field(key: &str, word: Option<&str>, out: &mut Vec<u8>) {
    text_field(key, word.map(str::as_bytes), out);
}

/// Writes `"key":`, after a comma unless it is the first key of its object
/// (no value ends with `{`).
fn field_key(key: &str, out: &mut Vec<u8>) {
    if out.last() != Some(&b'{') {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Writes a row as a JSON object up to the value of its last key,
/// `"line":`, which depends on the pieces written before it: everything but
/// the line number and the closing `}` and newline.
fn jsonl_head(record: &Record<'_>, privacy: &Privacy, stamps: &mut Stamps, out: &mut Vec<u8>) {
    out.push(b'{');
    jsonl_fields(record, privacy, stamps, out);
}

impl Writer for Jsonl {
    fn write(&mut self, record: &Record<'_>) -> io::Result<()> {
        let out = &mut self.line;
        out.clear();
        jsonl_head(record, &self.privacy, &mut self.stamps, out);
        out.extend_from_slice(itoa::Buffer::new().format(record.line).as_bytes());
        out.extend_from_slice(b"}\n");
        self.out.write_all(out)
    }

    fn encoder(&self) -> Option<Arc<dyn Encode>> {
        Some(Arc::new(JsonlEncode { privacy: self.privacy.clone() }))
    }

    fn write_piece(&mut self, piece: &Piece, file: &str, lines: u64) -> io::Result<()> {
        let Some((bytes, ends)) = piece.encoded() else {
            for row in piece.rows() {
                self.write(&Record { row, piece, file, line: lines + row.line })?;
            }
            return Ok(());
        };
        let out = &mut self.line;
        out.clear();
        let mut start = 0;
        for (row, &end) in piece.rows().iter().zip(ends) {
            out.extend_from_slice(&bytes[start..end]);
            out.extend_from_slice(itoa::Buffer::new().format(lines + row.line).as_bytes());
            out.extend_from_slice(b"}\n");
            start = end;
        }
        self.out.write_all(out)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        Target::finish(self.out)
    }
}

/// The JSON Lines rows of a piece, but their line numbers, encoded by the
/// worker that read it.
struct JsonlEncode {
    privacy: Privacy,
}

impl Encode for JsonlEncode {
    fn encode(&self, piece: &Piece, file: &str, out: &mut Vec<u8>, ends: &mut Vec<usize>) {
        let mut stamps = Stamps::default();
        for row in piece.rows() {
            jsonl_head(&Record { row, piece, file, line: 0 }, &self.privacy, &mut stamps, out);
            ends.push(out.len());
        }
    }
}

/// The fields of a row up to `"line":`, after its opening `{`.
fn jsonl_fields(record: &Record<'_>, privacy: &Privacy, stamps: &mut Stamps, out: &mut Vec<u8>) {
    {
        let row = record.row;
        field_key("time", out);
        match row.time {
            Some(t) => {
                out.push(b'"');
                stamps.write(t, out);
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        let span = |s: Span| record.get(s);
        text_field("host", span(row.host), out);
        word_field("mta", Some(row.mta), out);
        word_field("kind", Some(row.kind.as_str()), out);
        text_field("queue_id", span(row.queue_id), out);
        text_field("recipient", privacy.recipient(record).as_deref(), out);
        text_field("domain", span(row.domain), out);
        word_field("status", Some(row.status), out);
        field_key("code", out);
        match row.code {
            Some(code) => out.extend_from_slice(itoa::Buffer::new().format(code).as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        field_key("enhanced", out);
        match row.enhanced {
            Some(e) => {
                out.push(b'"');
                enhanced(e, out);
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        word_field("class", row.class, out);
        word_field("reason", row.reason, out);
        word_field("bounce_type", row.bounce_type, out);
        word_field("stage", row.stage, out);
        word_field("note", row.note, out);
        field_key("local", out);
        out.extend_from_slice(if row.local { b"true" } else { b"false" });
        field_key("expired", out);
        out.extend_from_slice(if row.expired { b"true" } else { b"false" });
        text_field("relay", span(row.relay), out);
        field_key("delay_s", out);
        match row.delay_ms {
            Some(ms) => out.extend_from_slice(ryu::Buffer::new().format(seconds(ms)).as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        text_field("text", privacy.text(record).as_deref(), out);
        text_field("client", span(row.client), out);
        word_field("file", Some(record.file), out);
        field_key("line", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_with_microseconds() {
        let cases: [(Micros, &str); 3] = [
            (0, "1970-01-01T00:00:00.000000Z"),
            (1_772_438_405_000_007, "2026-03-02T08:00:05.000007Z"),
            (-1, "1969-12-31T23:59:59.999999Z"),
        ];
        let mut stamps = Stamps::default();
        for (t, want) in cases {
            let mut out = Vec::new();
            stamps.write(t, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    /// Strings are escaped byte for byte as `serde_json` escapes them.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_ascii = String::new();
        every_ascii.extend((0u8..0x80).map(char::from));
        let cases = [
            "",
            "250 2.0.0 Ok: queued as 4F2A1B",
            "say \"no\" \\ twice",
            "line\nbreak\ttab\rreturn\u{8}\u{c}\u{0}\u{1f}\u{7f}",
            "r\u{e9}sum\u{e9} \u{fffd} \u{1f4ec}",
            // Escapes after, at and before the 16-byte boundaries skipped.
            "0123456789abcdef0123456789abcdef\"tail",
            "0123456789abcde\\0123456789abcdef\n",
            "0123456789abcdef\t123456789abcdef0123456789abcdef",
            // Whole 16-byte chunks of nothing but characters to escape.
            &"\"".repeat(17),
            &"\\".repeat(33),
            &every_ascii,
        ];
        for text in cases {
            let mut out = Vec::new();
            string(text.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }
}
