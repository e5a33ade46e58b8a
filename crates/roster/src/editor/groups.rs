//! The duplicate groups: the rows sharing each address key, in roster
//! order; every row after a group's first is a later duplicate.

use super::Editor;
use crate::email::parse_address_ref;
use crate::finding::Code;
use crate::hash::{HashMap, Hasher};
use crate::tally::{step, Direction};
use std::hash::BuildHasher;

impl Editor {
    /// Puts row `id` in the group of its address key (it has none while its
    /// address is invalid, or the row ragged) and sets the group's
    /// later-duplicate flags.
    pub(super) fn index_key(&mut self, id: usize) {
        // A ragged row was not read into fields, so it repeats no address
        // (as in the engine) until it is edited.
        let ragged = self.own[id].iter().any(|f| f.code == Code::RaggedRow);
        let key = self
            .row(id)
            .filter(|_| !ragged)
            .and_then(|r| parse_address_ref(&r.email).ok())
            .map(|a| a.key());
        if let Some(k) = &key {
            let group = self.groups.shard_mut(k).entry(k.clone()).or_default();
            if let Err(at) = group.binary_search(&id) {
                group.insert(at, id);
            }
            for (i, &member) in group.iter().enumerate() {
                flag_later(
                    &mut self.later_duplicate[member],
                    i > 0,
                    &mut self.tally.later_duplicates,
                );
            }
        }
        self.keys[id] = key;
    }

    /// Takes row `id` out of its group, setting the flags of the rows left
    /// in it; returns the key it had.
    pub(super) fn unindex_key(&mut self, id: usize) -> Option<String> {
        let key = self.keys[id].take()?;
        flag_later(&mut self.later_duplicate[id], false, &mut self.tally.later_duplicates);
        if let Some(group) = self.groups.shard_mut(&key).get_mut(&key) {
            if let Ok(at) = group.binary_search(&id) {
                group.remove(at);
            }
            for (i, &member) in group.iter().enumerate() {
                flag_later(
                    &mut self.later_duplicate[member],
                    i > 0,
                    &mut self.tally.later_duplicates,
                );
            }
            if group.is_empty() {
                self.groups.shard_mut(&key).remove(&key);
            }
        }
        Some(key)
    }

    /// The first row of `id`'s duplicate group, if `id` is a later duplicate.
    pub(super) fn original_of(&self, id: usize) -> Option<usize> {
        let key = self.keys.get(id)?.as_ref()?;
        let first = *self.groups.get(key)?.iter().next()?;
        (first != id).then_some(first)
    }
}

/// The duplicate groups, by address key, in 64 tables picked by the key's
/// hash: no single step re-places a million keys (as one table doubling
/// would, freezing the page); a table re-places at most its share.
#[derive(Default)]
pub(super) struct Groups {
    shards: Vec<HashMap<String, Vec<usize>>>,
}

impl Groups {
    const SHARDS: usize = 64;

    fn shard_of(key: &str) -> usize {
        Hasher::default().hash_one(key) as usize % Self::SHARDS
    }

    fn shard_mut(&mut self, key: &str) -> &mut HashMap<String, Vec<usize>> {
        if self.shards.is_empty() {
            self.shards.resize_with(Self::SHARDS, HashMap::default);
        }
        &mut self.shards[Self::shard_of(key)]
    }

    /// Room for `keys` keys in all. The keys spread evenly, so the tables
    /// would all double at about the same row: sized now, none does.
    pub(super) fn reserve(&mut self, keys: usize) {
        if self.shards.is_empty() {
            self.shards.resize_with(Self::SHARDS, HashMap::default);
        }
        let each = keys / Self::SHARDS;
        for shard in &mut self.shards {
            shard.reserve(each + each / 8);
        }
    }

    /// The ids sharing `key`, in roster order.
    pub(super) fn get(&self, key: &str) -> Option<&Vec<usize>> {
        self.shards.get(Self::shard_of(key))?.get(key)
    }
}

/// Sets a later-duplicate flag, keeping the count of set flags.
fn flag_later(flag: &mut bool, later: bool, count: &mut usize) {
    if *flag != later {
        *flag = later;
        step(count, if later { Direction::In } else { Direction::Out });
    }
}
