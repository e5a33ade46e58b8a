//! The submission engine driven deterministically: a fake clock (plain
//! milliseconds), scripted CA answers in SSL.com's shapes (docs/sslcom-sws.md),
//! no sleeps.

mod support {
    pub mod fixtures;
}

use smime_bulk_ca::engine::journal::{self, JournalEntry, JournalError};
use smime_bulk_ca::engine::{
    BatchSpec, Engine, EngineConfig, OrderMode, Outcome, Phase, RequestKind, RowState, Transmit,
};
use smime_bulk_ca::protocol::{Credentials, HttpResponse, Method, Profile};
use support::fixtures::{self, answer};

const SECRET: &str = "s3cret-never-in-journal";

fn spec(rows: usize) -> BatchSpec {
    fixtures::batch("b1", Profile::Sslcom, OrderMode::PerRow, rows, "Jane", |_| None)
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
        location: None,
        body: format!(
            r#"{{"ref":"{reference}","registrant":null,"order_status":"waiting on validation from customer","validations":null,"order_amount":"$39.00","certificate_url":"http://ca/c/{reference}","receipt_url":"http://ca/r","smart_seal_url":"http://ca/s","validation_url":"http://ca/v","external_order_number":"{key}","certificate_contents":{{"ref":"{reference}-1"}}}}"#
        ),
    })
}

