//! The roster engine of smime-bulk: bytes in, report out.
//!
//! `bytes → decode → sniff → parse → map → validate → report`. Pure: no IO, no
//! clock, no randomness, no browser; it never panics, whatever the bytes, and
//! its cost is linear in the input size.
//!
//! ```
//! use smime_bulk_roster::{check, Options, domains::ValidatedDomains, Code};
//! let csv = "First Name;Last Name;Email;Country\nJane;Doe;jane@example.com;UK\n";
//! let options = Options { domains: ValidatedDomains::parse(["example.com"]).unwrap(), ..Options::default() };
//! let report = check(csv.as_bytes(), &options);
//! assert_eq!(report.rows.len(), 1);
//! assert_eq!(report.findings[0].code, Code::CountryInvalid);
//! assert_eq!(report.findings[0].suggestion.as_deref(), Some("GB"));
//! ```

pub mod country;
pub mod csr;
pub mod decode;
pub mod domains;
pub mod editor;
pub mod email;
pub mod email_list;
pub mod export;
pub mod finding;
pub mod mapping;
pub mod name;
mod report;
pub mod sniff;
pub mod table;
pub mod template;
pub mod validate;

pub use finding::{Code, Finding, Severity};
pub use report::{Mode, Report, Row, Summary};

use decode::{decode, Decoded};
use domains::ValidatedDomains;
use mapping::{map_headers, Field};
use sniff::sniff;
use validate::{Columns, Validator};

/// What to check a roster against.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Table, email list, or detect.
    pub mode: Mode,
    /// The organisation's pre-validated domains; empty turns the domain check off.
    pub domains: ValidatedDomains,
    /// Only the listed domains themselves, not their subdomains.
    pub exact_domains: bool,
    /// The user's own mapping of a table's columns (by index) to fields,
    /// replacing the automatic one; `None` maps by header.
    pub mapping: Option<Vec<Option<Field>>>,
}

/// Checks a roster: decodes `bytes`, reads them as `options.mode` says, and
/// validates every row. Never panics.
pub fn check(bytes: &[u8], options: &Options) -> Report {
    let parsed = parse(bytes, options.mode);
    validate_parsed(parsed, options)
}

/// The input as read, before validation: what `smime-bulk parse` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Encoding used, if the bytes were text.
    pub encoding: Option<decode::TextEncoding>,
    /// Delimiter of a table.
    pub delimiter: Option<sniff::Delimiter>,
    /// Table or list (never Auto).
    pub mode: Mode,
    /// The header record as written (for a list: `Email`, `Name`).
    pub headers: Vec<String>,
    /// The header's line (1 for a list).
    pub header_line: u32,
    /// Data records; for a list, fields are `[address, display name]`.
    pub records: Vec<table::Record>,
    /// File-level findings met while reading (`not_text`, `empty_file`).
    pub findings: Vec<Finding>,
    /// For a table pasted without a header line: the fields guessed from
    /// its first row (the headers are then `Column 1`, `Column 2`, …).
    pub guessed: Option<Vec<Option<Field>>>,
}

/// Reads `bytes` into records without validating them.
pub fn parse(bytes: &[u8], mode: Mode) -> Parsed {
    let Decoded { text, encoding } = match decode(bytes) {
        Ok(d) => d,
        Err(finding) => return Parsed { findings: vec![finding], ..Parsed::default() },
    };
    let mut parsed = Parsed { encoding: Some(encoding), ..Parsed::default() };
    let auto = mode == Mode::Auto;
    let mode = match mode {
        Mode::Auto => detect_mode(&text),
        m => m,
    };
    parsed.mode = mode;
    if mode == Mode::List {
        parsed.headers = vec!["Email".into(), "Name".into()];
        parsed.header_line = 1;
        parsed.records = email_list::entries(&text)
            .into_iter()
            .map(|e| table::Record {
                line: e.line,
                fields: vec![e.address, e.name_hint.unwrap_or_default()],
                leading_control: vec![false, false],
            })
            .collect();
        return parsed;
    }
    let delimiter = sniff(&text);
    parsed.delimiter = Some(delimiter);
    let all = table::records(&text, delimiter);
    if auto {
        if let Some(guess) = all.first().and_then(|first| guess_headerless(&first.fields)) {
            parsed.headers = (1..=guess.len()).map(|i| format!("Column {i}")).collect();
            parsed.header_line = 0;
            parsed.guessed = Some(guess);
            parsed.records = all;
            return parsed;
        }
    }
    let mut records = all.into_iter();
    match records.next() {
        Some(header) => {
            parsed.headers = header.fields;
            parsed.header_line = header.line;
        }
        None => parsed.findings.push(Finding::file(Code::EmptyFile, "The file has no header and no rows.")),
    }
    parsed.records = records.collect();
    parsed
}

/// A table if the first record maps a column to Email, or looks like a data
/// row of a table pasted without its header; a list otherwise when the text
/// holds an `@`.
fn detect_mode(text: &str) -> Mode {
    let delimiter = sniff(text);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let header = table::records(first_line, delimiter);
    let first = header.first().map(|r| r.fields.as_slice()).unwrap_or_default();
    let has_email_header = first.iter().any(|f| Field::from_header(f) == Some(Field::Email));
    if has_email_header || guess_headerless(first).is_some() || !text.contains('@') {
        Mode::Table
    } else {
        Mode::List
    }
}

