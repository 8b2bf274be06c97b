//! The one spelling of a recipient domain that every report counts and shows
//! it by.
//!
//! [`normalize`] decides it, once per event; every layer that needs a
//! domain's name (the tallies and the `--max-domains` cap, which hashes it,
//! the message states, the suppression list's keys) takes it from there, and
//! the reports only write it. The spelling:
//!
//! * one trailing dot removed: `example.com.` is `example.com`;
//! * no domain at all (an address without `@`, as Exim logs local
//!   deliveries such as `=> userz <system-filter>`, or with nothing after
//!   it) is [`LOCAL`], `(local)`. Parentheses never occur in a domain name,
//!   so it stands apart from every real domain and from the cap's `(other)`;
//! * ASCII letters lower-cased;
//! * an internationalized name (IDN) is shown in Unicode, whichever form the
//!   log wrote: a label in the ASCII form (`xn--mnchen-3ya`) that holds valid
//!   punycode is decoded, and a label with non-ASCII letters is mapped as
//!   UTS #46 maps it (lower case, composed: NFC), both by the `idna` crate's
//!   ToUnicode. So `xn--mnchen-3ya.example`, `MÜNCHEN.example` and
//!   `münchen.example` are one domain, `münchen.example`, as a resolver sees
//!   them;
//! * a label that ToUnicode rejects stays as written, lower-cased (all of
//!   Unicode's upper case): invalid punycode such as `XN--ABC-` is
//!   `xn--abc-`;
//! * bytes that are not UTF-8 become U+FFFD (`a\xff.example` is
//!   `a\u{fffd}.example`), so every name is UTF-8 and two names never become
//!   one only when a report writes them.
//!
//! Labels are converted one by one, so one bad label does not keep the
//! others from their spelling. The common name (ASCII, lower case, no
//! `xn--` label) is returned as it is, without a copy or an allocation; only
//! names that need work are written into the caller's scratch buffer.

use idna::uts46::{AsciiDenyList, Hyphens, Uts46};

/// The domain of an address that has none: a local delivery.
pub const LOCAL: &[u8] = b"(local)";

/// The domain `raw` (the part of an address after its `@`, as logged) as
/// every report spells it (see the module documentation): `raw` itself
/// without one trailing dot when that is already the spelling, else the
/// spelling written into `scratch`, or [`LOCAL`] when nothing is left.
pub fn normalize<'a>(raw: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let name = raw.strip_suffix(b".").unwrap_or(raw);
    if name.is_empty() {
        return LOCAL;
    }
    // One pass without early exits over the bytes, which the compiler can
    // vectorize; the labels are looked at only when a hyphen is present.
    let (high, upper) =
        name.iter().fold((false, false), |(high, upper), &b| (high | (b >= 0x80), upper | b.is_ascii_uppercase()));
    if !high && !has_ace_label(name) {
        if !upper {
            return name;
        }
        scratch.clear();
        scratch.extend(name.iter().map(u8::to_ascii_lowercase));
        return scratch;
    }
    spell(name, scratch);
    scratch
}

/// Whether a label of `name` starts with the IDNA prefix `xn--`, in any case.
fn has_ace_label(name: &[u8]) -> bool {
    memchr::memchr(b'-', name).is_some() && name.split(|&b| b == b'.').any(is_ace)
}

fn is_ace(label: &[u8]) -> bool {
    label.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"xn--"))
}

