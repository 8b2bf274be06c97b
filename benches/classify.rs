//! Cost of classifying one failure: the classifier's public entry points,
//! per call.
//!
//! ```text
//! cargo bench --bench classify                 # all of them (about half a minute)
//! cargo bench --bench classify -- uncached     # one group
//! ```
//!
//! - `cache_hit`: [`Classifier::classify`] on a text it has seen (what most
//!   lines of a log cost: a log has few kinds of replies);
//! - `uncached/rule`: [`classify`] (normalization and the whole decision, no
//!   cache) on a text a specific text rule decides;
//! - `uncached/no_rule`: the same on a text no text rule matches, so every
//!   row is tried before the codes decide (the most a new reply costs);
//! - `uncached/mix`: the same over 50 distinct diagnostic texts of the kinds
//!   real logs hold, reported per text.
//!
//! The texts are written for this bench (made-up hosts and addresses).

use std::hint::black_box;
use std::time::Duration;

use bounces::internals::classify::{Classifier, classify};
use bounces::internals::parse::{Enhanced, Outcome};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// `"5.1.1"` → `Some(Enhanced)`, `""` → `None`.
fn enhanced(s: &str) -> Option<Enhanced> {
    let mut parts = s.split('.').map(|p| p.parse::<u16>().ok());
    let class = parts.next()??;
    let (subject, detail) = (parts.next()??, parts.next()??);
    Some(Enhanced { class: u8::try_from(class).ok()?, subject, detail })
}

/// A reply as a test gives it: outcome, basic code (0: none), enhanced
/// code ("" for none), text.
type Reply = (Outcome, u16, &'static str, &'static str);

/// A Postfix unknown user, decided by a text row (user unknown in a
/// recipient table).
const RULE: Reply = (
    Outcome::Bounced,
    550,
    "5.1.1",
    "host mx.example.com[192.0.2.10] said: 550 5.1.1 <someone@example.com>: Recipient address rejected: \
     User unknown in virtual mailbox table (in reply to RCPT TO command)",
);

/// A refusal whose words no text rule knows: every row is tried, then the
/// codes decide.
const NO_RULE: Reply = (
    Outcome::Bounced,
    550,
    "5.7.1",
    "host mx2.corp-mail.example[198.51.100.7] said: 550 5.7.1 <a.person@corp-mail.example>: The \
     recipient's organisation has chosen not to take this message from you at this time, please \
     contact its postmaster by other means (in reply to RCPT TO command)",
);

