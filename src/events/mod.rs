//! The events export (`--events`): one row per delivery event, per Postfix
//! queue expiry and per refusal of our own server, in log order.
//!
//! Each scan thread's worker adds the rows of the piece it reads to a
//! [`Piece`]: fixed-size [`Row`]s whose texts live in one byte buffer of
//! the piece, both reused from piece to piece (no allocation per line
//! beyond the buffers' amortized growth). The worker hands the piece to the
//! [`Collector`] when it is done with it, in any order; the collector
//! has the pieces written in order (inputs as the scan takes them, pieces
//! in sequence, rows as read) by a thread of its own, through a bounded
//! window, like the message
//! fold's [`crate::messages`] folder, so the rows never depend on threads
//! or on how the inputs were cut. A row's line number is its line in its
//! piece plus the lines of the input's pieces written before it.
//!
//! How a row is written (JSON Lines, Parquet) is the format stage's
//! business: the collector hands each row to a [`Writer`].

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use crate::classify::{self, BounceType, Reason};
use crate::parse::refusal::Refusal;
use crate::parse::{self, Enhanced, Event, Note, Stage};
use crate::time::Micros;

/// A row's reply text is cut to this many bytes, `...` included, as the
/// reports cut their example texts (`tally::MAX_EXAMPLE_TEXT`).
pub const TEXT_MAX: usize = 150;

/// What a row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A delivery line: delivered, deferred or bounced.
    Delivery,
    /// Postfix's expiry of a queue id (`status=expired, returned to sender`).
    Expiry,
    /// A refusal (or discard, hold, warning) by our own server.
    Refusal,
}

impl Kind {
    /// The word in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Delivery => "delivery",
            Kind::Expiry => "expiry",
            Kind::Refusal => "refusal",
        }
    }
}

/// A text of a row: where it lies in its piece's bytes, or nothing (null).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// No text: the column is null.
    pub const NULL: Span = Span { start: u32::MAX, len: 0 };
}

/// One row, its texts in its piece's bytes.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// The line's time (none when it could not be read).
    pub time: Option<Micros>,
    /// The line's number in its piece, from 1 (lines a reader left out
    /// before the piece counted).
    pub line: u64,
    /// What the row records.
    pub kind: Kind,
    /// The MTA, as its dialect is named.
    pub mta: &'static str,
    /// `delivered`, `deferred`, `bounced`; `expired`; a refusal's action.
    pub status: &'static str,
    /// The basic reply code.
    pub code: Option<u16>,
    /// The enhanced status code.
    pub enhanced: Option<Enhanced>,
    /// The code's class, as the `codes` report writes it.
    pub class: Option<&'static str>,
    /// The reason as classified on this line.
    pub reason: Option<&'static str>,
    /// Hard, soft, block, undetermined.
    pub bounce_type: Option<&'static str>,
    /// The SMTP command the reply answered.
    pub stage: Option<&'static str>,
    /// The event's note, as a lower-case word.
    pub note: Option<&'static str>,
    /// A local delivery (Exim).
    pub local: bool,
    /// The line says the recipient expired.
    pub expired: bool,
    /// The delay in milliseconds.
    pub delay_ms: Option<u64>,
    /// The syslog host field, else `--host`.
    pub host: Span,
    /// The queue id or Exim message id.
    pub queue_id: Span,
    /// The recipient as logged.
    pub recipient: Span,
    /// The recipient's domain as the reports spell it.
    pub domain: Span,
    /// The relay host as logged.
    pub relay: Span,
    /// The reply text, cut to [`TEXT_MAX`] bytes.
    pub text: Span,
    /// A refusal's client, `name[ip]`.
    pub client: Span,
}

impl Row {
    /// A row of `kind` with nothing known but its line, time and MTA.
    fn new(kind: Kind, line: u64, time: Option<Micros>, mta: &'static str, status: &'static str) -> Row {
        Row {
            time,
            line,
            kind,
            mta,
            status,
            code: None,
            enhanced: None,
            class: None,
            reason: None,
            bounce_type: None,
            stage: None,
            note: None,
            local: false,
            expired: false,
            delay_ms: None,
            host: Span::NULL,
            queue_id: Span::NULL,
            recipient: Span::NULL,
            domain: Span::NULL,
            relay: Span::NULL,
            text: Span::NULL,
            client: Span::NULL,
        }
    }
}

