//! Reading a report back: its head, then its rows and findings a slice at a
//! time ([`ReportDecoder`]), then the rest; or its rows first, a piece at a
//! time as the check makes them ([`RowPieces`]), then the rest.

use super::bytes::Reader;
use super::{WireError, DELIMITERS, ENCODINGS, MAGIC, MODES};
use crate::domains::{Coverage, DomainCount};
use crate::finding::{Code, Finding, Severity};
use crate::mapping::{Field, Mapping};
use crate::report::{Report, Row};
use crate::sheet::SheetSource;

/// Decodes what [`encode`](super::encode) wrote.
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

/// The rows of a report being made, decoded from the pieces of rows a
/// check hands to [`PieceStore::rows_kept`](super::PieceStore::rows_kept),
/// in order; then [`ReportDecoder::after_rows`] takes the rest.
#[derive(Debug)]
pub struct RowPieces {
    rows: Vec<Row>,
    /// Bytes decoded so far (an error's offset counts from the first piece).
    read: usize,
    /// The check's row limit ([`crate::limits::Limits::max_rows`]).
    max_rows: usize,
    /// Whether [`RowPieces::reserve_once`] made room.
    reserved: bool,
}

impl Default for RowPieces {
    fn default() -> Self {
        RowPieces::up_to(crate::limits::DEFAULT_MAX_ROWS)
    }
}

impl RowPieces {
    /// No rows yet, of a check whose row limit is `max_rows`.
    pub fn up_to(max_rows: usize) -> Self {
        RowPieces {
            rows: Vec::new(),
            read: 0,
            max_rows,
            reserved: false,
        }
    }

    /// Decodes the rows of `piece`, the next piece of rows.
    pub fn decode(&mut self, piece: &[u8]) -> Result<(), WireError> {
        let mut r = Reader { bytes: piece, at: 0 };
        while r.at < piece.len() {
            let last_line = self.rows.last().map_or(0, |row| row.line);
            let row = read_row(&mut r, last_line).map_err(|e| e.shifted(self.read))?;
            self.rows.push(row);
        }
        self.read += piece.len();
        Ok(())
    }

    /// Makes room, the first time it is called with a row read, for the
    /// rows the check's `progress` says are coming
    /// ([`crate::CheckProgress::rows_to_come`], within the row limit), and
    /// returns how many more than those decoded that is, for the caller's
    /// own room ([`crate::editor::KeyIndex::reserve`]); `None` later (later
    /// reports only refine the guess, and room made again would copy every
    /// row so far). Rows doubled into place instead are copied twenty times
    /// over at a million, on the page's thread while the check goes on.
    pub fn reserve_once(&mut self, progress: &crate::CheckProgress) -> Option<usize> {
        if self.reserved {
            return None;
        }
        let to_come = progress.rows_to_come(self.max_rows)?;
        let more = (progress.rows + to_come).saturating_sub(self.rows.len());
        self.rows.reserve_exact(more);
        self.reserved = true;
        Some(more)
    }

    /// Rows decoded so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The rows decoded so far, in order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Reads one row, whose line follows `last_line`.
#[inline(always)]
fn read_row(r: &mut Reader<'_>, last_line: u32) -> Result<Row, WireError> {
    let at = r.at;
    let step_and_flags = r.u64()?;
    let step = u32::try_from(step_and_flags >> 2).map_err(|_| WireError::BadTag(at))?;
    let valid = step_and_flags & 1 == 1;
    let key = if step_and_flags & 2 == 2 {
        let at = r.at;
        // 0 means "no key": a row that says it has one must not hold it.
        Some(r.fixed_u64()?).filter(|&k| k != 0).ok_or(WireError::BadTag(at))?
    } else {
        0
    };
    let mut row = Row {
        line: last_line.wrapping_add(step),
        valid,
        key,
        ..Row::default()
    };
    for field in Field::ALL {
        *row.get_mut(field) = r.string()?;
    }
    row.name_hint = r.opt_string()?;
    Ok(row)
}

impl<'a> ReportDecoder<'a> {
    /// Reads the head of an encoded report (everything before the rows).
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        Self::after_rows(bytes, RowPieces::default())
    }

    /// Reads the head of the pieces of a report that
    /// [`ReportPieces::into_rest`](super::ReportPieces::into_rest) gave (end to
    /// end), whose first rows `rows` decoded; the rest of the rows follow.
    pub fn after_rows(bytes: &'a [u8], rows: RowPieces) -> Result<Self, WireError> {
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
        report.sheet = if r.flag()? {
            let name = r.string()?;
            let n = r.len()?;
            let names = (0..n).map(|_| r.string()).collect::<Result<_, _>>()?;
            Some(SheetSource {
                name,
                names,
                first_column: r.u32()?,
                had_macros: r.flag()?,
            })
        } else {
            None
        };
        let at = r.at;
        let total = r.u32()? as usize;
        // Each row left takes a byte at least: a corrupt count reserves nothing.
        let rows_left = total
            .checked_sub(rows.rows.len())
            .filter(|&left| left <= r.bytes.len() - r.at)
            .ok_or(WireError::Truncated(at))?;
        report.rows = rows.rows;
        report.rows.reserve_exact(rows_left);
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
        for _ in 0..max.min(self.rows_left) {
            let last_line = self.report.rows.last().map_or(0, |row| row.line);
            let row = read_row(&mut self.r, last_line)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::bytes::Writer;
    use crate::wire::encode;
    use crate::wire::tests::sample;

    #[test]
    fn room_for_the_rows_to_come_is_made_once_and_within_the_row_limit() {
        let halfway = crate::CheckProgress {
            bytes_done: 1_000,
            bytes_total: 2_000,
            rows: 100,
        };
        let mut pieces = RowPieces::up_to(1_000_000);
        // 100 rows read, 100 more at their rate and a tenth of them: 210 in all.
        assert_eq!(pieces.reserve_once(&halfway), Some(210));
        assert!(pieces.rows.capacity() >= 210);
        assert_eq!(pieces.reserve_once(&halfway), None, "room is made once");
        // Short rows first, then a long rest: no room beyond the limit.
        let mut limited = RowPieces::up_to(150);
        assert_eq!(limited.reserve_once(&halfway), Some(150));
        // Before the first row there is nothing to go by.
        let mut early = RowPieces::default();
        assert_eq!(early.reserve_once(&crate::CheckProgress::default()), None);
        assert!(early.reserve_once(&halfway).is_some());
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
        w.u8(0); // no sheet
        w.u32(rows);
        w
    }

    #[test]
    fn references_out_of_range_are_errors_not_panics() {
        // A row whose line is more than 32 bits past the row before.
        let mut w = head(1);
        let at = w.0.len();
        w.u64(1 << 34);
        assert_eq!(decode(&w.0), Err(WireError::BadTag(at)));
        // A row that says it has a key and holds 0 ("no key"), or 3 bytes of one.
        let mut w = head(1);
        w.u64(1 << 2 | 2);
        let at = w.0.len();
        w.fixed_u64(0);
        assert_eq!(decode(&w.0), Err(WireError::BadTag(at)));
        let mut w = head(1);
        w.u64(1 << 2 | 2);
        w.0.extend_from_slice(&[1, 2, 3]);
        assert!(matches!(decode(&w.0), Err(WireError::Truncated(_))));
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
}
