//! Reasons and bounce types: why a delivery failed and what that says
//! about the recipient address.
//!
//! The design is section 5 of `shared/reference/smtp-codes.md`. A failure's
//! reason is decided by the first of these steps that yields one (the rule
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
//!    `Y..` Yahoo, `A..` Apple), when the provider is recognised in the text;
//! 4. the generic patterns P01–P43 ([`Step::Generic`] rows), first match wins;
//! 5. the enhanced code ([`ENHANCED`], `E5.1.1`), unless it is weak;
//! 6. stage heuristics ([`STAGE_RULES`], `S1`…), the stage read from the text;
//! 7. the basic code ([`BASIC`], `B550`), unless it only says `onhold`;
//!    then the weak enhanced codes (X.1.0, X.3.0, X.7.0, X.7.1); then the
//!    `onhold` rows of the basic table;
//! 8. the class alone: `onhold` (`C4`, `C5`); no code at all: `undefined` (`U`).
//!
//! All text rules read the *normalized* text ([`normalize`]), so two texts
//! with the same normalization always get the same verdict and
//! [`Classifier`] can cache verdicts by normalized text exactly.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{LazyLock, OnceLock};

use foldhash::fast::RandomState;
use memchr::memchr;
use regex::bytes::{Regex, RegexBuilder};

pub use crate::classify::patterns::{
    BASIC, BasicRule, ENHANCED, EnhancedRule, PATTERNS, PROVIDER_RULES, PROVIDERS, Pattern, Provider, STAGE_RULES,
    STAGES, Stage, Step,
};
use crate::parse::{Enhanced, Outcome};

/// Why a delivery attempt failed, in Sisimai's vocabulary plus `greylisted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Reason {
    /// Delivered: not a failure.
    Delivered,
    /// The recipient's local part does not exist.
    UserUnknown,
    /// The recipient's domain does not exist or cannot be routed.
    HostUnknown,
    /// The destination accepts no mail at all (null MX, 521, 556).
    NotAccept,
    /// The mailbox has moved, no forwarding address.
    HasMoved,
    /// The mailbox is over quota.
    MailboxFull,
    /// The recipient's account is disabled or suspended.
    Suspend,
    /// The message is too large for the destination.
    EmailTooLarge,
    /// Throttled: too many messages, connections or recipients.
    RateLimited,
    /// Deliberately deferred by greylisting.
    Greylisted,
    /// The sending IP, its name or its HELO was refused (blocklists).
    Blocked,
    /// The sending IP or domain has a poor reputation.
    BadReputation,
    /// The content was judged to be spam.
    SpamDetected,
    /// A virus or malware was found.
    VirusDetected,
    /// SPF, DKIM, DMARC or ARC failed.
    AuthFailure,
    /// The sending IP has no valid reverse DNS.
    RequirePtr,
    /// TLS could not be negotiated or a TLS policy not met.
    FailedStartTls,
    /// Authentication required or failed, other security refusals.
    SecurityError,
    /// Relaying denied.
    NoRelaying,
    /// Refused by a policy of the receiving organisation.
    PolicyViolation,
    /// The envelope sender was refused.
    Rejected,
    /// Invalid MIME, headers or encoding.
    ContentError,
    /// The message does not comply with RFC 5322.
    NotCompliantRfc,
    /// Connection, DNS or routing trouble.
    NetworkError,
    /// The MTA gave up after the maximum queue time.
    Expired,
    /// An error of the receiving system.
    SystemError,
    /// The receiving system is out of storage.
    SystemFull,
    /// An SMTP syntax or protocol error.
    SyntaxError,
    /// A local delivery program failed.
    MailerError,
    /// A failure without enough information to name a reason.
    OnHold,
    /// Nothing decided.
    Undefined,
}

impl Reason {
    /// Every reason, in declaration order (`ALL[r as usize] == r`).
    pub const ALL: [Reason; 31] = [
        Reason::Delivered,
        Reason::UserUnknown,
        Reason::HostUnknown,
        Reason::NotAccept,
        Reason::HasMoved,
        Reason::MailboxFull,
        Reason::Suspend,
        Reason::EmailTooLarge,
        Reason::RateLimited,
        Reason::Greylisted,
        Reason::Blocked,
        Reason::BadReputation,
        Reason::SpamDetected,
        Reason::VirusDetected,
        Reason::AuthFailure,
        Reason::RequirePtr,
        Reason::FailedStartTls,
        Reason::SecurityError,
        Reason::NoRelaying,
        Reason::PolicyViolation,
        Reason::Rejected,
        Reason::ContentError,
        Reason::NotCompliantRfc,
        Reason::NetworkError,
        Reason::Expired,
        Reason::SystemError,
        Reason::SystemFull,
        Reason::SyntaxError,
        Reason::MailerError,
        Reason::OnHold,
        Reason::Undefined,
    ];

    /// The lower-case name used in reports (`userunknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Delivered => "delivered",
            Reason::UserUnknown => "userunknown",
            Reason::HostUnknown => "hostunknown",
            Reason::NotAccept => "notaccept",
            Reason::HasMoved => "hasmoved",
            Reason::MailboxFull => "mailboxfull",
            Reason::Suspend => "suspend",
            Reason::EmailTooLarge => "emailtoolarge",
            Reason::RateLimited => "ratelimited",
            Reason::Greylisted => "greylisted",
            Reason::Blocked => "blocked",
            Reason::BadReputation => "badreputation",
            Reason::SpamDetected => "spamdetected",
            Reason::VirusDetected => "virusdetected",
            Reason::AuthFailure => "authfailure",
            Reason::RequirePtr => "requireptr",
            Reason::FailedStartTls => "failedstarttls",
            Reason::SecurityError => "securityerror",
            Reason::NoRelaying => "norelaying",
            Reason::PolicyViolation => "policyviolation",
            Reason::Rejected => "rejected",
            Reason::ContentError => "contenterror",
            Reason::NotCompliantRfc => "notcompliantrfc",
            Reason::NetworkError => "networkerror",
            Reason::Expired => "expired",
            Reason::SystemError => "systemerror",
            Reason::SystemFull => "systemfull",
            Reason::SyntaxError => "syntaxerror",
            Reason::MailerError => "mailererror",
            Reason::OnHold => "onhold",
            Reason::Undefined => "undefined",
        }
    }

    /// The reason named `name` (as printed by [`Reason::as_str`]).
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// One sentence: what this reason means.
    pub fn meaning(self) -> &'static str {
        match self {
            Reason::Delivered => {
                "The receiving server accepted the message (or it was delivered locally); not a failure."
            }
            Reason::UserUnknown => {
                "The recipient's mailbox does not exist at the destination: the local part is unknown, \
                 was deleted, or is mistyped."
            }
            Reason::HostUnknown => {
                "The recipient's domain does not exist in DNS or has no usable mail host, so the mail \
                 cannot be routed at all."
            }
            Reason::NotAccept => {
                "The destination accepts no mail at all: the domain publishes a null MX (RFC 7505) or its \
                 server answers 521 or 556."
            }
            Reason::HasMoved => {
                "The mailbox has moved or been replaced and the server gives no forwarding address \
                 (551, X.1.6)."
            }
            Reason::MailboxFull => {
                "The recipient's mailbox is over its storage quota; this is temporary by definition \
                 (RFC 3463 X.2.2), even when sent as a 5xx."
            }
            Reason::Suspend => "The recipient's account exists but is disabled, suspended or inactive.",
            Reason::EmailTooLarge => {
                "The message is larger than the destination accepts, for the whole system or for this \
                 mailbox."
            }
            Reason::RateLimited => {
                "The receiving server throttled the sender: too many messages, connections or recipients \
                 in too short a time."
            }
            Reason::Greylisted => {
                "The receiving server deliberately deferred a first attempt from an unknown sender \
                 (greylisting); a retry after a few minutes normally succeeds."
            }
            Reason::Blocked => {
                "The receiving server refused the sending host itself: its IP address is on a DNS \
                 blocklist or a local block list, or its reverse DNS or HELO name was refused."
            }
            Reason::BadReputation => {
                "The receiving server refused or deferred the mail because of the poor reputation of the \
                 sending IP address or domain."
            }
            Reason::SpamDetected => "The receiving server's filter judged the content of the message to be spam.",
            Reason::VirusDetected => "The receiving server's scanner found a virus or malware in the message.",
            Reason::AuthFailure => {
                "The message failed the recipient's sender authentication checks: SPF, DKIM, DMARC \
                 alignment (or ARC)."
            }
            Reason::RequirePtr => {
                "The sending IP address has no reverse DNS (PTR) record, or its PTR name does not resolve \
                 back to the same address."
            }
            Reason::FailedStartTls => {
                "TLS could not be used: the receiving side requires TLS that was not negotiated, the \
                 handshake or certificate check failed, or a TLS policy (DANE, MTA-STS, REQUIRETLS) could \
                 not be met."
            }
            Reason::SecurityError => {
                "The receiving side refused for a security reason: SMTP authentication required or \
                 failed, weak credentials or mechanism, or an unspecified security policy."
            }
            Reason::NoRelaying => {
                "The server refused to relay: it is not responsible for the recipient's domain and the \
                 sender is not allowed to relay through it."
            }
            Reason::PolicyViolation => {
                "The message broke a policy of the receiving organisation: forbidden attachment, \
                 restricted list or recipient, or another local rule."
            }
            Reason::Rejected => {
                "The envelope sender (MAIL FROM) was refused: its address or domain is invalid, does not \
                 resolve, has a null MX or failed sender verification."
            }
            Reason::ContentError => {
                "The message format was refused: invalid MIME or headers, unencoded 8-bit data, or a \
                 non-ASCII address the path cannot carry (SMTPUTF8)."
            }
            Reason::NotCompliantRfc => {
                "The message does not comply with RFC 5322: a missing or duplicated header, no valid \
                 Message-ID, or several addresses in From:."
            }
            Reason::NetworkError => {
                "A network or DNS problem stopped the delivery: connection refused or timed out, lost \
                 connection, temporary DNS failure, or a mail loop."
            }
            Reason::Expired => {
                "The MTA gave up after retrying for its maximum queue lifetime; the attempts before it \
                 had all failed temporarily."
            }
            Reason::SystemError => {
                "The receiving mail system reported an internal error or a misconfiguration, such as an \
                 MX that points back at the sending host."
            }
            Reason::SystemFull => "The receiving mail system as a whole is out of disk space or other resources.",
            Reason::SyntaxError => {
                "The SMTP dialogue failed on a syntax or protocol error: unknown command, bad arguments \
                 or a bad command sequence."
            }
            Reason::MailerError => {
                "A local delivery program (pipe, procmail, maildrop, a script) failed on the receiving \
                 host."
            }
            Reason::OnHold => {
                "A failure was logged, but neither its codes nor its text say enough to name a more \
                 specific reason."
            }
            Reason::Undefined => "A failure with no reply code at all and a text that nothing recognised.",
        }
    }

    /// One or two sentences: what the sender should do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Reason::Delivered => "Nothing to do.",
            Reason::UserUnknown => {
                "Remove the address from your lists, or correct an obvious typo; do not retry it. If many \
                 addresses of one domain fail like this at once, check that the domain's mail server is \
                 not just misconfigured before suppressing them."
            }
            Reason::HostUnknown => {
                "Check the domain for typos (gmial.com) and look it up yourself (`dig MX domain`); if it \
                 stays unresolvable, remove the address. A single failure can be a DNS outage, so do not \
                 suppress a whole domain on one event."
            }
            Reason::NotAccept => {
                "Remove the address: no mail to that domain can ever be delivered (often a typo or a \
                 parked, web-only domain). Only a 4xx variant is temporary and worth retrying."
            }
            Reason::HasMoved => {
                "Stop sending to this address; use the new address if the reply names one, otherwise ask \
                 the recipient for it."
            }
            Reason::MailboxFull => {
                "Retry later and treat it as a soft bounce, even when it arrived as a 5xx; suppress the \
                 address only after repeated failures over several days (an abandoned mailbox fills up \
                 and stays full)."
            }
            Reason::Suspend => {
                "Pause sending to the address and retry after a few days; if the account stays disabled \
                 for weeks, remove it."
            }
            Reason::EmailTooLarge => {
                "Send a smaller message: shrink or drop attachments and link to large files instead; \
                 compare your size with the limit in the reply or the SIZE the server announces."
            }
            Reason::RateLimited => {
                "Slow down for that destination: lower the concurrency and the message and recipient \
                 rate (Postfix: `smtp_destination_concurrency_limit`, `smtp_destination_rate_delay`, \
                 `smtp_destination_recipient_limit`; Exim: `max_rcpt`, `remote_max_parallel`) and let the \
                 queue retry. The recipient is fine."
            }
            Reason::Greylisted => {
                "Nothing to fix: let the MTA retry. If a destination keeps greylisting for hours, make \
                 sure retries come from the same IP address and sender address (a pool of sending IPs \
                 defeats greylisting)."
            }
            Reason::Blocked => {
                "Look up the sending IP on the blocklist named in the reply (Spamhaus, Barracuda, \
                 SpamCop, the provider's own list), fix the cause (compromised account, open relay, bad \
                 HELO or reverse DNS), then request delisting. Do not suppress the recipient."
            }
            Reason::BadReputation => {
                "Work on the sending side: complaint and bounce rates, list hygiene, authentication; \
                 watch the provider's postmaster tools (Google Postmaster Tools, Microsoft SNDS, Yahoo \
                 Sender Hub) and warm up new IPs slowly. The recipient is fine."
            }
            Reason::SpamDetected => {
                "Review the content and links (URL domains on blocklists, shorteners, spammy wording), \
                 make sure the mail is authenticated and was asked for, and test it against a spam \
                 filter before sending again. Do not suppress the recipient."
            }
            Reason::VirusDetected => {
                "Scan the message and its attachments on the sending side; if an account or server is \
                 compromised, stop it first. Do not resend the same content."
            }
            Reason::AuthFailure => {
                "Check that the SPF record of the envelope sender's domain includes this sending IP, that \
                 messages are DKIM-signed with a published key, and that the From: domain aligns for \
                 DMARC; the reply usually names the check that failed."
            }
            Reason::RequirePtr => {
                "Give the sending IP a PTR record (ask the hosting provider or ISP) whose name resolves \
                 back to the same IP, and use that name as the HELO name."
            }
            Reason::FailedStartTls => {
                "Check the sending MTA's TLS settings (Postfix `smtp_tls_security_level` and policy maps, \
                 Exim `hosts_require_tls`), its CA bundle and the remote certificate, TLSA or MTA-STS \
                 policy; test with `openssl s_client -starttls smtp -connect host:25`."
            }
            Reason::SecurityError => {
                "If you relay through a smarthost, check the SMTP AUTH credentials and mechanism; \
                 otherwise read the reply for the policy involved and ask the receiving postmaster if \
                 it is unclear."
            }
            Reason::NoRelaying => {
                "Check the MX records and the route used for that domain (the mail may be going to the \
                 wrong host), or authenticate if it is your own relay. Do not suppress the recipient."
            }
            Reason::PolicyViolation => {
                "Read the reply for the policy involved (attachment type, restricted list, local rule) \
                 and change the message, or ask the recipient's administrator. Do not suppress the \
                 recipient."
            }
            Reason::Rejected => {
                "Fix the sender address: its domain must resolve and accept mail (bounces have to be \
                 deliverable), and sender verification callouts to it must succeed."
            }
            Reason::ContentError => {
                "Fix the application that generates the message: valid MIME and headers, 8-bit content \
                 encoded, no non-ASCII addresses unless every hop supports SMTPUTF8."
            }
            Reason::NotCompliantRfc => {
                "Fix the application that generates the message: exactly one valid From:, a Message-ID \
                 and a Date, no duplicated single-instance headers."
            }
            Reason::NetworkError => {
                "Usually transient: let the MTA retry. If it persists, check outbound connectivity to \
                 port 25 (firewall, ISP block), your DNS resolver and the destination's MX hosts; a loop \
                 needs an MX or routing fix."
            }
            Reason::Expired => {
                "Look at the deferrals before the expiry for the real cause; if the destination was just \
                 down for long, send again later. An expiry alone is not a hard bounce."
            }
            Reason::SystemError => {
                "Usually the destination's problem: retry later and tell its postmaster if it persists. \
                 \"Loops back to myself\" means the domain's MX points at your own server: fix the MX or \
                 your `mydestination`/`relay_domains`."
            }
            Reason::SystemFull => {
                "Retry later; it is the destination's problem. If it lasts for days, tell the receiving \
                 postmaster."
            }
            Reason::SyntaxError => {
                "Check the sending MTA or application: malformed commands or addresses, unsupported \
                 ESMTP parameters, broken pipelining; an SMTP-inspecting firewall in the path can also \
                 cause it."
            }
            Reason::MailerError => {
                "Check the local delivery command and its logs (exit status, permissions, missing \
                 programs); the fault is on the receiving host, not with the sender."
            }
            Reason::OnHold => {
                "Read the reply text (`bounces explain` shows it); treat it as soft while it is only \
                 deferred, and add a rule if the same text is common in your logs."
            }
            Reason::Undefined => {
                "Inspect the log lines by hand; they usually come from a local transport or an MTA \
                 message this tool does not know yet."
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    /// A finer tag from the rule (`null_mx`, `dnsbl`, `o365_dbeb`), or empty.
    pub detail: &'static str,
}

