//! The command line: clap's definitions, turned into a [`Config`] once.
//!
//! This is the only module that knows about clap. Anything that depends on
//! the environment (is stdin a terminal, which system log exists, how many
//! cores there are) is resolved here too.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use bounces::config::{
    Config, DEFAULT_MAX_TRACKED, DEFAULT_REPORT_MODE, EventsOutput, Format, Mta, ReportKind, Suppress, TimeConfig,
};
use bounces::error::{Error, Result};
use bounces::internals::classify::UserRules;
use bounces::internals::explain;
use bounces::internals::input::{BlockOptions, Source};
use bounces::internals::parse::dialect::DIALECTS;
use bounces::internals::report;
use bounces::internals::time::{self, Micros};

/// Where the system's mail log usually is, in the order they are tried:
/// each dialect's, in table order.
fn system_logs() -> impl Iterator<Item = &'static str> {
    DIALECTS.iter().flat_map(|d| d.default_logs.iter().copied())
}

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
    Analyze(Box<AnalyzeArgs>),
    /// Explain SMTP reply codes, enhanced status codes or a whole reply text:
    /// class, meaning, reason, bounce type and what to do.
    #[command(after_long_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
}

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  bounces explain 252                  one reply code
  bounces explain 5.1.10               one enhanced status code
  bounces explain 556 5.1.10           a reply code with its enhanced code
  bounces explain 252 556              two codes side by side
  bounces explain '550 5.7.1 Service unavailable; client host [192.0.2.1] blocked using zen.spamhaus.org'
  bounces explain --format json 421 4.7.0";

#[derive(Debug, Args)]
struct ExplainArgs {
    /// Codes (550, 5.1.1) or a reply text, or a whole log line (any bytes:
    /// invalid UTF-8 is shown escaped).
    #[arg(value_name = "CODE|TEXT", required = true, num_args = 1.., allow_hyphen_values = true)]
    what: Vec<std::ffi::OsString>,

    /// Plain text for people, or JSON for scripts.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,

    /// Your own classification rules, as for `analyze --rules`: a reply text
    /// or log line is read with them first, and the output names the rule.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

/// What the command line asks for.
pub enum Action {
    /// `bounces analyze` (boxed: a `Config` is much larger than the other
    /// variant).
    Analyze(Box<Config>),
    /// `bounces explain`: the arguments, the output format and the user's
    /// rules.
    Explain(Vec<String>, explain::Format, Option<UserRules>),
}

const EXAMPLES: &str = "\
Examples:
  bounces analyze /var/log/mail.log                  per-domain report on stdout
  bounces analyze --report codes mail.log > codes.csv
  bounces analyze -o reports/ /var/log/mail.log       every report as reports/<name>.csv
  bounces analyze /var/log/mail.log*                 a rotation set, .gz/.bz2/.xz/.zst included
  bounces analyze -q --since yesterday --until today -o 'reports/{since}' /var/log/mail.log*
                                                     yesterday, filed under its date (cron)
  journalctl -u postfix -o short-iso | bounces analyze -

Exit status: 0 success (also a day without mail: one line says so); 1
nothing was read at all (empty stdin or file), or some input held no
Postfix or Exim lines, or only another MTA's than --mta names; 2 some input
could not be read, or a report could not be written (reports still cover
every input that was read).";

#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// Log files to read; `-` is stdin. Without any: stdin when it is not a
    /// terminal, else the system's mail log (/var/log/mail.log, /var/log/maillog,
    /// /var/log/exim4/mainlog or /var/log/exim/main.log, the first that exists).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The report printed on stdout (default domains). With -o, give it once
    /// or more to choose which files are written (default: domains, codes,
    /// reasons, daily, messages, recipients).
    #[arg(long, value_enum, value_name = "REPORT")]
    report: Vec<ReportArg>,

