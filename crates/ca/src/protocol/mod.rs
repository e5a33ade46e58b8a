//! The CA protocol: what to send and what an answer means. No IO.

pub mod decimal;
mod http;
mod parse;
mod types;
pub mod wire;

pub use http::{HttpRequest, HttpResponse, Method};
pub use parse::{parse_domains, parse_order, parse_order_list, parse_products};
pub use types::{CaError, Credentials, FieldErrors, Order, OrderRequest, Period, Product};

/// Builds the request that places one order.
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
        body: Some(serde_json::Value::Object(body).to_string()),
    }
}

/// Builds the request that looks an order up by our key (reconciliation).
pub fn find_by_external_number(creds: &Credentials, external_order_number: &str) -> HttpRequest {
    let mut query = auth_query(creds);
    query.push((wire::EXTERNAL_ORDER_NUMBER.into(), external_order_number.into()));
    HttpRequest {
        method: Method::Get,
        path: wire::PATH_CERTIFICATES.into(),
        query,
        body: None,
    }
}

/// Builds the request for one page (from 1) of the account's orders.
pub fn list_orders(creds: &Credentials, page: u32, per_page: u32) -> HttpRequest {
    let mut query = auth_query(creds);
    query.push((wire::PAGE.into(), page.to_string()));
    query.push((wire::PER_PAGE.into(), per_page.to_string()));
    HttpRequest {
        method: Method::Get,
        path: wire::PATH_CERTIFICATES.into(),
        query,
        body: None,
    }
}

/// Builds the request for one order's current state.
pub fn get_order(creds: &Credentials, reference: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        path: format!("{}/{}", wire::PATH_CERTIFICATE, http::encode_component(reference)),
        query: auth_query(creds),
        body: None,
    }
}

/// Builds the request for the account's pre-validated email domains.
pub fn list_domains(creds: &Credentials) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        path: wire::PATH_DOMAINS.into(),
        query: auth_query(creds),
        body: None,
    }
}

/// Builds the request for the S/MIME products on offer.
pub fn list_products(creds: &Credentials) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        path: wire::PATH_PRODUCTS.into(),
        query: auth_query(creds),
        body: None,
    }
}

fn auth_query(creds: &Credentials) -> Vec<(String, String)> {
    vec![
        (wire::ACCOUNT_KEY.into(), creds.account_key.clone()),
        (wire::SECRET_KEY.into(), creds.secret_key().into()),
    ]
}
