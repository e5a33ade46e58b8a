//! The engine's state machine.

use super::backoff::Jitter;
use super::batch::BatchSpec;
use super::journal::JournalEntry;
use super::phase::Phase;
use super::progress::Progress;
use super::state::RowState;
use crate::protocol::{self, CaError, Credentials, HttpRequest, HttpResponse, OrderRequest};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// Tunables. Times are milliseconds on the driver's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Create attempts per row before it fails (only once the CA confirms no order).
    pub max_attempts: u32,
    /// Failed look-ups of an unknown row before it is left unknown for this run.
    pub max_lookups: u32,
    /// Backoff base.
    pub base_backoff_ms: u64,
    /// Backoff ceiling.
    pub max_backoff_ms: u64,
    /// Least wait before looking up an unknown outcome, so that a CA still
    /// working on a timed-out request has finished before we ask.
    pub min_lookup_delay_ms: u64,
    /// Seed of the jitter.
    pub seed: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            concurrency: 4,
            max_attempts: 8,
            max_lookups: 12,
            base_backoff_ms: 250,
            max_backoff_ms: 30_000,
            min_lookup_delay_ms: 500,
            seed: 1,
        }
    }
}

/// Identifies a request handed out, to match its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// Places the row's order.
    Create,
    /// Looks the row's key up to settle an unknown outcome.
    Lookup,
}

/// A request for the driver to send.
#[derive(Debug, Clone)]
pub struct Transmit {
    /// Give it back with the outcome.
    pub id: RequestId,
    /// The row it concerns.
    pub row: usize,
    /// Create or look-up.
    pub kind: RequestKind,
    /// What to send (carries the secret: never log it).
    pub request: HttpRequest,
}

/// What became of a request.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// An answer arrived, whatever its status.
    Response(HttpResponse),
    /// No answer within the driver's timeout.
    Timeout,
    /// The connection failed or dropped; the text says how.
    Network(String),
}

#[derive(Debug, Clone)]
struct Slot {
    state: RowState,
    lookups: u32,
    in_flight: bool,
}

/// The submission engine for one batch. See the module docs for the loop.
pub struct Engine {
    spec: BatchSpec,
    creds: Credentials,
    config: EngineConfig,
    slots: Vec<Slot>,
    /// Rows due now, in order.
    ready: VecDeque<usize>,
    /// Rows waiting for a backoff to end: (due, row).
    waiting: BinaryHeap<Reverse<(u64, usize)>>,
    in_flight: HashMap<RequestId, (usize, RequestKind)>,
    next_id: u64,
    jitter: Jitter,
    /// No new request before this time (the CA's Retry-After).
    throttle_until: u64,
    paused: bool,
    cancelled: bool,
    halted: Option<String>,
    journal: Vec<JournalEntry>,
    started_at: u64,
    settled_at_start: usize,
}

impl Engine {
    /// A new batch: every row pending.
    pub fn new(spec: BatchSpec, creds: Credentials, config: EngineConfig, now: u64) -> Self {
        let states = vec![
            RowState::Pending {
                attempts: 0,
                last_error: None
            };
            spec.rows.len()
        ];
        Self::resume(spec, states, creds, config, now)
    }

    /// A batch restored from its journal. Rows that were `sending` when it
    /// stopped become `unknown` and are reconciled before any resend.
    pub fn resume(spec: BatchSpec, states: Vec<RowState>, creds: Credentials, config: EngineConfig, now: u64) -> Self {
        let mut engine = Engine {
            jitter: Jitter::new(config.seed),
            spec,
            creds,
            config,
            slots: Vec::with_capacity(states.len()),
            ready: VecDeque::new(),
            waiting: BinaryHeap::new(),
            in_flight: HashMap::new(),
            next_id: 0,
            throttle_until: 0,
            paused: false,
            cancelled: false,
            halted: None,
            journal: Vec::new(),
            started_at: now,
            settled_at_start: 0,
        };
        for (row, state) in states.into_iter().enumerate() {
            let state = match state {
                RowState::Sending { attempts } => {
                    let s = RowState::Unknown {
                        attempts,
                        reason: "the run stopped while this order was being sent".into(),
                    };
                    engine.journal.push(JournalEntry { row, state: s.clone() });
                    s
                }
                s => s,
            };
            if !state.is_final() {
                engine.ready.push_back(row);
            }
            engine.slots.push(Slot {
                state,
                lookups: 0,
                in_flight: false,
            });
        }
        engine.settled_at_start = engine.slots.iter().filter(|s| s.state.is_final()).count();
        engine
    }