    /// Write the reports into DIR as <name>.csv (or .tsv, .json, .jsonl, or
    /// one bounces.xlsx: see --format; created if missing) instead of
    /// printing one on stdout. Each file appears complete or not at all.
    /// `{since}` in DIR becomes the date of --since (YYYY-MM-DD in --tz):
    /// `-o 'reports/{since}'`.
    #[arg(short = 'o', long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Also write one row per delivery event, Postfix queue expiry and
    /// refusal of our own server into PATH, in log order, while the logs are
    /// read (the columns: docs/events.md). The extension picks the format:
    /// .jsonl (one JSON object per line) or .parquet. `-` writes JSON Lines
    /// to stdout (Parquet cannot go to stdout); the report then goes only
    /// into -o DIR, or is not written. The file appears complete or not at
    /// all, with the mode of --report-mode.
    #[arg(long, value_name = "PATH")]
    events: Option<PathBuf>,

    /// The mode of the files written with -o, in octal (default 0600: the
    /// owner only, as the reports hold addresses and reply texts). 0640 lets
    /// the directory's group read them (give the directory that group and
    /// the setgid bit: install -d -m 2750 -g adm DIR). A directory -o creates
    /// gets the same bits plus x where r is (0700, 0750). At most 0666.
    #[arg(long, value_name = "MODE", value_parser = parse_mode, requires = "out_dir")]
    report_mode: Option<u32>,

    /// Which MTA's lines to read. `auto` decides line by line, so a merged log works.
    #[arg(long, value_enum, default_value_t = MtaArg::AUTO)]
    mta: MtaArg,

    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,

    /// Print nothing on stderr except errors and warnings about inputs, the
    /// line that says no event was counted, and the note that other users
    /// can write to the -o directory.
    #[arg(short, long)]
    quiet: bool,

    /// Also print examples of lines that looked like deliveries but could not be parsed.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,

    /// Show only the N recipient domains with the most events on rows of
    /// their own (of equal counts, the names that sort first); the events of
    /// the others are counted together in an `(other)` row, last in every
    /// report, and the summary says how many domains and events that is.
    /// Default: every domain.
    #[arg(long, value_name = "N")]
    max_domains: Option<usize>,

    /// Count at most N distinct recipient domains (memory stays bounded
    /// against logs full of made-up domains; at least --max-domains). Beyond
    /// it, the domains tracked are chosen by a fixed hash of their names,
    /// never by threads or input order; the others go to `(other)`, and the
    /// summary says how many events that is and the most any one of those
    /// domains can have had.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_TRACKED)]
    max_tracked_domains: usize,

    /// How the reports are written. With -o each report is DIR/<name>.<format>,
    /// except xlsx: every report a sheet of DIR/bounces.xlsx. xlsx goes to
    /// stdout only when stdout is not a terminal.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = OutputFormatArg(Format::Csv))]
    format: OutputFormatArg,

    /// The field delimiter of CSV, one ASCII character: `;` for spreadsheets
    /// whose decimal separator is a comma (German, French, ...). Default `,`
    /// (RFC 4180).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    delimiter: Option<u8>,

    /// Start CSV and TSV with a UTF-8 byte order mark, which Excel needs to
    /// read non-ASCII text (IDN domains) as UTF-8.
    #[arg(long)]
    bom: bool,

    /// Write CSV and TSV cells exactly as found in the log. By default a cell
    /// that would start a spreadsheet formula (=, +, -, @, tab, CR) gets a
    /// leading ', since hostile senders and servers choose what lands in a
    /// log. JSON and xlsx are never defused (no cell of a workbook is a
    /// formula).
    #[arg(long)]
    raw_csv: bool,

    /// Count only events at or after T: RFC 3339 (2026-11-28T06:00:00Z), a date
    /// (2026-11-28, midnight in --tz), today, yesterday, now, or a time ago
    /// (-24h, -7d, -90m, -2w).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    since: Option<String>,

    /// Count only events before T (same forms as --since). An event at T is
    /// not counted: `--since yesterday --until today` is exactly yesterday.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    until: Option<String>,

