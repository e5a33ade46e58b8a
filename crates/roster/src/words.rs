//! Byte searches many bytes at a time: in plain integer arithmetic, eight
//! bytes to a 64-bit word (the classic "has a zero byte" test), and, in a
//! WebAssembly build with `simd128`, sixteen bytes to a vector (see
//! [`Block`]). Most of a roster's bytes are nothing a search looks for, and
//! a byte-at-a-time loop (or core's `memchr`, which on wasm32 reads 32-bit
//! words) spent more time on them than on all the checks of a row.
//!
//! # Advice for hackers
//!
//! - Each search has one meaning and two ways to get it: [`Block`]'s vector
//!   form where the target has `simd128`, its word form elsewhere. The word
//!   form is what native tests and property tests run, and it computes the
//!   same masks, bit for bit (`the_word_blocks_agree_with_a_byte_loop`).
//!   The vector form is compiled with `-C target-feature=+simd128`, which
//!   `.cargo/config.toml` passes to every wasm build: the page, the engine
//!   worker and `tests/wasm.rs`, whose reports (in Chromium, Firefox and
//!   WebKitGTK) are held to the native snapshots the word form made. A wasm
//!   build without the flag (`RUSTFLAGS` set replaces it) gets the word form.
//! - No `unsafe`: a block is built from two `u64::from_le_bytes` of a slice
//!   chunk (`u64x2`). Of a chunk of known length sixteen (every loop here)
//!   the compiler makes one `v128.load` (checked with binaryen's `wasm-dis`
//!   on an opt-level 3 `+simd128` build of this file).

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
/// `0x01` in every byte.
pub(crate) const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
/// `byte` in every byte of a word.
pub(crate) const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
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

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
/// The high bit of each byte of `word` that is zero, and of no other: exact,
/// unlike [`zero_bytes`], so that its bits can be counted.
#[inline]
pub(crate) fn exact_zero_bytes(word: u64) -> u64 {
    !(((word & !HIGHS).wrapping_add(!HIGHS)) | word) & HIGHS
}

/// What one pass over a text's bytes finds: whether it holds a NUL, and how
/// many line ends it has (each LF, CR or CRLF is one). The decoder's check
/// for NUL and the row limit's count of lines were two passes over every
/// byte of the file; this is one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Census {
    /// Whether some byte is 0x00.
    pub nul: bool,
    /// The `\n`, `\r` and `\r\n` sequences, each counted once.
    pub line_ends: usize,
}

impl Census {
    /// Counts `bytes`, a [`Block`] at a time, the rest byte by byte.
    pub(crate) fn of(bytes: &[u8]) -> Census {
        let (mut nul, mut line_ends, mut after_cr) = (false, 0usize, false);
        let mut blocks = bytes.chunks_exact(16);
        for chunk in &mut blocks {
            let block = Block::of(chunk);
            nul |= block.has_nul();
            let (ends, ends_in_cr) = block.line_ends(after_cr);
            line_ends += ends as usize;
            after_cr = ends_in_cr;
        }
        let rest = blocks.remainder();
        for &b in rest {
            line_ends += usize::from(b == b'\r' || (b == b'\n' && !after_cr));
            after_cr = b == b'\r';
        }
        Census {
            nul: nul || rest.contains(&0),
            line_ends,
        }
    }
}

/// Sixteen bytes of the text, searched at once: one wasm `simd128` vector
/// where the build has it, else two little-endian 64-bit words. Its masks
/// have bit `i` set for byte `i`, the same in both forms.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    vector: core::arch::wasm32::v128,
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    words: [u64; 2],
}

impl Block {
    /// The first sixteen bytes of `chunk` (sixteen long; a shorter one is
    /// read as if padded with 0x01, which no search looks for).
    #[inline]
    pub(crate) fn of(chunk: &[u8]) -> Block {
        let half = |at: usize| word(chunk.get(at..at + 8).unwrap_or(&[0x01; 8]));
        let words = [half(0), half(8)];
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return Block {
            vector: core::arch::wasm32::u64x2(words[0], words[1]),
        };
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        Block { words }
    }

