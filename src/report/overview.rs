//! The `overview` report: one page of plain text for a mail body, made of
//! the other reports' rows, so every number in it is one of theirs (or
//! their sum).
//!
//! Lines are UTF-8, at most [`WIDTH`] characters (a longer one is cut and
//! ends with `...`), without colour. Each section is there only when it
//! has something to say; an input without delivery events gives a short
//! page that says so.

use std::collections::BTreeMap;

use super::table::bounce_rate;
use super::{CodeRow, DomainRow, PeriodRow, ReasonRow, Reports};
use crate::classify::{BounceType, Reason};
use crate::messages::{MessageRow, UNKNOWN, Volume};
use crate::numbers::{plural, thousands};
use crate::parse::{Enhanced, Note, Outcome};

/// The most characters on a line.
pub const WIDTH: usize = 80;

/// The reasons listed with their advice.
const TOP_REASONS: usize = 5;

/// The null-MX domains named before `and N more`.
pub const NULL_MX_NAMED: usize = 10;

/// The most periods the table and the chart show: the last ones (the
/// `daily` report has them all).
pub const PERIODS_SHOWN: usize = 62;

/// A domain's bounce rate jumped when it had at least this many delivered
/// and bounced events in the window...
pub const JUMP_EVENTS: u64 = 20;

/// ... its rate rose by at least this many percentage points ...
pub const JUMP_POINTS: f64 = 10.0;

/// ... and at least doubled (this factor) against the previous period.
pub const JUMP_FACTOR: f64 = 2.0;

/// What the list of jumps is.
pub const JUMPS: &str = "Bounce rate jumped (20+ events, up 10+ points and doubled)";

/// The events of the period just before the window, as long as it, when
/// the input reaches back to its start (see [`Facts::previous`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreviousPeriod {
    /// `previous day`, `previous hour`, `previous week` or `previous period`.
    pub label: &'static str,
    /// Its start and end, as times.
    pub since: String,
    /// Its end: the window's start.
    pub until: String,
    /// Delivered, deferred and bounced events per domain, as the reports
    /// spell domains (those beyond the memory cap as `(other)`).
    pub domains: Vec<(String, [u64; 3])>,
}

/// What the overview says of the run besides the rows: the inputs and the
/// window, as the run's summary has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Inputs read.
    pub inputs: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines that looked like delivery lines but could not be parsed.
    pub unparsed: u64,
    /// The hosts whose delivery events were read, most events first (at
    /// most [`crate::hosts::Hosts::MAX`]), whether there were more, and the
    /// events whose line named no host.
    pub hosts: (Vec<(String, u64)>, bool, u64),
    /// `--since`, as a time.
    pub since: Option<String>,
    /// `--until`, as a time.
    pub until: Option<String>,
    /// Whether recipients were followed to their final outcome (always,
    /// when the overview is written: [`crate::config::Config::built`]).
    pub followed: bool,
    /// How many domains each top list names (`--top`).
    pub top: usize,
    /// The previous period's events, when there is a window with a start
    /// and the input reaches back to the start of the period before it.
    pub previous: Option<PreviousPeriod>,
    /// The messages received, when senders were followed (a sender report
    /// is written too).
    pub volume: Option<Volume>,
    /// What the summary flags, each with what to do ([`crate::summary::flags`]).
    pub flags: Vec<(String, &'static str)>,
}

impl Default for Facts {
    fn default() -> Facts {
        Facts {
            inputs: 0,
            lines: 0,
            unparsed: 0,
            hosts: (Vec::new(), false, 0),
            since: None,
            until: None,
            followed: false,
            top: crate::config::DEFAULT_TOP,
            previous: None,
            volume: None,
            flags: Vec::new(),
        }
    }
}

/// The overview's content, section by section: the text and the HTML page
/// are two renderings of it, so their numbers are the same.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    /// The first and last day with events, when there are some.
    pub covers: Option<(String, String)>,
    /// `--since` and `--until`, when either was given.
    pub window: Option<(Option<String>, Option<String>)>,
    /// Inputs read.
    pub inputs: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines that could not be parsed.
    pub unparsed: u64,
    /// The hosts whose delivery events were read, most events first,
    /// whether there were more than those, and the events whose line named
    /// no host.
    pub hosts: (Vec<(String, u64)>, bool, u64),
    /// The sections about events; `None` when there was no event.
    pub events: Option<Events>,
    /// What the summary flags, each with what to do: under "needs
    /// attention", with or without events.
    pub flags: Vec<(String, &'static str)>,
}

