//! The submission engine driven deterministically: a fake clock (plain
//! milliseconds), scripted CA answers, no sleeps.

use smime_bulk_ca::engine::journal::{self, JournalEntry, JournalError};
use smime_bulk_ca::engine::{
    BatchRow, BatchSpec, Engine, EngineConfig, Outcome, Phase, RequestKind, RowState, Transmit,
};
use smime_bulk_ca::protocol::{Credentials, HttpResponse, Method};

const SECRET: &str = "s3cret-never-in-journal";

fn spec(rows: usize) -> BatchSpec {
    BatchSpec {
        batch_id: "b1".into(),
        ca_url: "http://127.0.0.1:1".into(),
        account_key: "acct".into(),
        product: "smime-ivov-1y".into(),
        period: 365,
        rows: (0..rows)
            .map(|i| BatchRow {
                line: i as u32 + 2,
                email: format!("user{i}@example.com"),
                first_name: "Jane".into(),
                last_name: format!("Doe{i}"),
                country: "GB".into(),
                csr: None,
            })
            .collect(),
    }
}

fn config() -> EngineConfig {
    EngineConfig {
        concurrency: 2,
        max_attempts: 3,
        max_lookups: 3,
        seed: 9,
        ..EngineConfig::default()
    }
}

fn engine(rows: usize) -> Engine {
    Engine::new(spec(rows), Credentials::new("acct", SECRET), config(), 0)
}

/// Takes the journal (as a driver persists it) and the next request.
fn next(e: &mut Engine, now: u64, log: &mut Vec<JournalEntry>) -> Option<Transmit> {
    log.extend(e.take_journal());
    let t = e.poll_transmit(now);
    log.extend(e.take_journal());
    t
}

fn ok_order(reference: &str, key: &str) -> Outcome {
    Outcome::Response(HttpResponse {
        status: 200,
        retry_after: None,
        body: format!(
            r#"{{"ref":"{reference}","order_status":"pending validation","order_amount":"39.00","certificate_url":"http://ca/c/{reference}","receipt_url":"http://ca/r","validation_url":"http://ca/v","external_order_number":"{key}"}}"#
        ),
    })
}

fn status(code: u16, body: &str) -> Outcome {
    Outcome::Response(HttpResponse {
        status: code,
        retry_after: None,
        body: body.into(),
    })
}

