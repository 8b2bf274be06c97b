//! The ordered fold: per-piece message states added in log order, with the
//! recipients that have settled taken out as the log moves on.
//!
//! Workers fill one [`Messages`] per piece (chunk or block) and the pieces
//! are added to a [`Fold`] in input order (inputs in the order of their
//! first timestamps, pieces in file order). Each time the state held has
//! doubled since the last look, the fold takes out the recipients that
//! settled more than the settle time (an hour by default) before the latest
//! line seen, and adds their final states to the [`Outcomes`]: the per-domain
//! sums of the `messages` report and the suppression list of the
//! `recipients` report. What is held is then the recipients of the last
//! settle time, those still deferred, and the pieces in between: memory
//! follows the recipients in flight, not the length of the log.
//!
//! The settle time is the slack for lines of one recipient that come late:
//! a content filter's re-injected copy delivered a moment before the hop
//! line that names it, syslog lines a little out of order, a rotated file
//! whose lines overlap the next. A line that comes later than that after
//! its recipient settled starts a new recipient (a queue id reused days
//! later is another message). Only then can the result depend on how the
//! input was cut; for a log in time order it is exactly that of keeping
//! everything to the end.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use foldhash::fast::RandomState;

use super::{FinalOutcome, MessageRow, Messages, RecipientState, SenderTable, Settled, Volume, compare, encode_key};
use crate::classify::{BounceType, Reason};
use crate::parse::domain::LOCAL;
use crate::time::Micros;

/// How long after a recipient settles its lines are still expected, by
/// default: one hour.
pub const SETTLE: Micros = 3_600_000_000;

/// Below this many keys held, the fold does not look for settled ones.
const MIN_SWEEP: usize = 1 << 12;

/// Pieces' message states added in log order (see the module doc).
#[derive(Debug)]
pub struct Fold {
    held: Messages,
    settle: Micros,
    /// Keys held after the last sweep: the next one comes at twice as many,
    /// so sweeping costs a constant per key over the whole run.
    kept: usize,
    /// Below this many keys held, no sweep.
    min_sweep: usize,
    /// The most keys held at once.
    peak_held: usize,
    /// Sweeps so far: the next batch's ticket.
    sweeps: u64,
    /// The latest time in the input being folded: the horizon follows the
    /// current input, so one that overlaps an earlier one in time (another
    /// host's log) is not swept by the earlier one's clock.
    input_latest: Option<Micros>,
}

/// Recipients that settled in one sweep, and the sweep's place in the
/// order of sweeps. Resolving them can be done apart, in any thread; their
/// states go to an [`Ordered`] with the ticket.
#[derive(Debug)]
pub struct Batch {
    /// The sweep's number: batches are added up in this order.
    pub ticket: u64,
    /// The keys that left.
    pub settled: Settled,
}

impl Fold {
    /// A fold that keeps recipients for `settle` after they settle
    /// (`Micros::MAX`: to the end).
    pub fn new(settle: Micros) -> Fold {
        Fold {
            held: Messages::new(),
            settle: settle.max(0),
            kept: 0,
            min_sweep: MIN_SWEEP,
            peak_held: 0,
            sweeps: 0,
            input_latest: None,
        }
    }

    /// Sweeps whenever the keys held have doubled and reach `keys` (by
    /// default 4096): for tests and fuzzing, which sweep from 0.
    pub fn sweep_from(mut self, keys: usize) -> Fold {
        self.min_sweep = keys;
        self
    }

    /// Adds the state of the next piece of the log, and returns the
    /// recipients that settled, when it was time to look for them.
    pub fn add(&mut self, piece: Messages) -> Option<Batch> {
        self.input_latest = self.input_latest.max(piece.latest());
        self.held += piece;
        let held = self.held.len();
        self.peak_held = self.peak_held.max(held);
        if held < self.min_sweep.max(2 * self.kept) || self.settle == Micros::MAX {
            return None;
        }
        // Expiry records are kept one settle time longer, for late lines.
        let settle = self.settle;
        let settled = self.input_latest.map(|latest| {
            let horizon = latest.saturating_sub(settle);
            self.held.retire(horizon, horizon.saturating_sub(settle))
        });
        self.kept = self.held.len();
        settled.filter(|s| !s.is_empty()).map(|settled| self.batch(settled))
    }

    fn batch(&mut self, settled: Settled) -> Batch {
        self.sweeps += 1;
        Batch { ticket: self.sweeps - 1, settled }
    }

    /// Starts the next input: its own clock decides what has settled.
    pub fn next_input(&mut self) {
        self.input_latest = None;
    }

    /// The most (queue id, recipient) keys held at once so far.
    pub fn peak_held(&self) -> usize {
        self.peak_held
    }

    /// The last batch: every recipient still held, final as it stands
    /// (pending when still deferred).
    pub fn finish(mut self) -> Batch {
        let rest = std::mem::take(&mut self.held).into_settled();
        self.batch(rest)
    }
}

/// [`Outcomes`] fed batch by batch in the order of their tickets, whatever
/// order the batches come in.
#[derive(Debug, Default)]
pub struct Ordered {
    next: u64,
    waiting: BTreeMap<u64, Vec<RecipientState>>,
    outcomes: Outcomes,
}

impl Ordered {
    /// Outcomes without the suppression list ([`Outcomes::without_suppression`]).
    pub fn without_suppression(self) -> Ordered {
        Ordered { outcomes: self.outcomes.without_suppression(), ..self }
    }

