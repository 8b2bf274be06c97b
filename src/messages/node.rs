//! One (queue id, recipient)'s state, packed: a fixed 50-byte head (times,
//! counts, codes, flags) followed by the key, the hop target, the reply text
//! and the domain when it differs from the address's; how two states of a
//! key combine; the expiry records of a queue id and the arrival records of
//! a message id.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::LazyLock;

use foldhash::fast::RandomState;

use super::Attempt;
use super::MAX_REPLY;
use crate::classify::Reason;
use crate::parse::domain::LOCAL;
use crate::parse::{Enhanced, Outcome};
use crate::time::Micros;

/// The Postfix expiry records, by queue id.
pub(super) type Expiries = HashMap<Box<[u8]>, ExpiryMark, RandomState>;

/// The Exim arrival records: each message id's earliest arrival time.
pub(super) type Arrivals = HashMap<MessageId, Micros, RandomState>;

/// A message id of up to [`MessageId::MAX`] bytes, held inline (no heap
/// block per record): its length, then its bytes, then zeros; and, for a
/// key that names its host (`HOST ID`, as the worker writes it when the
/// line names one), a 64-bit hash of the host. Two hosts' ids are confused
/// only when their names' hashes are equal and they reuse an id: with
/// 10,000 hosts, a chance of about 3 in 10^12.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct MessageId {
    host: u64,
    id: [u8; MessageId::MAX + 1],
}

impl MessageId {
    /// The longest id kept: Exim's are 16 or 23 bytes.
    pub(super) const MAX: usize = 23;

    /// The id of the message key `key` (`ID` or `HOST ID`), unless its id
    /// is longer than [`MessageId::MAX`].
    pub(super) fn of(key: &[u8]) -> Option<MessageId> {
        let (host, id) = match memchr::memchr(b' ', key) {
            Some(space) => {
                (foldhash::fast::FixedState::with_seed(0x686f_7374).hash_one(&key[..space]), &key[space + 1..])
            }
            None => (0, key),
        };
        let (len, mut bytes) = (id.len(), [0; MessageId::MAX + 1]);
        if len > MessageId::MAX {
            return None;
        }
        if len >= 16 {
            // Two fixed-size copies that overlap (Exim's ids are 16 or 23
            // bytes): cheaper than a copy of a length only known here.
            bytes[1..17].copy_from_slice(&id[..16]);
            bytes[len - 15..=len].copy_from_slice(&id[len - 16..]);
        } else {
            bytes[1..=len].copy_from_slice(id);
        }
        bytes[0] = len as u8;
        Some(MessageId { host, id: bytes })
    }

    /// The id's bytes.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> &[u8] {
        &self.id[1..=usize::from(self.id[0])]
    }
}

/// The expiry records of one queue id: whether one had no time, and the
/// latest time of those that had one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ExpiryMark {
    pub(super) untimed: bool,
    pub(super) latest: Option<Micros>,
}

impl ExpiryMark {
    pub(super) fn absorb(&mut self, other: ExpiryMark) {
        self.untimed |= other.untimed;
        self.latest = self.latest.max(other.latest);
    }

    /// Whether an expiry came at or after a deferral at `time` (any expiry
    /// counts when either time is unknown).
    pub(super) fn covers(self, time: Option<Micros>) -> bool {
        match (time, self.latest) {
            _ if self.untimed => true,
            (None, _) => true,
            (Some(t), Some(latest)) => latest >= t,
            (Some(_), None) => false,
        }
    }
}

