//! The events export's writers (`--events`): JSON Lines and Parquet, one
//! row per [`Record`] the collector hands over in log order
//! ([`crate::events`]); the columns and their meaning are in
//! docs/events.md.
//!
//! A file is written as a temporary file next to it
//! ([`super::temporary`]: created exclusively under a random name, its mode
//! `--report-mode`) and renamed into place only when every row is written
//! ([`super::put_in_place`]); a writer dropped before, on any error, takes
//! its temporary file with it. Parquet is written column by column in row
//! groups of [`ROW_GROUP`] rows, so memory stays bounded whatever the log's
//! size; the texts of a row group are kept in one buffer per column, which
//! the column writer reads as slices (no allocation per value).
//!
//! Texts from the log are written as UTF-8, invalid bytes replaced by
//! U+FFFD. Under `--hash-recipients` the recipient is written as the
//! `recipients` report writes it ([`crate::report::hashed_recipient`]), and
//! addresses in the reply text are masked as the reports mask them.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;

use super::Temporary;
use crate::config::{EventsFormat, EventsOutput};
use crate::events::{Encode, Piece, Record, Span, Writer};
use crate::report::{hashed_recipient, mask_addresses};
use crate::time::Micros;

/// Rows per Parquet row group: what is held in memory before it is written.
pub const ROW_GROUP: usize = 64 * 1024;

/// The Parquet schema: the columns of docs/events.md, in order.
pub const SCHEMA: &str = "message event {
  OPTIONAL INT64 time (TIMESTAMP(MICROS,true));
  OPTIONAL BYTE_ARRAY host (UTF8);
  REQUIRED BYTE_ARRAY mta (UTF8);
  REQUIRED BYTE_ARRAY kind (UTF8);
  OPTIONAL BYTE_ARRAY queue_id (UTF8);
  OPTIONAL BYTE_ARRAY recipient (UTF8);
  OPTIONAL BYTE_ARRAY domain (UTF8);
  REQUIRED BYTE_ARRAY status (UTF8);
  OPTIONAL INT32 code;
  OPTIONAL BYTE_ARRAY enhanced (UTF8);
  OPTIONAL BYTE_ARRAY class (UTF8);
  OPTIONAL BYTE_ARRAY reason (UTF8);
  OPTIONAL BYTE_ARRAY bounce_type (UTF8);
  OPTIONAL BYTE_ARRAY stage (UTF8);
  OPTIONAL BYTE_ARRAY note (UTF8);
  REQUIRED BOOLEAN local;
  REQUIRED BOOLEAN expired;
  OPTIONAL BYTE_ARRAY relay (UTF8);
  OPTIONAL DOUBLE delay_s;
  OPTIONAL BYTE_ARRAY text (UTF8);
  OPTIONAL BYTE_ARRAY client (UTF8);
  REQUIRED BYTE_ARRAY file (UTF8);
  REQUIRED INT64 line;
}";

/// A writer for `output`, its file (a temporary one, until the end)
/// created now, so that a path that cannot be written fails before the
/// scan. `mode` is the file's mode; `hash_key` is `--hash-recipients`'.
pub fn create(output: &EventsOutput, mode: u32, hash_key: Option<Vec<u8>>) -> io::Result<Box<dyn Writer>> {
    let privacy = Privacy { key: hash_key };
    if output.to_stdout() {
        let out = BufWriter::with_capacity(256 << 10, Target::Stdout(io::stdout()));
        return Ok(Box::new(Jsonl::new(out, privacy)));
    }
    let tmp = super::temporary(&output.path, mode)?;
    let target = Target::File { tmp, path: output.path.clone() };
    Ok(match output.format {
        EventsFormat::Jsonl => Box::new(Jsonl::new(BufWriter::with_capacity(256 << 10, target), privacy)),
        EventsFormat::Parquet => Box::new(Parquet::new(BufWriter::with_capacity(256 << 10, target), privacy)?),
    })
}

/// Where the bytes go: a temporary file to put in place at `path`, or
/// stdout.
enum Target {
    File { tmp: Temporary, path: std::path::PathBuf },
    Stdout(io::Stdout),
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::File { tmp, .. } => tmp.write(buf),
            Target::Stdout(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Target::File { tmp, .. } => tmp.write_all(buf),
            Target::Stdout(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::File { tmp, .. } => tmp.flush(),
            Target::Stdout(out) => out.flush(),
        }
    }
}

