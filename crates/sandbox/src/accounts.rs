//! Sandbox accounts: keys, validated domains and products. Without an accounts
//! file there is one demo account.

use serde::Deserialize;
use smime_bulk_roster::domains::ValidatedDomains;
use std::path::Path;

/// A product and its periods with prices.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductOffer {
    /// Code to order it by.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Allowed periods.
    pub periods: Vec<PeriodOffer>,
}

/// One period of a product.
#[derive(Debug, Clone, Deserialize)]
pub struct PeriodOffer {
    /// Days of validity.
    pub period: u32,
    /// Price, e.g. `"39.00"`.
    pub price: String,
}

/// An account of the sandbox CA.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    /// The account key.
    pub account_key: String,
    /// The secret key.
    pub secret_key: String,
    /// Pre-validated email domains.
    pub domains: Vec<String>,
    /// Products on offer.
    pub products: Vec<ProductOffer>,
}

#[derive(Deserialize)]
struct AccountsFile {
    accounts: Vec<Account>,
}

/// The demo account's keys.
pub const DEMO_ACCOUNT_KEY: &str = "sandbox-account";
/// The demo account's secret (printed at start: it is a sandbox).
pub const DEMO_SECRET_KEY: &str = "sandbox-secret";

/// The demo account: example.com and example.org validated; 1- and 2-year
/// Personal ID + Organization S/MIME.
pub fn demo() -> Vec<Account> {
    vec![Account {
        account_key: DEMO_ACCOUNT_KEY.into(),
        secret_key: DEMO_SECRET_KEY.into(),
        domains: vec!["example.com".into(), "example.org".into()],
        products: vec![
            ProductOffer {
                code: "smime-ivov-1y".into(),
                name: "Personal ID + Organization S/MIME (IV+OV), 1 year".into(),
                periods: vec![PeriodOffer {
                    period: 365,
                    price: "39.00".into(),
                }],
            },
            ProductOffer {
                code: "smime-ivov-2y".into(),
                name: "Personal ID + Organization S/MIME (IV+OV), 2 years".into(),
                periods: vec![PeriodOffer {
                    period: 730,
                    price: "69.00".into(),
                }],
            },
        ],
    }]
}

/// Reads `{"accounts": [{account_key, secret_key, domains, products}]}`.
pub fn load(path: &Path) -> Result<Vec<Account>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: AccountsFile =
        serde_json::from_str(&text).map_err(|e| format!("{} is not a valid accounts file: {e}", path.display()))?;
    for a in &file.accounts {
        ValidatedDomains::parse(&a.domains)
            .map_err(|e| format!("{}: account {}: {e}", path.display(), a.account_key))?;
    }
    if file.accounts.is_empty() {
        return Err(format!("{} lists no accounts", path.display()));
    }
    Ok(file.accounts)
}