    /// Outcomes that sum the recipients per sender ([`Outcomes::with_senders`]).
    pub fn with_senders(self) -> Ordered {
        Ordered { outcomes: self.outcomes.with_senders(), ..self }
    }

    /// Adds the final states of batch `ticket`, and of the batches waiting
    /// for it.
    pub fn add(&mut self, ticket: u64, states: Vec<RecipientState>) {
        self.waiting.insert(ticket, states);
        while let Some(states) = self.waiting.remove(&self.next) {
            self.outcomes.add(states);
            self.next += 1;
        }
    }

    /// The outcomes, once every batch up to the last is in; `peak_held`
    /// is the fold's [`Fold::peak_held`].
    pub fn finish(mut self, peak_held: usize) -> Outcomes {
        // Batches only go missing if a worker died; add what there is.
        for (_, states) in std::mem::take(&mut self.waiting) {
            self.outcomes.add(states);
        }
        self.outcomes.peak_held = peak_held;
        self.outcomes
    }
}

/// The final states of all recipients, added up for the reports.
#[derive(Clone, Debug, Default)]
pub struct Outcomes {
    domains: HashMap<Box<[u8]>, DomainSums, RandomState>,
    /// The addresses whose latest messages failed, by [`address_key`]
    /// (boxed: rows come and go, and the table's empty slots stay small).
    suppressed: HashMap<Box<[u8]>, Box<Suppressed>, RandomState>,
    /// Recipients added.
    pub recipients: u64,
    /// The most (queue id, recipient) keys held at once while folding.
    pub peak_held: usize,
    /// No suppression list is kept (see [`Outcomes::without_suppression`]).
    unlisted: bool,
    /// The recipients per sender, when the senders are followed
    /// ([`Outcomes::with_senders`]).
    senders: Option<SenderTable>,
    /// The messages received, when the senders are followed (see
    /// [`Settled::received`]).
    pub volume: Volume,
}

/// A domain's recipients by final outcome.
#[derive(Clone, Debug, Default)]
struct DomainSums {
    /// By [`FinalOutcome`].
    counts: [u64; 5],
    /// The expired among them whose last line was a deferral (see
    /// [`RecipientState::expired_in_queue`]).
    expired_in_queue: u64,
    deferred: u64,
    /// The delivered recipients' delays in milliseconds (the precision
    /// of the report): each distinct value and how many had it.
    delays: HashMap<u32, u32, RandomState>,
}

impl DomainSums {
    /// Adds another domain's sums to these (for `(other)`).
    fn absorb(&mut self, other: &DomainSums) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
        self.expired_in_queue += other.expired_in_queue;
        self.deferred += other.deferred;
        for (&delay, &count) in &other.delays {
            let sum = self.delays.entry(delay).or_default();
            *sum = sum.saturating_add(count);
        }
    }

    /// The `messages` row of these sums under the name `domain`.
    fn row(&self, domain: &[u8]) -> MessageRow {
        let [delivered, bounced, expired, discarded, pending] = self.counts;
        MessageRow {
            domain: String::from_utf8_lossy(domain).into_owned(),
            recipients: self.counts.iter().sum(),
            delivered,
            bounced,
            expired,
            discarded,
            pending,
            deferred_attempts: self.deferred,
            median_delay_s: median(&self.delays),
        }
    }
}

/// One line of the suppression list: the failed message that decides an
/// address's row (its latest hard bounce, else its latest failure), and the
/// attempts and times of its failed messages since it last accepted one
/// (block-type failures left out, see [`Outcomes::add`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Suppressed {
    /// The final state of the message that decides: the latest hard
    /// bounce, else the latest failure.
    pub state: RecipientState,
    /// Attempts of its failed messages since its last delivered one.
    pub attempts: u32,
    /// The first time of those messages.
    pub first_seen: Option<Micros>,
    /// The last time of those messages.
    pub last_seen: Option<Micros>,
}

impl Outcomes {
    /// Outcomes that keep only the per-domain sums: when no `recipients`
    /// report is written, the suppression list (a row per failed address)
    /// is not worth its memory.
    pub fn without_suppression(self) -> Outcomes {
        Outcomes { unlisted: true, ..self }
    }

    /// Outcomes that also sum the recipients per sender
    /// ([`RecipientState::sender`]), for the sender reports.
    pub fn with_senders(self) -> Outcomes {
        Outcomes { senders: Some(SenderTable::default()), ..self }
    }

    /// The recipients per sender, when they were summed
    /// ([`Outcomes::with_senders`]).
    pub fn senders(&self) -> Option<&SenderTable> {
        self.senders.as_ref()
    }

