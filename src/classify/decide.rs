//! The decision: a failure's reason and bounce type from its outcome,
//! codes and normalized reply text.
//!
//! The reasons are Sisimai's vocabulary (plus `greylisted`); the codes'
//! meanings are those of RFC 5321 and the IANA enhanced-status registry
//! (RFC 3463). A failure's reason is decided by the first of these steps that yields one (the rule
//! that decided is kept in the [`Verdict`]):
//!
//! 0. a delivered outcome is `delivered`, whatever the text says (`D`);
//! 1. the codes come from the parsers, already validated; when the reply
//!    class and the enhanced class differ (Postfix rewrites the DSN class of
//!    a 5xx greeting or under `soft_bounce`) both are kept, because the
//!    enhanced subject and detail still say what the remote said;
//! 2. texts Postfix and Exim write themselves ([`Step::Local`] rows of
//!    [`PATTERNS`], `L01`…);
//! 3. provider rules ([`PROVIDER_RULES`], `G..` Google, `M..` Microsoft,
//!    `Y..` Yahoo, `A..` Apple, `MC..` Mimecast), when the provider is
//!    recognised in the text;
//! 4. the generic patterns P01–P52 ([`Step::Generic`] rows), first match wins;
//! 5. the enhanced code ([`ENHANCED`](super::patterns::ENHANCED), `E5.1.1`), unless it is weak;
//! 6. stage heuristics ([`STAGE_RULES`], `S1`…), the stage read from the text;
//! 7. the basic code ([`BASIC`](super::patterns::BASIC), `B550`), unless it only says `onhold`;
//!    then the weak enhanced codes (X.1.0, X.3.0, X.7.0, X.7.1); then the
//!    `onhold` rows of the basic table;
//! 8. the class alone: `onhold` (`C4`, `C5`); no code at all: `undefined` (`U`).
//!
//! All text rules read the *normalized* text ([`super::normalize::normalize`]), so two texts
//! with the same normalization always get the same verdict and
//! [`super::cache::Classifier`] can cache verdicts by normalized text exactly.

use super::compiled::Matches;
use super::compiled::basic_rule;
use super::compiled::enhanced_id;
use super::compiled::enhanced_row;
use super::normalize::NORMALIZED_MAX;
use super::normalize::normalize_into;
use super::patterns::{
    BasicRule, EnhancedRule, PATTERNS, PROVIDER_RULES, PROVIDERS, Pattern, Provider, STAGE_RULES, STAGES, Step,
};
use super::vocabulary::BounceType;
use super::vocabulary::DELIVERED;
use super::vocabulary::Reason;
use super::vocabulary::Verdict;
use crate::parse::{Enhanced, Outcome};

/// Decides the reason of one event from its outcome, codes and reply text.
pub fn classify(outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>, text: &[u8]) -> Verdict {
    if outcome == Outcome::Delivered {
        return DELIVERED;
    }
    let mut normalized = Vec::with_capacity(text.len().min(NORMALIZED_MAX));
    normalize_into(text, &mut normalized);
    decide(code, enhanced, &normalized)
}

/// Steps 2 to 8 of the decision order, on the normalized text. The outcome
/// plays no part here (a delivery never gets this far).
pub(super) fn decide(code: Option<u16>, enhanced: Option<Enhanced>, normalized: &[u8]) -> Verdict {
    decide_with(code, enhanced, &Matches::new(normalized))
}

/// Every rule that would decide, in decision order, on the normalized text,
/// with or without the literal prefilter (without it, every row the
/// decision asks about runs its regex: the plain ordered loop the
/// prefilter is tested against).
#[cfg(test)]
pub(super) fn every_rule(
    code: Option<u16>,
    enhanced: Option<Enhanced>,
    normalized: &[u8],
    prefilter: bool,
) -> Vec<Verdict> {
    let m = if prefilter { Matches::new(normalized) } else { Matches::without_prefilter(normalized) };
    let mut all = Vec::new();
    walk(code, enhanced, &m, &mut |verdict| {
        all.push(verdict);
        true
    });
    all
}

fn decide_with(code: Option<u16>, enhanced: Option<Enhanced>, m: &Matches) -> Verdict {
    let mut first = None;
    walk(code, enhanced, m, &mut |verdict| {
        first = Some(verdict);
        false
    });
    first.expect("the last step always decides")
}

/// Every rule that would decide an event, in decision order: the first is
/// the verdict of [`classify`], the others what would have decided had the
/// ones before it not matched (`bounces explain` shows the runner-up). The
/// last is always the class step (`C4`, `C5`, `U`, ...).
pub fn candidates(outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>, text: &[u8]) -> Vec<Verdict> {
    if outcome == Outcome::Delivered {
        return vec![DELIVERED];
    }
    let mut normalized = Vec::with_capacity(text.len().min(NORMALIZED_MAX));
    normalize_into(text, &mut normalized);
    let mut all = Vec::new();
    walk(code, enhanced, &Matches::new(&normalized), &mut |verdict| {
        all.push(verdict);
        true
    });
    all
}

