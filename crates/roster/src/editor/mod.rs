//! A roster being fixed in place: edit a cell, delete or add a row, apply the
//! clear suggestions. An edit re-validates only that row and the rows whose
//! duplicate state it changes — never the whole roster.
//!
//! - `mod.rs`: the [`Editor`], taking a report over (a slice at a time) and
//!   what the page asks of it: rows, findings, counts, filters.
//! - `edit.rs`: the changes — edits, deletions, added rows, suggestions
//!   applied, other domains, CSR outcomes — and the re-checks they need.
//! - `groups.rs`: the duplicate groups, by address key.
//! - `csv.rs`: the error report and the roster as CSV.

mod csv;
mod edit;
mod groups;
#[cfg(test)]
mod tests;

use crate::domains::{Coverage, CoverageCounter, ValidatedDomains};
use crate::finding::{Code, Finding};
use crate::mapping::Field;
use crate::report::{Report, Row};
use crate::tally::{is_clear_suggestion, Direction, Tally};
use crate::validate::{duplicate_message, Columns, CsrOutcomes};
use crate::Options;
pub use groups::KeyIndex;
use std::collections::BTreeMap;

/// The codes whose suggestion "apply all suggestions" takes: mechanical fixes
/// (`UK`→`GB`, `mailto:` removed, a line break out of a name), not guesses
/// such as a domain typo.
pub const CLEAR_SUGGESTIONS: [Code; 4] = [
    Code::CountryInvalid,
    Code::CountryLowercase,
    Code::EmailInvalid,
    Code::NameInvalid,
];

/// An editable roster with its findings kept up to date.
pub struct Editor {
    domains: ValidatedDomains,
    exact: bool,
    /// The longest cell the check took (see [`crate::limits`]).
    max_field_chars: usize,
    columns: Columns,
    /// Rows by id (emptied once deleted). Ids never change.
    rows: Vec<Row>,
    /// Whether each row is still in the roster (not deleted).
    live: Vec<bool>,
    /// Each row's own findings (everything but duplicates).
    own: Vec<Vec<Finding>>,
    /// Whether each row repeats an earlier row's address (kept with `groups`,
    /// so counting and filtering need no lookups).
    later_duplicate: Vec<bool>,
    /// Key hash ([`Row::key`]) → the ids sharing it, in roster order.
    groups: KeyIndex,
    /// The seed the check hashed the keys with ([`crate::Options::key_seed`]).
    key_seed: u64,
    /// File-level findings of the load.
    file_findings: Vec<Finding>,
    next_line: u32,
    /// Rows whose findings are placed (see [`Editor::unindexed`]).
    indexed: usize,
    /// The rows the check found repeating an earlier address, while the
    /// report is taken over (see `groups.rs`).
    repeats: Vec<usize>,
    /// What checking each CSR found, from the engine; a CSR typed in later is
    /// `csr_pending` until [`Editor::add_csr_outcomes`] brings its outcome.
    csrs: CsrOutcomes,
    /// The report's findings not yet handed to their rows (see
    /// [`Editor::index_keys`]), in the report's order.
    unplaced: std::iter::Peekable<std::vec::IntoIter<Finding>>,
    /// One bit a row: an error finding points at it (while findings are placed).
    invalid: Vec<u64>,
    /// The totals the page shows after every change, kept as rows change.
    tally: Tally,
}

impl Editor {
    /// Takes over a report made with `options`.
    pub fn new(report: Report, options: &Options) -> Self {
        let mut editor = Editor::unindexed(report, options);
        while !editor.index_keys(usize::MAX) {}
        editor
    }

    /// Takes over a report without placing its findings or grouping its
    /// duplicates yet: call [`Editor::index_keys`] until it returns `true`
    /// before using the editor (a page does it a slice at a time, between
    /// frames). Nothing here walks the rows.
    pub fn unindexed(report: Report, options: &Options) -> Self {
        Editor::unindexed_with(report, options, KeyIndex::default())
    }

