//! Bulk enrollment driven deterministically: the engine against a small CA
//! model that keeps its orders as SSL.com does (one per enrolled address, no
//! key, no reference in the answer), with answers lost at will, a fake clock
//! and journal replays. No sleeps.

mod support {
    pub mod fixtures;
}

use smime_bulk_ca::engine::journal::{self, JournalEntry};
use smime_bulk_ca::engine::{
    BatchSpec, Engine, EngineConfig, Enrollment, OrderMode, Outcome, Phase, RequestKind, RowState, Transmit,
};
use smime_bulk_ca::protocol::{Credentials, Method, Profile};
use std::collections::HashMap;
use support::fixtures::{self, answer};

fn spec(rows: usize, chunk: usize) -> BatchSpec {
    let enrollment = Enrollment {
        certificate_id: 417,
        approver_id: 7,
        chunk,
    };
    let csr = |_| Some("-----BEGIN CERTIFICATE REQUEST-----".into());
    fixtures::batch(
        "e1",
        Profile::Sslcom,
        OrderMode::Enrollment(enrollment),
        rows,
        "Jane",
        csr,
    )
}

fn config() -> EngineConfig {
    EngineConfig {
        concurrency: 2,
        max_attempts: 4,
        max_lookups: 4,
        seed: 3,
        ..EngineConfig::default()
    }
}

/// `%XX` and `+` decoded.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn form(t: &Transmit) -> HashMap<String, String> {
    t.request
        .encoded_body()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// The CA's side: its orders in creation order, as (ref, mailbox).
#[derive(Default)]
struct Ca {
    orders: Vec<(String, String)>,
    /// Whether listings and reads show an enrolled order's mailbox (SSL.com's
    /// 2020 API path leaves it empty).
    hides_mailbox: bool,
}

impl Ca {
    /// Makes the orders of an enrollment.
    fn enroll(&mut self, t: &Transmit) {
        let f = form(t);
        for email in f["domains"].split(',') {
            let reference = format!("co-{:04}", self.orders.len() + 1);
            self.orders.push((reference, email.to_owned()));
        }
    }