/// Writes the spelling of a name that has a non-ASCII byte or an `xn--`
/// label into `out`, label by label.
fn spell(name: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let text = String::from_utf8_lossy(name);
    for (i, label) in text.split('.').enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        if label.is_ascii() && !is_ace(label.as_bytes()) {
            out.extend(label.bytes().map(|b| b.to_ascii_lowercase()));
            continue;
        }
        let (unicode, checked) = Uts46::new().to_unicode(label.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
        match checked {
            Ok(()) if !unicode.is_empty() => out.extend_from_slice(unicode.as_bytes()),
            // Rejected (invalid punycode, a disallowed character, U+FFFD)
            // or mapped to nothing: as written, lower-cased.
            _ => out.extend_from_slice(label.to_lowercase().as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked out by hand. Each spelling is also its own spelling (but for
    /// a second trailing dot, which loses its dot again): a name read back
    /// from a report counts where it was counted.
    #[test]
    fn normalize_table() {
        let cases: &[(&[u8], &str)] = &[
            // ASCII: lower case, one trailing dot.
            (b"example.com", "example.com"),
            (b"Example.COM", "example.com"),
            (b"example.com.", "example.com"),
            (b"EXAMPLE.COM.", "example.com"),
            (b"example.com..", "example.com."), // one dot only
            (b"my-host.example", "my-host.example"),
            (b"under_score.Example", "under_score.example"),
            // No domain.
            (b"", "(local)"),
            (b".", "(local)"),
            // Unicode upper case, in any script.
            ("M\u{dc}NCHEN.example".as_bytes(), "m\u{fc}nchen.example"),
            ("m\u{fc}nchen.example".as_bytes(), "m\u{fc}nchen.example"),
            ("m\u{fc}nchen.example.".as_bytes(), "m\u{fc}nchen.example"),
            // Пример.РФ
            (
                "\u{41f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{420}\u{424}".as_bytes(),
                "\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}",
            ),
            // ΔΟΚΙΜΗ
            (
                "\u{394}\u{39f}\u{39a}\u{399}\u{39c}\u{397}.example".as_bytes(),
                "\u{3b4}\u{3bf}\u{3ba}\u{3b9}\u{3bc}\u{3b7}.example",
            ),
            // Composed: u + combining diaeresis is ü.
            ("MU\u{308}NCHEN.example".as_bytes(), "m\u{fc}nchen.example"),
            // The ASCII form of an IDN, decoded, in any case.
            (b"xn--mnchen-3ya.example", "m\u{fc}nchen.example"),
            (b"XN--MNCHEN-3YA.EXAMPLE.", "m\u{fc}nchen.example"),
            // пример.рф
            (b"xn--e1afmkfd.xn--p1ai", "\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}"),
            (b"mail.xn--mnchen-3ya.example", "mail.m\u{fc}nchen.example"),
            // Invalid punycode stays as written, lower-cased: `abc-` decodes
            // to ASCII only, `99999999` and `zz` to no character, `xn--`
            // alone to nothing.
            (b"XN--ABC-.example", "xn--abc-.example"),
            (b"xn--99999999.example", "xn--99999999.example"),
            (b"xn--ZZ.example", "xn--zz.example"),
            (b"xn--.example", "xn--.example"),
            // One bad label leaves the others converted.
            (b"xn--abc-.xn--mnchen-3ya.example", "xn--abc-.m\u{fc}nchen.example"),
            // A label that may not start with a combining mark: Unicode
            // lower case only.
            ("\u{308}ABC.example".as_bytes(), "\u{308}abc.example"),
            // A label that maps to nothing (a soft hyphen alone) stays as
            // written: an empty label would join the names around it.
            ("\u{ad}.Example".as_bytes(), "\u{ad}.example"),
            ("\u{200b}.Example".as_bytes(), "\u{200b}.example"),
            // Not UTF-8: U+FFFD, the rest lower-cased and converted.
            (b"a\xffB.example", "a\u{fffd}b.example"),
            (b"\xfe.XN--MNCHEN-3YA.example", "\u{fffd}.m\u{fc}nchen.example"),
        ];
        let mut scratch = Vec::new();
        for &(raw, want) in cases {
            let what = String::from_utf8_lossy(raw);
            assert_eq!(String::from_utf8_lossy(normalize(raw, &mut scratch)), want, "{what:?}");
            if want.ends_with('.') {
                continue;
            }
            let mut again = Vec::new();
            assert_eq!(normalize(want.as_bytes(), &mut again), want.as_bytes(), "{what:?} spelled again");
        }
    }

    /// The common name is the input itself: nothing copied.
    #[test]
    fn plain_names_are_not_copied() {
        let mut scratch = Vec::new();
        for raw in [&b"example.com"[..], b"example.com.", b"a-b.example", b"xn-a.example", b"axn--b.example"] {
            let spelled = normalize(raw, &mut scratch);
            assert!(std::ptr::eq(spelled.as_ptr(), raw.as_ptr()), "{:?}", String::from_utf8_lossy(raw));
        }
        assert!(scratch.is_empty());
    }
}
