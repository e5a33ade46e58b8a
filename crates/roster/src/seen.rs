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
//!
//! # Advice for hackers
//!
//! - The cost here is cache misses, not instructions. A slot is 8 bytes (tag
//!   and number, no pointer) so that a look-up touches one cache line, and
//!   [`SeenKeys::prefetch`] exists so that a batch's misses overlap. Measure
//!   (`cargo bench -p smime-bulk-roster`) at a million rows, where the table
//!   no longer fits in the caches; at ten thousand nothing here shows.
//! - `prefetch` and [`SeenKeys::first_line_or_insert`] share one value: the
//!   hash of a plain address's key. `prefetch` hands it back (a [`KeyHash`]
//!   for each address of the batch) and the caller passes it to the insert of
//!   that address's row; nothing is kept here between the two calls. A hash
//!   is right only for the text it was made from, so the caller passes it
//!   only when the key is the address as written, lower-cased (a plain
//!   address, `email::plain_address`), and `None` otherwise.
//! - The tag, the hash's high 32 bits, spares nearly every comparison of
//!   unequal keys. It needs a hash that is 64 bits wide on wasm32 too (FxHash
//!   is pointer-wide there).
//! - Key numbers start at 1, so a zero slot is an empty one; `ends` and
//!   `lines` are indexed by number − 1. The table grows before a key is
//!   placed, so a probe always ends at an empty slot.
//! - Nothing here knows rows or findings: `validate` decides what a key is
//!   (`AddressRef::write_key`) and when a prefetched hash may be used.
//! - The hash is [`crate::hash::row_key`], the one a row keeps
//!   ([`crate::Row::key`], which the editor groups rows by): one hash of each
//!   key serves both, and it is the same on every target, as the wire form
//!   must be. It is seeded ([`SeenKeys::with_seed`], `Options::key_seed`): a
//!   fixed one would let a roster be written whose keys all share a hash,
//!   and each look-up would then probe every key before it.

use crate::hash::row_key;

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
    /// Scratch for [`SeenKeys::prefetch`]: an address lower-cased.
    key: String,
    /// The seed of the keys' hashes.
    seed: u64,
}

/// The hash of a key, made by [`SeenKeys::prefetch`] and handed back to
/// [`SeenKeys::first_line_or_insert`] for the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyHash(u64);

impl SeenKeys {
    /// An empty set whose keys are hashed with `seed` (see the module's advice).
    pub(crate) fn with_seed(seed: u64) -> Self {
        SeenKeys {
            seed,
            ..SeenKeys::default()
        }
    }

    /// Room for about `keys` more keys, judged by the length of those so far.
    pub(crate) fn reserve(&mut self, keys: usize) {
        let per_key = self.arena.len() / self.ends.len().max(1) + 1;
        self.arena.reserve(keys.saturating_mul(per_key));
        self.ends.reserve(keys);
        self.lines.reserve(keys);
        self.grow_for(self.ends.len().saturating_add(keys));
    }

