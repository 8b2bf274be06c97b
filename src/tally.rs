//! Tallies: per-domain and per-code counts, merged without locks.
//!
//! Every worker fills its own [`Tally`]; tallies are then added together
//! (`+=`). Addition is commutative and examples are kept by position, not by
//! arrival, so the result does not depend on thread count or block size.
//! Domains are interned once per worker: an event costs one lookup by
//! domain bytes and one by a small fixed-size code key.

use std::collections::HashMap;
use std::ops::AddAssign;

use foldhash::fast::RandomState;

use crate::parse::{Enhanced, Event, Note, Outcome};

/// How many unparsable lines are kept as examples for `-v`.
pub const MAX_EXAMPLES: usize = 5;

/// The key of one row of the codes report, with the domain interned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct CodeKey {
    domain: u32,
    outcome: Outcome,
    code: Option<u16>,
    enhanced: Option<Enhanced>,
    note: Note,
}

/// One (domain, outcome, code, enhanced, note) combination and its count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeCount<'a> {
    /// The normalized domain (lower case, no trailing dot), as raw bytes.
    pub domain: &'a [u8],
    /// The outcome of the events counted.
    pub outcome: Outcome,
    /// Their basic reply code.
    pub code: Option<u16>,
    /// Their enhanced status code.
    pub enhanced: Option<Enhanced>,
    /// What their text said beyond the codes.
    pub note: Note,
    /// How many events.
    pub count: u64,
}

/// A line that looked like a delivery but did not parse.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Example {
    /// Index of the input it came from.
    pub input: usize,
    /// 1-based line number in that input.
    pub line: u64,
    /// The line itself (raw bytes).
    pub text: Vec<u8>,
}

/// Counts of what one input contained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputCounts {
    /// Delivery events.
    pub events: u64,
    /// Lines that looked like deliveries but did not parse.
    pub malformed: u64,
}

/// Everything counted while scanning.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    index: HashMap<Box<[u8]>, u32, RandomState>,
    outcomes: Vec<[u64; 3]>,
    codes: HashMap<CodeKey, u64, RandomState>,
    per_input: Vec<InputCounts>,
    probes: u64,
    overlong: u64,
    examples: Vec<Example>,
    scratch: Vec<u8>,
}

impl Tally {
    /// Counts one delivery event read from input number `input`.
    pub fn record(&mut self, input: usize, event: &Event<'_>) {
        let domain = intern(
            &mut self.index,
            &mut self.outcomes,
            &mut self.scratch,
            event.domain,
        );
        self.outcomes[domain as usize][event.outcome as usize] += 1;
        let key = CodeKey {
            domain,
            outcome: event.outcome,
            code: event.code,
            enhanced: event.enhanced,
            note: event.note,
        };
        *self.codes.entry(key).or_insert(0) += 1;
        self.input_mut(input).events += 1;
    }

    /// Counts an address-verification probe (not a delivery).
    pub fn record_probe(&mut self) {
        self.probes += 1;
    }

    /// Counts a delivery-looking line that was too long to be parsed.
    pub fn record_overlong(&mut self) {
        self.overlong += 1;
    }

    /// Delivery-looking lines skipped for their length.
    pub fn overlong(&self) -> u64 {
        self.overlong
    }

    /// Counts a line that looked like a delivery but did not parse.
    pub fn record_malformed(&mut self, input: usize) {
        self.input_mut(input).malformed += 1;
    }

    /// Would an example at (`input`, `line`) be kept? Lets the scanner skip
    /// working out line numbers it does not need.
    pub fn wants_example(&self, input: usize, line: u64) -> bool {
        self.examples.len() < MAX_EXAMPLES
            || self
                .examples
                .last()
                .is_some_and(|last| (input, line) < (last.input, last.line))
    }

    /// Keeps `text` as an example of an unparsable line, if it is among the
    /// first [`MAX_EXAMPLES`] by position.
    pub fn add_example(&mut self, input: usize, line: u64, text: &[u8]) {
        if self.wants_example(input, line) {
            self.examples.push(Example {
                input,
                line,
                text: text.to_vec(),
            });
            self.examples.sort();
            self.examples.truncate(MAX_EXAMPLES);
        }
    }

    fn input_mut(&mut self, input: usize) -> &mut InputCounts {
        if self.per_input.len() <= input {
            self.per_input.resize(input + 1, InputCounts::default());
        }
        &mut self.per_input[input]
    }

    /// Delivery events by outcome, in [`Outcome::ALL`] order.
    pub fn events_by_outcome(&self) -> [u64; 3] {
        self.outcomes.iter().fold([0; 3], |mut sum, counts| {
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
            sum
        })
    }

    /// All delivery events.
    pub fn events(&self) -> u64 {
        self.events_by_outcome().iter().sum()
    }

    /// Lines that looked like deliveries but did not parse.
    pub fn malformed(&self) -> u64 {
        self.per_input.iter().map(|c| c.malformed).sum()
    }

    /// Address-verification probes seen (and not counted as deliveries).
    pub fn probes(&self) -> u64 {
        self.probes
    }

    /// What input number `input` contained.
    pub fn input_counts(&self, input: usize) -> InputCounts {
        self.per_input.get(input).copied().unwrap_or_default()
    }

