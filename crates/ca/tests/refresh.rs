//! "Refresh statuses" against SSL.com's list answers (fixtures from its
//! public source, docs/sslcom-sws.md §6): paging, the faults a read retries,
//! and those it stops at.

#[allow(dead_code)] // only its answers are used here
mod support {
    pub mod fixtures;
}

use smime_bulk_ca::engine::{Outcome, RowState};
use smime_bulk_ca::protocol::{CaError, Credentials, HttpRequest, HttpResponse, Order, Profile};
use smime_bulk_ca::refresh::{RefreshError, RefreshStep, StatusRefresh, MAX_TRIES};
use support::fixtures::answer;

const SINCE: u64 = 1_796_083_200;

fn refresh() -> StatusRefresh {
    StatusRefresh::new(Profile::Sslcom, Credentials::new("acct", "secret"), SINCE, 7)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/sslcom/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A list page in SSL.com's shape: `n` orders `co-{first + i}` with `status`.
fn page(first: usize, n: usize, status: &str) -> Outcome {
    let items: Vec<_> = (first..first + n)
        .map(|i| serde_json::json!({ "ref": format!("co-{i}"), "order_status": status }))
        .collect();
    answer(200, serde_json::Value::Array(items).to_string())
}

/// A 429 whose `Retry-After` is `after` (seconds), as a proxy would answer.
fn too_many_requests(after: &str) -> Outcome {
    Outcome::Response(HttpResponse {
        status: 429,
        retry_after: Some(after.into()),
        location: None,
        body: String::new(),
    })
}

fn send(step: RefreshStep) -> HttpRequest {
    match step {
        RefreshStep::Send(request) => request,
        other => panic!("expected a request, got {other:?}"),
    }
}

fn query(request: &HttpRequest, name: &str) -> String {
    request
        .query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn placed(reference: &str, status: &str) -> RowState {
    RowState::Placed {
        order: Order {
            reference: reference.into(),
            status: status.into(),
            amount: None,
            certificate_url: None,
            receipt_url: None,
            validation_url: None,
            external_order_number: None,
            email: None,
            product: None,
        },
    }
}

fn status_of(state: &RowState) -> &str {
    match state {
        RowState::Placed { order } => &order.status,
        _ => "",
    }
}

#[test]
fn one_short_page_sets_each_placed_rows_status_and_counts_the_unlisted() {
    let mut r = refresh();
    let request = send(r.step());
    assert_eq!(
        (query(&request, "page"), query(&request, "per_page")),
        ("1".into(), "100".into())
    );
    assert!(
        query(&request, "search").starts_with("created_at:"),
        "the batch's window is searched"
    );
    r.answered(answer(200, fixture("list_page.json")));
    assert!(matches!(r.step(), RefreshStep::Done(Ok(()))), "one short page ends it");
    let statuses = r.statuses();
    assert_eq!(statuses.len(), 2);

    let mut states = vec![
        placed("co-41f2k8q3zd", "pending"),
        RowState::Pending {
            attempts: 0,
            last_error: None,
        },
        placed("co-gone", "pending"),
    ];
    assert_eq!(statuses.apply(&mut states), 1, "co-gone is no longer listed");
    assert_eq!(status_of(&states[0]), "waiting on validation from customer");
    assert!(
        matches!(states[1], RowState::Pending { .. }),
        "a row without an order is left alone"
    );
    assert_eq!(
        status_of(&states[2]),
        "pending",
        "an unlisted order keeps the status it had"
    );
}

#[test]
fn full_pages_are_followed_until_a_short_one() {
    let mut r = refresh();
    for n in 1..=3 {
        let request = send(r.step());
        assert_eq!(query(&request, "page"), n.to_string());
        let len = if n < 3 { 100 } else { 7 };
        r.answered(page((n - 1) * 100, len, "issued"));
    }
    assert!(matches!(r.step(), RefreshStep::Done(Ok(()))), "the short page ends it");
    assert_eq!(r.statuses().len(), 207);
    // A page past the end is SSL.com's empty array: a list of exactly 100 ends there.
    let mut r = refresh();
    send(r.step());
    r.answered(page(0, 100, "issued"));
    assert_eq!(query(&send(r.step()), "page"), "2");
    r.answered(answer(200, "[]"));
    assert!(matches!(r.step(), RefreshStep::Done(Ok(()))));
    assert_eq!(r.statuses().len(), 100);
}

#[test]
fn a_fault_that_may_pass_is_retried_on_the_same_page_after_a_wait() {
    let mut r = refresh();
    send(r.step());
    r.answered(page(0, 100, "issued"));
    // Fewer faults in a row than MAX_TRIES, then the page comes.
    let faults = [
        answer(500, fixture("server_error_500.json")),
        Outcome::Timeout,
        Outcome::Network("the connection was reset".into()),
    ];
    assert_eq!(faults.len() as u32, MAX_TRIES - 1);
    for fault in faults {
        assert_eq!(query(&send(r.step()), "page"), "2");
        r.answered(fault);
        let RefreshStep::Wait(ms) = r.step() else {
            panic!("a fault is waited out")
        };
        assert!((1..=4_000).contains(&ms), "{ms} ms");
    }
    assert_eq!(query(&send(r.step()), "page"), "2", "the same page again");
    r.answered(page(100, 3, "issued"));
    assert!(matches!(r.step(), RefreshStep::Done(Ok(()))));
    assert_eq!(r.statuses().len(), 103);
}

#[test]
fn a_429_waits_as_long_as_the_ca_says() {
    let mut r = refresh();
    send(r.step());
    r.answered(too_many_requests("3"));
    assert!(matches!(r.step(), RefreshStep::Wait(3_000)));
    send(r.step());
    r.answered(page(0, 1, "issued"));
    assert!(matches!(r.step(), RefreshStep::Done(Ok(_))));
}

#[test]
fn a_429_asking_for_a_long_wait_stops_with_the_cas_words() {
    let mut r = refresh();
    send(r.step());
    r.answered(too_many_requests("3600"));
    let RefreshStep::Done(Err(err)) = r.step() else {
        panic!("an hour is not waited out in silence")
    };
    assert!(
        matches!(
            err,
            RefreshError::Ca(CaError::RateLimited {
                retry_after_ms: Some(3_600_000)
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("429, try again in 3600 s"), "{err}");
}

#[test]
fn faults_on_every_try_of_a_page_give_up_with_the_last_keeping_the_pages_read() {
    let mut r = refresh();
    send(r.step());
    r.answered(page(0, 100, "issued"));
    let mut tries = 0;
    let last = loop {
        match r.step() {
            RefreshStep::Send(_) => {
                tries += 1;
                r.answered(Outcome::Timeout);
            }
            RefreshStep::Wait(_) => {}
            RefreshStep::Done(done) => break done,
        }
    };
    assert_eq!(tries, MAX_TRIES);
    let err = last.unwrap_err();
    assert!(matches!(err, RefreshError::GaveUp(Outcome::Timeout)));
    assert_eq!(err.code(), "refresh_gave_up");
    assert!(
        err.to_string()
            .contains("4 times in a row (the last: no answer in time)"),
        "{err}"
    );
    assert_eq!(r.statuses().len(), 100, "the first page's statuses are kept");
    // The verdict stays put when asked again.
    assert!(matches!(r.step(), RefreshStep::Done(Err(RefreshError::GaveUp(_)))));
}

#[test]
fn an_answer_that_asking_again_would_not_change_stops_at_once() {
    type IsExpected = fn(&CaError) -> bool;
    let cases: [(Outcome, IsExpected); 3] = [
        (answer(401, ""), |e| matches!(e, CaError::Unauthorized)),
        (answer(400, fixture("create_login_400.json")), |e| {
            matches!(e, CaError::Unauthorized)
        }),
        (answer(200, "{\"not\":\"a list\"}"), |e| {
            matches!(e, CaError::Unexpected { .. })
        }),
    ];
    for (outcome, expected) in cases {
        let mut r = refresh();
        send(r.step());
        r.answered(outcome.clone());
        match r.step() {
            RefreshStep::Done(Err(RefreshError::Ca(e))) => assert!(expected(&e), "{outcome:?} gave {e:?}"),
            other => panic!("{outcome:?} gave {other:?}"),
        }
    }
}