impl Verdict {
    const fn new(reason: Reason, id: &'static str, what: &'static str, detail: &'static str) -> Verdict {
        Verdict { reason, rule: Rule { id, what }, detail }
    }
}

const DELIVERED: Verdict = Verdict::new(Reason::Delivered, "D", "the MTA logged a delivery", "");

// ---------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------

/// The longest normalized text, in bytes. Longer texts are classified on
/// their first `NORMALIZED_MAX` normalized bytes (the MTA's own words and the
/// remote host name come first; no rule needs what follows).
pub const NORMALIZED_MAX: usize = 512;

/// How far to look for the closing `>`, `]` or `"` of a dropped group.
const GROUP_MAX: usize = 320;

/// Byte classes for [`normalize`], as bit flags (tested with `&`, so the
/// hot loop has no jump table).
const ALNUM: u8 = 1;
const DIGIT: u8 = 2;
const SPACE: u8 = 4;
/// May appear in a number token (`#.#.#`, `#:#`).
const NUMBER_PUNCT: u8 = 8;
/// May appear in the local part of an address.
const LOCAL_PUNCT: u8 = 16;
/// `<`, `[`, `"`, `@` and `\`: handled one by one.
const SPECIAL: u8 = 32;

static BYTE_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => SPACE,
            b'a'..=b'z' | b'A'..=b'Z' => ALNUM,
            b'0'..=b'9' => ALNUM | DIGIT,
            b'<' | b'[' | b'"' | b'@' | b'\\' => SPECIAL,
            b'.' | b'-' => NUMBER_PUNCT | LOCAL_PUNCT,
            b':' | b'/' => NUMBER_PUNCT,
            b'_' | b'+' | b'%' | b'*' => LOCAL_PUNCT,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// Bytes of the domain of an address, in the input.
fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

/// Appends `text` without the contents of the `<...>`, `[...]` and `"..."`
/// groups that [`normalize`] drops (a provider code in brackets is kept),
/// found exactly as it finds them: left to right, the first closing byte
/// within [`GROUP_MAX`] bytes. Everything else is copied. Two texts with the
/// same result normalize alike (normalization reads nothing inside a dropped
/// group, and no other step of it starts or ends inside one), so this is an
/// exact cache key that is much cheaper than normalizing: texts that differ
/// only in their addresses and IP addresses share it.
fn drop_group_contents(text: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(at) = memchr::memchr3(b'<', b'[', b'"', &text[i..]).map(|j| i + j) {
        out.extend_from_slice(&text[i..=at]);
        let close = match text[at] {
            b'<' => b'>',
            b'[' => b']',
            _ => b'"',
        };
        let window = &text[at + 1..text.len().min(at + 1 + GROUP_MAX)];
        match memchr(close, window) {
            Some(len) => {
                let inner = &window[..len];
                if close == b']' && is_provider_code(inner) {
                    out.extend_from_slice(inner);
                }
                out.push(close);
                i = at + len + 2;
            }
            None => i = at + 1,
        }
    }
    out.extend_from_slice(&text[i..]);
}

/// A provider's short code in square brackets (`TSS04`, `PH01`, `HME1`):
/// 2 to 4 letters, then 1 to 3 digits.
fn is_provider_code(inner: &[u8]) -> bool {
    let letters = inner.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = inner.len() - letters;
    (2..=4).contains(&letters) && (1..=3).contains(&digits) && inner[letters..].iter().all(u8::is_ascii_digit)
}

/// Normalizes a reply text for matching and caching, into `out` (cleared
/// first).
///
/// * ASCII letters are lower-cased; other bytes are kept as they are.
/// * The contents of `<…>`, `"…"` and `[…]` are dropped (`<>`, `""`, `[]`):
///   addresses, local parts, IP addresses, server ids. A square-bracketed
///   provider code of 2–4 letters and 1–3 digits (`[TSS04]`) is kept.
///   A group whose closing byte is not within 320 bytes is not dropped.
/// * An e-mail address outside brackets (`bob@example.com`) becomes `@`.
/// * Every run of ASCII letters and digits that contains a digit becomes
///   `#` (queue ids, message ids, IP addresses, ports, counts, codes).
/// * A whitespace-separated token made only of `#` and `. : - /` becomes
///   `#`, and a run of such tokens becomes a single `#` (so multi-line
///   continuation prefixes such as `550-5.1.1` disappear into one `#`).
/// * Whitespace runs, and Exim's literal `\n` between reply lines, become
///   one space; leading and trailing spaces are dropped.
/// * The result is cut at [`NORMALIZED_MAX`] bytes.
pub fn normalize(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    normalize_into(text, out);
}

/// Appends the normalization of `text` to `out`.
///
/// Works in a buffer on the stack: every step writes at most 9 bytes past
/// the [`NORMALIZED_MAX`] mark, and the loop stops at the mark.
fn normalize_into(text: &[u8], out: &mut Vec<u8>) {
    let mut buf = [0u8; NORMALIZED_MAX + 16];
    let mut o = 0;
    let n = text.len();
    // The current whitespace-separated token: where it starts in `buf`,
    // whether it holds a `#`, whether it is only `#` and number punctuation.
    let mut tok_start = 0;
    let mut tok_hash = false;
    let mut tok_number = true;
    let mut prev_number = false;
    // Where the current run of local-part bytes starts in `buf`.
    let mut local_start = 0;
    let mut i = 0;
    while i < n && o < NORMALIZED_MAX {
        let b = text[i];
        let class = BYTE_CLASS[usize::from(b)];
        if class & ALNUM != 0 {
            // A word, written lower-cased as it is read; `#` if it holds a
            // digit.
            let word_start = o;
            let mut digit = false;
            while i < n && o < NORMALIZED_MAX {
                let b = text[i];
                let c = BYTE_CLASS[usize::from(b)];
                if c & ALNUM == 0 {
                    break;
                }
                digit |= c & DIGIT != 0;
                buf[o] = b | 0x20;
                o += 1;
                i += 1;
            }
            if digit {
                buf[word_start] = b'#';
                o = word_start + 1;
                tok_hash = true;
                while i < n && text[i].is_ascii_alphanumeric() {
                    i += 1;
                }
            } else {
                tok_number = false;
            }
        } else if class & SPACE != 0 || (b == b'\\' && text.get(i + 1) == Some(&b'n')) {
            i += if class & SPACE != 0 { 1 } else { 2 };
            if o > tok_start {
                o = end_token(&mut buf, o, tok_start, tok_hash && tok_number, prev_number);
                prev_number = tok_hash && tok_number;
                buf[o] = b' ';
                o += 1;
            } else if o == 0 {
                continue; // leading whitespace
            }
            tok_start = o;
            tok_hash = false;
            tok_number = true;
            local_start = o;
        } else if class & SPECIAL != 0 && b == b'@' {
            o = local_start;
            buf[o] = b'@';
            o += 1;
            i += 1;
            while i < n && is_domain_byte(text[i]) {
                i += 1;
            }
            tok_number = false;
            local_start = o;
        } else if class & SPECIAL != 0 && b != b'\\' {
            let close = match b {
                b'<' => b'>',
                b'[' => b']',
                _ => b'"',
            };
            let window = &text[i + 1..n.min(i + 1 + GROUP_MAX)];
            buf[o] = b;
            o += 1;
            if let Some(len) = memchr(close, window) {
                let inner = &window[..len];
                if b == b'[' && is_provider_code(inner) {
                    for &c in inner {
                        buf[o] = c.to_ascii_lowercase();
                        o += 1;
                    }
                }
                buf[o] = close;
                o += 1;
                i += len + 2;
            } else {
                i += 1;
            }
            tok_number = false;
            local_start = o;
        } else {
            buf[o] = b;
            o += 1;
            i += 1;
            tok_number &= class & NUMBER_PUNCT != 0;
            if class & LOCAL_PUNCT == 0 {
                local_start = o;
            }
        }
    }
    if o > tok_start {
        o = end_token(&mut buf, o, tok_start, tok_hash && tok_number, prev_number);
    }
    if o > 0 && buf[o - 1] == b' ' {
        o -= 1;
    }
    let start = out.len();
    out.extend_from_slice(&buf[..o.min(NORMALIZED_MAX)]);
    mask_hosts(out, start);
}

/// Replaces the names of the hosts an MTA talked to (`host NAME[]`,
/// `connect to NAME[]:#`, Exim's `H=NAME []` and `host NAME []`, `name=NAME`) by `?`, unless
/// the name is a known provider's (the provider rules need it). The rules
/// never look at other host names, and without them texts that differ only
/// in the destination's MX host share one cache entry. Works on `out[start..]`.
fn mask_hosts(out: &mut Vec<u8>, start: usize) {
    // A copy on the stack: the normalized text is at most NORMALIZED_MAX bytes.
    let mut copy = [0u8; NORMALIZED_MAX];
    let len = (out.len() - start).min(NORMALIZED_MAX);
    copy[..len].copy_from_slice(&out[start..start + len]);
    let text = &copy[..len];
    out.truncate(start);
    let mut tokens = text.split(|&b| b == b' ').peekable();
    let mut previous: &[u8] = b"";
    let mut first = true;
    while let Some(token) = tokens.next() {
        if !first {
            out.push(b' ');
        }
        first = false;
        // Exim writes `H=name [ip]` and `host name [ip]`.
        let next_is_ip =
            (token.starts_with(b"h=") || previous == b"host") && tokens.peek().is_some_and(|t| t.starts_with(b"[]"));
        previous = token;
        let (lead, host, rest) = host_in(token, next_is_ip);
        out.extend_from_slice(lead);
        if host.contains(&b'.') && !PROVIDER_HOSTS.is_match(host) {
            out.push(b'?');
        } else {
            out.extend_from_slice(host);
        }
        out.extend_from_slice(rest);
    }
}

