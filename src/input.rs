//! Input: files and stdin, cut into pieces that hold whole lines.
//!
//! A regular file is split into fixed-size chunks that workers read
//! themselves, in parallel, with positioned reads (`pread`): a chunk owns
//! the lines that *start* in it, so it skips the partial line at its start
//! and reads on past its end to finish its last line. Nothing is mapped into
//! memory, so a log truncated while it is read (logrotate's copytruncate)
//! only ends early. Stdin, pipes and other streams are read by one thread in
//! blocks that end on a line boundary, the partial last line carried into
//! the next block. Either way, a line longer than the limit is skipped and
//! counted instead of growing memory without bound.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::parse::dialect::Recognised;

/// Where log lines come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    Path(PathBuf),
}

/// An opened source.
pub enum Opened {
    /// A regular, uncompressed file of known size, read in parallel chunks.
    File {
        /// The file.
        file: File,
        /// Its size when opened.
        size: u64,
        /// Which MTAs' logs its start looks like.
        recognised: Recognised,
    },
    /// Anything read front to back: stdin, a pipe, a compressed file.
    Stream(Stream),
}

/// A source read front to back, decompressed on the fly if need be.
pub struct Stream {
    /// The (decompressed) bytes.
    pub reader: Box<dyn Read + Send>,
    /// The compression format found by its magic bytes, if any.
    pub compression: Option<Compression>,
    /// How many raw (compressed) bytes have been consumed so far: where the
    /// data was damaged, when a decoder fails.
    pub consumed: Arc<AtomicU64>,
}

/// A compression format, recognised by its magic bytes (never by the name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// gzip, including files of several members.
    Gzip,
    /// bzip2, including several streams.
    Bzip2,
    /// xz, including several streams.
    Xz,
    /// Zstandard, including several frames.
    Zstd,
}

impl Compression {
    /// Recognises the format whose magic bytes start `head`.
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        const MAGIC: [(&[u8], Compression); 4] = [
            (b"\x1f\x8b", Compression::Gzip),
            (b"BZh", Compression::Bzip2),
            (b"\xfd7zXZ\x00", Compression::Xz),
            (b"\x28\xb5\x2f\xfd", Compression::Zstd),
        ];
        MAGIC.iter().find(|(magic, _)| head.starts_with(magic)).map(|&(_, kind)| kind)
    }

    /// The format's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Stream {
    /// Reads up to [`HEAD_BYTES`] of the (decompressed) start and returns a
    /// copy; the stream then reads from its start again, as if untouched.
    /// A read error met on the way comes back, in its place, when the
    /// stream is read. For streams that cannot be opened twice (stdin,
    /// pipes) and those that are costly to (compressed files).
    pub fn peek_head(&mut self) -> Vec<u8> {
        let mut head = Vec::new();
        let reader = std::mem::replace(&mut self.reader, Box::new(io::empty()));
        let mut limited = reader.take(HEAD_BYTES as u64);
        let error = loop {
            match limited.read_to_end(&mut head) {
                Ok(_) => break None,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Some(e),
            }
        };
        let rest = limited.into_inner();
        self.reader = Box::new(Replay { head: io::Cursor::new(head.clone()), error, rest });
        head
    }
}

/// A stream's start read ahead, then what came after it.
struct Replay {
    head: io::Cursor<Vec<u8>>,
    /// The error that stopped reading ahead, returned after the head.
    error: Option<io::Error>,
    rest: Box<dyn Read + Send>,
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        match self.error.take() {
            Some(error) => Err(error),
            None => self.rest.read(buf),
        }
    }
}

/// Wraps a raw reader for front-to-back reading, decompressing it when its
/// first bytes are a compression format's magic.
pub fn open_stream(raw: Box<dyn Read + Send>) -> io::Result<Stream> {
    let consumed = Arc::new(AtomicU64::new(0));
    let counting = Counting { inner: raw, count: Arc::clone(&consumed) };
    let mut buffered = BufReader::with_capacity(256 << 10, counting);
    let compression = Compression::sniff(buffered.fill_buf()?);
    let reader: Box<dyn Read + Send> = match compression {
        None => Box::new(buffered),
        Some(Compression::Gzip) => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Some(Compression::Bzip2) => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Some(Compression::Xz) => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered)),
        Some(Compression::Zstd) => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
    };
    Ok(Stream { reader, compression, consumed })
}

