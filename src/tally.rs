//! Tallies: per-domain and per-code counts, merged without locks.
//!
//! A tally only counts: the worker ([`crate::worker`]) has already read the
//! event's time, applied the window, classified it and normalized its
//! domain. Every worker fills its own [`Tally`]; tallies are then added together
//! (`+=`). Addition is commutative and examples are kept by position, not by
//! arrival, so the result does not depend on thread count or block size.
//! An event costs one hash-map lookup by domain bytes (short names live in
//! the map's slot with their counts) and a search of the domain's short list
//! of packed (outcome, code, enhanced, note) keys.
//!
//! Two limits fold domains into `(other)`, each without depending on the
//! split:
//! - the memory cap (`--max-tracked-domains`, [`Cap`]) bounds the distinct
//!   domains a tally holds while counting: beyond it domains are chosen by a
//!   fixed hash of their name, and a small table of sums ([`Spill`]) bounds
//!   how many events any one domain left out can have had;
//! - the report cut (`--max-domains`, [`Tally::keep_biggest`]) keeps, once
//!   the tallies are added up, the domains with the most events (ties to the
//!   name that sorts first) and folds the others.
//!
//! One reading needs the whole log: Exim's `Unrouteable address` at a
//! domain the log shows local deliveries to is no such user, not no such
//! domain. Each domain records whether it had a local delivery (an OR, so
//! it adds up like the counts) and keeps those failures apart until
//! [`Tally::settle_unrouteable`], once, on the sum, moves them.

use std::collections::{BTreeMap, HashMap};
use std::ops::AddAssign;

use foldhash::fast::RandomState;

use crate::classify::{self, BounceType, Reason};
use crate::hosts::Hosts;
use crate::parse::{self, Enhanced, Event, Note, Outcome, Stage};
use crate::problems::Problems;
use crate::refusals::Refusals;
use crate::time::{Micros, Period, TimeSetup};

/// How many unparsable lines are kept as examples for `-v`.
pub const MAX_EXAMPLES: usize = 5;

/// The longest reason's example shown, in bytes; a longer reply is cut (at
/// a character boundary when it is UTF-8) to leave room for the `...` that
/// reports add ([`crate::parse::shorten`]).
pub const MAX_EXAMPLE_TEXT: usize = 150;

/// One (outcome, code, enhanced code, note, reason, stage) combination,
/// packed into an integer: compared and hashed in one instruction. The
/// stage is kept only for codes whose meaning depends on it
/// ([`classify::describing_stage`]), so other codes keep one row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct CodeKey(u64);

impl CodeKey {
    fn pack(
        outcome: Outcome,
        code: Option<u16>,
        enhanced: Option<Enhanced>,
        note: Note,
        reason: Reason,
        stage: Option<Stage>,
    ) -> CodeKey {
        let code = u64::from(code.unwrap_or(0).min(1023));
        let (class, subject, detail) =
            enhanced.map_or((0, 0, 0), |e| (e.class, e.subject.min(1023), e.detail.min(1023)));
        let note = note as u64;
        CodeKey(
            outcome as u64
                | code << 2
                | u64::from(class) << 12
                | u64::from(subject) << 15
                | u64::from(detail) << 25
                | note << 35
                | (reason as u64) << 37
                | stage.map_or(0, |s| s as u64 + 1) << 45,
        )
    }

    fn unpack(self, count: u64) -> CodeCount {
        let bits = |shift: u32, width: u32| (self.0 >> shift) & ((1 << width) - 1);
        let outcome = Outcome::ALL[bits(0, 2) as usize];
        let code = Some(bits(2, 10) as u16).filter(|&c| c != 0);
        let class = bits(12, 3) as u8;
        let enhanced =
            (class != 0).then(|| Enhanced { class, subject: bits(15, 10) as u16, detail: bits(25, 10) as u16 });
        let note = Note::ALL[bits(35, 2) as usize];
        let reason = Reason::ALL[bits(37, 8) as usize];
        let stage = (bits(45, 3) as usize).checked_sub(1).map(|i| Stage::ALL[i]);
        CodeCount { outcome, code, enhanced, note, reason, stage, count }
    }
}

/// How many events of one (outcome, code, enhanced, note) combination a
/// domain had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeCount {
    /// The outcome of the events counted.
    pub outcome: Outcome,
    /// Their basic reply code.
    pub code: Option<u16>,
    /// Their enhanced status code.
    pub enhanced: Option<Enhanced>,
    /// What their text said beyond the codes.
    pub note: Note,
    /// Why they failed (`delivered` for deliveries).
    pub reason: Reason,
    /// The command the reply answered, for codes whose meaning depends on
    /// it ([`classify::describing_stage`]); else `None`.
    pub stage: Option<Stage>,
    /// How many events.
    pub count: u64,
}

impl CodeCount {
    /// What these events say about the recipient address.
    pub fn bounce_type(&self) -> BounceType {
        classify::bounce_type(self.reason, self.outcome, self.code, self.enhanced)
    }
}

/// A domain's counts by code. The most frequent combination so far is held
/// in the domain's own entry (most events of a domain share one: no pointer
/// to chase); the others in a short list searched in order, turned into a
/// hash map if a domain sees many (a hostile log can make up any number).
#[derive(Clone, Debug, Default)]
struct Codes {
    /// A combination and its count; empty while the count is 0.
    head: (CodeKey, u64),
    rest: Rest,
}

#[derive(Clone, Debug)]
enum Rest {
    Few(Vec<(CodeKey, u64)>),
    // Boxed so that every domain's entry stays small: few domains need it.
    #[allow(clippy::box_collection)]
    Many(Box<HashMap<CodeKey, u64, RandomState>>),
}

/// Beyond this many other combinations a domain's list becomes a hash map.
const FEW_CODES: usize = 24;

impl Default for Rest {
    fn default() -> Self {
        Rest::Few(Vec::new())
    }
}

impl Codes {
    fn add(&mut self, key: CodeKey, count: u64) {
        if self.head.1 == 0 {
            self.head = (key, count);
            return;
        }
        if self.head.0 == key {
            self.head.1 += count;
            return;
        }
        match &mut self.rest {
            Rest::Few(list) => {
                if let Some(entry) = list.iter_mut().find(|(k, _)| *k == key) {
                    entry.1 += count;
                    if entry.1 > self.head.1 {
                        std::mem::swap(entry, &mut self.head);
                    }
                } else if list.len() < FEW_CODES {
                    list.push((key, count));
                } else {
                    let mut map: HashMap<CodeKey, u64, RandomState> = list.drain(..).collect();
                    map.insert(key, count);
                    self.rest = Rest::Many(Box::new(map));
                }
            }
            Rest::Many(map) => *map.entry(key).or_insert(0) += count,
        }
    }

    /// Every combination with its count, in no particular order.
    fn iter(&self) -> impl Iterator<Item = (CodeKey, u64)> + '_ {
        let head = (self.head.1 > 0).then_some(self.head);
        let (few, many) = match &self.rest {
            Rest::Few(list) => (Some(list.iter().copied()), None),
            Rest::Many(map) => (None, Some(map.iter().map(|(&k, &v)| (k, v)))),
        };
        head.into_iter().chain(few.into_iter().flatten()).chain(many.into_iter().flatten())
    }
}

/// The failures of one (reason, bounce type) of a domain: deferred and
/// bounced counts, and an example reply text: of the texts seen, the one
/// that sorts first (after shortening), so the example does not depend on
/// threads, on how inputs are split, or on the order they are named in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonCount {
    /// Why.
    pub reason: Reason,
    /// What it says about the address.
    pub bounce_type: BounceType,
    /// Deferred events.
    pub deferred: u64,
    /// Bounced events.
    pub bounced: u64,
    /// The example, whole when it has at most [`MAX_EXAMPLE_TEXT`] bytes,
    /// else cut to leave room for `...`.
    pub example: Box<[u8]>,
    /// Whether the example was cut short.
    pub example_cut: bool,
}

