//! The rules, one function for each field's, in the order a row's findings
//! come: the cells' lengths, the address (syntax, then its domain, then duplicates), the last
//! and first names, the country, the CSR, and cells a spreadsheet would run.
//! Each rule adds its findings to the row's [`RowFindings`], which names the
//! column and notes whether any was an error; the messages are here, beside
//! the rule that makes them.

use super::{Columns, CsrChecker};
use crate::country::{self, CountryCheck};
use crate::csr::CsrError;
use crate::domains::{Coverage, CoverageCounter, ValidatedDomains};
use crate::email::{parse_address, parse_unplain_address, plain_address, AddressRef};
use crate::finding::{Code, FindingParts, FindingSink, Severity};
use crate::hash::HashMap;
use crate::invisible;
use crate::limits;
use crate::mapping::Field;
use crate::name::{self, NameProblem};
use crate::report::Row;
use crate::seen::{KeyHash, SeenKeys};
use std::borrow::Cow;

/// Where one row's findings go: they name the row, its line and the
/// column, and any error among them makes the row invalid.
pub(super) struct RowFindings<'v, F: FindingSink + ?Sized> {
    columns: &'v Columns,
    empty: &'v mut EmptyCellMessages,
    out: &'v mut F,
    line: u32,
    row: usize,
    error: bool,
}

impl<'v, F: FindingSink + ?Sized> RowFindings<'v, F> {
    pub(super) fn new(
        columns: &'v Columns,
        empty: &'v mut EmptyCellMessages,
        out: &'v mut F,
        row: &Row,
        index: usize,
    ) -> Self {
        RowFindings {
            columns,
            empty,
            out,
            line: row.line,
            row: index,
            error: false,
        }
    }

    /// Whether the roster has `field`'s column.
    pub(super) fn has(&self, field: Field) -> bool {
        self.columns.has(field)
    }

    /// The header of `field`'s column as written, or the field's usual label.
    fn label(&self, field: Field) -> &'v str {
        self.columns.header(field).unwrap_or(field.label())
    }

    /// Adds a finding about the row's `field`.
    fn add(&mut self, field: Field, code: Code, message: Cow<'_, str>, suggestion: Option<String>) {
        self.error |= code.severity() == Severity::Error;
        self.out.add(FindingParts {
            line: Some(self.line),
            column: self.columns.header(field),
            code,
            message,
            suggestion,
            row: Some(self.row),
            field: Some(field),
        });
    }

    /// Adds the finding of `field`'s cell being empty.
    fn missing(&mut self, field: Field, code: Code) {
        let message = self.empty.get(field, self.columns);
        self.error |= code.severity() == Severity::Error;
        self.out.add(FindingParts {
            line: Some(self.line),
            column: self.columns.header(field),
            code,
            message: Cow::Borrowed(message),
            suggestion: None,
            row: Some(self.row),
            field: Some(field),
        });
    }

    /// Whether any finding added was an error.
    pub(super) fn any_error(&self) -> bool {
        self.error
    }
}

/// The messages of the findings about an empty cell, each made the first
/// time a check needs it and kept: their only variable part is the column's
/// label, and a roster with many empty cells formatted the same message
/// thousands of times. A validator that meets no empty cell (the editor makes
/// one per row it checks) makes none.
#[derive(Debug, Clone, Default)]
pub(super) struct EmptyCellMessages([Option<String>; 5]);

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

/// A row's address that passed the syntax check.
pub(super) struct Email<'r> {
    pub(super) address: AddressRef<'r>,
    /// Its key is the address as written, lower-cased (see
    /// `email::plain_address`): the key a prefetched hash was made of.
    pub(super) plain: bool,
}