impl Target {
    /// Everything written: the file put in place, or stdout flushed.
    fn finish(out: BufWriter<Target>) -> io::Result<()> {
        match out.into_inner().map_err(io::IntoInnerError::into_error)? {
            Target::File { tmp, path } => super::put_in_place(tmp, &path),
            Target::Stdout(mut out) => out.flush(),
        }
    }
}

/// What `--hash-recipients` hides.
#[derive(Clone)]
struct Privacy {
    key: Option<Vec<u8>>,
}

impl Privacy {
    /// The recipient column: the address as logged, or its HMAC.
    fn recipient<'a>(&self, record: &Record<'a>) -> Option<Cow<'a, [u8]>> {
        let recipient = record.get(record.row.recipient)?;
        Some(match &self.key {
            Some(key) => {
                let domain = record.get(record.row.domain).unwrap_or_default();
                Cow::Owned(hashed_recipient(key, recipient, domain).into_bytes())
            }
            None => Cow::Borrowed(recipient),
        })
    }

    /// The text column, addresses masked under `--hash-recipients`.
    fn text<'a>(&self, record: &Record<'a>) -> Option<Cow<'a, [u8]>> {
        let text = record.get(record.row.text)?;
        Some(match &self.key {
            Some(key) => match mask_addresses(&String::from_utf8_lossy(text), key) {
                Cow::Borrowed(_) => Cow::Borrowed(text),
                Cow::Owned(masked) => Cow::Owned(masked.into_bytes()),
            },
            None => Cow::Borrowed(text),
        })
    }
}

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

/// The enhanced code as written: `5.1.1`.
fn enhanced(e: crate::parse::Enhanced, out: &mut Vec<u8>) {
    let mut digits = itoa::Buffer::new();
    out.extend_from_slice(digits.format(e.class).as_bytes());
    out.push(b'.');
    out.extend_from_slice(digits.format(e.subject).as_bytes());
    out.push(b'.');
    out.extend_from_slice(digits.format(e.detail).as_bytes());
}

/// Seconds from milliseconds.
fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// JSON Lines: one object per row, the keys in the schema's order.
struct Jsonl {
    out: BufWriter<Target>,
    privacy: Privacy,
    stamps: Stamps,
    line: Vec<u8>,
}

impl Jsonl {
    fn new(out: BufWriter<Target>, privacy: Privacy) -> Jsonl {
        Jsonl { out, privacy, stamps: Stamps::default(), line: Vec::with_capacity(1024) }
    }
}