    /// The batch.
    pub fn spec(&self) -> &BatchSpec {
        &self.spec
    }

    /// Every row's state, in order.
    pub fn states(&self) -> impl Iterator<Item = &RowState> {
        self.slots.iter().map(|s| &s.state)
    }

    /// Row `index`'s state.
    pub fn state(&self, index: usize) -> Option<&RowState> {
        self.slots.get(index).map(|s| &s.state)
    }

    /// Transitions since the last call, to persist before sending anything.
    pub fn take_journal(&mut self) -> Vec<JournalEntry> {
        std::mem::take(&mut self.journal)
    }

    /// Stops handing out requests (those in flight still complete).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Hands out requests again after [`Engine::pause`] or a halt (e.g. after
    /// the user fixed the credentials).
    pub fn resume_sending(&mut self) {
        self.paused = false;
        self.halted = None;
    }

    /// Replaces the credentials (after the CA refused them and the user fixed
    /// them); call [`Engine::resume_sending`] to go on.
    pub fn set_credentials(&mut self, creds: Credentials) {
        self.creds = creds;
    }

    /// Gives the batch up: nothing more is sent; rows not placed stay as they are.
    pub fn cancel(&mut self) {
        self.cancelled = true;
    }

    /// Whether the batch was paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Whether the batch was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Why the engine stopped sending on its own (wrong credentials, wrong
    /// CA URL), if it did.
    pub fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    /// Where the run stands: halted, cancelled, paused (in that order: a
    /// halted batch may also be paused), finished once idle, else running.
    pub fn phase(&self) -> Phase {
        if let Some(why) = &self.halted {
            Phase::Halted(why.clone())
        } else if self.cancelled {
            Phase::Cancelled
        } else if self.paused {
            Phase::Paused
        } else if self.is_idle() {
            Phase::Finished
        } else {
            Phase::Running
        }
    }

    fn can_send(&self) -> bool {
        !self.paused && !self.cancelled && self.halted.is_none()
    }