    /// Adds final states, in any order: they are taken in the order of
    /// their last time.
    ///
    /// For the suppression list, an address's messages with a final outcome
    /// are taken in that order: a failure starts its row (or adds to it), a
    /// later delivery ends it. Messages still pending do not count, and
    /// neither do block-type failures: they say the sending side was
    /// refused, nothing of the address, so one after a hard bounce does not
    /// hide it. The row's state is its latest hard bounce, else its latest
    /// failure: a hard bounce stands until a delivery ends the row (a soft
    /// failure or an expiry after it is counted in the row, not shown). A
    /// state older than the row's latest one can only come late (without a
    /// time, or from a log out of order by more than the settle time) and
    /// is left out of the row.
    pub fn add(&mut self, mut states: Vec<RecipientState>) {
        // Only the suppression list depends on the order; the sums do not.
        if !self.unlisted {
            states.sort_unstable_by(|a, b| recency(a).cmp(&recency(b)).then_with(|| compare(a, b)));
        }
        let mut key = Vec::new();
        for state in states {
            self.recipients += 1;
            let sums = match self.domains.get_mut(&state.domain[..]) {
                Some(sums) => sums,
                None => self.domains.entry(state.domain.clone()).or_default(),
            };
            sums.counts[state.outcome as usize] += 1;
            sums.expired_in_queue += u64::from(state.expired_in_queue);
            sums.deferred += u64::from(state.deferred_attempts);
            if state.outcome == FinalOutcome::Delivered
                && let Some(delay) = state.delay
            {
                let count = sums.delays.entry(delay_ms(delay)).or_default();
                *count = count.saturating_add(1);
            }
            if let Some(senders) = &mut self.senders {
                senders.add(&state);
            }
            // A message still pending is no final outcome, a discard by a
            // content filter here says nothing about the address, and a
            // block-type failure is our side's problem: none of them lists
            // or clears an address.
            if self.unlisted
                || matches!(state.outcome, FinalOutcome::Pending | FinalOutcome::Discarded)
                || state.bounce_type == BounceType::Block
            {
                continue;
            }
            address_key(&mut key, &state);
            let failed = is_failure(state.outcome);
            match self.suppressed.get_mut(&key[..]) {
                None if failed => {
                    let row = Suppressed {
                        attempts: state.attempts,
                        first_seen: state.first_seen,
                        last_seen: state.last_seen,
                        state,
                    };
                    self.suppressed.insert(key[..].into(), Box::new(row));
                }
                None => {}
                // The row's latest failure is its last time (its state may be
                // an earlier hard bounce).
                Some(row) => match recency(&state).cmp(&(row.last_seen, true)) {
                    Ordering::Less => {}
                    Ordering::Greater if !failed => {
                        self.suppressed.remove(&key[..]);
                    }
                    order => {
                        row.attempts = row.attempts.saturating_add(state.attempts);
                        row.first_seen = min_time(row.first_seen, state.first_seen);
                        row.last_seen = row.last_seen.max(state.last_seen);
                        // A later failure, or a hard bounce at the same
                        // time, replaces the state; only a hard bounce
                        // replaces a hard bounce.
                        if (is_hard_bounce(&state), order) > (is_hard_bounce(&row.state), Ordering::Equal) {
                            row.state = state;
                        }
                    }
                },
            }
        }
    }

    /// Reads Exim's `Unrouteable address` with the whole log, as
    /// [`crate::tally::Tally::settle_unrouteable`] does for the line-level
    /// counts: the suppression list's rows decided by such a failure
    /// ([`RecipientState::unrouteable`]) at a domain `delivers_locally`
    /// accepts move from hostunknown to userunknown. Which row an address
    /// has and whether it is listed do not change: the two reasons have
    /// the same bounce type. The per-domain sums hold no reasons.
    pub fn settle_unrouteable(&mut self, delivers_locally: impl Fn(&[u8]) -> bool) {
        for row in self.suppressed.values_mut() {
            let state = &mut row.state;
            if state.unrouteable && state.reason == Reason::HostUnknown && delivers_locally(&state.domain) {
                state.reason = Reason::UserUnknown;
            }
        }
    }

    /// The rows of the `messages` report, sorted by bounced plus expired
    /// (descending), recipients (descending), then domain.
    pub fn domain_rows(&self) -> Vec<MessageRow> {
        self.domain_rows_keeping(|_| true)
    }

    /// The rows of the domains `keep` accepts, sorted as in
    /// [`Outcomes::domain_rows`], then, when it refused any, one row
    /// `(other)` that adds up the others (their median delay is that of all
    /// their delivered recipients together).
    pub fn domain_rows_keeping(&self, keep: impl Fn(&[u8]) -> bool) -> Vec<MessageRow> {
        let mut other: Option<DomainSums> = None;
        let mut rows: Vec<(&[u8], MessageRow)> = Vec::with_capacity(self.domains.len());
        for (domain, sums) in &self.domains {
            if keep(domain) {
                rows.push((&domain[..], sums.row(domain)));
            } else {
                other.get_or_insert_default().absorb(sums);
            }
        }
        // Domains are unique: an unstable sort gives the one order.
        rows.sort_unstable_by(|(da, a), (db, b)| {
            (b.bounced + b.expired, b.recipients).cmp(&(a.bounced + a.expired, a.recipients)).then_with(|| da.cmp(db))
        });
        let other = other.map(|sums| sums.row(b"(other)"));
        rows.into_iter().map(|(_, row)| row).chain(other).collect()
    }

    /// Per domain, the recipients expired in the queue
    /// ([`RecipientState::expired_in_queue`]), for the domains that have
    /// any, in no particular order.
    pub fn expired_in_queue(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.domains
            .iter()
            .filter(|(_, sums)| sums.expired_in_queue > 0)
            .map(|(d, sums)| (&d[..], sums.expired_in_queue))
    }

    /// The suppression list, sorted by domain, then address.
    pub fn suppressed(&self) -> Vec<&Suppressed> {
        // The local part is found once per row, not once per comparison; two
        // rows equal in every field are alike, so the sort need not be stable.
        let mut rows: Vec<(&[u8], &[u8], &Suppressed)> =
            self.suppressed.values().map(|row| (&row.state.domain[..], local_part(&row.state), &**row)).collect();
        rows.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| compare(&a.2.state, &b.2.state)));
        rows.into_iter().map(|(_, _, row)| row).collect()
    }

    /// The suppression list in no particular order, for counting.
    pub fn suppressed_unordered(&self) -> impl Iterator<Item = &Suppressed> {
        self.suppressed.values().map(|row| &**row)
    }
}

