//! `probe`: read-only checks that a CA behaves as its profile says, run by a
//! user against their own account before trusting the tool with a batch.
//! No IO: [`checks`] builds the requests, [`judge`] reads what came back. The
//! CLI sends them with the CORS headers a page's browser would add; the app
//! sends those a page can (its browser adds the rest).
//!
//! Nothing is ordered: the only POST carries a deliberately wrong secret key.

use crate::protocol::{CaError, Credentials, HttpRequest, HttpResponse, ListQuery, OrderRequest, Profile};

/// The secret key the refusal checks send (never a real one).
pub const WRONG_SECRET: &str = "smime-bulk-probe-deliberately-wrong-secret";
/// A reference no CA holds.
pub const MISSING_REF: &str = "co-smimebulkprobe0";

/// What a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckId {
    /// The keys are accepted (one page of orders).
    Keys,
    /// Wrong keys on a read are refused in the profile's shape.
    WrongKeysRead,
    /// Wrong keys on an order are refused in the profile's shape (nothing is ordered).
    WrongKeysCreate,
    /// An order that does not exist is answered in the profile's shape.
    MissingOrder,
    /// An existing order reads back in the profile's shape.
    ShowShape,
}

impl CheckId {
    /// A short name for the table.
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Keys => "keys accepted",
            CheckId::WrongKeysRead => "wrong keys on a read",
            CheckId::WrongKeysCreate => "wrong keys on an order",
            CheckId::MissingOrder => "an order that does not exist",
            CheckId::ShowShape => "an order read back",
        }
    }
}

/// One request to send for a check.
#[derive(Debug, Clone)]
pub struct Check {
    /// What it checks.
    pub id: CheckId,
    /// The request (carries a key: never log it).
    pub request: HttpRequest,
}

/// A row of the probe's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked.
    pub check: String,
    /// What the profile expects.
    pub expected: String,
    /// What the CA did.
    pub seen: String,
    /// Whether they agree; `None` when the check could not be made.
    pub matches: Option<bool>,
}

/// The checks that need no order of the account's (the first three), in order.
pub fn checks(profile: Profile, creds: &Credentials) -> Vec<Check> {
    let wrong = Credentials::new(creds.account_key.clone(), WRONG_SECRET);
    let page = ListQuery {
        page: 1,
        per_page: 5,
        created_since: 0,
    };
    let order = OrderRequest {
        product: profile
            .catalogue()
            .first()
            .map_or_else(|| "probe".to_owned(), |p| p.code.clone()),
        period: 365,
        email: "probe@smime-bulk.invalid".into(),
        first_name: "Probe".into(),
        last_name: "Probe".into(),
        country: "XX".into(),
        csr: None,
        external_order_number: "smime-bulk-probe".into(),
    };
    vec![
        Check {
            id: CheckId::Keys,
            request: profile.list_orders(creds, &page),
        },
        Check {
            id: CheckId::WrongKeysRead,
            request: profile.list_orders(&wrong, &page),
        },
        Check {
            id: CheckId::WrongKeysCreate,
            request: profile.create_order(&wrong, &order),
        },
        Check {
            id: CheckId::MissingOrder,
            request: profile.get_order(creds, MISSING_REF),
        },
    ]
}

/// The read of an order the account holds, to check its shape (after
/// [`CheckId::Keys`] listed one).
pub fn show_check(profile: Profile, creds: &Credentials, reference: &str) -> Check {
    Check {
        id: CheckId::ShowShape,
        request: profile.get_order(creds, reference),
    }
}

