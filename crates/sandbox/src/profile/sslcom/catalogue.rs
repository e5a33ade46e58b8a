//! SSL.com's product rules as the 2020 source applies them
//! (docs/sslcom-sws.md §9): which codes exist, which have their `period`
//! checked, how a period or an enrollment's `duration` picks a price, and
//! the names shown for a product.

use super::views::Errors;
use crate::accounts::{Account, PeriodOffer, ProductOffer};

/// The periods checked for DV/OV products, 302 and 303 among them.
pub const OV_PERIODS: [&str; 5] = ["365", "730", "1095", "1461", "1826"];

/// The product codes the sandbox knows: every code any account prices
/// (SSL.com's list is its configured `api_product_codes`), sorted.
pub fn codes(accounts: &[Account]) -> Vec<String> {
    let mut codes: Vec<String> = accounts
        .iter()
        .flat_map(|a| a.products.iter().map(|p| p.code.clone()))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// Whether the code is an IV+OV one (302, 303): its `period` is checked like
/// an OV product's, and its orders carry a registrant.
pub fn is_iv_ov(code: &str) -> bool {
    matches!(code, "302" | "303")
}

/// `product`'s three validations (presence, `/\d{3}/`, inclusion), each
/// adding its own message as Rails does. True when the code is known.
pub fn check_product(code: &str, known: &[String], errors: &mut Errors) -> bool {
    if code.trim().is_empty() {
        errors.add("product", "can't be blank");
    }
    if !has_digits(code, 3) {
        errors.add("product", "is invalid");
    }
    let ok = known.iter().any(|k| k == code);
    if !ok {
        errors.add(
            "product",
            format!("needs to one of the following: {}", known.join(", ")),
        );
    }
    ok
}

/// `period`'s validations for an IV+OV product (presence, `/\d+/`, inclusion
/// in [`OV_PERIODS`]); other products' periods are not checked.
pub fn check_period(code: &str, period: Option<&str>, errors: &mut Errors) {
    if !is_iv_ov(code) {
        return;
    }
    let period = period.unwrap_or_default();
    if period.trim().is_empty() {
        errors.add("period", "can't be blank");
    }
    if !has_digits(period, 1) {
        errors.add("period", "is invalid");
    }
    if !OV_PERIODS.contains(&period) {
        errors.add(
            "period",
            format!("needs to be one of the following: {}", OV_PERIODS.join(", ")),
        );
    }
}

/// Whether `s` holds `n` digits in a row somewhere (an unanchored `/\d{n}/`).
fn has_digits(s: &str, n: usize) -> bool {
    s.as_bytes().windows(n).any(|w| w.iter().all(u8::is_ascii_digit))
}

/// The `years`-th price of a product (1-based), as the source's
/// `items_by_duration[years - 1]` picks it, Ruby's negative indexes
/// included (0 is the longest); None where the source raises (→ 500).
pub fn pick(product: &ProductOffer, years: i64) -> Option<&PeriodOffer> {
    let mut items: Vec<&PeriodOffer> = product.periods.iter().collect();
    items.sort_by_key(|x| x.period);
    let len = i64::try_from(items.len()).ok()?;
    let i = years - 1;
    let i = if i < 0 { i + len } else { i };
    (0..len).contains(&i).then(|| items[i as usize])
}

/// The internal product string (`product_name`).
pub fn product_name(product: &ProductOffer) -> String {
    if let Some(n) = &product.product_name {
        return n.clone();
    }
    match product.code.as_str() {
        "300" => "personal-basic",
        "301" => "personal-pro",
        "302" => "personal-business",
        "303" => "personal-enterprise",
        "310" => "personal-naesb-basic",
        other => other,
    }
    .to_owned()
}

/// `CertificateOrder#description`: `"1 Year Personal Business"`.
pub fn description(product: &ProductOffer, days: u32) -> String {
    if days < 365 {
        format!("{days} Days {}", product.name)
    } else {
        format!("{} Year {}", days / 365, product.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_index_picks_like_ruby() {
        let demo = crate::accounts::demo(crate::profile::Profile::Sslcom);
        let p = &demo[0].products[0];
        let days = |years| pick(p, years).map(|x| x.period);
        assert_eq!(days(1), Some(365));
        assert_eq!(days(3), Some(1095));
        assert_eq!(days(4), None, "1461 days has no price");
        assert_eq!(days(0), Some(1095), "index -1 is the longest");
        assert_eq!(days(-2), Some(365), "index -3 is the first");
        assert_eq!(days(-3), None);
        assert_eq!(days(365), None, "days where years are expected");
        assert_eq!(description(p, 730), "2 Year Personal Business");
    }

    #[test]
    fn product_and_period_messages_are_rails_validations() {
        let known = vec!["302".to_owned(), "303".to_owned()];
        let mut e = Errors::default();
        assert!(!check_product("", &known, &mut e));
        check_period("302", Some("825"), &mut e);
        assert_eq!(
            serde_json::Value::Object(e.into_map()),
            serde_json::json!({
                "product": ["can't be blank", "is invalid", "needs to one of the following: 302, 303"],
                "period": ["needs to be one of the following: 365, 730, 1095, 1461, 1826"],
            })
        );
    }
}
