//! Reports: the tally turned into sorted rows of typed cells.
//!
//! [`Reports::build`] fixes the rows and their order once (sorting makes the
//! output independent of threads). Each report's module says what its rows
//! hold: its columns and cells ([`table::Row`]); how they are written is the
//! `format` stage's business.

mod codes;
mod domains;
mod mask;
pub mod overview;
mod periods;
mod problems;
mod reasons;
mod recipients;
mod rejects;
mod senders;
pub mod table;

use std::sync::Arc;

use crate::config::ReportKind;
use crate::messages::{MessageRow, Outcomes};
use crate::parse::{Enhanced, Note, Stage};
use crate::tally::{CodeCount, DomainTally, ReasonCount, Tally};
use crate::time::Period;

pub use codes::CodeRow;
pub use domains::{DomainRow, OTHER};
pub use mask::mask_addresses;
pub use periods::PeriodRow;
pub use problems::ProblemRow;
pub use reasons::ReasonRow;
pub use recipients::{RecipientOptions, RecipientRow, hashed_recipient, keyed_hash, listed};
pub use rejects::RejectRow;
pub use senders::{PerSender, PerSenderDomain};

/// Every report's rows, in output order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reports {
    /// Rows of the `domains` report.
    pub domains: Vec<DomainRow>,
    /// Rows of the `codes` report.
    pub codes: Vec<CodeRow>,
    /// Rows of the `reasons` report.
    pub reasons: Vec<ReasonRow>,
    /// Rows of the `daily` report (empty when times were not read).
    pub daily: Vec<PeriodRow>,
    /// Rows of the `hourly` report (empty when times were not read).
    pub hourly: Vec<PeriodRow>,
    /// Rows of the `messages` report (empty unless messages were followed).
    pub messages: Vec<MessageRow>,
    /// Rows of the `recipients` report (empty unless messages were followed).
    pub recipients: Vec<RecipientRow>,
    /// Rows of the `senders` report (empty unless senders were followed).
    pub senders: Vec<PerSender>,
    /// Rows of the `sender-domains` report (empty unless senders were
    /// followed).
    pub sender_domains: Vec<PerSenderDomain>,
    /// Rows of the `rejects` report (empty unless it was asked for).
    pub rejects: Vec<RejectRow>,
    /// Rows of the `problems` report (empty unless it was asked for).
    pub problems: Vec<ProblemRow>,
    /// The content of the `overview` report (`None` unless it was asked for).
    pub overview: Option<overview::Overview>,
}

impl Reports {
    /// Builds the rows from a tally. Its domain names are already spelled
    /// as the reports write them ([`crate::parse::domain::normalize`]).
    pub fn build(tally: &Tally) -> Reports {
        Reports::build_for(tally, &ReportKind::ALL)
    }

