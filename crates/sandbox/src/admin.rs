//! The sandbox-only admin endpoints under `/sandbox/`, shared by both
//! profiles: list and clear orders, move an order's status or creation time,
//! change the faults, see the accounts and enrollments.
//!
//! Hardening: they answer only callers on loopback, require the admin token
//! (random at start or `--admin-token`, sent as `x-sandbox-admin-token`),
//! and carry no CORS headers (they sit outside the API's CORS layer), so no
//! web page, not even one on this machine, can read or change them.

use crate::faults::FaultsUpdate;
use crate::pages::from_loopback;
use crate::profile::Profile;
use crate::state::Shared;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

/// The header that carries the admin token.
pub const TOKEN_HEADER: &str = "x-sandbox-admin-token";

/// A fresh random token: 32 hex digits from the operating system's generator.
pub fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot make an admin token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Refuses a token that cannot travel in a header or is too short to guard.
pub fn check_token(token: &str) -> Result<(), String> {
    let printable = token.bytes().all(|b| b.is_ascii_graphic());
    if token.len() < 8 || !printable {
        return Err("--admin-token must be at least 8 visible ASCII characters (no spaces)".into());
    }
    Ok(())
}

/// Compares in time independent of where the strings differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn guard(State(token): State<Arc<str>>, req: Request, next: Next) -> Response {
    if !from_loopback(&req) {
        return error(
            StatusCode::FORBIDDEN,
            "the sandbox's admin endpoints answer only callers on this machine (loopback)",
        );
    }
    let given = req.headers().get(TOKEN_HEADER).map(HeaderValue::as_bytes);
    if !given.is_some_and(|g| same(g, token.as_bytes())) {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong x-sandbox-admin-token header (the sandbox prints its admin token when it starts)",
        );
    }
    let mut r = next.run(req).await;
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The admin routes, guarded by `token`.
pub fn router(state: Shared, token: &str) -> Router {
    let token: Arc<str> = Arc::from(token);
    Router::new()
        .route("/sandbox/orders", get(orders).delete(clear))
        .route("/sandbox/orders/{reference}/status", post(set_status))
        .route("/sandbox/orders/{reference}/created_at", post(set_created_at))
        .route("/sandbox/faults", get(faults).post(set_faults))
        .route("/sandbox/accounts", get(accounts))
        .route("/sandbox/enrollments", get(enrollments))
        .route("/sandbox/preflights", get(preflights))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(token, guard))
}

fn field_error(status: StatusCode, field: &str, message: &str) -> Response {
    (status, Json(json!({ "errors": { field: [message] } }))).into_response()
}

fn storage_error(e: rusqlite::Error) -> Response {
    field_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server",
        &format!("storage failed: {e}"),
    )
}

/// CORS preflights received so far, by path (the sslcom profile counts them).
async fn preflights(State(state): State<Shared>) -> Response {
    let counts = state.preflights.lock().map(|c| c.clone()).unwrap_or_default();
    Json(counts).into_response()
}

async fn orders(State(state): State<Shared>) -> Response {
    match state.store.all() {
        Ok(orders) => Json(orders).into_response(),
        Err(e) => storage_error(e),
    }
}

async fn clear(State(state): State<Shared>) -> Response {
    match state.store.clear() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => storage_error(e),
    }
}

fn body_text(body: &str, key: &str) -> Option<String> {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get(key)?.as_str().map(str::to_owned))
}

/// The order after a change, or 404.
fn changed(state: &Shared, reference: &str, done: rusqlite::Result<bool>) -> Response {
    match done {
        Ok(true) => match state.store.get(reference) {
            Ok(Some(o)) => Json(o).into_response(),
            _ => StatusCode::NO_CONTENT.into_response(),
        },
        Ok(false) => field_error(StatusCode::NOT_FOUND, "ref", "no such order"),
        Err(e) => storage_error(e),
    }
}

async fn set_status(State(state): State<Shared>, Path(reference): Path<String>, body: String) -> Response {
    let statuses = state.profile.statuses();
    let Some(status) = body_text(&body, "status").filter(|s| statuses.contains(&s.as_str())) else {
        return field_error(
            StatusCode::BAD_REQUEST,
            "status",
            &format!("give {{\"status\": …}} with one of: {}", statuses.join(", ")),
        );
    };
    let done = state.store.set_status(&reference, &status);
    changed(&state, &reference, done)
}

