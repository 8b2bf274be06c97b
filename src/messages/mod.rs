//! Message-level outcomes: every (queue id, recipient) followed through the
//! log to its final outcome.
//!
//! Counting lines over-states deferrals (a recipient deferred five times and
//! then delivered is one delivery) and mis-states deliveries (a hop into a
//! content filter on the same host is not one). [`Messages`] keeps one small
//! state per (queue id, recipient) instead, and turns the states into one
//! [`RecipientState`] per recipient:
//!
//! * the latest event of a key decides: delivered, bounced (expired for
//!   Exim's `retry timeout exceeded`), or deferred: then expired when the
//!   queue id has a Postfix expiry record at or after that deferral
//!   (`status=expired, returned to sender`), else still pending;
//! * a delivery that is a hop into a content filter (`hop_to`) is not final:
//!   the recipient goes on under the new queue id, and is counted once, at
//!   the end of the chain.
//!
//! Workers fill one [`Messages`] per piece of the input; [`fold`] adds the
//! pieces up in log order and lets recipients go once they have settled, so
//! memory follows the recipients in flight.
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
//! target, the reply text (at most [`MAX_REPLY`] bytes) and, only when it
//! is not the recipient's part after its last `@`, the domain. No event
//! lists are kept: the latest deferral, which expiry needs, is always the
//! latest event of a key that can expire. About 250 bytes per recipient
//! with a 30-byte address and a 56-byte reply (`tests::memory`).

pub mod fold;
mod folder;
mod node;
mod resolve;
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
pub use store::Messages;

/// The longest reply text kept per key, in bytes; longer ones are cut at a
/// character boundary (when they are UTF-8).
pub const MAX_REPLY: usize = 200;

/// One delivery attempt as the message-level tally sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attempt<'a> {
    /// The Postfix queue id or Exim message id.
    pub queue_id: &'a [u8],
    /// The recipient address as logged.
    pub recipient: &'a [u8],
    /// The recipient's domain, already normalized (lower case, no trailing dot).
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
    /// The reply text (kept for `last_reply`, cut to [`MAX_REPLY`] bytes).
    pub text: &'a [u8],
    /// `Some(new queue id)` when this delivered line is a hop into a content
    /// filter (decided by the parser). Ignored on other outcomes.
    pub hop_to: Option<&'a [u8]>,
    /// True for an Exim `** ... retry timeout exceeded` line: the final
    /// outcome is expired, not bounced. Ignored unless the outcome is bounced.
    pub expired: bool,
    /// Postfix's `delay=` (seconds since the message arrived), when logged.
    /// A value that is not finite is taken as `None`.
    pub delay: Option<f64>,
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
    /// Still deferred at the end of the input.
    Pending,
}

impl FinalOutcome {
    /// Every final outcome, in report order.
    pub const ALL: [FinalOutcome; 4] =
        [FinalOutcome::Delivered, FinalOutcome::Bounced, FinalOutcome::Expired, FinalOutcome::Pending];

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FinalOutcome::Delivered => "delivered",
            FinalOutcome::Bounced => "bounced",
            FinalOutcome::Expired => "expired",
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
    /// Its normalized domain (empty when the address has none).
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
    /// of the last deferral), at most [`MAX_REPLY`] bytes.
    pub last_reply: Box<[u8]>,
    /// Seconds: the final line's `delay=` plus the `delay=` of the hops that
    /// led to it (the time since the message first arrived), when the final
    /// line has one; else `last_seen - first_seen`.
    pub delay: Option<f64>,
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
    /// The domain (lossy UTF-8).
    pub domain: String,
    /// Recipients (each counted once, whatever its attempts).
    pub recipients: u64,
    /// Recipients delivered.
    pub delivered: u64,
    /// Recipients bounced.
    pub bounced: u64,
    /// Recipients expired.
    pub expired: u64,
    /// Recipients still pending at the end of the input.
    pub pending: u64,
    /// Deferred lines of all these recipients.
    pub deferred_attempts: u64,
    /// The median delay of the delivered recipients, in seconds (the mean
    /// of the two middle values for an even count); `None` when none has one.
    pub median_delay_s: Option<f64>,
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::node::*;
    use super::resolve::*;
    use super::store::*;
    use super::*;

    thread_local! {
        /// Makes keys' hashes collide (three values), to test that path.
        pub(super) static COLLIDE: Cell<bool> = const { Cell::new(false) };
    }

    const DELIVERED: Outcome = Outcome::Delivered;
    const DEFERRED: Outcome = Outcome::Deferred;
    const BOUNCED: Outcome = Outcome::Bounced;

