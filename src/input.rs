//! Input: files and stdin, read in large blocks that end on a line boundary.
//!
//! A block is owned bytes ending with `\n` (or at the end of the input), so
//! no line is ever split between two workers. The partial line at the end of
//! one read is carried into the next block. A line longer than the limit is
//! skipped and counted rather than growing memory without bound. Lines are
//! counted here, so each block knows the number of its first line.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::parse::exim;

/// Where log lines come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    Path(PathBuf),
}

impl Source {
    /// The name used in messages: the path as given, or `-` for stdin.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::Path(path) => path.display().to_string(),
        }
    }

    /// The size in bytes, when it is known in advance (a regular file).
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Stdin => None,
            Source::Path(path) => std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
        }
    }

    /// Opens the source for reading.
    pub fn open(&self) -> Result<Box<dyn Read>> {
        match self {
            Source::Stdin => Ok(Box::new(io::stdin().lock())),
            Source::Path(path) => {
                let err = |source| Error::Input {
                    name: self.name(),
                    source,
                };
                let file = File::open(path).map_err(err)?;
                if file.metadata().map_err(err)?.is_dir() {
                    return Err(err(io::Error::from(io::ErrorKind::IsADirectory)));
                }
                Ok(Box::new(file))
            }
        }
    }
}

/// A piece of one input that ends on a line boundary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// Index of the input (in the order the inputs were named).
    pub input: usize,
    /// The 1-based number of the block's first line in its input.
    pub first_line: u64,
    /// The bytes: whole lines, the last one maybe without its `\n`.
    pub data: Vec<u8>,
}

/// How inputs are cut into blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockOptions {
    /// Bytes to read per block (a block grows past this only to finish a line).
    pub block_size: usize,
    /// Lines longer than this are skipped and counted.
    pub max_line: usize,
}

impl Default for BlockOptions {
    fn default() -> Self {
        BlockOptions {
            block_size: 2 << 20,
            max_line: 1 << 20,
        }
    }
}

/// What reading one input found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Bytes read.
    pub bytes: u64,
    /// Lines read (a last line without `\n` counts).
    pub lines: u64,
    /// Lines skipped because they were longer than the limit.
    pub overlong: u64,
    /// Whether the start of the input looked like a Postfix or Exim log.
    pub looks_like_mail_log: bool,
}

/// How much of the start of an input is checked for mail-log lines.
const SNIFF_BYTES: usize = 64 << 10;

/// Reads `reader` to the end, handing each block to `emit`. Block buffers
/// come from `buffer` (which may hand back buffers the workers are done
/// with: fresh memory costs a page fault per page). Returns what was read, or
/// the error that stopped reading together with what was read before it
/// (every complete line before the error has been emitted).
pub fn read_blocks(
    mut reader: impl Read,
    input: usize,
    name: &str,
    opts: BlockOptions,
    mut buffer: impl FnMut() -> Vec<u8>,
    mut emit: impl FnMut(Block),
) -> std::result::Result<ReadStats, (Error, ReadStats)> {
    let block_size = opts.block_size.max(1);
    let mut stats = ReadStats::default();
    let mut buf: Vec<u8> = buffer();
    let mut skipping = false;
    let mut first = true;
    loop {
        // Fill the block; past its size (a line longer than a block), grow
        // by whole blocks rather than byte by byte.
        let want = if buf.len() < block_size {
            block_size - buf.len()
        } else {
            block_size
        };
        let start = buf.len();
        let got = match (&mut reader).take(want as u64).read_to_end(&mut buf) {
            Ok(n) => n,
            Err(source) => {
                let end = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
                buf.truncate(end);
                flush(&mut buf, input, &mut stats, &mut emit);
                return Err((
                    Error::Input {
                        name: name.to_string(),
                        source,
                    },
                    stats,
                ));
            }
        };
        stats.bytes += got as u64;
        let eof = got < want;
        if first && !buf.is_empty() {
            first = false;
            if let Some(kind) = compression(&buf) {
                return Err((unsupported_compression(name, kind), stats));
            }
            stats.looks_like_mail_log = looks_like_mail_log(&buf[..buf.len().min(SNIFF_BYTES)]);
        }
        if skipping {
            match memchr::memchr(b'\n', &buf[start..]) {
                Some(i) => {
                    buf.drain(..start + i + 1);
                    stats.lines += 1;
                    skipping = false;
                }
                None => buf.clear(),
            }
        }
        if eof {
            if skipping {
                stats.lines += 1; // the overlong line was the last one
            }
            flush(&mut buf, input, &mut stats, &mut emit);
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
                flush(&mut buf, input, &mut stats, &mut emit);
                buf = next;
            }
            None if buf.len() >= opts.max_line => {
                stats.overlong += 1;
                skipping = true;
                buf.clear();
            }
            None => {} // a long line: read on until it ends
        }
    }
}

