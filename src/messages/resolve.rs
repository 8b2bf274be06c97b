//! Resolving the states that have settled: content-filter hops followed to
//! the copy they queued, expiries applied to the recipients still deferred,
//! delays counted from the message's arrival when no line says them, and
//! the final states sorted so the order never depends on the input's cut.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::FinalOutcome;
use super::MAX_REPLY;
use super::RecipientState;
use super::Volume;
use super::node::Expiries;
use super::node::Head;
use super::node::Node;
use super::node::domain_after_at;
use super::node::encode_key;
use super::node::key_hash;
use super::node::split_key;
use crate::classify::{self, BounceType, Reason};
use crate::parse::{self, Enhanced, Outcome};
use crate::time::Micros;

/// Keys taken out of a [`Messages`](super::Messages), with the expiry
/// records and arrival times they need: resolving them (which can be done
/// apart) gives their final states.
#[derive(Debug, Default)]
pub struct Settled {
    pub(super) nodes: Vec<(u64, Node)>,
    pub(super) expiries: Expiries,
    /// The arrival time of each node's message, when recorded, by position
    /// in `nodes`; empty when no arrival was recorded at all.
    pub(super) arrived: Vec<Option<Micros>>,
    /// The sender of each node's message, when recorded, by position in
    /// `nodes`; empty when no sender was recorded at all.
    pub(super) senders: Vec<Option<Arc<[u8]>>>,
    /// The messages received, when this is the last of the store
    /// ([`Messages::into_settled`](super::Messages::into_settled)): every
    /// envelope record the store forgot or still held.
    pub received: Volume,
}

impl Settled {
    /// Keys held.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The recipients' final states, in no particular order.
    pub fn resolve(self) -> Vec<RecipientState> {
        resolve(self.nodes, &self.expiries, &self.arrived, &self.senders)
    }
}

/// The final states of the recipients whose keys are `nodes`, which must
/// hold every key a hop among them leads to (all keys, or a set closed
/// under hops).
///
/// A hop whose target (new queue id, same recipient) is not among `nodes`
/// ends the chain: the recipient counts as delivered there (the log may
/// stop before the filter re-injected the message), and the hop line counts
/// as its final attempt. Input no MTA writes is resolved deterministically
/// too: when several keys hop to one key, the smallest (by queue id length,
/// queue id) continues there and the others end at their hop; a loop of
/// hops is entered at its smallest key and ends where it would come back.
///
/// A chain's arrival is the earliest arrival time of its keys' messages
/// (`arrived`, by position in `nodes`, or empty for none); it counts only
/// for a delay no line says. Its sender is that of its first key's message
/// (the message as it came in), else of the next key's with one (`senders`,
/// by position, or empty for none).
pub(super) fn resolve(
    nodes: Vec<(u64, Node)>,
    expiries: &Expiries,
    arrived: &[Option<Micros>],
    senders: &[Option<Arc<[u8]>>],
) -> Vec<RecipientState> {
    let (hashes, mut nodes): (Vec<u64>, Vec<Node>) = nodes.into_iter().unzip();
    let n = nodes.len();
    // The link of each hop to its target, by position: source → target.
    let mut next: HashMap<usize, usize, RandomState> = HashMap::default();
    let mut has_source = vec![false; n];
    if nodes.iter().any(Node::is_hop) {
        // The hops' targets by their key's hash: only keys with one of
        // those hashes are compared.
        type Hops = Vec<(Box<[u8]>, usize)>;
        let mut wanted: HashMap<u64, Hops, RandomState> = HashMap::default();
        let mut scratch = Vec::new();
        for (i, node) in nodes.iter().enumerate().filter(|(_, node)| node.is_hop()) {
            let parts = node.parts();
            encode_key(&mut scratch, parts.hop, split_key(parts.key).1);
            if scratch != parts.key {
                wanted.entry(key_hash(&scratch)).or_default().push((scratch[..].into(), i));
            }
        }
        // Target → its smallest source.
        let mut sources: HashMap<usize, usize, RandomState> = HashMap::default();
        for (target, node) in nodes.iter().enumerate() {
            let Some(hops) = wanted.get(&hashes[target]) else { continue };
            for &(_, i) in hops.iter().filter(|(key, _)| **key == *node.key()) {
                sources
                    .entry(target)
                    .and_modify(|s| *s = if nodes[i].key() < nodes[*s].key() { i } else { *s })
                    .or_insert(i);
            }
        }
        for (target, source) in sources {
            next.insert(source, target);
            has_source[target] = true;
        }
    }
    let mut visited = vec![false; n];
    let mut recipients = Vec::with_capacity(n);
    let mut chain_keys = Vec::new();
    // Follows a chain from `start`, then frees its nodes: the memory of
    // the states goes to the recipients as they are made.
    let mut walk = |start: usize, nodes: &mut [Node], visited: &mut [bool]| {
        let mut chain = Chain::default();
        chain_keys.clear();
        let mut at = start;
        visited[at] = true;
        chain.add(&nodes[at].head());
        chain_keys.push(at);
        while let Some(&to) = next.get(&at).filter(|&&to| !visited[to]) {
            chain.hop_delay += nodes[at].head().delay.unwrap_or(0.0);
            visited[to] = true;
            at = to;
            chain.add(&nodes[at].head());
            chain_keys.push(at);
        }
        chain.arrived = chain_keys.iter().filter_map(|&i| arrived.get(i).copied().flatten()).min();
        chain.sender = chain_keys.iter().find_map(|&i| senders.get(i).cloned().flatten());
        recipients.push(chain.finish(&nodes[at], expiries));
        for &i in &chain_keys {
            nodes[i] = Node::default();
        }
    };
    for start in (0..n).filter(|&i| !has_source[i]) {
        walk(start, &mut nodes, &mut visited);
    }
    // What is left are loops: each is entered at its smallest key.
    for i in 0..n {
        if !visited[i] && has_source[i] {
            let (mut start, mut at) = (i, next[&i]);
            while at != i {
                if nodes[at].key() < nodes[start].key() {
                    start = at;
                }
                at = next[&at];
            }
            walk(start, &mut nodes, &mut visited);
        }
    }
    recipients
}