    /// The time zone of timestamps that carry none (BSD syslog, Exim) and of
    /// the daily and hourly periods: an IANA name (Europe/Berlin), UTC, or a
    /// fixed offset (+01:00).
    /// Default: the system's zone (TZ, /etc/localtime).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,

    /// The host for lines whose header names none (Exim's own main log):
    /// each message is told apart by its host and queue id, so the logs of
    /// several hosts can be read together. A syslog line's own host field
    /// always wins.
    #[arg(long, value_name = "NAME")]
    host: Option<String>,

    /// In the recipients report (and the senders report's sender), write
    /// HMAC-SHA256(key, address) in hex instead
    /// of each address, to share a suppression list without personal data. The
    /// key comes from --hash-key-file, else from the BOUNCES_HASH_KEY
    /// environment variable; the same key gives the same hashes.
    #[arg(long)]
    hash_recipients: bool,

    /// Which failed addresses the recipients report (the suppression list)
    /// holds, comma-separated. Hard bounces (the address or its domain is
    /// bad) are always listed, with the action `suppress`; `expired`, `soft`
    /// and `undetermined` add the addresses whose latest failure was of that
    /// kind, with the action `review`. Block-type failures (our side was
    /// refused: blocklists, reputation, spam, policy, reverse DNS,
    /// authentication of our mail) are never listed, and do not hide an
    /// earlier hard bounce. A hard bounce stands until a later message to
    /// the address is delivered; a delivery takes any address off the list.
    #[arg(long, value_enum, value_name = "KINDS", value_delimiter = ',', default_value = "hard")]
    suppress: Vec<SuppressArg>,

    /// A file of your own classification rules, checked before the built-in
    /// ones: one rule a line, PATTERN<TAB>REASON[<TAB>NOTE], the pattern a
    /// case-insensitive regular expression over the reply text, the reason
    /// one of the report's reason names; `#` starts a comment. A wrong line
    /// stops the run before anything is read. See docs/classification.md.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,

    /// A file holding the key for --hash-recipients (a trailing newline is
    /// ignored). Refused when its mode lets anyone but the owner read or
    /// write it (as ssh refuses keys): chmod 600 FILE.
    #[arg(long, value_name = "FILE", requires = "hash_recipients")]
    hash_key_file: Option<PathBuf>,

    /// Bytes per block handed to a worker (for tests; results do not depend on it).
    #[arg(long, hide = true, value_name = "BYTES")]
    block_size: Option<usize>,

    /// Seconds a settled recipient is kept for late lines (for tests; the
    /// default, an hour, suits every log in time order).
    #[arg(long, hide = true, value_name = "SECONDS")]
    settle: Option<u32>,
}

/// A report name on the command line. Its help lists the report's columns,
/// as the report declares them.
#[derive(Clone, Copy, Debug)]
struct ReportArg(ReportKind);

const REPORT_ARGS: [ReportArg; ReportKind::ALL.len()] = {
    let mut args = [ReportArg(ReportKind::Domains); ReportKind::ALL.len()];
    let mut i = 0;
    while i < args.len() {
        args[i] = ReportArg(ReportKind::ALL[i]);
        i += 1;
    }
    args
};

impl ValueEnum for ReportArg {
    fn value_variants<'a>() -> &'a [Self] {
        &REPORT_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        if self.0.is_text() {
            let help = "a one-page plain-text overview for a mail body, or with --format html an HTML page with \
                        charts (-o, by default too: both, DIR/overview.txt and DIR/overview.html)";
            return Some(PossibleValue::new(self.0.name()).help(help));
        }
        let rows = match self.0 {
            ReportKind::Daily => " per day (YYYY-MM-DD, in --tz)",
            ReportKind::Hourly => " per hour (YYYY-MM-DDTHH:00, in --tz)",
            _ => "",
        };
        Some(PossibleValue::new(self.0.name()).help(format!("{}{rows}", report::header(self.0))))
    }
}

