//! The hosts whose delivery events were read, for the overview's inputs
//! section: each host's event count, bounded in memory.
//!
//! A hostile log can name a new host on every line, so at most
//! [`Hosts::MAX`] hosts are held: those whose names have the smallest
//! fixed hashes. That set does not depend on how the log was split: a
//! host among the smallest of all is among the smallest of every part it
//! was seen in, so it was never let go and its count is exact. Beyond the
//! limit the number of hosts is given as "more than".

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashMap;

/// Delivery events per host, the hosts with the smallest hashes kept.
#[derive(Clone, Debug, Default)]
pub struct Hosts {
    /// By name: (the name's fixed hash, events).
    counts: HashMap<Box<[u8]>, (u64, u64), foldhash::fast::RandomState>,
    /// Whether a host was let go (or never held) for the limit.
    over: bool,
    /// The largest hash held when the set is full: a host hashed above it
    /// is not held.
    ceiling: u64,
    /// Events whose line named no host (and no `--host` was given).
    unnamed: u64,
}

impl Hosts {
    /// How many hosts are held at most.
    pub const MAX: usize = 1000;

    /// Counts one delivery event of `host`.
    pub fn count(&mut self, host: &[u8]) {
        if let Some((_, n)) = self.counts.get_mut(host) {
            *n += 1;
            return;
        }
        self.insert(host.into(), 1);
    }

    /// Counts one delivery event whose line names no host.
    pub fn count_unnamed(&mut self) {
        self.unnamed += 1;
    }

    /// The delivery events whose line named no host.
    pub fn unnamed(&self) -> u64 {
        self.unnamed
    }

    fn hash(host: &[u8]) -> u64 {
        FixedState::with_seed(0x686f_7374_7321).hash_one(host)
    }

    /// Adds `n` events of a host not yet held.
    fn insert(&mut self, host: Box<[u8]>, n: u64) {
        let hash = Hosts::hash(&host);
        if self.counts.len() >= Hosts::MAX {
            self.over = true;
            if hash >= self.ceiling {
                return;
            }
        }
        self.counts.insert(host, (hash, n));
        if self.counts.len() > Hosts::MAX {
            // Let the host of the largest hash go (rare: only past the
            // limit, and each time the ceiling comes down).
            let largest = self.counts.iter().max_by_key(|(_, (h, _))| *h).map(|(k, _)| k.clone());
            if let Some(largest) = largest {
                self.counts.remove(&largest);
            }
        }
        if self.counts.len() >= Hosts::MAX {
            self.ceiling = self.counts.values().map(|(h, _)| *h).max().unwrap_or(u64::MAX);
        }
    }

    /// The hosts held, by events (most first), then by name.
    pub fn ranked(&self) -> Vec<(String, u64)> {
        let mut rows: Vec<(String, u64)> =
            self.counts.iter().map(|(k, (_, n))| (String::from_utf8_lossy(k).into_owned(), *n)).collect();
        rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    /// Whether more hosts were seen than are held.
    pub fn over(&self) -> bool {
        self.over
    }

    /// Whether no host was seen.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && !self.over
    }
}

