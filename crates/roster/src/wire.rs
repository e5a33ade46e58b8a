//! The compact form of a [`Report`], for handing it from the worker that made
//! it to the page that shows it.
//!
//! A million rows as JSON objects cost the worker a serialisation and the page
//! a parse of every key; here every row is its line (as the step from the
//! row before, with the valid flag in its lowest bit: one byte) and its five
//! cells, each a length and UTF-8 bytes, in buffers that are transferred,
//! not copied. A finding names its column by the header's number and, when
//! its message is the one the last finding of the same code and field had
//! (an empty cell's, a recurring typo's), points back to it instead of
//! repeating it. Numbers are LEB128 varints (a cell's length is one byte);
//! versioned by a magic number; reading never panics and names what it found
//! wrong.
//!
//! The worker writes a report in pieces of about 256 KB ([`Encoded`]): a
//! buffer that grew by doubling would hold its old and new copies at once
//! and take twice the report's size at its peak, and the two pieces being
//! filled (rows, findings) are small beside even a small roster. Each full
//! piece goes to a [`PieceStore`] at once: the engine worker's copies it out
//! of wasm memory into a buffer it transfers to the page, and the encoder
//! writes the next piece into the same memory, so the report never takes
//! room (or fresh pages) in the worker's wasm memory. A check's findings
//! reach the encoder as it makes them ([`FindingSink`]), without a
//! [`Finding`] made and dropped for each.
//!
//! ```
//! use smime_bulk_roster::{check, wire, Options};
//! let report = check(b"Email\njane@example.com\n", &Options::default());
//! let bytes = wire::encode(&report);
//! assert_eq!(wire::decode(&bytes).unwrap(), report);
//! ```

use crate::csr::{CsrError, CsrInfo, KeyKind};
use crate::decode::TextEncoding;
use crate::domains::{Coverage, DomainCount, ValidatedDomains};
use crate::finding::{Code, Finding, FindingParts, FindingSink, Severity};
use crate::mapping::{Field, Mapping};
use crate::pass::{validate_records, Preview, RowSink};
use crate::report::{Mode, Report, Row};
use crate::sniff::Delimiter;
use crate::validate::{CsrOutcome, CsrOutcomes};
use crate::Options;
use std::fmt;

/// The first four bytes of an encoded report (format version 4).
const MAGIC: &[u8; 4] = b"SBR4";

/// The size at which [`Encoded`] starts its next piece.
const SEGMENT_BYTES: usize = 256 << 10;

/// Room past [`SEGMENT_BYTES`] for the value that crosses it (a longer one,
/// a cell of many kilobytes, grows its piece).
const SEGMENT_SLACK: usize = 16 << 10;

/// Why bytes are not an encoded report. Each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The bytes do not start with the magic number of this version.
    BadMagic,
    /// The bytes end in the middle of a value, at this offset.
    Truncated(usize),
    /// A tag byte is out of range, at this offset.
    BadTag(usize),
    /// A string is not UTF-8, at this offset.
    BadText(usize),
}

impl WireError {
    /// The stable code, e.g. `wire_truncated`.
    pub fn code(&self) -> &'static str {
        match self {
            WireError::BadMagic => "wire_bad_magic",
            WireError::Truncated(_) => "wire_truncated",
            WireError::BadTag(_) => "wire_bad_tag",
            WireError::BadText(_) => "wire_bad_text",
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::BadMagic => write!(f, "{}: not a report of this version", self.code()),
            WireError::Truncated(at) => write!(f, "{}: the report ends early, at byte {at}", self.code()),
            WireError::BadTag(at) => write!(f, "{}: an unknown value at byte {at}", self.code()),
            WireError::BadText(at) => write!(f, "{}: text that is not UTF-8 at byte {at}", self.code()),
        }
    }
}

impl std::error::Error for WireError {}

/// Encodes `report`.
pub fn encode(report: &Report) -> Vec<u8> {
    let mut encoder = ReportEncoder::new(report);
    for row in &report.rows {
        encoder.row(row, &mut KeepBuffers);
    }
    encoder.finish(report, &mut KeepBuffers).to_vec()
}

/// Where the pieces of an encoded report go as soon as each is full.
pub trait PieceStore {
    /// A piece as kept.
    type Piece;
    /// Keeps the bytes of `buffer`, a whole piece, and leaves `buffer` empty
    /// for the next one (taking it, or copying it and clearing it so that
    /// its memory is written again).
    fn keep(&mut self, buffer: &mut Vec<u8>) -> Self::Piece;
}

impl<S: PieceStore> PieceStore for &mut S {
    type Piece = S::Piece;

    fn keep(&mut self, buffer: &mut Vec<u8>) -> S::Piece {
        (**self).keep(buffer)
    }
}

/// Keeps each piece as the buffer it was written in.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepBuffers;

impl PieceStore for KeepBuffers {
    type Piece = Vec<u8>;

    fn keep(&mut self, buffer: &mut Vec<u8>) -> Vec<u8> {
        std::mem::take(buffer)
    }
}

/// An encoded report, in pieces of about 256 KB (see the module's
/// documentation) as its [`PieceStore`] kept them; its bytes are the pieces
/// end to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded<P = Vec<u8>> {
    segments: Vec<P>,
}

