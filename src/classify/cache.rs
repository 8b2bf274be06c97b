//! The verdict cache of one worker: verdicts by (outcome, codes, text),
//! bounded in entries and bytes.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::decide::decide;
use super::normalize::drop_group_contents;
use super::normalize::normalize_into;
use super::rules::UserRules;
use super::vocabulary::DELIVERED;
use super::vocabulary::Verdict;
use crate::parse::{Enhanced, Outcome};

/// Bytes before the text in a cache key: outcome, basic code, enhanced code.
const KEY_PREFIX: usize = 10;
/// The normalized cache is emptied when it holds this many verdicts...
pub(super) const CACHE_MAX_ENTRIES: usize = 1 << 16;
/// ... or this many bytes of keys, so hostile input cannot grow it without
/// bound.
pub(super) const CACHE_MAX_BYTES: usize = 8 << 20;
/// Slots of the raw-text cache (a power of two).
const RAW_SLOTS: usize = 2048;
/// Texts longer than this skip the raw-text cache.
const RAW_MAX: usize = 512;

/// The cache-key prefix of an event's codes and outcome.
fn key_prefix(outcome: Outcome, code: Option<u16>, enhanced: Option<Enhanced>) -> [u8; KEY_PREFIX] {
    let [code_hi, code_lo] = code.unwrap_or(0).to_be_bytes();
    let e = enhanced.unwrap_or(Enhanced { class: 0, subject: 0, detail: 0 });
    let [subject_hi, subject_lo] = e.subject.to_be_bytes();
    let [detail_hi, detail_lo] = e.detail.to_be_bytes();
    [
        outcome as u8,
        u8::from(code.is_some()),
        code_hi,
        code_lo,
        u8::from(enhanced.is_some()),
        e.class,
        subject_hi,
        subject_lo,
        detail_hi,
        detail_lo,
    ]
}

/// One slot of the raw-text cache: the key (prefix and raw text), its
/// hash, and the verdict.
#[derive(Debug, Default)]
struct RawSlot {
    hash: u64,
    key: Vec<u8>,
    verdict: Option<Verdict>,
}

/// Classifies events with a cache: each distinct (outcome, code, enhanced
/// code, normalized text) is decided once. One per worker thread.
///
/// Two levels, both exact:
///
/// 1. a direct-mapped table of 2048 slots keyed by the *raw* text (the same
///    bytes always get the same verdict); a hit costs a hash and a compare,
///    no normalization. Texts over 512 bytes skip it. Its memory is fixed
///    (at most 2048 keys of at most 522 bytes).
/// 2. a map keyed by the *normalized* text: every rule reads only the codes
///    and the normalized text, so a cached verdict is the one [`classify`](super::decide::classify)
///    would give. Texts that differ only in addresses, ids and numbers share
///    one entry. It is emptied when it reaches 65,536 entries or 8 MiB of
///    keys, so hostile input cannot grow it without bound.
#[derive(Debug, Default)]
pub struct Classifier {
    /// Scratch buffer: the normalized key of the current event.
    key: Vec<u8>,
    /// Scratch buffer: the level-1 key of the current event.
    group: Vec<u8>,
    cache: HashMap<Box<[u8]>, Verdict, RandomState>,
    /// Total length of the keys in `cache`.
    pub(super) key_bytes: usize,
    /// The raw-text cache, allocated on first use.
    raw: Vec<RawSlot>,
    raw_state: RandomState,
    /// The user's rules (`--rules`), read before the caches: they see the
    /// raw text, which neither cache key keeps whole.
    rules: Option<Arc<UserRules>>,
}

impl Classifier {
    /// An empty cache.
    pub fn new() -> Classifier {
        Classifier::default()
    }

    /// An empty cache that checks `rules` before the built-in rules.
    pub fn with_rules(rules: Option<Arc<UserRules>>) -> Classifier {
        Classifier { rules, ..Classifier::default() }
    }

