//! The result of checking a roster: its rows, the mapping used, the findings
//! and the coverage summary.

use crate::decode::TextEncoding;
use crate::domains::Coverage;
use crate::finding::{Finding, FindingParts, Severity};
use crate::mapping::{Field, Mapping};
use crate::sheet::{CellRef, Position, SheetSource};
use crate::sniff::Delimiter;
use serde::Serialize;

/// How the input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A table with a header line (CSV, TSV, a spreadsheet export).
    #[default]
    Table,
    /// A list of addresses (see [`crate::email_list`]).
    List,
    /// A table if the first line has an Email header, else a list.
    Auto,
}

/// One person to order a certificate for, as read from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Row {
    /// 1-based physical line on which the record starts.
    pub line: u32,
    /// Given name(s); empty if absent.
    pub first_name: String,
    /// Surname; empty if absent.
    pub last_name: String,
    /// The address as written.
    pub email: String,
    /// Country code; upper-cased when a lower-case code was accepted.
    pub country: String,
    /// The CSR as written, or empty.
    pub csr: String,
    /// A display name from an email list (`Jane Doe <jane@…>`).
    pub name_hint: Option<String>,
    /// No error finding concerns this row.
    pub valid: bool,
    /// The hash of the row's address key (its duplicate identity) under
    /// [`crate::Options::key_seed`], never 0; 0 when the check found no key
    /// (the address is missing or not an address, or the row is ragged).
    /// The check sets it, so that the editor groups a million rows by it
    /// without parsing an address again (`editor/groups.rs`).
    #[serde(skip)]
    pub key: u64,
}

impl Row {
    /// The cell of `field`.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::Email => &self.email,
            Field::Country => &self.country,
            Field::Csr => &self.csr,
        }
    }

    /// The cell of `field`, to change.
    pub fn get_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::Email => &mut self.email,
            Field::Country => &mut self.country,
            Field::Csr => &mut self.csr,
        }
    }
}

/// Everything the engine found out about one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// How the bytes were decoded; `None` if they were not text.
    pub encoding: Option<TextEncoding>,
    /// The delimiter of a table; `None` for an email list or an unusable file.
    pub delimiter: Option<Delimiter>,
    /// How the input was read in the end (never [`Mode::Auto`]).
    pub mode: Mode,
    /// The header record as written (for a list: `Email`, `Name`).
    pub headers: Vec<String>,
    /// Which column holds each field.
    pub mapping: Mapping,
    /// The rows, in file order. Empty when a file-level error was found.
    pub rows: Vec<Row>,
    /// File-level findings first, then row findings in file order.
    pub findings: Vec<Finding>,
    /// Rows per validated domain and per uncovered domain.
    pub coverage: Coverage,
    /// What checking each distinct CSR found, by its text: the editor looks
    /// CSRs up here instead of checking them again.
    pub csr_outcomes: crate::validate::CsrOutcomes,
    /// The sheet the table was read from, if the input was a workbook.
    pub sheet: Option<SheetSource>,
}

impl Report {
    /// Where `finding` points, as the file's reader finds it again: a line
    /// of a text file, or a sheet's cell (`Roster!C5`, or the row
    /// `Roster!5:5` when no column is concerned); `None` for the whole file.
    pub fn position(&self, finding: &Finding) -> Option<Position<'_>> {
        self.position_of(&FindingParts::of(finding))
    }

    /// [`Report::position`] for a finding as a check makes it (a streamed
    /// report places its findings with the report's head).
    pub fn position_of(&self, finding: &FindingParts<'_>) -> Option<Position<'_>> {
        let line = finding.line?;
        let Some(sheet) = &self.sheet else {
            return Some(Position::Line(line));
        };
        let column = finding
            .field
            .and_then(|field| self.mapping.column(field))
            .or_else(|| {
                let header = finding.column?;
                self.headers.iter().position(|h| h == header)
            })
            .map(|i| sheet.first_column + i as u32);
        Some(Position::Cell(CellRef {
            sheet: &sheet.name,
            column,
            row: line,
        }))
    }

    /// Number of rows with no error.
    pub fn valid_count(&self) -> usize {
        self.rows.iter().filter(|r| r.valid).count()
    }

    /// Number of rows with at least one error.
    pub fn invalid_count(&self) -> usize {
        self.rows.len() - self.valid_count()
    }

    /// Whether a file-level error makes the input unusable.
    pub fn is_unusable(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.code.is_file_level())
    }

    /// The findings of row `index`.
    pub fn findings_of(&self, index: usize) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.row == Some(index))
    }

    /// The summary the CLI prints as JSON and tests compare:
    /// `{rows, valid, invalid, encoding, delimiter, mapping, coverage, findings}`.
    pub fn summary(&self) -> Summary<'_> {
        Summary {
            rows: self.rows.len(),
            valid: self.valid_count(),
            invalid: self.invalid_count(),
            encoding: self.encoding,
            delimiter: self.delimiter,
            mapping: &self.mapping,
            coverage: &self.coverage,
            findings: &self.findings,
            sheet: self.sheet.as_ref(),
        }
    }
}

/// The serialisable summary of a [`Report`] (see [`Report::summary`]).
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Number of rows read.
    pub rows: usize,
    /// Rows with no error.
    pub valid: usize,
    /// Rows with an error.
    pub invalid: usize,
    /// Encoding used.
    pub encoding: Option<TextEncoding>,
    /// Delimiter used.
    pub delimiter: Option<Delimiter>,
    /// Field → header as written (or null).
    pub mapping: &'a Mapping,
    /// Rows per domain.
    pub coverage: &'a Coverage,
    /// Every finding.
    pub findings: &'a [Finding],
    /// The sheet read, for a workbook (absent for a text file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<&'a SheetSource>,
}
