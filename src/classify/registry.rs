//! Built-in tables of SMTP reply codes (RFC 5321 and related RFCs and drafts)
//! and of enhanced status codes (RFC 3463, IANA registry).
//!
//! Reports use them to put a short human-readable description next to a code.
//! Plain sorted data; lookups are binary searches.

use crate::parse::Stage;

/// Basic SMTP reply codes and a short description of each, sorted by code.
///
/// Covers the RFC 5321 core codes plus the related codes a log parser may meet
/// (AUTH, STARTTLS, ETRN, ATRN, null MX, registry associations, drafts).
pub static REPLY_CODES: &[(u16, &str)] = &[
    (211, "system status or help reply"),
    (214, "help message meant for a human reader"),
    (220, "service ready (greeting, or go-ahead after STARTTLS)"),
    (221, "service closing transmission channel, answer to QUIT"),
    (235, "authentication succeeded, the client may continue"),
    (250, "requested mail action okay and completed"),
    (251, "user not local, the server will forward the message"),
    (252, "cannot verify the user, but will accept the message and attempt delivery"),
    (253, "pending messages for the node started (ETRN)"),
    (334, "server challenge during SASL authentication"),
    (354, "start mail input, end the data with a lone dot line"),
    (355, "octet offset is the transaction offset (checkpoint/restart)"),
    (421, "service not available, closing transmission channel"),
    (422, "temporary failure, registry pairing with X.7.12 (password transition)"),
    (430, "temporary failure, registry pairing with X.5.1 (invalid command)"),
    (432, "a password transition is needed"),
    (450, "mailbox unavailable, action not taken for now"),
    (451, "action aborted because of a local processing error"),
    (452, "insufficient system storage or too many recipients, action not taken"),
    (453, "no mail waiting for this client (ATRN, ODMR)"),
    (454, "temporary authentication failure or TLS not available"),
    (455, "server cannot accommodate the given parameters right now"),
    (456, "retry immediately over IPv4 (draft)"),
    (458, "unable to queue messages for the node (ETRN)"),
    (459, "node not allowed to use ETRN"),
    (500, "syntax error, command unrecognized or line too long"),
    (501, "syntax error in parameters or arguments"),
    (502, "command recognized but not implemented"),
    (503, "bad sequence of commands"),
    (504, "command parameter or mechanism not implemented"),
    (520, "wrong QHLO ID (quickstart draft)"),
    (521, "host does not accept mail"),
    (523, "encryption needed, registry pairing with X.7.10"),
    (524, "encryption required for the authentication mechanism, registry pairing with X.7.11"),
    (525, "user account disabled"),
    (530, "authentication or STARTTLS required before this command"),
    (533, "delivery not authorized, registry pairing with X.7.1"),
    (534, "authentication mechanism is too weak"),
    (535, "authentication credentials invalid"),
    (538, "encryption required for the requested authentication mechanism"),
    (550, "action not taken: mailbox unavailable or access refused"),
    (551, "user not local, try the given forward path"),
    (552, "storage allocation exceeded (mailbox quota or message size)"),
    (553, "mailbox name not allowed (address syntax or domain)"),
    (554, "transaction failed (at connection opening: no SMTP service here)"),
    (555, "parameters of MAIL FROM or RCPT TO not recognized or not implemented"),
    (556, "domain does not accept mail, such as a domain with a null MX"),
    (557, "address query reply (addrquery draft)"),
];

/// What a reply code means at a stage, for the codes whose meaning depends
/// on it; `None` for the others (their [`REPLY_CODES`] entry holds at any
/// stage). 554 is "no SMTP service here" as the connection-opening reply
/// and "transaction failed" after a command (RFC 5321 §4.2.2, §3.1).
pub fn reply_description_at(code: u16, stage: Stage) -> Option<&'static str> {
    STAGE_REPLY_CODES.iter().find(|&&(c, s, _)| (c, s) == (code, stage)).map(|&(_, _, text)| text)
}

