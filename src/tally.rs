//! Tallies: per-domain and per-code counts, merged without locks.
//!
//! Every worker fills its own [`Tally`]; tallies are then added together
//! (`+=`). Addition is commutative and examples are kept by position, not by
//! arrival, so the result does not depend on thread count or block size.
//! Domains are interned once per worker: an event costs one lookup by
//! domain bytes and one by a small fixed-size code key.

use std::collections::{BTreeMap, HashMap};
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

/// A line that looked like a delivery but did not parse, by position: the
/// piece (chunk or block) of its input, and its line number in that piece.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Example {
    input: usize,
    seq: u64,
    line_in_piece: u64,
    text: Vec<u8>,
}

/// Counts of what one input contained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputCounts {
    /// Delivery events.
    pub events: u64,
    /// Lines that looked like deliveries but did not parse.
    pub malformed: u64,
    /// Lines scanned (including over-long ones).
    pub lines: u64,
    /// Lines longer than the limit, skipped.
    pub overlong: u64,
    /// Bytes read, where the workers read them (file chunks).
    pub bytes: u64,
}

/// The first read error met in an input, by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// Byte offset of the chunk that could not be read.
    pub offset: u64,
    /// What kind of error.
    pub kind: std::io::ErrorKind,
    /// What the operating system said.
    pub message: String,
}

/// Everything counted while scanning.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    index: HashMap<Box<[u8]>, u32, RandomState>,
    outcomes: Vec<[u64; 3]>,
    codes: HashMap<CodeKey, u64, RandomState>,
    per_input: Vec<InputCounts>,
    /// Lines in each piece (chunk or block), by (input, seq): turns an
    /// example's position into a line number.
    piece_lines: BTreeMap<(usize, u64), u64>,
    errors: BTreeMap<usize, ReadError>,
    probes: u64,
    examples: Vec<Example>,
    scratch: Vec<u8>,
}

impl Tally {
    /// Counts one delivery event read from input number `input`.
    pub fn record(&mut self, input: usize, event: &Event<'_>) {
        let domain = intern(&mut self.index, &mut self.outcomes, &mut self.scratch, event.domain);
        self.outcomes[domain as usize][event.outcome as usize] += 1;
        let key =
            CodeKey { domain, outcome: event.outcome, code: event.code, enhanced: event.enhanced, note: event.note };
        *self.codes.entry(key).or_insert(0) += 1;
        self.input_mut(input).events += 1;
    }

    /// Counts an address-verification probe (not a delivery).
    pub fn record_probe(&mut self) {
        self.probes += 1;
    }

    /// Records a piece (chunk or block) of input `input`: its position,
    /// how many lines it held and how many of them were over-long.
    pub fn record_piece(&mut self, input: usize, seq: u64, lines: u64, overlong: u64) {
        *self.piece_lines.entry((input, seq)).or_insert(0) += lines;
        let counts = self.input_mut(input);
        counts.lines += lines;
        counts.overlong += overlong;
    }

    /// Counts bytes read from input `input` by a worker.
    pub fn record_bytes(&mut self, input: usize, bytes: u64) {
        self.input_mut(input).bytes += bytes;
    }

    /// Records a read error in input `input` at `offset`; the first one by
    /// position is kept.
    pub fn record_error(&mut self, input: usize, offset: u64, error: &std::io::Error) {
        let new = ReadError { offset, kind: error.kind(), message: error.to_string() };
        match self.errors.get(&input) {
            Some(old) if old.offset <= offset => {}
            _ => {
                self.errors.insert(input, new);
            }
        }
    }

    /// The first read error of input `input`, if any.
    pub fn error(&self, input: usize) -> Option<&ReadError> {
        self.errors.get(&input)
    }

    /// Counts a line that looked like a delivery but did not parse.
    pub fn record_malformed(&mut self, input: usize) {
        self.input_mut(input).malformed += 1;
    }

    /// Would an example at line `line` of piece `seq` of input `input` be
    /// kept? Lets the scanner skip working out line numbers it does not need.
    pub fn wants_example(&self, input: usize, seq: u64, line: u64) -> bool {
        self.examples.len() < MAX_EXAMPLES
            || self.examples.last().is_some_and(|last| (input, seq, line) < (last.input, last.seq, last.line_in_piece))
    }

