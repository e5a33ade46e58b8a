//! A batch: the rows to order, the product and period, and the batch id from
//! which every row's idempotency key is derived.

use crate::protocol::Profile;
use serde::{Deserialize, Serialize};
use smime_bulk_roster::Row;

/// Longest validity an S/MIME certificate may have, in days (S/MIME BR 6.3.2).
pub const MAX_PERIOD_DAYS: u32 = 825;

/// One row to order (a valid roster row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    /// Line in the roster it came from.
    pub line: u32,
    /// Mailbox.
    pub email: String,
    /// Given name (may be empty).
    pub first_name: String,
    /// Surname.
    pub last_name: String,
    /// Country code.
    pub country: String,
    /// PEM CSR, if any.
    pub csr: Option<String>,
}

/// A roster row to order (an empty CSR cell is no CSR).
impl From<Row> for BatchRow {
    fn from(r: Row) -> Self {
        BatchRow {
            line: r.line,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            country: r.country,
            csr: (!r.csr.is_empty()).then_some(r.csr),
        }
    }
}

/// A batch row back as a roster row, to fix and check again: not known to be
/// valid, nor its key, until it is checked.
impl From<BatchRow> for Row {
    fn from(r: BatchRow) -> Self {
        Row {
            line: r.line,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            country: r.country,
            csr: r.csr.unwrap_or_default(),
            name_hint: None,
            valid: false,
            key: 0,
        }
    }
}

/// Addresses per bulk enrollment unless the user says otherwise: a lost
/// answer then leaves at most this many addresses to settle, and the form
/// body stays a few kilobytes.
pub const DEFAULT_CHUNK: usize = 50;
/// Addresses per bulk enrollment at most.
pub const MAX_CHUNK: usize = 500;

/// How a batch is ordered.
///
/// Journaled as `"per_row"` or `{"enrollment": {…}}` (externally tagged: an
/// internally tagged enum would bring serde's buffering into the page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderMode {
    /// One order per row, charged to the funded account, with the row's CSR
    /// (a journal from before modes is per-row).
    #[default]
    PerRow,
    /// Bulk enrollment: the rows in chunks, one invoiced order per chunk; no
    /// CSR is sent (the recipients are invited and make their own keys).
    Enrollment(Enrollment),
}

/// The settings of a bulk enrollment, which the CA has no API to list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The CA's numeric id of the product.
    pub certificate_id: u64,
    /// The id of the user who approves the enrollments.
    pub approver_id: u64,
    /// Addresses per enrollment (1 to [`MAX_CHUNK`]).
    pub chunk: usize,
}

impl Enrollment {
    /// The settings as a user typed them: the ids must be whole numbers.
    /// Errors say which field and how to fix it.
    pub fn from_form(certificate_id: &str, approver_id: &str, chunk: usize) -> Result<Enrollment, String> {
        let id = |text: &str, what: &str| {
            let text = text.trim();
            match text.parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ if text.is_empty() => Err(format!("enter the {what}: the CA gives it to you")),
                _ => Err(format!("the {what} is a whole number such as 417, not “{text}”")),
            }
        };
        Ok(Enrollment {
            certificate_id: id(certificate_id, "product's certificate id")?,
            approver_id: id(approver_id, "approver's user id")?,
            chunk,
        })
    }

    /// Checks the chunk size and that `period_days` is whole years (1–3),
    /// the only validities an enrollment takes; gives the years.
    pub fn years(&self, period_days: u32) -> Result<u32, String> {
        if !(1..=MAX_CHUNK).contains(&self.chunk) {
            return Err(format!(
                "addresses per enrollment must be between 1 and {MAX_CHUNK}, not {}",
                self.chunk
            ));
        }
        match period_days {
            365 => Ok(1),
            730 => Ok(2),
            1095 => Ok(3),
            days => Err(format!(
                "a bulk enrollment takes whole years of validity (365 or 730 days), not {days} days"
            )),
        }
    }
}

/// Everything needed to (re)start a batch, minus the secret key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSpec {
    /// Chosen once by the driver (random); part of every row's key.
    pub batch_id: String,
    /// The CA's base URL.
    pub ca_url: String,
    /// The dialect the CA speaks (a journal from before profiles spoke `reference`).
    #[serde(default = "legacy_profile")]
    pub profile: Profile,
    /// When the batch was first started (Unix seconds, the driver's wall
    /// clock): lost answers are looked for among orders created since.
    /// 0 (a journal from before it was kept) looks through every order.
    #[serde(default)]
    pub created_at: u64,
    /// The account the orders go to (not secret).
    pub account_key: String,
    /// Product code.
    pub product: String,
    /// Validity in days (at most [`MAX_PERIOD_DAYS`]).
    pub period: u32,
    /// Per-row orders or bulk enrollment.
    #[serde(default)]
    pub mode: OrderMode,
    /// The rows, in roster order.
    pub rows: Vec<BatchRow>,
}

fn legacy_profile() -> Profile {
    Profile::Reference
}

impl BatchSpec {
    /// The idempotency key of row `index`.
    pub fn key_of(&self, index: usize) -> String {
        external_order_number(&self.batch_id, &self.rows[index].email)
    }
}

/// A row's stable key, derived from the batch id and the row's identity (its
/// mailbox, case-insensitive): a resent row carries the same key.
///
/// ```
/// use smime_bulk_ca::engine::external_order_number;
/// let a = external_order_number("b1", "Jane@Example.com");
/// assert_eq!(a, external_order_number("b1", "jane@example.com"));
/// assert_ne!(a, external_order_number("b2", "jane@example.com"));
/// assert!(a.starts_with("sb-b1-"));
/// ```
pub fn external_order_number(batch_id: &str, email: &str) -> String {
    // FNV-1a, 64 bits: stable across platforms and versions (unlike std's hasher).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in email.trim().to_lowercase().bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("sb-{batch_id}-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roster_row_goes_to_the_batch_and_back_with_its_cells() {
        let row = Row {
            line: 7,
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            email: "jane@example.com".into(),
            country: "GB".into(),
            csr: "-----BEGIN CERTIFICATE REQUEST-----".into(),
            name_hint: None,
            valid: true,
            key: 0,
        };
        let back = Row::from(BatchRow::from(row.clone()));
        assert_eq!(back, Row { valid: false, ..row });
    }

    #[test]
    fn typed_enrollment_ids_are_whole_numbers_and_the_errors_say_which() {
        assert_eq!(
            Enrollment::from_form(" 417 ", "12", 50),
            Ok(Enrollment {
                certificate_id: 417,
                approver_id: 12,
                chunk: 50
            })
        );
        let e = Enrollment::from_form("", "12", 50).unwrap_err();
        assert!(e.contains("enter the product's certificate id"), "{e}");
        let e = Enrollment::from_form("417", "12a", 50).unwrap_err();
        assert!(
            e.contains("approver's user id is a whole number") && e.contains("“12a”"),
            "{e}"
        );
        assert!(Enrollment::from_form("0", "1", 50).is_err());
        let ok = Enrollment::from_form("417", "1", 50).unwrap();
        assert_eq!((ok.years(365), ok.years(730)), (Ok(1), Ok(2)));
        assert!(ok.years(825).unwrap_err().contains("whole years"));
        assert!(Enrollment { chunk: 0, ..ok }.years(365).is_err());
    }

    #[test]
    fn an_empty_csr_cell_is_no_csr() {
        let row = BatchRow::from(Row {
            email: "jane@example.com".into(),
            ..Row::default()
        });
        assert_eq!(row.csr, None);
        assert_eq!(Row::from(row).csr, "");
    }
}
