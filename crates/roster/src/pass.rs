//! The validation pass: each record after the header made a row, checked,
//! and handed to a [`RowSink`] — the report's row list ([`crate::check`]), or
//! the compact form being written ([`crate::wire::check_with_progress`]),
//! which never holds the rows at all. One pass, in order; the records stream
//! from the reader, so a table is never held twice.
//!
//! Once the duplicate set outgrows the caches, records are read a batch
//! ahead ([`ReadAhead`]) so that the set's memory for the whole batch is
//! fetched at once; each record comes with the hash made of its address for
//! that (see `seen.rs`). After [`ESTIMATE_AFTER`] rows the rows still to come
//! are estimated ([`rows_to_come`]) and room for them is made at once.

use crate::export;
use crate::finding::{Code, Finding, FindingParts, FindingSink};
use crate::mapping::{self, map_headers, Field, Mapping};
use crate::report::{Mode, Report, Row};
use crate::seen::KeyHash;
use crate::sniff::Delimiter;
use crate::table::Record;
use crate::validate::{Columns, Validator};
use crate::{CheckProgress, Options, Parsed, RecordStream, PROGRESS_EVERY};

/// After how many rows the number of rows is estimated.
const ESTIMATE_AFTER: usize = 1024;

/// How many records are read ahead, to fetch their duplicate-set slots together.
const PREFETCH_BATCH: usize = 32;

/// Where [`validate_records`] puts each row once it is checked.
pub(crate) trait RowSink {
    /// Room for about `rows` more rows.
    fn reserve(&mut self, rows: usize);
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

    fn push(&mut self, row: &mut Row) {
        Vec::push(self, std::mem::take(row));
    }
}

/// The rows counted, not kept, and their findings (and the file's before
/// them) handed to a [`FindingSink`]: [`crate::check_streamed`]'s sink.
pub(crate) struct Counted<W> {
    /// Where every finding goes.
    pub findings: W,
    /// Rows checked.
    pub rows: usize,
    /// Rows with no error.
    pub valid: usize,
}

impl<W> Counted<W> {
    pub(crate) fn new(findings: W) -> Self {
        Counted {
            findings,
            rows: 0,
            valid: 0,
        }
    }
}

impl<W: FindingSink> RowSink for Counted<W> {
    fn reserve(&mut self, _rows: usize) {}

    fn push(&mut self, row: &mut Row) {
        self.rows += 1;
        self.valid += usize::from(row.valid);
    }

    fn take_findings(&mut self, findings: &mut Vec<Finding>) {
        for f in findings.drain(..) {
            self.findings.add(FindingParts::of(&f));
        }
    }

    fn findings<'s>(&'s mut self, _report: &'s mut Vec<Finding>) -> &'s mut dyn FindingSink {
        &mut self.findings
    }
}

/// The first records after the header, every column as read (what
/// [`crate::preview`] gives), gathered in the same pass.
#[derive(Debug, Default)]
pub(crate) struct Preview {
    /// The records so far.
    pub records: Vec<Vec<String>>,
    /// How many are wanted.
    wanted: usize,
}

impl Preview {
    /// A preview of up to `wanted` records.
    pub fn new(wanted: usize) -> Self {
        Preview {
            records: Vec::new(),
            wanted,
        }
    }

    fn wants(&self) -> bool {
        self.records.len() < self.wanted
    }

    fn add(&mut self, record: &Record) {
        self.records.push(record.fields.clone());
    }
}