/// Sorts recipients by domain, recipient and outcome, then by all their
/// other fields: rows that sort alike are alike.
///
/// Comparisons that read the strings are slow on millions of rows (each is
/// a cache miss), so rows are sorted by an integer first: the domain's rank
/// among the domains, then the recipient's first 12 bytes. Both are taken
/// as each row is made, while its strings are in cache.
#[derive(Default)]
pub(super) struct Sorter {
    /// Each domain's number, in order of appearance.
    pub(super) domains: HashMap<Box<[u8]>, u32, RandomState>,
    /// Each row's domain number and the first 12 bytes of its recipient.
    pub(super) keys: Vec<(u32, u128)>,
}

impl Sorter {
    pub(super) fn add(&mut self, row: &RecipientState) {
        let next = self.domains.len() as u32;
        let id = match self.domains.get(&row.domain[..]) {
            Some(&id) => id,
            None => {
                self.domains.insert(row.domain.clone(), next);
                next
            }
        };
        let mut head = [0u8; 16];
        let len = row.recipient.len().min(12);
        head[4..4 + len].copy_from_slice(&row.recipient[..len]);
        self.keys.push((id, u128::from_be_bytes(head)));
    }

    /// Puts `rows`, added in this order, in order.
    pub(super) fn sort(self, rows: &mut [RecipientState]) {
        let mut names: Vec<(Box<[u8]>, u32)> = self.domains.into_iter().collect();
        names.sort_unstable();
        let mut rank = vec![0; names.len()];
        for (r, (_, id)) in names.into_iter().enumerate() {
            rank[id as usize] = r as u128;
        }
        let mut order: Vec<(u128, u32)> = self
            .keys
            .into_iter()
            .enumerate()
            .map(|(i, (id, head))| (rank[id as usize] << 96 | head, i as u32))
            .collect();
        order.sort_unstable_by(|&(a_key, a), &(b_key, b)| {
            a_key.cmp(&b_key).then_with(|| compare(&rows[a as usize], &rows[b as usize]))
        });
        // Row `order[k].1` goes to place `k`: one cycle of swaps at a time.
        let mut from: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
        for start in 0..from.len() {
            let mut at = start;
            loop {
                let source = from[at] as usize;
                from[at] = at as u32;
                if source == start || source == at {
                    break;
                }
                rows.swap(at, source);
                at = source;
            }
        }
    }
}

