//! The knowledge behind [`decide`](super::decide): ordered text patterns,
//! provider rules, and the enhanced-code, stage and basic-code tables.
//!
//! Plain data, no logic. The decision order that reads these tables is in [`classify`](super::decide::classify).
//!
//! # The patterns see the normalized text
//!
//! Every regular expression here is matched against the *normalized* text
//! ([`normalize`](super::normalize::normalize)), never the raw one:
//! ASCII lower case; the contents of `<…>`, `"…"` and `[…]` dropped (except
//! short provider codes such as `[tss04]`); e-mail addresses replaced by `@`;
//! every run of letters and digits that contains a digit replaced by `#`;
//! runs of number-only tokens collapsed into one `#`; whitespace collapsed.
//! So the patterns are written in lower case, name no digits, and use `#`
//! where the reference patterns had numbers:
//!
//! * P05's `556 5.1.10` is a code condition (`Codes::exact(556, 5, 1, 10)`);
//! * P08's `5.4.1 … access denied` keeps the text and moves `5.4.1` into
//!   a code condition;
//! * P17's `message size \d+ exceeds` is `message size # exceeds`;
//! * P02's `rfc.5321` is `rfc.#` (or `#` when written `rfc5321`);
//! * P39's `for \d+ days` is `for # days`;
//! * P42's `rfc ?5322` is `rfc #` or `#`;
//! * P43's `8-bit` is `#-bit`;
//! * Microsoft's `(S3150)` is `(#)`: P28 keys on the "block list" wording;
//! * Yahoo's `[TSS04]` survives normalization as `[tss04]` (2–4 letters and
//!   1–3 digits in square brackets are kept).

use super::vocabulary::Reason;
use crate::parse::Enhanced;

/// Where a text pattern sits in the decision order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Step 2: a text only Postfix or Exim themselves write (no remote
    /// reply), matched before provider rules and generic patterns.
    Local,
    /// Step 4: the ordered generic patterns P01–P52.
    Generic,
}

/// A condition on the codes of an event; every field that is set must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Codes {
    /// The basic reply code.
    pub basic: Option<u16>,
    /// The enhanced code's class (2, 4 or 5).
    pub class: Option<u8>,
    /// The enhanced code's subject.
    pub subject: Option<u16>,
    /// The enhanced code's detail, an inclusive range.
    pub detail: Option<(u16, u16)>,
}

impl Codes {
    /// No condition.
    pub const ANY: Codes = Codes { basic: None, class: None, subject: None, detail: None };

    /// An enhanced code `X.subject.detail` of any class.
    pub const fn enhanced(subject: u16, detail: u16) -> Codes {
        Codes { basic: None, class: None, subject: Some(subject), detail: Some((detail, detail)) }
    }

    /// An enhanced code `class.subject.lo`…`class.subject.hi`.
    pub const fn enhanced_in(class: u8, subject: u16, lo: u16, hi: u16) -> Codes {
        Codes { basic: None, class: Some(class), subject: Some(subject), detail: Some((lo, hi)) }
    }

    /// Exactly this basic code with this enhanced code.
    pub const fn exact(basic: u16, class: u8, subject: u16, detail: u16) -> Codes {
        Codes { basic: Some(basic), class: Some(class), subject: Some(subject), detail: Some((detail, detail)) }
    }

    /// Whether `code` and `enhanced` satisfy the condition.
    pub fn matches(&self, code: Option<u16>, enhanced: Option<Enhanced>) -> bool {
        if self.basic.is_some() && self.basic != code {
            return false;
        }
        if self.class.is_none() && self.subject.is_none() && self.detail.is_none() {
            return true;
        }
        let Some(e) = enhanced else { return false };
        self.class.is_none_or(|c| c == e.class)
            && self.subject.is_none_or(|s| s == e.subject)
            && self.detail.is_none_or(|(lo, hi)| (lo..=hi).contains(&e.detail))
    }
}

/// One text pattern: matched against the normalized text, and only when its
/// code condition holds too.
#[derive(Clone, Copy, Debug)]
pub struct Pattern {
    /// Rule id (`L03`, `P28`).
    pub id: &'static str,
    /// Step 2 (MTA-local texts) or step 4 (generic patterns).
    pub step: Step,
    /// A condition on the codes, usually [`Codes::ANY`].
    pub codes: Codes,
    /// Regular expression over the normalized text (empty: always matches).
    pub regex: &'static str,
    /// The reason it decides.
    pub reason: Reason,
    /// A finer tag (`null_mx`, `dnsbl`), or empty.
    pub detail: &'static str,
    /// What it matched, in a few words, for `bounces explain`.
    pub what: &'static str,
}

const fn local(
    id: &'static str,
    regex: &'static str,
    reason: Reason,
    detail: &'static str,
    what: &'static str,
) -> Pattern {
    Pattern { id, step: Step::Local, codes: Codes::ANY, regex, reason, detail, what }
}

const fn generic(
    id: &'static str,
    regex: &'static str,
    reason: Reason,
    detail: &'static str,
    what: &'static str,
) -> Pattern {
    Pattern { id, step: Step::Generic, codes: Codes::ANY, regex, reason, detail, what }
}

const fn generic_if(
    id: &'static str,
    codes: Codes,
    regex: &'static str,
    reason: Reason,
    detail: &'static str,
    what: &'static str,
) -> Pattern {
    Pattern { id, step: Step::Generic, codes, regex, reason, detail, what }
}