impl<P> Encoded<P> {
    /// The pieces, in order; none is empty.
    pub fn segments(&self) -> &[P] {
        &self.segments
    }

    /// The pieces, in order, to own.
    pub fn into_segments(self) -> Vec<P> {
        self.segments
    }
}

impl Encoded {
    /// The bytes in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        self.segments.concat()
    }
}

/// [`crate::check_with_progress`] straight into the compact form: each row
/// and each finding is written as soon as it is made and never kept, so a
/// million rows cost their encoded bytes and not a `Row` (or a `Finding`)
/// each. The bytes are exactly
/// `encode(&check_with_progress(bytes, options, on_progress))`'s, in pieces.
///
/// `preview` is filled with up to `preview_rows` records after the header,
/// every column as read (what [`crate::preview`] gives), in the same pass.
/// Each piece goes to `store` as soon as it is full.
pub fn check_with_progress<S: PieceStore>(
    bytes: &[u8],
    options: &Options,
    on_progress: &mut dyn FnMut(crate::CheckProgress),
    preview_rows: usize,
    mut store: S,
) -> (Encoded<S::Piece>, Vec<Vec<String>>) {
    let mut preview = Preview::new(preview_rows);
    let (report, sink) = crate::read(bytes, options.mode, |parsed, records| {
        validate_records(parsed, records, options, on_progress, &mut preview, |head| {
            EncodingSink {
                encoder: ReportEncoder::new(head),
                store: &mut store,
            }
        })
    });
    // A file that cannot be checked has no rows: its encoder starts at the end.
    let encoder = sink.map_or_else(|| ReportEncoder::new(&report), |sink| sink.encoder);
    (encoder.finish(&report, &mut store), preview.records)
}

/// The rows of a check going straight into an encoder, made from the
/// report's head before the first row.
struct EncodingSink<'s, S: PieceStore> {
    encoder: ReportEncoder<S::Piece>,
    store: &'s mut S,
}

impl<S: PieceStore> RowSink for EncodingSink<'_, S> {
    /// Nothing to reserve: the encoder grows a piece at a time.
    fn reserve(&mut self, _rows: usize) {}

    fn push(&mut self, row: &mut Row) {
        self.encoder.row(row, self.store);
    }

    fn take_findings(&mut self, findings: &mut Vec<Finding>) {
        for f in findings.drain(..) {
            self.encoder.early_finding(Part::of(&f), self.store);
        }
    }

    /// The rows' findings are encoded as they come.
    fn findings<'f>(&'f mut self, _report: &'f mut Vec<Finding>) -> &'f mut dyn FindingSink {
        self
    }
}

impl<S: PieceStore> FindingSink for EncodingSink<'_, S> {
    fn add(&mut self, f: FindingParts<'_>) {
        self.encoder.early_finding(Part::of_parts(&f), self.store);
    }
}

/// Bytes written in pieces of about [`SEGMENT_BYTES`], each handed to a
/// [`PieceStore`] once full.
struct Pieces<P> {
    /// The piece being filled (no buffer until the first byte).
    w: Writer,
    /// The pieces filled before it, as kept.
    kept: Vec<P>,
}

impl<P> Pieces<P> {
    fn new() -> Self {
        Pieces {
            w: Writer(Vec::new()),
            kept: Vec::new(),
        }
    }

    /// Hands this piece to `store` once it has its size (call between values).
    fn next_if_full<S: PieceStore<Piece = P>>(&mut self, store: &mut S) {
        if self.w.0.len() >= SEGMENT_BYTES {
            self.kept.push(store.keep(&mut self.w.0));
        }
    }

    /// The writer, with room for a piece.
    fn writer(&mut self) -> &mut Writer {
        if self.w.0.capacity() == 0 {
            self.w.0.reserve_exact(SEGMENT_BYTES + SEGMENT_SLACK);
        }
        &mut self.w
    }

    /// Every piece, in order, the last one kept too (if it has bytes).
    fn finish<S: PieceStore<Piece = P>>(mut self, store: &mut S) -> Vec<P> {
        if !self.w.0.is_empty() {
            self.kept.push(store.keep(&mut self.w.0));
        }
        self.kept
    }
}

/// Writes a report in four parts: its rows one at a time; findings handed
/// over meanwhile, in pieces of their own; then, once every row is written,
/// its head (with the row count) to go first, and the rest (findings,
/// coverage, CSR outcomes) to go last.
struct ReportEncoder<P> {
    /// Encoding, delimiter, mode, headers and mapping; the row count follows.
    head: Writer,
    body: Pieces<P>,
    rows: u32,
    /// The line of the row written last (0 before the first).
    last_line: u32,
    /// Findings encoded before the end (as many as `findings` has written
    /// until then).
    early: Pieces<P>,
    findings: FindingEncoder,
}