/// `--format`: a format of the reports, from [`Format::ALL`].
#[derive(Clone, Copy, Debug)]
struct OutputFormatArg(Format);

const FORMAT_ARGS: [OutputFormatArg; Format::ALL.len()] = {
    let mut args = [OutputFormatArg(Format::Csv); Format::ALL.len()];
    let mut i = 0;
    while i < args.len() {
        args[i] = OutputFormatArg(Format::ALL[i]);
        i += 1;
    }
    args
};

impl ValueEnum for OutputFormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        &FORMAT_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self.0 {
            Format::Csv => "RFC 4180 (see --delimiter, --bom)",
            Format::Tsv => "tab-separated; \\, tab, LF and CR in texts written as \\\\, \\t, \\n, \\r",
            Format::Json => "one array of objects per report, keys the column names, missing values null",
            Format::Jsonl => "one JSON object per line",
            Format::Xlsx => "one Excel workbook, a sheet per report, typed cells and charts (-o: DIR/bounces.xlsx)",
            Format::Html => "the overview only, as one self-contained HTML page with charts (-o: DIR/overview.html)",
        };
        Some(PossibleValue::new(self.0.name()).help(help))
    }
}

/// `--delimiter`: one ASCII character that can separate CSV fields.
fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    match text.as_bytes() {
        [b'"' | b'\r' | b'\n'] => Err(format!("{text:?} cannot separate CSV fields")),
        &[byte] if byte.is_ascii() => Ok(byte),
        _ => Err("one ASCII character, such as ; or |".to_string()),
    }
}

/// A word of `--suppress`: which failures the suppression list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SuppressArg {
    /// bounces of bounce type hard: the address or its domain is bad (always listed; action suppress)
    Hard,
    /// also addresses whose latest message expired, retried until the queue lifetime ran out (action review)
    Expired,
    /// also soft bounces: mailbox full, account suspended, ... (action review)
    Soft,
    /// also bounces whose reply nothing could classify (action review)
    Undetermined,
    /// hard,expired,soft,undetermined: every failure but the block-type ones
    All,
    /// Refused with an explanation: block-type failures are never listed.
    #[value(hide = true)]
    Block,
}

/// `--suppress`'s words as a [`Suppress`]: `hard` must be among them (or
/// `all`), `block` never is.
fn suppress(words: &[SuppressArg]) -> Result<Suppress> {
    let mut suppress = Suppress::default();
    let mut hard = false;
    for word in words {
        match word {
            SuppressArg::Hard => hard = true,
            SuppressArg::Expired => suppress.expired = true,
            SuppressArg::Soft => suppress.soft = true,
            SuppressArg::Undetermined => suppress.undetermined = true,
            SuppressArg::All => (hard, suppress) = (true, Suppress::ALL),
            SuppressArg::Block => {
                return Err(Error::Usage(
                    "--suppress block: block-type failures (blocklists, reputation, spam, policy, reverse \
                     DNS, authentication of our mail) are the sending side's problem, not the address's: they are \
                     never listed (the reasons report counts them)"
                        .to_string(),
                ));
            }
        }
    }
    if !hard {
        let given: Vec<String> =
            words.iter().filter_map(|w| w.to_possible_value()).map(|v| v.get_name().to_string()).collect();
        let given = given.join(",");
        return Err(Error::Usage(format!(
            "--suppress {given}: the list always holds the hard bounces; name them too: --suppress hard,{given}"
        )));
    }
    Ok(suppress)
}

/// `--mta`: `auto` or the name of a dialect, from the table of dialects.
#[derive(Clone, Copy, Debug)]
struct MtaArg(Mta);

impl MtaArg {
    const AUTO: MtaArg = MtaArg(Mta::Auto);
}

static MTA_ARGS: LazyLock<Vec<MtaArg>> =
    LazyLock::new(|| std::iter::once(MtaArg::AUTO).chain((0..DIALECTS.len()).map(|i| MtaArg(Mta::Only(i)))).collect());

