//! Writing a report: [`encode`] for a report in hand, and
//! [`check_with_progress`] for a check whose rows and findings are written
//! as they are made, in pieces handed to a [`PieceStore`] as each fills.

use super::bytes::Writer;
use super::{code_number, DELIMITERS, ENCODINGS, MAGIC, MODES};
use crate::finding::{Code, Finding, FindingParts, FindingSink, Severity};
use crate::mapping::Field;
use crate::pass::{validate_records, Preview, RowSink};
use crate::report::{Report, Row};
use crate::Options;

/// The size at which a piece is full: the next value starts the next one.
pub(super) const PIECE_BYTES: usize = 256 << 10;

/// Room past [`PIECE_BYTES`] for the value that crosses it (a longer one,
/// a cell of many kilobytes, grows its piece).
pub(super) const PIECE_SLACK: usize = 16 << 10;

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

    /// Called with each piece that holds only rows, as soon as it is kept:
    /// such a piece ends between two rows, and the rows' pieces come in
    /// order, so a reader may decode them ([`super::RowPieces`]) while the
    /// check goes on. The report's other parts come only at its end. These
    /// pieces are the first after the head in [`ReportPieces`]; a store that
    /// hands them on sends the rest with [`ReportPieces::into_rest`].
    fn rows_kept(&mut self, _piece: &Self::Piece) {}
}

impl<S: PieceStore> PieceStore for &mut S {
    type Piece = S::Piece;

    fn keep(&mut self, buffer: &mut Vec<u8>) -> S::Piece {
        (**self).keep(buffer)
    }

