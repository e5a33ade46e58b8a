//! Every answer of the `sslcom` profile, with SSL.com's own wire names
//! written here as literals (docs/sslcom-sws.md §4–§8; not the client's
//! `smime_bulk_ca::protocol::wire`, so the sandbox cannot share the client's
//! mistakes): the create, show and list views of SSL.com's rabl templates,
//! and the error shapes.

use super::cors::outside;
use crate::accounts::Account;
use crate::clock;
use crate::money;
use crate::store::StoredOrder;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The login error's text (`error.missing_account_key_or_secret_key`).
pub const LOGIN: &str = "account_key not found or wrong secret_key";

/// A Rails errors hash: field → list of messages (a message may be an object).
#[derive(Debug, Default)]
pub struct Errors(Map<String, Value>);

impl Errors {
    /// Adds a message to a field.
    pub fn add(&mut self, field: &str, message: impl Into<Value>) {
        let list = self
            .0
            .entry(field.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = list {
            a.push(message.into());
        }
    }

    /// `validates :field, presence: true` for each of `fields`.
    pub fn require(&mut self, params: &super::params::Params, fields: &[&str]) {
        for f in fields {
            if params.blank(f) {
                self.add(f, "can't be blank");
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// Create's validation failure: 400 in the `response_type` shape.
pub fn error_400(errors: Errors) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "response_type": "ERROR", "response_code": 400, "message": errors.into_map() })),
    )
        .into_response()
}

/// Every other error an action renders through its template: 200 `{"errors":…}`.
pub fn errors_200(errors: Errors) -> Response {
    Json(json!({ "errors": errors.into_map() })).into_response()
}

/// An exception caught in an action: 500, `message` a string.
pub fn server_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "response_type": "ERROR", "response_code": 500, "message": "server error" })),
    )
        .into_response()
}

/// The JSON-parse middleware's 400 (outside any action: no CORS headers).
pub fn json_parse_error(detail: &str) -> Response {
    outside(
        (
            StatusCode::BAD_REQUEST,
            Json(json!({ "status": 400, "error": format!("There was a problem in the JSON you submitted: {detail}") })),
        )
            .into_response(),
    )
}

/// No route (unknown path or verb, an uppercase ref, `version=2`): Rails'
/// 404, outside any action. The real body is not defined by SSL.com's code.
pub fn not_found() -> Response {
    outside(
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "status": 404, "error": "Not Found" })),
        )
            .into_response(),
    )
}

/// The sandbox's rate-limit fault: 429 with `Retry-After`, as a proxy in
/// front of the app would answer (the public record is silent; no CORS).
pub fn too_many_requests() -> Response {
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({ "status": 429, "error": "Too Many Requests" })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    outside(r)
}

/// What an `sslcom` order keeps beside the store's columns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Extra {
    /// The registrant (`Contact#to_api_query`), if the order has one.
    pub registrant: Option<Value>,
    /// The contacts that were valid, one per role.
    pub contacts: Vec<Value>,
    /// `1 Year Personal Business`.
    pub description: String,
    /// `personal-business`.
    pub product_name: String,
}

impl Extra {
    /// The extra of a stored order (empty for one the reference profile made).
    pub fn of(o: &StoredOrder) -> Extra {
        o.extra
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok())
            .unwrap_or_default()
    }
}

/// The registrant from a create's parameters (`:414-430` of the source;
/// names as `to_api_query` writes them; `email` is never set by create).
pub fn registrant(text: impl Fn(&str) -> Option<String>, country: Option<String>) -> Value {
    let mut r = Map::new();
    for (out, param) in [
        ("organization", "organization"),
        ("organization_unit", "organization_unit"),
        ("street_address_1", "street_address_1"),
        ("street_address_2", "street_address_2"),
        ("street_address_3", "street_address_3"),
        ("locality", "locality_name"),
        ("state_or_province", "state_or_province_name"),
        ("post_office_box", "post_office_box"),
        ("postal_code", "postal_code"),
    ] {
        r.insert(out.to_owned(), text(param).into());
    }
    r.insert("country".into(), country.into());
    r.insert("email".into(), Value::Null);
    Value::Object(r)
}

/// An empty registrant (an enrollment's, copied from the team's EPKI registrant).
pub fn empty_registrant() -> Value {
    registrant(|_| None, None)
}

/// The order's status as shown: `revoked` has no string in SSL.com's switch.
fn order_status(o: &StoredOrder) -> Value {
    if o.status == super::STATUS_REVOKED {
        Value::Null
    } else {
        o.status.clone().into()
    }
}

