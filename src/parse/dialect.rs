//! The MTA dialects: what the scanner searches for in each MTA's log, which
//! parser reads each hit, and how a log of that MTA is recognised.
//!
//! Everything that depends on which MTAs exist iterates [`DIALECTS`]: the
//! scanner's anchors, `explain`'s reading of a pasted log line, the check
//! that an input is a mail log at all, `--mta` and the default log paths. A
//! new dialect is one parser module and one row here; the parsers know
//! nothing of this table.

use super::{Parsed, exim, postfix, problem, refusal};

/// Reads the line that holds an anchor at byte `at`. Returns
/// [`Parsed::Other`] when the literal is there by chance (the next parser
/// of the same literal, or the next hit, is tried).
pub type LineParser = for<'a> fn(&'a [u8], usize) -> Parsed<'a>;

/// A literal that marks a candidate line, and the parser that reads it.
/// Several dialects may share a literal: each gets its own [`Anchor`], and
/// their parsers are tried in table order.
#[derive(Clone, Copy, Debug)]
pub struct Anchor {
    /// The bytes searched for.
    pub literal: &'static [u8],
    /// What reads a line that holds them.
    pub parse: LineParser,
}

/// One MTA's log format.
#[derive(Debug)]
pub struct Dialect {
    /// The name on the command line (`--mta NAME`), lower case.
    pub name: &'static str,
    /// The name in messages (`Postfix`).
    pub title: &'static str,
    /// What `explain` says it read a pasted line as (`Postfix log line`).
    pub line_name: &'static str,
    /// The literals the scanner searches for, each with its parser.
    pub anchors: &'static [Anchor],
    /// Literals of lines only the message-level reports use (Exim's
    /// arrivals): searched for only when they are asked for.
    pub message_anchors: &'static [Anchor],
    /// Literals of lines only the sender reports use (Postfix's qmgr
    /// `from=<...>, size=...`): searched for only when they are asked for.
    pub sender_anchors: &'static [Anchor],
    /// Literals of our own server's refusals: searched for only when the
    /// `rejects` report is asked for.
    pub reject_anchors: &'static [Anchor],
    /// Literals of warning, error, fatal and panic lines: searched for
    /// only when the `problems` report is asked for.
    pub problem_anchors: &'static [Anchor],
    /// Whether the start of an input looks like this MTA's log (an input
    /// that no dialect recognises and that yields no event is probably
    /// the wrong file).
    pub recognises: fn(&[u8]) -> bool,
    /// Where this MTA's log usually is, tried in order when no input is
    /// named.
    pub default_logs: &'static [&'static str],
    /// Whether it gives up on a message in a line that names no recipient
    /// (Postfix `status=expired`): counting the expired recipients per
    /// domain then needs the message layer, which knows the queue id's
    /// deferred recipients.
    pub expires_without_recipients: bool,
}

/// Every dialect, in the order their anchors and default logs are tried:
/// one row each.
pub static DIALECTS: [&Dialect; 2] = [
    &Dialect {
        name: "postfix",
        title: "Postfix",
        line_name: "Postfix log line",
        anchors: &[
            Anchor { literal: postfix::ANCHOR, parse: postfix::parse },
            Anchor { literal: postfix::EXPIRY_ANCHOR, parse: postfix::parse_expiry },
        ],
        message_anchors: &[],
        sender_anchors: &[Anchor { literal: postfix::QUEUED_ANCHOR, parse: postfix::parse_queued }],
        reject_anchors: &[
            Anchor { literal: refusal::POSTFIX_ANCHORS[0], parse: refusal::POSTFIX_PARSERS[0] },
            Anchor { literal: refusal::POSTFIX_ANCHORS[1], parse: refusal::POSTFIX_PARSERS[1] },
            Anchor { literal: refusal::POSTFIX_ANCHORS[2], parse: refusal::POSTFIX_PARSERS[2] },
            Anchor { literal: refusal::POSTFIX_ANCHORS[3], parse: refusal::POSTFIX_PARSERS[3] },
        ],
        problem_anchors: &[
            Anchor { literal: problem::POSTFIX_ANCHORS[0], parse: problem::POSTFIX_PARSERS[0] },
            Anchor { literal: problem::POSTFIX_ANCHORS[1], parse: problem::POSTFIX_PARSERS[1] },
            Anchor { literal: problem::POSTFIX_ANCHORS[2], parse: problem::POSTFIX_PARSERS[2] },
            Anchor { literal: problem::POSTFIX_ANCHORS[3], parse: problem::POSTFIX_PARSERS[3] },
        ],
        recognises: postfix::recognises,
        default_logs: &["/var/log/mail.log", "/var/log/maillog"],
        expires_without_recipients: true,
    },
    &Dialect {
        name: "exim",
        title: "Exim",
        line_name: "Exim log line",
        anchors: &[
            Anchor { literal: exim::ANCHORS[0], parse: exim::parse },
            Anchor { literal: exim::ANCHORS[1], parse: exim::parse },
            Anchor { literal: exim::ANCHORS[2], parse: exim::parse },
            Anchor { literal: exim::ANCHORS[3], parse: exim::parse },
            Anchor { literal: exim::ANCHORS[4], parse: exim::parse },
        ],
        message_anchors: &[Anchor { literal: exim::ARRIVAL_ANCHOR, parse: exim::parse_arrival }],
        sender_anchors: &[],
        reject_anchors: &[Anchor { literal: refusal::EXIM_ANCHOR, parse: refusal::parse_exim }],
        problem_anchors: &[
            Anchor { literal: problem::EXIM_PROBLEMS[0], parse: problem::parse_exim },
            Anchor { literal: problem::EXIM_PROBLEMS[1], parse: problem::parse_exim },
            Anchor { literal: problem::EXIM_PROBLEMS[2], parse: problem::parse_exim },
            Anchor { literal: problem::EXIM_PROBLEMS[3], parse: problem::parse_exim },
            Anchor { literal: problem::EXIM_PROBLEMS[4], parse: problem::parse_exim },
            Anchor { literal: problem::EXIM_PROBLEMS[5], parse: problem::parse_exim },
        ],
        recognises: exim::recognises,
        default_logs: &["/var/log/exim4/mainlog", "/var/log/exim/main.log"],
        expires_without_recipients: false,
    },
];

