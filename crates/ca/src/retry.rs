//! Reads sent again: which faults a read from the CA may pass by being sent
//! again, and how long to wait between its tries. No IO: the page's and the
//! refresh's drivers ask [`ReadRetry`] and sleep as it says.
//!
//! Only reads (the domains, the products, the order list) go through here:
//! a read changes nothing at the CA, so a second one is safe. An order is
//! never sent again this way; the engine settles a lost answer by its sweep
//! (`engine/reconcile.rs`).

use crate::engine::{Jitter, Outcome};
use crate::protocol::CaError;

/// Tries of one read before giving up.
pub const MAX_TRIES: u32 = 4;

/// Backoff base and ceiling between tries, in milliseconds.
const BASE_BACKOFF_MS: u64 = 250;
const MAX_BACKOFF_MS: u64 = 4_000;

/// The longest wait the CA may ask for (`Retry-After`) and still be waited
/// for: a read the user is watching does not hang longer in silence; the
/// CA's error, which names its wait, is shown instead.
pub const MAX_ASKED_WAIT_MS: u64 = 10_000;

/// Whether `outcome` is a fault that may pass: a 5xx, a 429 (a proxy in front
/// of the CA may add one), no answer in time, a dropped connection. `error`
/// is what the answer's parser made of an answer, if it refused it. `Some`
/// holds the wait the CA asked for (`Retry-After`), if any; `None` means the
/// fault will not pass by itself (keys refused, a redirect, an answer that
/// cannot be read) or not soon enough (a wait over [`MAX_ASKED_WAIT_MS`]).
pub fn may_pass(outcome: &Outcome, error: Option<&CaError>) -> Option<Option<u64>> {
    match (outcome, error) {
        (Outcome::Timeout | Outcome::Network(_), _) => Some(None),
        (Outcome::Response(_), Some(CaError::RateLimited { retry_after_ms })) => match retry_after_ms {
            Some(ms) if *ms > MAX_ASKED_WAIT_MS => None,
            asked => Some(*asked),
        },
        (Outcome::Response(_), Some(CaError::Server { .. })) => Some(None),
        (Outcome::Response(_), _) => None,
    }
}

/// The tries of one read: counts its faults in a row and says how long to
/// wait before the next try, with jittered exponential backoff.
#[derive(Debug, Clone)]
pub struct ReadRetry {
    faults: u32,
    jitter: Jitter,
}

impl ReadRetry {
    /// No fault counted yet; `seed` drives the jitter.
    pub fn new(seed: u64) -> Self {
        ReadRetry {
            faults: 0,
            jitter: Jitter::new(seed),
        }
    }

    /// After a fault that may pass: the milliseconds to wait before the next
    /// try (the CA's `retry_after_ms` when it gave one; at least 1), or `None`
    /// once [`MAX_TRIES`] tries have failed in a row.
    pub fn after_fault(&mut self, retry_after_ms: Option<u64>) -> Option<u64> {
        self.faults += 1;
        if self.faults >= MAX_TRIES {
            return None;
        }
        let backoff = self.jitter.delay(BASE_BACKOFF_MS, MAX_BACKOFF_MS, self.faults);
        Some(retry_after_ms.unwrap_or(backoff).max(1))
    }

    /// After a usable answer: the next read starts with no fault counted.
    pub fn answered(&mut self) {
        self.faults = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::HttpResponse;

    fn answer() -> Outcome {
        Outcome::Response(HttpResponse {
            status: 500,
            retry_after: None,
            location: None,
            body: String::new(),
        })
    }

    #[test]
    fn faults_that_may_pass_are_told_from_those_that_will_not() {
        let limited = |ms| CaError::RateLimited {
            retry_after_ms: Some(ms),
        };
        assert_eq!(may_pass(&Outcome::Timeout, None), Some(None));
        assert_eq!(may_pass(&Outcome::Network("reset".into()), None), Some(None));
        assert_eq!(may_pass(&answer(), Some(&CaError::Server { status: 503 })), Some(None));
        assert_eq!(may_pass(&answer(), Some(&limited(2_000))), Some(Some(2_000)));
        assert_eq!(
            may_pass(&answer(), Some(&limited(MAX_ASKED_WAIT_MS + 1))),
            None,
            "shown, not waited for"
        );
        assert_eq!(may_pass(&answer(), Some(&CaError::Unauthorized)), None);
        assert_eq!(may_pass(&answer(), None), None, "an answer read");
    }

    #[test]
    fn waits_grow_within_the_ceiling_then_the_read_gives_up() {
        let mut retry = ReadRetry::new(7);
        for fault in 1..MAX_TRIES {
            let ms = retry.after_fault(None).expect("tries left");
            let ceiling = (BASE_BACKOFF_MS << fault).min(MAX_BACKOFF_MS);
            assert!((1..=ceiling).contains(&ms), "fault {fault}: {ms} ms");
        }
        assert_eq!(retry.after_fault(None), None, "the {MAX_TRIES}th fault in a row");
    }

    #[test]
    fn the_cas_wait_is_kept_and_an_answer_starts_the_count_again() {
        let mut retry = ReadRetry::new(1);
        assert_eq!(retry.after_fault(Some(MAX_ASKED_WAIT_MS)), Some(MAX_ASKED_WAIT_MS));
        for _ in 1..MAX_TRIES - 1 {
            retry.after_fault(None);
        }
        retry.answered();
        assert!(retry.after_fault(None).is_some(), "a fresh count after an answer");
    }
}
