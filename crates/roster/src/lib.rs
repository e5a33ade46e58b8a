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
mod hash;
pub mod invisible;
pub mod limits;
pub mod mapping;
pub mod name;
mod pass;
mod report;
mod seen;
pub mod sheet;
pub mod sniff;
pub mod table;
mod tally;
pub mod template;
pub mod validate;
pub mod wire;
mod words;
#[cfg(feature = "workbook")]
pub mod workbook;

pub use finding::{Code, Finding, FindingParts, FindingSink, Severity};
pub use report::{Mode, Report, Row, Summary};

use decode::{decode, Decoded};
use domains::ValidatedDomains;
use mapping::Field;
use pass::Preview;
use sniff::sniff;
use table::Record;

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
    /// The file size, rows and cell length the check takes.
    pub limits: limits::Limits,
    /// The sheet to read when the bytes are a workbook; `None` reads the
    /// first. Text files ignore it.
    pub sheet: Option<String>,
    /// The seed of the address keys' hash ([`Row::key`]; `seen.rs`). The
    /// page draws one at random, so that nobody can write a roster whose
    /// addresses all hash alike (the duplicate set and the editor's groups
    /// would crawl); the same seed gives the same report.
    pub key_seed: u64,
}

/// Checks a roster: decodes `bytes`, reads them as `options.mode` says, and
/// validates every row. Never panics.
pub fn check(bytes: &[u8], options: &Options) -> Report {
    check_with_progress(bytes, options, &mut |_| {})
}

/// How far a check has come: what [`check_with_progress`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct CheckProgress {
    /// Bytes of the decoded text read so far.
    pub bytes_done: usize,
    /// Bytes of the decoded text in all.
    pub bytes_total: usize,
    /// Rows read so far.
    pub rows: usize,
}

impl CheckProgress {
    /// About how many rows are still to come, at the rate of those so far
    /// (and a tenth of them more), for a reader that makes room for them at
    /// once: never more than a roster of `max_rows` (the row limit, which a
    /// check refuses a file over) has left, however short the first rows and
    /// long the rest. `None` before the first row.
    ///
    /// ```
    /// use smime_bulk_roster::CheckProgress;
    /// let halfway = CheckProgress { bytes_done: 500, bytes_total: 1000, rows: 10 };
    /// assert_eq!(halfway.rows_to_come(1000), Some(10 + 1));
    /// assert_eq!(halfway.rows_to_come(15), Some(5));
    /// assert_eq!(CheckProgress::default().rows_to_come(1000), None);
    /// ```
    pub fn rows_to_come(&self, max_rows: usize) -> Option<usize> {
        (self.rows > 0).then(|| {
            pass::rows_to_come(self.rows, self.bytes_done, self.bytes_total).min(max_rows.saturating_sub(self.rows))
        })
    }
}

/// How many rows are read between two progress reports.
pub const PROGRESS_EVERY: usize = 16_384;

/// [`check`], calling `on_progress` every [`PROGRESS_EVERY`] rows and once at
/// the end, with growing counts. The rows stream from the reader into the
/// validator: a table's records are never all held at once.
pub fn check_with_progress(bytes: &[u8], options: &Options, on_progress: &mut dyn FnMut(CheckProgress)) -> Report {
    read_as(bytes, options, |parsed, records| {
        let (mut report, rows) =
            pass::validate_records(parsed, records, options, on_progress, &mut Preview::default(), |_| {
                Vec::new()
            });
        report.rows = rows.unwrap_or_default();
        report
    })
}

/// What [`check_streamed`] leaves once every finding went to its sink.
#[derive(Debug)]
pub struct StreamedCheck<W> {
    /// The report without its rows, holding only the findings the sink did
    /// not get: all of them when the file could not be checked (then
    /// `sink` is `None`), else at most the file's `no_rows`, which comes
    /// after every finding the sink got.
    pub report: Report,
    /// The sink `begin` made, after the last finding.
    pub sink: Option<W>,
    /// Rows read.
    pub rows: usize,
    /// Rows with no error.
    pub valid: usize,
}

/// [`check`] for a report too large to hold: every finding goes to the sink
/// `begin` makes of the report's head (encoding, delimiter, mode, headers,
/// mapping, before any finding), in the report's order, as it is made, and
/// no row is kept — only the counts. The findings the sink gets, then those
/// left in the returned report, are exactly `check`'s findings.
///
/// ```
/// use smime_bulk_roster::{check, check_streamed, Finding, Options};
/// let csv = b"Email,Country\njane@example.com,UK\nbob@example,DE\n";
/// let streamed = check_streamed(csv, &Options::default(), |_head| Vec::<Finding>::new());
/// let mut findings = streamed.sink.unwrap();
/// findings.extend(streamed.report.findings);
/// assert_eq!(findings, check(csv, &Options::default()).findings);
/// assert_eq!((streamed.rows, streamed.valid), (2, 0));
/// ```
pub fn check_streamed<W: FindingSink>(
    bytes: &[u8],
    options: &Options,
    begin: impl FnOnce(&Report) -> W,
) -> StreamedCheck<W> {
    read_as(bytes, options, |parsed, records| {
        let (report, sink) =
            pass::validate_records(parsed, records, options, &mut |_| {}, &mut Preview::default(), |head| {
                pass::Counted::new(begin(head))
            });
        let (rows, valid) = sink.as_ref().map_or((0, 0), |s| (s.rows, s.valid));
        StreamedCheck {
            report,
            sink: sink.map(|s| s.findings),
            rows,
            valid,
        }
    })
}

