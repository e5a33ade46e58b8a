//! Properties of the ca crate for any input: the submission engine under any
//! sequence of answers (tests/support/script.rs checks its rules), the
//! journal's round trip and its refusal of damage, and the answer parsers of
//! both dialects on any JSON. The fuzz targets in fuzz/ drive the same code
//! for longer (`./x fuzz`).

mod support {
    pub mod fixtures;
    pub mod script;
}

use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use smime_bulk_ca::engine::journal::{self, JournalEntry, JournalError};
use smime_bulk_ca::engine::{BatchSpec, RowState};
use smime_bulk_ca::protocol::decimal::thousandths;
use smime_bulk_ca::protocol::{CaError, FieldErrors, HttpResponse, Order, Profile};

/// Text with the characters JSON and our formats trip on.
fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 \"\\\\\n\u{0}\u{e9}\u{1F600}{}:,]{0,12}"
}

fn order() -> impl Strategy<Value = Order> {
    (
        text(),
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(reference, status, amount, key)| Order {
            reference,
            status,
            amount,
            external_order_number: key,
            ..Order::default()
        })
}

fn row_state() -> impl Strategy<Value = RowState> {
    let attempts = 0u32..10;
    prop_oneof![
        (attempts.clone(), proptest::option::of(text()))
            .prop_map(|(attempts, last_error)| RowState::Pending { attempts, last_error }),
        attempts.clone().prop_map(|attempts| RowState::Sending { attempts }),
        (attempts.clone(), text()).prop_map(|(attempts, reason)| RowState::Unknown { attempts, reason }),
        (attempts.clone(), text(), prop::collection::vec(order(), 0..3)).prop_map(|(attempts, reason, candidates)| {
            RowState::Unconfirmed {
                attempts,
                reason,
                candidates,
            }
        }),
        order().prop_map(|order| RowState::Placed { order }),
        prop::collection::btree_map(text(), prop::collection::vec(text(), 0..3), 0..3)
            .prop_map(|errors: FieldErrors| RowState::Rejected { errors }),
        (attempts, text()).prop_map(|(attempts, reason)| RowState::Failed { attempts, reason }),
    ]
}

/// A batch of 1–5 rows and transitions of its rows.
fn journaled() -> impl Strategy<Value = (BatchSpec, Vec<JournalEntry>)> {
    (1usize..6).prop_flat_map(|rows| {
        let entry = (0..rows, row_state()).prop_map(|(row, state)| JournalEntry { row, state });
        (
            Just(support::script::batch_with(Profile::Sslcom, rows, true)),
            prop::collection::vec(entry, 0..12),
        )
    })
}

/// Each row's last state after `entries`.
fn last_states(rows: usize, entries: &[JournalEntry]) -> Vec<RowState> {
    let mut states = vec![
        RowState::Pending {
            attempts: 0,
            last_error: None
        };
        rows
    ];
    for e in entries {
        states[e.row] = e.state.clone();
    }
    states
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
        prop::sample::select(vec![
            "ref",
            "co-1",
            "errors",
            "login",
            "funded_account",
            "message",
            "order_status",
            "domains",
            "external_order_number",
            "products",
            "code",
            "periods",
            "period",
        ])
        .prop_map(Value::from),
    ];
    let key = prop::sample::select(vec![
        "ref",
        "errors",
        "message",
        "error",
        "response_type",
        "order_status",
        "domains",
        "email_address",
        "external_order_number",
        "login",
        "funded_account",
        "certificate_order",
        "products",
        "code",
        "name",
        "periods",
        "period",
        "price",
        "x",
    ]);
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.clone().prop_map(str::to_owned), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The journal's states read the simple way: serde's internally tagged enum,
/// which `RowState`'s own reader (a flat record, smaller in the page) must
/// agree with.
#[derive(Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum SimpleState {
    Pending {
        attempts: u32,
        last_error: Option<String>,
    },
    Sending {
        attempts: u32,
    },
    Unknown {
        attempts: u32,
        reason: String,
    },
    Unconfirmed {
        attempts: u32,
        reason: String,
        candidates: Vec<Order>,
    },
    Placed {
        order: Order,
    },
    Rejected {
        errors: FieldErrors,
    },
    Failed {
        attempts: u32,
        reason: String,
    },
}