/// The reply codes whose meaning depends on the command they answered, by
/// stage (see [`reply_description_at`]).
pub static STAGE_REPLY_CODES: &[(u16, Stage, &str)] = &[
    (554, Stage::Connect, "no SMTP service here (554 at connection opening)"),
    (554, Stage::Helo, "transaction failed (after EHLO)"),
    (554, Stage::StartTls, "transaction failed (after STARTTLS)"),
    (554, Stage::Auth, "transaction failed (after AUTH)"),
    (554, Stage::Mail, "transaction failed (after MAIL FROM)"),
    (554, Stage::Rcpt, "transaction failed (after RCPT TO)"),
    (554, Stage::Data, "transaction failed (after DATA)"),
];

/// Enhanced status codes of the IANA registry as `(subject, detail, title)`,
/// sorted by subject then detail.
///
/// Titles do not depend on the class (2, 4 or 5), so there is one entry per
/// `subject.detail` pair.
pub static ENHANCED_CODES: &[(u16, u16, &str)] = &[
    (0, 0, "other undefined status"),
    (1, 0, "other address status"),
    (1, 1, "bad destination mailbox address"),
    (1, 2, "bad destination system address"),
    (1, 3, "bad destination mailbox address syntax"),
    (1, 4, "destination mailbox address ambiguous"),
    (1, 5, "destination address valid"),
    (1, 6, "destination mailbox has moved, no forwarding address"),
    (1, 7, "bad sender's mailbox address syntax"),
    (1, 8, "bad sender's system address"),
    (1, 9, "message relayed to non-compliant mailer"),
    (1, 10, "recipient address has null MX"),
    (2, 0, "other or undefined mailbox status"),
    (2, 1, "mailbox disabled, not accepting messages"),
    (2, 2, "mailbox full"),
    (2, 3, "message length exceeds administrative limit"),
    (2, 4, "mailing list expansion problem"),
    (3, 0, "other or undefined mail system status"),
    (3, 1, "mail system full"),
    (3, 2, "system not accepting network messages"),
    (3, 3, "system not capable of selected features"),
    (3, 4, "message too big for system"),
    (3, 5, "system incorrectly configured"),
    (3, 6, "requested priority was changed"),
    (4, 0, "other or undefined network or routing status"),
    (4, 1, "no answer from host"),
    (4, 2, "bad connection"),
    (4, 3, "directory server failure"),
    (4, 4, "unable to route"),
    (4, 5, "mail system congestion"),
    (4, 6, "routing loop detected"),
    (4, 7, "delivery time expired"),
    (5, 0, "other or undefined protocol status"),
    (5, 1, "invalid command"),
    (5, 2, "syntax error"),
    (5, 3, "too many recipients"),
    (5, 4, "invalid command arguments"),
    (5, 5, "wrong protocol version"),
    (5, 6, "authentication exchange line is too long"),
    (6, 0, "other or undefined media error"),
    (6, 1, "media not supported"),
    (6, 2, "conversion required and prohibited"),
    (6, 3, "conversion required but not supported"),
    (6, 4, "conversion with loss performed"),
    (6, 5, "conversion failed"),
    (6, 6, "message content not available"),
    (6, 7, "non-ASCII addresses not permitted for that sender or recipient"),
    (6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client"),
    (6, 9, "UTF-8 header message cannot be transferred to one or more recipients"),
    (6, 10, "deprecated, same as X.6.8"),
    (7, 0, "other or undefined security status"),
    (7, 1, "delivery not authorized, message refused"),
    (7, 2, "mailing list expansion prohibited"),
    (7, 3, "security conversion required but not possible"),
    (7, 4, "security features not supported"),
    (7, 5, "cryptographic failure"),
    (7, 6, "cryptographic algorithm not supported"),
    (7, 7, "message integrity failure"),
    (7, 8, "authentication credentials invalid"),
    (7, 9, "authentication mechanism is too weak"),
    (7, 10, "encryption needed"),
    (7, 11, "encryption required for requested authentication mechanism"),
    (7, 12, "a password transition is needed"),
    (7, 13, "user account disabled"),
    (7, 14, "trust relationship required"),
    (7, 15, "priority level is too low"),
    (7, 16, "message is too big for the specified priority"),
    (7, 17, "mailbox owner has changed"),
    (7, 18, "domain owner has changed"),
    (7, 19, "RRVS test cannot be completed"),
    (7, 20, "no passing DKIM signature found"),
    (7, 21, "no acceptable DKIM signature found"),
    (7, 22, "no valid author-matched DKIM signature found"),
    (7, 23, "SPF validation failed"),
    (7, 24, "SPF validation error"),
    (7, 25, "reverse DNS validation failed"),
    (7, 26, "multiple authentication checks failed"),
    (7, 27, "sender address has null MX"),
    (7, 28, "mail flood detected"),
    (7, 29, "ARC validation failure"),
    (7, 30, "REQUIRETLS support required"),
];

/// Names of the enhanced status code subjects (the middle number), indexed by
/// subject.
static SUBJECTS: [&str; 8] = [
    "other or undefined",
    "addressing",
    "mailbox",
    "mail system",
    "network and routing",
    "mail delivery protocol",
    "message content or media",
    "security or policy",
];

/// Returns a short description of a basic SMTP reply code such as `550`,
/// or `None` if the code is not in [`REPLY_CODES`].
#[must_use]
pub fn reply_description(code: u16) -> Option<&'static str> {
    REPLY_CODES.binary_search_by_key(&code, |&(c, _)| c).ok().map(|i| REPLY_CODES[i].1)
}