/// The text patterns in decision order: first the MTA-local texts (step 2,
/// `L..`), then the generic patterns P01–P52 (step 4). Within each step the
/// first matching row wins; the generic rows are in that order, not in
/// number order (P44–P52 came later and sit where their wording must win
/// over a vaguer row).
///
/// The local rows are anchored or worded so that they match only what
/// Postfix or Exim write themselves; the same wording inside a remote
/// reply (a relay quoting it) falls through to the generic row that covers
/// it (P03, P04, P33, P34, P36, P38, P39).
pub static PATTERNS: &[Pattern] = {
    use Reason::*;
    &[
        // ---- Step 2: texts Postfix and Exim write themselves --------------
        local(
            "L01",
            r"^domain \S+ does not accept mail \(nullmx\)$",
            NotAccept,
            "null_mx",
            "Postfix: the recipient domain publishes a null MX",
        ),
        local(
            "L02",
            r"^(?:<> ?)?(?:r=\S+ )?:? ?an mx or srv record indicated no smtp service$",
            NotAccept,
            "null_mx",
            "Exim: the recipient domain publishes a null MX",
        ),
        local(
            "L03",
            r"^host or domain name not found\. name service error for name=\S+ type=\S+ host not found$",
            HostUnknown,
            "",
            "Postfix: the domain does not exist in DNS (Host not found)",
        ),
        local(
            "L04",
            r"name service error for name=\S+ type=\S+ host not found, try again|malformed or unexpected name server reply",
            NetworkError,
            "dns_tempfail",
            "Postfix: temporary DNS failure (Host not found, try again)",
        ),
        local(
            "L05",
            r"^mail for \S+ loops back to myself$",
            SystemError,
            "mx_loop",
            "Postfix: the best MX for the domain is this host",
        ),
        local(
            "L06",
            r"^(?:delivery temporarily suspended: )?connect to \S+: ",
            NetworkError,
            "",
            "Postfix: the TCP connection to the server failed",
        ),
        local(
            "L07",
            r"^(?:delivery temporarily suspended: )?(?:lost connection with \S+ while |conversation with \S+ timed out while )",
            NetworkError,
            "",
            "Postfix: the connection was lost or timed out mid-session",
        ),
        local(
            "L08",
            r"^(?:delivery temporarily suspended: )?unable to find primary relay for ",
            NetworkError,
            "",
            "Postfix: a backup MX cannot reach the primary",
        ),
        local(
            "L09",
            r"^(?:delivery temporarily suspended: )?(?:tls is required, but was not offered by host |cannot start tls|client tls configuration problem|tlsa lookup error|server certificate not (?:verified|trusted)|sender requested requiretls)",
            FailedStartTls,
            "",
            "Postfix: the TLS policy could not be met",
        ),
        local(
            "L10",
            r"^message size # exceeds size limit # of server ",
            EmailTooLarge,
            "",
            "Postfix: the message exceeds the SIZE the server announced",
        ),
        local(
            "L11",
            r"^message requires #, but ",
            ContentError,
            "smtputf8",
            "Postfix: no server on the path supports SMTPUTF8",
        ),
        local(
            "L12",
            r"error writing message: (?:file too large|disk quota exceeded)|mailbox is full \(mta-imposed ",
            MailboxFull,
            "",
            "Postfix or Exim local delivery: the mailbox is over quota",
        ),
        local(
            "L13",
            r"error writing message: no space left on device",
            SystemFull,
            "",
            "Postfix local delivery: the file system is full",
        ),
        local(
            "L14",
            r"^(?:<> ?)?(?:r=\S+ )?:? ?(?:unrouteable address|all relevant mx records point to non-existent hosts|all host address lookups for '\S+' failed permanently)",
            HostUnknown,
            "",
            "Exim: the address cannot be routed: no such domain (Unrouteable address at a single-label domain is no such user)",
        ),
        local(
            "L15",
            r"host lookup (?:for \S+ )?did not complete|all host address lookups for '\S+' failed temporarily",
            NetworkError,
            "dns_tempfail",
            "Exim: temporary DNS failure",
        ),
        local(
            "L16",
            r"(?:defer \(#\):|h=\S+ \[\]\S*) (?:connection (?:timed out|refused|reset by peer)|no route to host|network is unreachable)|smtp timeout after |remote host closed connection in response to ",
            NetworkError,
            "",
            "Exim: connection failed, timed out or closed",
        ),
        local(
            "L17",
            r"retry time not reached for (?:any host|other hosts)",
            NetworkError,
            "retry_wait",
            "Exim: waiting to retry hosts that failed before",
        ),
        local(
            "L18",
            r"all hosts for '\S+' have been failing for a long time",
            Expired,
            "",
            "Exim: every host has failed past the retry cutoff",
        ),
        local("L19", r"retry timeout exceeded$", Expired, "", "Exim: retry timeout exceeded, Exim gave up"),
        // ---- Step 4: generic patterns P01–P52 ------------------------------
        // The rows are in decision order, not in number order: the later
        // rows (P44 on) sit where their wording must win over a vaguer one.
        generic(
            "P01",
            r"sender address rejected: domain \S+ does not accept mail \(nullmx\)|sender (?:address|domain) has (?:a )?null mx",
            Rejected,
            "sender_null_mx",
            "the sender's domain has a null MX",
        ),
        // Before P02: an SPF or DMARC verdict worded as a sender refusal is
        // the authentication failure (Sisimai reads authentication first).
        generic(
            "P44",
            r"(?:spf|dkim|dmarc) sender invalid|aup#cxsndr|please inspect your spf|per it'?s spf record|spf\.pobox\.com|openspf\.(?:net|org)/why|bad spf records?|does not designate \S+ as permitted sender|spf check: fail|must pass either spf or dkim|spf record of the sending domain|(?:required|the) authentication (?:level|requirements)|does not pass dmarc",
            AuthFailure,
            "",
            "SPF or DMARC named as the cause of the refusal",
        ),
        generic(
            "P02",
            r"sender address rejected|sender verif(?:y|ication) fail|sender (?:denied|rejected)|unroutable sender|unresolvable (?:rfc\.?#|#) (?:from )?domain|\bbatv\b",
            Rejected,
            "sender",
            "the envelope sender was refused",
        ),
        // Before P28: a sender address on a block list is the sender's
        // problem (`rejected`), not the sending IP's.
        generic(
            "P45",
            r"sender (?:e-?mail |address |domain )?(?:<> |@ )?(?:has been |is )?(?:black ?listed|in my black ?list)|sender (?:e-?mail |address )?(?:<> |@ )?(?:has been |is )?listed (?:in|on|at) |(?:your|the) e-?mail address (?:has been|is) black ?listed|an address that has been black ?listed|\(sender black ?listed\)|envelope blocked|sender not pre-approved|sender is spammer|invalid sender|empty envelope senders? not allowed|null sender is not allowed|bogus mail from|returned mail not accepted here|fully qualified e-?mail address required|mail from not owned by user|from: domain is invalid|this server does not accept mail from|sender e-?mail address rejected|sender was rejected|empty e-?mail address|purported responsible address|without a valid sender domain|delivery not authorized, message refused|not allowed to post to this (?:mailing )?list|e-?mail address is not verified|not a registered gateway user|domain of sender address|mail sending denied|sender domain is empty|no third-party dsns|sender (?:was )?not authenticated (?:by organization|for (?:mailbox|group|public folder))|sender not in allowed-senders list|unknown sender address|spam abuse detected|bad outbound sender|sending from unregistered domains|blocked senders|block policy for (?:header|envelope) from|aup#cxsmtp|emetteur invalide|administrative prohibition|backscatter protection|list of senders to accept mail from|denied by secumail|senderfilterconfig|invalid domain, see <|recursive cname records|rule imposed mailbox access|from a different address or alias|spam reporting address|unsigned dsn|access to submit messages to this e-?mail system",
            Rejected,
            "sender",
            "the sender address was refused or is on a block list",
        ),
        generic(
            "P48",
            r"suppression list|suppressed (?:sending )?to this address|address (?:is|has been) suppressed|not delivering to (?:a )?previously bounced address",
            Suppressed,
            "",
            "the address is on the relay's suppression list",
        ),
        generic("P03", r"does not accept mail \(nullmx\)", NotAccept, "null_mx", "null MX (Postfix wording)"),
        generic(
            "P04",
            r"an mx or srv record indicated no smtp service",
            NotAccept,
            "null_mx",
            "null MX (Exim wording)",
        ),
        generic(
            "P05",
            r"recipient address has null mx|returned null mx|doesn't receive e-?mail according to the administrator",
            NotAccept,
            "null_mx",
            "recipient domain has a null MX",
        ),
        generic_if(
            "P05",
            Codes::exact(556, 5, 1, 10),
            "",
            NotAccept,
            "null_mx",
            "556 5.1.10: recipient domain has a null MX",
        ),
        generic(
            "P06",
            r"(?:host|domain|host/domain) does not accept (?:any )?mail|mail receiving disabled|no mx record found for domain",
            NotAccept,
            "",
            "the host or domain accepts no mail",
        ),
        generic(
            "P07",
            r"resolver\.adr\.(?:recipnotfound|recipientnotfound|exrecipnotfound)|recipient not found by smtp address lookup",
            UserUnknown,
            "ms_resolver",
            "Microsoft RESOLVER.ADR: recipient not found",
        ),
        generic_if(
            "P08",
            Codes::enhanced(4, 1),
            r"recipient address rejected: access denied",
            UserUnknown,
            "o365_dbeb",
            "5.4.1 Access denied: not in the Microsoft 365 directory",
        ),
        generic(
            "P09",
            r"user unknown in (?:local recipient|virtual mailbox|virtual alias|relay recipient) table",
            UserUnknown,
            "postfix_table",
            "Postfix: user unknown in a recipient table",
        ),
        generic("P10", r#"unknown user: ""#, UserUnknown, "postfix_local", "Postfix local delivery: unknown user"),
        generic(
            "P11",
            r"the email account that you tried to reach does not exist|p=nosuchuser",
            UserUnknown,
            "gmail",
            "Gmail: the account does not exist",
        ),
        generic("P12", r"this user doesn't have a \S+ account", UserUnknown, "yahoo", "Yahoo/AOL: no such account"),
        // After the providers' and MTAs' own unknown-user wordings (P07–P12):
        // a user-unknown wording answered to the message data. The server
        // read the message before refusing, so its filter refused it.
        generic(
            "P46",
            r"(?:user unknown|unknown user|no such (?:user|mailbox|recipient)|(?:user|mailbox|recipient) (?:not found|does not exist))[^()]*\(in reply to (?:end of )?data command\)|after (?:end of )?data\b.*(?:user unknown|unknown user|no such (?:user|mailbox|recipient)|(?:user|mailbox|recipient) (?:not found|does not exist))",
            Filtered,
            "after_data",
            "an unknown-user reply to the message data: the recipient's filter",
        ),
        generic(
            "P47",
            r"message rejected due to user rules|refused due to recipient preferences|user refuses to receive this mail|recipient is only accepting mail from specific|you have been blocked by the recipient|refuse to receive mail|has restricted sms e-?mail|account is protected by|is not accepting any mail|cannot route mail to user|not found recipient account|\buser reject",
            Filtered,
            "",
            "the recipient's filter or preferences refused the message",
        ),
        // Before P28 (`listed in`): the directory has no such person.
        generic(
            "P49",
            r"not listed in (?:the )?(?:public )?(?:name (?:&|and) address book|domino directory)|no such person at this address|address not present in directory|is not a known user|no account by that name|no mailbox (?:here )?by that name|there is no one at this address|not a valid recipient|non-?existent user|unknown local-?part|badrcptto|not in my validrcptto|destination addresses were unknown|unknown or illegal alias|is not a valid (?:mailbox|user)|not a valid user here|no mailbox found|mailbox not present|is not an active address at this host|e-?mail address (?:you entered )?(?:does not exist|could not be found|couldn't be found)|(?:user|recipient) not exist|user not known|user \S+ was not found|user \(\S*\) unknown|recipient \S+ was not found in|does not exist at the organization|no \S+ in name directory|unknown e-?mail address|user's e-?mail name is not found|e-?mail address is wrong|badrecipientto|user missing home directory|unknown virtual user|can'?t accept user|destination server rejected recipients|no valid recipients|no mail ?box available for this user|envelope recipient has been denied|rejected: account unavailable|mailbox unavaiable|utilisateur inconnu|no existe (?:dicha persona|ese usuario)|nessun utente simile|adresse nicht gefunden wurde",
            UserUnknown,
            "generic",
            "the recipient is not in the directory or does not exist",
        ),
        generic(
            "P13",
            r"the email account that you tried to reach is (?:disabled|inactive)|this mailbox is disabled|is no longer valid|(?:mailbox|account) (?:is )?(?:currently )?(?:disabled|suspended|deactivated|inactive|frozen)|(?:mailbox|account|user) has been (?:disabled|suspended|deactivated|frozen|locked)|p=disableduser|suspend the service|user suspended|temporar(?:il)?y (?:locked|inactive)|inactive (?:account|user)|is a deactivated mailbox|user is terminated|archived recipient|compte du destinataire est bloque|recipient account is ?blocked|account is locked|disabled or discontinued|no longer accepts mail|user or domain is disabled|policy rejection on the target address|is currently suspended|has been temporarily suspended|boite du destinataire archivee",
            Suspend,
            "",
            "the mailbox is disabled, frozen or suspended",
        ),
        generic("P14", r"recipient no longer on server|has been replaced by", HasMoved, "", "the mailbox has moved"),
        generic(
            "P15",
            r"insufficient system (?:storage|resources)|mail system full|insufficient disk space|requested mail action aborted: exceeded storage allocation",
            SystemFull,
            "",
            "the receiving system is out of storage",
        ),
        generic(
            "P16",
            r"(?:mailbox|inbox|mailfolder|maildir)(?: is)? (?:full|over quota)|out of storage space|over (?:the )?(?:allowed )?quota|quota (?:exceed(?:ed)?|violation)|exhausted (?:the |its )?allowed storage|exceeded (?:its |their )?(?:storage|disk space|mailbox quota)|disk quota exceeded|error writing message: file too large|p=overquota|full mailbox|overquota|boite du destinataire pleine|mailbox (?:has )?exceeded|mailbox size limit|exceeds allowed size|would exceed (?:the )?maximum allowed storage|user has exceeded|too many messages on the server|space has been used up",
            MailboxFull,
            "",
            "the mailbox is full or over quota",
        ),
        generic(
            "P17",
            r"message (?:size|length) (?:# )?exceeds|message (?:file )?too (?:big|large)|exceed(?:s|ed)? (?:the )?(?:\S+ )?(?:maximum|fixed|message) (?:\S+ )?size|size limit|max(?:imum)? (?:message|e-?mail) size|taille limite du message",
            EmailTooLarge,
            "",
            "the message is too large",
        ),
        generic(
            "P18",
            r"relay(?:ing)? (?:access )?(?:denied|not permitted)|unable to relay|not (?:permitted|allowed) to relay|we don't handle mail for|isn't in my list of allowed rcpthosts|no relaying|not configured to relay|not an open relay|not a gateway|as a relay\b|insecure mail relay|relaying mail to|invalid credentials for relay|open relay not allowed|not authorized to send e-?mail directly to our servers",
            NoRelaying,
            "",
            "relaying denied",
        ),
        generic(
            "P19",
            r"\b(?:dmarc|spf|dkim)\b.{0,60}(?:fail|policy|not pass|authenticat)|fails? to pass (?:\S+ )?authentication|senders to authenticate|unauthenticated email|sender policy framework",
            AuthFailure,
            "",
            "SPF, DKIM or DMARC failed",
        ),
        generic(
            "P20",
            r"\bptr record|reverse dns|aup#cxdns|dns check failure|\brdns\b|cannot find your (?:reverse )?hostname|reverse (?:dns )?lookup|ip name lookup failed|bad dns ptr|cannot resolve your address|forward dns entry does not point to the sending ip|unresolvable relay host name|generic dns ptr|mismatches client ip|unverifyable sending ips",
            RequirePtr,
            "",
            "no valid reverse DNS (PTR) for the sending IP",
        ),
        generic(
            "P21",
            r"(?:very low|poor|bad) reputation|rate limited due to ip reputation|reputation (?:score|problems)|ip reputation - \(reject\)",
            BadReputation,
            "",
            "poor sender reputation",
        ),
        generic(
            "P22",
            r"unusual rate of (?:unsolicited )?mail",
            Blocked,
            "gmail_unusual_rate",
            "Gmail: unusual rate of unsolicited mail",
        ),
        generic(
            "P23",
            r"temporarily deferred due to unexpected volume or user complaints",
            RateLimited,
            "yahoo_tss",
            "Yahoo: deferred for volume or complaints",
        ),
        generic(
            "P24",
            r"receiving mail (?:too quickly|at a rate that prevents)|try again slower|rate limit(?:ed)?|too many (?:connections|concurrent|messages|sessions|recipients)|throttl|excessive volume|max message per connection|max(?:imum)? (?:e-?mails|messages) per (?:hour|minute|day)|too many errors from your ip|trop de connexions|connection limit|daily (?:user )?(?:sending|smtp relay) (?:quota|limit|sending limit)|relay limit exceeded|sending limit exceeded|has exceeded the max|thread limit|aup#cx(?:cnct|mxrt)|message threshold exceeded|connection count limit",
            RateLimited,
            "",
            "sending too fast: rate, connection or recipient limit",
        ),
        // Before P25 and P27: Gmail's RFC 5322 refusals end in "to reduce
        // the amount of spam ... this message has been blocked".
        generic(
            "P42",
            r"not (?:rfc ?)?# compliant|not rfc compliant|rfcmessagenoncompliant|missing a valid message-id|multiple addresses in from|duplicate header|\bmultiple \S+ headers?\b|missing a valid address in the from: header|encoded-word syntax is not permitted|mail message is malformed",
            NotCompliantRfc,
            "",
            "the message is not RFC 5322 compliant",
        ),
        generic(
            "P25",
            r"likely unsolicited|(?:detected|classified|identified|considered|marked|rejected|scored) as spam|spam (?:detected|content|message rejected|blocked|refused|rejection|not accepted|score|check)|message content rejected|content filter|looks like spam|appears to be (?:unsolicited|spam)|high probability of spam|nature of the content or the links|probable spam|spam-like|message filtered|unacceptable content|suspected spam|spam filter|spamassassin score|possible spam|seems to be (?:a )?spam|thinks this e-?mail is spam|probably spam|we don'?t accept spam|bulk\.advertising|as (?:a )?bulk (?:e-?mail|mail)|- bulk e-?mail|rejected for policy reasons|antispam checks|triggered a spam block|may contain the spam|spam points|spam or virus|rejected by \S+ \(spam\)|spamprofiler|rejecting (?:banned|mail) content|mail content denied|spam email|similar to spam|recurrent pattern detection|suspicion of spam|flagged as spam|identified spam|spamming not allowed|spam complaints|too much spam|looked like spam|spam message not queued|mail score \(\S*\) over|probability of being spam|due to spam (?:classification|content|list)|blocked by our filter|unsolicited bulk e-?mail|may consider spam|no spam please|att\.net/blocks| - spam\b",
            SpamDetected,
            "",
            "the content was judged to be spam",
        ),
        // Before P28: a domain or URL of the message body on a block list
        // is the content's problem, not the sending IP's.
        generic(
            "P50",
            r"black ?listed (?:url|link|domain)s? in (?:the )?(?:message|body|content)|\buribl\b|\bsurbl\b|(?:url|link)s? (?:in (?:the |your )?(?:message|body|content) )?(?:is |are )?(?:black ?|block ?)?listed|contains? (?:a |an )?(?:black ?listed|blocked|listed) (?:url|link|domain)|sender domain listed at|dbl\.spamhaus",
            SpamDetected,
            "uribl",
            "a link or domain in the message is on a block list",
        ),
        // `virus`, `malware`, `infected` as words, but not inside a host
        // name such as `virus.example.net` or `mx.virus-scan.example`.
        generic(
            "P26",
            r#"(?:^|[\s"'(:;,/])(?:virus(?:es)?|malware|infected)(?:$|[\s"'):;,!?/]|\.(?:$|\s))"#,
            VirusDetected,
            "",
            "a virus or malware was found",
        ),
        generic(
            "P27",
            r"policy (?:violation|reasons)|denied by policy|local policy|organization(?:al)? (?:policy|settings)|prohibited attachment|illegal attachment|content presents a potential security issue|content policy|attachment type not (?:allowed|permitted)|security policies|has a policy that prohibited|closed mailing list|members-only list|not subscribed to this group|message given low priority|header error|header are not accepted|not accepting mail with|images or other attachments|mass mailer|anti-spoofing policy|content examination policy|attachment extension is forbidden|no data before greeting|protocol violation|without solving a captcha",
            PolicyViolation,
            "",
            "refused by a policy of the receiving side",
        ),
        generic(
            "P28",
            r"blocked using |listed (?:at|in|on) |black ?list(?:ed)?|block ?list|spamhaus|barracudacentral|spamcop|\brbl\b|dnsbl|will be permanently deferred",
            Blocked,
            "dnsbl",
            "the sending IP is on a blocklist",
        ),
        // `blocked` as a word, but not inside a host name. `access denied`
        // only in Microsoft's wordings about the sending host: alone it is
        // said of senders, recipients and mailboxes too.
        generic(
            "P29",
            r"access denied, (?:banned sending ip|banned sender|bad helo|rejected by recipient|please try again later)|not accepting connections|block for spam|(?:^|[^\w.-])blocked(?:$|[^\w.-]|[.-](?:$|\s))",
            Blocked,
            "",
            "the sender was blocked",
        ),
        // Before P34 and P35: a refused HELO or client host is about us.
        // (A HELO refused for its syntax, 501/504 5.5.2, stays with the
        // code: `syntaxerror`.)
        generic(
            "P51",
            r"helo command rejected: (?:host not found|access denied)|bad sender ip address|sender ip address rejected|client host rejected|dynamic ip|dynamic/zombied|extreme bad ip profile|host network not allowed|invalid ip for sending mail|no access from mail server|not currently accepting mail from your ip|please use the smtp server of your isp|rejecting open proxy|server access forbidden by your ip|too many spams from your ip|too many unwanted messages have been sent|you are not allowed to connect|(?:you are|currently) sending spam|your server requires confirmation|confirm this mail server|suspiciously like spammer|listed as abusive|rejected based on blacklist|ip not in whitelist|aup#(?:cxbl|cdrbl)|too many invalid recipients|too many bad commands|refused - see |mail from # refused|has not passed validation|your access ip|no matches to nameserver query|is not allowed to send mail from",
            Blocked,
            "",
            "the sending host or its HELO was refused",
        ),
        generic("P30", r"gr[ae]ylist", Greylisted, "", "greylisting"),
        generic(
            "P31",
            r"tls is required, but was not offered|cannot start tls|starttls (?:is required|failed)|tls (?:handshake|negotiation) fail|must issue a starttls command first|tls required|certificate (?:verification failed|expired|not trusted)|server certificate not verified|requiretls|tls session: \((?:ssl_connect|gnutls_handshake)\)",
            FailedStartTls,
            "",
            "TLS required or failed",
        ),
        generic(
            "P32",
            r"authentication (?:required|failed|failure|credentials invalid)|incorrect authentication data|sasl authentication failed|client was not authenticated|unauthenticated senders not allowed|not subscribed to ses|too many login attempts|application-specific password required|username and password not accepted|log in (?:with|through) your web browser|no identity changes permitted|aup#cx(?:thrt|mj)|authentification (?:invalide|requise)|authentication is required|authentication turned on in your e-?mail client|is a dead domain|not authorized to perform ses:|executable files are not allowed",
            SecurityError,
            "",
            "SMTP authentication required or failed",
        ),
        generic(
            "P33",
            r"host not found, try again|temporary failure in name resolution|name service error.*try again|malformed or unexpected name server reply|host lookup did not complete|dns (?:temporary|timeout|lookup failure)",
            NetworkError,
            "dns_tempfail",
            "temporary DNS failure",
        ),
        generic(
            "P34",
            r"host or domain name not found|unrouteable address|unroutable address|all relevant mx records point to non-existent hosts|no such domain|\bdomain (?:\S+ )?(?:not found|does not exist)|name or service not known|nxdomain|\bhost unknown|\bunknown host\b|domain (?:is not reachable|must exist)|mail domain mentioned in e-?mail address is unknown|unknown domain name",
            HostUnknown,
            "",
            "the recipient domain does not exist",
        ),
        generic(
            "P35",
            r"no such (?:user|mailbox|recipient|address)|user (?:unknown|not found|does not exist)|unknown (?:user|recipient|mailbox)|(?:mailbox|recipient|address) (?:not found|does not exist|unknown|invalid)|recipient (?:mailbox )?unavailable|invalid (?:recipient|mailbox)|recipient address rejected: (?:invalid user|unknown user|user unknown)|bad destination mailbox address",
            UserUnknown,
            "generic",
            "the recipient does not exist",
        ),
        // "Mailbox unavailable" is RFC 5321's stock text of 450 and 550,
        // which servers also send with 5.7.1 (a refusal) or 4.2.0: an
        // unknown user only with an address-status code (X.1.x) or none
        // of substance (X.0.0, which Postfix writes when the reply had no
        // enhanced code: GMX and web.de answer unknown users this way).
        generic_if(
            "P53",
            Codes { basic: None, class: None, subject: Some(1), detail: None },
            r"mailbox (?:is )?unavailable",
            UserUnknown,
            "generic",
            "the mailbox is unavailable, with an address-status code (X.1.x)",
        ),
        generic_if(
            "P53",
            Codes::enhanced(0, 0),
            r"mailbox (?:is )?unavailable",
            UserUnknown,
            "generic",
            "the mailbox is unavailable, with no more specific code (X.0.0)",
        ),
        // After the unknown users: an error of the receiving system.
        generic(
            "P52",
            r"temporary system problem|local error in processing|local configuration error|system config(?:uration)? error|server configuration error|temporary local problem|internal (?:server )?error|queue file write error|interrupted system call|encountered an error while being processed|remote server is misconfigured|timeout waiting for input|service currently unavailable|server busy|can't create user output file|loop was found in the mail exchanger|forwarding loop broken|would create a mail loop|mail server (?:has )?temporarily rejected|multiple destination domains per transaction|unable to process (?:connection|command|an e-?mail)|message ended early|server temporarily not available|upstream error|temporary system error|several matches found in (?:the )?domino directory|delivery to (?:file|pipe) forbidden",
            SystemError,
            "",
            "an error or misconfiguration of the receiving system",
        ),
        generic("P36", r"loops back to myself", SystemError, "mx_loop", "the MX loops back to the sending host"),
        generic(
            "P37",
            r"too many hops|hop count exceeded|(?:routing|forwarding|mail) loop|message looping|exceeded # hops",
            NetworkError,
            "loop",
            "mail loop",
        ),
        generic(
            "P38",
            r"connect to \S+: |lost connection with|conversation with \S+ timed out|connection (?:timed out|refused|reset)|no route to host|network is unreachable|smtp timeout after|remote host closed connection|host is unreachable|host name lookup failure|malformed name server reply|unable to resolve route|dns records for the destination computer could not be found|could not connect and send the mail|unrouteable mail domain",
            NetworkError,
            "",
            "connection failed or lost",
        ),
        generic(
            "P39",
            r"retry timeout exceeded|message expired|delivery time expired|too long in queue|in the queue too long|could not be delivered for (?:more than )?# days|queue\.expired|delivery expired|giving up on|failing for a long time|message timed out|after multiple retries|within the allowed queue period|delivery attempts will continue|could not find a gateway for|failed to deliver to domain|has not been collected after|server did not respond",
            Expired,
            "",
            "delivery time expired",
        ),
        generic(
            "P40",
            r"command died with status|command output:|procmail|pipe to \||child process of \S+ transport returned|mailer error|command failed: |x-unix; |\|\| exit |bin/maildrop",
            MailerError,
            "",
            "a local delivery command failed",
        ),
        generic(
            "P41",
            r"syntax error|command (?:unrecognized|not recognized)|unrecognized command|bad sequence of commands|line too long",
            SyntaxError,
            "",
            "SMTP syntax or protocol error",
        ),
        generic(
            "P43",
            r"invalid mime|#-bit data in message header|header size|invalid characters",
            ContentError,
            "",
            "invalid MIME or header content",
        ),
    ]
};

/// A mailbox provider whose replies reuse codes in their own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// Gmail and Google Workspace.
    Google,
    /// Outlook.com, Hotmail and Microsoft 365 (Exchange Online).
    Microsoft,
    /// Yahoo and AOL.
    Yahoo,
    /// iCloud Mail.
    Apple,
    /// Mimecast's gateways, in front of many organisations' mail.
    Mimecast,
    /// Zoho Mail.
    Zoho,
    /// GMX and web.de (United Internet), which answer with basic codes only.
    Gmx,
    /// au (KDDI): `au.com`, `ezweb.ne.jp`.
    Kddi,
    /// NTT docomo: `docomo.ne.jp`.
    Docomo,
}

