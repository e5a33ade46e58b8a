//! Where the CSR rule gets the outcome of checking a CSR: checked here
//! ([`VerifyCsrs`], the engine), or looked up in the outcomes the engine
//! found (`&CsrOutcomes`, the editor on the page).

use crate::csr::{self, CsrError};

/// Where a [`super::Validator`] gets the outcome of checking a CSR. The engine
/// checks each one ([`VerifyCsrs`]); the editor on the page looks up what the
/// engine worker found, so the page never carries the RSA and elliptic-curve
/// code (see [`crate::editor::Editor`]).
pub trait CsrChecker {
    /// The outcome for `pem`, or `None` while it is not known yet (the row
    /// then gets a `csr_pending` error until it is).
    fn outcome(&mut self, pem: &str) -> Option<CsrOutcome>;
}

/// What checking one CSR found.
pub type CsrOutcome = Result<csr::CsrInfo, CsrError>;

/// Outcomes by CSR text.
pub type CsrOutcomes = std::collections::BTreeMap<String, CsrOutcome>;

/// Checks every CSR with [`csr::check`], once per distinct text, and keeps
/// the outcomes (they go into the report for the editor).
#[derive(Debug, Default)]
pub struct VerifyCsrs {
    /// Every CSR checked so far.
    pub outcomes: CsrOutcomes,
}

impl CsrChecker for VerifyCsrs {
    fn outcome(&mut self, pem: &str) -> Option<CsrOutcome> {
        if let Some(known) = self.outcomes.get(pem) {
            return Some(known.clone());
        }
        let outcome = csr::check(pem);
        self.outcomes.insert(pem.to_owned(), outcome.clone());
        Some(outcome)
    }
}

impl CsrChecker for &CsrOutcomes {
    fn outcome(&mut self, pem: &str) -> Option<CsrOutcome> {
        self.get(pem).cloned()
    }
}