/// The input as read, before validation: what `smime-bulk parse` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The sheet read, if the bytes were a workbook.
    pub sheet: Option<sheet::SheetSource>,
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

/// Reads `bytes` into records without validating them, within `limits`
/// (`sheet`: as [`Options::sheet`]).
pub fn parse(bytes: &[u8], mode: Mode, sheet: Option<&str>, limits: &limits::Limits) -> Parsed {
    read(bytes, mode, sheet, limits, |mut parsed, records| {
        parsed.records = records.collect();
        parsed
    })
}

/// The first `n` records after the header, every column as read: the
/// preview beside the column mapping. Reads no further than it needs.
pub fn preview(bytes: &[u8], mode: Mode, sheet: Option<&str>, n: usize) -> Vec<Vec<String>> {
    read(bytes, mode, sheet, &limits::Limits::default(), |_, records| {
        records.take(n).map(|r| r.fields).collect()
    })
}

/// The records after the header, as they are read. One exists per check, so
/// the size of its largest variant (the table reader's buffers) costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum RecordStream<'a> {
    /// Nothing to read (the bytes were not a roster).
    Empty,
    /// Records read whole before the pass: an email list's entries (names
    /// may span pieces) or a sheet's rows.
    Held {
        entries: std::vec::IntoIter<Record>,
        count: usize,
        bytes: usize,
    },
    /// A table's records; `first` is a data row read ahead to guess the columns.
    Table {
        first: Option<Record>,
        records: table::Records<'a>,
    },
}

impl RecordStream<'_> {
    /// Bytes of text read so far.
    fn position(&self) -> usize {
        match self {
            RecordStream::Empty => 0,
            RecordStream::Held { entries, count, bytes } => bytes * (count - entries.len()) / (*count).max(1),
            RecordStream::Table { records, .. } => records.position(),
        }
    }

    /// Bytes of text in all.
    fn len(&self) -> usize {
        match self {
            RecordStream::Empty => 0,
            RecordStream::Held { bytes, .. } => *bytes,
            RecordStream::Table { records, .. } => records.len(),
        }
    }
}

impl RecordStream<'_> {
    /// The next record into `record`, reusing its buffers where the source
    /// allows (a table's records); `false` at the end.
    fn next_into(&mut self, record: &mut Record) -> bool {
        match self {
            RecordStream::Table { first, records } => match first.take() {
                Some(f) => {
                    *record = f;
                    true
                }
                None => records.next_into(record),
            },
            other => match other.next() {
                Some(r) => {
                    *record = r;
                    true
                }
                None => false,
            },
        }
    }
}

impl Iterator for RecordStream<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        match self {
            RecordStream::Empty => None,
            RecordStream::Held { entries, .. } => entries.next(),
            RecordStream::Table { first, records } => first.take().or_else(|| records.next()),
        }
    }
}

