//! The summary on stderr: what was read, what was found, what went wrong.
//!
//! Per-input problems are always printed (they change the exit code); the
//! totals are printed unless `--quiet`; examples of unparsable lines only
//! with `-v`.

use std::io::Write;

use crate::config::{Config, ReportKind, Suppress};
use crate::numbers::{plural, thousands};
use crate::parse::dialect::DIALECTS;
use crate::scan::Analysis;
use crate::time;

/// What the summary flags that someone should look at, each with what to
/// do, for the overview's "needs attention": inputs damaged or unreadable
/// (or not what was meant), unparsable lines, over-long lines,
/// address-verification probes and domains folded into `(other)`. The
/// texts are the summary's lines without `bounces: `.
pub fn flags(config: &Config, analysis: &Analysis) -> Vec<(String, &'static str)> {
    let tally = &analysis.tally;
    let mut flags = Vec::new();
    for index in 0..analysis.inputs.len() {
        let notice = notice(config, analysis, index);
        let advice = match notice {
            Notice::Unread => {
                "Check the file (a damaged archive, permissions, a disk error) and run again: the \
                               numbers above miss what could not be read."
            }
            Notice::Shrank => "Name the rotated file too (mail.log*): the lines not read were moved there.",
            Notice::NothingRead => "Check which files the job names: this run counted nothing.",
            Notice::NotAMailLog | Notice::OtherMta(_) => {
                "Check the paths and --mta the job gives: this input added nothing."
            }
            Notice::None | Notice::Empty | Notice::OutsideWindow => continue,
        };
        if let Some(line) = notice_line(config, analysis, index, notice) {
            flags.push((unprefixed(line), advice));
        }
    }
    if tally.malformed() > 0 {
        flags.push((
            unparsed_line(tally.malformed()),
            "Run again with -v to see examples; if they are real deliveries in a format not read yet, report \
             them, since their outcomes are missing above.",
        ));
    }
    let overlong: u64 = analysis.inputs.iter().map(|i| i.overlong).sum();
    if overlong > 0 {
        flags.push((
            overlong_line(config, overlong),
            "Find what writes such lines into the mail log (binary data, a runaway program): a delivery in one \
             of them is not counted.",
        ));
    }
    if tally.probes() > 0 {
        flags.push((
            probes_line(tally.probes()),
            "Nothing to do while they are few (Postfix verifying addresses); a sudden rise means someone is \
             probing addresses through this server.",
        ));
    }
    for line in folded_lines(config, &tally.folded()) {
        flags.push((
            unprefixed(line),
            "Raise --max-tracked-domains (memory allowing) or --max-domains to see those domains on their own.",
        ));
    }
    flags
}

/// `line` without the summary's `bounces: `.
fn unprefixed(line: String) -> String {
    match line.strip_prefix("bounces: ") {
        Some(rest) => rest.to_string(),
        None => line,
    }
}

fn unparsed_line(malformed: u64) -> String {
    format!("{} looked like delivery lines but could not be parsed", plural(malformed, "line"))
}

fn overlong_line(config: &Config, overlong: u64) -> String {
    format!("{} longer than {} skipped", plural(overlong, "line"), megabytes(config.blocks.max_line as u64))
}

fn probes_line(probes: u64) -> String {
    format!("{} not counted as deliveries", plural(probes, "address-verification probe"))
}

