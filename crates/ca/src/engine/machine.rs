//! The engine's state machine.

use super::backoff::Jitter;
use super::batch::{BatchSpec, OrderMode};
use super::journal::JournalEntry;
use super::phase::Phase;
use super::progress::Progress;
use super::reconcile::{Known, Sweep, SweepRequest, Verdict};
use super::state::RowState;
use crate::protocol::{
    self, CaError, Credentials, Enrolled, EnrollmentRequest, HttpRequest, HttpResponse, ListQuery, Order, OrderRequest,
};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};

/// Tunables. Times are milliseconds on the driver's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Create attempts per row before it fails (only once the CA confirms no order).
    pub max_attempts: u32,
    /// Failures in a row of one reconciliation request before the sweep is
    /// abandoned and its rows are left unknown for this run.
    pub max_lookups: u32,
    /// Backoff base.
    pub base_backoff_ms: u64,
    /// Backoff ceiling.
    pub max_backoff_ms: u64,
    /// Least wait between a row's outcome becoming unknown and the listing
    /// that settles it, so that a CA still working on a timed-out request has
    /// finished before we look.
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
    /// Enrolls a chunk of rows in one invoiced order (bulk enrollment).
    Enroll,
    /// Lists a page of the batch's window, to settle unknown outcomes.
    List,
    /// Reads one order the list did not show the key of.
    Show,
}

/// A request for the driver to send.
#[derive(Debug, Clone)]
pub struct Transmit {
    /// Give it back with the outcome.
    pub id: RequestId,
    /// The row it concerns (a create); `None` for an enrollment (see
    /// `chunk`) or a reconciliation request.
    pub row: Option<usize>,
    /// The rows an enrollment places (empty otherwise).
    pub chunk: Vec<usize>,
    /// Create, enroll, list or show.
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
    in_flight: bool,
    /// While unknown: the earliest time a sweep may settle it.
    sweep_after: u64,
}

