//! The `overview` report: one page of plain text for a mail body, made of
//! the other reports' rows, so every number in it is one of theirs (or
//! their sum).
//!
//! Lines are UTF-8, at most [`WIDTH`] characters (a longer one is cut and
//! ends with `...`), without colour. Each section is there only when it
//! has something to say; an input without delivery events gives a short
//! page that says so.

use std::collections::{BTreeMap, BTreeSet};

use super::table::bounce_rate;
use super::{CodeRow, DomainRow, PeriodRow, ReasonRow, Reports};
use crate::classify::{BounceType, Reason};
use crate::messages::MessageRow;
use crate::numbers::{plural, thousands};
use crate::parse::{Enhanced, Note, Outcome};

/// The most characters on a line.
pub const WIDTH: usize = 80;

/// The domains listed in each top list.
const TOP_DOMAINS: usize = 10;

/// The reasons listed with their advice.
const TOP_REASONS: usize = 5;

/// The null-MX domains named before `and N more`.
const NULL_MX_NAMED: usize = 10;

/// What the overview says of the run besides the rows: the inputs and the
/// window, as the run's summary has them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Inputs read.
    pub inputs: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines that looked like delivery lines but could not be parsed.
    pub unparsed: u64,
    /// `--since`, as a time.
    pub since: Option<String>,
    /// `--until`, as a time.
    pub until: Option<String>,
    /// Whether recipients were followed to their final outcome (a
    /// message-level report was written too).
    pub followed: bool,
}

/// The overview's lines, without line ends.
pub fn lines(reports: &Reports, facts: &Facts) -> Vec<String> {
    let mut page = Page::default();
    page.line("bounces overview");
    page.line("================");
    inputs(&mut page, reports, facts);
    let [delivered, deferred, bounced] = sum_counts(&reports.domains);
    let expired: u64 = reports.domains.iter().map(|d| d.expired).sum();
    if delivered + deferred + bounced + expired == 0 {
        page.section("Nothing to report");
        page.line("No delivery event was found in the input (or in the window).");
        return page.lines;
    }
    page.section("Delivery events");
    page.count("delivered", delivered);
    page.count("deferred", deferred);
    page.count("bounced", bounced);
    if expired > 0 {
        page.count("expired", expired);
    }
    page.rate(bounce_rate(delivered, bounced + expired));
    if facts.followed {
        recipients(&mut page, &reports.messages);
    }
    bounce_types(&mut page, &reports.reasons);
    top_reasons(&mut page, &reports.reasons);
    top_domains(&mut page, reports, Outcome::Bounced);
    top_domains(&mut page, reports, Outcome::Deferred);
    attention(&mut page, reports, expired);
    periods(&mut page, &reports.daily, &reports.hourly);
    page.lines
}

/// Lines being written, each cut to [`WIDTH`].
#[derive(Default)]
struct Page {
    lines: Vec<String>,
}

impl Page {
    fn line(&mut self, text: &str) {
        self.lines.push(fit(text));
    }

    /// A blank line and a title.
    fn section(&mut self, title: &str) {
        self.lines.push(String::new());
        self.line(title);
    }

    /// `  label   1,234`.
    fn count(&mut self, label: &str, n: u64) {
        self.line(&format!("  {label:<14}{:>12}", thousands(n)));
    }

    /// `  bounce rate     1.23%`, when there is one.
    fn rate(&mut self, rate: Option<f64>) {
        if let Some(rate) = rate {
            self.line(&format!("  {:<14}{:>12}", "bounce rate", percent(rate)));
        }
    }

    /// `text` wrapped at word boundaries, each line indented by `indent`.
    fn wrapped(&mut self, indent: usize, text: &str) {
        let pad = " ".repeat(indent);
        let mut line = pad.clone();
        for word in text.split_whitespace() {
            if line.len() > indent && line.chars().count() + 1 + word.chars().count() > WIDTH {
                self.line(&line);
                line = pad.clone();
            }
            if line.len() > indent {
                line.push(' ');
            }
            line.push_str(word);
        }
        if line.len() > indent {
            self.line(&line);
        }
    }
}

