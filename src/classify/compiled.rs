//! The rule tables compiled: one regex per row of [`super::patterns`],
//! compiled on first use and matched only when the decision asks.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use super::patterns::{
    BASIC, BasicRule, ENHANCED, EnhancedRule, PATTERNS, PROVIDER_RULES, PROVIDERS, STAGE_RULES, STAGES, Stage,
};
use crate::parse::Enhanced;

/// The regular expressions of the tables, one per row, numbered in this
/// order: [`PATTERNS`], [`PROVIDER_RULES`], [`PROVIDERS`], [`STAGES`],
/// [`STAGE_RULES`]. A row with an empty regex has no text condition.
///
/// Each is compiled the first time a text needs it, and matched on a text
/// only when the decision asks for it ([`Matches`]): most texts are decided
/// by one of the first rows, so few regexes run per text, each with its own
/// small automaton and literal prefilter. (One set of all of them, matched
/// at once, spent most of its time building the states of one huge lazy DFA:
/// half of all instructions on a 10 MB log.)
///
/// In front of the regexes, one literal prefilter for all rows
/// ([`Prefilter`]): most rows need one of a few words (`relay`, `quota`,
/// `spamhaus`) that a text rarely holds, and one pass of one automaton over
/// the text tells which rows can match at all, so a row whose words are
/// absent is answered without running its regex. A text no row matches
/// used to run every regex in turn.
pub(super) struct Compiled {
    pub(super) rows: Vec<Row>,
    pub(super) provider_rules: usize,
    pub(super) providers: usize,
    pub(super) stages: usize,
    pub(super) stage_rules: usize,
    prefilter: Prefilter,
}

pub(super) struct Row {
    pub(super) source: &'static str,
    regex: OnceLock<Regex>,
}

/// The most rows [`Matches`] can remember.
const MAX_ROWS: usize = 256;

impl Compiled {
    /// Whether row `row`'s regex matches `text` (rows without one always match).
    fn is_match(&self, row: usize, text: &[u8]) -> bool {
        let Row { source, regex } = &self.rows[row];
        if source.is_empty() {
            return true;
        }
        // The text is already lower case: no case folding needed. ASCII
        // classes only: `\w`, `\s`, `\b` stay cheap on any byte.
        let regex = regex.get_or_init(|| {
            RegexBuilder::new(source)
                .unicode(false)
                .size_limit(16 << 20)
                .build()
                .expect("the built-in classification patterns compile")
        });
        regex.is_match(text)
    }
}

/// A set of rows, one bit each.
type RowSet = [u64; MAX_ROWS / 64];

/// The literal prefilter of all rows: for each row whose regex cannot
/// match without one of a few literals ([`required_literals`]), those
/// literals, in one Aho-Corasick automaton. One pass over a text gives the
/// rows that may match (their literal is there, or they have none); the
/// others certainly do not, and their regexes need not run.
struct Prefilter {
    automaton: AhoCorasick,
    /// The rows each literal of the automaton stands for (by pattern id).
    rows_of: Vec<RowSet>,
    /// The rows that have literals (the others are always candidates).
    filtered: RowSet,
}

