//! The pages behind an `sslcom` order's links, at the portal's paths
//! (`/team/<slug>/certificate_orders/<ref>` and its `/validation` and
//! `/site_seal`, `/team/<slug>/orders/<receipt>`). A bulk enrollment has one
//! receipt that lists all its orders.

use super::views::{amount, receipt_id, Extra};
use crate::pages::{escape, not_found, page, table};
use crate::state::Shared;
use crate::store::StoredOrder;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn routes(state: Shared) -> Router {
    Router::new()
        .route("/team/{team}/certificate_orders/{reference}", get(certificate))
        .route(
            "/team/{team}/certificate_orders/{reference}/validation",
            get(validation),
        )
        .route("/team/{team}/certificate_orders/{reference}/site_seal", get(site_seal))
        .route("/team/{team}/orders/{receipt}", get(receipt))
        .with_state(state)
}

/// The order, if it belongs to the team named in the path.
fn order_of(state: &Shared, team: &str, reference: &str) -> Option<StoredOrder> {
    let o = state.store.get(reference).ok()??;
    (state.owner(&o.account_key)?.team_slug() == team).then_some(o)
}

fn summary(o: &StoredOrder) -> String {
    format!(
        "<p>Order <strong>{}</strong> for {} — {} — <strong>{}</strong>, {}.</p>",
        escape(&o.reference),
        escape(&o.email),
        escape(&Extra::of(o).description),
        escape(&o.status),
        escape(&amount(o))
    )
}

async fn certificate(State(state): State<Shared>, Path((team, reference)): Path<(String, String)>) -> Response {
    match order_of(&state, &team, &reference) {
        Some(o) => page(
            "Sandbox certificate order",
            &format!(
                "<h1>Certificate order</h1>{}<p>External order number: {}.</p>",
                summary(&o),
                escape(o.external_order_number.as_deref().unwrap_or("none"))
            ),
        ),
        None => not_found(),
    }
}

async fn validation(State(state): State<Shared>, Path((team, reference)): Path<(String, String)>) -> Response {
    match order_of(&state, &team, &reference) {
        Some(o) => page(
            "Sandbox validation",
            &format!(
                "<h1>Validation of {}</h1>{}<p>In the sandbox, move it along with POST /sandbox/orders/{}/status.</p>",
                escape(&o.email),
                summary(&o),
                escape(&o.reference)
            ),
        ),
        None => not_found(),
    }
}

async fn site_seal(State(state): State<Shared>, Path((team, reference)): Path<(String, String)>) -> Response {
    match order_of(&state, &team, &reference) {
        Some(o) => page(
            "Sandbox smart seal",
            &format!(
                "<h1>Smart seal</h1>{}<p>(No seal for S/MIME in the sandbox.)</p>",
                summary(&o)
            ),
        ),
        None => not_found(),
    }
}

async fn receipt(State(state): State<Shared>, Path((team, receipt)): Path<(String, String)>) -> Response {
    let orders = if let Some(id) = receipt.strip_prefix("on-e").and_then(|n| n.parse::<i64>().ok()) {
        state.store.enrollment_orders(id).unwrap_or_default()
    } else {
        let reference = format!("co-{}", receipt.strip_prefix("on-").unwrap_or_default());
        order_of(&state, &team, &reference).into_iter().collect()
    };
    let ours: Vec<StoredOrder> = orders
        .into_iter()
        .filter(|o| receipt_id(o) == receipt && state.owner(&o.account_key).is_some_and(|a| a.team_slug() == team))
        .collect();
    if ours.is_empty() {
        return not_found();
    }
    let total: i64 = ours.iter().filter_map(|o| crate::money::parse_cents(&o.amount)).sum();
    let cells: Vec<[String; 4]> = ours
        .iter()
        .map(|o| {
            [
                o.reference.clone(),
                o.email.clone(),
                Extra::of(o).description,
                amount(o),
            ]
        })
        .collect();
    let rows: Vec<[&str; 4]> = cells.iter().map(|r| r.each_ref().map(String::as_str)).collect();
    let how = if ours[0].enrollment_id.is_some() {
        format!(
            "Certificate enrollment for {} emails (invoiced to the team)",
            ours.len()
        )
    } else {
        "SSL certificate order (paid from the funded account)".to_owned()
    };
    page(
        "Sandbox receipt",
        &format!(
            "<h1>Receipt {}</h1><p>{how}; total {}. Sandbox: nothing is charged for real.</p>{}",
            escape(&receipt),
            escape(&crate::money::format_dollars(total)),
            table(["Order", "Email", "Product", "Amount"], &rows)
        ),
    )
}
