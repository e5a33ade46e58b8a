//! The editor's running totals — rows, valid rows, findings per code, clear
//! suggestions, domain coverage — kept up to date as rows change, so a page
//! showing them after every edit of a 1,000,000-row roster does not walk
//! every row to do it.
//!
//! A row's *own* part (its findings other than duplicates, its suggestions,
//! its domain) is taken out before the row or its findings change and put
//! back after; the parts that depend on other rows (later duplicates, valid)
//! are moved by the editor where it flips them.

use crate::domains::{Coverage, CoverageCounter, ValidatedDomains};
use crate::editor::CLEAR_SUGGESTIONS;
use crate::email::parse_address_ref;
use crate::finding::{Code, Finding};
use crate::report::Row;
use std::collections::BTreeMap;

/// Totals over the rows still in the roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Rows not deleted.
    pub rows: usize,
    /// Rows whose `valid` flag is set.
    pub valid: usize,
    /// Rows repeating an earlier row's address.
    pub later_duplicates: usize,
    /// Own findings (duplicates and file-level findings aside) per code; no zeros.
    pub own_codes: BTreeMap<Code, usize>,
    /// Cells "apply all suggestions" would change.
    pub clear_suggestions: usize,
    /// Rows per validated domain and per uncovered domain.
    pub coverage: CoverageCounter,
}

/// Whether a row's part goes in or comes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    In,
    Out,
}

impl Tally {
    /// Puts in or takes out the part of a row that depends on it alone: its
    /// own findings, its clear suggestions and its domain.
    pub fn own(&mut self, row: &Row, own: &[Finding], domains: &ValidatedDomains, exact: bool, direction: Direction) {
        for f in own {
            self.code(f.code, direction);
            if is_clear_suggestion(row, f) {
                step(&mut self.clear_suggestions, direction);
            }
        }
        // A ragged row was not read into fields (see `Code::RaggedRow`): it
        // has no domain to count until it is edited.
        if own.iter().any(|f| f.code == Code::RaggedRow) {
            return;
        }
        if let Ok(address) = parse_address_ref(&row.email) {
            match (domains.covering(&address.domain, exact), direction) {
                (Some(d), Direction::In) => self.coverage.covered(d, 1),
                (Some(d), Direction::Out) => self.coverage.uncount_covered(d),
                (None, Direction::In) => self.coverage.uncovered(&address.domain),
                (None, Direction::Out) => self.coverage.uncount_uncovered(&address.domain),
            }
        }
    }

    /// One finding of `code` more or less.
    pub fn code(&mut self, code: Code, direction: Direction) {
        match direction {
            Direction::In => *self.own_codes.entry(code).or_insert(0) += 1,
            Direction::Out => {
                if let Some(n) = self.own_codes.get_mut(&code) {
                    *n -= 1;
                    if *n == 0 {
                        self.own_codes.remove(&code);
                    }
                }
            }
        }
    }

    /// Findings per code, with the file-level ones and the duplicates.
    pub fn counts_by_code(&self, file_findings: &[Finding]) -> BTreeMap<Code, usize> {
        let mut counts = self.own_codes.clone();
        for f in file_findings {
            *counts.entry(f.code).or_insert(0) += 1;
        }
        if self.later_duplicates > 0 {
            *counts.entry(Code::DuplicateEmail).or_insert(0) += self.later_duplicates;
        }
        counts
    }

    /// The domain coverage as it stands.
    pub fn coverage(&self, domains: &ValidatedDomains) -> Coverage {
        self.coverage.summary(domains)
    }
}

/// Whether `f` is a clear suggestion that would change `row`'s cell.
pub(crate) fn is_clear_suggestion(row: &Row, f: &Finding) -> bool {
    CLEAR_SUGGESTIONS.contains(&f.code)
        && matches!((f.field, &f.suggestion), (Some(field), Some(s)) if row.get(field) != s)
}

/// Adds or takes one from a count.
pub(crate) fn step(count: &mut usize, direction: Direction) {
    match direction {
        Direction::In => *count += 1,
        Direction::Out => *count = count.saturating_sub(1),
    }
}
