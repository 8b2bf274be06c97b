//! The command line: options, sizes, `--help`.

pub(crate) const HELP: &str = "\
synth: write a large, realistic, deterministic Postfix or Exim mail log to stdout

Usage:
  cargo run --release --example synth -- --mta postfix|exim --size SIZE [OPTIONS] > big.log

Options:
  --mta postfix|exim   which MTA's log to write (required)
  --size SIZE          stop at the first line end at or after SIZE bytes (required);
                       suffixes K, M, G, T are powers of 1000 (1G = 10^9 bytes),
                       KiB, MiB, GiB, TiB (or Ki, Mi, Gi, Ti) powers of 1024
  --seed N             seed of the generator (default 1); the same arguments
                       always give the same bytes
  --truth FILE         also write the expected per-domain counts to FILE as CSV:
                       domain,delivered,deferred,bounced (domain lower-cased,
                       trailing dot removed, rows sorted by domain)
  --truth-codes FILE   also write the expected counts per code to FILE as CSV:
                       domain,outcome,code,enhanced,count (outcome delivered,
                       deferred or bounced; code and enhanced empty when the
                       line has none; Postfix's enhanced code is its dsn=)
  --timestamps STYLE   bsd, rfc3339, native (Exim's own stamp; bsd for Postfix)
                       or mixed (default: the style changes every few tens of
                       thousands of lines)
  --domains N          recipient domains in the Zipf distribution (default 50000,
                       at least 100)
  --host NAME          the host field of the syslog lines (default mx1 for
                       Postfix, mx2 for Exim; Exim's own timestamps have none)
  --hosts N            a fleet: write one log per host and day into --out-dir
                       instead of stdout, as DIR/HOST/YYYY-MM-DD.log, each of
                       about SIZE bytes over most of its day (hosts mx01, mx02, ...,
                       or NAME01, NAME02, ... with --host NAME); each host's
                       traffic is its own (the seed mixed with the host's number),
                       every file deterministic; retries do not cross midnight
  --days D             with --hosts: days per host from 2026-11-01 (default 1)
  --out-dir DIR        with --hosts: the directory the logs go into (created)
  -q, --quiet          no summary on stderr
  -h, --help           print this help

Exit status: 0 on success, 1 if the log or a FILE cannot be written, 2 on bad arguments.
";

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mta {
    Postfix,
    Exim,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TsMode {
    Bsd,
    Rfc3339,
    Native,
    Mixed,
}

#[derive(Clone)]
pub(crate) struct Args {
    pub(crate) mta: Mta,
    pub(crate) size: u64,
    pub(crate) seed: u64,
    pub(crate) truth: Option<String>,
    pub(crate) truth_codes: Option<String>,
    pub(crate) ts: TsMode,
    pub(crate) domains: u32,
    pub(crate) quiet: bool,
    pub(crate) host: Option<String>,
    /// A fleet: hosts, days per host, directory.
    pub(crate) fleet: Option<(u32, u32, String)>,
}

/// Parses the command line; `Ok(None)` means `--help` was asked for.
pub(crate) fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let (mut mta, mut size, mut seed, mut truth, mut truth_codes) = (None, None, 1, None, None);
    let (mut ts, mut domains, mut quiet) = (TsMode::Mixed, 50_000, false);
    let (mut host, mut hosts, mut days, mut out_dir) = (None, None, None, None);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg, None),
        };
        match name {
            "-h" | "--help" => return Ok(None),
            "-q" | "--quiet" => {
                quiet = true;
                continue;
            }
            "--mta" | "--size" | "--seed" | "--truth" | "--truth-codes" | "--timestamps" | "--domains" | "--host"
            | "--hosts" | "--days" | "--out-dir" => {}
            _ => return Err(format!("unknown argument '{arg}'")),
        }
        let value = match inline {
            Some(v) => v,
            None => {
                let v = args.get(i).ok_or_else(|| format!("{name} needs a value"))?;
                i += 1;
                v.clone()
            }
        };
        match name {
            "--mta" => {
                mta = Some(match value.as_str() {
                    "postfix" => Mta::Postfix,
                    "exim" => Mta::Exim,
                    _ => return Err(format!("--mta must be postfix or exim, not '{value}'")),
                });
            }
            "--size" => size = Some(parse_size(&value)?),
            "--seed" => {
                seed =
                    value.parse().map_err(|_| format!("--seed must be an integer from 0 to 2^64-1, not '{value}'"))?;
            }
            "--truth" => truth = Some(value),
            "--host" => {
                let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
                if !ok {
                    return Err(format!("--host must be a host name (letters, digits, - . _), not '{value}'"));
                }
                host = Some(value);
            }
            "--hosts" | "--days" => {
                let n = match value.parse::<u32>() {
                    Ok(n) if (1..=10_000).contains(&n) => n,
                    _ => return Err(format!("{name} must be a number from 1 to 10000, not '{value}'")),
                };
                if name == "--hosts" {
                    hosts = Some(n);
                } else {
                    days = Some(n);
                }
            }
            "--out-dir" => out_dir = Some(value),
            "--truth-codes" => truth_codes = Some(value),
            "--timestamps" => {
                ts = match value.as_str() {
                    "bsd" => TsMode::Bsd,
                    "rfc3339" => TsMode::Rfc3339,
                    "native" => TsMode::Native,
                    "mixed" => TsMode::Mixed,
                    _ => {
                        return Err(format!("--timestamps must be bsd, rfc3339, native or mixed, not '{value}'"));
                    }
                };
            }
            _ => {
                domains = match value.parse::<u32>() {
                    Ok(n) if (100..=10_000_000).contains(&n) => n,
                    _ => {
                        return Err(format!("--domains must be a number from 100 to 10000000, not '{value}'"));
                    }
                };
            }
        }
    }
    let mta = mta.ok_or("--mta postfix|exim is required")?;
    let size = size.ok_or("--size SIZE is required (e.g. 100M or 1G)")?;
    let fleet = match (hosts, days, out_dir) {
        (Some(hosts), days, Some(dir)) => {
            if truth.is_some() || truth_codes.is_some() {
                return Err("--truth and --truth-codes are for one log, not with --hosts".into());
            }
            Some((hosts, days.unwrap_or(1), dir))
        }
        (None, None, None) => None,
        (Some(_), _, None) => return Err("--hosts needs --out-dir DIR".into()),
        (None, _, _) => return Err("--days and --out-dir go with --hosts N".into()),
    };
    Ok(Some(Args { mta, size, seed, truth, truth_codes, ts, domains, quiet, host, fleet }))
}

/// `10K`, `100M`, `1G` (powers of 1000), `4GiB`/`4Gi` (powers of 1024), or a
/// plain byte count; an optional trailing `B` is accepted (`100MB`).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("--size must be a size such as 10K, 100M, 1G or 4GiB, not '{s}'");
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (num, suffix) = s.split_at(digits);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let suffix = suffix.strip_suffix(['B', 'b']).unwrap_or(suffix);
    let (letter, binary) = match suffix.strip_suffix('i') {
        Some(l) => (l, true),
        None => (suffix, false),
    };
    let exp = match letter {
        "" if !binary => 0,
        "k" | "K" => 1,
        "m" | "M" => 2,
        "g" | "G" => 3,
        "t" | "T" => 4,
        _ => return Err(bad()),
    };
    let unit: u64 = if binary { 1024 } else { 1000 };
    let size = n.checked_mul(unit.pow(exp)).ok_or_else(bad)?;
    if size == 0 {
        return Err("--size must be more than 0 bytes".into());
    }
    Ok(size)
}