fn is_failure(outcome: FinalOutcome) -> bool {
    matches!(outcome, FinalOutcome::Bounced | FinalOutcome::Expired)
}

/// A bounce whose bounce type is hard: the address or its domain is bad.
fn is_hard_bounce(s: &RecipientState) -> bool {
    s.outcome == FinalOutcome::Bounced && s.bounce_type == BounceType::Hard
}

/// Which of two messages of an address is the later: by last time (a
/// missing time first), a failure after a delivery at the same time.
fn recency(s: &RecipientState) -> (Option<Micros>, bool) {
    (s.last_seen, is_failure(s.outcome))
}

/// The local part of the address as logged (the whole address when it has
/// no domain: `(local)`).
fn local_part(s: &RecipientState) -> &[u8] {
    match memchr::memrchr(b'@', &s.recipient) {
        Some(at) if *s.domain != *LOCAL => &s.recipient[..at],
        _ => &s.recipient,
    }
}

/// An address as the suppression list tells them apart: the local part as
/// logged and the normalized domain.
fn address_key(out: &mut Vec<u8>, s: &RecipientState) {
    encode_key(out, &s.domain, local_part(s));
}

fn min_time(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (one, other) => one.or(other),
    }
}

/// A delay in whole milliseconds (rounded; at most `u32::MAX`, 49.7 days).
fn delay_ms(seconds: f64) -> u32 {
    // `as` saturates, and maps NaN to 0.
    (seconds * 1000.0).round() as u32
}

