//! Step 8: the orders — refs, statuses, amounts, links — with "refresh
//! statuses" and the exports.

use crate::shared::alert::alert;
use crate::shared::ca::{explain_failure, send, TIMEOUT_MS};
use crate::shared::download::save;
use crate::shared::state::use_app;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::engine::{Outcome, RowState};
use smime_bulk_ca::protocol::decimal::sum_amounts;
use smime_bulk_ca::protocol::trust::is_trusted_url;
use smime_bulk_ca::refresh::{RefreshError, RefreshStep, StatusRefresh};
use smime_bulk_ca::results::results_csv;
use smime_bulk_roster::editor::Editor;
use smime_bulk_roster::Row;
use std::sync::Arc;

/// Rows the table shows (the exports have them all).
const SHOWN: usize = 500;

/// A link from a CA answer: a link only when it is `https:` (or `http:` to
/// this machine, the sandbox); anything else (`javascript:`, `data:`…) is
/// shown as text, never made clickable.
fn link(url: String, label: &'static str, hidden: String) -> AnyView {
    if is_trusted_url(&url) {
        view! { <a href=url target="_blank" rel="noopener noreferrer">{label}<span class="visually-hidden">{hidden}</span></a> }.into_any()
    } else {
        view! { <span class="untrusted-link" title="Not a safe link: shown as text">{format!("{label}: {url}")}</span> }
            .into_any()
    }
}

