//! A failure shown where it happened.

use leptos::prelude::*;

/// `message` as an alert paragraph (announced as it appears), or nothing
/// while it is `None`. Every step shows its failures through this one
/// function, so the page holds one copy of the code that renders them.
pub fn alert(message: RwSignal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })
}
