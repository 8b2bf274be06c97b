//! The store of message states: one packed node per (queue id, recipient),
//! found by its key's hash, the expiry records by queue id and the arrival
//! records by message id. Filled per piece by a worker, added together in
//! log order by the fold.

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::AddAssign;

use foldhash::fast::RandomState;

use super::Attempt;
use super::Finished;
use super::MAX_REPLY;
use super::RecipientState;
use super::node::Arrivals;
use super::node::Expiries;
use super::node::ExpiryMark;
use super::node::Head;
use super::node::MessageId;
use super::node::Node;
use super::node::combine;
use super::node::domain_after_at;
use super::node::encode_key;
use super::node::key_hash;
use super::node::merge;
use super::node::split_key;
use super::resolve::Settled;
use super::resolve::Sorter;
use super::senders::{SenderRecord, Senders, Volume, add_senders};
use crate::parse::Outcome;
use crate::time::Micros;

/// Per (queue id, recipient) states, the queue ids Postfix expired, and
/// when Exim's messages arrived.
///
/// Fill one per worker with [`Messages::record`],
/// [`Messages::record_expiry`] and [`Messages::record_arrival`], add them
/// together (`+=`, in any order), then call [`Messages::finish`].
#[derive(Clone, Debug, Default)]
pub struct Messages {
    /// The states with their key's hash ([`key_hash`]), which is kept so
    /// that growing the table reads no node, and a lookup reads only nodes
    /// whose hash matches (keys of equal hashes are told apart by their
    /// bytes).
    pub(super) nodes: HashTable<(u64, Node)>,
    pub(super) expiries: Expiries,
    /// The earliest arrival time of each message id.
    pub(super) arrivals: Arrivals,
    /// The envelope records of the messages (only when the senders are
    /// followed, [`Messages::record_sender`]).
    pub(super) senders: Senders,
    /// The messages whose envelope records were forgotten.
    pub(super) received: Volume,
    /// The latest time of the events, expiries and arrivals recorded (a
    /// missing time sorts first): how far into the log the state reaches.
    pub(super) latest: Option<Micros>,
    /// Scratch buffer: the key being looked up.
    pub(super) scratch: Vec<u8>,
    /// Following only what Postfix's expiries need ([`Messages::for_expiries`]).
    pub(super) expiries_only: bool,
    /// With `expiries_only`: the final lines (delivered or bounced), as
    /// encoded nodes, each after its key's hash (8 bytes) and its length (4
    /// bytes). Adding the piece to the states before it applies each to a
    /// key held there or in the piece, and drops the rest.
    pub(super) finals: Vec<u8>,
}

impl Messages {
    /// An empty state.
    pub fn new() -> Messages {
        Messages::default()
    }

    /// An empty state with room for `keys` keys.
    pub fn with_capacity(keys: usize) -> Messages {
        Messages { nodes: HashTable::with_capacity(keys), ..Messages::default() }
    }

    /// An empty state that follows only what the `domains` report needs of
    /// the message level: which recipients were still deferred when Postfix
    /// expired their queue id. A key is held only once it is deferred; a
    /// final line is kept as bytes, applied when the piece is added to the
    /// states before it if the key is held there or in the piece (states
    /// combine alike in any order), and dropped if not (a recipient never
    /// deferred cannot expire).
    /// Reply texts are not kept. The recipients found expired are those the
    /// full states find, as long as no deferral of a key comes after its
    /// final line in a later piece (lines of one key in log order).
    pub fn for_expiries() -> Messages {
        Messages { expiries_only: true, ..Messages::default() }
    }

    /// Whether only what Postfix's expiries need is followed
    /// ([`Messages::for_expiries`]).
    pub fn expiries_only(&self) -> bool {
        self.expiries_only
    }

    /// An empty state like this one (following all or only expiries), with
    /// room for as many keys.
    pub fn empty_like(&self) -> Messages {
        Messages { expiries_only: self.expiries_only, ..Messages::with_capacity(self.len()) }
    }