    /// Same as [`classify`](super::decide::classify), cached.
    pub fn classify(
        &mut self,
        outcome: Outcome,
        code: Option<u16>,
        enhanced: Option<Enhanced>,
        text: &[u8],
    ) -> Verdict {
        if outcome == Outcome::Delivered {
            return DELIVERED;
        }
        if let Some(verdict) = self.rules.as_deref().and_then(|rules| rules.decide(text)) {
            return verdict;
        }
        let prefix = key_prefix(outcome, code, enhanced);

        // Level 1: the raw text with its group contents dropped.
        let raw_slot = (text.len() <= RAW_MAX).then(|| {
            self.group.clear();
            self.group.extend_from_slice(&prefix);
            drop_group_contents(text, &mut self.group);
            let hash = self.raw_state.hash_one(&self.group[..]);
            (hash, (hash as usize) & (RAW_SLOTS - 1))
        });
        if let Some((hash, index)) = raw_slot
            && let Some(slot) = self.raw.get(index)
            && slot.hash == hash
            && slot.key == self.group
            && let Some(verdict) = slot.verdict
        {
            return verdict;
        }

        // Level 2: the normalized text.
        let key = &mut self.key;
        key.clear();
        key.extend_from_slice(&prefix);
        normalize_into(text, key);
        let verdict = match self.cache.get(key.as_slice()) {
            Some(verdict) => *verdict,
            None => {
                let verdict = decide(code, enhanced, &key[KEY_PREFIX..]);
                if self.cache.len() >= CACHE_MAX_ENTRIES || self.key_bytes + key.len() > CACHE_MAX_BYTES {
                    self.cache.clear();
                    self.key_bytes = 0;
                }
                self.key_bytes += key.len();
                self.cache.insert(key.as_slice().into(), verdict);
                verdict
            }
        };

        if let Some((hash, index)) = raw_slot {
            if self.raw.is_empty() {
                self.raw.resize_with(RAW_SLOTS, RawSlot::default);
            }
            let slot = &mut self.raw[index];
            slot.hash = hash;
            slot.key.clear();
            slot.key.extend_from_slice(&self.group);
            slot.verdict = Some(verdict);
        }
        verdict
    }

    /// How many verdicts the normalized cache holds.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A distinct text of letters only (so normalization keeps every byte)
    /// that normalizes to exactly `len` bytes.
    fn text_of(i: usize, len: usize) -> Vec<u8> {
        let mut text: Vec<u8> = (0..4).map(|k| b'a' + (i / 26usize.pow(k) % 26) as u8).collect();
        text.resize(len, b'z');
        text
    }

    fn classify(c: &mut Classifier, text: &[u8]) -> Verdict {
        c.classify(Outcome::Bounced, Some(550), None, text)
    }

    /// The byte count is the sum of the cached keys, and nothing is
    /// cleared below both caps.
    #[test]
    fn key_bytes_count_every_cached_key() {
        let mut c = Classifier::new();
        for i in 0..3_000 {
            classify(&mut c, &text_of(i, 300));
        }
        assert_eq!(c.cache.len(), 3_000);
        assert_eq!(c.key_bytes, c.cache.keys().map(|k| k.len()).sum::<usize>());
        assert_eq!(c.key_bytes, 3_000 * (KEY_PREFIX + 300));
    }

    /// The byte cap is exact: keys adding up to [`CACHE_MAX_BYTES`] stay,
    /// one more key empties the cache first.
    #[test]
    fn the_byte_cap_is_exact() {
        let key_len = 512;
        let keys = CACHE_MAX_BYTES / key_len;
        assert_eq!(keys * key_len, CACHE_MAX_BYTES);
        assert!(keys < CACHE_MAX_ENTRIES);
        let mut c = Classifier::new();
        for i in 0..keys {
            classify(&mut c, &text_of(i, key_len - KEY_PREFIX));
        }
        assert_eq!((c.cache.len(), c.key_bytes), (keys, CACHE_MAX_BYTES));
        classify(&mut c, &text_of(keys, key_len - KEY_PREFIX));
        assert_eq!((c.cache.len(), c.key_bytes), (1, key_len));
    }

    /// Texts over [`RAW_MAX`] bytes never take a raw-text slot: the slots'
    /// memory stays fixed whatever the input.
    #[test]
    fn long_texts_skip_the_raw_slots() {
        let mut c = Classifier::new();
        let long = text_of(1, RAW_MAX + 1);
        let first = classify(&mut c, &long);
        assert_eq!(classify(&mut c, &long), first);
        assert!(c.raw.iter().all(|slot| slot.key.len() <= KEY_PREFIX + RAW_MAX));
        let short = text_of(2, RAW_MAX);
        classify(&mut c, &short);
        assert!(c.raw.iter().any(|slot| slot.key.len() == KEY_PREFIX + RAW_MAX), "a text of RAW_MAX bytes is kept");
    }

    /// The user's rules come first and see the raw text: two texts the
    /// caches would share (they differ only in a number) get each its own
    /// verdict, in either order, and a text no rule matches falls through
    /// to the built-in rules.
    #[test]
    fn user_rules_see_the_raw_text_before_the_caches() {
        let rules = UserRules::parse("queue 7 is frozen\tsuspend\n").unwrap();
        let mut c = Classifier::with_rules(Some(Arc::new(rules)));
        let (ruled, other) = (&b"550 queue 7 is frozen"[..], &b"550 queue 8 is frozen"[..]);
        for text in [other, ruled, other, ruled] {
            let v = classify(&mut c, text);
            let want = if text == ruled { "U1" } else { "B550" };
            assert_eq!(v.rule.id, want, "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(classify(&mut c, b"550 5.1.1 user unknown").reason, super::super::Reason::UserUnknown);
        assert_eq!(c.classify(Outcome::Delivered, Some(250), None, ruled), DELIVERED);
    }
}
