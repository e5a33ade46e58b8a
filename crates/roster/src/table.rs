//! Splits delimited text into records, each with the physical line it starts on.
//!
//! Uses the `csv` crate in flexible mode: quoted fields may hold delimiters,
//! doubled quotes and line breaks; CRLF, LF and CR all end a record. Blank
//! records (nothing but delimiters and white space) are skipped. Fields are
//! trimmed of surrounding white space.

use crate::sniff::Delimiter;

/// One record of the table, fields trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based physical line on which the record starts.
    pub line: u32,
    /// The fields, trimmed.
    pub fields: Vec<String>,
    /// The indices of the fields that began with TAB or CR before trimming (a
    /// spreadsheet formula trick that trimming would otherwise hide); empty,
    /// and so never allocated, for ordinary rows.
    pub leading_control: Vec<usize>,
}

/// Parses `text` with `delimiter`. The first record returned is the header.
pub fn records(text: &str, delimiter: Delimiter) -> Vec<Record> {
    Records::new(text, delimiter).collect()
}

/// The records of a table, read one at a time: a roster of a million rows is
/// never held twice (as records and as rows).
pub struct Records<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    record: csv::ByteRecord,
}

impl<'a> Records<'a> {
    /// A reader of `text`'s records, split at `delimiter`.
    pub fn new(text: &'a str, delimiter: Delimiter) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.byte())
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::None)
            .from_reader(text.as_bytes());
        Records { text, reader, lines: LineCounter::new(text.as_bytes()), record: csv::ByteRecord::new() }
    }

    /// How far reading has come, in bytes of the text.
    pub fn position(&self) -> usize {
        self.reader.position().byte() as usize
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

impl Records<'_> {
    /// Reads the next record into `record`, reusing its buffers (the fields
    /// are replaced); `false` at the end.
    pub fn next_into(&mut self, record: &mut Record) -> bool {
        let bytes = self.text.as_bytes();
        // The input is valid UTF-8 and the reader is flexible, so reading can
        // only end; an error here would be a bug in csv, and ends the table.
        while let Ok(true) = self.reader.read_byte_record(&mut self.record) {
            // csv reports the position where it started reading, which is before
            // any blank lines it skipped: step over those line breaks.
            let mut byte = self.record.position().map_or(0, |p| p.byte() as usize);
            while matches!(bytes.get(byte), Some(b'\r' | b'\n')) {
                byte += 1;
            }
            if self.record.iter().all(is_blank) {
                continue;
            }
            record.line = self.lines.line_at(byte);
            record.leading_control.clear();
            // The record's strings are refilled, not replaced: their buffers
            // are reused from one record to the next.
            record.fields.resize_with(self.record.len(), String::new);
            for (i, (field, cell)) in self.record.iter().zip(&mut record.fields).enumerate() {
                if matches!(field.first(), Some(b'\t' | b'\r')) {
                    record.leading_control.push(i);
                }
                cell.clear();
                cell.push_str(&trimmed(field));
            }
            return true;
        }
        false
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let mut record = Record { line: 0, fields: Vec::new(), leading_control: Vec::new() };
        self.next_into(&mut record).then_some(record)
    }
}

/// A field as text, trimmed of white space. Fields are split at ASCII bytes
/// of valid UTF-8 text, so they are valid UTF-8 themselves; the lossy path
/// is never taken.
fn trimmed(field: &[u8]) -> std::borrow::Cow<'_, str> {
    let field = field.trim_ascii();
    match String::from_utf8_lossy(field) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.trim().to_owned()),
    }
}

/// Whether a field is white space, ASCII or not (a no-break space, say).
fn is_blank(field: &[u8]) -> bool {
    match field.trim_ascii() {
        [] => true,
        [first, ..] if first.is_ascii() => false,
        rest => std::str::from_utf8(rest).is_ok_and(|s| s.trim().is_empty()),
    }
}

/// Maps byte offsets (visited in increasing order) to 1-based line numbers,
/// counting CRLF, LF and a lone CR each as one line break. Linear overall.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter { bytes, pos: 0, line: 1 }
    }

    fn line_at(&mut self, offset: usize) -> u32 {
        let end = offset.min(self.bytes.len());
        while self.pos < end {
            match self.bytes[self.pos] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.pos + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u32, Vec<String>)> {
        records(text, Delimiter::Comma).into_iter().map(|r| (r.line, r.fields)).collect()
    }

    #[test]
    fn lines_count_crlf_lf_and_cr_alike() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = format!("a,b{eol}1,2{eol}{eol}3,4{eol}");
            let got: Vec<u32> = lines(&text).iter().map(|r| r.0).collect();
            assert_eq!(got, vec![1, 2, 4], "eol {eol:?}");
        }
    }

    #[test]
    fn quoted_line_breaks_keep_the_starting_line_and_later_lines_shift() {
        let got = lines("a,b\n\"x\ny\",1\nz,2\n");
        assert_eq!(got[1], (2, vec!["x\ny".to_owned(), "1".to_owned()]));
        assert_eq!(got[2].0, 4);
    }

    #[test]
    fn doubled_quotes_and_delimiters_inside_quotes() {
        let got = lines("a,b\n\"Doe, \"\"JD\"\" Jane\",  x  \n");
        assert_eq!(got[1].1, vec!["Doe, \"JD\" Jane".to_owned(), "x".to_owned()]);
    }

    #[test]
    fn rows_of_only_delimiters_are_blank() {
        assert_eq!(lines("a,b\n,\n , \n1,2\n").len(), 2);
    }
}
