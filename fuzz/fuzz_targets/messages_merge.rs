//! `Messages`: the same attempts, expiries and arrivals split across three states in
//! any way, each fed in any order, then added together in any order and
//! grouping, must `finish()` exactly like one state fed everything in input
//! order.
//!
//! Input: a selector byte (merge order, grouping and shuffle seed), then
//! 4 bytes per item over few queue ids, recipients, times and texts, so
//! that keys repeat, times tie, hops chain, fan in and loop, and expiries
//! hit. Items get distinct positions (`order`), as lines in a log do.
//!
//! Besides that: `len()` agrees, and the recipients' deferred attempts add
//! up to the deferred items (every key is in exactly one recipient).
//!
//! Then the ordered fold (`messages::fold`): the items in pieces of 1 to 4,
//! sweeping whenever the keys held double, with a settle time of 0, 1, 2
//! or never, the batches resolved and handed in shuffled: never panics; a
//! fold that never sweeps gives the outcomes of `finish()`; sweeping can
//! only split recipients, never lose one.
#![no_main]

use bounces::internals::classify::Reason;
use bounces::internals::messages::{Attempt, Finished, Fold, Messages, Ordered, Outcomes};
use bounces::internals::parse::domain::normalize;
use bounces::internals::parse::{Enhanced, Outcome};
use libfuzzer_sys::fuzz_target;

const QIDS: [&[u8]; 4] = [b"A1B2C", b"D3E4F", b"1abcde-000001-AB", b"QQQQQ"];
const RCPTS: [&[u8]; 4] = [b"a@x.example", b"b@x.example", b"C@UP.EXAMPLE", b"postmaster"];
const TIMES: [Option<i64>; 8] = [None, Some(1), Some(2), Some(2), Some(3), Some(-5), Some(i64::MAX), Some(i64::MIN)];
const DELAYS: [Option<f64>; 8] =
    [None, Some(0.0), Some(-0.0), Some(0.5), Some(2.0), Some(86_400.0), Some(f64::NAN), Some(f64::INFINITY)];

/// Reply texts: empty, two short ones (one repeated) and two long ones that
/// differ only past the 200 bytes kept, with a multi-byte character at the cut.
static TEXTS: std::sync::LazyLock<[Vec<u8>; 5]> = std::sync::LazyLock::new(|| {
    let long = |tail: &str| format!("{}é{tail}", "x".repeat(199)).into_bytes();
    [b"".to_vec(), b"452 4.2.2 full".to_vec(), b"t2".to_vec(), long("one"), long("two")]
});

#[derive(Clone, Copy, Debug)]
enum Item {
    Attempt { qid: usize, rcpt: usize, outcome: Outcome, hop: Option<usize>, time: usize, text: usize, extra: u8 },
    Expiry { qid: usize, time: usize },
    Arrival { qid: usize, time: usize },
}

fn items(data: &[u8]) -> Vec<(u64, Item, usize)> {
    data.chunks_exact(4)
        .take(48)
        .enumerate()
        .map(|(i, c)| {
            let part = usize::from(c[3] % 3);
            let item = if c[0] & 0xe0 == 0xe0 && c[2] & 0x80 != 0 {
                Item::Arrival { qid: usize::from(c[1] & 3), time: usize::from(c[2] & 7) }
            } else if c[0] & 0xe0 == 0xe0 {
                Item::Expiry { qid: usize::from(c[1] & 3), time: usize::from(c[2] & 7) }
            } else {
                let outcome = Outcome::ALL[usize::from(c[0] & 3) % 3];
                Item::Attempt {
                    qid: usize::from(c[1] & 3),
                    rcpt: usize::from(c[1] >> 2 & 3),
                    outcome,
                    hop: (c[0] & 4 != 0).then_some(usize::from(c[1] >> 4 & 3)),
                    time: usize::from(c[2] & 7),
                    text: usize::from(c[2] >> 3) % 5,
                    extra: c[0] >> 3 | (c[3] & 0xfc),
                }
            };
            (i as u64, item, part)
        })
        .collect()
}

