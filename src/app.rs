//! Composes the workflow steps and owns the state they share.

use crate::features::{
    connect::ConnectStep,
    domains::DomainsStep,
    load::LoadStep,
    mapping::MappingStep,
    order::OrderStep,
    results::ResultsStep,
    review::ReviewStep,
    submit::{Runner, SubmitStep},
};
use crate::shared::config;
use crate::shared::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    // The batch placed in the order step is driven by the submit step.
    let runner = Runner::new(state);
    spawn_local(async move {
        match config::load().await {
            Ok(c) => {
                let first = c.cas.first().map(|f| f.url.clone());
                state.config.set(c);
                if let Some(url) = first {
                    state.choose_ca(url);
                }
            }
            // Keep the built-in presets; say why.
            Err(e) => state.announce.set(format!("Using the built-in CA list ({e}).")),
        }
        // After the first paint: the engine worker gets ready meanwhile.
        crate::shared::file::yield_to_browser().await;
        crate::shared::engine::warm_up();
    });
    view! {
        <a class="skip" href="#step-load">"Skip to loading the roster"</a>
        <header class="masthead">
            <h1>"smime-bulk"</h1>
            <p class="tagline">"Bulk-order Personal ID + Organization S/MIME certificates. Your roster stays in this browser and goes only to the CA."</p>
            <nav aria-label="Steps">
                <ol class="steps">
                    <li><a href="#step-connect">"Connect"</a></li>
                    <li><a href="#step-domains">"Domains"</a></li>
                    <li><a href="#step-load">"Load"</a></li>
                    <li><a href="#step-mapping">"Map"</a></li>
                    <li><a href="#step-review">"Review"</a></li>
                    <li><a href="#step-order">"Order"</a></li>
                    <li><a href="#step-submit">"Submit"</a></li>
                    <li><a href="#step-results">"Results"</a></li>
                </ol>
            </nav>
        </header>
        <main>
            <ConnectStep/>
            <DomainsStep/>
            <LoadStep/>
            <MappingStep/>
            <ReviewStep/>
            <OrderStep on_place=move |spec| runner.start(spec)/>
            <SubmitStep runner/>
            <ResultsStep/>
        </main>
        <div class="visually-hidden" role="status" aria-live="polite" id="announcer">{move || state.announce.get()}</div>
    }
}
