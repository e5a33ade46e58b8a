//! The `sslcom` dialect: SSL.com's SWS API as its public source and docs show
//! it (docs/sslcom-sws.md, which cites each point). What sets it apart:
//!
//! - **POSTs are form-encoded** with the keys in the body: a CORS *simple*
//!   request. SSL.com answers no preflight for `/certificates`, so a JSON POST
//!   from a page on another origin never leaves the browser.
//! - **Errors come in three shapes**: 400 `{"response_type":"ERROR","message":{field:[…]}}`
//!   (create refused, including wrong keys as `message.login`), 200
//!   `{"errors":{field:[…]}}` (show, list, enrollment; funds on create), and
//!   500 `{"message":"server error"}`. No 401.
//! - **The CA never de-duplicates and cannot be asked for our key**: lists do
//!   not carry `external_order_number`, only a show of one order does. The
//!   engine settles a lost answer by listing the batch's window and reading
//!   the orders it does not hold ([`crate::engine`]).
//! - **Bulk enrollment** (`enrollment`) places one invoiced order per
//!   mailbox of a chunk and answers with no order reference.
//! - **No product or domain API**: products come from [`catalogue`], validated
//!   domains from the user.

pub mod catalogue;
pub mod date;
mod enrollment;
pub mod wire;

pub use enrollment::{enroll, parse_enrolled, ENROLLMENT_INVOICE, ENROLLMENT_TERMS};

use super::answer::{field_errors, json, snippet, string};
use super::http::{Body, HttpRequest, HttpResponse, Method};
use super::types::{CaError, Credentials, FieldErrors, ListQuery, Order, OrderRequest};
use serde_json::Value;

/// What SSL.com's API does, as `smime-bulk probe` checks it (docs/sslcom-sws.md §2, §3, §5, §6).
pub const TRAITS: crate::probe::Traits = crate::probe::Traits {
    wrong_keys_read_status: 200,
    wrong_keys_create_status: 400,
    missing_order_status: 200,
    list_shows_keys: false,
    show_has_ref: false,
    create_needs_preflight: false,
};

/// How many days before the batch started the list window opens: the CA
/// dates orders in its own time zone (US Central in its source).
const WINDOW_MARGIN_DAYS: u64 = 1;
/// How long after it started the window stays open: a batch resumed within
/// ten years is still found.
const WINDOW_DAYS: u64 = 3_660;

/// The request that places one order: a form-encoded POST.
///
/// The mailbox goes in `domains`, where SSL.com's own portal puts an S/MIME
/// order's address. Names are not sent: the API takes them only as a contact,
/// which it checks *after* charging the order (a phone is required), so a
/// contact without one would leave every order's outcome unknown. SSL.com
/// collects the recipient's names in its identity validation.
pub fn create_order(creds: &Credentials, order: &OrderRequest) -> HttpRequest {
    let mut form = auth(creds);
    form.push((wire::PRODUCT.into(), order.product.clone()));
    form.push((wire::PERIOD.into(), order.period.to_string()));
    form.push((wire::DOMAINS.into(), order.email.clone()));
    form.push((wire::EMAIL_ADDRESS.into(), order.email.clone()));
    form.push((wire::COUNTRY.into(), order.country.clone()));
    if let Some(csr) = &order.csr {
        form.push((wire::CSR.into(), csr.clone()));
    }
    form.push((wire::EXTERNAL_ORDER_NUMBER.into(), order.external_order_number.clone()));
    HttpRequest {
        method: Method::Post,
        path: wire::PATH_CERTIFICATES.into(),
        query: Vec::new(),
        body: Some(Body::Form(form)),
    }
}

/// The request for one page of the account's orders, newest first, created
/// in the window that opens a day before `query.created_since`.
pub fn list_orders(creds: &Credentials, query: &ListQuery) -> HttpRequest {
    let mut q = auth(creds);
    q.push((wire::PAGE.into(), query.page.to_string()));
    q.push((wire::PER_PAGE.into(), query.per_page.to_string()));
    if query.created_since > 0 {
        let from = query.created_since.saturating_sub(WINDOW_MARGIN_DAYS * date::DAY_SECS);
        let to = from + WINDOW_DAYS * date::DAY_SECS;
        q.push((
            wire::SEARCH.into(),
            format!(
                "{}:{}-{}",
                wire::SEARCH_CREATED_AT,
                date::us_date(from),
                date::us_date(to)
            ),
        ));
    }
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
        auth(creds),
    )
}

