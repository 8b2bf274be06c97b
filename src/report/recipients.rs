//! The message-level reports: `messages` (per domain, counted per
//! recipient) and `recipients` (the suppression list).
//!
//! `messages` ([`MessageRow`]'s columns): one row per domain, sorted by
//! bounced plus expired, then recipients (both descending), then domain.
//!
//! `recipients` ([`RecipientRow::COLUMNS`]): one row per address whose
//! final outcome is a bounce or an expiry, sorted by domain, then address.
//! Times are RFC 3339 in the `--tz` zone. With a hash key, the recipient is
//! replaced by HMAC-SHA256(key, address as the `recipient` column writes it:
//! the local part as logged, the domain as normalized), in lower-case hex.

use std::fmt::Write as _;

use hmac::{KeyInit, Mac};

use super::table::{Cell, Column, Row, bounce_rate};
use crate::messages::{FinalOutcome, MessageRow, Outcomes, Suppressed};
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
    /// `bounced` or `expired`.
    pub outcome: FinalOutcome,
    /// The basic code of the final attempt.
    pub code: Option<u16>,
    /// The enhanced code of the final attempt.
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
}

/// The suppression list: one row per address whose latest message ended
/// in a bounce or an expiry (see [`Outcomes::add`]), sorted by domain, then
/// address.
pub(super) fn rows(outcomes: &Outcomes, options: &RecipientOptions) -> Vec<RecipientRow> {
    outcomes.suppressed().into_iter().map(|s| row(s, options)).collect()
}

fn row(suppressed: &Suppressed, options: &RecipientOptions) -> RecipientRow {
    let r = &suppressed.state;
    let address = canonical(&r.recipient, &r.domain);
    let recipient = match &options.hash_key {
        Some(key) => keyed_hash(key, address.as_bytes()),
        None => address,
    };
    RecipientRow {
        recipient,
        domain: String::from_utf8_lossy(&r.domain).into_owned(),
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
        Column { name: "outcome", about: "bounced or expired" },
        Column { name: "code", about: "the basic reply code of the latest attempt" },
        Column { name: "enhanced", about: "the enhanced status code of the latest attempt" },
        Column { name: "reason", about: "why it failed" },
        Column { name: "bounce_type", about: "hard, soft, block or undetermined" },
        Column { name: "attempts", about: "delivery attempts since the address last accepted a message" },
        Column { name: "first_seen", about: "the first of these attempts, RFC 3339 in --tz" },
        Column { name: "last_seen", about: "the last of these attempts (or the expiry), RFC 3339 in --tz" },
        Column { name: "last_reply", about: "the reply text of the latest attempt" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        out.extend([
            Cell::Logged(&self.recipient),
            Cell::Logged(&self.domain),
            Cell::Text(self.outcome.as_str()),
            Cell::Code(self.code),
            Cell::Enhanced(self.enhanced),
            Cell::Text(self.reason),
            Cell::Text(self.bounce_type),
            Cell::Count(u64::from(self.attempts)),
            Cell::Text(&self.first_seen),
            Cell::Text(&self.last_seen),
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

    #[test]
    fn times_are_rfc3339_in_the_zone() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_hours(1).unwrap());
        assert_eq!(rfc3339(Some(1_767_225_601_500_000), &tz), "2026-01-01T01:00:01+01:00");
        assert_eq!(rfc3339(None, &tz), "");
    }
}