    /// An event of a test: (queue id, recipient, outcome, time in seconds).
    #[derive(Clone, Copy, Debug)]
    struct Ev {
        qid: &'static str,
        rcpt: &'static str,
        outcome: Outcome,
        time: Option<i64>,
        hop: Option<&'static str>,
        expired: bool,
        text: &'static str,
        delay: Option<f64>,
    }

    fn ev(qid: &'static str, rcpt: &'static str, outcome: Outcome, time: Option<i64>) -> Ev {
        let text = match outcome {
            DELIVERED => "250 2.0.0 Ok",
            DEFERRED => "452 4.2.2 mailbox full",
            BOUNCED => "550 5.1.1 user unknown",
        };
        Ev { qid, rcpt, outcome, time, hop: None, expired: false, text, delay: None }
    }

    fn hop(qid: &'static str, rcpt: &'static str, to: &'static str, time: Option<i64>) -> Ev {
        let text = "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as X";
        Ev { hop: Some(to), text, ..ev(qid, rcpt, DELIVERED, time) }
    }

    impl Ev {
        fn text(self, text: &'static str) -> Ev {
            Ev { text, ..self }
        }

        fn delay(self, delay: f64) -> Ev {
            Ev { delay: Some(delay), ..self }
        }

        fn expired(self) -> Ev {
            Ev { expired: true, ..self }
        }

