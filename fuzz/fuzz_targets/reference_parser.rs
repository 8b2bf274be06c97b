//! `Scanner::parse_line` (`--mta auto`) against the regex reference parser
//! of `tests/reference_parser/reference.rs`, written from the README alone,
//! on delivery lines built from the input: so that fuzzing checks what the
//! crate reads, not only that it reads without panicking.
//!
//! The first byte selects what the rest is. Read as a sequence of choices,
//! it builds a Postfix or an Exim line from the part lists the proptest
//! generators use (`tests/reference_parser/parts.rs`): timestamps, syslog
//! tags, queue and message ids, addresses in odd case, with a trailing dot
//! or a quoted local part, `orig_to=`, `dsn=`, every status, replies after
//! `said:` or `refused to talk to me:`, multi-line replies, free reply
//! text, Exim's `C="..."`, `H=... :` and `host ...:` forms, local, pipe and
//! file deliveries. The crate's (domain, outcome, code, enhanced code) must
//! be the reference's. Or the rest is taken as a line as it is: then only
//! an event's domain must be a part of the line.
#![no_main]

#[path = "../../tests/reference_parser/parts.rs"]
mod parts;
#[path = "../../tests/reference_parser/reference.rs"]
mod reference;

use std::sync::LazyLock;

use bounces::config::Mta;
use bounces::internals::parse::Parsed;
use bounces::internals::search::Scanner;
use libfuzzer_sys::fuzz_target;

use parts::{
    CODES, ENHANCED, EXIM_COMMANDS, EXIM_FLAGS, EXIM_RECIPIENTS, EXIM_RESTS, NOT_REPLIES, ORIG_TO, POSTFIX_OTHER_TEXTS,
    POSTFIX_REPLY_TEXTS, QUOTED_LOCALS, RELAYS, STAMPS_EXIM, STAMPS_POSTFIX, STATUSES, TAGS, WORDS,
};
use reference::{Reading, crate_reading, reference};

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const HEX: &[u8] = b"0123456789ABCDEF";
const LOCAL_REST: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._+-";
const DOMAIN_REST: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-";
/// Reply text of the fuzzer's own: printable ASCII but the double quote
/// (which would end Exim's `C="..."`).
const FREE_TEXT: &[u8] =
    b" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// The input read as choices; once it runs out, every choice is the first.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        b
    }

    /// A number below `n` (at most 256).
    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    fn pick<T: Copy>(&mut self, list: &[T]) -> T {
        list[self.below(list.len())]
    }

    /// One of `list`, or nothing (one chance in `list.len() + 1`).
    fn maybe<T: Copy>(&mut self, list: &[T]) -> Option<T> {
        list.get(self.below(list.len() + 1)).copied()
    }

    /// `min..=max` characters, the first from `first`, the others from `rest`.
    fn word(&mut self, first: &[u8], rest: &[u8], min: usize, max: usize) -> String {
        let len = min + self.below(max - min + 1);
        (0..len).map(|i| char::from(self.pick(if i == 0 { first } else { rest }))).collect()
    }
}

/// A local part (plain in any case, or quoted, some holding `@` or `: `) at
/// a domain in any case, sometimes with a trailing dot.
fn address(c: &mut Choices) -> String {
    let local = if c.below(4) == 0 { c.pick(QUOTED_LOCALS).to_string() } else { c.word(LETTERS, LOCAL_REST, 1, 11) };
    let mut domain = String::new();
    for _ in 0..1 + c.below(3) {
        domain += &c.word(LETTERS, DOMAIN_REST, 1, 9);
        domain.push('.');
    }
    domain += &c.word(LETTERS, LETTERS, 2, 4);
    if c.below(5) == 0 {
        domain.push('.');
    }
    format!("{local}@{domain}")
}

/// A remote reply: one line, several joined by `sep`, a bare code, or text
/// that is no reply.
fn reply(c: &mut Choices, sep: &str) -> String {
    match c.below(10) {
        0..6 => {
            let (code, enhanced) = (c.pick(CODES), c.maybe(ENHANCED));
            let words = if c.below(4) == 0 { c.word(FREE_TEXT, FREE_TEXT, 0, 40) } else { c.pick(WORDS).to_string() };
            parts::one_reply(code, enhanced, &words)
        }
        6..8 => {
            let (code, enhanced) = (c.pick(CODES), c.pick(ENHANCED));
            parts::multi_reply(code, enhanced, 1 + c.below(3), sep)
        }
        8 => c.pick(CODES).to_string(),
        _ => c.pick(NOT_REPLIES).to_string(),
    }
}

fn postfix_line(c: &mut Choices) -> String {
    let (stamp, tag) = (c.pick(STAMPS_POSTFIX), c.pick(TAGS));
    let qid = if c.below(2) == 0 { c.word(HEX, HEX, 10, 10) } else { c.word(ALNUM, ALNUM, 12, 15) };
    let to = match c.below(8) {
        0..6 => format!("<{}>", address(c)),
        6 => format!("{}@{}.example", c.word(LOWER, LOWER, 1, 8), c.word(LOWER, LOWER, 1, 8)),
        _ => "<>".to_string(),
    };
    let (orig_to, relay, dsn, status) = (c.maybe(ORIG_TO), c.pick(RELAYS), c.maybe(ENHANCED), c.pick(STATUSES));
    let text = match c.below(7) {
        0..5 => {
            let template = c.pick(POSTFIX_REPLY_TEXTS);
            template.replace("{reply}", &reply(c, " "))
        }
        _ => c.pick(POSTFIX_OTHER_TEXTS).to_string(),
    };
    parts::postfix_line((stamp, tag, &qid), &to, orig_to, relay, dsn, status, &text)
}

fn exim_line(c: &mut Choices) -> String {
    let stamp = c.pick(STAMPS_EXIM);
    let id = match c.below(2) {
        0 => [c.word(ALNUM, ALNUM, 6, 6), c.word(ALNUM, ALNUM, 6, 6), c.word(ALNUM, ALNUM, 2, 2)],
        _ => [c.word(ALNUM, ALNUM, 6, 6), c.word(ALNUM, ALNUM, 11, 11), c.word(ALNUM, ALNUM, 4, 4)],
    }
    .join("-");
    let flag = c.pick(EXIM_FLAGS);
    let addr = address(c);
    let (rcpt, cmd, rest) = (c.pick(EXIM_RECIPIENTS), c.pick(EXIM_COMMANDS), c.pick(EXIM_RESTS));
    let reply = reply(c, "\\n");
    parts::exim_line((stamp, &id, flag), &addr, rcpt, cmd, rest, &reply)
}

/// The raw line: no panic, and an event's domain is a part of the line.
fn check_raw(line: &[u8]) {
    static SCANNER: LazyLock<Scanner> = LazyLock::new(|| Scanner::new(Mta::Auto));
    if let Parsed::Event(e) = SCANNER.parse_line(line) {
        let d = e.domain;
        assert!(d.is_empty() || line.windows(d.len()).any(|w| w == d), "domain {d:?} not in the line {line:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let mut choices = Choices(rest);
    let line = match selector % 5 {
        0 | 1 => postfix_line(&mut choices),
        2 | 3 => exim_line(&mut choices),
        _ => return check_raw(rest),
    };
    let (got, want): (Option<Reading>, Option<Reading>) = (crate_reading(&line), reference(&line));
    assert_eq!(got, want, "line: {line}\n  crate:     {got:?}\n  reference: {want:?}");
});
