//! The submission engine: places one order per row, exactly once, through
//! network faults, 5xx, 429 and restarts. Sans-IO: it hands out requests and
//! takes outcomes and the time back; a driver does the HTTP and the storage.
//!
//! A driver's loop:
//!
//! 1. persist `engine.take_journal()` (every transition so far);
//! 2. while `engine.poll_transmit(now)` gives a request: persist
//!    `engine.take_journal()`, then send it with a timeout;
//! 3. when an answer, an error or a timeout arrives: `engine.handle(id, outcome, now)`;
//! 4. sleep until the next answer or `engine.next_wakeup()`; stop when `engine.is_idle()`
//!    (`engine.phase()` says why: finished, paused, halted or cancelled).
//!
//! Row states: `pending → sending → placed | rejected | unknown`. An unknown row
//! (timeout, dropped connection, 5xx, unreadable answer) is **reconciled** before
//! anything is resent, without asking the CA for our key (SSL.com cannot be
//! asked): a sweep lists the batch's window and reads the orders it does not
//! hold ([`reconcile`](self) module docs). Its key found → placed; the CA proven
//! to hold none → pending again; anything in between → `unconfirmed`, which
//! only the user settles ([`Engine::accept_candidate`], [`Engine::resend`]).
//! A row becomes `failed` only when its attempts are used up and the CA
//! confirmed no order exists.

mod backoff;
mod batch;
pub mod journal;
mod machine;
mod phase;
mod progress;
mod reconcile;
mod state;

pub(crate) use backoff::Jitter;
pub use batch::{
    external_order_number, BatchRow, BatchSpec, Enrollment, OrderMode, DEFAULT_CHUNK, MAX_CHUNK, MAX_PERIOD_DAYS,
};
pub use machine::{Engine, EngineConfig, Outcome, RequestId, RequestKind, Transmit};
pub use phase::Phase;
pub use progress::Progress;
pub use state::RowState;