/// The word a stage is written as: the command as Postfix names it, as
/// the `rejects` report writes a refusal's stage.
pub fn stage_word(stage: Stage) -> &'static str {
    match stage {
        Stage::Connect => "CONNECT",
        Stage::Helo => "HELO",
        Stage::StartTls => "STARTTLS",
        Stage::Auth => "AUTH",
        Stage::Mail => "MAIL",
        Stage::Rcpt => "RCPT",
        Stage::Data => "DATA",
    }
}

/// The word a note is written as; none for [`Note::None`].
pub fn note_word(note: Note) -> Option<&'static str> {
    match note {
        Note::None => None,
        Note::NullMx => Some("null_mx"),
        Note::RecipientNotFound => Some("recipient_not_found"),
        Note::Unrouteable => Some("unrouteable"),
    }
}

/// The rows of one piece, and the bytes of their texts.
#[derive(Debug, Default)]
pub struct Piece {
    /// The input the piece is of.
    pub input: usize,
    /// The lines the piece held (those a reader left out before it
    /// included).
    pub lines: u64,
    rows: Vec<Row>,
    bytes: Vec<u8>,
    /// The rows as encoded by the writer's [`Encode`] in the worker, when
    /// it has one: the bytes, and where each row's encoding ends.
    encoded: Vec<u8>,
    ends: Vec<usize>,
}

impl Piece {
    /// Empties the piece, keeping its buffers.
    pub fn clear(&mut self) {
        self.input = 0;
        self.lines = 0;
        self.rows.clear();
        self.bytes.clear();
        self.encoded.clear();
        self.ends.clear();
    }

    /// The rows as encoded in the worker: the bytes, and where each row's
    /// encoding ends (one end per row), or none when they were not.
    pub fn encoded(&self) -> Option<(&[u8], &[usize])> {
        (!self.rows.is_empty() && self.ends.len() == self.rows.len()).then_some((&self.encoded[..], &self.ends[..]))
    }

    /// Has `encode` encode the rows, in the worker.
    fn encode(&mut self, encode: &dyn Encode, file: &str) {
        let (mut encoded, mut ends) = (std::mem::take(&mut self.encoded), std::mem::take(&mut self.ends));
        encoded.clear();
        ends.clear();
        encode.encode(self, file, &mut encoded, &mut ends);
        (self.encoded, self.ends) = (encoded, ends);
    }

    /// The rows so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The bytes of `span`, or none for a null one: valid UTF-8.
    pub fn get(&self, span: Span) -> Option<&[u8]> {
        (span != Span::NULL).then(|| &self.bytes[span.start as usize..][..span.len as usize])
    }

    /// Keeps `parts` one after the other as one text, as UTF-8 (invalid
    /// bytes replaced by U+FFFD, so writers take the bytes as they are); an
    /// empty text is null.
    fn text(&mut self, parts: &[&[u8]]) -> Span {
        let start = self.bytes.len();
        for part in parts {
            self.bytes.extend_from_slice(part);
        }
        let text = &self.bytes[start..];
        if !text.is_ascii() && std::str::from_utf8(text).is_err() {
            let valid = String::from_utf8_lossy(&self.bytes[start..]).into_owned();
            self.bytes.truncate(start);
            self.bytes.extend_from_slice(valid.as_bytes());
        }
        match self.bytes.len() - start {
            0 => Span::NULL,
            // A piece is at most a few MiB of log; its texts are fewer bytes.
            len => Span { start: start as u32, len: len as u32 },
        }
    }

    /// A reply text, cut as the reports cut it.
    fn reply(&mut self, text: &[u8]) -> Span {
        match parse::shorten(text, TEXT_MAX) {
            (whole, false) => self.text(&[whole]),
            (kept, true) => self.text(&[kept, parse::CUT_MARK.as_bytes()]),
        }
    }

    /// A delivery event read at line `line` of the piece: `domain` as the
    /// reports spell it, `verdict` and `note` as the worker settled them
    /// for this line.
    #[allow(clippy::too_many_arguments)]
    pub fn delivery(
        &mut self,
        line: u64,
        time: Option<Micros>,
        host: &[u8],
        event: &Event<'_>,
        domain: &[u8],
        verdict: (Reason, BounceType),
        note: Note,
    ) {
        let mut row = Row::new(Kind::Delivery, line, time, event.mta, event.outcome.as_str());
        row.code = event.code;
        row.enhanced = event.enhanced;
        row.class = classify::class_of(event.code, event.enhanced, note).map(classify::Class::as_str);
        row.reason = Some(verdict.0.as_str());
        row.bounce_type = Some(verdict.1.as_str()).filter(|b| !b.is_empty());
        row.stage = event.stage.map(stage_word);
        row.note = note_word(note);
        row.local = event.local;
        row.expired = event.expired;
        row.delay_ms = event.delay_ms;
        row.host = self.text(&[host]);
        row.queue_id = self.text(&[event.queue_id]);
        row.recipient = self.text(&[event.recipient]);
        row.domain = self.text(&[domain]);
        row.relay = self.text(&[event.relay]);
        row.text = self.reply(event.reply);
        self.rows.push(row);
    }