impl ReasonCount {
    /// Keeps `(text, cut)` as the example if it sorts before the current one.
    fn offer(&mut self, text: &[u8], cut: bool) {
        if (text, cut) < (&self.example[..], self.example_cut) {
            self.example = text.into();
            self.example_cut = cut;
        }
    }
}

/// One domain's counts.
#[derive(Clone, Debug, Default)]
struct DomainCounts {
    outcomes: [u64; 3],
    codes: Codes,
    /// Failures by reason: few per domain, searched in order.
    reasons: Vec<ReasonCount>,
    /// The failures noted [`Note::Unrouteable`], by reason, apart from
    /// `reasons` until [`Tally::settle_unrouteable`] has read them (their
    /// counts and example move as a whole); [`DomainTally::reasons`] shows
    /// both together.
    unrouteable: Vec<ReasonCount>,
    /// Whether the domain had a local delivery ([`Event::local`]).
    local: bool,
}

/// Adds the failures of `theirs` to those of `mine`, reason by reason.
fn absorb_reasons(mine: &mut Vec<ReasonCount>, theirs: &[ReasonCount]) {
    for theirs in theirs {
        match mine.iter_mut().find(|r| (r.reason, r.bounce_type) == (theirs.reason, theirs.bounce_type)) {
            Some(mine) => {
                mine.deferred += theirs.deferred;
                mine.bounced += theirs.bounced;
                mine.offer(&theirs.example, theirs.example_cut);
            }
            None => mine.push(theirs.clone()),
        }
    }
}

impl DomainCounts {
    /// Adds another domain's counts to these.
    fn absorb(&mut self, other: &DomainCounts) {
        for (a, b) in self.outcomes.iter_mut().zip(other.outcomes) {
            *a += b;
        }
        for (key, count) in other.codes.iter() {
            self.codes.add(key, count);
        }
        absorb_reasons(&mut self.reasons, &other.reasons);
        absorb_reasons(&mut self.unrouteable, &other.unrouteable);
        self.local |= other.local;
    }

    /// Counts a failure under its reason (among the unrouteable ones when
    /// `unrouteable`), offering its text as example.
    fn add_failure(
        &mut self,
        reason: Reason,
        bounce_type: BounceType,
        outcome: Outcome,
        text: &[u8],
        unrouteable: bool,
    ) {
        let (text, cut) = parse::shorten(text, MAX_EXAMPLE_TEXT);
        let list = if unrouteable { &mut self.unrouteable } else { &mut self.reasons };
        let index = match list.iter().position(|r| (r.reason, r.bounce_type) == (reason, bounce_type)) {
            Some(i) => {
                list[i].offer(text, cut);
                i
            }
            None => {
                let (deferred, bounced, example) = (0, 0, text.into());
                list.push(ReasonCount { reason, bounce_type, deferred, bounced, example, example_cut: cut });
                list.len() - 1
            }
        };
        let entry = &mut list[index];
        match outcome {
            Outcome::Deferred => entry.deferred += 1,
            Outcome::Bounced => entry.bounced += 1,
            Outcome::Delivered => {}
        }
    }

    /// Reads this domain's `Unrouteable address` failures as no such user
    /// (see [`Tally::settle_unrouteable`]): hostunknown becomes userunknown
    /// in their codes and their reasons; the bounce type stays (the two
    /// reasons have the same, [`classify::bounce_type`]).
    fn settle_unrouteable(&mut self) {
        let settled = |reason| if reason == Reason::HostUnknown { Reason::UserUnknown } else { reason };
        let mut codes = Codes::default();
        for (key, count) in self.codes.iter() {
            let c = key.unpack(count);
            let key = match c.note {
                Note::Unrouteable => CodeKey::pack(c.outcome, c.code, c.enhanced, c.note, settled(c.reason), c.stage),
                _ => key,
            };
            codes.add(key, count);
        }
        self.codes = codes;
        let unrouteable: Vec<ReasonCount> = std::mem::take(&mut self.unrouteable)
            .into_iter()
            .map(|r| ReasonCount { reason: settled(r.reason), ..r })
            .collect();
        absorb_reasons(&mut self.unrouteable, &unrouteable);
    }

    fn events(&self) -> u64 {
        self.outcomes.iter().sum()
    }
}

/// The cap on distinct domains (`--max-tracked-domains`). A domain is tracked on its
/// own while a fixed hash of its name is at most `threshold`; when there are
/// too many, the threshold is halved and the domains above it are folded into
/// `(other)`. The domains kept are then those whose hash is at most the
/// largest threshold (of u64::MAX, half, a quarter, ...) that keeps them
/// within the cap: the same set whatever the thread count or input order,
/// and their counts are exact.
#[derive(Clone, Copy, Debug)]
struct Cap {
    max: usize,
    threshold: u64,
}

impl Default for Cap {
    fn default() -> Self {
        Cap { max: usize::MAX, threshold: u64::MAX }
    }
}

/// The hash that decides which domains a cap keeps: fixed, unlike the maps'
/// keyed hashes, so every worker decides alike.
fn cap_hash(name: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x0062_6f75_6e63_6573).hash_one(name)
}

/// How many sums [`Spill`] keeps (a power of two): 512 KiB, only in a tally
/// that reached the memory cap.
const SPILL_CELLS: usize = 1 << 16;

/// The events the memory cap folded, and a bound on any one domain's share
/// of them: the events of each folded domain go to one of [`SPILL_CELLS`]
/// sums, chosen by the low bits of its cap hash (the cap chooses by the high
/// bits). A folded domain had at most as many events as the sum it went to,
/// so at most [`Spill::bound`]. Sums add up, so the table is the same
/// whatever the split: each cell holds the events of exactly the domains
/// above the final threshold that fall in it.
#[derive(Clone, Debug, Default)]
struct Spill {
    events: u64,
    /// Empty until the cap first folds a domain.
    cells: Vec<u64>,
}

impl Spill {
    fn add(&mut self, hash: u64, events: u64) {
        if self.cells.is_empty() {
            self.cells = vec![0; SPILL_CELLS];
        }
        self.cells[hash as usize & (SPILL_CELLS - 1)] += events;
        self.events += events;
    }

    fn absorb(&mut self, other: &Spill) {
        if other.cells.is_empty() {
            return;
        }
        if self.cells.is_empty() {
            self.cells = vec![0; SPILL_CELLS];
        }
        for (mine, theirs) in self.cells.iter_mut().zip(&other.cells) {
            *mine += theirs;
        }
        self.events += other.events;
    }

    /// No domain the cap folded had more events than this.
    fn bound(&self) -> u64 {
        self.cells.iter().copied().max().unwrap_or(0)
    }
}

/// The domains folded into `(other)`, and why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// Domains tracked but left out of the reports by the cut
    /// ([`Tally::keep_biggest`]).
    pub cut_domains: u64,
    /// Their events.
    pub cut_events: u64,
    /// Events of the domains the memory cap did not track (how many
    /// domains those were is not known: the cap keeps no trace of them).
    pub capped_events: u64,
    /// No domain the memory cap left out had more events than this.
    pub capped_bound: u64,
    /// The fewest events of a domain kept on its own (0 when none is).
    pub smallest_kept: u64,
}

/// A domain as tallied: its name and counts.
#[derive(Clone, Copy, Debug)]
pub struct DomainTally<'a> {
    /// The normalized domain ([`crate::parse::domain::normalize`]), as bytes.
    pub name: &'a [u8],
    /// Events by outcome: delivered, deferred, bounced.
    pub outcomes: [u64; 3],
    counts: &'a DomainCounts,
}

