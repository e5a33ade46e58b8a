//! Which dialect a CA speaks. The engine, the CLI and the app hold a
//! [`Profile`] and call through it; only the dialect modules know wire names
//! and answer shapes, so nothing else branches on the CA.

use super::http::{HttpRequest, HttpResponse};
use super::types::{CaError, Credentials, Enrolled, EnrollmentRequest, ListQuery, Order, OrderRequest, Product};
use super::{reference, sslcom};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A CA dialect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// SSL.com's SWS API as its public source shows it (the default).
    #[default]
    Sslcom,
    /// Our earlier JSON protocol, with product and domain lists and keyed order lists.
    Reference,
}

impl Profile {
    /// Every profile, the default first.
    pub const ALL: [Profile; 2] = [Profile::Sslcom, Profile::Reference];

    /// Its name in `config.json`, `--ca-profile` and journals.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Sslcom => "sslcom",
            Profile::Reference => "reference",
        }
    }

    /// The profile called `name`, or a message listing the known ones.
    pub fn parse(name: &str) -> Result<Profile, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == name.trim())
            .ok_or_else(|| {
                let known: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
                format!("unknown CA profile {name:?}; known: {}", known.join(", "))
            })
    }

    /// The request that places one order.
    pub fn create_order(self, creds: &Credentials, order: &OrderRequest) -> HttpRequest {
        match self {
            Profile::Sslcom => sslcom::create_order(creds, order),
            Profile::Reference => reference::create_order(creds, order),
        }
    }

    /// What the answer to [`Profile::create_order`] means.
    pub fn parse_created(self, resp: &HttpResponse) -> Result<Order, CaError> {
        match self {
            Profile::Sslcom => sslcom::parse_created(resp),
            Profile::Reference => reference::parse_created(resp),
        }
    }

    /// Whether the CA takes bulk enrollments ([`Profile::enroll`]).
    pub fn supports_enrollment(self) -> bool {
        self.enroll(&Credentials::new("", ""), &EnrollmentRequest::default())
            .is_ok()
    }

    /// The request that enrolls a chunk of mailboxes in one invoiced order,
    /// or [`CaError::Unsupported`] where the dialect has no bulk enrollment.
    pub fn enroll(self, creds: &Credentials, request: &EnrollmentRequest) -> Result<HttpRequest, CaError> {
        match self {
            Profile::Sslcom => Ok(sslcom::enroll(creds, request)),
            Profile::Reference => Err(CaError::Unsupported("bulk enrollment".into())),
        }
    }

    /// What a bulk enrollment costs and needs with this CA (`None`: no
    /// enrollment in this dialect).
    pub fn enrollment_terms(self) -> Option<&'static str> {
        match self {
            Profile::Sslcom => Some(sslcom::ENROLLMENT_TERMS),
            Profile::Reference => None,
        }
    }

    /// Where the invoice of a bulk enrollment is found, where the CA's answer
    /// names none (`None`: no enrollment in this dialect).
    pub fn enrollment_invoice(self) -> Option<&'static str> {
        match self {
            Profile::Sslcom => Some(sslcom::ENROLLMENT_INVOICE),
            Profile::Reference => None,
        }
    }

    /// What the answer to [`Profile::enroll`] means.
    pub fn parse_enrolled(self, resp: &HttpResponse) -> Result<Enrolled, CaError> {
        match self {
            Profile::Sslcom => sslcom::parse_enrolled(resp),
            Profile::Reference => Err(CaError::Unsupported("bulk enrollment".into())),
        }
    }

    /// The request for one page of the account's orders.
    pub fn list_orders(self, creds: &Credentials, query: &ListQuery) -> HttpRequest {
        match self {
            Profile::Sslcom => sslcom::list_orders(creds, query),
            Profile::Reference => reference::list_orders(creds, query),
        }
    }

    /// What the answer to [`Profile::list_orders`] means. An order whose
    /// `external_order_number` is `None` must be read one by one to learn it.
    pub fn parse_order_list(self, resp: &HttpResponse) -> Result<Vec<Order>, CaError> {
        match self {
            Profile::Sslcom => sslcom::parse_order_list(resp),
            Profile::Reference => reference::parse_order_list(resp),
        }
    }

    /// The request for one order's current state.
    pub fn get_order(self, creds: &Credentials, reference: &str) -> HttpRequest {
        match self {
            Profile::Sslcom => sslcom::get_order(creds, reference),
            Profile::Reference => reference::get_order(creds, reference),
        }
    }

    /// What the answer to [`Profile::get_order`] for `reference` means.
    pub fn parse_shown(self, resp: &HttpResponse, order_ref: &str) -> Result<Order, CaError> {
        match self {
            Profile::Sslcom => sslcom::parse_shown(resp, order_ref),
            Profile::Reference => reference::parse_shown(resp, order_ref),
        }
    }

    /// The request for the account's pre-validated domains; `None` where the
    /// CA has no such API (SSL.com): the user types them.
    pub fn list_domains(self, creds: &Credentials) -> Option<HttpRequest> {
        match self {
            Profile::Sslcom => None,
            Profile::Reference => Some(reference::list_domains(creds)),
        }
    }

    /// What the answer to [`Profile::list_domains`] means.
    pub fn parse_domains(self, resp: &HttpResponse) -> Result<Vec<String>, CaError> {
        reference::parse_domains(resp)
    }

    /// The request for the products on offer; `None` where the CA has no such
    /// API (SSL.com): [`Profile::catalogue`] lists them.
    pub fn list_products(self, creds: &Credentials) -> Option<HttpRequest> {
        match self {
            Profile::Sslcom => None,
            Profile::Reference => Some(reference::list_products(creds)),
        }
    }

    /// What the answer to [`Profile::list_products`] means.
    pub fn parse_products(self, resp: &HttpResponse) -> Result<Vec<Product>, CaError> {
        reference::parse_products(resp)
    }

    /// The built-in products of a CA without a product API (empty otherwise).
    pub fn catalogue(self) -> Vec<Product> {
        match self {
            Profile::Sslcom => sslcom::catalogue::products(),
            Profile::Reference => Vec::new(),
        }
    }

    /// What an order status means and what happens next, where the dialect knows it.
    pub fn explain_status(self, status: &str) -> Option<&'static str> {
        match self {
            Profile::Sslcom => sslcom::explain_status(status),
            Profile::Reference => reference::explain_status(status),
        }
    }

    /// Orders per page when listing them to settle lost answers.
    pub fn list_page_size(self) -> u32 {
        100
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
