//! The counts of our own server's refusals, for the `rejects` report.
//!
//! One entry per (action, stage, code, enhanced code, reason, bounce type),
//! holding how many, the clients and recipient domains with their counts,
//! and one example reply: the one that sorts first, so the example does
//! not depend on which thread read which line. Counts of two scan threads
//! add up ([`AddAssign`]) in any order to the same sums.

use std::collections::HashMap;
use std::ops::AddAssign;

use foldhash::fast::RandomState;

use crate::classify::{BounceType, Reason};
use crate::parse::refusal::{Action, RefusalStage};
use crate::parse::{Enhanced, shown};

/// The longest example reply kept (cut with `...` beyond).
pub const MAX_EXAMPLE: usize = 300;

/// What identifies a row of the `rejects` report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefusalKey {
    /// What was done.
    pub action: Action,
    /// When in the session.
    pub stage: RefusalStage,
    /// Our reply code, when logged.
    pub code: Option<u16>,
    /// Our enhanced status code, when logged.
    pub enhanced: Option<Enhanced>,
    /// Why, in the classifier's words.
    pub reason: Reason,
    /// What that says about the address or the sender.
    pub bounce_type: BounceType,
}

/// The counts of one row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefusalCounts {
    /// How many refusals.
    pub count: u64,
    /// Refusals per client (host name, or IP address when it had none).
    pub clients: HashMap<Box<[u8]>, u64, RandomState>,
    /// Refusals per recipient domain (normalized), of those that name a
    /// recipient.
    pub domains: HashMap<Box<[u8]>, u64, RandomState>,
    /// The example reply that sorts first.
    pub example: Option<Box<[u8]>>,
}

impl RefusalCounts {
    fn absorb(&mut self, other: RefusalCounts) {
        self.count += other.count;
        for (client, n) in other.clients {
            *self.clients.entry(client).or_insert(0) += n;
        }
        for (domain, n) in other.domains {
            *self.domains.entry(domain).or_insert(0) += n;
        }
        if let Some(theirs) = other.example {
            keep_first(&mut self.example, &theirs);
        }
    }
}

/// Every refusal counted by one scan thread (or, added up, by all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refusals {
    rows: HashMap<RefusalKey, RefusalCounts, RandomState>,
    /// Lines shaped like a refusal that did not parse.
    unparsable: u64,
    /// The unparsable line that sorts first.
    unparsable_example: Option<Box<[u8]>>,
}

impl Refusals {
    /// Counts one refusal: `client` as [`crate::parse::refusal::Refusal::client`]
    /// names it, `domain` its recipient domain normalized (empty when
    /// none), `text` its reply as logged.
    pub fn count(&mut self, key: RefusalKey, client: &[u8], domain: &[u8], text: &[u8]) {
        let counts = self.rows.entry(key).or_default();
        counts.count += 1;
        bump(&mut counts.clients, client);
        if !domain.is_empty() {
            bump(&mut counts.domains, domain);
        }
        keep_first(&mut counts.example, &shown(text, MAX_EXAMPLE));
    }

    /// Counts a line shaped like a refusal that did not parse.
    pub fn count_unparsable(&mut self, line: &[u8]) {
        self.unparsable += 1;
        keep_first(&mut self.unparsable_example, &shown(line, MAX_EXAMPLE));
    }

    /// The rows, in no particular order.
    pub fn rows(&self) -> impl Iterator<Item = (&RefusalKey, &RefusalCounts)> {
        self.rows.iter()
    }

    /// Lines shaped like a refusal that did not parse, and the one that
    /// sorts first.
    pub fn unparsable(&self) -> (u64, Option<&[u8]>) {
        (self.unparsable, self.unparsable_example.as_deref())
    }

    /// Refusals counted, by whether they were only warnings: (refused,
    /// discarded or held; warn-only).
    pub fn totals(&self) -> (u64, u64) {
        self.rows.iter().fold((0, 0), |(real, warn), (key, counts)| match key.action {
            Action::Warn => (real, warn + counts.count),
            _ => (real + counts.count, warn),
        })
    }
}

impl AddAssign for Refusals {
    fn add_assign(&mut self, other: Refusals) {
        for (key, counts) in other.rows {
            self.rows.entry(key).or_default().absorb(counts);
        }
        self.unparsable += other.unparsable;
        if let Some(theirs) = other.unparsable_example {
            keep_first(&mut self.unparsable_example, &theirs);
        }
    }
}

/// One more for `name` (allocating only for a name not seen before).
fn bump(counts: &mut HashMap<Box<[u8]>, u64, RandomState>, name: &[u8]) {
    match counts.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            counts.insert(name.into(), 1);
        }
    }
}

/// Keeps in `slot` whichever of it and `text` sorts first.
pub fn keep_first(slot: &mut Option<Box<[u8]>>, text: &[u8]) {
    if slot.as_deref().is_none_or(|kept| text < kept) {
        *slot = Some(text.into());
    }
}

/// The name with the most counts, ties to the name that sorts first.
pub fn top(counts: &HashMap<Box<[u8]>, u64, RandomState>) -> Option<(&[u8], u64)> {
    counts.iter().map(|(name, &n)| (&**name, n)).min_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(action: Action) -> RefusalKey {
        RefusalKey {
            action,
            stage: RefusalStage::Rcpt,
            code: Some(550),
            enhanced: None,
            reason: Reason::UserUnknown,
            bounce_type: BounceType::Hard,
        }
    }

    /// Split any way and added up in any order, the counts and the
    /// examples are the same.
    #[test]
    fn sums_do_not_depend_on_the_split() {
        let events: [(Action, &str, &str, &str); 5] = [
            (Action::Reject, "a.example", "x.example", "550 b"),
            (Action::Reject, "b.example", "x.example", "550 a"),
            (Action::Reject, "a.example", "", "550 c"),
            (Action::Warn, "a.example", "y.example", "550 w"),
            (Action::Reject, "c.example", "y.example", "550 d"),
        ];
        let mut whole = Refusals::default();
        for (action, client, domain, text) in events {
            whole.count(key(action), client.as_bytes(), domain.as_bytes(), text.as_bytes());
        }
        whole.count_unparsable(b"z");
        for cut in 0..=events.len() {
            let (mut a, mut b) = (Refusals::default(), Refusals::default());
            for (i, (action, client, domain, text)) in events.into_iter().enumerate() {
                let side = if i < cut { &mut a } else { &mut b };
                side.count(key(action), client.as_bytes(), domain.as_bytes(), text.as_bytes());
            }
            b.count_unparsable(b"z");
            let mut ab = a.clone();
            ab += b.clone();
            b += a;
            assert_eq!(ab, whole, "cut {cut}");
            assert_eq!(b, whole, "cut {cut}, other order");
        }
        assert_eq!(whole.totals(), (4, 1));
        let reject = &whole.rows[&key(Action::Reject)];
        assert_eq!(reject.example.as_deref(), Some(&b"550 a"[..]));
        assert_eq!(top(&reject.clients), Some((&b"a.example"[..], 2)));
        assert_eq!(top(&reject.domains), Some((&b"x.example"[..], 2)), "ties to the name that sorts first");
        assert_eq!(whole.unparsable(), (1, Some(&b"z"[..])));
    }
}