/// The fixed-size part of a key's state: counts, times, and the latest
/// event's fields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Head {
    /// Lines that are not hops.
    pub(super) attempts: u32,
    /// Deferred lines.
    pub(super) deferred: u32,
    /// Whether any line had a time; `first` and `last` are meaningful only then.
    pub(super) timed: bool,
    pub(super) first: Micros,
    /// The latest time, which is also the latest event's (a missing time
    /// sorts before every time).
    pub(super) last: Micros,
    /// The latest event's position in the input.
    pub(super) order: u64,
    pub(super) delay: Option<f64>,
    pub(super) code: Option<u16>,
    pub(super) enhanced: Option<Enhanced>,
    pub(super) reason: Reason,
    pub(super) outcome: Outcome,
    /// Exim's retry timeout.
    pub(super) expired: bool,
    /// The latest event is a hop (its target is in the node's bytes).
    pub(super) hop: bool,
    /// The domain is stored (it is not the recipient's part after its last `@`).
    pub(super) own_domain: bool,
    /// The latest event is a delivery into a content filter that discarded
    /// or quarantined the message.
    pub(super) discarded: bool,
    /// The latest event is Exim's `Unrouteable address` (kept in the top
    /// bit of the reason's byte).
    pub(super) unrouteable: bool,
}

/// The sort key of a key's events: time (missing first), final after
/// deferred, reply text, position.
pub(super) type Rank<'a> = (Option<Micros>, bool, &'a [u8], u64);

impl Head {
    /// The state of a key that saw only `attempt`.
    pub(super) fn of(attempt: &Attempt<'_>, order: u64, hop: bool, own_domain: bool) -> Head {
        let outcome = attempt.outcome;
        Head {
            attempts: u32::from(!hop),
            deferred: u32::from(outcome == Outcome::Deferred),
            timed: attempt.time.is_some(),
            first: attempt.time.unwrap_or(0),
            last: attempt.time.unwrap_or(0),
            order,
            delay: attempt.delay.filter(|d| d.is_finite()),
            code: attempt.code,
            enhanced: attempt.enhanced,
            reason: attempt.reason,
            outcome,
            expired: attempt.expired && outcome == Outcome::Bounced,
            hop,
            own_domain,
            discarded: attempt.discarded && outcome == Outcome::Delivered && !hop,
            unrouteable: attempt.unrouteable,
        }
    }

    /// The latest event's time.
    pub(super) fn time(&self) -> Option<Micros> {
        self.timed.then_some(self.last)
    }

    /// The latest event's sort key, with its (shortened) `text`.
    pub(super) fn rank<'a>(&self, text: &'a [u8]) -> Rank<'a> {
        (self.time(), self.outcome != Outcome::Deferred, text, self.order)
    }
}

/// Two states of one key added: counts summed, times widened, the latest
/// event's fields from `b` when it is the newer, else from `a`.
pub(super) fn combine(a: &Head, b: &Head, b_newer: bool) -> Head {
    let latest = if b_newer { b } else { a };
    let (timed, first, last) = match (a.timed, b.timed) {
        (true, true) => (true, a.first.min(b.first), a.last.max(b.last)),
        (true, false) => (true, a.first, a.last),
        (false, true) => (true, b.first, b.last),
        (false, false) => (false, 0, 0),
    };
    Head {
        attempts: a.attempts.saturating_add(b.attempts),
        deferred: a.deferred.saturating_add(b.deferred),
        timed,
        first,
        last,
        ..*latest
    }
}

/// Two states of one key added (see [`combine`]).
pub(super) fn merge(a: Node, b: Node) -> Node {
    let (head_a, head_b) = (a.head(), b.head());
    let b_newer = head_a.rank(a.parts().text) < head_b.rank(b.parts().text);
    let head = combine(&head_a, &head_b, b_newer);
    let mut node = if b_newer { b } else { a };
    node.set_head(&head);
    node
}

/// One key's whole state in one heap block:
///
/// ```text
/// head (HEAD bytes) | varint key length | key | varint hop length | hop
///   | text length (1 byte) | text | domain (only when stored)
/// ```
///
/// where the key is `varint queue id length | queue id | recipient`. Hashed
/// and compared by the key alone, and borrowed as it, so a set of nodes is
/// looked up by an encoded key without building a node. The default node
/// (no bytes) is only a placeholder.
#[derive(Clone, Default)]
pub(super) struct Node(Box<[u8]>);

