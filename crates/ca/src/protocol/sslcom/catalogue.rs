//! SSL.com's S/MIME products, built in: its API has no product list. The
//! public source names the personal (client) certificate codes 300–303 and
//! marks 302 and 303 as individual + organization validated (IV+OV); it seeds
//! them with 1, 2 and 3 years (docs/sslcom-sws.md §9). Three years is beyond
//! the S/MIME Baseline Requirements' 825 days (§6.3.2, since 2023), so it is
//! not offered. Prices are not public: they are per agreement, or set by the
//! deployment (`config.json`).

use crate::protocol::types::{Period, Product};

/// Validity periods offered, in days: SSL.com's 1 and 2 years (its 3 years
/// exceed the S/MIME BR limit).
pub const PERIODS: [u32; 2] = [365, 730];

/// The IV+OV (Personal ID + Organization) products, without prices.
pub fn products() -> Vec<Product> {
    [
        ("302", "Personal ID + Organization (IV+OV) — Business, code 302"),
        ("303", "Personal ID + Organization (IV+OV) — Enterprise, code 303"),
    ]
    .into_iter()
    .map(|(code, name)| Product {
        code: code.into(),
        name: name.into(),
        periods: PERIODS.iter().map(|&days| Period { days, price: None }).collect(),
    })
    .collect()
}
