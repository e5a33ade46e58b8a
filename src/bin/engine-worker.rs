//! The engine worker: decodes, parses and validates a roster off the page's
//! thread, so a million rows never freeze the page. Built by Trunk as a Web
//! Worker (`data-type="worker"` in index.html) and started by
//! `src/shared/engine.rs` when the first roster is loaded.
//!
//! Messages in: `{kind: "check", id, options: Uint8Array, bytes: ArrayBuffer}`
//! (options in `wire::encode_options` form; the bytes transferred, not
//! copied). Messages out: `{kind: "ready"}` once, then for each check
//! `{kind: "progress", id, done, total, rows}` in order, and
//! `{kind: "report", id, report: ArrayBuffer, preview: string}` (the report in
//! `wire::encode` form, transferred; the preview as JSON) or
//! `{kind: "error", id, message}`.

use js_sys::{Array, Object, Reflect, Uint8Array};
use smime_bulk_roster::{check_with_progress, preview, wire, CheckProgress};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Records shown beside the column mapping.
const PREVIEW_ROWS: usize = 3;

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        handle(&scope, &event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages sent before this handler existed would be lost: the page waits for this.
    let _ = scope.post_message(&message("ready", 0.0, &[]));
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let id = get("id").as_f64().unwrap_or(0.0);
    if get("kind").as_string().as_deref() != Some("check") {
        let _ = scope.post_message(&message("error", id, &[("message", "the engine worker got a message it does not know".into())]));
        return;
    }
    let options = Uint8Array::new(&get("options")).to_vec();
    let options = match wire::decode_options(&options) {
        Ok(o) => o,
        Err(e) => {
            let _ = scope.post_message(&message("error", id, &[("message", e.to_string().into())]));
            return;
        }
    };
    let bytes = Uint8Array::new(&get("bytes")).to_vec();
    let report = check_with_progress(&bytes, &options, &mut |p: CheckProgress| {
        let fields = [("done", p.bytes_done.into()), ("total", p.bytes_total.into()), ("rows", p.rows.into())];
        let _ = scope.post_message(&message("progress", id, &fields));
    });
    let preview = serde_json::to_string(&preview(&bytes, options.mode, PREVIEW_ROWS)).unwrap_or_else(|_| "[]".into());
    drop(bytes);
    let encoded = Uint8Array::from(wire::encode(&report).as_slice());
    drop(report);
    let buffer = encoded.buffer();
    let reply = message("report", id, &[("report", buffer.clone().into()), ("preview", preview.into())]);
    let _ = scope.post_message_with_transfer(&reply, &Array::of1(&buffer));
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