/// Validates every record into the sink `begin` makes of the report's head
/// (encoding, delimiter, mode, headers, mapping) once it is complete.
/// Returns the report without its rows, and the sink: `None` when the file
/// cannot be checked (then there are no rows, and `begin` is not called).
/// `on_progress` is called every [`PROGRESS_EVERY`] rows and once at the end.
pub(crate) fn validate_records<S: RowSink>(
    parsed: Parsed,
    records: RecordStream<'_>,
    options: &Options,
    on_progress: &mut dyn FnMut(CheckProgress),
    preview: &mut Preview,
    begin: impl FnOnce(&Report) -> S,
) -> (Report, Option<S>) {
    let total = records.len();
    let end = |rows: usize| CheckProgress {
        bytes_done: total,
        bytes_total: total,
        rows,
    };
    let (mut report, columns) = match head(parsed, &options.mapping) {
        (report, Some(columns)) => (report, columns),
        (unusable, None) => {
            preview_unchecked(records, preview);
            on_progress(end(0));
            return (unusable, None);
        }
    };
    let mut sink = begin(&report);
    sink.take_findings(&mut report.findings);
    let mut validator = Validator::new(&options.domains, options.exact_domains, columns)
        .with_key_seed(options.key_seed)
        .with_max_field_chars(options.limits.max_field_chars);
    let width = report.headers.len();
    let mut read = ReadAhead::new(records, report.mapping.column(Field::Email));
    let mut row = Row::default();
    let mut count = 0;
    while let Some(next) = read.next(&mut validator) {
        if count == ESTIMATE_AFTER {
            let so_far = CheckProgress {
                bytes_done: next.position,
                bytes_total: total,
                rows: count,
            };
            let more = so_far.rows_to_come(options.limits.max_rows).unwrap_or(0);
            sink.reserve(more);
            validator.reserve(more);
        }
        if count % PROGRESS_EVERY == 0 && count > 0 {
            on_progress(CheckProgress {
                bytes_done: next.position,
                bytes_total: total,
                rows: count,
            });
        }
        if preview.wants() {
            preview.add(next.record);
        }
        let fields_read = next.record.fields.len();
        fill_row(&mut row, next.record, &report.mapping, report.mode);
        let findings = sink.findings(&mut report.findings);
        if report.mode == Mode::Table && fields_read != width {
            findings.add(ragged_row(&row, count, fields_read, width, report.delimiter));
            row.valid = false;
            // Not read into fields, so it repeats no address (the row is reused).
            row.key = 0;
        } else {
            let leading_control = &next.record.leading_control;
            // Nearly always empty: most rows have no such cell.
            if !leading_control.is_empty() {
                leading_controls(&validator, count, &row, leading_control, &report.mapping, findings);
            }
            validator.check_prefetched(count, &mut row, next.hash, findings);
        }
        sink.push(&mut row);
        count += 1;
    }
    if count == 0 {
        report.findings.push(no_rows(report.mode));
    } else {
        let (coverage, csrs) = validator.finish();
        report.coverage = coverage;
        report.csr_outcomes = csrs.outcomes;
    }
    on_progress(end(count));
    (report, Some(sink))
}

/// The report's head, from what was read and the columns' mapping (the
/// user's `chosen` one, else the guessed one, else by header), with the
/// columns the rules see: `None` when the file cannot be checked.
fn head(parsed: Parsed, chosen: &Option<Vec<Option<Field>>>) -> (Report, Option<Columns>) {
    let mut report = Report {
        encoding: parsed.encoding,
        delimiter: parsed.delimiter,
        mode: parsed.mode,
        headers: parsed.headers,
        findings: parsed.findings,
        sheet: parsed.sheet,
        ..Report::default()
    };
    if report.is_unusable() {
        return (report, None);
    }
    if report.mode == Mode::List {
        let mut mapping = Mapping::default();
        mapping.set(Field::Email, 0, "Email");
        report.mapping = mapping;
        return (report, Some(Columns::email_list()));
    }
    let (mapping, header_findings) = match (chosen, &parsed.guessed) {
        (Some(chosen), _) | (None, Some(chosen)) => mapping::map_chosen(&report.headers, chosen, parsed.header_line),
        (None, None) => map_headers(&report.headers, parsed.header_line),
    };
    report.findings.extend(header_findings);
    report.mapping = mapping;
    if report.is_unusable() {
        return (report, None);
    }
    let columns = Columns::from_mapping(&report.mapping);
    (report, Some(columns))
}