fn list(orders: &[(&str, &str)]) -> Outcome {
    let items: Vec<String> = orders
        .iter()
        .map(|(r, m)| {
            format!(r#"{{"ref":"{r}","description":"Personal Business","order_status":"waiting on validation from customer","order_date":"2026-12-01T10:00:00.000-06:00","domains":["{m}"],"external_order_number":null}}"#)
        })
        .collect();
    answer(200, format!("[{}]", items.join(",")))
}

/// SSL.com's answer to showing one order (no `ref`).
fn shown(key: &str, mailbox: &str) -> Outcome {
    answer(
        200,
        format!(
            r#"{{"description":"Personal Business","product":"302","order_status":"waiting on validation from customer","order_date":"2026-12-01T10:00:00.000-06:00","domains":["{mailbox}"],"external_order_number":"{key}"}}"#
        ),
    )
}

fn mailbox(row: usize) -> String {
    format!("user{row}@example.com")
}

/// Sends everything due at `now`: every list page answered with `orders`,
/// every read with `show(ref)`, every create placed. Returns the requests.
fn sweep(
    e: &mut Engine,
    now: u64,
    log: &mut Vec<JournalEntry>,
    orders: &[(&str, &str)],
    show: &dyn Fn(&str) -> Outcome,
) -> Vec<(RequestKind, String)> {
    let mut seen = Vec::new();
    while let Some(t) = next(e, now, log) {
        let what = format!(
            "{} {:?}",
            t.request.path,
            t.request
                .query
                .iter()
                .filter(|(k, _)| k == "page" || k == "search")
                .collect::<Vec<_>>()
        );
        seen.push((t.kind, what));
        match t.kind {
            RequestKind::List => e.handle(t.id, list(orders), now),
            RequestKind::Show => {
                let reference = t.request.path.rsplit('/').next().unwrap().to_owned();
                e.handle(t.id, show(&reference), now)
            }
            RequestKind::Create => {
                let row = t.row.unwrap();
                let k = e.spec().key_of(row);
                e.handle(t.id, ok_order(&format!("co-new-{row}"), &k), now)
            }
            RequestKind::Enroll => e.handle(t.id, answer(200, r#"{"id":1,"is_ordered":true}"#), now),
        }
    }
    seen
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
    assert_eq!(a.request.content_type(), Some("application/x-www-form-urlencoded"));
    let body = a.request.encoded_body();
    assert!(
        body.contains(&format!("external_order_number={}", key(&e, 0))),
        "{body}"
    );
    assert!(body.contains("domains=user0%40example.com"), "{body}");
    let k = key(&e, 0);
    e.handle(a.id, ok_order("co-1", &k), 10);
    let c = next(&mut e, 10, &mut log).unwrap();
    assert_eq!(c.row, Some(2));
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
        answer(
            400,
            r#"{"response_type":"ERROR","response_code":400,"message":{"country":["is not a valid ISO 3166 code"]}}"#,
        ),
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
fn a_5xx_is_reconciled_by_listing_the_window_and_reading_unknown_orders_before_anything_is_resent() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(
        t.id,
        answer(
            500,
            r#"{"response_type":"ERROR","response_code":500,"message":"server error"}"#,
        ),
        100,
    );
    assert_eq!(e.state(0).unwrap().name(), "unknown");
    // Not before the least look-up delay.
    assert!(next(&mut e, 100, &mut log).is_none());
    let wake = e.next_wakeup().unwrap();
    assert_eq!(wake, 100 + config().min_lookup_delay_ms);
    let l = next(&mut e, wake, &mut log).unwrap();
    assert_eq!(
        (l.kind, l.row, l.request.method),
        (RequestKind::List, None, Method::Get)
    );
    assert_eq!(l.request.path, "/certificates");
    assert!(
        l.request
            .query
            .contains(&("search".into(), "created_at:11/30/2026-12/07/2036".into())),
        "the window opens a day before the batch: {:?}",
        l.request
            .query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .filter(|q| !q.contains("secret"))
            .collect::<Vec<_>>()
    );
    // The list shows two orders for this mailbox (one another batch's) and one for someone else.
    let k = key(&e, 0);
    e.handle(
        l.id,
        list(&[
            ("co-old", &mailbox(0)),
            ("co-9", &mailbox(0)),
            ("co-x", "someone@example.org"),
        ]),
        wake,
    );
    let mut reads = Vec::new();
    while let Some(t) = next(&mut e, wake, &mut log) {
        assert_eq!(t.kind, RequestKind::Show);
        reads.push(t.request.path.clone());
        let answer = if t.request.path.ends_with("co-9") {
            shown(&k, &mailbox(0))
        } else {
            shown("sb-other-batch", &mailbox(0))
        };
        e.handle(t.id, answer, wake);
    }
    reads.sort();
    assert_eq!(
        reads,
        ["/certificate/co-9", "/certificate/co-old"],
        "only orders that may be this row's are read"
    );
    match e.state(0).unwrap() {
        RowState::Placed { order } => {
            assert_eq!(order.reference, "co-9");
            assert_eq!(order.external_order_number.as_deref(), Some(k.as_str()));
        }
        s => panic!("{s:?}"),
    }
    assert!(next(&mut e, wake + 10_000, &mut log).is_none(), "no second create");
    assert!(e.is_complete());
}

#[test]
fn a_timeout_the_ca_holds_no_order_for_is_resent_with_the_same_key() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let first = next(&mut e, 0, &mut log).unwrap();
    e.handle(first.id, Outcome::Timeout, 30_000);
    let wake = e.next_wakeup().unwrap();
    let seen = sweep(&mut e, wake, &mut log, &[], &|_| unreachable!());
    assert_eq!(seen.len(), 1, "one empty page: {seen:?}");
    assert_eq!(e.state(0).unwrap().name(), "pending");
    let at = e.next_wakeup().unwrap();
    let second = next(&mut e, at, &mut log).unwrap();
    assert_eq!(second.kind, RequestKind::Create);
    assert_eq!(
        second.request.encoded_body(),
        first.request.encoded_body(),
        "same key, same order"
    );
    assert_eq!(e.state(0).unwrap().attempts(), 2);
}

#[test]
fn an_order_for_the_mailbox_without_a_readable_key_leaves_the_row_unconfirmed_until_the_user_decides() {
    let mut e = engine(2);
    let mut log = Vec::new();
    let a = next(&mut e, 0, &mut log).unwrap();
    let b = next(&mut e, 0, &mut log).unwrap();
    e.handle(a.id, Outcome::Network("reset".into()), 0);
    e.handle(b.id, Outcome::Network("reset".into()), 0);
    let wake = e.next_wakeup().unwrap();
    // Row 0's mailbox has an order (placed in the portal, say) whose key is not shown.
    let no_key = |_: &str| {
        answer(
            200,
            format!(
                r#"{{"product":"302","order_status":"issued","domains":["{}"],"external_order_number":null}}"#,
                mailbox(0)
            ),
        )
    };
    sweep(&mut e, wake, &mut log, &[("co-portal", &mailbox(0))], &no_key);
    match e.state(0).unwrap() {
        RowState::Unconfirmed { candidates, reason, .. } => {
            assert_eq!(candidates[0].reference, "co-portal");
            assert!(reason.contains("mailbox"), "{reason}");
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(e.state(1).unwrap().name(), "pending", "row 1 was proven absent");
    // Row 1 is resent; row 0 never is.
    let at = e.next_wakeup().unwrap();
    let again = next(&mut e, at, &mut log).unwrap();
    assert_eq!(again.row, Some(1));
    let k1 = key(&e, 1);
    e.handle(again.id, ok_order("co-2", &k1), at);
    assert!(next(&mut e, at + 100_000, &mut log).is_none());
    assert!(e.is_idle() && !e.is_complete());
    assert_eq!(e.progress(at).unconfirmed, 1);
    // The user decides; both decisions are journaled.
    assert!(e.accept_candidate(0, "co-elsewhere").is_err());
    e.resend(0).unwrap();
    let resent = next(&mut e, at, &mut log).unwrap();
    assert_eq!(resent.row, Some(0));
    assert!(e.accept_candidate(0, "co-portal").is_err(), "not waiting any more");
    let names: Vec<&str> = log.iter().filter(|j| j.row == 0).map(|j| j.state.name()).collect();
    assert_eq!(names, ["sending", "unknown", "unconfirmed", "pending", "sending"]);
}

#[test]
fn two_orders_with_the_rows_key_are_shown_to_the_user_not_hidden() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, Outcome::Timeout, 0);
    let wake = e.next_wakeup().unwrap();
    let k = key(&e, 0);
    sweep(
        &mut e,
        wake,
        &mut log,
        &[("co-1", &mailbox(0)), ("co-2", &mailbox(0))],
        &|_| shown(&k, &mailbox(0)),
    );
    let RowState::Unconfirmed { candidates, .. } = e.state(0).unwrap() else {
        panic!()
    };
    assert_eq!(candidates.len(), 2);
    e.accept_candidate(0, "co-2").unwrap();
    let RowState::Placed { order } = e.state(0).unwrap() else {
        panic!()
    };
    assert_eq!(order.reference, "co-2");
}

#[test]
fn a_row_that_becomes_unknown_during_a_sweep_waits_for_the_next_one() {
    let mut e = engine(2);
    let mut log = Vec::new();
    let a = next(&mut e, 0, &mut log).unwrap();
    let b = next(&mut e, 0, &mut log).unwrap();
    e.handle(a.id, Outcome::Timeout, 0);
    let wake = e.next_wakeup().unwrap();
    let page = next(&mut e, wake, &mut log).unwrap();
    assert_eq!(page.kind, RequestKind::List);
    // Row 1's answer is lost while the list is on its way: the list may predate its order.
    e.handle(b.id, Outcome::Timeout, wake);
    e.handle(page.id, list(&[]), wake);
    assert_eq!(e.state(0).unwrap().name(), "pending");
    assert_eq!(e.state(1).unwrap().name(), "unknown");
    let later = e.next_wakeup().unwrap();
    let seen = sweep(
        &mut e,
        later.max(wake + config().min_lookup_delay_ms),
        &mut log,
        &[],
        &|_| unreachable!(),
    );
    assert!(seen.iter().any(|(k, _)| *k == RequestKind::List));
    assert_eq!(e.state(1).unwrap().name(), "pending");
}

#[test]
fn the_reference_dialect_matches_keys_from_the_list_without_reading_orders() {
    let mut s = spec(1);
    s.profile = Profile::Reference;
    s.product = "smime-ivov-1y".into();
    let mut e = Engine::new(s, Credentials::new("acct", SECRET), config(), 0);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    assert_eq!(t.request.content_type(), Some("application/json"));
    e.handle(t.id, answer(502, ""), 0);
    let wake = e.next_wakeup().unwrap();
    let l = next(&mut e, wake, &mut log).unwrap();
    assert_eq!(l.kind, RequestKind::List);
    let k = key(&e, 0);
    let body = format!(
        r#"[{{"ref":"co-7","order_status":"pending validation","email_address":"{}","external_order_number":"{k}"}}]"#,
        mailbox(0)
    );
    e.handle(l.id, answer(200, &body), wake);
    assert!(next(&mut e, wake, &mut log).is_none(), "no read needed");
    assert_eq!(e.state(0).unwrap().name(), "placed");
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
            location: None,
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
        assert_eq!(wake, now, "the sweep starts at once (no look-up delay)");
        sweep(&mut e, wake, &mut log, &[], &|_| unreachable!());
        let resend = e.next_wakeup().unwrap();
        let ceiling = (100u64 << attempt).min(1000);
        assert!(
            resend - now <= ceiling,
            "attempt {attempt}: waited {} > {ceiling}",
            resend - now
        );
        now = resend;
    }
}

/// Answers every attempt of row 0 with a 503 and every sweep with an empty
/// list until its attempts run out; returns the time reached.
fn fail_by_503s(e: &mut Engine, log: &mut Vec<JournalEntry>) -> u64 {
    let mut now = 0;
    for _ in 0..config().max_attempts {
        let t = next(e, now, log).unwrap();
        e.handle(t.id, answer(503, "down"), now);
        now = e.next_wakeup().unwrap();
        sweep(e, now, log, &[], &|_| unreachable!());
        now = e.next_wakeup().unwrap_or(now);
    }
    now
}

#[test]
fn attempts_run_out_only_once_the_ca_confirms_no_order() {
    let mut e = engine(1);
    let mut log = Vec::new();
    fail_by_503s(&mut e, &mut log);
    match e.state(0).unwrap() {
        RowState::Failed { attempts: 3, reason } => assert!(reason.contains("503"), "{reason}"),
        s => panic!("{s:?}"),
    }
    assert!(e.is_idle());
}

#[test]
fn a_failed_row_is_tried_again_when_the_batch_is_run_again_and_only_then() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let now = fail_by_503s(&mut e, &mut log);
    log.extend(e.take_journal());
    let text = journal::header(e.spec()) + &journal::lines(&log);
    let (spec, states) = journal::replay(&text).unwrap();
    assert_eq!(states[0].name(), "failed");
    // Resumed as it was, the failed row stays failed: nothing is sent.
    let mut kept = Engine::resume(
        spec.clone(),
        states.clone(),
        Credentials::new("acct", SECRET),
        config(),
        now,
    );
    assert!(kept.poll_transmit(now).is_none());
    // Run again: it gets fresh attempts, journaled, and is placed.
    let mut again = Engine::resume(spec, states, Credentials::new("acct", SECRET), config(), now);
    assert_eq!(again.retry_failed(), 1);
    let mut log2 = Vec::new();
    let t = next(&mut again, now, &mut log2).unwrap();
    assert_eq!((t.kind, t.row), (RequestKind::Create, Some(0)));
    assert!(
        matches!(log2[0].state, RowState::Pending { attempts: 0, .. }),
        "{:?}",
        log2[0]
    );
    let k = key(&again, 0);
    again.handle(t.id, ok_order("co-again", &k), now);
    assert_eq!(again.state(0).unwrap().name(), "placed");
    assert_eq!(again.retry_failed(), 0);
}

