//! The duplicate set of one pass over a roster: each address key once, with
//! the line it first appeared on. The keys live end to end in one string, so
//! a million rows cost one growing buffer and a few flat arrays rather than a
//! million small allocations.
//!
//! The table is open addressing with linear probing over 8-byte slots, each
//! the high half of the key's hash and the key's number. A new key — nearly
//! every row — costs one read and one write of the same slot; a general
//! hash table (control bytes, then a bucket of offsets) made two random
//! memory accesses of each row, and at a million rows those cache misses
//! took more time than every other check together.

use std::hash::BuildHasher;

/// Address keys seen so far.
#[derive(Default)]
pub(crate) struct SeenKeys {
    /// Every key, end to end.
    arena: String,
    /// Where each key ends in `arena` (it starts where the one before ends).
    ends: Vec<u32>,
    /// The line each key was first seen on.
    lines: Vec<u32>,
    /// `0` for an empty slot, else the key's hash's high 32 bits above its
    /// number plus one. Never more than 5/8 full (a few more probes, within a
    /// cache line or two, for a table half the size: at a million keys, 16 MB
    /// less to miss in); its length is a power of two.
    slots: Vec<u64>,
    /// 64 bits wide on every target (FxHash is pointer-wide: on wasm32 its
    /// high half, the slots' tag, would always be zero and every occupied
    /// slot met would cost a comparison of keys).
    hasher: foldhash::fast::FixedState,
    /// Scratch for [`SeenKeys::prefetch`]: a key, and the hashes of a batch.
    key: String,
    hashes: Vec<Option<u64>>,
    /// The prefetched hash of the next address's key, if it is plain (see
    /// [`SeenKeys::use_prefetched`]).
    hint: Option<u64>,
}

impl SeenKeys {
    /// Room for about `keys` more keys, judged by the length of those so far.
    pub(crate) fn reserve(&mut self, keys: usize) {
        let per_key = self.arena.len() / self.ends.len().max(1) + 1;
        self.arena.reserve(keys.saturating_mul(per_key));
        self.ends.reserve(keys);
        self.lines.reserve(keys);
        self.grow_for(self.ends.len().saturating_add(keys));
    }