    /// Counts one delivery attempt. `order` is the line's position in the
    /// input, used only when two events of a key tie on time, rank and text.
    pub fn record(&mut self, attempt: &Attempt<'_>, order: u64) {
        self.latest = self.latest.max(attempt.time);
        // One byte more than is shown: `last_reply` then knows whether to
        // end with `...`.
        let text = match self.expiries_only {
            true => &[][..],
            false => &attempt.text[..attempt.text.len().min(MAX_REPLY + 1)],
        };
        let hop = if attempt.outcome == Outcome::Delivered { attempt.hop_to } else { None };
        let own_domain = (attempt.domain != domain_after_at(attempt.recipient)).then_some(attempt.domain);
        let mine = Head::of(attempt, order, hop.is_some(), own_domain.is_some());
        let hop = hop.unwrap_or_default();
        encode_key(&mut self.scratch, attempt.queue_id, attempt.recipient);
        let key = &self.scratch[..];
        let update = |node: &mut Node| {
            let old = node.head();
            let parts = node.parts();
            let newer = old.rank(parts.text) < mine.rank(text);
            let same = parts.hop == hop && parts.text == text && parts.domain == own_domain;
            let head = combine(&old, &mine, newer);
            if newer && !same {
                *node = Node::new(&head, key, hop, text, own_domain);
            } else {
                node.set_head(&head);
            }
        };
        let hash = key_hash(key);
        if self.expiries_only && attempt.outcome != Outcome::Deferred {
            let start = self.finals.len();
            self.finals.extend_from_slice(&hash.to_le_bytes());
            self.finals.extend_from_slice(&[0; 4]);
            Node::encode(&mut self.finals, &mine, key, hop, text, own_domain);
            let len = (self.finals.len() - start - 12) as u32;
            self.finals[start + 8..start + 12].copy_from_slice(&len.to_le_bytes());
            return;
        }
        match self.nodes.entry(hash, |(h, node)| *h == hash && node.key() == key, |&(h, _)| h) {
            Entry::Vacant(slot) => {
                slot.insert((hash, Node::new(&mine, key, hop, text, own_domain)));
            }
            Entry::Occupied(mut slot) => update(&mut slot.get_mut().1),
        }
    }

    /// Notes a Postfix `QID: from=<...>, status=expired, returned to sender`
    /// (or `force-expired`): the recipients of `queue_id` still deferred at
    /// `time` have expired. `order` is not needed: expiries only count.
    pub fn record_expiry(&mut self, queue_id: &[u8], time: Option<Micros>, order: u64) {
        let _ = order;
        self.latest = self.latest.max(time);
        let mark = ExpiryMark { untimed: time.is_none(), latest: time };
        match self.expiries.get_mut(queue_id) {
            Some(mine) => mine.absorb(mark),
            None => {
                self.expiries.insert(queue_id.into(), mark);
            }
        }
    }

    /// Notes an Exim arrival line, `ID <= sender ...`: the message `queue_id`
    /// arrived at `time`, which its recipients' delays count from when their
    /// final line has none (see [`RecipientState::delay`]). The earliest of
    /// two arrivals of an id counts. Without a time, or for an id longer
    /// than Exim's (23 bytes), nothing is noted.
    pub fn record_arrival(&mut self, queue_id: &[u8], time: Option<Micros>) {
        let (Some(time), Some(id)) = (time, MessageId::of(queue_id)) else { return };
        self.latest = self.latest.max(Some(time));
        self.arrivals.entry(id).and_modify(|t| *t = (*t).min(time)).or_insert(time);
    }

    /// Notes a line that took in the message `queue_id` (Postfix's qmgr
    /// `from=<...>, size=N, nrcpt=M`, Exim's `<=`): its `sender` (as the
    /// reports spell it, empty for the null sender), size and recipients.
    /// Records of one id combine alike in any order (the earliest line
    /// counts, [`SenderRecord::absorb`]). For an id longer than 23 bytes
    /// (neither MTA writes one) nothing is noted.
    pub fn record_sender(
        &mut self,
        queue_id: &[u8],
        time: Option<Micros>,
        sender: &[u8],
        size: Option<u64>,
        recipients: Option<u32>,
    ) {
        let Some(id) = MessageId::of(queue_id) else { return };
        self.latest = self.latest.max(time);
        let record = SenderRecord::new(time, sender, size, recipients);
        match self.senders.get_mut(&id) {
            Some(held) => held.absorb(record),
            None => {
                self.senders.insert(id, record);
            }
        }
    }

    /// The senders of the messages of `nodes`, by position (empty when no
    /// sender is recorded), each record counting the keys that take it.
    fn take_senders(&mut self, nodes: &[(u64, Node)]) -> Vec<Option<std::sync::Arc<[u8]>>> {
        if self.senders.is_empty() {
            return Vec::new();
        }
        let senders = &mut self.senders;
        let mut sender = |node: &Node| {
            let record = senders.get_mut(&MessageId::of(split_key(node.key()).0)?)?;
            record.keys = record.keys.saturating_add(1);
            Some(record.sender().clone())
        };
        nodes.iter().map(|(_, node)| sender(node)).collect()
    }

    /// Distinct (queue id, recipient) pairs held.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The latest time of the events, expiries and arrivals recorded, if
    /// any had one.
    pub fn latest(&self) -> Option<Micros> {
        self.latest
    }