    /// Builds the rows of the line-level reports among `kinds` (the others
    /// stay empty): the domains and codes rows side by side when the
    /// current rayon pool has a second thread.
    pub fn build_for(tally: &Tally, kinds: &[ReportKind]) -> Reports {
        let wants = |kind: ReportKind| kinds.contains(&kind);
        let reasons_wanted = wants(ReportKind::Reasons);
        let group = |d: &DomainTally<'_>| Group {
            name: text_name(d.name),
            outcomes: d.outcomes,
            codes: d.codes().collect(),
            reasons: if reasons_wanted { d.reasons() } else { Vec::new() },
        };
        let mut groups: Vec<Group> = tally.domains().map(|d| group(&d)).collect();
        groups.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        // The domains beyond the cap: last in every report, whatever their counts.
        let other: Vec<Group> = tally.other().map(|o| group(&o)).into_iter().collect();
        let (domains, (codes, reasons)) = rayon::join(
            || rows_if(wants(ReportKind::Domains), || [domains::rows(&groups), domains::rows(&other)]),
            || {
                rayon::join(
                    || rows_if(wants(ReportKind::Codes), || [codes::rows(&groups), codes::rows(&other)]),
                    || rows_if(reasons_wanted, || [reasons::rows(&groups), reasons::rows(&other)]),
                )
            },
        );
        Reports {
            domains,
            codes,
            reasons,
            daily: if wants(ReportKind::Daily) { period_rows(tally, Period::Day) } else { Vec::new() },
            hourly: if wants(ReportKind::Hourly) { period_rows(tally, Period::Hour) } else { Vec::new() },
            messages: Vec::new(),
            recipients: Vec::new(),
            senders: Vec::new(),
            sender_domains: Vec::new(),
            rejects: Vec::new(),
            problems: Vec::new(),
            overview: None,
        }
    }

    /// Adds the rows of the `rejects` and `problems` reports among `kinds`
    /// (their times in zone `tz`).
    pub fn add_refusals_and_problems(&mut self, tally: &Tally, kinds: &[ReportKind], tz: &jiff::tz::TimeZone) {
        if kinds.contains(&ReportKind::Rejects) {
            self.rejects = rejects::rows(tally.refusals());
        }
        if kinds.contains(&ReportKind::Problems) {
            self.problems = problems::rows(tally.problems(), tz);
        }
    }

    /// Adds the message-level rows of the reports among `kinds` (per domain,
    /// and the suppression list),
    /// and to the `domains` rows the recipients expired in the queue, which
    /// only the message layer can tell (a Postfix expiry names no
    /// recipient). The `messages` report folds into `(other)` the domains
    /// that `tally` folded (by its memory cap or its cut to the biggest), so
    /// it names the same domains as the line-level reports, and so do the
    /// expired recipients added to `domains`; the suppression list keeps
    /// every address with its own domain.
    pub fn add_messages(
        &mut self,
        outcomes: &Outcomes,
        options: &RecipientOptions,
        tally: &Tally,
        kinds: &[ReportKind],
    ) {
        if kinds.contains(&ReportKind::Messages) {
            self.messages = if tally.other().is_some() {
                outcomes.domain_rows_keeping(|domain| tally.keeps(domain))
            } else {
                outcomes.domain_rows()
            };
        }
        if kinds.contains(&ReportKind::Recipients) {
            self.recipients = recipients::rows(outcomes, options);
        }
        if let Some(table) = outcomes.senders() {
            if kinds.contains(&ReportKind::Senders) {
                self.senders = senders::sender_rows(table, options.hash_key.as_deref());
            }
            if kinds.contains(&ReportKind::SenderDomains) {
                self.sender_domains = senders::sender_domain_rows(table);
            }
        }
        domains::add_expired_in_queue(&mut self.domains, outcomes.expired_in_queue());
    }

    /// Writes the overview from the rows built so far and `facts`
    /// ([`overview::build`]): the last step, after every row is added and
    /// masked.
    pub fn add_overview(&mut self, facts: &overview::Facts) {
        self.overview = Some(overview::build(self, facts));
    }

    /// Replaces every address in the texts taken from the log (the
    /// `reasons` examples, the `recipients` last replies) by its keyed hash
    /// (see [`mask_addresses`]).
    pub fn mask_addresses(&mut self, key: &[u8]) {
        for row in &mut self.reasons {
            if let std::borrow::Cow::Owned(masked) = mask_addresses(&row.example, key) {
                row.example = masked.into();
            }
        }
        for row in &mut self.recipients {
            if let std::borrow::Cow::Owned(masked) = mask_addresses(&row.last_reply, key) {
                row.last_reply = masked;
            }
        }
        for row in &mut self.rejects {
            if let std::borrow::Cow::Owned(masked) = mask_addresses(&row.example, key) {
                row.example = masked;
            }
        }
        for row in &mut self.problems {
            if let std::borrow::Cow::Owned(masked) = mask_addresses(&row.example, key) {
                row.example = masked;
            }
        }
    }
}

/// The columns of a report, as its rows declare them.
pub fn columns(kind: ReportKind) -> &'static [table::Column] {
    use table::Row;
    match kind {
        ReportKind::Domains => DomainRow::COLUMNS,
        ReportKind::Codes => CodeRow::COLUMNS,
        ReportKind::Reasons => ReasonRow::COLUMNS,
        ReportKind::Daily | ReportKind::Hourly => PeriodRow::COLUMNS,
        ReportKind::Messages => MessageRow::COLUMNS,
        ReportKind::Recipients => RecipientRow::COLUMNS,
        ReportKind::Senders => PerSender::COLUMNS,
        ReportKind::SenderDomains => PerSenderDomain::COLUMNS,
        ReportKind::Rejects => RejectRow::COLUMNS,
        ReportKind::Problems => ProblemRow::COLUMNS,
        ReportKind::Overview => &[],
    }
}

/// A report's header line, without the line end: `domain,total,...`.
pub fn header(kind: ReportKind) -> String {
    columns(kind).iter().map(|c| c.name).collect::<Vec<_>>().join(",")
}

/// The rows of a report when it is wanted: those of the domains, then those
/// of `(other)`.
fn rows_if<T>(wanted: bool, rows: impl FnOnce() -> [Vec<T>; 2]) -> Vec<T> {
    if !wanted {
        return Vec::new();
    }
    let [mut rows, other] = rows();
    rows.extend(other);
    rows
}

fn period_rows(tally: &Tally, period: Period) -> Vec<PeriodRow> {
    tally.periods(period).into_iter().map(|(period, counts)| PeriodRow { period, counts }).collect()
}

/// What identifies a reply's meaning: basic code, enhanced code, note, and
/// the stage for the codes whose meaning depends on it.
type Meaning = (Option<u16>, Option<Enhanced>, Note, Option<Stage>);

/// A domain's counts under its name as text.
struct Group {
    name: Arc<str>,
    outcomes: [u64; 3],
    codes: Vec<CodeCount>,
    reasons: Vec<ReasonCount>,
}

