//! The message-level reports: `messages` (per domain, counted per
//! recipient) and `recipients` (the suppression list).
//!
//! `messages`: `domain,recipients,delivered,bounced,expired,pending,
//! deferred_attempts,bounce_rate,median_delay_s`, one row per domain, sorted
//! by bounced plus expired, then recipients (both descending), then domain.
//!
//! `recipients`: `recipient,domain,outcome,code,enhanced,reason,bounce_type,
//! attempts,first_seen,last_seen,last_reply`, one row per address whose
//! final outcome is a bounce or an expiry, sorted by domain, then address.
//! Times are RFC 3339 in the `--tz` zone. With a hash key, the recipient is
//! replaced by HMAC-SHA256(key, address with its domain lower-cased), in
//! lower-case hex.

use std::fmt::Write as _;
use std::io::{self, Write};

use hmac::{KeyInit, Mac};

use crate::messages::{FinalOutcome, MessageRow, Outcomes, Suppressed};
use crate::time::Micros;

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
    /// The enhanced code of the final attempt, as text.
    pub enhanced: String,
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
        enhanced: r.enhanced.map(|e| e.to_string()).unwrap_or_default(),
        reason: r.reason.as_str(),
        bounce_type: r.bounce_type.as_str(),
        attempts: suppressed.attempts,
        first_seen: rfc3339(suppressed.first_seen, &options.tz),
        last_seen: rfc3339(suppressed.last_seen, &options.tz),
        last_reply: String::from_utf8_lossy(&r.last_reply).into_owned(),
    }
}

/// The address as reported and hashed: the local part as logged, the
/// domain normalized (lower case, no trailing dot).
fn canonical(recipient: &[u8], domain: &[u8]) -> String {
    let text = String::from_utf8_lossy(recipient);
    match text.rfind('@') {
        Some(at) if !domain.is_empty() => format!("{}@{}", &text[..at], String::from_utf8_lossy(domain)),
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
    t.and_then(|t| jiff::Timestamp::from_microsecond(t).ok())
        .map(|ts| ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_default()
}

pub(super) fn write_messages(rows: &[MessageRow], csv: &mut csv::Writer<impl Write>, raw_csv: bool) -> io::Result<()> {
    csv.write_record([
        "domain",
        "recipients",
        "delivered",
        "bounced",
        "expired",
        "pending",
        "deferred_attempts",
        "bounce_rate",
        "median_delay_s",
    ])
    .map_err(super::io_error)?;
    let mut numbers = [itoa::Buffer::new(); 6];
    let (mut rate, mut delay) = (String::new(), String::new());
    for row in rows {
        rate.clear();
        delay.clear();
        if let Some(r) = row.bounce_rate() {
            write!(rate, "{r:.4}").expect("writing to a String cannot fail");
        }
        if let Some(d) = row.median_delay_s {
            write!(delay, "{d:.3}").expect("writing to a String cannot fail");
        }
        let [a, b, c, d, e, f] = &mut numbers;
        csv.write_record([
            &*super::defuse(&row.domain, raw_csv),
            a.format(row.recipients),
            b.format(row.delivered),
            c.format(row.bounced),
            d.format(row.expired),
            e.format(row.pending),
            f.format(row.deferred_attempts),
            &rate,
            &delay,
        ])
        .map_err(super::io_error)?;
    }
    Ok(())
}

pub(super) fn write_recipients(
    rows: &[RecipientRow],
    csv: &mut csv::Writer<impl Write>,
    raw_csv: bool,
) -> io::Result<()> {
    csv.write_record([
        "recipient",
        "domain",
        "outcome",
        "code",
        "enhanced",
        "reason",
        "bounce_type",
        "attempts",
        "first_seen",
        "last_seen",
        "last_reply",
    ])
    .map_err(super::io_error)?;
    let (mut code, mut attempts) = (itoa::Buffer::new(), itoa::Buffer::new());
    for row in rows {
        csv.write_record([
            &*super::defuse(&row.recipient, raw_csv),
            &*super::defuse(&row.domain, raw_csv),
            row.outcome.as_str(),
            row.code.map_or("", |c| code.format(c)),
            &row.enhanced,
            row.reason,
            row.bounce_type,
            attempts.format(row.attempts),
            &row.first_seen,
            &row.last_seen,
            &*super::defuse(&row.last_reply, raw_csv),
        ])
        .map_err(super::io_error)?;
    }
    Ok(())
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
        assert_eq!(canonical(b"postmaster", b""), "postmaster");
        // An `@` inside a quoted local part, and no domain: kept whole.
        assert_eq!(canonical(b"\"a@b\"", b""), "\"a@b\"");
    }

    #[test]
    fn times_are_rfc3339_in_the_zone() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_hours(1).unwrap());
        assert_eq!(rfc3339(Some(1_767_225_601_500_000), &tz), "2026-01-01T01:00:01+01:00");
        assert_eq!(rfc3339(None, &tz), "");
    }
}