/// The sections of an overview with delivery events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Events {
    /// Delivered, deferred, bounced and expired events, and the bounce rate.
    pub totals: Totals,
    /// The change against the previous period, when it is known.
    pub change: Option<Change>,
    /// Recipients by final outcome, when they were followed.
    pub recipients: Option<Recipients>,
    /// The volume received and the senders whose mail bounced most, when
    /// senders were followed.
    pub senders: Option<Senders>,
    /// Bounced events per bounce type (empty when none bounced).
    pub types: Vec<(BounceType, u64)>,
    /// The reasons with the most bounces.
    pub reasons: Vec<TopReason>,
    /// The domains with the most bounced plus expired events.
    pub by_bounces: Vec<TopDomain>,
    /// The domains with the most deferred events.
    pub by_deferrals: Vec<TopDomain>,
    /// Block-type failures per reason: deferred, bounced.
    pub blocks: Vec<(Reason, [u64; 2])>,
    /// Every domain that accepts no mail, with its events, most first.
    pub null_mx: Vec<(String, u64)>,
    /// `Per day` or `Per hour`, and its rows (none when there is no time):
    /// every period from the first to the last, those without events as
    /// zeros, so the rows are spaced by time; at most [`PERIODS_SHOWN`],
    /// the last ones.
    pub periods: (&'static str, Vec<PeriodRow>),
    /// How many earlier periods were left out of `periods`.
    pub periods_left_out: usize,
}

/// Delivery events added up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Delivered events.
    pub delivered: u64,
    /// Deferred events.
    pub deferred: u64,
    /// Bounced events.
    pub bounced: u64,
    /// Expired recipients.
    pub expired: u64,
    /// Bounced and expired over delivered, bounced and expired.
    pub rate: Option<f64>,
}

/// The window against the period just before it, as long as it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Change {
    /// `previous day`, ...
    pub label: &'static str,
    /// The previous period's start and end.
    pub since: String,
    /// Its end.
    pub until: String,
    /// Delivered, deferred, bounced events in the window.
    pub now: [u64; 3],
    /// The same in the previous period.
    pub before: [u64; 3],
    /// The domains whose bounce rate jumped, the biggest jump first.
    pub jumps: Vec<Jump>,
}

/// A domain whose bounce rate jumped against the previous period.
#[derive(Clone, Debug, PartialEq)]
pub struct Jump {
    /// The domain.
    pub domain: String,
    /// Its delivered and bounced events in the window.
    pub events: u64,
    /// Its bounce rate (bounced over delivered and bounced) in the window.
    pub rate: f64,
    /// Its delivered and bounced events in the previous period.
    pub before_events: u64,
    /// Its bounce rate then.
    pub before_rate: f64,
}

impl Jump {
    /// How many percentage points the rate rose.
    pub fn points(&self) -> f64 {
        (self.rate - self.before_rate) * 100.0
    }
}

/// Recipients by final outcome (the `messages` rows added up).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recipients {
    /// Recipients followed.
    pub recipients: u64,
    /// Delivered in the end.
    pub delivered: u64,
    /// Bounced in the end.
    pub bounced: u64,
    /// Given up on.
    pub expired: u64,
    /// Discarded.
    pub discarded: u64,
    /// Still pending.
    pub pending: u64,
    /// The bounce rate of the final outcomes.
    pub rate: Option<f64>,
}

/// The volume received and the senders whose mail failed most.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Senders {
    /// Messages received.
    pub volume: Volume,
    /// The senders with the most recipients bounced or expired (the
    /// `senders` rows, `(unknown)` aside), most first.
    pub top: Vec<TopSender>,
}

/// One of the senders whose mail failed most.
#[derive(Clone, Debug, PartialEq)]
pub struct TopSender {
    /// The sender (hashed with `--hash-recipients`), `<>` for the null one.
    pub sender: String,
    /// Its recipients bounced or expired.
    pub failed: u64,
    /// Its recipients.
    pub recipients: u64,
    /// The most frequent reason of those failures.
    pub reason: Option<&'static str>,
}

