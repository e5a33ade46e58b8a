//! The row rules. One [`Validator`] walks the rows in order, keeping the
//! duplicate set and the coverage counts, so a roster is checked in one pass.

use crate::country::{self, CountryCheck};
use crate::csr::{self, CsrError};
use crate::domains::{CoverageCounter, ValidatedDomains};
use crate::email::{parse_address, parse_unplain_address};
use crate::finding::{Code, FindingParts, FindingSink, Severity};
use crate::mapping::{Field, Mapping};
use crate::name::{self, NameProblem};
use crate::report::Row;
use crate::seen::{KeyHash, SeenKeys};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Which fields a roster has, and what their headers say (for messages and
/// the `column` of findings). An email list has only Email, with no header.
#[derive(Debug, Clone)]
pub struct Columns {
    present: [bool; 5],
    headers: [Option<String>; 5],
}

impl Columns {
    /// Columns of a table, from its mapping.
    pub fn from_mapping(mapping: &Mapping) -> Self {
        Columns {
            present: Field::ALL.map(|f| mapping.has(f)),
            headers: Field::ALL.map(|f| mapping.header(f).map(str::to_owned)),
        }
    }

    /// Every field present, with no header (for checking one order as a CA
    /// would: messages name the fields by their usual labels).
    pub fn all() -> Self {
        Columns {
            present: [true; 5],
            headers: Default::default(),
        }
    }

    /// The one column of an email list.
    pub fn email_list() -> Self {
        Columns {
            present: Field::ALL.map(|f| f == Field::Email),
            headers: Default::default(),
        }
    }

    fn has(&self, field: Field) -> bool {
        self.present[field as usize]
    }

    /// The header of `field`'s column as written, if it has one.
    pub fn header(&self, field: Field) -> Option<&str> {
        self.headers[field as usize].as_deref()
    }
}

/// The messages of the findings about an empty cell, each made the first
/// time a check needs it and kept: their only variable part is the column's
/// label, and a roster with many empty cells formatted the same message
/// thousands of times. A validator that meets no empty cell (the editor makes
/// one per row it checks) makes none.
#[derive(Debug, Clone, Default)]
struct EmptyCellMessages([Option<String>; 5]);

impl EmptyCellMessages {
    /// The message for an empty cell in `field`'s column.
    fn get(&mut self, field: Field, columns: &Columns) -> &str {
        self.0[field as usize].get_or_insert_with(|| {
            let l = columns.header(field).unwrap_or(field.label());
            match field {
                Field::Email => {
                    format!("{l} is empty. Enter the person's email address; the certificate is issued for it.")
                }
                Field::LastName => format!(
                    "{l} is empty. Enter the person's surname; a person with a single legal name puts it here \
                     (S/MIME BR 7.1.4.2.2)."
                ),
                Field::FirstName => format!(
                    "{l} is empty. That is right only for a person with a single legal name (S/MIME BR 7.1.4.2.2); \
                     otherwise enter the given name."
                ),
                Field::Country => format!(
                    "{l} is empty. Enter the ISO 3166 two-letter code of the person's country, e.g. \"DE\", or \"XX\" \
                     if none applies."
                ),
                // Never asked for: a row may leave its CSR out.
                Field::Csr => format!("{l} is empty."),
            }
        })
    }
}

/// Where a [`Validator`] gets the outcome of checking a CSR. The engine
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

/// Checks rows one after the other.
pub struct Validator<'a, C: CsrChecker = VerifyCsrs> {
    domains: &'a ValidatedDomains,
    exact: bool,
    columns: Columns,
    /// The messages about empty cells made so far, for these columns.
    empty: EmptyCellMessages,
    /// Address key → line of its first occurrence.
    seen: SeenKeys,
    coverage: CoverageCounter,
    /// Rows under one validated domain just before this one, not yet added
    /// to `coverage`: a run of rows under the same domain (the usual order
    /// of a roster) costs one look-up in the counts, not one per row.
    covered_run: Option<(&'a str, usize)>,
    /// Uncovered domain → nearest validated domain (cached: typos repeat).
    nearest: FxHashMap<String, Option<String>>,
    /// Whether this validator reports duplicates itself (off for the editor,
    /// which keeps its own duplicate groups).
    track_duplicates: bool,
    /// The source of CSR outcomes.
    csrs: C,
}

impl<'a> Validator<'a, VerifyCsrs> {
    /// A validator for rows with `columns`, against `domains`.
    pub fn new(domains: &'a ValidatedDomains, exact: bool, columns: Columns) -> Self {
        Validator {
            domains,
            exact,
            empty: EmptyCellMessages::default(),
            columns,
            seen: SeenKeys::default(),
            coverage: CoverageCounter::default(),
            covered_run: None,
            nearest: FxHashMap::default(),
            track_duplicates: true,
            csrs: VerifyCsrs::default(),
        }
    }
}

impl<'a, C: CsrChecker> Validator<'a, C> {
    /// A validator that checks each row on its own, without duplicate
    /// detection, taking CSR outcomes from `csrs` (see [`crate::editor::Editor`]).
    pub fn for_editor(domains: &'a ValidatedDomains, exact: bool, columns: Columns, csrs: C) -> Self {
        Validator {
            domains,
            exact,
            empty: EmptyCellMessages::default(),
            columns,
            seen: SeenKeys::default(),
            coverage: CoverageCounter::default(),
            covered_run: None,
            nearest: FxHashMap::default(),
            track_duplicates: false,
            csrs,
        }
    }

    /// Room for about `rows` more rows in the duplicate set.
    pub fn reserve(&mut self, rows: usize) {
        if self.track_duplicates {
            self.seen.reserve(rows);
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
        if self.track_duplicates {
            self.seen.prefetch(emails, hashes);
        }
    }

    /// Whether reading records ahead to [`Validator::prefetch`] them pays:
    /// not while the duplicate set fits in the cache (then reading ahead
    /// costs more than it saves).
    pub(crate) fn prefetches(&self) -> bool {
        self.track_duplicates && self.seen.is_large()
    }

    /// Checks `row` (index `index` in the report), normalising what it accepts
    /// (an upper-cased country), adding its findings to `out` and setting
    /// `row.valid`.
    pub fn check<F: FindingSink + ?Sized>(&mut self, index: usize, row: &mut Row, out: &mut F) {
        self.check_prefetched(index, row, None, out);
    }

    /// [`Validator::check`], with the hash [`Validator::prefetch`] made of
    /// this row's address, if it did.
    pub(crate) fn check_prefetched<F: FindingSink + ?Sized>(
        &mut self,
        index: usize,
        row: &mut Row,
        prefetched: Option<KeyHash>,
        out: &mut F,
    ) {
        let mut error = false;
        let columns = &self.columns;
        let line = row.line;
        let mut push = |field: Option<Field>, code: Code, message: Cow<'_, str>, suggestion: Option<String>| {
            error |= code.severity() == Severity::Error;
            out.add(FindingParts {
                line: Some(line),
                column: field.and_then(|f| columns.header(f)),
                code,
                message,
                suggestion,
                row: Some(index),
                field,
            });
        };
        let label = |field: Field| columns.header(field).unwrap_or(field.label());

        // Email, its domain and duplicates.
        let email_label = label(Field::Email);
        if row.email.is_empty() {
            push(
                Some(Field::Email),
                Code::EmailMissing,
                Cow::Borrowed(self.empty.get(Field::Email, columns)),
                None,
            );
        } else {
            let plain = crate::email::plain_address(&row.email);
            let is_plain = plain.is_some();
            match plain.map_or_else(|| parse_unplain_address(&row.email), Ok) {
                Err(e) => {
                    let hint = e
                        .suggestion
                        .as_ref()
                        .map_or(String::new(), |s| format!(" Did you mean \"{s}\"?"));
                    push(
                        Some(Field::Email),
                        Code::EmailInvalid,
                        format!(
                            "{email_label} \"{}\" is not a valid address: {}.{hint} Correct the address.",
                            row.email, e.reason
                        )
                        .into(),
                        e.suggestion,
                    );
                }
                Ok(address) => {
                    match self.domains.covering(&address.domain, self.exact) {
                        Some(covering) => count_covered(&mut self.covered_run, &mut self.coverage, covering),
                        None => {
                            self.coverage.uncovered(&address.domain);
                            if !self.domains.is_empty() {
                                let domains = self.domains;
                                let nearest = match self.nearest.get(address.domain.as_ref()) {
                                    Some(n) => n.clone(),
                                    None => {
                                        let n = domains.nearest(&address.domain).map(str::to_owned);
                                        self.nearest.insert(address.domain.to_string(), n.clone());
                                        n
                                    }
                                };
                                let (msg, suggestion) = domain_message(
                                    email_label,
                                    &row.email,
                                    address.local,
                                    &address.domain,
                                    domains,
                                    self.exact,
                                    nearest,
                                );
                                push(Some(Field::Email), Code::DomainNotValidated, msg.into(), suggestion);
                            }
                        }
                    }
                    if self.track_duplicates {
                        // The prefetched hash is of the address lower-cased:
                        // a plain address's key, no other's.
                        let prefetched = prefetched.filter(|_| is_plain);
                        let first = self
                            .seen
                            .first_line_or_insert(row.line, prefetched, |s| address.write_key(s));
                        if let Some(first) = first {
                            push(
                                Some(Field::Email),
                                Code::DuplicateEmail,
                                duplicate_message(email_label, &row.email, first).into(),
                                None,
                            );
                        }
                    }
                }
            }
        }

        // Names.
        if self.columns.has(Field::LastName) {
            let l = label(Field::LastName);
            if row.last_name.is_empty() {
                push(
                    Some(Field::LastName),
                    Code::LastNameMissing,
                    Cow::Borrowed(self.empty.get(Field::LastName, columns)),
                    None,
                );
            } else if let Some(p) = name::check(&row.last_name) {
                let (code, msg, s) = name_problem(l, &row.last_name, p);
                push(Some(Field::LastName), code, msg.into(), s);
            }
        }
        if self.columns.has(Field::FirstName) {
            let l = label(Field::FirstName);
            if row.first_name.is_empty() {
                push(
                    Some(Field::FirstName),
                    Code::FirstNameMissing,
                    Cow::Borrowed(self.empty.get(Field::FirstName, columns)),
                    None,
                );
            } else if let Some(p) = name::check(&row.first_name) {
                let (code, msg, s) = name_problem(l, &row.first_name, p);
                push(Some(Field::FirstName), code, msg.into(), s);
            }
        }

        // Country.
        if self.columns.has(Field::Country) {
            let l = label(Field::Country);
            if row.country.is_empty() {
                push(
                    Some(Field::Country),
                    Code::CountryMissing,
                    Cow::Borrowed(self.empty.get(Field::Country, columns)),
                    None,
                );
            } else {
                match country::check(&row.country) {
                    CountryCheck::Valid => {}
                    CountryCheck::Lowercase(upper) => {
                        push(
                            Some(Field::Country),
                            Code::CountryLowercase,
                            format!("{l} \"{}\" is in lower case; it is read as \"{upper}\".", row.country).into(),
                            Some(upper.clone()),
                        );
                        row.country = upper;
                    }
                    CountryCheck::Invalid(Some(code)) => push(
                        Some(Field::Country),
                        Code::CountryInvalid,
                        format!(
                            "{l} \"{}\" is not an ISO 3166 code; did you mean \"{code}\"?",
                            row.country
                        )
                        .into(),
                        Some(code.to_owned()),
                    ),
                    CountryCheck::Invalid(None) => push(
                        Some(Field::Country),
                        Code::CountryInvalid,
                        format!(
                            "{l} \"{}\" is not an ISO 3166 code. Use the two-letter code of the person's country, \
                             e.g. \"FR\" for France, or \"XX\" if none applies.",
                            row.country
                        )
                        .into(),
                        None,
                    ),
                }
            }
        }

        // CSR.
        if self.columns.has(Field::Csr) && !row.csr.is_empty() {
            let l = label(Field::Csr);
            match self.csrs.outcome(&row.csr) {
                None => push(
                    Some(Field::Csr),
                    Code::CsrPending,
                    format!("{l} is being checked; the row can be ordered once the check is done. If this stays, reload the page.").into(),
                    None,
                ),
                Some(Err(e)) => {
                    let (code, msg) = csr_problem(l, e);
                    push(Some(Field::Csr), code, msg.into(), None);
                }
                Some(Ok(info)) => {
                    if !info.signature_verified {
                        push(
                            Some(Field::Csr),
                            Code::CsrSignatureUnverified,
                            format!(
                                "{l}: the request's signature algorithm cannot be checked here; the CA will verify it \
                                 when the order is placed."
                            ).into(),
                            None,
                        );
                    }
                    let row_key = parse_address(&row.email).ok().map(|a| a.key());
                    let named: Vec<&String> = info.emails.iter().collect();
                    let matches = |e: &&String| parse_address(e).ok().map(|a| a.key()) == row_key;
                    if row_key.is_some() && !named.is_empty() && !named.iter().any(matches) {
                        let list = named.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                        push(
                            Some(Field::Csr),
                            Code::CsrEmailMismatch,
                            format!(
                                "{l} names {list}, not this row's address \"{}\"; the certificate will be for the row's \
                                 address. Check that this CSR belongs to this person.",
                                row.email
                            ).into(),
                            None,
                        );
                    }
                }
            }
        }

        // Cells a spreadsheet would run as formulas.
        for field in Field::ALL {
            if !self.columns.has(field) {
                continue;
            }
            let value = row.get(field);
            if field == Field::Csr && value.starts_with("-----BEGIN ") {
                continue;
            }
            if let Some(c) = value.chars().next().filter(|c| matches!(c, '=' | '+' | '-' | '@')) {
                let l = label(field);
                push(
                    Some(field),
                    Code::FormulaInjection,
                    format!(
                        "{l} \"{value}\" starts with \"{c}\", which spreadsheets run as a formula; exports write it \
                         with a leading ' so it stays text. Remove the \"{c}\" if it is not meant."
                    )
                    .into(),
                    None,
                );
            }
        }

        row.valid = !error;
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
    pub fn finish(mut self) -> (crate::domains::Coverage, C) {
        if let Some((domain, rows)) = self.covered_run.take() {
            self.coverage.covered(domain, rows);
        }
        (self.coverage.summary(self.domains), self.csrs)
    }
}

/// Counts a row under `covering`, one of the validated domains' own strings
/// (so the same domain is the same pointer), in `run` while the rows before
/// were under it too, else adding the run before to `coverage`.
fn count_covered<'a>(run: &mut Option<(&'a str, usize)>, coverage: &mut CoverageCounter, covering: &'a str) {
    match run {
        Some((domain, rows)) if std::ptr::eq(*domain, covering) => *rows += 1,
        run => {
            if let Some((domain, rows)) = run.replace((covering, 1)) {
                coverage.covered(domain, rows);
            }
        }
    }
}

