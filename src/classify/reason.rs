//! Reasons and bounce types: why a delivery failed and what that says
//! about the recipient address.
//!
//! SKELETON: the decision logic is being written; the API is final.

use crate::parse::{Enhanced, Outcome};

/// Why a delivery attempt failed, in Sisimai's vocabulary plus `greylisted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Reason {
    /// Delivered: not a failure.
    Delivered,
    /// The recipient's local part does not exist.
    UserUnknown,
    /// Nothing decided.
    Undefined,
}

impl Reason {
    /// Every reason, in declaration order (`ALL[r as usize] == r`).
    pub const ALL: [Reason; 3] = [Reason::Delivered, Reason::UserUnknown, Reason::Undefined];

    /// The lower-case name used in reports (`userunknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Delivered => "delivered",
            Reason::UserUnknown => "userunknown",
            Reason::Undefined => "undefined",
        }
    }

    /// The reason named `name` (as printed by [`Reason::as_str`]).
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// One sentence: what this reason means.
    pub fn meaning(self) -> &'static str {
        "skeleton"
    }

    /// One or two sentences: what the sender should do about it.
    pub fn advice(self) -> &'static str {
        "skeleton"
    }
}

/// What an event says about the recipient address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BounceType {
    /// The address or domain is bad: suppress it.
    Hard,
    /// A transient problem of the mailbox or path: retry.
    Soft,
    /// The sending side is the problem: never suppress the recipient.
    Block,
    /// A failure nothing could classify.
    Undetermined,
    /// Not a failure (deliveries).
    None,
}

impl BounceType {
    /// The word used in reports; empty for [`BounceType::None`].
    pub fn as_str(self) -> &'static str {
        match self {
            BounceType::Hard => "hard",
            BounceType::Soft => "soft",
            BounceType::Block => "block",
            BounceType::Undetermined => "undetermined",
            BounceType::None => "",
        }
    }
}

/// The rule that decided a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// A stable identifier (`P28`, `E5.1.1`, `B550`, ...).
    pub id: &'static str,
    /// What the rule looks at, for `bounces explain`.
    pub what: &'static str,
}

/// A classification: the reason and the rule that chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Why.
    pub reason: Reason,
    /// Which rule decided.
    pub rule: Rule,
}

/// Decides the reason of one event from its outcome, codes and reply text.
pub fn classify(outcome: Outcome, _code: Option<u16>, _enhanced: Option<Enhanced>, _text: &[u8]) -> Verdict {
    let reason = if outcome == Outcome::Delivered { Reason::Delivered } else { Reason::Undefined };
    Verdict { reason, rule: Rule { id: "-", what: "skeleton" } }
}

/// The bounce type of an event with this reason, outcome and reply code.
pub fn bounce_type(reason: Reason, outcome: Outcome, _code: Option<u16>, _enhanced: Option<Enhanced>) -> BounceType {
    match (outcome, reason) {
        (Outcome::Delivered, _) => BounceType::None,
        (Outcome::Bounced, Reason::UserUnknown) => BounceType::Hard,
        (_, Reason::Undefined) => BounceType::Undetermined,
        _ => BounceType::Soft,
    }
}

/// Classifies events with a cache: each distinct (outcome, code, enhanced
/// code, normalized text) is decided once. One per worker thread.
#[derive(Debug, Default)]
pub struct Classifier {}

impl Classifier {
    /// An empty cache.
    pub fn new() -> Classifier {
        Classifier {}
    }

    /// Same as [`classify`], cached.
    pub fn classify(&mut self, outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>, text: &[u8]) -> Verdict {
        classify(outcome, code, enhanced, text)
    }
}