    /// Whether nothing is in flight and nothing more will be sent without the
    /// user (every row settled, or left unknown, or paused/halted/cancelled).
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_empty() && (!self.can_send() || (self.ready.is_empty() && self.waiting.is_empty()))
    }

    /// Whether every row is placed, rejected or failed.
    pub fn is_complete(&self) -> bool {
        self.slots.iter().all(|s| s.state.is_final())
    }

    /// When the engine next has something to send, if it waits for a time.
    pub fn next_wakeup(&self) -> Option<u64> {
        if !self.can_send() {
            return None;
        }
        let backoff = self.waiting.peek().map(|Reverse((due, _))| *due);
        match (self.ready.is_empty(), backoff) {
            (false, _) => Some(self.throttle_until),
            (true, Some(due)) => Some(due.max(self.throttle_until)),
            (true, None) => None,
        }
    }

    /// The next request to send, if one is due and a slot is free. Returns
    /// `None` while journal entries are waiting to be taken: every transition
    /// must be persisted before the next request goes out.
    pub fn poll_transmit(&mut self, now: u64) -> Option<Transmit> {
        if !self.journal.is_empty() || !self.can_send() || now < self.throttle_until {
            return None;
        }
        if self.in_flight.len() >= self.config.concurrency {
            return None;
        }
        while let Some(Reverse((due, row))) = self.waiting.peek().copied() {
            if due > now {
                break;
            }
            self.waiting.pop();
            self.ready.push_back(row);
        }
        while let Some(row) = self.ready.pop_front() {
            let slot = &mut self.slots[row];
            if slot.in_flight || slot.state.is_final() {
                continue;
            }
            let (kind, request) = match &slot.state {
                RowState::Pending { attempts, .. } => {
                    let attempts = attempts + 1;
                    slot.state = RowState::Sending { attempts };
                    self.journal.push(JournalEntry {
                        row,
                        state: slot.state.clone(),
                    });
                    (
                        RequestKind::Create,
                        protocol::create_order(&self.creds, &order_request(&self.spec, row)),
                    )
                }
                RowState::Unknown { .. } => (
                    RequestKind::Lookup,
                    protocol::find_by_external_number(&self.creds, &self.spec.key_of(row)),
                ),
                _ => continue,
            };
            slot.in_flight = true;
            let id = RequestId(self.next_id);
            self.next_id += 1;
            self.in_flight.insert(id, (row, kind));
            return Some(Transmit { id, row, kind, request });
        }
        None
    }

    /// Takes the outcome of request `id`. Unknown ids are ignored.
    pub fn handle(&mut self, id: RequestId, outcome: Outcome, now: u64) {
        let Some((row, kind)) = self.in_flight.remove(&id) else {
            return;
        };
        self.slots[row].in_flight = false;
        match kind {
            RequestKind::Create => self.handle_create(row, outcome, now),
            RequestKind::Lookup => self.handle_lookup(row, outcome, now),
        }
    }

    fn set(&mut self, row: usize, state: RowState) {
        self.slots[row].state = state.clone();
        self.journal.push(JournalEntry { row, state });
    }

    /// Schedules row's next request (a look-up for an unknown row) after a
    /// jittered backoff.
    fn retry_later(&mut self, row: usize, attempt: u32, now: u64) {
        let mut delay = self
            .jitter
            .delay(self.config.base_backoff_ms, self.config.max_backoff_ms, attempt);
        if matches!(self.slots[row].state, RowState::Unknown { .. }) {
            delay = delay.max(self.config.min_lookup_delay_ms);
        }
        self.waiting.push(Reverse((now + delay, row)));
    }

    fn handle_create(&mut self, row: usize, outcome: Outcome, now: u64) {
        let attempts = self.slots[row].state.attempts();
        let unknown = |reason: String| RowState::Unknown { attempts, reason };
        let response = match outcome {
            Outcome::Timeout => {
                self.set(row, unknown("no answer in time".into()));
                return self.retry_later(row, attempts, now);
            }
            Outcome::Network(e) => {
                self.set(row, unknown(format!("connection failed: {e}")));
                return self.retry_later(row, attempts, now);
            }
            Outcome::Response(r) => r,
        };
        match protocol::parse_order(&response) {
            Ok(order) => self.set(row, RowState::Placed { order }),
            Err(CaError::Rejected(errors)) => self.set(row, RowState::Rejected { errors }),
            Err(CaError::RateLimited { retry_after_ms }) => {
                // Not processed: send again after the CA's wait, without counting an attempt.
                self.set(
                    row,
                    RowState::Pending {
                        attempts: attempts - 1,
                        last_error: Some("rate limited (429)".into()),
                    },
                );
                let wait = retry_after_ms.unwrap_or_else(|| {
                    self.jitter
                        .delay(self.config.base_backoff_ms, self.config.max_backoff_ms, attempts)
                });
                self.throttle_until = self.throttle_until.max(now + wait);
                self.ready.push_back(row);
            }
            Err(e @ (CaError::Unauthorized | CaError::NotFound)) => {
                // Not processed, and no other row will fare better: stop and tell the user.
                self.set(
                    row,
                    RowState::Pending {
                        attempts: attempts - 1,
                        last_error: Some(e.to_string()),
                    },
                );
                self.halted = Some(e.to_string());
                self.ready.push_front(row);
            }
            Err(e @ CaError::Unexpected { status: 400..=499, .. }) => {
                let mut errors = protocol::FieldErrors::new();
                errors.insert("request".into(), vec![e.to_string()]);
                self.set(row, RowState::Rejected { errors });
            }
            Err(e) => {
                // 5xx, or an answer we cannot read: the order may exist.
                self.set(row, unknown(e.to_string()));
                self.retry_later(row, attempts, now);
            }
        }
    }

    fn handle_lookup(&mut self, row: usize, outcome: Outcome, now: u64) {
        let attempts = self.slots[row].state.attempts();
        let key = self.spec.key_of(row);
        let found = match outcome {
            Outcome::Response(r) => protocol::parse_order_list(&r).map(|orders| {
                orders
                    .into_iter()
                    .find(|o| o.external_order_number.as_deref() == Some(key.as_str()))
            }),
            Outcome::Timeout => Err(CaError::Unexpected {
                status: 0,
                detail: "no answer in time".into(),
            }),
            Outcome::Network(e) => Err(CaError::Unexpected {
                status: 0,
                detail: format!("connection failed: {e}"),
            }),
        };
        match found {
            Ok(Some(order)) => self.set(row, RowState::Placed { order }),
            Ok(None) => {
                let reason = match &self.slots[row].state {
                    RowState::Unknown { reason, .. } => reason.clone(),
                    _ => String::new(),
                };
                if attempts >= self.config.max_attempts {
                    self.set(row, RowState::Failed { attempts, reason });
                } else {
                    self.set(
                        row,
                        RowState::Pending {
                            attempts,
                            last_error: Some(reason),
                        },
                    );
                    self.ready.push_back(row);
                }
            }
            Err(e @ CaError::Unauthorized) => {
                self.halted = Some(e.to_string());
                self.ready.push_front(row);
            }
            Err(CaError::RateLimited { retry_after_ms }) => {
                let wait = retry_after_ms.unwrap_or(self.config.base_backoff_ms);
                self.throttle_until = self.throttle_until.max(now + wait);
                self.ready.push_back(row);
            }
            Err(_) => {
                let slot = &mut self.slots[row];
                slot.lookups += 1;
                let lookups = slot.lookups;
                if lookups < self.config.max_lookups {
                    self.retry_later(row, lookups, now);
                }
                // Else: left unknown for this run; a later run reconciles it again.
            }
        }
    }

    /// Counts per state, rate since this run started, and ETA.
    pub fn progress(&self, now: u64) -> Progress {
        let mut p = Progress {
            total: self.slots.len(),
            ..Progress::default()
        };
        for slot in &self.slots {
            match &slot.state {
                RowState::Pending { attempts, .. } => {
                    p.pending += 1;
                    if *attempts > 0 {
                        p.retrying += 1;
                    }
                }
                RowState::Sending { .. } => p.sending += 1,
                RowState::Unknown { .. } => p.unknown += 1,
                RowState::Placed { .. } => p.placed += 1,
                RowState::Rejected { .. } => p.rejected += 1,
                RowState::Failed { .. } => p.failed += 1,
            }
        }
        let elapsed = now.saturating_sub(self.started_at) as f64 / 1000.0;
        let done_now = p.settled().saturating_sub(self.settled_at_start);
        if elapsed > 0.0 && done_now > 0 {
            p.rate_per_sec = done_now as f64 / elapsed;
            p.eta_secs = Some((p.total - p.settled()) as f64 / p.rate_per_sec);
        }
        p
    }
}

fn order_request(spec: &BatchSpec, row: usize) -> OrderRequest {
    let r = &spec.rows[row];
    OrderRequest {
        product: spec.product.clone(),
        period: spec.period,
        email: r.email.clone(),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        country: r.country.clone(),
        csr: r.csr.clone(),
        external_order_number: spec.key_of(row),
    }
}