    /// Postfix's expiry of `queue_id`, read at line `line` of the piece.
    pub fn expiry(&mut self, line: u64, time: Option<Micros>, host: &[u8], queue_id: &[u8]) {
        let mut row = Row::new(Kind::Expiry, line, time, "postfix", "expired");
        row.expired = true;
        row.host = self.text(&[host]);
        row.queue_id = self.text(&[queue_id]);
        self.rows.push(row);
    }

    /// A refusal read at line `line` of the piece: `domain` its recipient's
    /// domain as the reports spell it (empty for none), `verdict` as the
    /// worker classified it.
    pub fn refusal(
        &mut self,
        line: u64,
        time: Option<Micros>,
        host: &[u8],
        refusal: &Refusal<'_>,
        domain: &[u8],
        verdict: (Reason, BounceType),
    ) {
        let mut row = Row::new(Kind::Refusal, line, time, refusal.mta, refusal.action.as_str());
        row.code = refusal.code;
        row.enhanced = refusal.enhanced;
        row.class = classify::class_of(refusal.code, refusal.enhanced, Note::None).map(classify::Class::as_str);
        row.reason = Some(verdict.0.as_str());
        row.bounce_type = Some(verdict.1.as_str()).filter(|b| !b.is_empty());
        row.stage = Some(refusal.stage.as_str());
        row.host = self.text(&[host]);
        row.queue_id = self.text(&[refusal.queue_id]);
        row.recipient = self.text(&[refusal.recipient]);
        row.domain = self.text(&[domain]);
        row.text = self.reply(refusal.text);
        row.client = match (refusal.client_name, refusal.client_ip) {
            (name, b"") => self.text(&[name]),
            (name, ip) => self.text(&[name, b"[", ip, b"]"]),
        };
        self.rows.push(row);
    }
}

/// One row as written: the row, its piece's bytes, its input's name and
/// its line number in the input.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// The row.
    pub row: &'a Row,
    /// The piece whose bytes hold its texts.
    pub piece: &'a Piece,
    /// The input as named (`-` for stdin).
    pub file: &'a str,
    /// The line's number in the input, from 1.
    pub line: u64,
}

impl<'a> Record<'a> {
    /// The bytes of one of the row's texts, none for a null one: valid
    /// UTF-8 ([`Piece`] keeps only that).
    pub fn get(&self, span: Span) -> Option<&'a [u8]> {
        self.piece.get(span)
    }
}

/// The part of a row's writing that does not depend on the rows before
/// it, done by the scan workers, in parallel, for the piece they deliver.
pub trait Encode: Send + Sync {
    /// Encodes the rows of `piece` (of the input named `file`) one after
    /// the other into `out`, pushing to `ends` where each one ends.
    fn encode(&self, piece: &Piece, file: &str, out: &mut Vec<u8>, ends: &mut Vec<usize>);
}

