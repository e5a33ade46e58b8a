//! The reference dialect: the JSON protocol our sandbox CA spoke before it
//! imitated SSL.com (`--profile reference`). It has what SSL.com's API lacks —
//! `GET /domains`, `GET /products`, order lists that carry our key, 401, 422 —
//! and a JSON body, so a page on another origin needs the CA to answer CORS
//! preflights. Kept as the contrast that `smime-bulk probe` reports against
//! and for CAs (or proxies) that speak it. Every wire name is in [`wire`].

pub mod wire;

use super::answer::{field_errors, json, retry_after_ms, snippet, string};
use super::http::{Body, HttpRequest, HttpResponse, Method};
use super::types::{CaError, Credentials, ListQuery, Order, OrderRequest, Period, Product};
use serde_json::Value;

/// What a reference CA does, as `smime-bulk probe` checks it.
pub const TRAITS: crate::probe::Traits = crate::probe::Traits {
    wrong_keys_read_status: 401,
    wrong_keys_create_status: 401,
    missing_order_status: 404,
    list_shows_keys: true,
    show_has_ref: true,
    create_needs_preflight: true,
};

/// The request that places one order: a JSON body.
pub fn create_order(creds: &Credentials, order: &OrderRequest) -> HttpRequest {
    let mut body = serde_json::Map::new();
    body.insert(wire::ACCOUNT_KEY.into(), creds.account_key.clone().into());
    body.insert(wire::SECRET_KEY.into(), creds.secret_key().into());
    body.insert(wire::PRODUCT.into(), order.product.clone().into());
    body.insert(wire::PERIOD.into(), order.period.into());
    body.insert(wire::EMAIL_ADDRESS.into(), order.email.clone().into());
    body.insert(wire::FIRST_NAME.into(), order.first_name.clone().into());
    body.insert(wire::LAST_NAME.into(), order.last_name.clone().into());
    body.insert(wire::COUNTRY.into(), order.country.clone().into());
    if let Some(csr) = &order.csr {
        body.insert(wire::CSR.into(), csr.clone().into());
    }
    body.insert(
        wire::EXTERNAL_ORDER_NUMBER.into(),
        order.external_order_number.clone().into(),
    );
    HttpRequest {
        method: Method::Post,
        path: wire::PATH_CERTIFICATES.into(),
        query: Vec::new(),
        body: Some(Body::Json(Value::Object(body).to_string())),
    }
}

/// The request for one page of the account's orders (the window is not
/// sent: this dialect lists every order, and its items carry our key).
pub fn list_orders(creds: &Credentials, query: &ListQuery) -> HttpRequest {
    let mut q = auth_query(creds);
    q.push((wire::PAGE.into(), query.page.to_string()));
    q.push((wire::PER_PAGE.into(), query.per_page.to_string()));
    HttpRequest::get(wire::PATH_CERTIFICATES.into(), q)
}

/// The request for one order's current state.
pub fn get_order(creds: &Credentials, reference: &str) -> HttpRequest {
    HttpRequest::get(
        format!(
            "{}/{}",
            wire::PATH_CERTIFICATE,
            super::http::encode_component(reference)
        ),
        auth_query(creds),
    )
}

/// The request for the account's pre-validated email domains.
pub fn list_domains(creds: &Credentials) -> HttpRequest {
    HttpRequest::get(wire::PATH_DOMAINS.into(), auth_query(creds))
}

/// The request for the S/MIME products on offer.
pub fn list_products(creds: &Credentials) -> HttpRequest {
    HttpRequest::get(wire::PATH_PRODUCTS.into(), auth_query(creds))
}

fn auth_query(creds: &Credentials) -> Vec<(String, String)> {
    vec![
        (wire::ACCOUNT_KEY.into(), creds.account_key.clone()),
        (wire::SECRET_KEY.into(), creds.secret_key().into()),
    ]
}

/// Turns a non-success answer into its error; `None` for 2xx.
fn error_of(resp: &HttpResponse) -> Option<CaError> {
    match resp.status {
        200..=299 => None,
        300..=399 => Some(CaError::Redirected(
            resp.location
                .clone()
                .unwrap_or_else(|| format!("an unnamed address (HTTP {})", resp.status)),
        )),
        401 | 403 => Some(CaError::Unauthorized),
        404 => Some(CaError::NotFound),
        429 => Some(CaError::RateLimited {
            retry_after_ms: resp.retry_after.as_deref().and_then(retry_after_ms),
        }),
        500..=599 => Some(CaError::Server { status: resp.status }),
        status => Some(match body_field_errors(&resp.body) {
            Some(errors) => CaError::Rejected(errors),
            None => CaError::Unexpected {
                status,
                detail: snippet(&resp.body),
            },
        }),
    }
}

