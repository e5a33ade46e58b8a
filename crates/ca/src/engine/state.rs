//! A row's state, as journaled.

use crate::protocol::{FieldErrors, Order};
use serde::{Deserialize, Serialize};

/// Where a row stands. `attempts` counts create requests whose outcome is
/// settled or being settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
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

impl RowState {
    /// The stable snake_case name of the state.
    pub fn name(&self) -> &'static str {
        match self {
            RowState::Pending { .. } => "pending",
            RowState::Sending { .. } => "sending",
            RowState::Unknown { .. } => "unknown",
            RowState::Placed { .. } => "placed",
            RowState::Rejected { .. } => "rejected",
            RowState::Failed { .. } => "failed",
        }
    }

    /// Whether nothing more will happen to the row.
    pub fn is_final(&self) -> bool {
        matches!(self, RowState::Placed { .. } | RowState::Rejected { .. } | RowState::Failed { .. })
    }

    /// Create attempts made so far.
    pub fn attempts(&self) -> u32 {
        match self {
            RowState::Pending { attempts, .. }
            | RowState::Sending { attempts }
            | RowState::Unknown { attempts, .. }
            | RowState::Failed { attempts, .. } => *attempts,
            RowState::Placed { .. } | RowState::Rejected { .. } => 0,
        }
    }
}
