//! The `sslcom` profile: SSL.com's SWS API as docs/sslcom-sws.md shows it
//! from the public 2020 source, faults included.
//!
//! Advice for hackers:
//! - Wire names are SSL.com's, written as literals in the handlers and in
//!   `views.rs`; never import the client's `smime_bulk_ca::protocol::wire`
//!   here — a sandbox built from the client's constants would hide the
//!   client's mistakes.
//! - Every handler reads its parameters through `params.rs` (Rails' merged
//!   `params`: query string, form or JSON body), never through axum's
//!   `Query`/`Json`: SSL.com accepts all three encodings alike.
//! - A handler works in the source's order: fault gate → parameters →
//!   validation (create: 400; elsewhere: 200 `errors`) → price (a missing
//!   one raises: 500) → funds (200 `errors.funded_account`, nothing made) →
//!   store → the created-but-error fault and the contacts checked after
//!   payment (200 `errors.contacts`, the order exists) → the drop fault →
//!   the answer. Moving a step moves what a client can tell apart.
//! - `cors.rs` adds the CORS headers of both of SSL.com's mechanisms; an
//!   answer made outside an action is marked `OutsideAction` and gets only
//!   rack-cors's.
//!
//! Files: `params.rs` (Rails params), `cors.rs`, `views.rs` (answer shapes
//! and errors), `catalogue.rs` (product codes, period rules, prices),
//! `create.rs` (`POST /certificates`), `show.rs` (`GET /certificate/{ref}`),
//! `list.rs` (`GET /certificates`), `enrollment.rs` (`POST
//! /certificate_enrollment`), `portal.rs` (the pages behind the links).

mod catalogue;
mod cors;
mod create;
mod enrollment;
mod list;
pub mod params;
mod portal;
mod show;
mod views;

use crate::accounts::Account;
use crate::faults::Gate;
use crate::state::{AppState, Shared};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use params::{JsonError, Params};
use views::Errors;

/// The link of a bulk enrollment's one receipt (for `GET /sandbox/enrollments`:
/// SSL.com's answer names none).
pub fn enrollment_receipt_url(base: &str, account: &Account, enrollment: i64) -> String {
    views::receipt_url(base, account, &views::enrollment_receipt_id(enrollment))
}

/// A new order's status (content `contacts_provided`).
pub const STATUS_CREATED: &str = "waiting on validation from customer";
/// An enrolled order's status (content `new`: nothing submitted yet).
pub const STATUS_ENROLLED: &str = "unused. waiting on certificate signing request (csr)";
/// Revoked: shown as `order_status: null`.
pub const STATUS_REVOKED: &str = "revoked";
/// Canceled: hidden from show and list, as SSL.com's default scope hides it.
pub const STATUS_CANCELED: &str = "canceled";

/// Statuses an order can be moved to with `POST /sandbox/orders/{ref}/status`:
/// the live `order_status` strings of docs/sslcom-sws.md §5, then `revoked`
/// and `canceled`.
pub const STATUSES: [&str; 11] = [
    STATUS_ENROLLED,
    "waiting on registrant information from customer",
    "waiting on contacts information from customer",
    STATUS_CREATED,
    "validating, please wait",
    "waiting validation email response from customer",
    "issued",
    "expiring. renew soon",
    "n/a",
    STATUS_REVOKED,
    STATUS_CANCELED,
];

/// The API (under SSL.com's CORS) and the portal pages (guarded, no CORS).
pub fn routes(state: Shared) -> Router {
    let endpoints = Router::new()
        .route(
            "/certificates",
            post(create::create).get(list::list).fallback(not_found),
        )
        .route("/certificate/{reference}", get(show::show).fallback(not_found))
        .route("/certificate_enrollment", post(enrollment::enroll).fallback(not_found))
        .fallback(not_found)
        .with_state(state.clone());
    // The middleware wraps the whole router as one service (rack-cors sits
    // before routing), so no route's method handling adds to its answers.
    let api = Router::new()
        .fallback_service(endpoints)
        .layer(from_fn(routing))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors::layer));
    api.merge(portal::routes(state).layer(from_fn(crate::pages::guard)))
}

async fn not_found() -> Response {
    views::not_found()
}

/// Rails' routing around the endpoints: the routes' `APIConstraint` (an
/// `Accept` that names a version other than 1 matches no route; one without
/// a version gets `;version=1` appended), and a route miss is a plain 404
/// (axum's method routing would add an `Allow` header Rails does not send).
async fn routing(req: Request, next: Next) -> Response {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if accept.contains("version") && !accept.contains("version=1") {
        return views::not_found();
    }
    let mut r = next.run(req).await;
    if r.extensions().get::<cors::OutsideAction>().is_some() {
        r.headers_mut().remove(header::ALLOW);
    }
    r
}

/// What every action starts from: its parameters, the account they name,
/// and the errors so far (`login`, blank keys).
struct Action<'a> {
    params: Params,
    account: Option<&'a Account>,
    errors: Errors,
}

/// Latency, then the rate limit (429, as a proxy would) and the failure coin
/// (500 before anything is done); then the parameters `read` gives (a JSON
/// body that is not JSON is the middleware's 400) and the account.
async fn begin<'a>(
    state: &'a AppState,
    read: impl FnOnce() -> Result<Params, JsonError>,
) -> Result<Action<'a>, Response> {
    match state.gate().await {
        Gate::Pass => {}
        Gate::RateLimited => return Err(views::too_many_requests()),
        Gate::Fail => return Err(views::server_error()),
    }
    let params = read().map_err(|e| views::json_parse_error(&e.0))?;
    let account = state.account(
        params.text("account_key").as_deref(),
        params.text("secret_key").as_deref(),
    );
    let mut errors = Errors::default();
    if account.is_none() {
        errors.add("login", views::LOGIN);
    }
    errors.require(&params, &["account_key", "secret_key"]);
    Ok(Action {
        params,
        account,
        errors,
    })
}

/// Whether a ref matches the routes' `[a-z0-9\-]+`.
fn routable_ref(reference: &str) -> bool {
    !reference.is_empty()
        && reference
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