/// The variable parts of a node.
pub(super) struct Parts<'a> {
    pub(super) key: &'a [u8],
    pub(super) hop: &'a [u8],
    pub(super) text: &'a [u8],
    /// The domain, when stored.
    pub(super) domain: Option<&'a [u8]>,
}

/// Bytes of the head at the start of a node.
pub(super) const HEAD: usize = 50;

pub(super) const TIMED: u8 = 1;

pub(super) const HAS_CODE: u8 = 2;

pub(super) const HAS_ENHANCED: u8 = 4;

pub(super) const HAS_DELAY: u8 = 8;

pub(super) const EXPIRED: u8 = 16;

pub(super) const HOP: u8 = 32;

pub(super) const OWN_DOMAIN: u8 = 64;

pub(super) const DISCARDED: u8 = 128;

/// The flag byte is full: this one is the top bit of the reason's byte
/// (there are fewer than 128 reasons).
const UNROUTEABLE: u8 = 128;
const _: () = assert!(Reason::ALL.len() < UNROUTEABLE as usize);

impl Node {
    pub(super) fn new(head: &Head, key: &[u8], hop: &[u8], text: &[u8], domain: Option<&[u8]>) -> Node {
        let size = HEAD + 20 + key.len() + hop.len() + text.len() + domain.map_or(0, <[u8]>::len);
        let mut bytes = Vec::with_capacity(size);
        Node::encode(&mut bytes, head, key, hop, text, domain);
        Node(bytes.into_boxed_slice())
    }

    /// Appends the bytes of the node [`Node::new`] would build to `out`
    /// (to be made a node later by [`Node::from_bytes`]).
    pub(super) fn encode(out: &mut Vec<u8>, head: &Head, key: &[u8], hop: &[u8], text: &[u8], domain: Option<&[u8]>) {
        debug_assert!(text.len() <= MAX_REPLY + 1);
        let start = out.len();
        out.resize(start + HEAD, 0);
        put_varint(out, key.len());
        out.extend_from_slice(key);
        put_varint(out, hop.len());
        out.extend_from_slice(hop);
        out.push(text.len() as u8);
        out.extend_from_slice(text);
        out.extend_from_slice(domain.unwrap_or_default());
        set_head_bytes(&mut out[start..start + HEAD], head);
    }

    /// The node whose bytes [`Node::encode`] wrote.
    pub(super) fn from_bytes(bytes: &[u8]) -> Node {
        Node(bytes.into())
    }

    pub(super) fn set_head(&mut self, h: &Head) {
        set_head_bytes(&mut self.0[..HEAD], h);
    }

    pub(super) fn head(&self) -> Head {
        let b = &self.0[..HEAD];
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let flags = b[49];
        let on = |bit: u8| flags & bit != 0;
        Head {
            attempts: u32_at(0),
            deferred: u32_at(4),
            timed: on(TIMED),
            first: u64_at(8) as i64,
            last: u64_at(16) as i64,
            order: u64_at(24),
            delay: on(HAS_DELAY).then(|| f64::from_bits(u64_at(32))),
            code: on(HAS_CODE).then(|| u16_at(40)),
            enhanced: on(HAS_ENHANCED).then(|| Enhanced { class: b[46], subject: u16_at(42), detail: u16_at(44) }),
            reason: Reason::ALL[usize::from(b[47] & !UNROUTEABLE)],
            outcome: Outcome::ALL[usize::from(b[48])],
            expired: on(EXPIRED),
            hop: on(HOP),
            own_domain: on(OWN_DOMAIN),
            discarded: on(DISCARDED),
            unrouteable: b[47] & UNROUTEABLE != 0,
        }
    }

    pub(super) fn is_hop(&self) -> bool {
        self.0[49] & HOP != 0
    }