fn feed(m: &mut Messages, order: u64, item: &Item) {
    match *item {
        Item::Attempt { qid, rcpt, outcome, hop, time, text, extra } => {
            let recipient = RCPTS[rcpt];
            let after_at = recipient.iter().rposition(|&b| b == b'@').map_or(&b""[..], |at| &recipient[at + 1..]);
            let domain = normalize(after_at, &mut Vec::new()).to_vec();
            let (code, enhanced, reason) = match outcome {
                Outcome::Delivered => (250, (2, 0, 0), Reason::Delivered),
                Outcome::Deferred => (452, (4, 2, 2), Reason::MailboxFull),
                Outcome::Bounced => (550, (5, 1, 1), Reason::UserUnknown),
            };
            let coded = extra & 1 == 0;
            let attempt = Attempt {
                queue_id: QIDS[qid],
                recipient,
                domain: &domain,
                outcome,
                time: TIMES[time],
                code: coded.then_some(code),
                enhanced: coded.then_some(Enhanced { class: enhanced.0, subject: enhanced.1, detail: enhanced.2 }),
                reason: if coded { reason } else { Reason::ALL[usize::from(extra >> 1) % Reason::ALL.len()] },
                text: &TEXTS[text],
                hop_to: hop.map(|h| QIDS[h]),
                expired: extra & 2 != 0,
                delay: DELAYS[usize::from(extra >> 2) % DELAYS.len()],
                discarded: extra & 0x40 != 0,
                unrouteable: extra & 0x80 != 0,
            };
            m.record(&attempt, order);
        }
        Item::Expiry { qid, time } => m.record_expiry(QIDS[qid], TIMES[time], order),
        Item::Arrival { qid, time } => m.record_arrival(QIDS[qid], TIMES[time]),
    }
}

/// A small deterministic generator (SplitMix64), for the shuffles.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, (self.next() % (i as u64 + 1)) as usize);
        }
    }
}

fn deferred_sum(f: &Finished) -> u64 {
    f.recipients.iter().map(|r| u64::from(r.deferred_attempts)).sum()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let items = items(rest);

    let mut whole = Messages::new();
    for (order, item, _) in &items {
        feed(&mut whole, *order, item);
    }
    let len = whole.len();
    let want = whole.finish();
    let deferred =
        items.iter().filter(|(_, i, _)| matches!(i, Item::Attempt { outcome: Outcome::Deferred, .. })).count();
    assert_eq!(deferred_sum(&want), deferred as u64, "deferred attempts lost or doubled: {want:#?}");

    // The same, fed backwards.
    let mut backwards = Messages::new();
    for (order, item, _) in items.iter().rev() {
        feed(&mut backwards, *order, item);
    }
    assert_eq!(backwards.len(), len);
    assert_eq!(backwards.finish(), want, "fed backwards");

    // Split in three, each part fed in a shuffled order.
    let mut random = Random(u64::from(sel) ^ rest.len() as u64);
    let mut parts: Vec<Messages> = (0..3).map(|_| Messages::new()).collect();
    for (p, part) in parts.iter_mut().enumerate() {
        let mut mine: Vec<&(u64, Item, usize)> = items.iter().filter(|(_, _, at)| *at == p).collect();
        random.shuffle(&mut mine);
        for (order, item, _) in mine {
            feed(part, *order, item);
        }
    }
    const ORDERS: [[usize; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    let ord = ORDERS[usize::from(sel & 7) % 6];
    let [a, b, c] = ord.map(|i| parts[i].clone());
    let merged = if sel & 8 == 0 {
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
    assert_eq!(merged.len(), len, "order {ord:?}");
    let got = merged.finish();
    assert_eq!(got, want, "order {ord:?}, grouped {}\n{items:?}", sel & 8 != 0);

    // The ordered fold.
    let settle = [0, 1, 2, i64::MAX][usize::from(sel >> 4 & 3)];
    let piece = 1 + usize::from(sel >> 6);
    let mut fold = Fold::new(settle).sweep_from(0);
    let mut batches = Vec::new();
    for chunk in items.chunks(piece) {
        let mut m = Messages::new();
        for (order, item, _) in chunk {
            feed(&mut m, *order, item);
        }
        batches.extend(fold.add(m));
    }
    let peak = fold.peak_held();
    assert!(peak <= len, "{peak} held of {len}");
    batches.push(fold.finish());
    random.shuffle(&mut batches);
    let mut ordered = Ordered::default();
    for batch in batches {
        ordered.add(batch.ticket, batch.settled.resolve());
    }
    let folded = ordered.finish(peak);
    let mut direct = Outcomes::default();
    direct.add(want.recipients.clone());
    let count = |o: &Outcomes| o.domain_rows().iter().map(|r| r.recipients).sum::<u64>();
    assert_eq!(count(&folded), folded.recipients);
    if settle == i64::MAX {
        assert_eq!(folded.domain_rows(), direct.domain_rows(), "{items:?}");
        assert_eq!(folded.suppressed(), direct.suppressed(), "{items:?}");
    } else {
        assert!(folded.recipients >= direct.recipients, "settle {settle}: {items:?}");
    }
});