    /// Whether no attempt was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds the state `theirs` of the key hashed `hash`.
    pub(super) fn add_node(&mut self, hash: u64, theirs: Node) {
        match self.nodes.entry(hash, |(h, node)| *h == hash && node.key() == theirs.key(), |&(h, _)| h) {
            Entry::Vacant(slot) => {
                slot.insert((hash, theirs));
            }
            Entry::Occupied(mut slot) => {
                let mine = &mut slot.get_mut().1;
                *mine = merge(std::mem::take(mine), theirs);
            }
        }
    }

    /// Whether the key is held.
    pub(super) fn contains(&self, key: &[u8]) -> bool {
        let hash = key_hash(key);
        self.nodes.find(hash, |(h, node)| *h == hash && node.key() == key).is_some()
    }

    /// Resolves hops and expiries and returns the final state of every
    /// recipient, sorted (see [`Finished`]). A hop whose target is not in
    /// the input ends its chain as a delivery; several hops to one key, or
    /// loops of hops (which no MTA writes), are resolved deterministically.
    pub fn finish(self) -> Finished {
        let mut recipients = self.drain();
        let mut sorter = Sorter::default();
        for row in &recipients {
            sorter.add(row);
        }
        sorter.sort(&mut recipients);
        Finished { recipients }
    }

    /// The final state of every recipient, in no particular order.
    pub fn drain(self) -> Vec<RecipientState> {
        self.into_settled().resolve()
    }

    /// Every key, to be resolved as they stand.
    /// With them go the messages received: every envelope record forgotten
    /// or held ([`Settled::received`]).
    pub fn into_settled(mut self) -> Settled {
        let nodes: Vec<(u64, Node)> = std::mem::take(&mut self.nodes).into_iter().collect();
        let senders = self.take_senders(&nodes);
        let Messages { expiries, arrivals, senders: records, mut received, .. } = self;
        for record in records.values() {
            received += record.volume();
        }
        let arrived = match arrivals.is_empty() {
            true => Vec::new(),
            false => {
                nodes.iter().map(|(_, node)| arrivals.get(&MessageId::of(split_key(node.key()).0)?).copied()).collect()
            }
        };
        Settled { nodes, expiries, arrived, senders, received }
    }

