//! `POST /certificates` (SSL.com's `create_v1_4`, docs/sslcom-sws.md §4):
//! one voucher order for one recipient, named in `domains`.

use super::params::{blank, scalar, to_i, Params};
use super::views::{self, Errors, Extra};
use super::{begin, catalogue, Action, STATUS_CREATED};
use crate::faults::CreatedError;
use crate::money;
use crate::pages::base_url;
use crate::recipient::{self, Recipient};
use crate::server::{cut_off, DropConnection};
use crate::state::Shared;
use crate::store::{NewOrder, Shortfall};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use smime_bulk_roster::mapping::Field;

/// The contact roles every order gets (`CertificateContent::CONTACT_ROLES`).
const ROLES: [&str; 4] = ["administrative", "billing", "technical", "validation"];

/// The recipient addresses in `domains`: a string, a list, or a hash keyed
/// by name (`{"a@x.com": {"dcv": …}}`).
fn recipients(params: &Params) -> Vec<String> {
    match params.get("domains") {
        Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
        Some(Value::Object(o)) => o.keys().cloned().collect(),
        Some(v) => scalar(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The contact given for `role` (`contacts[role]`, else `contacts[all]`),
/// with the key it came under.
fn contact<'a>(params: &'a Params, role: &'static str) -> Option<(&'static str, &'a Map<String, Value>)> {
    let contacts = params.get("contacts")?.as_object()?;
    [role, "all"]
        .into_iter()
        .find_map(|key| contacts.get(key)?.as_object().map(|c| (key, c)))
}

fn field(c: &Map<String, Value>, name: &str) -> String {
    c.get(name).and_then(scalar).unwrap_or_default()
}

/// The contacts checked after payment, as the source does for each role:
/// valid ones to keep, or the errors (`[{"<role>": {"phone": ["can't be blank"]}}]`).
fn contacts_after_payment(params: &Params) -> Result<Vec<Value>, Vec<Value>> {
    let (mut kept, mut errors) = (Vec::new(), Vec::new());
    for role in ROLES {
        let Some((_, c)) = contact(params, role) else { continue };
        let mut problems = Errors::default();
        for f in ["first_name", "last_name", "email", "phone"] {
            if c.get(f).is_none_or(blank) {
                problems.add(f, "can't be blank");
            }
        }
        let email = field(c, "email");
        if !email.trim().is_empty() && smime_bulk_roster::email::parse_address(email.trim()).is_err() {
            problems.add("email", "is invalid");
        }
        if problems.is_empty() {
            let mut kept_one = Map::new();
            for f in ["first_name", "last_name", "email", "phone", "country"] {
                kept_one.insert(f.into(), c.get(f).and_then(scalar).into());
            }
            kept_one.insert("roles".into(), json!([role]));
            kept.push(Value::Object(kept_one));
        } else {
            errors.push(json!({ role: problems.into_map() }));
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(errors)
    }
}

pub async fn create(
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
    let code = params.text("product").unwrap_or_default();
    let period = params.text("period");
    if catalogue::check_product(&code, &catalogue::codes(&state.accounts), &mut errors) {
        catalogue::check_period(&code, period.as_deref(), &mut errors);
    }

    // The recipient, re-validated as today with the roster engine; the
    // names only when the order carries contacts.
    let emails = recipients(&params);
    if emails.len() > 1 {
        errors.add(
            "domains",
            "You have exceeded the maximum of 1 domain(s) or subdomains for this certificate.",
        );
    }
    let names = contact(&params, "administrative");
    let country = params
        .text("country")
        .or_else(|| names.map(|(_, c)| field(c, "country")));
    let csr = params.text("csr").unwrap_or_default();
    let email = emails.first().cloned().unwrap_or_default();
    let (first, last) = names.map_or_else(Default::default, |(_, c)| {
        (field(c, "first_name"), field(c, "last_name"))
    });
    let mut row = None;
    if let Some(acct) = account {
        let (checked, problems) = recipient::check(
            &acct.domains,
            &Recipient {
                email: &email,
                first_name: &first,
                last_name: &last,
                country: country.as_deref().unwrap_or_default(),
                csr: &csr,
            },
            names.is_some(),
        );
        let names_key = names.map_or("all", |(k, _)| k);
        for (f, message) in problems {
            let name = match f {
                Some(Field::Email) => "domains".to_owned(),
                Some(Field::Country) => "country".to_owned(),
                Some(Field::Csr) => "csr".to_owned(),
                Some(Field::FirstName) => format!("contacts[{names_key}][first_name]"),
                Some(Field::LastName) => format!("contacts[{names_key}][last_name]"),
                None => "base".to_owned(),
            };
            errors.add(&name, message);
        }
        row = Some(checked);
    }
    let (Some(acct), Some(row), true) = (account, row, errors.is_empty()) else {
        return views::error_400(errors);
    };

    // The price item: `items_by_duration[period / 365 - 1]`; where there is
    // none (a product the account does not sell, 1461 or 1826 days) the
    // source raises.
    let Some(product) = acct.products.iter().find(|p| p.code == code) else {
        return views::server_error();
    };
    let years = to_i(period.as_deref().unwrap_or_default()).div_euclid(365);
    let Some(item) = catalogue::pick(product, years) else {
        return views::server_error();
    };
    let Some(cents) = money::parse_cents(&item.price) else {
        return views::server_error();
    };

    // Checked now, answered only once the order is saved and paid.
    let kept_contacts = contacts_after_payment(&params);
    let extra = Extra {
        registrant: Some(views::registrant(|k| params.text(k), country.clone())),
        contacts: kept_contacts.clone().unwrap_or_default(),
        description: catalogue::description(product, item.period),
        product_name: catalogue::product_name(product),
    };
    let extra = serde_json::to_string(&extra).unwrap_or_default();
    let external = params.text("external_order_number");
    let new = NewOrder {
        account_key: &acct.account_key,
        external_order_number: external.as_deref(),
        email: &row.email,
        first_name: &row.first_name,
        last_name: &row.last_name,
        country: &row.country,
        csr: (!row.csr.is_empty()).then_some(row.csr.as_str()),
        product: &product.code,
        period: item.period,
        amount: &item.price,
        status: STATUS_CREATED,
        charged_cents: cents,
        created_at: crate::clock::now_ms(),
        extra: Some(&extra),
    };
    let order = match state.store.insert_funded(&new, state.faults.salt(), acct.funds_cents()) {
        Ok(Ok(o)) => o,
        Ok(Err(Shortfall(short))) => {
            let mut e = Errors::default();
            e.add(
                "funded_account",
                format!(
                    "Not enough funds in the account to complete this purchase! Please deposit additional {}.",
                    money::format_dollars(short)
                ),
            );
            return views::errors_200(e);
        }
        Err(_) => return views::server_error(),
    };

    // Created and charged; what follows can still fail the answer.
    match state.faults.created_error() {
        Some(CreatedError::Contacts) => {
            let mut e = Errors::default();
            e.add("contacts", json!({ "administrative": { "phone": ["can't be blank"] } }));
            return views::errors_200(e);
        }
        Some(CreatedError::ServerError) => return views::server_error(),
        None => {}
    }
    if let Err(contact_errors) = kept_contacts {
        let mut e = Errors::default();
        for role_errors in contact_errors {
            e.add("contacts", role_errors);
        }
        return views::errors_200(e);
    }
    if state.faults.should_drop() {
        return cut_off(&drop, StatusCode::OK, b"{\"ref\":");
    }
    Json(views::create_ok(&order, acct, &base_url(&headers))).into_response()
}
