//! The summary on stderr: what was read, what was found, what went wrong.
//!
//! Per-input problems are always printed (they change the exit code); the
//! totals are printed unless `--quiet`; examples of unparsable lines only
//! with `-v`.

use std::io::Write;

use crate::config::Config;
use crate::numbers::{plural, thousands};
use crate::parse::dialect::DIALECTS;
use crate::scan::Analysis;

/// Prints the per-input messages and, unless quiet, the summary.
pub fn print(config: &Config, analysis: &Analysis, out: &mut impl Write) -> std::io::Result<()> {
    let tally = &analysis.tally;
    for (index, input) in analysis.inputs.iter().enumerate() {
        if let Some(error) = &input.error {
            writeln!(out, "bounces: {error}")?;
        } else if let Some(planned) = input.planned.filter(|&p| p > input.bytes) {
            writeln!(
                out,
                "bounces: {}: the file shrank while it was read (logrotate's copytruncate?): {} of {} bytes read; \
                 the rest is in the rotated file",
                input.name, input.bytes, planned
            )?;
        } else if input.bytes == 0 {
            if !config.quiet {
                writeln!(out, "bounces: {}: empty, nothing to count", input.name)?;
            }
        } else if input.is_foreign(tally, index) {
            let mtas: Vec<&str> = DIALECTS.iter().map(|d| d.title).collect();
            writeln!(
                out,
                "bounces: {}: no {} lines found; is this a mail log? (name the MTA's log, e.g. /var/log/mail.log)",
                input.name,
                mtas.join(" or ")
            )?;
        }
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
        writeln!(
            out,
            "bounces: {} looked like delivery lines but could not be parsed{hint}",
            plural(malformed, "line")
        )?;
        if config.verbose {
            for (input, line, text) in tally.examples() {
                let name = &analysis.inputs[input].name;
                writeln!(out, "  {name}:{line}: {}", printable(text))?;
            }
        }
    }
    if let Some(other) = tally.other() {
        writeln!(
            out,
            "bounces: more than {} recipient domains: {} of the others are counted together as (other); \
             raise --max-domains to see them",
            thousands(config.max_domains as u64),
            plural(other.outcomes.iter().sum(), "delivery event"),
        )?;
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
        writeln!(
            out,
            "bounces: Postfix gave up on {} (status=expired): not delivery events; the messages report counts \
             their deferred recipients as expired",
            plural(tally.expiries(), "message")
        )?;
    }
    if let Some(outcomes) = &analysis.messages {
        writeln!(
            out,
            "bounces: followed {} to their final outcome (at most {} held at once)",
            plural(outcomes.recipients, "recipient"),
            plural(outcomes.peak_held as u64, "queue id and recipient pair"),
        )?;
    }
    if tally.probes() > 0 {
        writeln!(out, "bounces: {} not counted as deliveries", plural(tally.probes(), "address-verification probe"))?;
    }
    if overlong > 0 {
        writeln!(
            out,
            "bounces: {} longer than {} skipped",
            plural(overlong, "line"),
            megabytes(config.blocks.max_line as u64)
        )?;
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
    Ok(())
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
            looks_like_mail_log: true,
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

    #[test]
    fn hostile_lines_are_escaped() {
        assert_eq!(printable(b"a\x1b[31mb\xffc"), "a\\u{1b}[31mb\\xffc");
        assert!(printable(&[b'x'; 400]).ends_with(" [...]"));
    }
}
