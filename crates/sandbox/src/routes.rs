//! The HTTP API: the CA protocol (wire names from `smime_bulk_ca::protocol::wire`),
//! the invoice and validation pages, and the sandbox-only admin endpoints.

use crate::accounts::Account;
use crate::faults::{FaultState, FaultsUpdate, Gate};
use crate::server::DropConnection;
use crate::store::{NewOrder, Store, StoredOrder};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};
use smime_bulk_ca::protocol::reference::wire;
use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::mapping::Field;
use smime_bulk_roster::validate::{Columns, Validator};
use smime_bulk_roster::Row;
use std::collections::HashMap;
use std::sync::Arc;

/// What the handlers share.
pub struct AppState {
    pub store: Store,
    pub accounts: Vec<Account>,
    pub faults: FaultState,
}

type Shared = Arc<AppState>;

/// The API routes (CORS and connection handling are added by the server).
pub fn router(state: Shared) -> Router {
    Router::new()
        .route(wire::PATH_CERTIFICATES, post(create_order).get(list_orders))
        .route(&format!("{}/{{reference}}", wire::PATH_CERTIFICATE), get(get_order))
        .route(wire::PATH_DOMAINS, get(list_domains))
        .route(wire::PATH_PRODUCTS, get(list_products))
        .route("/receipt/{reference}", get(receipt_page))
        .route("/validation/{reference}", get(validation_page))
        .route("/sandbox/orders", get(admin_orders).delete(admin_clear))
        .route("/sandbox/orders/{reference}/status", post(admin_set_status))
        .route("/sandbox/faults", get(admin_faults).post(admin_set_faults))
        .with_state(state)
}

fn errors(status: StatusCode, field: &str, message: &str) -> Response {
    (status, Json(json!({ wire::ERRORS: { field: [message] } }))).into_response()
}

fn unauthorized() -> Response {
    errors(
        StatusCode::UNAUTHORIZED,
        "login",
        "the account key or secret key is not valid",
    )
}

/// Latency, rate limit and injected failure, applied to every API request.
async fn faults_gate(state: &AppState) -> Option<Response> {
    let delay = state.faults.latency();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match state.faults.gate() {
        Gate::Pass => None,
        Gate::RateLimited => {
            let mut r = errors(
                StatusCode::TOO_MANY_REQUESTS,
                "rate",
                "too many requests; retry after 1 second",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            Some(r)
        }
        Gate::Fail => Some(errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server",
            "sandbox: injected failure",
        )),
    }
}

fn account<'a>(state: &'a AppState, key: Option<&str>, secret: Option<&str>) -> Option<&'a Account> {
    let (key, secret) = (key?, secret?);
    state
        .accounts
        .iter()
        .find(|a| a.account_key == key && a.secret_key == secret)
}

/// The account named by a GET's `account_key`/`secret_key` query parameters.
fn query_account<'a>(state: &'a AppState, q: &HashMap<String, String>) -> Option<&'a Account> {
    account(
        state,
        q.get(wire::ACCOUNT_KEY).map(String::as_str),
        q.get(wire::SECRET_KEY).map(String::as_str),
    )
}

fn storage_error(e: rusqlite::Error) -> Response {
    errors(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server",
        &format!("storage failed: {e}"),
    )
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn order_json(o: &StoredOrder, base: &str) -> Value {
    let mut m = Map::new();
    m.insert(wire::REF.into(), o.reference.clone().into());
    m.insert(wire::ORDER_STATUS.into(), o.status.clone().into());
    m.insert(wire::ORDER_AMOUNT.into(), o.amount.clone().into());
    m.insert(
        wire::CERTIFICATE_URL.into(),
        format!("{base}{}/{}", wire::PATH_CERTIFICATE, o.reference).into(),
    );
    m.insert(
        wire::RECEIPT_URL.into(),
        format!("{base}/receipt/{}", o.reference).into(),
    );
    m.insert(
        wire::VALIDATION_URL.into(),
        format!("{base}/validation/{}", o.reference).into(),
    );
    m.insert(
        wire::EXTERNAL_ORDER_NUMBER.into(),
        o.external_order_number.clone().into(),
    );
    m.insert(wire::EMAIL_ADDRESS.into(), o.email.clone().into());
    m.insert(wire::PRODUCT.into(), o.product.clone().into());
    m.insert(wire::PERIOD.into(), o.period.into());
    Value::Object(m)
}

fn wire_field(field: Field) -> &'static str {
    match field {
        Field::FirstName => wire::FIRST_NAME,
        Field::LastName => wire::LAST_NAME,
        Field::Email => wire::EMAIL_ADDRESS,
        Field::Country => wire::COUNTRY,
        Field::Csr => wire::CSR,
    }
}

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