    /// The latest event's time, if any line had one (as [`Head::time`]).
    pub(super) fn last_time(&self) -> Option<Micros> {
        (self.0[49] & TIMED != 0).then(|| i64::from_le_bytes(self.0[16..24].try_into().expect("8 bytes")))
    }

    /// The latest event's outcome (as [`Head::outcome`]).
    pub(super) fn outcome(&self) -> Outcome {
        Outcome::ALL[usize::from(self.0[48])]
    }

    pub(super) fn key(&self) -> &[u8] {
        Node::key_of(&self.0)
    }

    /// The key of the node whose bytes are `bytes`.
    pub(super) fn key_of(bytes: &[u8]) -> &[u8] {
        let (len, n) = get_varint(&bytes[HEAD..]);
        &bytes[HEAD + n..HEAD + n + len]
    }

    pub(super) fn parts(&self) -> Parts<'_> {
        let b = &self.0[..];
        let (key_len, n) = get_varint(&b[HEAD..]);
        let key_at = HEAD + n;
        let (hop_len, n) = get_varint(&b[key_at + key_len..]);
        let hop_at = key_at + key_len + n;
        let text_len = usize::from(b[hop_at + hop_len]);
        let text_at = hop_at + hop_len + 1;
        let domain_at = text_at + text_len;
        Parts {
            key: &b[key_at..key_at + key_len],
            hop: &b[hop_at..hop_at + hop_len],
            text: &b[text_at..domain_at],
            domain: (b[49] & OWN_DOMAIN != 0).then(|| &b[domain_at..]),
        }
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = self.parts();
        let (queue_id, recipient) = split_key(parts.key);
        f.debug_struct("Node")
            .field("queue_id", &String::from_utf8_lossy(queue_id))
            .field("recipient", &String::from_utf8_lossy(recipient))
            .field("head", &self.head())
            .field("hop", &String::from_utf8_lossy(parts.hop))
            .field("text", &String::from_utf8_lossy(parts.text))
            .finish()
    }
}

// Hash and equality must agree with those of `[u8]`, for lookups by key.

/// Writes `h` into the head bytes of a node.
fn set_head_bytes(b: &mut [u8], h: &Head) {
    let enhanced = h.enhanced.unwrap_or(Enhanced { class: 0, subject: 0, detail: 0 });
    b[0..4].copy_from_slice(&h.attempts.to_le_bytes());
    b[4..8].copy_from_slice(&h.deferred.to_le_bytes());
    b[8..16].copy_from_slice(&h.first.to_le_bytes());
    b[16..24].copy_from_slice(&h.last.to_le_bytes());
    b[24..32].copy_from_slice(&h.order.to_le_bytes());
    b[32..40].copy_from_slice(&h.delay.unwrap_or(0.0).to_bits().to_le_bytes());
    b[40..42].copy_from_slice(&h.code.unwrap_or(0).to_le_bytes());
    b[42..44].copy_from_slice(&enhanced.subject.to_le_bytes());
    b[44..46].copy_from_slice(&enhanced.detail.to_le_bytes());
    b[46] = enhanced.class;
    b[47] = h.reason as u8 | if h.unrouteable { UNROUTEABLE } else { 0 };
    b[48] = h.outcome as u8;
    let flags = [
        (h.timed, TIMED),
        (h.code.is_some(), HAS_CODE),
        (h.enhanced.is_some(), HAS_ENHANCED),
        (h.delay.is_some(), HAS_DELAY),
        (h.expired, EXPIRED),
        (h.hop, HOP),
        (h.own_domain, OWN_DOMAIN),
        (h.discarded, DISCARDED),
    ];
    b[49] = flags.iter().filter(|(on, _)| *on).fold(0, |all, (_, bit)| all | bit);
}

