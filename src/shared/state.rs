//! The state the steps share, as signals. The report is derived, never stored.

use leptos::prelude::*;
use smime_bulk_roster::domains::{DomainListError, ValidatedDomains};
use smime_bulk_roster::{check, Mode, Options, Report};
use std::sync::Arc;

/// A roster as loaded: where it came from and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterInput {
    /// File name, or "pasted text".
    pub source: String,
    /// The bytes as read; never sent anywhere.
    pub bytes: Arc<[u8]>,
    /// How to read them.
    pub mode: Mode,
}

/// Signals shared through context.
#[derive(Clone, Copy)]
pub struct RosterState {
    /// The validated domains as typed.
    pub domains_text: RwSignal<String>,
    /// Exact domain matching (no subdomains).
    pub exact_domains: RwSignal<bool>,
    /// The loaded roster, if any.
    pub input: RwSignal<Option<RosterInput>>,
    /// The typed domains, parsed.
    pub domains: Memo<Result<ValidatedDomains, DomainListError>>,
    /// The report of the loaded roster against the domains.
    pub report: Memo<Option<Report>>,
    /// A message about loading (a file that could not be read).
    pub load_error: RwSignal<Option<String>>,
}

impl RosterState {
    /// Creates the signals and the derived report.
    pub fn new() -> Self {
        let domains_text = RwSignal::new(String::new());
        let exact_domains = RwSignal::new(false);
        let input = RwSignal::new(None::<RosterInput>);
        let domains = Memo::new(move |_| ValidatedDomains::parse_list(&domains_text.get()));
        let report = Memo::new(move |_| {
            let input = input.get()?;
            // An unreadable domain list checks no domains; the domain step says why.
            let domains = domains.get().unwrap_or_default();
            let options = Options { mode: input.mode, domains, exact_domains: exact_domains.get(), mapping: None };
            Some(check(&input.bytes, &options))
        });
        RosterState { domains_text, exact_domains, input, domains, report, load_error: RwSignal::new(None) }
    }
}

/// The shared state from context.
pub fn use_roster() -> RosterState {
    expect_context::<RosterState>()
}