/// One of the top bounce reasons.
#[derive(Clone, Debug, PartialEq)]
pub struct TopReason {
    /// The reason.
    pub reason: Reason,
    /// Its bounce type.
    pub kind: BounceType,
    /// Its bounced events.
    pub bounced: u64,
}

/// One of the top domains.
#[derive(Clone, Debug, PartialEq)]
pub struct TopDomain {
    /// The domain, as in the log.
    pub domain: String,
    /// Its bounced plus expired, or deferred, events.
    pub count: u64,
    /// Its top code.
    pub code: Option<String>,
    /// Its top reason.
    pub reason: Option<Reason>,
    /// Its expired recipients (in the list by bounces).
    pub expired: u64,
}

/// The overview of `reports` and `facts`.
pub fn build(reports: &Reports, facts: &Facts) -> Overview {
    let covers = match (reports.daily.first(), reports.daily.last()) {
        (Some(first), Some(last)) => Some((first.period.clone(), last.period.clone())),
        _ => None,
    };
    let window = (facts.since.is_some() || facts.until.is_some()).then(|| (facts.since.clone(), facts.until.clone()));
    let [delivered, deferred, bounced] = sum_counts(&reports.domains);
    let expired: u64 = reports.domains.iter().map(|d| d.expired).sum();
    let events = (delivered + deferred + bounced + expired > 0).then(|| Events {
        totals: Totals { delivered, deferred, bounced, expired, rate: bounce_rate(delivered, bounced + expired) },
        change: facts.previous.as_ref().map(|p| change(&reports.domains, p, facts.top)),
        recipients: facts.followed.then(|| recipients(&reports.messages)),
        senders: facts.volume.map(|volume| Senders { volume, top: top_senders(&reports.senders, facts.top) }),
        types: bounce_types(&reports.reasons),
        reasons: top_reasons(&reports.reasons),
        by_bounces: top_domains(reports, Outcome::Bounced, facts.top),
        by_deferrals: top_domains(reports, Outcome::Deferred, facts.top),
        blocks: by_reason(&reports.reasons, |r| r.bounce_type == BounceType::Block)
            .into_iter()
            .map(|((reason, _), counts)| (reason, counts))
            .collect(),
        null_mx: null_mx(&reports.codes),
        periods: if reports.daily.len() > 1 {
            ("Per day", last(&reports.daily, PERIODS_SHOWN))
        } else {
            ("Per hour", last(&reports.hourly, PERIODS_SHOWN))
        },
        periods_left_out: if reports.daily.len() > 1 { &reports.daily } else { &reports.hourly }
            .len()
            .saturating_sub(PERIODS_SHOWN),
    });
    Overview {
        covers,
        window,
        inputs: facts.inputs,
        lines: facts.lines,
        unparsed: facts.unparsed,
        hosts: facts.hosts.clone(),
        events,
        flags: facts.flags.clone(),
    }
}

/// The last `n` of `rows`.
fn last(rows: &[PeriodRow], n: usize) -> Vec<PeriodRow> {
    rows[rows.len().saturating_sub(n)..].to_vec()
}

/// `(the last 62 of 400 periods; the daily report has them all)`.
pub fn left_out(events: &Events) -> Option<String> {
    let (title, rows) = &events.periods;
    let report = if *title == "Per day" { "daily" } else { "hourly" };
    (events.periods_left_out > 0).then(|| {
        format!(
            "(the last {} of {} periods; the {report} report has them all)",
            rows.len(),
            thousands((rows.len() + events.periods_left_out) as u64)
        )
    })
}