fn list(orders: &[(&str, &str)]) -> Outcome {
    let items: Vec<String> = orders
        .iter()
        .map(|(r, k)| format!(r#"{{"ref":"{r}","order_status":"pending validation","external_order_number":"{k}"}}"#))
        .collect();
    status(200, &format!("[{}]", items.join(",")))
}

fn key(e: &Engine, row: usize) -> String {
    e.spec().key_of(row)
}

#[test]
fn orders_are_placed_with_bounded_concurrency_and_every_transition_journaled() {
    let mut e = engine(3);
    let mut log = Vec::new();
    let a = next(&mut e, 0, &mut log).unwrap();
    let b = next(&mut e, 0, &mut log).unwrap();
    assert!(next(&mut e, 0, &mut log).is_none(), "concurrency 2");
    assert_eq!((a.kind, b.kind), (RequestKind::Create, RequestKind::Create));
    assert_eq!(a.request.method, Method::Post);
    let body: serde_json::Value = serde_json::from_str(a.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["external_order_number"], key(&e, 0));
    assert_eq!(body["email_address"], "user0@example.com");
    let k = key(&e, 0);
    e.handle(a.id, ok_order("co-1", &k), 10);
    let c = next(&mut e, 10, &mut log).unwrap();
    assert_eq!(c.row, 2);
    let (kb, kc) = (key(&e, 1), key(&e, 2));
    e.handle(b.id, ok_order("co-2", &kb), 20);
    e.handle(c.id, ok_order("co-3", &kc), 20);
    log.extend(e.take_journal());
    assert!(e.is_complete() && e.is_idle());
    let names: Vec<(usize, &str)> = log.iter().map(|j| (j.row, j.state.name())).collect();
    assert_eq!(
        names,
        [
            (0, "sending"),
            (1, "sending"),
            (0, "placed"),
            (2, "sending"),
            (1, "placed"),
            (2, "placed")
        ]
    );
    let p = e.progress(1000);
    assert_eq!((p.placed, p.total), (3, 3));
    assert!(p.rate_per_sec > 0.0);
}

#[test]
fn nothing_is_sent_while_transitions_wait_to_be_journaled() {
    let mut e = engine(2);
    let t = e.poll_transmit(0).unwrap();
    assert!(e.poll_transmit(0).is_none(), "the sending entry must be taken first");
    assert_eq!(e.take_journal().len(), 1);
    assert!(e.poll_transmit(0).is_some());
    let _ = t;
}

#[test]
fn validation_errors_reject_the_row_without_retry() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(
        t.id,
        status(422, r#"{"errors":{"country":["is not a valid ISO 3166 code"]}}"#),
        5,
    );
    match e.state(0).unwrap() {
        RowState::Rejected { errors } => assert_eq!(errors["country"], ["is not a valid ISO 3166 code"]),
        s => panic!("{s:?}"),
    }
    assert!(next(&mut e, 1_000_000, &mut log).is_none());
    assert!(e.is_idle());
}

#[test]
fn a_5xx_is_reconciled_before_anything_is_resent() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, status(500, "boom"), 100);
    assert_eq!(e.state(0).unwrap().name(), "unknown");
    // Not before the backoff (and at least the minimum look-up delay).
    assert!(next(&mut e, 100, &mut log).is_none());
    let wake = e.next_wakeup().unwrap();
    assert!(wake >= 100 + config().min_lookup_delay_ms, "{wake}");
    let lookup = next(&mut e, wake, &mut log).unwrap();
    assert_eq!(lookup.kind, RequestKind::Lookup);
    assert_eq!(lookup.request.method, Method::Get);
    assert!(lookup
        .request
        .query
        .iter()
        .any(|(k, v)| k == "external_order_number" && *v == key(&e, 0)));
    // The CA has it: placed, and no second create.
    let k = key(&e, 0);
    e.handle(
        lookup.id,
        list(&[("co-other", "sb-b1-someone-else"), ("co-9", &k)]),
        wake + 5,
    );
    match e.state(0).unwrap() {
        RowState::Placed { order } => assert_eq!(order.reference, "co-9"),
        s => panic!("{s:?}"),
    }
    assert!(next(&mut e, wake + 10_000, &mut log).is_none());
}

#[test]
fn a_timeout_not_found_at_the_ca_is_resent_with_the_same_key() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let first = next(&mut e, 0, &mut log).unwrap();
    e.handle(first.id, Outcome::Timeout, 30_000);
    let wake = e.next_wakeup().unwrap();
    let lookup = next(&mut e, wake, &mut log).unwrap();
    e.handle(lookup.id, list(&[]), wake + 1);
    assert_eq!(e.state(0).unwrap().name(), "pending");
    let second = next(&mut e, wake + 1, &mut log).unwrap();
    assert_eq!(second.kind, RequestKind::Create);
    assert_eq!(second.request.body, first.request.body, "same key, same order");
    assert_eq!(e.state(0).unwrap().attempts(), 2);
}

#[test]
fn retry_after_is_honoured_for_every_row_and_costs_no_attempt() {
    let mut e = engine(2);
    let mut log = Vec::new();
    let a = next(&mut e, 0, &mut log).unwrap();
    e.handle(
        a.id,
        Outcome::Response(HttpResponse {
            status: 429,
            retry_after: Some("2".into()),
            body: String::new(),
        }),
        1000,
    );
    assert_eq!(e.state(0).unwrap().attempts(), 0);
    assert!(next(&mut e, 2999, &mut log).is_none(), "throttled until 3000");
    assert_eq!(e.next_wakeup(), Some(3000));
    let again = next(&mut e, 3000, &mut log).unwrap();
    assert_eq!(again.kind, RequestKind::Create);
}