impl From<SimpleState> for RowState {
    fn from(s: SimpleState) -> Self {
        match s {
            SimpleState::Pending { attempts, last_error } => RowState::Pending { attempts, last_error },
            SimpleState::Sending { attempts } => RowState::Sending { attempts },
            SimpleState::Unknown { attempts, reason } => RowState::Unknown { attempts, reason },
            SimpleState::Unconfirmed {
                attempts,
                reason,
                candidates,
            } => RowState::Unconfirmed {
                attempts,
                reason,
                candidates,
            },
            SimpleState::Placed { order } => RowState::Placed { order },
            SimpleState::Rejected { errors } => RowState::Rejected { errors },
            SimpleState::Failed { attempts, reason } => RowState::Failed { attempts, reason },
        }
    }
}

/// A state as JSON: mostly well-formed, with fields dropped, retyped or added.
fn state_json() -> impl Strategy<Value = Value> {
    (
        row_state(),
        prop::collection::vec((json_value(), any::<prop::sample::Index>()), 0..2),
    )
        .prop_map(|(state, damage)| {
            let mut value = serde_json::to_value(&state).expect("a state serialises");
            let map = value.as_object_mut().expect("a state is an object");
            for (v, at) in damage {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = at.get(&keys).clone();
                if v.is_null() {
                    map.remove(&key);
                } else {
                    map.insert(key, v);
                }
            }
            value
        })
}

/// Retry-After read the simple way: digits, then at most one `.` and digits.
fn simple_thousandths(text: &str) -> Option<u64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let milli: u64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    whole.checked_mul(1000)?.checked_add(milli)
}

const STATUSES: [u16; 10] = [200, 201, 302, 400, 401, 404, 422, 429, 500, 503];

fn parsed_well(e: &CaError) {
    assert!(!e.code().is_empty() && !e.to_string().is_empty(), "{e:?}");
}

