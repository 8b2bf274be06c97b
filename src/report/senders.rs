//! The sender reports: `senders`, one row per envelope sender, and
//! `sender-domains`, one row per sender domain, each counting the
//! recipients of the sender's messages by final outcome (from the message
//! layer's per-sender sums, [`crate::messages::SenderTable`]).
//!
//! Rows are sorted by failed recipients (bounced + expired, descending),
//! recipients (descending), then name; the row of the recipients whose
//! message had no sender line in the input, `(unknown)`, comes last.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::keyed_hash;
use super::table::{Cell, Column, Row, bounce_rate};
use crate::messages::{NULL_SENDER, SenderSums, SenderTable, UNKNOWN, sender_domain};

/// One row of the `senders` or `sender-domains` report.
#[derive(Clone, Debug, PartialEq)]
pub struct SenderRow {
    /// The sender (its keyed hash with `--hash-recipients`), `<>` for the
    /// null sender, `(unknown)`; or, in `sender-domains`, the sender domain.
    pub name: String,
    /// In `senders`: the sender's domain (`<>`, `(local)`, `(unknown)`).
    /// In `sender-domains`: unused (empty).
    pub domain: String,
    /// In `sender-domains`: the distinct senders of the domain.
    pub senders: u64,
    /// Recipients by final outcome, in [`crate::messages::FinalOutcome`] order.
    pub counts: [u64; 5],
    /// Deferred lines of these recipients.
    pub deferred_attempts: u64,
    /// The most frequent reason of the bounced and expired recipients.
    pub top_reason: Option<&'static str>,
}

impl SenderRow {
    fn of(name: String, domain: String, senders: u64, sums: &SenderSums) -> SenderRow {
        SenderRow {
            name,
            domain,
            senders,
            counts: sums.counts,
            deferred_attempts: sums.deferred,
            top_reason: sums.top_reason().map(|r| r.as_str()),
        }
    }

    /// Its recipients.
    pub fn recipients(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Its recipients bounced or expired.
    pub fn failed(&self) -> u64 {
        self.counts[1] + self.counts[2]
    }

    fn counted_cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        let [delivered, bounced, expired, discarded, pending] = self.counts;
        out.extend([
            Cell::Count(self.recipients()),
            Cell::Count(delivered),
            Cell::Count(bounced),
            Cell::Count(expired),
            Cell::Count(discarded),
            Cell::Count(pending),
            Cell::Count(self.deferred_attempts),
            // An expiry is a failure as final as a bounce.
            Cell::Ratio(bounce_rate(delivered, bounced + expired)),
            Cell::Text(self.top_reason.unwrap_or("")),
        ]);
    }
}

/// The columns both reports share, after their first ones.
macro_rules! counted_columns {
    ($($first:expr),*) => {
        &[
            $($first,)*
            Column { name: "recipients", about: "recipients of the sender's messages, each counted once" },
            Column { name: "delivered", about: "recipients delivered" },
            Column { name: "bounced", about: "recipients bounced" },
            Column { name: "expired", about: "recipients whose message was returned after retrying too long" },
            Column { name: "discarded", about: "recipients a content filter on this host discarded or quarantined" },
            Column { name: "pending", about: "recipients still deferred at the end of the input" },
            Column { name: "deferred_attempts", about: "deferred lines of these recipients" },
            Column {
                name: "bounce_rate",
                about: "(bounced + expired) / (delivered + bounced + expired); empty when all are 0",
            },
            Column { name: "top_bounce_reason", about: "the most frequent reason of the bounced and expired recipients" },
        ]
    };
}

/// A row of the `senders` report.
#[derive(Clone, Debug, PartialEq)]
pub struct PerSender(pub SenderRow);

/// A row of the `sender-domains` report.
#[derive(Clone, Debug, PartialEq)]
pub struct PerSenderDomain(pub SenderRow);

impl Row for PerSender {
    const COLUMNS: &'static [Column] = counted_columns!(
        Column {
            name: "sender",
            about: "envelope sender (its domain lower-cased), or its keyed hash; <> null sender; (unknown) no sender line",
        },
        Column { name: "sender_domain", about: "the sender's domain: <> for the null sender, (local) without one" }
    );

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([Cell::Logged(&self.0.name), Cell::Logged(&self.0.domain)]);
        self.0.counted_cells(out);
    }
}

impl Row for PerSenderDomain {
    const COLUMNS: &'static [Column] = counted_columns!(
        Column {
            name: "sender_domain",
            about: "envelope sender domain: <> null sender, (local) none, (unknown) no sender line",
        },
        Column { name: "senders", about: "distinct senders of the domain" }
    );

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([Cell::Logged(&self.0.name), Cell::Count(self.0.senders)]);
        self.0.counted_cells(out);
    }
}

/// Sorts rows (see the module doc): `(unknown)` last.
fn sort(rows: &mut [SenderRow]) {
    rows.sort_unstable_by(|a, b| {
        (a.name == UNKNOWN, b.failed(), b.recipients(), &a.name)
            .cmp(&(b.name == UNKNOWN, a.failed(), a.recipients(), &b.name))
            .then_with(|| {
                (a.counts, a.deferred_attempts, a.top_reason).cmp(&(b.counts, b.deferred_attempts, b.top_reason))
            })
    });
}

