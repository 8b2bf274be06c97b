//! `explain::run` on arbitrary arguments, as text and as JSON.
//!
//! Input: the arguments, separated by `0xff` (each read as UTF-8, lossily;
//! a leading byte `0xfe` splits on spaces instead, as an unquoted shell
//! command line would).
//!
//! Besides not panicking: both formats succeed or fail together, and fail
//! only with a usage error; text output ends with a newline and its lines
//! are at most 79 characters with no trailing space (the documented width);
//! JSON output parses with serde_json, is an object with the schema version
//! whose `kind` is the one the documented reading of the arguments gives
//! (worked out here by hand: `code`, `pair`, `comparison`, `codes` or
//! `text`, or a usage error, which is an `error` document in JSON and
//! nothing on standard output as text), and a `text` explanation quotes
//! the arguments joined by spaces.
//!
//! `BOUNCES_FUZZ_NO_WIDTH_CHECK=1` in the environment turns the width check
//! off (to fuzz the rest while a width bug is open).
#![no_main]

use std::sync::LazyLock;

use bounces::error::Error;
use bounces::internals::explain::{Format, SCHEMA, run};
use libfuzzer_sys::fuzz_target;

static WIDTH_CHECK: LazyLock<bool> = LazyLock::new(|| std::env::var_os("BOUNCES_FUZZ_NO_WIDTH_CHECK").is_none());

fn explain(args: &[String], format: Format) -> Result<String, String> {
    let mut out = Vec::new();
    match run(args, format, None, &mut out) {
        Ok(()) => Ok(String::from_utf8(out).expect("output is UTF-8")),
        Err(Error::ExplainUsage(message)) => {
            assert!(!message.is_empty(), "an empty usage message");
            if format == Format::Text {
                assert!(out.is_empty(), "wrote text output and failed");
            } else {
                let value: serde_json::Value = serde_json::from_slice(&out).expect("the JSON error parses");
                assert_eq!(value["kind"], "error");
                assert_eq!(value["schema"], SCHEMA);
            }
            Err(message)
        }
        Err(other) => panic!("not a usage error: {other}"),
    }
}

/// A code-shaped argument (only digits and dots, at least one digit): a
/// reply code, an enhanced code, or neither (a usage error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Reply,
    Enhanced,
    Invalid,
}

/// The documented reading of a code-shaped argument, done by hand: a reply
/// code is three digits from 200 to 599; an enhanced code is class 2, 4 or
/// 5, a dot, one to three digits, a dot, one to three digits.
fn shape(arg: &str) -> Option<Shape> {
    let b = arg.as_bytes();
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'.') || !b.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let parts: Vec<&[u8]> = b.split(|&c| c == b'.').collect();
    let number = |p: &[u8]| (1..=3).contains(&p.len());
    Some(match parts[..] {
        [reply] if reply.len() == 3 && (b'2'..=b'5').contains(&reply[0]) => Shape::Reply,
        [class, subject, detail] if matches!(class, b"2" | b"4" | b"5") && number(subject) && number(detail) => {
            Shape::Enhanced
        }
        _ => Shape::Invalid,
    })
}

/// The `kind` the arguments must give, or `None` for a usage error.
fn expected_kind(args: &[String]) -> Option<&'static str> {
    let args: Vec<&str> = args.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).collect();
    let shapes: Vec<Option<Shape>> = args.iter().map(|a| shape(a)).collect();
    if args.is_empty() {
        return None;
    }
    if shapes.contains(&None) {
        return Some("text");
    }
    if shapes.contains(&Some(Shape::Invalid)) {
        return None;
    }
    Some(match shapes[..] {
        [_] => "code",
        [a, b] if a != b => "pair",
        [_, _] => "comparison",
        _ => "codes",
    })
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<String> = match data.split_first() {
        Some((0xfe, rest)) => String::from_utf8_lossy(rest).split(' ').map(str::to_owned).collect(),
        _ => data.split(|&b| b == 0xff).map(|a| String::from_utf8_lossy(a).into_owned()).collect(),
    };
    let kind = expected_kind(&args);
    let text = explain(&args, Format::Text);
    let json = explain(&args, Format::Json);
    match (&text, &json) {
        (Ok(text), Ok(json)) => {
            assert!(text.ends_with('\n'), "{text:?}");
            if *WIDTH_CHECK {
                for line in text.lines() {
                    assert!(line.chars().count() <= 79, "too wide ({} chars): {line:?}", line.chars().count());
                    assert_eq!(line, line.trim_end(), "trailing space: {line:?}");
                }
            }
            assert!(json.ends_with('\n'));
            let value: serde_json::Value = serde_json::from_str(json).expect("the JSON output parses");
            assert_eq!(value["schema"], SCHEMA);
            let expected = kind;
            let kind = value["kind"].as_str().expect("an object with a kind");
            assert_eq!(Some(kind), expected, "{args:?}");
            if kind == "text" {
                let joined: Vec<&str> = args.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).collect();
                let joined = joined.join(" ");
                let shown = value["text"]["text"].as_str().expect("the text");
                // Control characters and bidirectional overrides are shown escaped.
                let escaped = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
                if joined.chars().any(escaped) {
                    assert!(!shown.chars().any(char::is_control), "control characters shown: {shown:?}");
                } else {
                    assert_eq!(shown, joined);
                }
            }
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert_eq!(kind, None, "{args:?}: {a}");
        }
        _ => panic!("text and JSON disagree: {text:?} / {json:?}"),
    }
});
