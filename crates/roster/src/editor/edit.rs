//! The changes to a roster being fixed, each followed by the re-checks it
//! needs: the row itself, and the rows whose duplicate state it changes.

use super::{Editor, CLEAR_SUGGESTIONS};
use crate::domains::{CoverageCounter, ValidatedDomains};
use crate::finding::{Code, Finding};
use crate::mapping::Field;
use crate::report::Row;
use crate::tally::{step, Direction};
use crate::validate::{CsrOutcome, CsrOutcomes, Validator};
use std::collections::BTreeSet;

impl Editor {
    /// Checks every row again against other validated domains (edits kept).
    pub fn set_domains(&mut self, domains: ValidatedDomains, exact: bool) {
        self.domains = domains;
        self.exact = exact;
        // Every row's own part changes: count them all again.
        self.tally.own_codes.clear();
        self.tally.clear_suggestions = 0;
        self.tally.coverage = CoverageCounter::default();
        let ids: Vec<usize> = self.ids().collect();
        // One validator for the pass: its messages about empty cells and its
        // nearest domains of typos serve every row.
        let mut validator = Validator::for_editor(&self.domains, self.exact, self.columns.clone(), &self.csrs)
            .with_max_field_chars(self.max_field_chars);
        for &id in &ids {
            let findings = own_findings(&mut validator, id, &mut self.rows[id]);
            let own = &mut self.own[id];
            // A ragged row keeps its structural error until it is edited.
            if own.iter().any(|f| f.code == Code::RaggedRow) {
                own.retain(|f| f.code == Code::RaggedRow);
            } else {
                *own = findings;
            }
        }
        for id in ids {
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
        if !self.live[id] {
            return Vec::new();
        }
        let mut validator = Validator::for_editor(&self.domains, self.exact, self.columns.clone(), &self.csrs)
            .with_max_field_chars(self.max_field_chars);
        own_findings(&mut validator, id, &mut self.rows[id])
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
            touched.extend(self.group_ids(old));
        }
        self.own[id] = self.check_row(id);
        self.index_key(id);
        touched.extend(self.group_ids(self.rows[id].key));
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
        let touched: Vec<usize> = old.map(|k| self.group_ids(k)).unwrap_or_default();
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
        self.later_duplicate.push(false);
        self.tally.rows += 1;
        self.revalidate(id);
        id
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
}

/// Row `id`'s own findings (duplicates aside), checked by `validator`; the
/// row's `valid` flag is left as it was (see [`Editor::update_valid`]).
fn own_findings(validator: &mut Validator<'_, &CsrOutcomes>, id: usize, row: &mut Row) -> Vec<Finding> {
    let mut findings = Vec::new();
    let was_valid = row.valid;
    validator.check(id, row, &mut findings);
    row.valid = was_valid;
    findings
}
