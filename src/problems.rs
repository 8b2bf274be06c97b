//! The counts of operational trouble, for the `problems` report.
//!
//! One entry per (level, process, kind), the kind being the message with
//! its variable parts masked ([`crate::parse::problem::mask`]), holding how
//! many lines, the first and last time and one example line: the one that
//! sorts first, so that nothing depends on which thread read which line.
//! Counts of two scan threads add up ([`AddAssign`]) in any order to the
//! same sums.

use std::collections::HashMap;
use std::ops::AddAssign;

use foldhash::fast::RandomState;

use crate::parse::problem::{Level, Problem, mask};
use crate::parse::shown;
use crate::time::Micros;

/// The longest example line kept (cut with `...` beyond).
pub const MAX_EXAMPLE: usize = 500;

/// The counts of one kind of trouble.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemCounts {
    /// How many lines.
    pub count: u64,
    /// The earliest time read, when any line had one.
    pub first: Option<Micros>,
    /// The latest time read, when any line had one.
    pub last: Option<Micros>,
    /// The line that sorts first.
    pub example: Box<[u8]>,
}

/// Every kind of trouble counted by one scan thread (or, added up, by all).
#[derive(Clone, Debug, Default)]
pub struct Problems {
    /// By key: the level's byte, the process, a 0 byte, the kind.
    kinds: HashMap<Box<[u8]>, ProblemCounts, RandomState>,
    /// Where a key is put together, reused from line to line.
    scratch: Vec<u8>,
    masked: Vec<u8>,
}

/// One kind of trouble as the report reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind<'a> {
    /// How bad.
    pub level: Level,
    /// Who said it.
    pub process: &'a [u8],
    /// What, masked.
    pub kind: &'a [u8],
    /// How many, when, and an example.
    pub counts: &'a ProblemCounts,
}

const LEVELS: [Level; 4] = [Level::Panic, Level::Fatal, Level::Error, Level::Warning];

impl Problems {
    /// Counts one line of trouble, `line`, read at `time` when known.
    pub fn count(&mut self, problem: &Problem<'_>, line: &[u8], time: Option<Micros>) {
        mask(problem.message, &mut self.masked);
        self.scratch.clear();
        self.scratch.push(problem.level as u8);
        self.scratch.extend_from_slice(problem.process);
        self.scratch.push(0);
        self.scratch.extend_from_slice(&self.masked);
        let example = shown(line, MAX_EXAMPLE);
        match self.kinds.get_mut(&self.scratch[..]) {
            Some(counts) => {
                counts.count += 1;
                counts.first = earliest(counts.first, time);
                counts.last = latest(counts.last, time);
                if *example < *counts.example {
                    counts.example = example.into();
                }
            }
            None => {
                let counts = ProblemCounts { count: 1, first: time, last: time, example: example.into() };
                self.kinds.insert(self.scratch.as_slice().into(), counts);
            }
        }
    }

    /// Every kind, in no particular order.
    pub fn kinds(&self) -> impl Iterator<Item = Kind<'_>> {
        self.kinds.iter().map(|(key, counts)| {
            let level = LEVELS.into_iter().find(|&l| l as u8 == key[0]).expect("keys start with a level");
            let rest = &key[1..];
            let zero = memchr::memchr(0, rest).expect("keys hold a 0 after the process");
            Kind { level, process: &rest[..zero], kind: &rest[zero + 1..], counts }
        })
    }

    /// Lines counted.
    pub fn total(&self) -> u64 {
        self.kinds.values().map(|c| c.count).sum()
    }
}

impl AddAssign for Problems {
    fn add_assign(&mut self, other: Problems) {
        for (key, theirs) in other.kinds {
            match self.kinds.get_mut(&key) {
                Some(mine) => {
                    mine.count += theirs.count;
                    mine.first = earliest(mine.first, theirs.first);
                    mine.last = latest(mine.last, theirs.last);
                    if theirs.example < mine.example {
                        mine.example = theirs.example;
                    }
                }
                None => {
                    self.kinds.insert(key, theirs);
                }
            }
        }
    }
}

fn earliest(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    a.max(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Split any way and added up in any order, the counts, times and
    /// examples are the same.
    #[test]
    fn sums_do_not_depend_on_the_split() {
        let lines: [(&str, Option<Micros>); 4] = [
            ("b postfix/smtpd[1]: warning: hostname h1.example does not resolve", Some(20)),
            ("a postfix/smtpd[2]: warning: hostname h2.example does not resolve", Some(30)),
            ("c postfix/smtpd[3]: warning: hostname h3.example does not resolve", None),
            ("d postfix/master[4]: fatal: no", Some(10)),
        ];
        let count = |problems: &mut Problems, (line, time): (&str, Option<Micros>)| {
            let at = line.find(": ").unwrap() + 2;
            let (level, len) = if line[at..].starts_with("warning") { (Level::Warning, 9) } else { (Level::Fatal, 7) };
            let process = &line[2..line.find('[').unwrap()];
            let problem = Problem { level, process: process.as_bytes(), message: &line.as_bytes()[at + len..] };
            problems.count(&problem, line.as_bytes(), time);
        };
        let mut whole = Problems::default();
        for l in lines {
            count(&mut whole, l);
        }
        for cut in 0..=lines.len() {
            let (mut a, mut b) = (Problems::default(), Problems::default());
            for (i, l) in lines.into_iter().enumerate() {
                count(if i < cut { &mut a } else { &mut b }, l);
            }
            let mut ab = a.clone();
            ab += b.clone();
            b += a;
            for sum in [ab, b] {
                let mut got: Vec<_> = sum.kinds().map(|k| (k.kind.to_vec(), k.counts.clone())).collect();
                let mut want: Vec<_> = whole.kinds().map(|k| (k.kind.to_vec(), k.counts.clone())).collect();
                got.sort_by(|x, y| x.0.cmp(&y.0));
                want.sort_by(|x, y| x.0.cmp(&y.0));
                assert_eq!(got, want, "cut {cut}");
            }
        }
        let warnings = whole.kinds().find(|k| k.level == Level::Warning).unwrap();
        assert_eq!(warnings.kind, b"hostname * does not resolve");
        assert_eq!(warnings.process, b"postfix/smtpd");
        assert_eq!((warnings.counts.count, warnings.counts.first, warnings.counts.last), (3, Some(20), Some(30)));
        assert!(warnings.counts.example.starts_with(b"a "));
        assert_eq!(whole.total(), 4);
    }
}
