//! Rules a user adds without a release (`--rules FILE`): a text pattern and
//! the reason it means, checked before every built-in rule.
//!
//! The file is plain text, one rule per line, fields separated by a tab:
//!
//! ```text
//! # pattern<TAB>reason[<TAB>note]
//! mailbox is hibernating<TAB>suspend
//! our partner's filter said no<TAB>policyviolation<TAB>partner.example
//! ```
//!
//! The pattern is a regular expression (the `regex` crate's syntax, case
//! insensitive) matched against the reply text as the classifier reads it,
//! unchanged (digits, addresses and bracketed parts included); the reason is
//! one of the names of [`Reason`] other than `delivered`; the optional note
//! (a provider, a ticket) is shown with the rule. Blank lines and lines
//! starting with `#` are skipped. The bounce type follows from the reason,
//! as for the built-in rules. The first rule that matches wins. Every
//! problem is reported with its line number before anything is read.
//!
//! A rule's id is `U` and its line number (`U3`); `bounces explain` shows
//! it like any other rule's. A file that users other than its owner can
//! write to is refused: its rules decide who lands on the suppression list.

use std::path::Path;

use regex::bytes::{RegexSet, RegexSetBuilder};

use super::vocabulary::{Reason, Verdict};
use crate::error::{Error, Result};

/// Longest file accepted: rules are a handful of lines, not a database.
const MAX_FILE: usize = 1 << 20;

/// The rules of one file, compiled.
#[derive(Debug)]
pub struct UserRules {
    set: RegexSet,
    verdicts: Vec<Verdict>,
}

impl UserRules {
    /// Reads the rules file at `path`: an error names the file and, for a
    /// wrong rule, its line.
    pub fn load(path: &Path) -> Result<UserRules> {
        use std::io::Read;
        use std::os::unix::fs::PermissionsExt;
        let name = path.display().to_string();
        let input = |source| Error::Input { name: name.clone(), source };
        let mut file = std::fs::File::open(path).map_err(input)?;
        // Rules decide who lands on the suppression list: a file others can
        // change would let them steer a run (often root's, from cron).
        let mode = file.metadata().map_err(input)?.permissions().mode();
        if mode & 0o022 != 0 {
            return Err(Error::Format {
                name,
                message: format!(
                    "the rules file can be changed by other users (mode {:04o}), who could then decide how \
                     mail is classified; refusing it. Fix: chmod go-w {}",
                    mode & 0o7777,
                    path.display()
                ),
            });
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(input)?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Format {
            name: name.clone(),
            message: format!("the rules file is not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        UserRules::parse(&text).map_err(|message| Error::Format { name, message: format!("rules file: {message}") })
    }

    /// Reads the rules in `text`; `Err` says which line is wrong and why.
    pub fn parse(text: &str) -> std::result::Result<UserRules, String> {
        if text.len() > MAX_FILE {
            return Err(format!("is {} bytes; a rules file holds at most {MAX_FILE}", text.len()));
        }
        let mut patterns = Vec::new();
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if !(2..=3).contains(&fields.len()) {
                return Err(format!(
                    "line {number}: expected PATTERN<TAB>REASON or PATTERN<TAB>REASON<TAB>NOTE, found {} field{}",
                    fields.len(),
                    if fields.len() == 1 { " (fields are separated by a tab, not spaces)" } else { "s" }
                ));
            }
            let pattern = fields[0];
            if pattern.is_empty() {
                return Err(format!("line {number}: the pattern is empty"));
            }
            let name = fields[1].trim();
            let reason = match Reason::from_name(name) {
                Some(Reason::Delivered) => {
                    return Err(format!(
                        "line {number}: 'delivered' is no failure reason; a rule names why mail failed"
                    ));
                }
                Some(reason) => reason,
                None => {
                    let names: Vec<&str> =
                        Reason::ALL.iter().filter(|r| **r != Reason::Delivered).map(|r| r.as_str()).collect();
                    return Err(format!("line {number}: unknown reason '{name}'; one of: {}", names.join(", ")));
                }
            };
            if let Err(e) = RegexSetBuilder::new([pattern]).case_insensitive(true).build() {
                return Err(format!("line {number}: bad pattern: {}", one_line(&e.to_string())));
            }
            let note = fields.get(2).map(|n| n.trim()).unwrap_or("");
            patterns.push(pattern);
            rows.push((number, pattern, reason, note));
        }
        let set = RegexSetBuilder::new(&patterns)
            .case_insensitive(true)
            .build()
            .map_err(|e| format!("the patterns together are too big: {}", one_line(&e.to_string())))?;
        // Verdicts hold static strings (the built-in rules are static data):
        // each rule's strings are leaked once, when the file is read.
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let verdicts = rows
            .into_iter()
            .map(|(number, pattern, reason, note)| {
                let what = match note {
                    "" => format!("rules file, line {number}: {pattern}"),
                    note => format!("rules file, line {number} ({note}): {pattern}"),
                };
                Verdict::new(reason, leak(format!("U{number}")), leak(what), leak(note.to_string()))
            })
            .collect();
        Ok(UserRules { set, verdicts })
    }

    /// How many rules the file holds.
    pub fn len(&self) -> usize {
        self.verdicts.len()
    }

    /// Whether the file holds no rule.
    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }

    /// The verdict of the first rule (in file order) whose pattern matches
    /// `text`.
    pub fn decide(&self, text: &[u8]) -> Option<Verdict> {
        if self.verdicts.is_empty() {
            return None;
        }
        self.set.matches(text).iter().next().map(|i| self.verdicts[i])
    }
}

/// A regex error message on one line (the crate's spans several).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each line's verdict, worked out by hand: case does not matter,
    /// the first rule in file order wins, comments and blank lines are
    /// skipped, the note is the detail.
    #[test]
    fn rules_decide_in_file_order() {
        let rules = UserRules::parse(
            "# local wordings\n\
             \n\
             mailbox is frozen\tsuspend\n\
             frozen\tmailboxfull\n\
             partner filter\tpolicyviolation\tpartner.example\r\n\
             5\\.7\\.1 \\[ab\\d\\]\tblocked\n",
        )
        .unwrap();
        assert_eq!(rules.len(), 4);
        type Want = Option<(Reason, &'static str, &'static str)>;
        let cases: [(&str, Want); 6] = [
            ("550 Mailbox Is FROZEN", Some((Reason::Suspend, "U3", ""))),
            ("account frozen", Some((Reason::MailboxFull, "U4", ""))),
            ("554 the PARTNER FILTER refused it", Some((Reason::PolicyViolation, "U5", "partner.example"))),
            ("550 5.7.1 [AB7] no", Some((Reason::Blocked, "U6", ""))),
            ("550 5.7.1 [AB] no", None),
            ("550 user unknown", None),
        ];
        for (text, want) in cases {
            let got = rules.decide(text.as_bytes()).map(|v| (v.reason, v.rule.id, v.detail));
            assert_eq!(got, want, "{text}");
        }
        assert_eq!(rules.decide(b"mailbox is frozen").unwrap().rule.what, "rules file, line 3: mailbox is frozen");
        assert!(rules.decide(b"partner filter").unwrap().rule.what.contains("(partner.example)"));
    }

