//! Step 1: choose the CA and enter the API keys; test the connection.

use crate::shared::ca::{call, explain_failure, send, CallError, TIMEOUT_MS};
use crate::shared::state::{use_app, Connection};
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::engine::Outcome;
use smime_bulk_ca::probe::{self, CheckId, Finding};
use smime_bulk_ca::protocol::trust::{check_ca_url, origin_of};
use smime_bulk_ca::protocol::{CaError, ListQuery, Profile};

/// The CA picker, the keys, and "Test connection".
#[component]
pub fn ConnectStep() -> impl IntoView {
    let state = use_app();
    let custom = RwSignal::new(false);
    let preset_value = move || {
        let url = state.ca_url.get();
        if custom.get() || !state.config.get().cas.iter().any(|c| c.url == url) {
            "custom".to_owned()
        } else {
            url
        }
    };
    let demo = move || {
        let url = state.ca_url.get();
        state
            .config
            .get()
            .cas
            .into_iter()
            .find(|c| c.url == url)
            .and_then(|c| Some((c.demo_account_key?, c.demo_secret_key?)))
    };
    let test = move |_| {
        let base = state.ca_url.get_untracked();
        let creds = state.credentials();
        if creds.account_key.is_empty() || creds.secret_key().is_empty() {
            state.connection.set(Connection::Failed(
                "Enter the account key and the secret key first.".into(),
            ));
            return;
        }
        if let Err(e) = check_ca_url(&base) {
            state.connection.set(Connection::Failed(format!("Not sent: {e}.")));
            return;
        }
        state.connection.set(Connection::Testing);
        let profile = state.ca_profile.get_untracked();
        spawn_local(async move {
            // A CA with a product API is asked for its products; one without
            // (SSL.com) is asked for one page of orders, which tries the keys.
            let asked = match profile.list_products(&creds) {
                Some(request) => call(&base, &request, |r| profile.parse_products(r))
                    .await
                    .map(|products| {
                        let n = products.len();
                        state.products.set(products);
                        format!("Connected to {base}: {n} S/MIME products available.")
                    }),
                None => {
                    let query = ListQuery {
                        page: 1,
                        per_page: 1,
                        created_since: 0,
                    };
                    call(&base, &profile.list_orders(&creds, &query), |r| {
                        profile.parse_order_list(r)
                    })
                    .await
                    .map(|_| {
                        state.products.set(state.catalogue_untracked());
                        format!(
                            "Connected to {base}: the keys were accepted. This CA has no product list; \
                                 the products offered are built in, priced per your agreement."
                        )
                    })
                }
            };
            let result = match asked {
                Ok(message) => Connection::Ok(message),
                Err(CallError::Ca(CaError::Unauthorized)) => Connection::Failed(
                    "The CA refused these keys. Check the account key and the secret key in your CA account's API settings.".into(),
                ),
                Err(CallError::Ca(e @ CaError::Redirected(_))) => Connection::Failed(format!("Not connected to {base}: {e}.")),
                Err(CallError::Ca(e)) => Connection::Failed(format!("The CA at {base} gave an unexpected answer: {e}. Check that the URL is the CA's API address and that it speaks the {profile} dialect.")),
                Err(CallError::NoAnswer(why)) => Connection::Failed(why.explain().await),
            };
            state.announce.set(match &result {
                Connection::Ok(m) | Connection::Failed(m) => m.clone(),
                _ => String::new(),
            });
            state.connection.set(result);
        });
    };

    // "Check this CA": the read-only checks of `smime-bulk probe` from the
    // page (the browser itself answers the CORS questions: a blocked answer
    // is no answer).
    let findings = RwSignal::new(None::<Vec<Finding>>);
    let checking = RwSignal::new(false);
    let check = move |_| {
        let base = state.ca_url.get_untracked();
        let creds = state.credentials();
        let profile = state.ca_profile.get_untracked();
        checking.set(true);
        spawn_local(async move {
            if let Err(e) = check_ca_url(&base) {
                findings.set(Some(vec![no_answer("the CA URL", e)]));
                checking.set(false);
                return;
            }
            let mut out = Vec::new();
            let mut listed = Vec::new();
            for c in probe::checks(profile, &creds) {
                match send(&base, &c.request, TIMEOUT_MS).await {
                    Outcome::Response(r) => {
                        let (finding, refs) = probe::judge(profile, c.id, &r);
                        if c.id == CheckId::Keys {
                            listed = refs;
                        }
                        out.push(finding);
                    }
                    other => out.push(no_answer(c.id.name(), explain_failure(&base, &other).await)),
                }
            }
            if let Some(reference) = listed.first() {
                let c = probe::show_check(profile, &creds, reference);
                if let Outcome::Response(r) = send(&base, &c.request, TIMEOUT_MS).await {
                    out.push(probe::judge(profile, c.id, &r).0);
                }
            }
            let bad = out.iter().filter(|f| f.matches == Some(false)).count();
            state.announce.set(if bad == 0 {
                format!("The CA behaves as the {profile} profile says.")
            } else {
                format!("{bad} checks differ from the {profile} profile.")
            });
            findings.set(Some(out));
            checking.set(false);
        });
    };

    view! {
        <section class="step" id="step-connect" aria-labelledby="connect-title">
            <h2 id="connect-title" tabindex="-1">"1. Connect to the CA"</h2>
            <div class="fields">
                <div>
                    <label for="ca-preset">"Certificate authority"</label>
                    <select id="ca-preset"
                        prop:value=preset_value
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if v == "custom" {
                                custom.set(true);
                            } else {
                                custom.set(false);
                                state.choose_ca(v);
                            }
                            state.connection.set(Connection::Untested);
                        }>
                        {move || state.config.get().cas.into_iter().map(|c| view! { <option value=c.url.clone()>{format!("{} ({})", c.name, c.url)}</option> }).collect_view()}
                        <option value="custom">"Another CA (enter its API URL)"</option>
                    </select>
                </div>
                <Show when=move || preset_value() == "custom">
                    <div>
                        <label for="ca-url">"CA API URL"</label>
                        <input id="ca-url" type="url" placeholder="https://ca.example/api" autocomplete="url"
                            prop:value=move || state.ca_url.get()
                            on:change=move |ev| state.ca_url.set(event_target_value(&ev).trim().to_owned())/>
                    </div>
                    <div>
                        <label for="ca-profile">"It speaks"</label>
                        <select id="ca-profile"
                            prop:value=move || state.ca_profile.get().name()
                            on:change=move |ev| {
                                if let Ok(p) = Profile::parse(&event_target_value(&ev)) {
                                    state.ca_profile.set(p);
                                }
                                state.connection.set(Connection::Untested);
                            }>
                            <option value="sslcom">"SSL.com's SWS API"</option>
                            <option value="reference">"The reference JSON protocol"</option>
                        </select>
                    </div>
                </Show>
                <div>
                    <label for="account-key">"Account key"</label>
                    <input id="account-key" type="text" autocomplete="username" spellcheck="false"
                        prop:value=move || state.account_key.get()
                        on:input=move |ev| state.account_key.set(event_target_value(&ev))/>
                </div>
                <div>
                    <label for="secret-key">"Secret key"</label>
                    <input id="secret-key" type="password" autocomplete="current-password" spellcheck="false"
                        prop:value=move || state.secret_key.get()
                        on:input=move |ev| state.secret_key.set(event_target_value(&ev))/>
                </div>
            </div>
            <label class="switch">
                <input type="checkbox" id="remember-secret"
                    prop:checked=move || state.remember_secret.get()
                    on:change=move |ev| state.remember_secret.set(event_target_checked(&ev))/>
                " Remember the secret key in this tab until it is closed"
            </label>
            <Show when=move || state.remember_secret.get()>
                <p class="warning">"The secret key will be kept in this tab's session storage, where anything running on this page could read it. Use this only on your own device."</p>
            </Show>
            <p class="hint" id="secret-destination">{move || {
                let url = state.ca_url.get();
                match check_ca_url(&url) {
                    Ok(()) => format!("The secret key stays in this page's memory and is sent only to {}.", origin_of(&url)),
                    Err(e) => format!("Nothing will be sent: {e}."),
                }
            }}</p>
            <div class="actions">
                {move || demo().map(|(k, s)| view! {
                    <button type="button" class="secondary" id="use-demo-keys" on:click=move |_| {
                        state.account_key.set(k.clone());
                        state.secret_key.set(s.clone());
                    }>"Use the sandbox demo keys"</button>
                })}
                <button type="button" id="test-connection" on:click=test>"Test connection"</button>
                <button type="button" class="secondary" id="check-ca" disabled=move || checking.get()
                    on:click=check>"Check this CA against its profile"</button>
            </div>
            {move || findings.get().map(|list| {
                let bad = list.iter().filter(|f| f.matches == Some(false)).count();
                let rows = list.into_iter().map(|f| {
                    let mark = match f.matches { Some(true) => "matches", Some(false) => "differs", None => "not checked" };
                    view! { <tr data-matches=mark><td>{f.check}</td><td>{f.expected}</td><td>{f.seen}</td><td>{mark}</td></tr> }
                }).collect_view();
                view! {
                    <div class="table-scroll">
                        <table class="data" id="ca-checks">
                            <caption>{if bad == 0 { "The CA behaves as its profile says (nothing was ordered).".to_owned() } else { format!("{bad} checks differ: this CA may speak another dialect; choose another, or tell its operator what differs.") }}</caption>
                            <thead><tr><th scope="col">"Check"</th><th scope="col">"Expected"</th><th scope="col">"Seen"</th><th scope="col">"Verdict"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
            })}
            <div role="status" id="connection-status">
                {move || match state.connection.get() {
                    Connection::Untested => ().into_any(),
                    Connection::Testing => view! { <p>"Testing…"</p> }.into_any(),
                    Connection::Ok(m) => view! { <p class="ok">{m}</p> }.into_any(),
                    Connection::Failed(m) => view! { <p class="error">{m}</p> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// A check that got no answer.
fn no_answer(check: &str, why: String) -> Finding {
    Finding {
        check: check.into(),
        expected: "an answer".into(),
        seen: why,
        matches: None,
    }
}
