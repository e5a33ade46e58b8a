//! Seeded fault injection: failures, dropped connections, orders created but
//! answered with an error, rate limits and latency, reproducible from
//! `--seed` and adjustable at run time.

use rand::{rngs::StdRng, Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The fault settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Share of API requests answered 500 before anything is done.
    pub fail_rate: f64,
    /// Share of order creations (and bulk enrollments) whose connection is
    /// dropped after the orders were created (the outcome-unknown case).
    pub drop_rate: f64,
    /// Requests per second before 429 with Retry-After (none: unlimited).
    pub rate_limit: Option<u32>,
    /// Added latency per request, with ±50% jitter.
    pub latency_ms: u64,
    /// Share of order creations that create (and charge) the order, then
    /// answer an error: SSL.com's "created but error" answers (`sslcom`: half
    /// of them 200 `errors.contacts` without a `ref`, half 500; `reference`:
    /// 500). A bulk enrollment so hit keeps its orders and answers 500.
    #[serde(default)]
    pub created_error_rate: f64,
    /// The next this many API requests are answered 500 before anything is
    /// done, whatever `fail_rate` says: a fault a test can count on.
    #[serde(default)]
    pub fail_next: u32,
}

/// A partial update of the settings (admin endpoint).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FaultsUpdate {
    pub fail_rate: Option<f64>,
    pub drop_rate: Option<f64>,
    /// `0` turns the limit off.
    pub rate_limit: Option<u32>,
    pub latency_ms: Option<u64>,
    pub created_error_rate: Option<f64>,
    pub fail_next: Option<u32>,
}

impl Faults {
    /// Checks rates are within [0, 1].
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("fail_rate", self.fail_rate),
            ("drop_rate", self.drop_rate),
            ("created_error_rate", self.created_error_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0 and 1, not {v}"));
            }
        }
        Ok(())
    }
}

/// How an order that was created is answered anyway (`created_error_rate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedError {
    /// 200 with `errors.contacts` and no `ref` (contact validation after payment).
    Contacts,
    /// 500 (an exception after the order was saved).
    ServerError,
}

/// What to do with a request before handling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Handle it.
    Pass,
    /// Answer 429.
    RateLimited,
    /// Answer 500 without doing anything.
    Fail,
}

struct Inner {
    faults: Faults,
    rng: StdRng,
    window_start: Instant,
    window_count: u32,
}

/// The live fault state shared by the handlers.
pub struct FaultState {
    inner: Mutex<Inner>,
}

impl FaultState {
    /// Starts with `faults`, jitter and coin flips from `seed`.
    pub fn new(faults: Faults, seed: u64) -> Self {
        FaultState {
            inner: Mutex::new(Inner {
                faults,
                rng: StdRng::seed_from_u64(seed),
                window_start: Instant::now(),
                window_count: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current settings.
    pub fn get(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Applies an update; refuses rates outside [0, 1].
    pub fn update(&self, u: FaultsUpdate) -> Result<Faults, String> {
        let mut inner = self.lock();
        let mut f = inner.faults.clone();
        if let Some(v) = u.fail_rate {
            f.fail_rate = v;
        }
        if let Some(v) = u.drop_rate {
            f.drop_rate = v;
        }
        if let Some(v) = u.rate_limit {
            f.rate_limit = (v > 0).then_some(v);
        }
        if let Some(v) = u.latency_ms {
            f.latency_ms = v;
        }
        if let Some(v) = u.fail_next {
            f.fail_next = v;
        }
        if let Some(v) = u.created_error_rate {
            f.created_error_rate = v;
        }
        f.validate()?;
        inner.faults = f.clone();
        Ok(f)
    }

    /// How long to wait before answering (latency ± 50%).
    pub fn latency(&self) -> Duration {
        let mut inner = self.lock();
        let base = inner.faults.latency_ms;
        if base == 0 {
            return Duration::ZERO;
        }
        let jitter = inner.rng.random_range(0..=base);
        Duration::from_millis(base / 2 + jitter)
    }

    /// Rate limit, then the failures asked for (`fail_next`), then the failure coin.
    pub fn gate(&self) -> Gate {
        let mut inner = self.lock();
        if let Some(limit) = inner.faults.rate_limit {
            let now = Instant::now();
            if now.duration_since(inner.window_start) >= Duration::from_secs(1) {
                inner.window_start = now;
                inner.window_count = 0;
            }
            inner.window_count += 1;
            if inner.window_count > limit {
                return Gate::RateLimited;
            }
        }
        if inner.faults.fail_next > 0 {
            inner.faults.fail_next -= 1;
            return Gate::Fail;
        }
        let p = inner.faults.fail_rate;
        if p > 0.0 && inner.rng.random_bool(p) {
            return Gate::Fail;
        }
        Gate::Pass
    }

    /// Whether to drop this creation's connection after creating the order.
    pub fn should_drop(&self) -> bool {
        let mut inner = self.lock();
        let p = inner.faults.drop_rate;
        p > 0.0 && inner.rng.random_bool(p)
    }

    /// Whether to answer this creation with an error although the order was
    /// created, and how.
    pub fn created_error(&self) -> Option<CreatedError> {
        let mut inner = self.lock();
        let p = inner.faults.created_error_rate;
        if p > 0.0 && inner.rng.random_bool(p) {
            Some(if inner.rng.random_bool(0.5) {
                CreatedError::Contacts
            } else {
                CreatedError::ServerError
            })
        } else {
            None
        }
    }

    /// A random salt for order references.
    pub fn salt(&self) -> u32 {
        self.lock().rng.random_range(0..0x1_0000)
    }
}