/// The message of a `duplicate_email` finding.
pub fn duplicate_message(email_label: &str, email: &str, first_line: u32) -> String {
    format!(
        "{email_label} \"{email}\" already appears on line {first_line}; each person needs exactly one row. Delete this \
         row or correct the address."
    )
}

fn domain_message(
    label: &str,
    raw: &str,
    local: &str,
    domain: &str,
    domains: &ValidatedDomains,
    exact: bool,
    nearest: Option<String>,
) -> (String, Option<String>) {
    let listed: Vec<&str> = domains.iter().take(3).collect();
    let more = if domains.iter().count() > 3 { ", …" } else { "" };
    let scope = if exact {
        " (exact matching is on: subdomains are not covered)"
    } else {
        ""
    };
    let mut msg = format!(
        "{label} \"{raw}\": the domain {domain} is not one of the organisation's validated domains ({}{more}){scope}.",
        listed.join(", ")
    );
    let suggestion = nearest.map(|d| format!("{local}@{d}"));
    match &suggestion {
        Some(s) => msg.push_str(&format!(" Did you mean \"{s}\"?")),
        None => msg.push_str(&format!(
            " Have {domain} validated with the CA first, or remove this row."
        )),
    }
    (msg, suggestion)
}

fn name_problem(label: &str, value: &str, problem: NameProblem) -> (Code, String, Option<String>) {
    match problem {
        NameProblem::TooLong(n) => (
            Code::NameTooLong,
            format!(
                "{label} is {n} characters long; the CA accepts at most {}. Shorten it.",
                name::MAX_NAME
            ),
            None,
        ),
        NameProblem::Control(c) => {
            let cleaned: String = value
                .split(|c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
                .filter(|s| !s.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            (
                Code::NameInvalid,
                format!(
                    "{label} contains {}. Keep the name on one line, without special characters.",
                    name::describe_control(c)
                ),
                (!cleaned.is_empty() && name::check(&cleaned).is_none()).then_some(cleaned),
            )
        }
    }
}

fn csr_problem(label: &str, e: CsrError) -> (Code, String) {
    match e {
        CsrError::Unreadable(why) => (
            Code::CsrInvalid,
            format!(
                "{label} cannot be read: {why}. Paste the whole request, from -----BEGIN CERTIFICATE REQUEST----- to \
                 -----END CERTIFICATE REQUEST-----, or leave the cell empty to have the key generated later."
            ),
        ),
        CsrError::BadSignature(why) => (
            Code::CsrSignatureInvalid,
            format!("{label}: the request's signature is not valid: {why}. Generate the CSR again."),
        ),
        CsrError::WeakKey(bits) => (
            Code::CsrWeakKey,
            format!(
                "{label} has a {bits}-bit RSA key; S/MIME certificates need at least 2048 bits (S/MIME BR 6.1.5). \
                 Generate a new key of 2048 bits or more and a new CSR."
            ),
        ),
        CsrError::Unsupported(why) => (
            Code::CsrKeyUnsupported,
            format!("{label}: {why}. Generate a new key and CSR of an allowed type."),
        ),
    }
}