/// The label of a (code, enhanced, note) combination in `top_bounce` and `top_deferral`:
/// `550 5.1.1`, `5.4.4`, `5.1.0 null MX`, `null MX`,
/// `550 5.1.10 recipient not found`, `unrouteable` (Exim's `Unrouteable
/// address`), or `no code`.
fn failure_label(code: Option<u16>, enhanced: Option<Enhanced>, note: Note) -> String {
    use std::fmt::Write as _;
    let mut label = String::new();
    let mut part = |text: std::fmt::Arguments<'_>| {
        let space = if label.is_empty() { "" } else { " " };
        write!(label, "{space}{text}").expect("writing to a String cannot fail");
    };
    if let Some(code) = code {
        part(format_args!("{code}"));
    }
    if let Some(enhanced) = enhanced {
        part(format_args!("{enhanced}"));
    }
    if let Some(note) = note.label() {
        part(format_args!("{note}"));
    }
    if label.is_empty() { "no code".to_string() } else { label }
}

/// A domain as text. Normalized names are UTF-8 already
/// ([`crate::parse::domain::normalize`]); other bytes would become U+FFFD.
fn text_name(bytes: &[u8]) -> Arc<str> {
    Arc::from(String::from_utf8_lossy(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spellings of one domain are one row: case (ASCII or not), the
    /// ASCII form of an IDN, bytes that are not UTF-8 (U+FFFD), and no
    /// domain at all (`(local)`).
    #[test]
    fn spellings_of_one_domain_are_counted_together() {
        use crate::parse::{Event, Outcome};
        let mut worker = crate::worker::Worker::default();
        for (domain, outcome) in [
            (&b"a\xff.example"[..], Outcome::Delivered),
            (b"a\xfe.example", Outcome::Bounced),
            ("\u{dc}BER.example".as_bytes(), Outcome::Bounced),
            ("\u{fc}ber.example".as_bytes(), Outcome::Deferred),
            (b"xn--ber-goa.example.", Outcome::Deferred),
            (b"plain.example", Outcome::Delivered),
            (b"", Outcome::Delivered),
        ] {
            worker.record(0, &Event::new(domain, outcome, Some(550), None));
        }
        let reports = Reports::build(worker.tally());
        let rows: Vec<(&str, [u64; 3])> = reports.domains.iter().map(|r| (&*r.domain, r.counts)).collect();
        assert_eq!(
            rows,
            [
                ("\u{fc}ber.example", [0, 2, 1]),
                ("a\u{fffd}.example", [1, 0, 1]),
                ("(local)", [1, 0, 0]),
                ("plain.example", [1, 0, 0])
            ]
        );
        let codes: Vec<(&str, u64)> = reports.codes.iter().map(|r| (&*r.domain, r.count)).collect();
        assert_eq!(codes.len(), 6, "{codes:?}");
    }

    /// The spellings of one domain also have their code and reason rows
    /// added up: one row per (status, codes, reason), with the summed count,
    /// and in `reasons` the example that sorts first. Worked out by hand.
    #[test]
    fn names_equal_as_text_have_their_codes_and_reasons_combined() {
        use crate::classify::{BounceType, Reason};
        use crate::parse::{Event, Outcome, enhanced_at};
        let mut worker = crate::worker::Worker::default();
        let upper = "\u{dc}BER.example".as_bytes();
        let lower = "\u{fc}ber.example".as_bytes();
        let events = [
            (upper, Outcome::Bounced, 550, "5.1.1", "host x said: 550 5.1.1 user unknown b"),
            (lower, Outcome::Bounced, 550, "5.1.1", "host x said: 550 5.1.1 user unknown a"),
            (lower, Outcome::Bounced, 550, "5.1.1", "host x said: 550 5.1.1 user unknown c"),
            (upper, Outcome::Deferred, 452, "4.2.2", "host x said: 452 4.2.2 mailbox full"),
            (lower, Outcome::Deferred, 452, "4.2.2", "host x said: 452 4.2.2 mailbox full"),
            (upper, Outcome::Delivered, 250, "2.0.0", "250 2.0.0 ok"),
        ];
        for (domain, outcome, code, enhanced, text) in events {
            let event = Event {
                text: text.as_bytes(),
                reply: text.as_bytes(),
                ..Event::new(domain, outcome, Some(code), enhanced_at(enhanced.as_bytes()))
            };
            worker.record(0, &event);
        }
        let reports = Reports::build(worker.tally());
        let codes: Vec<(Outcome, Option<u16>, u64)> =
            reports.codes.iter().map(|r| (r.outcome, r.code, r.count)).collect();
        assert_eq!(
            codes,
            [(Outcome::Delivered, Some(250), 1), (Outcome::Deferred, Some(452), 2), (Outcome::Bounced, Some(550), 3)]
        );
        assert!(reports.codes.iter().all(|r| &*r.domain == "\u{fc}ber.example"));
        let reasons: Vec<(Reason, BounceType, u64, u64, &str)> =
            reports.reasons.iter().map(|r| (r.reason, r.bounce_type, r.deferred, r.bounced, &*r.example)).collect();
        assert_eq!(
            reasons,
            [
                (Reason::UserUnknown, BounceType::Hard, 0, 3, "host x said: 550 5.1.1 user unknown a"),
                (Reason::MailboxFull, BounceType::Soft, 2, 0, "host x said: 452 4.2.2 mailbox full"),
            ]
        );
        assert_eq!(reports.domains[0].top_bounce.as_deref(), Some("550 5.1.1"));
    }
}