/// Fifty distinct diagnostic texts of the kinds a real log holds, written
/// for this bench.
const MIX: &[Reply] = &[
    (
        Outcome::Bounced,
        550,
        "5.1.1",
        "host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1b2c3 - gsmtp (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.5.0",
        "host mta7.am0.yahoodns.net[192.0.2.33] said: 554 delivery error: dd This user doesn't have a yahoo.com account (someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.4.1",
        "host example-com.mail.protection.outlook.com[192.0.2.40] said: 550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR01FT012.eop-EUR01.prod.protection.outlook.com] (in reply to RCPT TO command)",
    ),
    (
        Outcome::Deferred,
        452,
        "4.2.2",
        "host mx.example.org[192.0.2.41] said: 452 4.2.2 <jo@example.org>: Mailbox full (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        552,
        "5.2.2",
        "host mail.example.net[192.0.2.42] said: 552 5.2.2 The email account that you tried to reach is over quota (in reply to RCPT TO command)",
    ),
    (
        Outcome::Deferred,
        421,
        "4.7.0",
        "host mx1.example.com[192.0.2.43] said: 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1 (in reply to MAIL FROM command)",
    ),
    (
        Outcome::Bounced,
        554,
        "5.7.1",
        "host mx.spamfilter.example[192.0.2.44] said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org (in reply to RCPT TO command)",
    ),
    (
        Outcome::Deferred,
        450,
        "4.2.0",
        "host mx.greylist.example[192.0.2.45] said: 450 4.2.0 <x@greylist.example>: Recipient address rejected: Greylisted, see https://postgrey.example/ (in reply to RCPT TO command)",
    ),
    (Outcome::Deferred, 0, "4.4.1", "connect to mx.slow.example[192.0.2.46]:25: Connection timed out"),
    (
        Outcome::Bounced,
        0,
        "5.4.4",
        "Host or domain name not found. Name service error for name=no-such-domain.example type=A: Host not found",
    ),
    (
        Outcome::Deferred,
        0,
        "4.4.3",
        "Host or domain name not found. Name service error for name=flaky.example type=MX: Host not found, try again",
    ),
    (Outcome::Bounced, 0, "5.1.0", "Domain nullmx.example does not accept mail (nullMX)"),
    (
        Outcome::Bounced,
        550,
        "5.7.26",
        "host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.26 Unauthenticated email from our.example is not accepted due to domain's DMARC policy. Please contact the administrator of our.example domain. - gsmtp (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.1",
        "host mx.example.de[192.0.2.50] said: 550 5.7.1 Message rejected as spam by Content Filtering (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        554,
        "5.7.1",
        "host relay.example.fr[192.0.2.51] said: 554 5.7.1 <b@elsewhere.example>: Relay access denied (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        550,
        "",
        "host mx.tiny.example[192.0.2.52] said: 550 No such user here (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        553,
        "5.1.3",
        "host mx.example.io[192.0.2.53] said: 553 5.1.3 <bad address@example.io>: Recipient address rejected: bad address syntax (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        552,
        "5.3.4",
        "host mx.example.co[192.0.2.54] said: 552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA command)",
    ),
    (
        Outcome::Deferred,
        451,
        "4.3.0",
        "host mx.example.se[192.0.2.55] said: 451 4.3.0 Temporary local problem - please try later (in reply to end of DATA command)",
    ),
    (
        Outcome::Deferred,
        421,
        "",
        "host mx.busy.example[192.0.2.56] said: 421 Too many concurrent SMTP connections; please try again later (in reply to MAIL FROM command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.1",
        "host mx.example.it[192.0.2.57] said: 550 5.7.1 Our system has detected that this message is likely unsolicited mail (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.2.1",
        "host mx.example.nl[192.0.2.58] said: 550 5.2.1 <p@example.nl>: Mailbox disabled, not accepting messages (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.1.6",
        "host mx.example.be[192.0.2.59] said: 550 5.1.6 Recipient no longer on server (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        554,
        "5.7.1",
        "host mx.example.at[192.0.2.60] said: 554 5.7.1 Message contains a virus (Eicar-Test-Signature) (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.25",
        "host mx.example.ch[192.0.2.61] said: 550 5.7.25 The IP address sending this message does not have a PTR record setup (in reply to MAIL FROM command)",
    ),
    (
        Outcome::Deferred,
        454,
        "4.7.0",
        "host mx.example.pl[192.0.2.62] said: 454 4.7.0 TLS not available due to local problem (in reply to STARTTLS command)",
    ),
    (
        Outcome::Bounced,
        530,
        "5.7.0",
        "host smtp.example.cz[192.0.2.63] said: 530 5.7.0 Authentication required (in reply to MAIL FROM command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.0",
        "host mx.example.hu[192.0.2.64] said: 550 5.7.0 Local policy violation, message refused (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        553,
        "",
        "host mx.example.ro[192.0.2.65] said: 553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1) (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.1.0",
        "host mx.example.gr[192.0.2.66] said: 550 5.1.0 <me@our.example>: Sender address rejected: Domain not found (in reply to MAIL FROM command)",
    ),
    (Outcome::Bounced, 0, "5.4.6", "mail for loop.example loops back to myself"),
    (Outcome::Bounced, 0, "", "R=dnslookup T=remote_smtp: retry timeout exceeded"),
    (Outcome::Bounced, 0, "", "Unrouteable address"),
    (
        Outcome::Deferred,
        0,
        "",
        "R=dnslookup T=remote_smtp H=mx.example.pt [192.0.2.67]: SMTP error from remote mail server after RCPT TO:<u@example.pt>: 451 Could not complete sender verify callout",
    ),
    (
        Outcome::Bounced,
        0,
        "",
        "R=dnslookup T=remote_smtp H=mx.example.dk [192.0.2.68]: SMTP error from remote mail server after RCPT TO:<v@example.dk>: 550 Unknown user",
    ),
    (
        Outcome::Bounced,
        0,
        "",
        "R=dnslookup T=remote_smtp H=mx.example.fi [192.0.2.69]: SMTP error from remote mail server after end of data: 550 Administrative prohibition",
    ),
    (
        Outcome::Deferred,
        0,
        "",
        "R=dnslookup T=remote_smtp H=mx.example.no [192.0.2.70] DS=no: SMTP timeout after end of data (1234 bytes written): Connection timed out",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.606",
        "host example-org.mail.protection.outlook.com[192.0.2.71] said: 550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ (in reply to MAIL FROM command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.1.10",
        "host example-net.mail.protection.outlook.com[192.0.2.72] said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup (in reply to RCPT TO command)",
    ),
    (
        Outcome::Deferred,
        421,
        "4.7.28",
        "host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. - gsmtp (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.1",
        "host mx01.mail.icloud.com[192.0.2.73] said: 550 5.7.1 Your message was rejected due to example.org's DMARC policy (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "",
        "host mx.example.es[192.0.2.74] said: 550 Mailbox unavailable or access denied (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        554,
        "",
        "host mx.example.lt[192.0.2.75] said: 554 Transaction failed (in reply to end of DATA command)",
    ),
    (
        Outcome::Deferred,
        450,
        "4.1.8",
        "host mx.example.lv[192.0.2.76] said: 450 4.1.8 <x@our.example>: Sender address rejected: Domain not found (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.7.1",
        "host mx.example.ee[192.0.2.77] said: 550 5.7.1 Mail from 192.0.2.1 refused, see https://rbl.example/query (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        500,
        "5.5.1",
        "host mx.example.sk[192.0.2.78] said: 500 5.5.1 Command unrecognized (in reply to end of DATA command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.6.0",
        "host mx.example.si[192.0.2.79] said: 550 5.6.0 Message is not RFC 5322 compliant, duplicate header (in reply to end of DATA command)",
    ),
    (
        Outcome::Deferred,
        452,
        "4.5.3",
        "host mx.example.hr[192.0.2.80] said: 452 4.5.3 Too many recipients (in reply to RCPT TO command)",
    ),
    (
        Outcome::Bounced,
        550,
        "5.0.0",
        "host mx.example.bg[192.0.2.81] said: 550 5.0.0 Requested action not taken: mailbox unavailable (in reply to RCPT TO command)",
    ),
    (
        Outcome::Deferred,
        451,
        "4.7.1",
        "host mx.example.ie[192.0.2.82] said: 451 4.7.1 Please try again later (in reply to RCPT TO command)",
    ),
];

