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
mod seen;
pub mod sniff;
pub mod table;
mod tally;
pub mod template;
pub mod validate;
pub mod wire;
mod words;

pub use finding::{Code, Finding, FindingParts, FindingSink, Severity};
pub use report::{Mode, Report, Row, Summary};

use decode::{decode, Decoded};
use domains::ValidatedDomains;
use mapping::{map_headers, Field};
use sniff::sniff;
use table::Record;
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

/// After how many rows the number of rows is estimated.
const ESTIMATE_AFTER: usize = 1024;

/// How many records are read ahead, to fetch their duplicate-set slots together.
const PREFETCH_BATCH: usize = 32;

/// How many rows are read between two progress reports.
pub const PROGRESS_EVERY: usize = 16_384;

/// [`check`], calling `on_progress` every [`PROGRESS_EVERY`] rows and once at
/// the end, with growing counts. The rows stream from the reader into the
/// validator: a table's records are never all held at once.
pub fn check_with_progress(bytes: &[u8], options: &Options, on_progress: &mut dyn FnMut(CheckProgress)) -> Report {
    let mut rows = Vec::new();
    let mut report = read(bytes, options.mode, |parsed, records| {
        validate_records(parsed, records, options, on_progress, &mut rows)
    });
    report.rows = rows;
    report
}

/// Where [`validate_records`] puts each row once it is checked: the report's
/// row list ([`check`]), or the compact form being written
/// ([`wire::check_with_progress`]), which never holds the rows at all.
pub(crate) trait RowSink {
    /// Room for about `rows` more rows.
    fn reserve(&mut self, rows: usize);
    /// The report's head (encoding, delimiter, mode, headers, mapping) is
    /// complete and the rows follow; not called for an unusable file.
    fn begin(&mut self, head: &Report);
    /// Whether the sink wants to see the next record as read, before it
    /// becomes a row (for a preview of the columns).
    fn wants_record(&self) -> bool {
        false
    }
    /// A record as read, every column (see [`RowSink::wants_record`]).
    fn record(&mut self, _record: &Record) {}
    /// A checked row. The sink may take its cells: the row is refilled for
    /// the next record, so a sink that copies them lets the buffers be reused.
    fn push(&mut self, row: &mut Row);
    /// The report's findings so far (the file's, before the first row): the
    /// sink may take them (all, from the front); those it leaves stay in the
    /// report, after those it took.
    fn take_findings(&mut self, _findings: &mut Vec<Finding>) {}
    /// Where the rows' findings go, in order: into `report` (the report's
    /// findings) unless the sink takes them itself.
    fn findings<'s>(&'s mut self, report: &'s mut Vec<Finding>) -> &'s mut dyn FindingSink {
        report
    }
}

impl RowSink for Vec<Row> {
    fn reserve(&mut self, rows: usize) {
        Vec::reserve(self, rows);
    }

    fn begin(&mut self, _head: &Report) {}

    fn push(&mut self, row: &mut Row) {
        Vec::push(self, std::mem::take(row));
    }
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
    read(bytes, mode, |mut parsed, records| {
        parsed.records = records.collect();
        parsed
    })
}

/// The first `n` records after the header, every column as read: the
/// preview beside the column mapping. Reads no further than it needs.
pub fn preview(bytes: &[u8], mode: Mode, n: usize) -> Vec<Vec<String>> {
    read(bytes, mode, |_, records| records.take(n).map(|r| r.fields).collect())
}

/// The records after the header, as they are read. One exists per check, so
/// the size of its largest variant (the table reader's buffers) costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum RecordStream<'a> {
    /// Nothing to read (the bytes were not a roster).
    Empty,
    /// An email list's entries (a list is split whole: names may span pieces).
    List {
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
            RecordStream::List { entries, count, bytes } => bytes * (count - entries.len()) / (*count).max(1),
            RecordStream::Table { records, .. } => records.position(),
        }
    }

    /// Bytes of text in all.
    fn len(&self) -> usize {
        match self {
            RecordStream::Empty => 0,
            RecordStream::List { bytes, .. } => *bytes,
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
            RecordStream::List { entries, .. } => entries.next(),
            RecordStream::Table { first, records } => first.take().or_else(|| records.next()),
        }
    }
}

