//! What the engine's tests build their batches and the CA's answers from:
//! shared by tests/engine.rs, tests/enrollment.rs and the scripted runs of
//! support/script.rs (and so by the fuzz targets that include it).

use smime_bulk_ca::engine::{BatchRow, BatchSpec, OrderMode, Outcome};
use smime_bulk_ca::protocol::{HttpResponse, Profile};

/// A batch `id` of `rows` rows `user{i}@example.com` (first name
/// `first_name`, last name `Doe{i}`, country GB, the CSR `csr(i)`), ordered
/// in `mode` as product 302 for 365 days from a CA on 127.0.0.1:1, where
/// nothing listens.
pub fn batch(
    id: &str,
    profile: Profile,
    mode: OrderMode,
    rows: usize,
    first_name: &str,
    csr: impl Fn(usize) -> Option<String>,
) -> BatchSpec {
    BatchSpec {
        batch_id: id.into(),
        ca_url: "http://127.0.0.1:1".into(),
        profile,
        created_at: 1_796_083_200,
        account_key: "acct".into(),
        product: "302".into(),
        period: 365,
        mode,
        rows: (0..rows)
            .map(|i| BatchRow {
                line: i as u32 + 2,
                email: format!("user{i}@example.com"),
                first_name: first_name.into(),
                last_name: format!("Doe{i}"),
                country: "GB".into(),
                csr: csr(i),
            })
            .collect(),
    }
}

/// The CA's answer with `status` and `body` (no `Retry-After`, no `Location`).
pub fn answer(status: u16, body: impl Into<String>) -> Outcome {
    Outcome::Response(HttpResponse {
        status,
        retry_after: None,
        location: None,
        body: body.into(),
    })
}