/// Splits a normalized token into (what precedes a host name, the host
/// name, what follows it); the host name is empty when there is none.
fn host_in(token: &[u8], next_is_ip: bool) -> (&[u8], &[u8], &[u8]) {
    if let Some(name) = token.strip_prefix(b"name=") {
        return (&token[..5], name, b"");
    }
    let lead = if token.starts_with(b"h=") { 2 } else { 0 };
    match memchr(b'[', token) {
        Some(i) if i > lead && token[i..].starts_with(b"[]") => (&token[..lead], &token[lead..i], &token[i..]),
        None if next_is_ip => (&token[..lead], &token[lead..], b""),
        _ => (token, b"", b""),
    }
}

/// Literals found in every host name that a [`PROVIDERS`] pattern matches
/// (and in a few more): a host holding one is left unmasked. Keeping more
/// than needed only costs cache entries; `providers_cover_every_provider_host`
/// checks that nothing a provider pattern needs is masked.
static PROVIDER_HOSTS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new([
        "google",
        "gsmtp",
        "outlook",
        "hotmail",
        "microsoft",
        "live.com",
        "yahoo",
        "aol.com",
        "icloud",
        "apple.com",
        "me.com",
        "mac.com",
    ])
    .expect("a few literals always compile")
});

/// Ends the token at `buf[tok_start..end]`: a number token becomes `#`, or
/// disappears (with its leading space) right after another number token.
/// Returns the new end.
fn end_token(buf: &mut [u8], end: usize, tok_start: usize, number: bool, prev_number: bool) -> usize {
    if !number {
        end
    } else if prev_number && tok_start > 0 {
        tok_start - 1
    } else {
        buf[tok_start] = b'#';
        tok_start + 1
    }
}

// ---------------------------------------------------------------------------
// The compiled rules
// ---------------------------------------------------------------------------

/// The regular expressions of the tables, one per row, numbered in this
/// order: [`PATTERNS`], [`PROVIDER_RULES`], [`PROVIDERS`], [`STAGES`],
/// [`STAGE_RULES`]. A row with an empty regex has no text condition.
///
/// Each is compiled the first time a text needs it, and matched on a text
/// only when the decision asks for it ([`Matches`]): most texts are decided
/// by one of the first rows, so few regexes run per text, each with its own
/// small automaton and literal prefilter. (One set of all of them, matched
/// at once, spent most of its time building the states of one huge lazy DFA:
/// half of all instructions on a 10 MB log.)
struct Compiled {
    rows: Vec<Row>,
    provider_rules: usize,
    providers: usize,
    stages: usize,
    stage_rules: usize,
}

struct Row {
    source: &'static str,
    regex: OnceLock<Regex>,
}

/// The most rows [`Matches`] can remember.
const MAX_ROWS: usize = 256;

impl Compiled {
    /// Whether row `row`'s regex matches `text` (rows without one always match).
    fn is_match(&self, row: usize, text: &[u8]) -> bool {
        let Row { source, regex } = &self.rows[row];
        if source.is_empty() {
            return true;
        }
        // The text is already lower case: no case folding needed. ASCII
        // classes only: `\w`, `\s`, `\b` stay cheap on any byte.
        let regex = regex.get_or_init(|| {
            RegexBuilder::new(source)
                .unicode(false)
                .size_limit(16 << 20)
                .build()
                .expect("the built-in classification patterns compile")
        });
        regex.is_match(text)
    }
}

/// Which rows match one normalized text, each found out once, when first
/// asked.
struct Matches<'a> {
    compiled: &'a Compiled,
    text: &'a [u8],
    known: [Cell<u64>; MAX_ROWS / 64],
    hit: [Cell<u64>; MAX_ROWS / 64],
}

impl<'a> Matches<'a> {
    fn new(text: &'a [u8]) -> Matches<'a> {
        let compiled = &*COMPILED;
        Matches { compiled, text, known: Default::default(), hit: Default::default() }
    }

    /// Whether row `row`'s regex matches the text (rows without one always match).
    fn matched(&self, row: usize) -> bool {
        let (word, bit) = (row / 64, 1u64 << (row % 64));
        if self.known[word].get() & bit == 0 {
            if self.compiled.is_match(row, self.text) {
                self.hit[word].set(self.hit[word].get() | bit);
            }
            self.known[word].set(self.known[word].get() | bit);
        }
        self.hit[word].get() & bit != 0
    }
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let provider_rules = PATTERNS.len();
    let providers = provider_rules + PROVIDER_RULES.len();
    let stages = providers + PROVIDERS.len();
    let stage_rules = stages + STAGES.len();
    let rows: Vec<Row> = PATTERNS
        .iter()
        .map(|p| p.regex)
        .chain(PROVIDER_RULES.iter().map(|r| r.regex))
        .chain(PROVIDERS.iter().map(|&(_, re)| re))
        .chain(STAGES.iter().map(|&(_, re)| re))
        .chain(STAGE_RULES.iter().map(|r| r.regex))
        .map(|source| Row { source, regex: OnceLock::new() })
        .collect();
    assert!(rows.len() <= MAX_ROWS, "more rows than Matches can remember");
    Compiled { rows, provider_rules, providers, stages, stage_rules }
});

/// Rule ids of the enhanced-code rows, per class: `E2.x.y`, `E4.x.y`,
/// `E5.x.y`, and `EX.x.y` for any other class.
static ENHANCED_IDS: LazyLock<Vec<[String; 4]>> = LazyLock::new(|| {
    ENHANCED.iter().map(|r| ["2", "4", "5", "X"].map(|class| format!("E{class}.{}.{}", r.subject, r.detail))).collect()
});

fn enhanced_id(index: usize, class: u8) -> &'static str {
    let column = match class {
        2 => 0,
        4 => 1,
        5 => 2,
        _ => 3,
    };
    &ENHANCED_IDS[index][column]
}

/// The row of [`ENHANCED`] for an enhanced code, with its index.
fn enhanced_row(e: Enhanced) -> Option<(usize, &'static EnhancedRule)> {
    ENHANCED
        .iter()
        .enumerate()
        .find(|(_, r)| r.subject == e.subject && r.detail == e.detail && r.class.is_none_or(|c| c == e.class))
}

/// The basic-code table's row for `code` at `stage` (rows limited to
/// another stage are skipped).
pub fn basic_rule(code: u16, stage: Option<Stage>) -> Option<&'static BasicRule> {
    BASIC.iter().find(|b| b.code == code && b.stage.is_none_or(|s| Some(s) == stage))
}

/// The SMTP stage a normalized reply text names, if any (the decision
/// reads the stage with the rest of its matches; tests read it alone).
#[cfg(test)]
fn stage_of(normalized: &[u8]) -> Option<Stage> {
    let m = Matches::new(normalized);
    let c = m.compiled;
    STAGES.iter().enumerate().find(|&(i, _)| m.matched(c.stages + i)).map(|(_, &(stage, _))| stage)
}

// ---------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------

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
fn decide(code: Option<u16>, enhanced: Option<Enhanced>, normalized: &[u8]) -> Verdict {
    let m = Matches::new(normalized);
    let c = m.compiled;

    // Steps 2 and 4: PATTERNS holds the local rows before the generic ones.
    // (Each row's codes are checked before its regex: they cost less.)
    let pattern = PATTERNS.iter().enumerate().find(|&(i, p)| p.codes.matches(code, enhanced) && m.matched(i));
    let pattern_verdict = |p: &'static Pattern| Verdict::new(p.reason, p.id, p.what, p.detail);
    if let Some((_, p)) = pattern
        && p.step == Step::Local
    {
        return pattern_verdict(p);
    }

    // Step 3: provider rules.
    let seen = |provider: Provider| {
        PROVIDERS.iter().enumerate().any(|(i, &(p, _))| p == provider && m.matched(c.providers + i))
    };
    let provider_rule = PROVIDER_RULES
        .iter()
        .enumerate()
        .find(|&(i, r)| r.codes.matches(code, enhanced) && m.matched(c.provider_rules + i) && seen(r.provider));
    if let Some((_, r)) = provider_rule {
        return Verdict::new(r.reason, r.id, r.what, r.detail);
    }

    // Step 4: the generic pattern found above.
    if let Some((_, p)) = pattern {
        return pattern_verdict(p);
    }

    // Step 5: strong enhanced codes.
    let enhanced_hit = enhanced.and_then(|e| enhanced_row(e).map(|(i, r)| (e, i, r)));
    let enhanced_verdict = |(e, i, r): (Enhanced, usize, &'static EnhancedRule)| {
        r.reason.map(|reason| Verdict::new(reason, enhanced_id(i, e.class), r.what, r.tag))
    };
    if let Some(hit) = enhanced_hit
        && !hit.2.weak
        && let Some(verdict) = enhanced_verdict(hit)
    {
        return verdict;
    }

    // Step 6: stage heuristics.
    let stage = STAGES.iter().enumerate().find(|&(i, _)| m.matched(c.stages + i)).map(|(_, &(s, _))| s);
    if let Some(stage) = stage {
        let stage_rule = STAGE_RULES.iter().enumerate().find(|&(i, r)| {
            r.stages.contains(&stage)
                && (r.codes.is_empty() || code.is_some_and(|code| r.codes.contains(&code)))
                && m.matched(c.stage_rules + i)
        });
        if let Some((_, r)) = stage_rule {
            return Verdict::new(r.reason, r.id, r.what, r.detail);
        }
    }

    // Step 7: the basic code, then the weak enhanced codes, then the
    // basic code's `onhold` rows.
    let basic = code.and_then(|code| basic_rule(code, stage));
    let basic_verdict = |b: &'static BasicRule| Verdict::new(b.reason, b.id, b.what, b.detail);
    if let Some(b) = basic
        && b.reason != Reason::OnHold
    {
        return basic_verdict(b);
    }
    if let Some(verdict) = enhanced_hit.and_then(enhanced_verdict) {
        return verdict;
    }
    if let Some(b) = basic {
        return basic_verdict(b);
    }

    // Step 8: the class alone.
    let class = code.map(|code| code / 100).or(enhanced.map(|e| u16::from(e.class)));
    match class {
        Some(2) => Verdict::new(Reason::OnHold, "C2", "a positive reply on a failed attempt", ""),
        Some(4) => Verdict::new(Reason::OnHold, "C4", "class 4: a transient failure, nothing more specific", ""),
        Some(5) => Verdict::new(Reason::OnHold, "C5", "class 5: a permanent failure, nothing more specific", ""),
        Some(_) => Verdict::new(Reason::OnHold, "C", "a reply of an unknown class", ""),
        None => Verdict::new(Reason::Undefined, "U", "no reply code and no known text", ""),
    }
}

/// The bounce type of an event with this reason, outcome and reply code
/// (section 5.2): hard reasons are hard only when the attempt bounced (and
/// `notaccept` only when not temporary), block reasons are always block,
/// `onhold` and `undefined` are undetermined when bounced.
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

// ---------------------------------------------------------------------------
// The cache
// ---------------------------------------------------------------------------

/// Bytes before the text in a cache key: outcome, basic code, enhanced code.
const KEY_PREFIX: usize = 10;
/// The normalized cache is emptied when it holds this many verdicts...
const CACHE_MAX_ENTRIES: usize = 1 << 16;
/// ... or this many bytes of keys, so hostile input cannot grow it without
/// bound.
const CACHE_MAX_BYTES: usize = 8 << 20;
/// Slots of the raw-text cache (a power of two).
const RAW_SLOTS: usize = 2048;
/// Texts longer than this skip the raw-text cache.
const RAW_MAX: usize = 512;

/// The cache-key prefix of an event's codes and outcome.
fn key_prefix(outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>) -> [u8; KEY_PREFIX] {
    let [code_hi, code_lo] = code.unwrap_or(0).to_be_bytes();
    let e = enhanced.unwrap_or(Enhanced { class: 0, subject: 0, detail: 0 });
    let [subject_hi, subject_lo] = e.subject.to_be_bytes();
    let [detail_hi, detail_lo] = e.detail.to_be_bytes();
    [
        outcome as u8,
        u8::from(code.is_some()),
        code_hi,
        code_lo,
        u8::from(enhanced.is_some()),
        e.class,
        subject_hi,
        subject_lo,
        detail_hi,
        detail_lo,
    ]
}

/// One slot of the raw-text cache: the key (prefix and raw text), its
/// hash, and the verdict.
#[derive(Debug, Default)]
struct RawSlot {
    hash: u64,
    key: Vec<u8>,
    verdict: Option<Verdict>,
}

/// Classifies events with a cache: each distinct (outcome, code, enhanced
/// code, normalized text) is decided once. One per worker thread.
///
/// Two levels, both exact:
///
/// 1. a direct-mapped table of 2048 slots keyed by the *raw* text (the same
///    bytes always get the same verdict); a hit costs a hash and a compare,
///    no normalization. Texts over 512 bytes skip it. Its memory is fixed
///    (at most 2048 keys of at most 522 bytes).
/// 2. a map keyed by the *normalized* text: every rule reads only the codes
///    and the normalized text, so a cached verdict is the one [`classify`]
///    would give. Texts that differ only in addresses, ids and numbers share
///    one entry. It is emptied when it reaches 65,536 entries or 8 MiB of
///    keys, so hostile input cannot grow it without bound.
#[derive(Debug, Default)]
pub struct Classifier {
    /// Scratch buffer: the normalized key of the current event.
    key: Vec<u8>,
    /// Scratch buffer: the level-1 key of the current event.
    group: Vec<u8>,
    cache: HashMap<Box<[u8]>, Verdict, RandomState>,
    /// Total length of the keys in `cache`.
    key_bytes: usize,
    /// The raw-text cache, allocated on first use.
    raw: Vec<RawSlot>,
    raw_state: RandomState,
}