impl Prefilter {
    fn new(sources: &[&str]) -> Prefilter {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut rows_of: Vec<RowSet> = Vec::new();
        let mut filtered: RowSet = [0; MAX_ROWS / 64];
        for (row, source) in sources.iter().enumerate() {
            let Some(required) = required_literals(source) else { continue };
            filtered[row / 64] |= 1 << (row % 64);
            for literal in required {
                let id = *index.entry(literal.clone()).or_insert_with(|| {
                    literals.push(literal);
                    rows_of.push([0; MAX_ROWS / 64]);
                    rows_of.len() - 1
                });
                rows_of[id][row / 64] |= 1 << (row % 64);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .expect("the rows' literals build an automaton");
        Prefilter { automaton, rows_of, filtered }
    }

    /// The rows that may match `text`: those without literals, and those
    /// with one of their literals in it.
    fn candidates(&self, text: &[u8]) -> RowSet {
        let mut rows = self.filtered.map(|word| !word);
        for m in self.automaton.find_overlapping_iter(text) {
            let of = &self.rows_of[m.pattern().as_usize()];
            for (word, add) in rows.iter_mut().zip(of) {
                *word |= add;
            }
        }
        rows
    }
}

/// Literals one of which every match of the regular expression `source`
/// contains, or `None` when no useful set is found (then the row is always
/// a candidate). Reads the syntax the tables use: literals and escaped
/// punctuation, `.`, classes (`[...]`, `\s`, `\S`, `\w`, `\d`, ...), the
/// zero-width `^`, `$`, `\b`, `\B`, groups (`(...)`, `(?:...)`) with
/// alternation, and the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`
/// (lazy or not). Anything else (flags, named groups, other escapes) gives
/// `None`: the answer is only ever a prefilter, never a verdict.
pub(super) fn required_literals(source: &str) -> Option<Vec<Vec<u8>>> {
    let mut parser = Parser { bytes: source.as_bytes(), at: 0 };
    let alternation = parser.alternation()?;
    if parser.at != parser.bytes.len() {
        return None;
    }
    let mut set = alternation.required()?;
    set.sort();
    set.dedup();
    (set.iter().map(Vec::len).min()? >= MIN_LITERAL).then_some(set)
}

/// Literals shorter than this select too little to be worth a prefilter.
const MIN_LITERAL: usize = 3;

/// A parsed regular expression, reduced to what the prefilter needs.
enum Node {
    /// One byte that matches only itself.
    Byte(u8),
    /// One byte of several (a class, `.`).
    Class,
    /// Matches no byte (`^`, `$`, `\b`).
    Empty,
    /// A group: alternatives, each a sequence.
    Group(Vec<Vec<Repeat>>),
}

/// A node with its repetition: at least `min` times.
struct Repeat {
    node: Node,
    min: u32,
    /// Exactly once (no quantifier).
    once: bool,
}

impl Node {
    /// The alternatives of a group, each with a set of literals one of
    /// which its every match contains: `None` when one has no such set.
    fn required(&self) -> Option<Vec<Vec<u8>>> {
        let Node::Group(alternatives) = self else { return None };
        let mut all = Vec::new();
        for sequence in alternatives {
            all.extend(sequence_required(sequence)?);
        }
        Some(all)
    }
}

/// The best set of literals a sequence's every match contains: a run of
/// bytes each there exactly once (zero-width items in between do not break
/// it), or the set of a group that must match at least once; the best is
/// the one whose shortest literal is longest.
fn sequence_required(sequence: &[Repeat]) -> Option<Vec<Vec<u8>>> {
    let mut best: Option<Vec<Vec<u8>>> = None;
    let mut consider = |set: Vec<Vec<u8>>| {
        let score = |s: &Vec<Vec<u8>>| (s.iter().map(Vec::len).min().unwrap_or(0), usize::MAX - s.len());
        if !set.is_empty() && best.as_ref().is_none_or(|b| score(&set) > score(b)) {
            best = Some(set);
        }
    };
    let mut run: Vec<u8> = Vec::new();
    for item in sequence {
        match (&item.node, item.once) {
            (Node::Byte(b), true) => run.push(*b),
            (Node::Empty, _) => {}
            (node, _) => {
                consider(vec![std::mem::take(&mut run)]);
                if item.min >= 1
                    && let Some(set) = node.required()
                {
                    consider(set);
                }
                if let Node::Byte(b) = node
                    && item.min >= 1
                {
                    consider(vec![vec![*b]]);
                }
            }
        }
    }
    consider(vec![run]);
    best
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Alternatives up to the end or a closing parenthesis (not consumed).
    fn alternation(&mut self) -> Option<Node> {
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some(b'|') {
            self.at += 1;
            alternatives.push(self.sequence()?);
        }
        Some(Node::Group(alternatives))
    }

    fn sequence(&mut self) -> Option<Vec<Repeat>> {
        let mut items = Vec::new();
        while let Some(b) = self.peek() {
            if b == b'|' || b == b')' {
                break;
            }
            let node = self.atom()?;
            let (min, once) = self.quantifier()?;
            items.push(Repeat { node, min, once });
        }
        Some(items)
    }

    fn atom(&mut self) -> Option<Node> {
        let b = self.peek()?;
        self.at += 1;
        Some(match b {
            b'.' => Node::Class,
            b'^' | b'$' => Node::Empty,
            b'[' => {
                // A leading `^` and a first `]` belong to the class.
                if self.peek() == Some(b'^') {
                    self.at += 1;
                }
                if self.peek() == Some(b']') {
                    self.at += 1;
                }
                loop {
                    match self.peek()? {
                        b'\\' => self.at += 2,
                        b'[' => return None,
                        b']' => break,
                        _ => self.at += 1,
                    }
                }
                self.at += 1;
                Node::Class
            }
            b'(' => {
                if self.peek() == Some(b'?') {
                    if self.bytes.get(self.at + 1) != Some(&b':') {
                        return None;
                    }
                    self.at += 2;
                }
                let group = self.alternation()?;
                if self.peek() != Some(b')') {
                    return None;
                }
                self.at += 1;
                group
            }
            b'\\' => {
                let e = self.peek()?;
                self.at += 1;
                match e {
                    b's' | b'S' | b'w' | b'W' | b'd' | b'D' => Node::Class,
                    b'b' | b'B' => Node::Empty,
                    _ if e.is_ascii_punctuation() => Node::Byte(e),
                    _ => return None,
                }
            }
            b')' | b'|' | b'?' | b'*' | b'+' | b'{' => return None,
            _ => Node::Byte(b),
        })
    }

    /// The quantifier after an atom: (at least how many times, exactly once).
    fn quantifier(&mut self) -> Option<(u32, bool)> {
        let (min, once) = match self.peek() {
            Some(b'?') | Some(b'*') => (0, false),
            Some(b'+') => (1, false),
            Some(b'{') => {
                let close = self.bytes[self.at..].iter().position(|&b| b == b'}')? + self.at;
                let inside = std::str::from_utf8(&self.bytes[self.at + 1..close]).ok()?;
                let (lo, hi) = match inside.split_once(',') {
                    Some((lo, hi)) => {
                        (lo.parse::<u32>().ok()?, (!hi.is_empty()).then(|| hi.parse::<u32>()).transpose().ok()?)
                    }
                    None => {
                        let n = inside.parse::<u32>().ok()?;
                        (n, Some(n))
                    }
                };
                self.at = close;
                (lo, lo == 1 && hi == Some(1))
            }
            _ => return Some((1, true)),
        };
        self.at += 1;
        if self.peek() == Some(b'?') {
            self.at += 1;
        }
        Some((min, once))
    }
}

/// Which rows match one normalized text, each found out once, when first
/// asked.
pub(super) struct Matches<'a> {
    pub(super) compiled: &'a Compiled,
    text: &'a [u8],
    known: [Cell<u64>; MAX_ROWS / 64],
    hit: [Cell<u64>; MAX_ROWS / 64],
    /// The rows the prefilter lets through, found on the first question.
    candidates: Cell<Option<RowSet>>,
    /// Whether to use the prefilter (tests compare with the plain loop).
    prefilter: bool,
}

impl<'a> Matches<'a> {
    pub(super) fn new(text: &'a [u8]) -> Matches<'a> {
        let compiled = &*COMPILED;
        Matches {
            compiled,
            text,
            known: Default::default(),
            hit: Default::default(),
            candidates: Cell::new(None),
            prefilter: true,
        }
    }

    /// The same without the prefilter: every row asked runs its regex.
    #[cfg(test)]
    pub(super) fn without_prefilter(text: &'a [u8]) -> Matches<'a> {
        Matches { prefilter: false, ..Matches::new(text) }
    }

    /// Whether row `row`'s regex matches the text (rows without one always match).
    pub(super) fn matched(&self, row: usize) -> bool {
        let (word, bit) = (row / 64, 1u64 << (row % 64));
        if self.known[word].get() & bit == 0 {
            if self.may_match(word, bit) && self.compiled.is_match(row, self.text) {
                self.hit[word].set(self.hit[word].get() | bit);
            }
            self.known[word].set(self.known[word].get() | bit);
        }
        self.hit[word].get() & bit != 0
    }

    /// Whether the prefilter lets the row through (rows without literals
    /// always pass; the automaton runs once, for the first row with them).
    fn may_match(&self, word: usize, bit: u64) -> bool {
        let prefilter = &self.compiled.prefilter;
        if !self.prefilter || prefilter.filtered[word] & bit == 0 {
            return true;
        }
        let candidates = match self.candidates.get() {
            Some(candidates) => candidates,
            None => {
                let candidates = prefilter.candidates(self.text);
                self.candidates.set(Some(candidates));
                candidates
            }
        };
        candidates[word] & bit != 0
    }
}

pub(super) static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let provider_rules = PATTERNS.len();
    let providers = provider_rules + PROVIDER_RULES.len();
    let stages = providers + PROVIDERS.len();
    let stage_rules = stages + STAGES.len();
    let rows: Vec<Row> = PATTERNS
        .iter()
        .map(|p| p.regex)
        .chain(PROVIDER_RULES.iter().map(|r| r.regex))
        .chain(PROVIDERS.iter().map(|&(_, re)| re))
        .chain(STAGES.iter().map(|&(_, re)| re))
        .chain(STAGE_RULES.iter().map(|r| r.regex))
        .map(|source| Row { source, regex: OnceLock::new() })
        .collect();
    assert!(rows.len() <= MAX_ROWS, "more rows than Matches can remember");
    let sources: Vec<&str> = rows.iter().map(|r| r.source).collect();
    let prefilter = Prefilter::new(&sources);
    Compiled { rows, provider_rules, providers, stages, stage_rules, prefilter }
});

/// Rule ids of the enhanced-code rows, per class: `E2.x.y`, `E4.x.y`,
/// `E5.x.y`, and `EX.x.y` for any other class.
static ENHANCED_IDS: LazyLock<Vec<[String; 4]>> = LazyLock::new(|| {
    ENHANCED.iter().map(|r| ["2", "4", "5", "X"].map(|class| format!("E{class}.{}.{}", r.subject, r.detail))).collect()
});

pub(super) fn enhanced_id(index: usize, class: u8) -> &'static str {
    let column = match class {
        2 => 0,
        4 => 1,
        5 => 2,
        _ => 3,
    };
    &ENHANCED_IDS[index][column]
}