/// The address's syntax: `email_missing` or `email_invalid`, else the
/// address for the rules that follow.
pub(super) fn email<'r, F: FindingSink + ?Sized>(raw: &'r str, found: &mut RowFindings<'_, F>) -> Option<Email<'r>> {
    if raw.is_empty() {
        found.missing(Field::Email, Code::EmailMissing);
        return None;
    }
    let plain = plain_address(raw);
    let is_plain = plain.is_some();
    match plain.map_or_else(|| parse_unplain_address(raw), Ok) {
        Ok(address) => Some(Email {
            address,
            plain: is_plain,
        }),
        Err(e) => {
            let hint = e
                .suggestion
                .as_ref()
                .map_or(String::new(), |s| format!(" Did you mean \"{s}\"?"));
            let label = found.label(Field::Email);
            let message = format!(
                "{label} \"{raw}\" is not a valid address: {}.{hint} Correct the address.",
                e.reason
            );
            found.add(Field::Email, e.code(), message.into(), e.suggestion);
            None
        }
    }
}

/// The domain rule and what it keeps over the pass: the rows under each
/// domain, and the nearest validated domain of each uncovered one.
pub(super) struct DomainRule<'a> {
    domains: &'a ValidatedDomains,
    exact: bool,
    coverage: CoverageCounter,
    /// Rows under one validated domain just before this one, not yet added
    /// to `coverage`: a run of rows under the same domain (the usual order
    /// of a roster) costs one look-up in the counts, not one per row.
    covered_run: Option<(&'a str, usize)>,
    /// Uncovered domain → nearest validated domain (cached: typos repeat).
    nearest: HashMap<String, Option<String>>,
}

impl<'a> DomainRule<'a> {
    pub(super) fn new(domains: &'a ValidatedDomains, exact: bool) -> Self {
        DomainRule {
            domains,
            exact,
            coverage: CoverageCounter::default(),
            covered_run: None,
            nearest: HashMap::default(),
        }
    }

    /// Counts the address under its domain; `domain_not_validated` when no
    /// validated domain covers it (and there are validated domains).
    pub(super) fn check<F: FindingSink + ?Sized>(
        &mut self,
        raw: &str,
        address: &AddressRef<'_>,
        found: &mut RowFindings<'_, F>,
    ) {
        let domains = self.domains;
        if let Some(covering) = domains.covering(&address.domain, self.exact) {
            self.count_covered(covering);
            return;
        }
        self.coverage.uncovered(&address.domain);
        if domains.is_empty() {
            return;
        }
        let nearest = match self.nearest.get(address.domain.as_ref()) {
            Some(n) => n.clone(),
            None => {
                let n = domains.nearest(&address.domain).map(str::to_owned);
                self.nearest.insert(address.domain.to_string(), n.clone());
                n
            }
        };
        let label = found.label(Field::Email);
        let (msg, suggestion) =
            domain_message(label, raw, address.local, &address.domain, domains, self.exact, nearest);
        found.add(Field::Email, Code::DomainNotValidated, msg.into(), suggestion);
    }

    /// Counts a row under `covering`, one of the validated domains' own
    /// strings (so the same domain is the same pointer), in the run while
    /// the rows before were under it too, else adding the run before to the
    /// counts.
    fn count_covered(&mut self, covering: &'a str) {
        match &mut self.covered_run {
            Some((domain, rows)) if std::ptr::eq(*domain, covering) => *rows += 1,
            run => {
                if let Some((domain, rows)) = run.replace((covering, 1)) {
                    self.coverage.covered(domain, rows);
                }
            }
        }
    }

    /// The rows counted under each domain.
    pub(super) fn finish(mut self) -> Coverage {
        if let Some((domain, rows)) = self.covered_run.take() {
            self.coverage.covered(domain, rows);
        }
        self.coverage.summary(self.domains)
    }
}