/// Decodes `bytes` and reads the header (or guesses it), then hands what it
/// found and the stream of the remaining records to `then`.
pub(crate) fn read<T>(bytes: &[u8], mode: Mode, then: impl FnOnce(Parsed, RecordStream<'_>) -> T) -> T {
    let Decoded { text, encoding } = match decode(bytes) {
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
        return then(
            parsed,
            RecordStream::List {
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
            return then(parsed, RecordStream::Table { first, records });
        }
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

/// Validates every record into `sink`; returns the report without its rows.
pub(crate) fn validate_records(
    parsed: Parsed,
    mut records: RecordStream<'_>,
    options: &Options,
    on_progress: &mut dyn FnMut(CheckProgress),
    sink: &mut impl RowSink,
) -> Report {
    let mut report = Report {
        encoding: parsed.encoding,
        delimiter: parsed.delimiter,
        mode: parsed.mode,
        headers: parsed.headers,
        findings: parsed.findings,
        ..Report::default()
    };
    let total = records.len();
    let mut record = Record::default();
    let done = |report: Report,
                rows: usize,
                records: &mut RecordStream<'_>,
                record: &mut Record,
                on_progress: &mut dyn FnMut(CheckProgress),
                sink: &mut dyn FnMut(&Record) -> bool| {
        // A file that cannot be checked may still be one whose columns the
        // user maps by hand: the sink still sees the records it wants.
        while rows == 0 && records.next_into(record) && sink(record) {}
        on_progress(CheckProgress {
            bytes_done: total,
            bytes_total: total,
            rows,
        });
        report
    };
    let mut show = |record: &Record| {
        let wants = sink.wants_record();
        if wants {
            sink.record(record);
        }
        wants && sink.wants_record()
    };
    if report.is_unusable() {
        return done(report, 0, &mut records, &mut record, on_progress, &mut show);
    }
    let columns = if report.mode == Mode::List {
        let mut mapping = mapping::Mapping::default();
        mapping.set(Field::Email, 0, "Email");
        report.mapping = mapping;
        Columns::email_list()
    } else {
        let (mapping, header_findings) = match (&options.mapping, &parsed.guessed) {
            (Some(chosen), _) | (None, Some(chosen)) => {
                mapping::map_chosen(&report.headers, chosen, parsed.header_line)
            }
            (None, None) => map_headers(&report.headers, parsed.header_line),
        };
        report.findings.extend(header_findings);
        report.mapping = mapping;
        if report.is_unusable() {
            return done(report, 0, &mut records, &mut record, on_progress, &mut show);
        }
        Columns::from_mapping(&report.mapping)
    };

    sink.begin(&report);
    sink.take_findings(&mut report.findings);
    let mut validator = Validator::new(&options.domains, options.exact_domains, columns);
    let width = report.headers.len();
    let ragged_hint = report.delimiter.map_or(",", |d| d.label());
    let mut row = Row::default();
    let mut count = 0;
    // Records are read a batch at a time so that the duplicate set's memory
    // for the whole batch is fetched at once (see `Validator::prefetch`).
    let email_column = report.mapping.column(Field::Email);
    let mut batch: Vec<Record> = (0..PREFETCH_BATCH).map(|_| Record::default()).collect();
    let mut hashes = Vec::with_capacity(PREFETCH_BATCH);
    loop {
        let wanted = if validator.prefetches() { PREFETCH_BATCH } else { 1 };
        let mut filled = 0;
        while filled < wanted && records.next_into(&mut batch[filled]) {
            filled += 1;
        }
        hashes.clear();
        if let Some(c) = email_column.filter(|_| wanted > 1) {
            let emails = batch[..filled].iter().map(|r| r.fields.get(c).map(String::as_str));
            validator.prefetch(emails, &mut hashes);
        }
        for (in_batch, record) in batch[..filled].iter_mut().enumerate() {
            let index = count;
            if index == ESTIMATE_AFTER {
                // Room for the rows the rest of the text will hold, judged by the
                // first ones: nothing is doubled (and copied) ten times over.
                let per_row = records.position().max(1) / index;
                let more = (total - records.position()) / per_row.max(1) + index / 10;
                sink.reserve(more);
                validator.reserve(more);
            }
            if index % PROGRESS_EVERY == 0 && index > 0 {
                on_progress(CheckProgress {
                    bytes_done: records.position(),
                    bytes_total: total,
                    rows: index,
                });
            }
            if sink.wants_record() {
                sink.record(record);
            }
            let ragged = report.mode == Mode::Table && record.fields.len() != width;
            let fields_read = record.fields.len();
            fill_row(&mut row, record, &report.mapping, report.mode);
            let leading_control = &record.leading_control;
            let findings = sink.findings(&mut report.findings);
            if ragged {
                findings.add(FindingParts {
                    line: Some(row.line),
                    column: None,
                    code: Code::RaggedRow,
                    message: format!(
                        "Line {} has {fields_read} fields where the header has {width}. A delimiter is missing or extra \
                         (check for an unquoted \"{ragged_hint}\" inside a value), so the values cannot be matched to columns.",
                        row.line,
                    )
                    .into(),
                    suggestion: None,
                    row: Some(index),
                    field: None,
                });
                row.valid = false;
            } else {
                // Nearly always empty: most rows have no such cell.
                if !leading_control.is_empty() {
                    for field in Field::ALL {
                        if report
                            .mapping
                            .column(field)
                            .is_some_and(|c| leading_control.contains(&c))
                        {
                            validator.leading_control(index, &row, field, findings);
                        }
                    }
                }
                let prefetched = hashes.get(in_batch).copied().flatten();
                validator.check_prefetched(index, &mut row, prefetched, findings);
            }
            sink.push(&mut row);
            count += 1;
        }
        if filled < wanted {
            break;
        }
    }
    if count == 0 {
        let message = if report.mode == Mode::List {
            "No email address was found. Paste one address per line, or a list separated by commas or semicolons."
        } else {
            "The file has a header line but no rows. Add one line per person below the header."
        };
        report.findings.push(Finding::file(Code::NoRows, message));
        return done(report, 0, &mut records, &mut record, on_progress, &mut |_| false);
    }
    let (coverage, csrs) = validator.finish();
    report.coverage = coverage;
    report.csr_outcomes = csrs.outcomes;
    done(report, count, &mut records, &mut record, on_progress, &mut |_| false)
}

/// Fills `row` with `record`'s mapped cells. The cells are swapped, not
/// copied: the row's old strings go back to the record, whose buffers the
/// reader refills, so a sink that copies rows out allocates nothing per row.
fn fill_row(row: &mut Row, record: &mut Record, mapping: &mapping::Mapping, mode: Mode) {
    row.line = record.line;
    row.valid = true;
    let fields = &mut record.fields;
    for field in Field::ALL {
        let cell = row.get_mut(field);
        match mapping.column(field).and_then(|c| fields.get_mut(c)) {
            Some(source) => {
                std::mem::swap(cell, source);
                source.clear();
            }
            None => cell.clear(),
        }
    }
    row.name_hint = match mode {
        Mode::List => fields.get_mut(1).filter(|s| !s.is_empty()).map(std::mem::take),
        _ => None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_in_batches_keep_their_order_and_duplicates_across_batches() {
        // Enough rows for the duplicate set to outgrow the cache, so that
        // rows are read ahead in batches; every 10th row repeats the row 33
        // before it (one batch back and one more), some with a blank line
        // between, and every 20th in capitals (not a plain address: its key
        // is not the prefetched one's).
        let n = 600_000;
        let mut csv = String::from("Email,Country\n");
        let mut lines = Vec::new();
        let mut line = 1;
        for i in 0..n {
            line += 1;
            if i % 7 == 3 {
                csv.push('\n');
                line += 1;
            }
            let who = if i >= 33 && i % 10 == 0 { i - 33 } else { i };
            csv.push_str(&if i >= 33 && i % 20 == 0 {
                format!("P{who}@EXAMPLE.com,GB\n")
            } else {
                format!("p{who}@example.com,GB\n")
            });
            lines.push(line);
        }
        let options = Options {
            domains: domains::ValidatedDomains::parse(["example.com"]).unwrap(),
            ..Options::default()
        };
        let report = check(csv.as_bytes(), &options);
        assert_eq!(report.rows.iter().map(|r| r.line).collect::<Vec<_>>(), lines);
        let mut validator = Validator::new(&options.domains, false, validate::Columns::email_list());
        validator.reserve(n);
        assert!(validator.prefetches(), "the test does not reach the batched path");
        let duplicates: std::collections::HashMap<usize, &Finding> = report
            .findings
            .iter()
            .filter(|f| f.code == Code::DuplicateEmail)
            .filter_map(|f| Some((f.row?, f)))
            .collect();
        for (i, row) in report.rows.iter().enumerate() {
            let repeat = i >= 33 && i % 10 == 0;
            assert_eq!(row.valid, !repeat, "row {i}");
            let duplicate = duplicates.get(&i);
            assert_eq!(duplicate.is_some(), repeat, "row {i}");
            if let Some(f) = duplicate {
                assert!(
                    f.message.contains(&format!("line {}", lines[i - 33])),
                    "row {i}: {}",
                    f.message
                );
            }
        }
    }

    #[test]
    fn progress_grows_in_order_and_ends_at_the_whole_text() {
        let mut csv = String::from("Email,Country\n");
        for i in 0..(PROGRESS_EVERY * 3 + 5) {
            csv.push_str(&format!("p{i}@example.com,DE\n"));
        }
        let mut events = Vec::new();
        let report = check_with_progress(csv.as_bytes(), &Options::default(), &mut |p| events.push(p));
        assert_eq!(events.len(), 4, "{events:?}");
        assert!(
            events
                .windows(2)
                .all(|w| w[0].bytes_done <= w[1].bytes_done && w[0].rows < w[1].rows),
            "{events:?}"
        );
        let last = events.last().unwrap();
        assert_eq!(
            (last.bytes_done, last.bytes_total, last.rows),
            (csv.len(), csv.len(), report.rows.len())
        );
        assert_eq!(events[0].rows, PROGRESS_EVERY);
    }

    #[test]
    fn an_unusable_file_reports_progress_once_at_the_end() {
        let mut events = Vec::new();
        check_with_progress(b"", &Options::default(), &mut |p| events.push(p));
        assert_eq!(events, vec![CheckProgress::default()]);
    }
}