/// Where the rows go: a file being written (or stdout), in one format.
pub trait Writer: Send {
    /// Writes one row.
    fn write(&mut self, record: &Record<'_>) -> io::Result<()>;
    /// What the workers are to encode of their pieces before they are
    /// handed over ([`Piece::encoded`]); none by default.
    fn encoder(&self) -> Option<std::sync::Arc<dyn Encode>> {
        None
    }
    /// Writes the rows of `piece`, of the input named `file`, whose lines
    /// come after `lines` lines of the input; row by row by default.
    fn write_piece(&mut self, piece: &Piece, file: &str, lines: u64) -> io::Result<()> {
        for row in piece.rows() {
            self.write(&Record { row, piece, file, line: lines + row.line })?;
        }
        Ok(())
    }
    /// Ends the output: what is buffered written, the file put in place.
    /// Dropping a writer without finishing it leaves no file.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// Pieces delivered but not handed to the writing thread yet.
#[derive(Default)]
struct Pending {
    /// The next piece to hand over.
    next: u64,
    waiting: BTreeMap<u64, Piece>,
}

/// What the writing thread is sent, in order.
enum Message {
    /// The next piece's rows.
    Piece(Piece),
    /// Every piece of an input was sent: the next piece starts the next
    /// input at line 1.
    EndInput,
}

/// The writing end, owned by the writing thread.
struct Out {
    writer: Option<Box<dyn Writer>>,
    /// The first error, after which nothing more is written.
    error: Option<io::Error>,
    /// Lines of the current input in the pieces written so far.
    lines: u64,
    /// The inputs' names, by input number.
    names: Vec<String>,
    /// Rows written so far.
    rows: u64,
}

impl Out {
    fn write(&mut self, piece: &Piece) {
        if let Some(writer) = &mut self.writer {
            let file = self.names.get(piece.input).map_or("", String::as_str);
            match writer.write_piece(piece, file, self.lines) {
                Ok(()) => self.rows += piece.rows().len() as u64,
                Err(error) => {
                    // The writer is dropped: its temporary file goes.
                    self.writer = None;
                    self.error = Some(error);
                }
            }
        }
        self.lines += piece.lines;
    }

    /// Writes what it is sent until the sending end is dropped; sends the
    /// emptied pieces back for reuse.
    fn run(mut self, pieces: mpsc::Receiver<Message>, free: mpsc::Sender<Piece>) -> Out {
        for message in pieces {
            match message {
                Message::Piece(mut piece) => {
                    self.write(&piece);
                    piece.clear();
                    // The collector may be gone already: the piece is dropped.
                    let _ = free.send(piece);
                }
                Message::EndInput => self.lines = 0,
            }
        }
        self
    }
}

/// Writes the pieces of one input at a time in order, as the workers
/// deliver them in any order. A worker waits before taking a piece more
/// than a window ahead of the next one to hand over, so at most a window of
/// pieces wait at any time. The rows are written by a thread of their own
/// (`bounces-events`), which a bounded channel of a window of pieces feeds
/// in order: the scan threads go on reading while it writes.
pub struct Collector {
    pending: Mutex<Pending>,
    /// Signalled when `next` moves on.
    moved: Condvar,
    /// To the writing thread; held while pieces are handed over, so that
    /// they go in order. None once finished.
    to_writer: Mutex<Option<mpsc::SyncSender<Message>>>,
    /// Pieces written, back for reuse.
    free: Mutex<mpsc::Receiver<Piece>>,
    writing: Mutex<Option<std::thread::JoinHandle<Out>>>,
    window: u64,
    /// Set when a worker panics: nobody waits for its piece any more.
    aborted: AtomicBool,
    /// What the workers encode of their pieces, and the inputs' names.
    encoder: Option<std::sync::Arc<dyn Encode>>,
    names: Vec<String>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").field("window", &self.window).finish_non_exhaustive()
    }
}

/// Wakes the workers waiting in [`Collector::admit`] if this one panics:
/// hold one in every worker ([`Collector::guard`]).
pub struct AbortOnPanic<'a>(&'a Collector);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.aborted.store(true, Ordering::SeqCst);
            let _pending = self.0.pending.lock();
            self.0.moved.notify_all();
        }
    }
}

impl Collector {
    /// A collector writing to `writer`, on a thread of its own, the rows of
    /// the inputs named `names` (by input number), letting workers run at
    /// most `window` pieces ahead of the next piece to hand over. Fails
    /// only when the thread cannot be started.
    pub fn new(writer: Box<dyn Writer>, names: Vec<String>, window: u64) -> io::Result<Collector> {
        let window = window.max(1);
        let (to_writer, pieces) = mpsc::sync_channel(window as usize);
        let (give_back, free) = mpsc::channel();
        let encoder = writer.encoder();
        let out = Out { writer: Some(writer), error: None, lines: 0, names: names.clone(), rows: 0 };
        let writing =
            std::thread::Builder::new().name("bounces-events".into()).spawn(move || out.run(pieces, give_back))?;
        Ok(Collector {
            pending: Mutex::new(Pending::default()),
            moved: Condvar::new(),
            to_writer: Mutex::new(Some(to_writer)),
            free: Mutex::new(free),
            writing: Mutex::new(Some(writing)),
            window,
            aborted: AtomicBool::new(false),
            encoder,
            names,
        })
    }

