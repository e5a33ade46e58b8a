//! The results of a batch as a formula-safe CSV, one line per row.

use crate::engine::{BatchSpec, RowState};

use smime_bulk_roster::export::csv_line;
pub use smime_bulk_roster::export::formula_safe;

/// The header of the results CSV.
pub const RESULTS_HEADER: &str = "email,ref,status,order_amount,certificate_url,receipt_url,error";

/// One line per row: email, ref, status, order_amount, certificate_url,
/// receipt_url, error — formula-safe, CRLF line ends.
pub fn results_csv<'a>(batch: &BatchSpec, states: impl Iterator<Item = &'a RowState>) -> String {
    let mut out = String::from(RESULTS_HEADER);
    out.push_str("\r\n");
    for (row, state) in batch.rows.iter().zip(states) {
        let (reference, status, amount, cert, receipt, error) = match state {
            RowState::Placed { order } => (
                order.reference.clone(),
                order.status.clone(),
                order.amount.clone().unwrap_or_default(),
                order.certificate_url.clone().unwrap_or_default(),
                order.receipt_url.clone().unwrap_or_default(),
                String::new(),
            ),
            RowState::Rejected { errors } => {
                let msg: Vec<String> = errors.iter().map(|(f, m)| format!("{f}: {}", m.join("; "))).collect();
                (
                    String::new(),
                    "rejected".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    msg.join(" | "),
                )
            }
            RowState::Failed { reason, .. } => (
                String::new(),
                "failed".into(),
                String::new(),
                String::new(),
                String::new(),
                reason.clone(),
            ),
            RowState::Unknown { reason, .. } => (
                String::new(),
                "unknown".into(),
                String::new(),
                String::new(),
                String::new(),
                format!("{reason}; not confirmed yet: resume the batch to reconcile"),
            ),
            RowState::Unconfirmed { reason, candidates, .. } => {
                let refs: Vec<&str> = candidates.iter().map(|o| o.reference.as_str()).collect();
                (
                    refs.join(" "),
                    "unconfirmed".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!(
                        "{reason}; candidate orders: {}; decide before resending",
                        refs.join(", ")
                    ),
                )
            }
            RowState::Pending { last_error, .. } => (
                String::new(),
                "not sent".into(),
                String::new(),
                String::new(),
                String::new(),
                last_error.clone().unwrap_or_default(),
            ),
            RowState::Sending { .. } => (
                String::new(),
                "sending".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        out.push_str(&csv_line(&[
            row.email.clone(),
            reference,
            status,
            amount,
            cert,
            receipt,
            error,
        ]));
    }
    out
}
