//! The parts delivery lines are built from, shared by the proptest
//! generators in `tests/reference_parser.rs` and the `reference_parser` fuzz
//! target (which includes this file by `#[path]`): timestamps, syslog tags,
//! codes, enhanced codes, reply texts, statuses, and the shapes of the rest
//! of a Postfix or Exim line. Placeholders: `{}` is an address, `{cmd}` an
//! Exim SMTP command, `{reply}` a remote reply.

pub const STAMPS_POSTFIX: &[&str] =
    &["", "Nov  5 10:00:00 mx1 ", "Nov 15 10:00:00 mx1 ", "2026-11-05T10:00:00.123456+01:00 mx1 ", "Jun  1 mx1 "];
pub const TAGS: &[&str] = &[
    "postfix/smtp[123]: ",
    "postfix-out/smtp[9]: ",
    "postfix/amavis/smtp[1]: ",
    "mail-out/lmtp[77]: ",
    "postfix/local[5]: ",
    "postfix/error[5]: ",
    "postfix/virtual[8]: ",
    "",
];
pub const STAMPS_EXIM: &[&str] = &[
    "",
    "2026-11-05 10:00:00 ",
    "2026-11-05 10:00:00.123 ",
    "2026-11-05 10:00:00 [4242] ",
    "2026-11-05 10:00:00 +0100 ",
    "Nov  5 10:00:00 mx2 exim[77]: 2026-11-05 10:00:00 ",
    "2026-11-05T10:00:00.123456+01:00 mx2 exim[77]: 2026-11-05 10:00:00 ",
];
pub const ENHANCED: &[&str] = &[
    "2.0.0", "2.6.0", "2.7.0", "2.1.5", "4.2.0", "4.7.0", "4.7.650", "4.4.1", "4.2.2", "4.3.0", "5.1.1", "5.7.1",
    "5.1.10", "5.2.2", "5.0.0", "5.4.4", "5.1.0", "5.5.0",
];
pub const CODES: &[u16] = &[250, 251, 252, 421, 450, 451, 452, 550, 552, 553, 554];
pub const WORDS: &[&str] = &[
    "Ok: queued as 4PbC4y0Xyz",
    "Recipient address rejected: User unknown",
    "Service unavailable - try again later",
    "relay said: 421 try later",
    "host x refused to talk to me: 554 nope",
    "[192.0.2.7      15] Our system has detected",
    "DT:SPM 163 mx14,please see http://mx.example/help",
    "Mailbox full (in reply to RCPT TO command)",
    "5.1.1 looks like a code",
    "see https://support.example/?p=NoSuchUser - gsmtp",
];
/// Texts after `said:` that do not start with a reply code.
pub const NOT_REPLIES: &[&str] =
    &["Mailbox unavailable", "5500 bytes too big", "192.0.2.1 blocked", "55 short", "550.1.2 odd", ""];
pub const STATUSES: &[&str] =
    &["sent", "deferred", "bounced", "SOFTBOUNCE", "deliverable", "undeliverable", "expired", "frobnicated"];

/// Quoted local parts, some holding `@` or `: `.
pub const QUOTED_LOCALS: &[&str] = &["\"john doe\"", "\"a@b\"", "\"x: y\""];

/// Postfix `orig_to=` fields, some holding what looks like another field.
pub const ORIG_TO: &[&str] = &[
    "orig_to=<alias@corp.example>",
    "orig_to=<Root>",
    "orig_to=root@localhost",
    "orig_to=<a, status=bounced (x)@corp.example>",
    "orig_to=<b, dsn=5.1.1@corp.example>",
];
pub const RELAYS: &[&str] = &[
    "relay=mx.d.example[192.0.2.1]:25",
    "relay=none",
    "relay=127.0.0.1[127.0.0.1]:10024",
    "relay=local",
    "relay=mail.corp.example[private/dovecot-lmtp]",
    "relay=gmail-smtp-in.l.google.com[2001:db8::1b]:25, conn_use=2",
];
/// The text in `status=... (text)` around a remote reply.
pub const POSTFIX_REPLY_TEXTS: &[&str] = &[
    "host mx.d.example[192.0.2.1] said: {reply} (in reply to RCPT TO command)",
    "host mx.d.example[192.0.2.1] refused to talk to me: {reply}",
    "{reply}",
];
/// The text in `status=... (text)` without a remote reply of its own.
pub const POSTFIX_OTHER_TEXTS: &[&str] = &[
    "connect to mx.d.example[192.0.2.1]:25: Connection timed out",
    "Host or domain name not found. Name service error for name=d.example type=MX: Host not found",
    "delivered to mailbox",
    "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 4PbC4y0Xyz",
];

