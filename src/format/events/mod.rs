//! The events export's writers (`--events`): JSON Lines ([`jsonl`]) and
//! Parquet ([`parquet`]), one row per [`Record`] the collector hands over
//! in log order ([`crate::events`]); the columns and their meaning are in
//! docs/events.md.
//!
//! A file is written as a temporary file next to it
//! ([`super::temporary()`]: created exclusively under a random name, its mode
//! `--report-mode`) and renamed into place only when every row is written
//! ([`super::put_in_place`]); a writer dropped before, on any error, takes
//! its temporary file with it.
//!
//! Texts from the log are UTF-8 already (the pieces replace invalid bytes
//! by U+FFFD when they keep them). Under `--hash-recipients` the recipient
//! is written as the `recipients` report writes it
//! ([`crate::report::hashed_recipient`]), and addresses in the reply text
//! are masked as the reports mask them.

mod jsonl;
mod parquet;

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

use super::Temporary;
use crate::config::{EventsFormat, EventsOutput};
use crate::events::{Record, Writer};
use crate::report::{hashed_recipient, mask_addresses};

/// A writer for `output`, its file (a temporary one, until the end)
/// created now, so that a path that cannot be written fails before the
/// scan. `mode` is the file's mode; `hash_key` is `--hash-recipients`'.
pub fn create(output: &EventsOutput, mode: u32, hash_key: Option<Vec<u8>>) -> io::Result<Box<dyn Writer>> {
    let privacy = Privacy { key: hash_key };
    if output.to_stdout() {
        let out = BufWriter::with_capacity(256 << 10, Target::Stdout(io::stdout()));
        return Ok(Box::new(jsonl::Jsonl::new(out, privacy)));
    }
    let tmp = super::temporary(&output.path, mode)?;
    let target = Target::File { tmp, path: output.path.clone() };
    Ok(match output.format {
        EventsFormat::Jsonl => Box::new(jsonl::Jsonl::new(BufWriter::with_capacity(256 << 10, target), privacy)),
        EventsFormat::Parquet => {
            Box::new(parquet::Parquet::new(BufWriter::with_capacity(256 << 10, target), privacy, parquet::ROW_GROUP)?)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