    /// Bit `i` set for each byte `i` equal to `byte`.
    #[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline]
    pub(crate) fn eq_mask(self, byte: u8) -> u32 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::{i8x16_eq, u8x16_bitmask, u8x16_splat};
            u32::from(u8x16_bitmask(i8x16_eq(self.vector, u8x16_splat(byte))))
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            let [low, high] = self.words.map(|w| high_bits_to_mask(exact_zero_bytes(w ^ splat(byte))));
            low | high << 8
        }
    }

    /// Whether a byte is 0x00.
    #[inline]
    pub(crate) fn has_nul(self) -> bool {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return !core::arch::wasm32::u8x16_all_true(self.vector);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            (zero_bytes(self.words[0]) | zero_bytes(self.words[1])) != 0
        }
    }

    /// How many line ends the block holds (each `\n`, `\r` and `\r\n`
    /// once; `after_cr`: the byte before the block is `\r`, so a `\n` first
    /// ends no new line), and whether its last byte is `\r`.
    #[inline]
    pub(crate) fn line_ends(self, after_cr: bool) -> (u32, bool) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            let (cr, lf) = (self.eq_mask(b'\r'), self.eq_mask(b'\n'));
            // The LFs that follow a CR: the CR mask moved up a byte.
            let crlf = ((cr << 1) | u32::from(after_cr)) & lf;
            ((cr | lf).count_ones() - crlf.count_ones(), cr & 0x8000 != 0)
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            // Flags in each byte's high bit; a CR's flag moved up eight bits
            // lands on the next byte's, and the last byte's is carried into
            // the next word (bit 7, its first byte's flag).
            let mut carry = u64::from(after_cr) << 7;
            let mut ends = 0;
            for w in self.words {
                let (cr, lf) = (exact_zero_bytes(w ^ splat(b'\r')), exact_zero_bytes(w ^ splat(b'\n')));
                let crlf = ((cr << 8) | carry) & lf;
                ends += (cr | lf).count_ones() - crlf.count_ones();
                carry = (cr >> 63) << 7;
            }
            (ends, carry != 0)
        }
    }

    /// Bit `i` set for each byte `i` equal to any of `bytes`.
    #[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline]
    pub(crate) fn any_mask(self, bytes: [u8; 4]) -> u32 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::{i8x16_eq, u8x16_bitmask, u8x16_splat, v128_or};
            let eq = |b: u8| i8x16_eq(self.vector, u8x16_splat(b));
            let any = v128_or(v128_or(eq(bytes[0]), eq(bytes[1])), v128_or(eq(bytes[2]), eq(bytes[3])));
            u32::from(u8x16_bitmask(any))
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            let [low, high] = self
                .words
                .map(|w| high_bits_to_mask(bytes.iter().fold(0, |m, &b| m | exact_zero_bytes(w ^ splat(b)))));
            low | high << 8
        }
    }
}

/// The high bits of a word's eight bytes (as [`exact_zero_bytes`] gives
/// them) as the eight low bits of a mask, byte 0 in bit 0.
#[cfg(all(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
#[inline]
fn high_bits_to_mask(highs: u64) -> u32 {
    // Each flag moved to bit 0 of its byte, then all eight gathered into the
    // top byte by one multiplication (no two partial products collide).
    ((((highs >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The masks of a byte loop: what every form of [`Block`] must give.
    fn naive_mask(chunk: &[u8], wanted: &[u8]) -> u32 {
        (0..16).filter(|&i| wanted.contains(&chunk[i])).map(|i| 1 << i).sum()
    }

    /// The line ends of a byte loop: each LF but one after a CR, each CR.
    fn naive_line_ends(bytes: &[u8]) -> usize {
        (0..bytes.len())
            .filter(|&i| bytes[i] == b'\r' || (bytes[i] == b'\n' && (i == 0 || bytes[i - 1] != b'\r')))
            .count()
    }

    proptest::proptest! {
        /// Whatever the bytes (the needles themselves, their neighbours, a
        /// borrow across bytes, UTF-8), a block's masks are the byte loop's.
        #[test]
        fn the_word_blocks_agree_with_a_byte_loop(
            chunk in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(vec![0u8, 1, b'\n', b'\r', b'"', b',', b';', b'\t', b'|', 0x80, 0xFF, 0x0B, 0x0C]),
            ], 16),
            needles in proptest::array::uniform4(proptest::prelude::any::<u8>()),
        ) {
            let block = Block::of(&chunk);
            for &needle in &needles {
                proptest::prop_assert_eq!(block.eq_mask(needle), naive_mask(&chunk, &[needle]));
            }
            proptest::prop_assert_eq!(block.any_mask(needles), naive_mask(&chunk, &needles));
            proptest::prop_assert_eq!(block.has_nul(), chunk.contains(&0));
            for after_cr in [false, true] {
                let mut before = vec![if after_cr { b'\r' } else { b'a' }];
                before.extend_from_slice(&chunk);
                let ends = naive_line_ends(&before) - usize::from(after_cr);
                proptest::prop_assert_eq!(block.line_ends(after_cr), (ends as u32, chunk[15] == b'\r'));
            }
        }

        /// The census counts what a byte loop counts, at every length.
        #[test]
        fn the_census_is_a_byte_loops(bytes in proptest::collection::vec(
            proptest::sample::select(vec![0u8, 1, b'a', b'\n', b'\r', 0x8A, 0x8D, 0xFF]), 0..100)) {
            let census = Census::of(&bytes);
            proptest::prop_assert_eq!(census.nul, bytes.contains(&0));
            proptest::prop_assert_eq!(census.line_ends, naive_line_ends(&bytes));
        }
    }

    #[test]
    fn a_nul_is_found_at_every_offset_and_nothing_else_is() {
        for len in 0..80 {
            // Bytes around zero (0x01, 0xFF) and a borrow across bytes (0x00 0x01).
            let clean: Vec<u8> = (0..len).map(|i| [0x01, 0xFF, 0x80, b'a', 0x7F][i % 5]).collect();
            assert!(!Census::of(&clean).nul, "{len}");
            for at in 0..len {
                let mut bytes = clean.clone();
                bytes[at] = 0;
                assert!(Census::of(&bytes).nul, "NUL at {at} of {len}");
            }
        }
    }
}
