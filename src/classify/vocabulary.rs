//! The classifier's words: why a delivery failed ([`Reason`]), what that
//! says about the address ([`BounceType`]), and the answer with the rule
//! that gave it ([`Verdict`]). Every layer that counts or reports failures
//! speaks these; they know nothing of how a reason is decided.

use std::fmt;

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
    /// Refused by the recipient's own filter (after the message data,
    /// often worded as an unknown user).
    Filtered,
    /// The relay did not send: the address is on its suppression list.
    Suppressed,
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
    pub const ALL: [Reason; 33] = [
        Reason::Delivered,
        Reason::UserUnknown,
        Reason::HostUnknown,
        Reason::NotAccept,
        Reason::HasMoved,
        Reason::MailboxFull,
        Reason::Suspend,
        Reason::Filtered,
        Reason::Suppressed,
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
            Reason::Filtered => "filtered",
            Reason::Suppressed => "suppressed",
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
            Reason::Filtered => {
                "The recipient's server took the message data and then refused it by a filter of the \
                 recipient (rules, allow lists, preferences), often worded as an unknown user."
            }
            Reason::Suppressed => {
                "A relay on the way (an e-mail service provider) did not even try: the address is on its \
                 suppression list after earlier bounces or complaints."
            }
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
                "Correct the address (often a typo or a parked, web-only domain) or remove it: the domain \
                 says it takes no mail (a null MX). A refusal by one host (521, X.3.2) is not enough: the \
                 domain's other MX hosts may take mail; a 4xx variant is temporary and retried."
            }
            Reason::HasMoved => {
                "Stop sending to this address; use the new address if the reply names one, otherwise ask \
                 the recipient for it."
            }
            Reason::MailboxFull => {
                "Treat it as a soft bounce, even when it arrived as a 5xx (RFC 3463 calls a full mailbox \
                 transient): the MTA retries a 4xx by itself; after a 5xx, send again later. Suppress the \
                 address only after repeated failures over several days (an abandoned mailbox fills up \
                 and stays full)."
            }
            Reason::Suspend => {
                "Pause sending to the address and retry after a few days; if the account stays disabled \
                 for weeks, remove it."
            }
            Reason::Filtered => {
                "Do not suppress the address on one event: the refusal came after the data, so it may be \
                 the content or the sender the recipient filters; if it repeats for every message, treat \
                 the address as unknown."
            }
            Reason::Suppressed => {
                "Look the address up in the relay's suppression list (the provider's dashboard or API) and \
                 find the earlier bounce or complaint that put it there; remove it from the list only if \
                 the address is known to work again."
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
                "A problem on the way between the servers: after a 4xx the MTA retries by itself, after \
                 a 5xx or an expiry it has given up. If it persists, check outbound connectivity to port \
                 25 (firewall, ISP block), your DNS resolver and the destination's MX hosts; a loop needs \
                 an MX or routing fix."
            }
            Reason::Expired => {
                "Look at the deferrals before the expiry for the real cause; if the destination was just \
                 down for long, send again later. An expiry alone is not a hard bounce."
            }
            Reason::SystemError => {
                "Usually the destination's problem: after a 4xx the MTA retries by itself; after a 5xx, \
                 send again once it is fixed, and tell its postmaster if it persists."
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
    pub(super) const fn new(reason: Reason, id: &'static str, what: &'static str, detail: &'static str) -> Verdict {
        Verdict { reason, rule: Rule { id, what }, detail }
    }
}

pub(super) const DELIVERED: Verdict = Verdict::new(Reason::Delivered, "D", "the MTA logged a delivery", "");