/// Prints the per-input messages and, unless quiet, the summary.
pub fn print(config: &Config, analysis: &Analysis, out: &mut impl Write) -> std::io::Result<()> {
    let tally = &analysis.tally;
    for index in 0..analysis.inputs.len() {
        let notice = notice(config, analysis, index);
        if (notice.is_warning() || !config.quiet)
            && let Some(line) = notice_line(config, analysis, index, notice)
        {
            writeln!(out, "{line}")?;
        }
    }
    if let Some(line) = nothing_counted(config, analysis) {
        writeln!(out, "{line}")?;
    }
    if config.quiet {
        return Ok(());
    }
    let bytes: u64 = analysis.inputs.iter().map(|i| i.bytes).sum();
    let lines: u64 = analysis.inputs.iter().map(|i| i.lines).sum();
    let overlong: u64 = analysis.inputs.iter().map(|i| i.overlong).sum();
    let secs = analysis.elapsed.as_secs_f64();
    let rate = if secs > 0.0 { bytes as f64 / 1e6 / secs } else { 0.0 };
    writeln!(
        out,
        "bounces: read {}, {}, {} in {secs:.2} s ({rate:.1} MB/s)",
        plural(analysis.inputs.len() as u64, "input"),
        megabytes(bytes),
        plural(lines, "line"),
    )?;
    let [delivered, deferred, bounced] = tally.events_by_outcome();
    writeln!(
        out,
        "bounces: {}: {} delivered, {} deferred, {} bounced",
        plural(tally.events(), "delivery event"),
        thousands(delivered),
        thousands(deferred),
        thousands(bounced),
    )?;
    let malformed = tally.malformed();
    if malformed > 0 {
        let hint = if config.verbose { "" } else { "; -v shows examples" };
        writeln!(out, "bounces: {}{hint}", unparsed_line(malformed))?;
        if config.verbose {
            for (input, line, text) in tally.examples() {
                let name = &analysis.inputs[input].name;
                let text = printable(text);
                // With --hash-recipients no address is shown, here either.
                let text = match &config.hash_key {
                    Some(key) => crate::report::mask_addresses(&text, key).into_owned(),
                    None => text,
                };
                writeln!(out, "  {name}:{line}: {text}")?;
            }
        }
    }
    for line in refusal_and_problem_lines(config, tally) {
        writeln!(out, "{line}")?;
    }
    for line in folded_lines(config, &tally.folded()) {
        writeln!(out, "{line}")?;
    }
    let skipped: u64 = analysis.inputs.iter().map(|i| i.skipped).sum();
    if skipped > 0 {
        writeln!(out, "bounces: {} outside --since/--until not read (found by binary search)", megabytes(skipped))?;
    }
    let times = tally.time_counts();
    if times.outside > 0 {
        writeln!(out, "bounces: {} outside --since/--until not counted", plural(times.outside, "delivery event"))?;
    }
    if times.untimed > 0 {
        let left_out = if config.time.has_window() { "every report" } else { "the daily and hourly reports" };
        writeln!(
            out,
            "bounces: {} without a readable timestamp left out of {left_out}",
            plural(times.untimed, "delivery event")
        )?;
    }
    for input in analysis.inputs.iter().filter_map(|i| i.journal.map(|j| (&i.name, j))) {
        let (name, journal) = input;
        if journal.malformed > 0 {
            writeln!(
                out,
                "bounces: {name}: {} of journald's JSON could not be read (not a JSON object, or no timestamp)",
                plural(journal.malformed, "record")
            )?;
        }
        if journal.skipped > 0 {
            writeln!(
                out,
                "bounces: {name}: {} without a MESSAGE (journalctl writes null for messages over 4 KB; \
                 use journalctl --all)",
                plural(journal.skipped, "journal record")
            )?;
        }
    }
    if tally.expiries() > 0 {
        let messages = plural(tally.expiries(), "message");
        match &analysis.messages {
            Some(outcomes) => {
                let returned: u64 = outcomes.expired_in_queue().map(|(_, n)| n).sum();
                writeln!(
                    out,
                    "bounces: Postfix gave up on {messages} (status=expired): {} still deferred then, counted as \
                     expired",
                    plural(returned, "recipient")
                )?;
            }
            None => writeln!(
                out,
                "bounces: Postfix gave up on {messages} (status=expired): the domains and messages reports count \
                 their deferred recipients as expired"
            )?,
        }
    }
    // Only the message-level reports follow every recipient (the domains
    // report alone follows the deferred ones, for Postfix's expiries).
    let followed = config.written().iter().any(|r| r.is_message_level());
    if let Some(outcomes) = analysis.messages.as_ref().filter(|_| followed) {
        writeln!(
            out,
            "bounces: followed {} to their final outcome (at most {} held at once)",
            plural(outcomes.recipients, "recipient"),
            plural(outcomes.peak_held as u64, "queue id and recipient pair"),
        )?;
        if let Some(line) = suppression_line(config, outcomes) {
            writeln!(out, "{line}")?;
        }
        if outcomes.senders().is_some() {
            writeln!(out, "{}", volume_line(&outcomes.volume))?;
        }
    }
    if tally.probes() > 0 {
        writeln!(out, "bounces: {}", probes_line(tally.probes()))?;
    }
    if overlong > 0 {
        writeln!(out, "bounces: {}", overlong_line(config, overlong))?;
    }
    let reasons = tally.reasons_overall();
    for (label, bounced) in [("bounced", true), ("deferred", false)] {
        let mut top: Vec<_> = reasons
            .iter()
            .map(|&(reason, kind, d, b)| (if bounced { b } else { d }, reason, kind))
            .filter(|&(count, _, _)| count > 0)
            .collect();
        if top.is_empty() {
            continue;
        }
        top.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let shown: Vec<String> = top
            .iter()
            .take(TOP_REASONS)
            .map(|(count, reason, kind)| format!("{} {} ({})", thousands(*count), reason.as_str(), kind.as_str()))
            .collect();
        let more = if top.len() > TOP_REASONS { ", ..." } else { "" };
        writeln!(out, "bounces: {label}: {}{more}", shown.join(", "))?;
    }
    if let Some(dir) = &config.out_dir {
        writeln!(out, "{}", written_line(dir, &config.out_reports, config.format))?;
    }
    Ok(())
}