    /// Takes out the recipients settled at `horizon`, to be resolved into
    /// their final states ([`Settled::resolve`]). A recipient is settled when
    /// its latest line is at or before `horizon` and says delivered or
    /// bounced, or when it was deferred and an expiry record of its queue
    /// id at or before `horizon` covers it; a chain of content-filter hops
    /// leaves only when all its keys are settled (a hop counts as settled
    /// by its own time). Keys or expiries without a time never settle:
    /// they stay until [`Messages::drain`].
    ///
    /// For a log in time order, taking settled recipients out early gives
    /// the states [`Messages::drain`] would give at the end, as long as no
    /// line of a key comes more than `latest - horizon` after the key
    /// settled (see [`fold`](super::fold)).
    ///
    /// The keys that leave take their messages' arrival times along (the
    /// records stay: other recipients of a message may stay). Expiry
    /// records at or before `forget_marks` that no deferred key held needs
    /// are dropped ([`Messages::forget_marks`]), and so are arrival records
    /// at or before it of the message ids no key is held of.
    ///
    /// An arrival comes before its message's delivery lines, so its record
    /// is needed until the message's last recipient has settled: it stays
    /// while a key of its message is held, and at least until
    /// `forget_marks` passes it. In a log in time order a message's delays
    /// are exact as long as each of its recipients has a line within that
    /// time of the arrival, or while another recipient of it is held (the
    /// fold passes two settle times: a message that waits longer than that
    /// in the queue without any line, such as one frozen and thawed hours
    /// later, counts from its first line).
    pub fn retire(&mut self, horizon: Micros, forget_marks: Micros) -> Settled {
        let expiries = &self.expiries;
        let settled = |node: &Node| {
            let Some(last) = node.last_time().filter(|&t| t <= horizon) else { return false };
            match node.outcome() {
                Outcome::Delivered | Outcome::Bounced => true,
                Outcome::Deferred => expiries.get(split_key(node.key()).0).is_some_and(|mark| {
                    !mark.untimed && mark.latest.is_some_and(|t| t <= horizon) && mark.covers(Some(last))
                }),
            }
        };
        // Keys joined by hops leave together: union-find over the keys of
        // the links (few: hops are rare and short-lived), by their hashes
        // (two keys of one hash are only ever held back together).
        let mut scratch = Vec::new();
        let mut linked: HashMap<u64, usize, RandomState> = HashMap::default();
        let mut parent: Vec<usize> = Vec::new();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for (_, node) in self.nodes.iter().filter(|(_, n)| n.is_hop()) {
            let parts = node.parts();
            encode_key(&mut scratch, parts.hop, split_key(parts.key).1);
            if scratch == parts.key || !self.contains(&scratch) {
                continue;
            }
            let mut id = |hash: u64| {
                let next = parent.len();
                let id = *linked.entry(hash).or_insert(next);
                if id == next {
                    parent.push(next);
                }
                id
            };
            let (a, b) = (id(key_hash(parts.key)), id(key_hash(&scratch)));
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent[ra] = rb;
        }
        let mut group_settled = vec![true; parent.len()];
        if !linked.is_empty() {
            for (hash, node) in self.nodes.iter() {
                if let Some(&i) = linked.get(hash) {
                    let r = root(&mut parent, i);
                    group_settled[r] &= settled(node);
                }
            }
        }
        let mut leaving = |hash: u64, node: &Node| match linked.get(&hash) {
            Some(&i) => group_settled[root(&mut parent, i)],
            None => settled(node),
        };
        // The arrival times of the keys that leave, and the old arrival
        // records still needed by keys that stay, found in the same pass.
        let (arrivals, before) = (&self.arrivals, forget_marks);
        let any_old = arrivals.values().any(|&t| t <= before);
        let arrival = |node: &Node| {
            let id = MessageId::of(split_key(node.key()).0)?;
            Some((id, *arrivals.get(&id)?))
        };
        let (mut out, mut arrived) = (Vec::new(), Vec::new());
        let mut needed: HashSet<MessageId, RandomState> = HashSet::default();
        self.nodes.retain(|entry| {
            let go = leaving(entry.0, &entry.1);
            if go {
                if !arrivals.is_empty() {
                    arrived.push(arrival(&entry.1).map(|(_, t)| t));
                }
                out.push((entry.0, std::mem::take(&mut entry.1)));
            } else if any_old && let Some((id, _)) = arrival(&entry.1).filter(|&(_, t)| t <= before) {
                needed.insert(id);
            }
            !go
        });
        if any_old {
            self.arrivals.retain(|id, &mut t| t > before || needed.contains(id));
        }
        // The senders of the keys that leave; the envelope records as old
        // that no key held needs are forgotten, each a message received.
        let senders = self.take_senders(&out);
        let old_sender = |record: &SenderRecord| record.time().is_some_and(|t| t <= before);
        if self.senders.values().any(old_sender) {
            let held: HashSet<MessageId, RandomState> =
                self.nodes.iter().filter_map(|(_, node)| MessageId::of(split_key(node.key()).0)).collect();
            let received = &mut self.received;
            self.senders.retain(|id, record| {
                let forget = old_sender(record) && !held.contains(id);
                if forget {
                    *received += record.volume();
                }
                !forget
            });
        }
        // The expiry records the deferred ones need (the others need none).
        let mut marks = Expiries::default();
        for (_, node) in out.iter().filter(|(_, node)| node.outcome() == Outcome::Deferred) {
            let queue_id = split_key(node.key()).0;
            if let Some(&mark) = self.expiries.get(queue_id) {
                marks.insert(queue_id.into(), mark);
            }
        }
        self.forget_marks(forget_marks);
        Settled { nodes: out, expiries: marks, arrived, senders, received: Volume::default() }
    }

    /// Drops the expiry records at or before `before` that no deferred key
    /// held needs: one per expired message would otherwise stay forever.
    pub(super) fn forget_marks(&mut self, before: Micros) {
        let old = |mark: &ExpiryMark| !mark.untimed && mark.latest.is_some_and(|t| t <= before);
        if !self.expiries.values().any(old) {
            return;
        }
        let mut needed: HashSet<&[u8], RandomState> = HashSet::default();
        for (_, node) in self.nodes.iter().filter(|(_, n)| n.outcome() == Outcome::Deferred) {
            let queue_id = split_key(node.key()).0;
            if self.expiries.get(queue_id).is_some_and(old) {
                needed.insert(queue_id);
            }
        }
        let needed: HashSet<Box<[u8]>, RandomState> = needed.into_iter().map(Box::from).collect();
        self.expiries.retain(|queue_id, mark| !old(mark) || needed.contains(&queue_id[..]));
    }
}