/// Offers `visit` each rule that matches, in decision order, until it
/// returns false.
fn walk(code: Option<u16>, enhanced: Option<Enhanced>, m: &Matches, visit: &mut dyn FnMut(Verdict) -> bool) {
    let c = m.compiled;
    let pattern_verdict = |p: &'static Pattern| Verdict::new(p.reason, p.id, p.what, p.detail);
    // (Each row's codes are checked before its regex: they cost less.)
    let patterns = |step: Step| PATTERNS.iter().enumerate().filter(move |&(_, p)| p.step == step);

    // Step 2: texts the MTA writes itself.
    for (i, p) in patterns(Step::Local) {
        if p.codes.matches(code, enhanced) && m.matched(i) && !visit(pattern_verdict(p)) {
            return;
        }
    }

    // Step 3: provider rules.
    let seen = |provider: Provider| {
        PROVIDERS.iter().enumerate().any(|(i, &(p, _))| p == provider && m.matched(c.providers + i))
    };
    for (i, r) in PROVIDER_RULES.iter().enumerate() {
        if r.codes.matches(code, enhanced)
            && m.matched(c.provider_rules + i)
            && seen(r.provider)
            && !visit(Verdict::new(r.reason, r.id, r.what, r.detail))
        {
            return;
        }
    }

    // Step 4: the generic patterns.
    for (i, p) in patterns(Step::Generic) {
        if p.codes.matches(code, enhanced) && m.matched(i) && !visit(pattern_verdict(p)) {
            return;
        }
    }

    // Step 5: strong enhanced codes.
    let enhanced_hit = enhanced.and_then(|e| enhanced_row(e).map(|(i, r)| (e, i, r)));
    let enhanced_verdict = |(e, i, r): (Enhanced, usize, &'static EnhancedRule)| {
        r.reason.map(|reason| Verdict::new(reason, enhanced_id(i, e.class), r.what, r.tag))
    };
    if let Some(hit) = enhanced_hit
        && !hit.2.weak
        && let Some(verdict) = enhanced_verdict(hit)
        && !visit(verdict)
    {
        return;
    }

    // Step 6: stage heuristics.
    let stage = STAGES.iter().enumerate().find(|&(i, _)| m.matched(c.stages + i)).map(|(_, &(s, _))| s);
    if let Some(stage) = stage {
        for (i, r) in STAGE_RULES.iter().enumerate() {
            if r.stages.contains(&stage)
                && (r.codes.is_empty() || code.is_some_and(|code| r.codes.contains(&code)))
                && m.matched(c.stage_rules + i)
                && !visit(Verdict::new(r.reason, r.id, r.what, r.detail))
            {
                return;
            }
        }
    }

    // Step 7: the basic code, then the weak enhanced codes, then the
    // basic code's `onhold` rows.
    let basic = code.and_then(|code| basic_rule(code, stage));
    let basic_verdict = |b: &'static BasicRule| Verdict::new(b.reason, b.id, b.what, b.detail);
    if let Some(b) = basic
        && b.reason != Reason::OnHold
        && !visit(basic_verdict(b))
    {
        return;
    }
    if let Some(hit) = enhanced_hit
        && hit.2.weak
        && let Some(verdict) = enhanced_verdict(hit)
        && !visit(verdict)
    {
        return;
    }
    if let Some(b) = basic
        && b.reason == Reason::OnHold
        && !visit(basic_verdict(b))
    {
        return;
    }

    // Step 8: the class alone.
    let class = code.map(|code| code / 100).or(enhanced.map(|e| u16::from(e.class)));
    visit(match class {
        Some(2) => Verdict::new(Reason::OnHold, "C2", "a positive reply on a failed attempt", ""),
        Some(4) => Verdict::new(Reason::OnHold, "C4", "class 4: a transient failure, nothing more specific", ""),
        Some(5) => Verdict::new(Reason::OnHold, "C5", "class 5: a permanent failure, nothing more specific", ""),
        Some(_) => Verdict::new(Reason::OnHold, "C", "a reply of an unknown class", ""),
        None => Verdict::new(Reason::Undefined, "U", "no reply code and no known text", ""),
    });
}

/// The bounce type of an event with this reason, outcome and reply code
/// (section 5.2): hard reasons are hard only when the attempt bounced (and
/// `notaccept` only when not temporary), block reasons are always block,
/// `onhold` and `undefined` are undetermined when bounced; `filtered` and
/// `suppressed` are soft, as in Sisimai.
pub fn bounce_type(reason: Reason, outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>) -> BounceType {
    use Reason::*;
    if outcome == Outcome::Delivered || reason == Delivered {
        return BounceType::None;
    }
    let bounced = outcome == Outcome::Bounced;
    match reason {
        UserUnknown | HostUnknown | HasMoved if bounced => BounceType::Hard,
        NotAccept if bounced && !is_transient(code, enhanced) => BounceType::Hard,
        Blocked | BadReputation | SpamDetected | VirusDetected | AuthFailure | RequirePtr | PolicyViolation
        | Rejected | NoRelaying | FailedStartTls | SecurityError | ContentError | NotCompliantRfc | EmailTooLarge
        | SyntaxError | MailerError => BounceType::Block,
        OnHold | Undefined if bounced => BounceType::Undetermined,
        // Sisimai counts both as soft bounces (only userunknown, hostunknown,
        // hasmoved and a permanent notaccept are hard): a filter's refusal
        // is no evidence that the address is bad, and a relay's suppression
        // list only remembers earlier events.
        Filtered | Suppressed => BounceType::Soft,
        _ => BounceType::Soft,
    }
}

/// Whether the codes say "temporary": a 4xx reply, or with no reply a
/// 4.x.x enhanced code.
fn is_transient(code: Option<u16>, enhanced: Option<Enhanced>) -> bool {
    match code {
        Some(code) => code / 100 == 4,
        None => enhanced.is_some_and(|e| e.class == 4),
    }
}