/// The messages received, when the senders were followed: `bounces:
/// received 12 messages, 45,678 bytes, 1.75 recipients per message`, the
/// bytes of those that logged a size (said when not all did).
fn volume_line(volume: &crate::messages::Volume) -> String {
    if volume.messages == 0 {
        return "bounces: received no message (no qmgr from=<...> or Exim <= line read): the sender reports \
                count every recipient as (unknown)"
            .to_string();
    }
    // Said as the overview says it.
    format!("bounces: received {}", crate::report::overview::volume(volume))
}

/// What the `recipients` report lists, when it is written: `bounces:
/// recipients: 12 addresses to suppress (hard bounces); 5 more ... not
/// listed (...)`, with the rows to review when `--suppress` asked for any.
fn suppression_line(config: &Config, outcomes: &crate::messages::Outcomes) -> Option<String> {
    if !config.written().contains(&ReportKind::Recipients) {
        return None;
    }
    let listed = crate::report::listed(outcomes, config.suppress);
    let addresses = |n: u64| format!("{} address{}", thousands(n), if n == 1 { "" } else { "es" });
    let mut line = format!("bounces: recipients: {} to suppress (hard bounces)", addresses(listed.suppress));
    if config.suppress != Suppress::default() {
        line.push_str(&format!(", {} to review", thousands(listed.review)));
    }
    if listed.left_out > 0 {
        let s = config.suppress;
        let kinds: Vec<&str> =
            [(s.soft, "a soft bounce"), (s.undetermined, "an undetermined bounce"), (s.expired, "an expiry")]
                .into_iter()
                .filter(|&(asked, _)| !asked)
                .map(|(_, kind)| kind)
                .collect();
        let kinds = match kinds.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        line.push_str(&format!(
            "; {} more not listed, whose latest failure was {kinds} (--suppress all lists them for review)",
            thousands(listed.left_out)
        ));
    }
    Some(line)
}

/// What the summary says of the domains folded into `(other)`: by the
/// memory cap (how many events, and the most any one of those domains can
/// have had), then by `--max-domains` (how many domains and events, and
/// whether a domain the cap left out could have been among the biggest).
fn folded_lines(config: &Config, folded: &crate::tally::Folded) -> Vec<String> {
    let mut lines = Vec::new();
    if folded.capped_events > 0 {
        lines.push(format!(
            "bounces: more than {} recipient domains: those tracked were chosen by a fixed hash of their names; \
             {} of the others are counted together as (other), at most {} of them for any one domain \
             (raise --max-tracked-domains to track more)",
            thousands(config.tracked() as u64),
            plural(folded.capped_events, "delivery event"),
            thousands(folded.capped_bound),
        ));
    }
    if folded.cut_domains > 0 {
        let shown = config.max_domains.unwrap_or(0) as u64;
        let mut line = format!(
            "bounces: --max-domains {}: the {} with the most delivery events have rows of their own, \
             the other {} ({}) are counted together as (other)",
            thousands(shown),
            plural(shown, "recipient domain"),
            thousands(folded.cut_domains),
            plural(folded.cut_events, "delivery event"),
        );
        if folded.capped_events > 0 {
            let (bound, smallest) = (thousands(folded.capped_bound), thousands(folded.smallest_kept));
            line += &if folded.capped_bound < folded.smallest_kept {
                format!(
                    "; chosen among the domains tracked: a domain the memory cap left out had at most {bound} events, \
                     fewer than the smallest shown ({smallest}), so none of the biggest is missing"
                )
            } else {
                format!(
                    "; chosen among the domains tracked: a domain the memory cap left out had at most {bound} events, \
                     not fewer than the smallest shown ({smallest}), so one of the biggest may be missing"
                )
            };
        }
        lines.push(line);
    }
    lines
}