/// The number after `co-` (orders), used for the other references.
fn suffix(o: &StoredOrder) -> &str {
    o.reference.strip_prefix("co-").unwrap_or(&o.reference)
}

/// The receipt of a bulk enrollment.
pub fn enrollment_receipt_id(enrollment: i64) -> String {
    format!("on-e{enrollment:06}")
}

/// The receipt an order is on: its own, or its enrollment's.
pub fn receipt_id(o: &StoredOrder) -> String {
    match o.enrollment_id {
        Some(e) => enrollment_receipt_id(e),
        None => format!("on-{}", suffix(o)),
    }
}

/// The link of a receipt.
pub fn receipt_url(base: &str, account: &Account, receipt: &str) -> String {
    format!("{base}/team/{}/orders/{receipt}", account.team_slug())
}

/// The portal links of an order.
pub struct Links {
    pub certificate: String,
    pub receipt: String,
    pub smart_seal: String,
    pub validation: String,
}

impl Links {
    pub fn of(o: &StoredOrder, account: &Account, base: &str) -> Links {
        let order = format!("{base}/team/{}/certificate_orders/{}", account.team_slug(), o.reference);
        Links {
            receipt: receipt_url(base, account, &receipt_id(o)),
            smart_seal: format!("{order}/site_seal"),
            validation: format!("{order}/validation"),
            certificate: order,
        }
    }
}

/// Create's success (`create_v1_4.rabl`).
pub fn create_ok(o: &StoredOrder, account: &Account, base: &str) -> Value {
    let extra = Extra::of(o);
    let links = Links::of(o, account, base);
    json!({
        "ref": o.reference,
        "registrant": extra.registrant,
        "order_status": order_status(o),
        "validations": null,
        "order_amount": amount(o),
        "external_order_number": o.external_order_number,
        "certificate_url": links.certificate,
        "receipt_url": links.receipt,
        "smart_seal_url": links.smart_seal,
        "validation_url": links.validation,
        "certificates": null,
        "certificate_contents": { "ref": format!("cc-{}", suffix(o)) },
    })
}

/// `$90.00`, as `Money#format`.
pub fn amount(o: &StoredOrder) -> String {
    money::parse_cents(&o.amount).map_or_else(|| o.amount.clone(), money::format_dollars)
}

/// Show (`show_v1_4.rabl`): no `ref`.
pub fn show(o: &StoredOrder) -> Value {
    let extra = Extra::of(o);
    json!({
        "description": extra.description,
        "product": o.product,
        "product_name": extra.product_name,
        "order_status": order_status(o),
        "order_date": clock::iso(o.created_at),
        "registrant": extra.registrant,
        "certificates": null,
        "common_name": null,
        "domains_qty_purchased": "1",
        "wildcard_qty_purchased": "0",
        "subject_alternative_names": null,
        "validations": null,
        "effective_date": null,
        "expiration_date": null,
        "algorithm": null,
        "external_order_number": o.external_order_number,
        "domains": [o.email],
        "site_seal_code": null,
        "subscriber_agreement": null,
        "server_software": null,
        "contacts": extra.contacts,
    })
}

/// The list's default fields, in the template's order.
pub const LIST_FIELDS: [&str; 17] = [
    "ref",
    "description",
    "order_status",
    "order_date",
    "registrant",
    "certificates",
    "common_name",
    "domains_qty_purchased",
    "wildcard_qty_purchased",
    "subject_alternative_names",
    "validations",
    "effective_date",
    "expiration_date",
    "algorithm",
    "domains",
    "site_seal_code",
    "external_order_number",
];

/// A list item (`index_v1_4.rabl`) with only `fields` (those of
/// [`LIST_FIELDS`] among them). `external_order_number` is always null: the
/// source's list builder never sets it.
pub fn list_item(o: &StoredOrder, fields: &[&str]) -> Value {
    let extra = Extra::of(o);
    let mut m = Map::new();
    for f in LIST_FIELDS.iter().filter(|f| fields.contains(f)) {
        let v = match *f {
            "ref" => o.reference.clone().into(),
            "description" => extra.description.clone().into(),
            "order_status" => order_status(o),
            "order_date" => clock::iso(o.created_at).into(),
            "registrant" => extra.registrant.clone().unwrap_or(Value::Null),
            "domains_qty_purchased" => "1".into(),
            "wildcard_qty_purchased" => "0".into(),
            "domains" => json!([o.email]),
            _ => Value::Null,
        };
        m.insert((*f).to_owned(), v);
    }
    Value::Object(m)
}