/// Emits `buf` as a block (if it holds anything) and counts its lines.
fn flush(buf: &mut Vec<u8>, input: usize, stats: &mut ReadStats, emit: &mut impl FnMut(Block)) {
    if buf.is_empty() {
        return;
    }
    let first_line = stats.lines + 1;
    stats.lines += memchr::memchr_iter(b'\n', buf).count() as u64;
    if buf.last() != Some(&b'\n') {
        stats.lines += 1;
    }
    emit(Block {
        input,
        first_line,
        data: std::mem::take(buf),
    });
}

/// Names the compression format whose magic bytes start `head`, if any.
fn compression(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 4] = [
        (b"\x1f\x8b", "gzip"),
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"\x28\xb5\x2f\xfd", "zstd"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|&(_, kind)| kind)
}

fn unsupported_compression(name: &str, kind: &str) -> Error {
    let tool = match kind {
        "gzip" => "zcat",
        "bzip2" => "bzcat",
        "xz" => "xzcat",
        _ => "zstdcat",
    };
    Error::Format {
        name: name.to_string(),
        message: format!(
            "{kind}-compressed input is not supported yet; decompress it first: {tool} {name} | bounces analyze -"
        ),
    }
}

/// Does this look like the start of a Postfix or Exim log? True when a line
/// mentions Postfix or Exim's syslog tag, carries an Exim message id, or
/// starts with Exim's timestamp and has a field only Exim writes.
pub fn looks_like_mail_log(head: &[u8]) -> bool {
    let finder = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    if finder(b"postfix") || finder(b" exim[") {
        return true;
    }
    head.split(|&b| b == b'\n').take(1000).any(|line| {
        line.split(|&b| b == b' ').take(8).any(exim::is_message_id)
            || (starts_with_exim_time(line)
                && [
                    &b" H="[..],
                    b" authenticator failed",
                    b"queue run",
                    b" rejected ",
                ]
                .iter()
                .any(|n| memchr::memmem::find(line, n).is_some()))
    })
}

/// `YYYY-MM-DD HH:MM:SS` at the start of the line.
fn starts_with_exim_time(line: &[u8]) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-dd dd:dd:dd";
    line.len() >= SHAPE.len()
        && line.iter().zip(SHAPE).all(|(&b, &s)| {
            if s == b'd' {
                b.is_ascii_digit()
            } else {
                b == s
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(data: &[u8], block_size: usize, max_line: usize) -> (Vec<Block>, ReadStats) {
        let mut out = Vec::new();
        let opts = BlockOptions {
            block_size,
            max_line,
        };
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
            for b in &out[..out.len() - 1] {
                assert_eq!(b.data.last(), Some(&b'\n'), "block size {size}");
            }
            let mut line = 1;
            for b in &out {
                assert_eq!(b.first_line, line, "block size {size}");
                line += memchr::memchr_iter(b'\n', &b.data).count() as u64;
            }
            assert_eq!(stats.lines, 4);
            assert_eq!(stats.bytes, data.len() as u64);
        }
    }

    #[test]
    fn overlong_lines_are_skipped_and_counted() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.extend_from_slice(b"\nafter\n");
        for size in [4, 16, 64] {
            let (out, stats) = blocks(&data, size, 32);
            let joined: Vec<u8> = out.iter().flat_map(|b| b.data.clone()).collect();
            assert_eq!(joined, b"short\nafter\n", "block size {size}");
            assert_eq!((stats.lines, stats.overlong), (3, 1));
            assert_eq!(out.last().unwrap().first_line, 3);
        }
    }

    #[test]
    fn empty_input_has_no_blocks() {
        let (out, stats) = blocks(b"", 8, 8);
        assert!(out.is_empty());
        assert_eq!(stats, ReadStats::default());
    }

    #[test]
    fn compressed_input_is_refused_with_advice() {
        let opts = BlockOptions::default();
        let err = read_blocks(
            &b"\x1f\x8b\x08\x00rest"[..],
            0,
            "mail.log.1.gz",
            opts,
            Vec::new,
            |_| {},
        )
        .unwrap_err();
        let text = err.0.to_string();
        assert!(
            text.contains("gzip") && text.contains("zcat mail.log.1.gz | bounces analyze -"),
            "{text}"
        );
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_mail_log(
            b"Nov  5 10:00:00 mx postfix/smtpd[1]: connect from x\n"
        ));
        assert!(looks_like_mail_log(
            b"2026-11-05 10:00:00 1tXyZa-0003Ab-Qr Completed\n"
        ));
        assert!(looks_like_mail_log(b"2022-06-29 15:33:46 H=test.example [192.0.2.1]:53343 F=<a@b> rejected RCPT <c@d>: x\n"));
        assert!(!looks_like_mail_log(
            b"2022-06-29 15:33:46,123 INFO app started\n"
        ));
        assert!(!looks_like_mail_log(b"\x00\x01binary junk\n"));
        assert!(!looks_like_mail_log(b"GET / HTTP/1.1 200\n"));
    }
}