    /// The first unparsable lines, in input and line order.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// Each domain with its counts by outcome, in no particular order.
    pub fn domains(&self) -> impl Iterator<Item = (&[u8], [u64; 3])> {
        self.index
            .iter()
            .map(|(name, &i)| (&name[..], self.outcomes[i as usize]))
    }

    /// Each (domain, outcome, code, enhanced, note) combination, in no
    /// particular order.
    pub fn codes(&self) -> impl Iterator<Item = CodeCount<'_>> {
        let mut names: Vec<&[u8]> = vec![&[]; self.outcomes.len()];
        for (name, &i) in &self.index {
            names[i as usize] = name;
        }
        self.codes.iter().map(move |(key, &count)| CodeCount {
            domain: names[key.domain as usize],
            outcome: key.outcome,
            code: key.code,
            enhanced: key.enhanced,
            note: key.note,
            count,
        })
    }
}

/// Looks a domain up, lower-casing it and dropping one trailing dot first,
/// and adds it when new. Allocates only for a domain not seen before.
fn intern(
    index: &mut HashMap<Box<[u8]>, u32, RandomState>,
    outcomes: &mut Vec<[u64; 3]>,
    scratch: &mut Vec<u8>,
    raw: &[u8],
) -> u32 {
    let trimmed = raw.strip_suffix(b".").unwrap_or(raw);
    let name: &[u8] = if trimmed.iter().any(u8::is_ascii_uppercase) {
        scratch.clear();
        scratch.extend(trimmed.iter().map(u8::to_ascii_lowercase));
        scratch
    } else {
        trimmed
    };
    if let Some(&i) = index.get(name) {
        return i;
    }
    let i = u32::try_from(outcomes.len()).expect("fewer than 4 billion domains");
    index.insert(name.into(), i);
    outcomes.push([0; 3]);
    i
}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        let mut remap = vec![0u32; other.outcomes.len()];
        for (name, &i) in &other.index {
            let mine = intern(&mut self.index, &mut self.outcomes, &mut self.scratch, name);
            remap[i as usize] = mine;
            for (a, b) in self.outcomes[mine as usize]
                .iter_mut()
                .zip(other.outcomes[i as usize])
            {
                *a += b;
            }
        }
        for (key, count) in other.codes {
            let key = CodeKey {
                domain: remap[key.domain as usize],
                ..key
            };
            *self.codes.entry(key).or_insert(0) += count;
        }
        for (input, counts) in other.per_input.iter().enumerate() {
            let mine = self.input_mut(input);
            mine.events += counts.events;
            mine.malformed += counts.malformed;
        }
        self.probes += other.probes;
        self.overlong += other.overlong;
        self.examples.extend(other.examples);
        self.examples.sort();
        self.examples.truncate(MAX_EXAMPLES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(domain: &'static str, outcome: Outcome, code: Option<u16>) -> Event<'static> {
        Event {
            domain: domain.as_bytes(),
            outcome,
            code,
            enhanced: None,
            note: Note::None,
        }
    }

    #[test]
    fn domains_are_normalized() {
        let mut t = Tally::default();
        t.record(0, &ev("Example.COM", Outcome::Delivered, Some(250)));
        t.record(0, &ev("example.com.", Outcome::Bounced, Some(550)));
        t.record(0, &ev("example.com", Outcome::Bounced, Some(550)));
        let domains: Vec<_> = t.domains().collect();
        assert_eq!(domains, vec![(&b"example.com"[..], [1, 0, 2])]);
        assert_eq!(t.codes().count(), 2);
    }

    #[test]
    fn merge_is_order_independent() {
        let mut a = Tally::default();
        a.record(0, &ev("a.example", Outcome::Delivered, Some(250)));
        a.record(0, &ev("b.example", Outcome::Deferred, Some(451)));
        a.add_example(0, 9, b"nine");
        let mut b = Tally::default();
        b.record(1, &ev("b.example", Outcome::Deferred, Some(451)));
        b.record_malformed(1);
        b.add_example(0, 3, b"three");
        let mut ab = a.clone();
        ab += b.clone();
        let mut ba = b;
        ba += a;
        for t in [&ab, &ba] {
            let mut d: Vec<_> = t.domains().collect();
            d.sort();
            assert_eq!(
                d,
                vec![
                    (&b"a.example"[..], [1, 0, 0]),
                    (&b"b.example"[..], [0, 2, 0])
                ]
            );
            let mut c: Vec<_> = t.codes().map(|c| (c.domain, c.code, c.count)).collect();
            c.sort();
            assert_eq!(
                c,
                vec![
                    (&b"a.example"[..], Some(250), 1),
                    (&b"b.example"[..], Some(451), 2)
                ]
            );
            assert_eq!(
                t.examples().iter().map(|e| e.line).collect::<Vec<_>>(),
                vec![3, 9]
            );
            assert_eq!(
                t.input_counts(1),
                InputCounts {
                    events: 1,
                    malformed: 1
                }
            );
        }
    }

    #[test]
    fn examples_keep_the_first_by_position() {
        let mut t = Tally::default();
        for line in (1..=20).rev() {
            t.add_example(0, line, b"x");
        }
        let lines: Vec<u64> = t.examples().iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5]);
        assert!(!t.wants_example(0, 6));
        assert!(t.wants_example(0, 4));
    }
}
