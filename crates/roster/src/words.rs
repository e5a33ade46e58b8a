//! Byte searches sixteen bytes at a time, as a [`Block`]: one wasm
//! `simd128` vector where the build has it ([`VectorBlock`]), else two 64-bit
//! words in plain integer arithmetic (the classic "has a zero byte" test,
//! `WordBlock`). Most of a roster's bytes are nothing a search looks for,
//! and a byte-at-a-time loop (or core's `memchr`, which on wasm32 reads
//! 32-bit words) spent more time on them than on all the checks of a row.
//!
//! # Advice for hackers
//!
//! - Each search has one meaning and two ways to get it, the [`Search`]
//!   trait's two forms. They compute the same masks, bit for bit: native
//!   tests hold the word form to a byte loop
//!   (`the_blocks_agree_with_a_byte_loop`), and `tests/wasm.rs`, in
//!   Chromium, Firefox and WebKitGTK, holds the vector form's reports to the
//!   native snapshots the word form made.
//! - The vector form is compiled with `-C target-feature=+simd128`, which
//!   `.cargo/config.toml` passes to every wasm build: the page, the engine
//!   worker and `tests/wasm.rs`. A wasm build without the flag (`RUSTFLAGS`
//!   set replaces it) gets the word form.
//! - No `unsafe` (the workspace forbids it, which is also why there is no
//!   x86-64 vector form: its intrinsics are `unsafe` to call from code not
//!   itself marked with the feature). A block is built from two
//!   `u64::from_le_bytes` of a slice chunk; of a chunk of known length
//!   sixteen (every loop here) the compiler makes one `v128.load` (checked
//!   with binaryen's `wasm-dis` on an opt-level 3 `+simd128` build).

/// The eight bytes of `chunk` (eight long) as a little-endian word.
#[inline]
fn word(chunk: &[u8]) -> u64 {
    // Every caller passes eight bytes; were one short, a word of 0x01 bytes
    // matches nothing that is searched for.
    u64::from_le_bytes(chunk.try_into().unwrap_or([0x01; 8]))
}