fn auth(creds: &Credentials) -> Vec<(String, String)> {
    vec![
        (wire::ACCOUNT_KEY.into(), creds.account_key.clone()),
        (wire::SECRET_KEY.into(), creds.secret_key().into()),
    ]
}

/// What an answer's status alone says, before its body is read: `None` to
/// read the body.
fn status_error(resp: &HttpResponse) -> Option<CaError> {
    match resp.status {
        200..=299 | 400 => None,
        300..=399 => Some(CaError::Redirected(
            resp.location
                .clone()
                .unwrap_or_else(|| format!("an unnamed address (HTTP {})", resp.status)),
        )),
        401 | 403 => Some(CaError::Unauthorized),
        404 => Some(CaError::NotFound),
        // The public record shows no rate limiting; a proxy may add it. Its
        // Retry-After is unreadable from a page (the CA exposes no headers).
        429 => Some(CaError::RateLimited {
            retry_after_ms: resp.retry_after.as_deref().and_then(super::answer::retry_after_ms),
        }),
        500..=599 => Some(CaError::Server { status: resp.status }),
        status => Some(CaError::Unexpected {
            status,
            detail: snippet(&resp.body),
        }),
    }
}

/// A 400's meaning: `{"response_type":"ERROR","message":{…}}` (a refusal,
/// `login` for wrong keys) or the malformed-body answer `{"error":"…"}`.
fn bad_request(resp: &HttpResponse, value: &Value) -> CaError {
    if let Some(errors) = value.get(wire::MESSAGE).and_then(field_errors) {
        return refusal(errors);
    }
    let text = value
        .get(wire::ERROR)
        .or_else(|| value.get(wire::MESSAGE))
        .and_then(Value::as_str)
        .map_or_else(|| snippet(&resp.body), str::to_owned);
    let mut errors = FieldErrors::new();
    errors.insert("request".into(), vec![text]);
    CaError::Rejected(errors)
}

/// Errors the CA found before it created anything.
fn refusal(errors: FieldErrors) -> CaError {
    if errors.contains_key(wire::ERR_LOGIN) {
        return CaError::Unauthorized;
    }
    if let Some(messages) = errors.get(wire::ERR_FUNDED_ACCOUNT) {
        return CaError::InsufficientFunds(messages.join(" "));
    }
    CaError::Rejected(errors)
}

/// A 200 `{"errors": …}` answer to a read (show, list): wrong keys, or no such order.
fn read_error(resp: &HttpResponse, errors: FieldErrors) -> CaError {
    if errors.contains_key(wire::ERR_LOGIN) {
        CaError::Unauthorized
    } else if wire::ERR_NOT_FOUND.iter().any(|f| errors.contains_key(*f)) {
        CaError::NotFound
    } else {
        CaError::Unexpected {
            status: resp.status,
            detail: describe(&errors),
        }
    }
}