impl ValueEnum for MtaArg {
    fn value_variants<'a>() -> &'a [Self] {
        &MTA_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self.0 {
            Mta::Auto => "auto",
            Mta::Only(i) => DIALECTS[i].name,
        }))
    }
}

impl Cli {
    /// Parses the process's arguments (exits with clap's message on error).
    pub fn from_env() -> Cli {
        Cli::parse()
    }

    /// Resolves the arguments and the environment into what to do.
    pub fn into_action(self) -> Result<Action> {
        match self.command {
            Command::Analyze(args) => args.into_config().map(|config| Action::Analyze(Box::new(config))),
            Command::Explain(args) => Ok(Action::Explain(
                explain::args_from_os(&args.what),
                match args.format {
                    FormatArg::Text => explain::Format::Text,
                    FormatArg::Json => explain::Format::Json,
                },
                args.rules.as_deref().map(UserRules::load).transpose()?,
            )),
        }
    }
}

impl AnalyzeArgs {
    /// Resolves the arguments and the environment into a [`Config`].
    fn into_config(self) -> Result<Config> {
        let args = self;
        let threads = match args.threads {
            Some(0) => return Err(Error::Usage("--threads must be at least 1".to_string())),
            Some(n) if n > MAX_THREADS => {
                return Err(Error::Usage(format!("--threads must be at most {MAX_THREADS}")));
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if args.max_domains == Some(0) {
            return Err(Error::Usage("--max-domains must be at least 1".to_string()));
        }
        if args.max_tracked_domains == 0 {
            return Err(Error::Usage("--max-tracked-domains must be at least 1".to_string()));
        }
        let mut blocks = BlockOptions::default();
        if let Some(size) = args.block_size {
            blocks.block_size = size.max(1);
        }
        let inputs = resolve_inputs(&args.paths, args.quiet)?;
        let time = time_config(args.tz.as_deref(), args.since.as_deref(), args.until.as_deref())?;
        let out_dir = args.out_dir.as_deref().map(|dir| fill_since(dir, time.since, &time.tz)).transpose()?;
        let kinds: Vec<ReportKind> = args.report.iter().map(|r| r.0).collect();
        let (report, out_reports) = match (&args.out_dir, kinds.as_slice()) {
            (None, []) => (ReportKind::Domains, Vec::new()),
            (None, [one]) => (*one, Vec::new()),
            (None, _) => {
                return Err(Error::Usage(
                    "only one --report can go to stdout; use -o DIR to write several".to_string(),
                ));
            }
            (Some(_), []) => (ReportKind::Domains, ReportKind::WRITTEN_TO_DIR.to_vec()),
            (Some(_), chosen) => {
                // Each file once, in the order first named (they are
                // written side by side).
                let mut unique: Vec<ReportKind> = Vec::with_capacity(chosen.len());
                for &kind in chosen {
                    if !unique.contains(&kind) {
                        unique.push(kind);
                    }
                }
                (unique[0], unique)
            }
        };
        let events = args.events.as_deref().map(EventsOutput::at).transpose().map_err(Error::Usage)?;
        if events.as_ref().is_some_and(EventsOutput::to_stdout) && args.out_dir.is_none() && !kinds.is_empty() {
            return Err(Error::Usage(
                "--events - writes the events to stdout, where the report would go: write the report with -o DIR, \
                 or the events into a file (--events events.jsonl)"
                    .to_string(),
            ));
        }
        let rules = match &args.rules {
            Some(path) => Some(std::sync::Arc::new(UserRules::load(path)?)),
            None => None,
        };
        let hash_key = if args.hash_recipients { Some(hash_key(args.hash_key_file.as_deref())?) } else { None };
        let suppress = suppress(&args.suppress)?;
        let format = args.format.0;
        if args.delimiter.is_some() && format != Format::Csv {
            return Err(Error::Usage(format!("--delimiter is for --format csv, not {}", format.name())));
        }
        if args.raw_csv && !matches!(format, Format::Csv | Format::Tsv) {
            return Err(Error::Usage(format!(
                "--raw-csv is for --format csv and tsv, not {} (whose cells are never defused)",
                format.name()
            )));
        }
        if args.bom && !matches!(format, Format::Csv | Format::Tsv) {
            return Err(Error::Usage(format!("--bom is for --format csv and tsv, not {}", format.name())));
        }
        let written = if args.out_dir.is_some() { &out_reports[..] } else { std::slice::from_ref(&report) };
        if format == Format::Html && written.iter().any(|r| !r.is_text()) {
            return Err(Error::Usage(
                "--format html is for --report overview only: print the page with --report overview --format \
                 html (-o DIR writes it as DIR/overview.html with any format)"
                    .to_string(),
            ));
        }
        if format == Format::Xlsx && args.out_dir.is_none() && std::io::stdout().is_terminal() {
            return Err(Error::Usage(
                "--format xlsx: a workbook is not for a terminal; redirect it (> report.xlsx) or write it with \
                 -o DIR (DIR/bounces.xlsx)"
                    .to_string(),
            ));
        }
        Ok(Config {
            inputs,
            mta: args.mta.0,
            report,
            out_reports,
            out_dir,
            format,
            delimiter: args.delimiter.unwrap_or(b','),
            bom: args.bom,
            report_mode: args.report_mode.unwrap_or(DEFAULT_REPORT_MODE),
            threads,
            blocks,
            progress: !args.quiet && std::io::stderr().is_terminal(),
            quiet: args.quiet,
            verbose: args.verbose,
            raw_csv: args.raw_csv,
            max_domains: args.max_domains,
            max_tracked: args.max_tracked_domains,
            time,
            hash_key,
            settle: args.settle.map_or(bounces::internals::messages::SETTLE, |s| i64::from(s) * 1_000_000),
            suppress,
            rules,
            host: args.host.filter(|h| !h.is_empty()).map(String::into_bytes),
            events,
        })
    }
}

/// What `-o` replaces with the date of `--since`.
const SINCE: &[u8] = b"{since}";

/// `dir` with every `{since}` replaced by the date of `since` in `tz`
/// (`YYYY-MM-DD`), so `-o reports/{since}` files a day's reports under
/// that day. An error when `dir` holds `{since}` and there is no `--since`.
fn fill_since(dir: &Path, since: Option<Micros>, tz: &jiff::tz::TimeZone) -> Result<PathBuf> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let bytes = dir.as_os_str().as_bytes();
    let mut places = memchr::memmem::find_iter(bytes, SINCE).peekable();
    if places.peek().is_none() {
        return Ok(dir.to_path_buf());
    }
    let Some(since) = since else {
        return Err(Error::Usage(format!(
            "-o {}: {{since}} stands for the date of --since, and no --since was given \
             (e.g. --since yesterday --until today)",
            dir.display()
        )));
    };
    let date = time::date(since, tz);
    let (mut filled, mut from) = (Vec::with_capacity(bytes.len() + 8), 0);
    for at in places {
        filled.extend_from_slice(&bytes[from..at]);
        filled.extend_from_slice(date.as_bytes());
        from = at + SINCE.len();
    }
    filled.extend_from_slice(&bytes[from..]);
    Ok(PathBuf::from(std::ffi::OsString::from_vec(filled)))
}

/// `--report-mode`: octal digits (`600`, `0640`, `0o640`), at most 0666:
/// reports are never executable, and the special bits mean nothing here.
fn parse_mode(text: &str) -> std::result::Result<u32, String> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    let mode = match u32::from_str_radix(digits, 8) {
        Ok(mode) if !digits.is_empty() && digits.len() <= 4 && !digits.starts_with('+') => mode,
        _ => return Err("give an octal mode such as 0600 or 0640".to_string()),
    };
    if mode & !0o666 != 0 {
        return Err(format!(
            "{mode:04o} has bits a report file does not need (execute, setuid, setgid, sticky); at most 0666, \
             e.g. 0600 or 0640"
        ));
    }
    Ok(mode)
}