/// A file that cannot be checked may still be one whose columns the user
/// maps by hand: the preview still gets the records it wants.
fn preview_unchecked(mut records: RecordStream<'_>, preview: &mut Preview) {
    let mut record = Record::default();
    while preview.wants() && records.next_into(&mut record) {
        preview.add(&record);
    }
}

/// The records of a check, one at a time, or a batch ahead once the
/// duplicate set has outgrown the caches ([`Validator::prefetches`]): then
/// each comes with the hash [`Validator::prefetch`] made of its address.
struct ReadAhead<'t> {
    records: RecordStream<'t>,
    /// The column of the addresses to prefetch, if any.
    email_column: Option<usize>,
    /// The records read ahead; their buffers are reused batch after batch.
    batch: Vec<Record>,
    /// The hash of each record's address in `batch`, if it was prefetched.
    hashes: Vec<Option<KeyHash>>,
    /// How many records of `batch` were read, and the next to hand out.
    filled: usize,
    next: usize,
    /// Whether the records ran out while the batch was read.
    ended: bool,
    /// Bytes of text read once the batch was read.
    position: usize,
}

/// A record as [`ReadAhead`] hands it out.
struct Ahead<'b> {
    record: &'b mut Record,
    /// The hash prefetched of the record's address as written, lower-cased.
    hash: Option<KeyHash>,
    /// Bytes of text read so far (the batch's end).
    position: usize,
}

impl<'t> ReadAhead<'t> {
    fn new(records: RecordStream<'t>, email_column: Option<usize>) -> Self {
        ReadAhead {
            records,
            email_column,
            batch: (0..PREFETCH_BATCH).map(|_| Record::default()).collect(),
            hashes: Vec::with_capacity(PREFETCH_BATCH),
            filled: 0,
            next: 0,
            ended: false,
            position: 0,
        }
    }

    /// The next record, reading the next batch when this one is done.
    #[inline]
    fn next(&mut self, validator: &mut Validator<'_>) -> Option<Ahead<'_>> {
        if self.next == self.filled {
            if self.ended {
                return None;
            }
            self.read_batch(validator);
            if self.filled == 0 {
                return None;
            }
        }
        let at = self.next;
        self.next += 1;
        Some(Ahead {
            record: &mut self.batch[at],
            hash: self.hashes.get(at).copied().flatten(),
            position: self.position,
        })
    }

    /// Reads a batch (one record while reading ahead does not pay) and
    /// prefetches the duplicate set's slots of its addresses.
    #[inline(never)]
    fn read_batch(&mut self, validator: &mut Validator<'_>) {
        let wanted = if validator.prefetches() { PREFETCH_BATCH } else { 1 };
        self.filled = 0;
        self.next = 0;
        while self.filled < wanted && self.records.next_into(&mut self.batch[self.filled]) {
            self.filled += 1;
        }
        self.ended = self.filled < wanted;
        self.position = self.records.position();
        self.hashes.clear();
        if let Some(c) = self.email_column.filter(|_| wanted > 1) {
            let emails = self.batch[..self.filled]
                .iter()
                .map(|r| r.fields.get(c).map(String::as_str));
            validator.prefetch(emails, &mut self.hashes);
        }
    }
}

/// About how many rows the rest of the text holds, judged by the first
/// `rows`, which took `read` of its `total` bytes, and a tenth of `rows`
/// more: room made once for what is to come, not doubled (and copied) ten
/// times over. Never a division by zero nor less than nothing, whatever the
/// numbers (a page passes on a worker's); no bound by the row limit here
/// ([`CheckProgress::rows_to_come`] is the one to call).
pub(crate) fn rows_to_come(rows: usize, read: usize, total: usize) -> usize {
    let per_row = read.max(1) / rows.max(1);
    total.saturating_sub(read) / per_row.max(1) + rows / 10
}

/// The finding of a record of `fields` fields under a header of `width`.
fn ragged_row(
    row: &Row,
    index: usize,
    fields: usize,
    width: usize,
    delimiter: Option<Delimiter>,
) -> FindingParts<'static> {
    let delimiter = delimiter.map_or(",", |d| d.label());
    FindingParts {
        line: Some(row.line),
        column: None,
        code: Code::RaggedRow,
        message: format!(
            "Line {} has {fields} fields where the header has {width}. A delimiter is missing or extra \
             (check for an unquoted \"{delimiter}\" inside a value), so the values cannot be matched to columns.",
            row.line,
        )
        .into(),
        suggestion: None,
        row: Some(index),
        field: None,
    }
}