/// Where `-o` wrote: `bounces: wrote domains.csv, codes.csv into DIR`, or
/// `bounces: wrote bounces.xlsx (domains, codes) into DIR` (and the
/// overview, which is text whatever the format: `, overview.txt`).
fn written_line(dir: &std::path::Path, reports: &[crate::config::ReportKind], format: crate::config::Format) -> String {
    if format == crate::config::Format::Xlsx {
        let (texts, sheets): (Vec<_>, Vec<_>) = reports.iter().partition(|r| r.is_text());
        let mut files: Vec<String> = texts.iter().flat_map(|&r| format.file_names(r)).collect();
        if !sheets.is_empty() {
            let names: Vec<&str> = sheets.iter().map(|r| r.name()).collect();
            files.insert(0, format!("{} ({})", crate::config::WORKBOOK, names.join(", ")));
        }
        return format!("bounces: wrote {} into {}", files.join(", "), dir.display());
    }
    let files: Vec<String> = reports.iter().flat_map(|&r| format.file_names(r)).collect();
    format!("bounces: wrote {} into {}", files.join(", "), dir.display())
}

/// What the summary says of one input besides the totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Notice {
    /// Nothing to say.
    None,
    /// It could not be read to the end (its error says why).
    Unread,
    /// It shrank while it was read (logrotate's copytruncate).
    Shrank,
    /// It is empty, and so is every other input: nothing was read at all
    /// (`< /dev/null`, a cron job without its path).
    NothingRead,
    /// It is empty, but other inputs had lines (a log just rotated).
    Empty,
    /// It has lines, but none in `--since`/`--until` (the binary search
    /// found none to read).
    OutsideWindow,
    /// It has lines, none of them Postfix or Exim lines.
    NotAMailLog,
    /// Its lines are those of the dialect at this place in
    /// [`DIALECTS`], but `--mta` named another.
    OtherMta(usize),
}

impl Notice {
    /// Printed even with `--quiet`: something the user did not mean.
    fn is_warning(self) -> bool {
        !matches!(self, Notice::None | Notice::Empty | Notice::OutsideWindow)
    }

    /// The input was not what was meant (exit 1, as documented).
    fn is_wrong_input(self) -> bool {
        matches!(self, Notice::NothingRead | Notice::NotAMailLog | Notice::OtherMta(_))
    }
}

/// What to say of input `index`.
fn notice(config: &Config, analysis: &Analysis, index: usize) -> Notice {
    let input = &analysis.inputs[index];
    let counts = analysis.tally.input_counts(index);
    let nothing_read = analysis.inputs.iter().all(|i| i.error.is_some() || (i.bytes == 0 && i.skipped == 0));
    if input.error.is_some() {
        Notice::Unread
    } else if input.planned.is_some_and(|p| p > input.bytes) {
        Notice::Shrank
    } else if input.bytes == 0 && input.skipped > 0 {
        Notice::OutsideWindow
    } else if input.bytes == 0 && nothing_read {
        Notice::NothingRead
    } else if input.bytes == 0 {
        Notice::Empty
    } else if counts.events > 0 || counts.malformed > 0 {
        Notice::None
    } else if !input.recognised.any() {
        Notice::NotAMailLog
    } else if let Some(found) = input.recognised.other_than(config.mta) {
        Notice::OtherMta(found)
    } else {
        Notice::None
    }
}

/// How many of the most frequent kinds of trouble the summary names.
const TOP_PROBLEMS: usize = 3;

