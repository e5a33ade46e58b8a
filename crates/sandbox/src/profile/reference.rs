//! The `reference` profile: the protocol smime-bulk invented before it spoke
//! SSL.com's (wire names from `smime_bulk_ca::protocol::wire`): JSON `POST
//! /certificates` answered 201, 422 `{"errors":…}` per field, 401 for wrong
//! keys, `GET /certificates` filtered by `external_order_number`, `GET
//! /domains` and `GET /products`, CORS from tower-http for `--cors-origin`
//! exposing `Retry-After`; and its invoice and validation pages.

use crate::faults::Gate;
use crate::pages::{self, base_url, escape};
use crate::recipient::{self, Recipient};
use crate::server::{cut_off, DropConnection};
use crate::state::{AppState, Shared};
use crate::store::{NewOrder, StoredOrder};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};
use smime_bulk_ca::protocol::reference::wire;
use smime_bulk_roster::mapping::Field;
use std::collections::HashMap;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// The status of a new order.
pub const STATUS_CREATED: &str = "pending validation";

/// Statuses an order can be moved to in the sandbox.
pub const STATUSES: [&str; 5] = ["pending validation", "validated", "issued", "rejected", "revoked"];

/// The API (under CORS for `cors_origin`) and the pages (guarded, no CORS).
pub fn routes(state: Shared, cors_origin: &str) -> Result<Router, String> {
    let cors = CorsLayer::new()
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::DELETE,
        ])
        .allow_headers([axum::http::header::CONTENT_TYPE])
        .expose_headers([axum::http::header::RETRY_AFTER])
        .allow_origin(if cors_origin == "*" {
            AllowOrigin::from(Any)
        } else {
            let origin = cors_origin
                .parse::<axum::http::HeaderValue>()
                .map_err(|_| format!("--cors-origin {cors_origin:?} is not a valid origin"))?;
            AllowOrigin::exact(origin)
        });
    let api = Router::new()
        .route(wire::PATH_CERTIFICATES, post(create_order).get(list_orders))
        .route(&format!("{}/{{reference}}", wire::PATH_CERTIFICATE), get(get_order))
        .route(wire::PATH_DOMAINS, get(list_domains))
        .route(wire::PATH_PRODUCTS, get(list_products))
        .with_state(state.clone())
        .layer(cors);
    let pages = Router::new()
        .route("/receipt/{reference}", get(receipt_page))
        .route("/validation/{reference}", get(validation_page))
        .with_state(state)
        .layer(axum::middleware::from_fn(pages::guard));
    Ok(api.merge(pages))
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
    match state.gate().await {
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

/// The account named by a GET's `account_key`/`secret_key` query parameters.
fn query_account<'a>(state: &'a AppState, q: &HashMap<String, String>) -> Option<&'a crate::accounts::Account> {
    state.account(
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
    let Some(acct) = state.account(text(&body, wire::ACCOUNT_KEY), text(&body, wire::SECRET_KEY)) else {
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
    let (row, problems) = recipient::check(
        &acct.domains,
        &Recipient {
            email: text(&body, wire::EMAIL_ADDRESS).unwrap_or_default(),
            first_name: text(&body, wire::FIRST_NAME).unwrap_or_default(),
            last_name: text(&body, wire::LAST_NAME).unwrap_or_default(),
            country: text(&body, wire::COUNTRY).unwrap_or_default(),
            csr: text(&body, wire::CSR).unwrap_or_default(),
        },
        true,
    );
    for (field, message) in problems {
        add(field.map_or("request", wire_field), message);
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
        status: STATUS_CREATED,
        charged_cents: 0,
        created_at: crate::clock::now_ms(),
        extra: None,
    };
    let order = match state.store.insert(&new, state.faults.salt()) {
        Ok(o) => o,
        Err(e) => return storage_error(e),
    };
    if state.faults.created_error().is_some() {
        return errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server",
            "sandbox: injected failure after the order was created",
        );
    }
    if state.faults.should_drop() {
        // The order exists, but the client never gets its answer.
        return cut_off(&drop, StatusCode::CREATED, b"{\"ref\":");
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

async fn receipt_page(State(state): State<Shared>, Path(reference): Path<String>) -> Response {
    let Ok(Some(order)) = state.store.get(&reference) else {
        return pages::not_found();
    };
    let pending: Vec<StoredOrder> = state
        .store
        .list(&order.account_key, None, 0, 100_000)
        .unwrap_or_default()
        .into_iter()
        .filter(|o| o.status == "pending validation")
        .collect();
    let total: f64 = pending.iter().filter_map(|o| o.amount.parse::<f64>().ok()).sum();
    let rows: Vec<[&str; 4]> = pending
        .iter()
        .map(|o| [o.reference.as_str(), &o.email, &o.product, &o.amount])
        .collect();
    pages::page(
        "Sandbox invoice",
        &format!(
            "<h1>Sandbox CA — invoice</h1><p>Account {}: {} pending orders, total {total:.2} (sandbox: nothing is charged).</p>{}",
            escape(&order.account_key),
            pending.len(),
            pages::table(["Order", "Email", "Product", "Amount"], &rows)
        ),
    )
}

async fn validation_page(State(state): State<Shared>, Path(reference): Path<String>) -> Response {
    match state.store.get(&reference) {
        Ok(Some(o)) => pages::page(
            "Sandbox validation",
            &format!(
                "<h1>Validation of {}</h1><p>Order {} is <strong>{}</strong>. In the sandbox, move it along with \
                 POST /sandbox/orders/{}/status.</p>",
                escape(&o.email),
                escape(&o.reference),
                escape(&o.status),
                escape(&o.reference)
            ),
        ),
        _ => pages::not_found(),
    }
}
