//! The crate's one error type.
//!
//! Errors that stop a run (bad arguments, a report that cannot be written) and
//! errors that only spoil one input (unreadable file) share this type; the
//! caller decides which of them abort. Every message names the path involved
//! and says what to try next.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Anything that can go wrong in `bounces`.
#[derive(Debug)]
pub enum Error {
    /// An input could not be opened or read.
    Input {
        /// The input as the user named it (`-` for stdin).
        name: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// An input is in a format `bounces` cannot read.
    Format {
        /// The input as the user named it.
        name: String,
        /// What is wrong, and what to do about it.
        message: String,
    },
    /// A report could not be written.
    Output {
        /// Where the report was going (`-` for stdout).
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The events export (`--events`) could not be written; no file was
    /// left behind.
    Events {
        /// Where the events were going (`-` for stdout).
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The command line asked for something impossible.
    Usage(String),
    /// `bounces explain` was given nothing it can explain.
    ExplainUsage(String),
}

impl Error {
    /// True when the error is a closed pipe on stdout (`bounces ... | head`),
    /// which is a normal way for a reader to say it has seen enough.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output { source, .. } | Error::Events { source, .. }
            if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input { name, source } => {
                write!(f, "{name}: {}", describe_io(source))?;
                match source.kind() {
                    io::ErrorKind::NotFound => {
                        write!(f, " (check the path; globs like mail.log* are expanded by the shell)")
                    }
                    io::ErrorKind::PermissionDenied => {
                        write!(f, " (run as a user that can read it, e.g. in group adm, or with sudo)")
                    }
                    io::ErrorKind::IsADirectory => write!(f, " (name the log files in it, e.g. {name}/mail.log*)"),
                    _ => Ok(()),
                }
            }
            Error::Format { name, message } => write!(f, "{name}: {message}"),
            Error::Output { path, source } if path.as_os_str() == "-" => {
                write!(f, "stdout: cannot write report: {}", describe_io(source))
            }
            Error::Output { path, source } => write!(
                f,
                "{}: cannot write report: {} (check that the directory is writable and has free space)",
                path.display(),
                describe_io(source)
            ),
            Error::Events { path, source } if path.as_os_str() == "-" => {
                write!(f, "stdout: cannot write the events: {}", describe_io(source))
            }
            Error::Events { path, source } => write!(
                f,
                "{}: cannot write the events: {} (no file was left there; check that the directory exists, is \
                 writable and has free space, or give --events another path)",
                path.display(),
                describe_io(source)
            ),
            Error::ExplainUsage(message) => write!(f, "explain: {message} (see 'bounces explain --help')"),
            Error::Usage(message) => write!(f, "{message} (see 'bounces analyze --help')"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Input { source, .. } | Error::Output { source, .. } | Error::Events { source, .. } => Some(source),
            Error::Format { .. } | Error::Usage(_) | Error::ExplainUsage(_) => None,
        }
    }
}

/// The OS error text without Rust's "(os error N)" suffix.
fn describe_io(err: &io::Error) -> String {
    if err.kind() == io::ErrorKind::IsADirectory {
        return "is a directory, not a log file".to_string();
    }
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;