    /// [`Editor::unindexed`], with the report's first rows already grouped
    /// in `index` (as they came from the engine worker).
    pub fn unindexed_with(report: Report, options: &Options, index: KeyIndex) -> Self {
        // An index of more rows than the report has is some other report's.
        let index = if index.rows() <= report.rows.len() {
            index
        } else {
            KeyIndex::default()
        };
        let columns = if report.mode == crate::Mode::List {
            Columns::email_list()
        } else {
            Columns::from_mapping(&report.mapping)
        };
        let n = report.rows.len();
        // The report's totals are the tally's start; the rest is counted as
        // `index_keys` places the findings and finds the duplicates.
        let tally = Tally {
            rows: n,
            coverage: CoverageCounter::from_coverage(&report.coverage),
            ..Tally::default()
        };
        // Records are read in order: the last row is on the last line.
        let next_line = report.rows.last().map_or(1, |r| r.line) + 1;
        Editor {
            domains: options.domains.clone(),
            exact: options.exact_domains,
            max_field_chars: options.limits.max_field_chars,
            columns,
            key_seed: options.key_seed,
            later_duplicate: vec![false; n],
            live: vec![true; n],
            rows: report.rows,
            own: Vec::new(),
            groups: index,
            repeats: Vec::new(),
            file_findings: Vec::new(),
            next_line,
            csrs: report.csr_outcomes,
            indexed: 0,
            unplaced: report.findings.into_iter().peekable(),
            invalid: vec![0u64; n.div_ceil(64)],
            tally,
        }
    }

    /// Places the findings and groups the duplicates of up to `max` more
    /// rows; `true` once all are. Parses no address: a row's key hash and
    /// its duplicate finding are the check's (see `groups.rs`).
    pub fn index_keys(&mut self, max: usize) -> bool {
        let n = self.rows.len();
        let end = self.indexed.saturating_add(max).min(n);
        if self.indexed == 0 {
            // Sized once: doubling would copy them whole in one slice.
            self.own.reserve_exact(n);
            self.groups.reserve(n.saturating_sub(self.groups.rows()));
        }
        self.own.resize_with(end, Vec::new);
        self.place_findings(end);
        if self.groups.rows() < end {
            // Rows the index was not given (as they came) are grouped now.
            let from = self.groups.rows();
            self.groups.add_rows(&self.rows[from..end]);
        }
        self.indexed = end;
        if end < n {
            return false;
        }
        self.place_findings(usize::MAX);
        let repeats = std::mem::take(&mut self.repeats);
        self.settle_groups(&repeats);
        // A row is valid exactly when no error finding points at it (an
        // invariant of the report), so the findings count the valid rows.
        self.tally.valid = n - self.invalid.iter().map(|w| w.count_ones() as usize).sum::<usize>();
        self.invalid = Vec::new();
        true
    }

    /// Hands the report's findings to their rows, up to the first one for a
    /// row at `end` or later; file-level ones go to the file's list.
    fn place_findings(&mut self, end: usize) {
        let n = self.rows.len();
        while let Some(f) = self.unplaced.next_if(|f| f.row.is_none_or(|i| i < end || i >= n)) {
            match f.row {
                Some(i) if i < n => {
                    if f.is_error() {
                        self.invalid[i / 64] |= 1 << (i % 64);
                    }
                    if f.code == Code::DuplicateEmail {
                        // The check compared the keys: the flag is its verdict.
                        groups::flag_later(&mut self.later_duplicate[i], true, &mut self.tally.later_duplicates);
                        self.repeats.push(i);
                    } else {
                        self.tally.code(f.code, Direction::In);
                        if is_clear_suggestion(&self.rows[i], &f) {
                            self.tally.clear_suggestions += 1;
                        }
                        self.own[i].push(f);
                    }
                }
                _ => self.file_findings.push(f),
            }
        }
    }