/// Why a key file is refused: its mode lets others than its owner read or
/// write it (`None`: it does not).
fn key_file_too_open(path: &Path, metadata: &std::fs::Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "--hash-key-file {path}: the key file is open to other users (mode {mode:04o}): whoever can read \
                 the key can hash guessed addresses and find them in the reports, and whoever can write it can \
                 change the hashes; refusing it, as ssh refuses such keys. Fix: chmod 600 {path}",
                path = path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (path, metadata);
        None
    }
}

/// The key of `--hash-recipients`.
fn hash_key(file: Option<&Path>) -> Result<Vec<u8>> {
    let key = match file {
        Some(path) => {
            use std::io::Read;
            let input = |source| Error::Input { name: path.display().to_string(), source };
            // The mode of the file opened, not of whatever the path names a
            // moment later.
            let mut file = std::fs::File::open(path).map_err(input)?;
            if let Some(why) = key_file_too_open(path, &file.metadata().map_err(input)?) {
                return Err(Error::Usage(why));
            }
            let mut key = Vec::new();
            file.read_to_end(&mut key).map_err(input)?;
            while key.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                key.pop();
            }
            key
        }
        None => std::env::var_os("BOUNCES_HASH_KEY").map(|k| k.into_encoded_bytes()).unwrap_or_default(),
    };
    if key.is_empty() {
        return Err(Error::Usage(
            "--hash-recipients needs a key: set BOUNCES_HASH_KEY or give --hash-key-file FILE (keep it secret; \
             the same key gives the same hashes)"
                .to_string(),
        ));
    }
    Ok(key)
}