impl<'a> DomainTally<'a> {
    /// The domain's failures by (reason, bounce type), in no particular order.
    pub fn reasons(self) -> Vec<ReasonCount> {
        let mut reasons = self.counts.reasons.clone();
        absorb_reasons(&mut reasons, &self.counts.unrouteable);
        reasons
    }

    /// The domain's events by (outcome, code, enhanced, note), in no
    /// particular order.
    pub fn codes(self) -> impl Iterator<Item = CodeCount> + 'a {
        self.counts.codes.iter().map(|(key, count)| key.unpack(count))
    }
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
    domains: HashMap<DomainKey, DomainCounts, RandomState>,
    per_input: Vec<InputCounts>,
    /// Lines in each piece (chunk or block), by (input, seq): turns an
    /// example's position into a line number.
    piece_lines: BTreeMap<(usize, u64), u64>,
    errors: BTreeMap<usize, ReadError>,
    probes: u64,
    examples: Vec<Example>,
    /// Events of the domains folded, by the cap or by the cut.
    other: DomainCounts,
    cap: Cap,
    /// What the cap folded.
    spill: Spill,
    /// Domains and events folded by the cut.
    cut: (u64, u64),
    /// Event times, when they are needed.
    times: Option<Times>,
    expiries: u64,
    /// Our own server's refusals (when the `rejects` report is asked for).
    refusals: Refusals,
    /// Operational trouble (when the `problems` report is asked for).
    problems: Problems,
    /// Delivery events per host (when the overview is written).
    hosts: Hosts,
}

/// The delivery events of the period just before the window, per domain
/// (delivered, deferred, bounced), for the overview's comparison; no
/// report counts them. Bounded like the domains: beyond the tally's cap,
/// domains are kept by the same fixed hash and the others summed in
/// `other`. Sums and a minimum, so the same whatever the split.
#[derive(Clone, Debug, Default)]
pub struct Previous {
    domains: HashMap<DomainKey, [u64; 3], RandomState>,
    other: [u64; 3],
    cap: Cap,
    /// The earliest time of an event of the period, to tell whether the
    /// input reaches back to its start.
    first: Option<Micros>,
}

impl Previous {
    fn count(&mut self, name: &[u8], outcome: Outcome, t: Micros) {
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        if self.cap.threshold != u64::MAX && cap_hash(name) > self.cap.threshold {
            self.other[outcome as usize] += 1;
            return;
        }
        if let Some(counts) = self.domains.get_mut(name) {
            counts[outcome as usize] += 1;
            return;
        }
        self.domains.entry(DomainKey::new(name)).or_default()[outcome as usize] += 1;
        self.enforce_cap();
    }

    /// Halves the threshold until the domains fit the cap.
    fn enforce_cap(&mut self) {
        while self.domains.len() > self.cap.max && self.cap.threshold > 0 {
            self.cap.threshold >>= 1;
            self.fold_above_threshold();
        }
    }

    fn fold_above_threshold(&mut self) {
        let (threshold, other) = (self.cap.threshold, &mut self.other);
        self.domains.retain(|name, counts| {
            let keep = cap_hash(name.as_bytes()) <= threshold;
            if !keep {
                for (o, c) in other.iter_mut().zip(*counts) {
                    *o += c;
                }
            }
            keep
        });
    }

    fn absorb(&mut self, theirs: Previous) {
        self.first = match (self.first, theirs.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (o, c) in self.other.iter_mut().zip(theirs.other) {
            *o += c;
        }
        self.cap.max = self.cap.max.min(theirs.cap.max);
        let threshold = self.cap.threshold.min(theirs.cap.threshold);
        for (name, counts) in theirs.domains {
            let sum = self.domains.entry(name).or_default();
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
        }
        if threshold < self.cap.threshold {
            self.cap.threshold = threshold;
        }
        self.fold_above_threshold();
        self.enforce_cap();
    }

    /// Each domain's delivered, deferred and bounced events, by name
    /// (normalized), and those of the domains beyond the cap as `None`.
    pub fn domains(&self) -> impl Iterator<Item = (Option<&[u8]>, [u64; 3])> + '_ {
        let other = (self.other != [0; 3]).then_some((None, self.other));
        self.domains.iter().map(|(name, counts)| (Some(name.as_bytes()), *counts)).chain(other)
    }

    /// The earliest time of an event of the previous period.
    pub fn first(&self) -> Option<Micros> {
        self.first
    }
}

/// Event times of a tally: the window applied, counts per hour.
#[derive(Clone, Debug)]
struct Times {
    setup: TimeSetup,
    /// The previous period's events, when they are counted.
    previous: Option<Previous>,
    /// Events by outcome per hour, keyed by the hour's start (in the
    /// clocks' zone): days are unions of hours in every zone.
    hours: HashMap<Micros, [u64; 3], RandomState>,
    /// Events outside the window, not counted.
    outside: u64,
    /// Events whose line has no timestamp this tool reads.
    untimed: u64,
}

/// How events were placed in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeCounts {
    /// Events outside `--since`/`--until`, left out of every report.
    pub outside: u64,
    /// Events whose line starts with no readable timestamp: left out of
    /// every report under a window, else only out of the time series.
    pub untimed: u64,
}

impl Tally {
    /// A tally that tracks at most `max` domains on their own and counts the
    /// events of the others together (see [`Tally::other`]): the memory cap.
    pub fn with_max_tracked(max: usize) -> Tally {
        Tally { cap: Cap { max: max.max(1), threshold: u64::MAX }, ..Tally::default() }
    }

    /// A tally that also counts events per hour, for the periods of
    /// `setup`'s window and zone.
    pub fn with_times(max_tracked: usize, setup: TimeSetup) -> Tally {
        let previous = setup
            .previous
            .map(|_| Previous { cap: Cap { max: max_tracked.max(1), threshold: u64::MAX }, ..Previous::default() });
        let times = Times { setup, previous, hours: HashMap::default(), outside: 0, untimed: 0 };
        Tally { times: Some(times), ..Tally::with_max_tracked(max_tracked) }
    }

    /// Counts one delivery event of input `input`: `domain` is its domain
    /// normalized ([`crate::parse::domain::normalize`]), `reason` and
    /// `bounce_type` its verdict, `hour` the start of its hour when times
    /// are read and the line had one.
    pub fn count(
        &mut self,
        input: usize,
        domain: &[u8],
        event: &Event<'_>,
        (reason, bounce_type): (Reason, BounceType),
        hour: Option<Micros>,
    ) {
        if let (Some(times), Some(hour)) = (&mut self.times, hour) {
            times.hours.entry(hour).or_default()[event.outcome as usize] += 1;
        }
        let counts = self.counts_for(domain);
        counts.outcomes[event.outcome as usize] += 1;
        counts.local |= event.local;
        let stage = classify::describing_stage(event.code, event.stage);
        counts.codes.add(CodeKey::pack(event.outcome, event.code, event.enhanced, event.note, reason, stage), 1);
        if event.outcome != Outcome::Delivered {
            let unrouteable = event.note == Note::Unrouteable;
            counts.add_failure(reason, bounce_type, event.outcome, event.reply, unrouteable);
        }
        self.input_mut(input).events += 1;
    }

    /// Counts an event left out because it lies outside the window.
    pub fn count_outside(&mut self) {
        if let Some(times) = &mut self.times {
            times.outside += 1;
        }
    }

