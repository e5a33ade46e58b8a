//! The submission engine driven by a script of bytes: the engine fuzz target
//! (`fuzz/fuzz_targets/engine.rs`), the property tests (`tests/properties.rs`)
//! and the fuzz regressions (`tests/fuzz_regressions.rs`) share it.
//!
//! The bytes choose the batch (dialect, rows, concurrency, attempts), then
//! one step each: answer a request in flight — as a model CA would, lost
//! after or before the CA acted (timeout, dropped connection, 5xx, 429, a
//! torn body), refused (401, a field error), or with an arbitrary status and
//! body taken from the script; move the clock; kill the driver and resume
//! from the journal it persisted; deliver a stale answer; pause, resume or
//! decide an unconfirmed row as a user would. When the bytes run out every
//! request is answered truthfully until the engine is idle.
//!
//! [`run`] panics, naming the rule, when the engine breaks one:
//! - a row placed in its own journal is never journaled again (never two
//!   orders placed for one row), and a create is sent only for a row that was
//!   pending;
//! - the journal replays to the engine's own states, at every kill and at
//!   the end;
//! - once idle, every row is placed, rejected, failed, unconfirmed, or
//!   unknown with a reason and the sweep's abandonment said — none is left
//!   sending, or pending with nothing more to send;
//! - when no answer lied (no arbitrary answer, no resend forced by the user
//!   over a real order), the model CA holds at most one order per row, a
//!   placed row holds the CA's order, and a rejected or failed row has none.

use serde_json::{json, Value};
use smime_bulk_ca::engine::journal::{self, JournalEntry};
use smime_bulk_ca::engine::{
    BatchSpec, Engine, EngineConfig, OrderMode, Outcome, Phase, RequestId, RequestKind, RowState, Transmit,
};
use smime_bulk_ca::protocol::{Credentials, HttpResponse, Profile};
// tests/support/fixtures.rs, a module beside this one wherever it is included.
use super::fixtures;

/// Steps a script may take at most beyond its bytes, while draining.
const DRAIN_STEPS: usize = 20_000;

/// The script's bytes, read one at a time; zeros once they run out.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// Up to `n` bytes as text (lossy UTF-8).
    fn text(&mut self, n: usize) -> String {
        let end = (self.at + n).min(self.data.len());
        let s = String::from_utf8_lossy(&self.data[self.at.min(end)..end]).into_owned();
        self.at = end;
        s
    }
}

/// An order the model CA holds.
#[derive(Debug, Clone)]
struct CaOrder {
    row: usize,
    reference: String,
}

/// How a request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// As the model CA would: it acts and says so.
    Truthful,
    /// The CA acted, but the answer was lost (timeout, drop, 5xx, torn body).
    LostAfter,
    /// The CA never saw it (timeout, drop, 503, 429).
    LostBefore,
    /// The CA refused it (401, a field error); it acted on nothing.
    Refused,
    /// Any status and body the script holds.
    Arbitrary,
}

const ANSWERS: [Answer; 8] = [
    Answer::Truthful,
    Answer::Truthful,
    Answer::Truthful,
    Answer::LostAfter,
    Answer::LostBefore,
    Answer::Refused,
    Answer::Arbitrary,
    Answer::LostAfter,
];

const STATUSES: [u16; 12] = [200, 201, 302, 400, 401, 403, 404, 422, 429, 500, 502, 503];

/// A scripted run: the engine, its driver's state and the model CA.
struct Run {
    spec: BatchSpec,
    config: EngineConfig,
    engine: Engine,
    now: u64,
    /// The journal as persisted: header and every line taken.
    persisted: String,
    /// Every row's last journaled state.
    last: Vec<RowState>,
    in_flight: Vec<Transmit>,
    /// Ids this engine answered, for stale answers (a new engine after a
    /// kill numbers its requests afresh; the old driver's answers die with it).
    old_ids: Vec<RequestId>,
    ca: Vec<CaOrder>,
    /// Whether an answer may have misled the engine (then the CA may hold
    /// two orders for a row through no fault of the engine's).
    lied: bool,
    kills: usize,
}