async fn create_order(
    State(state): State<Shared>,
    Extension(drop): Extension<DropConnection>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(r) = faults_gate(&state).await {
        return r;
    }
    let body: Map<String, Value> = match serde_json::from_str(&body) {
        Ok(Value::Object(m)) => m,
        _ => {
            return errors(
                StatusCode::BAD_REQUEST,
                "body",
                "the request body must be a JSON object",
            )
        }
    };
    let Some(acct) = account(&state, text(&body, wire::ACCOUNT_KEY), text(&body, wire::SECRET_KEY)) else {
        return unauthorized();
    };

    let mut field_errors: Map<String, Value> = Map::new();
    let mut add = |field: &str, msg: String| {
        let list = field_errors
            .entry(field.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = list {
            a.push(msg.into());
        }
    };
    let product_code = text(&body, wire::PRODUCT).unwrap_or_default();
    let period = body.get(wire::PERIOD).and_then(Value::as_u64).unwrap_or(0);
    let product = acct.products.iter().find(|p| p.code == product_code);
    let price = match product {
        None => {
            add(
                wire::PRODUCT,
                format!("\"{product_code}\" is not a product of this account"),
            );
            None
        }
        Some(p) => match p.periods.iter().find(|x| u64::from(x.period) == period) {
            Some(x) => Some(x.price.clone()),
            None => {
                let allowed: Vec<String> = p.periods.iter().map(|x| x.period.to_string()).collect();
                add(
                    wire::PERIOD,
                    format!(
                        "{period} is not a period of {product_code}; allowed: {}",
                        allowed.join(", ")
                    ),
                );
                None
            }
        },
    };

    // Re-validate the row as a CA would: never trust the client.
    let mut row = Row {
        line: 1,
        first_name: text(&body, wire::FIRST_NAME).unwrap_or_default().trim().to_owned(),
        last_name: text(&body, wire::LAST_NAME).unwrap_or_default().trim().to_owned(),
        email: text(&body, wire::EMAIL_ADDRESS).unwrap_or_default().trim().to_owned(),
        country: text(&body, wire::COUNTRY).unwrap_or_default().trim().to_owned(),
        csr: text(&body, wire::CSR).unwrap_or_default().trim().to_owned(),
        name_hint: None,
        valid: true,
    };
    let domains = ValidatedDomains::parse(&acct.domains).unwrap_or_default();
    let mut findings = Vec::new();
    Validator::new(&domains, false, Columns::all()).check(0, &mut row, &mut findings);
    for f in findings.iter().filter(|f| f.is_error()) {
        add(f.field.map_or("request", wire_field), f.message.clone());
    }
    if !field_errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ wire::ERRORS: field_errors })),
        )
            .into_response();
    }

    let new = NewOrder {
        account_key: &acct.account_key,
        external_order_number: text(&body, wire::EXTERNAL_ORDER_NUMBER),
        email: &row.email,
        first_name: &row.first_name,
        last_name: &row.last_name,
        country: &row.country,
        csr: (!row.csr.is_empty()).then_some(row.csr.as_str()),
        product: product_code,
        period: period as u32,
        amount: price.as_deref().unwrap_or("0.00"),
    };
    let order = match state.store.insert(&new, state.faults.salt()) {
        Ok(o) => o,
        Err(e) => return storage_error(e),
    };
    if state.faults.should_drop() {
        // The order exists, but the client never gets its answer: the status
        // line and the first bytes leave, then the connection is cut. (Cutting
        // it before any byte would let a browser silently resend the POST on a
        // reused keep-alive connection, which no page can prevent; see
        // ARCHITECTURE.md.)
        drop.after(std::time::Duration::from_millis(50));
        let first = futures_util::stream::once(async {
            Ok::<_, std::convert::Infallible>(axum::body::Bytes::from_static(b"{\"ref\":"))
        });
        let body =
            axum::body::Body::from_stream(futures_util::StreamExt::chain(first, futures_util::stream::pending()));
        return (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    (StatusCode::CREATED, Json(order_json(&order, &base_url(&headers)))).into_response()
}

async fn list_orders(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = faults_gate(&state).await {
        return r;
    }
    let Some(acct) = query_account(&state, &q) else {
        return unauthorized();
    };
    let page: u64 = q
        .get(wire::PAGE)
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page: u64 = q
        .get(wire::PER_PAGE)
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(100)
        .min(1000);
    let key = q.get(wire::EXTERNAL_ORDER_NUMBER).map(String::as_str);
    match state
        .store
        .list(&acct.account_key, key, (page - 1) * per_page, per_page)
    {
        Ok(orders) => {
            let base = base_url(&headers);
            Json(Value::Array(orders.iter().map(|o| order_json(o, &base)).collect())).into_response()
        }
        Err(e) => storage_error(e),
    }
}

async fn get_order(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = faults_gate(&state).await {
        return r;
    }
    let Some(acct) = query_account(&state, &q) else {
        return unauthorized();
    };
    match state.store.get(&reference) {
        Ok(Some(o)) if o.account_key == acct.account_key => Json(order_json(&o, &base_url(&headers))).into_response(),
        Ok(_) => errors(StatusCode::NOT_FOUND, wire::REF, "no such order in this account"),
        Err(e) => storage_error(e),
    }
}

async fn list_domains(State(state): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(r) = faults_gate(&state).await {
        return r;
    }
    match query_account(&state, &q) {
        Some(acct) => Json(json!({ wire::DOMAINS: acct.domains })).into_response(),
        None => unauthorized(),
    }
}

async fn list_products(State(state): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(r) = faults_gate(&state).await {
        return r;
    }
    let Some(acct) = query_account(&state, &q) else {
        return unauthorized();
    };
    let products: Vec<Value> = acct
        .products
        .iter()
        .map(|p| {
            let periods: Vec<Value> = p
                .periods
                .iter()
                .map(|x| json!({ wire::PERIOD: x.period, wire::PRICE: x.price }))
                .collect();
            json!({ wire::CODE: p.code, wire::NAME: p.name, wire::PERIODS: periods })
        })
        .collect();
    Json(json!({ wire::PRODUCTS: products })).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn receipt_page(State(state): State<Shared>, Path(reference): Path<String>) -> Response {
    let Ok(Some(order)) = state.store.get(&reference) else {
        return (
            StatusCode::NOT_FOUND,
            Html("<!DOCTYPE html><title>No such order</title><p>No such order.</p>".to_owned()),
        )
            .into_response();
    };
    let pending: Vec<StoredOrder> = state
        .store
        .list(&order.account_key, None, 0, 100_000)
        .unwrap_or_default()
        .into_iter()
        .filter(|o| o.status == "pending validation")
        .collect();
    let total: f64 = pending.iter().filter_map(|o| o.amount.parse::<f64>().ok()).sum();
    let rows: String = pending
        .iter()
        .map(|o| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&o.reference),
                escape(&o.email),
                escape(&o.product),
                escape(&o.amount)
            )
        })
        .collect();
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox invoice</title></head><body>\
         <h1>Sandbox CA — invoice</h1><p>Account {}: {} pending orders, total {total:.2} (sandbox: nothing is charged).</p>\
         <table><thead><tr><th>Order</th><th>Email</th><th>Product</th><th>Amount</th></tr></thead><tbody>{rows}</tbody></table></body></html>",
        escape(&order.account_key),
        pending.len()
    ))
    .into_response()
}

