//! The row rules. One [`Validator`] walks the rows in order, keeping the
//! duplicate set and the coverage counts, so a roster is checked in one pass.
//!
//! - `mod.rs`: the [`Validator`], which runs the rules on each row in turn
//!   and keeps what they need across rows.
//! - `rules.rs`: the rules, one function per field, with their messages.
//! - `columns.rs`: [`Columns`], the fields a roster has and their headers.
//! - `csrs.rs`: [`CsrChecker`], where the CSR rule gets a CSR's outcome.

mod columns;
mod csrs;
mod rules;

pub use columns::Columns;
pub use csrs::{CsrChecker, CsrOutcome, CsrOutcomes, VerifyCsrs};
pub use rules::duplicate_message;

use crate::domains::{Coverage, ValidatedDomains};
use crate::finding::{Code, FindingParts, FindingSink};
use crate::mapping::Field;
use crate::report::Row;
use crate::seen::{KeyHash, SeenKeys};
use rules::{DomainRule, EmptyCellMessages, RowFindings};

/// Checks rows one after the other.
pub struct Validator<'a, C: CsrChecker = VerifyCsrs> {
    columns: Columns,
    /// The messages about empty cells made so far, for these columns.
    empty: EmptyCellMessages,
    /// The domains' rule, with the coverage counts.
    domains: DomainRule<'a>,
    /// Address key → line of its first occurrence; `None` when this
    /// validator reports no duplicates (the editor keeps its own groups).
    seen: Option<SeenKeys>,
    /// The source of CSR outcomes.
    csrs: C,
    /// The longest cell checked, in characters (see [`crate::limits`]).
    max_field_chars: usize,
}

impl<'a> Validator<'a, VerifyCsrs> {
    /// A validator for rows with `columns`, against `domains`.
    pub fn new(domains: &'a ValidatedDomains, exact: bool, columns: Columns) -> Self {
        Validator {
            columns,
            empty: EmptyCellMessages::default(),
            domains: DomainRule::new(domains, exact),
            seen: Some(SeenKeys::default()),
            csrs: VerifyCsrs::default(),
            max_field_chars: crate::limits::DEFAULT_MAX_FIELD_CHARS,
        }
    }
}

impl<'a, C: CsrChecker> Validator<'a, C> {
    /// A validator that checks each row on its own, without duplicate
    /// detection, taking CSR outcomes from `csrs` (see [`crate::editor::Editor`]).
    pub fn for_editor(domains: &'a ValidatedDomains, exact: bool, columns: Columns, csrs: C) -> Self {
        Validator {
            columns,
            empty: EmptyCellMessages::default(),
            domains: DomainRule::new(domains, exact),
            seen: None,
            csrs,
            max_field_chars: crate::limits::DEFAULT_MAX_FIELD_CHARS,
        }
    }

    /// This validator with its duplicate set's keys hashed with `seed`
    /// ([`crate::Options::key_seed`]); a validator without one (the
    /// editor's) is unchanged.
    pub fn with_key_seed(mut self, seed: u64) -> Self {
        if self.seen.is_some() {
            self.seen = Some(SeenKeys::with_seed(seed));
        }
        self
    }

    /// This validator with the cell-length limit `max_chars`
    /// ([`crate::limits::Limits::max_field_chars`]).
    pub fn with_max_field_chars(mut self, max_chars: usize) -> Self {
        self.max_field_chars = max_chars;
        self
    }

    /// Room for about `rows` more rows in the duplicate set.
    pub fn reserve(&mut self, rows: usize) {
        if let Some(seen) = &mut self.seen {
            seen.reserve(rows);
        }
    }

    /// Fetches the duplicate set's memory for these addresses together,
    /// before their rows are checked one by one: at a million rows each
    /// look-up is a cache miss, and misses taken together overlap. Each
    /// address is taken as written, lower-cased: the key of a plain address
    /// (the others are rare and take their miss in `check`). `None` for a
    /// record without the column. `hashes` gets each address's hash, in
    /// order, to hand to [`Validator::check_prefetched`] with its row.
    pub(crate) fn prefetch<'r>(
        &mut self,
        emails: impl Iterator<Item = Option<&'r str>>,
        hashes: &mut Vec<Option<KeyHash>>,
    ) {
        hashes.clear();
        if let Some(seen) = &mut self.seen {
            seen.prefetch(emails, hashes);
        }
    }

    /// Whether reading records ahead to [`Validator::prefetch`] them pays:
    /// not while the duplicate set fits in the cache (then reading ahead
    /// costs more than it saves).
    pub(crate) fn prefetches(&self) -> bool {
        self.seen.as_ref().is_some_and(SeenKeys::is_large)
    }

    /// Checks `row` (index `index` in the report), normalising what it accepts
    /// (an upper-cased country), adding its findings to `out` and setting
    /// `row.valid`, and `row.key` if this validator finds duplicates.
    pub fn check<F: FindingSink + ?Sized>(&mut self, index: usize, row: &mut Row, out: &mut F) {
        self.check_prefetched(index, row, None, out);
    }

    /// [`Validator::check`], with the hash [`Validator::prefetch`] made of
    /// this row's address, if it did. The rules run in the order the row's
    /// findings come in.
    pub(crate) fn check_prefetched<F: FindingSink + ?Sized>(
        &mut self,
        index: usize,
        row: &mut Row,
        prefetched: Option<KeyHash>,
        out: &mut F,
    ) {
        if self.seen.is_some() {
            row.key = 0;
        }
        let mut found = RowFindings::new(&self.columns, &mut self.empty, out, row, index);
        rules::lengths(row, self.max_field_chars, &mut found);
        if let Some(email) = rules::email(&row.email, &mut found) {
            self.domains.check(&row.email, &email.address, &mut found);
            if let Some(seen) = &mut self.seen {
                // The prefetched hash is of the address lower-cased: a
                // plain address's key, no other's.
                let prefetched = prefetched.filter(|_| email.plain);
                row.key = rules::duplicate(seen, row.line, &row.email, &email.address, prefetched, &mut found);
            }
        }
        for field in [Field::LastName, Field::FirstName] {
            if found.has(field) {
                rules::name(field, row.get(field), &mut found);
            }
        }
        if found.has(Field::Country) {
            rules::country(&mut row.country, &mut found);
        }
        if found.has(Field::Csr) && !row.csr.is_empty() {
            rules::csr(&mut self.csrs, row, &mut found);
        }
        rules::formulas(row, &mut found);
        row.valid = !found.any_error();
    }

    /// Records a warning that a cell began with TAB or CR before trimming.
    pub fn leading_control<F: FindingSink + ?Sized>(&self, index: usize, row: &Row, field: Field, out: &mut F) {
        let l = self.columns.header(field).unwrap_or(field.label());
        out.add(FindingParts {
            line: Some(row.line),
            column: self.columns.header(field),
            code: Code::FormulaInjection,
            message: format!(
                "{l} starts with a tab or carriage return, which spreadsheets can use to hide a formula; it was \
                 removed. Check the cell's content."
            )
            .into(),
            suggestion: None,
            row: Some(index),
            field: Some(field),
        });
    }

    /// The coverage counts gathered so far.
    pub fn finish(self) -> (Coverage, C) {
        (self.domains.finish(), self.csrs)
    }
}