/// How a provider is recognised in the normalized text: its MX host names
/// (`host X said:`, Exim `H=X`), the URLs and signatures of its replies.
pub static PROVIDERS: &[(Provider, &str)] = &[
    (Provider::Google, r"google\.com|googlemail\.com|\bgsmtp\b"),
    (Provider::Microsoft, r"outlook\.com|hotmail\.com|\bmicrosoft\.com|\blive\.com"),
    (Provider::Yahoo, r"yahoodns\.net|\byahoo(?:inc)?\.com|\baol\.com|\[tss[0-9]+\]"),
    (Provider::Apple, r"icloud\.com|\bapple\.com|\bme\.com|\bmac\.com"),
    (Provider::Mimecast, r"mimecast\.com"),
    (Provider::Zoho, r"zoho\.com|zoho\.eu|zohomail"),
    (Provider::Gmx, r"\bgmx\.|\bweb\.de\b"),
    (Provider::Kddi, r"\bau\.com\b|ezweb\.ne\.jp"),
    (Provider::Docomo, r"docomo\.ne\.jp"),
];

/// A provider rule (step 3): applies only when the provider is recognised
/// in the text, and both its code condition and its text match.
#[derive(Clone, Copy, Debug)]
pub struct ProviderRule {
    /// Rule id (`G01`, `M02`, `Y01`, `A01`).
    pub id: &'static str,
    /// The provider it is about.
    pub provider: Provider,
    /// A condition on the codes.
    pub codes: Codes,
    /// Regular expression over the normalized text (empty: always matches).
    pub regex: &'static str,
    /// The reason it decides.
    pub reason: Reason,
    /// A finer tag, or empty.
    pub detail: &'static str,
    /// What it matched, for `bounces explain`.
    pub what: &'static str,
}