    /// The line `key` was first seen on; if it is new, records it at `line`.
    /// `write` appends the key to the string it is given. `prefetched`: the
    /// key's hash, if [`SeenKeys::prefetch`] made it (of this very key: see
    /// the module's advice); else the key is hashed here. Also returns that
    /// hash, the key's [`crate::hash::row_key`]: the row's [`crate::Row::key`].
    pub(crate) fn first_line_or_insert(
        &mut self,
        line: u32,
        prefetched: Option<KeyHash>,
        write: impl FnOnce(&mut String),
    ) -> (Option<u32>, u64) {
        let start = self.arena.len();
        write(&mut self.arena);
        self.grow_for(self.ends.len() + 1);
        let hash = match prefetched {
            Some(KeyHash(hash)) => hash,
            None => row_key(self.seed, &self.arena[start..]),
        };
        debug_assert_eq!(
            hash,
            row_key(self.seed, &self.arena[start..]),
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
                return (None, hash);
            }
            if slot & TAG == hash & TAG {
                let number = (slot & !TAG) as usize - 1;
                if self.key(number) == &self.arena[start..] {
                    self.arena.truncate(start);
                    return (Some(self.lines[number]), hash);
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
    /// key of a plain address), into `hashes` (one for each address, in
    /// order; `None` for a missing one), and reads the first slot of each in
    /// one tight loop, throwing the values away: the reads' cache misses
    /// overlap (a CPU keeps several in flight) instead of stalling the check
    /// of each row in turn. The look-ups that follow find the slots in the
    /// cache, and take the hashes from the caller.
    pub(crate) fn prefetch<'r>(
        &mut self,
        addresses: impl Iterator<Item = Option<&'r str>>,
        hashes: &mut Vec<Option<KeyHash>>,
    ) {
        hashes.clear();
        for address in addresses {
            hashes.push(address.map(|raw| {
                // Copied to be lower-cased only if it needs to be.
                let key = if raw.bytes().any(|b| b.is_ascii_uppercase()) {
                    self.key.clear();
                    self.key.push_str(raw);
                    self.key.make_ascii_lowercase();
                    self.key.as_str()
                } else {
                    raw
                };
                KeyHash(row_key(self.seed, key))
            }));
        }
        let Some(mask) = self.slots.len().checked_sub(1) else {
            return;
        };
        let touched = hashes
            .iter()
            .flatten()
            .fold(0u64, |acc, &KeyHash(hash)| acc ^ self.slots[hash as usize & mask]);
        std::hint::black_box(touched);
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
            let hash = row_key(self.seed, self.key(number));
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
        let mut at = |line, key: &str| seen.first_line_or_insert(line, None, |s| s.push_str(key)).0;
        assert_eq!(at(2, "a@x.org"), None);
        assert_eq!(at(3, "b@x.org"), None);
        assert_eq!(at(4, "a@x.org"), Some(2));
        assert_eq!(at(5, "b@x.org"), Some(3));
        assert_eq!(at(6, "a@x.or"), None);
        assert_eq!(at(7, "a@x.org"), Some(2));
    }

    #[test]
    fn a_prefetched_hash_is_the_one_of_the_address_lower_cased() {
        let mut seen = SeenKeys::default();
        let mut hashes = Vec::new();
        seen.prefetch([Some("a@x.org"), None, Some("A@X.org")].into_iter(), &mut hashes);
        assert_eq!(hashes.len(), 3);
        assert_eq!((hashes[1], hashes[0]), (None, hashes[2]));
        let key = |s: &mut String| s.push_str("a@x.org");
        assert_eq!(seen.first_line_or_insert(2, hashes[0], key).0, None);
        assert_eq!(seen.first_line_or_insert(3, hashes[2], key).0, Some(2));
        assert_eq!(seen.first_line_or_insert(4, None, key).0, Some(2));
    }

    proptest::proptest! {
        /// Whatever the keys (repeats, prefixes, the empty key) and however
        /// the table is sized, each key's first line is what a map gives.
        #[test]
        fn it_agrees_with_a_map(keys in proptest::collection::vec("[ab]{0,4}", 0..400), reserve in 0..300usize, seed: u64) {
            let mut seen = SeenKeys::with_seed(seed);
            let mut model = std::collections::HashMap::new();
            for (line, key) in keys.iter().enumerate() {
                if line == 7 {
                    seen.reserve(reserve);
                }
                let (first, hash) = seen.first_line_or_insert(line as u32, None, |s| s.push_str(key));
                proptest::prop_assert_eq!(first, model.get(key).copied());
                // The hash a row keeps is the one the editor makes of its key.
                proptest::prop_assert_eq!(hash, crate::hash::row_key(seed, key));
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
                seen.first_line_or_insert(i, None, |s| s.push_str(&format!("p{i}@example.com")))
                    .0,
                None
            );
        }
        assert_eq!(
            seen.first_line_or_insert(0, None, |s| s.push_str("p99999@example.com"))
                .0,
            Some(99_999)
        );
        assert_eq!(seen.ends.len(), 100_000);
        assert!(seen.slots.len() >= 200_000 && seen.slots.len().is_power_of_two());
    }
}