/// A warning for each mapped cell of the record that began with TAB or CR
/// before it was trimmed (`leading_control`: their columns).
fn leading_controls(
    validator: &Validator<'_>,
    index: usize,
    row: &Row,
    leading_control: &[usize],
    mapping: &Mapping,
    out: &mut dyn FindingSink,
) {
    for field in Field::ALL {
        if mapping.column(field).is_some_and(|c| leading_control.contains(&c)) {
            validator.leading_control(index, row, field, out);
        }
    }
}

/// The finding of a file with a header but no rows (or a list with no address).
fn no_rows(mode: Mode) -> Finding {
    let message = if mode == Mode::List {
        "No email address was found. Paste one address per line, or a list separated by commas or semicolons."
    } else {
        "The file has a header line but no rows. Add one line per person below the header."
    };
    Finding::file(Code::NoRows, message)
}

/// Fills `row` with `record`'s mapped cells, each without the mark an export
/// put on a formula cell (see [`crate::export`]). The cells are swapped, not
/// copied: the row's old strings go back to the record, whose buffers the
/// reader refills, so a sink that copies rows out allocates nothing per row.
#[inline]
fn fill_row(row: &mut Row, record: &mut Record, mapping: &Mapping, mode: Mode) {
    row.line = record.line;
    row.valid = true;
    let fields = &mut record.fields;
    for field in Field::ALL {
        let cell = row.get_mut(field);
        match mapping.column(field).and_then(|c| fields.get_mut(c)) {
            Some(source) => {
                std::mem::swap(cell, source);
                source.clear();
                // A cell an export marked formula-safe loads as it was.
                if cell.starts_with('\'') && mode == Mode::Table {
                    let unmarked = export::undo_formula_safe(cell).len();
                    cell.drain(..cell.len() - unmarked);
                }
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
    use crate::{check, check_with_progress, domains, validate};

    #[test]
    fn the_rows_to_come_are_the_rest_of_the_text_at_the_first_rows_rate_and_a_tenth_more() {
        // 1024 rows of 50 bytes, in a text of 50 MB.
        assert_eq!(rows_to_come(1024, 51_200, 50_000_000), (50_000_000 - 51_200) / 50 + 102);
        // Rows longer than the text so far cannot make it divide by zero.
        assert_eq!(rows_to_come(1024, 0, 10), 10 + 102);
        // Nor can numbers that make no sense (a page passes a worker's on).
        assert_eq!(rows_to_come(0, 0, 10), 10);
        assert_eq!(rows_to_come(5, 20, 10), 0);
    }

    #[test]
    fn room_is_made_for_no_more_rows_than_the_row_limit_leaves() {
        // A hostile roster: 1024 rows of 8 bytes, then a 256 MB line. At
        // the first rows' rate the file holds 32M rows, and room for them
        // (the duplicate set's, the report's) took over a gigabyte, more
        // than a tab's wasm memory may have; a file over the row limit is
        // refused before its rows are read, so the rest holds fewer.
        let so_far = CheckProgress {
            bytes_done: 8 * 1024,
            bytes_total: 256 << 20,
            rows: 1024,
        };
        let limits = crate::limits::Limits::default();
        assert!(rows_to_come(1024, 8 * 1024, 256 << 20) > 30_000_000);
        assert_eq!(so_far.rows_to_come(limits.max_rows), Some(limits.max_rows - 1024));
    }

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
