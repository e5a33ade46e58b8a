//! Moves keyboard focus to where the user's next step is.

use wasm_bindgen::JsCast;

/// Focuses the element with `id` once the page has rendered the change
/// (headings of steps have `tabindex="-1"` for this).
pub fn focus_soon(id: &'static str) {
    gloo_timers::callback::Timeout::new(0, move || {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(e) = element {
            let _ = e.focus();
        }
    })
    .forget();
}
