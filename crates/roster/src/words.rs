//! Byte searches eight bytes at a time, in plain integer arithmetic (no
//! SIMD, which not every browser's WebAssembly has): the classic "has a zero
//! byte" test on 64-bit words. Most of a roster's bytes are nothing a search
//! looks for, and a byte-at-a-time loop (or core's `memchr`, which on wasm32
//! reads 32-bit words) spent more time on them than on all the checks of a row.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// `byte` in every byte of a word.
pub(crate) const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

/// The high bit of each byte of `word` that is zero (and maybe of bytes
/// above one that is): the lowest flag is always a zero byte's, so the first
/// zero byte of a little-endian word is at `trailing_zeros() / 8`.
#[inline]
pub(crate) fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The eight bytes of `chunk` (eight long) as a little-endian word.
#[inline]
pub(crate) fn word(chunk: &[u8]) -> u64 {
    // Every caller passes eight bytes; were one short, a word of 0x01 bytes
    // matches nothing that is searched for.
    u64::from_le_bytes(chunk.try_into().unwrap_or([0x01; 8]))
}

/// Whether `bytes` holds a NUL byte.
pub(crate) fn contains_nul(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        let found = block
            .chunks_exact(8)
            .fold(0, |found, chunk| found | zero_bytes(word(chunk)));
        if found != 0 {
            return true;
        }
    }
    blocks.remainder().contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_at_every_offset_and_nothing_else_is() {
        for len in 0..80 {
            // Bytes around zero (0x01, 0xFF) and a borrow across bytes (0x00 0x01).
            let clean: Vec<u8> = (0..len).map(|i| [0x01, 0xFF, 0x80, b'a', 0x7F][i % 5]).collect();
            assert!(!contains_nul(&clean), "{len}");
            for at in 0..len {
                let mut bytes = clean.clone();
                bytes[at] = 0;
                assert!(contains_nul(&bytes), "NUL at {at} of {len}");
            }
        }
    }
}
