//! What the CA's answers mean.

use super::http::HttpResponse;
use super::types::{CaError, FieldErrors, Order, Period, Product};
use super::wire;
use serde_json::Value;

/// Turns a non-success answer into its error; `None` for 2xx.
fn error_of(resp: &HttpResponse) -> Option<CaError> {
    match resp.status {
        200..=299 => None,
        401 | 403 => Some(CaError::Unauthorized),
        404 => Some(CaError::NotFound),
        429 => Some(CaError::RateLimited {
            retry_after_ms: resp.retry_after.as_deref().and_then(retry_after_ms),
        }),
        500..=599 => Some(CaError::Server { status: resp.status }),
        status => Some(match field_errors(&resp.body) {
            Some(errors) => CaError::Rejected(errors),
            None => CaError::Unexpected {
                status,
                detail: snippet(&resp.body),
            },
        }),
    }
}

/// `Retry-After` in seconds (integer or decimal) → milliseconds, at most an hour.
fn retry_after_ms(value: &str) -> Option<u64> {
    super::decimal::thousandths(value).map(|ms| ms.min(3_600_000))
}

/// `{"errors": {"field": ["msg", …] | "msg"}}` → per-field messages.
fn field_errors(body: &str) -> Option<FieldErrors> {
    let value: Value = serde_json::from_str(body).ok()?;
    let errors = value.get(wire::ERRORS)?.as_object()?;
    let mut out = FieldErrors::new();
    for (field, msgs) in errors {
        let list = match msgs {
            Value::Array(items) => items
                .iter()
                .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                .collect(),
            Value::String(s) => vec![s.clone()],
            other => vec![other.to_string()],
        };
        out.insert(field.clone(), list);
    }
    Some(out)
}

fn snippet(body: &str) -> String {
    let trimmed: String = body.chars().take(200).collect();
    if trimmed.is_empty() {
        "empty body".into()
    } else {
        trimmed
    }
}

fn json(resp: &HttpResponse) -> Result<Value, CaError> {
    serde_json::from_str(&resp.body).map_err(|e| CaError::Unexpected {
        status: resp.status,
        detail: format!("not JSON ({e}): {}", snippet(&resp.body)),
    })
}

fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn order_from(v: &Value, status: u16) -> Result<Order, CaError> {
    let reference = string(v, wire::REF).ok_or_else(|| CaError::Unexpected {
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
    })
}

/// The answer to placing or fetching one order.
pub fn parse_order(resp: &HttpResponse) -> Result<Order, CaError> {
    if let Some(e) = error_of(resp) {
        return Err(e);
    }
    order_from(&json(resp)?, resp.status)
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
    Ok(list.iter().filter_map(|d| d.as_str().map(str::to_owned)).collect())
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
        let code = string(p, wire::CODE).ok_or_else(|| CaError::Unexpected {
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
