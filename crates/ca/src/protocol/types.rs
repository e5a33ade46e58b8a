//! The protocol's data, in our own names (the wire names are in `wire`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// CA API credentials. The secret is kept out of `Debug`, logs and journals.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account key (not secret; shown in the UI).
    pub account_key: String,
    secret_key: String,
}

impl Credentials {
    /// Credentials from an account key and a secret key.
    pub fn new(account_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials {
            account_key: account_key.into(),
            secret_key: secret_key.into(),
        }
    }

    /// The secret, for building a request body. Never print it.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("account_key", &self.account_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

/// One order to place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// Product code, e.g. `smime-ivov-1y`.
    pub product: String,
    /// Validity in days.
    pub period: u32,
    /// The mailbox.
    pub email: String,
    /// Given name (may be empty).
    pub first_name: String,
    /// Surname.
    pub last_name: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// PEM CSR, if the person brings a key.
    pub csr: Option<String>,
    /// Our idempotency key for this row.
    pub external_order_number: String,
}

/// One bulk enrollment to place: a chunk of mailboxes ordered together on
/// one invoice (SSL.com's `POST /certificate_enrollment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRequest {
    /// The CA's numeric id of the product (not its order code).
    pub certificate_id: u64,
    /// Validity in whole years (1–3).
    pub years: u32,
    /// The id of the user who approves the enrollment.
    pub approver_id: u64,
    /// The mailboxes, one order each. CSRs are not sent: the recipients are
    /// invited and make their own keys.
    pub emails: Vec<String>,
}

/// What the CA said to an enrollment it accepted. It names no order: the
/// orders are found afterwards in the account's order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    /// The CA's id of the request (SSL.com: its API request log), for support.
    pub request_id: String,
    /// Whether the CA says it placed the orders.
    pub is_ordered: bool,
}

/// An order as the CA reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The CA's reference, e.g. `co-1a2b3c`.
    pub reference: String,
    /// Status text, e.g. `pending validation`.
    pub status: String,
    /// Amount charged, as the CA writes it.
    pub amount: Option<String>,
    /// Link to the certificate.
    pub certificate_url: Option<String>,
    /// Link to the invoice.
    pub receipt_url: Option<String>,
    /// Link to the validation page.
    pub validation_url: Option<String>,
    /// Our key, echoed.
    pub external_order_number: Option<String>,
    /// The mailbox (in listings).
    pub email: Option<String>,
    /// The product code, where the CA says it.
    #[serde(default)]
    pub product: Option<String>,
}

/// One page of the account's order list, and the window of creation dates
/// the orders of interest fall in (a dialect that can filter by date sends it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    /// Page number, from 1.
    pub page: u32,
    /// Orders per page.
    pub per_page: u32,
    /// Orders created at or after this time (Unix seconds); 0 for all.
    pub created_since: u64,
}

/// Per-field messages from a CA that refused a request, e.g.
/// `{"country": ["is not a valid ISO 3166 code"]}`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A validity period of a product with its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Days of validity.
    pub days: u32,
    /// Price, as the CA writes it (e.g. `"39.00"`), if known.
    pub price: Option<String>,
}

/// An S/MIME product on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Code to order it by.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Allowed periods.
    pub periods: Vec<Period>,
}

/// What a CA answer means when it is not the success asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaError {
    /// The account key or secret key is wrong (401/403, or SSL.com's `login` error).
    Unauthorized,
    /// 4xx with per-field messages: the CA refused the request as sent.
    Rejected(FieldErrors),
    /// 429: too many requests; wait this long (milliseconds) if the CA said.
    RateLimited {
        /// From `Retry-After`, in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// 5xx: the CA failed; for a POST the outcome is unknown.
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// 404 on a single order or an endpoint the CA lacks.
    NotFound,
    /// The CA answered with a redirect, which is not followed: the request
    /// carries the secret key. The text says where it pointed.
    Redirected(String),
    /// The account's funds do not cover the order; nothing was ordered, and
    /// no other row will fare better until the account is funded.
    InsufficientFunds(String),
    /// The CA's dialect has no such operation (e.g. bulk enrollment in the
    /// reference protocol); the text names it.
    Unsupported(String),
    /// Anything else: an answer we cannot read.
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// What was wrong with it.
        detail: String,
    },
}

impl CaError {
    /// A stable snake_case code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            CaError::Unauthorized => "unauthorized",
            CaError::Rejected(_) => "rejected",
            CaError::RateLimited { .. } => "rate_limited",
            CaError::Server { .. } => "server_error",
            CaError::NotFound => "not_found",
            CaError::InsufficientFunds(_) => "insufficient_funds",
            CaError::Redirected(_) => "redirected",
            CaError::Unsupported(_) => "unsupported",
            CaError::Unexpected { .. } => "unexpected_answer",
        }
    }
}

impl fmt::Display for CaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaError::Unauthorized => {
                f.write_str("the CA refused the account key or secret key; check both and try again")
            }
            CaError::Rejected(errors) => {
                let parts: Vec<String> = errors
                    .iter()
                    .map(|(field, msgs)| format!("{field}: {}", msgs.join("; ")))
                    .collect();
                write!(f, "the CA refused the order: {}", parts.join(" | "))
            }
            CaError::RateLimited {
                retry_after_ms: Some(ms),
            } => write!(
                f,
                "the CA asked to slow down (429, try again in {} s)",
                ms.div_ceil(1000)
            ),
            CaError::RateLimited { retry_after_ms: None } => f.write_str("the CA asked to slow down (429)"),
            CaError::Server { status } => write!(f, "the CA failed with HTTP {status}"),
            CaError::NotFound => f.write_str("the CA has no such resource (404)"),
            CaError::Redirected(to) => write!(
                f,
                "the CA answered with a redirect to {to}, which was not followed: the request carries the secret key. \
                 If that address is the CA's, use it as the CA URL"
            ),
            CaError::InsufficientFunds(message) => write!(
                f,
                "the CA refused the order for lack of funds ({message}); fund the account, then resume"
            ),
            CaError::Unsupported(what) => write!(f, "this CA's protocol has no {what}"),
            CaError::Unexpected { status, detail } => {
                write!(f, "unexpected answer from the CA (HTTP {status}): {detail}")
            }
        }
    }
}

impl std::error::Error for CaError {}