/// The overview's lines, without line ends.
pub fn lines(overview: &Overview) -> Vec<String> {
    let mut page = Page::default();
    page.line("bounces overview");
    page.line("================");
    inputs(&mut page, overview);
    let Some(events) = &overview.events else {
        page.section("Nothing to report");
        page.line(NOTHING);
        if !overview.flags.is_empty() {
            page.section("Needs attention");
            write_flags(&mut page, &overview.flags);
        }
        return page.lines;
    };
    let totals = &events.totals;
    page.section("Delivery events");
    page.count("delivered", totals.delivered);
    page.count("deferred", totals.deferred);
    page.count("bounced", totals.bounced);
    if totals.expired > 0 {
        page.count("expired", totals.expired);
    }
    page.rate(totals.rate);
    if let Some(change) = &events.change {
        write_change(&mut page, change);
    }
    if let Some(recipients) = &events.recipients {
        write_recipients(&mut page, recipients);
    }
    if let Some(senders) = &events.senders {
        write_senders(&mut page, senders);
    }
    if !events.types.is_empty() {
        page.section("Bounces by type");
        for (kind, n) in &events.types {
            page.count(kind.as_str(), *n);
        }
    }
    if !events.reasons.is_empty() {
        page.section("Top bounce reasons");
        for top in &events.reasons {
            page.line(&format!("  {:>9}  {} ({})", thousands(top.bounced), top.reason.as_str(), top.kind.as_str()));
            page.wrapped(13, top.reason.advice());
        }
    }
    write_domains(&mut page, "Top domains by bounces", &events.by_bounces);
    write_domains(&mut page, "Top domains by deferrals", &events.by_deferrals);
    attention(&mut page, events, &overview.flags);
    periods(&mut page, &events.periods);
    if let Some(note) = left_out(events) {
        page.line(&format!("  {note}"));
    }
    page.lines
}

/// What an overview without events says.
pub const NOTHING: &str = "No delivery event was found in the input (or in the window).";

/// What the block-type failures mean.
pub const BLOCKS: &str = "Block-type failures (our side must act: IP, DNS, authentication, content)";

/// What the null-MX list is.
pub const NULL_MX: &str = "Domains that accept no mail (null MX, 556, 5.1.10)";

/// The period's bounce rate: bounced over delivered and bounced.
pub fn period_rate(row: &PeriodRow) -> Option<f64> {
    bounce_rate(row.counts[0], row.counts[2])
}

