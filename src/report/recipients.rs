//! The message-level reports: `messages` (per domain, counted per
//! recipient) and `recipients` (the suppression list).
//!
//! `messages` ([`MessageRow`]'s columns): one row per domain, sorted by
//! bounced plus expired, then recipients (both descending), then domain.
//!
//! `recipients` ([`RecipientRow::COLUMNS`]): one row per address whose
//! latest messages failed, as far as `--suppress` asks ([`action`]), sorted
//! by domain, then address. Times are RFC 3339 in the `--tz` zone. With a hash key, the recipient is
//! replaced by HMAC-SHA256(key, address as the `recipient` column writes it:
//! the local part as logged, the domain as normalized), in lower-case hex.

use std::fmt::Write as _;

use hmac::{KeyInit, Mac};

use super::table::{Cell, Column, Row, bounce_rate};
use crate::classify::BounceType;
use crate::config::Suppress;
use crate::messages::{FinalOutcome, MessageRow, Outcomes, RecipientState, Suppressed};
use crate::parse::Enhanced;
use crate::parse::domain::LOCAL;
use crate::time::{self, Micros};

/// One row of the `recipients` report, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientRow {
    /// The address, or its keyed hash.
    pub recipient: String,
    /// The recipient's domain.
    pub domain: String,
    /// What to do with the address.
    pub action: Action,
    /// `bounced` or `expired`.
    pub outcome: FinalOutcome,
    /// The basic code of the failure that decides the row (the latest hard
    /// bounce, else the latest failure).
    pub code: Option<u16>,
    /// The enhanced code of that failure.
    pub enhanced: Option<Enhanced>,
    /// The reason.
    pub reason: &'static str,
    /// The bounce type.
    pub bounce_type: &'static str,
    /// Delivery attempts.
    pub attempts: u32,
    /// First time seen, RFC 3339 (empty when unknown).
    pub first_seen: String,
    /// Last time seen, RFC 3339 (empty when unknown).
    pub last_seen: String,
    /// The last reply text.
    pub last_reply: String,
}

/// How recipients are written.
#[derive(Clone, Debug)]
pub struct RecipientOptions {
    /// The zone of `first_seen` and `last_seen`.
    pub tz: jiff::tz::TimeZone,
    /// Write HMAC-SHA256(key, address) instead of the address.
    pub hash_key: Option<Vec<u8>>,
    /// Which failures are listed besides the hard bounces.
    pub suppress: Suppress,
}

/// What the suppression list says to do with an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A hard bounce since its last delivery: the address or its domain is
    /// bad.
    Suppress,
    /// Listed on request (`--suppress`): a soft or undetermined bounce, or
    /// an expiry; the address may well be fine.
    Review,
}

impl Action {
    /// The word used in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Suppress => "suppress",
            Action::Review => "review",
        }
    }
}

/// Whether the address whose row is decided by `state` (see
/// [`Outcomes::add`]: its latest hard bounce, else its latest failure) is
/// listed, and with which action: a hard bounce always, to suppress; under
/// `suppress`, a soft or undetermined bounce, or an expiry (of any type but
/// block), to review. Block-type failures never: the sending side was
/// refused (blocklists, reputation, spam, policy, reverse DNS,
/// authentication of our mail), which says nothing of the address.
pub fn action(state: &RecipientState, suppress: Suppress) -> Option<Action> {
    use BounceType::{Block, Hard, Soft, Undetermined};
    let asked = match (state.outcome, state.bounce_type) {
        (FinalOutcome::Bounced, Hard) => return Some(Action::Suppress),
        (FinalOutcome::Bounced, Soft) => suppress.soft,
        (FinalOutcome::Bounced, Undetermined) => suppress.undetermined,
        (FinalOutcome::Expired, Hard | Soft | Undetermined) => suppress.expired,
        (_, Block)
        | (FinalOutcome::Delivered | FinalOutcome::Pending | FinalOutcome::Discarded, _)
        | (_, BounceType::None) => false,
    };
    asked.then_some(Action::Review)
}