/// A batch of `rows` rows, `user{i}@example.com` (a CSR on every other one
/// when `csrs`), ordered from the CA on 127.0.0.1:1.
pub fn batch_with(profile: Profile, rows: usize, csrs: bool) -> BatchSpec {
    // Per-row orders: bulk enrollment has its own seeded runs (tests/enrollment.rs).
    let csr = |i| (csrs && i % 2 == 1).then(|| "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n".into());
    fixtures::batch("fz", profile, OrderMode::PerRow, rows, "Jané", csr)
}

/// [`batch_with`] without CSRs: the script's batch.
pub fn batch(profile: Profile, rows: usize) -> BatchSpec {
    batch_with(profile, rows, false)
}

fn creds() -> Credentials {
    Credentials::new("acct", "fuzz-secret")
}

impl Run {
    fn new(b: &mut Bytes<'_>) -> Self {
        let profile = if b.byte() & 1 == 0 {
            Profile::Sslcom
        } else {
            Profile::Reference
        };
        let rows = 1 + usize::from(b.byte() % 5);
        let concurrency = 1 + usize::from(b.byte() % 3);
        let limits = b.byte();
        let config = EngineConfig {
            concurrency,
            max_attempts: 1 + u32::from(limits % 3),
            max_lookups: 1 + u32::from((limits >> 4) % 3),
            base_backoff_ms: 100,
            max_backoff_ms: 1_000,
            min_lookup_delay_ms: 50,
            seed: u64::from(limits),
        };
        let spec = batch(profile, rows);
        let engine = Engine::new(spec.clone(), creds(), config.clone(), 0);
        Run {
            persisted: journal::header(&spec),
            last: vec![
                RowState::Pending {
                    attempts: 0,
                    last_error: None
                };
                rows
            ],
            spec,
            config,
            engine,
            now: 0,
            in_flight: Vec::new(),
            old_ids: Vec::new(),
            ca: Vec::new(),
            lied: false,
            kills: 0,
        }
    }

    /// Persists the engine's new journal lines, checking each transition.
    fn persist(&mut self) {
        let entries = self.engine.take_journal();
        for JournalEntry { row, state } in &entries {
            let before = &self.last[*row];
            if let RowState::Placed { order } = before {
                panic!(
                    "row {row} was placed ({}), then journaled again as {state:?}",
                    order.reference
                );
            }
            if matches!(state, RowState::Sending { .. }) {
                assert!(
                    matches!(before, RowState::Pending { .. }),
                    "row {row} sent again from {before:?}, without the CA shown to hold no order"
                );
            }
            self.last[*row] = state.clone();
        }
        self.persisted.push_str(&journal::lines(&entries));
    }

    /// Takes every request due now, persisting before each as a driver does.
    fn poll(&mut self) {
        loop {
            self.persist();
            match self.engine.poll_transmit(self.now) {
                Some(t) => self.in_flight.push(t),
                None => break,
            }
        }
        self.persist();
    }

    fn orders_of(&self, row: usize) -> impl Iterator<Item = &CaOrder> {
        self.ca.iter().filter(move |o| o.row == row)
    }

    /// The model CA's order as its dialect writes it (`full`: with our key,
    /// as a create or show answer gives it, or as the reference list does).
    fn order_json(&self, order: &CaOrder, full: bool) -> Value {
        let key = self.spec.key_of(order.row);
        let mailbox = &self.spec.rows[order.row].email;
        match self.spec.profile {
            Profile::Sslcom => json!({
                "ref": order.reference,
                "order_status": "waiting on validation from customer",
                "product": self.spec.product,
                "domains": [mailbox],
                "external_order_number": if full { Value::from(key) } else { Value::Null },
            }),
            Profile::Reference => json!({
                "ref": order.reference,
                "order_status": "pending validation",
                "product": self.spec.product,
                "email_address": mailbox,
                "external_order_number": key,
            }),
        }
    }

