//! Helpers shared by the tests of the files of `messages/`: events,
//! expiries and arrivals written briefly, fed to a [`Messages`], and a small
//! deterministic random generator.

use super::node::domain_after_at;
use super::{Attempt, Finished, Messages};
use crate::classify::Reason;
use crate::parse::{Enhanced, Outcome};

pub(super) const DELIVERED: Outcome = Outcome::Delivered;
pub(super) const DEFERRED: Outcome = Outcome::Deferred;
pub(super) const BOUNCED: Outcome = Outcome::Bounced;

/// An event of a test: (queue id, recipient, outcome, time in seconds).
#[derive(Clone, Copy, Debug)]
pub(super) struct Ev {
    pub(super) qid: &'static str,
    pub(super) rcpt: &'static str,
    pub(super) outcome: Outcome,
    pub(super) time: Option<i64>,
    pub(super) hop: Option<&'static str>,
    pub(super) expired: bool,
    pub(super) text: &'static str,
    pub(super) delay: Option<f64>,
    pub(super) discarded: bool,
}

pub(super) fn ev(qid: &'static str, rcpt: &'static str, outcome: Outcome, time: Option<i64>) -> Ev {
    let text = match outcome {
        DELIVERED => "250 2.0.0 Ok",
        DEFERRED => "452 4.2.2 mailbox full",
        BOUNCED => "550 5.1.1 user unknown",
    };
    Ev { qid, rcpt, outcome, time, hop: None, expired: false, text, delay: None, discarded: false }
}

pub(super) fn hop(qid: &'static str, rcpt: &'static str, to: &'static str, time: Option<i64>) -> Ev {
    let text = "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as X";
    Ev { hop: Some(to), text, ..ev(qid, rcpt, DELIVERED, time) }
}

impl Ev {
    pub(super) fn text(self, text: &'static str) -> Ev {
        Ev { text, ..self }
    }

    pub(super) fn delay(self, delay: f64) -> Ev {
        Ev { delay: Some(delay), ..self }
    }

    pub(super) fn expired(self) -> Ev {
        Ev { expired: true, ..self }
    }

    /// A content filter's discard (amavis's reply).
    pub(super) fn discarded(self) -> Ev {
        Ev { discarded: true, text: "250 2.7.0 Ok, discarded, id=1-01 - spam", ..self }
    }

    pub(super) fn attempt(&self) -> Attempt<'static> {
        let (code, enhanced, reason) = match self.outcome {
            DELIVERED => (250, (2, 0, 0), Reason::Delivered),
            DEFERRED => (452, (4, 2, 2), Reason::MailboxFull),
            BOUNCED => (550, (5, 1, 1), Reason::UserUnknown),
        };
        let (code, enhanced, reason) = if self.expired {
            (None, None, Reason::Expired)
        } else {
            let (class, subject, detail) = enhanced;
            (Some(code), Some(Enhanced { class, subject, detail }), reason)
        };
        let domain = domain_after_at(self.rcpt.as_bytes());
        Attempt {
            queue_id: self.qid.as_bytes(),
            recipient: self.rcpt.as_bytes(),
            domain: if domain == b"UP.EXAMPLE" { b"up.example" } else { domain },
            outcome: self.outcome,
            time: self.time.map(|s| s * 1_000_000),
            code,
            enhanced,
            reason,
            text: self.text.as_bytes(),
            hop_to: self.hop.map(str::as_bytes),
            expired: self.expired,
            delay: self.delay,
            discarded: self.discarded,
            unrouteable: false,
        }
    }
}

/// A Postfix expiry of a queue id, at a time in seconds.
pub(super) type Expiry = (&'static str, Option<i64>);

/// An Exim arrival of a message id, at a time in seconds.
pub(super) type Arrival = (&'static str, Option<i64>);

/// An event or expiry with its position in the input.
pub(super) type Fed<T> = (usize, T);

pub(super) fn feed(m: &mut Messages, events: &[Fed<Ev>], expiries: &[Fed<Expiry>]) {
    for &(order, e) in events {
        m.record(&e.attempt(), order as u64);
    }
    for &(order, (qid, time)) in expiries {
        m.record_expiry(qid.as_bytes(), time.map(|s| s * 1_000_000), order as u64);
    }
}

pub(super) fn feed_arrivals(m: &mut Messages, arrivals: &[Arrival]) {
    for &(qid, time) in arrivals {
        m.record_arrival(qid.as_bytes(), time.map(|s| s * 1_000_000));
    }
}

pub(super) fn run(events: &[Ev], expiries: &[Expiry]) -> Finished {
    let mut m = Messages::new();
    let events: Vec<_> = events.iter().copied().enumerate().collect();
    let expiries: Vec<_> = expiries.iter().copied().enumerate().map(|(i, x)| (i + 1000, x)).collect();
    feed(&mut m, &events, &expiries);
    m.finish()
}

/// A small deterministic generator (SplitMix64).
pub(super) struct Random(pub(super) u64);

impl Random {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}
