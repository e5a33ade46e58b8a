//! Long work on the page's thread, a slice at a time: a step runs again and
//! again until the task has used its budget ([`BUDGET_MS`]), then the page
//! yields to the browser (to paint, and to take a click on Cancel).
//!
//! The yield is a message to itself through a `MessageChannel`, not a timer:
//! Chromium clamps a timer set from a timer (as each slice's was) to at
//! least 4 ms, and taking a million rows over in slices of 8,192 rows waited
//! 122 × 4 ms in each of three passes, doing nothing.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The time a task may run before it yields, in ms: well under the 50 ms
/// at which the browser calls a task long, with room for the last step.
pub const BUDGET_MS: f64 = 25.0;

/// A task's time budget, from its start.
pub struct Budget {
    started: f64,
}

impl Budget {
    /// A budget starting now.
    pub fn start() -> Self {
        Budget { started: now() }
    }

    /// Whether the task has run for [`BUDGET_MS`].
    pub fn spent(&self) -> bool {
        now() - self.started >= BUDGET_MS
    }

    /// Yields to the browser if the budget is spent (the next task starts a
    /// fresh one); otherwise carries on at once.
    pub async fn yield_if_spent(&mut self) {
        if self.spent() {
            yield_now().await;
            self.started = now();
        }
    }
}

/// Lets the browser paint and handle input, then carries on: a task of its
/// own, queued behind what is waiting, without a timer's clamp.
pub async fn yield_now() {
    // Built through `js_sys`: the page's web-sys features lack the channel.
    let Some((port1, port2)) = message_channel() else {
        // No channel (never in a browser that runs this page): a timer will do.
        return crate::shared::file::yield_to_browser().await;
    };
    let promise = Promise::new(&mut |resolve, _| {
        let _ = Reflect::set(&port1, &"onmessage".into(), &resolve);
        if let Ok(post) = Reflect::get(&port2, &"postMessage".into()).and_then(|f| f.dyn_into::<Function>()) {
            let _ = post.call1(&port2, &JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    let _ = Reflect::set(&port1, &"onmessage".into(), &JsValue::NULL);
}

/// A new `MessageChannel`'s two ports.
fn message_channel() -> Option<(JsValue, JsValue)> {
    let class = Reflect::get(&js_sys::global(), &"MessageChannel".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let channel = Reflect::construct(&class, &Array::new()).ok()?;
    let port1 = Reflect::get(&channel, &"port1".into()).ok()?;
    let port2 = Reflect::get(&channel, &"port2".into()).ok()?;
    Some((port1, port2))
}

/// Sets a User Timing mark `smime-bulk:{stage}` (read by `bench/browser.mjs`
/// to say where a roster's load spends its time; nothing else reads it).
pub fn mark(stage: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("smime-bulk:{stage}"));
    }
}

/// The page's clock in ms (`performance.now()`).
fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