    /// Counts an event of the previous period at time `t` (outside the
    /// window, already counted by [`Tally::count_outside`]) for the
    /// overview's comparison: `domain` normalized.
    pub fn count_previous(&mut self, domain: &[u8], outcome: Outcome, t: Micros) {
        if let Some(previous) = self.times.as_mut().and_then(|t| t.previous.as_mut()) {
            previous.count(domain, outcome, t);
        }
    }

    /// The previous period's events, when they were counted.
    pub fn previous(&self) -> Option<&Previous> {
        self.times.as_ref().and_then(|t| t.previous.as_ref())
    }

    /// Counts an event whose line has no timestamp this tool reads.
    pub fn count_untimed(&mut self) {
        if let Some(times) = &mut self.times {
            times.untimed += 1;
        }
    }

    /// Counts a Postfix expiry line (within the window).
    pub fn count_expiry(&mut self) {
        self.expiries += 1;
    }

    /// The counts for a domain (normalized), or those of `(other)` when
    /// the cap leaves it out. The cap costs nothing until it is reached.
    fn counts_for(&mut self, name: &[u8]) -> &mut DomainCounts {
        if self.domains.len() >= self.cap.max || self.cap.threshold != u64::MAX {
            let (hash, known) = (cap_hash(name), self.domains.contains_key(name));
            if hash > self.cap.threshold {
                self.spill.add(hash, 1);
                return &mut self.other;
            }
            if !known && self.domains.len() >= self.cap.max {
                // Make room: halve the threshold until fewer remain.
                while self.domains.len() >= self.cap.max && self.cap.threshold > 0 {
                    self.cap.threshold >>= 1;
                    self.fold_above_threshold();
                }
                if hash > self.cap.threshold {
                    self.spill.add(hash, 1);
                    return &mut self.other;
                }
            }
        }
        entry(&mut self.domains, name)
    }

    /// Moves the domains whose cap hash is above the threshold to `(other)`.
    fn fold_above_threshold(&mut self) {
        let (threshold, other, spill) = (self.cap.threshold, &mut self.other, &mut self.spill);
        self.domains.retain(|name, counts| {
            let hash = cap_hash(name.as_bytes());
            let keep = hash <= threshold;
            if !keep {
                spill.add(hash, counts.events());
                other.absorb(counts);
            }
            keep
        });
    }

    /// Keeps on their own the `n` domains with the most events (of equal
    /// counts, those whose names sort first) and folds the others into
    /// `(other)`. For the reports, once the tallies are added up: what is
    /// kept then depends only on the counts of the domains tracked, which
    /// are exact. A tally cut this way is not meant to be added to another.
    pub fn keep_biggest(&mut self, n: usize) {
        if self.domains.len() <= n {
            return;
        }
        // The rank of a domain: more events first, then the name.
        let mut ranks: Vec<(std::cmp::Reverse<u64>, &[u8])> =
            self.domains.iter().map(|(name, c)| (std::cmp::Reverse(c.events()), name.as_bytes())).collect();
        let last_kept = match n.checked_sub(1) {
            Some(i) => {
                let (_, &mut (events, name), _) = ranks.select_nth_unstable(i);
                Some((events, name.to_vec()))
            }
            None => None,
        };
        drop(ranks);
        let (other, mut cut) = (&mut self.other, self.cut);
        self.domains.retain(|name, counts| {
            let keep = last_kept.as_ref().is_some_and(|(events, last)| {
                (std::cmp::Reverse(counts.events()), name.as_bytes()) <= (*events, &last[..])
            });
            if !keep {
                cut.0 += 1;
                cut.1 += counts.events();
                other.absorb(counts);
            }
            keep
        });
        self.cut = cut;
    }

    /// Reads Exim's `Unrouteable address` (the failures noted
    /// [`Note::Unrouteable`]) with the whole log: at a domain to which the
    /// input shows a local delivery ([`Event::local`], counted within the
    /// window), no router accepting an address means no such user, so its
    /// failures move from hostunknown to userunknown, in the codes and in
    /// the reasons with their example. Elsewhere they keep the reading of
    /// their line ([`classify::with_domain`]).
    ///
    /// Once, on the sum of every thread's tally (a domain's local
    /// deliveries and failures may be in different pieces): [`crate::scan::run`]
    /// does it before it returns, so before the cut
    /// ([`Tally::keep_biggest`]) and the domains it folds are read first. The domains the memory cap folded while counting have no
    /// counts of their own: their failures in `(other)` stay hostunknown.
    /// A settled tally is not meant to be added to another.
    pub fn settle_unrouteable(&mut self) {
        for counts in self.domains.values_mut() {
            if counts.local && !counts.unrouteable.is_empty() {
                counts.settle_unrouteable();
            }
        }
    }

    /// Whether the input showed a local delivery to `name` (normalized),
    /// among the domains with counts of their own: where
    /// [`Tally::settle_unrouteable`] read `Unrouteable address` as no
    /// such user.
    pub fn delivers_locally(&self, name: &[u8]) -> bool {
        self.domains.get(name).is_some_and(|counts| counts.local)
    }

    /// The domains folded into `(other)`, by the cap and by the cut.
    pub fn folded(&self) -> Folded {
        Folded {
            cut_domains: self.cut.0,
            cut_events: self.cut.1,
            capped_events: self.spill.events,
            capped_bound: self.spill.bound(),
            smallest_kept: self.domains.values().map(DomainCounts::events).min().unwrap_or(0),
        }
    }

    /// Whether `name` (normalized) has counts of its own, not in `(other)`.
    pub fn keeps(&self, name: &[u8]) -> bool {
        self.domains.contains_key(name)
    }

    /// Events of the domains folded by the cap or the cut, by outcome and
    /// by code, under the name `(other)`; `None` when nothing was folded.
    pub fn other(&self) -> Option<DomainTally<'_>> {
        (self.other.events() > 0).then_some(DomainTally {
            name: b"(other)",
            outcomes: self.other.outcomes,
            counts: &self.other,
        })
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
        self.domains.values().chain([&self.other]).fold([0; 3], |mut sum, d| {
            for (s, c) in sum.iter_mut().zip(d.outcomes) {
                *s += c;
            }
            sum
        })
    }

    /// Failures of all domains by (reason, bounce type): deferred and
    /// bounced counts, sorted by bounced then deferred (descending).
    pub fn reasons_overall(&self) -> Vec<(Reason, BounceType, u64, u64)> {
        let mut sums: BTreeMap<(Reason, BounceType), (u64, u64)> = BTreeMap::new();
        for r in self.domains.values().chain([&self.other]).flat_map(|d| d.reasons.iter().chain(&d.unrouteable)) {
            let sum = sums.entry((r.reason, r.bounce_type)).or_default();
            sum.0 += r.deferred;
            sum.1 += r.bounced;
        }
        let mut list: Vec<_> = sums.into_iter().map(|((r, t), (d, b))| (r, t, d, b)).collect();
        list.sort_by_key(|&(_, _, deferred, bounced)| std::cmp::Reverse((bounced, deferred)));
        list
    }

    /// The delivery events per host counted so far.
    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// The delivery events per host, to count one.
    pub fn hosts_mut(&mut self) -> &mut Hosts {
        &mut self.hosts
    }

    /// Our own server's refusals counted so far.
    pub fn refusals(&self) -> &Refusals {
        &self.refusals
    }

    /// Our own server's refusals, to count one.
    pub fn refusals_mut(&mut self) -> &mut Refusals {
        &mut self.refusals
    }

    /// The operational trouble counted so far.
    pub fn problems(&self) -> &Problems {
        &self.problems
    }

    /// The operational trouble, to count one.
    pub fn problems_mut(&mut self) -> &mut Problems {
        &mut self.problems
    }

    /// Postfix expiry lines seen.
    pub fn expiries(&self) -> u64 {
        self.expiries
    }

    /// How events were placed in time (zero when times were not read).
    pub fn time_counts(&self) -> TimeCounts {
        self.times.as_ref().map_or_else(TimeCounts::default, |t| TimeCounts { outside: t.outside, untimed: t.untimed })
    }

    /// Events by outcome per day or hour, for every period from the
    /// window's start (or the first event's period) to its end (or the last
    /// event's period), empty ones included: `(label, counts)`. Empty when
    /// times were not read.
    pub fn periods(&self, period: Period) -> Vec<(String, [u64; 3])> {
        let Some(times) = &self.times else { return Vec::new() };
        let Some(mut clock) = times.setup.clocks.first().cloned() else { return Vec::new() };
        let mut sums: BTreeMap<Micros, [u64; 3]> = BTreeMap::new();
        for (&hour, counts) in &times.hours {
            let sum = sums.entry(clock.period_start(hour, period)).or_default();
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
        }
        let first = times.setup.since.map(|s| clock.period_start(s, period)).or(sums.keys().next().copied());
        let end = match times.setup.until {
            Some(u) => Some(u),
            None => sums.keys().next_back().map(|&last| clock.next_period(last, period)),
        };
        let (Some(mut at), Some(end)) = (first, end) else { return Vec::new() };
        let mut rows = Vec::new();
        while at < end {
            rows.push((clock.period_label(at, period), sums.get(&at).copied().unwrap_or_default()));
            at = clock.next_period(at, period);
        }
        rows
    }

    /// How many distinct domains were seen.
    pub fn domain_count(&self) -> usize {
        self.domains.len()
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

    /// Each domain with its counts, in no particular order.
    pub fn domains(&self) -> impl Iterator<Item = DomainTally<'_>> {
        self.domains.iter().map(|(name, counts)| DomainTally {
            name: name.as_bytes(),
            outcomes: counts.outcomes,
            counts,
        })
    }
}