impl std::ops::AddAssign for Hosts {
    /// The counts of both, the limit applied again: the same whatever the
    /// order.
    fn add_assign(&mut self, other: Hosts) {
        self.over |= other.over;
        self.unnamed += other.unnamed;
        for (host, (_, n)) in other.counts {
            match self.counts.get_mut(&host) {
                Some((_, mine)) => *mine += n,
                None => self.insert(host, n),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Hosts;

    #[test]
    fn hosts_are_counted_and_ranked() {
        let mut hosts = Hosts::default();
        assert!(hosts.is_empty());
        for host in ["mx2", "mx1", "mx2", "mx3", "mx1", "mx2"] {
            hosts.count(host.as_bytes());
        }
        hosts.count_unnamed();
        assert_eq!(hosts.unnamed(), 1);
        let want = vec![("mx2".to_string(), 3), ("mx1".to_string(), 2), ("mx3".to_string(), 1)];
        assert_eq!(hosts.ranked(), want);
        assert!(!hosts.over() && !hosts.is_empty());
    }

    /// Past the limit, the hosts held and their counts are the same for any
    /// split of the events and any order of adding the parts up.
    #[test]
    fn the_hosts_held_do_not_depend_on_the_split() {
        let events: Vec<String> = (0..5000u64).map(|i| format!("h{}", (i * 7919) % 1700)).collect();
        let mut whole = Hosts::default();
        for e in &events {
            whole.count(e.as_bytes());
        }
        assert!(whole.over());
        assert_eq!(whole.ranked().len(), Hosts::MAX);
        for parts in [2, 3, 7] {
            let mut sums: Vec<Hosts> = (0..parts).map(|_| Hosts::default()).collect();
            for (i, e) in events.iter().enumerate() {
                sums[i % parts].count(e.as_bytes());
            }
            let mut total = Hosts::default();
            for part in sums.into_iter().rev() {
                total += part;
            }
            assert_eq!(total.ranked(), whole.ranked(), "{parts} parts");
            assert!(total.over());
        }
        // Each held host's count is exact: every host was seen 5000/1700
        // times, rounded one way or the other.
        let exact = |name: &str| events.iter().filter(|e| *e == name).count() as u64;
        for (name, n) in whole.ranked() {
            assert_eq!(n, exact(&name), "{name}");
        }
    }

    /// The set held is the bottom-k of all hosts by hash in any order of
    /// arrival, including when the host that fills the set has the largest
    /// hash (the ceiling must be taken once the set is full).
    #[test]
    fn the_hosts_held_are_those_of_smallest_hash_in_any_order() {
        let mut names: Vec<String> = (0..1500).map(|i| format!("host{i}.example")).collect();
        names.sort_by_key(|n| Hosts::hash(n.as_bytes()));
        let smallest: Vec<String> = names[..Hosts::MAX].to_vec();
        let ascending = names.clone();
        let descending: Vec<String> = names.iter().rev().cloned().collect();
        // The smallest but one short of full, then the largest, then the rest.
        let mut largest_fills = names[..Hosts::MAX - 1].to_vec();
        largest_fills.push(names[names.len() - 1].clone());
        largest_fills.extend(names[Hosts::MAX - 1..names.len() - 1].iter().cloned());
        for (order, arrivals) in
            [("ascending", ascending), ("descending", descending), ("largest fills", largest_fills)]
        {
            let mut hosts = Hosts::default();
            for name in &arrivals {
                hosts.count(name.as_bytes());
            }
            let mut held: Vec<String> = hosts.ranked().into_iter().map(|(name, _)| name).collect();
            held.sort_by_key(|n| Hosts::hash(n.as_bytes()));
            assert_eq!(held, smallest, "{order}");
            assert!(hosts.over(), "{order}");
        }
    }

    /// Adding parts up keeps their unnamed events and their "more than",
    /// even when the sum itself never goes past the limit.
    #[test]
    fn adding_up_keeps_unnamed_events_and_the_limit_passed() {
        let mut over = Hosts::default();
        for i in 0..=Hosts::MAX {
            over.count(format!("h{i}").as_bytes());
        }
        over.count_unnamed();
        over.count_unnamed();
        let mut small = Hosts::default();
        small.count_unnamed();
        let cases: [(&str, Vec<Hosts>, u64, bool); 3] = [
            ("nothing", vec![], 0, false),
            ("one small part", vec![small.clone()], 1, false),
            ("a part over the limit, then a small one", vec![over.clone(), small.clone()], 3, true),
        ];
        for (name, parts, unnamed, is_over) in cases {
            let mut total = Hosts::default();
            for part in parts {
                total += part;
            }
            assert_eq!((total.unnamed(), total.over()), (unnamed, is_over), "{name}");
        }
    }
}