/// The median, in seconds, of the millisecond values counted in `delays`
/// (the mean of the two middle values for an even count), `None` when
/// empty.
fn median(delays: &HashMap<u32, u32, RandomState>) -> Option<f64> {
    let mut values: Vec<(u32, u64)> = delays.iter().map(|(&ms, &n)| (ms, u64::from(n))).collect();
    values.sort_unstable();
    let total: u64 = values.iter().map(|v| v.1).sum();
    if total == 0 {
        return None;
    }
    // The values at positions (total - 1) / 2 and total / 2 (0-based).
    let nth = |k: u64| {
        let mut seen = 0;
        values.iter().find(|v| {
            seen += v.1;
            seen > k
        })
    };
    let (low, high) = (f64::from(nth((total - 1) / 2)?.0), f64::from(nth(total / 2)?.0));
    Some(if total % 2 == 1 { low } else { (low + high) / 2.0 } / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{BounceType, Reason};
    use crate::messages::Finished;
    use crate::messages::node::MessageId;
    use crate::messages::tests::*;
    use FinalOutcome::{Bounced as B, Delivered as D, Discarded as Dc, Expired as X, Pending as P};

    /// A recipient's final state: address, outcome, first and last time (s), attempts.
    fn state(rcpt: &str, outcome: FinalOutcome, first: i64, last: i64, attempts: u32) -> RecipientState {
        RecipientState::for_test(rcpt, outcome, BounceType::Undetermined, (first, last), attempts)
    }

    /// Outcomes without the suppression list add up the same per-domain
    /// rows, in whatever order the states come, and list no address.
    #[test]
    fn outcomes_without_suppression_keep_the_same_sums() {
        let batch = || {
            vec![
                state("a@x.example", B, 1, 2, 1),
                state("b@x.example", D, 1, 3, 2),
                state("a@x.example", D, 4, 5, 1),
                state("c@y.example", X, 1, 9, 3),
                state("d@y.example", P, 2, 8, 1),
                state("e@z.example", Dc, 1, 1, 1),
            ]
        };
        let mut listed = Outcomes::default();
        listed.add(batch());
        let mut unlisted = Outcomes::default().without_suppression();
        unlisted.add(batch().into_iter().rev().collect());
        assert_eq!(listed.domain_rows(), unlisted.domain_rows());
        assert_eq!(listed.recipients, unlisted.recipients);
        assert_eq!(listed.suppressed().len(), 1);
        assert!(unlisted.suppressed().is_empty());
        assert_eq!(unlisted.suppressed_unordered().count(), 0);
    }

    /// Settling `Unrouteable address` with the log moves a row's reason
    /// from hostunknown to userunknown only when its deciding failure was
    /// one and its domain had a local delivery; the rows and their bounce
    /// types stay.
    #[test]
    fn unrouteable_rows_are_unknown_users_at_domains_delivered_locally() {
        use Reason::{HostUnknown as Host, UserUnknown as User};
        // (address, unrouteable, reason before, reason after)
        let cases = [
            ("nouser@own.example", true, Host, User),
            ("gone@own.example", false, Host, Host),
            ("full@own.example", true, Reason::MailboxFull, Reason::MailboxFull),
            ("x@typo.example", true, Host, Host),
            ("root@localhost", true, User, User),
        ];
        let mut outcomes = Outcomes::default();
        outcomes.add(
            cases
                .iter()
                .map(|&(rcpt, unrouteable, reason, _)| RecipientState {
                    reason,
                    unrouteable,
                    bounce_type: BounceType::Hard,
                    ..state(rcpt, B, 1, 1, 1)
                })
                .collect(),
        );
        outcomes.settle_unrouteable(|domain| domain == b"own.example" || domain == b"localhost");
        let got: Vec<(&[u8], Reason, BounceType)> = outcomes
            .suppressed()
            .iter()
            .map(|s| (&s.state.recipient[..], s.state.reason, s.state.bounce_type))
            .collect();
        let mut want: Vec<(&[u8], Reason, BounceType)> =
            cases.iter().map(|&(rcpt, _, _, after)| (rcpt.as_bytes(), after, BounceType::Hard)).collect();
        want.sort_by_key(|&(rcpt, ..)| {
            let (local, domain) = rcpt.split_at(rcpt.iter().position(|&b| b == b'@').unwrap());
            (domain.to_vec(), local.to_vec())
        });
        assert_eq!(got, want);
    }

    #[test]
    fn the_suppression_list_keeps_addresses_whose_latest_message_failed() {
        // Batches of states added one after the other, and the rows:
        // (address, outcome, attempts, first, last).
        type Row = (&'static str, FinalOutcome, u32, i64, i64);
        type Batches = Vec<Vec<RecipientState>>;
        let cases: Vec<(&str, Batches, Vec<Row>)> = vec![
            ("a bounce", vec![vec![state("a@x.example", B, 1, 2, 2)]], vec![("a@x.example", B, 2, 1, 2)]),
            (
                "a later delivery clears it",
                vec![vec![state("a@x.example", B, 1, 2, 1), state("a@x.example", D, 5, 6, 1)]],
                vec![],
            ),
            (
                "a bounce after a delivery counts from the bounce",
                vec![vec![state("a@x.example", D, 1, 2, 3)], vec![state("a@x.example", X, 5, 9, 4)]],
                vec![("a@x.example", X, 4, 5, 9)],
            ),
            (
                "failures add up, the latest decides",
                vec![vec![state("a@x.example", X, 5, 9, 4), state("a@x.example", B, 1, 2, 1)]],
                vec![("a@x.example", X, 5, 1, 9)],
            ),
            (
                "a late pending older than the row is left out",
                vec![vec![state("a@x.example", B, 5, 9, 1)], vec![state("a@x.example", P, 1, 3, 2)]],
                vec![("a@x.example", B, 1, 5, 9)],
            ),
            (
                "a message still pending neither clears a row",
                vec![vec![state("a@x.example", B, 5, 9, 1)], vec![state("a@x.example", P, 10, 12, 2)]],
                vec![("a@x.example", B, 1, 5, 9)],
            ),
            (
                "nor breaks a run of failures, nor lists an address",
                vec![
                    vec![state("a@x.example", B, 1, 2, 1), state("a@x.example", B, 5, 6, 1)],
                    vec![state("a@x.example", P, 3, 4, 2), state("b@x.example", P, 3, 4, 2)],
                ],
                vec![("a@x.example", B, 2, 1, 6)],
            ),
            (
                "at the same time a failure wins",
                vec![vec![state("a@x.example", B, 1, 5, 1), state("a@x.example", D, 1, 5, 1)]],
                vec![("a@x.example", B, 1, 1, 5)],
            ),
            (
                "the domain's case does not matter, the local part's does",
                vec![vec![
                    state("a@X.Example", B, 1, 5, 1),
                    state("a@x.example", B, 2, 6, 1),
                    state("A@x.example", B, 3, 7, 1),
                ]],
                vec![("A@x.example", B, 1, 3, 7), ("a@x.example", B, 2, 1, 6)],
            ),
            (
                // By the address as a whole `user.x@` would come first ('.' < '@').
                "sorted by domain, then local part",
                vec![vec![
                    state("z@a.example", B, 1, 2, 1),
                    state("user.x@b.example", B, 1, 2, 1),
                    state("user@b.example", B, 1, 2, 1),
                ]],
                vec![("z@a.example", B, 1, 1, 2), ("user@b.example", B, 1, 1, 2), ("user.x@b.example", B, 1, 1, 2)],
            ),
            (
                "a discard neither clears a row nor lists an address",
                vec![
                    vec![state("a@x.example", B, 1, 2, 1)],
                    vec![state("a@x.example", Dc, 5, 6, 1), state("b@x.example", Dc, 5, 6, 1)],
                ],
                vec![("a@x.example", B, 1, 1, 2)],
            ),
            (
                "an address without a domain and one with nothing after '@' are two",
                vec![vec![state("user@", B, 1, 2, 1), state("user", B, 3, 4, 1)]],
                vec![("user", B, 1, 3, 4), ("user@", B, 1, 1, 2)],
            ),
        ];
        for (what, batches, want) in cases {
            let mut outcomes = Outcomes::default();
            for batch in batches {
                outcomes.add(batch);
            }
            let got: Vec<Row> = outcomes
                .suppressed()
                .iter()
                .map(|s| {
                    let rcpt: &'static str = String::from_utf8(s.state.recipient.to_vec()).unwrap().leak();
                    let secs = |t: Option<Micros>| t.unwrap() / 1_000_000;
                    (rcpt, s.state.outcome, s.attempts, secs(s.first_seen), secs(s.last_seen))
                })
                .collect();
            assert_eq!(got, want, "{what}");
        }
    }

    /// The suppression list by bounce type, worked out by hand: block-type
    /// failures neither list nor clear an address, a hard bounce stands
    /// until a delivery, and a later failure replaces any other.
    #[test]
    fn the_suppression_list_by_bounce_type() {
        use BounceType::{Block as K, Hard as H, Soft as S, Undetermined as U};
        // A final state: (outcome, bounce type, code, first, last, attempts).
        type Msg = (FinalOutcome, BounceType, u16, i64, i64, u32);
        // The row of a.example: (outcome, bounce type, code, attempts, first, last).
        type Row = (FinalOutcome, BounceType, u16, u32, i64, i64);
        type Batches = Vec<Vec<Msg>>;
        let none = BounceType::None;
        let cases: Vec<(&str, Batches, Option<Row>)> = vec![
            ("a hard bounce", vec![vec![(B, H, 550, 1, 2, 1)]], Some((B, H, 550, 1, 1, 2))),
            ("a soft bounce", vec![vec![(B, S, 552, 1, 2, 1)]], Some((B, S, 552, 1, 1, 2))),
            ("an expiry", vec![vec![(X, S, 421, 1, 9, 4)]], Some((X, S, 421, 4, 1, 9))),
            ("a block-type bounce lists nothing", vec![vec![(B, K, 554, 1, 2, 1)]], None),
            ("a block-type expiry lists nothing", vec![vec![(X, K, 421, 1, 9, 4)]], None),
            (
                "a block after a hard bounce does not hide it, nor counts",
                vec![vec![(B, H, 550, 1, 2, 1)], vec![(B, K, 554, 5, 6, 1)]],
                Some((B, H, 550, 1, 1, 2)),
            ),
            (
                "a block before a hard bounce does not count",
                vec![vec![(B, K, 554, 1, 2, 3), (B, H, 550, 5, 6, 1)]],
                Some((B, H, 550, 1, 5, 6)),
            ),
            (
                "a delivery after a hard bounce and a block still clears it",
                vec![vec![(B, H, 550, 1, 2, 1), (B, K, 554, 3, 4, 1)], vec![(D, none, 250, 5, 6, 1)]],
                None,
            ),
            (
                "a block after a delivery lists nothing",
                vec![vec![(B, H, 550, 1, 2, 1), (D, none, 250, 3, 4, 1), (B, K, 554, 5, 6, 1)]],
                None,
            ),
            (
                "a block at the time of a delivery does not beat it",
                vec![vec![(B, H, 550, 1, 2, 1)], vec![(D, none, 250, 5, 6, 1), (B, K, 554, 5, 6, 1)]],
                None,
            ),
            (
                "a soft bounce after a hard bounce counts, the hard bounce shows",
                vec![vec![(B, H, 550, 1, 2, 1)], vec![(B, S, 552, 5, 6, 2)]],
                Some((B, H, 550, 3, 1, 6)),
            ),
            (
                "an expiry after a hard bounce likewise, even typed hard",
                vec![vec![(B, H, 550, 1, 2, 1), (X, H, 450, 3, 9, 4)]],
                Some((B, H, 550, 5, 1, 9)),
            ),
            (
                "an undetermined bounce after a hard bounce likewise",
                vec![vec![(B, H, 550, 1, 2, 1), (B, U, 550, 3, 4, 1)]],
                Some((B, H, 550, 2, 1, 4)),
            ),
            (
                "a hard bounce replaces an earlier expiry",
                vec![vec![(X, S, 421, 1, 5, 3)], vec![(B, H, 550, 6, 7, 1)]],
                Some((B, H, 550, 4, 1, 7)),
            ),
            (
                "the latest of two hard bounces shows",
                vec![vec![(B, H, 550, 1, 2, 1), (B, H, 551, 5, 6, 1)]],
                Some((B, H, 551, 2, 1, 6)),
            ),
            (
                "at the same time the hard bounce shows, whichever comes first",
                vec![vec![(B, H, 550, 1, 5, 1)], vec![(B, S, 552, 1, 5, 1)]],
                Some((B, H, 550, 2, 1, 5)),
            ),
            (
                "at the same time, the other way round",
                vec![vec![(B, S, 552, 1, 5, 1)], vec![(B, H, 550, 1, 5, 1)]],
                Some((B, H, 550, 2, 1, 5)),
            ),
            (
                "without a hard bounce the latest failure shows",
                vec![vec![(B, S, 552, 1, 2, 1), (X, H, 450, 3, 9, 4)]],
                Some((X, H, 450, 5, 1, 9)),
            ),
            (
                "a hard bounce after a delivery counts from the bounce",
                vec![vec![(B, S, 552, 1, 2, 1), (D, none, 250, 3, 4, 1), (B, H, 550, 5, 6, 1)]],
                Some((B, H, 550, 1, 5, 6)),
            ),
        ];
        for (what, batches, want) in cases {
            let mut outcomes = Outcomes::default();
            for batch in batches {
                let states = batch
                    .into_iter()
                    .map(|(outcome, bounce_type, code, first, last, attempts)| RecipientState {
                        bounce_type,
                        code: Some(code),
                        ..state("a@a.example", outcome, first, last, attempts)
                    })
                    .collect();
                outcomes.add(states);
            }
            let rows = outcomes.suppressed();
            assert!(rows.len() <= 1, "{what}: {} rows", rows.len());
            let got: Option<Row> = rows.first().map(|s| {
                let secs = |t: Option<Micros>| t.unwrap() / 1_000_000;
                let r = &s.state;
                (r.outcome, r.bounce_type, r.code.unwrap(), s.attempts, secs(s.first_seen), secs(s.last_seen))
            });
            assert_eq!(got, want, "{what}");
        }
    }

    #[test]
    fn median_of_counted_values() {
        let counted = |pairs: &[(f64, u32)]| -> HashMap<u32, u32, RandomState> {
            pairs.iter().map(|&(v, n)| (delay_ms(v), n)).collect()
        };
        assert_eq!(median(&counted(&[])), None);
        assert_eq!(median(&counted(&[(3.0, 1)])), Some(3.0));
        assert_eq!(median(&counted(&[(4.0, 1), (1.0, 1)])), Some(2.5));
        assert_eq!(median(&counted(&[(9.0, 1), (1.0, 1), (5.0, 1)])), Some(5.0));
        assert_eq!(median(&counted(&[(9.0, 3), (1.0, 2)])), Some(9.0));
        assert_eq!(median(&counted(&[(9.0, 2), (1.0, 2)])), Some(5.0));
        assert_eq!(median(&counted(&[(0.5, 1), (7.0, 5), (2.0, 0)])), Some(7.0));
        assert_eq!(median(&counted(&[(0.0125, 1), (0.02, 1)])), Some(0.0165));
        assert_eq!(delay_ms(1e12), u32::MAX);
        assert_eq!(delay_ms(f64::NAN), 0);
        assert_eq!(delay_ms(431_999.99), 431_999_990);
    }

    /// One expiry record per expired message must not stay forever.
    #[test]
    fn expiry_records_are_forgotten_once_settled() {
        use crate::classify::Reason as R;
        use crate::parse::Outcome;
        let mut fold = Fold::new(60 * 1_000_000).sweep_from(0);
        let mut batches = 0;
        for i in 0..20_000i64 {
            let mut piece = Messages::new();
            let qid = format!("Q{i}");
            let attempt = crate::messages::Attempt {
                queue_id: qid.as_bytes(),
                recipient: b"a@x.example",
                domain: b"x.example",
                outcome: Outcome::Deferred,
                time: Some(i * 10_000_000),
                code: Some(452),
                enhanced: None,
                reason: R::MailboxFull,
                text: b"452 full",
                hop_to: None,
                expired: false,
                delay: None,
                discarded: false,
                unrouteable: false,
            };
            piece.record(&attempt, 0);
            piece.record_expiry(qid.as_bytes(), Some(i * 10_000_000 + 1), 1);
            batches += usize::from(fold.add(piece).is_some());
        }
        assert!(batches > 10, "{batches} sweeps");
        // Kept: about two settle times' worth (12 a minute), not 20,000.
        assert!(fold.held.expiries.len() < 100, "{} expiry records held", fold.held.expiries.len());
        assert!(fold.held.len() < 100, "{} keys held", fold.held.len());
    }

    /// One arrival record per message must not stay forever either: those
    /// of messages whose recipients all left, and those of messages with no
    /// line at all, are forgotten; a message with a recipient held keeps
    /// its record however old.
    #[test]
    fn arrival_records_are_forgotten_once_settled() {
        let mut fold = Fold::new(60 * 1_000_000).sweep_from(0);
        let mut batches = Vec::new();
        let mut first = Messages::new();
        feed_arrivals(&mut first, &[("OLD", Some(0))]);
        feed(&mut first, &[(0, ev("OLD", "a@x.example", DEFERRED, Some(1)))], &[]);
        fold.add(first);
        for i in 0..20_000i64 {
            let mut piece = Messages::new();
            let qid: &'static str = format!("Q{i}").leak();
            let lone: &'static str = format!("L{i}").leak();
            feed_arrivals(&mut piece, &[(qid, Some(i * 10)), (lone, Some(i * 10))]);
            feed(&mut piece, &[(0, ev(qid, "a@x.example", DELIVERED, Some(i * 10 + 1)))], &[]);
            batches.extend(fold.add(piece));
        }
        assert!(batches.len() > 10, "{} sweeps", batches.len());
        // Kept: about two settle times' worth (12 a minute, two per message), not 40,000.
        assert!(fold.held.arrivals.len() < 100, "{} arrival records held", fold.held.arrivals.len());
        assert!(fold.held.arrivals.contains_key(&MessageId::of(b"OLD").unwrap()), "a held recipient's record stays");
        // The recipients that left took their records along.
        let first = batches.into_iter().flat_map(|b| b.settled.resolve()).find(|r| r.last_seen == Some(1_000_000));
        assert_eq!(first.map(|r| r.delay), Some(Some(1.0)));
    }

    /// The most keys held at once, worked out by hand: settle time 1 s,
    /// a sweep whenever the keys held have doubled since the last one.
    #[test]
    fn peak_held_is_the_most_keys_held_at_once() {
        let mut fold = Fold::new(1_000_000).sweep_from(0);
        let pieces = [
            // 2 keys, swept (nothing settled yet): 2 kept.
            vec![ev("Q1", "a@x.example", DELIVERED, Some(0)), ev("Q1", "b@x.example", DELIVERED, Some(0))],
            // The same key again: still 2.
            vec![ev("Q1", "a@x.example", DELIVERED, Some(0))],
            // 3 keys, below twice 2: no sweep.
            vec![ev("Q2", "c@x.example", DELIVERED, Some(10))],
            // 4 keys: swept at 20 s, the three delivered before 19 s settle.
            vec![ev("Q3", "d@x.example", DELIVERED, Some(20))],
        ];
        let mut held = Vec::new();
        for events in pieces {
            let mut piece = Messages::new();
            let events: Vec<_> = events.into_iter().enumerate().collect();
            feed(&mut piece, &events, &[]);
            fold.add(piece);
            held.push(fold.held.len());
        }
        assert_eq!((held, fold.peak_held()), (vec![2, 2, 3, 1], 4));
    }

    /// Batches are passed on as soon as those before them are in: only
    /// batches that came early wait.
    #[test]
    fn batches_in_order_do_not_wait() {
        let batch = |rcpt| vec![state(rcpt, B, 1, 2, 1)];
        let mut ordered = Ordered::default();
        ordered.add(1, batch("b@x.example"));
        assert_eq!((ordered.next, ordered.waiting.len()), (0, 1), "batch 1 waits for batch 0");
        ordered.add(0, batch("a@x.example"));
        assert_eq!((ordered.next, ordered.waiting.len()), (2, 0));
        ordered.add(2, batch("c@x.example"));
        assert_eq!((ordered.next, ordered.waiting.len()), (3, 0));
        assert_eq!(ordered.finish(0).suppressed().len(), 3);
    }

    /// The `messages` report's rows of `f`.
    fn domain_rows(f: &Finished) -> Vec<MessageRow> {
        let mut outcomes = Outcomes::default();
        outcomes.add(f.recipients.clone());
        outcomes.domain_rows()
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
        // d4: one delivered (3 s), one deferred then discarded by a content
        // filter (its delay is no delivery's).
        events.push(ev("G1", "a@d4.example", DELIVERED, Some(1)).delay(3.0));
        events.push(ev("G2", "b@d4.example", DEFERRED, Some(1)));
        events.push(ev("G2", "b@d4.example", DELIVERED, Some(9)).delay(60.0).discarded());
        let f = run(&events, &[("E1", Some(9))]);
        let rows = domain_rows(&f);
        let row = |domain: &str, counts: [u64; 7], median_delay_s| MessageRow {
            domain: domain.into(),
            recipients: counts[0],
            delivered: counts[1],
            bounced: counts[2],
            expired: counts[3],
            discarded: counts[4],
            pending: counts[5],
            deferred_attempts: counts[6],
            median_delay_s,
        };
        assert_eq!(
            rows,
            vec![
                row("d1.example", [5, 3, 1, 0, 0, 1, 4], Some(2.0)),
                row("d2.example", [3, 2, 0, 1, 0, 0, 3], Some(30.0)),
                row("d4.example", [2, 1, 0, 0, 1, 0, 1], Some(3.0)),
                row("d3.example", [1, 0, 0, 0, 0, 1, 1], None),
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

    /// A line of [`days_of_events`].
    #[derive(Clone, Copy, Debug)]
    enum Line {
        Event(Ev),
        Expiry(Expiry),
        Arrival(Arrival),
    }

    /// Messages over days in time order (as in a real log): delivered,
    /// deferred then delivered or bounced, expired, through a content
    /// filter whose copy is delivered a second before the hop line, or
    /// pending; addresses repeat across messages. And Exim's, whose lines
    /// have no delay, after an arrival line: delivered 9 s or (the first
    /// line) 8 s after it, or to two recipients, one delivered at once
    /// and the other two hours later (the first settles long before the
    /// second needs the arrival record).
    fn days_of_events() -> Vec<(i64, Line)> {
        let mut out = Vec::new();
        for i in 0..900i64 {
            let t = 60 * i;
            let qid: &'static str = format!("Q{i}").leak();
            let rcpt: &'static str = format!("u{}@d{}.example", i % 37, i % 37 % 5).leak();
            let exim = |domain: &str| -> &'static str { format!("u{}@{domain}", i % 37).leak() };
            let mut at = |dt: i64, e: Ev| out.push((t + dt, Line::Event(Ev { time: Some(t + dt), ..e })));
            match i % 9 {
                0 | 1 => at(1, ev(qid, rcpt, DELIVERED, None).delay(1.0)),
                2 => {
                    at(1, ev(qid, rcpt, DEFERRED, None));
                    at(7200, ev(qid, rcpt, BOUNCED, None));
                }
                3 => {
                    at(1, ev(qid, rcpt, DEFERRED, None));
                    at(3600, ev(qid, rcpt, DEFERRED, None));
                    out.push((t + 3601, Line::Expiry((qid, Some(t + 3601)))));
                }
                4 => {
                    let new: &'static str = format!("R{i}").leak();
                    at(1, ev(new, rcpt, DELIVERED, None).delay(0.5));
                    at(2, hop(qid, rcpt, new, None).delay(2.0));
                }
                5 => at(1, ev(qid, rcpt, DEFERRED, None)),
                6 => at(9, ev(qid, exim("nine.example"), DELIVERED, None)),
                7 => {
                    at(2, ev(qid, exim("two.example"), DELIVERED, None));
                    at(2, ev(qid, exim("long.example"), DEFERRED, None));
                    at(7200, ev(qid, exim("long.example"), DELIVERED, None));
                }
                _ => at(8, ev(qid, exim("eight.example"), DELIVERED, None)),
            }
            if i % 9 >= 6 {
                out.push((t, Line::Arrival((qid, Some(t)))));
            }
        }
        out.sort_by_key(|e| e.0);
        out
    }

    fn fold(events: &[(i64, Line)], fold: Fold, piece: usize) -> Outcomes {
        let mut fold = fold;
        let mut batches = Vec::new();
        for (n, part) in events.chunks(piece).enumerate() {
            let mut m = Messages::new();
            for (k, (_, e)) in part.iter().enumerate() {
                let order = (n * piece + k) as u64;
                match *e {
                    Line::Event(e) => m.record(&e.attempt(), order),
                    Line::Expiry((qid, time)) => {
                        m.record_expiry(qid.as_bytes(), time.map(|s| s * 1_000_000), order);
                    }
                    Line::Arrival(arrival) => feed_arrivals(&mut m, &[arrival]),
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
        assert_eq!(all.recipients, 1000);
        let rows = all.domain_rows();
        // Exim's delays count from the arrival.
        let delays: Vec<(&str, Option<f64>)> =
            rows.iter().filter(|r| !r.domain.starts_with('d')).map(|r| (&r.domain[..], r.median_delay_s)).collect();
        assert_eq!(
            delays,
            [
                ("eight.example", Some(8.0)),
                ("long.example", Some(7200.0)),
                ("nine.example", Some(9.0)),
                ("two.example", Some(2.0))
            ]
        );
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
}
