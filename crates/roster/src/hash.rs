//! The crate's hashes. Its hasher for maps and sets: foldhash's fast
//! hasher, with a fixed seed; the engine takes no randomness of its own (the
//! same bytes and options give the same report, and the same order of work,
//! on every run). And [`row_key`], the hash of an address key: the one a row
//! keeps, and the duplicate set's (`seen.rs`), seeded by `Options::key_seed`.

/// Builds the crate's hashers.
pub(crate) type Hasher = foldhash::fast::FixedState;

/// A hash map with the crate's hasher.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, Hasher>;

/// A hash set with the crate's hasher.
pub(crate) type HashSet<K> = std::collections::HashSet<K, Hasher>;

/// The hash of an address key that a row keeps ([`crate::Row::key`]) and
/// the editor groups rows by: never 0 (a row's "no key"), and the same on
/// every target, because it is part of the wire form, which the CLI (64-bit)
/// and the engine worker (wasm32) must write alike, and foldhash's hashes
/// differ between 32- and 64-bit targets. Eight bytes at a time, each
/// multiplied in (64-bit products, native in wasm too), then murmur3's
/// finaliser. 64 bits wide on wasm32 too, which the duplicate set needs (it
/// keeps the high half of each as a tag). No keyed cryptographic hash (nor
/// is foldhash's fast one): the seed, random in the page, is what keeps a
/// roster from being written whose keys share a hash, which would make each
/// look-up in the duplicate set probe every key before it; in the editor a
/// collision costs only a parse of the colliding rows' addresses when one of
/// them is edited (`editor/groups.rs`).
pub(crate) fn row_key(seed: u64, key: &str) -> u64 {
    #[cfg(test)]
    if COLLIDE.get() {
        return (mixed(seed, key) & 3) + 1;
    }
    mixed(seed, key).max(1)
}

fn mixed(seed: u64, key: &str) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes = key.as_bytes();
    let mut h = (seed ^ 0x243f_6a88_85a3_08d3).wrapping_mul(K) ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        h = (h ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(last)).wrapping_mul(K);
    // murmur3's fmix64: every input bit reaches every output bit.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
thread_local! {
    /// In tests: rows' key hashes squeezed into four values, so that rows
    /// with different keys share one (as a 64-bit hash next to never does)
    /// and the editor's handling of it is tested.
    pub(crate) static COLLIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_key_is_never_zero_and_pinned_on_every_target() {
        // Pinned: the wire form carries these, and the CLI's must be the
        // worker's (tests/engine.test.mjs compares the two byte for byte).
        assert_eq!(row_key(0, "jane@example.com"), 0xd109_e826_d997_36b4);
        assert_eq!(row_key(0, ""), row_key(0, ""));
        for key in ["", "a", "a@x.org", "12345678", "123456789"] {
            assert_ne!(row_key(1, key), row_key(2, key), "{key:?}: the seed changes nothing");
            assert_ne!(row_key(0, key), 0);
        }
        // Lengths and a zero byte are part of the key.
        assert_ne!(row_key(0, "a"), row_key(0, "a\0"));
        assert_ne!(row_key(0, "12345678"), row_key(0, "12345678\0"));
    }

    #[test]
    fn ten_thousand_keys_of_one_domain_spread_over_the_groups_shards() {
        // The editor picks one of 64 tables by the top 6 bits.
        let mut shards = [0usize; 64];
        for i in 0..10_000 {
            shards[(row_key(7, &format!("p{i}@example.com")) >> 58) as usize] += 1;
        }
        assert!(shards.iter().all(|&n| (80..240).contains(&n)), "{shards:?}");
    }
}
