//! Step 6: how to order (per-row orders or bulk enrollment, each with what
//! it costs), product and validity, how many rows will be ordered and at
//! what total, and the confirmation that starts the batch.

use crate::shared::alert::alert;
use crate::shared::ca::{call, CallError};
use crate::shared::state::{use_app, RunPhase};
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::engine::{BatchRow, BatchSpec, Enrollment, OrderMode, Phase, DEFAULT_CHUNK, MAX_PERIOD_DAYS};
use smime_bulk_ca::protocol::decimal;
use std::sync::Arc;

/// A fresh batch id from the browser's random source.
fn batch_id() -> String {
    let mut bytes = [0u8; 6];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Product, period, count, total, confirm; "Place orders" hands the batch to
/// `on_place` (the app passes it on to the submit step).
#[component]
pub fn OrderStep(on_place: impl Fn(Arc<BatchSpec>) + 'static) -> impl IntoView {
    let state = use_app();
    let confirmed = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    // Bulk enrollment instead of per-row orders, and its ids as typed.
    let enroll = RwSignal::new(false);
    let certificate_id = RwSignal::new(String::new());
    let approver_id = RwSignal::new(String::new());
    let preset = move || {
        let url = state.ca_url.get();
        state.config.get().cas.into_iter().find(|c| c.url == url)
    };
    let chunk = move || {
        preset()
            .and_then(|p| p.enrollment)
            .and_then(|e| e.chunk)
            .unwrap_or(DEFAULT_CHUNK)
    };
    let can_enroll = move || state.ca_profile.get().supports_enrollment();
    let enrolling = move || enroll.get() && can_enroll();
    // The ids the CA's preset gives for the chosen product, if any.
    Effect::new(move |_| {
        let code = state.product.get();
        let Some(e) = preset().and_then(|p| p.enrollment) else {
            return;
        };
        if let Some(id) = e.certificate_ids.get(&code) {
            certificate_id.set(id.to_string());
        }
        if let Some(id) = e.approver_id {
            approver_id.set(id.to_string());
        }
    });
    // A CA without a product API (SSL.com) offers the built-in products.
    Effect::new(move |_| {
        state.ca_url.track();
        let profile = state.ca_profile.get();
        if profile.list_products(&state.credentials()).is_none() {
            state.products.set(state.catalogue_untracked());
        }
    });
    let load_products = move |_| {
        let base = state.ca_url.get_untracked();
        let creds = state.credentials();
        let profile = state.ca_profile.get_untracked();
        let Some(request) = profile.list_products(&creds) else {
            state.products.set(state.catalogue_untracked());
            return;
        };
        spawn_local(async move {
            match call(&base, &request, |r| profile.parse_products(r)).await {
                Ok(p) => {
                    message.set(None);
                    state.products.set(p);
                }
                Err(CallError::Ca(e)) => message.set(Some(format!("The CA did not list its products: {e}."))),
                Err(CallError::NoAnswer(why)) => message.set(Some(why.explain().await)),
            }
        });
    };
    // Default to the first product and its first allowed period.
    Effect::new(move |_| {
        let products = state.products.get();
        if !products.iter().any(|p| p.code == state.product.get_untracked()) {
            if let Some(p) = products.first() {
                state.product.set(p.code.clone());
            }
        }
    });
    let periods = move || {
        let code = state.product.get();
        state
            .products
            .get()
            .into_iter()
            .find(|p| p.code == code)
            .map(|p| p.periods)
            .unwrap_or_default()
    };
    Effect::new(move |_| {
        let allowed: Vec<u32> = periods()
            .into_iter()
            .map(|p| p.days)
            .filter(|d| *d <= MAX_PERIOD_DAYS)
            .collect();
        if !allowed.contains(&state.period.get_untracked()) {
            state.period.set(allowed.first().copied().unwrap_or(0));
        }
    });
    let count = move || {
        state.track_editor();
        state.editor.with_value(|e| e.as_ref().map_or(0, |e| e.valid_count()))
    };
    let price = move || {
        let days = state.period.get();
        periods().into_iter().find(|p| p.days == days).and_then(|p| p.price)
    };
    let running = move || {
        matches!(
            state.run.get().map(|r| r.phase),
            Some(RunPhase::Engine(Phase::Running | Phase::Paused))
        )
    };
    let can_order = move || {
        confirmed.get() && count() > 0 && state.period.get() > 0 && !state.product.get().is_empty() && !running()
    };
    let place = move |_| {
        if state.secret_key.get_untracked().trim().is_empty() {
            message.set(Some("Enter the secret key in step 1 first.".into()));
            return;
        }
        if let Err(e) = smime_bulk_ca::protocol::trust::check_ca_url(&state.ca_url.get_untracked()) {
            message.set(Some(format!("Not sent: {e}.")));
            return;
        }
        let mode = if enrolling() {
            let enrollment =
                Enrollment::from_form(&certificate_id.get_untracked(), &approver_id.get_untracked(), chunk())
                    .and_then(|e| e.years(state.period.get_untracked()).map(|_| e));
            match enrollment {
                Ok(e) => OrderMode::Enrollment(e),
                Err(e) => {
                    message.set(Some(format!("Not sent: {e}.")));
                    return;
                }
            }
        } else {
            OrderMode::PerRow
        };
        let rows: Vec<BatchRow> = state.editor.with_value(|e| {
            e.as_ref()
                .map(|e| e.valid_rows().into_iter().map(BatchRow::from).collect())
                .unwrap_or_default()
        });
        let spec = BatchSpec {
            batch_id: batch_id(),
            ca_url: state.ca_url.get_untracked(),
            profile: state.ca_profile.get_untracked(),
            created_at: (js_sys::Date::now() / 1000.0) as u64,
            account_key: state.account_key.get_untracked().trim().to_owned(),
            product: state.product.get_untracked(),
            period: state.period.get_untracked(),
            mode,
            rows,
        };
        confirmed.set(false);
        message.set(None);
        on_place(Arc::new(spec));
        crate::shared::focus::focus_soon("submit-title");
    };
    view! {
        <section class="step" id="step-order" aria-labelledby="order-title">
            <h2 id="order-title" tabindex="-1">"6. Order"</h2>
            <Show when=move || state.products.with(Vec::is_empty)>
                <p class="hint">"Test the connection in step 1, or "
                    <button type="button" class="link" id="load-products" on:click=load_products>"load the CA's products"</button>"."</p>
            </Show>
            {alert(message)}
            <Show when=can_enroll>
                <fieldset id="order-mode">
                    <legend>"How to order"</legend>
                    <label class="choice">
                        <input type="radio" name="order-mode" id="mode-per-row" prop:checked=move || !enroll.get() on:change=move |_| enroll.set(false)/>
                        " Per-row orders"
                    </label>
                    <p class="hint" id="cost-per-row">"One order per person, each charged to the account's funds at the product's price when it is placed; the roster's CSRs are sent."</p>
                    <label class="choice">
                        <input type="radio" name="order-mode" id="mode-enrollment" prop:checked=move || enroll.get() on:change=move |_| enroll.set(true)/>
                        " Bulk enrollment"
                    </label>
                    <p class="hint" id="cost-enrollment">{move || format!("{} Up to {} addresses per enrollment.", state.ca_profile.get().enrollment_terms().unwrap_or_default(), chunk())}</p>
                </fieldset>
            </Show>
            <Show when=enrolling>
                <div class="fields" id="enrollment-fields">
                    <div>
                        <label for="certificate-id">"Product's certificate id"</label>
                        <input type="text" id="certificate-id" inputmode="numeric" autocomplete="off" prop:value=move || certificate_id.get() on:input=move |ev| certificate_id.set(event_target_value(&ev))/>
                    </div>
                    <div>
                        <label for="approver-id">"Approver's user id"</label>
                        <input type="text" id="approver-id" inputmode="numeric" autocomplete="off" prop:value=move || approver_id.get() on:input=move |ev| approver_id.set(event_target_value(&ev))/>
                    </div>
                </div>
            </Show>
            <div class="fields">
                <div>
                    <label for="product">"Product"</label>
                    <select id="product" prop:value=move || state.product.get() on:change=move |ev| state.product.set(event_target_value(&ev))>
                        {move || state.products.get().into_iter().map(|p| view! { <option value=p.code.clone()>{p.name}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="period">"Validity"</label>
                    <select id="period" prop:value=move || state.period.get().to_string() on:change=move |ev| state.period.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || periods().into_iter().filter(|p| p.days <= MAX_PERIOD_DAYS).map(|p| {
                            let label = format!("{} days{}", p.days, p.price.as_ref().map_or(String::new(), |x| format!(" — {x} each")));
                            view! { <option value=p.days.to_string()>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <p id="order-summary" class="verdict">
                {move || {
                    let n = count();
                    if enrolling() {
                        let chunks = n.div_ceil(chunk().max(1));
                        let plural = if chunks == 1 { "" } else { "s" };
                        return format!(
                            "{n} addresses will be enrolled in {chunks} enrollment{plural} of up to {}, each invoiced to your team; nothing is taken from the account's funds.",
                            chunk()
                        );
                    }
                    match price() {
                        Some(each) => match decimal::total(&each, n as u64) {
                            Some(total) => format!("{n} certificates will be ordered; total {total}."),
                            None => format!("{n} certificates will be ordered at {each} each."),
                        },
                        None => format!("{n} certificates will be ordered, billed per your agreement with the CA."),
                    }
                }}
            </p>
            <p class="hint">{format!("Only valid rows are ordered. Validity never exceeds {MAX_PERIOD_DAYS} days (S/MIME BR 6.3.2).")}</p>
            <label class="switch">
                <input type="checkbox" id="confirm-order" prop:checked=move || confirmed.get() on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                {move || format!(" I confirm ordering {} certificates from {}", count(), state.ca_url.get())}
            </label>
            <div class="actions">
                <button type="button" id="place-orders" disabled=move || !can_order() on:click=place>{move || if enrolling() { format!("Enroll {} addresses", count()) } else { format!("Place {} orders", count()) }}</button>
            </div>
        </section>
    }
}