/// Writes UTF-8 `text` as a JSON string, escaped as `serde_json` escapes
/// it: `"` and `\\`, and control characters (`\n`, `\t`, `\r`, `\b`,
/// `\f`, else `\u00xx`); everything else as it is. The piece's texts are
/// valid UTF-8 ([`Record::get`]), so the bytes are copied, not decoded.
fn string(text: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    // Most texts need no escape: skip over 16 bytes at a time (a test
    // the compiler turns into a few vector instructions) while none does.
    let clean = |chunk: &[u8]| chunk.iter().fold(true, |clean, &b| clean & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    let skipped = text.chunks_exact(16).take_while(|chunk| clean(chunk)).count() * 16;
    let mut start = 0;
    for (at, &byte) in text.iter().enumerate().skip(skipped) {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => b"",
            _ => continue,
        };
        out.extend_from_slice(&text[start..at]);
        match escape {
            b"" => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(&[HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]]);
            }
            escape => out.extend_from_slice(escape),
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

/// One text column of a row group: the texts one after the other, their
/// ends, and which rows have one.
#[derive(Default)]
struct Texts {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    defined: Vec<i16>,
}

impl Texts {
    fn push(&mut self, text: Option<&[u8]>) {
        match text {
            Some(text) => {
                self.bytes.extend_from_slice(text);
                self.ends.push(self.bytes.len());
                self.defined.push(1);
            }
            None => self.defined.push(0),
        }
    }

    /// The values, as slices of one buffer; the buffer emptied.
    fn values(&mut self) -> Vec<ByteArray> {
        // The next row group's texts take about as much room.
        let room = self.bytes.len();
        let bytes = bytes::Bytes::from(std::mem::replace(&mut self.bytes, Vec::with_capacity(room)));
        let mut start = 0;
        let values = self
            .ends
            .iter()
            .map(|&end| {
                let value = ByteArray::from(bytes.slice(start..end));
                start = end;
                value
            })
            .collect();
        self.ends.clear();
        values
    }
}

/// A word of the program's own (a status, a reason, ...) as a Parquet
/// value: static, so neither making nor copying it counts references.
fn word(word: &'static str) -> ByteArray {
    ByteArray::from(bytes::Bytes::from_static(word.as_bytes()))
}

/// A column of numbers, booleans or words of a row group, and which rows
/// have one.
struct Values<T> {
    values: Vec<T>,
    defined: Vec<i16>,
}

impl<T> Default for Values<T> {
    fn default() -> Self {
        Values { values: Vec::new(), defined: Vec::new() }
    }
}

impl<T> Values<T> {
    fn push(&mut self, value: Option<T>) {
        match value {
            Some(value) => {
                self.values.push(value);
                self.defined.push(1);
            }
            None => self.defined.push(0),
        }
    }
}

/// The row group being gathered, column by column.
#[derive(Default)]
struct Columns {
    rows: usize,
    time: Values<i64>,
    host: Texts,
    mta: Values<ByteArray>,
    kind: Values<ByteArray>,
    queue_id: Texts,
    recipient: Texts,
    domain: Texts,
    status: Values<ByteArray>,
    code: Values<i32>,
    enhanced: Texts,
    class: Values<ByteArray>,
    reason: Values<ByteArray>,
    bounce_type: Values<ByteArray>,
    stage: Values<ByteArray>,
    note: Values<ByteArray>,
    local: Values<bool>,
    expired: Values<bool>,
    relay: Texts,
    delay_s: Values<f64>,
    text: Texts,
    client: Texts,
    file: Texts,
    line: Values<i64>,
}

/// Parquet, written with the column writers of the `parquet` crate: zstd,
/// dictionary encoding where the column repeats itself (not for `time`,
/// `queue_id`, `recipient`, `text`, `line`).
struct Parquet {
    writer: SerializedFileWriter<BufWriter<Target>>,
    columns: Columns,
    privacy: Privacy,
    scratch: Vec<u8>,
}

fn parquet_error(error: parquet::errors::ParquetError) -> io::Error {
    match error {
        parquet::errors::ParquetError::External(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => *io,
            Err(other) => io::Error::other(other),
        },
        other => io::Error::other(other),
    }
}

impl Parquet {
    fn new(out: BufWriter<Target>, privacy: Privacy) -> io::Result<Parquet> {
        let schema = Arc::new(parse_message_type(SCHEMA).expect("the schema parses"));
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_created_by(format!("bounces {}", env!("CARGO_PKG_VERSION")));
        // Columns that hardly repeat gain nothing from a dictionary, which
        // would only be built and dropped; min and max of reply texts help
        // no query.
        for column in ["time", "queue_id", "recipient", "text", "line"] {
            properties = properties.set_column_dictionary_enabled(ColumnPath::from(column), false);
        }
        let properties =
            properties.set_column_statistics_enabled(ColumnPath::from("text"), EnabledStatistics::None).build();
        let writer = SerializedFileWriter::new(out, schema, Arc::new(properties)).map_err(parquet_error)?;
        Ok(Parquet { writer, columns: Columns::default(), privacy, scratch: Vec::new() })
    }

    /// Writes the row group gathered so far.
    fn flush(&mut self) -> parquet::errors::Result<()> {
        if self.columns.rows == 0 {
            return Ok(());
        }
        let c = &mut self.columns;
        let mut group = self.writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut column) = group.next_column()? {
            let texts = |t: &mut Texts, column: &mut parquet::file::writer::SerializedColumnWriter<'_>| {
                let values = t.values();
                let written = column.typed::<ByteArrayType>().write_batch(&values, Some(&t.defined), None);
                t.defined.clear();
                written.map(drop)
            };
            fn numbers<T: parquet::data_type::DataType>(
                v: &mut Values<T::T>,
                column: &mut parquet::file::writer::SerializedColumnWriter<'_>,
            ) -> parquet::errors::Result<()> {
                column.typed::<T>().write_batch(&v.values, Some(&v.defined), None)?;
                v.values.clear();
                v.defined.clear();
                Ok(())
            }
            match index {
                0 => numbers::<Int64Type>(&mut c.time, &mut column)?,
                1 => texts(&mut c.host, &mut column)?,
                2 => numbers::<ByteArrayType>(&mut c.mta, &mut column)?,
                3 => numbers::<ByteArrayType>(&mut c.kind, &mut column)?,
                4 => texts(&mut c.queue_id, &mut column)?,
                5 => texts(&mut c.recipient, &mut column)?,
                6 => texts(&mut c.domain, &mut column)?,
                7 => numbers::<ByteArrayType>(&mut c.status, &mut column)?,
                8 => numbers::<Int32Type>(&mut c.code, &mut column)?,
                9 => texts(&mut c.enhanced, &mut column)?,
                10 => numbers::<ByteArrayType>(&mut c.class, &mut column)?,
                11 => numbers::<ByteArrayType>(&mut c.reason, &mut column)?,
                12 => numbers::<ByteArrayType>(&mut c.bounce_type, &mut column)?,
                13 => numbers::<ByteArrayType>(&mut c.stage, &mut column)?,
                14 => numbers::<ByteArrayType>(&mut c.note, &mut column)?,
                15 => numbers::<BoolType>(&mut c.local, &mut column)?,
                16 => numbers::<BoolType>(&mut c.expired, &mut column)?,
                17 => texts(&mut c.relay, &mut column)?,
                18 => numbers::<DoubleType>(&mut c.delay_s, &mut column)?,
                19 => texts(&mut c.text, &mut column)?,
                20 => texts(&mut c.client, &mut column)?,
                21 => texts(&mut c.file, &mut column)?,
                22 => numbers::<Int64Type>(&mut c.line, &mut column)?,
                _ => unreachable!("the schema has 23 columns"),
            }
            column.close()?;
            index += 1;
        }
        group.close()?;
        c.rows = 0;
        Ok(())
    }
}

