//! The page's side of the engine worker (`src/bin/engine-worker.rs`): starts
//! it on first use, sends it a roster (or CSRs typed into the grid), hands
//! its progress to a callback and returns what it found. Cancelling
//! terminates the worker; the next request starts a fresh one.

use crate::shared::file::BrowserBytes;
use futures_channel::oneshot;
use js_sys::{Array, Object, Reflect, Uint8Array};
use smime_bulk_roster::editor::KeyIndex;
use smime_bulk_roster::validate::CsrOutcomes;
use smime_bulk_roster::{wire, CheckProgress, Options};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// What a finished check hands back.
pub struct Checked {
    /// The rows the worker sent while it checked, decoded as they came.
    pub rows: wire::RowPieces,
    /// Those rows grouped by their address keys, as they came.
    pub index: KeyIndex,
    /// The rest of the report (`wire::ReportPieces::into_rest`): the page
    /// decodes it a slice at a time (see `state.rs`), never in one long task.
    pub report: Vec<u8>,
    /// The first records, every column as read (for the mapping preview).
    pub preview: Vec<Vec<String>>,
}

/// Why a request gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The user cancelled it (or a newer check replaced it).
    Cancelled,
    /// The worker could not start or failed; the text says why.
    Failed(String),
}

/// The worker's answer to one request.
enum Answer {
    /// The report still in the buffers the worker transferred (its pieces,
    /// in order), and the preview.
    Checked(Vec<Uint8Array>, Vec<Vec<String>>),
    Csrs(CsrOutcomes),
}

type Reply = Result<Answer, EngineError>;

/// What a check's progress is handed to.
type OnProgress = Rc<dyn Fn(CheckProgress)>;

/// A check's rows as they come, grouped by key as they come, or why a piece
/// of them could not be read.
type RowsIn = Rc<RefCell<Result<(wire::RowPieces, KeyIndex), wire::WireError>>>;

/// The check under way: its progress callback, and its rows as they come
/// (decoded in the message handler: a piece of rows is a few ms).
struct Under {
    id: u32,
    progress: OnProgress,
    rows: RowsIn,
}

/// The running worker and the requests it has not answered.
struct Running {
    worker: Worker,
    /// Requests by id, waiting for their answer.
    waiting: HashMap<u32, oneshot::Sender<Reply>>,
    /// Requests sent before the worker said it was ready.
    queued: Vec<(JsValue, Array)>,
    ready: bool,
    /// The roster check under way (the one progress and rows are for), if any.
    check: Option<Under>,
    // The handlers live as long as the worker.
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(ErrorEvent)>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// The latest check asked for (see [`check`]).
    static CHECK_TICKET: Cell<u32> = const { Cell::new(0) };
}

/// Checks `bytes` against `options` in the worker, calling `progress` as it
/// goes. A check started while another runs cancels the other.
pub async fn check(
    bytes: &BrowserBytes,
    options: &Options,
    progress: impl Fn(CheckProgress) + 'static,
) -> Result<Checked, EngineError> {
    // The copy yields to the browser: a check started meanwhile wins.
    let ticket = CHECK_TICKET.with(|t| t.replace(t.get() + 1) + 1);
    let data = bytes.copy().await;
    crate::shared::slices::mark("sent");
    if CHECK_TICKET.with(Cell::get) != ticket {
        return Err(EngineError::Cancelled);
    }
    if RUNNING.with(|slot| slot.borrow().as_ref().is_some_and(|r| r.check.is_some())) {
        cancel();
    }
    let pieces = (wire::RowPieces::up_to(options.limits.max_rows), KeyIndex::default());
    let options = Uint8Array::from(wire::encode_options(options).as_slice());
    let fields = [("options", options.into()), ("bytes", data.buffer().into())];
    let transfer = Array::of1(&data.buffer());
    let rows: RowsIn = Rc::new(RefCell::new(Ok(pieces)));
    let hooks = (Rc::new(progress) as OnProgress, rows.clone());
    match request("check", &fields, transfer, Some(hooks)).await? {
        Answer::Checked(report, preview) => {
            let (rows, index) = std::mem::replace(&mut *rows.borrow_mut(), Ok(Default::default()))
                .map_err(|e| EngineError::Failed(format!("the engine worker's rows could not be read ({e})")))?;
            let report = crate::shared::file::from_browser(&report).await;
            Ok(Checked {
                rows,
                index,
                report,
                preview,
            })
        }
        Answer::Csrs(_) => Err(EngineError::Failed(
            "the engine worker answered a check with CSR outcomes".into(),
        )),
    }
}