/// Provider rules, from section 2.3 of the reference (seeded from Sisimai's
/// `Rhost` tables; `MC..` from Mimecast's published SMTP error codes; `Z..`
/// Zoho, `GX..` GMX and web.de, `K..` au (KDDI), `D..` NTT docomo, from
/// Sisimai's per-provider tables and the providers' own pages). First match
/// wins.
pub static PROVIDER_RULES: &[ProviderRule] = {
    use Provider::*;
    use Reason::*;
    const fn rule(
        id: &'static str,
        provider: Provider,
        codes: Codes,
        regex: &'static str,
        reason: Reason,
        detail: &'static str,
        what: &'static str,
    ) -> ProviderRule {
        ProviderRule { id, provider, codes, regex, reason, detail, what }
    }
    &[
        rule(
            "G01",
            Google,
            Codes::enhanced(7, 27),
            "",
            AuthFailure,
            "gmail_spf",
            "Gmail X.7.27: SPF authentication required",
        ),
        rule(
            "G02",
            Google,
            Codes::enhanced(7, 29),
            "",
            FailedStartTls,
            "gmail_tls",
            "Gmail X.7.29: TLS required for SMTP",
        ),
        rule(
            "G03",
            Google,
            Codes::enhanced(7, 30),
            "",
            AuthFailure,
            "gmail_dkim",
            "Gmail X.7.30: DKIM authentication required",
        ),
        rule(
            "G04",
            Google,
            Codes::enhanced(7, 32),
            "",
            AuthFailure,
            "gmail_dmarc",
            "Gmail X.7.32: From: not aligned with SPF or DKIM (DMARC)",
        ),
        rule(
            "G05",
            Google,
            Codes::enhanced(2, 1),
            r"receiving mail (?:too quickly|at a rate)",
            RateLimited,
            "gmail_receiving_rate",
            "Gmail X.2.1: the recipient is receiving mail too quickly",
        ),
        rule(
            "M01",
            Microsoft,
            Codes::enhanced(1, 10),
            "",
            UserUnknown,
            "ms_resolver",
            "Microsoft X.1.10 (RESOLVER.ADR): recipient not found",
        ),
        rule(
            "M02",
            Microsoft,
            Codes::enhanced(4, 1),
            r"recipient address rejected: access denied",
            UserUnknown,
            "o365_dbeb",
            "Microsoft 5.4.1 Access denied: recipient not in the directory",
        ),
        rule(
            "M03",
            Microsoft,
            Codes::enhanced_in(5, 7, 606, 649),
            "",
            Blocked,
            "ms_banned_ip",
            "Microsoft 5.7.606-649: banned sending IP",
        ),
        rule(
            "M04",
            Microsoft,
            Codes::enhanced(7, 509),
            "",
            AuthFailure,
            "ms_dmarc",
            "Microsoft X.7.509: DMARC verification failed",
        ),
        rule(
            "M05",
            Microsoft,
            Codes::enhanced_in(4, 7, 650, 650),
            "",
            BadReputation,
            "ms_ip_reputation",
            "Microsoft 4.7.650: rate limited due to IP reputation",
        ),
        // A mail flow (transport) rule of the recipient's organisation, in
        // the range Microsoft reserves for them; 5.7.1 with the same words
        // is the sender's (P45).
        rule(
            "M06",
            Microsoft,
            Codes::enhanced_in(5, 7, 900, 999),
            r"delivery not authorized",
            PolicyViolation,
            "ms_transport_rule",
            "Microsoft 5.7.900-999: refused by a mail flow rule",
        ),
        rule(
            "Y01",
            Yahoo,
            Codes::ANY,
            r"\[tss04\]",
            RateLimited,
            "yahoo_tss04",
            "Yahoo [TSS04]: deferred for volume or complaints",
        ),
        rule(
            "Y02",
            Yahoo,
            Codes::ANY,
            r"\[tss(?:09|11)\]",
            Blocked,
            "yahoo_tss09",
            "Yahoo [TSS09]: sending IP permanently deferred",
        ),
        // Mimecast words some refusals its own way: what reads as a system
        // or policy problem elsewhere is its reputation check, its virus
        // scanner, a connection limit or a block of the sending IP.
        rule(
            "MC01",
            Mimecast,
            Codes::ANY,
            r"internal resources are temporarily unavailable",
            BadReputation,
            "",
            "Mimecast: greylisting or a poor IP reputation",
        ),
        rule(
            "MC02",
            Mimecast,
            Codes::ANY,
            r"email rejected due to security policies",
            VirusDetected,
            "",
            "Mimecast: a virus signature (or a spam score over the limit)",
        ),
        rule(
            "MC03",
            Mimecast,
            Codes::ANY,
            r"account service is temporarily unavailable",
            RateLimited,
            "",
            "Mimecast: too many concurrent connections for the account",
        ),
        rule(
            "MC04",
            Mimecast,
            Codes::ANY,
            r"recipient temporarily unavailable",
            Blocked,
            "",
            "Mimecast: the sending IP is held back after too many invalid connections",
        ),
        rule(
            "MC05",
            Mimecast,
            Codes::ANY,
            r"host network not allowed",
            PolicyViolation,
            "",
            "Mimecast: a geographical restriction policy",
        ),
        rule(
            "MC06",
            Mimecast,
            Codes::ANY,
            r"this route requires (?:encryption|tls version|high-strength ciphers)",
            SecurityError,
            "",
            "Mimecast: the route requires TLS (or a stronger TLS)",
        ),
        rule(
            "A01",
            Apple,
            Codes::ANY,
            r"failing both spf and dkim",
            AuthFailure,
            "",
            "iCloud: failed both SPF and DKIM",
        ),
        // Zoho says these of the sender: its domain refused the sender, or
        // its filter judged the sender a spammer.
        rule(
            "Z01",
            Zoho,
            Codes::ANY,
            r"mail rejected by destination domain|reason: email flagged as spam",
            Rejected,
            "sender",
            "Zoho: the sender was refused (by the domain, or flagged as a spammer)",
        ),
        rule(
            "Z02",
            Zoho,
            Codes::ANY,
            r"delivery restricted by policy",
            PolicyViolation,
            "",
            "Zoho: delivery to the mailbox restricted by a policy",
        ),
        // GMX and web.de send no enhanced code and answer an address that
        // does not exist with RFC 5321's stock text, which elsewhere also
        // comes with refusals (P53 reads it only with X.1.x or X.0.0).
        rule(
            "GX01",
            Gmx,
            Codes::ANY,
            r"mailbox unavailable",
            UserUnknown,
            "gmx_no_such_user",
            "GMX/web.de: mailbox unavailable is their answer for an address that does not exist",
        ),
        // au (KDDI) answers its filter's refusal with an empty address
        // before `User unknown`, a real unknown user with the address.
        rule(
            "K01",
            Kddi,
            Codes::ANY,
            r"(?:^|\s)# : user unknown",
            Filtered,
            "",
            "au (KDDI): User unknown without the address: the recipient's filter",
        ),
        // NTT docomo: since March 2025 its `Unknown user` is an unknown
        // user whatever the command (it no longer refuses with it for the
        // recipient's filters), so not `filtered` after the data (P46).
        rule(
            "D01",
            Docomo,
            Codes::ANY,
            r"unknown user",
            UserUnknown,
            "docomo",
            "NTT docomo: Unknown user, at any stage",
        ),
        rule(
            "D02",
            Docomo,
            Codes::ANY,
            r"too much mail data",
            MailboxFull,
            "",
            "NTT docomo: too much mail data (the mailbox is full)",
        ),
    ]
};