    fn domains(&self, mailbox: &str) -> String {
        if self.hides_mailbox {
            "[]".into()
        } else {
            format!(r#"["{mailbox}"]"#)
        }
    }

    /// The answer to a list page or a read.
    fn read(&self, t: &Transmit) -> Outcome {
        let q: HashMap<&str, &str> = t.request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if t.kind == RequestKind::List {
            let (page, per): (usize, usize) = (q["page"].parse().unwrap(), q["per_page"].parse().unwrap());
            let items: Vec<String> = self
                .orders
                .iter()
                .rev()
                .skip((page - 1) * per)
                .take(per)
                .map(|(r, m)| {
                    format!(
                        r#"{{"ref":"{r}","description":"1 Year Personal Business","order_status":"unused. waiting on certificate signing request (csr)","domains":{},"external_order_number":null}}"#,
                        self.domains(m)
                    )
                })
                .collect();
            return answer(200, format!("[{}]", items.join(",")));
        }
        let reference = t.request.path.rsplit('/').next().unwrap();
        match self.orders.iter().find(|(r, _)| r == reference) {
            Some((_, m)) => answer(
                200,
                format!(
                    r#"{{"description":"1 Year Personal Business","product":"302","order_status":"unused. waiting on certificate signing request (csr)","domains":{},"external_order_number":null}}"#,
                    self.domains(m)
                ),
            ),
            None => answer(200, r#"{"errors":{"ref":["doesn't exist'"]}}"#),
        }
    }

    fn orders_of(&self, mailbox: &str) -> usize {
        self.orders.iter().filter(|(_, m)| m == mailbox).count()
    }
}

fn ok_enrolled(id: u32) -> Outcome {
    answer(200, format!(r#"{{"id":{id},"is_ordered":true}}"#))
}

fn next(e: &mut Engine, now: u64, log: &mut Vec<JournalEntry>) -> Option<Transmit> {
    log.extend(e.take_journal());
    let t = e.poll_transmit(now);
    log.extend(e.take_journal());
    t
}

/// Runs the engine against `ca` until it is idle, every answer delivered.
fn run(e: &mut Engine, ca: &mut Ca, now: &mut u64, log: &mut Vec<JournalEntry>) -> Vec<Transmit> {
    let mut sent = Vec::new();
    for _ in 0..10_000 {
        match next(e, *now, log) {
            Some(t) => {
                let outcome = if t.kind == RequestKind::Enroll {
                    ca.enroll(&t);
                    ok_enrolled(sent.len() as u32)
                } else {
                    ca.read(&t)
                };
                e.handle(t.id, outcome, *now);
                sent.push(t);
            }
            None if e.is_idle() => break,
            None => *now = e.next_wakeup().unwrap_or(*now + 1).max(*now + 1),
        }
    }
    log.extend(e.take_journal());
    sent
}

#[test]
fn addresses_go_in_chunks_of_form_posts_and_each_is_placed_with_the_order_the_list_shows() {
    let mut e = Engine::new(spec(5, 2), Credentials::new("acct", "s3cret"), config(), 0);
    let mut log = Vec::new();
    let first = next(&mut e, 0, &mut log).unwrap();
    assert_eq!(first.kind, RequestKind::Enroll);
    assert_eq!(
        (first.request.method, first.request.path.as_str()),
        (Method::Post, "/certificate_enrollment")
    );
    assert_eq!(first.request.content_type(), Some("application/x-www-form-urlencoded"));
    assert_eq!(first.chunk, [0, 1]);
    let f = form(&first);
    assert_eq!(f["domains"], "user0@example.com,user1@example.com");
    assert_eq!(
        (
            f["certificate_id"].as_str(),
            f["duration"].as_str(),
            f["approver_id"].as_str()
        ),
        ("417", "1", "7")
    );
    assert!(
        !f.contains_key("csr"),
        "an enrollment sends no CSR: the recipients make their keys"
    );
    let names: Vec<(usize, &str)> = log.iter().map(|j| (j.row, j.state.name())).collect();
    assert_eq!(
        names,
        [(0, "sending"), (1, "sending")],
        "the chunk's intent is journaled first"
    );

    let mut ca = Ca::default();
    ca.enroll(&first);
    e.handle(first.id, ok_enrolled(4821), 0);
    let mut now = 0;
    let sent = run(&mut e, &mut ca, &mut now, &mut log);
    let chunks: Vec<usize> = sent
        .iter()
        .filter(|t| t.kind == RequestKind::Enroll)
        .map(|t| t.chunk.len())
        .collect();
    assert_eq!(chunks, [2, 1], "5 addresses, 2 a chunk, two in flight at most");
    assert!(e.is_complete(), "{:?}", e.states().collect::<Vec<_>>());
    for (row, state) in e.states().enumerate() {
        let RowState::Placed { order } = state else {
            panic!("row {row}: {state:?}")
        };
        let (reference, mailbox) = ca.orders.iter().find(|(r, _)| *r == order.reference).unwrap();
        assert_eq!(mailbox, &format!("user{row}@example.com"), "{reference}");
    }
    assert_eq!(ca.orders.len(), 5);
    assert!(!format!("{log:?}").contains("s3cret"));
}

/// A tiny deterministic generator (xorshift), so a failing seed reproduces.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

#[test]
fn lost_answers_kills_and_resumes_never_give_an_address_two_orders() {
    let (mut placed, mut unconfirmed, mut resent) = (0, 0, 0);
    for seed in 1..=300u64 {
        let mut dice = Dice(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let rows = 1 + dice.roll(9) as usize;
        let chunk = 1 + dice.roll(4) as usize;
        let batch = spec(rows, chunk);
        let mut ca = Ca::default();
        let mut text = journal::header(&batch);
        let mut e = Engine::new(batch, Credentials::new("acct", "k"), config(), 0);
        let mut now = 0u64;
        for step in 0..4_000 {
            text.push_str(&journal::lines(&e.take_journal()));
            if dice.roll(40) == 0 || (e.is_idle() && !e.is_complete() && step < 3_000) {
                // Killed: what was in flight is lost; resume from the journal.
                let (spec, states) = journal::replay(&text).unwrap();
                e = Engine::resume(spec, states, Credentials::new("acct", "k"), config(), now);
                text.push_str(&journal::lines(&e.take_journal()));
                for (row, candidates) in e.unconfirmed().map(|(r, c)| (r, c.to_vec())).collect::<Vec<_>>() {
                    // The user checks the portal: the CA's order for the
                    // address, if there is one, is accepted; else it is resent.
                    let mailbox = e.spec().rows[row].email.clone();
                    match ca
                        .orders
                        .iter()
                        .find(|(r, m)| *m == mailbox && candidates.iter().any(|c| c.reference == *r))
                    {
                        Some((r, _)) => e.accept_candidate(row, &r.clone()).unwrap(),
                        None => {
                            assert_eq!(
                                ca.orders_of(&mailbox),
                                0,
                                "seed {seed}: resend offered while the CA holds one"
                            );
                            resent += 1;
                            e.resend(row).unwrap();
                        }
                    }
                }
                continue;
            }
            let Some(t) = e.poll_transmit(now) else {
                if e.is_idle() {
                    if e.is_complete() {
                        break;
                    }
                    continue;
                }
                now = e.next_wakeup().unwrap_or(now + 1).max(now + 1);
                continue;
            };
            text.push_str(&journal::lines(&e.take_journal()));
            let outcome = if t.kind == RequestKind::Enroll {
                match dice.roll(6) {
                    0 => answer(500, r#"{"message":"server error"}"#), // before anything is made
                    1 => {
                        ca.enroll(&t);
                        Outcome::Timeout
                    }
                    2 => {
                        ca.enroll(&t);
                        Outcome::Network("connection reset".into())
                    }
                    3 => {
                        ca.enroll(&t);
                        answer(500, r#"{"message":"server error"}"#) // after: the orders stay
                    }
                    _ => {
                        ca.enroll(&t);
                        ok_enrolled(step)
                    }
                }
            } else if dice.roll(8) == 0 {
                Outcome::Timeout
            } else {
                ca.read(&t)
            };
            if dice.roll(30) == 0 {
                continue; // killed before the outcome was seen: the next roll resumes
            }
            e.handle(t.id, outcome, now);
            now += dice.roll(300);
        }
        text.push_str(&journal::lines(&e.take_journal()));
        for row in &e.spec().rows {
            assert!(
                ca.orders_of(&row.email) <= 1,
                "seed {seed}: {} ordered twice",
                row.email
            );
        }
        for (row, state) in e.states().enumerate() {
            match state {
                RowState::Placed { order } => {
                    placed += 1;
                    let mailbox = &e.spec().rows[row].email;
                    assert!(
                        ca.orders.iter().any(|(r, m)| *r == order.reference && m == mailbox),
                        "seed {seed}: row {row} placed with another address's order"
                    );
                }
                RowState::Unconfirmed { .. } => unconfirmed += 1,
                RowState::Failed { .. } | RowState::Pending { .. } => {}
                other => panic!("seed {seed}: row {row} left {other:?}"),
            }
        }
    }
    println!("duplicated=0 placed={placed} unconfirmed={unconfirmed} resent_after_proof={resent}");
    assert!(placed > 0);
}

#[test]
fn orders_that_hide_their_mailbox_leave_the_rows_unconfirmed_and_nothing_is_resent() {
    let mut e = Engine::new(spec(2, 5), Credentials::new("acct", "k"), config(), 0);
    let mut ca = Ca {
        hides_mailbox: true,
        ..Ca::default()
    };
    let (mut now, mut log) = (0, Vec::new());
    let sent = run(&mut e, &mut ca, &mut now, &mut log);
    assert_eq!(sent.iter().filter(|t| t.kind == RequestKind::Enroll).count(), 1);
    assert_eq!(e.phase(), Phase::Finished);
    let unconfirmed: Vec<(usize, Vec<String>)> = e
        .unconfirmed()
        .map(|(r, c)| (r, c.iter().map(|o| o.reference.clone()).collect()))
        .collect();
    assert_eq!(
        unconfirmed,
        [
            (0, vec!["co-0001".to_owned(), "co-0002".to_owned()]),
            (1, vec!["co-0001".to_owned(), "co-0002".to_owned()])
        ]
    );
    e.accept_candidate(0, "co-0001").unwrap();
    assert!(matches!(e.state(0), Some(RowState::Placed { order }) if order.reference == "co-0001"));
}

#[test]
fn a_refused_enrollment_rejects_its_chunk_and_wrong_keys_stop_the_batch_with_nothing_lost() {
    let mut e = Engine::new(spec(3, 2), Credentials::new("acct", "k"), config(), 0);
    let mut log = Vec::new();
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, answer(200, r#"{"errors":{"approver_id":["can't be blank"]}}"#), 0);
    assert!(matches!(e.state(0), Some(RowState::Rejected { errors }) if errors.contains_key("approver_id")));
    assert!(matches!(e.state(1), Some(RowState::Rejected { .. })));
    let t = next(&mut e, 0, &mut log).unwrap();
    assert_eq!(t.chunk, [2]);
    e.handle(
        t.id,
        answer(
            200,
            r#"{"errors":{"login":["account_key not found or wrong secret_key"]}}"#,
        ),
        0,
    );
    assert!(matches!(e.phase(), Phase::Halted(why) if why.contains("secret key")));
    assert!(matches!(e.state(2), Some(RowState::Pending { attempts: 0, .. })));
    e.resume_sending();
    assert_eq!(
        next(&mut e, 0, &mut log).unwrap().chunk,
        [2],
        "sent again once the keys are fixed"
    );

    // Errors on other fields: the orders may exist, so they are looked up.
    let mut e = Engine::new(spec(1, 2), Credentials::new("acct", "k"), config(), 0);
    let t = next(&mut e, 0, &mut log).unwrap();
    e.handle(t.id, answer(200, r#"{"errors":{"registrant":["is invalid"]}}"#), 0);
    assert!(matches!(e.state(0), Some(RowState::Unknown { reason, .. }) if reason.contains("may have been created")));
}

#[test]
fn a_dialect_without_enrollment_stops_before_sending_and_says_so() {
    let mut batch = spec(2, 2);
    batch.profile = Profile::Reference;
    assert!(!Profile::Reference.supports_enrollment() && Profile::Sslcom.supports_enrollment());
    let mut e = Engine::new(batch, Credentials::new("acct", "k"), config(), 0);
    assert!(e.poll_transmit(0).is_none());
    assert!(
        matches!(e.phase(), Phase::Halted(why) if why.contains("bulk enrollment")),
        "{:?}",
        e.phase()
    );
    assert!(e.take_journal().is_empty(), "nothing was marked as sending");
}

#[test]
fn a_period_that_is_not_whole_years_is_refused_before_sending() {
    let mut batch = spec(1, 2);
    batch.period = 400;
    let mut e = Engine::new(batch, Credentials::new("acct", "k"), config(), 0);
    assert!(e.poll_transmit(0).is_none());
    assert!(matches!(e.phase(), Phase::Halted(why) if why.contains("whole years")));
}

#[test]
fn a_journal_from_before_modes_replays_as_per_row() {
    let mut batch = spec(1, 2);
    batch.mode = OrderMode::PerRow;
    let header = journal::header(&batch);
    let old = header.replace(r#","mode":"per_row""#, "");
    assert_ne!(old, header, "{header}");
    assert_eq!(journal::replay(&old).unwrap().0.mode, OrderMode::PerRow);
    let enrolled = journal::header(&spec(1, 9));
    assert!(enrolled.contains(r#""mode":{"enrollment":{"certificate_id":417,"approver_id":7,"chunk":9}}"#));
    assert_eq!(journal::replay(&enrolled).unwrap().0, spec(1, 9));
}