    /// A guard for one worker: if the worker panics, the others stop
    /// waiting for its piece.
    pub fn guard(&self) -> AbortOnPanic<'_> {
        AbortOnPanic(self)
    }

    /// Waits until piece `seq` is within the window.
    pub fn admit(&self, seq: u64) {
        let mut pending = self.pending.lock().expect("no worker panics holding it");
        while seq >= pending.next + self.window && !self.aborted.load(Ordering::SeqCst) {
            pending = self.moved.wait(pending).expect("no worker panics holding it");
        }
    }

    /// Hands over the rows of piece `seq`, sends whatever is ready to the
    /// writing thread unless another worker is sending, and returns an
    /// empty piece to fill next (the buffers of one written before, when
    /// there is one).
    pub fn deliver(&self, seq: u64, mut piece: Piece) -> Piece {
        if let Some(encoder) = &self.encoder {
            let file = self.names.get(piece.input).map_or("", String::as_str);
            piece.encode(encoder.as_ref(), file);
        }
        self.pending.lock().expect("no worker panics holding it").waiting.insert(seq, piece);
        while let Ok(to_writer) = self.to_writer.try_lock() {
            while let Some(piece) = self.take_next() {
                send(&to_writer, Message::Piece(piece));
            }
            drop(to_writer);
            // A piece delivered while this worker was sending found the
            // channel busy: send it now, unless another worker took over.
            let pending = self.pending.lock().expect("no worker panics holding it");
            if !pending.waiting.contains_key(&pending.next) {
                break;
            }
        }
        self.free.lock().expect("no worker panics holding it").try_recv().unwrap_or_default()
    }

    fn take_next(&self) -> Option<Piece> {
        let mut pending = self.pending.lock().expect("no worker panics holding it");
        let next = pending.next;
        let piece = pending.waiting.remove(&next)?;
        pending.next += 1;
        self.moved.notify_all();
        Some(piece)
    }

    /// After every piece of an input: sends what is left (in order, pieces
    /// lost to read errors skipped) and starts the next input at piece 0.
    pub fn end_input(&self) {
        let to_writer = self.to_writer.lock().expect("no worker panics holding it");
        let mut pending = self.pending.lock().expect("no worker panics holding it");
        for (_, piece) in std::mem::take(&mut pending.waiting) {
            send(&to_writer, Message::Piece(piece));
        }
        send(&to_writer, Message::EndInput);
        pending.next = 0;
    }

    /// Ends the output once every input is written: the file put in place,
    /// or the first error (and no file).
    pub fn finish(&self) -> io::Result<u64> {
        // The writing thread ends when the channel closes.
        drop(self.to_writer.lock().unwrap_or_else(|e| e.into_inner()).take());
        let Some(writing) = self.writing.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return Ok(0);
        };
        let mut out = writing.join().map_err(|_| io::Error::other("the thread writing the events panicked"))?;
        if let Some(error) = out.error.take() {
            return Err(error);
        }
        match out.writer.take() {
            Some(writer) => writer.finish().map(|()| out.rows),
            None => Ok(out.rows),
        }
    }
}

