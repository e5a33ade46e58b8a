//! Step 2: the organisation's pre-validated email domains, from the CA or typed.

use crate::shared::ca::{call, CallError};
use crate::shared::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::protocol::CaError;

/// Domain chips, the text box, "Load from the CA", and the exact-match switch.
#[component]
pub fn DomainsStep() -> impl IntoView {
    let state = use_app();
    let message = RwSignal::new(None::<(bool, String)>);
    let load = move |_| {
        let base = state.ca_url.get_untracked();
        let creds = state.credentials();
        let profile = state.ca_profile.get_untracked();
        let Some(request) = profile.list_domains(&creds) else {
            return;
        };
        message.set(Some((true, "Asking the CA…".into())));
        spawn_local(async move {
            let result = match call(&base, &request, |r| profile.parse_domains(r)).await {
                Ok(list) => {
                    let n = list.len();
                    state.domains_text.set(list.join(", "));
                    (true, format!("{n} validated domains loaded from the CA."))
                }
                Err(CallError::Ca(CaError::NotFound)) => (
                    false,
                    "This CA does not list validated domains; type them below.".into(),
                ),
                Err(CallError::Ca(CaError::Unauthorized)) => {
                    (false, "The CA refused the keys; check them in step 1.".into())
                }
                Err(CallError::Ca(e)) => (
                    false,
                    format!("Unexpected answer from the CA: {e}. Type the domains below."),
                ),
                Err(CallError::NoAnswer(why)) => (false, why.explain().await),
            };
            state.announce.set(result.1.clone());
            message.set(Some(result));
        });
    };
    let chips = move || match state.domains.get() {
        Ok(d) => d
            .iter()
            .map(|d| view! { <li class="chip">{d.to_owned()}</li> })
            .collect_view()
            .into_any(),
        Err(e) => view! { <li class="error" role="alert">{e.to_string()}</li> }.into_any(),
    };
    view! {
        <section class="step" id="step-domains" aria-labelledby="domains-title">
            <h2 id="domains-title" tabindex="-1">"2. Validated domains"</h2>
            <p class="hint">"The email domains your organisation has pre-validated with the CA. Addresses in other domains are flagged."</p>
            {move || if state.ca_profile.get().list_domains(&state.credentials()).is_some() {
                view! {
                    <div class="actions">
                        <button type="button" id="load-domains" on:click=load>"Load from the CA"</button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <p class="hint" id="domains-not-listed">"This CA's API does not list the domains your account has validated: type them as its portal shows them (SSL.com: Validations)."</p>
                }.into_any()
            }}
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" } role="status">{m}</p> })}
            <label for="domains">"Domains (comma, space or one per line)"</label>
            <textarea id="domains" rows="2" placeholder="example.com, example.org"
                prop:value=move || state.domains_text.get()
                on:change=move |ev| state.domains_text.set(event_target_value(&ev))
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