/// The rows of the `senders` report. With `hash_key`, each address is
/// replaced by its keyed hash ([`keyed_hash`]); the null sender is none.
pub fn sender_rows(table: &SenderTable, hash_key: Option<&[u8]>) -> Vec<PerSender> {
    let mut rows: Vec<SenderRow> = table
        .iter()
        .map(|(sender, sums)| {
            let (name, domain) = match sender {
                None => (UNKNOWN.to_string(), UNKNOWN.to_string()),
                Some(b"") => (NULL_SENDER.to_string(), NULL_SENDER.to_string()),
                Some(sender) => {
                    let name = match hash_key {
                        Some(key) => keyed_hash(key, sender),
                        None => String::from_utf8_lossy(sender).into_owned(),
                    };
                    (name, String::from_utf8_lossy(sender_domain(sender)).into_owned())
                }
            };
            SenderRow::of(name, domain, 0, sums)
        })
        .collect();
    // Two addresses that are not valid UTF-8 may read alike: sorting then
    // falls to their counts, and rows alike in every cell are alike.
    sort(&mut rows);
    rows.into_iter().map(PerSender).collect()
}

/// The rows of the `sender-domains` report: the senders' sums added up per
/// sender domain ([`sender_domain`]).
pub fn sender_domain_rows(table: &SenderTable) -> Vec<PerSenderDomain> {
    let mut domains: HashMap<&[u8], (u64, SenderSums), RandomState> = HashMap::default();
    for (sender, sums) in table.iter() {
        let domain = sender.map_or(UNKNOWN.as_bytes(), sender_domain);
        let (senders, total) = domains.entry(domain).or_default();
        *senders += u64::from(sender.is_some());
        total.absorb(sums);
    }
    let mut rows: Vec<SenderRow> = domains
        .into_iter()
        .map(|(domain, (senders, sums))| {
            SenderRow::of(String::from_utf8_lossy(domain).into_owned(), String::new(), senders, &sums)
        })
        .collect();
    sort(&mut rows);
    rows.into_iter().map(PerSenderDomain).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{BounceType, Reason};
    use crate::messages::{FinalOutcome, Outcomes, RecipientState};

    fn state(sender: Option<&str>, outcome: FinalOutcome) -> RecipientState {
        let reason = if outcome == FinalOutcome::Bounced { Reason::UserUnknown } else { Reason::Delivered };
        RecipientState {
            sender: sender.map(|s| s.as_bytes().into()),
            reason,
            ..RecipientState::for_test("u@r.example", outcome, BounceType::Hard, (0, 1), 1)
        }
    }

    fn table(states: Vec<RecipientState>) -> Outcomes {
        let mut outcomes = Outcomes::default().with_senders();
        outcomes.add(states);
        outcomes
    }

    /// Rows by failures, then recipients (descending), then name;
    /// `(unknown)` last whatever its counts; the null sender as `<>`; the
    /// domains added up, each sender counted once. Worked out by hand.
    #[test]
    fn rows_sorted_and_added_up_per_domain() {
        use FinalOutcome::{Bounced as B, Delivered as D};
        let outcomes = table(vec![
            state(None, B),
            state(None, B),
            state(None, B),
            state(Some("b@y.example"), D),
            state(Some("a@y.example"), D),
            state(Some("c@x.example"), B),
            state(Some("c@x.example"), D),
            state(Some("d@x.example"), D),
            state(Some("d@x.example"), D),
            state(Some(""), D),
        ]);
        let senders = outcomes.senders().unwrap();
        let rows: Vec<(String, String, u64, u64)> = sender_rows(senders, None)
            .into_iter()
            .map(|PerSender(r)| (r.name.clone(), r.domain.clone(), r.recipients(), r.failed()))
            .collect();
        let want = [
            ("c@x.example", "x.example", 2, 1),
            ("d@x.example", "x.example", 2, 0),
            ("<>", "<>", 1, 0),
            ("a@y.example", "y.example", 1, 0),
            ("b@y.example", "y.example", 1, 0),
            ("(unknown)", "(unknown)", 3, 3),
        ];
        let want: Vec<(String, String, u64, u64)> =
            want.iter().map(|&(s, d, n, f)| (s.to_string(), d.to_string(), n, f)).collect();
        assert_eq!(rows, want);
        let domains: Vec<(String, u64, u64, Option<&str>)> = sender_domain_rows(senders)
            .into_iter()
            .map(|PerSenderDomain(r)| (r.name.clone(), r.senders, r.recipients(), r.top_reason))
            .collect();
        assert_eq!(
            domains,
            [
                ("x.example".to_string(), 2, 4, Some("userunknown")),
                ("y.example".to_string(), 2, 2, None),
                ("<>".to_string(), 1, 1, None),
                ("(unknown)".to_string(), 0, 3, Some("userunknown")),
            ]
        );
        // Hashed: the address, not the null sender nor (unknown); the
        // domain stays.
        let hashed = sender_rows(senders, Some(b"k"));
        let names: Vec<&str> = hashed.iter().map(|PerSender(r)| r.name.as_str()).collect();
        assert_eq!(names[0], keyed_hash(b"k", b"c@x.example"));
        assert_eq!(hashed[0].0.domain, "x.example");
        assert!(names.contains(&"<>") && names.last() == Some(&"(unknown)"));
    }
}