impl Source {
    /// The name used in messages: the path as given, or `-` for stdin.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::Path(path) => path.display().to_string(),
        }
    }

    /// The modification time, when it is a file (the year reference of
    /// its BSD syslog stamps).
    pub fn modified(&self) -> Option<std::time::SystemTime> {
        match self {
            Source::Stdin => None,
            Source::Path(path) => std::fs::metadata(path).and_then(|m| m.modified()).ok(),
        }
    }

    /// The size in bytes, when it is known in advance (a regular file).
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Stdin => None,
            Source::Path(path) => std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len()),
        }
    }

    /// Opens the source for reading: regular uncompressed files for
    /// parallel chunks, anything else as a (decompressed) stream.
    pub fn open(&self) -> Result<Opened> {
        let err = |source| Error::Input { name: self.name(), source };
        let file = match self {
            Source::Stdin => return open_stream(Box::new(io::stdin())).map(Opened::Stream).map_err(err),
            Source::Path(path) => File::open(path).map_err(err)?,
        };
        let meta = file.metadata().map_err(err)?;
        if meta.is_dir() {
            return Err(err(io::Error::from(io::ErrorKind::IsADirectory)));
        }
        if !meta.is_file() {
            return open_stream(Box::new(file)).map(Opened::Stream).map_err(err);
        }
        let head = read_head(&file).map_err(err)?;
        // Compressed files and journald's JSON export are read as streams.
        if Compression::sniff(&head).is_some() || crate::journald::looks_like_journal_json(&head) {
            return open_stream(Box::new(file)).map(Opened::Stream).map_err(err);
        }
        Ok(Opened::File { recognised: Recognised::of(&head), file, size: meta.len() })
    }
}

/// How inputs are cut into pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockOptions {
    /// Bytes per chunk or block (a piece grows past this only to finish a line).
    pub block_size: usize,
    /// Lines longer than this are skipped and counted.
    pub max_line: usize,
}

impl Default for BlockOptions {
    fn default() -> Self {
        BlockOptions { block_size: 2 << 20, max_line: 1 << 20 }
    }
}

/// The largest block a stream (stdin, a pipe, a compressed file) is read in.
/// A stream keeps about 3 blocks per worker thread in flight, so this sets
/// most of its memory beside the tallies; smaller blocks were no slower.
pub const STREAM_BLOCK_MAX: usize = 512 << 10;

/// How much of the start of an input is checked for its format.
pub const HEAD_BYTES: usize = 64 << 10;

/// Reads up to [`HEAD_BYTES`] from the start of a file.
pub fn read_head(file: &File) -> io::Result<Vec<u8>> {
    read_head_at(file, 0)
}

/// Reads up to [`HEAD_BYTES`] of a file from byte `offset` on.
pub fn read_head_at(file: &File, offset: u64) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let len = read_range(file, offset, offset + HEAD_BYTES as u64, &mut head, 0)?;
    head.truncate(len);
    Ok(head)
}

/// One piece of a regular file: the lines that start in `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Index of the input.
    pub input: usize,
    /// Position of the chunk in its input (0, 1, 2, ...).
    pub seq: u64,
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

/// Cuts the byte range `range` of a file into chunks of `block_size`.
pub fn chunks(input: usize, range: std::ops::Range<u64>, block_size: usize) -> impl Iterator<Item = Chunk> {
    let step = block_size.max(1) as u64;
    let (first, end) = (range.start, range.end.max(range.start));
    (0..(end - first).div_ceil(step)).map(move |seq| Chunk {
        input,
        seq,
        start: first + seq * step,
        end: (first + (seq + 1) * step).min(end),
    })
}

/// What [`read_chunk`] put in its buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkRead {
    /// Where the chunk's first line starts in the buffer.
    pub begin: usize,
    /// Where its data ends in the buffer (the buffer may be longer: it is
    /// reused without being cleared, to spare zeroing it for every chunk).
    pub end: usize,
    /// Bytes of the file's `start..end` that were there to read.
    pub bytes: u64,
    /// Whether the chunk's last line was longer than the limit and left out.
    pub dropped_overlong: bool,
}

