//! Who sent each message, for the sender reports: the envelope records
//! (Postfix's qmgr `from=<...>, size=N, nrcpt=M (queue active)` lines,
//! Exim's `<=` arrivals) kept per queue id, the volume they add up to, and
//! the recipients' final outcomes summed per sender.
//!
//! A record is held like an arrival record (see
//! [`Messages::retire`](super::Messages::retire)): a recipient that leaves
//! takes its message's sender along, and a record is forgotten two settle
//! times after the message came in unless a recipient of it is still held.
//! A record forgotten, or left at the end, is one message received: that is
//! the volume, so a queue id Postfix logs again each time its deferred
//! message comes back is counted once.

use std::collections::HashMap;
use std::ops::AddAssign;
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::node::MessageId;
use super::{FinalOutcome, RecipientState};
use crate::classify::Reason;
use crate::parse::domain::LOCAL;
use crate::time::Micros;

/// The envelope records, by queue id.
pub(super) type Senders = HashMap<MessageId, SenderRecord, RandomState>;

/// What the lines that took in one message say of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SenderRecord {
    /// The first of its lines: by time (a line without one first, and such
    /// a record is never forgotten), then sender, size and recipients, so
    /// that two records of an id combine alike in any order.
    pub(super) first: (Option<Micros>, Arc<[u8]>, Option<u64>, Option<u32>),
    /// Its recipients that left the store taking this sender along.
    pub(super) keys: u32,
}

impl SenderRecord {
    /// A record of one line.
    pub(super) fn new(time: Option<Micros>, sender: &[u8], size: Option<u64>, recipients: Option<u32>) -> SenderRecord {
        SenderRecord { first: (time, sender.into(), size, recipients), keys: 0 }
    }

    /// When the message came in, if the line said.
    pub(super) fn time(&self) -> Option<Micros> {
        self.first.0
    }

    /// The sender: shared by every recipient that takes it along.
    pub(super) fn sender(&self) -> &Arc<[u8]> {
        &self.first.1
    }

    /// Adds another record of the same id.
    pub(super) fn absorb(&mut self, other: SenderRecord) {
        self.keys = self.keys.saturating_add(other.keys);
        if other.first < self.first {
            self.first = other.first;
        }
    }

    /// The message's volume.
    pub(super) fn volume(&self) -> Volume {
        let (_, _, size, recipients) = self.first;
        Volume {
            messages: 1,
            bytes: size.unwrap_or(0),
            sized: u64::from(size.is_some()),
            recipients: u64::from(recipients.unwrap_or(self.keys)),
        }
    }
}

/// Adds `theirs` to `mine`, record by record.
pub(super) fn add_senders(mine: &mut Senders, mut theirs: Senders) {
    if mine.len() < theirs.len() {
        std::mem::swap(mine, &mut theirs);
    }
    for (id, record) in theirs {
        match mine.get_mut(&id) {
            Some(held) => held.absorb(record),
            None => {
                mine.insert(id, record);
            }
        }
    }
}

/// Messages received, as the sender reports count them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Volume {
    /// Distinct queue ids with a line that took the message in.
    pub messages: u64,
    /// Their sizes added up (`size=`, `S=`), for those that had one.
    pub bytes: u64,
    /// The messages with a size.
    pub sized: u64,
    /// Their recipients: Postfix's `nrcpt=`, else (Exim) the recipients
    /// followed of the message.
    pub recipients: u64,
}

impl AddAssign for Volume {
    fn add_assign(&mut self, other: Volume) {
        self.messages += other.messages;
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.sized += other.sized;
        self.recipients += other.recipients;
    }
}

/// The sender a recipient's message had: an address, the null sender, or
/// none found in the input.
pub const UNKNOWN: &str = "(unknown)";

/// The null sender's name in the reports.
pub const NULL_SENDER: &str = "<>";

/// One sender's recipients by final outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SenderSums {
    /// By [`FinalOutcome`].
    pub counts: [u64; 5],
    /// Deferred lines of these recipients.
    pub deferred: u64,
    /// The bounced and expired recipients by reason.
    pub failures: Vec<(Reason, u64)>,
}

impl SenderSums {
    /// Counts one recipient.
    fn add(&mut self, state: &RecipientState) {
        self.counts[state.outcome as usize] += 1;
        self.deferred += u64::from(state.deferred_attempts);
        if matches!(state.outcome, FinalOutcome::Bounced | FinalOutcome::Expired) {
            match self.failures.iter_mut().find(|(r, _)| *r == state.reason) {
                Some((_, n)) => *n += 1,
                None => self.failures.push((state.reason, 1)),
            }
        }
    }

    /// Adds another sender's sums (for a sender domain).
    pub fn absorb(&mut self, other: &SenderSums) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
        self.deferred += other.deferred;
        for &(reason, count) in &other.failures {
            match self.failures.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += count,
                None => self.failures.push((reason, count)),
            }
        }
    }

    /// The most frequent reason of the failures, ties to the reason first
    /// in [`Reason`]'s order; `None` without a failure.
    pub fn top_reason(&self) -> Option<Reason> {
        self.failures.iter().min_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0))).map(|&(r, _)| r)
    }
}

