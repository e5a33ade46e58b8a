//! The page's side of the engine worker (`src/bin/engine_worker.rs`): starts
//! it on first use, sends it a roster, hands its progress to a callback and
//! returns the report. Cancelling terminates the worker; the next check
//! starts a fresh one.

use futures_channel::oneshot;
use js_sys::{Array, Object, Reflect, Uint8Array};
use smime_bulk_roster::{wire, CheckProgress, Options, Report};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// What a finished check hands back.
pub struct Checked {
    /// The report.
    pub report: Report,
    /// The first records, every column as read (for the mapping preview).
    pub preview: Vec<Vec<String>>,
}

/// Why a check gave no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The user cancelled it (or a newer check replaced it).
    Cancelled,
    /// The worker could not start or failed; the text says why.
    Failed(String),
}

type Reply = Result<Checked, EngineError>;

/// The running worker and the check it is doing.
struct Running {
    worker: Worker,
    /// Resolves the check under way.
    reply: Option<oneshot::Sender<Reply>>,
    /// The request waiting for the worker to say it is ready.
    queued: Option<(JsValue, Array)>,
    ready: bool,
    progress: Rc<dyn Fn(CheckProgress)>,
    // The handlers live as long as the worker.
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(ErrorEvent)>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// Checks `bytes` against `options` in the worker, calling `progress` as it
/// goes. A check started while another runs cancels the other.
pub async fn check(bytes: &[u8], options: &Options, progress: impl Fn(CheckProgress) + 'static) -> Reply {
    if RUNNING.with(|slot| slot.borrow().as_ref().is_some_and(|r| r.reply.is_some())) {
        cancel();
    }
    let (tx, rx) = oneshot::channel();
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    let data = Uint8Array::from(bytes);
    let request = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&request, &k.into(), v).map(|_| ());
    let built = set("kind", &"check".into())
        .and(set("id", &id.into()))
        .and(set("options", &Uint8Array::from(wire::encode_options(options).as_slice()).into()))
        .and(set("bytes", &data.buffer().into()));
    if built.is_err() {
        return Err(EngineError::Failed("the request to the engine worker could not be built".into()));
    }
    let transfer = Array::of1(&data.buffer());
    let progress: Rc<dyn Fn(CheckProgress)> = Rc::new(progress);
    // An idle worker is reused; a busy one was cancelled above.
    let idle = RUNNING.with(|slot| slot.borrow().is_some());
    if !idle {
        let running = spawn()?;
        RUNNING.with(|slot| *slot.borrow_mut() = Some(running));
    }
    let posted = RUNNING.with(|slot| {
        let mut slot = slot.borrow_mut();
        let Some(running) = slot.as_mut() else { return Err(JsValue::from_str("the worker is gone")) };
        running.reply = Some(tx);
        running.progress = progress;
        if running.ready {
            running.worker.post_message_with_transfer(&request, &transfer)
        } else {
            running.queued = Some((request.into(), transfer));
            Ok(())
        }
    });
    if let Err(e) = posted {
        finish(Err(EngineError::Failed(format!("the roster could not be handed to the engine worker: {e:?}"))));
    }
    rx.await.unwrap_or(Err(EngineError::Cancelled))
}

/// Stops the check under way, if any: its future resolves to
/// [`EngineError::Cancelled`].
pub fn cancel() {
    if let Some(running) = RUNNING.with(|slot| slot.borrow_mut().take()) {
        running.worker.terminate();
        if let Some(reply) = running.reply {
            let _ = reply.send(Err(EngineError::Cancelled));
        }
    }
}

/// The worker's script, as the build wrote its (hashed) name into the page.
fn worker_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=smime-bulk-engine]").ok()??;
    meta.get_attribute("content")
}

fn spawn() -> Result<Running, EngineError> {
    let url = worker_url().ok_or_else(|| {
        EngineError::Failed("this page does not name its engine worker (meta smime-bulk-engine); rebuild the site".into())
    })?;
    let worker = Worker::new(&url).map_err(|e| EngineError::Failed(format!("the engine worker could not start: {e:?}")))?;
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(on_message);
    let on_error = Closure::<dyn Fn(ErrorEvent)>::new(|event: ErrorEvent| {
        // A worker that failed is not reused.
        if let Some(mut running) = RUNNING.with(|slot| slot.borrow_mut().take()) {
            running.worker.terminate();
            if let Some(reply) = running.reply.take() {
                let _ = reply.send(Err(EngineError::Failed(format!("the engine worker failed: {}", event.message()))));
            }
            // Not dropped here: this handler is one of the closures it owns.
            wasm_bindgen_futures::spawn_local(async move { drop(running) });
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        reply: None,
        queued: None,
        ready: false,
        progress: Rc::new(|_| {}),
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let get = |key: &str| Reflect::get(&data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let number = |key: &str| get(key).as_f64().unwrap_or(0.0) as usize;
    match get("kind").as_string().as_deref() {
        Some("ready") => {
            let posted = RUNNING.with(|slot| match slot.borrow_mut().as_mut() {
                Some(running) => {
                    running.ready = true;
                    match running.queued.take() {
                        Some((request, transfer)) => running.worker.post_message_with_transfer(&request, &transfer),
                        None => Ok(()),
                    }
                }
                None => Ok(()),
            });
            if let Err(e) = posted {
                finish(Err(EngineError::Failed(format!("the roster could not be handed to the engine worker: {e:?}"))));
            }
        }
        Some("progress") => {
            let progress = RUNNING.with(|slot| slot.borrow().as_ref().map(|r| r.progress.clone()));
            if let Some(progress) = progress {
                progress(CheckProgress { bytes_done: number("done"), bytes_total: number("total"), rows: number("rows") });
            }
        }
        Some("report") => {
            let bytes = Uint8Array::new(&get("report")).to_vec();
            let preview = get("preview").as_string().and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
            let reply = wire::decode(&bytes)
                .map(|report| Checked { report, preview })
                .map_err(|e| EngineError::Failed(format!("the engine worker's report could not be read ({e})")));
            finish(reply);
        }
        Some("error") => finish(Err(EngineError::Failed(get("message").as_string().unwrap_or_default()))),
        _ => {}
    }
}

/// Resolves the check under way; the worker stays for the next one.
fn finish(reply: Reply) {
    let sender = RUNNING.with(|slot| slot.borrow_mut().as_mut().and_then(|r| r.reply.take()));
    if let Some(sender) = sender {
        let _ = sender.send(reply);
    }
}