/// A request handed out and not yet answered.
#[derive(Debug, Clone)]
enum Flight {
    Create(usize),
    Enroll(Vec<usize>),
    Sweep(SweepRequest),
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
    in_flight: HashMap<RequestId, Flight>,
    /// The sweep settling unknown rows, if one runs.
    sweep: Option<Sweep>,
    /// Set when a sweep was abandoned: unknown rows wait for the next run.
    sweep_abandoned: Option<String>,
    /// Orders learnt from the CA during this run.
    known: Known,
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
    /// stopped become `unknown` and are reconciled before any resend;
    /// unconfirmed rows wait for the user.
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
            sweep: None,
            sweep_abandoned: None,
            known: Known::new(),
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
                in_flight: false,
                sweep_after: now,
            });
        }
        engine.settled_at_start = engine.slots.iter().filter(|s| s.state.is_final()).count();
        engine
    }

    /// Gives every failed row a fresh set of attempts, as a new run of the
    /// batch does (the user ran it again). Safe for exactly-once: a row only
    /// fails once the CA confirmed it holds no order for it. Journaled; returns
    /// how many rows go back to pending.
    pub fn retry_failed(&mut self) -> usize {
        let mut again = 0;
        for row in 0..self.slots.len() {
            let RowState::Failed { reason, .. } = &self.slots[row].state else {
                continue;
            };
            let last_error = Some(reason.clone());
            self.set(
                row,
                RowState::Pending {
                    attempts: 0,
                    last_error,
                },
            );
            self.ready.push_back(row);
            again += 1;
        }
        self.settled_at_start -= again.min(self.settled_at_start);
        again
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
        self.in_flight.is_empty() && (!self.can_send() || (!self.sends_due() && !self.sweep_wanted()))
    }

    /// Whether a pending row waits in `ready` or `waiting` (both may hold rows
    /// settled since they were queued; those are skipped when they come up).
    fn sends_due(&self) -> bool {
        let pending = |row: usize| {
            let s = &self.slots[row];
            !s.in_flight && matches!(s.state, RowState::Pending { .. })
        };
        self.ready.iter().any(|&r| pending(r)) || self.waiting.iter().any(|Reverse((_, r))| pending(*r))
    }

    /// Whether every row is placed, rejected or failed (none unknown or unconfirmed).
    pub fn is_complete(&self) -> bool {
        self.slots
            .iter()
            .all(|s| s.state.is_final() && !matches!(s.state, RowState::Unconfirmed { .. }))
    }

    /// Why unknown rows were left unknown for this run, if a sweep was abandoned.
    pub fn reconcile_abandoned(&self) -> Option<&str> {
        self.sweep_abandoned.as_deref()
    }

    /// Whether a sweep runs or one will start for a row that is unknown.
    fn sweep_wanted(&self) -> bool {
        self.sweep.is_some()
            || (self.sweep_abandoned.is_none()
                && self.slots.iter().any(|s| matches!(s.state, RowState::Unknown { .. })))
    }

    /// When the next sweep may start (the first time an unknown row may be settled).
    fn sweep_due(&self) -> Option<u64> {
        if let Some(sweep) = &self.sweep {
            return Some(sweep.retry_at);
        }
        if self.sweep_abandoned.is_some() {
            return None;
        }
        self.slots
            .iter()
            .filter(|s| matches!(s.state, RowState::Unknown { .. }) && !s.in_flight)
            .map(|s| s.sweep_after)
            .min()
    }

    /// When the engine next has something to send, if it waits for a time.
    pub fn next_wakeup(&self) -> Option<u64> {
        if !self.can_send() {
            return None;
        }
        let pending = |row: usize| matches!(self.slots[row].state, RowState::Pending { .. });
        let backoff = self
            .waiting
            .iter()
            .filter(|Reverse((_, r))| pending(*r))
            .map(|Reverse((due, _))| *due)
            .min();
        let due = match (!self.ready.iter().any(|&r| pending(r)), backoff) {
            (false, _) => Some(0),
            (true, Some(due)) => Some(due),
            (true, None) => None,
        };
        let due = match (due, self.sweep_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        due.map(|d| d.max(self.throttle_until))
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
        if let Some(t) = self.poll_sweep(now) {
            return Some(t);
        }
        while let Some(Reverse((due, row))) = self.waiting.peek().copied() {
            if due > now {
                break;
            }
            self.waiting.pop();
            self.ready.push_back(row);
        }
        if let OrderMode::Enrollment(enrollment) = &self.spec.mode {
            let chunk = enrollment.chunk.max(1);
            return self.poll_enroll(chunk);
        }
        let row = self.next_pending()?;
        self.mark_sending(row);
        let request = self
            .spec
            .profile
            .create_order(&self.creds, &order_request(&self.spec, row));
        Some(self.hand_out(Flight::Create(row), RequestKind::Create, Some(row), Vec::new(), request))
    }

    /// The next row due to be sent, taken off `ready`. A row whose attempts
    /// are used up fails on the way (only a damaged or hand-edited journal
    /// gets there: the CA confirmed no order for its last attempt).
    fn next_pending(&mut self) -> Option<usize> {
        while let Some(row) = self.ready.pop_front() {
            let slot = &self.slots[row];
            if slot.in_flight {
                continue;
            }
            let RowState::Pending { attempts, last_error } = &slot.state else {
                continue; // settled, or unknown (a sweep settles it)
            };
            if *attempts >= self.config.max_attempts {
                let reason = last_error.clone().unwrap_or_else(|| "attempts used up".into());
                let attempts = *attempts;
                self.set(row, RowState::Failed { attempts, reason });
                continue;
            }
            return Some(row);
        }
        None
    }

    /// Row `row` is being sent: journaled before the request leaves.
    fn mark_sending(&mut self, row: usize) {
        let attempts = self.slots[row].state.attempts() + 1;
        let slot = &mut self.slots[row];
        slot.state = RowState::Sending { attempts };
        slot.in_flight = true;
        self.journal.push(JournalEntry {
            row,
            state: RowState::Sending { attempts },
        });
    }

    /// The next chunk of up to `chunk` pending rows, as one enrollment. Every
    /// row of it is journaled as sending before the request leaves.
    fn poll_enroll(&mut self, chunk: usize) -> Option<Transmit> {
        let mut rows = Vec::new();
        while rows.len() < chunk {
            match self.next_pending() {
                // `ready` may hold a row twice: it goes in the chunk once.
                Some(row) if rows.contains(&row) => {}
                Some(row) => rows.push(row),
                None => break,
            }
        }
        if rows.is_empty() {
            return None;
        }
        let request = match self.enrollment_request(&rows) {
            Ok(request) => request,
            Err(why) => {
                // Nothing was sent: the rows wait, and the user is told why.
                for &row in rows.iter().rev() {
                    self.ready.push_front(row);
                }
                self.halted = Some(why);
                return None;
            }
        };
        for &row in &rows {
            self.mark_sending(row);
        }
        Some(self.hand_out(Flight::Enroll(rows.clone()), RequestKind::Enroll, None, rows, request))
    }

    fn enrollment_request(&self, rows: &[usize]) -> Result<HttpRequest, String> {
        let OrderMode::Enrollment(enrollment) = &self.spec.mode else {
            return Err("the batch is not a bulk enrollment".into());
        };
        let years = enrollment.years(self.spec.period)?;
        let request = EnrollmentRequest {
            certificate_id: enrollment.certificate_id,
            years,
            approver_id: enrollment.approver_id,
            emails: rows.iter().map(|&r| self.spec.rows[r].email.clone()).collect(),
        };
        self.spec
            .profile
            .enroll(&self.creds, &request)
            .map_err(|e| e.to_string())
    }

    fn hand_out(
        &mut self,
        flight: Flight,
        kind: RequestKind,
        row: Option<usize>,
        chunk: Vec<usize>,
        request: HttpRequest,
    ) -> Transmit {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.in_flight.insert(id, flight);
        Transmit {
            id,
            row,
            chunk,
            kind,
            request,
        }
    }

    /// The references the batch holds: an order the list shows under one of
    /// them is a placed row's, not a candidate for an unknown one.
    fn held(&self) -> HashSet<String> {
        self.slots
            .iter()
            .filter_map(|s| match &s.state {
                RowState::Placed { order } => Some(order.reference.clone()),
                _ => None,
            })
            .collect()
    }

    /// Starts a sweep when unknown rows have waited long enough, and hands
    /// out its next request.
    fn poll_sweep(&mut self, now: u64) -> Option<Transmit> {
        if self.sweep.is_none() && self.sweep_abandoned.is_none() {
            let covers: Vec<usize> = (0..self.slots.len())
                .filter(|&r| {
                    let s = &self.slots[r];
                    matches!(s.state, RowState::Unknown { .. }) && !s.in_flight && s.sweep_after <= now
                })
                .collect();
            if !covers.is_empty() {
                let mailboxes: Vec<String> = covers.iter().map(|&r| self.spec.rows[r].email.clone()).collect();
                self.sweep = Some(Sweep::new(covers, mailboxes));
            }
        }
        let request = self.sweep.as_mut()?.next_request(now)?;
        let (kind, http) = match &request {
            SweepRequest::List(page) => (
                RequestKind::List,
                self.spec.profile.list_orders(
                    &self.creds,
                    &ListQuery {
                        page: *page,
                        per_page: self.spec.profile.list_page_size(),
                        created_since: self.spec.created_at,
                    },
                ),
            ),
            SweepRequest::Show(reference) => (RequestKind::Show, self.spec.profile.get_order(&self.creds, reference)),
        };
        Some(self.hand_out(Flight::Sweep(request), kind, None, Vec::new(), http))
    }

    /// Takes the outcome of request `id`. Unknown ids are ignored.
    pub fn handle(&mut self, id: RequestId, outcome: Outcome, now: u64) {
        match self.in_flight.remove(&id) {
            Some(Flight::Create(row)) => {
                self.slots[row].in_flight = false;
                self.handle_create(row, outcome, now);
            }
            Some(Flight::Enroll(rows)) => {
                for &row in &rows {
                    self.slots[row].in_flight = false;
                }
                self.handle_enroll(&rows, outcome, now);
            }
            Some(Flight::Sweep(request)) => self.handle_sweep(request, outcome, now),
            None => {}
        }
    }

    fn set(&mut self, row: usize, state: RowState) {
        self.slots[row].state = state.clone();
        self.journal.push(JournalEntry { row, state });
    }

    /// Row's outcome is unknown: a sweep settles it once it has waited.
    fn set_unknown(&mut self, row: usize, attempts: u32, reason: String, now: u64) {
        self.set(row, RowState::Unknown { attempts, reason });
        self.slots[row].sweep_after = now + self.config.min_lookup_delay_ms;
    }

    fn backoff(&mut self, attempt: u32) -> u64 {
        self.jitter
            .delay(self.config.base_backoff_ms, self.config.max_backoff_ms, attempt)
    }

    /// Not processed by the CA: the row goes back to pending without
    /// counting the attempt.
    fn not_processed(&mut self, row: usize, attempts: u32, why: String) {
        self.set(
            row,
            RowState::Pending {
                attempts: attempts.saturating_sub(1),
                last_error: Some(why),
            },
        );
    }

    fn handle_create(&mut self, row: usize, outcome: Outcome, now: u64) {
        let attempts = self.slots[row].state.attempts();
        let response = match outcome {
            Outcome::Timeout => return self.set_unknown(row, attempts, "no answer in time".into(), now),
            Outcome::Network(e) => return self.set_unknown(row, attempts, format!("connection failed: {e}"), now),
            Outcome::Response(r) => r,
        };
        match self.spec.profile.parse_created(&response) {
            Ok(order) => self.set(row, RowState::Placed { order }),
            Err(CaError::Rejected(errors)) => self.set(row, RowState::Rejected { errors }),
            Err(CaError::RateLimited { retry_after_ms }) => {
                // Not processed: send again after the CA's wait, without counting an attempt.
                self.not_processed(row, attempts, "rate limited (429)".into());
                let wait = retry_after_ms.unwrap_or_else(|| self.backoff(attempts));
                self.throttle_until = self.throttle_until.max(now + wait);
                self.ready.push_back(row);
            }
            Err(e) if stops_the_batch(&e) => {
                // Not processed, and no other row will fare better: stop and tell the user.
                self.not_processed(row, attempts, e.to_string());
                self.halted = Some(e.to_string());
                self.ready.push_front(row);
            }
            Err(e @ CaError::Unexpected { status: 400..=499, .. }) => {
                self.set(row, RowState::Rejected { errors: refused(&e) })
            }
            Err(e) => {
                // 5xx, or an answer we cannot read: the order may exist.
                self.set_unknown(row, attempts, e.to_string(), now);
            }
        }
    }

    /// An enrollment's outcome, for every row of its chunk. Accepted: the CA
    /// names no orders, so each row is looked up by a sweep (as a lost
    /// answer is). Refused before anything was made: rejected. Not
    /// processed: pending again. Anything else: the orders may exist.
    fn handle_enroll(&mut self, rows: &[usize], outcome: Outcome, now: u64) {
        let unknown = |engine: &mut Self, why: String| {
            for &row in rows {
                let attempts = engine.slots[row].state.attempts();
                engine.set_unknown(row, attempts, why.clone(), now);
            }
        };
        let response = match outcome {
            Outcome::Timeout => return unknown(self, "the enrollment had no answer in time".into()),
            Outcome::Network(e) => return unknown(self, format!("the enrollment's connection failed: {e}")),
            Outcome::Response(r) => r,
        };
        match self.spec.profile.parse_enrolled(&response) {
            Ok(Enrolled { request_id, is_ordered }) => unknown(
                self,
                format!(
                    "enrolled with {} others (the CA's request {request_id}, is_ordered {is_ordered}); the CA names \
                     no orders, so they are looked up in its order list",
                    rows.len() - 1
                ),
            ),
            Err(CaError::Rejected(errors)) => {
                for &row in rows {
                    self.set(row, RowState::Rejected { errors: errors.clone() });
                }
            }
            Err(CaError::RateLimited { retry_after_ms }) => {
                let attempts = self.slots[rows[0]].state.attempts();
                for &row in rows {
                    let attempts = self.slots[row].state.attempts();
                    self.not_processed(row, attempts, "rate limited (429)".into());
                    self.ready.push_back(row);
                }
                let wait = retry_after_ms.unwrap_or_else(|| self.backoff(attempts));
                self.throttle_until = self.throttle_until.max(now + wait);
            }
            Err(e) if stops_the_batch(&e) => {
                for &row in rows.iter().rev() {
                    let attempts = self.slots[row].state.attempts();
                    self.not_processed(row, attempts, e.to_string());
                    self.ready.push_front(row);
                }
                self.halted = Some(e.to_string());
            }
            Err(e @ CaError::Unexpected { status: 400..=499, .. }) => {
                let errors = refused(&e);
                for &row in rows {
                    self.set(row, RowState::Rejected { errors: errors.clone() });
                }
            }
            Err(e) => unknown(self, format!("the enrollment's outcome is unknown: {e}")),
        }
    }

    fn handle_sweep(&mut self, request: SweepRequest, outcome: Outcome, now: u64) {
        let Some(mut sweep) = self.sweep.take() else {
            return;
        };
        let profile = self.spec.profile;
        let result = match (&request, &outcome) {
            (_, Outcome::Timeout) => Err(CaError::Unexpected {
                status: 0,
                detail: "no answer in time".into(),
            }),
            (_, Outcome::Network(e)) => Err(CaError::Unexpected {
                status: 0,
                detail: format!("connection failed: {e}"),
            }),
            (SweepRequest::List(page), Outcome::Response(r)) => profile.parse_order_list(r).map(|orders| {
                let held = self.held();
                let per_page = profile.list_page_size();
                sweep.listed(*page, per_page, orders, &mut self.known, &held)
            }),
            (SweepRequest::Show(reference), Outcome::Response(r)) => match profile.parse_shown(r, reference) {
                Ok(order) => {
                    sweep.shown(reference, Some(order), &mut self.known);
                    Ok(Ok(()))
                }
                // The order is gone (cancelled, or never this account's).
                Err(CaError::NotFound) => {
                    sweep.shown(reference, None, &mut self.known);
                    Ok(Ok(()))
                }
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(Ok(())) => {}
            Ok(Err(why)) => {
                self.sweep_abandoned = Some(why);
                return;
            }
            Err(e @ (CaError::Unauthorized | CaError::Redirected(_))) => {
                sweep.requeue(request);
                self.halted = Some(e.to_string());
            }
            Err(CaError::RateLimited { retry_after_ms }) => {
                sweep.requeue(request);
                let wait = retry_after_ms.unwrap_or(self.config.base_backoff_ms);
                self.throttle_until = self.throttle_until.max(now + wait);
            }
            Err(e) => {
                let failures = sweep.failures + 1;
                let backoff = self.backoff(failures);
                if sweep.failed(request, now, backoff) >= self.config.max_lookups {
                    self.sweep_abandoned = Some(format!(
                        "the CA's order list could not be read ({e}); the rows whose outcome is unknown are \
                         left so, and are looked for again when the batch is resumed"
                    ));
                    return;
                }
            }
        }
        if sweep.is_done() {
            self.settle(&sweep, now);
        } else {
            self.sweep = Some(sweep);
        }
    }

    /// Applies a finished sweep's verdicts to the rows it covered.
    fn settle(&mut self, sweep: &Sweep, now: u64) {
        let held = self.held();
        let mut shared_delay = None;
        for &row in &sweep.covers {
            let RowState::Unknown { attempts, reason } = self.slots[row].state.clone() else {
                continue;
            };
            let key = self.spec.key_of(row);
            let email = &self.spec.rows[row].email;
            let verdict = match self.spec.mode {
                OrderMode::PerRow => sweep.verdict(&key, email, &self.spec.product, &self.known, &held),
                OrderMode::Enrollment(_) => sweep.enrolled_verdict(email, &self.spec.product, &self.known, &held),
            };
            match verdict {
                Verdict::Placed(order) => self.set(row, RowState::Placed { order }),
                Verdict::Unconfirmed(candidates, why) => self.set(
                    row,
                    RowState::Unconfirmed {
                        attempts,
                        reason: format!("{why} (the last attempt: {reason})"),
                        candidates,
                    },
                ),
                Verdict::Absent if attempts >= self.config.max_attempts => {
                    self.set(row, RowState::Failed { attempts, reason })
                }
                Verdict::Absent => {
                    self.set(
                        row,
                        RowState::Pending {
                            attempts,
                            last_error: Some(reason),
                        },
                    );
                    // Enrolled rows proven absent together go again together
                    // (one chunk, one invoice), not each after its own jitter.
                    let delay = match (&self.spec.mode, shared_delay) {
                        (OrderMode::Enrollment(_), Some(d)) => d,
                        _ => self.backoff(attempts),
                    };
                    shared_delay = Some(delay);
                    self.waiting.push(Reverse((now + delay, row)));
                }
            }
        }
    }

    /// The user's decision on an unconfirmed row: candidate `reference` is
    /// its order.
    pub fn accept_candidate(&mut self, row: usize, reference: &str) -> Result<(), String> {
        let Some(RowState::Unconfirmed { candidates, .. }) = self.slots.get(row).map(|s| &s.state) else {
            return Err(format!("row {row} is not waiting for a decision"));
        };
        let Some(order) = candidates.iter().find(|o| o.reference == reference).cloned() else {
            return Err(format!("{reference} is not a candidate order of row {row}"));
        };
        self.set(row, RowState::Placed { order });
        Ok(())
    }

    /// The user's decision on an unconfirmed row: none of its candidates is
    /// its order, so it is sent again.
    pub fn resend(&mut self, row: usize) -> Result<(), String> {
        let Some(RowState::Unconfirmed { attempts, reason, .. }) = self.slots.get(row).map(|s| &s.state) else {
            return Err(format!("row {row} is not waiting for a decision"));
        };
        let state = RowState::Pending {
            attempts: *attempts,
            last_error: Some(format!("resent by the user after: {reason}")),
        };
        self.set(row, state);
        self.ready.push_back(row);
        Ok(())
    }

    /// The unconfirmed rows with their candidate orders.
    pub fn unconfirmed(&self) -> impl Iterator<Item = (usize, &[Order])> {
        self.slots.iter().enumerate().filter_map(|(row, s)| match &s.state {
            RowState::Unconfirmed { candidates, .. } => Some((row, candidates.as_slice())),
            _ => None,
        })
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
                RowState::Unconfirmed { .. } => p.unconfirmed += 1,
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

/// Whether an answer means no request will fare better until the user acts
/// (wrong keys, a wrong URL, no funds, an operation the CA lacks): the
/// request was not processed, and the batch stops.
fn stops_the_batch(e: &CaError) -> bool {
    matches!(
        e,
        CaError::Unauthorized
            | CaError::NotFound
            | CaError::InsufficientFunds(_)
            | CaError::Redirected(_)
            | CaError::Unsupported(_)
    )
}

/// A 4xx the dialect could not read as per-field errors, as the row's refusal.
fn refused(e: &CaError) -> protocol::FieldErrors {
    let mut errors = protocol::FieldErrors::new();
    errors.insert("request".into(), vec![e.to_string()]);
    errors
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