impl Classifier {
    /// An empty cache.
    pub fn new() -> Classifier {
        Classifier::default()
    }

    /// Same as [`classify`], cached.
    pub fn classify(
        &mut self,
        outcome: Outcome,
        code: Option<u16>,
        enhanced: Option<Enhanced>,
        text: &[u8],
    ) -> Verdict {
        if outcome == Outcome::Delivered {
            return DELIVERED;
        }
        let prefix = key_prefix(outcome, code, enhanced);

        // Level 1: the raw text with its group contents dropped.
        let raw_slot = (text.len() <= RAW_MAX).then(|| {
            self.group.clear();
            self.group.extend_from_slice(&prefix);
            drop_group_contents(text, &mut self.group);
            let hash = self.raw_state.hash_one(&self.group[..]);
            (hash, (hash as usize) & (RAW_SLOTS - 1))
        });
        if let Some((hash, index)) = raw_slot
            && let Some(slot) = self.raw.get(index)
            && slot.hash == hash
            && slot.key == self.group
            && let Some(verdict) = slot.verdict
        {
            return verdict;
        }

        // Level 2: the normalized text.
        let key = &mut self.key;
        key.clear();
        key.extend_from_slice(&prefix);
        normalize_into(text, key);
        let verdict = match self.cache.get(key.as_slice()) {
            Some(verdict) => *verdict,
            None => {
                let verdict = decide(code, enhanced, &key[KEY_PREFIX..]);
                if self.cache.len() >= CACHE_MAX_ENTRIES || self.key_bytes + key.len() > CACHE_MAX_BYTES {
                    self.cache.clear();
                    self.key_bytes = 0;
                }
                self.key_bytes += key.len();
                self.cache.insert(key.as_slice().into(), verdict);
                verdict
            }
        };

        if let Some((hash, index)) = raw_slot {
            if self.raw.is_empty() {
                self.raw.resize_with(RAW_SLOTS, RawSlot::default);
            }
            let slot = &mut self.raw[index];
            slot.hash = hash;
            slot.key.clear();
            slot.key.extend_from_slice(&self.group);
            slot.verdict = Some(verdict);
        }
        verdict
    }

    /// How many verdicts the normalized cache holds.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::patterns::Codes;
    use crate::parse::Outcome::{Bounced, Deferred};
    use Reason::*;

    /// `"5.1.1"` → `Some(Enhanced)`, `""` → `None`.
    fn enh(s: &str) -> Option<Enhanced> {
        if s.is_empty() {
            return None;
        }
        let mut parts = s.split('.').map(|p| p.parse::<u16>().unwrap());
        let (class, subject, detail) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        Some(Enhanced { class: u8::try_from(class).unwrap(), subject, detail })
    }

    /// `0` → no basic code.
    fn basic(code: u16) -> Option<u16> {
        (code != 0).then_some(code)
    }

