//! The classifier's tests: the decision on every vector of the table in
//! [`vectors`], the rule tables walked, normalization and its cache key,
//! the cache.

mod vectors;

use std::sync::LazyLock;

use memchr::memchr;

use super::cache::*;
use super::compiled::*;
use super::decide::*;
use super::normalize::*;
use super::patterns::*;
use super::vocabulary::*;
use crate::parse::Outcome::{Bounced, Deferred};
use crate::parse::{Enhanced, Outcome};
use Reason::*;
use vectors::VECTORS;

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
    // The generic rows are P01 on, each number once (P05 and P53 twice:
    // one wording under two code conditions), none skipped, after the
    // local rules. They are in
    // decision order, not number order: a row added later sits where its
    // wording must win.
    let generic: Vec<&str> = PATTERNS.iter().filter(|p| p.step == Step::Generic).map(|p| p.id).collect();
    let number = |id: &str| id.strip_prefix('P').and_then(|n| n.parse::<usize>().ok()).expect("P and a number");
    let mut numbers: Vec<usize> = generic.iter().map(|id| number(id)).collect();
    numbers.sort_unstable();
    let mut expected: Vec<usize> = (1..=numbers.len() - 2).collect();
    expected.insert(5, 5);
    expected.push(53);
    assert_eq!(numbers, expected);
    assert!(generic.iter().all(|id| id.len() == 3), "{generic:?}");
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
        ("4.3.2", SystemError),
        ("4.4.1", NetworkError),
        ("5.4.4", HostUnknown),
        ("4.4.4", NetworkError),
        ("4.4.7", Expired),
        ("5.5.3", RateLimited),
        ("5.6.7", ContentError),
        ("5.7.10", FailedStartTls),
        // The account that authenticated (RFC 5248), not a recipient.
        ("5.7.13", SecurityError),
        ("5.7.23", AuthFailure),
        ("5.7.25", RequirePtr),
        ("5.7.27", Rejected),
        ("5.7.28", SpamDetected),
        ("5.7.30", FailedStartTls),
        // X.1.0 may be the sender or the recipient: alone it says nothing.
        ("5.1.0", OnHold),
        // X.6.0 is weak: alone it still names content.
        ("5.6.0", ContentError),
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
    let cases: [(u16, Option<Stage>, Reason); 15] = [
        (421, None, OnHold),
        (421, Some(Stage::Connect), Blocked),
        (451, None, SystemError),
        (452, None, SystemFull),
        (454, Some(Stage::Auth), SecurityError),
        (501, None, SyntaxError),
        // A basic code alone is never hard: 521 is one host (Postfix
        // tries the next MX), 551 and 553 name no reason.
        (521, None, OnHold),
        (525, None, SecurityError),
        (535, None, SecurityError),
        (551, None, OnHold),
        (553, Some(Stage::Rcpt), OnHold),
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
    let table: [(Reason, BounceType, BounceType); 33] = [
        (Delivered, BounceType::None, BounceType::None),
        (UserUnknown, Soft, Hard),
        (HostUnknown, Soft, Hard),
        (NotAccept, Soft, Hard),
        (HasMoved, Soft, Hard),
        (MailboxFull, Soft, Soft),
        (Suspend, Soft, Soft),
        (Filtered, Soft, Soft),
        (Suppressed, Soft, Soft),
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
        (Bounced, 550, "5.0.0", "host mx[192.0.2.1] said: 550 No such user here (in reply to RCPT TO command)", Hard),
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
                      expired systemerror systemfull syntaxerror mailererror delivered onhold undefined greylisted \
                      filtered suppressed";
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
/// `cargo test --release --lib classify::tests::timing -- --ignored --nocapture`
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
        "eu-smtp-inbound-1.mimecast.com",
        "mx.zoho.com",
        "smtpin.zoho.eu",
        "mx01.emig.gmx.net",
        "mx-ha02.web.de",
        "msmx.au.com",
        "lsean.ezweb.ne.jp",
        "mfsmax.docomo.ne.jp",
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

/// The reasons that make a bounce `hard` (the address or its domain is
/// bad): what the suppression list acts on.
fn can_be_hard(reason: Reason) -> bool {
    bounce_type(reason, Bounced, Some(550), None) == BounceType::Hard
}

/// `hard` only on evidence that the address or its domain is bad. Every
/// rule of every table that can give a hard reason is listed here by hand,
/// with the evidence it reads; a rule added or changed to a hard reason
/// fails this test until it is reviewed and listed. A basic reply code
/// alone never gives one, with one exception: 556, which RFC 7504 defines
/// for one meaning only (the domain accepts no mail, a null MX).
#[test]
fn hard_only_on_evidence_about_the_address() {
    let reviewed: &[(&str, &str)] = &[
        ("L01", "Postfix found the recipient domain's null MX"),
        ("L02", "Exim found the recipient domain's null MX"),
        ("L03", "Postfix: the recipient domain does not exist"),
        ("L14", "Exim: no route to the recipient address"),
        ("P03", "null MX, Postfix wording"),
        ("P04", "null MX, Exim wording"),
        ("P05", "recipient address has null MX"),
        ("P05", "556 5.1.10: the recipient domain has a null MX"),
        ("P06", "the host or domain accepts no mail"),
        ("P07", "Microsoft: recipient not found"),
        ("P08", "Microsoft 5.4.1: recipient not in the directory"),
        ("P09", "Postfix: user unknown in a recipient table"),
        ("P10", "Postfix local delivery: unknown user"),
        ("P11", "Gmail: the account does not exist"),
        ("P12", "Yahoo/AOL: no such account"),
        ("P49", "not in the recipient directory, no such person or mailbox by that name"),
        ("P14", "the mailbox has moved"),
        ("P34", "the recipient domain does not exist"),
        ("P35", "no such user or mailbox"),
        ("P53", "mailbox unavailable with an address-status code (X.1.x)"),
        ("P53", "mailbox unavailable with no more specific code (X.0.0)"),
        ("M01", "Microsoft X.1.10: recipient not found"),
        ("M02", "Microsoft 5.4.1: recipient not in the directory"),
        ("GX01", "GMX/web.de: mailbox unavailable, their answer for an address that does not exist"),
        ("D01", "NTT docomo: unknown user"),
        ("E.1.1", "bad destination mailbox address"),
        ("E.1.2", "bad destination system address"),
        ("E.1.3", "bad destination mailbox address syntax"),
        ("E.1.4", "destination mailbox address ambiguous"),
        ("E.1.6", "mailbox has moved"),
        ("E.1.10", "recipient address has null MX"),
        ("E.4.4", "unable to route (5.4.4)"),
        ("E.7.17", "mailbox owner has changed"),
        ("E.7.18", "domain owner has changed"),
        ("B556", "RFC 7504: the domain does not accept mail"),
    ];
    let mut hard: Vec<String> = Vec::new();
    for p in PATTERNS.iter().filter(|p| can_be_hard(p.reason)) {
        hard.push(p.id.to_string());
    }
    for r in PROVIDER_RULES.iter().filter(|r| can_be_hard(r.reason)) {
        hard.push(r.id.to_string());
    }
    for r in STAGE_RULES.iter().filter(|r| can_be_hard(r.reason)) {
        hard.push(r.id.to_string());
    }
    for r in ENHANCED.iter().filter(|r| r.reason.is_some_and(can_be_hard)) {
        let id = format!("E.{}.{}", r.subject, r.detail);
        if !hard.contains(&id) {
            hard.push(id);
        }
    }
    for r in BASIC.iter().filter(|r| can_be_hard(r.reason)) {
        hard.push(r.id.to_string());
    }
    let listed: Vec<String> = reviewed.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(hard, listed, "the rules that can give a hard bounce changed: review them and update this list");
    // No weak enhanced code is hard: a vague code never decides it.
    assert!(ENHANCED.iter().filter(|r| r.weak).all(|r| !r.reason.is_some_and(can_be_hard)));
}

/// Replies about the sender, our IP, our DNS, the content or relaying are
/// never hard, whatever codes come with them (some with the recipient
/// codes servers misuse).
#[test]
fn replies_about_our_side_are_never_hard() {
    let cases: &[(u16, &str, &str)] = &[
        (550, "5.1.0", "550 5.1.0 <a@our.example>: Sender address rejected: User unknown in local recipient table"),
        (553, "5.1.8", "553 5.1.8 <a@our.example>: Sender address rejected: Domain not found"),
        (550, "5.1.0", "550 5.1.0 SPF check failed: our.example does not designate 192.0.2.1 as permitted sender"),
        (550, "5.1.1", "550 5.1.1 Client host [192.0.2.1] blocked using zen.spamhaus.org"),
        (550, "5.7.1", "550 5.7.1 Service unavailable; client host [192.0.2.1] blocked using bl.example"),
        (550, "", "550 No PTR record found for 192.0.2.1: reverse DNS required"),
        (554, "5.7.1", "554 5.7.1 <a@their.example>: Relay access denied"),
        (550, "5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering"),
        (551, "5.7.1", "551 5.7.1 Delivery not authorized, message refused"),
        (521, "", "521 our.example does not accept mail from you"),
        (
            550,
            "5.7.26",
            "550 5.7.26 Unauthenticated email from our.example is not accepted due to domain's DMARC policy",
        ),
        (554, "5.6.0", "554 5.6.0 Message contains a virus"),
        (550, "", "550 Your IP 192.0.2.1 is listed on a blacklist"),
        (553, "", "553 sorry, that domain isn't in my list of allowed rcpthosts"),
        // RFC 5321's stock text, sent with a refusal's code.
        (550, "5.7.1", "550 5.7.1 Requested action not taken: mailbox unavailable"),
        (550, "", "550 Requested action not taken: mailbox unavailable"),
        // #14: wordings that vague codes or broad words once made hard.
        (
            550,
            "5.1.0",
            "550 5.1.0 <a@our.example>: 192.0.2.1 is not allowed to send from <our.example> per it's SPF Record",
        ),
        (551, "5.7.1", "551 5.7.1 <a@their.example>: Delivery not authorized, message refused"),
        (501, "", "501 This system is not configured to relay mail from <a@our.example> to <b@their.example>"),
        (550, "5.1.1", "550 5.1.1 Sender address has been blacklisted"),
        (550, "5.1.1", "550 5.1.1 Helo command rejected: Host not found"),
        (550, "5.1.1", "550 5.1.1 <a@our.example>: Sender address rejected: Domain not found"),
        (553, "5.1.1", "553 5.1.1 Domain of sender address a@gone.example does not exist"),
    ];
    for &(code, e, text) in cases {
        let v = classify(Bounced, basic(code), enh(e), text.as_bytes());
        let kind = bounce_type(v.reason, Bounced, basic(code), enh(e));
        assert_ne!(kind, BounceType::Hard, "{text}: {} by {} ({})", v.reason, v.rule.id, v.rule.what);
    }
}

/// The candidates start with the verdict and end with the class step, on
/// every vector; a text two rules read differently lists both, in order.
#[test]
fn candidates_start_with_the_verdict() {
    for &(outcome, code, e, text, _, _) in VECTORS {
        let all = candidates(outcome, basic(code), enh(e), text.as_bytes());
        assert_eq!(all[0], classify(outcome, basic(code), enh(e), text.as_bytes()), "{text}");
        if outcome != Outcome::Delivered {
            let last = all.last().unwrap().rule.id;
            assert!(last == "U" || last.starts_with('C'), "{text}: ends with {last}");
        }
    }
    let text = b"550 5.1.1 <a@our.example>: Sender address rejected: User unknown in local recipient table";
    let ids: Vec<&str> = candidates(Bounced, Some(550), enh("5.1.1"), text).iter().map(|v| v.rule.id).collect();
    assert_eq!(ids[..2], ["P02", "P09"], "{ids:?}");
    assert!(ids.contains(&"E5.1.1") && ids.last() == Some(&"C5"), "{ids:?}");
}

/// The literal prefilter changes no decision: on every vector, on two
/// vectors' texts in one, and under every code pair the vectors use, the
/// rules that match (the verdict first) are the same as the plain ordered
/// loop that runs every row's regex.
#[test]
fn the_prefilter_keeps_every_decision() {
    let mut codes: Vec<(Option<u16>, Option<Enhanced>)> = VECTORS.iter().map(|v| (basic(v.1), enh(v.2))).collect();
    codes.sort_by_key(|&(c, e)| (c, e.map(|e| (e.class, e.subject, e.detail))));
    codes.dedup();
    let mut checked = 0;
    for (i, v) in VECTORS.iter().enumerate() {
        let next = VECTORS[(i * 7 + 3) % VECTORS.len()].3;
        for text in [v.3.to_string(), format!("{} {next}", v.3)] {
            let mut normalized = Vec::new();
            normalize(text.as_bytes(), &mut normalized);
            let own = [(basic(v.1), enh(v.2))];
            let every = if i % 8 == 0 { &codes[..] } else { &own[..] };
            for &(code, e) in every {
                let fast = every_rule(code, e, &normalized, true);
                let plain = every_rule(code, e, &normalized, false);
                assert_eq!(fast, plain, "{text:?} with {code:?} {e:?}");
                assert_eq!(fast[0], decide(code, e, &normalized));
                checked += 1;
            }
        }
    }
    assert!(checked > 2 * VECTORS.len());
}

/// Every match of a row's regex holds one of the literals the prefilter
/// keeps for it, on every vector text and on each row's literals
/// themselves; and every row has literals (a row without any would run its
/// regex on every text that reaches it).
#[test]
fn required_literals_are_in_every_match() {
    let mut texts: Vec<Vec<u8>> = VECTORS
        .iter()
        .map(|v| {
            let mut normalized = Vec::new();
            normalize(v.3.as_bytes(), &mut normalized);
            normalized
        })
        .collect();
    let mut with_literals = 0;
    for row in &COMPILED.rows {
        if let Some(literals) = required_literals(row.source) {
            with_literals += 1;
            texts.extend(literals);
        }
    }
    for row in COMPILED.rows.iter().filter(|r| !r.source.is_empty()) {
        let Some(literals) = required_literals(row.source) else { continue };
        let re = regex::bytes::RegexBuilder::new(row.source).unicode(false).build().unwrap();
        for text in texts.iter().filter(|t| re.is_match(t)) {
            assert!(
                literals.iter().any(|l| memchr::memmem::find(text, l).is_some()),
                "{:?} matches {:?} without any of {:?}",
                String::from_utf8_lossy(text),
                row.source,
                literals.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>()
            );
        }
    }
    let rows = COMPILED.rows.iter().filter(|r| !r.source.is_empty()).count();
    assert_eq!(with_literals, rows, "every row with a regex has literals");
}

/// The literals read from regexes, by hand.
#[test]
fn required_literals_by_hand() {
    let cases: &[(&str, Option<&[&str]>)] = &[
        ("user unknown", Some(&["user unknown"])),
        // The longest literal of each alternative.
        (r"relay(?:ing)? (?:access )?denied|unable to relay", Some(&["denied", "unable to relay"])),
        (r"^mail for \S+ loops back to myself$", Some(&[" loops back to myself"])),
        // `\b` matches no byte: the run goes on across it.
        (r"\bptr record|reverse dns", Some(&["ptr record", "reverse dns"])),
        // A quantified byte ends the run before it.
        (r"recipients?", Some(&["recipient"])),
        (r"gr[ae]ylist", Some(&["ylist"])),
        // A group's alternatives when they are longer than the runs
        // (or as long, and fewer).
        (r"(?:mailbox|inbox) full", Some(&[" full"])),
        (r"(?:mailbox|inbox) ful", Some(&["inbox", "mailbox"])),
        (r"(?:full|quota)+ now", Some(&[" now"])),
        (r"(?:full|quota)+ no", Some(&["full", "quota"])),
        (r"\b(?:dmarc|spf|dkim)\b.{0,60}(?:fail|policy)", Some(&["fail", "policy"])),
        (r"\b(?:dmarc|spf|dkim)\b.{0,60}", Some(&["dkim", "dmarc", "spf"])),
        // An optional part gives nothing; an alternative without a
        // literal of three bytes or more gives no set at all.
        (r"(?:x-)?mailer", Some(&["mailer"])),
        (r"spam|\brbl\b", Some(&["rbl", "spam"])),
        (r"spam|ab", None),
        (r"(?:^|[\s(])virus", Some(&["virus"])),
        (r"", None),
        (r"a.b.c", None),
        // Syntax it does not read: no set.
        (r"(?i)spam", None),
        (r"(?P<x>spam)", None),
        (r"\pL+spam", None),
    ];
    for &(source, want) in cases {
        let got = required_literals(source);
        let want: Option<Vec<Vec<u8>>> = want.map(|w| w.iter().map(|l| l.as_bytes().to_vec()).collect());
        assert_eq!(got, want, "{source}");
    }
}
