//! Addresses in log texts replaced by their keyed hash (`--hash-recipients`).
//!
//! A reply text often names the recipient (`550 5.1.1 <b@example.com>:
//! Recipient address rejected`) or the sender (`MAIL FROM:<a@example.org>`).
//! With a hash key every address in such a text is replaced by the same
//! HMAC-SHA256 the `recipients` report writes for the address, so a text
//! that names the recipient can still be matched with its row, and no
//! address is left readable.
//!
//! An address here is what a reply or a log line writes: a local part of
//! the characters RFC 5322 allows unquoted (or a quoted string), `@`, and a
//! domain (letters, digits, `-`, `.`, any non-ASCII, or a `[literal]`).
//! Text that only looks like one (a message id `<123@host>`) is masked too:
//! masking too much is the safe side.

use std::borrow::Cow;

use super::recipients::keyed_hash;
use crate::parse::domain;

/// `text` with every address replaced by HMAC-SHA256(key, address), in
/// lower-case hex; borrowed when it has no address.
pub fn mask_addresses<'a>(text: &'a str, key: &[u8]) -> Cow<'a, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut scratch = Vec::new();
    for at in memchr::memchr_iter(b'@', bytes) {
        if at < copied {
            continue; // inside the domain literal of an address just masked
        }
        let Some(start) = local_start(&bytes[copied..at]).map(|s| copied + s) else { continue };
        let end = domain_end(bytes, at + 1);
        if end == at + 1 {
            continue;
        }
        // As the recipients report writes it (see `canonical`): the local
        // part as written, the domain normalized.
        let normalized = domain::normalize(&bytes[at + 1..end], &mut scratch);
        let address = format!("{}@{}", &text[start..at], String::from_utf8_lossy(normalized));
        out.push_str(&text[copied..start]);
        out.push_str(&keyed_hash(key, address.as_bytes()));
        copied = end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Where the local part that ends `before` (the text before an `@`)
/// starts, if there is one.
fn local_start(before: &[u8]) -> Option<usize> {
    if before.last() == Some(&b'"') {
        // A quoted local part: back to the opening quote.
        let open = memchr::memrchr(b'"', &before[..before.len() - 1])?;
        return Some(open);
    }
    let mut start = before.len();
    while start > 0 && is_local(before[start - 1]) {
        start -= 1;
    }
    // A local part does not start with a dot (`text.user@` is `user@`'s
    // sentence, not an address starting with a dot).
    while start < before.len() && before[start] == b'.' {
        start += 1;
    }
    (start < before.len()).then_some(start)
}

/// Where the domain that starts at `from` ends (`from` when there is none).
fn domain_end(bytes: &[u8], from: usize) -> usize {
    if bytes.get(from) == Some(&b'[') {
        return match memchr::memchr(b']', &bytes[from..]) {
            Some(close) => from + close + 1,
            None => from,
        };
    }
    let mut end = from;
    while end < bytes.len() && is_domain(bytes[end]) {
        end += 1;
    }
    // A sentence may end right after the address; in `<...>` a trailing
    // dot is the root of the domain.
    let bracketed = bytes.get(end) == Some(&b'>');
    while !bracketed && end > from && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    end
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b == b'-' || b == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"k";

    fn h(address: &str) -> String {
        keyed_hash(KEY, address.as_bytes())
    }

    /// Worked out by hand: what is an address, and what replaces it.
    #[test]
    fn addresses_in_texts_are_masked() {
        let cases: Vec<(&str, String)> = vec![
            ("250 2.0.0 Ok: queued as 4B1C2D3E", "250 2.0.0 Ok: queued as 4B1C2D3E".into()),
            ("no at sign @ here", "no at sign @ here".into()),
            (
                "550 5.1.1 <b@example.com>: Recipient address rejected",
                format!("550 5.1.1 <{}>: Recipient address rejected", h("b@example.com")),
            ),
            // The domain is normalized as the recipients report does: the
            // same address gives the same hash as its row.
            ("<b@Example.COM.> unknown", format!("<{}> unknown", h("b@example.com"))),
            // The local part is kept as written.
            ("B.Smith+tag@example.com", h("B.Smith+tag@example.com")),
            (
                "after MAIL FROM:<a@x.example> SIZE=100: 550 <b@y.example>",
                format!("after MAIL FROM:<{}> SIZE=100: 550 <{}>", h("a@x.example"), h("b@y.example")),
            ),
            ("mail to b@example.com.", format!("mail to {}.", h("b@example.com"))),
            ("\"john doe\"@example.com refused", format!("{} refused", h("\"john doe\"@example.com"))),
            ("root@[192.0.2.1] said", format!("{} said", h("root@[192.0.2.1]"))),
            // An `@` inside a domain literal already masked is not looked at again.
            ("a@[x@y] z", format!("{} z", h("a@[x@y]"))),
            ("user@münchen.example x", format!("{} x", h("user@münchen.example"))),
            ("a.@b", h("a.@b")),
            ("...x@y.example", format!("...{}", h("x@y.example"))),
            ("@example.com and user@ and @", "@example.com and user@ and @".into()),
        ];
        for (text, want) in cases {
            assert_eq!(mask_addresses(text, KEY), want, "{text}");
        }
    }

    #[test]
    fn a_text_without_addresses_is_borrowed() {
        assert!(matches!(mask_addresses("421 4.7.0 try later", KEY), Cow::Borrowed(_)));
    }
}