impl<P> ReportEncoder<P> {
    /// Writes `head`'s encoding, delimiter, mode, headers and mapping.
    fn new(head: &Report) -> Self {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u8(head
            .encoding
            .map_or(0, |e| 1 + ENCODINGS.iter().position(|x| *x == e).unwrap_or(0) as u8));
        w.u8(head
            .delimiter
            .map_or(0, |d| 1 + DELIMITERS.iter().position(|x| *x == d).unwrap_or(0) as u8));
        w.u8(MODES.iter().position(|m| *m == head.mode).unwrap_or(0) as u8);
        w.u32(head.headers.len() as u32);
        for h in &head.headers {
            w.str(h);
        }
        for field in Field::ALL {
            match (head.mapping.column(field), head.mapping.header(field)) {
                (Some(c), Some(h)) => {
                    w.u8(1);
                    w.u32(c as u32);
                    w.str(h);
                }
                _ => w.u8(0),
            }
        }
        ReportEncoder {
            head: w,
            body: Pieces::new(),
            rows: 0,
            last_line: 0,
            early: Pieces::new(),
            findings: FindingEncoder::new(&head.headers),
        }
    }

    fn row<S: PieceStore<Piece = P>>(&mut self, row: &Row, store: &mut S) {
        let w = self.body.writer();
        w.u64(u64::from(row.line.wrapping_sub(self.last_line)) << 1 | u64::from(row.valid));
        self.last_line = row.line;
        for field in Field::ALL {
            w.str(row.get(field));
        }
        w.opt_str(row.name_hint.as_deref());
        self.rows += 1;
        self.body.next_if_full(store);
    }

    /// A finding made before the end: it goes before the report's own.
    fn early_finding<S: PieceStore<Piece = P>>(&mut self, f: Part<'_>, store: &mut S) {
        self.findings.write(self.early.writer(), f);
        self.early.next_if_full(store);
    }

    /// Writes the head with the row count, and what follows the rows in
    /// `report`: the findings' count, the findings handed over early, then
    /// `report`'s, then the rest.
    fn finish<S: PieceStore<Piece = P>>(mut self, report: &Report, store: &mut S) -> Encoded<P> {
        self.head.u32(self.rows);
        let mut segments = vec![store.keep(&mut self.head.0)];
        // Every finding written so far was handed over early.
        self.body
            .writer()
            .u32(self.findings.written + report.findings.len() as u32);
        segments.extend(self.body.finish(store));
        segments.extend(self.early.finish(store));
        let mut rest = Pieces::new();
        for f in &report.findings {
            self.findings.write(rest.writer(), Part::of(f));
            rest.next_if_full(store);
        }
        let w = rest.writer();
        for list in [&report.coverage.validated, &report.coverage.uncovered] {
            w.u32(list.len() as u32);
            for d in list {
                w.str(&d.domain);
                w.u32(d.rows as u32);
            }
        }
        w.csr_outcomes(&report.csr_outcomes);
        segments.extend(rest.finish(store));
        Encoded { segments }
    }
}

/// A finding's parts as written, borrowed from a [`Finding`] or from the
/// [`FindingParts`] of a check.
struct Part<'a> {
    line: Option<u32>,
    column: Option<&'a str>,
    code: Code,
    severity: Severity,
    message: &'a str,
    suggestion: Option<&'a str>,
    row: Option<usize>,
    field: Option<Field>,
}

impl<'a> Part<'a> {
    fn of_parts(f: &'a FindingParts<'_>) -> Self {
        Part {
            line: f.line,
            column: f.column,
            code: f.code,
            severity: f.code.severity(),
            message: &f.message,
            suggestion: f.suggestion.as_deref(),
            row: f.row,
            field: f.field,
        }
    }

    fn of(f: &'a Finding) -> Self {
        Part {
            line: f.line,
            column: f.column.as_deref(),
            code: f.code,
            severity: f.severity,
            message: &f.message,
            suggestion: f.suggestion.as_deref(),
            row: f.row,
            field: f.field,
        }
    }
}

/// Writes findings, in the order the report holds them.
struct FindingEncoder {
    /// The report's headers: a finding's column is one of them (by number).
    headers: Vec<String>,
    /// Findings written so far.
    written: u32,
    /// For each code and field (code number × 6 + field number + 1, 0 for
    /// none), the number and message of the last finding of that code about
    /// that field.
    last: Vec<Option<(u32, String)>>,
}

impl FindingEncoder {
    fn new(headers: &[String]) -> Self {
        FindingEncoder {
            headers: headers.to_vec(),
            written: 0,
            last: vec![None; Code::ALL.len() * (Field::ALL.len() + 1)],
        }
    }

    /// Writes `f`: line, column (0: none, 1: the header as written next,
    /// 2 + n: header n), code, severity, message (0 and the text, or how many
    /// findings back the same message was written), suggestion, row, field.
    fn write(&mut self, w: &mut Writer, f: Part<'_>) {
        w.opt_u32(f.line);
        match f.column {
            None => w.u8(0),
            Some(column) => match self.headers.iter().position(|h| h == column) {
                Some(n) => w.u32(2 + n as u32),
                None => {
                    w.u8(1);
                    w.str(column);
                }
            },
        }
        let code = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
        w.u8(code as u8);
        w.u8(u8::from(f.severity == Severity::Warning));
        let number = self.written;
        let field = f.field.map_or(0, |f| 1 + f as usize);
        match &mut self.last[code * (Field::ALL.len() + 1) + field] {
            Some((before, message)) if message == f.message => {
                w.u32(number - *before);
                *before = number;
            }
            last => {
                w.u8(0);
                w.str(f.message);
                match last {
                    Some((before, message)) => {
                        *before = number;
                        message.clear();
                        message.push_str(f.message);
                    }
                    None => *last = Some((number, f.message.to_owned())),
                }
            }
        }
        w.opt_str(f.suggestion);
        w.opt_u32(f.row.map(|r| r as u32));
        w.u8(field as u8);
        self.written += 1;
    }
}