/// The scripts are no vacuous test: over a few thousand of them (bytes from
/// a fixed SplitMix64 stream), every end a row can come to is reached, by
/// honest runs too, and drivers are killed and resumed.
#[test]
fn scripted_runs_reach_every_end_a_row_can_come_to() {
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut honest = std::collections::BTreeSet::new();
    let mut any = std::collections::BTreeSet::new();
    let mut kills = 0;
    for _ in 0..3_000 {
        let len = (next() % 300) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let ended = support::script::run(&bytes);
        kills += ended.kills;
        any.extend(ended.states.iter().copied());
        if !ended.lied {
            honest.extend(ended.states);
        }
    }
    for state in ["placed", "rejected", "failed", "unconfirmed", "unknown"] {
        assert!(any.contains(state), "no script ends with a row {state}: {any:?}");
    }
    for state in ["placed", "rejected", "failed", "unknown"] {
        assert!(
            honest.contains(state),
            "no honest script ends with a row {state}: {honest:?}"
        );
    }
    assert!(kills > 100, "only {kills} kills");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_sequence_keeps_the_engine_honest(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        support::script::run(&bytes);
    }

    #[test]
    fn a_journal_replays_to_each_rows_last_state((spec, entries) in journaled()) {
        let text = journal::header(&spec) + &journal::lines(&entries);
        let states = last_states(spec.rows.len(), &entries);
        prop_assert_eq!(journal::replay(&text), Ok((spec.clone(), states.clone())));
        let snapshot = journal::snapshot(&spec, states.iter());
        prop_assert_eq!(journal::replay(&snapshot), Ok((spec, states)));
    }

    #[test]
    fn a_line_cut_short_is_refused_naming_it_unless_it_is_the_torn_tail(
        (spec, entries) in journaled(),
        at in any::<prop::sample::Index>(),
        keep in any::<prop::sample::Index>(),
        newline_at_end in any::<bool>(),
    ) {
        let text = journal::header(&spec) + &journal::lines(&entries);
        let mut lines: Vec<&str> = text.lines().collect();
        let damaged = at.index(lines.len());
        // A proper, non-empty prefix of a JSON object is never JSON.
        let line = lines[damaged];
        let cut = line.char_indices().map(|(i, _)| i).filter(|&i| i > 0).collect::<Vec<_>>();
        prop_assume!(!cut.is_empty());
        lines[damaged] = &line[..*keep.get(&cut)];
        let mut damaged_text = lines.join("\n");
        if newline_at_end {
            damaged_text.push('\n');
        }
        let torn_tail = damaged == lines.len() - 1 && !newline_at_end && damaged > 0;
        match journal::replay(&damaged_text) {
            Ok((batch, states)) => {
                prop_assert!(torn_tail, "damage on line {} was not noticed", damaged + 1);
                prop_assert_eq!(batch, spec.clone());
                prop_assert_eq!(states, last_states(spec.rows.len(), &entries[..damaged - 1]));
            }
            Err(JournalError::Corrupt(line, why)) => {
                prop_assert!(!torn_tail, "a torn tail was refused: {}", why);
                prop_assert_eq!(line, damaged + 1);
                let message = JournalError::Corrupt(line, why).to_string();
                prop_assert!(message.contains(&format!("line {}", damaged + 1)), "{}", message);
            }
            Err(other) => prop_assert!(false, "damage on line {} gave {:?}", damaged + 1, other),
        }
    }

    #[test]
    fn any_damage_to_a_journal_is_a_journal_error_naming_a_line_never_a_panic(
        (spec, entries) in journaled(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0usize..4), 1..4),
    ) {
        let mut bytes = (journal::header(&spec) + &journal::lines(&entries)).into_bytes();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len() + 1);
            match how {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => { bytes.remove(i); }
                2 if i < bytes.len() => bytes[i] = byte,
                _ => bytes.truncate(i),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let lines = text.split('\n').count();
        match journal::replay(&text) {
            Ok((batch, states)) => prop_assert_eq!(states.len(), batch.rows.len()),
            Err(JournalError::Corrupt(line, why)) => {
                prop_assert!((1..=lines).contains(&line) && !why.is_empty(), "line {} of {}: {}", line, lines, why);
            }
            Err(JournalError::RowOutOfRange(line, _)) => prop_assert!((1..=lines).contains(&line)),
            Err(JournalError::Empty | JournalError::Version(_)) => {}
        }
    }

    #[test]
    fn the_state_reader_agrees_with_serdes_tagged_enum(value in state_json()) {
        let ours = serde_json::from_value::<RowState>(value.clone());
        let simple = serde_json::from_value::<SimpleState>(value.clone()).map(RowState::from);
        match (ours, simple) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "{} read as {:?} by ours, {:?} by serde's", value, a, b.map_err(|e| e.to_string())),
        }
    }

    #[test]
    fn retry_after_reads_as_the_simple_reading_does(text in "[ 0-9.]{0,8}|[0-9]{18,22}(\\.[0-9]{0,5})?") {
        prop_assert_eq!(thousandths(&text), simple_thousandths(&text), "{:?}", text);
    }

    #[test]
    fn any_json_answer_is_a_typed_result_or_a_clear_error(
        value in json_value(),
        status in prop::sample::select(STATUSES.to_vec()),
        reference in any::<bool>(),
    ) {
        let profile = if reference { Profile::Reference } else { Profile::Sslcom };
        let resp = HttpResponse { status, retry_after: Some("2".into()), location: None, body: value.to_string() };
        let held = |o: &Order| {
            let back: Order = serde_json::from_str(&serde_json::to_string(o).unwrap()).unwrap();
            assert_eq!(&back, o);
        };
        match profile.parse_created(&resp) {
            Ok(order) => {
                prop_assert!((200..300).contains(&status) && !order.reference.is_empty(), "{:?}", order);
                held(&order);
            }
            Err(e) => parsed_well(&e),
        }
        match profile.parse_order_list(&resp) {
            Ok(orders) => {
                prop_assert!(value.is_array() && orders.len() == value.as_array().map_or(0, Vec::len));
                orders.iter().for_each(held);
            }
            Err(e) => parsed_well(&e),
        }
        match profile.parse_shown(&resp, "co-1") {
            Ok(order) => prop_assert_eq!(order.reference, "co-1"),
            Err(e) => parsed_well(&e),
        }
        match profile.parse_domains(&resp) {
            Ok(domains) => prop_assert!(domains.iter().all(|d| !d.is_empty()), "{:?}", domains),
            Err(e) => parsed_well(&e),
        }
        match profile.parse_products(&resp) {
            Ok(products) => prop_assert!(products.iter().all(|p| !p.code.is_empty()), "{:?}", products),
            Err(e) => parsed_well(&e),
        }
        // A status the answer alone settles is the same error whatever the body.
        let bare = HttpResponse { body: String::new(), ..resp.clone() };
        if matches!(status, 302 | 401 | 404 | 429 | 500 | 503) {
            prop_assert_eq!(profile.parse_created(&resp), profile.parse_created(&bare));
        }
    }
}