/// Writes the key of (`queue_id`, `recipient`) into `out`.
pub(super) fn encode_key(out: &mut Vec<u8>, queue_id: &[u8], recipient: &[u8]) {
    out.clear();
    put_varint(out, queue_id.len());
    out.extend_from_slice(queue_id);
    out.extend_from_slice(recipient);
}

/// The queue id and recipient of a key.
pub(super) fn split_key(key: &[u8]) -> (&[u8], &[u8]) {
    let (len, n) = get_varint(key);
    key[n..].split_at(len)
}

/// Appends `value` in LEB128: seven bits a byte, low first.
pub(super) fn put_varint(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a LEB128 value at the start of `bytes`: the value and its length.
pub(super) fn get_varint(bytes: &[u8]) -> (usize, usize) {
    let (mut value, mut shift) = (0usize, 0);
    for (i, &b) in bytes.iter().enumerate() {
        value |= usize::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return (value, i + 1);
        }
        shift += 7;
    }
    unreachable!("nodes hold complete varints")
}

/// The part of an address after its last `@`, or [`LOCAL`] without one: the
/// normalized domain of most recipients, which their nodes need not repeat.
pub(super) fn domain_after_at(recipient: &[u8]) -> &[u8] {
    memchr::memrchr(b'@', recipient).map_or(LOCAL, |i| &recipient[i + 1..])
}

/// The hash of keys, the same in every [`Messages`](super::Messages) of the process (so
/// adding states needs no rehashing) but random per process.
pub(super) static KEY_HASH: LazyLock<RandomState> = LazyLock::new(RandomState::default);

pub(super) fn key_hash(key: &[u8]) -> u64 {
    let hash = KEY_HASH.hash_one(key);
    #[cfg(test)]
    let hash = if COLLIDE.get() { hash % 3 } else { hash };
    hash
}

