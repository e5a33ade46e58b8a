//! The duplicate groups: the rows whose address keys share a hash
//! ([`Row::key`](crate::Row::key)), in roster order; every row after the
//! first of its key is a later duplicate.
//!
//! # Advice for hackers
//!
//! - Taking a report over parses no address: each row brings its key's hash
//!   from the check, and its later-duplicate flag comes from the check's
//!   `duplicate_email` finding. At a million rows, parsing every address
//!   again and keeping each key as a string was most of the page's wait
//!   after the worker's. The rows are grouped as they come ([`KeyIndex`]:
//!   the page does it while the worker still checks); the findings come
//!   last, so once they are placed [`Editor::settle_groups`] marks the
//!   groups whose rows share one key, from the flags.
//! - Rows are grouped by the hash, not the key, so a group may hold two keys
//!   (a collision: with a 64-bit seeded hash, next to never). A group says
//!   whether all its rows are known to share one key (`uniform`); only a
//!   group that may not is sorted out by parsing its rows' addresses. An
//!   edit parses the edited address and one of its group's to keep that true.
//! - A group of one row is held without a vector: a million rows, nearly all
//!   with an address of their own, make no million allocations.

use super::Editor;
use crate::email::parse_address_ref;
use crate::finding::Code;
use crate::hash::{row_key, HashMap};
use crate::tally::{step, Direction};

impl Editor {
    /// Once every row of the report taken over is grouped and every finding
    /// placed: marks each group of several rows whose rows share one key
    /// (every row after its first repeats an earlier one: the check compared
    /// the keys themselves), and drops a flag that repeats no row of its hash.
    pub(super) fn settle_groups(&mut self, repeats: &[usize]) {
        for &id in repeats {
            let key = self.rows[id].key;
            let first = self.groups.get(key).and_then(|g| g.ids().next());
            if first.is_none_or(|first| first == id) {
                // A report made some other way: trust the keys, not the flag.
                flag_later(&mut self.later_duplicate[id], false, &mut self.tally.later_duplicates);
                if !self.own[id].iter().any(crate::Finding::is_error) {
                    self.invalid[id / 64] &= !(1 << (id % 64));
                }
            }
        }
        for key in std::mem::take(&mut self.groups.unsettled) {
            let later = &self.later_duplicate;
            if let Some(Group::Many { ids, uniform }) = self.groups.get_mut(key) {
                *uniform = ids[1..].iter().all(|&m| later[m as usize]);
            }
        }
    }

    /// Puts row `id`, just checked again, in the group of its address key (it
    /// has none while its address is invalid, or the row ragged) and sets
    /// the group's later-duplicate flags.
    pub(super) fn index_key(&mut self, id: usize) {
        // A ragged row was not read into fields, so it repeats no address
        // (as in the engine) until it is edited.
        let ragged = self.own[id].iter().any(|f| f.code == Code::RaggedRow);
        let key = match self.key_text(id).filter(|_| !ragged) {
            Some(text) => row_key(self.key_seed, &text),
            None => 0,
        };
        self.rows[id].key = key;
        if key == 0 {
            return;
        }
        // Whether the group stays one key: the new row's against one of its rows'.
        let same_key = match self.groups.get(key).and_then(|g| g.ids().next()) {
            Some(other) => self.key_text(other) == self.key_text(id),
            None => true,
        };
        self.groups.insert(key, id as u32, same_key);
        self.flag_group(key);
    }

    /// Takes row `id` out of its group, setting the flags of the rows left
    /// in it; returns the key's hash it had.
    pub(super) fn unindex_key(&mut self, id: usize) -> Option<u64> {
        let key = std::mem::take(&mut self.rows[id].key);
        if key == 0 {
            return None;
        }
        flag_later(&mut self.later_duplicate[id], false, &mut self.tally.later_duplicates);
        self.groups.remove(key, id as u32);
        self.flag_group(key);
        Some(key)
    }

    /// The first row with `id`'s address key, if `id` is a later duplicate.
    pub(super) fn original_of(&self, id: usize) -> Option<usize> {
        if !self.later_duplicate.get(id).copied().unwrap_or(false) {
            return None;
        }
        let group = self.groups.get(self.rows[id].key)?;
        if group.uniform() {
            return group.ids().next().filter(|&first| first != id);
        }
        let text = self.key_text(id)?;
        group
            .ids()
            .take_while(|&other| other != id)
            .find(|&other| self.key_text(other).as_ref() == Some(&text))
    }

    /// The ids in the group of hash `key`, in roster order (none if no row has it).
    pub(super) fn group_ids(&self, key: u64) -> Vec<usize> {
        self.groups.get(key).map(|g| g.ids().collect()).unwrap_or_default()
    }

    /// Row `id`'s address key, parsed from its address.
    fn key_text(&self, id: usize) -> Option<String> {
        parse_address_ref(&self.rows[id].email).ok().map(|a| a.key())
    }

    /// Sets the later-duplicate flags of the group of hash `key`: every row
    /// after the first with its key.
    fn flag_group(&mut self, key: u64) {
        let Some(group) = self.groups.get(key) else { return };
        let ids: Vec<usize> = group.ids().collect();
        if group.uniform() {
            for (i, &member) in ids.iter().enumerate() {
                flag_later(
                    &mut self.later_duplicate[member],
                    i > 0,
                    &mut self.tally.later_duplicates,
                );
            }
            return;
        }
        let mut seen = std::collections::HashSet::new();
        for member in ids {
            let first = self.key_text(member).is_none_or(|text| seen.insert(text));
            flag_later(
                &mut self.later_duplicate[member],
                !first,
                &mut self.tally.later_duplicates,
            );
        }
    }
}

