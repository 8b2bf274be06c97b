//! `read_blocks` on arbitrary bytes, with a small block size, a small line
//! limit and a read size chosen by the first bytes of the input, and
//! sometimes a read error part way.
//!
//! The blocks, with the over-long lines left out before each of them
//! (`lines_before`) and after the last, must be exactly the input's lines in
//! order: no byte lost, none repeated, none made up. Every block ends with
//! '\n' except the last, and stays within a bound set by the block size
//! and the line limit.
//!
//! `BOUNCES_FUZZ_NO_READ_ERRORS=1` in the environment turns the read errors
//! off (to fuzz the rest while a bug in the error path is open).
#![no_main]

use std::io::{self, Read};
use std::sync::LazyLock;

use bounces::error::Error;
use bounces::internals::input::{Block, BlockOptions, read_blocks};
use libfuzzer_sys::fuzz_target;

static READ_ERRORS: LazyLock<bool> = LazyLock::new(|| std::env::var_os("BOUNCES_FUZZ_NO_READ_ERRORS").is_none());

/// Hands out at most `step` bytes per read, and fails from `fail_at` on.
struct Chunky<'a> {
    data: &'a [u8],
    pos: usize,
    step: usize,
    fail_at: Option<usize>,
}

impl Read for Chunky<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = match self.fail_at {
            Some(at) if self.pos >= at => return Err(io::Error::other("injected read error")),
            Some(at) => at.min(self.data.len()),
            None => self.data.len(),
        };
        let n = buf.len().min(self.step).min(end - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((head, data)) = input.split_first_chunk::<4>() else { return };
    let block_size = 1 + usize::from(head[0] % 64);
    let max_line = 1 + usize::from(head[1] % 96);
    let step = if head[2] == 0 { usize::MAX } else { usize::from(head[2]) };
    let fail_at = (*READ_ERRORS && head[3] & 0x80 != 0).then(|| usize::from(head[3] & 0x7f) * 3);
    let opts = BlockOptions { block_size, max_line };
    let reader = Chunky { data, pos: 0, step, fail_at };
    let mut blocks: Vec<Block> = Vec::new();
    let result = read_blocks(reader, 0, "fuzz", opts, Vec::new, |b| blocks.push(b));
    // The reader fails at `fail_at` even where it would have said EOF.
    let failed = fail_at.is_some_and(|at| at <= data.len());
    let stats = match result {
        Ok(stats) => {
            assert!(!failed, "the read error was not reported");
            assert_eq!(stats.bytes, data.len() as u64);
            stats
        }
        Err((Error::Input { .. }, stats)) => {
            assert!(failed, "an error without a failing read");
            stats
        }
        Err((other, _)) => panic!("unexpected error {other}"),
    };

    let ctx = format!("block size {block_size}, max line {max_line}, step {step}, fail at {fail_at:?}");
    let mut lines = data.split_inclusive(|&b| b == b'\n');
    let too_long = |line: &[u8]| line.strip_suffix(b"\n").unwrap_or(line).len() > max_line;
    let mut dropped = 0;
    for (i, block) in blocks.iter().enumerate() {
        assert_eq!(block.seq, i as u64, "{ctx}");
        assert!(!block.data.is_empty(), "empty block {i}; {ctx}");
        if i + 1 < blocks.len() || failed {
            assert_eq!(block.data.last(), Some(&b'\n'), "block {i} does not end a line; {ctx}");
        }
        let bound = block_size + block_size.max(max_line);
        assert!(block.data.len() <= bound, "block {i} holds {} bytes (bound {bound}); {ctx}", block.data.len());
        for _ in 0..block.lines_before {
            let line = lines.next().unwrap_or_else(|| panic!("block {i}: no line left to drop; {ctx}"));
            assert!(too_long(line), "block {i}: dropped a line of {} bytes; {ctx}", line.len());
            dropped += 1;
        }
        let mut rest = &block.data[..];
        while !rest.is_empty() {
            let line = lines.next().unwrap_or_else(|| panic!("block {i} holds bytes after the input; {ctx}"));
            assert!(rest.starts_with(line), "block {i}: {:?} is not the next line {:?}; {ctx}", rest, line);
            rest = &rest[line.len()..];
        }
    }
    if !failed {
        for line in lines {
            assert!(too_long(line), "a line of {} bytes is missing at the end; {ctx}", line.len());
            dropped += 1;
        }
        assert_eq!(stats.dropped_overlong, dropped, "{ctx}");
    } else {
        assert!(stats.dropped_overlong >= dropped, "{ctx}");
    }
});
