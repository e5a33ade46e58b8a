//! The duplicate set of one pass over a roster: each address key once, with
//! the line it first appeared on. The keys live end to end in one string, so
//! a million rows cost one growing buffer and a table of offsets rather than
//! a million small allocations.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Address keys seen so far.
#[derive(Default)]
pub(crate) struct SeenKeys {
    /// Every key, end to end.
    arena: String,
    /// (start, length, line) of each key in `arena`, hashed by its text.
    table: HashTable<(u32, u32, u32)>,
    hasher: rustc_hash::FxBuildHasher,
}

impl SeenKeys {
    /// Room for about `keys` more keys, judged by the length of those so far.
    pub(crate) fn reserve(&mut self, keys: usize) {
        let per_key = self.arena.len() / self.table.len().max(1) + 1;
        self.arena.reserve(keys.saturating_mul(per_key));
        let (arena, hasher) = (&self.arena, &self.hasher);
        self.table.reserve(keys, |&(s, l, _)| hasher.hash_one(&arena[s as usize..(s + l) as usize]));
    }

    /// The line `key` was first seen on; if it is new, records it at `line`.
    /// `write` appends the key to the string it is given.
    pub(crate) fn first_line_or_insert(&mut self, line: u32, write: impl FnOnce(&mut String)) -> Option<u32> {
        let start = self.arena.len();
        write(&mut self.arena);
        let (arena, hasher) = (&self.arena, &self.hasher);
        let key = &arena[start..];
        let text = |&(s, l, _): &(u32, u32, u32)| &arena[s as usize..(s + l) as usize];
        let hash = hasher.hash_one(key);
        if let Some(&(_, _, first)) = self.table.find(hash, |entry| text(entry) == key) {
            self.arena.truncate(start);
            return Some(first);
        }
        let entry = (start as u32, (self.arena.len() - start) as u32, line);
        self.table.insert_unique(hash, entry, |entry| hasher.hash_one(text(entry)));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_of_each_key_is_kept() {
        let mut seen = SeenKeys::default();
        let mut at = |line, key: &str| seen.first_line_or_insert(line, |s| s.push_str(key));
        assert_eq!(at(2, "a@x.org"), None);
        assert_eq!(at(3, "b@x.org"), None);
        assert_eq!(at(4, "a@x.org"), Some(2));
        assert_eq!(at(5, "b@x.org"), Some(3));
        assert_eq!(at(6, "a@x.or"), None);
        assert_eq!(at(7, "a@x.org"), Some(2));
    }

    #[test]
    fn a_hundred_thousand_keys_grow_one_buffer() {
        let mut seen = SeenKeys::default();
        for i in 0..100_000u32 {
            assert_eq!(seen.first_line_or_insert(i, |s| s.push_str(&format!("p{i}@example.com"))), None);
        }
        assert_eq!(seen.first_line_or_insert(0, |s| s.push_str("p99999@example.com")), Some(99_999));
        assert_eq!(seen.table.len(), 100_000);
    }
}