/// Encodes the outcomes of CSR checks (the worker's answer to an edited CSR).
pub fn encode_csr_outcomes(outcomes: &CsrOutcomes) -> Vec<u8> {
    let mut w = Writer(MAGIC.to_vec());
    w.csr_outcomes(outcomes);
    w.0
}

/// Decodes what [`encode_csr_outcomes`] wrote.
pub fn decode_csr_outcomes(bytes: &[u8]) -> Result<CsrOutcomes, WireError> {
    if !bytes.starts_with(MAGIC) {
        return Err(WireError::BadMagic);
    }
    Reader { bytes, at: MAGIC.len() }.csr_outcomes()
}

/// Decodes what [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Result<Report, WireError> {
    let mut decoder = ReportDecoder::new(bytes)?;
    while !decoder.decode_rows(usize::MAX)? {}
    decoder.finish()
}

/// Decodes a report a slice of rows at a time, so a page can decode a
/// million rows between frames instead of in one long task.
pub struct ReportDecoder<'a> {
    r: Reader<'a>,
    report: Report,
    rows_left: usize,
    /// Findings still to decode, once their count is read (after the rows).
    findings_left: Option<usize>,
}

impl<'a> ReportDecoder<'a> {
    /// Reads the head of an encoded report (everything before the rows).
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        if !bytes.starts_with(MAGIC) {
            return Err(WireError::BadMagic);
        }
        let mut r = Reader { bytes, at: MAGIC.len() };
        let mut report = Report {
            encoding: r.pick_opt(&ENCODINGS)?,
            delimiter: r.pick_opt(&DELIMITERS)?,
            mode: r.pick(&MODES)?,
            ..Report::default()
        };
        let n = r.len()?;
        report.headers = (0..n).map(|_| r.string()).collect::<Result<_, _>>()?;
        let mut mapping = Mapping::default();
        for field in Field::ALL {
            if r.flag()? {
                let column = r.u32()? as usize;
                mapping.set(field, column, r.string()?);
            }
        }
        report.mapping = mapping;
        let rows_left = r.len()?;
        report.rows.reserve(rows_left);
        Ok(ReportDecoder {
            r,
            report,
            rows_left,
            findings_left: None,
        })
    }

    /// The rows in all.
    pub fn rows_total(&self) -> usize {
        self.report.rows.len() + self.rows_left
    }

    /// Rows decoded so far.
    pub fn rows_done(&self) -> usize {
        self.report.rows.len()
    }

    /// Decodes up to `max` more findings (the rows first, if any are left);
    /// `true` once every finding is decoded.
    pub fn decode_findings(&mut self, max: usize) -> Result<bool, WireError> {
        while !self.decode_rows(usize::MAX)? {}
        let left = match self.findings_left {
            Some(left) => left,
            None => {
                let n = self.r.len()?;
                self.report.findings.reserve(n);
                n
            }
        };
        let now = max.min(left);
        let r = &mut self.r;
        let findings = &mut self.report.findings;
        for _ in 0..now {
            let line = r.opt_u32()?;
            let at = r.at;
            let column = match r.u32()? {
                0 => None,
                1 => Some(r.string()?),
                n => Some(
                    self.report
                        .headers
                        .get(n as usize - 2)
                        .ok_or(WireError::BadTag(at))?
                        .clone(),
                ),
            };
            let code = r.pick(&Code::ALL)?;
            let severity = if r.flag()? { Severity::Warning } else { Severity::Error };
            let at = r.at;
            let message = match r.u32()? {
                0 => r.string()?,
                back => findings
                    .len()
                    .checked_sub(back as usize)
                    .map(|i| findings[i].message.clone())
                    .ok_or(WireError::BadTag(at))?,
            };
            let suggestion = r.opt_string()?;
            let row = r.opt_u32()?.map(|x| x as usize);
            let field = r.pick_opt(&Field::ALL)?;
            findings.push(Finding {
                line,
                column,
                code,
                severity,
                message,
                suggestion,
                row,
                field,
            });
        }
        self.findings_left = Some(left - now);
        Ok(now == left)
    }

    /// Decodes up to `max` more rows; `true` once every row is decoded.
    pub fn decode_rows(&mut self, max: usize) -> Result<bool, WireError> {
        let r = &mut self.r;
        for _ in 0..max.min(self.rows_left) {
            let at = r.at;
            let step_and_valid = r.u64()?;
            let step = u32::try_from(step_and_valid >> 1).map_err(|_| WireError::BadTag(at))?;
            let line = self.report.rows.last().map_or(0, |row| row.line).wrapping_add(step);
            let valid = step_and_valid & 1 == 1;
            let mut row = Row {
                line,
                valid,
                ..Row::default()
            };
            for field in Field::ALL {
                *row.get_mut(field) = r.string()?;
            }
            row.name_hint = r.opt_string()?;
            self.report.rows.push(row);
            self.rows_left -= 1;
        }
        Ok(self.rows_left == 0)
    }

    /// Decodes the rest (findings, coverage, CSR outcomes) once every row is.
    pub fn finish(mut self) -> Result<Report, WireError> {
        while !self.decode_findings(usize::MAX)? {}
        let (r, mut report) = (&mut self.r, self.report);
        let mut lists = [Vec::new(), Vec::new()];
        for list in &mut lists {
            let n = r.len()?;
            for _ in 0..n {
                let domain = r.string()?;
                let rows = r.u32()? as usize;
                list.push(DomainCount { domain, rows });
            }
        }
        let [validated, uncovered] = lists;
        report.coverage = Coverage { validated, uncovered };
        report.csr_outcomes = r.csr_outcomes()?;
        Ok(report)
    }
}