/// `duplicate_email` when the address's key was seen on an earlier line,
/// else the key is recorded at this row's. `prefetched`: the hash of the
/// key, made ahead (see `seen.rs`). Returns the row's key hash
/// ([`crate::Row::key`]).
pub(super) fn duplicate<F: FindingSink + ?Sized>(
    seen: &mut SeenKeys,
    line: u32,
    raw: &str,
    address: &AddressRef<'_>,
    prefetched: Option<KeyHash>,
    found: &mut RowFindings<'_, F>,
) -> u64 {
    let (first, hash) = seen.first_line_or_insert(line, prefetched, |s| address.write_key(s));
    if let Some(first) = first {
        let message = duplicate_message(found.label(Field::Email), raw, first);
        found.add(Field::Email, Code::DuplicateEmail, message.into(), None);
    }
    hash
}

/// A name's rule (`field` is the last or the first name): missing, too
/// long, or holding control characters.
pub(super) fn name<F: FindingSink + ?Sized>(field: Field, value: &str, found: &mut RowFindings<'_, F>) {
    let missing = match field {
        Field::LastName => Code::LastNameMissing,
        _ => Code::FirstNameMissing,
    };
    if value.is_empty() {
        found.missing(field, missing);
    } else if let Some(p) = name::check(value) {
        let (code, msg, s) = name_problem(found.label(field), value, p);
        found.add(field, code, msg.into(), s);
    }
}

/// The country's rule: missing, not an ISO 3166 code, or in lower case
/// (then it is upper-cased in place).
pub(super) fn country<F: FindingSink + ?Sized>(value: &mut String, found: &mut RowFindings<'_, F>) {
    if value.is_empty() {
        found.missing(Field::Country, Code::CountryMissing);
        return;
    }
    let l = found.label(Field::Country);
    match country::check(value) {
        CountryCheck::Valid => {}
        CountryCheck::Lowercase(upper) => {
            let message = format!("{l} \"{value}\" is in lower case; it is read as \"{upper}\".");
            found.add(
                Field::Country,
                Code::CountryLowercase,
                message.into(),
                Some(upper.clone()),
            );
            *value = upper;
        }
        CountryCheck::Invalid(Some(code)) => found.add(
            Field::Country,
            Code::CountryInvalid,
            format!("{l} \"{value}\" is not an ISO 3166 code; did you mean \"{code}\"?").into(),
            Some(code.to_owned()),
        ),
        CountryCheck::Invalid(None) => found.add(
            Field::Country,
            Code::CountryInvalid,
            format!(
                "{l} \"{value}\" is not an ISO 3166 code. Use the two-letter code of the person's country, \
                 e.g. \"FR\" for France, or \"XX\" if none applies."
            )
            .into(),
            None,
        ),
    }
}

/// The CSR's rule, for a row with one: pending, refused, its signature not
/// checked here, or naming another address than the row's.
pub(super) fn csr<C: CsrChecker, F: FindingSink + ?Sized>(csrs: &mut C, row: &Row, found: &mut RowFindings<'_, F>) {
    let l = found.label(Field::Csr);
    match csrs.outcome(&row.csr) {
        None => found.add(
            Field::Csr,
            Code::CsrPending,
            format!(
                "{l} is being checked; the row can be ordered once the check is done. If this stays, reload the page."
            )
            .into(),
            None,
        ),
        Some(Err(e)) => {
            let (code, msg) = csr_problem(l, &e);
            found.add(Field::Csr, code, msg.into(), None);
        }
        Some(Ok(info)) => {
            if !info.signature_verified {
                found.add(
                    Field::Csr,
                    Code::CsrSignatureUnverified,
                    format!(
                        "{l}: the request's signature algorithm cannot be checked here; the CA will verify it \
                         when the order is placed."
                    )
                    .into(),
                    None,
                );
            }
            let row_key = parse_address(&row.email).ok().map(|a| a.key());
            let named: Vec<&String> = info.emails.iter().collect();
            let matches = |e: &&String| parse_address(e).ok().map(|a| a.key()) == row_key;
            if row_key.is_some() && !named.is_empty() && !named.iter().any(matches) {
                let list = named.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                found.add(
                    Field::Csr,
                    Code::CsrEmailMismatch,
                    format!(
                        "{l} names {list}, not this row's address \"{}\"; the certificate will be for the row's \
                         address. Check that this CSR belongs to this person.",
                        row.email
                    )
                    .into(),
                    None,
                );
            }
        }
    }
}