async fn validation_page(State(state): State<Shared>, Path(reference): Path<String>) -> Response {
    match state.store.get(&reference) {
        Ok(Some(o)) => Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox validation</title></head><body>\
             <h1>Validation of {}</h1><p>Order {} is <strong>{}</strong>. In the sandbox, move it along with \
             POST /sandbox/orders/{}/status.</p></body></html>",
            escape(&o.email),
            escape(&o.reference),
            escape(&o.status),
            escape(&o.reference)
        ))
        .into_response(),
        _ => (StatusCode::NOT_FOUND, Html("<!DOCTYPE html><title>No such order</title><p>No such order.</p>".to_owned()))
            .into_response(),
    }
}

async fn admin_orders(State(state): State<Shared>) -> Response {
    match state.store.all() {
        Ok(orders) => Json(orders).into_response(),
        Err(e) => storage_error(e),
    }
}

async fn admin_clear(State(state): State<Shared>) -> Response {
    match state.store.clear() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => storage_error(e),
    }
}

/// Statuses an order can be moved to in the sandbox.
const STATUSES: [&str; 5] = ["pending validation", "validated", "issued", "rejected", "revoked"];

async fn admin_set_status(State(state): State<Shared>, Path(reference): Path<String>, body: String) -> Response {
    let status = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("status")?.as_str().map(str::to_owned));
    let Some(status) = status.filter(|s| STATUSES.contains(&s.as_str())) else {
        return errors(
            StatusCode::BAD_REQUEST,
            "status",
            &format!("give {{\"status\": …}} with one of: {}", STATUSES.join(", ")),
        );
    };
    match state.store.set_status(&reference, &status) {
        Ok(true) => match state.store.get(&reference) {
            Ok(Some(o)) => Json(o).into_response(),
            _ => StatusCode::NO_CONTENT.into_response(),
        },
        Ok(false) => errors(StatusCode::NOT_FOUND, wire::REF, "no such order"),
        Err(e) => storage_error(e),
    }
}

async fn admin_faults(State(state): State<Shared>) -> Response {
    Json(state.faults.get()).into_response()
}

async fn admin_set_faults(State(state): State<Shared>, body: String) -> Response {
    let update: FaultsUpdate = match serde_json::from_str(&body) {
        Ok(u) => u,
        Err(e) => return errors(StatusCode::BAD_REQUEST, "body", &format!("not a faults update: {e}")),
    };
    match state.faults.update(update) {
        Ok(f) => Json(f).into_response(),
        Err(e) => errors(StatusCode::BAD_REQUEST, "faults", &e),
    }
}
