//! The reference parser: a reading of one delivery line written from the
//! README's "What counts as a delivery event" alone, with regular
//! expressions and no code from `src/parse`, slow and small so that it can
//! be checked by eye. `reference(line)` gives the event the README
//! describes, as (domain, outcome, code, enhanced code), or nothing;
//! `crate_reading(line)` gives the crate's `parse_line` result in the same
//! terms.
//!
//! Included from two places: `tests/reference_parser.rs` (as a submodule)
//! and the `reference_parser` fuzz target (by `#[path]`), so that it uses
//! only `std`, `regex` and the crate's public API.

use std::sync::LazyLock;

use regex::Regex;

use bounces::config::Mta;
use bounces::internals::parse::Parsed;
use bounces::internals::search::Scanner;

/// A delivery event: domain (lower case, one trailing dot removed), outcome,
/// basic code, enhanced code.
pub type Reading = (String, &'static str, Option<u16>, Option<String>);

struct Patterns {
    postfix: Regex,
    dsn: Regex,
    remote: Regex,
    exim: Regex,
    exim_id: Regex,
    confirmation: Regex,
    exim_error: Regex,
    code: Regex,
    enhanced: Regex,
}

static RE: LazyLock<Patterns> = LazyLock::new(|| {
    Patterns {
    // `[stamp host tag: ]QUEUEID: to=<addr>|addr[, orig_to=...], key=value..., status=WORD[ (text)]`
    postfix: Regex::new(
        r"^(?:.* )?[0-9A-Za-z]{5,24}: to=(?:<(?P<addr>[^>]*)>|(?P<bare>[^ ,]+))(?:, orig_to=(?:<[^>]*>|[^ ,]*))?(?P<fields>(?:, [a-z_]+=[^,]*)*), status=(?P<status>[A-Za-z-]+)(?: \((?P<text>.*)\))?$",
    )
    .unwrap(),
    dsn: Regex::new(r", dsn=(?P<e>[^,]*)").unwrap(),
    remote: Regex::new(r" (?:said|refused to talk to me): ").unwrap(),
    // `[stamp ]MESSAGEID FLAG rest`, the id being the line's first.
    exim: Regex::new(
        r"^(?P<head>(?:.* )?)(?P<id>[0-9A-Za-z]{6}-(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{2}|[0-9A-Za-z]{11}-[0-9A-Za-z]{4})) (?P<flag>=>|->|>>|==|\*\*) (?P<rest>.*)$",
    )
    .unwrap(),
    exim_id: Regex::new(r"^[0-9A-Za-z]{6}-(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{2}|[0-9A-Za-z]{11}-[0-9A-Za-z]{4})$").unwrap(),
    confirmation: Regex::new(r#" C="(?P<reply>[^"]*)""#).unwrap(),
    exim_error: Regex::new(
        r"(?:SMTP error from remote (?:mail server|mailer)|LMTP error) after (?:pipelined )?(?:RCPT TO:<[^>]*>|MAIL FROM:<[^>]*>(?: SIZE=[0-9]+)?|end of data|DATA|initial connection): (?:host [^ ]+ \[[^\]]*\]: )?(?P<reply>.*)$",
    )
    .unwrap(),
    code: Regex::new(r"^(?P<code>[2-5][0-9][0-9])(?P<after>[ -].*)?$").unwrap(),
    enhanced: Regex::new(r"^(?P<e>[245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.].*)?$").unwrap(),
}
});

/// The part of an address after its last `@`, lower-cased, one trailing dot
/// removed; empty when that `@` is inside a quoted local part or missing.
fn domain(addr: &str) -> String {
    let domain = match addr.rsplit_once('@') {
        Some((_, d)) if !d.contains('"') => d,
        _ => "",
    };
    let domain = domain.to_ascii_lowercase();
    domain.strip_suffix('.').unwrap_or(&domain).to_string()
}

/// The basic code that starts `reply`, and what follows it.
fn code(reply: &str) -> Option<(u16, &str)> {
    let c = RE.code.captures(reply)?;
    Some((c["code"].parse().unwrap(), c.name("after").map_or("", |m| m.as_str())))
}

/// An enhanced code at the start of `text`.
fn enhanced(text: &str) -> Option<String> {
    RE.enhanced.captures(text).map(|c| c["e"].to_string())
}

fn postfix(line: &str) -> Option<Reading> {
    let c = RE.postfix.captures(line)?;
    let outcome = match &c["status"] {
        "sent" => "delivered",
        "deferred" | "SOFTBOUNCE" => "deferred",
        "bounced" => "bounced",
        _ => return None,
    };
    let addr = c.name("addr").or(c.name("bare")).unwrap().as_str();
    let text = c.name("text").map_or("", |m| m.as_str());
    let reply = if outcome == "delivered" { Some(text) } else { RE.remote.find(text).map(|m| &text[m.end()..]) };
    let code = reply.and_then(code).map(|(c, _)| c);
    let enhanced = RE.dsn.captures(&c["fields"]).and_then(|d| enhanced(&d["e"]));
    Some((domain(addr), outcome, code, enhanced))
}

fn exim(line: &str) -> Option<Reading> {
    let c = RE.exim.captures(line)?;
    // The flag must follow the line's first message id.
    if c["head"].split(' ').any(|token| RE.exim_id.is_match(token)) {
        return None;
    }
    let outcome = match &c["flag"] {
        "=>" | "->" | ">>" => "delivered",
        "==" => "deferred",
        _ => "bounced",
    };
    let rest = &c["rest"];
    // The recipient: a (maybe quoted) address; or a local part, pipe, file
    // or autoreply followed by the `<address>` it was for.
    let (field, after) = if rest.starts_with(['|', '/', '>']) {
        rest.split_at(rest.find(" <").unwrap_or(rest.len()))
    } else if let Some(quoted) = rest.strip_prefix('"') {
        let close = quoted.find('"').map_or(rest.len(), |i| i + 2);
        let end = rest[close..].find(' ').map_or(rest.len(), |i| close + i);
        rest.split_at(end)
    } else {
        rest.split_at(rest.find(' ').unwrap_or(rest.len()))
    };
    let field = field.strip_suffix(':').unwrap_or(field);
    let mut domain = if field.starts_with(['|', '/', '>']) { String::new() } else { self::domain(field) };
    if domain.is_empty()
        && let Some(addr) = after.strip_prefix(" <").and_then(|a| a.split_once('>'))
    {
        domain = self::domain(addr.0);
    }
    let reply = if outcome == "delivered" {
        RE.confirmation.captures(rest).map(|c| c.name("reply").unwrap().as_str())
    } else {
        RE.exim_error.captures(rest).map(|c| c.name("reply").unwrap().as_str())
    };
    let (code, enhanced) = match reply.and_then(code) {
        Some((code, after)) => {
            let e = after.get(1..).and_then(enhanced).filter(|e| e.as_bytes()[0] - b'0' == (code / 100) as u8);
            (Some(code), e)
        }
        None => (None, None),
    };
    Some((domain, outcome, code, enhanced))
}

/// The reference reading of a line: an event or nothing.
pub fn reference(line: &str) -> Option<Reading> {
    postfix(line).or_else(|| exim(line))
}

/// The crate's reading of a line, in the same terms.
pub fn crate_reading(line: &str) -> Option<Reading> {
    static SCANNER: LazyLock<Scanner> = LazyLock::new(|| Scanner::new(Mta::Auto));
    let Parsed::Event(e) = SCANNER.parse_line(line.as_bytes()) else { return None };
    let domain = String::from_utf8_lossy(e.domain).to_ascii_lowercase();
    let domain = domain.strip_suffix('.').unwrap_or(&domain).to_string();
    Some((domain, e.outcome.as_str(), e.code, e.enhanced.map(|e| e.to_string())))
}
