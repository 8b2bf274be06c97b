//! The command line: clap's definitions, turned into a [`Config`] once.
//!
//! This is the only module that knows about clap. Anything that depends on
//! the environment (is stdin a terminal, which system log exists, how many
//! cores there are) is resolved here too.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use bounces::config::{Config, DEFAULT_MAX_DOMAINS, Mta, ReportKind};
use bounces::error::{Error, Result};
use bounces::input::{BlockOptions, Source};

/// Where the system's mail log usually is, in the order they are tried.
const SYSTEM_LOGS: [&str; 4] =
    ["/var/log/mail.log", "/var/log/maillog", "/var/log/exim4/mainlog", "/var/log/exim/main.log"];

/// More threads than this would only cost memory: each holds a few blocks.
const MAX_THREADS: usize = 1024;

/// Bounce-log analyzer for Postfix and Exim: delivery outcomes and SMTP codes per recipient domain, as CSV.
#[derive(Debug, Parser)]
#[command(name = "bounces", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count delivery outcomes and SMTP codes per recipient domain, as CSV.
    #[command(after_long_help = EXAMPLES)]
    Analyze(AnalyzeArgs),
}

const EXAMPLES: &str = "\
Examples:
  bounces analyze /var/log/mail.log                  per-domain report on stdout
  bounces analyze --report codes mail.log > codes.csv
  bounces analyze -o reports/ /var/log/mail.log       every report as reports/<name>.csv
  bounces analyze /var/log/mail.log*                 a rotation set, .gz/.bz2/.xz/.zst included
  journalctl -u postfix -o short-iso | bounces analyze -

Exit status: 0 success; 1 some input held no Postfix or Exim lines at all;
2 some input could not be read, or a report could not be written (reports
still cover every input that was read).";

#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// Log files to read; `-` is stdin. Without any: stdin when it is not a
    /// terminal, else the system's mail log (/var/log/mail.log, /var/log/maillog,
    /// /var/log/exim4/mainlog or /var/log/exim/main.log, the first that exists).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The report printed on stdout.
    #[arg(long, value_enum, default_value_t = ReportArg::Domains)]
    report: ReportArg,

    /// Write every report into DIR as <name>.csv (created if missing) instead
    /// of printing one on stdout. Each file appears complete or not at all.
    #[arg(short = 'o', long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Which MTA's lines to read. `auto` decides line by line, so a merged log works.
    #[arg(long, value_enum, default_value_t = MtaArg::Auto)]
    mta: MtaArg,

    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,

    /// Print nothing on stderr except errors and warnings about inputs.
    #[arg(short, long)]
    quiet: bool,

    /// Also print examples of lines that looked like deliveries but could not be parsed.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,

    /// Track at most N recipient domains on their own (memory stays bounded
    /// against logs full of made-up domains); the events of the others are
    /// counted together in an `(other)` row, and the summary says so. Which
    /// domains are kept depends only on their names, never on threads.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DOMAINS)]
    max_domains: usize,

    /// Write cells exactly as found in the log. By default a cell that would
    /// start a spreadsheet formula (=, +, -, @, tab, CR) gets a leading ',
    /// since hostile senders and servers choose what lands in a log.
    #[arg(long)]
    raw_csv: bool,

    /// Bytes per block handed to a worker (for tests; results do not depend on it).
    #[arg(long, hide = true, value_name = "BYTES")]
    block_size: Option<usize>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ReportArg {
    /// domain,total,delivered,deferred,bounced,bounce_rate,top_failure
    Domains,
    /// domain,status,code,enhanced,class,description,count
    Codes,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MtaArg {
    Auto,
    Postfix,
    Exim,
}

impl Cli {
    /// Parses the process's arguments (exits with clap's message on error).
    pub fn from_env() -> Cli {
        Cli::parse()
    }

    /// Resolves the arguments and the environment into a [`Config`].
    pub fn into_config(self) -> Result<Config> {
        let Command::Analyze(args) = self.command;
        let threads = match args.threads {
            Some(0) => return Err(Error::Usage("--threads must be at least 1".to_string())),
            Some(n) if n > MAX_THREADS => {
                return Err(Error::Usage(format!("--threads must be at most {MAX_THREADS}")));
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if args.max_domains == 0 {
            return Err(Error::Usage("--max-domains must be at least 1".to_string()));
        }
        let mut blocks = BlockOptions::default();
        if let Some(size) = args.block_size {
            blocks.block_size = size.max(1);
        }
        let inputs = resolve_inputs(&args.paths, args.quiet)?;
        Ok(Config {
            inputs,
            mta: match args.mta {
                MtaArg::Auto => Mta::Auto,
                MtaArg::Postfix => Mta::Postfix,
                MtaArg::Exim => Mta::Exim,
            },
            report: match args.report {
                ReportArg::Domains => ReportKind::Domains,
                ReportArg::Codes => ReportKind::Codes,
            },
            out_dir: args.out_dir,
            threads,
            blocks,
            progress: !args.quiet && std::io::stderr().is_terminal(),
            quiet: args.quiet,
            verbose: args.verbose,
            raw_csv: args.raw_csv,
            max_domains: args.max_domains,
        })
    }
}

fn resolve_inputs(paths: &[PathBuf], quiet: bool) -> Result<Vec<Source>> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Error::Usage("stdin (-) can be read only once".to_string()));
    }
    if !paths.is_empty() {
        return Ok(paths
            .iter()
            .map(|p| if p.as_os_str() == "-" { Source::Stdin } else { Source::Path(p.clone()) })
            .collect());
    }
    if !std::io::stdin().is_terminal() {
        return Ok(vec![Source::Stdin]);
    }
    match SYSTEM_LOGS.iter().map(Path::new).find(|p| p.exists()) {
        Some(path) => {
            if !quiet {
                eprintln!("bounces: reading {}", path.display());
            }
            Ok(vec![Source::Path(path.to_path_buf())])
        }
        None => Err(Error::Usage(format!(
            "no PATH given and no system mail log found (looked for {}); name a log file, or pipe one in with -",
            SYSTEM_LOGS.join(", ")
        ))),
    }
}