    /// (outcome, basic code or 0, enhanced code or "", text, reason, rule id).
    type Vector = (Outcome, u16, &'static str, &'static str, Reason, &'static str);

    /// Test vectors: every local rule, provider rule, pattern and stage
    /// rule decides at least one; the rows of the "Known disagreements"
    /// table (5.4) and the end-to-end cases of 5.8 are marked.
    const VECTORS: &[Vector] = &[
        // ---- Step 0 ----------------------------------------------------------
        (Outcome::Delivered, 250, "2.0.0", "250 2.0.0 Ok: queued as 4B1C2D9A0C", Delivered, "D"),
        (Outcome::Delivered, 0, "", "", Delivered, "D"),
        // The text is not even looked at for a delivery.
        (Outcome::Delivered, 550, "5.1.1", "550 5.1.1 User unknown", Delivered, "D"),
        // ---- Step 2: MTA-local texts -------------------------------------------
        // 5.4 disagreement + 5.8: Postfix client-side null MX with dsn=5.1.0.
        (Bounced, 0, "5.1.0", "Domain nullmx.example does not accept mail (nullMX)", NotAccept, "L01"),
        // 5.4 disagreement + 5.8: Exim null MX, no code at all.
        (Bounced, 0, "", ": an MX or SRV record indicated no SMTP service", NotAccept, "L02"),
        (Bounced, 0, "", "R=dnslookup: an MX or SRV record indicated no SMTP service", NotAccept, "L02"),
        // 5.8: Host not found vs Host not found, try again.
        (
            Bounced,
            0,
            "5.4.4",
            "Host or domain name not found. Name service error for name=hennig-berlin.com type=AAAA: Host not found",
            HostUnknown,
            "L03",
        ),
        (
            Deferred,
            0,
            "4.4.3",
            "Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again",
            NetworkError,
            "L04",
        ),
        (Bounced, 0, "5.4.6", "mail for example.com loops back to myself", SystemError, "L05"),
        // 5.8: connect timeout.
        (Deferred, 0, "4.4.1", "connect to mx.slow.example[192.0.2.20]:25: Connection timed out", NetworkError, "L06"),
        (
            Deferred,
            0,
            "4.4.1",
            "delivery temporarily suspended: connect to mx.example.com[2001:db8::25]:25: Connection refused",
            NetworkError,
            "L06",
        ),
        // A host name that reads like a blocklist does not matter here.
        (
            Deferred,
            0,
            "4.4.1",
            "connect to blocked.spamhaus-test.example[192.0.2.7]:25: No route to host",
            NetworkError,
            "L06",
        ),
        (
            Deferred,
            0,
            "4.4.2",
            "lost connection with mx.example.com[192.0.2.1] while sending end of data -- message may be sent more than once",
            NetworkError,
            "L07",
        ),
        (
            Deferred,
            0,
            "4.4.2",
            "conversation with mx.example.com[192.0.2.1] timed out while receiving the initial server greeting",
            NetworkError,
            "L07",
        ),
        (
            Deferred,
            0,
            "4.4.2",
            "delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO",
            NetworkError,
            "L07",
        ),
        (Deferred, 0, "4.4.4", "unable to find primary relay for example.com", NetworkError, "L08"),
        (
            Deferred,
            0,
            "4.7.4",
            "TLS is required, but was not offered by host mx.example.com[192.0.2.1]",
            FailedStartTls,
            "L09",
        ),
        (
            Bounced,
            0,
            "5.7.10",
            "Sender requested REQUIRETLS, but the server mx.example.com[192.0.2.1] did not offer it",
            FailedStartTls,
            "L09",
        ),
        (
            Bounced,
            0,
            "5.3.4",
            "message size 31457280 exceeds size limit 10240000 of server mx.example.com[192.0.2.1]",
            EmailTooLarge,
            "L10",
        ),
        (
            Bounced,
            0,
            "5.6.7",
            "message requires SMTPUTF8, but no server was found that supports SMTPUTF8",
            ContentError,
            "L11",
        ),
        (
            Bounced,
            0,
            "5.2.2",
            "cannot update mailbox /var/mail/bob for user bob. error writing message: File too large",
            MailboxFull,
            "L12",
        ),
        (
            Deferred,
            0,
            "",
            "R=localuser T=local_delivery defer (-22): mailbox is full (MTA-imposed quota exceeded while writing to /var/mail/bob)",
            MailboxFull,
            "L12",
        ),
        (
            Deferred,
            0,
            "4.3.0",
            "cannot update mailbox /var/mail/bob for user bob. error writing message: No space left on device",
            SystemFull,
            "L13",
        ),
        (Bounced, 0, "", ": Unrouteable address", HostUnknown, "L14"),
        (Bounced, 0, "", "<orig@example.net>: Unrouteable address", HostUnknown, "L14"),
        (Bounced, 0, "", "R=dnslookup: all relevant MX records point to non-existent hosts", HostUnknown, "L14"),
        (Deferred, 0, "", "R=dnslookup defer (-36): host lookup did not complete", NetworkError, "L15"),
        (
            Deferred,
            0,
            "",
            "R=domainlist defer (-36): host lookup for test.again.dns did not complete (DNS timeout?)",
            NetworkError,
            "L15",
        ),
        (
            Deferred,
            0,
            "",
            "R=all T=local_delivery defer (-22): mailbox is full (MTA-imposed filecount quota exceeded while writing to tmp/MAILDIR.myhost.test.ex)",
            MailboxFull,
            "L12",
        ),
        (Deferred, 0, "", "R=dnslookup T=remote_smtp defer (111): Connection refused", NetworkError, "L16"),
        (
            Deferred,
            0,
            "",
            "R=dkim_lookuphost T=dkim_remote_smtp defer (101): Network is unreachable",
            NetworkError,
            "L16",
        ),
        (
            Deferred,
            0,
            "",
            "R=dnslookup T=remote_smtp defer (-17) H=mx.example.com [192.0.2.1]: SMTP timeout after RCPT TO:<bob@example.com>",
            NetworkError,
            "L16",
        ),
        (
            Deferred,
            0,
            "",
            "R=dnslookup T=remote_smtp defer (-18) H=mx.example.com [192.0.2.1]: Remote host closed connection in response to end of data",
            NetworkError,
            "L16",
        ),
        (
            Deferred,
            0,
            "",
            "R=all T=smtp defer (-54): retry time not reached for any host for 'simple'",
            NetworkError,
            "L17",
        ),
        (
            Bounced,
            0,
            "",
            "R=dnslookup T=remote_smtp: all hosts for 'example.com' have been failing for a long time (and retry time not reached)",
            Expired,
            "L18",
        ),
        (Bounced, 0, "", ": retry timeout exceeded", Expired, "L19"),
        // ---- Step 3: provider rules ----------------------------------------------
        // 5.4 disagreement: Gmail X.7.27 is "SPF required", not sender null MX.
        (
            Deferred,
            421,
            "4.7.27",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. Gmail requires all bulk email senders to authenticate their email with SPF. 421 4.7.27 a1si123 - gsmtp (in reply to end of DATA command)",
            AuthFailure,
            "G01",
        ),
        (
            Bounced,
            550,
            "5.7.27",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.27 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with SPF. 550 5.7.27 41be03b00d2f7-7a4d1b2c3e4si123456a.12 - gsmtp (in reply to end of DATA command)",
            AuthFailure,
            "G01",
        ),
        // 5.4 disagreement: Gmail X.7.29 is "TLS required", not ARC.
        (
            Deferred,
            421,
            "4.7.29",
            "host alt1.gmail-smtp-in.l.google.com[142.250.27.27] said: 421-4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. 421 4.7.29 a1si123 - gsmtp (in reply to end of DATA command)",
            FailedStartTls,
            "G02",
        ),
        // 5.4 disagreement: Gmail X.7.30 is "DKIM required", not REQUIRETLS.
        (
            Bounced,
            550,
            "5.7.30",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.30 This mail has been blocked because DKIM does not pass. Gmail requires all large senders to authenticate with DKIM. 550 5.7.30 a1si123 - gsmtp (in reply to end of DATA command)",
            AuthFailure,
            "G03",
        ),
        (
            Deferred,
            421,
            "4.7.32",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 421-4.7.32 Your email has been rate limited because the From: header (RFC5322) in this message isn't aligned with either the authenticated SPF or DKIM organizational domain. 421 4.7.32 a1si123 - gsmtp (in reply to end of DATA command)",
            AuthFailure,
            "G04",
        ),
        // 5.4 disagreement: Gmail 4.2.1 is a receiving-rate limit, not suspend.
        (
            Deferred,
            450,
            "4.2.1",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 450-4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. 450 4.2.1 a1si123 - gsmtp (in reply to RCPT TO command)",
            RateLimited,
            "G05",
        ),
        // 5.4 disagreement + 5.8: Microsoft 5.1.10 is an unknown recipient.
        (
            Bounced,
            550,
            "5.1.10",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient bob@example.com not found by SMTP address lookup (in reply to end of DATA command)",
            UserUnknown,
            "M01",
        ),
        // 5.4 disagreement: Microsoft 5.4.1 Access denied (directory-based edge blocking).
        (
            Bounced,
            550,
            "5.4.1",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM1PEPF000252DC.eurprd07.prod.outlook.com 2024-05-01T10:00:00.000Z 08DC69F1D2C6E8B9] (in reply to RCPT TO command)",
            UserUnknown,
            "M02",
        ),
        (
            Bounced,
            550,
            "5.7.606",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ (in reply to RCPT TO command)",
            Blocked,
            "M03",
        ),
        (
            Bounced,
            550,
            "5.7.509",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.509 Access denied, sending domain example.org does not pass DMARC verification and has a DMARC policy of reject. (in reply to end of DATA command)",
            AuthFailure,
            "M04",
        ),
        (
            Deferred,
            451,
            "4.7.650",
            "host outlook-com.olc.protection.outlook.com[192.0.2.255] said: 451 4.7.650 The mail server [192.0.2.5] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [xxx.prod.protection.outlook.com] (in reply to MAIL FROM command)",
            BadReputation,
            "M05",
        ),
        // 5.4 disagreement + 5.8: Yahoo [TSS04].
        (
            Deferred,
            421,
            "4.7.0",
            "host mta5.am0.yahoodns.net[67.195.204.72] said: 421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)",
            RateLimited,
            "Y01",
        ),
        // 5.4 disagreement: Yahoo [TSS09] is an IP block, not a sender problem.
        (
            Bounced,
            553,
            "5.7.2",
            "host mta6.am0.yahoodns.net[67.195.204.73] said: 553 5.7.2 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)",
            Blocked,
            "Y02",
        ),
        (
            Bounced,
            554,
            "5.7.1",
            "host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks. See https://support.apple.com/en-us/HT204137 for mailing best practices (in reply to end of DATA command)",
            AuthFailure,
            "A01",
        ),
        // ---- Step 4: generic patterns ------------------------------------------------
        // 5.4 disagreement + 5.8: the sender's domain has a null MX (inbound smtpd).
        (
            Bounced,
            550,
            "5.7.27",
            "550 5.7.27 <sname@nullmx.porcupine.org>: Sender address rejected: Domain nullmx.porcupine.org does not accept mail (nullMX)",
            Rejected,
            "P01",
        ),
        // 5.8: "Domain not found" for the sender is a sender problem.
        (
            Deferred,
            450,
            "4.1.8",
            "host mx.example.com[192.0.2.1] said: 450 4.1.8 <s@example.org>: Sender address rejected: Domain not found (in reply to RCPT TO command)",
            Rejected,
            "P02",
        ),
        // 5.8: Exim sender verification quoting the null-MX text is a sender problem.
        (
            Bounced,
            550,
            "",
            r"R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 550-Verification failed for <s@nullmx.example>\n550-an MX or SRV record indicated no SMTP service\n550 Sender verify failed",
            Rejected,
            "P02",
        ),
        (
            Deferred,
            451,
            "",
            "host mx.example.com[192.0.2.1] said: 451 Message temporarily deferred due to unresolvable RFC.5321 from domain (in reply to MAIL FROM command)",
            Rejected,
            "P02",
        ),
        // 5.8: Postfix inbound null MX.
        (
            Bounced,
            556,
            "5.1.10",
            "556 5.1.10 <rname@nullmx.porcupine.org>: Recipient address rejected: Domain nullmx.porcupine.org does not accept mail (nullMX)",
            NotAccept,
            "P03",
        ),
        (
            Bounced,
            550,
            "",
            "host mx.example.com[192.0.2.1] said: 550 an MX or SRV record indicated no SMTP service (in reply to RCPT TO command)",
            NotAccept,
            "P04",
        ),
        (
            Bounced,
            556,
            "5.1.10",
            "host relay.example.net[192.0.2.1] said: 556 5.1.10 Recipient address has null MX (in reply to RCPT TO command)",
            NotAccept,
            "P05",
        ),
        (
            Bounced,
            556,
            "5.1.10",
            "host relay.example.net[192.0.2.1] said: 556 5.1.10 Go away (in reply to RCPT TO command)",
            NotAccept,
            "P05",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host mx01.mail.icloud.com[17.57.154.6] said: 550 5.7.1 <bob@icloud.com>: host/domain does not accept mail (in reply to RCPT TO command)",
            NotAccept,
            "P06",
        ),
        // Microsoft's text relayed through a smarthost: no provider host to see.
        (
            Bounced,
            550,
            "5.1.10",
            "host smarthost.example.net[192.0.2.1] said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup (in reply to end of DATA command)",
            UserUnknown,
            "P07",
        ),
        (
            Bounced,
            550,
            "5.4.1",
            "host smarthost.example.net[192.0.2.1] said: 550 5.4.1 Recipient address rejected: Access denied. AS(201806281) (in reply to RCPT TO command)",
            UserUnknown,
            "P08",
        ),
        // 5.8: Postfix table lookup.
        (
            Bounced,
            550,
            "5.1.1",
            "host mx.example.com[192.0.2.10] said: 550 5.1.1 <user@example.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
            UserUnknown,
            "P09",
        ),
        (Bounced, 0, "5.1.1", "unknown user: \"ghdsgfhdslfh\"", UserUnknown, "P10"),
        (
            Bounced,
            550,
            "5.1.1",
            "host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp (in reply to RCPT TO command)",
            UserUnknown,
            "P11",
        ),
        (
            Bounced,
            554,
            "",
            "host mta7.am0.yahoodns.net[98.136.216.22] said: 554 delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com (in reply to end of DATA command)",
            UserUnknown,
            "P12",
        ),
        (
            Bounced,
            554,
            "",
            "host mta7.am0.yahoodns.net[98.136.216.22] said: 554 delivery error: dd bob@yahoo.com is no longer valid. [-20] - mta1234.mail.bf1.yahoo.com (in reply to end of DATA command)",
            Suspend,
            "P13",
        ),
        (
            Bounced,
            554,
            "",
            "host mx-aol.mail.gm0.yahoodns.net[67.195.204.72] said: 554 30 Sorry, your message to bob@aol.jp cannot be delivered. This mailbox is disabled (554.30). (in reply to end of DATA command)",
            Suspend,
            "P13",
        ),
        (
            Bounced,
            550,
            "5.2.1",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.2.1 The email account that you tried to reach is inactive. 550 5.2.1 https://support.google.com/mail/?p=DisabledUser a1si123 - gsmtp (in reply to RCPT TO command)",
            Suspend,
            "P13",
        ),
        (
            Bounced,
            550,
            "5.1.6",
            "host mx01.mail.icloud.com[17.57.154.6] said: 550 5.1.6 recipient no longer on server: bob@icloud.com (in reply to RCPT TO command)",
            HasMoved,
            "P14",
        ),
        (
            Deferred,
            452,
            "4.3.1",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 452 4.3.1 Insufficient system resources (in reply to end of DATA command)",
            SystemFull,
            "P15",
        ),
        // 5.4 disagreement: mailbox full is soft even as 5xx.
        (
            Bounced,
            550,
            "5.2.2",
            "host mx.example.com[192.0.2.1] said: 550 5.2.2 <bob@example.com>: mailbox full (in reply to RCPT TO command)",
            MailboxFull,
            "P16",
        ),
        // 5.8: Gmail over quota.
        (
            Bounced,
            552,
            "5.2.2",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 552-5.2.2 The email account that you tried to reach is over quota. Please direct the recipient to 552 5.2.2  https://support.google.com/mail/?p=OverQuotaTemp a1si123 - gsmtp (in reply to end of DATA command)",
            MailboxFull,
            "P16",
        ),
        // 5.8: Exim 452 4.2.2 Mailbox full.
        (
            Deferred,
            452,
            "4.2.2",
            "R=dnslookup T=remote_smtp defer (-44) H=mx.example.com [192.0.2.10]: SMTP error from remote mail server after RCPT TO:<user@example.com>: 452 4.2.2 Mailbox full",
            MailboxFull,
            "P16",
        ),
        // 5.4 disagreement: 552 5.3.4 is about size, not a full mailbox.
        (
            Bounced,
            552,
            "5.3.4",
            "host mx.example.com[192.0.2.1] said: 552 5.3.4 Message size exceeds fixed maximum message size (in reply to end of DATA command)",
            EmailTooLarge,
            "P17",
        ),
        (
            Bounced,
            552,
            "5.3.4",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 552-5.3.4 Your message exceeded Google's message size limits. 552 5.3.4 https://support.google.com/mail/?p=MaxSizeError a1si123 - gsmtp (in reply to end of DATA command)",
            EmailTooLarge,
            "P17",
        ),
        // 5.4 disagreement: relay denied with 5.7.1.
        (Bounced, 554, "5.7.1", "554 5.7.1 <smtp@example.com>: Relay access denied", NoRelaying, "P18"),
        (
            Bounced,
            553,
            "",
            "R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
            NoRelaying,
            "P18",
        ),
        (
            Bounced,
            550,
            "5.7.26",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.26 Unauthenticated email from example.com is not accepted due to 550-5.7.26 domain's DMARC policy. Please contact the administrator of 550-5.7.26 example.com domain if this was a legitimate mail. 550 5.7.26 https://support.google.com/mail/?p=DmarcRejection a1si123 - gsmtp (in reply to end of DATA command)",
            AuthFailure,
            "P19",
        ),
        (
            Bounced,
            550,
            "5.7.23",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.23 The message was rejected because of Sender Policy Framework violation (in reply to end of DATA command)",
            AuthFailure,
            "P19",
        ),
        (
            Bounced,
            550,
            "5.7.26",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.26 This message does not have authentication information or fails to pass 550-5.7.26 authentication checks (SPF or DKIM). 550 5.7.26 a1si123 - gsmtp (in reply to end of DATA command)",
            AuthFailure,
            "P19",
        ),
        (
            Deferred,
            450,
            "4.7.1",
            "host mx.example.com[192.0.2.1] said: 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.25] (in reply to RCPT TO command)",
            RequirePtr,
            "P20",
        ),
        (
            Bounced,
            550,
            "5.7.25",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. 550 5.7.25 a1si123 - gsmtp (in reply to end of DATA command)",
            RequirePtr,
            "P20",
        ),
        (
            Deferred,
            421,
            "4.7.0",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 421-4.7.0 This message is suspicious due to the very low reputation of the sending IP address/domain. 421 4.7.0 a1si123 - gsmtp (in reply to end of DATA command)",
            BadReputation,
            "P21",
        ),
        (
            Deferred,
            451,
            "4.7.650",
            "host smarthost.example.net[192.0.2.1] said: 451 4.7.650 The mail server [192.0.2.5] has been temporarily rate limited due to IP reputation. (in reply to MAIL FROM command)",
            BadReputation,
            "P21",
        ),
        (
            Deferred,
            421,
            "4.7.28",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 421-4.7.28 Gmail has detected an unusual rate of mail originating from your IP address. 421 4.7.28 a1si123 - gsmtp (in reply to end of DATA command)",
            Blocked,
            "P22",
        ),
        (
            Deferred,
            421,
            "4.7.0",
            "host smarthost.example.net[192.0.2.1] said: 421 4.7.0 Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints (in reply to MAIL FROM command)",
            RateLimited,
            "P23",
        ),
        // 5.4 disagreement: too many recipients is a rate limit.
        (
            Deferred,
            452,
            "4.5.3",
            "host mx.example.com[192.0.2.1] said: 452 4.5.3 Error: too many recipients (in reply to RCPT TO command)",
            RateLimited,
            "P24",
        ),
        (
            Bounced,
            552,
            "5.5.3",
            "host mx.example.com[192.0.2.1] said: 552 5.5.3 Error: too many recipients (in reply to RCPT TO command)",
            RateLimited,
            "P24",
        ),
        (
            Deferred,
            421,
            "4.7.1",
            "host mx01.mail.icloud.com[17.57.154.6] said: 421 4.7.1 Messages to bob@icloud.com deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137 (in reply to end of DATA command)",
            RateLimited,
            "P24",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.1 [2607:4100:3:25:100::2      12] Our system has detected that this 550-5.7.1 message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, 550-5.7.1 this message has been blocked. 550 5.7.1 https://support.google.com/mail/?p=UnsolicitedMessageError a1si123 - gsmtp (in reply to end of DATA command)",
            SpamDetected,
            "P25",
        ),
        (
            Bounced,
            554,
            "5.7.1",
            "host mx.example.com[192.0.2.1] said: 554 5.7.1 Message rejected: virus detected (Eicar-Test-Signature) (in reply to end of DATA command)",
            VirusDetected,
            "P26",
        ),
        (
            Bounced,
            554,
            "",
            "host mta7.am0.yahoodns.net[98.136.216.22] said: 554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit https://postmaster.yahooinc.com/error-codes (in reply to end of DATA command)",
            PolicyViolation,
            "P27",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host mx01.mail.icloud.com[17.57.154.6] said: 550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137 (in reply to end of DATA command)",
            PolicyViolation,
            "P27",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host mx01.umbrella-labs.net[203.0.113.40] said: 550 5.7.0 Message rejected by content policy: attachment type not permitted (in reply to end of DATA command)",
            PolicyViolation,
            "P27",
        ),
        // 5.4 disagreement + 5.8: a DNSBL hit with the vague 5.7.1.
        (
            Bounced,
            550,
            "5.7.1",
            "host mx.example.com[192.0.2.1] said: 550 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.25 (in reply to RCPT TO command)",
            Blocked,
            "P28",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command)",
            Blocked,
            "P28",
        ),
        (
            Bounced,
            550,
            "5.7.606",
            "host smarthost.example.net[192.0.2.1] said: 550 5.7.606 Access denied, banned sending IP [192.0.2.25]. (in reply to RCPT TO command)",
            Blocked,
            "P29",
        ),
        (
            Deferred,
            554,
            "",
            "host mx01.mail.icloud.com[17.57.154.6] said: 554 abc-smtpin001.me.com ESMTP not accepting connections (in reply to end of DATA command)",
            Blocked,
            "P29",
        ),
        (
            Bounced,
            554,
            "5.7.1",
            "host mx.example.com[192.0.2.1] said: 554 5.7.1 Your access to this mail system has been blocked. (in reply to end of DATA command)",
            Blocked,
            "P29",
        ),
        // 5.8: postgrey.
        (
            Deferred,
            450,
            "4.2.0",
            "host open.example.nl[10.49.140.10] said: 450 4.2.0 <whatever-user@lists.example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/lists.example.org.html (in reply to RCPT TO command)",
            Greylisted,
            "P30",
        ),
        (
            Bounced,
            530,
            "5.7.0",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 530 5.7.0 Must issue a STARTTLS command first. a1si123 - gsmtp (in reply to MAIL FROM command)",
            FailedStartTls,
            "P31",
        ),
        (
            Deferred,
            421,
            "4.7.0",
            "host aspmx.l.google.com[142.250.27.27] said: 421-4.7.0 TLS required for RCPT domain, closing connection. 421 4.7.0 a1si123 - gsmtp (in reply to RCPT TO command)",
            FailedStartTls,
            "P31",
        ),
        (
            Bounced,
            530,
            "5.7.0",
            "host smarthost.example.net[192.0.2.1] said: 530 5.7.0 Authentication required (in reply to MAIL FROM command)",
            SecurityError,
            "P32",
        ),
        (
            Deferred,
            451,
            "4.4.3",
            "host relay.example.net[192.0.2.1] said: 451 4.4.3 <bob@example.com>: Recipient address rejected: Temporary failure in name resolution (in reply to RCPT TO command)",
            NetworkError,
            "P33",
        ),
        // 5.8: "Domain not found" for the recipient is an unknown host.
        (
            Deferred,
            450,
            "4.1.2",
            "host mx.example.com[192.0.2.1] said: 450 4.1.2 <r@nowhere.example>: Recipient address rejected: Domain not found (in reply to RCPT TO command)",
            HostUnknown,
            "P34",
        ),
        (
            Bounced,
            550,
            "5.4.310",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.4.310 DNS domain example.com does not exist [Message=InfoDomainNonexistent] (in reply to end of DATA command)",
            HostUnknown,
            "P34",
        ),
        // 5.8: a synthesized 5.0.0 with a plain text.
        (
            Bounced,
            550,
            "5.0.0",
            "host mx.example.com[192.0.2.1] said: 550 No such user here (in reply to RCPT TO command)",
            UserUnknown,
            "P35",
        ),
        (
            Bounced,
            550,
            "",
            "R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown",
            UserUnknown,
            "P35",
        ),
        (
            Bounced,
            554,
            "5.4.6",
            "host relay.example.net[192.0.2.1] said: 554 5.4.6 mail for example.com loops back to myself (in reply to RCPT TO command)",
            SystemError,
            "P36",
        ),
        (
            Bounced,
            554,
            "5.4.6",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 554-5.4.6 Message exceeded 50 hops, this may indicate a mail loop. 554 5.4.6 https://support.google.com/mail/?p=MailLoop a1si123 - gsmtp (in reply to end of DATA command)",
            NetworkError,
            "P37",
        ),
        (
            Deferred,
            451,
            "4.4.316",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 451 4.4.316 Connection refused [Message=Socket error code 10061] (in reply to end of DATA command)",
            NetworkError,
            "P38",
        ),
        (
            Bounced,
            550,
            "5.4.300",
            "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.4.300 Message expired (in reply to end of DATA command)",
            Expired,
            "P39",
        ),
        (
            Bounced,
            554,
            "",
            "host mx.example.com[192.0.2.1] said: 554 Your message could not be delivered for 5 days (in reply to end of DATA command)",
            Expired,
            "P39",
        ),
        // 5.8: Command died with status 75.
        (Deferred, 0, "4.3.0", "Command died with status 75: \"/usr/bin/procmail\"", MailerError, "P40"),
        // Exim's pipe transport, and its TLS failure (not in the reference's lists).
        (
            Bounced,
            0,
            "",
            "<tickets@example.org> R=system_aliases T=address_pipe : Child process of address_pipe transport returned 69 (could mean service or program unavailable) from command: /usr/local/bin/ticket",
            MailerError,
            "P40",
        ),
        (
            Deferred,
            0,
            "",
            "R=dnslookup T=remote_smtp defer (-37) H=mx.example.com [203.0.113.71]: TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed",
            FailedStartTls,
            "P31",
        ),
        (
            Bounced,
            501,
            "5.5.2",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 501 5.5.2 Syntax error, cannot decode response. a1si123 - gsmtp (in reply to end of DATA command)",
            SyntaxError,
            "P41",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.1 This message is not RFC 5322 compliant because it has duplicate headers. 550 5.7.1 https://support.google.com/mail/?p=RfcMessageNonCompliant a1si123 - gsmtp (in reply to end of DATA command)",
            NotCompliantRfc,
            "P42",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host mx.example.com[192.0.2.1] said: 550 5.7.1 Message not RFC5322 compliant (in reply to end of DATA command)",
            NotCompliantRfc,
            "P42",
        ),
        (
            Bounced,
            550,
            "5.6.0",
            "host mx.example.com[192.0.2.1] said: 550 5.6.0 Improper use of 8-bit data in message header (in reply to end of DATA command)",
            ContentError,
            "P43",
        ),
        // ---- Step 5: enhanced codes (hand-picked; the table walk does the rest) ----
        // 5.8 negative: iCloud's "inactive email address" has no text rule.
        (
            Bounced,
            550,
            "5.1.1",
            "host mx01.mail.icloud.com[17.57.154.6] said: 550 5.1.1 <bob@icloud.com>: inactive email address (in reply to RCPT TO command)",
            UserUnknown,
            "E5.1.1",
        ),
        (
            Deferred,
            450,
            "4.1.1",
            "host mx.example.com[192.0.2.1] said: 450 4.1.1 Try later (in reply to RCPT TO command)",
            UserUnknown,
            "E4.1.1",
        ),
        (
            Bounced,
            550,
            "5.1.2",
            "host mx.example.com[192.0.2.1] said: 550 5.1.2 Bad destination system",
            HostUnknown,
            "E5.1.2",
        ),
        (
            Bounced,
            552,
            "5.2.3",
            "host mx.example.com[192.0.2.1] said: 552 5.2.3 Too big for me",
            EmailTooLarge,
            "E5.2.3",
        ),
        (Deferred, 0, "4.4.7", "delivery temporarily suspended: giving up", Expired, "E4.4.7"),
        (Bounced, 0, "5.4.4", "Name service error for name=x type=A: no data", HostUnknown, "E5.4.4"),
        (Deferred, 0, "4.4.4", "Name service error for name=x type=A: no data", NetworkError, "E4.4.4"),
        (Bounced, 550, "5.7.25", "host mx.example.com[192.0.2.1] said: 550 5.7.25 Go away", RequirePtr, "E5.7.25"),
        (
            Bounced,
            554,
            "5.6.3",
            "host mx.example.com[192.0.2.1] said: 554 5.6.3 Conversion refused",
            ContentError,
            "E5.6.3",
        ),
        // X.1.10 without a Microsoft host or RESOLVER text is a null MX.
        (Bounced, 550, "5.1.10", "host mx.example.com[192.0.2.1] said: 550 5.1.10 Go away", NotAccept, "E5.1.10"),
        // X.7.27 outside Gmail is the sender's null MX.
        (Bounced, 550, "5.7.27", "host mx.example.com[192.0.2.1] said: 550 5.7.27 Go away", Rejected, "E5.7.27"),
        // ---- Step 6: stage heuristics --------------------------------------------------
        // 5.4 disagreement: a 5xx greeting logged as deferred.
        (
            Deferred,
            554,
            "4.7.1",
            "host mx.example.com[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable",
            Blocked,
            "S1",
        ),
        (
            Deferred,
            421,
            "",
            "R=dnslookup T=remote_smtp defer (-46) H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after initial connection: 421 Too busy",
            Blocked,
            "S1",
        ),
        (
            Bounced,
            552,
            "5.0.0",
            "host mx.example.com[192.0.2.1] said: 552 Sorry, that is too much (in reply to MAIL FROM command)",
            EmailTooLarge,
            "S2",
        ),
        (
            Bounced,
            550,
            "5.0.0",
            "host mx.example.com[192.0.2.1] said: 550 Go away (in reply to MAIL FROM command)",
            Rejected,
            "S3",
        ),
        (
            Deferred,
            452,
            "",
            "R=dnslookup T=remote_smtp defer (-44) H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 452 Maximum number of recipients per message reached",
            RateLimited,
            "S4",
        ),
        // ---- Steps 7 and 8: basic codes, weak enhanced codes, class ----------------------
        (
            Deferred,
            451,
            "4.7.1",
            "host mx.example.com[192.0.2.1] said: 451 4.7.1 Please try again later (in reply to RCPT TO command)",
            SystemError,
            "B451",
        ),
        (
            Bounced,
            550,
            "5.7.1",
            "host mx.example.com[192.0.2.1] said: 550 5.7.1 Message refused (in reply to RCPT TO command)",
            Blocked,
            "E5.7.1",
        ),
        (
            Bounced,
            550,
            "5.0.0",
            "host mx.example.com[192.0.2.1] said: 550 Requested action not taken (in reply to RCPT TO command)",
            OnHold,
            "B550",
        ),
        (
            Deferred,
            454,
            "4.7.0",
            "host mx.example.com[192.0.2.1] said: 454 4.7.0 TLS not available due to local problem (in reply to STARTTLS command)",
            FailedStartTls,
            "B454",
        ),
        (
            Bounced,
            553,
            "",
            "R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 553 Mailbox name not allowed",
            UserUnknown,
            "B553",
        ),
        (
            Deferred,
            421,
            "",
            "host mx.example.com[192.0.2.1] said: 421 Closing (in reply to RCPT TO command)",
            OnHold,
            "B421",
        ),
        (Bounced, 590, "", "R=r1 : 590 Main code", OnHold, "C5"),
        (Deferred, 0, "4.9.9", "something odd", OnHold, "C4"),
        (Bounced, 0, "", "something odd", Undefined, "U"),
        (Bounced, 0, "", "", Undefined, "U"),
    ];

    #[test]
    fn vectors() {
        let mut failures = Vec::new();
        for &(outcome, code, e, text, reason, id) in VECTORS {
            let v = classify(outcome, basic(code), enh(e), text.as_bytes());
            if v.reason != reason || v.rule.id != id {
                let mut norm = Vec::new();
                normalize(text.as_bytes(), &mut norm);
                failures.push(format!(
                    "{text:?}\n  normalized {:?}\n  want {reason} {id}, got {} {} ({})",
                    String::from_utf8_lossy(&norm),
                    v.reason,
                    v.rule.id,
                    v.rule.what
                ));
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn every_rule_has_a_vector() {
        let decided: Vec<&str> = VECTORS.iter().map(|v| v.5).collect();
        let ids = PATTERNS
            .iter()
            .map(|p| p.id)
            .chain(PROVIDER_RULES.iter().map(|r| r.id))
            .chain(STAGE_RULES.iter().map(|r| r.id));
        let missing: Vec<&str> = ids.filter(|id| !decided.contains(id)).collect();
        assert!(missing.is_empty(), "rules without a test vector: {missing:?}");
        // P01–P43 all exist, in order, after the local rules.
        let generic: Vec<&str> = PATTERNS.iter().filter(|p| p.step == Step::Generic).map(|p| p.id).collect();
        let mut expected: Vec<String> = (1..=43).map(|n| format!("P{n:02}")).collect();
        expected.insert(5, "P05".to_string());
        assert_eq!(generic, expected);
        let first_generic = PATTERNS.iter().position(|p| p.step == Step::Generic).unwrap();
        assert!(PATTERNS[first_generic..].iter().all(|p| p.step == Step::Generic), "local rows come first");
    }

    #[test]
    fn patterns_are_lower_case_and_digit_free() {
        // The normalized text has no upper case and no digits outside
        // provider codes such as `[tss04]`.
        let escapes = regex::Regex::new(r"\\[A-Za-z]").unwrap();
        let provider_code = regex::Regex::new(r"\\\[[a-z]+(?:\[0-9\]\+|[0-9|()?:]+)\\\]").unwrap();
        let all = PATTERNS
            .iter()
            .map(|p| (p.id, p.regex))
            .chain(PROVIDER_RULES.iter().map(|r| (r.id, r.regex)))
            .chain(PROVIDERS.iter().map(|&(_, re)| ("provider", re)))
            .chain(STAGES.iter().map(|&(_, re)| ("stage", re)))
            .chain(STAGE_RULES.iter().map(|r| (r.id, r.regex)));
        for (id, re) in all {
            let bare = escapes.replace_all(re, "");
            let bare = provider_code.replace_all(&bare, "");
            let bare = bare.replace("{0,60}", "");
            assert!(!bare.bytes().any(|b| b.is_ascii_uppercase()), "{id}: upper case in {re:?}");
            assert!(!bare.bytes().any(|b| b.is_ascii_digit()), "{id}: digits in {re:?}");
        }
    }

    #[test]
    fn enhanced_table_walk() {
        for (i, row) in ENHANCED.iter().enumerate() {
            for class in row.class.map_or(vec![4, 5], |c| vec![c]) {
                let e = Some(Enhanced { class, subject: row.subject, detail: row.detail });
                let v = classify(Bounced, None, e, b"");
                match row.reason {
                    Some(reason) => {
                        assert_eq!(v.reason, reason, "{}", row.what);
                        assert_eq!(v.rule.id, format!("E{class}.{}.{}", row.subject, row.detail));
                        assert_eq!(v.rule.id, enhanced_id(i, class));
                    }
                    None => assert_eq!((v.reason, v.rule.id), (OnHold, if class == 4 { "C4" } else { "C5" })),
                }
            }
        }
        // No code is listed twice for the same class.
        for (i, a) in ENHANCED.iter().enumerate() {
            for b in &ENHANCED[i + 1..] {
                let overlap = a.class.is_none() || b.class.is_none() || a.class == b.class;
                assert!(!(overlap && a.subject == b.subject && a.detail == b.detail), "{} twice", a.what);
            }
        }
    }

    #[test]
    fn enhanced_table_spot_checks() {
        // By hand, from the "Proposed default" column of section 2.2.
        let cases = [
            ("5.1.1", UserUnknown),
            ("5.1.3", UserUnknown),
            ("4.1.6", HasMoved),
            ("5.1.7", Rejected),
            ("5.1.10", NotAccept),
            ("5.2.1", Suspend),
            ("5.2.2", MailboxFull),
            ("5.3.4", EmailTooLarge),
            ("4.3.2", NotAccept),
            ("4.4.1", NetworkError),
            ("5.4.4", HostUnknown),
            ("4.4.4", NetworkError),
            ("4.4.7", Expired),
            ("5.5.3", RateLimited),
            ("5.6.7", ContentError),
            ("5.7.10", FailedStartTls),
            ("5.7.13", Suspend),
            ("5.7.23", AuthFailure),
            ("5.7.25", RequirePtr),
            ("5.7.27", Rejected),
            ("5.7.28", SpamDetected),
            ("5.7.30", FailedStartTls),
            ("5.1.0", UserUnknown),
            ("5.7.1", Blocked),
            ("4.7.0", SecurityError),
            ("4.3.0", SystemError),
        ];
        for (code, reason) in cases {
            assert_eq!(classify(Bounced, None, enh(code), b"").reason, reason, "{code}");
        }
        // Weak codes yield to the stage and to a definite basic code.
        let at_mail = b"host h[192.0.2.1] said: 550 5.1.0 Nope (in reply to MAIL FROM command)";
        assert_eq!(classify(Bounced, Some(550), enh("5.1.0"), at_mail).rule.id, "S3");
        assert_eq!(classify(Bounced, Some(451), enh("4.3.0"), b"").rule.id, "B451");
        assert_eq!(classify(Bounced, Some(550), enh("5.3.0"), b"").rule.id, "E5.3.0");
        // Codes the table does not list fall through to the class.
        assert_eq!(classify(Bounced, None, enh("5.9.9"), b"").rule.id, "C5");
        assert_eq!(classify(Bounced, None, enh("5.1.5"), b"").rule.id, "C5");
    }

    /// Text that makes the parser's stage `stage`.
    fn stage_text(stage: Stage) -> &'static str {
        match stage {
            Stage::Connect => "host h[192.0.2.1] refused to talk to me: nope",
            Stage::Helo => "host h[192.0.2.1] said: nope (in reply to EHLO command)",
            Stage::StartTls => "host h[192.0.2.1] said: nope (in reply to STARTTLS command)",
            Stage::Auth => "host h[192.0.2.1] said: nope (in reply to AUTH command)",
            Stage::Mail => "host h[192.0.2.1] said: nope (in reply to MAIL FROM command)",
            Stage::Rcpt => "host h[192.0.2.1] said: nope (in reply to RCPT TO command)",
            Stage::Data => "host h[192.0.2.1] said: nope (in reply to end of DATA command)",
        }
    }

    #[test]
    fn basic_table_walk() {
        for row in BASIC {
            assert_eq!(row.id, format!("B{}", row.code));
            let text = row.stage.map_or("", stage_text);
            let v = classify(Bounced, Some(row.code), None, text.as_bytes());
            assert_eq!((v.reason, v.rule.id, v.rule.what), (row.reason, row.id, row.what), "{}", row.what);
        }
        // By hand, from section 5.7.
        let cases: [(u16, Option<Stage>, Reason); 14] = [
            (421, None, OnHold),
            (421, Some(Stage::Connect), Blocked),
            (451, None, SystemError),
            (452, None, SystemFull),
            (454, Some(Stage::Auth), SecurityError),
            (501, None, SyntaxError),
            (521, None, NotAccept),
            (525, None, Suspend),
            (535, None, SecurityError),
            (551, None, HasMoved),
            (552, None, MailboxFull),
            (552, Some(Stage::Mail), EmailTooLarge),
            (554, Some(Stage::Connect), Blocked),
            (556, None, NotAccept),
        ];
        for (code, stage, reason) in cases {
            let text = stage.map_or("", stage_text);
            assert_eq!(classify(Bounced, Some(code), None, text.as_bytes()).reason, reason, "{code} {stage:?}");
        }
    }

    #[test]
    fn stages() {
        let cases = [
            ("host h[192.0.2.1] refused to talk to me: 554 go away", Some(Stage::Connect)),
            ("after initial connection: 421 busy", Some(Stage::Connect)),
            ("SMTP error from remote mail server after EHLO me.example: 550 x", Some(Stage::Helo)),
            ("SMTP error from remote mail server after pipelined MAIL FROM:<a@b> SIZE=123: 550 x", Some(Stage::Mail)),
            ("SMTP error from remote mail server after RCPT TO:<a@b>: 550 x", Some(Stage::Rcpt)),
            ("SMTP error from remote mail server after end of data: 550 x", Some(Stage::Data)),
            ("(in reply to DATA command)", Some(Stage::Data)),
            ("Connection refused", None),
        ];
        let mut norm = Vec::new();
        for (text, stage) in cases {
            normalize(text.as_bytes(), &mut norm);
            assert_eq!(stage_of(&norm), stage, "{text}");
        }
    }

    #[test]
    fn bounce_types() {
        use BounceType::{Block, Hard, Soft, Undetermined};
        // (reason, when deferred, when bounced), for a 5xx reply.
        let table: [(Reason, BounceType, BounceType); 31] = [
            (Delivered, BounceType::None, BounceType::None),
            (UserUnknown, Soft, Hard),
            (HostUnknown, Soft, Hard),
            (NotAccept, Soft, Hard),
            (HasMoved, Soft, Hard),
            (MailboxFull, Soft, Soft),
            (Suspend, Soft, Soft),
            (EmailTooLarge, Block, Block),
            (RateLimited, Soft, Soft),
            (Greylisted, Soft, Soft),
            (Blocked, Block, Block),
            (BadReputation, Block, Block),
            (SpamDetected, Block, Block),
            (VirusDetected, Block, Block),
            (AuthFailure, Block, Block),
            (RequirePtr, Block, Block),
            (FailedStartTls, Block, Block),
            (SecurityError, Block, Block),
            (NoRelaying, Block, Block),
            (PolicyViolation, Block, Block),
            (Rejected, Block, Block),
            (ContentError, Block, Block),
            (NotCompliantRfc, Block, Block),
            (NetworkError, Soft, Soft),
            (Expired, Soft, Soft),
            (SystemError, Soft, Soft),
            (SystemFull, Soft, Soft),
            (SyntaxError, Block, Block),
            (MailerError, Block, Block),
            (OnHold, Soft, Undetermined),
            (Undefined, Soft, Undetermined),
        ];
        let listed: Vec<Reason> = table.iter().map(|t| t.0).collect();
        assert_eq!(listed, Reason::ALL);
        for (reason, deferred, bounced) in table {
            assert_eq!(bounce_type(reason, Outcome::Delivered, Some(250), enh("2.0.0")), BounceType::None, "{reason}");
            assert_eq!(bounce_type(reason, Deferred, Some(550), enh("5.0.0")), deferred, "{reason} deferred");
            assert_eq!(bounce_type(reason, Bounced, Some(550), enh("5.0.0")), bounced, "{reason} bounced");
            assert_eq!(bounce_type(reason, Bounced, None, None), bounced, "{reason} bounced, no code");
        }
        // notaccept is hard only when not temporary.
        assert_eq!(bounce_type(NotAccept, Bounced, Some(421), enh("4.3.2")), Soft);
        assert_eq!(bounce_type(NotAccept, Bounced, None, enh("4.3.2")), Soft);
        assert_eq!(bounce_type(NotAccept, Bounced, None, enh("5.1.0")), Hard);
        assert_eq!(bounce_type(NotAccept, Bounced, Some(556), None), Hard);
        // 5.8's end-to-end bounce types.
        let end_to_end = [
            (Bounced, 0, "5.1.0", "Domain nullmx.example does not accept mail (nullMX)", Hard),
            (Bounced, 0, "", ": an MX or SRV record indicated no SMTP service", Hard),
            (
                Bounced,
                550,
                "5.7.27",
                "550 5.7.27 <s@n.example>: Sender address rejected: Domain n.example does not accept mail (nullMX)",
                Block,
            ),
            (Bounced, 552, "5.2.2", "552-5.2.2 The email account that you tried to reach is over quota.", Soft),
            (Deferred, 0, "4.4.1", "connect to mx[192.0.2.1]:25: Connection timed out", Soft),
            (
                Deferred,
                421,
                "4.7.0",
                "host mta5.am0.yahoodns.net[192.0.2.1] said: 421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred",
                Soft,
            ),
            (
                Bounced,
                550,
                "5.0.0",
                "host mx[192.0.2.1] said: 550 No such user here (in reply to RCPT TO command)",
                Hard,
            ),
            (Deferred, 554, "4.7.1", "host mx[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable", Block),
        ];
        for (outcome, code, e, text, want) in end_to_end {
            let v = classify(outcome, basic(code), enh(e), text.as_bytes());
            assert_eq!(bounce_type(v.reason, outcome, basic(code), enh(e)), want, "{text}");
        }
    }

    /// Every row's regex, matched at once as one set: the reference for
    /// [`Matches`], which matches them one by one as asked.
    fn match_all_at_once(normalized: &[u8]) -> Vec<bool> {
        static SET: LazyLock<regex::bytes::RegexSet> = LazyLock::new(|| {
            let sources = COMPILED.rows.iter().map(|r| r.source).filter(|s| !s.is_empty());
            regex::bytes::RegexSetBuilder::new(sources).unicode(false).size_limit(64 << 20).build().unwrap()
        });
        let set = SET.matches(normalized);
        let mut slot = 0;
        COMPILED
            .rows
            .iter()
            .map(|r| {
                if r.source.is_empty() {
                    return true;
                }
                slot += 1;
                set.matched(slot - 1)
            })
            .collect()
    }

    fn assert_rows_match_as_one_set(text: &[u8]) {
        let mut normalized = Vec::new();
        normalize(text, &mut normalized);
        let want = match_all_at_once(&normalized);
        let m = Matches::new(&normalized);
        // Asked in a scrambled order, and twice: the answers do not depend on it.
        for row in (0..want.len()).rev().chain((0..want.len()).step_by(3)).chain(0..want.len()) {
            assert_eq!(
                m.matched(row),
                want[row],
                "row {row} ({}) on {:?}",
                COMPILED.rows[row].source,
                String::from_utf8_lossy(&normalized)
            );
        }
    }

    #[test]
    fn rows_match_one_by_one_as_in_one_set() {
        for (i, v) in VECTORS.iter().enumerate() {
            assert_rows_match_as_one_set(v.3.as_bytes());
            // Two texts in one: several rows match.
            let next = VECTORS[(i * 7 + 3) % VECTORS.len()].3;
            assert_rows_match_as_one_set(format!("{} {next}", v.3).as_bytes());
        }
    }

    #[test]
    fn cached_equals_uncached() {
        let mut classifier = Classifier::new();
        for _ in 0..2 {
            for &(outcome, code, e, text, _, _) in VECTORS {
                let cached = classifier.classify(outcome, basic(code), enh(e), text.as_bytes());
                assert_eq!(cached, classify(outcome, basic(code), enh(e), text.as_bytes()), "{text}");
            }
        }
        // Deliveries are not cached.
        let failures = VECTORS.iter().filter(|v| v.0 != Outcome::Delivered).count();
        assert!(classifier.cached() <= failures);
    }

    #[test]
    fn one_cache_entry_per_normalized_text() {
        let texts = [
            "host mx.example.com[192.0.2.1] said: 550-5.1.1 <bob@example.com>: Recipient address rejected: User unknown in virtual mailbox table 550 5.1.1 a1si123 (in reply to RCPT TO command)",
            "host mx.example.com[198.51.100.77] said: 550-5.1.1 <alice.smith+tag@example.com>: Recipient address rejected: User unknown in virtual mailbox table 550 5.1.1 41be03b00d2f7-7a4d1b2c3e4si123456a.12 (in reply to RCPT TO command)",
            "host  MX.EXAMPLE.COM[2001:db8::1]   said: 550-5.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual mailbox table 550 5.1.1 zz9 (in reply to RCPT TO command)",
        ];
        let mut classifier = Classifier::new();
        let first = classifier.classify(Bounced, Some(550), enh("5.1.1"), texts[0].as_bytes());
        for text in texts {
            assert_eq!(classifier.classify(Bounced, Some(550), enh("5.1.1"), text.as_bytes()), first);
        }
        assert_eq!(classifier.cached(), 1);
        // A different outcome or code is a different entry.
        classifier.classify(Deferred, Some(550), enh("5.1.1"), texts[0].as_bytes());
        classifier.classify(Bounced, Some(550), enh("4.1.1"), texts[0].as_bytes());
        classifier.classify(Bounced, None, enh("5.1.1"), texts[0].as_bytes());
        assert_eq!(classifier.cached(), 4);
    }

    #[test]
    fn cache_is_bounded() {
        let mut classifier = Classifier::new();
        let mut text = String::new();
        for n in 0..(CACHE_MAX_ENTRIES + 10) {
            // Letters only, so every text normalizes differently.
            text.clear();
            let mut k = n;
            loop {
                text.push(char::from(b'a' + (k % 26) as u8));
                k /= 26;
                if k == 0 {
                    break;
                }
            }
            classifier.classify(Bounced, Some(550), None, text.as_bytes());
            assert!(classifier.cached() <= CACHE_MAX_ENTRIES);
        }
        assert!(classifier.key_bytes <= CACHE_MAX_BYTES);
    }

    #[test]
    fn reasons() {
        for (i, r) in Reason::ALL.into_iter().enumerate() {
            assert_eq!(r as usize, i);
            assert_eq!(Reason::from_name(r.as_str()), Some(r));
            assert_eq!(r.to_string(), r.as_str());
            assert!(r.as_str().bytes().all(|b| b.is_ascii_lowercase()), "{r:?}");
            assert!(r.meaning().len() > 20 && r.meaning().ends_with('.'), "{r:?}");
            assert!(r.advice().len() > 10 && r.advice().ends_with('.'), "{r:?}");
        }
        assert_eq!(Reason::ALL[0], Delivered);
        let mut names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Reason::ALL.len());
        let vocabulary = "userunknown hostunknown notaccept hasmoved mailboxfull suspend emailtoolarge ratelimited \
                          blocked badreputation spamdetected virusdetected authfailure requireptr failedstarttls \
                          securityerror norelaying policyviolation rejected contenterror notcompliantrfc networkerror \
                          expired systemerror systemfull syntaxerror mailererror delivered onhold undefined greylisted";
        for name in vocabulary.split_whitespace() {
            assert!(Reason::from_name(name).is_some(), "{name}");
        }
        assert_eq!(vocabulary.split_whitespace().count(), Reason::ALL.len());
        assert_eq!(Reason::from_name("UserUnknown"), None);
    }

    #[test]
    fn normalization() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("   ", ""),
            ("  Hello   World\t\r\n ", "hello world"),
            ("<bob@example.com>: Recipient", "<>: recipient"),
            ("host mx.example.com[192.0.2.1] said:", "host ?[] said:"),
            // Host names are masked, except providers' (their rules need them).
            ("host aspmx.l.google.com[192.0.2.1] said:", "host aspmx.l.google.com[] said:"),
            ("connect to mx.a.example[192.0.2.1]:25: Connection refused", "connect to ?[]:#: connection refused"),
            ("H=mx.a.example [192.0.2.1]: SMTP error", "h=? []: smtp error"),
            ("host mx.a.example [192.0.2.1]: 550 no", "host ? []: # no"),
            ("error for name=a.example type=MX: Host not found", "error for name=? type=mx: host not found"),
            ("is no longer valid. [-20] - mta.yahoo.com", "is no longer valid. [] - mta.yahoo.com"),
            ("connect to mx.example.com[192.0.2.1]:25: Connection timed out", "connect to ?[]:#: connection timed out"),
            ("421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily", "# [tss04] messages from # temporarily"),
            ("[PH01] [HME1] [ABCDE12] [x1] [2607:f8b0::1b   12]", "[ph01] [hme1] [] [] []"),
            ("550-5.1.1 The email 550-5.1.1 account", "# the email # account"),
            (
                "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp",
                "# https://support.google.com/mail/?p=nosuchuser # - gsmtp",
            ),
            ("41be03b00d2f7-7a4d1b2c3e4si123456a.12 - gsmtp", "# - gsmtp"),
            ("Recipient bob.smith+x@example.com not found", "recipient @ not found"),
            ("(bob@yahoo.com) [0]", "(@) []"),
            ("unknown user: \"ghdsgfhdslfh\"", "unknown user: \"\""),
            ("not RFC 5322 compliant, not RFC5322 compliant", "not rfc # compliant, not # compliant"),
            ("for 5 days", "for # days"),
            ("8-bit data", "#-bit data"),
            ("defer (-44): x", "defer (-#): x"),
            ("(S3150).", "(#)."),
            (r"550-Verification failed\n550-an MX", "#-verification failed #-an mx"),
            ("a < b", "a < b"),
            ("open [bracket", "open [bracket"),
            ("caf\u{e9} MX", "caf\u{e9} mx"),
            ("2024-05-01T10:00:00.000Z 12:00 x", "# x"),
            ("version 1.2 of 3", "version # of #"),
        ];
        let mut out = Vec::new();
        for &(text, want) in cases {
            normalize(text.as_bytes(), &mut out);
            assert_eq!(String::from_utf8_lossy(&out), want, "{text:?}");
        }
        // The cap.
        let long = "word ".repeat(1000);
        normalize(long.as_bytes(), &mut out);
        assert_eq!(out.len(), NORMALIZED_MAX);
        // Invalid UTF-8 goes through untouched.
        normalize(b"a\xff\xfeB", &mut out);
        assert_eq!(out, b"a\xff\xfeb");
        // Appending after a key prefix gives the same bytes.
        let mut key = b"0123456789".to_vec();
        normalize_into(b"  550 5.1.1 <x@y> User Unknown ", &mut key);
        normalize(b"  550 5.1.1 <x@y> User Unknown ", &mut out);
        assert_eq!(&key[10..], out.as_slice());
    }

    #[test]
    fn codes_conditions() {
        let e = enh("5.7.606");
        assert!(Codes::ANY.matches(None, None));
        assert!(Codes::enhanced(7, 606).matches(None, e));
        assert!(!Codes::enhanced(7, 606).matches(Some(550), None));
        assert!(Codes::enhanced_in(5, 7, 606, 649).matches(Some(550), e));
        assert!(!Codes::enhanced_in(4, 7, 606, 649).matches(Some(550), e));
        assert!(Codes::exact(556, 5, 1, 10).matches(Some(556), enh("5.1.10")));
        assert!(!Codes::exact(556, 5, 1, 10).matches(Some(550), enh("5.1.10")));
    }

    proptest::proptest! {
        #[test]
        fn random_texts(text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700)) {
            let mut out = Vec::new();
            normalize(&text, &mut out);
            proptest::prop_assert!(out.len() <= NORMALIZED_MAX);
            proptest::prop_assert!(!out.starts_with(b" ") && !out.ends_with(b" "));
            let mut classifier = Classifier::new();
            for (code, e) in [(Some(550), enh("5.1.1")), (None, None), (Some(421), enh("4.7.0"))] {
                let want = classify(Bounced, code, e, &text);
                proptest::prop_assert_eq!(classifier.classify(Bounced, code, e, &text), want);
                proptest::prop_assert_eq!(classifier.classify(Bounced, code, e, &text), want);
            }
        }

        #[test]
        fn mail_like_texts(
            words in proptest::collection::vec(
                "[A-Za-z]{1,8}|[0-9]{1,4}|<[a-z0-9.]{0,12}@[a-z.]{1,10}>|\\[[A-Z0-9.:]{0,8}\\]|[0-9](\\.[0-9]{1,3}){2}|[-.:;,()@\"]|\\\\n",
                0..60,
            ),
            seps in proptest::collection::vec(" |  |\t|", 60),
        ) {
            let text: String = words.iter().zip(&seps).flat_map(|(w, s)| [w.as_str(), s.as_str()]).collect();
            assert_rows_match_as_one_set(text.as_bytes());
            let mut classifier = Classifier::new();
            let want = classify(Deferred, Some(450), enh("4.2.0"), text.as_bytes());
            proptest::prop_assert_eq!(classifier.classify(Deferred, Some(450), enh("4.2.0"), text.as_bytes()), want);
            proptest::prop_assert_eq!(classifier.classify(Deferred, Some(450), enh("4.2.0"), text.as_bytes()), want);
        }
    }

    /// Rough timings of [`Classifier::classify`]:
    /// `cargo test --release --lib classify::reason::tests::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn timing() {
        use std::hint::black_box;
        use std::time::Instant;
        let text = "host mx.example.com[192.0.2.10] said: 550 5.1.1 <user@example.com>: Recipient address \
                    rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)";
        println!("text: {} bytes", text.len());
        LazyLock::force(&COMPILED);
        let mut classifier = Classifier::new();
        classifier.classify(Bounced, Some(550), enh("5.1.1"), text.as_bytes());
        let n = 2_000_000;
        let start = Instant::now();
        for _ in 0..n {
            black_box(classifier.classify(Bounced, Some(550), enh("5.1.1"), black_box(text.as_bytes())));
        }
        println!("hit, same raw text: {:.0} ns", start.elapsed().as_nanos() as f64 / f64::from(n));
        // Same normalized text, a different raw text each time (the address
        // changes): level 1 misses, level 2 hits.
        let variants: Vec<String> = (0..4096u32)
            .map(|i| {
                let tag: String = i.to_string().bytes().map(|b| char::from(b'a' + (b - b'0'))).collect();
                text.replace("<user@", &format!("<user{tag}@"))
            })
            .collect();
        let start = Instant::now();
        for k in 0..n as usize {
            let t = &variants[k % variants.len()];
            black_box(classifier.classify(Bounced, Some(550), enh("5.1.1"), black_box(t.as_bytes())));
        }
        println!("hit, new raw text (normalized hit): {:.0} ns", start.elapsed().as_nanos() as f64 / f64::from(n));
        let mut norm = Vec::new();
        let start = Instant::now();
        for _ in 0..n {
            normalize(black_box(text.as_bytes()), &mut norm);
            black_box(&norm);
        }
        println!("normalize alone: {:.0} ns", start.elapsed().as_nanos() as f64 / f64::from(n));
        // Misses: distinct normalized texts (letters only differ).
        let texts: Vec<String> = (0..20_000u32)
            .map(|i| {
                let tag: String = i.to_string().bytes().map(|b| char::from(b'a' + (b - b'0'))).collect();
                format!("{text} {tag}")
            })
            .collect();
        let start = Instant::now();
        for t in &texts {
            black_box(classifier.classify(Bounced, Some(550), enh("5.1.1"), t.as_bytes()));
        }
        println!("miss: {:.0} ns", start.elapsed().as_nanos() as f64 / texts.len() as f64);
        let start = Instant::now();
        for t in &texts {
            black_box(classify(Bounced, Some(550), None, t.as_bytes()));
        }
        println!("uncached, falls through to B550: {:.0} ns", start.elapsed().as_nanos() as f64 / texts.len() as f64);
    }

    #[test]
    fn providers_cover_every_provider_host() {
        let hosts = [
            "gmail-smtp-in.l.google.com",
            "aspmx.l.googlemail.com",
            "x.mail.protection.outlook.com",
            "mx1.hotmail.com",
            "mail.microsoft.com",
            "mx.live.com",
            "mta6.am0.yahoodns.net",
            "mx.yahoo.com",
            "mx.yahooinc.com",
            "mailin.aol.com",
            "mx01.mail.icloud.com",
            "mx.apple.com",
            "mx.me.com",
            "mx.mac.com",
        ];
        let providers = regex::bytes::RegexSet::new(PROVIDERS.iter().map(|&(_, re)| re)).unwrap();
        for host in hosts {
            assert!(providers.is_match(host.as_bytes()), "{host} is a provider host");
            assert!(PROVIDER_HOSTS.is_match(host), "{host} would be masked");
        }
        // Every literal of the provider patterns is covered.
        for &(_, re) in PROVIDERS {
            for alternative in re.split('|').filter(|a| !a.starts_with("\\[")) {
                let literal = alternative.replace("\\b", "").replace("\\.", ".").replace("(?:inc)?", "");
                assert!(PROVIDER_HOSTS.is_match(&literal), "{literal} from {re}");
            }
        }
    }

    #[test]
    fn group_contents_are_dropped_as_normalize_drops_them() {
        let cases: [(&str, &str); 7] = [
            ("550 5.1.1 <bob@example.com>: User unknown", "550 5.1.1 <>: User unknown"),
            ("host mx[192.0.2.1] said: 421 [TSS04] later", "host mx[] said: 421 [TSS04] later"),
            ("say \"hi there\" now", "say \"\" now"),
            ("unclosed <group", "unclosed <group"),
            ("<a [b> c]", "<> c]"),
            ("", ""),
            ("[[x]]", "[]]"),
        ];
        for (text, want) in cases {
            let mut out = Vec::new();
            drop_group_contents(text.as_bytes(), &mut out);
            assert_eq!(String::from_utf8_lossy(&out), want, "{text:?}");
        }
        // Texts that differ only inside groups share the level-1 key, and the
        // verdict is the one the uncached path gives each of them.
        let mut c = Classifier::new();
        let texts = [
            "host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
            "host mx.example.com[192.0.2.9] said: 550 5.1.1 <someone.else@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
        ];
        for text in texts {
            let e = Some(Enhanced { class: 5, subject: 1, detail: 1 });
            let got = c.classify(Outcome::Bounced, Some(550), e, text.as_bytes());
            assert_eq!(got, classify(Outcome::Bounced, Some(550), e, text.as_bytes()));
        }
        assert_eq!(c.cached(), 1);
    }

    #[test]
    fn equal_group_keys_mean_equal_normalizations() {
        // Random texts over the bytes that matter to normalization; each is
        // compared with a copy whose dropped group contents are replaced by
        // other bytes (the closing byte excepted, so the groups stay put).
        let alphabet = b"ab1 .-_@<>[]\"\\nT:;#";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 60) as usize;
            let text: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let mut other = text.clone();
            let mut i = 0;
            while let Some(at) = memchr::memchr3(b'<', b'[', b'"', &text[i..]).map(|j| i + j) {
                let close = match text[at] {
                    b'<' => b'>',
                    b'[' => b']',
                    _ => b'"',
                };
                let window = &text[at + 1..text.len().min(at + 1 + GROUP_MAX)];
                match memchr(close, window) {
                    Some(len) => {
                        if !(close == b']' && is_provider_code(&window[..len])) {
                            for b in &mut other[at + 1..at + 1 + len] {
                                let mut c = alphabet[(next() % alphabet.len() as u64) as usize];
                                if c == close {
                                    c = b'x';
                                }
                                *b = c;
                            }
                        }
                        i = at + len + 2;
                    }
                    None => i = at + 1,
                }
            }
            let (mut ka, mut kb) = (Vec::new(), Vec::new());
            drop_group_contents(&text, &mut ka);
            drop_group_contents(&other, &mut kb);
            if ka != kb {
                continue; // the replacement made a provider code: another key
            }
            let (mut na, mut nb) = (Vec::new(), Vec::new());
            normalize(&text, &mut na);
            normalize(&other, &mut nb);
            assert_eq!(na, nb, "{:?} vs {:?}", String::from_utf8_lossy(&text), String::from_utf8_lossy(&other));
        }
    }
}
