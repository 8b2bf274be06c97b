//! The one spelling of a recipient domain that every report counts by.
//!
//! Today: ASCII letters lower-cased and one trailing dot removed (`Example.COM.`
//! and `example.com` are one domain). Non-ASCII names are lower-cased when
//! reports turn them into text. Every layer that needs a domain's name
//! (the tallies, the message states) takes it from here, once per event.

/// The domain `raw` as counted: ASCII lower-cased (into `scratch`, only when
/// it has an upper-case letter) and without one trailing dot.
pub fn normalize<'a>(raw: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let trimmed = raw.strip_suffix(b".").unwrap_or(raw);
    if trimmed.iter().any(u8::is_ascii_uppercase) {
        scratch.clear();
        scratch.extend(trimmed.iter().map(u8::to_ascii_lowercase));
        scratch
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked out by hand.
    #[test]
    fn normalize_table() {
        let cases: [(&[u8], &[u8]); 9] = [
            (b"example.com", b"example.com"),
            (b"Example.COM", b"example.com"),
            (b"example.com.", b"example.com"),
            (b"EXAMPLE.COM.", b"example.com"),
            (b"example.com..", b"example.com."), // one dot only
            (b".", b""),
            (b"", b""),
            ("M\u{dc}NCHEN.example".as_bytes(), "m\u{dc}nchen.example".as_bytes()), // ASCII only
            (b"a\xffB", b"a\xffb"),                                                 // bytes, not text
        ];
        let mut scratch = Vec::new();
        for (raw, want) in cases {
            assert_eq!(normalize(raw, &mut scratch), want, "{:?}", String::from_utf8_lossy(raw));
        }
    }
}
