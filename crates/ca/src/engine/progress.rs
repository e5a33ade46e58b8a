//! Counts per state, rate and ETA, for progress bars.

use serde::Serialize;

/// A snapshot of a batch's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Progress {
    /// Rows in the batch.
    pub total: usize,
    /// Not yet sent.
    pub pending: usize,
    /// Waiting to be resent after a failed attempt (a subset of `pending`).
    pub retrying: usize,
    /// Requests in flight.
    pub sending: usize,
    /// Outcome not seen yet; being reconciled.
    pub unknown: usize,
    /// The CA may hold an order, but could not confirm it: the user decides.
    pub unconfirmed: usize,
    /// Orders placed.
    pub placed: usize,
    /// Refused by the CA.
    pub rejected: usize,
    /// Attempts used up (no order exists).
    pub failed: usize,
    /// Rows settled per second since this run started.
    pub rate_per_sec: f64,
    /// Seconds left at that rate, if it can be told.
    pub eta_secs: Option<f64>,
}

impl Progress {
    /// Rows that are placed, rejected, failed or waiting for the user.
    pub fn settled(&self) -> usize {
        self.placed + self.rejected + self.failed + self.unconfirmed
    }
}
