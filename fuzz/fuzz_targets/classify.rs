//! The classifier on arbitrary codes, and the code readers on arbitrary
//! bytes.
//!
//! `class_of` and `describe` must not panic on any code (including ones no
//! parser produces), and `describe` gives one non-empty line. The readers
//! (`reply_at`, `reply_code_at`, `enhanced_at`, `domain_of`, `bracketed`)
//! must agree with each other and give codes in range that read back the same.
#![no_main]

use bounces::internals::classify::{Class, class_of, describe};
use bounces::internals::parse::{Enhanced, Note, Stage, bracketed, domain_of, end_outside_quotes, enhanced_at, reply_at, reply_code_at};
use libfuzzer_sys::fuzz_target;

fn u16_at(data: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([data[i], data[i + 1]])
}

fuzz_target!(|data: &[u8]| {
    // The first 8 bytes: a (code, enhanced, note) to classify, any values.
    if let Some((head, _)) = data.split_first_chunk::<8>() {
        let code = (head[0] & 1 != 0).then(|| u16_at(head, 1) % 1200);
        let enhanced = (head[0] & 2 != 0).then(|| Enhanced {
            class: head[3] % 10,
            subject: u16_at(head, 4) % 1100,
            detail: u16_at(head, 6) % 1100,
        });
        let note = Note::ALL[usize::from(head[0] >> 2) % Note::ALL.len()];
        let class = class_of(code, enhanced, note);
        if let Some(c) = code.filter(|c| (200..600).contains(c)) {
            let want = [Class::PositiveCompletion, Class::PositiveIntermediate, Class::TransientNegative][..]
                .get(usize::from(c / 100 - 2))
                .copied()
                .unwrap_or(Class::PermanentNegative);
            assert_eq!(class, Some(want), "{code:?}");
        }
        // Any stage, or none: the descriptions of 554 (and others) depend on it.
        let stage = Stage::ALL.get(usize::from(head[0] >> 4) % (Stage::ALL.len() + 1)).copied();
        let text = describe(code, enhanced, note, stage);
        assert!(!text.is_empty() && !text.contains(['\n', '\r']), "{text:?}");
        // Looking for the known texts in whatever follows must not panic.
        let _ = Note::of_text(code, enhanced, &data[8..]);
    }

    // The whole input as text for the readers.
    let reply = reply_at(data);
    let basic = reply_code_at(data);
    assert_eq!(reply.map(|r| r.0), basic);
    if let Some((code, enhanced)) = reply {
        assert!((200..600).contains(&code));
        assert_eq!(format!("{code}").as_bytes(), &data[..3]);
        if let Some(e) = enhanced {
            assert_eq!(u16::from(e.class), code / 100);
            assert_eq!(enhanced_at(&data[4..]), Some(e));
        }
    }
    if let Some(e) = enhanced_at(data) {
        assert!(matches!(e.class, 2 | 4 | 5) && e.subject <= 999 && e.detail <= 999, "{e}");
        // Written out (leading zeros dropped), it reads back the same.
        assert_eq!(enhanced_at(e.to_string().as_bytes()), Some(e));
    }
    let domain = domain_of(data);
    assert!(data.ends_with(domain), "the domain is the address's end");
    assert!(domain.is_empty() || data[..data.len() - domain.len()].ends_with(b"@"));
    for stop in [b'>', b' ', b','] {
        let end = end_outside_quotes(data, stop);
        assert!(end == data.len() || data[end] == stop);
    }
    if let Some((inner, rest)) = bracketed(data) {
        assert_eq!(inner.len() + rest.len() + 2, data.len());
        assert_eq!(data[1 + inner.len()], b'>');
    }
});