/// The two little-endian words of the first sixteen bytes of `chunk`
/// (sixteen long; a shorter one is read as if padded with 0x01, which no
/// search looks for).
#[inline]
fn halves(chunk: &[u8]) -> [u64; 2] {
    let half = |at: usize| word(chunk.get(at..at + 8).unwrap_or(&[0x01; 8]));
    [half(0), half(8)]
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

/// The searches of a block of sixteen bytes: masks with bit `i` set for
/// byte `i`, the same in every form.
pub(crate) trait Search: Copy {
    /// The first sixteen bytes of `chunk` (sixteen long; a shorter one is
    /// read as if padded with 0x01, which no search looks for).
    fn of(chunk: &[u8]) -> Self;
    /// Bit `i` set for each byte `i` equal to `byte`.
    fn eq_mask(self, byte: u8) -> u32;
    /// Bit `i` set for each byte `i` equal to any of `bytes`.
    fn any_mask(self, bytes: [u8; 4]) -> u32;

    /// Whether a byte is 0x00.
    #[inline]
    fn has_nul(self) -> bool {
        self.eq_mask(0) != 0
    }

    /// How many line ends the block holds (each `\n`, `\r` and `\r\n`
    /// once; `after_cr`: the byte before the block is `\r`, so a `\n` first
    /// ends no new line), and whether its last byte is `\r`.
    #[inline]
    fn line_ends(self, after_cr: bool) -> (u32, bool) {
        let (cr, lf) = (self.eq_mask(b'\r'), self.eq_mask(b'\n'));
        // The LFs that follow a CR: the CR mask moved up a byte.
        let crlf = ((cr << 1) | u32::from(after_cr)) & lf;
        ((cr | lf).count_ones() - crlf.count_ones(), cr & 0x8000 != 0)
    }
}

/// The word form: plain integer arithmetic on two 64-bit words.
#[cfg(any(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
mod word_form {
    use super::{halves, Search};

    /// `0x01` in every byte.
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    /// `0x80` in every byte.
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

    /// `byte` in every byte of a word.
    const fn splat(byte: u8) -> u64 {
        ONES * byte as u64
    }

    /// The high bit of each byte of `word` that is zero, and of no other: exact
    /// (no borrow from one byte reaches the next), so that its bits can be
    /// counted and turned into a mask.
    #[inline]
    fn exact_zero_bytes(word: u64) -> u64 {
        !(((word & !HIGHS).wrapping_add(!HIGHS)) | word) & HIGHS
    }

    /// The high bits of a word's eight bytes (as [`exact_zero_bytes`] gives
    /// them) as the eight low bits of a mask, byte 0 in bit 0.
    #[inline]
    fn high_bits_to_mask(highs: u64) -> u32 {
        // Each flag moved to bit 0 of its byte, then all eight gathered into the
        // top byte by one multiplication (no two partial products collide).
        ((((highs >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
    }

    /// Sixteen bytes in two 64-bit words: the form for targets without a
    /// vector form here, and in tests everywhere.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct WordBlock([u64; 2]);

    impl Search for WordBlock {
        #[inline]
        fn of(chunk: &[u8]) -> Self {
            WordBlock(halves(chunk))
        }

        #[inline]
        fn eq_mask(self, byte: u8) -> u32 {
            let [low, high] = self.0.map(|w| high_bits_to_mask(exact_zero_bytes(w ^ splat(byte))));
            low | high << 8
        }

        #[inline]
        fn any_mask(self, bytes: [u8; 4]) -> u32 {
            let [low, high] = self
                .0
                .map(|w| high_bits_to_mask(bytes.iter().fold(0, |m, &b| m | exact_zero_bytes(w ^ splat(b)))));
            low | high << 8
        }

        // The census's two, on the words' flags themselves (one high bit a
        // byte), with no masks made: a native check's one full pass.

        #[inline]
        fn has_nul(self) -> bool {
            (exact_zero_bytes(self.0[0]) | exact_zero_bytes(self.0[1])) != 0
        }

        #[inline]
        fn line_ends(self, after_cr: bool) -> (u32, bool) {
            // A CR's flag moved up eight bits lands on the next byte's; the last
            // byte's is carried into the next word (bit 7, its first byte's).
            let mut carry = u64::from(after_cr) << 7;
            let mut ends = 0;
            for w in self.0 {
                let (cr, lf) = (exact_zero_bytes(w ^ splat(b'\r')), exact_zero_bytes(w ^ splat(b'\n')));
                let crlf = ((cr << 8) | carry) & lf;
                ends += (cr | lf).count_ones() - crlf.count_ones();
                carry = (cr >> 63) << 7;
            }
            (ends, carry != 0)
        }
    }
}
#[cfg(any(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
pub(crate) use word_form::WordBlock;

/// Sixteen bytes in one wasm `simd128` vector.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct VectorBlock(core::arch::wasm32::v128);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Search for VectorBlock {
    #[inline]
    fn of(chunk: &[u8]) -> Self {
        let [low, high] = halves(chunk);
        VectorBlock(core::arch::wasm32::u64x2(low, high))
    }

    #[inline]
    fn eq_mask(self, byte: u8) -> u32 {
        use core::arch::wasm32::{i8x16_eq, u8x16_bitmask, u8x16_splat};
        u32::from(u8x16_bitmask(i8x16_eq(self.0, u8x16_splat(byte))))
    }

    #[inline]
    fn any_mask(self, bytes: [u8; 4]) -> u32 {
        use core::arch::wasm32::{i8x16_eq, u8x16_bitmask, u8x16_splat, v128_or};
        let eq = |b: u8| i8x16_eq(self.0, u8x16_splat(b));
        let any = v128_or(v128_or(eq(bytes[0]), eq(bytes[1])), v128_or(eq(bytes[2]), eq(bytes[3])));
        u32::from(u8x16_bitmask(any))
    }
}

/// The block this target searches with: its vector form if it has one.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) type Block = VectorBlock;
/// The block this target searches with: the word form, having no vector form here.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) type Block = WordBlock;

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

    /// Holds the masks of form `B` of `chunk` to the byte loop's.
    fn agrees<B: Search>(chunk: &[u8], needles: [u8; 4]) -> Result<(), proptest::test_runner::TestCaseError> {
        let block = B::of(chunk);
        for needle in needles {
            proptest::prop_assert_eq!(block.eq_mask(needle), naive_mask(chunk, &[needle]), "{:?}", needle);
        }
        proptest::prop_assert_eq!(block.any_mask(needles), naive_mask(chunk, &needles));
        proptest::prop_assert_eq!(block.has_nul(), chunk.contains(&0));
        for after_cr in [false, true] {
            let mut before = vec![if after_cr { b'\r' } else { b'a' }];
            before.extend_from_slice(chunk);
            let ends = naive_line_ends(&before) - usize::from(after_cr);
            proptest::prop_assert_eq!(block.line_ends(after_cr), (ends as u32, chunk[15] == b'\r'));
        }
        Ok(())
    }

    /// The word form's masks under the trait's own `has_nul` and
    /// `line_ends`, which the word form replaces and the vector form uses:
    /// so that those are held to the byte loop natively too.
    #[derive(Debug, Clone, Copy)]
    struct MasksOnly(WordBlock);

    impl Search for MasksOnly {
        fn of(chunk: &[u8]) -> Self {
            MasksOnly(WordBlock::of(chunk))
        }
        fn eq_mask(self, byte: u8) -> u32 {
            self.0.eq_mask(byte)
        }
        fn any_mask(self, bytes: [u8; 4]) -> u32 {
            self.0.any_mask(bytes)
        }
    }

    proptest::proptest! {
        /// Whatever the bytes (the needles themselves, their neighbours, a
        /// borrow across bytes, UTF-8), the word form's masks are the byte
        /// loop's, and so are the trait's own census searches on them
        /// (natively `Block` is the word form; the wasm build's vector form
        /// is held to the same reports by `tests/wasm.rs`).
        #[test]
        fn the_blocks_agree_with_a_byte_loop(
            chunk in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(vec![0u8, 1, b'\n', b'\r', b'"', b',', b';', b'\t', b'|', 0x80, 0xFF, 0x0B, 0x0C]),
            ], 16),
            needles in proptest::array::uniform4(proptest::prelude::any::<u8>()),
        ) {
            agrees::<WordBlock>(&chunk, needles)?;
            agrees::<WordBlock>(&chunk, [0, b'\r', b'\n', b'"'])?;
            agrees::<MasksOnly>(&chunk, needles)?;
        }

        /// The census counts what a byte loop counts, at every length, a CR
        /// and its LF in one block or two.
        #[test]
        fn the_census_is_a_byte_loops(bytes in proptest::collection::vec(
            proptest::sample::select(vec![0u8, 1, b'a', b'\n', b'\r', 0x8A, 0x8D, 0xFF]), 0..100)) {
            let expected = Census { nul: bytes.contains(&0), line_ends: naive_line_ends(&bytes) };
            proptest::prop_assert_eq!(Census::of(&bytes), expected);
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