impl AddAssign for Messages {
    fn add_assign(&mut self, mut other: Messages) {
        // Adding is symmetric: fold the smaller into the larger.
        if self.len() < other.len() {
            std::mem::swap(&mut self.nodes, &mut other.nodes);
        }
        for (hash, node) in other.nodes {
            self.add_node(hash, node);
        }
        self.latest = self.latest.max(other.latest);
        if self.expiries.len() < other.expiries.len() {
            std::mem::swap(&mut self.expiries, &mut other.expiries);
        }
        for (queue_id, mark) in other.expiries {
            self.expiries.entry(queue_id).and_modify(|m| m.absorb(mark)).or_insert(mark);
        }
        if self.arrivals.len() < other.arrivals.len() {
            std::mem::swap(&mut self.arrivals, &mut other.arrivals);
        }
        for (id, time) in other.arrivals {
            self.arrivals.entry(id).and_modify(|t| *t = (*t).min(time)).or_insert(time);
        }
        add_senders(&mut self.senders, other.senders);
        self.received += other.received;
        // The final lines `other` kept apart: after its own states, so that
        // each meets every earlier state of its key (states combine the same
        // in any order).
        let mut rest = &other.finals[..];
        while let Some((head, tail)) = rest.split_first_chunk::<12>() {
            let hash = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
            let len = u32::from_le_bytes(head[8..].try_into().expect("4 bytes")) as usize;
            let (bytes, tail) = tail.split_at(len);
            rest = tail;
            let key = Node::key_of(bytes);
            if self.nodes.find(hash, |(h, held)| *h == hash && held.key() == key).is_some() {
                self.add_node(hash, Node::from_bytes(bytes));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Reason;
    use crate::messages::Volume;
    use crate::messages::node::COLLIDE;
    use crate::messages::tests::*;
    use crate::parse::Enhanced;

    /// A cut reply ends with `...` and stays within [`MAX_REPLY`] bytes,
    /// cut at a character boundary; a reply of exactly [`MAX_REPLY`] bytes
    /// is whole. Lengths worked out by hand: "é" is two bytes.
    #[test]
    fn long_replies_are_cut_at_a_character_boundary_and_end_with_dots() {
        let reply = |text: String| {
            let f = run(&[ev("Q", "u@d.example", BOUNCED, Some(1)).text(text.leak())], &[]);
            String::from_utf8(f.recipients[0].last_reply.to_vec()).expect("cut at a character boundary")
        };
        let long = "é".repeat(150);
        // 197 bytes fit: 98 "é" (196 bytes), then "...".
        assert_eq!(reply(long.clone()), format!("{}...", "é".repeat(98)));
        // "x" and 98 "é" are 197 bytes.
        assert_eq!(reply(format!("x{long}")), format!("x{}...", "é".repeat(98)));
        let exact = "a".repeat(MAX_REPLY);
        assert_eq!(reply(exact.clone()), exact);
        assert_eq!(reply(format!("{exact}b")), format!("{}...", "a".repeat(MAX_REPLY - 3)));
    }

    /// Random events over few keys: ties in time, missing times, hops
    /// (chains, loops, fan-in), expiries, repeated texts, discards, events
    /// with and without a delay (then counted from an arrival, when there
    /// is one).
    fn scenario(random: &mut Random, events: usize, expiries: usize) -> (Vec<Fed<Ev>>, Vec<Fed<Expiry>>) {
        let qids = ["A", "B", "C"];
        let rcpts = ["a@x.example", "b@x.example", "C@UP.EXAMPLE"];
        let times = [None, Some(1), Some(2), Some(2), Some(3)];
        let texts = ["t1", "t2", "t2"];
        let evs = (0..events)
            .map(|i| {
                let (qid, rcpt, time) = (random.pick(&qids), random.pick(&rcpts), random.pick(&times));
                let e = match random.below(8) {
                    0 => hop(qid, rcpt, random.pick(&qids), time),
                    1 => ev(qid, rcpt, DELIVERED, time).delay(random.below(4) as f64),
                    6 => ev(qid, rcpt, DELIVERED, time),
                    7 => ev(qid, rcpt, DELIVERED, time).discarded(),
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

    /// Following only what expiries need ([`Messages::for_expiries`]),
    /// pieces cut anywhere in log order and added in order: the recipients
    /// found expired in the queue, per domain, are those following every
    /// recipient finds, and a final line of a key never deferred is not
    /// held.
    #[test]
    fn following_expiries_only_finds_the_same_expired_recipients() {
        let expired = |finished: Finished| {
            let mut got: Vec<Box<[u8]>> =
                finished.recipients.into_iter().filter(|r| r.expired_in_queue).map(|r| r.domain).collect();
            got.sort();
            got
        };
        let mut random = Random(7);
        let mut checked = 0;
        for round in 0..400 {
            COLLIDE.set(round % 3 == 2);
            let (events, expiries) = scenario(&mut random, 7, 2);
            // Log order: no deferral of a key after its final line.
            let key = |e: &Ev| (e.qid, e.rcpt.to_ascii_lowercase());
            let out_of_order = events.iter().enumerate().any(|(i, (_, e))| {
                e.outcome == DEFERRED && events[..i].iter().any(|(_, f)| f.outcome != DEFERRED && key(f) == key(e))
            });
            if out_of_order {
                continue;
            }
            checked += 1;
            let mut whole = Messages::new();
            feed(&mut whole, &events, &expiries);
            let want = expired(whole.finish());
            for cuts in 0..(1usize << events.len()) {
                let mut held = Messages::new();
                let mut piece = Messages::for_expiries();
                for (i, &e) in events.iter().enumerate() {
                    feed(&mut piece, &[e], &[]);
                    if cuts & (1 << i) != 0 {
                        held += std::mem::replace(&mut piece, Messages::for_expiries());
                    }
                }
                feed(&mut piece, &[], &expiries);
                held += piece;
                assert_eq!(expired(held.finish()), want, "round {round}, cuts {cuts:b}: {events:?} {expiries:?}");
            }
        }
        COLLIDE.set(false);
        assert!(checked > 100, "{checked} scenarios in log order");
        // Only a deferred key gets a state.
        let mut piece = Messages::for_expiries();
        let events = [ev("Q1", "a@x.example", DELIVERED, Some(1)), ev("Q1", "b@x.example", DEFERRED, Some(1))];
        feed(&mut piece, &events.into_iter().enumerate().collect::<Vec<_>>(), &[]);
        assert_eq!(piece.len(), 1);
    }

    #[test]
    fn len_counts_distinct_pairs() {
        let mut m = Messages::new();
        assert_eq!((m.is_empty(), m.len()), (true, 0));
        let events = [
            ev("Q1", "a@x.example", DEFERRED, Some(1)),
            ev("Q1", "a@x.example", DELIVERED, Some(2)),
            ev("Q1", "b@x.example", DELIVERED, Some(2)),
        ];
        feed(&mut m, &events.into_iter().enumerate().collect::<Vec<_>>(), &[(9, ("Q2", Some(3)))]);
        assert_eq!((m.is_empty(), m.len()), (false, 2));
    }

    /// Which keys `retire(horizon = 10 s)` takes out, worked out from its
    /// contract: a key whose latest line is at or before the horizon and
    /// says delivered or bounced, or says deferred and is covered by an
    /// expiry at or before the horizon; keys joined by hops together.
    #[test]
    fn retire_takes_out_exactly_the_settled_keys() {
        let (a, b) = ("a@x.example", "b@x.example");
        let s = Some;
        type Case = (&'static str, Vec<Ev>, Vec<Expiry>, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            ("delivered at the horizon", vec![ev("A", a, DELIVERED, s(10))], vec![], vec![("A", a)]),
            ("bounced before it", vec![ev("A", a, BOUNCED, s(5))], vec![], vec![("A", a)]),
            ("delivered after it", vec![ev("A", a, DELIVERED, s(11))], vec![], vec![]),
            ("delivered, no time", vec![ev("A", a, DELIVERED, None)], vec![], vec![]),
            ("deferred, no expiry", vec![ev("A", a, DEFERRED, s(5))], vec![], vec![]),
            (
                "deferred, expired before the horizon",
                vec![ev("A", a, DEFERRED, s(5))],
                vec![("A", s(8))],
                vec![("A", a)],
            ),
            ("deferred, expired after the horizon", vec![ev("A", a, DEFERRED, s(5))], vec![("A", s(20))], vec![]),
            ("deferred, expiry without a time", vec![ev("A", a, DEFERRED, s(5))], vec![("A", None)], vec![]),
            ("deferred after the expiry", vec![ev("A", a, DEFERRED, s(9))], vec![("A", s(8))], vec![]),
            ("one of two keys", vec![ev("A", a, DELIVERED, s(5)), ev("A", b, DEFERRED, s(5))], vec![], vec![("A", a)]),
            (
                "a hop and its settled target",
                vec![hop("A", a, "B", s(5)), ev("B", a, DELIVERED, s(6))],
                vec![],
                vec![("A", a), ("B", a)],
            ),
            (
                "a hop whose target is deferred",
                vec![hop("A", a, "B", s(5)), ev("B", a, DEFERRED, s(6))],
                vec![],
                vec![],
            ),
            ("a hop whose target is later", vec![hop("A", a, "B", s(5)), ev("B", a, DELIVERED, s(12))], vec![], vec![]),
            ("a hop to a key not held", vec![hop("A", a, "B", s(5))], vec![], vec![("A", a)]),
        ];
        for collide in [false, true] {
            COLLIDE.set(collide);
            for (name, events, expiries, want) in &cases {
                let mut m = Messages::new();
                let expiries: Vec<_> = expiries.iter().map(|&x| (100, x)).collect();
                feed(&mut m, &events.iter().copied().enumerate().collect::<Vec<_>>(), &expiries);
                feed_arrivals(&mut m, &[("A", Some(1)), ("B", Some(1)), ("C", Some(1))]);
                let held = m.len();
                let settled = m.retire(10_000_000, 0);
                let mut out: Vec<(&[u8], &[u8])> = settled.nodes.iter().map(|(_, n)| split_key(n.key())).collect();
                out.sort();
                let want: Vec<(&[u8], &[u8])> = want.iter().map(|(q, r)| (q.as_bytes(), r.as_bytes())).collect();
                assert_eq!(out, want, "{name}, collisions: {collide}");
                assert_eq!((settled.len(), settled.is_empty()), (want.len(), want.is_empty()), "{name}");
                assert_eq!(m.len(), held - want.len(), "{name}");
                // The deferred keys that leave take their expiry records.
                let deferred_out = settled.nodes.iter().any(|(_, n)| n.outcome() == DEFERRED);
                assert_eq!(settled.expiries.contains_key(&b"A"[..]), deferred_out, "{name}");
                // Every key that leaves takes its message's arrival time
                // along, and the records stay for those held.
                assert_eq!(settled.arrived, vec![Some(1_000_000); want.len()], "{name}");
                assert_eq!(m.arrivals.len(), 3, "{name}");
            }
        }
        COLLIDE.set(false);
    }

    /// `forget_marks(50 s)` drops the timed expiry records at or before
    /// 50 s that no deferred key held needs, and only those.
    #[test]
    fn forget_marks_keeps_the_records_still_needed() {
        let mut m = Messages::new();
        let events =
            [(0, ev("NEEDED", "a@x.example", DEFERRED, Some(5))), (1, ev("DONE", "a@x.example", DELIVERED, Some(5)))];
        let expiries = [
            (2, ("NEEDED", Some(10))),
            (3, ("DONE", Some(10))),
            (4, ("ALONE", Some(10))),
            (5, ("AT", Some(50))),
            (6, ("LATER", Some(100))),
            (7, ("UNTIMED", None)),
        ];
        feed(&mut m, &events, &expiries);
        m.forget_marks(50_000_000);
        let mut kept: Vec<&[u8]> = m.expiries.keys().map(|k| &k[..]).collect();
        kept.sort();
        assert_eq!(kept, [&b"LATER"[..], b"NEEDED", b"UNTIMED"]);
    }

    /// `retire(10 s, 50 s)` drops the arrival records at or before 50 s of
    /// message ids no key is held of (whatever the keys' outcomes), and only
    /// those; the keys that leave take their arrival times along.
    #[test]
    fn retire_forgets_the_arrival_records_no_held_key_needs() {
        let mut m = Messages::new();
        let events = [
            (0, ev("NEEDED", "a@x.example", DEFERRED, Some(5))),
            (1, ev("HELD", "a@x.example", DELIVERED, Some(60))),
            (2, ev("LEFT", "a@x.example", DELIVERED, Some(5))),
        ];
        feed(&mut m, &events, &[]);
        let arrivals = [
            ("NEEDED", Some(1)),
            ("HELD", Some(1)),
            ("LEFT", Some(2)),
            ("ALONE", Some(1)),
            ("AT", Some(50)),
            ("LATER", Some(51)),
        ];
        feed_arrivals(&mut m, &arrivals);
        let settled = m.retire(10_000_000, 50_000_000);
        assert_eq!((settled.len(), &settled.arrived[..]), (1, &[Some(2_000_000)][..]));
        let mut kept: Vec<&[u8]> = m.arrivals.keys().map(|id| id.bytes()).collect();
        kept.sort();
        assert_eq!(kept, [&b"HELD"[..], b"LATER", b"NEEDED"]);
    }

    /// A sender record for tests: queue id, time (seconds), sender, size,
    /// recipients.
    type Sent = (&'static str, Option<i64>, &'static str, Option<u64>, Option<u32>);

    fn feed_senders(m: &mut Messages, senders: &[Sent]) {
        for &(qid, time, sender, size, recipients) in senders {
            m.record_sender(qid.as_bytes(), time.map(|s| s * 1_000_000), sender.as_bytes(), size, recipients);
        }
    }

    /// Events, expiries and sender records (several of one id, of other
    /// senders and times) split at random across three states and merged
    /// in any order: the final states (their senders included) and the
    /// volume are those of one state fed everything.
    #[test]
    fn senders_do_not_depend_on_split_or_order() {
        let mut random = Random(11);
        let senders: [Sent; 6] = [
            ("A", Some(1), "a@x.example", Some(10), Some(2)),
            ("A", Some(3), "a@x.example", Some(10), Some(2)),
            ("A", None, "z@x.example", None, None),
            ("B", Some(0), "", Some(5), None),
            ("B", Some(0), "b@x.example", Some(5), None),
            ("C", Some(2), "c@x.example", Some(7), Some(1)),
        ];
        let mut with_senders = 0;
        for round in 0..300 {
            COLLIDE.set(round % 3 == 2);
            let (events, expiries) = scenario(&mut random, 6, 1);
            let sent: Vec<Sent> = (0..random.below(4)).map(|_| random.pick(&senders)).collect();
            let mut whole = Messages::new();
            feed(&mut whole, &events, &expiries);
            feed_senders(&mut whole, &sent);
            let want_volume = whole.clone().into_settled().received;
            let want = whole.finish();
            with_senders += usize::from(want.recipients.iter().any(|r| r.sender.is_some()));
            let mut parts: Vec<Messages> = (0..3).map(|_| Messages::new()).collect();
            for &e in &events {
                feed(&mut parts[random.below(3)], &[e], &[]);
            }
            feed(&mut parts[random.below(3)], &[], &expiries);
            for &s in &sent {
                feed_senders(&mut parts[random.below(3)], &[s]);
            }
            random.shuffle(&mut parts);
            let mut merged = parts.pop().unwrap();
            for part in parts {
                merged += part;
            }
            assert_eq!(merged.clone().into_settled().received, want_volume, "round {round}: {sent:?}");
            assert_eq!(merged.finish(), want, "round {round}: {sent:?}\n{events:#?}");
        }
        COLLIDE.set(false);
        assert!(with_senders > 100, "{with_senders} rounds with senders");
    }

    /// `retire(10 s, 50 s)`: the keys that leave take their message's
    /// sender along (shared, counted in the record); records at or before
    /// 50 s that no held key needs are forgotten, each a message received;
    /// the rest come out at the end, each counted once.
    #[test]
    fn retire_takes_senders_along_and_counts_what_it_forgets() {
        let mut m = Messages::new();
        let events = [
            (0, ev("NEEDED", "a@x.example", DEFERRED, Some(5))),
            (1, ev("LEFT", "a@x.example", DELIVERED, Some(5))),
            (2, ev("LEFT", "b@x.example", DELIVERED, Some(6))),
            (3, ev("NONE", "a@x.example", DELIVERED, Some(5))),
        ];
        feed(&mut m, &events, &[]);
        let senders: [Sent; 5] = [
            ("NEEDED", Some(1), "n@x.example", Some(100), Some(1)),
            ("LEFT", Some(2), "", Some(20), None),
            ("LEFT", Some(4), "", Some(20), None),
            ("ALONE", Some(1), "z@x.example", Some(3), Some(4)),
            ("LATER", Some(51), "l@x.example", None, Some(1)),
        ];
        feed_senders(&mut m, &senders);
        let settled = m.retire(10_000_000, 50_000_000);
        let mut gone: Vec<(&[u8], Option<&[u8]>)> = settled
            .nodes
            .iter()
            .zip(&settled.senders)
            .map(|((_, node), sender)| (split_key(node.key()).0, sender.as_deref()))
            .collect();
        gone.sort();
        assert_eq!(gone, [(&b"LEFT"[..], Some(&b""[..])), (b"LEFT", Some(b"")), (b"NONE", None)]);
        assert_eq!(settled.received, Volume::default(), "only the last batch carries the volume");
        // LEFT and ALONE were forgotten: two messages, LEFT's recipients
        // the two keys that took its sender (no `nrcpt=`).
        assert_eq!(m.received, Volume { messages: 2, bytes: 23, sized: 2, recipients: 6 });
        let mut kept: Vec<&[u8]> = m.senders.keys().map(|id| id.bytes()).collect();
        kept.sort();
        assert_eq!(kept, [&b"LATER"[..], b"NEEDED"]);
        let last = m.into_settled();
        assert_eq!(last.senders, [Some(b"n@x.example".as_slice().into())]);
        assert_eq!(last.received, Volume { messages: 4, bytes: 123, sized: 3, recipients: 8 });
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
            let times = [None, Some(0), Some(1), Some(2), Some(5)];
            let arrivals: Vec<Arrival> = (0..2).map(|_| (random.pick(&["A", "B", "C"]), random.pick(&times))).collect();
            let mut whole = Messages::new();
            feed(&mut whole, &events, &expiries);
            feed_arrivals(&mut whole, &arrivals);
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
                // Arrivals go to a random part each.
                for &arrival in &arrivals {
                    feed_arrivals(&mut parts[random.below(3)], &[arrival]);
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
    /// `cargo test --release --lib messages::store::tests::memory -- --ignored --nocapture`.
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
                discarded: false,
                unrouteable: false,
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
