//! Reply-text normalization, and the cache key that mirrors it.
//!
//! Every text rule reads the normalized text ([`normalize`]); the cache key
//! ([`drop_group_contents`]) drops exactly the groups normalization drops,
//! so two texts with the same key normalize alike. The two are side by side
//! because a change to one must be made to the other (the tests
//! `group_contents_are_dropped_as_normalize_drops_them` and
//! `equal_group_keys_mean_equal_normalizations` hold them together).

use std::sync::LazyLock;

use memchr::memchr;

/// The longest normalized text, in bytes. Longer texts are classified on
/// their first `NORMALIZED_MAX` normalized bytes (the MTA's own words and the
/// remote host name come first; no rule needs what follows).
pub const NORMALIZED_MAX: usize = 512;

/// How far to look for the closing `>`, `]` or `"` of a dropped group.
pub(super) const GROUP_MAX: usize = 320;

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
pub(super) fn drop_group_contents(text: &[u8], out: &mut Vec<u8>) {
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
pub(super) fn is_provider_code(inner: &[u8]) -> bool {
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
pub(super) fn normalize_into(text: &[u8], out: &mut Vec<u8>) {
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

/// Literals found in every host name that a [`PROVIDERS`](super::patterns::PROVIDERS) pattern matches
/// (and in a few more): a host holding one is left unmasked. Keeping more
/// than needed only costs cache entries; `providers_cover_every_provider_host`
/// checks that nothing a provider pattern needs is masked.
pub(super) static PROVIDER_HOSTS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
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
        "mimecast",
        "zoho",
        "gmx.",
        "web.de",
        "au.com",
        "ezweb.ne.jp",
        "docomo.ne.jp",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &[u8]) -> String {
        let mut out = Vec::new();
        normalize(text, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn keyed(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        drop_group_contents(text, &mut out);
        out
    }

    /// Token rules, worked out by hand from the list in [`normalize`]'s
    /// documentation.
    #[test]
    fn token_table() {
        let cases: [(&str, &str); 8] = [
            // Exim's literal `\n` between reply lines is one space, and the
            // `n` is not read as a letter.
            ("a\\nb", "a b"),
            ("550-first\\n550 second", "#-first # second"),
            // A number token right after another number token disappears,
            // but only after a *number* token: `#,y` holds a digit and is
            // not one.
            ("x1,y 5", "#,y #"),
            ("1.2 3:4 x", "# x"),
            // The last token is ended like any other.
            ("x 1.2", "x #"),
            ("x 1.2 ", "x #"),
            ("  x", "x"),
            ("x  y", "x y"),
        ];
        for (text, want) in cases {
            assert_eq!(normalized(text.as_bytes()), want, "{text:?}");
        }
    }

    /// Host names an MTA talked to are masked, provider hosts and anything
    /// that is not a host before an empty group are not; worked out by hand.
    #[test]
    fn hosts_are_masked_only_where_named() {
        let cases: [(&str, &str); 6] = [
            ("host mx.example.com[192.0.2.1] said: 550 x", "host ?[] said: # x"),
            ("host gmail-smtp-in.l.google.com[192.0.2.1] said: 550 x", "host gmail-smtp-in.l.google.com[] said: # x"),
            ("H=mx.example.com [192.0.2.1]: 550 x", "h=? []: # x"),
            // A kept provider code is not an address group: no host before it.
            ("a.b[TSS04] x", "a.b[tss04] x"),
            ("H=[192.0.2.1] x", "h=[] x"),
            ("name=mx.example.com x", "name=? x"),
        ];
        for (text, want) in cases {
            assert_eq!(normalized(text.as_bytes()), want, "{text:?}");
        }
    }

    /// At the [`NORMALIZED_MAX`] mark: a word is read up to the mark and
    /// no further (a digit beyond it does not make it a number), and a
    /// number that crosses the mark is one `#`, its rest skipped.
    #[test]
    fn words_at_the_length_limit() {
        let letters = format!("{}b1", "a".repeat(NORMALIZED_MAX - 1));
        assert_eq!(normalized(letters.as_bytes()), format!("{}b", "a".repeat(NORMALIZED_MAX - 1)));
        let words = format!("{}12345", "x ".repeat((NORMALIZED_MAX - 2) / 2));
        let want = format!("{}#", "x ".repeat((NORMALIZED_MAX - 2) / 2));
        assert_eq!(normalized(words.as_bytes()), want);
        // The same inside a token that is not a number, where a second `#`
        // for the rest of the number would not collapse into the first.
        let words = format!("{}y,12345", "x ".repeat((NORMALIZED_MAX - 4) / 2));
        let want = format!("{}y,#", "x ".repeat((NORMALIZED_MAX - 4) / 2));
        assert_eq!(normalized(words.as_bytes()), want);
    }

    /// A group is dropped when its closing byte is within [`GROUP_MAX`]
    /// bytes of the opening one, and not beyond, wherever it starts; by
    /// normalization and by the cache key alike.
    #[test]
    fn groups_up_to_the_group_limit() {
        for before in ["", "x ", "some text before "] {
            let inside = "a".repeat(GROUP_MAX - 1);
            let dropped = format!("{before}<{inside}> y");
            assert_eq!(normalized(dropped.as_bytes()), format!("{before}<> y"), "{before:?}");
            assert_eq!(keyed(dropped.as_bytes()), format!("{before}<> y").into_bytes(), "{before:?}");
            let inside = "a".repeat(GROUP_MAX);
            let kept = format!("{before}<{inside}> y");
            assert_eq!(keyed(kept.as_bytes()), kept.as_bytes(), "{before:?}");
            assert!(normalized(kept.as_bytes()).contains(&inside), "{before:?}");
        }
    }
}
