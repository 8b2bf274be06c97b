//! Parquet, written with the `parquet` crate's column writers (no arrow):
//! zstd, row groups of [`ROW_GROUP`] rows, so memory stays bounded
//! whatever the log's size.
//!
//! The writing thread gathers a row group column by column; the texts of a
//! column are kept in one buffer, which the column writer reads as slices
//! (no allocation per value). A full row group is encoded by threads of
//! their own ([`Encoders`], one per core) while the next one is gathered:
//! its columns are encoded into memory, in parallel, each by a column
//! writer of its own ([`encode`]), then appended to the file in the
//! schema's order. A column chunk's bytes depend only on its values, so
//! the file is the same whatever the threads.

use std::io::{self, BufWriter};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use ::parquet::basic::{Compression, ZstdLevel};
use ::parquet::column::writer::{ColumnCloseResult, ColumnWriter, get_column_writer, get_typed_column_writer};
use ::parquet::data_type::{BoolType, ByteArray, ByteArrayType, DataType, DoubleType, Int32Type, Int64Type};
use ::parquet::errors::{ParquetError, Result};
use ::parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesPtr};
use ::parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use ::parquet::schema::parser::parse_message_type;
use ::parquet::schema::types::{ColumnDescPtr, ColumnPath};

use super::{Privacy, Target, enhanced, seconds};
use crate::events::{Record, Span, Writer};

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

    /// An empty column with the room this one takes.
    fn room(&self) -> Texts {
        Texts {
            bytes: Vec::with_capacity(self.bytes.len()),
            ends: Vec::with_capacity(self.ends.len()),
            defined: Vec::with_capacity(self.defined.len()),
        }
    }

    /// The column's values, as slices of its one buffer.
    fn into_values(self) -> Values<ByteArray> {
        let bytes = bytes::Bytes::from(self.bytes);
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
        Values { values, defined: self.defined }
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

impl<T> Values<T> {
    /// An empty column with the room this one takes.
    fn room(&self) -> Values<T> {
        Values { values: Vec::with_capacity(self.values.len()), defined: Vec::with_capacity(self.defined.len()) }
    }

    /// Bytes of the column's values, about: which columns to encode first.
    fn weight(&self) -> usize {
        self.values.len() * std::mem::size_of::<T>()
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

impl Columns {
    /// The columns gathered, in the schema's order; the gathering starts
    /// again.
    fn take(&mut self) -> Vec<Column> {
        // The next row group takes about as much room: no growing again.
        let next = Columns {
            rows: 0,
            time: self.time.room(),
            host: self.host.room(),
            mta: self.mta.room(),
            kind: self.kind.room(),
            queue_id: self.queue_id.room(),
            recipient: self.recipient.room(),
            domain: self.domain.room(),
            status: self.status.room(),
            code: self.code.room(),
            enhanced: self.enhanced.room(),
            class: self.class.room(),
            reason: self.reason.room(),
            bounce_type: self.bounce_type.room(),
            stage: self.stage.room(),
            note: self.note.room(),
            local: self.local.room(),
            expired: self.expired.room(),
            relay: self.relay.room(),
            delay_s: self.delay_s.room(),
            text: self.text.room(),
            client: self.client.room(),
            file: self.file.room(),
            line: self.line.room(),
        };
        let c = std::mem::replace(self, next);
        vec![
            Column::Int64(c.time),
            Column::Texts(c.host),
            Column::Bytes(c.mta),
            Column::Bytes(c.kind),
            Column::Texts(c.queue_id),
            Column::Texts(c.recipient),
            Column::Texts(c.domain),
            Column::Bytes(c.status),
            Column::Int32(c.code),
            Column::Texts(c.enhanced),
            Column::Bytes(c.class),
            Column::Bytes(c.reason),
            Column::Bytes(c.bounce_type),
            Column::Bytes(c.stage),
            Column::Bytes(c.note),
            Column::Bool(c.local),
            Column::Bool(c.expired),
            Column::Texts(c.relay),
            Column::Double(c.delay_s),
            Column::Texts(c.text),
            Column::Texts(c.client),
            Column::Texts(c.file),
            Column::Int64(c.line),
        ]
    }
}

/// One column of a row group, as its column writer takes it.
enum Column {
    Int64(Values<i64>),
    Int32(Values<i32>),
    Bool(Values<bool>),
    Double(Values<f64>),
    Bytes(Values<ByteArray>),
    /// Texts, made values by the thread that encodes them.
    Texts(Texts),
}

impl Column {
    /// About how much work encoding the column is (the bytes it holds; a
    /// word is a few bytes and dictionary-encoded): the heaviest go first,
    /// so that the group's last column does not start late.
    fn weight(&self) -> usize {
        match self {
            Column::Int64(v) => v.weight(),
            Column::Int32(v) => v.weight(),
            Column::Bool(v) => v.weight(),
            Column::Double(v) => v.weight(),
            Column::Bytes(v) => v.values.len() * 4,
            Column::Texts(t) => t.bytes.len(),
        }
    }
}

/// A column chunk encoded in memory: its bytes, and what its writer
/// reported on closing (offsets from the start of the bytes).
type Chunk = (bytes::Bytes, ColumnCloseResult);

/// Encodes `column` as a column chunk of its own, in memory.
fn encode(column: Column, descr: ColumnDescPtr, properties: WriterPropertiesPtr) -> Result<Chunk> {
    fn write<T: DataType>(writer: ColumnWriter<'_>, v: &Values<T::T>) -> Result<ColumnCloseResult> {
        let mut writer = get_typed_column_writer::<T>(writer);
        writer.write_batch(&v.values, Some(&v.defined), None)?;
        writer.close()
    }
    let mut sink = TrackedWrite::new(Vec::new());
    let writer = get_column_writer(descr, properties, Box::new(SerializedPageWriter::new(&mut sink)));
    let close = match column {
        Column::Int64(v) => write::<Int64Type>(writer, &v)?,
        Column::Int32(v) => write::<Int32Type>(writer, &v)?,
        Column::Bool(v) => write::<BoolType>(writer, &v)?,
        Column::Double(v) => write::<DoubleType>(writer, &v)?,
        Column::Bytes(v) => write::<ByteArrayType>(writer, &v)?,
        Column::Texts(t) => write::<ByteArrayType>(writer, &t.into_values())?,
    };
    Ok((bytes::Bytes::from(sink.into_inner()?), close))
}

/// A column to encode: its index in the schema, its values.
type Job = (usize, Column);

/// Threads that encode columns (`bounces-parquet`), as long as the writer
/// lives: a column at a time, from a queue, the heaviest of a row group
/// first.
struct Encoders {
    jobs: Option<mpsc::Sender<Job>>,
    chunks: mpsc::Receiver<(usize, Result<Chunk>)>,
    threads: Vec<JoinHandle<()>>,
}

impl Encoders {
    fn start(threads: usize, descrs: Vec<ColumnDescPtr>, properties: WriterPropertiesPtr) -> io::Result<Encoders> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (done, chunks) = mpsc::channel();
        let queue = Arc::new(Mutex::new(queue));
        let threads = (0..threads)
            .map(|n| {
                let (queue, done, descrs, properties) =
                    (queue.clone(), done.clone(), descrs.clone(), properties.clone());
                std::thread::Builder::new().name(format!("bounces-parquet-{n}")).spawn(move || {
                    loop {
                        // The queue ends when the writer is finished or dropped.
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok((index, column)) = job else { break };
                        // A panic is an error of this column, not a thread
                        // that the writer would wait for forever.
                        let encoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            encode(column, descrs[index].clone(), properties.clone())
                        }));
                        let chunk = encoded.unwrap_or_else(|_| {
                            Err(ParquetError::General(format!("encoding column {index} panicked")))
                        });
                        if done.send((index, chunk)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect::<io::Result<_>>()?;
        Ok(Encoders { jobs: Some(jobs), chunks, threads })
    }

    /// Has the columns of a row group encoded.
    fn send(&self, columns: Vec<Column>) -> Result<()> {
        let mut jobs: Vec<Job> = columns.into_iter().enumerate().collect();
        jobs.sort_by_key(|(_, column)| std::cmp::Reverse(column.weight()));
        for job in jobs {
            let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
            if !matches!(sent, Some(Ok(()))) {
                return Err(ParquetError::General("the threads encoding the events stopped".into()));
            }
        }
        Ok(())
    }

    /// The `count` chunks of the row group sent last, in the schema's order.
    fn receive(&self, count: usize) -> Result<Vec<Chunk>> {
        let mut chunks: Vec<Option<Chunk>> = (0..count).map(|_| None).collect();
        for _ in 0..count {
            let (index, chunk) = self
                .chunks
                .recv()
                .map_err(|_| ParquetError::General("the threads encoding the events stopped".into()))?;
            chunks[index] = Some(chunk?);
        }
        Ok(chunks.into_iter().flatten().collect())
    }
}

impl Drop for Encoders {
    fn drop(&mut self) {
        // Closing the queue ends the threads once they are done.
        self.jobs = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Parquet, written with the column writers of the `parquet` crate: zstd,
/// dictionary encoding where the column repeats itself (not for `time`,
/// `queue_id`, `recipient`, `text`, `line`).
pub(super) struct Parquet {
    writer: SerializedFileWriter<BufWriter<Target>>,
    columns: Columns,
    privacy: Privacy,
    scratch: Vec<u8>,
    /// Rows per row group.
    rows: usize,
    encoders: Encoders,
    /// The columns of the row group being encoded, if one is.
    encoding: Option<usize>,
}

fn parquet_error(error: ParquetError) -> io::Error {
    match error {
        ParquetError::External(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => *io,
            Err(other) => io::Error::other(other),
        },
        other => io::Error::other(other),
    }
}

impl Parquet {
    /// A writer to `out` of row groups of `rows` rows ([`ROW_GROUP`]).
    pub(super) fn new(out: BufWriter<Target>, privacy: Privacy, rows: usize) -> io::Result<Parquet> {
        let schema = Arc::new(parse_message_type(SCHEMA).expect("the schema parses"));
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(rows))
            .set_created_by(format!("bounces {}", env!("CARGO_PKG_VERSION")));
        // Columns that hardly repeat gain nothing from a dictionary, which
        // would only be built and dropped; min and max of reply texts help
        // no query.
        for column in ["time", "queue_id", "recipient", "text", "line"] {
            properties = properties.set_column_dictionary_enabled(ColumnPath::from(column), false);
        }
        let properties = Arc::new(
            properties.set_column_statistics_enabled(ColumnPath::from("text"), EnabledStatistics::None).build(),
        );
        let writer = SerializedFileWriter::new(out, schema, properties.clone()).map_err(parquet_error)?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
        let encoders = Encoders::start(threads, writer.schema_descr().columns().to_vec(), properties)?;
        Ok(Parquet {
            writer,
            columns: Columns::default(),
            privacy,
            scratch: Vec::new(),
            rows,
            encoders,
            encoding: None,
        })
    }

    /// Has the row group gathered so far encoded, once the one before it
    /// is in the file.
    fn flush(&mut self) -> Result<()> {
        if self.columns.rows == 0 {
            return Ok(());
        }
        self.append_encoded()?;
        let columns = self.columns.take();
        self.encoding = Some(columns.len());
        self.encoders.send(columns)
    }

    /// Appends the row group being encoded, if any, to the file.
    fn append_encoded(&mut self) -> Result<()> {
        let Some(count) = self.encoding.take() else {
            return Ok(());
        };
        let chunks = self.encoders.receive(count)?;
        let mut group = self.writer.next_row_group()?;
        for (bytes, close) in chunks {
            group.append_column(&bytes, close)?;
        }
        group.close()?;
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
        if c.rows >= self.rows {
            self.flush().map_err(parquet_error)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush().map_err(parquet_error)?;
        self.append_encoded().map_err(parquet_error)?;
        let out = self.writer.into_inner().map_err(parquet_error)?;
        Target::finish(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_parses_with_the_documented_columns() {
        let schema = parse_message_type(SCHEMA).unwrap();
        let names: Vec<&str> = schema.get_fields().iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), 23);
        assert_eq!(names[0], "time");
        assert_eq!(names[22], "line");
    }

    /// Rows over many row groups, each encoded while the next is gathered,
    /// come back in order, in groups of the size asked for.
    #[test]
    fn row_groups_come_back_whole_and_in_order() {
        use ::parquet::file::reader::{FileReader, SerializedFileReader};
        use ::parquet::record::RowAccessor;

        for (rows, per_group, groups) in [(10, 3, 4), (9, 3, 3), (1, 3, 1), (200, 7, 29)] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("e.parquet");
            let tmp = crate::format::temporary(&path, 0o600).unwrap();
            let out = BufWriter::new(Target::File { tmp, path: path.clone() });
            let writer = Box::new(Parquet::new(out, Privacy { key: None }, per_group).unwrap());
            let mut writer: Box<dyn Writer> = writer;
            let mut piece = crate::events::Piece::default();
            for n in 1..=rows {
                piece.expiry(n, Some(n as i64 * 1_000_000), b"mx1", format!("Q{n}").as_bytes());
            }
            writer.write_piece(&piece, "x.log", 100).unwrap();
            writer.finish().unwrap();

            let reader = SerializedFileReader::try_from(path.to_str().unwrap()).unwrap();
            assert_eq!(reader.metadata().num_row_groups(), groups, "{rows} rows by {per_group}");
            let got: Vec<(String, i64)> = reader
                .into_iter()
                .map(|row| {
                    let row = row.unwrap();
                    (row.get_string(4).unwrap().clone(), row.get_long(22).unwrap())
                })
                .collect();
            let want: Vec<(String, i64)> = (1..=rows).map(|n| (format!("Q{n}"), 100 + n as i64)).collect();
            assert_eq!(got, want, "{rows} rows by {per_group}");
        }
    }

    /// A column whose encoding panics (here: numbers for a text column) is
    /// an error of the row group; the writer does not wait for it forever.
    #[test]
    fn a_column_that_cannot_be_encoded_is_an_error() {
        let schema = ::parquet::schema::types::SchemaDescriptor::new(Arc::new(parse_message_type(SCHEMA).unwrap()));
        let encoders =
            Encoders::start(2, schema.columns().to_vec(), Arc::new(WriterProperties::builder().build())).unwrap();
        let numbers = || Values { values: vec![1_i64, 2], defined: vec![1, 1] };
        // Column 0 (time) takes numbers, column 1 (host) texts.
        encoders.send(vec![Column::Int64(numbers()), Column::Int64(numbers())]).unwrap();
        let error = encoders.receive(2).map(drop).unwrap_err();
        assert!(error.to_string().contains("encoding column 1 panicked"), "{error}");
    }
}
