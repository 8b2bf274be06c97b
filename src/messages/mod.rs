//! Message-level outcomes: every (queue id, recipient) followed through the
//! log to its final outcome.
//!
//! Counting lines over-states deferrals (a recipient deferred five times and
//! then delivered is one delivery) and mis-states deliveries (a hop into a
//! content filter on the same host is not one). [`Messages`] keeps one small
//! state per (queue id, recipient) instead, and turns the states into one
//! [`RecipientState`] per recipient:
//!
//! * the latest event of a key decides: delivered (discarded when it was a
//!   content filter on this host that discarded or quarantined the
//!   message), bounced (expired for Exim's `retry timeout exceeded`), or
//!   deferred: then expired when the queue id has a Postfix expiry record at
//!   or after that deferral (`status=expired, returned to sender`), else
//!   still pending;
//! * a delivery that is a hop into a content filter (`hop_to`) is not final:
//!   the recipient goes on under the new queue id, and is counted once, at
//!   the end of the chain;
//! * a recipient's delay is the final line's `delay=` (Postfix) or `QT=`
//!   (Exim), plus its hops'; without one, the time from its message's
//!   arrival (Exim's `<=` line, an arrival record by message id) to its
//!   final line, or else from its first line.
//!
//! Workers fill one [`Messages`] per piece of the input; [`fold`] adds the
//! pieces up in log order and lets recipients go once they have settled, so
//! memory follows the recipients in flight. A recipient that leaves takes
//! the expiry and arrival records it needs along.
//!
//! # Order independence
//!
//! States are added together with `+=` in any order. The events of one key
//! are ordered by (time, rank, reply text, `order`), where a missing time
//! sorts first and the rank puts a final outcome after a deferral at the
//! same instant. That is a total order, so "the latest event" is the same
//! whichever way the events were split and merged, and counts are sums:
//! adding states gives exactly what one state fed every event gives.
//!
//! # Memory
//!
//! One key costs one heap block and a 24-byte slot in a hash table (the
//! key's hash and the block's address: looking up or growing never reads
//! another key's block). The block holds the counts and the latest event's
//! fields (50 bytes), then the key (queue id and recipient), the hop
//! target, the reply text (at most [`MAX_REPLY`] + 1 bytes) and, only when it
//! is not the recipient's part after its last `@` (or `(local)` for an
//! address without one), the domain. No event
//! lists are kept: the latest deferral, which expiry needs, is always the
//! latest event of a key that can expire. About 250 bytes per recipient
//! with a 30-byte address and a 56-byte reply (`store::tests::memory`).

pub mod fold;
mod folder;
mod node;
mod resolve;
mod senders;
mod store;

use std::hash::Hash;

use crate::classify::{BounceType, Reason};
use crate::parse::{Enhanced, Outcome};
use crate::time::Micros;

pub use fold::{Batch, Fold, Ordered, Outcomes, SETTLE, Suppressed};
pub use folder::Folder;
use node::encode_key;
pub use resolve::Settled;
use resolve::compare;
pub use senders::{NULL_SENDER, SenderSums, SenderTable, UNKNOWN, Volume, sender_domain};
pub use store::Messages;

/// The longest reply text shown per recipient (`last_reply`), in bytes; a
/// longer one is cut at a character boundary (when it is UTF-8) and ends
/// with `...` ([`crate::parse::shown`]). A key keeps one byte more than
/// this of its raw text, so that a cut can be told from a text of exactly
/// this length.
pub const MAX_REPLY: usize = 200;

/// One delivery attempt as the message-level tally sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attempt<'a> {
    /// The Postfix queue id or Exim message id.
    pub queue_id: &'a [u8],
    /// The recipient address as logged.
    pub recipient: &'a [u8],
    /// The recipient's domain, already normalized
    /// ([`crate::parse::domain::normalize`]).
    pub domain: &'a [u8],
    /// The line-level outcome.
    pub outcome: Outcome,
    /// When it happened; `None` when the line had no readable stamp.
    pub time: Option<Micros>,
    /// The basic reply code.
    pub code: Option<u16>,
    /// The enhanced status code.
    pub enhanced: Option<Enhanced>,
    /// Why it failed (`delivered` for deliveries).
    pub reason: Reason,
    /// The reply text (kept for `last_reply`, shown in at most [`MAX_REPLY`]
    /// bytes).
    pub text: &'a [u8],
    /// `Some(new queue id)` when this delivered line is a hop into a content
    /// filter (decided by the parser). Ignored on other outcomes.
    pub hop_to: Option<&'a [u8]>,
    /// True for an Exim `** ... retry timeout exceeded` line: the final
    /// outcome is expired, not bounced. Ignored unless the outcome is bounced.
    pub expired: bool,
    /// Seconds since the message arrived, when logged (Postfix's `delay=`,
    /// Exim's `QT=`). A value that is not finite is taken as `None`.
    pub delay: Option<f64>,
    /// True for a delivery into a content filter on this host that
    /// discarded or quarantined the message (decided by the parser): the
    /// final outcome is discarded, not delivered. Ignored on other outcomes
    /// and on hops.
    pub discarded: bool,
    /// Exim's `Unrouteable address` ([`crate::parse::Note::Unrouteable`]):
    /// its reason may still change once the whole log is read
    /// ([`Outcomes::settle_unrouteable`]).
    pub unrouteable: bool,
}