/// The summary's lines about the `rejects` and `problems` reports, when
/// they were asked for: refusals by action, the lines that could not be
/// read, and the most frequent kinds of trouble (as the report sorts them:
/// by count, ties by level, process and kind).
fn refusal_and_problem_lines(config: &Config, tally: &crate::tally::Tally) -> Vec<String> {
    let mut lines = Vec::new();
    if config.written().contains(&ReportKind::Rejects) {
        let (real, warn) = tally.refusals().totals();
        let mut line = format!(
            "bounces: {} by this server: {} refused, discarded or held, {} only warned (reject_warning)",
            plural(real + warn, "refusal"),
            thousands(real),
            thousands(warn)
        );
        let (bad, _) = tally.refusals().unparsable();
        if bad > 0 {
            line.push_str(&format!(
                "; {} shaped like refusals could not be read (the last rejects row)",
                plural(bad, "line")
            ));
        }
        lines.push(line);
    }
    if config.written().contains(&ReportKind::Problems) {
        let problems = tally.problems();
        let mut kinds: Vec<_> = problems.kinds().collect();
        kinds.sort_unstable_by(|a, b| {
            b.counts
                .count
                .cmp(&a.counts.count)
                .then_with(|| (a.level, a.process, a.kind).cmp(&(b.level, b.process, b.kind)))
        });
        lines.push(format!(
            "bounces: {} of trouble (warning, error, fatal, panic) of {}",
            plural(problems.total(), "line"),
            plural(kinds.len() as u64, "kind")
        ));
        for k in kinds.iter().take(TOP_PROBLEMS) {
            lines.push(format!(
                "  {} {} {}: {}",
                thousands(k.counts.count),
                k.level.as_str(),
                printable(k.process),
                printable(k.kind)
            ));
        }
    }
    lines
}

/// Whether some input was not what was meant: nothing was read at all,
/// or an input held no Postfix or Exim lines, or only lines of another MTA
/// than `--mta` named. The run then ends with exit code 1.
pub fn wrong_input(config: &Config, analysis: &Analysis) -> bool {
    (0..analysis.inputs.len()).any(|index| notice(config, analysis, index).is_wrong_input())
}

/// The line that says `notice` of input `index`, if any: `bounces: NAME: what
/// happened (what to do)`.
fn notice_line(config: &Config, analysis: &Analysis, index: usize, notice: Notice) -> Option<String> {
    let input = &analysis.inputs[index];
    let name = &input.name;
    Some(match notice {
        Notice::None => return None,
        Notice::Unread => format!("bounces: {}", input.error.as_ref()?),
        Notice::Shrank => format!(
            "bounces: {name}: the file shrank while it was read (logrotate's copytruncate?): {} of {} bytes read; \
             the rest is in the rotated file",
            input.bytes, input.planned?
        ),
        Notice::NothingRead if name == "-" => "bounces: -: stdin was empty, nothing to count (without a PATH stdin \
             is read: name the log files, e.g. /var/log/mail.log*, or check what feeds the pipe)"
            .to_string(),
        Notice::NothingRead => format!(
            "bounces: {name}: the file is empty, nothing to count (a log just rotated has its lines in the \
             rotated files: name them too, e.g. {name}*)"
        ),
        Notice::Empty => format!("bounces: {name}: empty, nothing to count"),
        Notice::OutsideWindow => format!(
            "bounces: {name}: no lines in --since/--until (its {} lie outside it, found by binary search)",
            megabytes(input.skipped)
        ),
        Notice::NotAMailLog => {
            let mtas: Vec<&str> = DIALECTS.iter().map(|d| d.title).collect();
            format!(
                "bounces: {name}: no {} lines found; is this a mail log? (name the MTA's log, e.g. /var/log/mail.log)",
                mtas.join(" or ")
            )
        }
        Notice::OtherMta(found) => {
            let given = config.mta.dialects().next()?;
            format!(
                "bounces: {name}: read {} of {}, but --mta {} was given (give --mta {}, or --mta auto)",
                plural(input.lines, "line"),
                DIALECTS[found].title,
                given.name,
                DIALECTS[found].name,
            )
        }
    })
}