/// `text` without trailing spaces, cut to [`WIDTH`] characters, ending
/// with `...` when cut.
fn fit(text: &str) -> String {
    let text = text.trim_end();
    if text.chars().count() <= WIDTH {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(WIDTH - 3).collect();
    cut.push_str("...");
    cut
}

/// A ratio as a percentage with two decimals: `1.23%`.
fn percent(ratio: f64) -> String {
    format!("{:.2}%", ratio * 100.0)
}

/// The delivery events of the rows: delivered, deferred, bounced.
fn sum_counts(rows: &[DomainRow]) -> [u64; 3] {
    rows.iter().fold([0; 3], |[a, b, c], r| [a + r.counts[0], b + r.counts[1], c + r.counts[2]])
}

/// The window and what was read.
fn inputs(page: &mut Page, reports: &Reports, facts: &Facts) {
    page.section("Window and inputs");
    if let (Some(first), Some(last)) = (reports.daily.first(), reports.daily.last()) {
        let covers = if first.period == last.period {
            first.period.clone()
        } else {
            format!("{} to {}", first.period, last.period)
        };
        page.line(&format!("  covers        {covers}"));
    }
    match (&facts.since, &facts.until) {
        (None, None) => {}
        (since, until) => {
            let since = since.as_deref().unwrap_or("the start");
            let until = until.as_deref().unwrap_or("the end");
            page.line(&format!("  window        {since} to {until}"));
        }
    }
    page.line(&format!(
        "  read          {}, {}, {} unparsed",
        plural(facts.inputs, "input"),
        plural(facts.lines, "line"),
        thousands(facts.unparsed)
    ));
}

/// Recipients by final outcome (the `messages` rows added up).
fn recipients(page: &mut Page, rows: &[MessageRow]) {
    let sum = |f: fn(&MessageRow) -> u64| rows.iter().map(f).sum::<u64>();
    let (delivered, bounced, expired) = (sum(|r| r.delivered), sum(|r| r.bounced), sum(|r| r.expired));
    page.section("Recipients, by final outcome");
    page.count("recipients", sum(|r| r.recipients));
    page.count("delivered", delivered);
    page.count("bounced", bounced);
    page.count("expired", expired);
    let discarded = sum(|r| r.discarded);
    if discarded > 0 {
        page.count("discarded", discarded);
    }
    page.count("pending", sum(|r| r.pending));
    page.rate(bounce_rate(delivered, bounced + expired));
}

/// Bounced events by bounce type (the `reasons` rows added up).
fn bounce_types(page: &mut Page, reasons: &[ReasonRow]) {
    let types = [BounceType::Hard, BounceType::Soft, BounceType::Block, BounceType::Undetermined];
    let counts: Vec<u64> =
        types.iter().map(|&t| reasons.iter().filter(|r| r.bounce_type == t).map(|r| r.bounced).sum()).collect();
    if counts.iter().all(|&n| n == 0) {
        return;
    }
    page.section("Bounces by type");
    for (kind, n) in types.iter().zip(counts) {
        page.count(kind.as_str(), n);
    }
}

/// Bounced events per (reason, bounce type), most first, then by reason.
fn by_reason(reasons: &[ReasonRow], keep: impl Fn(&ReasonRow) -> bool) -> Vec<((Reason, BounceType), [u64; 2])> {
    let mut sums: BTreeMap<(Reason, BounceType), [u64; 2]> = BTreeMap::new();
    for row in reasons.iter().filter(|r| keep(r)) {
        let sum = sums.entry((row.reason, row.bounce_type)).or_default();
        sum[0] += row.deferred;
        sum[1] += row.bounced;
    }
    let mut sums: Vec<_> = sums.into_iter().collect();
    sums.sort_by(|a, b| (b.1[1] + b.1[0]).cmp(&(a.1[1] + a.1[0])).then(a.0.cmp(&b.0)));
    sums
}

/// The reasons with the most bounces, each with its advice.
fn top_reasons(page: &mut Page, reasons: &[ReasonRow]) {
    let mut top = by_reason(reasons, |r| r.bounced > 0);
    top.sort_by(|a, b| b.1[1].cmp(&a.1[1]).then(a.0.cmp(&b.0)));
    if top.is_empty() {
        return;
    }
    page.section("Top bounce reasons");
    for ((reason, kind), [_, bounced]) in top.into_iter().take(TOP_REASONS) {
        page.line(&format!("  {:>9}  {} ({})", thousands(bounced), reason.as_str(), kind.as_str()));
        page.wrapped(13, reason.advice());
    }
}

/// The domains with the most bounced plus expired, or deferred, events,
/// with their top code and reason (and how many expired).
fn top_domains(page: &mut Page, reports: &Reports, outcome: Outcome) {
    let bounces = outcome == Outcome::Bounced;
    let count = |d: &DomainRow| if bounces { d.counts[2] + d.expired } else { d.counts[1] };
    let mut top: Vec<&DomainRow> = reports.domains.iter().filter(|d| count(d) > 0).collect();
    if top.is_empty() {
        return;
    }
    // The domains rows are in their report's order; ties keep it.
    top.sort_by_key(|d| std::cmp::Reverse(count(d)));
    page.section(if bounces { "Top domains by bounces" } else { "Top domains by deferrals" });
    for domain in top.into_iter().take(TOP_DOMAINS) {
        page.line(&format!("  {:>9}  {}", thousands(count(domain)), domain.domain));
        let code = if bounces { &domain.top_bounce } else { &domain.top_deferral };
        let reason = reports
            .reasons
            .iter()
            .filter(|r| r.domain == domain.domain)
            .map(|r| (if bounces { r.bounced } else { r.deferred }, r.reason))
            .filter(|&(n, _)| n > 0)
            .min_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let expired = (bounces && domain.expired > 0).then(|| format!("{} expired", thousands(domain.expired)));
        let parts: Vec<&str> =
            [code.as_deref(), reason.map(|(_, r)| r.as_str()), expired.as_deref()].into_iter().flatten().collect();
        if !parts.is_empty() {
            page.line(&format!("             {}", parts.join(", ")));
        }
    }
}

/// Whether a code row says the domain accepts no mail: a null MX (its
/// note, 5.1.10 unless it is Microsoft's unknown recipient, 556) or the
/// reason `notaccept`.
fn is_null_mx(row: &CodeRow) -> bool {
    let null_mx_code = Some(Enhanced { class: 5, subject: 1, detail: 10 });
    row.outcome != Outcome::Delivered
        && (row.note == Note::NullMx
            || (row.enhanced == null_mx_code && row.note != Note::RecipientNotFound)
            || row.code == Some(556)
            || row.reason == Reason::NotAccept)
}

/// What the sending side must act on: block-type failures, domains that
/// accept no mail, recipients given up on.
fn attention(page: &mut Page, reports: &Reports, expired: u64) {
    let blocks = by_reason(&reports.reasons, |r| r.bounce_type == BounceType::Block);
    let mut null_mx: BTreeMap<&str, u64> = BTreeMap::new();
    for row in reports.codes.iter().filter(|r| is_null_mx(r)) {
        *null_mx.entry(&row.domain).or_default() += row.count;
    }
    if blocks.is_empty() && null_mx.is_empty() && expired == 0 {
        return;
    }
    page.section("Needs attention");
    if !blocks.is_empty() {
        page.line("  Block-type failures (our side must act: IP, DNS, authentication, content):");
        for ((reason, _), [deferred, bounced]) in &blocks {
            page.line(&format!(
                "  {:>9}  {} ({} bounced, {} deferred)",
                thousands(bounced + deferred),
                reason.as_str(),
                thousands(*bounced),
                thousands(*deferred)
            ));
        }
    }
    if !null_mx.is_empty() {
        let domains: BTreeSet<&str> = null_mx.keys().copied().collect();
        page.line(&format!("  Domains that accept no mail (null MX, 556, 5.1.10): {}", domains.len()));
        let mut named: Vec<(&str, u64)> = null_mx.into_iter().collect();
        named.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (domain, n) in named.iter().take(NULL_MX_NAMED) {
            page.line(&format!("  {:>9}  {domain}", thousands(*n)));
        }
        if named.len() > NULL_MX_NAMED {
            page.line(&format!("             and {} more", thousands((named.len() - NULL_MX_NAMED) as u64)));
        }
    }
    if expired > 0 {
        page.line(&format!("  Expired: {} given up on after retrying", plural(expired, "recipient")));
    }
}

/// The outcomes per day, or per hour when the input covers one day.
fn periods(page: &mut Page, daily: &[PeriodRow], hourly: &[PeriodRow]) {
    let (title, rows) = if daily.len() > 1 { ("Per day", daily) } else { ("Per hour", hourly) };
    if rows.is_empty() {
        return;
    }
    page.section(title);
    page.line(&format!("  {:<16}{:>12}{:>12}{:>12}{:>12}", "period", "delivered", "deferred", "bounced", "rate"));
    for row in rows {
        let [delivered, deferred, bounced] = row.counts;
        let rate = bounce_rate(delivered, bounced).map(percent).unwrap_or_default();
        page.line(&format!(
            "  {:<16}{:>12}{:>12}{:>12}{:>12}",
            row.period,
            thousands(delivered),
            thousands(deferred),
            thousands(bounced),
            rate
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_to_the_width_in_characters() {
        let long = "\u{e9}".repeat(100);
        let cut = fit(&long);
        assert_eq!(cut.chars().count(), WIDTH);
        assert!(cut.ends_with("..."));
        assert_eq!(fit("short"), "short");
    }

    #[test]
    fn advice_is_wrapped_within_the_width() {
        let mut page = Page::default();
        page.wrapped(13, &"word ".repeat(60));
        assert!(page.lines.len() > 1);
        assert!(page.lines.iter().all(|l| l.chars().count() <= WIDTH && l.starts_with("             word")));
    }

    #[test]
    fn no_event_gives_a_short_page_that_says_so() {
        let lines = lines(&Reports::default(), &Facts::default());
        assert!(lines.len() < 10, "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("No delivery event")), "{lines:?}");
    }
}