/// Sends `message` to the writing thread, if it is still there (it ends
/// only when the channel closes, or by a panic that `finish` reports).
fn send(to_writer: &Option<mpsc::SyncSender<Message>>, message: Message) {
    if let Some(to_writer) = to_writer {
        let _ = to_writer.send(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps the rows it is given as `file:line status`, fails on the
    /// `fail_at`th row.
    struct Lines {
        seen: std::sync::Arc<Mutex<Vec<String>>>,
        fail_at: Option<usize>,
        finished: std::sync::Arc<AtomicBool>,
    }

    impl Writer for Lines {
        fn write(&mut self, record: &Record<'_>) -> io::Result<()> {
            let mut seen = self.seen.lock().unwrap();
            if Some(seen.len()) == self.fail_at {
                return Err(io::Error::other("disk full"));
            }
            let queue_id = record.get(record.row.queue_id).map(|q| String::from_utf8_lossy(q).into_owned());
            seen.push(format!("{}:{} {}", record.file, record.line, queue_id.unwrap_or_default()));
            Ok(())
        }

        fn finish(self: Box<Self>) -> io::Result<()> {
            self.finished.store(true, Ordering::SeqCst);
            Ok(())
        }
    }

    /// A piece of input `input` with `lines` lines and an expiry at each
    /// of `at`.
    fn piece(input: usize, lines: u64, at: &[u64]) -> Piece {
        let mut piece = Piece { input, lines, ..Piece::default() };
        for &line in at {
            piece.expiry(line, None, b"", format!("Q{line}").as_bytes());
        }
        piece
    }

    type Seen = (Vec<String>, bool, io::Result<u64>);

    fn collect(fail_at: Option<usize>, deliveries: &[(usize, u64, Piece)]) -> Seen {
        let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
        let finished = std::sync::Arc::new(AtomicBool::new(false));
        let writer = Lines { seen: seen.clone(), fail_at, finished: finished.clone() };
        let collector = Collector::new(Box::new(writer), vec!["a".into(), "b".into()], 8).unwrap();
        let mut input = 0;
        for (of, seq, piece) in deliveries {
            if *of != input {
                collector.end_input();
                input = *of;
            }
            let empty = collector.deliver(*seq, Piece { input: piece.input, lines: piece.lines, ..clone(piece) });
            assert!(empty.rows().is_empty() && empty.lines == 0, "a recycled piece is empty");
        }
        collector.end_input();
        let result = collector.finish();
        let seen = seen.lock().unwrap().clone();
        (seen, finished.load(Ordering::SeqCst), result)
    }

    fn clone(piece: &Piece) -> Piece {
        Piece {
            input: piece.input,
            lines: piece.lines,
            rows: piece.rows.clone(),
            bytes: piece.bytes.clone(),
            ..Piece::default()
        }
    }

    /// Pieces delivered in any order are written in order, their line
    /// numbers counted on from the pieces before them, input by input.
    #[test]
    fn pieces_are_written_in_order_with_line_numbers_of_the_input() {
        let deliveries = vec![
            (0, 2, piece(0, 2, &[1])),
            (0, 0, piece(0, 3, &[1, 3])),
            (0, 1, piece(0, 4, &[])),
            (1, 1, piece(1, 1, &[1])),
            (1, 0, piece(1, 5, &[5])),
        ];
        let (seen, finished, result) = collect(None, &deliveries);
        assert!(finished);
        assert_eq!(seen, ["a:1 Q1", "a:3 Q3", "a:8 Q1", "b:5 Q5", "b:6 Q1"]);
        assert_eq!(result.unwrap(), 5, "every row written is counted");
    }

    /// A writer that fails is dropped (its file with it) and never
    /// finished; the error is what `finish` returns, and nothing more is
    /// written.
    #[test]
    fn a_failing_writer_stops_the_output_and_is_not_finished() {
        let deliveries = vec![(0, 0, piece(0, 3, &[1, 2, 3])), (0, 1, piece(0, 3, &[1]))];
        let (seen, finished, result) = collect(Some(1), &deliveries);
        assert_eq!(seen, ["a:1 Q1"]);
        assert!(!finished);
        assert_eq!(result.unwrap_err().to_string(), "disk full");
    }

    /// Writers take a piece's texts as they are: invalid UTF-8 is replaced
    /// when the text is kept, in the worker, valid text is kept as it is.
    #[test]
    fn texts_are_kept_as_utf8() {
        let cases: [(&[&[u8]], &str); 5] = [
            (&[b"mx.example"], "mx.example"),
            (&["r\u{e9}sum\u{e9}@b\u{fc}cher.example".as_bytes()], "r\u{e9}sum\u{e9}@b\u{fc}cher.example"),
            (&[b"a\xffb"], "a\u{fffd}b"),
            // A character cut by the end of a part, completed by the next.
            (&[b"x\xc3", b"\xa9y"], "x\u{e9}y"),
            (&[b"host", b"[", b"\xc3", b"]"], "host[\u{fffd}]"),
        ];
        for (parts, want) in cases {
            let mut piece = Piece::default();
            piece.bytes.extend_from_slice(b"before\xff");
            let span = piece.text(parts);
            assert_eq!(piece.get(span), Some(want.as_bytes()), "{parts:?}");
            assert_eq!(&piece.bytes[..7], b"before\xff", "the texts before are left alone");
        }
    }

    #[test]
    fn texts_are_kept_whole_or_cut_with_a_mark_and_empty_ones_are_null() {
        let long = "x".repeat(TEXT_MAX + 1);
        let cases: [(&str, Option<String>); 3] =
            [("", None), ("250 ok", Some("250 ok".into())), (&long, Some(format!("{}...", "x".repeat(TEXT_MAX - 3))))];
        for (text, want) in cases {
            let mut piece = Piece::default();
            let span = piece.reply(text.as_bytes());
            assert_eq!(piece.get(span).map(|t| String::from_utf8(t.to_vec()).unwrap()), want, "{text}");
        }
    }

    /// A writer that keeps nothing, for the tests of the window.
    struct Nowhere;

    impl Writer for Nowhere {
        fn write(&mut self, _: &Record<'_>) -> io::Result<()> {
            Ok(())
        }

        fn finish(self: Box<Self>) -> io::Result<()> {
            Ok(())
        }
    }

    /// Tells, on the channel returned, when `admit(seq)` has returned in a
    /// thread of its own.
    fn admitted(collector: &std::sync::Arc<Collector>, seq: u64) -> mpsc::Receiver<()> {
        let (tx, rx) = mpsc::channel();
        let collector = collector.clone();
        std::thread::spawn(move || {
            collector.admit(seq);
            let _ = tx.send(());
        });
        rx
    }

    const SOON: std::time::Duration = std::time::Duration::from_secs(20);
    const A_WHILE: std::time::Duration = std::time::Duration::from_millis(200);

    /// A worker takes a piece at most a window ahead of the next one to
    /// hand over, and waits beyond it until the pieces before are in.
    #[test]
    fn a_piece_beyond_the_window_waits_for_the_pieces_before() {
        let collector = std::sync::Arc::new(Collector::new(Box::new(Nowhere), vec!["a".into()], 2).unwrap());
        for seq in [0, 1] {
            assert!(admitted(&collector, seq).recv_timeout(SOON).is_ok(), "piece {seq} is within the window");
        }
        let third = admitted(&collector, 2);
        assert!(third.recv_timeout(A_WHILE).is_err(), "piece 2 waits for piece 0");
        collector.deliver(0, piece(0, 1, &[]));
        assert!(third.recv_timeout(SOON).is_ok(), "piece 2 goes once piece 0 is in");
        assert!(format!("{collector:?}").contains("window: 2"), "{collector:?}");
        collector.end_input();
        collector.finish().unwrap();
    }

    /// A worker that panics lets go those waiting for its piece; a worker
    /// that ends well does not.
    #[test]
    fn a_panicking_worker_lets_the_waiting_ones_go() {
        let collector = std::sync::Arc::new(Collector::new(Box::new(Nowhere), vec!["a".into()], 1).unwrap());
        let waiting = admitted(&collector, 1);
        drop(collector.guard());
        assert!(waiting.recv_timeout(A_WHILE).is_err(), "a worker that ends well wakes nobody");
        let worker = collector.clone();
        let failed = std::thread::spawn(move || {
            let _guard = worker.guard();
            panic!("a worker fails (as this test means)");
        });
        assert!(failed.join().is_err());
        assert!(waiting.recv_timeout(SOON).is_ok(), "the waiting worker goes");
    }

    /// A piece's encoding is offered only when it has rows and each of them
    /// was encoded.
    #[test]
    fn a_piece_is_offered_as_encoded_only_when_every_row_is() {
        let cases: [(usize, usize, bool); 4] = [(0, 0, false), (2, 0, false), (2, 1, false), (2, 2, true)];
        for (rows, ends, want) in cases {
            let mut piece = piece(0, 9, &(1..=rows as u64).collect::<Vec<_>>());
            piece.encoded.extend_from_slice(b"xy");
            piece.ends.extend(1..=ends);
            assert_eq!(piece.encoded().is_some(), want, "{rows} rows, {ends} ends");
        }
    }

    /// Encodes each row as `file:queue id;`.
    struct QueueIds;

    impl Encode for QueueIds {
        fn encode(&self, piece: &Piece, file: &str, out: &mut Vec<u8>, ends: &mut Vec<usize>) {
            for row in piece.rows() {
                out.extend_from_slice(file.as_bytes());
                out.push(b':');
                out.extend_from_slice(piece.get(row.queue_id).unwrap_or_default());
                out.push(b';');
                ends.push(out.len());
            }
        }
    }

    /// Keeps what the workers encoded of each piece it is handed.
    struct Encoded(std::sync::Arc<Mutex<Vec<u8>>>);

    impl Writer for Encoded {
        fn write(&mut self, _: &Record<'_>) -> io::Result<()> {
            Err(io::Error::other("rows go encoded"))
        }

        fn encoder(&self) -> Option<std::sync::Arc<dyn Encode>> {
            Some(std::sync::Arc::new(QueueIds))
        }

        fn write_piece(&mut self, piece: &Piece, _: &str, _: u64) -> io::Result<()> {
            let (bytes, _) = piece.encoded().ok_or_else(|| io::Error::other("not encoded"))?;
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(())
        }

        fn finish(self: Box<Self>) -> io::Result<()> {
            Ok(())
        }
    }

    /// A writer's encoder encodes each piece in the worker, with its
    /// input's name, before the piece is handed to the writer.
    #[test]
    fn pieces_are_encoded_before_they_are_written() {
        let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
        let collector = Collector::new(Box::new(Encoded(seen.clone())), vec!["a".into(), "b".into()], 4).unwrap();
        collector.deliver(0, piece(0, 2, &[1, 2]));
        collector.end_input();
        collector.deliver(0, piece(1, 1, &[1]));
        collector.end_input();
        assert_eq!(collector.finish().unwrap(), 3);
        assert_eq!(String::from_utf8(seen.lock().unwrap().clone()).unwrap(), "a:Q1;a:Q2;b:Q1;");
    }

    /// A cleared piece keeps nothing of what it held.
    #[test]
    fn a_cleared_piece_is_empty() {
        let mut piece = piece(1, 5, &[1, 2]);
        piece.encode(&QueueIds, "a");
        piece.clear();
        assert_eq!((piece.input, piece.lines, piece.rows().len()), (0, 0, 0));
        assert!(piece.bytes.is_empty() && piece.encoded().is_none() && piece.ends.is_empty());
    }

    /// The words of the kind, stage and note columns, as the reports write
    /// them.
    #[test]
    fn the_words_of_kinds_stages_and_notes() {
        assert_eq!([Kind::Delivery, Kind::Expiry, Kind::Refusal].map(Kind::as_str), ["delivery", "expiry", "refusal"]);
        let stages = [Stage::Connect, Stage::Helo, Stage::StartTls, Stage::Auth, Stage::Mail, Stage::Rcpt, Stage::Data];
        assert_eq!(stages.map(stage_word), ["CONNECT", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA"]);
        let notes = [Note::None, Note::NullMx, Note::RecipientNotFound, Note::Unrouteable];
        assert_eq!(notes.map(note_word), [None, Some("null_mx"), Some("recipient_not_found"), Some("unrouteable")]);
    }

    /// A delivery's and a refusal's columns as the worker hands them over;
    /// an empty bounce type is null, any other is kept.
    #[test]
    fn deliveries_and_refusals_fill_their_columns() {
        use crate::parse::Outcome;
        use crate::parse::refusal::{Action, RefusalStage};
        let mut piece = Piece::default();
        let bounced = Event {
            mta: "postfix",
            stage: Some(Stage::Rcpt),
            queue_id: b"3F2A1B",
            recipient: b"a@Example.COM",
            relay: b"mx.example.com[192.0.2.1]:25",
            reply: b"550 5.1.1 no such user",
            delay_ms: Some(1200),
            ..Event::new(b"Example.COM", Outcome::Bounced, Some(550), None)
        };
        let verdict = (Reason::UserUnknown, BounceType::Hard);
        piece.delivery(7, None, b"mx1", &bounced, b"example.com", verdict, Note::RecipientNotFound);
        let delivered =
            Event { mta: "exim", local: true, ..Event::new(b"example.com", Outcome::Delivered, None, None) };
        piece.delivery(8, None, b"", &delivered, b"example.com", (Reason::Delivered, BounceType::None), Note::None);
        let refusal = Refusal {
            action: Action::Reject,
            stage: RefusalStage::Rcpt,
            temporary: false,
            code: Some(554),
            enhanced: None,
            text: b"554 5.7.1 Relay access denied",
            client_name: b"unknown",
            client_ip: b"192.0.2.9",
            sender: b"",
            recipient: b"x@example.org",
            queue_id: b"NOQUEUE",
            mta: "postfix",
        };
        piece.refusal(9, None, b"mx1", &refusal, b"example.org", (Reason::Filtered, BounceType::Block));
        let text = |span| piece.get(span).map_or("-".to_string(), |t| String::from_utf8_lossy(t).into_owned());
        let rows: Vec<String> = piece
            .rows()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {:?} {:?} {:?} {:?} {:?} {} {:?} {:?} | {} | {} | {} | {} | {} | {} | {}",
                    r.line,
                    r.kind.as_str(),
                    r.mta,
                    r.status,
                    r.code,
                    r.reason,
                    r.bounce_type,
                    r.stage,
                    r.note,
                    r.local,
                    r.delay_ms,
                    r.class.is_some(),
                    text(r.host),
                    text(r.queue_id),
                    text(r.recipient),
                    text(r.domain),
                    text(r.relay),
                    text(r.text),
                    text(r.client),
                )
            })
            .collect();
        let want = [
            "7 delivery postfix bounced Some(550) Some(\"userunknown\") Some(\"hard\") Some(\"RCPT\") \
             Some(\"recipient_not_found\") false Some(1200) true \
             | mx1 | 3F2A1B | a@Example.COM | example.com | mx.example.com[192.0.2.1]:25 | 550 5.1.1 no such user | -",
            "8 delivery exim delivered None Some(\"delivered\") None None None true None false \
             | - | - | - | example.com | - | - | -",
            "9 refusal postfix reject Some(554) Some(\"filtered\") Some(\"block\") Some(\"RCPT\") None false None true \
             | mx1 | NOQUEUE | x@example.org | example.org | - | 554 5.7.1 Relay access denied | unknown[192.0.2.9]",
        ];
        assert_eq!(rows, want);
    }
}
