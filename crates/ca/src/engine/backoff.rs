//! Exponential backoff with full jitter, from a seeded generator (no hidden
//! randomness: the same seed gives the same delays, so tests are repeatable).

/// SplitMix64: small, fast and good enough for jitter.
#[derive(Debug, Clone)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Jitter(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A delay in `[0, min(max, base × 2^attempt)]` milliseconds.
    pub(crate) fn delay(&mut self, base_ms: u64, max_ms: u64, attempt: u32) -> u64 {
        let ceiling = base_ms.saturating_mul(1u64 << attempt.min(32)).min(max_ms);
        if ceiling == 0 {
            0
        } else {
            self.next() % (ceiling + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_the_exponential_ceiling() {
        let mut j = Jitter::new(7);
        for attempt in 0..40 {
            let ceiling = (250u64 << attempt.min(32)).min(30_000);
            for _ in 0..200 {
                assert!(j.delay(250, 30_000, attempt) <= ceiling);
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_delays() {
        let (mut a, mut b) = (Jitter::new(42), Jitter::new(42));
        let da: Vec<u64> = (0..10).map(|i| a.delay(100, 10_000, i)).collect();
        let db: Vec<u64> = (0..10).map(|i| b.delay(100, 10_000, i)).collect();
        assert_eq!(da, db);
        assert!(da.iter().any(|&d| d > 0));
    }
}