/// The final outcome of one recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FinalOutcome {
    /// Delivered (or handed to a content filter whose re-injection is not
    /// in the input).
    Delivered,
    /// Failed for good.
    Bounced,
    /// Given up on after the maximal queue lifetime (Postfix expiry, Exim
    /// retry timeout).
    Expired,
    /// Handed to a content filter on this host that discarded or
    /// quarantined it (amavis's `250 2.7.0 Ok, discarded, ...`): accepted,
    /// never delivered, and nothing said about the address.
    Discarded,
    /// Still deferred at the end of the input.
    Pending,
}

impl FinalOutcome {
    /// Every final outcome, in report order.
    pub const ALL: [FinalOutcome; 5] = [
        FinalOutcome::Delivered,
        FinalOutcome::Bounced,
        FinalOutcome::Expired,
        FinalOutcome::Discarded,
        FinalOutcome::Pending,
    ];

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FinalOutcome::Delivered => "delivered",
            FinalOutcome::Bounced => "bounced",
            FinalOutcome::Expired => "expired",
            FinalOutcome::Discarded => "discarded",
            FinalOutcome::Pending => "pending",
        }
    }
}

/// The final state of one recipient: one (queue id, recipient), or a chain
/// of them joined by content-filter hops, counted at the chain's end.
#[derive(Clone, Debug, PartialEq)]
pub struct RecipientState {
    /// The recipient address as logged.
    pub recipient: Box<[u8]>,
    /// Its normalized domain (`(local)` when the address has none).
    pub domain: Box<[u8]>,
    /// What became of it.
    pub outcome: FinalOutcome,
    /// The basic reply code of the final attempt (for expired and pending
    /// recipients, of the last deferral).
    pub code: Option<u16>,
    /// The enhanced status code of that attempt.
    pub enhanced: Option<Enhanced>,
    /// The reason of that attempt.
    pub reason: Reason,
    /// What the outcome says about the address: an expiry counts as a final
    /// failure (bounce type of a bounce with the last deferral's reason).
    pub bounce_type: BounceType,
    /// Delivery lines for this recipient, across hops (a hop line is not an
    /// attempt, unless it ends the chain).
    pub attempts: u32,
    /// Deferred lines among them.
    pub deferred_attempts: u32,
    /// The earliest time of its lines, when any had one.
    pub first_seen: Option<Micros>,
    /// The latest time of its lines, when any had one.
    pub last_seen: Option<Micros>,
    /// The text of the final attempt (for expired and pending recipients,
    /// of the last deferral), at most [`MAX_REPLY`] bytes, ending with `...`
    /// when it was cut.
    pub last_reply: Box<[u8]>,
    /// Seconds: the final line's `delay=` (or Exim's `QT=`) plus the
    /// `delay=` of the hops that led to it (the time since the message
    /// first arrived), when the final line has one; else the time from the
    /// message's arrival line (Exim's `<=`), when it was read, to the final
    /// line (never negative); else `last_seen - first_seen` (without an
    /// expiry's time).
    pub delay: Option<f64>,
    /// Expired by an expiry record of its queue id (Postfix
    /// `status=expired`), its last line a deferral: not by a line of its
    /// own (as Exim's `retry timeout exceeded`).
    pub expired_in_queue: bool,
    /// The final attempt was Exim's `Unrouteable address`
    /// ([`Attempt::unrouteable`]).
    pub unrouteable: bool,
    /// Its message's envelope sender (empty for the null sender), when the
    /// senders are followed and a line that took the message in was read
    /// ([`Messages::record_sender`]).
    pub sender: Option<std::sync::Arc<[u8]>>,
}

#[cfg(test)]
impl RecipientState {
    /// A state for tests: `recipient` (its domain normalized), `outcome`
    /// and `bounce_type`, reason `undefined`, no codes, `attempts` failed
    /// messages seen from `first` to `last` (seconds).
    pub(crate) fn for_test(
        recipient: &str,
        outcome: FinalOutcome,
        bounce_type: BounceType,
        (first, last): (i64, i64),
        attempts: u32,
    ) -> RecipientState {
        let after_at = recipient.rsplit_once('@').map_or("", |(_, domain)| domain);
        RecipientState {
            recipient: recipient.as_bytes().into(),
            domain: crate::parse::domain::normalize(after_at.as_bytes(), &mut Vec::new()).into(),
            outcome,
            code: None,
            enhanced: None,
            reason: Reason::Undefined,
            bounce_type,
            attempts,
            deferred_attempts: 0,
            first_seen: Some(first * 1_000_000),
            last_seen: Some(last * 1_000_000),
            last_reply: Box::default(),
            delay: None,
            expired_in_queue: false,
            unrouteable: false,
            sender: None,
        }
    }
}

/// Every recipient's final state, sorted by domain, recipient and outcome
/// (then by the other fields: the order does not depend on how the input
/// was read).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Finished {
    /// The recipients.
    pub recipients: Vec<RecipientState>,
}

/// One row of the `messages` report: a domain's recipients by final outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    /// The normalized domain.
    pub domain: String,
    /// Recipients (each counted once, whatever its attempts).
    pub recipients: u64,
    /// Recipients delivered.
    pub delivered: u64,
    /// Recipients bounced.
    pub bounced: u64,
    /// Recipients expired.
    pub expired: u64,
    /// Recipients a content filter on this host discarded or quarantined.
    pub discarded: u64,
    /// Recipients still pending at the end of the input.
    pub pending: u64,
    /// Deferred lines of all these recipients.
    pub deferred_attempts: u64,
    /// The median delay of the delivered recipients, in seconds (the mean
    /// of the two middle values for an even count); `None` when none has one.
    pub median_delay_s: Option<f64>,
}

#[cfg(test)]
mod tests;