/// The order of recipients: domain, recipient, outcome, then every other field.
pub(super) fn compare(a: &RecipientState, b: &RecipientState) -> Ordering {
    type Key<'a> = (&'a [u8], &'a [u8], FinalOutcome, Option<Micros>, Option<Micros>, u32, u32, Option<u16>);
    fn key(r: &RecipientState) -> Key<'_> {
        (&r.domain, &r.recipient, r.outcome, r.first_seen, r.last_seen, r.attempts, r.deferred_attempts, r.code)
    }
    type Rest<'a> = (Option<Enhanced>, Reason, BounceType, &'a [u8], Option<u64>, bool, bool, Option<&'a [u8]>);
    fn rest(r: &RecipientState) -> Rest<'_> {
        // Delays as their bits: any total order will do.
        let delay = r.delay.map(f64::to_bits);
        let sender = r.sender.as_deref();
        (r.enhanced, r.reason, r.bounce_type, &r.last_reply, delay, r.expired_in_queue, r.unrouteable, sender)
    }
    key(a).cmp(&key(b)).then_with(|| rest(a).cmp(&rest(b)))
}

/// What is summed along a chain of hops.
#[derive(Default)]
struct Chain {
    pub(super) attempts: u32,
    pub(super) deferred: u32,
    /// (first, last) over the chain's timed lines.
    pub(super) seen: Option<(Micros, Micros)>,
    /// The `delay=` of the hops left behind.
    pub(super) hop_delay: f64,
    /// When the message arrived (an arrival record), if known.
    pub(super) arrived: Option<Micros>,
    /// Who sent it (an envelope record), if known.
    pub(super) sender: Option<Arc<[u8]>>,
}

impl Chain {
    pub(super) fn add(&mut self, head: &Head) {
        self.attempts = self.attempts.saturating_add(head.attempts);
        self.deferred = self.deferred.saturating_add(head.deferred);
        if head.timed {
            self.seen = Some(match self.seen {
                Some((first, last)) => (first.min(head.first), last.max(head.last)),
                None => (head.first, head.last),
            });
        }
    }

