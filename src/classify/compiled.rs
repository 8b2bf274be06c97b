//! The rule tables compiled: one regex per row of [`super::patterns`],
//! compiled on first use and matched only when the decision asks.

use std::cell::Cell;
use std::sync::{LazyLock, OnceLock};

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
pub(super) struct Compiled {
    pub(super) rows: Vec<Row>,
    pub(super) provider_rules: usize,
    pub(super) providers: usize,
    pub(super) stages: usize,
    pub(super) stage_rules: usize,
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

/// Which rows match one normalized text, each found out once, when first
/// asked.
pub(super) struct Matches<'a> {
    pub(super) compiled: &'a Compiled,
    text: &'a [u8],
    known: [Cell<u64>; MAX_ROWS / 64],
    hit: [Cell<u64>; MAX_ROWS / 64],
}

impl<'a> Matches<'a> {
    pub(super) fn new(text: &'a [u8]) -> Matches<'a> {
        let compiled = &*COMPILED;
        Matches { compiled, text, known: Default::default(), hit: Default::default() }
    }

    /// Whether row `row`'s regex matches the text (rows without one always match).
    pub(super) fn matched(&self, row: usize) -> bool {
        let (word, bit) = (row / 64, 1u64 << (row % 64));
        if self.known[word].get() & bit == 0 {
            if self.compiled.is_match(row, self.text) {
                self.hit[word].set(self.hit[word].get() | bit);
            }
            self.known[word].set(self.known[word].get() | bit);
        }
        self.hit[word].get() & bit != 0
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
    Compiled { rows, provider_rules, providers, stages, stage_rules }
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