/// Reads the lines that start in `chunk` into `buf[begin..end]`. A file
/// that shrank since it was opened just yields fewer lines.
pub fn read_chunk(file: &File, chunk: &Chunk, max_line: usize, buf: &mut Vec<u8>) -> io::Result<ChunkRead> {
    // One byte before the chunk says whether a line starts right at it.
    let from = chunk.start.saturating_sub(1);
    let want = (chunk.end - from) as usize;
    let step = (chunk.end - chunk.start).clamp(256, 64 << 10) as usize;
    if buf.len() < want + PAGE + step {
        buf.resize(want + PAGE + step, 0);
    }
    // Put the data half a page away from where it sits in its page-cache
    // page: when source and destination share their offset within a page,
    // the kernel's copy runs about three times slower here (4K aliasing).
    let pad = (PAGE / 2 + from as usize).wrapping_sub(buf.as_ptr() as usize) % PAGE;
    let len = read_range(file, from, chunk.end, buf, pad)?;
    let bytes = (from + (len - pad) as u64).min(chunk.end).saturating_sub(chunk.start);
    let mut read = ChunkRead { begin: pad, end: len, bytes, dropped_overlong: false };
    if chunk.start > 0 {
        match memchr::memchr(b'\n', &buf[pad..len]) {
            Some(i) => read.begin = pad + i + 1,
            None => {
                // The whole chunk lies inside a line that started earlier.
                read.end = pad;
                return Ok(read);
            }
        }
    }
    let short = from + ((len - pad) as u64) < chunk.end;
    if short || len == read.begin || buf[len - 1] == b'\n' {
        return Ok(read);
    }
    // Finish the last line, which starts here but ends in a later chunk,
    // reading on in steps about the chunk's size.
    let last_start = memchr::memrchr(b'\n', &buf[read.begin..len]).map_or(read.begin, |i| read.begin + i + 1);
    loop {
        let before = read.end;
        let at = from + (before - pad) as u64;
        read.end = read_range(file, at, at + step as u64, buf, before)?;
        if read.end == before {
            return Ok(read); // the file ends with this line
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[before..read.end]) {
            read.end = before + i + 1;
            return Ok(read);
        }
        if read.end - last_start > max_line {
            read.end = last_start;
            read.dropped_overlong = true;
            return Ok(read);
        }
    }
}

/// A memory page, as far as copy alignment goes.
const PAGE: usize = 4096;

/// Reads the bytes of `file` in `start..end` into `buf` from `buf[at]` on
/// (growing `buf` if needed) and returns where they end: before `at + (end
/// - start)` at the end of the file.
fn read_range(file: &File, start: u64, end: u64, buf: &mut Vec<u8>, at: usize) -> io::Result<usize> {
    let want = end.saturating_sub(start) as usize;
    if buf.len() < at + want {
        buf.resize(at + want, 0);
    }
    Ok(at + read_full_at(file, start, &mut buf[at..at + want])?)
}

/// Fills `buf` from `file` at byte `offset` (retrying interrupted reads),
/// and returns how many bytes it got: fewer than `buf.len()` only at the
/// end of the file.
pub fn read_full_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A piece of a stream that ends on a line boundary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// Index of the input (in the order the inputs were named).
    pub input: usize,
    /// Position of the block in its input (0, 1, 2, ...).
    pub seq: u64,
    /// Over-long lines the reader left out just before this block (they
    /// still count in line numbers).
    pub lines_before: u64,
    /// The bytes: whole lines, the last one maybe without its `\n`. Empty
    /// only in a stream's last block, sent to carry `lines_before` when the
    /// stream ends with over-long lines.
    pub data: Vec<u8>,
}

/// What reading one stream found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Bytes read.
    pub bytes: u64,
    /// Lines left out because they were longer than the limit.
    pub dropped_overlong: u64,
    /// Which MTAs' logs the start of the input looked like.
    pub recognised: Recognised,
}

