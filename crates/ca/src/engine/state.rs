//! A row's state, as journaled.

use crate::protocol::{FieldErrors, Order};
use serde::{Deserialize, Serialize};

/// Where a row stands. `attempts` counts create requests whose outcome is
/// settled or being settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "StateRecord")]
pub enum RowState {
    /// Not yet sent, or known not to have been placed; will be sent.
    Pending {
        /// Create attempts so far.
        attempts: u32,
        /// Why the last attempt did not place it, if any.
        last_error: Option<String>,
    },
    /// A create request was handed out and may have reached the CA.
    Sending {
        /// This attempt's number (from 1).
        attempts: u32,
    },
    /// The outcome of the last create request was not seen; it must be
    /// reconciled before anything is resent.
    Unknown {
        /// Create attempts so far.
        attempts: u32,
        /// What hid the outcome.
        reason: String,
    },
    /// The CA may hold an order for this row, but could not confirm which:
    /// several orders carry its key, or an order for its mailbox and product
    /// does not show its key. Never resent without the user's word.
    Unconfirmed {
        /// Create attempts so far.
        attempts: u32,
        /// Why it could not be confirmed.
        reason: String,
        /// The orders that may be this row's.
        candidates: Vec<Order>,
    },
    /// The CA has the order.
    Placed {
        /// The order as the CA reported it.
        order: Order,
    },
    /// The CA refused the row as sent (4xx); it is not retried.
    Rejected {
        /// The CA's messages per field.
        errors: FieldErrors,
    },
    /// Attempts used up; the CA confirmed it holds no order for this row.
    Failed {
        /// Create attempts made.
        attempts: u32,
        /// The last reason.
        reason: String,
    },
}

/// A journaled state as a flat record: read through this instead of serde's
/// internally tagged enum, which buffers every value and costs the page
/// ~15 KB of code. The JSON is the same either way.
#[derive(Deserialize)]
struct StateRecord {
    state: StateName,
    attempts: Option<u32>,
    last_error: Option<String>,
    reason: Option<String>,
    order: Option<Order>,
    errors: Option<FieldErrors>,
    candidates: Option<Vec<Order>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StateName {
    Pending,
    Sending,
    Unknown,
    Unconfirmed,
    Placed,
    Rejected,
    Failed,
}

impl TryFrom<StateRecord> for RowState {
    type Error = &'static str;

    fn try_from(r: StateRecord) -> Result<Self, Self::Error> {
        let attempts = r.attempts.ok_or("missing field `attempts`");
        let reason = r.reason.ok_or("missing field `reason`");
        Ok(match r.state {
            StateName::Pending => RowState::Pending {
                attempts: attempts?,
                last_error: r.last_error,
            },
            StateName::Sending => RowState::Sending { attempts: attempts? },
            StateName::Unknown => RowState::Unknown {
                attempts: attempts?,
                reason: reason?,
            },
            StateName::Unconfirmed => RowState::Unconfirmed {
                attempts: attempts?,
                reason: reason?,
                candidates: r.candidates.ok_or("missing field `candidates`")?,
            },
            StateName::Placed => RowState::Placed {
                order: r.order.ok_or("missing field `order`")?,
            },
            StateName::Rejected => RowState::Rejected {
                errors: r.errors.ok_or("missing field `errors`")?,
            },
            StateName::Failed => RowState::Failed {
                attempts: attempts?,
                reason: reason?,
            },
        })
    }
}

impl RowState {
    /// The stable snake_case name of the state.
    pub fn name(&self) -> &'static str {
        match self {
            RowState::Pending { .. } => "pending",
            RowState::Sending { .. } => "sending",
            RowState::Unknown { .. } => "unknown",
            RowState::Unconfirmed { .. } => "unconfirmed",
            RowState::Placed { .. } => "placed",
            RowState::Rejected { .. } => "rejected",
            RowState::Failed { .. } => "failed",
        }
    }

    /// Whether nothing more will happen to the row without the user (an
    /// unconfirmed row waits for the user's decision).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            RowState::Placed { .. }
                | RowState::Rejected { .. }
                | RowState::Failed { .. }
                | RowState::Unconfirmed { .. }
        )
    }

    /// Create attempts made so far.
    pub fn attempts(&self) -> u32 {
        match self {
            RowState::Pending { attempts, .. }
            | RowState::Sending { attempts }
            | RowState::Unknown { attempts, .. }
            | RowState::Unconfirmed { attempts, .. }
            | RowState::Failed { attempts, .. } => *attempts,
            RowState::Placed { .. } | RowState::Rejected { .. } => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_as_written() {
        let order = Order {
            reference: "co-1".into(),
            status: "pending validation".into(),
            ..Order::default()
        };
        let mut errors = FieldErrors::new();
        errors.insert("email".into(), vec!["bad".into()]);
        for state in [
            RowState::Pending {
                attempts: 0,
                last_error: None,
            },
            RowState::Pending {
                attempts: 2,
                last_error: Some("timeout".into()),
            },
            RowState::Sending { attempts: 1 },
            RowState::Unknown {
                attempts: 1,
                reason: "connection dropped".into(),
            },
            RowState::Unconfirmed {
                attempts: 1,
                reason: "two orders carry its key".into(),
                candidates: vec![order.clone(), order.clone()],
            },
            RowState::Placed { order },
            RowState::Rejected { errors },
            RowState::Failed {
                attempts: 5,
                reason: "503".into(),
            },
        ] {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(serde_json::from_str::<RowState>(&json).unwrap(), state, "{json}");
        }
    }

    #[test]
    fn a_state_missing_its_fields_is_an_error_naming_them() {
        let e = serde_json::from_str::<RowState>(r#"{"state":"unknown","attempts":1}"#).unwrap_err();
        assert!(e.to_string().contains("reason"), "{e}");
        assert!(serde_json::from_str::<RowState>(r#"{"state":"teleported","attempts":1}"#).is_err());
    }
}