    fn rows_kept(&mut self, piece: &S::Piece) {
        (**self).rows_kept(piece)
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
pub struct ReportPieces<P = Vec<u8>> {
    pieces: Vec<P>,
    /// How many were handed to [`PieceStore::rows_kept`] (those after the head).
    rows_kept: usize,
}

impl<P> ReportPieces<P> {
    /// The pieces, in order; none is empty.
    pub fn pieces(&self) -> &[P] {
        &self.pieces
    }

    /// The pieces, in order, to own.
    pub fn into_pieces(self) -> Vec<P> {
        self.pieces
    }

    /// The pieces [`PieceStore::rows_kept`] was not given, in order: the
    /// head, then what follows the rows it was given. A reader that decoded
    /// those rows takes the report over from these
    /// ([`super::ReportDecoder::after_rows`]).
    pub fn into_rest(self) -> Vec<P> {
        let mut pieces = self.pieces.into_iter();
        let head = pieces.next();
        head.into_iter().chain(pieces.skip(self.rows_kept)).collect()
    }
}

impl ReportPieces {
    /// The bytes in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        self.pieces.concat()
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
) -> (ReportPieces<S::Piece>, Vec<Vec<String>>) {
    let mut preview = Preview::new(preview_rows);
    let (report, sink) = crate::read_as(bytes, options, |parsed, records| {
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

/// Bytes written in pieces of about [`PIECE_BYTES`], each handed to a
/// [`PieceStore`] once full.
struct PieceWriter<P> {
    /// The piece being filled (no buffer until the first byte).
    w: Writer,
    /// The pieces filled before it, as kept.
    kept: Vec<P>,
}

impl<P> PieceWriter<P> {
    fn new() -> Self {
        PieceWriter {
            w: Writer(Vec::new()),
            kept: Vec::new(),
        }
    }

    /// Hands this piece to `store` once it has its size (call between
    /// values); returns it if it did.
    fn next_if_full<S: PieceStore<Piece = P>>(&mut self, store: &mut S) -> Option<&P> {
        if self.w.0.len() >= PIECE_BYTES {
            self.kept.push(store.keep(&mut self.w.0));
            return self.kept.last();
        }
        None
    }

    /// The writer, with room for a piece.
    fn writer(&mut self) -> &mut Writer {
        if self.w.0.capacity() == 0 {
            self.w.0.reserve_exact(PIECE_BYTES + PIECE_SLACK);
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
    /// Encoding, delimiter, mode, headers, mapping and sheet; the row count follows.
    head: Writer,
    body: PieceWriter<P>,
    rows: u32,
    /// The pieces of rows handed to [`PieceStore::rows_kept`].
    rows_kept: usize,
    /// The line of the row written last (0 before the first).
    last_line: u32,
    /// Findings encoded before the end (as many as `findings` has written
    /// until then).
    early: PieceWriter<P>,
    findings: FindingEncoder,
}

impl<P> ReportEncoder<P> {
    /// Writes `head`'s encoding, delimiter, mode, headers, mapping and sheet.
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
        match &head.sheet {
            None => w.u8(0),
            Some(sheet) => {
                w.u8(1);
                w.str(&sheet.name);
                w.u32(sheet.names.len() as u32);
                for name in &sheet.names {
                    w.str(name);
                }
                w.u32(sheet.first_column);
                w.u8(u8::from(sheet.had_macros));
            }
        }
        ReportEncoder {
            head: w,
            body: PieceWriter::new(),
            rows: 0,
            rows_kept: 0,
            last_line: 0,
            early: PieceWriter::new(),
            findings: FindingEncoder::new(&head.headers),
        }
    }

    fn row<S: PieceStore<Piece = P>>(&mut self, row: &Row, store: &mut S) {
        let w = self.body.writer();
        let has_key = row.key != 0;
        w.u64(u64::from(row.line.wrapping_sub(self.last_line)) << 2 | u64::from(has_key) << 1 | u64::from(row.valid));
        if has_key {
            w.fixed_u64(row.key);
        }
        self.last_line = row.line;
        for field in Field::ALL {
            w.str(row.get(field));
        }
        w.opt_str(row.name_hint.as_deref());
        self.rows += 1;
        if let Some(piece) = self.body.next_if_full(store) {
            store.rows_kept(piece);
            self.rows_kept += 1;
        }
    }

    /// A finding made before the end: it goes before the report's own.
    fn early_finding<S: PieceStore<Piece = P>>(&mut self, f: Part<'_>, store: &mut S) {
        self.findings.write(self.early.writer(), f);
        self.early.next_if_full(store);
    }

    /// Writes the head with the row count, and what follows the rows in
    /// `report`: the findings' count, the findings handed over early, then
    /// `report`'s, then the rest.
    fn finish<S: PieceStore<Piece = P>>(mut self, report: &Report, store: &mut S) -> ReportPieces<P> {
        self.head.u32(self.rows);
        let mut pieces = vec![store.keep(&mut self.head.0)];
        // Every finding written so far was handed over early.
        self.body
            .writer()
            .u32(self.findings.written + report.findings.len() as u32);
        pieces.extend(self.body.finish(store));
        pieces.extend(self.early.finish(store));
        let mut rest = PieceWriter::new();
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
        pieces.extend(rest.finish(store));
        ReportPieces {
            pieces,
            rows_kept: self.rows_kept,
        }
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
        let code = code_number(f.code);
        w.u8(code);
        w.u8(u8::from(f.severity == Severity::Warning));
        let number = self.written;
        let field = f.field.map_or(0, |f| 1 + f as usize);
        match &mut self.last[usize::from(code) * (Field::ALL.len() + 1) + field] {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::ValidatedDomains;
    use crate::wire::decode;
    use crate::{check, Options};

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
        // Rows take a byte for the line and two flags, 8 for the key's hash
        // (every address here is one), then their cells.
        let cells: usize = report
            .rows
            .iter()
            .map(|r| Field::ALL.iter().map(|&f| 1 + r.get(f).len()).sum::<usize>() + 1)
            .sum();
        assert!(
            bytes.len() < cells + report.rows.len() * 9 + 40 * invalid.len() + 200,
            "{} bytes",
            bytes.len()
        );
    }

    #[test]
    fn a_large_report_is_written_in_pieces_that_decode_as_one() {
        let (csv, options) = roster(40_000, 9);
        let (encoded, _) = check_with_progress(csv.as_bytes(), &options, &mut |_| {}, 0, KeepBuffers);
        let pieces = encoded.pieces();
        assert!(
            pieces.len() >= 2,
            "{} bytes in {} piece(s)",
            encoded.to_vec().len(),
            pieces.len()
        );
        // The head; rows, then findings: each stops at the first value
        // boundary past its size, so at most one piece of each is short.
        assert!(pieces.iter().filter(|p| p.len() < PIECE_BYTES).count() <= 4);
        for piece in pieces {
            assert!(piece.len() < PIECE_BYTES + 4096, "{}", piece.len());
            assert!(
                piece.capacity() <= PIECE_BYTES + PIECE_SLACK,
                "a piece grew: {}",
                piece.capacity()
            );
        }
        let report = check(csv.as_bytes(), &options);
        assert_eq!(encoded.to_vec(), encode(&report));
        assert_eq!(decode(&encoded.to_vec()).unwrap(), report);
    }

    /// Hands each piece of rows on as it is kept, as the engine worker's
    /// store posts it to the page.
    #[derive(Default)]
    struct HandOn {
        rows: Vec<Vec<u8>>,
        /// Pieces kept before the last piece of rows was handed on.
        kept_before_last_rows: usize,
        kept: usize,
    }

    impl PieceStore for HandOn {
        type Piece = Vec<u8>;

        fn keep(&mut self, buffer: &mut Vec<u8>) -> Vec<u8> {
            self.kept += 1;
            std::mem::take(buffer)
        }

        fn rows_kept(&mut self, piece: &Vec<u8>) {
            self.rows.push(piece.clone());
            self.kept_before_last_rows = self.kept;
        }
    }

    #[test]
    fn rows_decoded_as_they_are_kept_and_the_rest_make_the_same_report() {
        let (csv, options) = roster(60_000, 3);
        let mut store = HandOn::default();
        let (encoded, _) = check_with_progress(csv.as_bytes(), &options, &mut |_| {}, 0, &mut store);
        assert!(store.rows.len() >= 5, "{} pieces of rows", store.rows.len());
        // Handed on as they were made: the last before the check's end, when
        // the head and the last pieces are kept.
        assert!(
            store.kept_before_last_rows + 3 <= store.kept,
            "{} of {}",
            store.kept_before_last_rows,
            store.kept
        );
        let mut rows = super::super::RowPieces::default();
        for piece in &store.rows {
            rows.decode(piece).unwrap();
        }
        let streamed = rows.len();
        assert!(streamed > 0 && streamed < 60_000);
        let rest = encoded.clone().into_rest();
        assert_eq!(rest.len() + store.rows.len(), encoded.pieces().len());
        let rest = rest.concat();
        let mut decoder = super::super::ReportDecoder::after_rows(&rest, rows).unwrap();
        assert_eq!((decoder.rows_total(), decoder.rows_done()), (60_000, streamed));
        while !decoder.decode_rows(1000).unwrap() {}
        assert_eq!(decoder.finish().unwrap(), check(csv.as_bytes(), &options));
        // A piece cut short, or the rest read without its rows, is an error.
        let mut cut = super::super::RowPieces::default();
        let piece = &store.rows[0];
        assert!(cut.decode(&piece[..piece.len() - 1]).is_err());
        assert!(super::super::ReportDecoder::new(&rest)
            .and_then(|mut d| d.decode_rows(usize::MAX))
            .is_err());
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
        let pieces = encoded.into_pieces();
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
}