/// The row of [`ENHANCED`] for an enhanced code, with its index.
pub(super) fn enhanced_row(e: Enhanced) -> Option<(usize, &'static EnhancedRule)> {
    ENHANCED
        .iter()
        .enumerate()
        .find(|(_, r)| r.subject == e.subject && r.detail == e.detail && r.class.is_none_or(|c| c == e.class))
}

/// The basic-code table's row for `code` at `stage` (rows limited to
/// another stage are skipped).
pub fn basic_rule(code: u16, stage: Option<Stage>) -> Option<&'static BasicRule> {
    BASIC.iter().find(|b| b.code == code && b.stage.is_none_or(|s| Some(s) == stage))
}

/// The SMTP stage a normalized reply text names, if any (the decision
/// reads the stage with the rest of its matches; tests read it alone).
#[cfg(test)]
pub(super) fn stage_of(normalized: &[u8]) -> Option<Stage> {
    let m = Matches::new(normalized);
    let c = m.compiled;
    STAGES.iter().enumerate().find(|&(i, _)| m.matched(c.stages + i)).map(|(_, &(stage, _))| stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An enhanced rule's id names the class the code had: `E2`, `E4`,
    /// `E5`, or `EX` for any other.
    #[test]
    fn enhanced_ids_name_the_class() {
        let row = ENHANCED.iter().position(|r| r.subject == 1 && r.detail == 1).expect("X.1.1 is listed");
        for (class, want) in [(2, "E2.1.1"), (4, "E4.1.1"), (5, "E5.1.1"), (3, "EX.1.1"), (9, "EX.1.1")] {
            assert_eq!(enhanced_id(row, class), want, "class {class}");
        }
    }
}