/// Looks a (normalized) domain up, and adds it when new. Allocates only for
/// a long domain not seen before.
fn entry<'a>(domains: &'a mut HashMap<DomainKey, DomainCounts, RandomState>, name: &[u8]) -> &'a mut DomainCounts {
    if name.len() <= INLINE_NAME {
        // An inline key costs no allocation: one lookup does it.
        return domains.entry(DomainKey::new(name)).or_default();
    }
    // Looked up by slice first, so a known long domain allocates no key.
    if !domains.contains_key(name) {
        domains.insert(DomainKey::new(name), DomainCounts::default());
    }
    domains.get_mut(name).expect("just inserted")
}

/// A domain name as a hash-map key. Short names (nearly all) are stored in
/// the map's own slot, so a lookup does not chase a pointer to compare keys.
#[derive(Clone, Debug)]
enum DomainKey {
    Inline { len: u8, bytes: [u8; INLINE_NAME] },
    Heap(Box<[u8]>),
}

/// The longest name stored inline.
const INLINE_NAME: usize = 30;

impl DomainKey {
    fn new(name: &[u8]) -> DomainKey {
        if name.len() <= INLINE_NAME {
            let mut bytes = [0; INLINE_NAME];
            bytes[..name.len()].copy_from_slice(name);
            DomainKey::Inline { len: name.len() as u8, bytes }
        } else {
            DomainKey::Heap(name.into())
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            DomainKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            DomainKey::Heap(bytes) => bytes,
        }
    }
}

impl std::borrow::Borrow<[u8]> for DomainKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