fn describe(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(field, msgs)| format!("{field}: {}", msgs.join("; ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The mailbox of an order: the first of its `domains` (a list, a string, or
/// an object keyed by name).
fn mailbox(v: &Value) -> Option<String> {
    match v.get(wire::DOMAINS)? {
        Value::Array(items) => items.iter().find_map(|d| d.as_str().map(str::to_owned)),
        Value::String(s) => s.split([',', ' ']).find(|p| !p.is_empty()).map(str::to_owned),
        Value::Object(map) => map.keys().next().cloned(),
        _ => None,
    }
}

fn order_from(v: &Value, reference: String) -> Order {
    Order {
        reference,
        status: string(v, wire::ORDER_STATUS).unwrap_or_default(),
        amount: string(v, wire::ORDER_AMOUNT),
        certificate_url: string(v, wire::CERTIFICATE_URL),
        receipt_url: string(v, wire::RECEIPT_URL),
        validation_url: string(v, wire::VALIDATION_URL),
        external_order_number: string(v, wire::EXTERNAL_ORDER_NUMBER).filter(|k| !k.is_empty()),
        email: mailbox(v).or_else(|| string(v, wire::EMAIL_ADDRESS)),
        product: string(v, wire::PRODUCT),
    }
}

/// The answer to placing one order.
///
/// 200 with `ref`: placed. 400, or 200 `errors` naming only fields checked
/// before anything is created: refused (wrong keys and lack of funds are
/// their own errors, since every row would fare the same). 200 `errors` with
/// any other field (the CA checks contacts after it saved and charged the
/// order), a 200 without `ref`, and 5xx: the order may exist.
pub fn parse_created(resp: &HttpResponse) -> Result<Order, CaError> {
    if let Some(e) = status_error(resp) {
        return Err(e);
    }
    let value = json(resp)?;
    if resp.status == 400 {
        return Err(bad_request(resp, &value));
    }
    if let Some(reference) = string(&value, wire::REF).filter(|r| !r.is_empty()) {
        return Ok(order_from(&value, reference));
    }
    match value.get(wire::ERRORS).and_then(field_errors) {
        Some(errors) if !errors.is_empty() && errors.keys().all(|f| before_create(f)) => Err(refusal(errors)),
        Some(errors) => Err(CaError::Unexpected {
            status: resp.status,
            detail: format!(
                "the CA answered errors without an order reference ({}); the order may have been created",
                describe(&errors)
            ),
        }),
        None => Err(CaError::Unexpected {
            status: resp.status,
            detail: format!("the answer has no \"{}\": {}", wire::REF, snippet(&resp.body)),
        }),
    }
}

fn before_create(field: &str) -> bool {
    field == wire::ERR_LOGIN || field == wire::ERR_FUNDED_ACCOUNT || wire::ERR_BEFORE_CREATE.contains(&field)
}

/// The JSON of an answer to a read (show, list), or the error its status,
/// a 400 or a 200 `errors` says.
fn read_answer(resp: &HttpResponse) -> Result<Value, CaError> {
    if let Some(e) = status_error(resp) {
        return Err(e);
    }
    let value = json(resp)?;
    if resp.status == 400 {
        return Err(bad_request(resp, &value));
    }
    match value.get(wire::ERRORS).and_then(field_errors) {
        Some(errors) => Err(read_error(resp, errors)),
        None => Ok(value),
    }
}

/// The answer to fetching order `reference` (the answer does not repeat it).
pub fn parse_shown(resp: &HttpResponse, reference: &str) -> Result<Order, CaError> {
    let value = read_answer(resp)?;
    if !value.is_object() {
        return Err(CaError::Unexpected {
            status: resp.status,
            detail: format!("the order is not a JSON object: {}", snippet(&resp.body)),
        });
    }
    Ok(order_from(&value, reference.to_owned()))
}

/// The answer to listing orders: a bare JSON array, empty past the end.
/// Items carry no `external_order_number` (the CA writes `null`).
pub fn parse_order_list(resp: &HttpResponse) -> Result<Vec<Order>, CaError> {
    let value = read_answer(resp)?;
    let items = value.as_array().ok_or_else(|| CaError::Unexpected {
        status: resp.status,
        detail: "the order list is not a JSON array".into(),
    })?;
    items
        .iter()
        .map(|v| match string(v, wire::REF).filter(|r| !r.is_empty()) {
            Some(reference) => Ok(order_from(v, reference)),
            None => Err(CaError::Unexpected {
                status: resp.status,
                detail: format!("an order in the list has no \"{}\"", wire::REF),
            }),
        })
        .collect()
}

/// What an SSL.com `order_status` means for an IV+OV S/MIME order and what
/// happens next (the strings of its source, docs/sslcom-sws.md §5).
pub fn explain_status(status: &str) -> Option<&'static str> {
    Some(match status.trim() {
        "waiting on validation from customer" => {
            "ordered; SSL.com invites the recipient by email to validate their identity (IV), your organisation \
             (OV) being validated already; the certificate is issued after that"
        }
        "validating, please wait" | "waiting validation email response from customer" => {
            "the recipient's validation is under way at SSL.com"
        }
        "unused. waiting on certificate signing request (csr)" => {
            "ordered without a CSR: the recipient makes their key when they collect the certificate"
        }
        "waiting on contacts information from customer" | "waiting on registrant information from customer" => {
            "SSL.com needs more details in its portal before it can go on"
        }
        "issued" => "issued: the recipient can collect the certificate",
        "expiring. renew soon" => "issued, and expiring soon",
        "n/a" => "expired",
        _ => return None,
    })
}