/// The SMTP command a reply answered (the parser's [`Stage`]); here read
/// from the normalized text by [`STAGES`].
pub use crate::parse::Stage;

/// How the stage is read from the normalized text (Postfix: `(in reply to
/// … command)`, `refused to talk to me`; Exim: `after …`). The first
/// matching row wins.
pub static STAGES: &[(Stage, &str)] = &[
    (Stage::Connect, r"refused to talk to me|after initial connection|while receiving the initial server greeting"),
    (Stage::Helo, r"in reply to (?:ehlo|helo|lhlo) command|after (?:ehlo|helo|lhlo)\b"),
    (Stage::StartTls, r"in reply to starttls command|after starttls\b"),
    (Stage::Auth, r"in reply to auth command|after auth\b"),
    (Stage::Mail, r"in reply to mail from command|after (?:pipelined )?mail from:"),
    (Stage::Rcpt, r"in reply to rcpt to command|after (?:pipelined )?rcpt to:"),
    (
        Stage::Data,
        r"in reply to (?:end of )?data command|in reply to bdat command|after (?:pipelined )?(?:end of )?data\b",
    ),
];

/// A stage heuristic (step 6).
#[derive(Clone, Copy, Debug)]
pub struct StageRule {
    /// Rule id (`S1`…).
    pub id: &'static str,
    /// The stages it applies at.
    pub stages: &'static [Stage],
    /// The basic codes it applies to (empty: any).
    pub codes: &'static [u16],
    /// Regular expression over the normalized text (empty: always matches).
    pub regex: &'static str,
    /// The reason it decides.
    pub reason: Reason,
    /// A finer tag, or empty.
    pub detail: &'static str,
    /// What it matched, for `bounces explain`.
    pub what: &'static str,
}