/// The second line of a top domain: its code, reason and expired.
pub fn domain_details(domain: &TopDomain) -> String {
    let expired = (domain.expired > 0).then(|| format!("{} expired", thousands(domain.expired)));
    let parts: Vec<&str> =
        [domain.code.as_deref(), domain.reason.map(|r| r.as_str()), expired.as_deref()].into_iter().flatten().collect();
    parts.join(", ")
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
pub fn percent(ratio: f64) -> String {
    format!("{:.2}%", ratio * 100.0)
}

/// The delivery events of the rows: delivered, deferred, bounced.
fn sum_counts(rows: &[DomainRow]) -> [u64; 3] {
    rows.iter().fold([0; 3], |[a, b, c], r| [a + r.counts[0], b + r.counts[1], c + r.counts[2]])
}

/// The window and what was read.
fn inputs(page: &mut Page, overview: &Overview) {
    page.section("Window and inputs");
    if let Some(covers) = covers(overview) {
        page.line(&format!("  covers        {covers}"));
    }
    if let Some(window) = window(overview) {
        page.line(&format!("  window        {window}"));
    }
    page.line(&format!("  read          {}", read(overview)));
    if let Some(hosts) = hosts(overview) {
        page.line(&format!("  hosts         {hosts}"));
    }
}

/// How many hosts wrote the delivery events, and the first few by events:
/// `2: mx1 (94), mx2 (12)`, then how many events named no host; `None`
/// when no line named its host.
pub fn hosts(overview: &Overview) -> Option<String> {
    const NAMED: usize = 3;
    let (hosts, over, unnamed) = &overview.hosts;
    if hosts.is_empty() {
        return None;
    }
    let count = match over {
        true => format!("more than {}", thousands(hosts.len() as u64)),
        false => thousands(hosts.len() as u64),
    };
    let named: Vec<String> = hosts.iter().take(NAMED).map(|(name, n)| format!("{name} ({})", thousands(*n))).collect();
    let more = if hosts.len() > NAMED || *over { ", ..." } else { "" };
    let unnamed = match unnamed {
        0 => String::new(),
        n => format!("; no host named ({})", thousands(*n)),
    };
    Some(format!("{count}: {}{more}{unnamed}", named.join(", ")))
}

/// `2026-01-01 to 2026-01-02`, or the one day.
pub fn covers(overview: &Overview) -> Option<String> {
    overview
        .covers
        .as_ref()
        .map(|(first, last)| if first == last { first.clone() } else { format!("{first} to {last}") })
}

/// `--since` to `--until`.
pub fn window(overview: &Overview) -> Option<String> {
    overview.window.as_ref().map(|(since, until)| {
        let since = since.as_deref().unwrap_or("the start");
        let until = until.as_deref().unwrap_or("the end");
        format!("{since} to {until}")
    })
}

/// `1 input, 1,234 lines, 0 unparsed`.
pub fn read(overview: &Overview) -> String {
    format!(
        "{}, {}, {} unparsed",
        plural(overview.inputs, "input"),
        plural(overview.lines, "line"),
        thousands(overview.unparsed)
    )
}

/// The window's events against the previous period's, and the domains
/// whose bounce rate jumped: at least [`JUMP_EVENTS`] delivered and bounced
/// events in the window, a rate up by at least [`JUMP_POINTS`] points and
/// at least [`JUMP_FACTOR`] times the previous one (which must have had an
/// event); the biggest jump first (then by name), `top` of them.
fn change(domains: &[DomainRow], previous: &PreviousPeriod, top: usize) -> Change {
    let before_of: BTreeMap<&str, [u64; 3]> = previous.domains.iter().map(|(d, c)| (d.as_str(), *c)).collect();
    let sum =
        |rows: &mut dyn Iterator<Item = [u64; 3]>| rows.fold([0; 3], |[a, b, c], [x, y, z]| [a + x, b + y, c + z]);
    let now = sum(&mut domains.iter().map(|d| d.counts));
    let before = sum(&mut previous.domains.iter().map(|(_, c)| *c));
    let mut jumps: Vec<Jump> = domains
        .iter()
        .filter(|d| &*d.domain != super::OTHER)
        .filter_map(|d| {
            let [delivered, _, bounced] = d.counts;
            let [was_delivered, _, was_bounced] = *before_of.get(&*d.domain)?;
            let rate = bounce_rate(delivered, bounced)?;
            let before_rate = bounce_rate(was_delivered, was_bounced)?;
            let jump = Jump {
                domain: d.domain.to_string(),
                events: delivered + bounced,
                rate,
                before_events: was_delivered + was_bounced,
                before_rate,
            };
            // Rates are ratios of counts: a rule met exactly is met despite
            // rounding (0.2 - 0.1 is not exactly 0.1).
            const SLACK: f64 = 1e-9;
            let (points, doubled) = (jump.points() >= JUMP_POINTS - SLACK, rate >= JUMP_FACTOR * before_rate - SLACK);
            (jump.events >= JUMP_EVENTS && points && doubled).then_some(jump)
        })
        .collect();
    jumps.sort_by(|a, b| b.points().total_cmp(&a.points()).then_with(|| a.domain.cmp(&b.domain)));
    jumps.truncate(top);
    Change { label: previous.label, since: previous.since.clone(), until: previous.until.clone(), now, before, jumps }
}

/// A change in a count: `+12`, `-3`, `0`.
pub fn signed(now: u64, before: u64) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("+{}", thousands(now - before)),
        std::cmp::Ordering::Less => format!("-{}", thousands(before - now)),
        std::cmp::Ordering::Equal => "0".to_string(),
    }
}

/// A change in a rate, in percentage points: `+2.10 points`.
pub fn points(now: f64, before: f64) -> String {
    format!("{:+.2} points", (now - before) * 100.0)
}

/// The rows of the change table: label, now, before, change.
pub fn change_rows(change: &Change) -> Vec<[String; 4]> {
    let mut rows: Vec<[String; 4]> = ["delivered", "deferred", "bounced"]
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let (now, before) = (change.now[i], change.before[i]);
            [label.to_string(), thousands(now), thousands(before), signed(now, before)]
        })
        .collect();
    let rate = |c: [u64; 3]| bounce_rate(c[0], c[2]);
    let (now, before) = (rate(change.now), rate(change.before));
    let cell = |r: Option<f64>| r.map(percent).unwrap_or_default();
    let diff = match (now, before) {
        (Some(n), Some(b)) => points(n, b),
        _ => String::new(),
    };
    rows.push(["bounce rate".to_string(), cell(now), cell(before), diff]);
    rows
}

/// What the bounce rates of the change compare.
pub const CHANGE_RATE: &str = "bounce rate: bounced over delivered and bounced events";

