//! Composes the workflow steps and owns the state they share.

use crate::features::{domains::DomainsStep, load::LoadStep, review::ReviewStep};
use crate::shared::state::RosterState;
use leptos::prelude::*;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = RosterState::new();
    provide_context(state);
    view! {
        <header class="masthead">
            <h1>"smime-bulk"</h1>
            <p class="tagline">"Bulk-order Personal ID + Organization S/MIME certificates. Your roster stays in this browser."</p>
        </header>
        <main>
            <DomainsStep/>
            <LoadStep/>
            <ReviewStep/>
        </main>
    }
}