#[test]
fn unreachable_ca_leaves_rows_unknown_not_failed() {
    let mut e = engine(1);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, Outcome::Network("refused".into()), 0);
    let mut lists = 0;
    while let Some(wake) = e.next_wakeup() {
        let l = next(&mut e, wake, &mut log).unwrap();
        assert_eq!(l.kind, RequestKind::List);
        e.handle(l.id, Outcome::Network("refused".into()), wake);
        lists += 1;
        assert!(lists <= config().max_lookups, "the sweep must give up");
    }
    assert_eq!(lists, config().max_lookups);
    assert_eq!(e.state(0).unwrap().name(), "unknown");
    assert!(e.reconcile_abandoned().unwrap().contains("resumed"));
    assert!(e.is_idle() && !e.is_complete());
}

#[test]
fn wrong_credentials_halt_the_batch_until_resumed() {
    let mut e = engine(3);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(
        t.id,
        answer(400,
            r#"{"response_type":"ERROR","response_code":400,"message":{"login":["account_key not found or wrong secret_key"]}}"#,
        ),
        0,
    );
    assert!(e.halted().unwrap().contains("secret key"));
    assert!(next(&mut e, 10, &mut log).is_none());
    assert_eq!(e.state(0).unwrap().name(), "pending");
    assert_eq!(e.state(0).unwrap().attempts(), 0);
    e.set_credentials(Credentials::new("acct", "fixed-secret"));
    e.resume_sending();
    let again = next(&mut e, 10, &mut log).unwrap();
    assert_eq!(again.row, Some(0));
    assert!(again.request.encoded_body().contains("fixed-secret"));
}