fn write_change(page: &mut Page, change: &Change) {
    page.section(&format!("Change against the {}", change.label));
    page.line(&format!("  {:<14}{} to {}", change.label, change.since, change.until));
    page.line(&format!("  {:<14}{:>12}{:>12}{:>16}", "", "window", "previous", "change"));
    for [label, now, before, diff] in change_rows(change) {
        page.line(&format!("  {label:<14}{now:>12}{before:>12}{diff:>16}"));
    }
    page.line(&format!("  ({CHANGE_RATE})"));
}

/// Recipients by final outcome (the `messages` rows added up).
fn recipients(rows: &[MessageRow]) -> Recipients {
    let sum = |f: fn(&MessageRow) -> u64| rows.iter().map(f).sum::<u64>();
    let (delivered, bounced, expired) = (sum(|r| r.delivered), sum(|r| r.bounced), sum(|r| r.expired));
    Recipients {
        recipients: sum(|r| r.recipients),
        delivered,
        bounced,
        expired,
        discarded: sum(|r| r.discarded),
        pending: sum(|r| r.pending),
        rate: bounce_rate(delivered, bounced + expired),
    }
}

fn write_recipients(page: &mut Page, r: &Recipients) {
    page.section("Recipients, by final outcome");
    page.count("recipients", r.recipients);
    page.count("delivered", r.delivered);
    page.count("bounced", r.bounced);
    page.count("expired", r.expired);
    if r.discarded > 0 {
        page.count("discarded", r.discarded);
    }
    page.count("pending", r.pending);
    page.rate(r.rate);
}

/// The senders with the most recipients bounced or expired, `n` of them
/// (the `senders` rows are in that order).
fn top_senders(rows: &[super::PerSender], n: usize) -> Vec<TopSender> {
    rows.iter()
        .map(|super::PerSender(row)| row)
        .filter(|row| row.failed() > 0 && row.name != UNKNOWN)
        .take(n)
        .map(|row| TopSender {
            sender: row.name.clone(),
            failed: row.failed(),
            recipients: row.recipients(),
            reason: row.top_reason,
        })
        .collect()
}

/// `12 messages, 45,678 bytes, 1.75 recipients per message`, the bytes of
/// those that logged a size (said when not all did), as the summary says.
pub fn volume(volume: &Volume) -> String {
    if volume.messages == 0 {
        return "no message (no qmgr from=<...> or Exim <= line read)".to_string();
    }
    let sized = match volume.sized == volume.messages {
        true => String::new(),
        false => format!(" (of the {} that logged a size)", thousands(volume.sized)),
    };
    format!(
        "{}, {}{sized}, {:.2} recipients per message",
        plural(volume.messages, "message"),
        plural(volume.bytes, "byte"),
        volume.recipients as f64 / volume.messages as f64,
    )
}

/// What the top senders list counts.
pub const TOP_SENDERS: &str = "Top senders whose mail bounced (recipients bounced or expired)";

/// `of 6 recipients, userunknown`.
pub fn sender_details(sender: &TopSender) -> String {
    let reason = sender.reason.map(|r| format!(", {r}")).unwrap_or_default();
    format!("of {}{reason}", plural(sender.recipients, "recipient"))
}

fn write_senders(page: &mut Page, senders: &Senders) {
    page.section("Senders");
    page.line(&format!("  received      {}", volume(&senders.volume)));
    if senders.top.is_empty() {
        return;
    }
    page.line(&format!("  {TOP_SENDERS}:"));
    for sender in &senders.top {
        page.line(&format!("  {:>9}  {}", thousands(sender.failed), sender.sender));
        page.line(&format!("             {}", sender_details(sender)));
    }
}

