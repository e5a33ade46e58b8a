//! The engine worker: decodes, parses and validates a roster off the page's
//! thread, so a million rows never freeze the page. Built by Trunk as a Web
//! Worker (`data-type="worker"` in index.html) and started by
//! `src/shared/engine.rs` when the first roster is loaded.
//!
//! Messages in: `{kind: "check", id, options: Uint8Array, bytes: ArrayBuffer}`
//! (options in `wire::encode_options` form; the bytes transferred, not
//! copied), or `{kind: "csrs", id, pems: [string]}` for CSRs typed into the
//! grid, answered by `{kind: "csrs", id, outcomes: ArrayBuffer}`
//! (`wire::encode_csr_outcomes`): the page never carries the CSR checks.
//! Messages out: `{kind: "ready", warm_up_ms}` once (the warm-up's rounds'
//! times, for the benchmark), then for each check `{kind: "progress", id,
//! done, total, rows}` and `{kind: "rows", id, piece: ArrayBuffer}` (each piece of rows as soon as it is full, so the
//! page decodes rows while the check goes on: `wire::RowPieces`) in order,
//! and `{kind: "report", id, report: [ArrayBuffer], preview: string,
//! elapsed_ms, memory_bytes, report_bytes}` (the rest of the report in
//! `wire::encode` form, `wire::ReportPieces::into_rest`: the head, then what
//! follows the rows sent, in pieces of about 256 KB end to end; every piece
//! transferred; the preview as JSON; for the benchmark, the time from bytes
//! to encoded report, the worker's peak wasm memory and the whole report's
//! size outside it) or `{kind: "error", id, message}`.

use js_sys::{Array, Object, Reflect, Uint8Array};
use smime_bulk_roster::validate::CsrOutcomes;
use smime_bulk_roster::{csr, wire, CheckProgress};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Records shown beside the column mapping.
const PREVIEW_ROWS: usize = 3;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[path = "../shared/idn.rs"]
mod idn;

fn main() {
    console_error_panic_hook::set_once();
    smime_bulk_roster::email::set_idn_to_ascii(idn::to_ascii);
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        handle(&scope, &event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let rounds = warm_up();
    // Messages sent before this handler existed would be lost: the page waits for this.
    let _ = scope.post_message(&message("ready", 0.0, &[("warm_up_ms", rounds.into())]));
}

/// Rows of the roster [`warm_up`] checks in each round.
const WARM_UP_ROWS: usize = 30_000;

/// Checks a made-up roster again and again for [`WARM_UP_MS`], its reports
/// thrown away, before the first real one; returns each round's time in ms
/// (the `ready` message carries them, for the benchmark). The browser
/// compiles wasm quickly first, and well only once a function has run a
/// while, in the background: the rounds' times fall as the good code
/// arrives (in Chromium, 30,000 rows took 88-146 ms in the first round and
/// 11-13 once it was all there). With a single round, as before, the app's
/// first check of 100k rows took 82-136 ms in the worker, and later ones
/// 42-58; with these rounds, 44-57. The page starts the worker once it is
/// up, so this runs while the user connects, not while they wait.
fn warm_up() -> Array {
    // Mostly good rows, and now and then each common problem, so that the
    // findings' paths run too: a bad country, a duplicate, a broken address,
    // a missing name, another domain. Names with letters beyond ASCII, a
    // subdomain and an empty Csr column, as real rosters have: code that
    // only a real roster would reach is otherwise still the quick code.
    const FIRST: [&str; 6] = ["Ann", "Zoë", "Łukasz", "María", "Jörg", "Siobhán"];
    const LAST: [&str; 5] = ["Lee", "Müller", "García", "Weiß", "O'Brien"];
    let mut csv = String::from("First Name,Last Name,Email,Country,Csr\r\n");
    for i in 0..WARM_UP_ROWS {
        let first = if i % 53 == 0 { "" } else { FIRST[i % FIRST.len()] };
        let last = LAST[i % LAST.len()];
        let email = match i % 47 {
            0 => format!("ann.lee{}@example.com", i / 2),
            1 => format!("ann.lee{i}@@example.com"),
            2 => format!("Ann.Lee{i}@other.example"),
            3 => format!("ann.lee{i}@mail.example.com"),
            _ => format!("ann.lee{i}@example.com"),
        };
        let country = if i % 41 == 0 {
            "XY"
        } else {
            ["GB", "DE", "uk", "FR", "US"][i % 5]
        };
        csv.push_str(&format!("{first},{last}{},{email},{country},\r\n", i % 97));
    }
    let options = smime_bulk_roster::Options {
        domains: smime_bulk_roster::domains::ValidatedDomains::parse(["example.com"]).unwrap_or_default(),
        ..Default::default()
    };
    // The same store type as a real check's: the check is generic over it,
    // each type is a function of its own, and the browser compiles each on
    // its own, so warming another type (as the warm-up did) leaves the real
    // check's code cold.
    let mut store = CopyOut {
        scope: None,
        id: 0.0,
        bytes: 0.0,
    };
    let (rounds, started) = (Array::new(), now());
    while now() - started < WARM_UP_MS {
        let round = now();
        let _ = wire::check_with_progress(csv.as_bytes(), &options, &mut |_| {}, PREVIEW_ROWS, &mut store);
        rounds.push(&(now() - round).into());
    }
    rounds
}

/// How long the warm-up's rounds go on, in ms. The compiled code comes in
/// steps, and between two steps the rounds can hold still for a while, so
/// rounds that stop getting faster do not say it is all there: seen, on the
/// benchmark's 2-core machine, rounds of 30,000 rows at 11-12 ms from the
/// third round on, 140 ms in; and, in another run, ten rounds of 22-33 ms
/// until 520 ms in, then 11 ms a round.
const WARM_UP_MS: f64 = 700.0;

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let id = get("id").as_f64().unwrap_or(0.0);
    match get("kind").as_string().as_deref() {
        Some("check") => {}
        Some("csrs") => {
            let pems: Vec<String> = Array::from(&get("pems")).iter().filter_map(|p| p.as_string()).collect();
            let outcomes: CsrOutcomes = pems
                .into_iter()
                .map(|pem| {
                    let outcome = csr::check(&pem);
                    (pem, outcome)
                })
                .collect();
            let encoded = Uint8Array::from(wire::encode_csr_outcomes(&outcomes).as_slice());
            let buffer = encoded.buffer();
            let reply = message("csrs", id, &[("outcomes", buffer.clone().into())]);
            let _ = scope.post_message_with_transfer(&reply, &Array::of1(&buffer));
            return;
        }
        _ => {
            let _ = scope.post_message(&message(
                "error",
                id,
                &[("message", "the engine worker got a message it does not know".into())],
            ));
            return;
        }
    }
    let options = Uint8Array::new(&get("options")).to_vec();
    let options = match wire::decode_options(&options) {
        Ok(o) => o,
        Err(e) => {
            let _ = scope.post_message(&message("error", id, &[("message", e.to_string().into())]));
            return;
        }
    };
    let started = now();
    let bytes = INPUT.with(|kept| {
        let source = Uint8Array::new(&get("bytes"));
        let mut bytes = std::mem::take(&mut *kept.borrow_mut());
        // Only what the last file did not reach is zeroed before the copy.
        bytes.resize(source.length() as usize, 0);
        source.copy_to(&mut bytes);
        bytes
    });
    let mut store = CopyOut {
        scope: Some(scope.clone()),
        id,
        bytes: 0.0,
    };
    // Rows are encoded as they are checked: the report is never held as rows.
    let (encoded, preview) = wire::check_with_progress(
        &bytes,
        &options,
        &mut |p: CheckProgress| {
            let fields = [
                ("done", p.bytes_done.into()),
                ("total", p.bytes_total.into()),
                ("rows", p.rows.into()),
            ];
            let _ = scope.post_message(&message("progress", id, &fields));
        },
        PREVIEW_ROWS,
        &mut store,
    );
    INPUT.with(|kept| *kept.borrow_mut() = bytes);
    let preview = serde_json::to_string(&preview).unwrap_or_else(|_| "[]".into());
    let report_bytes = store.bytes;
    let pieces: Array = encoded.into_rest().iter().map(Uint8Array::buffer).collect();
    let elapsed = now() - started;
    let fields = [
        ("report", pieces.clone().into()),
        ("preview", preview.into()),
        ("elapsed_ms", elapsed.into()),
        ("memory_bytes", memory_bytes().into()),
        ("report_bytes", report_bytes.into()),
    ];
    let reply = message("report", id, &fields);
    let _ = scope.post_message_with_transfer(&reply, &pieces);
}