pub const EXIM_FLAGS: &[&str] = &["=>", "->", ">>", "==", "**"];
/// How an Exim recipient is written, `{}` being its address.
pub const EXIM_RECIPIENTS: &[&str] = &[
    "{}",
    "{}",
    "{} <sales@corp.example>",
    "bob <{}>",
    "|/usr/bin/procmail -d bob <{}>",
    "/var/mail/bob <{}>",
    ">bob (page+bob@corp.example) <{}>",
];
/// The SMTP command an Exim error names, `{}` being the recipient.
pub const EXIM_COMMANDS: &[&str] = &[
    "RCPT TO:<{}>",
    "pipelined RCPT TO:<{}>",
    "MAIL FROM:<s@corp.example> SIZE=1234",
    "end of data",
    "initial connection",
];
/// What follows the Exim recipient, `{cmd}` and `{reply}` to be filled in.
pub const EXIM_RESTS: &[&str] = &[
    " R=dnslookup T=remote_smtp H=mx.d.example [192.0.2.1] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"{reply}\"",
    " R=dnslookup T=remote_smtp H=mx.d.example [192.0.2.1] C=\"{reply}\"",
    " R=dnslookup T=remote_smtp H=mx.d.example [192.0.2.1]",
    " R=local_user T=local_delivery",
    " R=dnslookup T=remote_smtp defer (-44) H=mx.d.example [192.0.2.1]: SMTP error from remote mail server after {cmd}: {reply}",
    " R=dnslookup T=remote_smtp: SMTP error from remote mail server after {cmd}: host mx.d.example [192.0.2.1]: {reply}",
    " R=dnslookup T=remote_smtp H=mx.d.example [192.0.2.1] : SMTP error from remote mailer after {cmd}: {reply}",
    " R=virtual_user T=dovecot_lmtp defer (0) H=127.0.0.1 [127.0.0.1]: LMTP error after {cmd}: {reply}",
    " R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'd.example'",
    " R=dnslookup T=remote_smtp defer (111): Connection refused",
    ": Unrouteable address",
    " R=r1 : {reply}",
    ": retry timeout exceeded",
    " R=dnslookup: an MX or SRV record indicated no SMTP service",
];

/// A Postfix line from its parts: `to` is the field after `to=` as written
/// (`<addr>`, a bare address, `<>`), `dsn` an enhanced code or nothing.
pub fn postfix_line(
    head: (&str, &str, &str),
    to: &str,
    orig_to: Option<&str>,
    relay: &str,
    dsn: Option<&str>,
    status: &str,
    text: &str,
) -> String {
    let (stamp, tag, qid) = head;
    let orig_to = orig_to.map(|o| format!("{o}, ")).unwrap_or_default();
    let dsn = dsn.map(|d| format!(", dsn={d}")).unwrap_or_default();
    format!(
        "{stamp}{tag}{qid}: to={to}, {orig_to}{relay}, delay=1.2, delays=0.1/0/0.5/0.6{dsn}, status={status} ({text})"
    )
}

/// An Exim line from its parts, the placeholders filled in.
pub fn exim_line(head: (&str, &str, &str), addr: &str, rcpt: &str, cmd: &str, rest: &str, reply: &str) -> String {
    let (stamp, id, flag) = head;
    let rest = rest.replace("{cmd}", &cmd.replace("{}", addr)).replace("{reply}", reply);
    format!("{stamp}{id} {flag} {}{rest}", rcpt.replace("{}", addr))
}

/// A one-line reply: `550 5.1.1 text` or `550 text`.
pub fn one_reply(code: u16, enhanced: Option<&str>, words: &str) -> String {
    match enhanced {
        Some(e) => format!("{code} {e} {words}"),
        None => format!("{code} {words}"),
    }
}

/// A reply of `n + 1` lines joined by `sep`: `550-5.1.1 part 0SEP...550 5.1.1 last part`.
pub fn multi_reply(code: u16, enhanced: &str, n: usize, sep: &str) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("{code}-{enhanced} part {i}{sep}"));
    }
    text + &format!("{code} {enhanced} last part")
}