/// `{"errors": {…}}` in a body → per-field messages.
fn body_field_errors(body: &str) -> Option<super::types::FieldErrors> {
    let value: Value = serde_json::from_str(body).ok()?;
    field_errors(value.get(wire::ERRORS)?)
}

fn order_from(v: &Value, status: u16) -> Result<Order, CaError> {
    // An empty ref names no order: it is as good as none.
    let reference = string(v, wire::REF)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| CaError::Unexpected {
            status,
            detail: format!("the order has no \"{}\"", wire::REF),
        })?;
    Ok(Order {
        reference,
        status: string(v, wire::ORDER_STATUS).unwrap_or_default(),
        amount: string(v, wire::ORDER_AMOUNT),
        certificate_url: string(v, wire::CERTIFICATE_URL),
        receipt_url: string(v, wire::RECEIPT_URL),
        validation_url: string(v, wire::VALIDATION_URL),
        external_order_number: string(v, wire::EXTERNAL_ORDER_NUMBER),
        email: string(v, wire::EMAIL_ADDRESS),
        product: string(v, wire::PRODUCT),
    })
}

/// The answer to placing one order.
pub fn parse_created(resp: &HttpResponse) -> Result<Order, CaError> {
    if let Some(e) = error_of(resp) {
        return Err(e);
    }
    order_from(&json(resp)?, resp.status)
}

/// The answer to fetching order `reference`.
pub fn parse_shown(resp: &HttpResponse, reference: &str) -> Result<Order, CaError> {
    let order = parse_created(resp)?;
    if order.reference != reference {
        return Err(CaError::Unexpected {
            status: resp.status,
            detail: format!("asked for order {reference}, the CA answered with {}", order.reference),
        });
    }
    Ok(order)
}

/// The answer to listing orders: a JSON array of orders (empty past the end).
pub fn parse_order_list(resp: &HttpResponse) -> Result<Vec<Order>, CaError> {
    if let Some(e) = error_of(resp) {
        return Err(e);
    }
    let value = json(resp)?;
    let items = value.as_array().ok_or_else(|| CaError::Unexpected {
        status: resp.status,
        detail: "the order list is not a JSON array".into(),
    })?;
    items.iter().map(|v| order_from(v, resp.status)).collect()
}

/// The array under `key` in an answer's JSON object.
fn list_at<'a>(value: &'a Value, key: &str, status: u16) -> Result<&'a Vec<Value>, CaError> {
    value
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| CaError::Unexpected {
            status,
            detail: format!("no \"{key}\" list"),
        })
}

/// The answer to `GET /domains`: `{"domains": ["example.com", …]}`.
pub fn parse_domains(resp: &HttpResponse) -> Result<Vec<String>, CaError> {
    if let Some(e) = error_of(resp) {
        return Err(e);
    }
    let value = json(resp)?;
    let list = list_at(&value, wire::DOMAINS, resp.status)?;
    list.iter()
        .enumerate()
        .map(|(i, d)| match d.as_str().map(str::trim) {
            Some(name) if !name.is_empty() => Ok(name.to_owned()),
            _ => Err(CaError::Unexpected {
                status: resp.status,
                detail: format!("domain {} of the list is {d}, not a domain name", i + 1),
            }),
        })
        .collect()
}

/// The answer to `GET /products`:
/// `{"products": [{"code", "name", "periods": [{"period": 365, "price": "39.00"}]}]}`.
pub fn parse_products(resp: &HttpResponse) -> Result<Vec<Product>, CaError> {
    if let Some(e) = error_of(resp) {
        return Err(e);
    }
    let value = json(resp)?;
    let list = list_at(&value, wire::PRODUCTS, resp.status)?;
    let mut out = Vec::new();
    for p in list {
        let code = string(p, wire::CODE)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| CaError::Unexpected {
                status: resp.status,
                detail: "a product has no code".into(),
            })?;
        let periods = p
            .get(wire::PERIODS)
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|x| {
                        let days = x.get(wire::PERIOD)?.as_u64()?;
                        Some(Period {
                            days: u32::try_from(days).ok()?,
                            price: string(x, wire::PRICE),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Product {
            name: string(p, wire::NAME).unwrap_or_else(|| code.clone()),
            code,
            periods,
        });
    }
    Ok(out)
}

/// What a reference-dialect status means.
pub fn explain_status(status: &str) -> Option<&'static str> {
    Some(match status.trim() {
        "pending validation" => "ordered; the recipient is asked to validate their identity, then it is issued",
        "issued" => "issued: the recipient can collect the certificate",
        _ => return None,
    })
}
