//! `GET /certificate/{ref}` (SSL.com's `show_v1_4`, docs/sslcom-sws.md §5):
//! one order of the account, without its `ref`; every error a 200.

use super::params::Params;
use super::views::{self, Errors};
use super::{begin, routable_ref, Action, STATUS_CANCELED};
use crate::state::Shared;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `ApiCertificateRetrieve`'s optional choices, each checked when given.
const CHOICES: [(&str, &[&str]); 3] = [
    (
        "query_type",
        &["order_status_only", "end_certificate", "all_certificates", "ca_bundle"],
    ),
    ("response_type", &["zip", "netscape", "pkcs7", "individually"]),
    ("response_encoding", &["base64", "binary"]),
];

/// The validations of show and list beyond the keys: the choices.
pub fn check_choices(params: &Params, errors: &mut Errors) {
    for (name, allowed) in CHOICES {
        if let Some(given) = params.text(name) {
            if !allowed.contains(&given.as_str()) {
                errors.add(
                    name,
                    format!("needs to be one of the following: {}", allowed.join(", ")),
                );
            }
        }
    }
}

pub async fn show(State(state): State<Shared>, Path(reference): Path<String>, uri: Uri) -> Response {
    if !routable_ref(&reference) {
        return views::not_found();
    }
    let read = || Ok(Params::from_query(uri.query()));
    let Action {
        params,
        account,
        mut errors,
    } = match begin(&state, read).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    check_choices(&params, &mut errors);
    let order = match state.store.get(&reference) {
        Ok(o) => o.filter(|o| o.status != STATUS_CANCELED),
        Err(_) => return views::server_error(),
    };
    if order.is_none() {
        errors.add("ref", "doesn't exist'");
    }
    let (Some(order), Some(account), true) = (order, account, errors.is_empty()) else {
        return views::errors_200(errors);
    };
    if order.account_key != account.account_key {
        errors.add(
            "certificate_order",
            format!("Certificate order not found for ref {reference}."),
        );
        return views::errors_200(errors);
    }
    Json(views::show(&order)).into_response()
}