/// Encodes what to check a roster against (the request to the worker).
pub fn encode_options(options: &Options) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.u8(MODES.iter().position(|m| *m == options.mode).unwrap_or(0) as u8);
    w.u8(u8::from(options.exact_domains));
    let domains: Vec<&str> = options.domains.iter().collect();
    w.u32(domains.len() as u32);
    for d in domains {
        w.str(d);
    }
    match &options.mapping {
        None => w.u8(0),
        Some(columns) => {
            w.u8(1);
            w.u32(columns.len() as u32);
            for c in columns {
                w.u8(c.map_or(0, |f| 1 + f as u8));
            }
        }
    }
    w.0
}

/// Decodes what [`encode_options`] wrote.
pub fn decode_options(bytes: &[u8]) -> Result<Options, WireError> {
    if !bytes.starts_with(MAGIC) {
        return Err(WireError::BadMagic);
    }
    let mut r = Reader { bytes, at: MAGIC.len() };
    let mode = r.pick(&MODES)?;
    let exact_domains = r.flag()?;
    let n = r.len()?;
    let at = r.at;
    let names = (0..n).map(|_| r.string()).collect::<Result<Vec<_>, _>>()?;
    // They were validated domains when encoded; parsing them again cannot fail
    // unless the bytes were tampered with.
    let domains = ValidatedDomains::parse(names.iter().map(String::as_str)).map_err(|_| WireError::BadTag(at))?;
    let mapping = if r.flag()? {
        let n = r.len()?;
        Some((0..n).map(|_| r.pick_opt(&Field::ALL)).collect::<Result<Vec<_>, _>>()?)
    } else {
        None
    };
    Ok(Options {
        mode,
        domains,
        exact_domains,
        mapping,
    })
}

const ENCODINGS: [TextEncoding; 5] = [
    TextEncoding::Utf8,
    TextEncoding::Utf8Bom,
    TextEncoding::Utf16Le,
    TextEncoding::Utf16Be,
    TextEncoding::Windows1252,
];
const DELIMITERS: [Delimiter; 4] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab, Delimiter::Pipe];
const MODES: [Mode; 3] = [Mode::Table, Mode::List, Mode::Auto];

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    /// A number as a LEB128 varint: seven bits a byte, low bits first.
    fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn u32(&mut self, v: u32) {
        self.u64(u64::from(v));
    }

    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }

    fn opt_u32(&mut self, v: Option<u32>) {
        match v {
            Some(v) => {
                self.u8(1);
                self.u32(v);
            }
            None => self.u8(0),
        }
    }

    fn csr_outcomes(&mut self, outcomes: &CsrOutcomes) {
        self.u32(outcomes.len() as u32);
        for (pem, outcome) in outcomes {
            self.str(pem);
            match outcome {
                Ok(info) => {
                    self.u8(0);
                    match &info.key {
                        KeyKind::Rsa(bits) => {
                            self.u8(0);
                            self.u32(*bits as u32);
                        }
                        other => self.u8(1 + KEYS.iter().position(|k| k == other).unwrap_or(0) as u8),
                    }
                    self.u32(info.emails.len() as u32);
                    for e in &info.emails {
                        self.str(e);
                    }
                    self.u8(u8::from(info.signature_verified));
                }
                Err(CsrError::Unreadable(why)) => {
                    self.u8(1);
                    self.str(why);
                }
                Err(CsrError::BadSignature(why)) => {
                    self.u8(2);
                    self.str(why);
                }
                Err(CsrError::WeakKey(bits)) => {
                    self.u8(3);
                    self.u32(*bits as u32);
                }
                Err(CsrError::Unsupported(why)) => {
                    self.u8(4);
                    self.str(why);
                }
            }
        }
    }
}