/// Every recipient's final outcome, summed per sender (as its record
/// spells it, empty for the null sender), and apart those whose message
/// had no record in the input.
#[derive(Clone, Debug, Default)]
pub struct SenderTable {
    known: HashMap<Box<[u8]>, SenderSums, RandomState>,
    unknown: SenderSums,
}

impl SenderTable {
    /// Counts one recipient under its message's sender.
    pub(super) fn add(&mut self, state: &RecipientState) {
        let sums = match &state.sender {
            Some(sender) => match self.known.get_mut(&sender[..]) {
                Some(sums) => sums,
                None => self.known.entry(sender[..].into()).or_default(),
            },
            None => &mut self.unknown,
        };
        sums.add(state);
    }

    /// Each sender with its sums, in no particular order, then `None` with
    /// the sums of the recipients of no known sender, when there are any.
    pub fn iter(&self) -> impl Iterator<Item = (Option<&[u8]>, &SenderSums)> {
        let unknown = (self.unknown.counts.iter().sum::<u64>() > 0).then_some((None, &self.unknown));
        self.known.iter().map(|(sender, sums)| (Some(&sender[..]), sums)).chain(unknown)
    }
}

/// The domain of a sender as its record spells it: after its last `@`
/// (already normalized), `(local)` without one, `<>` for the null sender.
pub fn sender_domain(sender: &[u8]) -> &[u8] {
    match sender {
        b"" => NULL_SENDER.as_bytes(),
        _ => memchr::memrchr(b'@', sender).map_or(LOCAL, |i| &sender[i + 1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::BounceType;

    /// Two records of one id combine alike in either order: the earliest
    /// line wins (one without a time first), keys add up.
    #[test]
    fn records_combine_in_any_order() {
        let a = SenderRecord::new(Some(5), b"a@x.example", Some(10), Some(2));
        let b = SenderRecord { keys: 3, ..SenderRecord::new(Some(9), b"a@x.example", Some(10), Some(1)) };
        let c = SenderRecord::new(None, b"z@x.example", None, None);
        for (x, y, want) in [(&a, &b, &a.first), (&a, &c, &c.first), (&b, &c, &c.first)] {
            let mut xy = x.clone();
            xy.absorb(y.clone());
            let mut yx = y.clone();
            yx.absorb(x.clone());
            assert_eq!(xy, yx);
            assert_eq!(&xy.first, want);
            assert_eq!(xy.keys, x.keys + y.keys);
        }
        assert_eq!(a.volume(), Volume { messages: 1, bytes: 10, sized: 1, recipients: 2 });
        assert_eq!(c.volume(), Volume { messages: 1, bytes: 0, sized: 0, recipients: 0 });
        // Without `nrcpt=`, the recipients followed.
        let counted = SenderRecord { keys: 4, ..SenderRecord::new(Some(1), b"", Some(7), None) };
        assert_eq!(counted.volume(), Volume { messages: 1, bytes: 7, sized: 1, recipients: 4 });
    }

    #[test]
    fn sender_domains() {
        let cases: [(&str, &str); 4] =
            [("a@x.example", "x.example"), ("", "<>"), ("MAILER-DAEMON", "(local)"), ("a@b@c.example", "c.example")];
        for (sender, domain) in cases {
            assert_eq!(sender_domain(sender.as_bytes()), domain.as_bytes(), "{sender}");
        }
    }

    /// The sums by outcome, and the top reason among the failures only
    /// (ties to the reason first in order).
    #[test]
    fn sums_and_top_reason() {
        let state = |outcome, reason| RecipientState {
            reason,
            deferred_attempts: 1,
            ..RecipientState::for_test("u@x.example", outcome, BounceType::Hard, (0, 1), 1)
        };
        let mut sums = SenderSums::default();
        assert_eq!(sums.top_reason(), None);
        sums.add(&state(FinalOutcome::Delivered, Reason::Delivered));
        sums.add(&state(FinalOutcome::Pending, Reason::MailboxFull));
        assert_eq!(sums.top_reason(), None, "a deferral is no failure");
        sums.add(&state(FinalOutcome::Bounced, Reason::UserUnknown));
        sums.add(&state(FinalOutcome::Expired, Reason::HostUnknown));
        assert_eq!(sums.top_reason(), Some(Reason::UserUnknown.min(Reason::HostUnknown)));
        sums.add(&state(FinalOutcome::Bounced, Reason::HostUnknown));
        assert_eq!(sums.top_reason(), Some(Reason::HostUnknown));
        assert_eq!((sums.counts, sums.deferred), ([1, 2, 1, 0, 1], 5));
        let mut twice = sums.clone();
        twice.absorb(&sums);
        assert_eq!(
            (twice.counts, twice.deferred, twice.top_reason()),
            ([2, 4, 2, 0, 2], 10, Some(Reason::HostUnknown))
        );
        // The failures by reason add up too (hostunknown twice, userunknown once).
        let mut failures = twice.failures.clone();
        failures.sort();
        let mut want = vec![(Reason::HostUnknown, 4), (Reason::UserUnknown, 2)];
        want.sort();
        assert_eq!(failures, want);
    }
}