/// The rows of one hash, in roster order.
#[derive(Debug)]
enum Group {
    /// A row of its own (nearly every group).
    One(u32),
    /// Several; `uniform` when they are known to share one key.
    Many { ids: Vec<u32>, uniform: bool },
}

impl Group {
    fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        let ids: &[u32] = match self {
            Group::One(id) => std::slice::from_ref(id),
            Group::Many { ids, .. } => ids,
        };
        ids.iter().map(|&id| id as usize)
    }

    fn uniform(&self) -> bool {
        match self {
            Group::One(_) => true,
            Group::Many { uniform, .. } => *uniform,
        }
    }
}

/// The rows of a report grouped by their key hashes ([`crate::Row::key`]),
/// as they come: hand it the rows decoded so far ([`KeyIndex::add_rows`])
/// and the finished report to [`Editor::unindexed_with`], which groups the
/// rest. In 64 tables picked by the hash's top bits: no single step
/// re-places a million groups (as one table doubling would, freezing the
/// page); a table re-places at most its share.
#[derive(Debug, Default)]
pub struct KeyIndex {
    shards: Vec<HashMap<u64, Group>>,
    /// Rows grouped so far (the next row's id).
    rows: usize,
    /// Groups of several rows not yet known to share one key (see
    /// [`Editor::settle_groups`]).
    unsettled: Vec<u64>,
}

impl KeyIndex {
    const SHARDS: usize = 64;

    /// Groups `rows`, the report's next rows in order.
    pub fn add_rows(&mut self, rows: &[crate::Row]) {
        for row in rows {
            let id = self.rows as u32;
            self.rows += 1;
            if row.key != 0 {
                self.push_last(row.key, id);
            }
        }
    }

    /// Rows grouped so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn shard_mut(&mut self, key: u64) -> &mut HashMap<u64, Group> {
        if self.shards.is_empty() {
            self.shards.resize_with(Self::SHARDS, HashMap::default);
        }
        &mut self.shards[(key >> 58) as usize]
    }

    /// Room for `keys` more keys. The keys spread evenly, so the tables
    /// would all double at about the same row: sized now, none does.
    pub fn reserve(&mut self, keys: usize) {
        if self.shards.is_empty() {
            self.shards.resize_with(Self::SHARDS, HashMap::default);
        }
        let each = keys / Self::SHARDS;
        for shard in &mut self.shards {
            shard.reserve(each + each / 8);
        }
    }

    /// The group of hash `key`.
    fn get(&self, key: u64) -> Option<&Group> {
        self.shards.get((key >> 58) as usize)?.get(&key)
    }

    fn get_mut(&mut self, key: u64) -> Option<&mut Group> {
        self.shards.get_mut((key >> 58) as usize)?.get_mut(&key)
    }

    /// Adds `id`, past every id grouped so far, to the group of `key`.
    /// Inlined for the page's size-optimised build, like the wire readers
    /// (`wire/bytes.rs`): it runs for each row as the pieces come.
    #[inline(always)]
    fn push_last(&mut self, key: u64, id: u32) {
        let shard = self.shard_mut(key);
        match shard.get_mut(&key) {
            None => {
                shard.insert(key, Group::One(id));
            }
            Some(group) => match group {
                Group::One(first) => {
                    // Not known to share one key until the findings say.
                    *group = Group::Many {
                        ids: vec![*first, id],
                        uniform: false,
                    };
                    self.unsettled.push(key);
                }
                Group::Many { ids, .. } => {
                    debug_assert!(ids.last() < Some(&id), "rows grouped out of order");
                    ids.push(id);
                }
            },
        }
    }

    /// Adds `id` to the group of `key`, in order; `same_key`: whether its
    /// key is that of the group's rows.
    fn insert(&mut self, key: u64, id: u32, same_key: bool) {
        let shard = self.shard_mut(key);
        let Some(group) = shard.get_mut(&key) else {
            shard.insert(key, Group::One(id));
            return;
        };
        match group {
            Group::One(other) if *other == id => {}
            Group::One(other) => {
                let other = *other;
                *group = Group::Many {
                    ids: if other < id { vec![other, id] } else { vec![id, other] },
                    uniform: same_key,
                };
            }
            Group::Many { ids, uniform } => {
                if let Err(at) = ids.binary_search(&id) {
                    ids.insert(at, id);
                }
                *uniform &= same_key;
            }
        }
    }

    /// Takes `id` out of the group of `key`; an emptied group goes.
    fn remove(&mut self, key: u64, id: u32) {
        let shard = self.shard_mut(key);
        let Some(group) = shard.get_mut(&key) else { return };
        match group {
            Group::One(other) if *other == id => {
                shard.remove(&key);
            }
            Group::One(_) => {}
            Group::Many { ids, .. } => {
                if let Ok(at) = ids.binary_search(&id) {
                    ids.remove(at);
                }
                if let [last] = ids[..] {
                    *group = Group::One(last);
                } else if ids.is_empty() {
                    shard.remove(&key);
                }
            }
        }
    }
}

/// Sets a later-duplicate flag, keeping the count of set flags.
pub(super) fn flag_later(flag: &mut bool, later: bool, count: &mut usize) {
    if *flag != later {
        *flag = later;
        step(count, if later { Direction::In } else { Direction::Out });
    }
}
