//! `POST /certificate_enrollment` (SSL.com's `certificate_enrollment_order`,
//! docs/sslcom-sws.md §7): one order per address, all on one invoiced
//! enrollment, answered `{"id", "is_ordered"}` with no refs.
//!
//! Deviation: SSL.com's 2020 API path gives each order an empty domains
//! list, so the address is lost; here each order carries its address (as
//! SSL.com's own web enrollment does), or the orders could never be told
//! apart in `GET /certificates`.

use super::params::{scalar, to_i, Params};
use super::views::{self, Extra};
use super::{begin, catalogue, Action, STATUS_ENROLLED};
use crate::recipient;
use crate::server::{cut_off, DropConnection};
use crate::state::Shared;
use crate::store::{NewOrder, Skipped};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

/// The addresses: a list as given, or a string split on commas and white
/// space, lower-cased and kept where it looks like an address
/// (`smime_client_parse_emails`).
fn addresses(params: &Params) -> Vec<String> {
    match params.get("domains") {
        Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
        Some(v) => scalar(v)
            .unwrap_or_default()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
            .map(str::to_lowercase)
            .filter(|e| smime_bulk_roster::email::parse_address(e).is_ok())
            .collect(),
        None => Vec::new(),
    }
}

pub async fn enroll(
    State(state): State<Shared>,
    Extension(drop): Extension<DropConnection>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let read = || Params::from_request(&headers, uri.query(), &body);
    let Action {
        params,
        account,
        mut errors,
    } = match begin(&state, read).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    errors.require(&params, &["certificate_id", "duration", "domains", "approver_id"]);
    let (Some(acct), true) = (account, errors.is_empty()) else {
        return views::errors_200(errors);
    };

    // `Certificate.find(certificate_id)` and `items_by_duration[duration - 1]`
    // raise where there is nothing to find (→ 500), as does an enrollment
    // with no address (its order is built from the first one).
    let id = to_i(&params.text("certificate_id").unwrap_or_default());
    let product = acct
        .products
        .iter()
        .find(|p| p.certificate_id.is_some_and(|c| i64::try_from(c) == Ok(id)));
    let Some(product) = product else {
        return views::server_error();
    };
    let Some(item) = catalogue::pick(product, to_i(&params.text("duration").unwrap_or_default())) else {
        return views::server_error();
    };
    let emails = addresses(&params);
    if emails.is_empty() {
        return views::server_error();
    }

    // Sandbox rule: an address whose domain is not pre-validated for the
    // account is not ordered (the reason shows in /sandbox/enrollments).
    let extra = serde_json::to_string(&Extra {
        registrant: catalogue::is_iv_ov(&product.code).then(views::empty_registrant),
        contacts: Vec::new(),
        description: catalogue::description(product, item.period),
        product_name: catalogue::product_name(product),
    })
    .unwrap_or_default();
    let now = crate::clock::now_ms();
    let mut skipped = Vec::new();
    let mut kept = Vec::new();
    for email in &emails {
        match recipient::check_address(&acct.domains, email) {
            Some(reason) => skipped.push(Skipped {
                email: email.clone(),
                reason,
            }),
            None => kept.push(email.as_str()),
        }
    }
    let orders: Vec<NewOrder<'_>> = kept
        .iter()
        .map(|email| NewOrder {
            account_key: &acct.account_key,
            external_order_number: None,
            email,
            first_name: "",
            last_name: "",
            country: "",
            csr: None,
            product: &product.code,
            period: item.period,
            amount: &item.price,
            status: STATUS_ENROLLED,
            charged_cents: 0, // invoiced, never taken from the funds
            created_at: now,
            extra: Some(&extra),
        })
        .collect();
    let enrollment = match state
        .store
        .insert_enrollment(&acct.account_key, now, &orders, &skipped, &mut || state.faults.salt())
    {
        Ok(e) => e,
        Err(_) => return views::server_error(),
    };
    if state.faults.created_error().is_some() {
        // An exception after the orders were saved (e.g. the team's EPKI
        // registrant missing): 500, the orders stay.
        return views::server_error();
    }
    if state.faults.should_drop() {
        return cut_off(&drop, StatusCode::OK, b"{\"id\":");
    }
    Json(json!({ "id": enrollment.id, "is_ordered": !orders.is_empty() })).into_response()
}
