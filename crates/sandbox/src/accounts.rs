//! Sandbox accounts: keys, validated domains, products and (for the `sslcom`
//! profile) a funded balance and the products' enrollment ids. Without an
//! accounts file there is one demo account, in the profile's own terms.

use crate::money;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};
use smime_bulk_roster::domains::ValidatedDomains;
use std::path::Path;

/// A product and its periods with prices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductOffer {
    /// Code to order it by.
    pub code: String,
    /// Display name (`sslcom`: the product's title, e.g. `Personal Business`).
    pub name: String,
    /// Allowed periods.
    pub periods: Vec<PeriodOffer>,
    /// `sslcom`: the product's numeric id that `POST /certificate_enrollment`
    /// takes as `certificate_id` (SSL.com's database id, not the 3-digit code).
    #[serde(default)]
    pub certificate_id: Option<u64>,
    /// `sslcom`: the internal product string shown as `product_name`
    /// (default: SSL.com's for 300–303 and 310, else the code).
    #[serde(default)]
    pub product_name: Option<String>,
}

/// One period of a product.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// `sslcom`: the team's slug in the portal links (default: from the account key).
    #[serde(default)]
    pub team: Option<String>,
    /// `sslcom`: the funded balance, e.g. `"100.00"`; each order created with
    /// `POST /certificates` is charged against it. None: unlimited (like
    /// SSL.com's sandbox, which skips the funds check).
    #[serde(default)]
    pub funds: Option<String>,
}

impl Account {
    /// The funded balance in cents, if the account has one.
    pub fn funds_cents(&self) -> Option<i64> {
        self.funds.as_deref().and_then(money::parse_cents)
    }

    /// The team slug of the portal links.
    pub fn team_slug(&self) -> String {
        match &self.team {
            Some(t) => t.clone(),
            None => self
                .account_key
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect(),
        }
    }
}

#[derive(Deserialize)]
struct AccountsFile {
    accounts: Vec<Account>,
}

/// The demo account's keys.
pub const DEMO_ACCOUNT_KEY: &str = "sandbox-account";
/// The demo account's secret (printed at start: it is a sandbox).
pub const DEMO_SECRET_KEY: &str = "sandbox-secret";

fn periods(prices: [&str; 3]) -> Vec<PeriodOffer> {
    (1..)
        .zip(prices)
        .map(|(years, price)| PeriodOffer {
            period: 365 * years,
            price: price.into(),
        })
        .collect()
}

/// The demo account: example.com and example.org validated. `reference`:
/// 1- and 2-year Personal ID + Organization S/MIME (`smime-ivov-1y`,
/// `smime-ivov-2y`). `sslcom`: SSL.com's IV+OV codes 302 (Personal Business)
/// and 303 (Personal Enterprise) at 365, 730 and 1095 days with the prices of
/// SSL.com's 2020 seeds, enrollment ids 417 and 418, no funds limit.
pub fn demo(profile: Profile) -> Vec<Account> {
    match profile {
        Profile::Reference => demo_reference(),
        Profile::Sslcom => vec![Account {
            account_key: DEMO_ACCOUNT_KEY.into(),
            secret_key: DEMO_SECRET_KEY.into(),
            domains: vec!["example.com".into(), "example.org".into()],
            products: vec![
                ProductOffer {
                    code: "302".into(),
                    name: "Personal Business".into(),
                    periods: periods(["90.00", "120.00", "150.00"]),
                    certificate_id: Some(417),
                    product_name: None,
                },
                ProductOffer {
                    code: "303".into(),
                    name: "Personal Enterprise".into(),
                    periods: periods(["249.00", "499.00", "599.00"]),
                    certificate_id: Some(418),
                    product_name: None,
                },
            ],
            team: Some("sandbox-team".into()),
            funds: None,
        }],
    }
}

fn demo_reference() -> Vec<Account> {
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
                certificate_id: None,
                product_name: None,
            },
            ProductOffer {
                code: "smime-ivov-2y".into(),
                name: "Personal ID + Organization S/MIME (IV+OV), 2 years".into(),
                periods: vec![PeriodOffer {
                    period: 730,
                    price: "69.00".into(),
                }],
                certificate_id: None,
                product_name: None,
            },
        ],
        team: None,
        funds: None,
    }]
}

/// Reads `{"accounts": [{account_key, secret_key, domains, products, team?, funds?}]}`
/// (products: `{code, name, periods: [{period, price}], certificate_id?, product_name?}`).
pub fn load(path: &Path) -> Result<Vec<Account>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: AccountsFile =
        serde_json::from_str(&text).map_err(|e| format!("{} is not a valid accounts file: {e}", path.display()))?;
    for a in &file.accounts {
        let problem = |e: String| format!("{}: account {}: {e}", path.display(), a.account_key);
        ValidatedDomains::parse(&a.domains).map_err(|e| problem(e.to_string()))?;
        if let Some(f) = a.funds.as_deref().filter(|f| money::parse_cents(f).is_none()) {
            return Err(problem(format!("funds {f:?} is not an amount like \"100.00\"")));
        }
        for p in &a.products {
            if let Some(x) = p.periods.iter().find(|x| money::parse_cents(&x.price).is_none()) {
                return Err(problem(format!(
                    "product {}: price {:?} is not an amount like \"39.00\"",
                    p.code, x.price
                )));
            }
        }
    }
    if file.accounts.is_empty() {
        return Err(format!("{} lists no accounts", path.display()));
    }
    Ok(file.accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<Vec<Account>, String> {
        let path = std::env::temp_dir().join(format!("smime-bulk-accounts-{}-{name}.json", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let loaded = load(&path);
        std::fs::remove_file(&path).unwrap();
        loaded
    }

    #[test]
    fn an_accounts_file_in_either_form_is_read() {
        let sslcom = r#"{ "accounts": [
          { "account_key": "acme-key", "secret_key": "acme-secret", "domains": ["acme.example"],
            "team": "acme", "funds": "500.00",
            "products": [
              { "code": "302", "name": "Personal Business", "certificate_id": 417,
                "periods": [{ "period": 365, "price": "90.00" }, { "period": 730, "price": "120.00" }] }
            ] }
        ] }"#;
        let a = &load_text("sslcom", sslcom).unwrap()[0];
        assert_eq!((a.funds_cents(), a.team_slug()), (Some(50_000), "acme".to_owned()));
        assert_eq!(a.products[0].certificate_id, Some(417));
        let reference = r#"{"accounts":[{"account_key":"K.ey","secret_key":"s","domains":["x.example"],
            "products":[{"code":"smime-ivov-1y","name":"1 year","periods":[{"period":365,"price":"39.00"}]}]}]}"#;
        let a = &load_text("reference", reference).unwrap()[0];
        assert_eq!((a.funds_cents(), a.team_slug()), (None, "k-ey".to_owned()));
        let bad = sslcom.replace("\"500.00\"", "\"lots\"");
        assert!(load_text("bad", &bad).unwrap_err().contains("funds"));
    }
}