    /// Every mistake names its line.
    #[test]
    fn mistakes_name_their_line() {
        let cases = [
            ("ok\tsuspend\nno tab here suspend\n", "line 2: expected PATTERN<TAB>REASON"),
            ("a\tb\tc\td\n", "line 1: expected PATTERN<TAB>REASON or PATTERN<TAB>REASON<TAB>NOTE, found 4 fields"),
            ("\tsuspend\n", "line 1: the pattern is empty"),
            ("# c\nx\tsuspended\n", "line 2: unknown reason 'suspended'; one of: userunknown, "),
            ("x\tdelivered\n", "line 1: 'delivered' is no failure reason"),
            ("x\tsuspend\n(unclosed\tblocked\n", "line 2: bad pattern: "),
        ];
        for (text, want) in cases {
            let err = UserRules::parse(text).unwrap_err();
            assert!(err.starts_with(want), "{text:?}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
        let rules = UserRules::parse("# nothing\n\n").unwrap();
        assert!(rules.is_empty());
        assert_eq!(rules.decide(b"anything"), None);
        assert!(!UserRules::parse("x\tsuspend\n").unwrap().is_empty());
        // The regex crate's message, on one line: what is wrong and where.
        let err = UserRules::parse("(unclosed\tblocked\n").unwrap_err();
        assert!(err.contains("unclosed group"), "{err}");
    }

    /// A file of exactly the largest size is read; one byte more is refused.
    #[test]
    fn the_size_limit_is_exact() {
        let mut text = "#".repeat(MAX_FILE - 1);
        text.push('\n');
        assert!(UserRules::parse(&text).unwrap().is_empty());
        text.insert(0, '#');
        let err = UserRules::parse(&text).unwrap_err();
        assert!(err.starts_with(&format!("is {} bytes; a rules file holds at most {MAX_FILE}", MAX_FILE + 1)), "{err}");
    }
}