/// Checks CSRs (typed into the grid) in the worker.
pub async fn check_csrs(pems: &[String]) -> Result<CsrOutcomes, EngineError> {
    let list: Array = pems.iter().map(|p| JsValue::from_str(p)).collect();
    match request("csrs", &[("pems", list.into())], Array::new(), None).await? {
        Answer::Csrs(outcomes) => Ok(outcomes),
        Answer::Checked(..) => Err(EngineError::Failed(
            "the engine worker answered CSRs with a report".into(),
        )),
    }
}

/// Stops the worker and every request under way: they resolve to
/// [`EngineError::Cancelled`].
pub fn cancel() {
    // A check still copying its bytes stops there.
    CHECK_TICKET.with(|t| t.set(t.get() + 1));
    if let Some(running) = RUNNING.with(|slot| slot.borrow_mut().take()) {
        // Events already queued must not reach the handlers dropped below.
        running.worker.set_onmessage(None);
        running.worker.set_onerror(None);
        running.worker.terminate();
        for (_, reply) in running.waiting {
            let _ = reply.send(Err(EngineError::Cancelled));
        }
    }
}

/// Sends `{kind, id, ...fields}` to the worker (started if need be) and waits
/// for the answer.
async fn request(
    kind: &str,
    fields: &[(&str, JsValue)],
    transfer: Array,
    check: Option<(OnProgress, RowsIn)>,
) -> Result<Answer, EngineError> {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let message = Object::new();
    let mut built =
        Reflect::set(&message, &"kind".into(), &kind.into()).and(Reflect::set(&message, &"id".into(), &id.into()));
    for (key, value) in fields {
        built = built.and(Reflect::set(&message, &(*key).into(), value));
    }
    if built.is_err() {
        return Err(EngineError::Failed(
            "the request to the engine worker could not be built".into(),
        ));
    }
    start()?;
    let (tx, rx) = oneshot::channel();
    let posted = RUNNING.with(|slot| {
        let mut slot = slot.borrow_mut();
        let Some(running) = slot.as_mut() else {
            return Err(JsValue::from_str("the worker is gone"));
        };
        running.waiting.insert(id, tx);
        if let Some((progress, rows)) = check {
            running.check = Some(Under { id, progress, rows });
        }
        if running.ready {
            running.worker.post_message_with_transfer(&message, &transfer)
        } else {
            running.queued.push((message.into(), transfer));
            Ok(())
        }
    });
    if let Err(e) = posted {
        answer(
            id,
            Err(EngineError::Failed(format!(
                "the request could not be handed to the engine worker: {e:?}"
            ))),
        );
    }
    rx.await.unwrap_or(Err(EngineError::Cancelled))
}

/// Starts the worker unless it runs.
fn start() -> Result<(), EngineError> {
    if RUNNING.with(|slot| slot.borrow().is_none()) {
        let running = spawn()?;
        RUNNING.with(|slot| *slot.borrow_mut() = Some(running));
    }
    Ok(())
}

/// Starts the worker ahead of the first roster, once the page is up: its
/// wasm is fetched and compiled while the user connects and types the
/// domains, not after the file is chosen (for a small roster that wait is
/// most of the check). The worker is still no part of the first load. A
/// worker that cannot start says so on the first check instead.
pub fn warm_up() {
    let _ = start();
}

/// The worker's script, as the build wrote its name into the page.
fn worker_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=smime-bulk-engine]").ok()??;
    meta.get_attribute("content")
}