#[test]
fn backoff_grows_within_its_bounds() {
    let cfg = EngineConfig {
        concurrency: 1,
        max_attempts: 10,
        base_backoff_ms: 100,
        max_backoff_ms: 1000,
        min_lookup_delay_ms: 0,
        ..config()
    };
    let mut e = Engine::new(spec(1), Credentials::new("acct", SECRET), cfg, 0);
    let mut log = Vec::new();
    let mut now = 0;
    for attempt in 1..=6u32 {
        let t = next(&mut e, now, &mut log).unwrap();
        assert_eq!(t.kind, RequestKind::Create);
        e.handle(t.id, Outcome::Network("reset".into()), now);
        let wake = e.next_wakeup().unwrap();
        let ceiling = (100u64 << attempt).min(1000);
        assert!(
            wake - now <= ceiling,
            "attempt {attempt}: waited {} > {ceiling}",
            wake - now
        );
        let lookup = next(&mut e, wake, &mut log).unwrap();
        e.handle(lookup.id, list(&[]), wake);
        now = wake;
    }
}

#[test]
fn attempts_run_out_only_once_the_ca_confirms_no_order() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let mut now = 0;
    for _ in 0..3 {
        let t = next(&mut e, now, &mut log).unwrap();
        e.handle(t.id, status(503, "down"), now);
        now = e.next_wakeup().unwrap();
        let l = next(&mut e, now, &mut log).unwrap();
        e.handle(l.id, list(&[]), now);
    }
    match e.state(0).unwrap() {
        RowState::Failed { attempts: 3, reason } => assert!(reason.contains("503"), "{reason}"),
        s => panic!("{s:?}"),
    }
    assert!(e.is_idle());
}

#[test]
fn unreachable_ca_leaves_rows_unknown_not_failed() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, Outcome::Network("refused".into()), 0);
    for _ in 0..config().max_lookups {
        let Some(wake) = e.next_wakeup() else { break };
        let l = next(&mut e, wake, &mut log).unwrap();
        assert_eq!(l.kind, RequestKind::Lookup);
        e.handle(l.id, Outcome::Network("refused".into()), wake);
    }
    assert_eq!(e.state(0).unwrap().name(), "unknown");
    assert!(e.is_idle() && !e.is_complete());
}

