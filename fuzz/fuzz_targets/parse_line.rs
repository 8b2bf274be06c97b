//! `Scanner::parse_line` on arbitrary bytes, for each `--mta` setting.
//!
//! Besides not panicking: an event's domain lies inside the line, its codes
//! are in range, an expiry's queue id lies inside the line right before
//! `: from=<` (and only Postfix finds expiries), an arrival's message id
//! lies inside the line right before ` <= ` (and only Exim finds
//! arrivals), `auto` gives what
//! `postfix` or `exim` alone gives, and scanning the line as a one-line
//! block counts exactly what `parse_line` found (expiries included).
#![no_main]

use std::sync::LazyLock;

use bounces::config::Mta;
use bounces::internals::input::Block;
use bounces::internals::parse::{Event, Parsed};
use bounces::internals::search::Scanner;
use bounces::internals::worker::Worker;
use libfuzzer_sys::fuzz_target;

static SCANNERS: LazyLock<[Scanner; 3]> =
    LazyLock::new(|| [Scanner::new(Mta::Auto), Scanner::new(Mta::named("postfix").unwrap()), Scanner::new(Mta::named("exim").unwrap())]);

fn check_event(line: &[u8], event: &Event<'_>) {
    let range = line.as_ptr_range();
    let domain = event.domain.as_ptr_range();
    assert!(
        event.domain.is_empty() || (range.start <= domain.start && domain.end <= range.end),
        "the domain is not a part of the line"
    );
    if let Some(code) = event.code {
        assert!((200..600).contains(&code), "code {code}");
    }
    if let Some(e) = event.enhanced {
        assert!(matches!(e.class, 2 | 4 | 5) && e.subject <= 999 && e.detail <= 999, "enhanced {e}");
    }
}

/// A Postfix expiry line: its queue id is a part of the line, before the
/// `: from=<` that precedes `, status=expired` (or `force-expired`) and
/// `, returned to sender`, and looks like a queue id.
fn check_expiry(line: &[u8], queue_id: &[u8]) {
    let range = line.as_ptr_range();
    let qid = queue_id.as_ptr_range();
    assert!(range.start <= qid.start && qid.end <= range.end, "the queue id is not a part of the line");
    assert!(queue_id.len() >= 5 && queue_id.iter().all(u8::is_ascii_alphanumeric), "queue id {queue_id:?}");
    let after = &line[qid.end as usize - range.start as usize..];
    assert!(after.starts_with(b": from=<"), "{:?}", String::from_utf8_lossy(line));
    let find = |needle: &[u8]| after.windows(needle.len()).any(|w| w == needle);
    assert!(find(b", returned to sender"));
    assert!(find(b", status=expired, returned to sender") || find(b", status=force-expired, returned to sender"));
}

/// An Exim arrival line: its message id is a part of the line, right before
/// ` <= `, and looks like one.
fn check_arrival(line: &[u8], queue_id: &[u8]) {
    let range = line.as_ptr_range();
    let qid = queue_id.as_ptr_range();
    assert!(range.start <= qid.start && qid.end <= range.end, "the message id is not a part of the line");
    assert!(matches!(queue_id.len(), 16 | 23), "message id {queue_id:?}");
    assert!(line[qid.end as usize - range.start as usize..].starts_with(b" <= "));
}

fuzz_target!(|data: &[u8]| {
    let [auto, postfix, exim] = &*SCANNERS;
    let (a, p, e) = (auto.parse_line(data), postfix.parse_line(data), exim.parse_line(data));
    for parsed in [&a, &p, &e] {
        match parsed {
            Parsed::Event(event) => check_event(data, event),
            Parsed::Expiry { queue_id } => check_expiry(data, queue_id),
            Parsed::Arrival { queue_id, .. } => check_arrival(data, queue_id),
            _ => {}
        }
    }
    // Expiry lines are Postfix's alone.
    assert!(!matches!(e, Parsed::Expiry { .. }), "exim {e:?}");
    // Arrival lines are Exim's alone.
    assert!(!matches!(p, Parsed::Arrival { .. }), "postfix {p:?}");
    // Auto tries every anchor of both MTAs in line order and takes the first
    // that is not `Other`: that is what one of the MTAs alone finds.
    assert!(a == p || a == e, "auto {a:?}, postfix {p:?}, exim {e:?}");
    if a == Parsed::Other {
        assert_eq!((p, e), (Parsed::Other, Parsed::Other));
    }

    // The scanner finds the same thing in a block holding just this line.
    if data.contains(&b'\n') {
        return;
    }
    let mut worker = Worker::default();
    let block = Block { input: 0, seq: 0, lines_before: 0, data: data.to_vec() };
    auto.scan_block(&block, &mut worker);
    let tally = worker.tally();
    let mut want = [0; 3];
    if let Parsed::Event(event) = a {
        want[event.outcome as usize] = 1;
    }
    assert_eq!(tally.events_by_outcome(), want, "{a:?}");
    assert_eq!(tally.malformed(), u64::from(a == Parsed::Malformed), "{a:?}");
    assert_eq!(tally.probes(), u64::from(a == Parsed::Probe), "{a:?}");
    assert_eq!(tally.expiries(), u64::from(matches!(a, Parsed::Expiry { .. })), "{a:?}");
});