    /// The line `key` was first seen on; if it is new, records it at `line`.
    /// `write` appends the key to the string it is given. `plain`: the key is
    /// the address as written, lower-cased (then a prefetched hash is used).
    pub(crate) fn first_line_or_insert(
        &mut self,
        line: u32,
        plain: bool,
        write: impl FnOnce(&mut String),
    ) -> Option<u32> {
        let start = self.arena.len();
        write(&mut self.arena);
        self.grow_for(self.ends.len() + 1);
        let hash = match self.hint.take() {
            Some(hash) if plain => hash,
            _ => self.hasher.hash_one(&self.arena[start..]),
        };
        debug_assert_eq!(
            hash,
            self.hasher.hash_one(&self.arena[start..]),
            "a prefetched hash of another key"
        );
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                self.ends.push(self.arena.len() as u32);
                self.lines.push(line);
                self.slots[at] = (hash & TAG) | self.ends.len() as u64;
                return None;
            }
            if slot & TAG == hash & TAG {
                let number = (slot & !TAG) as usize - 1;
                if self.key(number) == &self.arena[start..] {
                    self.arena.truncate(start);
                    return Some(self.lines[number]);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Whether the table has outgrown the caches (8 MB), so that
    /// [`SeenKeys::prefetch`] pays.
    pub(crate) fn is_large(&self) -> bool {
        self.slots.len() >= 1 << 20
    }

    /// Hashes the addresses of a batch of rows as written, lower-cased (the
    /// key of a plain address), and reads the first slot of each in one
    /// tight loop, throwing the values away: the reads' cache misses overlap
    /// (a CPU keeps several in flight) instead of stalling the check of each
    /// row in turn. The look-ups that follow find the slots in the cache and,
    /// through [`SeenKeys::use_prefetched`], the hashes made.
    pub(crate) fn prefetch<'r>(&mut self, addresses: impl Iterator<Item = Option<&'r str>>) {
        self.hashes.clear();
        for address in addresses {
            self.hashes.push(address.map(|raw| {
                // Copied to be lower-cased only if it needs to be.
                let key = if raw.bytes().any(|b| b.is_ascii_uppercase()) {
                    self.key.clear();
                    self.key.push_str(raw);
                    self.key.make_ascii_lowercase();
                    self.key.as_str()
                } else {
                    raw
                };
                self.hasher.hash_one(key)
            }));
        }
        let Some(mask) = self.slots.len().checked_sub(1) else {
            return;
        };
        let touched = self
            .hashes
            .iter()
            .flatten()
            .fold(0u64, |acc, &hash| acc ^ self.slots[hash as usize & mask]);
        std::hint::black_box(touched);
    }

    /// The next key looked up is that of the `index`th address of the batch
    /// last prefetched: its hash is used if the key is the address lower-cased.
    pub(crate) fn use_prefetched(&mut self, index: usize) {
        self.hint = self.hashes.get(index).copied().flatten();
    }

    /// Key `number`'s text.
    fn key(&self, number: usize) -> &str {
        let start = number.checked_sub(1).map_or(0, |before| self.ends[before] as usize);
        &self.arena[start..self.ends[number] as usize]
    }

    /// Makes the table at least 8/5 as large as `keys`, placing every key
    /// again if it has to grow.
    fn grow_for(&mut self, keys: usize) {
        let wanted = (keys.saturating_mul(8) / 5).max(MIN_SLOTS).next_power_of_two();
        if wanted <= self.slots.len() {
            return;
        }
        let mut slots = vec![0u64; wanted];
        let mask = wanted - 1;
        for number in 0..self.ends.len() {
            let hash = self.hasher.hash_one(self.key(number));
            let mut at = hash as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = (hash & TAG) | (number as u64 + 1);
        }
        self.slots = slots;
    }
}

/// The part of a slot holding the hash's high bits.
const TAG: u64 = !(u32::MAX as u64);

/// The smallest table.
const MIN_SLOTS: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_of_each_key_is_kept() {
        let mut seen = SeenKeys::default();
        let mut at = |line, key: &str| seen.first_line_or_insert(line, false, |s| s.push_str(key));
        assert_eq!(at(2, "a@x.org"), None);
        assert_eq!(at(3, "b@x.org"), None);
        assert_eq!(at(4, "a@x.org"), Some(2));
        assert_eq!(at(5, "b@x.org"), Some(3));
        assert_eq!(at(6, "a@x.or"), None);
        assert_eq!(at(7, "a@x.org"), Some(2));
    }

    proptest::proptest! {
        /// Whatever the keys (repeats, prefixes, the empty key) and however
        /// the table is sized, each key's first line is what a map gives.
        #[test]
        fn it_agrees_with_a_map(keys in proptest::collection::vec("[ab]{0,4}", 0..400), reserve in 0..300usize) {
            let mut seen = SeenKeys::default();
            let mut model = std::collections::HashMap::new();
            for (line, key) in keys.iter().enumerate() {
                if line == 7 {
                    seen.reserve(reserve);
                }
                let first = seen.first_line_or_insert(line as u32, false, |s| s.push_str(key));
                proptest::prop_assert_eq!(first, model.get(key).copied());
                model.entry(key.clone()).or_insert(line as u32);
            }
            proptest::prop_assert_eq!(seen.ends.len(), model.len());
        }
    }

    #[test]
    fn a_hundred_thousand_keys_grow_one_buffer() {
        let mut seen = SeenKeys::default();
        for i in 0..100_000u32 {
            assert_eq!(
                seen.first_line_or_insert(i, false, |s| s.push_str(&format!("p{i}@example.com"))),
                None
            );
        }
        assert_eq!(
            seen.first_line_or_insert(0, false, |s| s.push_str("p99999@example.com")),
            Some(99_999)
        );
        assert_eq!(seen.ends.len(), 100_000);
        assert!(seen.slots.len() >= 200_000 && seen.slots.len().is_power_of_two());
    }
}