    /// The model CA acts on `t` (a create places an order) and answers.
    fn act(&mut self, t: &Transmit) -> Outcome {
        match t.kind {
            RequestKind::Create => {
                let row = t.row.expect("a create names its row");
                let order = CaOrder {
                    row,
                    reference: format!("co-{}", self.ca.len() + 1),
                };
                let body = self.order_json(&order, true);
                self.ca.push(order);
                let status = if self.spec.profile == Profile::Reference {
                    201
                } else {
                    200
                };
                fixtures::answer(status, body.to_string())
            }
            RequestKind::List => {
                let query = |name: &str| {
                    t.request
                        .query
                        .iter()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                };
                let page = query("page").unwrap_or(1).max(1);
                let per_page = query("per_page").unwrap_or(100).max(1);
                let full = self.spec.profile == Profile::Reference;
                let items: Vec<Value> = self
                    .ca
                    .iter()
                    .rev()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|o| self.order_json(o, full))
                    .collect();
                fixtures::answer(200, Value::Array(items).to_string())
            }
            RequestKind::Enroll => unreachable!("the script's batches order per row"),
            RequestKind::Show => {
                let reference = t.request.path.rsplit('/').next().unwrap_or_default();
                match self.ca.iter().find(|o| o.reference == reference) {
                    Some(order) => fixtures::answer(200, self.order_json(order, true).to_string()),
                    None => fixtures::answer(404, ""),
                }
            }
        }
    }

    /// Answers request `t` as `how` says, with details from the script.
    fn answer(&mut self, t: Transmit, how: Answer, b: &mut Bytes<'_>) {
        let outcome = match how {
            Answer::Truthful => self.act(&t),
            Answer::LostAfter => {
                let acted = self.act(&t);
                match b.byte() % 4 {
                    0 => Outcome::Timeout,
                    1 => Outcome::Network("connection reset".into()),
                    2 => fixtures::answer(502, "<html>Bad Gateway</html>"),
                    _ => match acted {
                        // The answer cut short.
                        Outcome::Response(r) => fixtures::answer(r.status, r.body[..r.body.len() / 2].to_owned()),
                        other => other,
                    },
                }
            }
            Answer::LostBefore => match b.byte() % 4 {
                0 => Outcome::Timeout,
                1 => Outcome::Network("connection refused".into()),
                2 => fixtures::answer(503, ""),
                _ => Outcome::Response(HttpResponse {
                    status: 429,
                    retry_after: Some(format!("{}", b.byte() % 4)),
                    location: None,
                    body: String::new(),
                }),
            },
            Answer::Refused => match (b.byte() % 2, self.spec.profile) {
                (0, _) => fixtures::answer(401, ""),
                (_, Profile::Sslcom) => fixtures::answer(
                    400,
                    r#"{"response_type":"ERROR","message":{"country":["is not a valid country"]}}"#,
                ),
                (_, Profile::Reference) => fixtures::answer(422, r#"{"errors":{"country":["is not valid"]}}"#),
            },
            Answer::Arbitrary => {
                self.lied = true;
                let status = STATUSES[usize::from(b.byte()) % STATUSES.len()];
                let len = usize::from(b.byte() % 64);
                fixtures::answer(status, b.text(len))
            }
        };
        self.old_ids.push(t.id);
        self.engine.handle(t.id, outcome, self.now);
    }

    /// Every row's state from the journal as persisted.
    fn replayed(&self) -> Vec<RowState> {
        let (spec, states) = journal::replay(&self.persisted).unwrap_or_else(|e| panic!("the journal: {e}"));
        assert_eq!(spec, self.spec, "the journal's batch");
        states
    }

    /// The driver is killed: requests in flight are lost (creates the CA
    /// may or may not have acted on), and a new engine resumes from the journal.
    fn kill(&mut self, b: &mut Bytes<'_>) {
        let acted = b.byte();
        for (i, t) in std::mem::take(&mut self.in_flight).into_iter().enumerate() {
            if acted >> (i % 8) & 1 == 1 {
                let _ = self.act(&t);
            }
        }
        self.old_ids.clear();
        self.kills += 1;
        let states = self.replayed();
        assert_eq!(
            states, self.last,
            "the journal replays to other states than were journaled"
        );
        self.engine = Engine::resume(self.spec.clone(), states, creds(), self.config.clone(), self.now);
    }

    fn step(&mut self, b: &mut Bytes<'_>) {
        self.poll();
        match b.byte() % 10 {
            0..=3 if !self.in_flight.is_empty() => {
                let t = self.in_flight.remove(usize::from(b.byte()) % self.in_flight.len());
                let how = ANSWERS[usize::from(b.byte()) % ANSWERS.len()];
                self.answer(t, how, b);
            }
            4 => {
                let wakeup = self.engine.next_wakeup().unwrap_or(self.now);
                self.now = self.now.max(wakeup) + u64::from(b.byte()) * 10;
            }
            5 => self.kill(b),
            6 => {
                if let Some(&id) = self.old_ids.get(usize::from(b.byte()) % self.old_ids.len().max(1)) {
                    self.engine.handle(id, Outcome::Timeout, self.now);
                    assert!(self.engine.take_journal().is_empty(), "a stale answer changed a row");
                }
            }
            7 => self.engine.resume_sending(),
            8 => self.decide(b.byte()),
            9 => self.engine.pause(),
            _ => self.now += 1,
        }
    }

    /// A user's decision on the first unconfirmed row: accept its first
    /// candidate, or resend it (a lie when the CA holds its order).
    fn decide(&mut self, choice: u8) {
        let Some((row, first)) = self
            .engine
            .unconfirmed()
            .next()
            .map(|(row, candidates)| (row, candidates.first().map(|o| o.reference.clone())))
        else {
            return;
        };
        match first {
            Some(reference) if choice.is_multiple_of(2) => {
                self.engine
                    .accept_candidate(row, &reference)
                    .expect("a candidate is accepted");
                if self.orders_of(row).all(|o| o.reference != reference) {
                    self.lied = true;
                }
            }
            _ => {
                self.engine.resend(row).expect("an unconfirmed row can be resent");
                if self.orders_of(row).next().is_some() {
                    self.lied = true;
                }
            }
        }
    }

    /// Answers everything truthfully until the engine is idle.
    fn drain(&mut self) {
        let mut b = Bytes { data: &[], at: 0 };
        for _ in 0..DRAIN_STEPS {
            self.engine.resume_sending();
            self.poll();
            if self.in_flight.is_empty() {
                if self.engine.is_idle() {
                    return;
                }
                self.now = self.engine.next_wakeup().unwrap_or(self.now).max(self.now + 1);
            } else {
                let t = self.in_flight.remove(0);
                self.answer(t, Answer::Truthful, &mut b);
            }
        }
        panic!(
            "the engine is not idle after {DRAIN_STEPS} truthful answers: {:?}",
            self.engine.states().collect::<Vec<_>>()
        );
    }

    fn check_end(&self) {
        assert_eq!(self.engine.phase(), Phase::Finished);
        let states: Vec<RowState> = self.engine.states().cloned().collect();
        assert_eq!(
            self.replayed(),
            states,
            "the journal replays to other states than the engine's"
        );
        for (row, state) in states.iter().enumerate() {
            match state {
                RowState::Placed { .. }
                | RowState::Rejected { .. }
                | RowState::Failed { .. }
                | RowState::Unconfirmed { .. } => {}
                RowState::Unknown { reason, .. } => assert!(
                    !reason.is_empty() && self.engine.reconcile_abandoned().is_some(),
                    "row {row} left unknown ({reason:?}) by an engine that did not abandon its sweep"
                ),
                other => panic!("row {row} ends {other:?} in an idle engine"),
            }
            if self.lied {
                continue;
            }
            let orders: Vec<&CaOrder> = self.orders_of(row).collect();
            assert!(
                orders.len() <= 1,
                "the CA holds {} orders for row {row}: {orders:?}",
                orders.len()
            );
            match state {
                RowState::Placed { order } => assert!(
                    orders.iter().any(|o| o.reference == order.reference),
                    "row {row} placed as {}, which the CA does not hold for it ({orders:?})",
                    order.reference
                ),
                RowState::Rejected { .. } | RowState::Failed { .. } => {
                    assert!(
                        orders.is_empty(),
                        "row {row} ends {state:?}, but the CA holds {orders:?}"
                    )
                }
                _ => {}
            }
        }
    }
}

/// What a script came to: for tests that the scripts reach every end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// Each row's final state's name (`placed`, `unknown`, …).
    pub states: Vec<&'static str>,
    /// Whether an answer may have misled the engine.
    pub lied: bool,
    /// Times the driver was killed and the engine resumed from its journal.
    pub kills: usize,
}

/// Runs the script in `bytes` (see the module docs), panicking on a broken rule.
pub fn run(bytes: &[u8]) -> Ended {
    let mut b = Bytes { data: bytes, at: 0 };
    let mut run = Run::new(&mut b);
    while !b.done() {
        run.step(&mut b);
    }
    run.drain();
    run.check_end();
    Ended {
        states: run.engine.states().map(RowState::name).collect(),
        lied: run.lied,
        kills: run.kills,
    }
}