/// Reads a stream to the end, handing each block to `emit`. Block buffers
/// come from `buffer` (which may hand back buffers the workers are done
/// with: fresh memory costs a page fault per page). Returns what was read,
/// or the error that stopped reading together with what was read before it:
/// every complete line before the error has been emitted, and the bytes are
/// those up to the end of the last one (what the scan gets).
pub fn read_blocks(
    mut reader: impl Read,
    input: usize,
    name: &str,
    opts: BlockOptions,
    mut buffer: impl FnMut() -> Vec<u8>,
    mut emit: impl FnMut(Block),
) -> std::result::Result<StreamStats, (Error, StreamStats)> {
    let block_size = opts.block_size.max(1);
    let mut stats = StreamStats::default();
    let mut buf: Vec<u8> = buffer();
    let (mut seq, mut dropped_since_block) = (0u64, 0u64);
    // A block is sent for the lines in it, or (at the end) to carry the
    // count of over-long lines left out after the last block: the scan
    // counts every line through the blocks.
    let mut flush = |buf: &mut Vec<u8>, dropped: &mut u64| {
        if !buf.is_empty() || *dropped > 0 {
            emit(Block { input, seq, lines_before: std::mem::take(dropped), data: std::mem::take(buf) });
            seq += 1;
        }
    };
    let mut skipping = false;
    let mut first = true;
    loop {
        // Fill the block; past its size (a line longer than a block), grow
        // by whole blocks rather than byte by byte.
        let want = if buf.len() < block_size { block_size - buf.len() } else { block_size };
        let start = buf.len();
        let got = match (&mut reader).take(want as u64).read_to_end(&mut buf) {
            Ok(n) => n,
            Err(source) => {
                // Keep the complete lines read before the error, but not the
                // end of an over-long line being skipped.
                // See: #7 (fuzzing found the skipped tail counted as lines).
                // `stats.bytes` holds `buf[..start]` but not what this read
                // brought; it becomes where the last whole line ends, the
                // bytes the scan gets (a message says how much was counted).
                let mut kept_from = stats.bytes - start as u64;
                if skipping {
                    let skipped = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i + 1);
                    buf.drain(..skipped);
                    kept_from += skipped as u64;
                }
                let end = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
                buf.truncate(end);
                stats.bytes = kept_from + end as u64;
                flush(&mut buf, &mut dropped_since_block);
                return Err((Error::Input { name: name.to_string(), source }, stats));
            }
        };
        stats.bytes += got as u64;
        let eof = got < want;
        if first && !buf.is_empty() {
            first = false;
            stats.recognised = Recognised::of(&buf[..buf.len().min(HEAD_BYTES)]);
        }
        if skipping {
            match memchr::memchr(b'\n', &buf[start..]) {
                Some(i) => {
                    buf.drain(..start + i + 1);
                    skipping = false;
                }
                None => buf.clear(),
            }
        }
        if eof {
            flush(&mut buf, &mut dropped_since_block);
            return Ok(stats);
        }
        if buf.len() < block_size {
            continue;
        }
        match memchr::memrchr(b'\n', &buf) {
            Some(i) => {
                let mut next = buffer();
                next.extend_from_slice(&buf[i + 1..]);
                buf.truncate(i + 1);
                flush(&mut buf, &mut dropped_since_block);
                buf = next;
            }
            None if buf.len() > opts.max_line => {
                stats.dropped_overlong += 1;
                dropped_since_block += 1;
                skipping = true;
                buf.clear();
            }
            None => {} // a long line: read on until it ends
        }
    }
}