/// How many addresses the suppression list holds, by action, and how many
/// more whose messages failed it leaves out (those `--suppress all` would
/// list for review; never the block-type failures).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    /// Rows to suppress.
    pub suppress: u64,
    /// Rows to review.
    pub review: u64,
    /// Addresses not listed that `--suppress all` would list.
    pub left_out: u64,
}

/// The counts of the suppression list under `suppress` (see [`Listed`]).
pub fn listed(outcomes: &Outcomes, suppress: Suppress) -> Listed {
    let mut listed = Listed::default();
    for s in outcomes.suppressed_unordered() {
        match action(&s.state, suppress) {
            Some(Action::Suppress) => listed.suppress += 1,
            Some(Action::Review) => listed.review += 1,
            None if action(&s.state, Suppress::ALL).is_some() => listed.left_out += 1,
            None => {}
        }
    }
    listed
}

/// The suppression list: one row per address whose latest messages failed
/// (see [`Outcomes::add`]) and that [`action`] lists, sorted by domain,
/// then address.
pub(super) fn rows(outcomes: &Outcomes, options: &RecipientOptions) -> Vec<RecipientRow> {
    outcomes
        .suppressed()
        .into_iter()
        .filter_map(|s| action(&s.state, options.suppress).map(|action| row(s, action, options)))
        .collect()
}

/// A recipient as the report writes it under `--hash-recipients`: the
/// HMAC of its address as reported ([`canonical`]), `domain` as normalized.
pub fn hashed_recipient(key: &[u8], recipient: &[u8], domain: &[u8]) -> String {
    keyed_hash(key, canonical(recipient, domain).as_bytes())
}

fn row(suppressed: &Suppressed, action: Action, options: &RecipientOptions) -> RecipientRow {
    let r = &suppressed.state;
    let address = canonical(&r.recipient, &r.domain);
    let recipient = match &options.hash_key {
        Some(key) => keyed_hash(key, address.as_bytes()),
        None => address,
    };
    RecipientRow {
        recipient,
        domain: String::from_utf8_lossy(&r.domain).into_owned(),
        action,
        outcome: r.outcome,
        code: r.code,
        enhanced: r.enhanced,
        reason: r.reason.as_str(),
        bounce_type: r.bounce_type.as_str(),
        attempts: suppressed.attempts,
        first_seen: rfc3339(suppressed.first_seen, &options.tz),
        last_seen: rfc3339(suppressed.last_seen, &options.tz),
        last_reply: String::from_utf8_lossy(&r.last_reply).into_owned(),
    }
}

/// The address as reported and hashed: the local part as logged, the
/// domain as normalized ([`crate::parse::domain::normalize`]); an address
/// without a domain (`(local)`) as logged.
fn canonical(recipient: &[u8], domain: &[u8]) -> String {
    let text = String::from_utf8_lossy(recipient);
    match text.rfind('@') {
        Some(at) if domain != LOCAL => format!("{}@{}", &text[..at], String::from_utf8_lossy(domain)),
        _ => text.into_owned(),
    }
}

/// HMAC-SHA256 of `data` under `key`, in lower-case hex.
pub fn keyed_hash(key: &[u8], data: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    let mut hex = String::with_capacity(64);
    for byte in mac.finalize().into_bytes() {
        write!(hex, "{byte:02x}").expect("writing to a String cannot fail");
    }
    hex
}

fn rfc3339(t: Option<Micros>, tz: &jiff::tz::TimeZone) -> String {
    t.map(|t| time::rfc3339(t, tz)).unwrap_or_default()
}

impl Row for MessageRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "domain", about: "recipient domain" },
        Column { name: "recipients", about: "recipients, each counted once whatever its attempts" },
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
        Column { name: "median_delay_s", about: "median delay of the delivered recipients, in seconds" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([
            Cell::Logged(&self.domain),
            Cell::Count(self.recipients),
            Cell::Count(self.delivered),
            Cell::Count(self.bounced),
            Cell::Count(self.expired),
            Cell::Count(self.discarded),
            Cell::Count(self.pending),
            Cell::Count(self.deferred_attempts),
            // An expiry is a failure as final as a bounce.
            Cell::Ratio(bounce_rate(self.delivered, self.bounced + self.expired)),
            Cell::Seconds(self.median_delay_s),
        ]);
    }
}