/// Returns the registry title of the enhanced status code
/// `class.subject.detail`, or `None` if the class is not 2, 4 or 5 or the
/// `subject.detail` pair is not registered.
#[must_use]
pub fn enhanced_description(class: u8, subject: u16, detail: u16) -> Option<&'static str> {
    if !matches!(class, 2 | 4 | 5) {
        return None;
    }
    ENHANCED_CODES.binary_search_by_key(&(subject, detail), |&(s, d, _)| (s, d)).ok().map(|i| ENHANCED_CODES[i].2)
}

/// The document that defines the enhanced status code `X.subject.detail`
/// (the reference column of the IANA registry; RFC 3463 §3.1 to §3.8 cover
/// subjects 0 to 7), or `None` if it is not registered. RFC 7504 is cited
/// for the section of the reply code it pairs a code with: §3 for 521
/// (X.3.2), §4 for 556 (X.1.10); RFC 7505 §4.1 says when X.1.10 and X.7.27
/// are sent, §6 registers them.
#[must_use]
pub fn enhanced_source(subject: u16, detail: u16) -> Option<&'static str> {
    enhanced_description(5, subject, detail)?;
    Some(match (subject, detail) {
        (0, _) => "RFC 3463 §3.1",
        (1, 9) => "RFC 3886",
        (1, 10) => "RFC 7505 §4.1, §6; RFC 7504 §4",
        (1, _) => "RFC 3463 §3.2",
        (2, _) => "RFC 3463 §3.3",
        (3, 2) => "RFC 3463 §3.4; RFC 7504 §3",
        (3, 6) => "RFC 6710",
        (3, _) => "RFC 3463 §3.4",
        (4, _) => "RFC 3463 §3.5",
        (5, 6) => "RFC 4954 §6",
        (5, _) => "RFC 3463 §3.6",
        (6, 6) => "RFC 4468",
        (6, 7..=10) => "RFC 6531",
        (6, _) => "RFC 3463 §3.7",
        (7, 8 | 9 | 11 | 12) => "RFC 4954 §6",
        (7, 10 | 13 | 14) => "RFC 5248",
        (7, 15 | 16) => "RFC 6710",
        (7, 17..=19) => "RFC 7293",
        (7, 20..=22) => "RFC 7372; RFC 6376",
        (7, 23 | 24) => "RFC 7372; RFC 7208",
        (7, 25) => "RFC 7372; RFC 7601",
        (7, 26) => "RFC 7372",
        (7, 27) => "RFC 7505 §4.1, §6",
        (7, 28) => "draft-levine-mailbomb-header",
        (7, 29) => "RFC 8617",
        (7, 30) => "RFC 8689",
        _ => "RFC 3463 §3.8",
    })
}

