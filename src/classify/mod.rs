//! Classification: what a code means and which class it belongs to.
//!
//! Each event's class comes from the first digit of its basic reply code
//! (RFC 5321 §4.2.1), else from the class of its enhanced status code
//! (RFC 3463). The description is looked up in the built-in tables of
//! [`registry`], except where the MTA's own text says more than the codes,
//! as for a null MX (RFC 7505).

mod cache;
mod compiled;
mod decide;
#[cfg(test)]
mod decision_tests;
mod normalize;
pub mod patterns;
pub mod registry;
mod vocabulary;

pub use cache::Classifier;
pub use decide::{bounce_type, classify};
pub use normalize::{NORMALIZED_MAX, normalize};
pub use vocabulary::{BounceType, Reason, Verdict};

use crate::parse::{Enhanced, Note};

/// The class of a reply, named after RFC 5321 §4.2.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// 2yz: the action was completed.
    PositiveCompletion,
    /// 3yz: accepted, more input is needed (never a final outcome).
    PositiveIntermediate,
    /// 4yz: not done this time; trying again later may work.
    TransientNegative,
    /// 5yz: not done, and repeating it unchanged will not help.
    PermanentNegative,
}

impl Class {
    fn from_digit(digit: u16) -> Option<Class> {
        match digit {
            2 => Some(Class::PositiveCompletion),
            3 => Some(Class::PositiveIntermediate),
            4 => Some(Class::TransientNegative),
            5 => Some(Class::PermanentNegative),
            _ => None,
        }
    }

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::PositiveCompletion => "positive_completion",
            Class::PositiveIntermediate => "positive_intermediate",
            Class::TransientNegative => "transient_negative",
            Class::PermanentNegative => "permanent_negative",
        }
    }
}

/// The class of a reply: from the basic code's first digit, else from the
/// enhanced code's class. A null MX is permanent by definition (RFC 7505),
/// even when the MTA logged no code for it.
pub fn class_of(code: Option<u16>, enhanced: Option<Enhanced>, note: Note) -> Option<Class> {
    if let Some(class) = code.and_then(|c| Class::from_digit(c / 100)) {
        return Some(class);
    }
    if let Some(class) = enhanced.and_then(|e| Class::from_digit(u16::from(e.class))) {
        return Some(class);
    }
    (note == Note::NullMx).then_some(Class::PermanentNegative)
}

/// A one-line description of a (code, enhanced code, note) combination.
pub fn describe(code: Option<u16>, enhanced: Option<Enhanced>, note: Note) -> String {
    let basic = code.map(describe_code);
    let extended = match note {
        Note::NullMx => {
            return "null MX (RFC 7505): the recipient domain accepts no mail, do not retry; \
                    found by the sending MTA itself, not said by a remote server"
                .to_string();
        }
        Note::RecipientNotFound => Some(
            "recipient not found (Microsoft's RESOLVER.ADR.RecipientNotFound: 5.1.10 used for an unknown \
             address, not for a null MX)"
                .to_string(),
        ),
        Note::None => enhanced.map(describe_enhanced),
    };
    match (basic, extended) {
        (Some(b), Some(e)) => format!("{b}; {e}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "no reply code in the log line".to_string(),
    }
}

fn describe_code(code: u16) -> String {
    match registry::reply_description(code) {
        Some(text) => text.to_string(),
        None => {
            let class = Class::from_digit(code / 100).map_or("unknown class", Class::as_str);
            format!("unregistered reply code ({}xx, {class})", code / 100)
        }
    }
}

fn describe_enhanced(e: Enhanced) -> String {
    match registry::enhanced_description(e.class, e.subject, e.detail) {
        Some(text) => text.to_string(),
        None => match registry::subject_description(e.subject) {
            Some(subject) => format!("unregistered enhanced code ({subject} status)"),
            None => "unregistered enhanced code".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enh(class: u8, subject: u16, detail: u16) -> Option<Enhanced> {
        Some(Enhanced { class, subject, detail })
    }

    #[test]
    fn classes() {
        use Class::*;
        let cases = [
            (Some(250), None, Note::None, Some(PositiveCompletion)),
            (Some(252), None, Note::None, Some(PositiveCompletion)),
            (Some(354), None, Note::None, Some(PositiveIntermediate)),
            (Some(421), enh(4, 7, 0), Note::None, Some(TransientNegative)),
            (Some(550), enh(5, 1, 1), Note::None, Some(PermanentNegative)),
            (Some(556), enh(5, 1, 10), Note::None, Some(PermanentNegative)),
            // Postfix logs a 5xx greeting as deferred with a 4.x.x dsn: the reply wins.
            (Some(554), enh(4, 7, 1), Note::None, Some(PermanentNegative)),
            (None, enh(4, 4, 1), Note::None, Some(TransientNegative)),
            (None, enh(5, 1, 0), Note::NullMx, Some(PermanentNegative)),
            (None, None, Note::NullMx, Some(PermanentNegative)),
            (None, None, Note::None, None),
        ];
        for (code, enhanced, note, want) in cases {
            assert_eq!(class_of(code, enhanced, note), want, "{code:?} {enhanced:?}");
        }
    }

    #[test]
    fn descriptions() {
        let cases = [
            (Some(252), None, Note::None, "cannot verify the user, but will accept the message and attempt delivery"),
            (Some(556), None, Note::None, "null MX"),
            (Some(550), enh(5, 1, 1), Note::None, "; bad destination mailbox address"),
            (None, enh(5, 1, 10), Note::None, "null MX"),
            (None, enh(5, 1, 0), Note::NullMx, "null MX (RFC 7505)"),
            (None, None, Note::NullMx, "null MX (RFC 7505)"),
            (Some(550), enh(5, 1, 10), Note::RecipientNotFound, "; recipient not found (Microsoft"),
            (Some(590), None, Note::None, "unregistered reply code (5xx, permanent_negative)"),
            (Some(550), enh(5, 7, 606), Note::None, "unregistered enhanced code (security or policy status)"),
            (None, None, Note::None, "no reply code in the log line"),
        ];
        for (code, enhanced, note, want) in cases {
            let got = describe(code, enhanced, note);
            assert!(got.contains(want), "{code:?} {enhanced:?}: {got:?} lacks {want:?}");
        }
    }
}