impl Row for RecipientRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "recipient", about: "the address (its domain as in `domain`), or its keyed hash" },
        Column { name: "domain", about: "recipient domain" },
        Column {
            name: "action",
            about: "suppress (a hard bounce since the last delivery) or review (listed by --suppress)",
        },
        Column { name: "outcome", about: "bounced or expired" },
        Column { name: "code", about: "the basic reply code of the latest hard bounce, else of the latest failure" },
        Column { name: "enhanced", about: "the enhanced status code of that failure" },
        Column { name: "reason", about: "why it failed" },
        Column { name: "bounce_type", about: "hard, soft or undetermined (block-type failures are never listed)" },
        Column {
            name: "attempts",
            about: "delivery attempts of the failed messages since the address last accepted one (block-type left out)",
        },
        Column { name: "first_seen", about: "the first of these attempts, RFC 3339 in --tz" },
        Column { name: "last_seen", about: "the last of these attempts (or the expiry), RFC 3339 in --tz" },
        Column { name: "last_reply", about: "the reply text of the failure that gave the code" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([
            Cell::Logged(&self.recipient),
            Cell::Logged(&self.domain),
            Cell::Text(self.action.as_str()),
            Cell::Text(self.outcome.as_str()),
            Cell::Code(self.code),
            Cell::Enhanced(self.enhanced),
            Cell::Text(self.reason),
            Cell::Text(self.bounce_type),
            Cell::Count(u64::from(self.attempts)),
            Cell::Time(&self.first_seen),
            Cell::Time(&self.last_seen),
            Cell::Logged(&self.last_reply),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hash_is_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            keyed_hash(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn canonical_addresses_lower_case_the_domain_only() {
        assert_eq!(canonical(b"Bob.Smith@Example.COM.", b"example.com"), "Bob.Smith@example.com");
        assert_eq!(
            canonical(b"Bob@xn--mnchen-3ya.example", "m\u{fc}nchen.example".as_bytes()),
            "Bob@m\u{fc}nchen.example"
        );
        assert_eq!(canonical(b"postmaster", LOCAL), "postmaster");
        // An `@` inside a quoted local part, and no domain: kept whole.
        assert_eq!(canonical(b"\"a@b\"", LOCAL), "\"a@b\"");
        // Nothing after the `@`: no domain either.
        assert_eq!(canonical(b"user@", LOCAL), "user@");
    }

    /// The `messages` report's rate counts an expiry as a failure and
    /// leaves discards out, worked out by hand: 1 bounced of 4 delivered or
    /// failed; 1 expired of 3; none.
    #[test]
    fn message_bounce_rate_counts_expiries() {
        let row = |delivered, bounced, expired| MessageRow {
            domain: "d.example".into(),
            recipients: delivered + bounced + expired + 3,
            delivered,
            bounced,
            expired,
            discarded: 2,
            pending: 1,
            deferred_attempts: 0,
            median_delay_s: None,
        };
        let rate = |row: MessageRow| {
            let mut cells = Vec::new();
            row.cells(&mut cells);
            match cells[8] {
                Cell::Ratio(r) => r,
                other => panic!("bounce_rate is a ratio, not {other:?}"),
            }
        };
        assert_eq!(rate(row(3, 1, 0)), Some(0.25));
        assert_eq!(rate(row(2, 0, 1)), Some(1.0 / 3.0));
        assert_eq!(rate(row(0, 0, 0)), None);
        assert_eq!(MessageRow::COLUMNS[8].name, "bounce_rate");
    }

    /// A final state with this outcome and bounce type.
    fn state(recipient: &str, outcome: FinalOutcome, bounce_type: BounceType, last: i64) -> RecipientState {
        RecipientState {
            reason: crate::classify::Reason::OnHold,
            ..RecipientState::for_test(recipient, outcome, bounce_type, (last, last), 1)
        }
    }

    /// Listed or not, and the action, worked out by hand for every final
    /// outcome and bounce type under each choice of `--suppress`.
    #[test]
    fn action_by_outcome_bounce_type_and_choice() {
        use Action::{Review as R, Suppress as S};
        use BounceType::{Block, Hard, Soft, Undetermined};
        use FinalOutcome::{Bounced, Delivered, Discarded, Expired, Pending};
        const N: Option<Action> = None;
        let choices = [
            Suppress::default(),
            Suppress { expired: true, ..Suppress::default() },
            Suppress { soft: true, ..Suppress::default() },
            Suppress { undetermined: true, ..Suppress::default() },
            Suppress::ALL,
        ];
        // (outcome, bounce type, under: hard, hard+expired, hard+soft,
        // hard+undetermined, all).
        let table = [
            (Bounced, Hard, [Some(S); 5]),
            (Bounced, Soft, [N, N, Some(R), N, Some(R)]),
            (Bounced, Undetermined, [N, N, N, Some(R), Some(R)]),
            (Bounced, Block, [N; 5]),
            (Expired, Hard, [N, Some(R), N, N, Some(R)]),
            (Expired, Soft, [N, Some(R), N, N, Some(R)]),
            (Expired, Undetermined, [N, Some(R), N, N, Some(R)]),
            (Expired, Block, [N; 5]),
            (Delivered, BounceType::None, [N; 5]),
            (Pending, Soft, [N; 5]),
            (Pending, Block, [N; 5]),
            (Discarded, BounceType::None, [N; 5]),
            (Discarded, Soft, [N; 5]),
        ];
        for (outcome, bounce_type, want) in table {
            let state = state("a@x.example", outcome, bounce_type, 1);
            for (choice, want) in choices.iter().zip(want) {
                assert_eq!(action(&state, *choice), want, "{outcome:?} {bounce_type:?} under {choice:?}");
            }
        }
    }

    /// The rows and the counts of the list agree, worked out by hand: one
    /// address of each kind.
    #[test]
    fn rows_and_counts_of_the_list() {
        use BounceType::{Block, Hard, Soft, Undetermined};
        use FinalOutcome::{Bounced, Delivered, Expired};
        let mut outcomes = Outcomes::default();
        outcomes.add(vec![
            state("hard@a.example", Bounced, Hard, 1),
            state("full@b.example", Bounced, Soft, 2),
            state("odd@c.example", Bounced, Undetermined, 3),
            state("gone@d.example", Expired, Soft, 4),
            state("ptr@e.example", Bounced, Block, 5),
            state("ok@f.example", Delivered, BounceType::None, 6),
        ]);
        let options = |suppress| RecipientOptions { tz: jiff::tz::TimeZone::UTC, hash_key: None, suppress };
        let listed_rows = |suppress| -> Vec<(String, &'static str)> {
            rows(&outcomes, &options(suppress)).into_iter().map(|r| (r.recipient, r.action.as_str())).collect()
        };
        let owned = |rows: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
            rows.iter().map(|&(r, a)| (r.to_string(), a)).collect()
        };
        let default = Suppress::default();
        assert_eq!(listed_rows(default), owned(&[("hard@a.example", "suppress")]));
        assert_eq!(listed(&outcomes, default), Listed { suppress: 1, review: 0, left_out: 3 });
        let expired = Suppress { expired: true, ..default };
        assert_eq!(listed_rows(expired), owned(&[("hard@a.example", "suppress"), ("gone@d.example", "review")]));
        assert_eq!(listed(&outcomes, expired), Listed { suppress: 1, review: 1, left_out: 2 });
        assert_eq!(
            listed_rows(Suppress::ALL),
            owned(&[
                ("hard@a.example", "suppress"),
                ("full@b.example", "review"),
                ("odd@c.example", "review"),
                ("gone@d.example", "review"),
            ])
        );
        assert_eq!(listed(&outcomes, Suppress::ALL), Listed { suppress: 1, review: 3, left_out: 0 });
    }

    #[test]
    fn times_are_rfc3339_in_the_zone() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_hours(1).unwrap());
        assert_eq!(rfc3339(Some(1_767_225_601_500_000), &tz), "2026-01-01T01:00:01+01:00");
        assert_eq!(rfc3339(None, &tz), "");
    }
}
