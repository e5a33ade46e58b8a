//! A roster being fixed in place: edit a cell, delete or add a row, apply the
//! clear suggestions. An edit re-validates only that row and the rows whose
//! duplicate state it changes — never the whole roster.

use crate::domains::{Coverage, CoverageCounter, ValidatedDomains};
use crate::email::parse_address_ref;
use crate::export::{csv_line, csv_line_verbatim};
use crate::finding::{Code, Finding};
use crate::mapping::Field;
use crate::report::{Report, Row};
use crate::tally::{is_clear_suggestion, step, Direction, Tally};
use crate::validate::{duplicate_message, Columns, CsrOutcome, CsrOutcomes, Validator};
use crate::Options;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;

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
    columns: Columns,
    /// Rows by id (emptied once deleted). Ids never change.
    rows: Vec<Row>,
    /// Whether each row is still in the roster (not deleted).
    live: Vec<bool>,
    /// Each row's own findings (everything but duplicates).
    own: Vec<Vec<Finding>>,
    /// Each row's duplicate key (normalised address), if its email is valid.
    keys: Vec<Option<String>>,
    /// Key → the ids sharing it, in roster order; the first is the original.
    /// Whether each row repeats an earlier row's address (kept with `groups`,
    /// so counting and filtering need no lookups).
    later_duplicate: Vec<bool>,
    /// (Sorted; nearly every group has one id, so a vector, not a set.)
    groups: Groups,
    /// File-level findings of the load.
    file_findings: Vec<Finding>,
    next_line: u32,
    /// Rows whose duplicate key is grouped (see [`Editor::unindexed`]).
    indexed: usize,
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
            columns,
            keys: Vec::new(),
            later_duplicate: vec![false; n],
            live: vec![true; n],
            rows: report.rows,
            own: Vec::new(),
            groups: Groups::default(),
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
    /// rows; `true` once all are.
    pub fn index_keys(&mut self, max: usize) -> bool {
        let n = self.rows.len();
        let end = self.indexed.saturating_add(max).min(n);
        if self.indexed == 0 {
            // Sized once: doubling would copy them whole in one slice.
            self.own.reserve_exact(n);
            self.keys.reserve_exact(n);
            self.groups.reserve(n);
        }
        self.own.resize_with(end, Vec::new);
        self.keys.resize(end, None);
        self.place_findings(end);
        for id in self.indexed..end {
            self.index_key(id);
        }
        self.indexed = end;
        if end < n {
            return false;
        }
        self.place_findings(usize::MAX);
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
                    if f.code != Code::DuplicateEmail {
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

    fn index_key(&mut self, id: usize) {
        // A ragged row was not read into fields, so it repeats no address
        // (as in the engine) until it is edited.
        let ragged = self.own[id].iter().any(|f| f.code == Code::RaggedRow);
        let key = self
            .row(id)
            .filter(|_| !ragged)
            .and_then(|r| parse_address_ref(&r.email).ok())
            .map(|a| a.key());
        if let Some(k) = &key {
            let group = self.groups.shard_mut(k).entry(k.clone()).or_default();
            if let Err(at) = group.binary_search(&id) {
                group.insert(at, id);
            }
            for (i, &member) in group.iter().enumerate() {
                flag_later(
                    &mut self.later_duplicate[member],
                    i > 0,
                    &mut self.tally.later_duplicates,
                );
            }
        }
        self.keys[id] = key;
    }

    fn unindex_key(&mut self, id: usize) -> Option<String> {
        let key = self.keys[id].take()?;
        flag_later(&mut self.later_duplicate[id], false, &mut self.tally.later_duplicates);
        if let Some(group) = self.groups.shard_mut(&key).get_mut(&key) {
            if let Ok(at) = group.binary_search(&id) {
                group.remove(at);
            }
            for (i, &member) in group.iter().enumerate() {
                flag_later(
                    &mut self.later_duplicate[member],
                    i > 0,
                    &mut self.tally.later_duplicates,
                );
            }
            if group.is_empty() {
                self.groups.shard_mut(&key).remove(&key);
            }
        }
        Some(key)
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

    /// The first row of `id`'s duplicate group, if `id` is a later duplicate.
    fn original_of(&self, id: usize) -> Option<usize> {
        let key = self.keys.get(id)?.as_ref()?;
        let first = *self.groups.get(key)?.iter().next()?;
        (first != id).then_some(first)
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

    /// Checks every row again against other validated domains (edits kept).
    pub fn set_domains(&mut self, domains: ValidatedDomains, exact: bool) {
        self.domains = domains;
        self.exact = exact;
        // Every row's own part changes: count them all again.
        self.tally.own_codes.clear();
        self.tally.clear_suggestions = 0;
        self.tally.coverage = CoverageCounter::default();
        let ids: Vec<usize> = self.ids().collect();
        for id in ids {
            let findings = self.check_row(id);
            // A ragged row keeps its structural error until it is edited.
            let ragged: Vec<Finding> = self.own[id]
                .iter()
                .filter(|f| f.code == Code::RaggedRow)
                .cloned()
                .collect();
            self.own[id] = if ragged.is_empty() { findings } else { ragged };
            self.count_own(id, Direction::In);
            self.update_valid(id);
        }
    }

    /// The distinct CSRs of the roster whose check has not been done: send
    /// them to the engine and hand the outcomes to [`Editor::add_csr_outcomes`].
    pub fn pending_csrs(&self) -> Vec<String> {
        // Only a row with a `csr_pending` finding holds an unchecked CSR.
        if !self.tally.own_codes.contains_key(&Code::CsrPending) {
            return Vec::new();
        }
        let pending: BTreeSet<&str> = self
            .ids()
            .filter(|&id| self.own[id].iter().any(|f| f.code == Code::CsrPending))
            .map(|id| self.rows[id].csr.as_str())
            .filter(|pem| !pem.is_empty() && !self.csrs.contains_key(*pem))
            .collect();
        pending.into_iter().map(str::to_owned).collect()
    }

    /// Takes the outcomes of CSR checks and re-validates the rows holding
    /// those CSRs; returns their ids.
    pub fn add_csr_outcomes(&mut self, outcomes: impl IntoIterator<Item = (String, CsrOutcome)>) -> Vec<usize> {
        self.csrs.extend(outcomes);
        let ids: Vec<usize> = self
            .ids()
            .filter(|&id| self.own[id].iter().any(|f| f.code == Code::CsrPending))
            .collect();
        for &id in &ids {
            self.count_own(id, Direction::Out);
            self.revalidate(id);
        }
        ids
    }

    /// Sets a cell and re-validates what it touches. Returns the ids whose
    /// findings may have changed (the row itself and its old and new
    /// duplicate groups).
    pub fn edit(&mut self, id: usize, field: Field, value: &str) -> Vec<usize> {
        if self.row(id).is_none() {
            return Vec::new();
        }
        self.count_own(id, Direction::Out);
        *self.rows[id].get_mut(field) = value.trim().to_owned();
        self.revalidate(id)
    }

    /// Puts in or takes out row `id`'s own part of the tally (see
    /// [`Tally::own`]): out before the row or its findings change, in after.
    fn count_own(&mut self, id: usize, direction: Direction) {
        if self.live[id] {
            self.tally
                .own(&self.rows[id], &self.own[id], &self.domains, self.exact, direction);
        }
    }

    /// Row `id`'s own findings (duplicates aside) as the rules see it now.
    /// Its `valid` flag is left to [`Editor::update_valid`], which counts it.
    fn check_row(&mut self, id: usize) -> Vec<Finding> {
        let mut findings = Vec::new();
        if self.live[id] {
            let row = &mut self.rows[id];
            let was_valid = row.valid;
            let mut validator = Validator::for_editor(&self.domains, self.exact, self.columns.clone(), &self.csrs);
            validator.check(id, row, &mut findings);
            row.valid = was_valid;
        }
        findings
    }

    /// Sets row `id`'s `valid` flag from its findings, and the tally's count.
    fn update_valid(&mut self, id: usize) {
        let valid = self.is_valid(id);
        if self.live[id] {
            let r = &mut self.rows[id];
            if r.valid != valid {
                r.valid = valid;
                step(
                    &mut self.tally.valid,
                    if valid { Direction::In } else { Direction::Out },
                );
            }
        }
    }

    /// Checks row `id` again and the rows whose duplicate state that changes;
    /// the row's own part must be out of the tally (it goes back in here).
    fn revalidate(&mut self, id: usize) -> Vec<usize> {
        let mut touched: BTreeSet<usize> = BTreeSet::new();
        touched.insert(id);
        if let Some(old) = self.unindex_key(id) {
            touched.extend(self.groups.get(&old).into_iter().flatten().copied());
        }
        self.own[id] = self.check_row(id);
        self.index_key(id);
        if let Some(new) = &self.keys[id] {
            touched.extend(self.groups.get(new).into_iter().flatten().copied());
        }
        self.count_own(id, Direction::In);
        let ids: Vec<usize> = touched.into_iter().collect();
        for &t in &ids {
            self.update_valid(t);
        }
        ids
    }

    /// Deletes row `id`; returns the ids whose duplicate state changed.
    pub fn delete(&mut self, id: usize) -> Vec<usize> {
        if self.row(id).is_none() {
            return Vec::new();
        }
        self.count_own(id, Direction::Out);
        let old = self.unindex_key(id);
        self.live[id] = false;
        if std::mem::take(&mut self.rows[id]).valid {
            step(&mut self.tally.valid, Direction::Out);
        }
        step(&mut self.tally.rows, Direction::Out);
        self.own[id].clear();
        let touched: Vec<usize> = old
            .and_then(|k| self.groups.get(&k))
            .into_iter()
            .flatten()
            .copied()
            .collect();
        for &t in &touched {
            self.update_valid(t);
        }
        touched
    }

    /// Adds an empty row at the end (to be filled by edits); returns its id.
    pub fn add(&mut self) -> usize {
        let id = self.rows.len();
        self.rows.push(Row {
            line: self.next_line,
            ..Row::default()
        });
        self.live.push(true);
        self.next_line += 1;
        self.own.push(Vec::new());
        self.keys.push(None);
        self.later_duplicate.push(false);
        self.tally.rows += 1;
        self.revalidate(id);
        id
    }

    /// How many cells "apply all suggestions" would change.
    pub fn clear_suggestion_count(&self) -> usize {
        self.tally.clear_suggestions
    }

    /// All rows still in the roster, in order.
    pub fn all_rows(&self) -> Vec<Row> {
        self.ids().filter_map(|id| self.row(id).cloned()).collect()
    }

    /// Applies every clear suggestion (see [`CLEAR_SUGGESTIONS`]); returns how
    /// many cells changed.
    pub fn apply_suggestions(&mut self) -> usize {
        let mut changes: Vec<(usize, Field, String)> = Vec::new();
        for id in self.ids() {
            for f in &self.own[id] {
                if let (Some(field), Some(s)) = (f.field, &f.suggestion) {
                    if CLEAR_SUGGESTIONS.contains(&f.code) {
                        changes.push((id, field, s.clone()));
                    }
                }
            }
        }
        let mut applied = 0;
        for (id, field, value) in changes {
            if self.row(id).is_some_and(|r| r.get(field) != value) {
                self.edit(id, field, &value);
                applied += 1;
            }
        }
        applied
    }

    /// Rows per validated domain and per uncovered domain, as they are now.
    pub fn coverage(&self) -> Coverage {
        self.tally.coverage(&self.domains)
    }

    /// The problems as CSV: line, column, value, code, severity, message,
    /// suggestion (formula-safe).
    pub fn error_report_csv(&self) -> String {
        let mut out = csv_line(&["line", "column", "value", "code", "severity", "message", "suggestion"]);
        for f in &self.file_findings {
            out.push_str(&csv_line(&[
                f.line.map(|l| l.to_string()).unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
                String::new(),
                f.code.as_str().to_owned(),
                severity(f),
                f.message.clone(),
                f.suggestion.clone().unwrap_or_default(),
            ]));
        }
        for id in self.ids() {
            let row = self.row(id);
            for f in self.findings(id) {
                let value = match (row, f.field) {
                    (Some(r), Some(field)) => r.get(field).to_owned(),
                    _ => String::new(),
                };
                out.push_str(&csv_line(&[
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    f.column
                        .clone()
                        .unwrap_or_else(|| f.field.map(|x| x.label().to_owned()).unwrap_or_default()),
                    value,
                    f.code.as_str().to_owned(),
                    severity(&f),
                    f.message.clone(),
                    f.suggestion.clone().unwrap_or_default(),
                ]));
            }
        }
        out
    }

    /// The given rows as a roster CSV in the template's columns, to load again.
    pub fn roster_csv(rows: impl IntoIterator<Item = Row>) -> String {
        let mut out = csv_line_verbatim(&["First Name", "Last Name", "Email", "Country", "Csr"]);
        for r in rows {
            out.push_str(&csv_line_verbatim(&[
                r.first_name,
                r.last_name,
                r.email,
                r.country,
                r.csr,
            ]));
        }
        out
    }

    /// The valid rows, in order.
    pub fn valid_rows(&self) -> Vec<Row> {
        self.ids()
            .filter(|&id| self.is_valid(id))
            .filter_map(|id| self.row(id).cloned())
            .collect()
    }
}

/// The duplicate groups, by address key, in 64 tables picked by the key's
/// hash: no single step re-places a million keys (as one table doubling
/// would, freezing the page); a table re-places at most its share.
#[derive(Default)]
struct Groups {
    shards: Vec<FxHashMap<String, Vec<usize>>>,
}

impl Groups {
    const SHARDS: usize = 64;

    fn shard_of(key: &str) -> usize {
        rustc_hash::FxBuildHasher.hash_one(key) as usize % Self::SHARDS
    }

    fn shard_mut(&mut self, key: &str) -> &mut FxHashMap<String, Vec<usize>> {
        if self.shards.is_empty() {
            self.shards.resize_with(Self::SHARDS, FxHashMap::default);
        }
        &mut self.shards[Self::shard_of(key)]
    }

    /// Room for `keys` keys in all. The keys spread evenly, so the tables
    /// would all double at about the same row: sized now, none does.
    fn reserve(&mut self, keys: usize) {
        if self.shards.is_empty() {
            self.shards.resize_with(Self::SHARDS, FxHashMap::default);
        }
        let each = keys / Self::SHARDS;
        for shard in &mut self.shards {
            shard.reserve(each + each / 8);
        }
    }

    /// The ids sharing `key`, in roster order.
    fn get(&self, key: &str) -> Option<&Vec<usize>> {
        self.shards.get(Self::shard_of(key))?.get(key)
    }
}

/// Sets a later-duplicate flag, keeping the count of set flags.
fn flag_later(flag: &mut bool, later: bool, count: &mut usize) {
    if *flag != later {
        *flag = later;
        step(count, if later { Direction::In } else { Direction::Out });
    }
}

fn severity(f: &Finding) -> String {
    if f.is_error() { "error" } else { "warning" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Mode};

    fn editor(csv: &str) -> Editor {
        let options = Options {
            mode: Mode::Table,
            domains: ValidatedDomains::parse(["example.com"]).unwrap(),
            ..Options::default()
        };
        Editor::new(check(csv.as_bytes(), &options), &options)
    }

    const HEADER: &str = "First Name,Last Name,Email,Country\n";

    fn fixture_csr(name: &str) -> String {
        let path = format!("{}/tests/fixtures/csr/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap().trim().to_owned()
    }

    #[test]
    fn csrs_checked_by_the_engine_are_looked_up_not_checked_again() {
        let pem = fixture_csr("rsa1024.csr");
        let mut e = editor(&format!("Email,Csr\njane@example.com,\"{pem}\"\n"));
        assert_eq!(
            e.findings(0).iter().map(|f| f.code).collect::<Vec<_>>(),
            vec![Code::CsrWeakKey]
        );
        assert!(e.pending_csrs().is_empty());
        // Re-validating (here: other domains) keeps the engine's outcome.
        e.set_domains(ValidatedDomains::parse(["example.com", "example.org"]).unwrap(), false);
        assert_eq!(
            e.findings(0).iter().map(|f| f.code).collect::<Vec<_>>(),
            vec![Code::CsrWeakKey]
        );
    }

    #[test]
    fn an_edited_csr_is_pending_until_its_outcome_arrives() {
        let mut e = editor("Email,Csr\njane@example.com,\n");
        assert!(e.is_valid(0));
        let pem = fixture_csr("p256.csr");
        e.edit(0, Field::Csr, &pem);
        assert_eq!(
            e.findings(0).iter().map(|f| f.code).collect::<Vec<_>>(),
            vec![Code::CsrPending]
        );
        assert!(!e.is_valid(0), "a row whose CSR is unchecked must not be ordered");
        assert_eq!(e.pending_csrs(), vec![pem.clone()]);
        let outcome = crate::csr::check(&pem);
        assert_eq!(e.add_csr_outcomes([(pem.clone(), outcome)]), vec![0]);
        assert!(e.pending_csrs().is_empty());
        assert!(
            e.findings(0).iter().all(|f| f.code != Code::CsrPending),
            "{:?}",
            e.findings(0)
        );
    }

    #[test]
    fn editing_a_bad_country_makes_the_row_valid() {
        let mut e = editor(&format!("{HEADER}Jane,Doe,jane@example.com,UK\n"));
        assert!(!e.is_valid(0));
        assert_eq!(e.counts_by_code().get(&Code::CountryInvalid), Some(&1));
        let touched = e.edit(0, Field::Country, "GB");
        assert_eq!(touched, vec![0]);
        assert!(e.is_valid(0));
        assert!(e.findings(0).is_empty());
        assert!(e.row(0).unwrap().valid);
    }

    #[test]
    fn fixing_a_duplicate_frees_both_rows_and_breaking_one_flags_the_other() {
        let mut e = editor(&format!(
            "{HEADER}A,B,jane@example.com,GB\nC,D,JANE@example.com,GB\nE,F,x@example.com,GB\n"
        ));
        assert!(e.is_valid(0) && !e.is_valid(1));
        assert_eq!(e.findings(1)[0].code, Code::DuplicateEmail);
        assert!(e.findings(1)[0].message.contains("line 2"));
        let touched = e.edit(1, Field::Email, "john@example.com");
        assert_eq!(touched, vec![0, 1]);
        assert!(e.is_valid(1));
        // Now row 2 takes row 0's address: row 2 is the later duplicate.
        e.edit(2, Field::Email, "Jane@Example.com");
        assert!(e.is_valid(0) && !e.is_valid(2));
        // Deleting the original makes the later one the original.
        let touched = e.delete(0);
        assert_eq!(touched, vec![2]);
        assert!(e.is_valid(2));
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn apply_all_suggestions_fixes_every_clear_case_only() {
        let mut e = editor(&format!(
            "{HEADER}A,B,a@example.com,UK\nC,D,c@example.com,USA\nE,F,mailto:e@example.com,de\nG,H,g@exmaple.com,GB\n"
        ));
        assert_eq!(e.clear_suggestion_count(), 3);
        let applied = e.apply_suggestions();
        // "de" was already read as "DE" at load, so three cells change.
        assert_eq!(applied, 3);
        assert_eq!(e.clear_suggestion_count(), 0);
        assert_eq!(e.row(0).unwrap().country, "GB");
        assert_eq!(e.row(1).unwrap().country, "US");
        assert_eq!(e.row(2).unwrap().email, "e@example.com");
        assert_eq!(e.row(2).unwrap().country, "DE");
        assert_eq!(
            e.row(3).unwrap().email,
            "g@exmaple.com",
            "a domain typo is a guess, not applied"
        );
        assert_eq!(e.valid_count(), 3);
    }

    #[test]
    fn other_domains_recheck_every_row_and_keep_edits() {
        let mut e = editor(&format!("{HEADER}A,B,a@example.org,UK\n"));
        e.edit(0, Field::Country, "GB");
        assert_eq!(e.counts_by_code().get(&Code::DomainNotValidated), Some(&1));
        e.set_domains(ValidatedDomains::parse(["example.org"]).unwrap(), false);
        assert!(e.is_valid(0));
        assert_eq!(e.row(0).unwrap().country, "GB");
    }

    #[test]
    fn filters_by_errors_and_by_code() {
        let e = editor(&format!(
            "{HEADER}A,B,a@example.com,UK\nC,D,c@example.com,GB\nE,,e@example.com,GB\n"
        ));
        assert_eq!(e.filter(false, None), vec![0, 1, 2]);
        assert_eq!(e.filter(true, None), vec![0, 2]);
        assert_eq!(e.filter(false, Some(Code::LastNameMissing)), vec![2]);
    }

    #[test]
    fn added_rows_are_validated_as_they_are_filled() {
        let mut e = editor(&format!("{HEADER}A,B,a@example.com,GB\n"));
        let id = e.add();
        assert!(!e.is_valid(id));
        assert_eq!(e.row(id).unwrap().line, 3);
        e.edit(id, Field::Email, "new@example.com");
        e.edit(id, Field::LastName, "New");
        e.edit(id, Field::Country, "FR");
        assert!(e.is_valid(id), "{:?}", e.findings(id));
        assert_eq!(e.coverage().validated[0].rows, 2);
    }

    /// The tally counted from scratch over the rows as they are, and the
    /// later-duplicate flags checked against a fresh grouping.
    fn recount(e: &Editor) -> Tally {
        let mut t = Tally::default();
        let mut first_of_key: BTreeMap<String, usize> = BTreeMap::new();
        for id in e.ids() {
            let row = e.row(id).unwrap();
            let ragged = e.own[id].iter().any(|f| f.code == Code::RaggedRow);
            let key = parse_address_ref(&row.email).ok().filter(|_| !ragged).map(|a| a.key());
            let later = key.is_some_and(|k| first_of_key.entry(k).or_insert(id) != &id);
            assert_eq!(e.later_duplicate[id], later, "row {id}'s duplicate flag");
            assert_eq!(row.valid, e.is_valid(id), "row {id}'s valid flag");
            t.rows += 1;
            t.valid += usize::from(row.valid);
            t.later_duplicates += usize::from(later);
            t.own(row, &e.own[id], &e.domains, e.exact, Direction::In);
        }
        t
    }

    #[derive(Debug, Clone)]
    enum Op {
        Edit(usize, Field, &'static str),
        Delete(usize),
        Add,
        ApplySuggestions,
        SetDomains(usize, bool),
    }

    const EMAILS: [&str; 9] = [
        "a@example.com",
        "A@Example.COM",
        "b@example.org",
        "mailto:c@example.com",
        "bad@",
        "",
        "d@exmaple.com",
        "e@sub.example.com",
        "f@other.net",
    ];
    const COUNTRIES: [&str; 6] = ["GB", "UK", "usa", "", "DE", "XX"];
    const NAMES: [&str; 4] = ["Ann", "", "Bo\u{1}b", "=cmd"];
    const DOMAIN_SETS: [&[&str]; 3] = [&["example.com"], &["example.com", "example.org"], &[]];

    fn cell() -> impl proptest::strategy::Strategy<Value = (Field, &'static str)> {
        use proptest::prelude::*;
        prop_oneof![
            proptest::sample::select(&EMAILS[..]).prop_map(|v| (Field::Email, v)),
            proptest::sample::select(&COUNTRIES[..]).prop_map(|v| (Field::Country, v)),
            proptest::sample::select(&NAMES[..]).prop_map(|v| (Field::FirstName, v)),
            proptest::sample::select(&NAMES[..]).prop_map(|v| (Field::LastName, v)),
        ]
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (0..12usize, cell()).prop_map(|(id, (f, v))| Op::Edit(id, f, v)),
            2 => (0..12usize).prop_map(Op::Delete),
            1 => Just(Op::Add),
            1 => Just(Op::ApplySuggestions),
            1 => (0..DOMAIN_SETS.len(), any::<bool>()).prop_map(|(d, exact)| Op::SetDomains(d, exact)),
        ]
    }

    fn roster() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let row = (
            proptest::sample::select(&NAMES[..]),
            proptest::sample::select(&NAMES[..]),
            proptest::sample::select(&EMAILS[..]),
            proptest::sample::select(&COUNTRIES[..]),
            // Now and then a ragged row: a field too many.
            proptest::bool::weighted(0.1),
        );
        proptest::collection::vec(row, 0..10).prop_map(|rows| {
            let mut csv = String::from("First Name,Last Name,Email,Country\n");
            for (first, last, email, country, ragged) in rows {
                csv.push_str(
                    &Editor::roster_csv([Row {
                        first_name: first.into(),
                        last_name: last.into(),
                        email: email.into(),
                        country: country.into(),
                        ..Row::default()
                    }])
                    .lines()
                    .nth(1)
                    .map(|l| l.trim_end_matches(',').to_owned())
                    .unwrap_or_default(),
                );
                if ragged {
                    csv.push_str(",extra");
                }
                csv.push('\n');
            }
            csv
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// After any edits, the running totals are what counting every row
        /// again gives, and the duplicate and valid flags are right.
        #[test]
        fn the_tally_is_what_counting_again_gives(csv in roster(), ops in proptest::collection::vec(op(), 0..24)) {
            let mut e = editor(&csv);
            proptest::prop_assert_eq!(&e.tally, &recount(&e), "after loading {:?}", csv);
            // Taken over a row at a time, as the page does, it is the same editor.
            let options = Options { mode: Mode::Table, domains: e.domains.clone(), ..Options::default() };
            let mut sliced = Editor::unindexed(check(csv.as_bytes(), &options), &options);
            while !sliced.index_keys(1) {}
            proptest::prop_assert_eq!(&sliced.tally, &e.tally);
            proptest::prop_assert_eq!(&sliced.file_findings, &e.file_findings);
            for id in e.ids() {
                proptest::prop_assert_eq!(sliced.findings(id), e.findings(id));
            }
            for op in ops {
                match op.clone() {
                    Op::Edit(id, field, value) => {
                        e.edit(id, field, value);
                    }
                    Op::Delete(id) => {
                        e.delete(id);
                    }
                    Op::Add => {
                        e.add();
                    }
                    Op::ApplySuggestions => {
                        e.apply_suggestions();
                    }
                    Op::SetDomains(d, exact) => e.set_domains(ValidatedDomains::parse(DOMAIN_SETS[d].iter().copied()).unwrap(), exact),
                }
                proptest::prop_assert_eq!(&e.tally, &recount(&e), "after {:?} on {:?}", op, csv);
            }
        }

        /// Edited in place or loaded again from its export, a roster without
        /// ragged rows has the same counts.
        #[test]
        fn an_edited_roster_counts_as_its_export_loaded_again(csv in roster(), ops in proptest::collection::vec(op(), 0..24)) {
            let mut e = editor(&csv);
            if e.own.iter().flatten().any(|f| f.code == Code::RaggedRow) {
                return Ok(());
            }
            for op in ops {
                match op {
                    Op::Edit(id, field, value) => {
                        e.edit(id, field, value);
                    }
                    Op::Delete(id) => {
                        e.delete(id);
                    }
                    Op::Add | Op::ApplySuggestions => {
                        e.apply_suggestions();
                    }
                    Op::SetDomains(d, exact) => e.set_domains(ValidatedDomains::parse(DOMAIN_SETS[d].iter().copied()).unwrap(), exact),
                }
            }
            // A row emptied of every value is a blank line in the export, which a load skips.
            if e.all_rows().iter().any(|r| Field::ALL.into_iter().all(|f| r.get(f).is_empty())) {
                return Ok(());
            }
            let options = Options { mode: Mode::Table, domains: e.domains.clone(), exact_domains: e.exact, ..Options::default() };
            let again = Editor::new(check(Editor::roster_csv(e.all_rows()).as_bytes(), &options), &options);
            // A header alone is a file with no rows; an editor whose rows
            // were all deleted keeps its load's file findings.
            let mut counts = e.counts_by_code();
            let mut again_counts = again.counts_by_code();
            proptest::prop_assert_eq!(again_counts.remove(&Code::NoRows).is_some(), e.is_empty());
            counts.remove(&Code::NoRows);
            proptest::prop_assert_eq!(e.len(), again.len());
            proptest::prop_assert_eq!(e.valid_count(), again.valid_count());
            proptest::prop_assert_eq!(e.clear_suggestion_count(), again.clear_suggestion_count());
            proptest::prop_assert_eq!(e.coverage(), again.coverage());
            proptest::prop_assert_eq!(counts, again_counts);
        }
    }

    #[test]
    fn error_report_and_roster_exports() {
        let e = editor(&format!("{HEADER}=cmd,B,a@example.com,UK\n"));
        let report = e.error_report_csv();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "line,column,value,code,severity,message,suggestion");
        assert!(lines
            .iter()
            .any(|l| l.starts_with("2,Country,UK,country_invalid,error,") && l.ends_with(",GB")));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("2,First Name,'=cmd,formula_injection,warning,")));
        let csv = Editor::roster_csv(e.valid_rows());
        assert_eq!(csv, "First Name,Last Name,Email,Country,Csr\r\n");
        let again = Editor::roster_csv(vec![e.row(0).unwrap().clone()]);
        assert_eq!(again.lines().nth(1), Some("=cmd,B,a@example.com,UK,"));
    }
}