/// A fixed UTC offset written `+HH:MM`, `-HH:MM`, `+HHMM` or `-HHMM`.
fn fixed_offset(text: &str) -> Option<jiff::tz::Offset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|&c| c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) || rest.len() > 5 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    if hours > 25 || minutes > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// Resolves `--tz`, `--since` and `--until`.
fn time_config(tz: Option<&str>, since: Option<&str>, until: Option<&str>) -> Result<TimeConfig> {
    let tz = match tz {
        None => jiff::tz::TimeZone::system(),
        Some(name) if name.eq_ignore_ascii_case("utc") => jiff::tz::TimeZone::UTC,
        Some(name) => match fixed_offset(name) {
            Some(offset) => jiff::tz::TimeZone::fixed(offset),
            None => jiff::tz::TimeZone::get(name).map_err(|e| {
                Error::Usage(format!(
                    "--tz {name}: {e} (give an IANA zone name such as Europe/Berlin, UTC, or an offset such as +01:00)"
                ))
            })?,
        },
    };
    let now = jiff::Timestamp::now();
    let bound = |flag: &str, text: Option<&str>| -> Result<Option<Micros>> {
        text.map(|t| time::parse_bound(t, now, &tz).map_err(|e| Error::Usage(format!("{flag} {t}: {e}")))).transpose()
    };
    let (since, until) = (bound("--since", since)?, bound("--until", until)?);
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        return Err(Error::Usage(
            "--since must be earlier than --until (the window is since <= t < until)".to_string(),
        ));
    }
    Ok(TimeConfig { tz, now, since, until })
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
    match system_logs().map(Path::new).find(|p| p.exists()) {
        Some(path) => {
            if !quiet {
                eprintln!("bounces: reading {}", path.display());
            }
            Ok(vec![Source::Path(path.to_path_buf())])
        }
        None => Err(Error::Usage(format!(
            "no PATH given and no system mail log found (looked for {}); name a log file, or pipe one in with -",
            system_logs().collect::<Vec<_>>().join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_in_the_out_dir_is_the_date_of_since() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let since = time::parse_bound("2026-11-04T23:30:00Z", jiff::Timestamp::UNIX_EPOCH, &berlin).ok();
        let fill = |dir: &str, tz: &jiff::tz::TimeZone| fill_since(Path::new(dir), since, tz).unwrap();
        assert_eq!(fill("reports/{since}", &berlin), Path::new("reports/2026-11-05"), "the date in --tz");
        assert_eq!(fill("reports/{since}", &jiff::tz::TimeZone::UTC), Path::new("reports/2026-11-04"));
        assert_eq!(fill("r/{since}/x-{since}", &berlin), Path::new("r/2026-11-05/x-2026-11-05"));
        assert_eq!(fill("reports/{sin}", &berlin), Path::new("reports/{sin}"), "only {{since}}");
        assert_eq!(fill_since(Path::new("reports"), None, &berlin).unwrap(), Path::new("reports"));
        let error = fill_since(Path::new("reports/{since}"), None, &berlin).unwrap_err().to_string();
        assert!(
            error.starts_with("-o reports/{since}: {since} stands for the date of --since, and no --since"),
            "{error}"
        );
    }

    /// `--suppress`, worked out by hand: the hard bounces always, each word
    /// adds its kind, `all` every kind but block, `block` never.
    #[test]
    fn suppress_lists_the_hard_bounces_and_what_is_asked() {
        let parse = |args: &[&str]| -> std::result::Result<Suppress, String> {
            let args = ["bounces", "analyze"].iter().chain(args).chain(&["samples/postfix.log"]);
            let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
            match cli.into_action() {
                Ok(Action::Analyze(config)) => Ok(config.suppress),
                Ok(Action::Explain(..)) => panic!("an analyze command"),
                Err(e) => Err(e.to_string()),
            }
        };
        let kinds = |expired, soft, undetermined| Ok(Suppress { expired, soft, undetermined });
        let cases: [(&[&str], _); 9] = [
            (&[], kinds(false, false, false)),
            (&["--suppress", "hard"], kinds(false, false, false)),
            (&["--suppress", "hard,expired"], kinds(true, false, false)),
            (&["--suppress", "hard,soft"], kinds(false, true, false)),
            (&["--suppress", "hard,undetermined"], kinds(false, false, true)),
            (&["--suppress", "soft,hard,expired"], kinds(true, true, false)),
            (&["--suppress", "hard", "--suppress", "soft"], kinds(false, true, false)),
            (&["--suppress", "all"], kinds(true, true, true)),
            (&["--suppress", "expired,all"], kinds(true, true, true)),
        ];
        for (args, want) in cases {
            assert_eq!(parse(args), want, "{args:?}");
        }
        let refused = [
            (
                &["--suppress", "expired"][..],
                "--suppress expired: the list always holds the hard bounces; name them too: --suppress hard,expired",
            ),
            (&["--suppress", "soft,undetermined"], "name them too: --suppress hard,soft,undetermined"),
            (&["--suppress", "block"], "--suppress block: block-type failures"),
            (&["--suppress", "hard,block"], "are never listed"),
            (&["--suppress", "all,block"], "are never listed"),
            (&["--suppress", "everything"], "invalid value 'everything'"),
        ];
        for (args, want) in refused {
            let error = parse(args).unwrap_err();
            assert!(error.contains(want), "{args:?}: {error}");
        }
    }

    /// See e509300: `codes` named twice with `-o` was written twice, at once.
    #[test]
    fn a_report_named_twice_is_written_once() {
        let args = ["bounces", "analyze", "--report", "codes", "--report", "daily", "--report", "codes"];
        let cli = Cli::try_parse_from(args.iter().chain(&["-o", "out", "samples/postfix.log"])).unwrap();
        let Ok(Action::Analyze(config)) = cli.into_action() else { panic!("an analyze command") };
        assert_eq!(config.out_reports, [ReportKind::Codes, ReportKind::Daily]);
    }
}
