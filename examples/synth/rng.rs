//! Random numbers: SplitMix64, written out so the stream never changes
//! with a crate version, and the bijections that turn counters into ids.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; constants as in Vigna's public-domain reference
/// `splitmix64.c`): a 64-bit state advanced by the golden-ratio increment and
/// passed through a bijective mixing function. It passes BigCrush, needs no
/// seeding procedure, and is written out here so that its stream, and with
/// it every generated log, stays the same forever.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// A number in `0..n` (`n > 0`), by Lemire's multiply-shift; the bias is
    /// below `n / 2^64`, far too small to matter here.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p` per cent.
    pub(crate) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// True with probability `p` per mille.
    pub(crate) fn permille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    pub(crate) fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// An index into `weights`, drawn with those weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

/// SplitMix64's finalizer: a bijection on `u64` that scatters its input. Also
/// used on its own to give each domain fixed, seed-independent traits.
pub(crate) fn mix64(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A bijection on `0..m` for `n < m`: multiplication by a prime that divides
/// none of the `m`s used (powers of 51 and 62). Turns a counter into
/// unique, random-looking ids.
pub(crate) fn scramble(n: u64, m: u64) -> u64 {
    ((u128::from(n) * 2_654_435_761 + 12_345_678_901) % u128::from(m)) as u64
}