/// The key kinds without a parameter, in tag order (RSA is tag 0).
const KEYS: [KeyKind; 5] = [
    KeyKind::P256,
    KeyKind::P384,
    KeyKind::P521,
    KeyKind::Ed25519,
    KeyKind::Ed448,
];

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(WireError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    /// A LEB128 varint of a value of at most `bits` bits, in as few bytes
    /// as hold them (five for 32 bits, ten for 64); anything longer or larger
    /// is an error.
    fn varint(&mut self, bits: u32) -> Result<u64, WireError> {
        let at = self.at;
        let mut value: u64 = 0;
        let mut shift = 0;
        while shift < bits {
            let byte = self.u8()?;
            let part = u64::from(byte & 0x7f);
            if bits - shift < 7 && part >> (bits - shift) != 0 {
                return Err(WireError::BadTag(at));
            }
            value |= part << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
        Err(WireError::BadTag(at))
    }

    fn u64(&mut self) -> Result<u64, WireError> {
        self.varint(64)
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        // At most 32 bits: the cast keeps every one.
        self.varint(32).map(|v| v as u32)
    }

    /// A count, checked against what is left so a corrupt count cannot make
    /// the reader reserve gigabytes: every item takes at least one byte.
    fn len(&mut self) -> Result<usize, WireError> {
        let at = self.at;
        let n = self.u32()? as usize;
        if n > self.bytes.len() - self.at {
            return Err(WireError::Truncated(at));
        }
        Ok(n)
    }

    fn flag(&mut self) -> Result<bool, WireError> {
        let at = self.at;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(WireError::BadTag(at)),
        }
    }

    fn string(&mut self) -> Result<String, WireError> {
        let n = self.u32()? as usize;
        let at = self.at;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| WireError::BadText(at))
    }

    fn opt_string(&mut self) -> Result<Option<String>, WireError> {
        if self.flag()? {
            self.string().map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_u32(&mut self) -> Result<Option<u32>, WireError> {
        if self.flag()? {
            self.u32().map(Some)
        } else {
            Ok(None)
        }
    }

    fn csr_outcomes(&mut self) -> Result<CsrOutcomes, WireError> {
        let n = self.len()?;
        let mut out = CsrOutcomes::new();
        for _ in 0..n {
            let pem = self.string()?;
            let at = self.at;
            let outcome: CsrOutcome = match self.u8()? {
                0 => {
                    let key = match self.u8()? {
                        0 => KeyKind::Rsa(self.u32()? as usize),
                        i => KEYS.get(i as usize - 1).cloned().ok_or(WireError::BadTag(at + 1))?,
                    };
                    let n = self.len()?;
                    let emails = (0..n).map(|_| self.string()).collect::<Result<_, _>>()?;
                    Ok(CsrInfo {
                        key,
                        emails,
                        signature_verified: self.flag()?,
                    })
                }
                1 => Err(CsrError::Unreadable(self.string()?)),
                2 => Err(CsrError::BadSignature(self.string()?)),
                3 => Err(CsrError::WeakKey(self.u32()? as usize)),
                4 => Err(CsrError::Unsupported(self.string()?)),
                _ => return Err(WireError::BadTag(at)),
            };
            out.insert(pem, outcome);
        }
        Ok(out)
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> Result<T, WireError> {
        let at = self.at;
        let i = self.u8()? as usize;
        from.get(i).copied().ok_or(WireError::BadTag(at))
    }

    fn pick_opt<T: Copy>(&mut self, from: &[T]) -> Result<Option<T>, WireError> {
        let at = self.at;
        match self.u8()? as usize {
            0 => Ok(None),
            i => from.get(i - 1).copied().map(Some).ok_or(WireError::BadTag(at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::ValidatedDomains;
    use crate::{check, Options};

    fn sample() -> Report {
        let csv = "First Name;Last Name;Email;Country;Csr\r\nJane;Doe;jane@example.com;uk;\r\n;Ünal;bad@;DE;\r\n\
                   Bob;Li;jane@example.com;FR;x\r\nA;B;c@other.org;ZZ\r\n";
        let options = Options {
            domains: ValidatedDomains::parse(["example.com"]).unwrap(),
            ..Options::default()
        };
        check(csv.as_bytes(), &options)
    }

    #[test]
    fn a_report_survives_the_round_trip_unchanged() {
        let report = sample();
        assert!(report.findings.len() > 5 && report.rows.len() == 4);
        assert_eq!(decode(&encode(&report)).unwrap(), report);
    }

    #[test]
    fn csr_outcomes_of_every_kind_survive_the_round_trip() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/csr");
        let mut csv = String::from("Email,Csr\n");
        let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        for path in &names {
            let pem = std::fs::read_to_string(path).unwrap();
            csv.push_str(&format!("jane@example.com,\"{}\"\n", pem.trim()));
        }
        csv.push_str("bob@example.com,not a csr\n");
        let report = check(csv.as_bytes(), &Options::default());
        let kinds: std::collections::BTreeSet<String> = report
            .csr_outcomes
            .values()
            .map(|o| match o {
                Ok(info) => format!("{:?}", info.key),
                Err(e) => format!("{e:?}").split('(').next().unwrap_or_default().to_owned(),
            })
            .collect();
        assert!(kinds.len() >= 9, "{kinds:?}");
        assert_eq!(decode(&encode(&report)).unwrap(), report);
        assert_eq!(
            decode_csr_outcomes(&encode_csr_outcomes(&report.csr_outcomes)).unwrap(),
            report.csr_outcomes
        );
    }

    #[test]
    fn decoding_in_slices_gives_the_same_report() {
        let report = sample();
        let bytes = encode(&report);
        let mut decoder = ReportDecoder::new(&bytes).unwrap();
        assert_eq!(decoder.rows_total(), 4);
        let mut steps = 0;
        while !decoder.decode_rows(1).unwrap() {
            steps += 1;
            assert_eq!(decoder.rows_done(), steps);
        }
        let mut slices = 0;
        while !decoder.decode_findings(2).unwrap() {
            slices += 1;
        }
        assert_eq!(slices, report.findings.len().div_ceil(2) - 1);
        assert_eq!(decoder.finish().unwrap(), report);
    }

    #[test]
    fn an_unusable_file_survives_too() {
        let report = check(b"PK\x03\x04\x00\x00", &Options::default());
        assert_eq!(decode(&encode(&report)).unwrap(), report);
    }

    #[test]
    fn options_survive_the_round_trip() {
        let options = Options {
            mode: Mode::Auto,
            domains: ValidatedDomains::parse(["example.com", "bücher.example"]).unwrap(),
            exact_domains: true,
            mapping: Some(vec![Some(Field::Email), None, Some(Field::Country)]),
        };
        let back = decode_options(&encode_options(&options)).unwrap();
        assert_eq!(
            (back.mode, back.exact_domains, &back.mapping),
            (options.mode, true, &options.mapping)
        );
        assert_eq!(
            back.domains.iter().collect::<Vec<_>>(),
            options.domains.iter().collect::<Vec<_>>()
        );
        let plain = decode_options(&encode_options(&Options::default())).unwrap();
        assert!(plain.domains.is_empty() && plain.mapping.is_none());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "{n} bytes decoded");
        }
    }

    #[test]
    fn numbers_are_varints_and_a_bad_one_is_an_error() {
        for v in [0u32, 1, 0x7f, 0x80, 0x3fff, 0x4000, u32::MAX] {
            let mut w = Writer(Vec::new());
            w.u32(v);
            let expected = match v {
                0..=0x7f => 1,
                0x80..=0x3fff => 2,
                0x4000..=0x1f_ffff => 3,
                _ => 5,
            };
            assert_eq!(w.0.len(), expected, "{v:#x}");
            assert_eq!(Reader { bytes: &w.0, at: 0 }.u32(), Ok(v));
        }
        // Over 32 bits, and longer than five bytes.
        assert_eq!(
            Reader {
                bytes: &[0xff, 0xff, 0xff, 0xff, 0x1f],
                at: 0
            }
            .u32(),
            Err(WireError::BadTag(0))
        );
        assert_eq!(
            Reader {
                bytes: &[0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
                at: 0
            }
            .u32(),
            Err(WireError::BadTag(0))
        );
        assert_eq!(
            Reader {
                bytes: &[0x80, 0x80],
                at: 0
            }
            .u32(),
            Err(WireError::Truncated(2))
        );
        for v in [0u64, 0x7f, 1 << 35, u64::MAX] {
            let mut w = Writer(Vec::new());
            w.u64(v);
            assert_eq!(Reader { bytes: &w.0, at: 0 }.u64(), Ok(v));
        }
        // Over 64 bits, and longer than ten bytes.
        let mut over = vec![0xff; 9];
        over.push(0x02);
        assert_eq!(Reader { bytes: &over, at: 0 }.u64(), Err(WireError::BadTag(0)));
        let mut long = vec![0x80; 10];
        long.push(0x00);
        assert_eq!(Reader { bytes: &long, at: 0 }.u64(), Err(WireError::BadTag(0)));
    }

    #[test]
    fn a_message_repeated_for_the_same_code_and_field_is_written_once() {
        let (csv, options) = roster(300, 3);
        let report = check(csv.as_bytes(), &options);
        let invalid: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.code == Code::CountryInvalid)
            .collect();
        assert_eq!(invalid.len(), 100);
        assert!(invalid
            .iter()
            .all(|f| f.message == invalid[0].message && f.column.as_deref() == Some("Country")));
        let bytes = encode(&report);
        let times = bytes
            .windows(invalid[0].message.len())
            .filter(|w| *w == invalid[0].message.as_bytes())
            .count();
        assert_eq!(times, 1, "the message is written {times} times");
        assert_eq!(decode(&bytes).unwrap(), report);
        // Rows take a byte for the line and the valid flag, then their cells.
        let cells: usize = report
            .rows
            .iter()
            .map(|r| Field::ALL.iter().map(|&f| 1 + r.get(f).len()).sum::<usize>() + 1)
            .sum();
        assert!(
            bytes.len() < cells + report.rows.len() + 40 * invalid.len() + 200,
            "{} bytes",
            bytes.len()
        );
    }

    #[test]
    fn a_finding_whose_column_is_no_header_keeps_its_text() {
        let mut report = sample();
        report.findings[0].column = Some("Not a header".into());
        report.findings[1].column = None;
        assert_eq!(decode(&encode(&report)).unwrap(), report);
    }

    /// The bytes of a report with one header (`Email`, mapped) and nothing
    /// else, up to where its rows begin.
    fn head(rows: u32) -> Writer {
        let mut w = Writer(MAGIC.to_vec());
        w.u8(1); // UTF-8
        w.u8(1); // comma
        w.u8(0); // table
        w.u32(1);
        w.str("Email");
        for field in Field::ALL {
            if field == Field::Email {
                w.u8(1);
                w.u32(0);
                w.str("Email");
            } else {
                w.u8(0);
            }
        }
        w.u32(rows);
        w
    }

    #[test]
    fn references_out_of_range_are_errors_not_panics() {
        // A row whose line is more than 32 bits past the row before.
        let mut w = head(1);
        let at = w.0.len();
        w.u64(1 << 33);
        assert_eq!(decode(&w.0), Err(WireError::BadTag(at)));
        // A finding: no line, then a column, code, severity and message.
        let finding = |column: u32, message_back: u32| {
            let mut w = head(0);
            w.u32(1);
            w.u8(0);
            let column_at = w.0.len();
            w.u32(column);
            w.u8(0);
            w.u8(0);
            let message_at = w.0.len();
            w.u32(message_back);
            if message_back == 0 {
                w.str("text");
            }
            w.u8(0);
            w.u8(0);
            w.u8(0);
            (w.0, column_at, message_at)
        };
        // Header number 1 of a report with one header.
        let (bytes, column_at, _) = finding(3, 0);
        assert_eq!(decode(&bytes), Err(WireError::BadTag(column_at)));
        // The message of a finding before the first.
        let (bytes, _, message_at) = finding(2, 1);
        assert_eq!(decode(&bytes), Err(WireError::BadTag(message_at)));
        // Header number 0, a message of its own: these bytes are fine.
        let (mut bytes, _, _) = finding(2, 0);
        let mut w = Writer(Vec::new());
        w.u32(0);
        w.u32(0);
        w.u32(0);
        bytes.extend_from_slice(&w.0);
        let report = decode(&bytes).unwrap();
        assert_eq!(
            (
                report.findings[0].column.as_deref(),
                report.findings[0].message.as_str()
            ),
            (Some("Email"), "text")
        );
    }

    fn roster(rows: usize, every: usize) -> (String, Options) {
        let mut csv = String::from("First Name,Last Name,Email,Country\n");
        for i in 0..rows {
            csv.push_str(&format!(
                "Jane{i},Doe,jane{i}@example.com,{}\n",
                if i % every == 0 { "UK" } else { "GB" }
            ));
        }
        (
            csv,
            Options {
                domains: ValidatedDomains::parse(["example.com"]).unwrap(),
                ..Options::default()
            },
        )
    }

    #[test]
    fn a_large_report_is_written_in_pieces_that_decode_as_one() {
        let (csv, options) = roster(40_000, 9);
        let (encoded, _) = check_with_progress(csv.as_bytes(), &options, &mut |_| {}, 0, KeepBuffers);
        let pieces = encoded.segments();
        assert!(
            pieces.len() >= 2,
            "{} bytes in {} piece(s)",
            encoded.to_vec().len(),
            pieces.len()
        );
        // The head; rows, then findings: each stops at the first value
        // boundary past its size, so at most one piece of each is short.
        assert!(pieces.iter().filter(|p| p.len() < SEGMENT_BYTES).count() <= 4);
        for piece in pieces {
            assert!(piece.len() < SEGMENT_BYTES + 4096, "{}", piece.len());
            assert!(
                piece.capacity() <= SEGMENT_BYTES + SEGMENT_SLACK,
                "a piece grew: {}",
                piece.capacity()
            );
        }
        let report = check(csv.as_bytes(), &options);
        assert_eq!(encoded.to_vec(), encode(&report));
        assert_eq!(decode(&encoded.to_vec()).unwrap(), report);
    }

    /// Copies each piece out and writes the next into the same buffer, as
    /// the engine worker's store does; notes which buffers it was given.
    #[derive(Default)]
    struct CopyOut {
        buffers: std::collections::HashSet<usize>,
    }

    impl PieceStore for CopyOut {
        type Piece = Vec<u8>;

        fn keep(&mut self, buffer: &mut Vec<u8>) -> Vec<u8> {
            self.buffers.insert(buffer.as_ptr() as usize);
            let copy = buffer.clone();
            buffer.clear();
            copy
        }
    }

    #[test]
    fn a_store_that_copies_pieces_out_gets_the_same_bytes_from_one_buffer_per_part() {
        // Every third row has a finding: the findings fill pieces too.
        let (csv, options) = roster(60_000, 3);
        let mut store = CopyOut::default();
        let (encoded, _) = check_with_progress(csv.as_bytes(), &options, &mut |_| {}, 0, &mut store);
        let pieces = encoded.into_segments();
        assert!(pieces.len() >= 5, "{} pieces", pieces.len());
        assert!(pieces.iter().all(|p| !p.is_empty()));
        // Head, rows, early findings, the rest: one buffer each, reused.
        assert!(
            store.buffers.len() <= 4,
            "{} buffers for {} pieces",
            store.buffers.len(),
            pieces.len()
        );
        assert_eq!(pieces.concat(), encode(&check(csv.as_bytes(), &options)));
    }

    #[test]
    fn corrupt_bytes_never_panic() {
        let bytes = encode(&sample());
        for i in 4..bytes.len() {
            for v in [0u8, 2, 0x7F, 0xFF] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = decode(&b);
            }
        }
        assert_eq!(decode(b"JSON{}"), Err(WireError::BadMagic));
    }
}
