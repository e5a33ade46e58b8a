//! Step 8: the orders — refs, statuses, amounts, links — with "refresh
//! statuses" and the exports.

use crate::shared::ca::call;
use crate::shared::download::save;
use crate::shared::state::use_app;
use futures_util::stream::{self, StreamExt};
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::engine::RowState;
use smime_bulk_ca::protocol;
use smime_bulk_ca::results::results_csv;
use smime_bulk_roster::editor::Editor;
use smime_bulk_roster::Row;
use std::sync::Arc;

/// Rows the table shows (the exports have them all).
const SHOWN: usize = 500;

/// The results table and exports.
#[component]
pub fn ResultsStep() -> impl IntoView {
    let state = use_app();
    let refreshing = RwSignal::new(false);

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
    let refresh = move |_| {
        let Some(run) = state.run.get_untracked() else { return };
        let creds = state.credentials();
        let base = run.spec.ca_url.clone();
        refreshing.set(true);
        spawn_local(async move {
            let placed: Vec<(usize, String)> = run
                .states
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s {
                    RowState::Placed { order } => Some((i, order.reference.clone())),
                    _ => None,
                })
                .collect();
            let updates: Vec<(usize, Option<protocol::Order>)> = stream::iter(placed)
                .map(|(i, reference)| {
                    let (base, creds) = (base.clone(), creds.clone());
                    async move {
                        let request = protocol::get_order(&creds, &reference);
                        (i, call(&base, &request, protocol::parse_order).await.ok())
                    }
                })
                .buffer_unordered(4)
                .collect()
                .await;
            let failed = updates.iter().filter(|(_, o)| o.is_none()).count();
            state.run.update(|run| {
                if let Some(run) = run {
                    let mut states = (*run.states).clone();
                    for (i, order) in updates {
                        if let (Some(order), Some(slot)) = (order, states.get_mut(i)) {
                            *slot = RowState::Placed { order };
                        }
                    }
                    run.states = Arc::new(states);
                }
            });
            refreshing.set(false);
            state.announce.set(if failed == 0 {
                "Statuses refreshed.".into()
            } else {
                format!("Statuses refreshed; {failed} could not be fetched.")
            });
        });
    };

    let table = move || {
        let run = state.run.get()?;
        let total = run.spec.rows.len();
        let rows = run.spec.rows.iter().zip(run.states.iter()).take(SHOWN).map(|(r, s)| {
            let name = format!("{} {}", r.first_name, r.last_name).trim().to_owned();
            let (reference, status, amount, links, error) = match s {
                RowState::Placed { order } => (
                    order.reference.clone(),
                    order.status.clone(),
                    order.amount.clone().unwrap_or_default(),
                    Some((order.certificate_url.clone(), order.receipt_url.clone())),
                    String::new(),
                ),
                RowState::Rejected { errors } => (String::new(), "rejected".into(), String::new(), None, errors.iter().map(|(f, m)| format!("{f}: {}", m.join("; "))).collect::<Vec<_>>().join(" | ")),
                RowState::Failed { reason, .. } => (String::new(), "failed".into(), String::new(), None, reason.clone()),
                RowState::Unknown { reason, .. } => (String::new(), "unconfirmed".into(), String::new(), None, reason.clone()),
                RowState::Pending { .. } => (String::new(), "waiting".into(), String::new(), None, String::new()),
                RowState::Sending { .. } => (String::new(), "sending".into(), String::new(), None, String::new()),
            };
            let links = links.map(|(cert, receipt)| view! {
                {cert.map(|u| view! { <a href=u target="_blank" rel="noopener noreferrer">"Order"<span class="visually-hidden">{format!(" {reference}")}</span></a> })}
                " "
                {receipt.map(|u| view! { <a href=u target="_blank" rel="noopener noreferrer">"Invoice"<span class="visually-hidden">{format!(" for {reference}")}</span></a> })}
            });
            view! {
                <tr>
                    <td>{r.email.clone()}</td><td>{name}</td><td>{reference.clone()}</td><td>{status}</td>
                    <td class="num">{amount}</td><td>{links}</td><td>{error}</td>
                </tr>
            }
        }).collect_view();
        let more = (total > SHOWN).then(|| view! { <p class="hint">{format!("Showing the first {SHOWN} of {total} orders; the export has them all.")}</p> });
        Some(view! {
            <div class="actions">
                <button type="button" id="refresh-statuses" disabled=move || refreshing.get() on:click=refresh>{move || if refreshing.get() { "Refreshing…" } else { "Refresh statuses" }}</button>
                <button type="button" class="secondary" id="export-results" on:click=export_results>"Export results (CSV)"</button>
                <button type="button" class="secondary" id="export-rejected" on:click=export_rejected>"Export rejected rows as a roster"</button>
            </div>
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
