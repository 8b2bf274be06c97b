//! The reason classifier on arbitrary outcomes, codes and reply texts.
//!
//! Input: records separated by `0xff`; each is 8 bytes of (flags, code,
//! enhanced code) and then the reply text. A flag picks fully arbitrary
//! codes (any `u16`, any class) instead of ones a parser could give.
//!
//! Besides not panicking:
//! - `Classifier::classify` gives what `classify` gives, for a classifier
//!   fresh for this input (after the records before it, then again for
//!   every record in reverse order, so from its raw-text cache) and for one
//!   kept across inputs;
//! - `normalize` clears its output and writes at most `NORMALIZED_MAX`
//!   bytes, with no ASCII capital, no whitespace but single spaces, and
//!   none at either end; a text without `\` normalizes as its upper-case
//!   copy does (letters are lower-cased), so both get one verdict;
//! - `bounce_type` on the verdict; deliveries are `delivered`.
#![no_main]

use std::cell::RefCell;

use bounces::internals::classify::{Classifier, NORMALIZED_MAX, Reason, Verdict, bounce_type, classify, normalize};
use bounces::internals::parse::{Enhanced, Outcome};
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// Kept across inputs: its caches fill up with whatever came before.
    static KEPT: RefCell<Classifier> = RefCell::new(Classifier::new());
}

struct Input<'a> {
    outcome: Outcome,
    code: Option<u16>,
    enhanced: Option<Enhanced>,
    text: &'a [u8],
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn input(record: &[u8]) -> Input<'_> {
    let mut head = [0u8; 8];
    let n = record.len().min(8);
    head[..n].copy_from_slice(&record[..n]);
    let flags = head[0];
    let wild = flags & 0x10 != 0;
    let code = (flags & 0x04 != 0).then(|| {
        let raw = u16_at(&head, 1);
        if wild { raw } else { 200 + raw % 400 }
    });
    let enhanced = (flags & 0x08 != 0).then(|| {
        let (class, subject, detail) = (head[3], u16_at(&head, 4), u16_at(&head, 6));
        if wild {
            Enhanced { class, subject, detail }
        } else {
            Enhanced { class: [2, 4, 5][usize::from(class % 3)], subject: subject % 1000, detail: detail % 1000 }
        }
    });
    Input { outcome: Outcome::ALL[usize::from(flags & 3) % 3], code, enhanced, text: &record[n..] }
}

fn check_normalized(text: &[u8], out: &[u8]) {
    assert!(out.len() <= NORMALIZED_MAX, "normalized to {} bytes", out.len());
    assert!(!out.iter().any(u8::is_ascii_uppercase), "a capital left: {out:?}");
    assert!(!out.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)), "whitespace left: {out:?}");
    assert!(!out.starts_with(b" ") && !out.ends_with(b" "), "space at an end: {:?} -> {:?}", text, out);
    assert!(!out.windows(2).any(|w| w == b"  "), "two spaces: {:?} -> {:?}", text, out);
}

fn check(record: &Input<'_>, fresh: &mut Classifier, scratch: &mut Vec<u8>) -> Verdict {
    let Input { outcome, code, enhanced, text } = *record;
    let want = classify(outcome, code, enhanced, text);
    let got = fresh.classify(outcome, code, enhanced, text);
    assert_eq!(got, want, "cached (fresh classifier) differs: {outcome:?} {code:?} {enhanced:?} {text:?}");
    let kept = KEPT.with(|k| k.borrow_mut().classify(outcome, code, enhanced, text));
    assert_eq!(kept, want, "cached (kept classifier) differs: {outcome:?} {code:?} {enhanced:?} {text:?}");
    if outcome == Outcome::Delivered {
        assert_eq!(want.reason, Reason::Delivered);
    }
    let _ = bounce_type(want.reason, outcome, code, enhanced);
    assert!(!want.rule.id.is_empty());

    scratch.clear();
    scratch.extend_from_slice(b"junk that must be cleared");
    normalize(text, scratch);
    check_normalized(text, scratch);
    if !text.contains(&b'\\') {
        let upper = text.to_ascii_uppercase();
        let mut normalized_upper = Vec::new();
        normalize(&upper, &mut normalized_upper);
        assert_eq!(
            *scratch,
            normalized_upper,
            "upper case normalizes differently: {:?} vs {:?}",
            String::from_utf8_lossy(text),
            String::from_utf8_lossy(&upper)
        );
        assert_eq!(fresh.classify(outcome, code, enhanced, &upper), want, "upper case: {upper:?}");
    }
    want
}

fuzz_target!(|data: &[u8]| {
    let records: Vec<Input<'_>> = data.split(|&b| b == 0xff).take(64).map(input).collect();
    let mut fresh = Classifier::new();
    let mut scratch = Vec::new();
    let verdicts: Vec<Verdict> = records.iter().map(|r| check(r, &mut fresh, &mut scratch)).collect();
    // Again, in reverse order: the caches now hold every record.
    for (record, want) in records.iter().zip(&verdicts).rev() {
        let got = fresh.classify(record.outcome, record.code, record.enhanced, record.text);
        assert_eq!(got, *want, "second pass: {:?}", String::from_utf8_lossy(record.text));
    }
    // The whole input as one text, with no codes and with a 550 5.1.1.
    let e511 = Some(Enhanced { class: 5, subject: 1, detail: 1 });
    for (code, enhanced) in [(None, None), (Some(550), e511)] {
        let whole = Input { outcome: Outcome::Bounced, code, enhanced, text: data };
        check(&whole, &mut fresh, &mut scratch);
    }
});