    /// How many rows [`Editor::index_keys`] has done, of [`Editor::len`].
    pub fn indexed(&self) -> usize {
        self.indexed
    }

    /// File-level findings (header, encoding).
    pub fn file_findings(&self) -> &[Finding] {
        &self.file_findings
    }

    /// Ids of the rows still in the roster, in order.
    pub fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.live
            .iter()
            .enumerate()
            .filter_map(|(id, &live)| live.then_some(id))
    }

    /// Rows still in the roster.
    pub fn len(&self) -> usize {
        self.tally.rows
    }

    /// Whether no row is left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `id`, unless deleted.
    pub fn row(&self, id: usize) -> Option<&Row> {
        self.live.get(id).copied().unwrap_or(false).then(|| &self.rows[id])
    }

    /// Every finding of row `id`, duplicates included.
    pub fn findings(&self, id: usize) -> Vec<Finding> {
        let Some(row) = self.row(id) else { return Vec::new() };
        let mut out = self.own[id].clone();
        if let Some(first) = self.original_of(id) {
            let first_line = self.row(first).map_or(0, |r| r.line);
            // Keep the file's order: the duplicate finding sits with the email findings.
            let at = out
                .iter()
                .position(|f| f.field != Some(Field::Email) && f.field.is_some())
                .unwrap_or(out.len());
            out.insert(
                at,
                Finding {
                    line: Some(row.line),
                    column: self.columns.header(Field::Email).map(str::to_owned),
                    code: Code::DuplicateEmail,
                    severity: Code::DuplicateEmail.severity(),
                    message: duplicate_message(
                        self.columns.header(Field::Email).unwrap_or(Field::Email.label()),
                        &row.email,
                        first_line,
                    ),
                    suggestion: None,
                    row: Some(id),
                    field: Some(Field::Email),
                },
            );
        }
        out
    }

    /// Whether row `id` has no error.
    pub fn is_valid(&self, id: usize) -> bool {
        self.row(id).is_some() && !self.later_duplicate[id] && !self.own[id].iter().any(Finding::is_error)
    }

    /// Rows with no error.
    pub fn valid_count(&self) -> usize {
        self.tally.valid
    }

    /// Rows with at least one error.
    pub fn invalid_count(&self) -> usize {
        self.len() - self.valid_count()
    }

    /// How many findings of each code the roster has (file-level included).
    pub fn counts_by_code(&self) -> BTreeMap<Code, usize> {
        self.tally.counts_by_code(&self.file_findings)
    }

    /// Ids of rows to show: all, only invalid ones, or only those with `code`.
    pub fn filter(&self, errors_only: bool, code: Option<Code>) -> Vec<usize> {
        if !errors_only && code.is_none() && self.tally.rows == self.rows.len() {
            // Every row, none deleted: no flag to look at.
            return (0..self.rows.len()).collect();
        }
        self.ids()
            .filter(|&id| !errors_only || !self.is_valid(id))
            .filter(|&id| match code {
                None => true,
                Some(Code::DuplicateEmail) => self.later_duplicate[id],
                Some(c) => self.own[id].iter().any(|f| f.code == c),
            })
            .collect()
    }

    /// How many cells "apply all suggestions" would change.
    pub fn clear_suggestion_count(&self) -> usize {
        self.tally.clear_suggestions
    }

    /// All rows still in the roster, in order.
    pub fn all_rows(&self) -> Vec<Row> {
        self.ids().filter_map(|id| self.row(id).cloned()).collect()
    }

    /// The valid rows, in order.
    pub fn valid_rows(&self) -> Vec<Row> {
        self.ids()
            .filter(|&id| self.is_valid(id))
            .filter_map(|id| self.row(id).cloned())
            .collect()
    }

    /// Rows per validated domain and per uncovered domain, as they are now.
    pub fn coverage(&self) -> Coverage {
        self.tally.coverage(&self.domains)
    }
}