    /// The recipient's state, with `end` the chain's last key.
    pub(super) fn finish(self, end: &Node, expiries: &Expiries) -> RecipientState {
        let head = end.head();
        let parts = end.parts();
        let (queue_id, recipient) = split_key(parts.key);
        // The expiry record is the recipient's last line.
        let mut expired_at = None;
        let outcome = match head.outcome {
            Outcome::Delivered if head.discarded => FinalOutcome::Discarded,
            Outcome::Delivered => FinalOutcome::Delivered,
            Outcome::Bounced if head.expired => FinalOutcome::Expired,
            Outcome::Bounced => FinalOutcome::Bounced,
            Outcome::Deferred => match expiries.get(queue_id) {
                Some(mark) if mark.covers(head.time()) => {
                    expired_at = mark.latest;
                    FinalOutcome::Expired
                }
                _ => FinalOutcome::Pending,
            },
        };
        // An expiry is a final failure: typed like a bounce.
        let typed_as = match outcome {
            FinalOutcome::Delivered | FinalOutcome::Discarded => Outcome::Delivered,
            FinalOutcome::Bounced | FinalOutcome::Expired => Outcome::Bounced,
            FinalOutcome::Pending => Outcome::Deferred,
        };
        let (first_seen, last_seen) = (self.seen.map(|s| s.0), self.seen.map(|s| s.1.max(expired_at.unwrap_or(s.1))));
        // Without a delay on the final line, from the arrival line when it
        // was read (as Exim's queue times count), else from the first line.
        let delay = match head.delay {
            Some(delay) => Some(delay + self.hop_delay),
            None => {
                self.seen.map(|(first, last)| last.saturating_sub(self.arrived.unwrap_or(first)).max(0) as f64 / 1e6)
            }
        };
        RecipientState {
            recipient: recipient.into(),
            domain: parts.domain.unwrap_or_else(|| domain_after_at(recipient)).into(),
            outcome,
            code: head.code,
            enhanced: head.enhanced,
            reason: head.reason,
            bounce_type: classify::bounce_type(head.reason, typed_as, head.code, head.enhanced),
            // A hop that ends the chain is its final delivery.
            attempts: self.attempts.saturating_add(u32::from(head.hop)),
            deferred_attempts: self.deferred,
            first_seen,
            last_seen,
            last_reply: Box::from(&*parse::shown(parts.text, MAX_REPLY)),
            delay,
            expired_in_queue: outcome == FinalOutcome::Expired && head.outcome == Outcome::Deferred,
            unrouteable: head.unrouteable,
            sender: self.sender,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::node::COLLIDE;
    use crate::messages::tests::*;
    use crate::messages::{Finished, Messages};
    use FinalOutcome::{Bounced as B, Delivered as D, Discarded as Dc, Expired as X, Pending as P};

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
            (
                "a hop whose text repeats the line before",
                vec![
                    ev("A", a, DEFERRED, s(5)).text("same text"),
                    hop("A", a, "B", s(10)).text("same text"),
                    ev("B", a, BOUNCED, s(11)),
                ],
                vec![],
                vec![(a, B, 2, 1, s(5), s(11))],
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
                "discarded by a content filter",
                vec![ev("Q1", a, DEFERRED, s(10)), ev("Q1", a, DELIVERED, s(20)).discarded()],
                vec![],
                vec![(a, Dc, 2, 1, s(10), s(20))],
            ),
            (
                "a discard is the latest event only when it is the latest line",
                vec![ev("Q1", a, DELIVERED, s(10)).discarded(), ev("Q1", a, BOUNCED, s(20))],
                vec![],
                vec![(a, B, 2, 0, s(10), s(20))],
            ),
            (
                "a discard after a hop ends the chain",
                vec![hop("A", a, "B", s(10)), ev("B", a, DELIVERED, s(11)).discarded()],
                vec![],
                vec![(a, Dc, 1, 0, s(10), s(11))],
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

    /// A loop of hops (which no MTA writes) is entered at its smallest key
    /// and ends where it would come back, whatever order the keys come in.
    #[test]
    fn a_loop_ends_before_its_smallest_key_in_any_order() {
        let a = "a@x.example";
        let events = [
            hop("B", a, "C", Some(11)).text("B to C"),
            hop("C", a, "A", Some(12)).text("C to A"),
            hop("A", a, "B", Some(10)).text("A to B"),
        ];
        let mut m = Messages::new();
        feed(&mut m, &events.into_iter().enumerate().collect::<Vec<_>>(), &[]);
        let Settled { nodes, expiries, .. } = m.into_settled();
        let mut by_text: Vec<(u64, Node)> = nodes;
        by_text.sort_by(|x, y| x.1.parts().text.cmp(y.1.parts().text));
        for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let nodes: Vec<(u64, Node)> = order.iter().map(|&i| by_text[i].clone()).collect();
            let got = resolve(nodes, &expiries, &[], &[]);
            assert_eq!(got.len(), 1, "{order:?}");
            assert_eq!((&got[0].last_reply[..], got[0].first_seen), (&b"C to A"[..], Some(10_000_000)), "{order:?}");
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

    /// A delay no line says counts from the message's arrival record when
    /// there is one (the earliest), never below zero; else from the first
    /// line. Worked out by hand.
    #[test]
    fn delays_count_from_the_arrival() {
        let u = "u@d.example";
        let long_id = "a-message-id-of-24-bytes";
        type Case = (&'static str, Vec<Ev>, Vec<Arrival>, Option<f64>);
        let cases: Vec<Case> = vec![
            ("from the arrival", vec![ev("A", u, DELIVERED, Some(19))], vec![("A", Some(10))], Some(9.0)),
            (
                "the line's own delay wins",
                vec![ev("A", u, DELIVERED, Some(19)).delay(4.0)],
                vec![("A", Some(10))],
                Some(4.0),
            ),
            (
                "no arrival: from the first line",
                vec![ev("A", u, DEFERRED, Some(12)), ev("A", u, DELIVERED, Some(19))],
                vec![],
                Some(7.0),
            ),
            (
                "another message's arrival does not count",
                vec![ev("A", u, DEFERRED, Some(12)), ev("A", u, DELIVERED, Some(19))],
                vec![("B", Some(1))],
                Some(7.0),
            ),
            (
                "the earliest of two arrivals",
                vec![ev("A", u, DELIVERED, Some(19))],
                vec![("A", Some(10)), ("A", Some(5)), ("A", Some(7))],
                Some(14.0),
            ),
            (
                "an arrival after the final line: zero",
                vec![ev("A", u, DELIVERED, Some(19))],
                vec![("A", Some(30))],
                Some(0.0),
            ),
            ("an arrival without a time is none", vec![ev("A", u, DELIVERED, Some(19))], vec![("A", None)], Some(0.0)),
            ("lines without a time have no delay", vec![ev("A", u, DELIVERED, None)], vec![("A", Some(10))], None),
            (
                "an id longer than Exim's is not kept",
                vec![ev(long_id, u, DEFERRED, Some(12)), ev(long_id, u, DELIVERED, Some(19))],
                vec![(long_id, Some(1))],
                Some(7.0),
            ),
            (
                "a chain counts from its first message's arrival",
                vec![hop("A", u, "B", Some(12)), ev("B", u, DELIVERED, Some(20))],
                vec![("A", Some(10)), ("B", Some(12))],
                Some(10.0),
            ),
            (
                "an expiry's time is not the final line's",
                vec![ev("A", u, DEFERRED, Some(12)), ev("A", u, DEFERRED, Some(20))],
                vec![("A", Some(10))],
                Some(10.0),
            ),
        ];
        for collide in [false, true] {
            COLLIDE.set(collide);
            for (name, events, arrivals, want) in &cases {
                let mut m = Messages::new();
                feed(&mut m, &events.iter().copied().enumerate().collect::<Vec<_>>(), &[(99, ("A", Some(50)))]);
                feed_arrivals(&mut m, arrivals);
                let f = m.finish();
                assert_eq!(f.recipients.len(), 1, "{name}");
                assert_eq!(f.recipients[0].delay, *want, "{name}, collisions: {collide}");
            }
        }
        COLLIDE.set(false);
    }

    /// A recipient's sender is that of its message; along a chain of hops,
    /// that of the first key with one (the message as it came in). Worked
    /// out by hand.
    #[test]
    fn senders_follow_the_chain_from_its_start() {
        let u = "u@x.example";
        type Case = (&'static str, Vec<Ev>, Vec<(&'static str, &'static str)>, Option<&'static str>);
        let cases: Vec<Case> = vec![
            ("its message's", vec![ev("A", u, DELIVERED, Some(1))], vec![("A", "s@x.example")], Some("s@x.example")),
            ("the null sender", vec![ev("A", u, BOUNCED, Some(1))], vec![("A", "")], Some("")),
            ("none recorded", vec![ev("A", u, DELIVERED, Some(1))], vec![("B", "s@x.example")], None),
            (
                "the chain's first message",
                vec![hop("A", u, "B", Some(1)), ev("B", u, DELIVERED, Some(2))],
                vec![("A", "first@x.example"), ("B", "second@x.example")],
                Some("first@x.example"),
            ),
            (
                "the next with one",
                vec![hop("A", u, "B", Some(1)), ev("B", u, DELIVERED, Some(2))],
                vec![("B", "second@x.example")],
                Some("second@x.example"),
            ),
        ];
        for collide in [false, true] {
            COLLIDE.set(collide);
            for (name, events, senders, want) in &cases {
                let mut m = Messages::new();
                feed(&mut m, &events.iter().copied().enumerate().collect::<Vec<_>>(), &[]);
                for &(qid, sender) in senders {
                    m.record_sender(qid.as_bytes(), Some(0), sender.as_bytes(), None, None);
                }
                let f = m.finish();
                assert_eq!(f.recipients.len(), 1, "{name}");
                assert_eq!(f.recipients[0].sender.as_deref(), want.map(str::as_bytes), "{name}, collisions: {collide}");
            }
        }
        COLLIDE.set(false);
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
            (b"(local)", b"root", B),
            (b"a.example", b"b@a.example", D),
            (b"a.example", b"b@a.example", P),
            (b"a.example", b"z@a.example", D),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn sorter_matches_a_plain_sort() {
        let mut random = Random(3);
        let domains: [&[u8]; 4] = [b"(local)", b"a.example", b"b.example", b"\xff.example"];
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
                        expired_in_queue: random.below(2) == 0,
                        unrouteable: false,
                        sender: random.pick(&[None, Some(&b""[..]), Some(&b"s@x.example"[..])]).map(Into::into),
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
}