impl Writer for Parquet {
    fn write(&mut self, record: &Record<'_>) -> io::Result<()> {
        let (row, c) = (record.row, &mut self.columns);
        let span = |s: Span| record.get(s);
        c.time.push(row.time);
        c.host.push(span(row.host));
        c.mta.push(Some(word(row.mta)));
        c.kind.push(Some(word(row.kind.as_str())));
        c.queue_id.push(span(row.queue_id));
        c.recipient.push(self.privacy.recipient(record).as_deref());
        c.domain.push(span(row.domain));
        c.status.push(Some(word(row.status)));
        c.code.push(row.code.map(i32::from));
        self.scratch.clear();
        if let Some(e) = row.enhanced {
            enhanced(e, &mut self.scratch);
        }
        c.enhanced.push(row.enhanced.map(|_| &self.scratch[..]));
        c.class.push(row.class.map(word));
        c.reason.push(row.reason.map(word));
        c.bounce_type.push(row.bounce_type.map(word));
        c.stage.push(row.stage.map(word));
        c.note.push(row.note.map(word));
        c.local.push(Some(row.local));
        c.expired.push(Some(row.expired));
        c.relay.push(span(row.relay));
        c.delay_s.push(row.delay_ms.map(seconds));
        c.text.push(self.privacy.text(record).as_deref());
        c.client.push(span(row.client));
        c.file.push(Some(record.file.as_bytes()));
        c.line.push(Some(i64::try_from(record.line).unwrap_or(i64::MAX)));
        c.rows += 1;
        if c.rows >= ROW_GROUP {
            self.flush().map_err(parquet_error)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush().map_err(parquet_error)?;
        let out = self.writer.into_inner().map_err(parquet_error)?;
        Target::finish(out)
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
            &every_ascii,
        ];
        for text in cases {
            let mut out = Vec::new();
            string(text.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn the_schema_parses_with_the_documented_columns() {
        let schema = parse_message_type(SCHEMA).unwrap();
        let names: Vec<&str> = schema.get_fields().iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), 23);
        assert_eq!(names[0], "time");
        assert_eq!(names[22], "line");
    }

    /// A path whose directory does not exist fails when the writer is
    /// created, before any scan, and leaves nothing.
    #[test]
    fn a_missing_directory_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let output = EventsOutput::at(&dir.path().join("no/such/x.jsonl")).unwrap();
        assert!(create(&output, 0o600, None).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// The file appears only when finished; dropped before, nothing is left.
    #[test]
    fn the_file_appears_only_when_finished() {
        for format in ["jsonl", "parquet"] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("e.{format}"));
            let output = EventsOutput::at(&path).unwrap();
            let writer = create(&output, 0o600, None).unwrap();
            assert!(!path.exists());
            drop(writer);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{format}");
            let writer = create(&output, 0o600, None).unwrap();
            writer.finish().unwrap();
            assert!(path.exists(), "{format}");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "{format}");
        }
    }
}