#[test]
fn pause_stops_new_requests_and_cancel_ends_the_batch() {
    let mut e = engine(3);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.pause();
    assert!(next(&mut e, 0, &mut log).is_none());
    let k = key(&e, t.row.unwrap());
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
    e.handle(
        t.id,
        answer(
            200,
            r#"{"errors":{"login":["account_key not found or wrong secret_key"]}}"#,
        ),
        0,
    );
    assert!(matches!(e.phase(), Phase::Halted(why) if why.contains("secret key")));
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
        (None, RequestKind::List),
        "reconcile first, never resend blindly"
    );
    assert_eq!(log2[0].state.name(), "unknown");
}

#[test]
fn the_journal_never_holds_the_secret() {
    let mut e = engine(2);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    assert!(t.request.encoded_body().contains(SECRET), "the request does carry it");
    e.handle(t.id, answer(500, SECRET), 0);
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
    let ka = key(&e, a.row.unwrap());
    e.handle(a.id, ok_order("co-1", &ka), 1000);
    e.handle(
        b.id,
        answer(
            400,
            r#"{"response_type":"ERROR","response_code":400,"message":{"email_address":["bad"]}}"#,
        ),
        1000,
    );
    let p = e.progress(2000);
    assert_eq!((p.placed, p.rejected, p.pending, p.sending), (1, 1, 2, 0));
    assert!((p.rate_per_sec - 1.0).abs() < 1e-9);
    assert_eq!(p.eta_secs, Some(2.0));
}