/// Bounced events by bounce type (the `reasons` rows added up); empty when
/// none bounced.
fn bounce_types(reasons: &[ReasonRow]) -> Vec<(BounceType, u64)> {
    let types = [BounceType::Hard, BounceType::Soft, BounceType::Block, BounceType::Undetermined];
    let counts: Vec<(BounceType, u64)> =
        types.iter().map(|&t| (t, reasons.iter().filter(|r| r.bounce_type == t).map(|r| r.bounced).sum())).collect();
    if counts.iter().all(|&(_, n)| n == 0) { Vec::new() } else { counts }
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

/// The reasons with the most bounces.
fn top_reasons(reasons: &[ReasonRow]) -> Vec<TopReason> {
    let mut top = by_reason(reasons, |r| r.bounced > 0);
    top.sort_by(|a, b| b.1[1].cmp(&a.1[1]).then(a.0.cmp(&b.0)));
    top.into_iter()
        .take(TOP_REASONS)
        .map(|((reason, kind), [_, bounced])| TopReason { reason, kind, bounced })
        .collect()
}

/// The domains with the most bounced plus expired, or deferred, events,
/// with their top code and reason (and how many expired).
fn top_domains(reports: &Reports, outcome: Outcome, n: usize) -> Vec<TopDomain> {
    let bounces = outcome == Outcome::Bounced;
    let count = |d: &DomainRow| if bounces { d.counts[2] + d.expired } else { d.counts[1] };
    let mut top: Vec<&DomainRow> = reports.domains.iter().filter(|d| count(d) > 0).collect();
    // The domains rows are in their report's order; ties keep it.
    top.sort_by_key(|d| std::cmp::Reverse(count(d)));
    top.into_iter()
        .take(n)
        .map(|domain| {
            let code = if bounces { &domain.top_bounce } else { &domain.top_deferral };
            let reason = reports
                .reasons
                .iter()
                .filter(|r| r.domain == domain.domain)
                .map(|r| (if bounces { r.bounced } else { r.deferred }, r.reason))
                .filter(|&(n, _)| n > 0)
                .min_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            TopDomain {
                domain: domain.domain.to_string(),
                count: count(domain),
                code: code.clone(),
                reason: reason.map(|(_, r)| r),
                expired: if bounces { domain.expired } else { 0 },
            }
        })
        .collect()
}

fn write_domains(page: &mut Page, title: &str, top: &[TopDomain]) {
    if top.is_empty() {
        return;
    }
    page.section(title);
    for domain in top {
        page.line(&format!("  {:>9}  {}", thousands(domain.count), domain.domain));
        let details = domain_details(domain);
        if !details.is_empty() {
            page.line(&format!("             {details}"));
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

/// The domains that accept no mail, with their events, most first.
fn null_mx(codes: &[CodeRow]) -> Vec<(String, u64)> {
    let mut null_mx: BTreeMap<&str, u64> = BTreeMap::new();
    for row in codes.iter().filter(|r| is_null_mx(r)) {
        *null_mx.entry(&row.domain).or_default() += row.count;
    }
    let mut named: Vec<(String, u64)> = null_mx.into_iter().map(|(d, n)| (d.to_string(), n)).collect();
    named.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    named
}

/// What the sending side must act on: block-type failures, domains that
/// accept no mail, recipients given up on.
fn attention(page: &mut Page, events: &Events, flags: &[(String, &'static str)]) {
    let expired = events.totals.expired;
    let jumps = events.change.as_ref().map_or(&[][..], |c| &c.jumps[..]);
    if events.blocks.is_empty() && events.null_mx.is_empty() && expired == 0 && jumps.is_empty() && flags.is_empty() {
        return;
    }
    page.section("Needs attention");
    if !events.blocks.is_empty() {
        page.line(&format!("  {BLOCKS}:"));
        for (reason, [deferred, bounced]) in &events.blocks {
            page.line(&format!(
                "  {:>9}  {} ({} bounced, {} deferred)",
                thousands(bounced + deferred),
                reason.as_str(),
                thousands(*bounced),
                thousands(*deferred)
            ));
        }
    }
    if !events.null_mx.is_empty() {
        page.line(&format!("  {NULL_MX}: {}", events.null_mx.len()));
        for (domain, n) in events.null_mx.iter().take(NULL_MX_NAMED) {
            page.line(&format!("  {:>9}  {domain}", thousands(*n)));
        }
        if events.null_mx.len() > NULL_MX_NAMED {
            page.line(&format!("             and {} more", thousands((events.null_mx.len() - NULL_MX_NAMED) as u64)));
        }
    }
    if !jumps.is_empty() {
        page.line(&format!("  {JUMPS}:"));
        for jump in jumps {
            page.line(&format!("  {:>9}  {}", format!("{:+.2}", jump.points()), jump_details(jump)));
        }
    }
    if expired > 0 {
        page.line(&format!("  Expired: {} given up on after retrying", plural(expired, "recipient")));
    }
    write_flags(page, flags);
}

/// What the summary flags: what, then what to do, indented.
fn write_flags(page: &mut Page, flags: &[(String, &'static str)]) {
    for (what, advice) in flags {
        page.wrapped(2, &format!("{what}:"));
        page.wrapped(4, advice);
    }
}

/// `example.com: 9.09% of 22 to 60.00% of 25`.
pub fn jump_details(jump: &Jump) -> String {
    format!(
        "{}: {} of {} to {} of {}",
        jump.domain,
        percent(jump.before_rate),
        thousands(jump.before_events),
        percent(jump.rate),
        thousands(jump.events)
    )
}

/// The outcomes per day, or per hour when the input covers one day.
fn periods(page: &mut Page, (title, rows): &(&'static str, Vec<PeriodRow>)) {
    if rows.is_empty() {
        return;
    }
    page.section(title);
    page.line(&format!("  {:<16}{:>12}{:>12}{:>12}{:>12}", "period", "delivered", "deferred", "bounced", "rate"));
    for row in rows {
        let [delivered, deferred, bounced] = row.counts;
        let rate = period_rate(row).map(percent).unwrap_or_default();
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

    /// The jump rule at its edges: 20 delivered and bounced events (19 is
    /// too few), up 10 points (9.99 is too little), at least doubled, a
    /// previous rate to compare with; the biggest jump first, `top` of them.
    #[test]
    fn a_jump_needs_events_points_and_doubling() {
        let row = |domain: &str, delivered: u64, bounced: u64| DomainRow {
            domain: domain.into(),
            counts: [delivered, 5, bounced],
            expired: 0,
            top_bounce: None,
            top_deferral: None,
        };
        // Delivered and bounced now, and before.
        type Case = (&'static str, [u64; 2], Option<[u64; 2]>, bool);
        let cases: [Case; 10] = [
            // domain, now (delivered, bounced), before, a jump?
            ("twenty.example", [16, 4], Some([100, 0]), true),
            ("nineteen.example", [15, 4], Some([100, 0]), false),
            ("ten-points.example", [80, 20], Some([90, 10]), true),
            ("thirty-from-twenty.example", [70, 30], Some([80, 20]), false),
            ("exactly-doubled.example", [70, 30], Some([85, 15]), true),
            ("short-of-ten.example", [8001, 1999], Some([9000, 1000]), false),
            ("not-doubled.example", [50, 50], Some([65, 35]), false),
            ("new.example", [0, 40], None, false),
            ("no-rate-before.example", [0, 40], Some([0, 0]), false),
            ("all-bounced.example", [0, 40], Some([10, 10]), true),
        ];
        let domains: Vec<DomainRow> = cases.iter().map(|(d, [del, b], _, _)| row(d, *del, *b)).collect();
        let previous = PreviousPeriod {
            label: "previous day",
            domains: cases
                .iter()
                .filter_map(|(d, _, before, _)| before.map(|[del, b]| (d.to_string(), [del, 3, b])))
                .collect(),
            ..PreviousPeriod::default()
        };
        let change = change(&domains, &previous, 10);
        let jumps: Vec<&str> = change.jumps.iter().map(|j| j.domain.as_str()).collect();
        // 50 points, then 20, then 15, then 10.
        assert_eq!(jumps, ["all-bounced.example", "twenty.example", "exactly-doubled.example", "ten-points.example"]);
        for (domain, _, _, jump) in cases {
            assert_eq!(jumps.contains(&domain), jump, "{domain}");
        }
        assert_eq!(change.now[1], 50, "deferred added up");
        // Before: delivered 100 + 100 + 90 + 80 + 85 + 9,000 + 65 + 10,
        // deferred 3 for each of the nine, bounced 10 + 20 + 15 + 1,000 + 35
        // + 10.
        assert_eq!(change.before, [9_530, 27, 1_090]);
        let top = super::change(&domains, &previous, 2);
        assert_eq!(top.jumps.len(), 2);
    }

    #[test]
    fn no_event_gives_a_short_page_that_says_so() {
        let lines = lines(&build(&Reports::default(), &Facts::default()));
        assert!(lines.len() < 10, "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("No delivery event")), "{lines:?}");
    }
}