    /// Keeps `text` (line `line` of piece `seq` of input `input`) as an
    /// example of an unparsable line, if it is among the first
    /// [`MAX_EXAMPLES`] by position.
    pub fn add_example(&mut self, input: usize, seq: u64, line: u64, text: &[u8]) {
        if self.wants_example(input, seq, line) {
            self.examples.push(Example { input, seq, line_in_piece: line, text: text.to_vec() });
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

    /// Lines longer than the limit, skipped.
    pub fn overlong(&self) -> u64 {
        self.per_input.iter().map(|c| c.overlong).sum()
    }

    /// Address-verification probes seen (and not counted as deliveries).
    pub fn probes(&self) -> u64 {
        self.probes
    }

    /// What input number `input` contained.
    pub fn input_counts(&self, input: usize) -> InputCounts {
        self.per_input.get(input).copied().unwrap_or_default()
    }

    /// The first unparsable lines, in input and line order, as (input,
    /// 1-based line number, text).
    pub fn examples(&self) -> Vec<(usize, u64, &[u8])> {
        self.examples
            .iter()
            .map(|e| {
                let before: u64 = self.piece_lines.range((e.input, 0)..(e.input, e.seq)).map(|(_, n)| n).sum();
                (e.input, before + e.line_in_piece, &e.text[..])
            })
            .collect()
    }

    /// Each domain with its counts by outcome, in no particular order.
    pub fn domains(&self) -> impl Iterator<Item = (&[u8], [u64; 3])> {
        self.index.iter().map(|(name, &i)| (&name[..], self.outcomes[i as usize]))
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
            for (a, b) in self.outcomes[mine as usize].iter_mut().zip(other.outcomes[i as usize]) {
                *a += b;
            }
        }
        for (key, count) in other.codes {
            let key = CodeKey { domain: remap[key.domain as usize], ..key };
            *self.codes.entry(key).or_insert(0) += count;
        }
        for (input, counts) in other.per_input.iter().enumerate() {
            let mine = self.input_mut(input);
            mine.events += counts.events;
            mine.malformed += counts.malformed;
            mine.lines += counts.lines;
            mine.overlong += counts.overlong;
            mine.bytes += counts.bytes;
        }
        for (piece, lines) in other.piece_lines {
            *self.piece_lines.entry(piece).or_insert(0) += lines;
        }
        for (input, error) in other.errors {
            let io = std::io::Error::new(error.kind, error.message.clone());
            self.record_error(input, error.offset, &io);
        }
        self.probes += other.probes;
        self.examples.extend(other.examples);
        self.examples.sort();
        self.examples.truncate(MAX_EXAMPLES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(domain: &'static str, outcome: Outcome, code: Option<u16>) -> Event<'static> {
        Event { domain: domain.as_bytes(), outcome, code, enhanced: None, note: Note::None }
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
        a.record_piece(0, 0, 10, 0);
        a.add_example(0, 0, 9, b"nine");
        let mut b = Tally::default();
        b.record(1, &ev("b.example", Outcome::Deferred, Some(451)));
        b.record_malformed(1);
        b.add_example(0, 0, 3, b"three");
        let mut ab = a.clone();
        ab += b.clone();
        let mut ba = b;
        ba += a;
        for t in [&ab, &ba] {
            let mut d: Vec<_> = t.domains().collect();
            d.sort();
            assert_eq!(d, vec![(&b"a.example"[..], [1, 0, 0]), (&b"b.example"[..], [0, 2, 0])]);
            let mut c: Vec<_> = t.codes().map(|c| (c.domain, c.code, c.count)).collect();
            c.sort();
            assert_eq!(c, vec![(&b"a.example"[..], Some(250), 1), (&b"b.example"[..], Some(451), 2)]);
            assert_eq!(t.examples().iter().map(|e| e.1).collect::<Vec<_>>(), vec![3, 9]);
            assert_eq!((t.input_counts(1).events, t.input_counts(1).malformed), (1, 1));
        }
    }

    #[test]
    fn examples_keep_the_first_by_position() {
        let mut t = Tally::default();
        t.record_piece(0, 0, 100, 0);
        t.record_piece(0, 1, 100, 0);
        for line in (1..=20).rev() {
            t.add_example(0, 1, line, b"x");
        }
        let lines: Vec<u64> = t.examples().iter().map(|e| e.1).collect();
        assert_eq!(lines, vec![101, 102, 103, 104, 105]);
        assert!(!t.wants_example(0, 1, 6));
        assert!(t.wants_example(0, 1, 4));
        assert!(t.wants_example(0, 0, 90));
    }
}