#[test]
fn a_crafted_journal_with_huge_counters_neither_panics_nor_sends_past_the_limit() {
    let header = journal::header(&spec(3));
    let text = format!(
        "{header}{}\n{}\n{}\n",
        r#"{"row":{"row":0,"state":{"state":"pending","attempts":4294967295,"last_error":null}}}"#,
        r#"{"row":{"row":1,"state":{"state":"sending","attempts":4294967295}}}"#,
        r#"{"row":{"row":2,"state":{"state":"sending","attempts":0}}}"#,
    );
    let (spec, states) = journal::replay(&text).unwrap();
    let mut e = Engine::resume(spec, states, Credentials::new("acct", SECRET), config(), 0);
    let mut log = Vec::new();
    // Row 0 has no attempt left: it fails without a request. Rows 1 and 2 are
    // settled by a sweep; the CA holds nothing, so row 1 fails and row 2 is sent.
    let seen = sweep(&mut e, 10_000, &mut log, &[], &|_| unreachable!());
    let kinds: Vec<RequestKind> = seen.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, [RequestKind::List, RequestKind::Create]);
    assert_eq!(e.state(0).unwrap().name(), "failed");
    assert_eq!(e.state(1).unwrap().name(), "failed");
    assert_eq!(e.state(2).unwrap().name(), "placed");
    assert!(e.is_idle(), "{:?} {:?}", e.next_wakeup(), e.progress(10_000));
}

#[test]
fn a_journal_naming_a_row_beyond_the_batch_is_refused_with_its_line() {
    let text = format!(
        "{}{}\n",
        journal::header(&spec(1)),
        r#"{"row":{"row":4294967295,"state":{"state":"pending","attempts":0,"last_error":null}}}"#
    );
    let e = journal::replay(&text).unwrap_err();
    assert_eq!(e, JournalError::RowOutOfRange(2, 4294967295));
    assert!(e.to_string().contains("line 2"), "{e}");
}