/// [`read`] as `options` say: their mode, sheet and limits.
pub(crate) fn read_as<T>(bytes: &[u8], options: &Options, then: impl FnOnce(Parsed, RecordStream<'_>) -> T) -> T {
    read(bytes, options.mode, options.sheet.as_deref(), &options.limits, then)
}

/// Decodes `bytes` (or reads the workbook's `sheet`) and reads the header (or
/// guesses it), then hands what it found and the stream of the remaining
/// records to `then`. A file over a limit of its size or rows gets only its
/// finding and no record.
pub(crate) fn read<T>(
    bytes: &[u8],
    mode: Mode,
    sheet: Option<&str>,
    limits: &limits::Limits,
    then: impl FnOnce(Parsed, RecordStream<'_>) -> T,
) -> T {
    if let Some(too_large) = limits.file_size(bytes.len()) {
        return then(
            Parsed {
                findings: vec![too_large],
                ..Parsed::default()
            },
            RecordStream::Empty,
        );
    }
    #[cfg(feature = "workbook")]
    if workbook::container(bytes).is_some() {
        return read_workbook(bytes, mode, sheet, limits, then);
    }
    #[cfg(not(feature = "workbook"))]
    let _ = sheet;
    let Decoded {
        text,
        encoding,
        line_ends,
    } = match decode(bytes) {
        Ok(d) => d,
        Err(finding) => {
            return then(
                Parsed {
                    findings: vec![finding],
                    ..Parsed::default()
                },
                RecordStream::Empty,
            )
        }
    };
    let mut parsed = Parsed {
        encoding: Some(encoding),
        ..Parsed::default()
    };
    let auto = mode == Mode::Auto;
    let mode = match mode {
        Mode::Auto => detect_mode(&text),
        m => m,
    };
    parsed.mode = mode;
    if mode == Mode::List {
        parsed.headers = vec!["Email".into(), "Name".into()];
        parsed.header_line = 1;
        let entries: Vec<Record> = email_list::entries(&text)
            .into_iter()
            .map(|e| Record {
                line: e.line,
                fields: vec![e.address, e.name_hint.unwrap_or_default()],
                leading_control: Vec::new(),
            })
            .collect();
        let count = entries.len();
        if let Some(over) = entries.get(limits.max_rows).and_then(|e| limits.rows(count, e.line)) {
            parsed.findings.push(over);
            return then(parsed, RecordStream::Empty);
        }
        return then(
            parsed,
            RecordStream::Held {
                entries: entries.into_iter(),
                count,
                bytes: text.len(),
            },
        );
    }
    let delimiter = sniff(&text);
    parsed.delimiter = Some(delimiter);
    let mut records = table::Records::new(&text, delimiter);
    let first = records.next();
    if auto {
        if let Some(guess) = first.as_ref().and_then(|first| guess_headerless(&first.fields)) {
            parsed.headers = (1..=guess.len()).map(|i| format!("Column {i}")).collect();
            parsed.header_line = 0;
            parsed.guessed = Some(guess);
            if let Some(over) = rows_over_limit(&text, line_ends, delimiter, limits, 0) {
                parsed.findings.push(over);
                return then(parsed, RecordStream::Empty);
            }
            return then(parsed, RecordStream::Table { first, records });
        }
    }
    if let Some(over) = rows_over_limit(&text, line_ends, delimiter, limits, 1) {
        parsed.findings.push(over);
        return then(parsed, RecordStream::Empty);
    }
    match first {
        Some(header) => {
            parsed.headers = header.fields;
            parsed.header_line = header.line;
        }
        None => parsed
            .findings
            .push(Finding::file(Code::EmptyFile, "The file has no header and no rows.")),
    }
    then(parsed, RecordStream::Table { first: None, records })
}

/// `too_many_rows` when the table's records after its `header_records`
/// (1, or 0 for a table without a header) are more than the limit: the
/// count of line ends (`line_ends`, counted by the decoder) settles nearly every
/// file; a file with more lines than that is counted record by record, up
/// to the first beyond the limit.
fn rows_over_limit(
    text: &str,
    line_ends: usize,
    delimiter: sniff::Delimiter,
    limits: &limits::Limits,
    header_records: usize,
) -> Option<Finding> {
    if !limits.may_exceed_rows_with(line_ends) {
        return None;
    }
    let allowed = limits.max_rows.saturating_add(header_records);
    let mut records = table::Records::new(text, delimiter);
    let mut record = Record::default();
    let mut count = 0;
    while records.next_into(&mut record) {
        count += 1;
        if count > allowed {
            return limits.rows(count - header_records, record.line);
        }
    }
    None
}

/// [`read`] for a workbook: its sheet's rows, held, are the records; a
/// workbook is always a table.
#[cfg(feature = "workbook")]
fn read_workbook<T>(
    bytes: &[u8],
    mode: Mode,
    sheet: Option<&str>,
    limits: &limits::Limits,
    then: impl FnOnce(Parsed, RecordStream<'_>) -> T,
) -> T {
    let table = match workbook::read(bytes, sheet) {
        Ok(table) => table,
        Err(e) => {
            return then(
                Parsed {
                    findings: vec![e.to_finding()],
                    ..Parsed::default()
                },
                RecordStream::Empty,
            )
        }
    };
    let mut parsed = Parsed {
        mode: Mode::Table,
        headers: table.headers,
        header_line: table.header_row,
        ..Parsed::default()
    };
    let name = &table.source.name;
    if table.source.had_macros {
        parsed.findings.push(Finding::file(
            Code::MacrosIgnored,
            "The workbook holds macros. They were ignored and never run: only the cells' values were read.",
        ));
    }
    let mut records = table.records;
    if parsed.headers.is_empty() {
        parsed.findings.push(Finding::file(
            Code::EmptyFile,
            format!(
                "The sheet \"{name}\" is empty: it has no header and no rows. Pick the sheet that holds the roster."
            ),
        ));
    } else if mode == Mode::Auto {
        if let Some(guess) = guess_headerless(&parsed.headers) {
            let first = Record {
                line: parsed.header_line,
                fields: std::mem::take(&mut parsed.headers),
                leading_control: Vec::new(),
            };
            records.insert(0, first);
            parsed.headers = (1..=guess.len()).map(|i| format!("Column {i}")).collect();
            parsed.header_line = 0;
            parsed.guessed = Some(guess);
        }
    }
    parsed.sheet = Some(table.source);
    let count = records.len();
    if let Some(over) = records.get(limits.max_rows).and_then(|r| limits.rows(count, r.line)) {
        parsed.findings.push(over);
        return then(parsed, RecordStream::Empty);
    }
    then(
        parsed,
        RecordStream::Held {
            entries: records.into_iter(),
            count,
            bytes: bytes.len(),
        },
    )
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