/// What the answer to check `id` says about the CA, against `profile`.
/// For [`CheckId::Keys`], the references listed come back too.
pub fn judge(profile: Profile, id: CheckId, resp: &HttpResponse) -> (Finding, Vec<String>) {
    let t = profile.traits();
    let mut refs = Vec::new();
    let (expected, seen, matches) = match id {
        CheckId::Keys => {
            let expected = "the keys are accepted and orders listed".to_owned();
            match profile.parse_order_list(resp) {
                Ok(orders) => {
                    refs = orders.iter().map(|o| o.reference.clone()).collect();
                    let keyed = orders.iter().any(|o| o.external_order_number.is_some());
                    let seen = format!(
                        "HTTP {}: {} orders on page 1{}",
                        resp.status,
                        orders.len(),
                        if keyed { ", carrying keys" } else { "" }
                    );
                    // A list that shows keys where the profile says it never does is another dialect.
                    (expected, seen, !keyed || t.list_shows_keys)
                }
                Err(e) => (expected, format!("HTTP {}: {e}", resp.status), false),
            }
        }
        CheckId::WrongKeysRead => refusal(t.wrong_keys_read_status, resp, profile.parse_order_list(resp).err()),
        CheckId::WrongKeysCreate => refusal(t.wrong_keys_create_status, resp, profile.parse_created(resp).err()),
        CheckId::MissingOrder => {
            let expected = format!("HTTP {}, read as \"no such order\"", t.missing_order_status);
            let parsed = profile.parse_shown(resp, MISSING_REF).err();
            let ok = resp.status == t.missing_order_status && parsed == Some(CaError::NotFound);
            (expected, seen_of(resp, parsed), ok)
        }
        CheckId::ShowShape => {
            let expected = format!(
                "HTTP 200, the order {} its reference",
                if t.show_has_ref { "with" } else { "without" }
            );
            let has_ref = serde_json::from_str::<serde_json::Value>(&resp.body)
                .ok()
                .and_then(|v| v.get("ref").map(|_| ()))
                .is_some();
            if resp.status == 200 {
                let seen = format!(
                    "HTTP 200, the order {} its reference",
                    if has_ref { "with" } else { "without" }
                );
                (expected, seen, has_ref == t.show_has_ref)
            } else {
                (expected, format!("HTTP {}", resp.status), false)
            }
        }
    };
    (
        Finding {
            check: id.name().into(),
            expected,
            seen,
            matches: Some(matches),
        },
        refs,
    )
}

fn refusal(status: u16, resp: &HttpResponse, parsed: Option<CaError>) -> (String, String, bool) {
    let expected = format!("HTTP {status}, read as \"wrong keys\"");
    let ok = resp.status == status && parsed == Some(CaError::Unauthorized);
    (expected, seen_of(resp, parsed), ok)
}

fn seen_of(resp: &HttpResponse, parsed: Option<CaError>) -> String {
    match parsed {
        Some(e) => format!("HTTP {}, read as: {e}", resp.status),
        None => format!("HTTP {}, read as a success", resp.status),
    }
}

/// The CORS findings from what a CA answered to a page's requests (the CLI
/// sends them with an `Origin`): `simple_acao` on a GET, `preflight_acao` on
/// the preflight a JSON order would need.
pub fn judge_cors(profile: Profile, simple_acao: Option<&str>, preflight_acao: Option<&str>) -> Vec<Finding> {
    let t = profile.traits();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut out = vec![Finding {
        check: "a page can read the CA's answers".into(),
        expected: "Access-Control-Allow-Origin on answers".into(),
        seen: simple_acao.map_or_else(
            || "no Access-Control-Allow-Origin".into(),
            |v| format!("Access-Control-Allow-Origin: {v}"),
        ),
        matches: Some(simple_acao.is_some()),
    }];
    let preflight_ok = preflight_acao.is_some();
    out.push(Finding {
        check: "a JSON order's preflight is allowed".into(),
        expected: if t.create_needs_preflight {
            "yes: this profile's orders need it".into()
        } else {
            "no, as SSL.com's source (this profile orders with simple requests, so it needs none)".into()
        },
        seen: yes_no(preflight_ok).into(),
        matches: Some(if t.create_needs_preflight {
            preflight_ok
        } else {
            !preflight_ok
        }),
    });
    out
}

impl Profile {
    /// The behaviours `probe` checks, as this dialect has them.
    pub fn traits(self) -> Traits {
        match self {
            Profile::Sslcom => crate::protocol::sslcom::TRAITS,
            Profile::Reference => crate::protocol::reference::TRAITS,
        }
    }
}

/// What a dialect's CA does, as `probe` checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traits {
    /// The status of a read with wrong keys.
    pub wrong_keys_read_status: u16,
    /// The status of an order with wrong keys.
    pub wrong_keys_create_status: u16,
    /// The status of a read of an order that does not exist.
    pub missing_order_status: u16,
    /// Whether list items carry `external_order_number`.
    pub list_shows_keys: bool,
    /// Whether a read order carries its `ref`.
    pub show_has_ref: bool,
    /// Whether the dialect's orders need a CORS preflight from a page.
    pub create_needs_preflight: bool,
}