#[cfg(test)]
thread_local! {
    /// Makes keys' hashes collide (three values), to test that equal hashes
    /// of different keys are kept apart.
    pub(super) static COLLIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two expiry records of one queue id add up: untimed when either is,
    /// the later of the times (a known time after none).
    #[test]
    fn expiry_marks_absorb() {
        let mark = |untimed, latest| ExpiryMark { untimed, latest };
        let cases = [
            (mark(false, Some(5)), mark(false, Some(9)), mark(false, Some(9))),
            (mark(false, Some(9)), mark(false, Some(5)), mark(false, Some(9))),
            (mark(false, None), mark(false, Some(5)), mark(false, Some(5))),
            (mark(true, Some(5)), mark(false, None), mark(true, Some(5))),
            (mark(false, Some(5)), mark(true, None), mark(true, Some(5))),
            (mark(true, None), mark(true, None), mark(true, None)),
        ];
        for (a, b, want) in cases {
            let mut sum = a;
            sum.absorb(b);
            assert_eq!(sum, want, "{a:?} + {b:?}");
        }
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
                discarded: true,
                unrouteable: true,
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
                discarded: false,
                unrouteable: false,
            },
        ];
        // 200 needs two varint bytes, the first with its top bit set both
        // as data and as the continuation flag; 300 has it clear.
        let (long, longer) = (vec![b'q'; 200], vec![b'q'; 300]);
        for head in heads {
            for (qid, rcpt, hop, text) in [
                (&b""[..], &b""[..], &b""[..], &b""[..]),
                (&long[..], b"r@d", &longer[..], &long[..MAX_REPLY]),
                (&longer[..], &long[..], &long[..], &b"t"[..]),
            ] {
                let mut key = Vec::new();
                encode_key(&mut key, qid, rcpt);
                let domain = head.own_domain.then_some(&b"D.example"[..]);
                let node = Node::new(&head, &key, hop, text, domain);
                assert_eq!(node.head(), head);
                let parts = node.parts();
                assert_eq!((parts.key, parts.hop, parts.text, parts.domain), (&key[..], hop, text, domain));
                assert_eq!(split_key(node.key()), (qid, rcpt));
                // The accessors that read one field agree with the head.
                assert_eq!(node.is_hop(), head.hop);
                assert_eq!(node.last_time(), head.time());
                assert_eq!(node.outcome(), head.outcome);
            }
        }
    }

    /// Message ids up to 23 bytes are held inline, their length first, so
    /// an id and the same id with a zero byte more stay apart.
    #[test]
    fn message_ids_are_held_inline() {
        let id = MessageId::of(b"1tXyZa-0003Ab-Qr").unwrap();
        assert_eq!(id.id[0], 16);
        assert_eq!(id.bytes(), b"1tXyZa-0003Ab-Qr");
        assert_ne!(MessageId::of(b"ab"), MessageId::of(b"ab\0"));
        assert!(MessageId::of(&[b'x'; 23]).is_some());
        assert_eq!(MessageId::of(&[b'x'; 24]), None);
        assert_eq!(MessageId::of(b"").map(|i| i.id), Some([0; 24]));
        let id = b"abcdefghijklmnopqrstuvw";
        for len in 0..=23 {
            let held = MessageId::of(&id[..len]).unwrap();
            assert_eq!((held.bytes(), &held.id[len + 1..]), (&id[..len], &[0; 24][len + 1..]), "{len} bytes");
        }
    }

    /// A key that names its host keeps the id inline and the host apart:
    /// one id on two hosts is two messages, on one host one.
    #[test]
    fn message_ids_of_hosts_are_kept_apart() {
        let a = MessageId::of(b"mx1 1tXyZa-0003Ab-Qr").unwrap();
        assert_ne!(Some(a), MessageId::of(b"mx2 1tXyZa-0003Ab-Qr"));
        assert_eq!(a.bytes(), b"1tXyZa-0003Ab-Qr");
        assert_eq!(Some(a), MessageId::of(b"mx1 1tXyZa-0003Ab-Qr"));
        assert_ne!(Some(a), MessageId::of(b"1tXyZa-0003Ab-Qr"));
        let long_host = [b"h".repeat(200), b" 1tXyZa-000000003Ab-Qr1x".to_vec()].concat();
        assert_eq!(MessageId::of(&long_host).unwrap().bytes(), b"1tXyZa-000000003Ab-Qr1x");
        assert_eq!(MessageId::of(b"mx1 1tXyZa-000000003Ab-Qr1xy"), None);
    }

    /// LEB128 as written by hand: seven bits a byte, low first, the top bit
    /// set on every byte but the last.
    #[test]
    fn varints() {
        let cases: [(usize, &[u8]); 8] = [
            (0, &[0x00]),
            (1, &[0x01]),
            (127, &[0x7F]),
            (128, &[0x80, 0x01]),
            (200, &[0xC8, 0x01]),
            (255, &[0xFF, 0x01]),
            (300, &[0xAC, 0x02]),
            (16_384, &[0x80, 0x80, 0x01]),
        ];
        for (value, bytes) in cases {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out, bytes, "{value}");
            out.push(0xFF);
            assert_eq!(get_varint(&out), (value, bytes.len()), "{value}");
        }
        let mut out = Vec::new();
        put_varint(&mut out, usize::MAX);
        assert_eq!(get_varint(&out), (usize::MAX, out.len()));
    }

    /// The tests' collisions are real: with them on, distinct keys share
    /// one of three hashes (else the tests that turn them on prove less).
    #[test]
    fn test_collisions_collide() {
        COLLIDE.set(true);
        let hashes: std::collections::HashSet<u64> = (0..20u8).map(|i| key_hash(&[i])).collect();
        COLLIDE.set(false);
        assert!(hashes.len() <= 3, "{hashes:?}");
        let spread: std::collections::HashSet<u64> = (0..20u8).map(|i| key_hash(&[i])).collect();
        assert_eq!(spread.len(), 20);
    }
}