/// When no delivery event was counted and no input's message says why: one
/// line that says so, with the window if there is one, printed even with
/// `--quiet`. An idle day is not an error, but it should not pass silently
/// either.
fn nothing_counted(config: &Config, analysis: &Analysis) -> Option<String> {
    let tally = &analysis.tally;
    let explained = (0..analysis.inputs.len()).any(|index| {
        let notice = notice(config, analysis, index);
        notice == Notice::Unread || notice.is_wrong_input()
    });
    // Refusals or trouble, when asked for and found, were something counted.
    let side =
        tally.refusals().totals() != (0, 0) || tally.refusals().unparsable().0 > 0 || tally.problems().total() > 0;
    if tally.events() > 0 || explained || side {
        return None;
    }
    let lines: u64 = analysis.inputs.iter().map(|i| i.lines).sum();
    let time = &config.time;
    if !time.has_window() {
        return Some(format!(
            "bounces: no delivery events in {} read; if mail went out, name the log of the server that sent it \
             (e.g. /var/log/mail.log*)",
            plural(lines, "line")
        ));
    }
    let window = match (time.since, time.until) {
        (Some(since), Some(until)) => {
            format!("from {} to {}", time::rfc3339(since, &time.tz), time::rfc3339(until, &time.tz))
        }
        (Some(since), None) => format!("since {}", time::rfc3339(since, &time.tz)),
        (None, Some(until)) => format!("before {}", time::rfc3339(until, &time.tz)),
        (None, None) => String::new(),
    };
    let times = tally.time_counts();
    let mut left_out = Vec::new();
    if times.outside > 0 {
        left_out.push(format!("{} outside it", plural(times.outside, "delivery event")));
    }
    if times.untimed > 0 {
        left_out.push(format!("{} without a readable timestamp", plural(times.untimed, "delivery event")));
    }
    let why = match (left_out.is_empty(), lines) {
        (false, _) => left_out.join(", "),
        (true, 0) => "no input has lines in it".to_string(),
        (true, lines) => format!("none in the {} read", plural(lines, "line")),
    };
    Some(format!(
        "bounces: no delivery events {window} ({why}); if mail went out then, check --since, --until and --tz"
    ))
}

/// How many reasons the summary lists per outcome.
const TOP_REASONS: usize = 5;

/// At most 300 bytes of a line, with control characters and invalid UTF-8
/// shown as escapes so a hostile line cannot drive the terminal.
fn printable(line: &[u8]) -> String {
    let shown = &line[..line.len().min(300)];
    let mut text = String::new();
    for chunk in shown.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                text.extend(c.escape_default());
            } else {
                text.push(c);
            }
        }
        for b in chunk.invalid() {
            text.push_str(&format!("\\x{b:02x}"));
        }
    }
    if line.len() > shown.len() {
        text.push_str(" [...]");
    }
    text
}