/// The results table and exports.
#[component]
pub fn ResultsStep() -> impl IntoView {
    let state = use_app();
    let refreshing = RwSignal::new(false);
    // Why the last refresh failed, shown under its button (a success is
    // seen in the statuses, and announced).
    let refresh_failed = RwSignal::new(None::<String>);

    let export_results = move |_| {
        if let Some(run) = state.run.get_untracked() {
            let _ = save(
                "smime-bulk-results.csv",
                "text/csv;charset=utf-8",
                &results_csv(&run.spec, run.states.iter()),
            );
        }
    };
    let export_rejected = move |_| {
        let Some(run) = state.run.get_untracked() else { return };
        let rows = run
            .spec
            .rows
            .iter()
            .zip(run.states.iter())
            .filter(|(_, s)| matches!(s, RowState::Rejected { .. } | RowState::Failed { .. }))
            .map(|(r, _)| Row::from(r.clone()));
        let _ = save(
            "smime-bulk-rejected-roster.csv",
            "text/csv;charset=utf-8",
            &Editor::roster_csv(rows),
        );
    };
    // "Refresh statuses": the account's orders in the batch's window, a page
    // (100 orders) at a time, not one request per order; a fault that may
    // pass is retried (smime_bulk_ca::refresh holds the rules).
    let refresh = move |_| {
        let Some(run) = state.run.get_untracked() else { return };
        let creds = state.credentials();
        refreshing.set(true);
        refresh_failed.set(None);
        spawn_local(async move {
            let base = run.spec.ca_url.clone();
            let mut refresh =
                StatusRefresh::new(run.spec.profile, creds, run.spec.created_at, js_sys::Date::now() as u64);
            let done = loop {
                match refresh.step() {
                    RefreshStep::Send(request) => refresh.answered(send(&base, &request, TIMEOUT_MS).await),
                    RefreshStep::Wait(ms) => TimeoutFuture::new(ms.min(u64::from(u32::MAX)) as u32).await,
                    RefreshStep::Done(done) => break done,
                }
            };
            // What was read is shown even when the refresh stopped short.
            let statuses = refresh.statuses();
            let mut missing = 0;
            state.run.update(|run| {
                if let Some(run) = run {
                    let mut states = (*run.states).clone();
                    missing = statuses.apply(&mut states);
                    run.states = Arc::new(states);
                }
            });
            refreshing.set(false);
            match done {
                Ok(()) if missing == 0 => state.announce.set("Statuses refreshed.".into()),
                Ok(()) => state.announce.set(format!(
                    "Statuses refreshed; {missing} orders are no longer listed (cancelled or expired)."
                )),
                // Shown under the button (an alert, so announced too).
                Err(e) => {
                    let why = match &e {
                        RefreshError::GaveUp(outcome @ (Outcome::Timeout | Outcome::Network(_))) => {
                            explain_failure(&base, outcome).await
                        }
                        e => e.to_string(),
                    };
                    let read = statuses.len();
                    let kept = if read > 0 {
                        format!(" The statuses of the {read} orders read before that are shown.")
                    } else {
                        String::new()
                    };
                    let why = why.trim_end_matches('.');
                    refresh_failed.set(Some(format!("Statuses could not be refreshed: {why}.{kept}")));
                }
            }
        });
    };

    let table = move || {
        let run = state.run.get()?;
        let total = run.spec.rows.len();
        let rows = run
            .spec
            .rows
            .iter()
            .zip(run.states.iter())
            .take(SHOWN)
            .map(|(r, s)| {
                let name = format!("{} {}", r.first_name, r.last_name).trim().to_owned();
                let (reference, status, amount, links, error) = match s {
                    RowState::Placed { order } => (
                        order.reference.clone(),
                        order.status.clone(),
                        order.amount.clone().unwrap_or_default(),
                        Some((order.certificate_url.clone(), order.receipt_url.clone())),
                        String::new(),
                    ),
                    RowState::Rejected { errors } => (
                        String::new(),
                        "rejected".into(),
                        String::new(),
                        None,
                        errors
                            .iter()
                            .map(|(f, m)| format!("{f}: {}", m.join("; ")))
                            .collect::<Vec<_>>()
                            .join(" | "),
                    ),
                    RowState::Failed { reason, .. } => {
                        (String::new(), "failed".into(), String::new(), None, reason.clone())
                    }
                    RowState::Unknown { reason, .. } => (
                        String::new(),
                        "unknown: being looked for".into(),
                        String::new(),
                        None,
                        reason.clone(),
                    ),
                    RowState::Unconfirmed { reason, candidates, .. } => (
                        candidates
                            .iter()
                            .map(|o| o.reference.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        "unconfirmed: your decision".into(),
                        String::new(),
                        None,
                        reason.clone(),
                    ),
                    RowState::Pending { .. } => (String::new(), "waiting".into(), String::new(), None, String::new()),
                    RowState::Sending { .. } => (String::new(), "sending".into(), String::new(), None, String::new()),
                };
                let links = links.map(|(cert, receipt)| {
                    view! {
                        {cert.map(|u| link(u, "Order", format!(" {reference}")))}
                        " "
                        {receipt.map(|u| link(u, "Invoice", format!(" for {reference}")))}
                    }
                });
                view! {
                    <tr>
                        <td>{r.email.clone()}</td><td>{name}</td><td>{reference.clone()}</td><td>{status}</td>
                        <td class="num">{amount}</td><td>{links}</td><td>{error}</td>
                    </tr>
                }
            })
            .collect_view();
        let profile = run.spec.profile;
        let seen_statuses: Vec<String> = run
            .states
            .iter()
            .filter_map(|s| match s {
                RowState::Placed { order } => Some(order.status.clone()),
                _ => None,
            })
            .collect();
        // Each status once, in the order first seen (no sort: the page carries no sort code).
        let mut distinct: Vec<String> = Vec::new();
        for st in seen_statuses {
            if !distinct.contains(&st) {
                distinct.push(st);
            }
        }
        let seen_statuses = distinct;
        let meanings = seen_statuses
            .into_iter()
            .filter_map(|st| {
                profile
                    .explain_status(&st)
                    .map(|m| view! { <li><strong>{st}</strong>": "{m}</li> })
            })
            .collect_view();
        let mut receipts: Vec<String> = Vec::new();
        for s in run.states.iter() {
            if let RowState::Placed { order } = s {
                if let Some(url) = &order.receipt_url {
                    if !receipts.contains(url) {
                        receipts.push(url.clone());
                    }
                }
            }
        }
        let amounts: Vec<&str> = run
            .states
            .iter()
            .filter_map(|s| match s {
                RowState::Placed { order } => order.amount.as_deref(),
                _ => None,
            })
            .collect();
        let placed = run
            .states
            .iter()
            .filter(|s| matches!(s, RowState::Placed { .. }))
            .count();
        let batch_total = view! {
            <p id="batch-total">{match sum_amounts(amounts.iter().copied()) {
                Some(total) if amounts.len() == placed => format!("{placed} orders placed; total {total}."),
                _ => format!("{placed} orders placed, billed per your agreement with the CA."),
            }}</p>
        };
        // A bulk enrollment's answer links no invoice: the dialect says where it is.
        let enrollment_invoices = match (&run.spec.mode, profile.enrollment_invoice()) {
            (smime_bulk_ca::engine::OrderMode::Enrollment(e), Some(where_)) => Some(view! {
                <p id="batch-invoices">{format!(
                    "Bulk enrollment of {total} addresses, up to {} per enrollment, one invoice each. {where_}.",
                    e.chunk
                )}</p>
            }),
            _ => None,
        };
        let invoice = (receipts.len() == 1).then(|| {
            let url = receipts[0].clone();
            view! { <p id="batch-invoice">"One invoice for the whole batch: "{link(url, "open the invoice", String::new())}</p> }
        });
        let more = (total > SHOWN).then(|| view! { <p class="hint">{format!("Showing the first {SHOWN} of {total} orders; the export has them all.")}</p> });
        Some(view! {
            <div class="actions">
                <button type="button" id="refresh-statuses" disabled=move || refreshing.get() on:click=refresh>{move || if refreshing.get() { "Refreshing…" } else { "Refresh statuses" }}</button>
                <button type="button" class="secondary" id="export-results" on:click=export_results>"Export results (CSV)"</button>
                <button type="button" class="secondary" id="export-rejected" on:click=export_rejected>"Export rejected rows as a roster"</button>
            </div>
            {alert(refresh_failed)}
            {batch_total}
            {invoice}
            {enrollment_invoices}
            <ul class="hint" id="status-meanings">{meanings}</ul>
            <div class="table-scroll">
                <table class="data" id="results">
                    <thead><tr>
                        <th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Order"</th><th scope="col">"Status"</th>
                        <th scope="col">"Amount"</th><th scope="col">"Links"</th><th scope="col">"Problem"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {more}
        })
    };
    view! {
        <section class="step" id="step-results" aria-labelledby="results-title">
            <h2 id="results-title" tabindex="-1">"8. Results"</h2>
            {move || table().map(|v| v.into_any()).unwrap_or_else(|| view! { <p class="hint">"The orders appear here as they are placed."</p> }.into_any())}
        </section>
    }
}