// Hash and equality must agree with those of `[u8]`, for lookups by slice.
impl std::hash::Hash for DomainKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq for DomainKey {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            // Fixed-size arrays (zero after the name) compare without a
            // call to memcmp.
            (DomainKey::Inline { len: a, bytes: x }, DomainKey::Inline { len: b, bytes: y }) => a == b && x == y,
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for DomainKey {}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        // The stricter threshold applies to both sides, then the cap is
        // enforced on the sum (see `Cap`).
        let threshold = self.cap.threshold.min(other.cap.threshold);
        self.cap.max = self.cap.max.min(other.cap.max);
        self.other.absorb(&other.other);
        self.spill.absorb(&other.spill);
        self.cut.0 += other.cut.0;
        self.cut.1 += other.cut.1;
        self.domains.reserve(other.domains.len().saturating_sub(self.domains.len()));
        for (name, theirs) in other.domains {
            let hash = if threshold == u64::MAX { 0 } else { cap_hash(name.as_bytes()) };
            if hash > threshold {
                self.spill.add(hash, theirs.events());
                self.other.absorb(&theirs);
            } else {
                self.domains.entry(name).or_default().absorb(&theirs);
            }
        }
        if threshold < self.cap.threshold {
            self.cap.threshold = threshold;
            self.fold_above_threshold();
        }
        while self.domains.len() > self.cap.max && self.cap.threshold > 0 {
            self.cap.threshold >>= 1;
            self.fold_above_threshold();
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
        self.expiries += other.expiries;
        self.refusals += other.refusals;
        self.hosts += other.hosts;
        self.problems += other.problems;
        match (&mut self.times, other.times) {
            (Some(mine), Some(theirs)) => {
                for (hour, counts) in theirs.hours {
                    let sum = mine.hours.entry(hour).or_default();
                    for (s, c) in sum.iter_mut().zip(counts) {
                        *s += c;
                    }
                }
                mine.outside += theirs.outside;
                mine.untimed += theirs.untimed;
                match (&mut mine.previous, theirs.previous) {
                    (Some(mine), Some(theirs)) => mine.absorb(theirs),
                    (mine @ None, theirs) => *mine = theirs,
                    (Some(_), None) => {}
                }
            }
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        self.examples.extend(other.examples);
        self.examples.sort();
        self.examples.truncate(MAX_EXAMPLES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Tally {
        /// Counts an event as the worker would, but with a fixed verdict
        /// and no time: these tests are about counting and merging.
        fn record(&mut self, input: usize, event: &Event<'_>) {
            let verdict = match event.outcome {
                Outcome::Delivered => (Reason::Delivered, BounceType::None),
                _ => (Reason::Undefined, BounceType::Undetermined),
            };
            self.count(input, event.domain, event, verdict, None);
        }
    }

    #[test]
    fn the_domain_cap_keeps_the_same_domains_whatever_the_split() {
        let names: Vec<String> = (0..1000).map(|i| format!("d{i}.example")).collect();
        let fill = |tally: &mut Tally, part: &[String]| {
            for name in part {
                let event = Event::new(name.as_bytes(), Outcome::Bounced, Some(550), None);
                tally.record(0, &event);
                tally.record(0, &event);
            }
        };
        let summary = |t: &Tally| {
            let mut kept: Vec<(Vec<u8>, [u64; 3])> = t.domains().map(|d| (d.name.to_vec(), d.outcomes)).collect();
            kept.sort();
            (kept, t.other().map(|o| o.outcomes), t.events_by_outcome())
        };
        let mut whole = Tally::with_max_tracked(100);
        fill(&mut whole, &names);
        let want = summary(&whole);
        assert!(want.0.len() <= 100 && want.0.len() > 25, "{} kept", want.0.len());
        assert_eq!(want.2, [0, 0, 2000]);
        for cut in [1, 10, 333, 999] {
            let (mut a, mut b) = (Tally::with_max_tracked(100), Tally::with_max_tracked(100));
            fill(&mut a, &names[..cut]);
            fill(&mut b, &names[cut..]);
            let mut ab = a.clone();
            ab += b.clone();
            b += a;
            assert_eq!(summary(&ab), want, "cut {cut}");
            assert_eq!(summary(&b), want, "cut {cut}, other order");
        }
        let mut roomy = Tally::with_max_tracked(5000);
        fill(&mut roomy, &names);
        assert!(roomy.other().is_none());
    }

    /// The cap folds domains only when a new one would exceed it: with
    /// room for exactly the domains seen, all are kept, on one thread or
    /// merged from two, and `(other)` stays empty.
    #[test]
    fn the_cap_keeps_every_domain_while_there_is_room() {
        let names = ["a.example", "b.example", "c.example"];
        let mut one = Tally::with_max_tracked(3);
        for _ in 0..2 {
            for name in names {
                one.record(0, &ev(name, Outcome::Bounced, Some(550)));
            }
        }
        let (mut first, mut second) = (Tally::with_max_tracked(3), Tally::with_max_tracked(3));
        first.record(0, &ev(names[0], Outcome::Bounced, Some(550)));
        for name in &names[1..] {
            second.record(0, &ev(name, Outcome::Bounced, Some(550)));
        }
        first += second;
        for (t, events) in [(&one, 2), (&first, 1)] {
            let mut kept: Vec<_> = t.domains().map(|d| (d.name, d.outcomes)).collect();
            kept.sort();
            let want: Vec<_> = names.iter().map(|n| (n.as_bytes(), [0, 0, events])).collect();
            assert_eq!(kept, want);
            assert!(t.other().is_none());
        }
    }

    /// However many domains arrive, a tally never holds more than the cap
    /// (memory stays bounded before any merge), and no event is lost: the
    /// domains left out are counted under `(other)`.
    #[test]
    fn the_cap_is_never_exceeded_and_loses_no_event() {
        let mut t = Tally::with_max_tracked(3);
        for i in 0..40 {
            t.record(0, &Event::new(format!("d{i}.example").as_bytes(), Outcome::Deferred, Some(451), None));
            assert!(t.domain_count() <= 3, "{} domains after {} events", t.domain_count(), i + 1);
        }
        let kept: u64 = t.domains().map(|d| d.outcomes[1]).sum();
        let other = t.other().map_or(0, |o| o.outcomes[1]);
        assert_eq!((kept + other, t.events_by_outcome()), (40, [0, 40, 0]));
        assert!(other >= 37, "{other} in (other)");
    }

    /// 23 domains as in the report of issue #13 (1,995 events, one domain
    /// with 1,700 of them), in a fixed order: (name, events).
    const TWENTY_THREE: [(&str, u64); 23] = [
        ("k.example", 4),
        ("f.example", 30),
        ("w.example", 2),
        ("big.example", 1700),
        ("m.example", 4),
        ("e.example", 30),
        ("g.example", 5),
        ("a.example", 60),
        ("h.example", 5),
        ("n.example", 4),
        ("d.example", 30),
        ("i.example", 5),
        ("c.example", 40),
        ("o.example", 4),
        ("j.example", 4),
        ("b.example", 40),
        ("p.example", 4),
        ("q.example", 4),
        ("r.example", 4),
        ("s.example", 4),
        ("t.example", 4),
        ("u.example", 4),
        ("v.example", 4),
    ];

    /// Every event of [`TWENTY_THREE`], one domain after the other.
    fn twenty_three_events() -> Vec<&'static str> {
        TWENTY_THREE.iter().flat_map(|&(name, n)| std::iter::repeat_n(name, n as usize)).collect()
    }

    fn bounce(tally: &mut Tally, name: &str) {
        tally.record(0, &Event::new(name.as_bytes(), Outcome::Bounced, Some(550), None));
    }

    /// The domains a tally keeps on their own, by name, with their events,
    /// and the events of `(other)`.
    fn kept(t: &Tally) -> (Vec<(String, u64)>, u64) {
        let mut kept: Vec<(String, u64)> =
            t.domains().map(|d| (String::from_utf8_lossy(d.name).into_owned(), d.outcomes.iter().sum())).collect();
        kept.sort();
        (kept, t.other().map_or(0, |o| o.outcomes.iter().sum()))
    }

    /// `--max-domains N` keeps the N domains with the most events, ties to
    /// the name that sorts first, and `(other)` holds exactly the rest;
    /// worked out by hand from [`TWENTY_THREE`] as (N, domains kept, events
    /// folded). d, e and f have 30 each: N = 5 keeps d, N = 6 d and e.
    #[test]
    fn the_cut_keeps_the_biggest_domains_ties_by_name() {
        let sorted = |names: &[&str]| {
            let mut names: Vec<String> = names.iter().map(|n| format!("{n}.example")).collect();
            names.sort();
            names
        };
        let cases: [(usize, Vec<String>, u64, u64); 7] = [
            (1, sorted(&["big"]), 295, 1700),
            (2, sorted(&["big", "a"]), 235, 60),
            (5, sorted(&["big", "a", "b", "c", "d"]), 125, 30),
            (6, sorted(&["big", "a", "b", "c", "d", "e"]), 95, 30),
            (8, sorted(&["big", "a", "b", "c", "d", "e", "f", "g"]), 60, 5),
            // Of the twelve with 4 events, j sorts first.
            (11, sorted(&["big", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]), 46, 4),
            (
                23,
                sorted(&[
                    "big", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "m", "n", "o", "p", "q", "r", "s",
                    "t", "u", "v", "w",
                ]),
                0,
                2,
            ),
        ];
        for (n, names, folded, smallest) in cases {
            let mut t = Tally::default();
            for name in twenty_three_events() {
                bounce(&mut t, name);
            }
            t.keep_biggest(n);
            let (kept, other) = kept(&t);
            let want: Vec<(String, u64)> = names
                .iter()
                .map(|name| (name.clone(), TWENTY_THREE.iter().find(|(d, _)| d == name).unwrap().1))
                .collect();
            assert_eq!((kept, other), (want, folded), "N = {n}");
            let cut_domains = 23 - n as u64;
            let f = t.folded();
            assert_eq!(
                f,
                Folded { cut_domains, cut_events: folded, capped_events: 0, capped_bound: 0, smallest_kept: smallest }
            );
            assert_eq!(t.events_by_outcome(), [0, 0, 1995], "no event lost, N = {n}");
        }
    }

    /// A small deterministic generator, for shuffles and cuts.
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *state >> 33
    }

    /// Whatever the order of the events, their split into tallies and the
    /// order those are added up in, the same domains are kept, with the
    /// same counts, and `(other)` and what the summary says are the same:
    /// with room for every domain, and with a memory cap of 12 of the 23.
    #[test]
    fn the_biggest_are_the_same_whatever_the_split_and_merge_order() {
        for max_tracked in [usize::MAX, 12] {
            let mut whole = Tally::with_max_tracked(max_tracked);
            for name in twenty_three_events() {
                bounce(&mut whole, name);
            }
            whole.keep_biggest(5);
            let want = (kept(&whole), whole.folded());
            if max_tracked == usize::MAX {
                assert_eq!(want.0.0.len(), 5);
                assert!(want.0.0.iter().any(|(d, n)| d == "big.example" && *n == 1700));
            }
            let mut state = 7;
            for round in 0..40 {
                let mut events = twenty_three_events();
                for i in (1..events.len()).rev() {
                    events.swap(i, next(&mut state) as usize % (i + 1));
                }
                let parts = 1 + next(&mut state) as usize % 6;
                let mut tallies: Vec<Tally> = (0..parts).map(|_| Tally::with_max_tracked(max_tracked)).collect();
                for name in events {
                    bounce(&mut tallies[next(&mut state) as usize % parts], name);
                }
                for i in (1..tallies.len()).rev() {
                    tallies.swap(i, next(&mut state) as usize % (i + 1));
                }
                let mut sum = tallies.pop().unwrap();
                for t in tallies {
                    sum += t;
                }
                sum.keep_biggest(5);
                assert_eq!((kept(&sum), sum.folded()), want, "round {round}, {parts} parts, cap {max_tracked}");
            }
        }
    }

    /// Millions of made-up domains: a tally with a memory cap of 64 never
    /// holds more, counts every event, and no domain left out untracked had
    /// more events than the bound it states (checked against the true
    /// counts); a big domain among them is either tracked, exactly, or
    /// within the bound. The cut then keeps the biggest of those tracked.
    #[test]
    fn made_up_domains_stay_within_the_memory_cap_and_the_bound_holds() {
        let mut t = Tally::with_max_tracked(64);
        let mut truth: HashMap<String, u64> = HashMap::new();
        for i in 0..200_000u64 {
            let name = if i % 40 == 0 { "big.example".to_string() } else { format!("fake{i}.attacker.example") };
            bounce(&mut t, &name);
            *truth.entry(name).or_default() += 1;
            assert!(t.domain_count() <= 64, "{} domains after {} events", t.domain_count(), i + 1);
        }
        let f = t.folded();
        let tracked: u64 = t.domains().map(|d| d.outcomes.iter().sum::<u64>()).sum();
        assert_eq!((tracked + f.capped_events, t.events_by_outcome()), (200_000, [0, 0, 200_000]));
        assert!(t.domain_count() >= 32, "the threshold halves only as far as needed: {}", t.domain_count());
        for d in t.domains() {
            let name = String::from_utf8_lossy(d.name);
            assert_eq!(d.outcomes[2], truth[&*name], "{name}: a tracked domain's count is exact");
        }
        for (name, &n) in &truth {
            if !t.keeps(name.as_bytes()) {
                assert!(n <= f.capped_bound, "{name} had {n} > the bound {}", f.capped_bound);
            }
        }
        // Close to the truth: the largest untracked domain, plus the few
        // made-up ones that share its sum.
        let largest_untracked = truth.iter().filter(|(d, _)| !t.keeps(d.as_bytes())).map(|(_, &n)| n).max();
        let largest_untracked = largest_untracked.unwrap();
        assert!(f.capped_bound <= largest_untracked + 20, "{} for {largest_untracked}", f.capped_bound);
        // As it happens, the cap's hash leaves big.example out: the cut
        // cannot find it, and the bound shows it.
        assert!(!t.keeps(b"big.example") && f.capped_bound >= 5000);
        t.keep_biggest(1);
        assert_eq!(t.folded().smallest_kept, t.domains().next().unwrap().outcomes[2]);
    }

    /// Of several read errors in one input the first by position is kept,
    /// whatever order they were met in and however the tallies are merged.
    #[test]
    fn read_errors_keep_the_first_by_position() {
        let error = |text: &str| std::io::Error::other(text.to_string());
        let mut a = Tally::default();
        a.record_error(0, 700, &error("seven hundred"));
        a.record_error(0, 300, &error("three hundred"));
        a.record_error(0, 500, &error("five hundred"));
        let at = |t: &Tally, input| t.error(input).map(|e| (e.offset, e.message.clone()));
        assert_eq!(at(&a, 0), Some((300, "three hundred".to_string())));
        assert_eq!(at(&a, 1), None);
        let mut b = Tally::default();
        b.record_error(0, 200, &error("two hundred"));
        b.record_error(1, 900, &error("other input"));
        let mut ab = a.clone();
        ab += b.clone();
        let mut ba = b;
        ba += a;
        for t in [&ab, &ba] {
            assert_eq!(at(t, 0), Some((200, "two hundred".to_string())));
            assert_eq!(at(t, 1), Some((900, "other input".to_string())));
        }
    }

    /// One line of [`UNROUTEABLE_LOG`]: domain, outcome, a local delivery,
    /// noted unrouteable, reason as the worker read the line alone, reply.
    type Line = (&'static str, Outcome, bool, bool, Reason, &'static str);

    const UNROUTEABLE_LOG: [Line; 9] = {
        use Outcome::{Bounced, Deferred, Delivered};
        use Reason::{HostUnknown as Host, UserUnknown as User};
        const UNROUTEABLE: &str = "Unrouteable address";
        [
            ("own.example", Delivered, true, false, Reason::Delivered, ""),
            ("own.example", Bounced, false, true, Host, UNROUTEABLE),
            ("own.example", Bounced, false, true, Host, UNROUTEABLE),
            // Another hostunknown failure keeps its reason and example.
            ("own.example", Bounced, false, false, Host, "all relevant MX records point to non-existent hosts"),
            ("own.example", Deferred, false, false, Reason::MailboxFull, "mailbox is full"),
            ("typo.example", Bounced, false, true, Host, UNROUTEABLE),
            // A remote delivery says nothing of the domain being ours.
            ("remote.example", Delivered, false, false, Reason::Delivered, "250 OK"),
            ("remote.example", Bounced, false, true, Host, UNROUTEABLE),
            ("localhost", Bounced, false, true, User, UNROUTEABLE),
        ]
    };

    fn count_line(t: &mut Tally, &(domain, outcome, local, unrouteable, reason, reply): &Line) {
        let note = if unrouteable { Note::Unrouteable } else { Note::None };
        let event =
            Event { note, local, reply: reply.as_bytes(), ..Event::new(domain.as_bytes(), outcome, None, None) };
        let bounce_type = classify::bounce_type(reason, outcome, None, None);
        t.count(0, domain.as_bytes(), &event, (reason, bounce_type), None);
    }

    /// Per domain, sorted: the failures by reason (reason, deferred,
    /// bounced, example) and the bounced events by code (note, reason,
    /// count).
    type Settled = Vec<(String, Vec<(Reason, u64, u64, String)>, Vec<(Note, Reason, u64)>)>;

    fn settled(t: &Tally) -> Settled {
        let mut rows: Settled = t
            .domains()
            .map(|d| {
                let mut reasons: Vec<_> = d
                    .reasons()
                    .iter()
                    .map(|r| (r.reason, r.deferred, r.bounced, String::from_utf8_lossy(&r.example).into_owned()))
                    .collect();
                reasons.sort();
                let mut codes: Vec<_> =
                    d.codes().filter(|c| c.outcome == Outcome::Bounced).map(|c| (c.note, c.reason, c.count)).collect();
                codes.sort();
                (String::from_utf8_lossy(d.name).into_owned(), reasons, codes)
            })
            .collect();
        rows.sort();
        rows
    }

    /// Exim's `Unrouteable address` at a domain the input shows a local
    /// delivery to is no such user once the tally is settled: its counts
    /// move from hostunknown to userunknown in the reasons (with their
    /// example) and the codes. Other domains, and other hostunknown
    /// failures of the same domain, keep their reading. Worked out by hand
    /// from [`UNROUTEABLE_LOG`]; the same whatever the split of the lines
    /// into tallies and the order they are added in.
    #[test]
    fn unrouteable_addresses_are_unknown_users_where_the_log_delivers_locally() {
        use Reason::{HostUnknown as Host, UserUnknown as User};
        let text = |s: &str| s.to_string();
        let unrouteable = text("Unrouteable address");
        let want: Settled = vec![
            (text("localhost"), vec![(User, 0, 1, unrouteable.clone())], vec![(Note::Unrouteable, User, 1)]),
            (
                text("own.example"),
                vec![
                    (User, 0, 2, unrouteable.clone()),
                    (Host, 0, 1, text("all relevant MX records point to non-existent hosts")),
                    (Reason::MailboxFull, 1, 0, text("mailbox is full")),
                ],
                vec![(Note::None, Host, 1), (Note::Unrouteable, User, 2)],
            ),
            (text("remote.example"), vec![(Host, 0, 1, unrouteable.clone())], vec![(Note::Unrouteable, Host, 1)]),
            (text("typo.example"), vec![(Host, 0, 1, unrouteable.clone())], vec![(Note::Unrouteable, Host, 1)]),
        ];
        let mut whole = Tally::default();
        UNROUTEABLE_LOG.iter().for_each(|line| count_line(&mut whole, line));
        assert!(whole.delivers_locally(b"own.example") && !whole.delivers_locally(b"remote.example"));
        whole.settle_unrouteable();
        assert_eq!(settled(&whole), want);
        let overall = whole.reasons_overall();
        assert!(overall.contains(&(User, BounceType::Hard, 0, 3)) && overall.contains(&(Host, BounceType::Hard, 0, 3)));
        // Settling twice changes nothing.
        whole.settle_unrouteable();
        assert_eq!(settled(&whole), want);
        // Every split into two tallies (by a bit mask over the lines), each
        // added to the other, and the lines in reverse order.
        for mask in 0..1u32 << UNROUTEABLE_LOG.len() {
            let (mut a, mut b) = (Tally::default(), Tally::default());
            for (i, line) in UNROUTEABLE_LOG.iter().enumerate().rev() {
                count_line(if mask >> i & 1 == 1 { &mut a } else { &mut b }, line);
            }
            let mut ab = a.clone();
            ab += b.clone();
            b += a;
            for mut sum in [ab, b] {
                sum.settle_unrouteable();
                assert_eq!(settled(&sum), want, "split {mask:b}");
            }
        }
    }

    /// A domain folded by the cut is settled first (`analyze` settles
    /// before it cuts), so `(other)` holds its failures as userunknown.
    #[test]
    fn unrouteable_addresses_are_settled_before_the_cut() {
        let mut t = Tally::default();
        UNROUTEABLE_LOG.iter().for_each(|line| count_line(&mut t, line));
        t.settle_unrouteable();
        t.keep_biggest(0);
        let other = t.other().unwrap();
        let mut reasons: Vec<(Reason, u64)> = other.reasons().iter().map(|r| (r.reason, r.bounced)).collect();
        reasons.sort();
        assert_eq!(reasons, [(Reason::UserUnknown, 3), (Reason::HostUnknown, 3), (Reason::MailboxFull, 0)]);
    }

    /// Moving a failure from hostunknown to userunknown never changes its
    /// bounce type, so the suppression list does not change either.
    #[test]
    fn host_and_user_unknown_have_the_same_bounce_type() {
        let enhanced = [None, Some(Enhanced { class: 5, subject: 1, detail: 1 })];
        for outcome in Outcome::ALL {
            for code in [None, Some(450), Some(550)] {
                for enhanced in enhanced {
                    assert_eq!(
                        classify::bounce_type(Reason::HostUnknown, outcome, code, enhanced),
                        classify::bounce_type(Reason::UserUnknown, outcome, code, enhanced),
                    );
                }
            }
        }
    }

    #[test]
    fn code_keys_round_trip() {
        let e = |class, subject, detail| Some(Enhanced { class, subject, detail });
        for outcome in Outcome::ALL {
            for code in [None, Some(250), Some(599)] {
                for enhanced in [None, e(2, 0, 0), e(5, 999, 999), e(4, 7, 650)] {
                    for note in Note::ALL {
                        for reason in [Reason::ALL[0], *Reason::ALL.last().unwrap()] {
                            for stage in Stage::ALL.map(Some).into_iter().chain([None]) {
                                let key = CodeKey::pack(outcome, code, enhanced, note, reason, stage);
                                let want = CodeCount { outcome, code, enhanced, note, reason, stage, count: 7 };
                                assert_eq!(key.unpack(7), want);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn many_codes_for_one_domain_still_count() {
        let mut t = Tally::default();
        for i in 0..200u16 {
            for _ in 0..2 {
                let enhanced = Some(Enhanced { class: 5, subject: 7, detail: i });
                let event = Event::new(b"d.example", Outcome::Bounced, Some(550), enhanced);
                t.record(0, &event);
            }
        }
        let d = t.domains().next().unwrap();
        assert_eq!(d.codes().count(), 200);
        assert!(d.codes().all(|c| c.count == 2));
    }

    fn ev(domain: &'static str, outcome: Outcome, code: Option<u16>) -> Event<'static> {
        Event::new(domain.as_bytes(), outcome, code, None)
    }

    #[test]
    fn merge_is_order_independent() {
        let mut a = Tally::default();
        a.record(0, &ev("a.example", Outcome::Delivered, Some(250)));
        a.record(0, &ev("b.example", Outcome::Deferred, Some(451)));
        a.record_piece(0, 0, 10, 0);
        a.record_piece(1, 0, 5, 2);
        a.record_bytes(1, 3000);
        a.add_example(0, 0, 9, b"nine");
        let mut b = Tally::default();
        b.record(1, &ev("b.example", Outcome::Deferred, Some(451)));
        b.record_malformed(1);
        b.record_piece(1, 1, 7, 1);
        b.record_bytes(1, 4000);
        b.add_example(0, 0, 3, b"three");
        let mut ab = a.clone();
        ab += b.clone();
        let mut ba = b;
        ba += a;
        for t in [&ab, &ba] {
            let mut d: Vec<_> = t.domains().map(|d| (d.name, d.outcomes)).collect();
            d.sort();
            assert_eq!(d, vec![(&b"a.example"[..], [1, 0, 0]), (&b"b.example"[..], [0, 2, 0])]);
            let mut c: Vec<_> = t.domains().flat_map(|d| d.codes().map(move |c| (d.name, c.code, c.count))).collect();
            c.sort();
            assert_eq!(c, vec![(&b"a.example"[..], Some(250), 1), (&b"b.example"[..], Some(451), 2)]);
            assert_eq!(t.examples().iter().map(|e| e.1).collect::<Vec<_>>(), vec![3, 9]);
            let input = t.input_counts(1);
            assert_eq!((input.events, input.malformed, input.lines, input.overlong, input.bytes), (1, 1, 12, 3, 7000));
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

    /// The previous period's counts add up alike whatever the split, the
    /// cap included (which folds by the same fixed hash), and remember the
    /// earliest time.
    #[test]
    fn previous_counts_do_not_depend_on_the_split() {
        let events: Vec<(String, Outcome, Micros)> =
            (0..60).map(|i| (format!("d{}.example", i % 7), Outcome::ALL[i % 3], 1_000 - i as Micros)).collect();
        for max in [100, 3, 1] {
            let fresh = || Previous { cap: Cap { max, threshold: u64::MAX }, ..Previous::default() };
            let mut whole = fresh();
            for (d, o, t) in &events {
                whole.count(d.as_bytes(), *o, *t);
            }
            let sorted = |p: &Previous| {
                let mut rows: Vec<(Option<Vec<u8>>, [u64; 3])> =
                    p.domains().map(|(n, c)| (n.map(<[u8]>::to_vec), c)).collect();
                rows.sort();
                rows
            };
            for cut in [1, 17, 30, 59] {
                let (mut a, mut b) = (fresh(), fresh());
                for (i, (d, o, t)) in events.iter().enumerate() {
                    if i % cut == 0 { &mut a } else { &mut b }.count(d.as_bytes(), *o, *t);
                }
                b.absorb(a);
                assert_eq!(sorted(&b), sorted(&whole), "max {max}, cut {cut}");
                assert_eq!(b.first(), Some(941));
            }
            let total: u64 = whole.domains().map(|(_, c)| c.iter().sum::<u64>()).sum();
            assert_eq!(total, 60, "max {max}");
            assert!(whole.domains.len() <= max, "max {max}");
        }
    }
}