#[test]
fn wrong_credentials_halt_the_batch_until_resumed() {
    let mut e = engine(3);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, status(401, r#"{"errors":{"login":["bad"]}}"#), 0);
    assert!(e.halted().unwrap().contains("401"));
    assert!(next(&mut e, 10, &mut log).is_none());
    assert_eq!(e.state(0).unwrap().name(), "pending");
    assert_eq!(e.state(0).unwrap().attempts(), 0);
    e.set_credentials(Credentials::new("acct", "fixed-secret"));
    e.resume_sending();
    let again = next(&mut e, 10, &mut log).unwrap();
    assert_eq!(again.row, 0);
    assert!(again.request.body.unwrap().contains("fixed-secret"));
}

#[test]
fn pause_stops_new_requests_and_cancel_ends_the_batch() {
    let mut e = engine(3);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.pause();
    assert!(next(&mut e, 0, &mut log).is_none());
    let k = key(&e, t.row);
    e.handle(t.id, ok_order("co-1", &k), 1);
    assert!(e.is_idle());
    e.resume_sending();
    assert!(next(&mut e, 2, &mut log).is_some());
    e.cancel();
    assert!(next(&mut e, 3, &mut log).is_none());
    assert!(e.is_cancelled());
}

#[test]
fn the_phase_says_why_the_engine_sends_nothing() {
    let mut e = engine(1);
    let mut log = Vec::new();
    assert_eq!(e.phase(), Phase::Running);
    let t = next(&mut e, 0, &mut log).unwrap();
    e.pause();
    assert_eq!(e.phase(), Phase::Paused, "paused while a request is in flight");
    e.resume_sending();
    e.handle(t.id, status(401, r#"{"errors":{"login":["bad"]}}"#), 0);
    assert!(matches!(e.phase(), Phase::Halted(why) if why.contains("401")));
    e.resume_sending();
    let t = next(&mut e, 1, &mut log).unwrap();
    let k = key(&e, 0);
    e.handle(t.id, ok_order("co-1", &k), 2);
    assert_eq!(e.phase(), Phase::Finished);
    e.cancel();
    assert_eq!((e.phase(), e.phase().name()), (Phase::Cancelled, "cancelled"));
}

#[test]
fn a_resumed_batch_reconciles_rows_that_were_being_sent() {
    let mut first = engine(2);
    let mut log = Vec::new();
    let a = next(&mut first, 0, &mut log).unwrap();
    let _b = next(&mut first, 0, &mut log).unwrap();
    let ka = key(&first, 0);
    first.handle(a.id, ok_order("co-1", &ka), 5);
    log.extend(first.take_journal());
    // The process dies here; row 1 was in flight.
    let text = journal::header(first.spec()) + &journal::lines(&log);
    let (spec, states) = journal::replay(&text).unwrap();
    assert_eq!(states[0].name(), "placed");
    assert_eq!(states[1].name(), "sending");
    let mut second = Engine::resume(spec, states, Credentials::new("acct", SECRET), config(), 0);
    let mut log2 = Vec::new();
    let t = next(&mut second, 0, &mut log2).unwrap();
    assert_eq!(
        (t.row, t.kind),
        (1, RequestKind::Lookup),
        "reconcile first, never resend blindly"
    );
    assert_eq!(log2[0].state.name(), "unknown");
}

#[test]
fn the_journal_never_holds_the_secret() {
    let mut e = engine(2);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    assert!(
        t.request.body.as_deref().unwrap().contains(SECRET),
        "the request does carry it"
    );
    e.handle(t.id, status(500, SECRET), 0);
    log.extend(e.take_journal());
    let text = journal::header(e.spec()) + &journal::lines(&log) + &journal::snapshot(e.spec(), e.states());
    assert!(!text.contains(SECRET));
    assert!(!format!("{:?}", t.request).contains(SECRET));
    assert!(!format!("{:?}", Credentials::new("a", SECRET)).contains(SECRET));
}

#[test]
fn a_torn_last_line_is_ignored_but_damage_elsewhere_is_refused() {
    let mut e = engine(2);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    let k = key(&e, 0);
    e.handle(t.id, ok_order("co-1", &k), 1);
    log.extend(e.take_journal());
    let good = journal::header(e.spec()) + &journal::lines(&log);
    let torn = format!("{good}{{\"row\":{{\"row\":1,\"sta");
    let (_, states) = journal::replay(&torn).unwrap();
    assert_eq!(states[0].name(), "placed");
    let lines: Vec<&str> = good.lines().collect();
    let damaged = format!("{}\n{{garbage\n{}\n", lines[0], lines[1..].join("\n"));
    assert!(matches!(journal::replay(&damaged), Err(JournalError::Corrupt(2, _))));
    assert_eq!(journal::replay(""), Err(JournalError::Empty));
    // A snapshot replays to the same states.
    let snap = journal::snapshot(e.spec(), e.states());
    let (_, again) = journal::replay(&snap).unwrap();
    assert_eq!(again, e.states().cloned().collect::<Vec<_>>());
}

#[test]
fn progress_counts_states_and_estimates_the_rest() {
    let mut e = engine(4);
    let mut log = Vec::new();
    let a = next(&mut e, 0, &mut log).unwrap();
    let b = next(&mut e, 0, &mut log).unwrap();
    let ka = key(&e, a.row);
    e.handle(a.id, ok_order("co-1", &ka), 1000);
    e.handle(b.id, status(400, r#"{"errors":{"email_address":["bad"]}}"#), 1000);
    let p = e.progress(2000);
    assert_eq!((p.placed, p.rejected, p.pending, p.sending), (1, 1, 2, 0));
    assert!((p.rate_per_sec - 1.0).abs() < 1e-9);
    assert_eq!(p.eta_secs, Some(2.0));
}