/// Stage heuristics, first match wins.
pub static STAGE_RULES: &[StageRule] = &[
    StageRule {
        id: "S1",
        stages: &[Stage::Connect, Stage::Helo],
        codes: &[],
        regex: "",
        reason: Reason::Blocked,
        detail: "",
        what: "refused at connection, greeting or EHLO: the sending host was refused",
    },
    StageRule {
        id: "S2",
        stages: &[Stage::Mail],
        codes: &[552],
        regex: "",
        reason: Reason::EmailTooLarge,
        detail: "",
        what: "552 at MAIL FROM: the declared SIZE is too large",
    },
    StageRule {
        id: "S3",
        stages: &[Stage::Mail],
        codes: &[],
        regex: "",
        reason: Reason::Rejected,
        detail: "sender",
        what: "refused at MAIL FROM: the sender was refused",
    },
    StageRule {
        id: "S4",
        stages: &[Stage::Rcpt],
        codes: &[452, 552],
        regex: r"recipients",
        reason: Reason::RateLimited,
        detail: "too_many_recipients",
        what: "452/552 at RCPT TO naming recipients: too many recipients",
    },
];

/// One row of the enhanced-code table (step 5).
#[derive(Clone, Copy, Debug)]
pub struct EnhancedRule {
    /// The class it applies to, or any class.
    pub class: Option<u8>,
    /// The subject.
    pub subject: u16,
    /// The detail.
    pub detail: u16,
    /// The reason, or `None` when the code says nothing beyond its class.
    pub reason: Option<Reason>,
    /// Weak codes decide only when no text, stage or basic-code rule did.
    pub weak: bool,
    /// A finer tag, or empty.
    pub tag: &'static str,
    /// The code's meaning, for `bounces explain`.
    pub what: &'static str,
}