async fn set_created_at(State(state): State<Shared>, Path(reference): Path<String>, body: String) -> Response {
    let Some(at) = body_text(&body, "created_at").and_then(|s| crate::clock::parse_iso(&s)) else {
        return field_error(
            StatusCode::BAD_REQUEST,
            "created_at",
            "give {\"created_at\": \"2024-03-01T10:00:00Z\"} (UTC)",
        );
    };
    let done = state.store.set_created_at(&reference, at);
    changed(&state, &reference, done)
}

async fn faults(State(state): State<Shared>) -> Response {
    Json(state.faults.get()).into_response()
}

async fn set_faults(State(state): State<Shared>, body: String) -> Response {
    let update: FaultsUpdate = match serde_json::from_str(&body) {
        Ok(u) => u,
        Err(e) => return field_error(StatusCode::BAD_REQUEST, "body", &format!("not a faults update: {e}")),
    };
    match state.faults.update(update) {
        Ok(f) => Json(f).into_response(),
        Err(e) => field_error(StatusCode::BAD_REQUEST, "faults", &e),
    }
}

/// The accounts without their secrets: domains, products with their
/// enrollment ids, funds and what is left of them.
async fn accounts(State(state): State<Shared>) -> Response {
    let mut out = Vec::with_capacity(state.accounts.len());
    for a in &state.accounts {
        let charged = match state.store.charged(&a.account_key) {
            Ok(c) => c,
            Err(e) => return storage_error(e),
        };
        out.push(json!({
            "account_key": a.account_key,
            "team": a.team_slug(),
            "domains": a.domains,
            "products": a.products,
            "funds": a.funds,
            "funds_left": a.funds_cents().map(|f| crate::money::format_dollars(f - charged)),
        }));
    }
    Json(out).into_response()
}

/// Every enrollment with its orders, the addresses it skipped and (`sslcom`)
/// its receipt's link.
async fn enrollments(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let enrollments = match state.store.enrollments() {
        Ok(e) => e,
        Err(e) => return storage_error(e),
    };
    let base = crate::pages::base_url(&headers);
    let out: Vec<Value> = enrollments
        .iter()
        .map(|e| {
            let mut v = json!(e);
            let owner = state.owner(&e.account_key);
            if let (Profile::Sslcom, Some(account), Value::Object(m)) = (state.profile, owner, &mut v) {
                let url = crate::profile::sslcom::enrollment_receipt_url(&base, account, e.id);
                m.insert("receipt_url".into(), url.into());
            }
            v
        })
        .collect();
    Json(out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::{FaultState, Faults};
    use crate::state::AppState;
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    fn app() -> Router {
        let state = Arc::new(AppState {
            store: crate::store::Store::open(None).unwrap(),
            accounts: crate::accounts::demo(Profile::Sslcom),
            faults: FaultState::new(Faults::default(), 0),
            profile: Profile::Sslcom,
            preflights: Default::default(),
        });
        router(state, "0123456789abcdef")
    }

    async fn status(peer: &str, token: Option<&str>) -> StatusCode {
        let mut req = axum::http::Request::get("/sandbox/orders").body(Body::empty()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if let Some(t) = token {
            req.headers_mut()
                .insert(TOKEN_HEADER, HeaderValue::from_str(t).unwrap());
        }
        app().oneshot(req).await.unwrap().status()
    }

    use tower::ServiceExt;

    #[tokio::test]
    async fn admin_answers_only_loopback_callers_with_the_token() {
        assert_eq!(status("127.0.0.1:5000", Some("0123456789abcdef")).await, StatusCode::OK);
        assert_eq!(status("[::1]:5000", Some("0123456789abcdef")).await, StatusCode::OK);
        assert_eq!(status("127.0.0.1:5000", None).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            status("127.0.0.1:5000", Some("0123456789abcdeF")).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status("192.168.1.20:5000", Some("0123456789abcdef")).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(status("10.0.0.1:5000", None).await, StatusCode::FORBIDDEN);
    }

    #[test]
    fn tokens_are_random_hex_and_short_ones_are_refused() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_ne!(a, b);
        assert!(a.len() == 32 && a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert!(check_token(&a).is_ok());
        assert!(check_token("short").is_err());
        assert!(check_token("has a space in it").is_err());
    }
}