/// Counts the lines of `data` (a last line without `\n` counts) and those
/// longer than `max_line`. Long lines are looked for only where a window of
/// half that length holds no newline, which any such line must contain, so
/// ordinary data costs one vectorised count.
pub fn count_lines(data: &[u8], max_line: usize) -> (u64, u64) {
    let window = (max_line / 2).max(1);
    let mut lines = 0u64;
    let mut suspect = false;
    for piece in data.chunks(window) {
        let n = memchr::memchr_iter(b'\n', piece).count();
        suspect |= n == 0 && piece.len() == window;
        lines += n as u64;
    }
    if data.last().is_some_and(|&b| b != b'\n') {
        lines += 1;
    }
    if !suspect {
        return (lines, 0);
    }
    let mut long = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len())) {
        if end - start > max_line {
            long += 1;
        }
        start = end + 1;
    }
    (lines, long)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(data: &[u8], block_size: usize, max_line: usize) -> (Vec<Block>, StreamStats) {
        let mut out = Vec::new();
        let opts = BlockOptions { block_size, max_line };
        let stats = read_blocks(data, 0, "test", opts, Vec::new, |b| out.push(b)).expect("reads");
        (out, stats)
    }

    #[test]
    fn blocks_end_on_line_boundaries() {
        let data = b"one\ntwo\nthree\nfour";
        for size in 1..=20 {
            let (out, stats) = blocks(data, size, 1 << 20);
            let joined: Vec<u8> = out.iter().flat_map(|b| b.data.clone()).collect();
            assert_eq!(joined, data, "block size {size}");
            for (seq, b) in out.iter().enumerate() {
                assert_eq!(b.seq, seq as u64);
                if seq + 1 < out.len() {
                    assert_eq!(b.data.last(), Some(&b'\n'), "block size {size}");
                }
            }
            assert_eq!(stats.bytes, data.len() as u64);
        }
    }

    #[test]
    fn streams_drop_overlong_lines_and_say_where() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.extend_from_slice(b"\nafter\n");
        for size in [4, 16, 64] {
            let (out, stats) = blocks(&data, size, 32);
            let joined: Vec<u8> = out.iter().flat_map(|b| b.data.clone()).collect();
            assert_eq!(joined, b"short\nafter\n", "block size {size}");
            assert_eq!(stats.dropped_overlong, 1);
            assert_eq!(out.last().unwrap().lines_before, 1);
        }
    }

    /// See the fix of the line count on stdin: over-long lines at the end
    /// of a stream were counted only by the reader, those before a block
    /// twice (once by the reader, once through the block).
    #[test]
    fn overlong_lines_at_the_end_reach_the_scan_in_a_last_block() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.push(b'\n');
        for size in [4, 16, 64] {
            let (out, stats) = blocks(&data, size, 32);
            let last = out.last().unwrap();
            assert_eq!((last.lines_before, &last.data[..]), (1, &b""[..]), "block size {size}");
            assert_eq!(stats.dropped_overlong, 1);
            let carried: u64 = out.iter().map(|b| b.lines_before).sum();
            assert_eq!(carried, 1, "each left-out line reaches the scan once");
        }
    }

    /// Hands out `step` bytes per read and fails at `fail_at`.
    struct Failing<'a> {
        data: &'a [u8],
        pos: usize,
        step: usize,
        fail_at: usize,
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pos >= self.fail_at {
                return Err(io::Error::other("injected"));
            }
            let n = buf.len().min(self.step).min(self.fail_at - self.pos).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    // See: #7. A read error while an over-long line was being skipped let the
    // end of that line through as a line of its own.
    #[test]
    fn a_read_error_while_skipping_keeps_the_skipped_line_out() {
        let mut data = vec![b'x'; 92];
        data.extend_from_slice(b"\nnext\nthird\n");
        // The read that fails has already brought the skipped line's end.
        let reader = Failing { data: &data, pos: 0, step: 159, fail_at: 94 };
        let mut out = Vec::new();
        let opts = BlockOptions { block_size: 8, max_line: 41 };
        let (_, stats) = read_blocks(reader, 0, "test", opts, Vec::new, |b| out.push(b)).unwrap_err();
        let joined: Vec<u8> = out.iter().flat_map(|b| b.data.clone()).collect();
        assert_eq!(joined, b"");
        assert_eq!(stats.dropped_overlong, 1);
    }

    /// See the report of a truncated `.gz`: it said the bytes of the blocks
    /// read before the error were counted (524,288), not the bytes of the
    /// lines the scan got (716,759).
    #[test]
    fn after_a_read_error_the_bytes_are_those_of_the_lines_emitted() {
        let data: Vec<u8> = (0..40).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        for step in [1, 3, 7, 64] {
            for block_size in [4, 16, 100] {
                for fail_at in [5, 33, 100, 250] {
                    let reader = Failing { data: &data, pos: 0, step, fail_at };
                    let (mut out, opts) = (Vec::new(), BlockOptions { block_size, max_line: 1 << 20 });
                    let (_, stats) = read_blocks(reader, 0, "test", opts, Vec::new, |b| out.push(b)).unwrap_err();
                    let joined: Vec<u8> = out.iter().flat_map(|b| b.data.clone()).collect();
                    let whole = data[..fail_at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                    let case = format!("step {step}, block size {block_size}, failing at {fail_at}");
                    assert_eq!(joined, &data[..whole], "{case}");
                    assert_eq!(stats.bytes, whole as u64, "{case}");
                }
            }
        }
    }

    #[test]
    fn empty_input_has_no_blocks() {
        let (out, stats) = blocks(b"", 8, 8);
        assert!(out.is_empty());
        assert_eq!(stats, StreamStats::default());
    }

    #[test]
    fn compression_is_recognised_by_magic_bytes() {
        assert_eq!(Compression::sniff(b"\x1f\x8b\x08\x00rest"), Some(Compression::Gzip));
        assert_eq!(Compression::sniff(b"BZh91AY"), Some(Compression::Bzip2));
        assert_eq!(Compression::sniff(b"\xfd7zXZ\x00\x00"), Some(Compression::Xz));
        assert_eq!(Compression::sniff(b"\x28\xb5\x2f\xfd\x00"), Some(Compression::Zstd));
        assert_eq!(Compression::sniff(b"Nov  5 10:00:00 mx postfix"), None);
        assert_eq!(Compression::sniff(b""), None);
    }

    /// Reads a file chunk by chunk and returns what the chunks hold, joined.
    fn read_all_chunks(data: &[u8], block_size: usize, max_line: usize) -> (Vec<u8>, u64, u64) {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, data).unwrap();
        let (mut joined, mut bytes, mut dropped) = (Vec::new(), 0, 0);
        let mut buf = Vec::new();
        for chunk in chunks(0, 0..data.len() as u64, block_size) {
            let read = read_chunk(&file, &chunk, max_line, &mut buf).unwrap();
            joined.extend_from_slice(&buf[read.begin.min(read.end)..read.end]);
            bytes += read.bytes;
            dropped += u64::from(read.dropped_overlong);
        }
        (joined, bytes, dropped)
    }

    #[test]
    fn file_chunks_hold_each_line_once() {
        let data = b"one\ntwo\n\nthree\nfour";
        for size in 1..=24 {
            let (joined, bytes, dropped) = read_all_chunks(data, size, 1 << 20);
            assert_eq!(joined, data, "chunk size {size}");
            assert_eq!((bytes, dropped), (data.len() as u64, 0), "chunk size {size}");
        }
    }

    #[test]
    fn file_chunks_drop_overlong_lines_that_cross_them() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.extend_from_slice(b"\nafter\n");
        for size in [4, 16, 64] {
            let (joined, _, dropped) = read_all_chunks(&data, size, 32);
            // A chunk keeps a long line that lies inside it (the scanner
            // skips and counts those); one that crosses chunks is dropped.
            let kept_inside = joined.len() > b"short\nafter\n".len();
            assert_eq!(dropped, u64::from(!kept_inside), "chunk size {size}");
            assert!(joined.starts_with(b"short\n") && joined.ends_with(b"after\n"), "chunk size {size}");
        }
    }

    /// Reads chunks planned earlier, as the workers do, and joins them.
    fn read_planned(file: &File, planned: &[Chunk]) -> Vec<u8> {
        let (mut joined, mut buf) = (Vec::new(), Vec::new());
        for chunk in planned {
            let read = read_chunk(file, chunk, 1 << 20, &mut buf).unwrap();
            joined.extend_from_slice(&buf[read.begin..read.end]);
        }
        joined
    }

    #[test]
    fn a_file_truncated_while_read_just_ends_early() {
        // logrotate's copytruncate: the file shrinks after it was opened and
        // its chunks were planned. Reads past the new end find nothing.
        let data: Vec<u8> = (0..200).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, &data).unwrap();
        let planned: Vec<Chunk> = chunks(0, 0..data.len() as u64, 100).collect();
        file.set_len(555).unwrap();
        let joined = read_planned(&file, &planned);
        assert!(data.starts_with(&joined), "a prefix of the original");
        assert!(joined.len() >= 550 && joined.len() <= 555, "{} bytes", joined.len());
    }

    #[test]
    fn a_file_that_grows_while_read_is_read_as_planned() {
        let data: Vec<u8> = (0..200).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, &data).unwrap();
        let planned: Vec<Chunk> = chunks(0, 0..data.len() as u64, 100).collect();
        std::io::Write::write_all(&mut file, b"appended later\n").unwrap();
        let joined = read_planned(&file, &planned);
        assert_eq!(joined, data);
    }

    #[test]
    fn line_counts_and_long_lines() {
        assert_eq!(count_lines(b"", 8), (0, 0));
        assert_eq!(count_lines(b"a\nb", 8), (2, 0));
        assert_eq!(count_lines(b"a\nb\n", 8), (2, 0));
        assert_eq!(count_lines(b"a\n0123456789\nb\n", 8), (3, 1));
        assert_eq!(count_lines(b"0123456789", 8), (1, 1));
        assert_eq!(count_lines(b"01234567\n", 8), (1, 0));
    }

    fn looks_like_mail_log(head: &[u8]) -> bool {
        Recognised::of(head).any()
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_mail_log(b"Nov  5 10:00:00 mx postfix/smtpd[1]: connect from x\n"));
        assert!(looks_like_mail_log(b"2026-11-05 10:00:00 1tXyZa-0003Ab-Qr Completed\n"));
        assert!(looks_like_mail_log(
            b"2022-06-29 15:33:46 H=test.example [192.0.2.1]:53343 F=<a@b> rejected RCPT <c@d>: x\n"
        ));
        assert!(!looks_like_mail_log(b"2022-06-29 15:33:46,123 INFO app started\n"));
        assert!(!looks_like_mail_log(b"\x00\x01binary junk\n"));
        assert!(!looks_like_mail_log(b"GET / HTTP/1.1 200\n"));
    }
}