/// Returns the name of an enhanced status code subject (0 to 7), or `None`
/// for other values.
///
/// Useful for codes outside the registry such as `5.7.606`.
#[must_use]
pub fn subject_description(subject: u16) -> Option<&'static str> {
    SUBJECTS.get(usize::from(subject)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reply codes of reference section 1.2 (RFC 5321 and related RFCs).
    const STANDARD_REPLY_CODES: &[u16] = &[
        211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452, 454, 455, 500, 501, 502, 503, 504,
        521, 523, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556,
    ];

    /// Other reply codes of reference section 1.3.
    const OTHER_REPLY_CODES: &[u16] = &[253, 355, 422, 430, 453, 456, 458, 459, 520, 524, 525, 533, 557];

    /// Highest registered detail for each subject 0..=7.
    const MAX_DETAIL: [u16; 8] = [0, 10, 4, 6, 7, 6, 10, 30];

    fn expected_enhanced() -> Vec<(u16, u16)> {
        let mut v = Vec::new();
        for (subject, &max) in (0u16..).zip(MAX_DETAIL.iter()) {
            for detail in 0..=max {
                v.push((subject, detail));
            }
        }
        v
    }

    fn all_descriptions() -> impl Iterator<Item = &'static str> {
        REPLY_CODES
            .iter()
            .map(|&(_, d)| d)
            .chain(ENHANCED_CODES.iter().map(|&(_, _, d)| d))
            .chain(SUBJECTS.iter().copied())
    }

    #[test]
    fn reply_codes_strictly_sorted() {
        for pair in REPLY_CODES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn enhanced_codes_strictly_sorted() {
        for pair in ENHANCED_CODES.windows(2) {
            let (a, b) = ((pair[0].0, pair[0].1), (pair[1].0, pair[1].1));
            assert!(a < b, "{a:?} before {b:?}");
        }
    }

    #[test]
    fn standard_reply_codes_present() {
        for &code in STANDARD_REPLY_CODES {
            assert!(reply_description(code).is_some(), "missing {code}");
        }
    }

    #[test]
    fn other_reply_codes_present() {
        for &code in OTHER_REPLY_CODES {
            assert!(reply_description(code).is_some(), "missing {code}");
        }
    }

    #[test]
    fn reply_table_has_no_extra_codes() {
        let mut expected: Vec<u16> = STANDARD_REPLY_CODES.iter().chain(OTHER_REPLY_CODES).copied().collect();
        expected.sort_unstable();
        let actual: Vec<u16> = REPLY_CODES.iter().map(|&(c, _)| c).collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn registry_codes_present_in_every_class() {
        for (subject, detail) in expected_enhanced() {
            for class in [2, 4, 5] {
                assert!(enhanced_description(class, subject, detail).is_some(), "missing {class}.{subject}.{detail}");
            }
        }
    }

    #[test]
    fn registry_table_has_no_extra_codes() {
        let actual: Vec<(u16, u16)> = ENHANCED_CODES.iter().map(|&(s, d, _)| (s, d)).collect();
        assert_eq!(actual, expected_enhanced());
    }

    #[test]
    fn enhanced_titles_are_class_independent() {
        for &(s, d, title) in ENHANCED_CODES {
            for class in [2, 4, 5] {
                assert_eq!(enhanced_description(class, s, d), Some(title));
            }
        }
    }

    #[test]
    fn key_phrases() {
        let cases: &[(Option<&str>, &str)] = &[
            (reply_description(252), "accept the message and attempt delivery"),
            (reply_description(252), "cannot verify the user"),
            (reply_description(556), "null MX"),
            (reply_description(556), "domain does not accept mail"),
            (reply_description(521), "host does not accept mail"),
            (reply_description(552), "storage"),
            (reply_description(552), "quota"),
            (reply_description(421), "service not available"),
            (reply_description(421), "closing"),
            (enhanced_description(5, 1, 10), "recipient address has null MX"),
            (enhanced_description(5, 6, 10), "deprecated, same as X.6.8"),
            (enhanced_description(5, 7, 27), "null MX"),
        ];
        for (i, &(desc, phrase)) in cases.iter().enumerate() {
            let desc = desc.unwrap_or_else(|| panic!("case {i}: missing"));
            assert!(desc.contains(phrase), "case {i}: {desc:?} lacks {phrase:?}");
        }
    }

    #[test]
    fn every_registered_code_has_a_source() {
        for &(s, d, _) in ENHANCED_CODES {
            let source = enhanced_source(s, d).unwrap_or_else(|| panic!("X.{s}.{d}"));
            assert!(source.starts_with("RFC ") || source.starts_with("draft-"), "X.{s}.{d}: {source}");
        }
        assert_eq!(enhanced_source(7, 606), None);
        assert_eq!(enhanced_source(2, 2), Some("RFC 3463 §3.3"));
    }

    #[test]
    fn enhanced_rejects_bad_class() {
        for class in [0, 1, 3, 6, 9, 255] {
            assert_eq!(enhanced_description(class, 0, 0), None, "class {class}");
            assert_eq!(enhanced_description(class, 1, 10), None, "class {class}");
        }
    }

    #[test]
    fn unknown_codes_give_none() {
        for code in [0, 200, 299, 300, 400, 499, 505, 559, 600, 999, u16::MAX] {
            assert_eq!(reply_description(code), None, "{code}");
        }
        let unknown: &[(u8, u16, u16)] = &[
            (5, 0, 1),
            (5, 1, 11),
            (5, 2, 5),
            (5, 3, 7),
            (4, 4, 8),
            (5, 5, 7),
            (5, 6, 11),
            (5, 7, 31),
            (5, 7, 606),
            (4, 7, 650),
            (5, 8, 0),
            (5, u16::MAX, 0),
        ];
        for &(c, s, d) in unknown {
            assert_eq!(enhanced_description(c, s, d), None, "{c}.{s}.{d}");
        }
    }

    #[test]
    fn subject_names() {
        let cases: &[(u16, Option<&str>)] = &[
            (0, Some("other or undefined")),
            (1, Some("addressing")),
            (2, Some("mailbox")),
            (3, Some("mail system")),
            (4, Some("network and routing")),
            (5, Some("mail delivery protocol")),
            (6, Some("message content or media")),
            (7, Some("security or policy")),
            (8, None),
            (606, None),
            (u16::MAX, None),
        ];
        for &(subject, expected) in cases {
            assert_eq!(subject_description(subject), expected, "subject {subject}");
        }
    }

    #[test]
    fn descriptions_are_clean() {
        for desc in all_descriptions() {
            assert!(!desc.is_empty(), "empty description");
            assert_eq!(desc, desc.trim(), "whitespace around {desc:?}");
            assert!(!desc.contains('\n'), "newline in {desc:?}");
            assert!(!desc.contains('\r'), "carriage return in {desc:?}");
            assert!(!desc.contains('"'), "double quote in {desc:?}");
            assert!(!desc.ends_with('.'), "trailing period in {desc:?}");
        }
    }

    #[test]
    fn reply_descriptions_are_short() {
        for &(code, desc) in REPLY_CODES {
            let words = desc.split_whitespace().count();
            assert!((3..=14).contains(&words), "{code}: {words} words");
        }
    }
}
