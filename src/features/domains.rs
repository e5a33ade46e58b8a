//! Step: the organisation's pre-validated email domains.

use crate::shared::state::use_roster;
use leptos::prelude::*;

/// Text box for the validated domains, with chips and the exact-match switch.
#[component]
pub fn DomainsStep() -> impl IntoView {
    let state = use_roster();
    let chips = move || match state.domains.get() {
        Ok(d) => d.iter().map(|d| view! { <li class="chip">{d.to_owned()}</li> }).collect_view().into_any(),
        Err(e) => view! { <li class="error" role="alert">{e.to_string()}</li> }.into_any(),
    };
    view! {
        <section class="step" aria-labelledby="domains-title">
            <h2 id="domains-title">"1. Validated domains"</h2>
            <p class="hint">"The email domains your organisation has pre-validated with the CA. Addresses in other domains are flagged."</p>
            <label for="domains">"Domains (comma, space or one per line)"</label>
            <textarea id="domains" rows="2" placeholder="example.com, example.org"
                prop:value=move || state.domains_text.get()
                on:input=move |ev| state.domains_text.set(event_target_value(&ev))
            ></textarea>
            <ul class="chips" aria-label="Validated domains">{chips}</ul>
            <label class="switch">
                <input type="checkbox" id="exact-domains"
                    prop:checked=move || state.exact_domains.get()
                    on:change=move |ev| state.exact_domains.set(event_target_checked(&ev))
                />
                " Exact matching (subdomains such as mail.example.com are not covered)"
            </label>
        </section>
    }
}