/// Which dialects to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mta {
    /// All of them, decided line by line (a merged log works).
    #[default]
    Auto,
    /// Only the dialect at this place in [`DIALECTS`].
    Only(usize),
}

impl Mta {
    /// The selection named `name`: `auto` or a dialect's name.
    pub fn named(name: &str) -> Option<Mta> {
        if name == "auto" {
            return Some(Mta::Auto);
        }
        DIALECTS.iter().position(|d| d.name == name).map(Mta::Only)
    }

    /// The dialects selected, in table order.
    pub fn dialects(self) -> impl Iterator<Item = &'static Dialect> {
        DIALECTS.iter().enumerate().filter(move |&(i, _)| self == Mta::Auto || self == Mta::Only(i)).map(|(_, d)| *d)
    }
}

/// The dialects whose log the start of an input looks like: a set of
/// places in [`DIALECTS`] (a merged log can look like several).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recognised(u32);

impl Recognised {
    /// The dialects that recognise `head`.
    pub fn of(head: &[u8]) -> Recognised {
        Recognised(
            DIALECTS.iter().enumerate().filter(|(_, d)| (d.recognises)(head)).fold(0, |set, (i, _)| set | 1 << i),
        )
    }

    /// Whether any dialect recognised it: it looks like a mail log.
    pub fn any(self) -> bool {
        self.0 != 0
    }

    /// Both sets: an input recognised by its raw start or by its start
    /// as rendered (journald's JSON).
    pub fn union(self, other: Recognised) -> Recognised {
        Recognised(self.0 | other.0)
    }

    /// When `mta` names one dialect and the input looks like another's log
    /// only: that other dialect (the first in table order). `--mta exim` on
    /// a Postfix log reads nothing, and this says why.
    pub fn other_than(self, mta: Mta) -> Option<usize> {
        match mta {
            Mta::Only(given) if self.0 >> given & 1 == 0 => (0..DIALECTS.len()).find(|&i| self.0 >> i & 1 == 1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_select_one_dialect_each() {
        assert_eq!(Mta::named("auto"), Some(Mta::Auto));
        assert_eq!(Mta::Auto.dialects().count(), DIALECTS.len());
        for (i, dialect) in DIALECTS.iter().enumerate() {
            let mta = Mta::named(dialect.name).expect("every dialect has a name");
            assert_eq!(mta, Mta::Only(i));
            let selected: Vec<&str> = mta.dialects().map(|d| d.name).collect();
            assert_eq!(selected, [dialect.name]);
        }
        assert_eq!(Mta::named("sendmail"), None);
        assert_eq!(Mta::named("Postfix"), None, "names are lower case");
    }

    #[test]
    fn a_log_of_another_mta_than_the_one_named_is_told() {
        let postfix = Recognised::of(b"Nov  5 10:00:00 mx postfix/smtpd[1]: connect from x\n");
        let exim = Recognised::of(b"2026-11-05 10:00:00 1tXyZa-0003Ab-Qr Completed\n");
        let both = postfix.union(exim);
        let none = Recognised::of(b"GET / HTTP/1.1 200\n");
        let (p, e) = (Mta::named("postfix").unwrap(), Mta::named("exim").unwrap());
        assert_eq!(postfix.other_than(e), Some(0));
        assert_eq!(exim.other_than(p), Some(1));
        assert_eq!(postfix.other_than(p), None);
        assert_eq!(postfix.other_than(Mta::Auto), None);
        assert_eq!(both.other_than(e), None, "a merged log has lines of the MTA named");
        assert_eq!(none.other_than(e), None, "not a mail log at all is said otherwise");
        assert!(postfix.any() && both.any() && !none.any());
        // A journald export is recognised both raw (`postfix/smtp` in its
        // JSON) and rendered: the same dialect twice is still that dialect.
        assert_eq!(postfix.union(postfix), postfix);
        assert_eq!(postfix.union(postfix).other_than(e), Some(0));
        assert_eq!(both.union(exim), both);
    }

    /// Names must be told apart on the command line, and every dialect
    /// needs something to search for.
    #[test]
    fn the_table_is_well_formed() {
        let mut names: Vec<&str> = DIALECTS.iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DIALECTS.len(), "dialect names are unique");
        assert!(!names.contains(&"auto"));
        assert!(DIALECTS.len() <= 32, "Recognised holds a bit per dialect in a u32");
        for dialect in DIALECTS {
            assert!(!dialect.anchors.is_empty(), "{}", dialect.name);
            let mut anchors = dialect
                .anchors
                .iter()
                .chain(dialect.message_anchors)
                .chain(dialect.sender_anchors)
                .chain(dialect.reject_anchors)
                .chain(dialect.problem_anchors);
            assert!(anchors.all(|a| !a.literal.is_empty()), "{}", dialect.name);
        }
    }
}