thread_local! {
    /// The buffer the last file was copied into, kept for the next: wasm
    /// memory never shrinks, and the largest buffer of a check freed and
    /// allocated again fragmented the heap (at a million rows the second
    /// check needed 124 MB where the first needed 107 MB).
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Copies each full piece of the report out of wasm memory into a buffer of
/// its own (to transfer) and lets the encoder write the next piece into the
/// same memory: the report never grows the worker's wasm memory. Each piece
/// of rows goes to the page at once (a `rows` message).
struct CopyOut {
    /// Where the pieces of rows go; none for [`warm_up`]'s check.
    scope: Option<DedicatedWorkerGlobalScope>,
    /// The check's id.
    id: f64,
    /// The report's bytes so far.
    bytes: f64,
}

impl wire::PieceStore for CopyOut {
    type Piece = Uint8Array;

    fn keep(&mut self, buffer: &mut Vec<u8>) -> Uint8Array {
        let piece = Uint8Array::new_with_length(buffer.len() as u32);
        piece.copy_from(buffer);
        buffer.clear();
        self.bytes += f64::from(piece.length());
        piece
    }

    fn rows_kept(&mut self, piece: &Uint8Array) {
        let Some(scope) = &self.scope else { return };
        let buffer = piece.buffer();
        let reply = message("rows", self.id, &[("piece", buffer.clone().into())]);
        let _ = scope.post_message_with_transfer(&reply, &Array::of1(&buffer));
    }
}

/// The worker's clock in milliseconds (`performance.now()`).
fn now() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).unwrap_or(JsValue::UNDEFINED);
    Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|now| now.call0(&performance).ok())
        .and_then(|t| t.as_f64())
        .unwrap_or(0.0)
}

/// The size of the worker's WebAssembly memory: it only grows, so after a
/// check it is the peak the check needed.
fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// `{kind, id, ...fields}`.
fn message(kind: &str, id: f64, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"kind".into(), &kind.into());
    let _ = Reflect::set(&object, &"id".into(), &id.into());
    for (key, value) in fields {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}