fn run(c: &mut Classifier, &(outcome, code, e, text): &Reply) -> u8 {
    c.classify(outcome, (code != 0).then_some(code), enhanced(e), black_box(text.as_bytes())).reason as u8
}

fn uncached(&(outcome, code, e, text): &Reply) -> u8 {
    classify(outcome, (code != 0).then_some(code), enhanced(e), black_box(text.as_bytes())).reason as u8
}

fn benches(c: &mut Criterion) {
    // Compile every regex first: the first call of each pays it once.
    let mut warm = Classifier::new();
    for reply in MIX.iter().chain([&RULE, &NO_RULE]) {
        run(&mut warm, reply);
    }

    let mut cached = Classifier::new();
    run(&mut cached, &RULE);
    c.bench_function("cache_hit", |b| b.iter(|| run(&mut cached, &RULE)));

    let mut group = c.benchmark_group("uncached");
    group.bench_function("rule", |b| b.iter(|| uncached(&RULE)));
    group.bench_function("no_rule", |b| b.iter(|| uncached(&NO_RULE)));
    group.throughput(Throughput::Elements(MIX.len() as u64));
    group.bench_function("mix", |b| b.iter(|| MIX.iter().map(uncached).fold(0u8, |a, r| a ^ r)));
    group.finish();
}

criterion_group! {
    name = classify_benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(classify_benches);