const fn strong(subject: u16, detail: u16, reason: Reason, tag: &'static str, what: &'static str) -> EnhancedRule {
    EnhancedRule { class: None, subject, detail, reason: Some(reason), weak: false, tag, what }
}

const fn strong_in(class: u8, subject: u16, detail: u16, reason: Reason, what: &'static str) -> EnhancedRule {
    EnhancedRule { class: Some(class), subject, detail, reason: Some(reason), weak: false, tag: "", what }
}

const fn weak(subject: u16, detail: u16, reason: Option<Reason>, what: &'static str) -> EnhancedRule {
    EnhancedRule { class: None, subject, detail, reason, weak: true, tag: "", what }
}

/// Enhanced status codes (RFC 3463, IANA registry) and the reason each
/// implies, from the "Proposed default" column of section 2.2.
///
/// Positive-only codes (X.1.5, X.3.6, X.6.4) are left out: a delivery is
/// decided by its outcome, and a failure never gets `delivered`.
pub static ENHANCED: &[EnhancedRule] = {
    use Reason::*;
    &[
        weak(0, 0, None, "X.0.0 other or undefined status (Postfix writes it when the reply had no enhanced code)"),
        weak(1, 0, None, "X.1.0 other address status (sender or recipient: says nothing alone)"),
        strong(1, 1, UserUnknown, "", "X.1.1 bad destination mailbox address"),
        strong(1, 2, HostUnknown, "", "X.1.2 bad destination system address"),
        strong(1, 3, UserUnknown, "syntax", "X.1.3 bad destination mailbox address syntax"),
        strong(1, 4, UserUnknown, "ambiguous", "X.1.4 destination mailbox address ambiguous"),
        strong(1, 6, HasMoved, "", "X.1.6 mailbox has moved, no forwarding address"),
        strong(1, 7, Rejected, "sender", "X.1.7 bad sender's mailbox address syntax"),
        strong(1, 8, Rejected, "sender", "X.1.8 bad sender's system address"),
        strong(1, 9, SystemError, "", "X.1.9 message relayed to non-compliant mailer"),
        strong(1, 10, NotAccept, "null_mx", "X.1.10 recipient address has null MX"),
        weak(2, 0, None, "X.2.0 other or undefined mailbox status"),
        strong(2, 1, Suspend, "", "X.2.1 mailbox disabled, not accepting messages"),
        strong(2, 2, MailboxFull, "", "X.2.2 mailbox full"),
        strong(2, 3, EmailTooLarge, "", "X.2.3 message length exceeds administrative limit"),
        strong(2, 4, SystemError, "", "X.2.4 mailing list expansion problem"),
        weak(3, 0, Some(SystemError), "X.3.0 other or undefined mail system status"),
        strong(3, 1, SystemFull, "", "X.3.1 mail system full"),
        strong(3, 2, SystemError, "", "X.3.2 system not accepting network messages (that host, for now)"),
        strong(3, 3, SystemError, "", "X.3.3 system not capable of selected features"),
        strong(3, 4, EmailTooLarge, "", "X.3.4 message too big for system"),
        strong(3, 5, SystemError, "", "X.3.5 system incorrectly configured"),
        strong(4, 0, NetworkError, "", "X.4.0 other or undefined network or routing status"),
        strong(4, 1, NetworkError, "", "X.4.1 no answer from host"),
        strong(4, 2, NetworkError, "", "X.4.2 bad connection"),
        strong(4, 3, NetworkError, "dns_tempfail", "X.4.3 directory server failure"),
        strong_in(5, 4, 4, HostUnknown, "5.4.4 unable to route"),
        strong_in(4, 4, 4, NetworkError, "4.4.4 unable to route (temporarily)"),
        strong(4, 5, SystemFull, "", "X.4.5 mail system congestion"),
        strong(4, 6, NetworkError, "loop", "X.4.6 routing loop detected"),
        strong(4, 7, Expired, "", "X.4.7 delivery time expired"),
        weak(5, 0, None, "X.5.0 other or undefined protocol status"),
        strong(5, 1, SyntaxError, "", "X.5.1 invalid command"),
        strong(5, 2, SyntaxError, "", "X.5.2 syntax error"),
        strong(5, 3, RateLimited, "too_many_recipients", "X.5.3 too many recipients"),
        strong(5, 4, SyntaxError, "", "X.5.4 invalid command arguments"),
        strong(5, 5, SystemError, "", "X.5.5 wrong protocol version"),
        strong(5, 6, SecurityError, "", "X.5.6 authentication exchange line is too long"),
        weak(6, 0, Some(ContentError), "X.6.0 other or undefined media error"),
        strong(6, 1, ContentError, "", "X.6.1 media not supported"),
        strong(6, 2, ContentError, "", "X.6.2 conversion required and prohibited"),
        strong(6, 3, ContentError, "", "X.6.3 conversion required but not supported"),
        strong(6, 5, ContentError, "", "X.6.5 conversion failed"),
        strong(6, 6, ContentError, "", "X.6.6 message content not available"),
        strong(6, 7, ContentError, "smtputf8", "X.6.7 non-ASCII addresses not permitted"),
        strong(6, 8, ContentError, "smtputf8", "X.6.8 UTF-8 reply required but not permitted by the client"),
        strong(6, 9, ContentError, "smtputf8", "X.6.9 UTF-8 header cannot be transferred"),
        strong(6, 10, ContentError, "smtputf8", "X.6.10 (deprecated duplicate of X.6.8)"),
        weak(7, 0, Some(SecurityError), "X.7.0 other or undefined security status"),
        weak(7, 1, Some(Blocked), "X.7.1 delivery not authorized, message refused"),
        strong(7, 2, PolicyViolation, "", "X.7.2 mailing list expansion prohibited"),
        strong(7, 3, SecurityError, "", "X.7.3 security conversion required but not possible"),
        strong(7, 4, SecurityError, "", "X.7.4 security features not supported"),
        strong(7, 5, SecurityError, "", "X.7.5 cryptographic failure"),
        strong(7, 6, SecurityError, "", "X.7.6 cryptographic algorithm not supported"),
        strong(7, 7, SecurityError, "", "X.7.7 message integrity failure"),
        strong(7, 8, SecurityError, "", "X.7.8 authentication credentials invalid"),
        strong(7, 9, SecurityError, "", "X.7.9 authentication mechanism is too weak"),
        strong(7, 10, FailedStartTls, "", "X.7.10 encryption needed"),
        strong(7, 11, FailedStartTls, "", "X.7.11 encryption required for the authentication mechanism"),
        strong(7, 12, SecurityError, "", "X.7.12 a password transition is needed"),
        strong(7, 13, SecurityError, "", "X.7.13 user account disabled (the account that authenticated: RFC 5248)"),
        strong(7, 14, SecurityError, "", "X.7.14 trust relationship required"),
        strong(7, 15, PolicyViolation, "", "X.7.15 priority level is too low"),
        strong(7, 16, EmailTooLarge, "", "X.7.16 message too big for the specified priority"),
        strong(7, 17, HasMoved, "", "X.7.17 mailbox owner has changed"),
        strong(7, 18, HasMoved, "", "X.7.18 domain owner has changed"),
        strong(7, 19, SecurityError, "", "X.7.19 RRVS test cannot be completed"),
        strong(7, 20, AuthFailure, "", "X.7.20 no passing DKIM signature found"),
        strong(7, 21, AuthFailure, "", "X.7.21 no acceptable DKIM signature found"),
        strong(7, 22, AuthFailure, "", "X.7.22 no valid author-matched DKIM signature found"),
        strong(7, 23, AuthFailure, "", "X.7.23 SPF validation failed"),
        strong(7, 24, AuthFailure, "", "X.7.24 SPF validation error"),
        strong(7, 25, RequirePtr, "", "X.7.25 reverse DNS validation failed"),
        strong(7, 26, AuthFailure, "", "X.7.26 multiple authentication checks failed"),
        strong(7, 27, Rejected, "sender_null_mx", "X.7.27 sender address has null MX"),
        strong(7, 28, SpamDetected, "", "X.7.28 mail flood detected"),
        strong(7, 29, AuthFailure, "", "X.7.29 ARC validation failure"),
        strong(7, 30, FailedStartTls, "", "X.7.30 REQUIRETLS support required"),
    ]
};