        fn attempt(&self) -> Attempt<'static> {
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
            }
        }
    }

    /// A Postfix expiry of a queue id, at a time in seconds.
    type Expiry = (&'static str, Option<i64>);

    /// An event or expiry with its position in the input.
    type Fed<T> = (usize, T);

    fn feed(m: &mut Messages, events: &[Fed<Ev>], expiries: &[Fed<Expiry>]) {
        for &(order, e) in events {
            m.record(&e.attempt(), order as u64);
        }
        for &(order, (qid, time)) in expiries {
            m.record_expiry(qid.as_bytes(), time.map(|s| s * 1_000_000), order as u64);
        }
    }

    fn run(events: &[Ev], expiries: &[Expiry]) -> Finished {
        let mut m = Messages::new();
        let events: Vec<_> = events.iter().copied().enumerate().collect();
        let expiries: Vec<_> = expiries.iter().copied().enumerate().map(|(i, x)| (i + 1000, x)).collect();
        feed(&mut m, &events, &expiries);
        m.finish()
    }

    /// What the table checks of a recipient: (recipient, outcome, attempts,
    /// deferred attempts, first and last seen in seconds).
    type Row = (&'static str, FinalOutcome, u32, u32, Option<i64>, Option<i64>);

    fn rows(f: &Finished) -> Vec<Row> {
        f.recipients
            .iter()
            .map(|r| {
                let rcpt: &'static str = String::from_utf8(r.recipient.to_vec()).unwrap().leak();
                let secs = |t: Option<Micros>| t.map(|t| t / 1_000_000);
                (rcpt, r.outcome, r.attempts, r.deferred_attempts, secs(r.first_seen), secs(r.last_seen))
            })
            .collect()
    }

    /// The `messages` report's rows of `f`.
    fn domain_rows(f: &Finished) -> Vec<MessageRow> {
        let mut outcomes = Outcomes::default();
        outcomes.add(f.recipients.clone());
        outcomes.domain_rows()
    }

    use FinalOutcome::{Bounced as B, Delivered as D, Expired as X, Pending as P};

    #[test]
    fn final_outcomes() {
        let (a, b) = ("a@x.example", "b@y.example");
        let s = Some;
        type Case = (&'static str, Vec<Ev>, Vec<Expiry>, Vec<Row>);
        let cases: Vec<Case> = vec![
            (
                "deferred then delivered",
                vec![ev("Q1", a, DEFERRED, s(10)), ev("Q1", a, DEFERRED, s(20)), ev("Q1", a, DELIVERED, s(30))],
                vec![],
                vec![(a, D, 3, 2, s(10), s(30))],
            ),
            (
                "lines out of order",
                vec![ev("Q1", a, DELIVERED, s(30)), ev("Q1", a, DEFERRED, s(20)), ev("Q1", a, DEFERRED, s(10))],
                vec![],
                vec![(a, D, 3, 2, s(10), s(30))],
            ),
            (
                "deferred then bounced",
                vec![ev("Q1", a, DEFERRED, s(10)), ev("Q1", a, BOUNCED, s(20))],
                vec![],
                vec![(a, B, 2, 1, s(10), s(20))],
            ),
            (
                "deferred then expired (the expiry is its last line)",
                vec![ev("Q1", a, DEFERRED, s(10)), ev("Q1", a, DEFERRED, s(20))],
                vec![("Q1", s(30))],
                vec![(a, X, 2, 2, s(10), s(30))],
            ),
            (
                "an expiry at the instant of the deferral counts",
                vec![ev("Q1", a, DEFERRED, s(10))],
                vec![("Q1", s(10))],
                vec![(a, X, 1, 1, s(10), s(10))],
            ),
            (
                "an expiry before the last deferral does not count",
                vec![ev("Q1", a, DEFERRED, s(10)), ev("Q1", a, DEFERRED, s(20))],
                vec![("Q1", s(15))],
                vec![(a, P, 2, 2, s(10), s(20))],
            ),
            (
                "an expiry of another queue id does not count",
                vec![ev("Q1", a, DEFERRED, s(10)), ev("Q2", b, DEFERRED, s(10))],
                vec![("Q2", s(30))],
                vec![(a, P, 1, 1, s(10), s(10)), (b, X, 1, 1, s(10), s(30))],
            ),
            (
                "an expiry does not touch a delivered recipient of the queue id",
                vec![ev("Q1", a, DELIVERED, s(10)), ev("Q1", b, DEFERRED, s(10))],
                vec![("Q1", s(30))],
                vec![(a, D, 1, 0, s(10), s(10)), (b, X, 1, 1, s(10), s(30))],
            ),
            (
                "Exim retry timeout",
                vec![
                    ev("1abcde-000001-AB", a, DEFERRED, s(10)),
                    ev("1abcde-000001-AB", a, BOUNCED, s(20)).expired().text("retry timeout exceeded"),
                ],
                vec![],
                vec![(a, X, 2, 1, s(10), s(20))],
            ),
            ("still pending", vec![ev("Q1", a, DEFERRED, s(10))], vec![], vec![(a, P, 1, 1, s(10), s(10))]),
            (
                "a final outcome at the instant of a deferral wins",
                vec![ev("Q1", a, DELIVERED, s(10)), ev("Q1", a, DEFERRED, s(10))],
                vec![],
                vec![(a, D, 2, 1, s(10), s(10))],
            ),
            (
                "content-filter hop",
                vec![hop("A", a, "B", s(10)), ev("B", a, DELIVERED, s(11))],
                vec![],
                vec![(a, D, 1, 0, s(10), s(11))],
            ),
            (
                "hop target seen first",
                vec![ev("B", a, DELIVERED, s(11)), ev("A", a, DEFERRED, s(5)), hop("A", a, "B", s(10))],
                vec![],
                vec![(a, D, 2, 1, s(5), s(11))],
            ),
            (
                "hop chain",
                vec![
                    hop("A", a, "B", s(10)),
                    hop("B", a, "C", s(11)),
                    ev("C", a, DEFERRED, s(12)),
                    ev("C", a, BOUNCED, s(13)),
                ],
                vec![],
                vec![(a, B, 2, 1, s(10), s(13))],
            ),
            (
                "hop chain ending in an expiry of the last queue id",
                vec![hop("A", a, "B", s(10)), ev("B", a, DEFERRED, s(12))],
                vec![("B", s(20)), ("A", s(1))],
                vec![(a, X, 1, 1, s(10), s(20))],
            ),
            (
                "hop loop",
                vec![hop("A", a, "B", s(10)), hop("B", a, "A", s(11))],
                vec![],
                vec![(a, D, 1, 0, s(10), s(11))],
            ),
            (
                "hop loop entered from outside",
                vec![hop("S", a, "A", s(9)), hop("A", a, "B", s(10)), hop("B", a, "A", s(11))],
                vec![],
                // A continues B, not S (B sorts first): S ends at its hop.
                vec![(a, D, 1, 0, s(9), s(9)), (a, D, 1, 0, s(10), s(11))],
            ),
            ("hop to itself", vec![hop("A", a, "A", s(10))], vec![], vec![(a, D, 1, 0, s(10), s(10))]),
            (
                "hop to a missing key",
                vec![ev("A", a, DEFERRED, s(5)), hop("A", a, "B", s(10))],
                vec![],
                vec![(a, D, 2, 1, s(5), s(10))],
            ),
            (
                "hop to another recipient's key",
                vec![hop("A", a, "B", s(10)), ev("B", b, DELIVERED, s(11))],
                vec![],
                vec![(a, D, 1, 0, s(10), s(10)), (b, D, 1, 0, s(11), s(11))],
            ),
            (
                "two recipients in one queue id",
                vec![ev("Q1", a, DELIVERED, s(10)), ev("Q1", b, BOUNCED, s(10))],
                vec![],
                vec![(a, D, 1, 0, s(10), s(10)), (b, B, 1, 0, s(10), s(10))],
            ),
            (
                "one recipient in two queue ids",
                vec![ev("Q1", a, DELIVERED, s(10)), ev("Q2", a, BOUNCED, s(20)), ev("Q2", a, DEFERRED, s(15))],
                vec![],
                vec![(a, D, 1, 0, s(10), s(10)), (a, B, 2, 1, s(15), s(20))],
            ),
            (
                "no times: final after deferred, any expiry counts",
                vec![ev("Q1", a, DELIVERED, None), ev("Q1", a, DEFERRED, None), ev("Q2", b, DEFERRED, None)],
                vec![("Q2", s(1))],
                vec![(a, D, 2, 1, None, None), (b, X, 1, 1, None, None)],
            ),
            (
                "a missing time sorts first",
                vec![ev("Q1", a, DELIVERED, None), ev("Q1", a, DEFERRED, s(10))],
                vec![("Q1", None)],
                vec![(a, X, 2, 1, s(10), s(10))],
            ),
        ];
        for collide in [false, true] {
            COLLIDE.set(collide);
            for (name, events, expiries, want) in &cases {
                assert_eq!(rows(&run(events, expiries)), *want, "{name}, collisions: {collide}");
            }
        }
    }

    #[test]
    fn fields_of_the_final_attempt() {
        let a = "User@UP.EXAMPLE";
        let f = run(
            &[
                ev("Q1", a, DEFERRED, Some(100)).text("451 4.1.1 first").delay(1.0),
                ev("Q1", a, DEFERRED, Some(160)).text("450 4.1.1 <User@UP.EXAMPLE>: unknown").delay(61.0),
            ],
            &[("Q1", Some(300))],
        );
        let r = &f.recipients[0];
        assert_eq!((&r.recipient[..], &r.domain[..]), (&b"User@UP.EXAMPLE"[..], &b"up.example"[..]));
        assert_eq!((r.outcome, r.code, r.reason), (X, Some(452), Reason::MailboxFull));
        assert_eq!(r.enhanced, Some(Enhanced { class: 4, subject: 2, detail: 2 }));
        assert_eq!(&r.last_reply[..], b"450 4.1.1 <User@UP.EXAMPLE>: unknown");
        // An expiry is typed as a final failure: mailboxfull stays soft.
        assert_eq!(r.bounce_type, BounceType::Soft);
        assert_eq!(r.delay, Some(61.0));

        let f = run(&[ev("Q1", "u@d.example", DEFERRED, Some(1))], &[("Q1", Some(2))]);
        let mut unknown = ev("Q2", "u@d.example", DEFERRED, Some(1)).attempt();
        unknown.reason = Reason::UserUnknown;
        let mut m = Messages::new();
        m.record(&unknown, 0);
        m.record_expiry(b"Q2", None, 1);
        let expired = m.finish();
        assert_eq!((expired.recipients[0].outcome, expired.recipients[0].bounce_type), (X, BounceType::Hard));
        assert_eq!(f.recipients[0].bounce_type, BounceType::Soft);
        let pending = run(&[ev("Q2", "u@d.example", DEFERRED, Some(1))], &[]);
        assert_eq!(pending.recipients[0].bounce_type, BounceType::Soft);

        let f = run(&[ev("Q1", "u@d.example", BOUNCED, Some(1))], &[]);
        let r = &f.recipients[0];
        assert_eq!((r.bounce_type, r.reason, r.delay), (BounceType::Hard, Reason::UserUnknown, Some(0.0)));

        // Delivered: no bounce type; the delay of a chain adds its hops'.
        let f = run(
            &[
                hop("A", "u@d.example", "B", Some(10)).delay(2.5),
                ev("B", "u@d.example", DELIVERED, Some(12)).delay(1.25),
            ],
            &[],
        );
        let r = &f.recipients[0];
        assert_eq!((r.bounce_type, r.delay, r.code), (BounceType::None, Some(3.75), Some(250)));
        assert_eq!(&r.last_reply[..], b"250 2.0.0 Ok");
        // Without delay=, the time between the first and last line.
        let f = run(&[ev("Q", "u@d.example", DEFERRED, Some(10)), ev("Q", "u@d.example", DELIVERED, Some(70))], &[]);
        assert_eq!(f.recipients[0].delay, Some(60.0));
        let f = run(&[ev("Q", "u@d.example", DELIVERED, None)], &[]);
        assert_eq!(f.recipients[0].delay, None);
    }

    #[test]
    fn long_replies_are_cut_at_a_character_boundary() {
        let long: &'static str = "é".repeat(150).leak();
        let f = run(&[ev("Q", "u@d.example", BOUNCED, Some(1)).text(long)], &[]);
        assert_eq!(f.recipients[0].last_reply.len(), MAX_REPLY);
        let odd: &'static str = format!("x{long}").leak();
        let f = run(&[ev("Q", "u@d.example", BOUNCED, Some(1)).text(odd)], &[]);
        assert_eq!(f.recipients[0].last_reply.len(), MAX_REPLY - 1);
        assert!(std::str::from_utf8(&f.recipients[0].last_reply).is_ok());
    }

    #[test]
    fn recipients_are_sorted_and_domains_kept() {
        let f = run(
            &[
                ev("Q1", "z@a.example", DELIVERED, Some(1)),
                ev("Q2", "root", BOUNCED, Some(1)),
                ev("Q3", "b@a.example", DEFERRED, Some(1)),
                ev("Q0", "b@a.example", DELIVERED, Some(1)),
            ],
            &[],
        );
        let got: Vec<_> = f.recipients.iter().map(|r| (&r.domain[..], &r.recipient[..], r.outcome)).collect();
        let want: Vec<(&[u8], &[u8], FinalOutcome)> = vec![
            (b"", b"root", B),
            (b"a.example", b"b@a.example", D),
            (b"a.example", b"b@a.example", P),
            (b"a.example", b"z@a.example", D),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn domain_rows_count_recipients() {
        let mut events = Vec::new();
        // d1: three delivered (delays 1, 2, 10 → median 2), one bounced, one pending.
        for (i, delay) in [(0, 1.0), (1, 10.0), (2, 2.0)] {
            let qid: &'static str = format!("D{i}").leak();
            events.push(ev(qid, "a@d1.example", DEFERRED, Some(1)));
            events.push(ev(qid, "a@d1.example", DELIVERED, Some(5)).delay(delay));
        }
        events.push(ev("B1", "b@d1.example", BOUNCED, Some(1)));
        events.push(ev("P1", "p@d1.example", DEFERRED, Some(1)));
        // d2: two delivered, no delay= (60 s and 0 s apart → median 30), one expired.
        events.push(ev("E1", "a@d2.example", DEFERRED, Some(1)));
        events.push(ev("E1", "a@d2.example", DEFERRED, Some(2)));
        events.push(ev("E2", "b@d2.example", DEFERRED, Some(0)));
        events.push(ev("E2", "b@d2.example", DELIVERED, Some(60)));
        events.push(ev("E3", "c@d2.example", DELIVERED, Some(60)));
        // d3: only pending.
        events.push(ev("F1", "a@d3.example", DEFERRED, Some(1)));
        let f = run(&events, &[("E1", Some(9))]);
        let rows = domain_rows(&f);
        let row = |domain: &str, counts: [u64; 6], median_delay_s| MessageRow {
            domain: domain.into(),
            recipients: counts[0],
            delivered: counts[1],
            bounced: counts[2],
            expired: counts[3],
            pending: counts[4],
            deferred_attempts: counts[5],
            median_delay_s,
        };
        assert_eq!(
            rows,
            vec![
                row("d1.example", [5, 3, 1, 0, 1, 4], Some(2.0)),
                row("d2.example", [3, 2, 0, 1, 0, 3], Some(30.0)),
                row("d3.example", [1, 0, 0, 0, 1, 1], None),
            ]
        );
        assert!(domain_rows(&Finished::default()).is_empty());
    }

    #[test]
    fn ties_are_ordered_by_recipients_then_domain() {
        let f = run(
            &[
                ev("1", "a@b.example", BOUNCED, None),
                ev("2", "a@a.example", BOUNCED, None),
                ev("3", "b@c.example", DELIVERED, None),
                ev("4", "c@c.example", DELIVERED, None),
                ev("5", "a@z.example", DELIVERED, None),
            ],
            &[],
        );
        let order: Vec<String> = domain_rows(&f).into_iter().map(|r| r.domain).collect();
        assert_eq!(order, ["a.example", "b.example", "c.example", "z.example"]);
    }

    /// Messages over days in time order (as in a real log): delivered,
    /// deferred then delivered or bounced, expired, through a content
    /// filter whose copy is delivered a second before the hop line, or
    /// pending; addresses repeat across messages.
    fn days_of_events() -> Vec<(i64, Result<Ev, Expiry>)> {
        let mut out = Vec::new();
        for i in 0..600i64 {
            let t = 60 * i;
            let qid: &'static str = format!("Q{i}").leak();
            let rcpt: &'static str = format!("u{}@d{}.example", i % 37, i % 37 % 5).leak();
            let mut at = |dt: i64, e: Ev| out.push((t + dt, Ok(Ev { time: Some(t + dt), ..e })));
            match i % 6 {
                0 | 1 => at(1, ev(qid, rcpt, DELIVERED, None).delay(1.0)),
                2 => {
                    at(1, ev(qid, rcpt, DEFERRED, None));
                    at(7200, ev(qid, rcpt, BOUNCED, None));
                }
                3 => {
                    at(1, ev(qid, rcpt, DEFERRED, None));
                    at(3600, ev(qid, rcpt, DEFERRED, None));
                    out.push((t + 3601, Err((qid, Some(t + 3601)))));
                }
                4 => {
                    let new: &'static str = format!("R{i}").leak();
                    at(1, ev(new, rcpt, DELIVERED, None).delay(0.5));
                    at(2, hop(qid, rcpt, new, None).delay(2.0));
                }
                _ => at(1, ev(qid, rcpt, DEFERRED, None)),
            }
        }
        out.sort_by_key(|e| e.0);
        out
    }

    fn fold(events: &[(i64, Result<Ev, Expiry>)], fold: Fold, piece: usize) -> Outcomes {
        let mut fold = fold;
        let mut batches = Vec::new();
        for (n, part) in events.chunks(piece).enumerate() {
            let mut m = Messages::new();
            for (k, (_, e)) in part.iter().enumerate() {
                let order = (n * piece + k) as u64;
                match e {
                    Ok(e) => m.record(&e.attempt(), order),
                    Err((qid, time)) => m.record_expiry(qid.as_bytes(), time.map(|s| s * 1_000_000), order),
                }
            }
            batches.extend(fold.add(m));
        }
        let peak = fold.peak_held();
        batches.push(fold.finish());
        // Batches resolved and handed in out of order are added in order.
        batches.reverse();
        let mut ordered = Ordered::default();
        for batch in batches {
            ordered.add(batch.ticket, batch.settled.resolve());
        }
        ordered.finish(peak)
    }

    #[test]
    fn folding_with_sweeps_equals_keeping_everything() {
        let events = days_of_events();
        let all = fold(&events, Fold::new(Micros::MAX), 1);
        assert_eq!(all.recipients, 600);
        let rows = all.domain_rows();
        let suppressed: Vec<Suppressed> = all.suppressed().into_iter().cloned().collect();
        assert!(!suppressed.is_empty() && suppressed.len() < 37);
        let second = 1_000_000;
        for piece in [1, 2, 7, 100] {
            for settle in [5 * second, 3600 * second] {
                let swept = fold(&events, Fold::new(settle).sweep_from(0), piece);
                assert_eq!(swept.domain_rows(), rows, "piece {piece}, settle {settle}");
                let got: Vec<Suppressed> = swept.suppressed().into_iter().cloned().collect();
                assert_eq!(got, suppressed, "piece {piece}, settle {settle}");
                // Held: the 100 pending, the recipients of the last two hours
                // or so, a piece; of 700 keys.
                assert!(swept.peak_held < 400 + piece, "piece {piece}: {} held", swept.peak_held);
            }
        }
        // Without the slack, a filter's copy swept before the hop line that
        // names it comes counts on its own, and the hop line too.
        let hasty = fold(&events, Fold::new(0).sweep_from(0), 1);
        assert!(hasty.recipients > 600, "{}", hasty.recipients);
    }

    #[test]
    fn nodes_round_trip() {
        let heads = [
            Head {
                attempts: u32::MAX,
                deferred: 7,
                timed: true,
                first: Micros::MIN,
                last: Micros::MAX,
                order: u64::MAX,
                delay: Some(-0.5),
                code: Some(0),
                enhanced: Some(Enhanced { class: 255, subject: u16::MAX, detail: 999 }),
                reason: *Reason::ALL.last().unwrap(),
                outcome: Outcome::Bounced,
                expired: true,
                hop: true,
                own_domain: true,
            },
            Head {
                attempts: 0,
                deferred: 0,
                timed: false,
                first: 0,
                last: 0,
                order: 0,
                delay: None,
                code: None,
                enhanced: None,
                reason: Reason::ALL[0],
                outcome: Outcome::Delivered,
                expired: false,
                hop: false,
                own_domain: false,
            },
        ];
        let long = vec![b'q'; 300];
        for head in heads {
            for (qid, rcpt, hop, text) in
                [(&b""[..], &b""[..], &b""[..], &b""[..]), (&long[..], b"r@d", &long[..], &long[..MAX_REPLY])]
            {
                let mut key = Vec::new();
                encode_key(&mut key, qid, rcpt);
                let domain = head.own_domain.then_some(&b"D.example"[..]);
                let node = Node::new(&head, &key, hop, text, domain);
                assert_eq!(node.head(), head);
                let parts = node.parts();
                assert_eq!((parts.key, parts.hop, parts.text, parts.domain), (&key[..], hop, text, domain));
                assert_eq!(split_key(node.key()), (qid, rcpt));
            }
        }
    }

    #[test]
    fn sorter_matches_a_plain_sort() {
        let mut random = Random(3);
        let domains: [&[u8]; 4] = [b"", b"a.example", b"b.example", b"\xff.example"];
        let locals: [&[u8]; 5] = [b"x", b"averyverylongname", b"averyverylongnamf", b"x\0", b""];
        for len in [0, 1, 2, 3, 10, 200] {
            let mut rows: Vec<RecipientState> = (0..len)
                .map(|_| {
                    let domain = random.pick(&domains);
                    let recipient = [random.pick(&locals), b"@", domain].concat();
                    RecipientState {
                        recipient: recipient.into(),
                        domain: domain.into(),
                        outcome: random.pick(&FinalOutcome::ALL),
                        code: None,
                        enhanced: None,
                        reason: Reason::Undefined,
                        bounce_type: BounceType::None,
                        attempts: random.below(3) as u32,
                        deferred_attempts: 0,
                        first_seen: None,
                        last_seen: None,
                        last_reply: Box::default(),
                        delay: random.pick(&[None, Some(1.0), Some(-0.0), Some(0.0)]),
                    }
                })
                .collect();
            let mut want = rows.clone();
            want.sort_by(compare);
            let mut sorter = Sorter::default();
            rows.iter().for_each(|r| sorter.add(r));
            sorter.sort(&mut rows);
            assert_eq!(rows, want, "{len} rows");
        }
    }

    /// A small deterministic generator (SplitMix64).
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }

        fn shuffle<T>(&mut self, items: &mut [T]) {
            for i in (1..items.len()).rev() {
                items.swap(i, self.below(i + 1));
            }
        }
    }

    /// Random events over few keys: ties in time, missing times, hops
    /// (chains, loops, fan-in), expiries, repeated texts.
    fn scenario(random: &mut Random, events: usize, expiries: usize) -> (Vec<Fed<Ev>>, Vec<Fed<Expiry>>) {
        let qids = ["A", "B", "C"];
        let rcpts = ["a@x.example", "b@x.example", "C@UP.EXAMPLE"];
        let times = [None, Some(1), Some(2), Some(2), Some(3)];
        let texts = ["t1", "t2", "t2"];
        let evs = (0..events)
            .map(|i| {
                let (qid, rcpt, time) = (random.pick(&qids), random.pick(&rcpts), random.pick(&times));
                let e = match random.below(6) {
                    0 => hop(qid, rcpt, random.pick(&qids), time),
                    1 => ev(qid, rcpt, DELIVERED, time).delay(random.below(4) as f64),
                    2 => ev(qid, rcpt, BOUNCED, time).text(random.pick(&texts)),
                    3 => ev(qid, rcpt, BOUNCED, time).expired(),
                    _ => ev(qid, rcpt, DEFERRED, time).text(random.pick(&texts)),
                };
                (i, e)
            })
            .collect();
        let exps = (0..expiries).map(|i| (events + i, (random.pick(&qids), random.pick(&times)))).collect();
        (evs, exps)
    }

    /// The same events split in every way across three states, each fed in
    /// a shuffled order, merged in every order and grouping: `finish` gives
    /// what one state fed everything in input order gives.
    #[test]
    fn merging_does_not_depend_on_split_or_order() {
        let mut random = Random(42);
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for round in 0..40 {
            // Every third round, keys' hashes collide.
            COLLIDE.set(round % 3 == 2);
            let (events, expiries) = scenario(&mut random, 6, 1);
            let mut whole = Messages::new();
            feed(&mut whole, &events, &expiries);
            let len = whole.len();
            let want = whole.finish();
            let items = events.len() + expiries.len();
            for split in 0..3usize.pow(items as u32) {
                let mut parts: Vec<Messages> = (0..3).map(|_| Messages::new()).collect();
                let mut evs: [Vec<Fed<Ev>>; 3] = Default::default();
                let mut exps: [Vec<Fed<Expiry>>; 3] = Default::default();
                let mut digits = split;
                for &e in &events {
                    evs[digits % 3].push(e);
                    digits /= 3;
                }
                for &x in &expiries {
                    exps[digits % 3].push(x);
                    digits /= 3;
                }
                for (i, part) in parts.iter_mut().enumerate() {
                    random.shuffle(&mut evs[i]);
                    feed(part, &evs[i], &exps[i]);
                }
                let ord = random.pick(&orders);
                let [a, b, c] = ord.map(|i| parts[i].clone());
                let merged = if random.below(2) == 0 {
                    let mut ab = a;
                    ab += b;
                    ab += c;
                    ab
                } else {
                    let mut bc = b;
                    bc += c;
                    let mut abc = a;
                    abc += bc;
                    abc
                };
                assert_eq!(merged.len(), len, "round {round}, split {split}");
                assert_eq!(merged.finish(), want, "round {round}, split {split}, order {ord:?}\n{events:#?}");
            }
        }
    }

    /// Heap growth of one million recipients of realistic sizes:
    /// `cargo test --release --lib messages::tests::memory -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn memory() {
        fn resident() -> usize {
            let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux");
            let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
            pages * 4096
        }
        const N: usize = 1_000_000;
        const FIRST: [&str; 13] =
            ["anna", "bert", "carla", "dieter", "eva", "frank", "gina", "hans", "ida", "jan", "karl", "lena", "max"];
        const LAST: [&str; 17] = [
            "adler",
            "becker",
            "fischer",
            "hoffmann",
            "koch",
            "krueger",
            "lange",
            "meyer",
            "mueller",
            "neumann",
            "richter",
            "schmidt",
            "schneider",
            "schulz",
            "wagner",
            "weber",
            "wolf",
        ];
        let deferral = "host mx.example.net[192.0.2.25] said: 452 4.2.2 The email account that you tried to reach is \
                        over quota (in reply to RCPT TO command)";
        let lines: Vec<[String; 3]> = (0..N)
            .map(|i| {
                [
                    format!("4PbC{:011X}", i / 3),
                    format!("{}.{}{}@example-{}.com", FIRST[i % 13], LAST[i / 13 % 17], i % 1000, i % 5000),
                    format!("250 2.0.0 OK  1700000000 a1-20020a05600c{i:012} - gsmtp"),
                ]
            })
            .collect();
        let attempts = |i: usize| {
            let [qid, recipient, delivered] = &lines[i];
            let domain = &recipient[recipient.find('@').unwrap() + 1..];
            let attempt = Attempt {
                queue_id: qid.as_bytes(),
                recipient: recipient.as_bytes(),
                domain: domain.as_bytes(),
                outcome: DELIVERED,
                time: Some(2_000_000),
                code: Some(250),
                enhanced: Some(Enhanced { class: 2, subject: 0, detail: 0 }),
                reason: Reason::Delivered,
                text: delivered.as_bytes(),
                hop_to: None,
                expired: false,
                delay: Some(1.5),
            };
            let deferred = Attempt { outcome: DEFERRED, time: Some(1_000_000), text: deferral.as_bytes(), ..attempt };
            (deferred, attempt)
        };
        let before = resident();
        let started = std::time::Instant::now();
        let mut m = Messages::new();
        let mut records = 0;
        for i in 0..N {
            // 90% delivered at once, 5% deferred then delivered, 5% pending.
            let (deferred, delivered) = attempts(i);
            if i % 10 == 0 {
                m.record(&deferred, 2 * i as u64);
                records += 1;
            }
            if i % 20 != 0 {
                m.record(&delivered, 2 * i as u64 + 1);
                records += 1;
            }
        }
        let elapsed = started.elapsed();
        let grown = resident().saturating_sub(before);
        println!(
            "{} keys: {:.1} MB resident growth, {:.0} bytes per recipient; {:.0} ns per record",
            m.len(),
            grown as f64 / 1e6,
            grown as f64 / m.len() as f64,
            elapsed.as_nanos() as f64 / f64::from(records),
        );
        let started = std::time::Instant::now();
        for i in 0..N {
            let (deferred, _) = attempts(i);
            m.record(&deferred, 3 * N as u64 + i as u64);
        }
        println!("a second attempt of every key: {:.0} ns per record", started.elapsed().as_nanos() as f64 / N as f64);
        let (mut left, mut right) = (Messages::new(), Messages::new());
        for i in 0..N {
            let (_, delivered) = attempts(i);
            if i % 2 == 0 { &mut left } else { &mut right }.record(&delivered, i as u64);
        }
        let started = std::time::Instant::now();
        left += right;
        println!("merging two halves: {:.0} ns per key", started.elapsed().as_nanos() as f64 / N as f64);
        drop(left);
        let started = std::time::Instant::now();
        let f = m.finish();
        println!("finish: {:.2} s for {} recipients", started.elapsed().as_secs_f64(), f.recipients.len());
    }
}