/// Guesses the fields of a table pasted without a header (a spreadsheet
/// range): `Some` when the first row has at least two cells, none of them a
/// known header, exactly one of them holding an `@` (an email address) and
/// another not empty. The address's column is
/// Email, a two-letter country code's column is Country, a PEM's column is Csr,
/// and the first two other non-empty columns are First Name and Last Name.
fn guess_headerless(first: &[String]) -> Option<Vec<Option<Field>>> {
    if first.len() < 2 || first.iter().any(|f| Field::from_header(f).is_some()) {
        return None;
    }
    let is_address = |f: &String| email::parse_address(f).is_ok();
    // Exactly one cell with an "@", an address, beside other values: a row of
    // a table, not a list (where every piece holds an address).
    if first.iter().filter(|f| f.contains('@')).count() != 1
        || first.iter().filter(|f| is_address(f)).count() != 1
        || !first.iter().any(|f| !f.is_empty() && !is_address(f))
    {
        return None;
    }
    let email = first.iter().position(is_address)?;
    let mut fields: Vec<Option<Field>> = vec![None; first.len()];
    fields[email] = Some(Field::Email);
    let country = first.iter().enumerate().position(|(i, f)| {
        i != email && f.len() == 2 && !matches!(country::check(f), country::CountryCheck::Invalid(_))
    });
    if let Some(c) = country {
        fields[c] = Some(Field::Country);
    }
    if let Some(c) = first.iter().position(|f| f.starts_with("-----BEGIN")) {
        fields[c] = Some(Field::Csr);
    }
    let mut names = [Field::FirstName, Field::LastName].into_iter();
    for (i, f) in first.iter().enumerate() {
        if fields[i].is_none() && !f.is_empty() {
            match names.next() {
                Some(n) => fields[i] = Some(n),
                None => break,
            }
        }
    }
    Some(fields)
}

fn validate_parsed(parsed: Parsed, options: &Options) -> Report {
    let mut report = Report {
        encoding: parsed.encoding,
        delimiter: parsed.delimiter,
        mode: parsed.mode,
        headers: parsed.headers,
        findings: parsed.findings,
        ..Report::default()
    };
    if report.is_unusable() {
        return report;
    }
    let columns = if report.mode == Mode::List {
        let mut mapping = mapping::Mapping::default();
        mapping.set(Field::Email, 0, "Email");
        report.mapping = mapping;
        Columns::email_list()
    } else {
        let (mapping, header_findings) = match (&options.mapping, &parsed.guessed) {
            (Some(chosen), _) | (None, Some(chosen)) => mapping::map_chosen(&report.headers, chosen, parsed.header_line),
            (None, None) => map_headers(&report.headers, parsed.header_line),
        };
        report.findings.extend(header_findings);
        report.mapping = mapping;
        if report.is_unusable() {
            return report;
        }
        Columns::from_mapping(&report.mapping)
    };
    if parsed.records.is_empty() {
        let message = if report.mode == Mode::List {
            "No email address was found. Paste one address per line, or a list separated by commas or semicolons."
        } else {
            "The file has a header line but no rows. Add one line per person below the header."
        };
        report.findings.push(Finding::file(Code::NoRows, message));
        return report;
    }

    let mut validator = Validator::new(&options.domains, options.exact_domains, columns);
    let width = report.headers.len();
    report.rows.reserve(parsed.records.len());
    for record in parsed.records {
        let index = report.rows.len();
        let mut row = row_from_record(&record, &report.mapping, report.mode);
        if report.mode == Mode::Table && record.fields.len() != width {
            report.findings.push(Finding {
                line: Some(record.line),
                column: None,
                code: Code::RaggedRow,
                severity: Code::RaggedRow.severity(),
                message: format!(
                    "Line {} has {} fields where the header has {width}. A delimiter is missing or extra \
                     (check for an unquoted \"{}\" inside a value), so the values cannot be matched to columns.",
                    record.line,
                    record.fields.len(),
                    report.delimiter.map_or(",", |d| d.label()),
                ),
                suggestion: None,
                row: Some(index),
                field: None,
            });
            row.valid = false;
        } else {
            for field in Field::ALL {
                let leading = report.mapping.column(field).and_then(|c| record.leading_control.get(c));
                if leading == Some(&true) {
                    validator.leading_control(index, &row, field, &mut report.findings);
                }
            }
            validator.check(index, &mut row, &mut report.findings);
        }
        report.rows.push(row);
    }
    report.coverage = validator.finish();
    report
}

fn row_from_record(record: &table::Record, mapping: &mapping::Mapping, mode: Mode) -> Row {
    let cell = |field: Field| {
        mapping.column(field).and_then(|c| record.fields.get(c)).cloned().unwrap_or_default()
    };
    Row {
        line: record.line,
        first_name: cell(Field::FirstName),
        last_name: cell(Field::LastName),
        email: cell(Field::Email),
        country: cell(Field::Country),
        csr: cell(Field::Csr),
        name_hint: match mode {
            Mode::List => record.fields.get(1).filter(|s| !s.is_empty()).cloned(),
            _ => None,
        },
        valid: true,
    }
}