fn megabytes(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_shrank_while_read_is_reported() {
        let input = crate::scan::InputReport {
            name: "mail.log".to_string(),
            bytes: 1000,
            lines: 10,
            overlong: 0,
            recognised: crate::parse::dialect::Recognised::default(),
            planned: Some(5000),
            error: None,
            journal: None,
            skipped: 0,
        };
        let analysis = crate::scan::Analysis {
            tally: crate::tally::Tally::default(),
            inputs: vec![input],
            elapsed: std::time::Duration::from_millis(5),
            messages: None,
        };
        let config = Config { quiet: true, ..Config::default() };
        let mut out = Vec::new();
        print(&config, &analysis, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("mail.log: the file shrank while it was read") && text.contains("1000 of 5000 bytes"),
            "{text}"
        );
    }

    /// An input that read `bytes` bytes and `lines` lines, had `skipped`
    /// bytes outside the window, and whose start looked like `head`.
    fn input(name: &str, bytes: u64, lines: u64, skipped: u64, head: &[u8]) -> crate::scan::InputReport {
        crate::scan::InputReport {
            name: name.to_string(),
            bytes,
            lines,
            overlong: 0,
            recognised: crate::parse::dialect::Recognised::of(head),
            planned: None,
            error: None,
            journal: None,
            skipped,
        }
    }

    /// The inputs of a run that counted no event.
    fn nothing_counted_in(inputs: Vec<crate::scan::InputReport>) -> Analysis {
        Analysis { tally: crate::tally::Tally::default(), inputs, elapsed: std::time::Duration::ZERO, messages: None }
    }

    const POSTFIX: &[u8] = b"Nov  5 10:00:00 mx postfix/smtpd[1]: connect from x\n";

    /// What is said of each input when nothing was counted, and which of
    /// them make exit code 1.
    #[test]
    fn notices_of_inputs_without_events() {
        let auto = Config::default();
        let exim = Config { mta: crate::parse::dialect::Mta::named("exim").unwrap(), ..Config::default() };
        let cases = [
            (&auto, vec![input("-", 0, 0, 0, b"")], vec![Notice::NothingRead]),
            (&auto, vec![input("a", 0, 0, 0, b""), input("b", 0, 0, 0, b"")], vec![Notice::NothingRead; 2]),
            (&auto, vec![input("a", 0, 0, 0, b""), input("b", 50, 1, 0, POSTFIX)], vec![Notice::Empty, Notice::None]),
            (
                &auto,
                vec![input("a", 0, 0, 0, b""), input("b", 0, 0, 900, b"")],
                vec![Notice::Empty, Notice::OutsideWindow],
            ),
            (&auto, vec![input("junk", 50, 1, 0, b"GET / HTTP/1.1\n")], vec![Notice::NotAMailLog]),
            (&exim, vec![input("mail.log", 50, 1, 0, POSTFIX)], vec![Notice::OtherMta(0)]),
            (&auto, vec![input("mail.log", 50, 1, 0, POSTFIX)], vec![Notice::None]),
        ];
        for (config, inputs, want) in cases {
            let analysis = nothing_counted_in(inputs);
            let got: Vec<Notice> = (0..analysis.inputs.len()).map(|i| notice(config, &analysis, i)).collect();
            assert_eq!(got, want);
            assert_eq!(wrong_input(config, &analysis), want.iter().any(|n| n.is_wrong_input()), "{want:?}");
        }
        let mut unread = input("gone.log", 0, 0, 0, b"");
        unread.error = Some(crate::error::Error::Usage("x".to_string()));
        let analysis = nothing_counted_in(vec![unread, input("empty.log", 0, 0, 0, b"")]);
        assert_eq!(notice(&auto, &analysis, 0), Notice::Unread);
        assert_eq!(notice(&auto, &analysis, 1), Notice::NothingRead, "nothing was read from any input");
        assert!(Notice::NothingRead.is_warning() && Notice::OtherMta(0).is_warning());
        assert!(!Notice::Empty.is_warning() && !Notice::OutsideWindow.is_warning());
    }

    #[test]
    fn the_line_when_nothing_was_counted() {
        let day = |d: &str| crate::time::parse_bound(d, jiff::Timestamp::UNIX_EPOCH, &jiff::tz::TimeZone::UTC).ok();
        let time =
            crate::config::TimeConfig { since: day("2026-11-04"), until: day("2026-11-05"), ..Default::default() };
        let window = Config { time, ..Config::default() };
        let read = nothing_counted_in(vec![input("mail.log", 5000, 40, 0, POSTFIX)]);
        assert_eq!(
            nothing_counted(&window, &read).as_deref(),
            Some(
                "bounces: no delivery events from 2026-11-04T00:00:00+00:00 to 2026-11-05T00:00:00+00:00 \
                 (none in the 40 lines read); if mail went out then, check --since, --until and --tz"
            )
        );
        let skipped = nothing_counted_in(vec![input("mail.log", 0, 0, 5000, POSTFIX)]);
        assert!(nothing_counted(&window, &skipped).unwrap().contains(" (no input has lines in it); "));
        assert_eq!(
            nothing_counted(&Config::default(), &read).as_deref(),
            Some(
                "bounces: no delivery events in 40 lines read; if mail went out, name the log of the server that \
                 sent it (e.g. /var/log/mail.log*)"
            )
        );
        // An input's own message says why: no second line.
        let empty = nothing_counted_in(vec![input("-", 0, 0, 0, b"")]);
        assert_eq!(nothing_counted(&window, &empty), None);
        let junk = nothing_counted_in(vec![input("junk", 50, 1, 0, b"GET /\n")]);
        assert_eq!(nothing_counted(&Config::default(), &junk), None);
    }

    /// What the summary says of folded domains, as the user reads it: the
    /// cut alone; the memory cap alone; both, when the bound proves that no
    /// untracked domain could be among the biggest, and when it cannot.
    #[test]
    fn the_lines_about_folded_domains() {
        use crate::tally::Folded;
        let five = Config { max_domains: Some(5), ..Config::default() };
        let cut = Folded { cut_domains: 18, cut_events: 125, smallest_kept: 30, ..Folded::default() };
        assert_eq!(
            folded_lines(&five, &cut),
            ["bounces: --max-domains 5: the 5 recipient domains with the most delivery events have rows of their \
              own, the other 18 (125 delivery events) are counted together as (other)"]
        );
        assert!(folded_lines(&Config::default(), &Folded::default()).is_empty());
        let capped = Folded { capped_events: 1_500_607, capped_bound: 46, smallest_kept: 1, ..Folded::default() };
        assert_eq!(
            folded_lines(&Config::default(), &capped),
            ["bounces: more than 1,000,000 recipient domains: those tracked were chosen by a fixed hash of their \
              names; 1,500,607 delivery events of the others are counted together as (other), at most 46 of them \
              for any one domain (raise --max-tracked-domains to track more)"]
        );
        let both = Folded { cut_domains: 7, cut_events: 9, smallest_kept: 47, ..capped };
        let small = Config { max_tracked: 1000, ..five.clone() };
        let lines = folded_lines(&small, &both);
        assert!(lines[0].starts_with("bounces: more than 1,000 recipient domains: "), "{lines:?}");
        assert_eq!(
            lines[1],
            "bounces: --max-domains 5: the 5 recipient domains with the most delivery events have rows of their own, \
             the other 7 (9 delivery events) are counted together as (other); chosen among the domains tracked: a \
             domain the memory cap left out had at most 46 events, fewer than the smallest shown (47), so none of \
             the biggest is missing"
        );
        let unsure = Folded { smallest_kept: 46, ..both };
        assert!(
            folded_lines(&small, &unsure)[1].ends_with(
                "; chosen among the domains tracked: a domain the memory cap left out had at most 46 events, not \
                 fewer than the smallest shown (46), so one of the biggest may be missing"
            ),
            "{:?}",
            folded_lines(&small, &unsure)
        );
    }

    /// With -q only what the user did not mean is said: an empty file
    /// beside a log is not.
    #[test]
    fn quiet_keeps_warnings_only() {
        let analysis = nothing_counted_in(vec![input("empty.log", 0, 0, 0, b""), input("-", 0, 0, 0, b"")]);
        let mut out = Vec::new();
        print(&Config { quiet: true, ..Config::default() }, &analysis, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.starts_with("bounces: empty.log: the file is empty, nothing to count ("), "{text}");
        assert!(text.contains("\nbounces: -: stdin was empty, nothing to count ("), "{text}");
        let beside = nothing_counted_in(vec![input("empty.log", 0, 0, 0, b""), input("b", 0, 0, 900, b"")]);
        let mut out = Vec::new();
        print(&Config { quiet: true, ..Config::default() }, &beside, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("bounces: no delivery events in 0 lines read;"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn where_the_reports_were_written() {
        use crate::config::{Format, ReportKind};
        let dir = std::path::Path::new("reports/2026-11-04");
        assert_eq!(
            written_line(dir, &[ReportKind::Domains, ReportKind::Daily], Format::Csv),
            "bounces: wrote domains.csv, daily.csv into reports/2026-11-04"
        );
        assert_eq!(
            written_line(dir, &[ReportKind::Codes], Format::Jsonl),
            "bounces: wrote codes.jsonl into reports/2026-11-04"
        );
        assert_eq!(
            written_line(dir, &[ReportKind::Domains, ReportKind::Codes], Format::Xlsx),
            "bounces: wrote bounces.xlsx (domains, codes) into reports/2026-11-04"
        );
        assert_eq!(
            written_line(dir, &[ReportKind::Overview, ReportKind::Domains], Format::Xlsx),
            "bounces: wrote bounces.xlsx (domains), overview.txt, overview.html into reports/2026-11-04"
        );
        assert_eq!(
            written_line(dir, &[ReportKind::Overview], Format::Xlsx),
            "bounces: wrote overview.txt, overview.html into reports/2026-11-04"
        );
        assert_eq!(
            written_line(dir, &[ReportKind::Overview, ReportKind::Codes], Format::Json),
            "bounces: wrote overview.txt, overview.html, codes.json into reports/2026-11-04"
        );
    }

    #[test]
    fn hostile_lines_are_escaped() {
        assert_eq!(printable(b"a\x1b[31mb\xffc"), "a\\u{1b}[31mb\\xffc");
        assert!(printable(&[b'x'; 400]).ends_with(" [...]"));
    }
}