/// Cells longer than the limit, `max_chars` characters (`field_too_long`);
/// the other rules still run, each on its own terms.
pub(super) fn lengths<F: FindingSink + ?Sized>(row: &Row, max_chars: usize, found: &mut RowFindings<'_, F>) {
    for field in Field::ALL {
        if !found.has(field) {
            continue;
        }
        if let Some(message) = limits::field_too_long(found.label(field), row.get(field), max_chars) {
            found.add(field, Code::FieldTooLong, message.into(), None);
        }
    }
}

/// Cells a spreadsheet would run as formulas (a PEM's leading dashes aside).
pub(super) fn formulas<F: FindingSink + ?Sized>(row: &Row, found: &mut RowFindings<'_, F>) {
    for field in Field::ALL {
        if !found.has(field) {
            continue;
        }
        let value = row.get(field);
        if field == Field::Csr && value.starts_with("-----BEGIN ") {
            continue;
        }
        if let Some(c) = value.chars().next().filter(|c| matches!(c, '=' | '+' | '-' | '@')) {
            let l = found.label(field);
            found.add(
                field,
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
}

/// The message of a `duplicate_email` finding.
pub fn duplicate_message(email_label: &str, email: &str, first_line: u32) -> String {
    format!(
        "{email_label} \"{email}\" already appears on line {first_line}; each person needs exactly one row. Delete this \
         row or correct the address."
    )
}

/// The message and suggestion of a `domain_not_validated` finding.
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

/// The code, message and suggestion of a name's problem.
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
        NameProblem::Invisible(c, at) => {
            let cleaned: String = value.chars().filter(|&c| !invisible::is_invisible(c)).collect();
            let what = invisible::describe(c).unwrap_or_else(|| format!("U+{:04X}", u32::from(c)));
            (
                Code::NameInvalid,
                format!(
                    "{label} contains {what} at character {at}: it cannot be seen, and the name shown would \
                     not be the name certified. Remove it (retype the name)."
                ),
                (!cleaned.is_empty() && name::check(&cleaned).is_none()).then_some(cleaned),
            )
        }
        NameProblem::Markup(c) => (
            Code::NameInvalid,
            format!(
                "{label} contains \"{c}\", which mail programs that show the certificate's name may read as \
                 HTML markup. Enter the name as plain text, without \"<\" or \">\"."
            ),
            None,
        ),
        NameProblem::Replacement => (
            Code::NameInvalid,
            format!(
                "{label} contains U+FFFD REPLACEMENT CHARACTER (\u{FFFD}), which stands where a letter was lost \
                 to a broken encoding. Retype the name, or save the file again as \"CSV UTF-8\" and load it again."
            ),
            None,
        ),
    }
}

/// The code and message of a refused CSR.
fn csr_problem(label: &str, e: &CsrError) -> (Code, String) {
    let message = match e {
        CsrError::Unreadable(why) => format!(
            "{label} cannot be read: {why}. Paste the whole request, from -----BEGIN CERTIFICATE REQUEST----- to \
             -----END CERTIFICATE REQUEST-----, or leave the cell empty to have the key generated later."
        ),
        CsrError::BadSignature(why) => {
            format!("{label}: the request's signature is not valid: {why}. Generate the CSR again.")
        }
        CsrError::WeakKey(bits) => format!(
            "{label} has a {bits}-bit RSA key; S/MIME certificates need at least 2048 bits (S/MIME BR 6.1.5). \
             Generate a new key of 2048 bits or more and a new CSR."
        ),
        CsrError::Unsupported(why) => format!("{label}: {why}. Generate a new key and CSR of an allowed type."),
    };
    (e.code(), message)
}