fn spawn() -> Result<Running, EngineError> {
    let url = worker_url().ok_or_else(|| {
        EngineError::Failed(
            "this page does not name its engine worker (meta smime-bulk-engine); rebuild the site".into(),
        )
    })?;
    let worker =
        Worker::new(&url).map_err(|e| EngineError::Failed(format!("the engine worker could not start: {e:?}")))?;
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(on_message);
    let on_error = Closure::<dyn Fn(ErrorEvent)>::new(|event: ErrorEvent| {
        // A worker that failed is not reused.
        if let Some(mut running) = RUNNING.with(|slot| slot.borrow_mut().take()) {
            running.worker.terminate();
            for (_, reply) in running.waiting.drain() {
                let _ = reply.send(Err(EngineError::Failed(format!(
                    "the engine worker failed: {}",
                    event.message()
                ))));
            }
            // Not dropped here: this handler is one of the closures it owns.
            wasm_bindgen_futures::spawn_local(async move { drop(running) });
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        waiting: HashMap::new(),
        queued: Vec::new(),
        ready: false,
        check: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let get = |key: &str| Reflect::get(&data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let number = |key: &str| get(key).as_f64().unwrap_or(0.0) as usize;
    let id = get("id").as_f64().unwrap_or(0.0) as u32;
    match get("kind").as_string().as_deref() {
        Some("ready") => {
            let failed: Vec<JsValue> = RUNNING.with(|slot| {
                let mut slot = slot.borrow_mut();
                let Some(running) = slot.as_mut() else {
                    return Vec::new();
                };
                running.ready = true;
                let queued = std::mem::take(&mut running.queued);
                queued
                    .into_iter()
                    .filter_map(|(message, transfer)| {
                        running
                            .worker
                            .post_message_with_transfer(&message, &transfer)
                            .err()
                            .map(|_| message)
                    })
                    .collect()
            });
            for message in failed {
                let id = Reflect::get(&message, &"id".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0) as u32;
                answer(
                    id,
                    Err(EngineError::Failed(
                        "the request could not be handed to the engine worker".into(),
                    )),
                );
            }
        }
        Some("progress") => {
            if let Some((on_progress, rows)) = under(id) {
                let progress = CheckProgress {
                    bytes_done: number("done"),
                    bytes_total: number("total"),
                    rows: number("rows"),
                };
                // Room for the rows to come, made once as soon as they can be
                // estimated. At a million rows this thread, decoding the rows
                // as they come, is the slower of the two (the worker's report
                // waits behind its last pieces); doubling them into place
                // made it slower still.
                if let Ok((decoded, index)) = rows.borrow_mut().as_mut() {
                    if let Some(more) = decoded.reserve_once(&progress) {
                        index.reserve(more);
                    }
                }
                on_progress(progress);
            }
        }
        Some("rows") => {
            if let Some((_, rows)) = under(id) {
                let mut rows = rows.borrow_mut();
                if let Ok((decoded, index)) = rows.as_mut() {
                    let piece = Uint8Array::new(&get("piece")).to_vec();
                    match decoded.decode(&piece) {
                        Ok(()) => index.add_rows(&decoded.rows()[index.rows()..]),
                        Err(e) => *rows = Err(e),
                    }
                }
            }
        }
        Some("report") => {
            crate::shared::slices::mark("worker-done");
            let report = Array::from(&get("report"))
                .iter()
                .map(|piece| Uint8Array::new(&piece))
                .collect();
            let preview = get("preview")
                .as_string()
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_default();
            answer(id, Ok(Answer::Checked(report, preview)));
        }
        Some("csrs") => {
            let bytes = Uint8Array::new(&get("outcomes")).to_vec();
            let reply = wire::decode_csr_outcomes(&bytes)
                .map(Answer::Csrs)
                .map_err(|e| EngineError::Failed(format!("the engine worker's CSR outcomes could not be read ({e})")));
            answer(id, reply);
        }
        Some("error") => answer(
            id,
            Err(EngineError::Failed(get("message").as_string().unwrap_or_default())),
        ),
        _ => {}
    }
}

/// The progress callback and the rows of check `id`, if it is the one under way.
fn under(id: u32) -> Option<(OnProgress, RowsIn)> {
    RUNNING.with(|slot| {
        let slot = slot.borrow();
        let under = slot.as_ref()?.check.as_ref().filter(|u| u.id == id)?;
        Some((under.progress.clone(), under.rows.clone()))
    })
}

/// Resolves request `id`; the worker stays for the next one.
fn answer(id: u32, reply: Reply) {
    let sender = RUNNING.with(|slot| {
        let mut slot = slot.borrow_mut();
        let running = slot.as_mut()?;
        if running.check.as_ref().is_some_and(|under| under.id == id) {
            running.check = None;
        }
        running.waiting.remove(&id)
    });
    if let Some(sender) = sender {
        let _ = sender.send(reply);
    }
}