/// One row of the basic-code table (step 7).
#[derive(Clone, Copy, Debug)]
pub struct BasicRule {
    /// Rule id, `B` and the code (`B550`).
    pub id: &'static str,
    /// The reply code.
    pub code: u16,
    /// The stage it is limited to, or any stage.
    pub stage: Option<Stage>,
    /// The reason. [`Reason::OnHold`] rows only name the class: they decide
    /// after the weak enhanced codes.
    pub reason: Reason,
    /// A finer tag, or empty.
    pub detail: &'static str,
    /// What it matched, for `bounces explain`.
    pub what: &'static str,
}

const fn basic(id: &'static str, code: u16, reason: Reason, detail: &'static str, what: &'static str) -> BasicRule {
    BasicRule { id, code, stage: None, reason, detail, what }
}

const fn basic_at(
    id: &'static str,
    code: u16,
    stage: Stage,
    reason: Reason,
    detail: &'static str,
    what: &'static str,
) -> BasicRule {
    BasicRule { id, code, stage: Some(stage), reason, detail, what }
}

/// The basic-code fallback of section 5.7; within a code, the first row
/// whose stage matches wins. 2xx codes are not listed (deliveries are
/// decided by their outcome); 421 and 554 at the greeting are decided by
/// the stage rule S1, 552 at MAIL FROM by S2, 553 at MAIL FROM by S3.
pub static BASIC: &[BasicRule] = {
    use Reason::*;
    &[
        basic("B421", 421, OnHold, "service_unavailable", "421 service not available"),
        basic("B450", 450, OnHold, "", "450 mailbox unavailable (temporary)"),
        basic("B451", 451, SystemError, "", "451 local error in processing"),
        basic("B452", 452, SystemFull, "", "452 insufficient system storage"),
        basic_at("B454", 454, Stage::StartTls, FailedStartTls, "", "454 at STARTTLS: TLS not available"),
        basic_at("B454", 454, Stage::Auth, SecurityError, "", "454 at AUTH: temporary authentication failure"),
        basic("B454", 454, OnHold, "", "454 temporary failure"),
        basic("B455", 455, SystemError, "", "455 server unable to accommodate parameters (for now)"),
        basic("B500", 500, SyntaxError, "", "500 syntax error, command unrecognized"),
        basic("B501", 501, SyntaxError, "", "501 syntax error in parameters or arguments"),
        basic("B502", 502, SyntaxError, "", "502 command not implemented"),
        basic("B503", 503, SyntaxError, "", "503 bad sequence of commands"),
        basic("B504", 504, SyntaxError, "", "504 command parameter not implemented"),
        basic("B521", 521, OnHold, "host_not_accepting", "521 host does not accept mail (that host; another MX may)"),
        basic("B523", 523, FailedStartTls, "", "523 encryption needed"),
        basic("B524", 524, FailedStartTls, "", "524 encryption required for the mechanism"),
        basic("B525", 525, SecurityError, "", "525 user account disabled (the account that authenticated)"),
        basic_at("B530", 530, Stage::StartTls, FailedStartTls, "", "530 around STARTTLS: TLS required"),
        basic("B530", 530, SecurityError, "", "530 authentication required"),
        basic("B534", 534, SecurityError, "", "534 authentication mechanism too weak"),
        basic("B535", 535, SecurityError, "", "535 authentication credentials invalid"),
        basic("B538", 538, FailedStartTls, "", "538 encryption required for the mechanism"),
        basic_at("B550", 550, Stage::Rcpt, OnHold, "rcpt_550", "550 at RCPT TO: mailbox unavailable"),
        basic("B550", 550, OnHold, "", "550 requested action not taken"),
        basic("B551", 551, OnHold, "user_not_local", "551 user not local"),
        basic_at("B552", 552, Stage::Data, EmailTooLarge, "", "552 after DATA: message too large"),
        basic("B552", 552, MailboxFull, "", "552 exceeded storage allocation"),
        basic_at("B553", 553, Stage::Rcpt, OnHold, "rcpt_553", "553 at RCPT TO: mailbox name not allowed"),
        basic("B553", 553, OnHold, "", "553 mailbox name not allowed"),
        basic("B554", 554, OnHold, "", "554 transaction failed"),
        basic("B555", 555, SyntaxError, "", "555 MAIL/RCPT parameters not recognized"),
        basic("B556", 556, NotAccept, "null_mx", "556 domain does not accept mail (null MX)"),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field that is set must hold; one that is not set asks
    /// nothing. Worked out by hand.
    #[test]
    fn codes_conditions_table() {
        let e = |class, subject, detail| Some(Enhanced { class, subject, detail });
        let class_only = Codes { basic: None, class: Some(5), subject: None, detail: None };
        let cases: [(Codes, Option<u16>, Option<Enhanced>, bool); 9] = [
            (Codes::ANY, None, None, true),
            (Codes::ANY, Some(550), e(5, 1, 1), true),
            // A condition on the enhanced code needs one.
            (class_only, Some(550), None, false),
            (class_only, None, e(5, 1, 1), true),
            (class_only, None, e(4, 1, 1), false),
            (Codes::enhanced(7, 1), None, e(4, 7, 1), true),
            (Codes::enhanced(7, 1), None, e(5, 7, 2), false),
            (Codes::exact(550, 5, 1, 1), Some(551), e(5, 1, 1), false),
            (Codes::enhanced_in(5, 7, 500, 599), Some(550), e(5, 7, 599), true),
        ];
        for (codes, code, enhanced, want) in cases {
            assert_eq!(codes.matches(code, enhanced), want, "{codes:?} {code:?} {enhanced:?}");
        }
    }
}
