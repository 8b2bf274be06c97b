//! Classification: what a code means and which class it belongs to.
//!
//! Each event's class comes from the first digit of its basic reply code
//! (RFC 5321 §4.2.1), else from the class of its enhanced status code
//! (RFC 3463). The description is looked up in the built-in tables of
//! [`registry`], except where the MTA's own text says more than the codes,
//! as for a null MX (RFC 7505), and where the meaning of a code depends on
//! the command it answered, as for 554 (RFC 5321 §4.2.2: "no SMTP service
//! here" at connection opening, "transaction failed" after a command).

mod cache;
mod compiled;
mod decide;
#[cfg(test)]
mod decision_tests;
mod normalize;
pub mod patterns;
pub mod registry;
mod rules;
mod vocabulary;

pub use cache::Classifier;
pub use decide::{bounce_type, candidates, classify};
pub use normalize::{NORMALIZED_MAX, normalize};
pub use rules::UserRules;
pub use vocabulary::{BounceType, Reason, Verdict};

use crate::parse::{Enhanced, Note, Stage};

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

/// Whether a failure is Exim's `Unrouteable address` (no router accepted
/// the address, rule `L14`): no code, and the classifier's reason is
/// hostunknown. Its reason depends on more than the line: see
/// [`with_domain`] for the line alone, and
/// [`crate::tally::Tally::settle_unrouteable`] for the whole log.
pub fn unrouteable(reason: Reason, code: Option<u16>, text: &[u8]) -> bool {
    reason == Reason::HostUnknown && code.is_none() && memchr::memmem::find(text, b"Unrouteable address").is_some()
}

/// A reason read again with the recipient's `domain` as logged, for the
/// one text whose meaning depends on it: Exim's `Unrouteable address`
/// ([`unrouteable`]) is a domain that does not exist (`hostunknown`) when
/// the domain could be in the DNS, and an unknown user (`userunknown`) at a
/// single-label domain (`localhost`, a bare host name, or none at all),
/// which can only be the server's own. That is all one line tells (as
/// `bounces explain` reads it); `analyze` then reads the dotted domains to
/// which the log shows local deliveries as userunknown too
/// ([`crate::tally::Tally::settle_unrouteable`]). See
/// docs/classification.md.
pub fn with_domain(reason: Reason, code: Option<u16>, text: &[u8], domain: &[u8]) -> Reason {
    let single_label = !domain.strip_suffix(b".").unwrap_or(domain).contains(&b'.');
    if single_label && unrouteable(reason, code, text) { Reason::UserUnknown } else { reason }
}

/// The stage worth keeping with a reply `code` to describe it: `stage`
/// when the code's meaning depends on the command it answered
/// ([`registry::reply_description_at`]), else `None`, so the events of
/// other codes are not split by stage.
pub fn describing_stage(code: Option<u16>, stage: Option<Stage>) -> Option<Stage> {
    let code = code?;
    stage.filter(|&s| registry::reply_description_at(code, s).is_some())
}

/// A one-line description of a (code, enhanced code, note) combination,
/// answering the command `stage` when the line named it.
pub fn describe(code: Option<u16>, enhanced: Option<Enhanced>, note: Note, stage: Option<Stage>) -> String {
    let basic = code.map(|code| describe_code(code, stage));
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
        Note::Unrouteable => Some(
            "Exim's Unrouteable address: no router accepted the address (no such domain, or no such user at a \
             domain this host delivers to)"
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

fn describe_code(code: u16, stage: Option<Stage>) -> String {
    if let Some(text) = stage.and_then(|s| registry::reply_description_at(code, s)) {
        return text.to_string();
    }
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
            (None, None, Note::Unrouteable, "Exim's Unrouteable address: no router accepted the address"),
        ];
        for (code, enhanced, note, want) in cases {
            let got = describe(code, enhanced, note, None);
            assert!(got.contains(want), "{code:?} {enhanced:?}: {got:?} lacks {want:?}");
        }
    }

    /// A 554 means "no SMTP service here" only at connection opening; after
    /// a command it is "transaction failed" (RFC 5321 §4.2.2 and §3.1).
    /// Without a stage the description says both; codes whose meaning does
    /// not depend on the stage ignore it.
    #[test]
    fn descriptions_by_stage() {
        use Stage::*;
        let cases = [
            (Some(554), None, None, "transaction failed (at connection opening: no SMTP service here)"),
            (Some(554), None, Some(Connect), "no SMTP service here (554 at connection opening)"),
            (Some(554), None, Some(Data), "transaction failed (after DATA)"),
            (Some(554), None, Some(Rcpt), "transaction failed (after RCPT TO)"),
            (Some(554), None, Some(Mail), "transaction failed (after MAIL FROM)"),
            (Some(554), None, Some(Helo), "transaction failed (after EHLO)"),
            (Some(554), enh(5, 7, 1), Some(Data), "transaction failed (after DATA); delivery not authorized"),
            (Some(550), enh(5, 1, 1), Some(Rcpt), "action not taken: mailbox unavailable or access refused; bad"),
            (Some(421), None, Some(Connect), "service not available, closing transmission channel"),
        ];
        for (code, enhanced, stage, want) in cases {
            let got = describe(code, enhanced, Note::None, stage);
            assert!(got.starts_with(want), "{code:?} {stage:?}: {got:?} does not start with {want:?}");
        }
        assert_eq!(describing_stage(Some(554), Some(Data)), Some(Data));
        assert_eq!(describing_stage(Some(554), Some(Connect)), Some(Connect));
        assert_eq!(describing_stage(Some(554), None), None);
        assert_eq!(describing_stage(Some(550), Some(Rcpt)), None);
        assert_eq!(describing_stage(None, Some(Rcpt)), None);
    }
}
