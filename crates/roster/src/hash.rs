//! The crate's one hasher: foldhash's fast hasher with a fixed seed. Fixed,
//! because the engine takes no randomness (the same bytes give the same
//! report, and the same order of work, on every run); foldhash, because its
//! hashes are 64 bits wide on wasm32 too, which the duplicate set needs (it
//! keeps the high half of each: see `seen.rs`), and it is as fast as FxHash
//! on the engine's short keys (`cargo bench -p smime-bulk-roster`).

/// Builds the crate's hashers.
pub(crate) type Hasher = foldhash::fast::FixedState;

/// A hash map with the crate's hasher.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, Hasher>;

/// A hash set with the crate's hasher.
pub(crate) type HashSet<K> = std::collections::HashSet<K, Hasher>;
