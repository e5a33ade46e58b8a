//! Splits delimited text into records, each with the physical line it starts on.
//!
//! CSV as RFC 4180 and spreadsheets write it, read flexibly: quoted fields may
//! hold delimiters, doubled quotes and line breaks; CRLF, LF and CR all end a
//! record; records may have any number of fields. Blank records (nothing but
//! delimiters and white space) are skipped. Fields are trimmed of surrounding
//! white space.
//!
//! A line without a quote (nearly every line of a roster) is split where it
//! lies, its fields borrowed from the text; a record with a quote is read by
//! `csv-core`'s state machine. Both give what the `csv` crate gives (a
//! property test holds them to it).

use crate::sniff::Delimiter;
use crate::words::{Block, Search};

/// One record of the table, fields trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    delimiter: u8,
    /// Where the next record starts (or blank lines before it).
    pos: usize,
    /// The 1-based line `pos` is on (CRLF, LF and a lone CR each end one).
    line: u32,
    /// The reader of records with quotes, with its output buffers.
    quoted: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Finds the bytes that end a field of a quote-free line.
    specials: Specials,
}

impl<'a> Records<'a> {
    /// A reader of `text`'s records, split at `delimiter`.
    pub fn new(text: &'a str, delimiter: Delimiter) -> Self {
        let mut quoted = csv_core::ReaderBuilder::new().delimiter(delimiter.byte()).build();
        // csv-core strips a byte-order mark from the first input it is given;
        // here that may be a record far into the text, where a mark is text.
        // A line break read first (and skipped, as between records) stops that.
        let _ = quoted.read_record(b"\n", &mut [0], &mut [0]);
        Records {
            text,
            delimiter: delimiter.byte(),
            // A byte-order mark left at the start is not part of the first field.
            pos: if text.starts_with('\u{FEFF}') {
                '\u{FEFF}'.len_utf8()
            } else {
                0
            },
            line: 1,
            quoted,
            out: Vec::new(),
            ends: Vec::new(),
            specials: Specials::new(delimiter.byte(), text.as_bytes()),
        }
    }

    /// How far reading has come, in bytes of the text.
    pub fn position(&self) -> usize {
        self.pos
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
        let text = self.text;
        let bytes = text.as_bytes();
        let delimiter = self.delimiter;
        loop {
            // Line breaks between records end nothing: blank lines are skipped.
            while let Some(&b) = bytes.get(self.pos).filter(|b| matches!(b, b'\r' | b'\n')) {
                self.pos += 1;
                if b == b'\n' || bytes.get(self.pos) != Some(&b'\n') {
                    self.line += 1;
                }
            }
            if self.pos >= bytes.len() {
                return false;
            }
            let (start, line) = (self.pos, self.line);
            let mut filler = Filler::new(record);
            // One pass over the line, splitting at delimiters. Every boundary
            // is at an ASCII byte (or the end), so at a character boundary:
            // each field is a slice of the text.
            let mut field_start = start;
            let mut at = start;
            let quoted = loop {
                at = self.specials.next(bytes, at);
                match bytes.get(at) {
                    Some(&b) if b == delimiter => {
                        filler.push(&text[field_start..at]);
                        field_start = at + 1;
                    }
                    Some(b'"') => break true,
                    Some(_) | None => {
                        filler.push(&text[field_start..at]);
                        break false;
                    }
                }
                at += 1;
            };
            if quoted {
                filler.restart();
                if !self.read_quoted(&mut filler) {
                    return false;
                }
                // Line breaks inside quotes move the lines of later records.
                let inside = &bytes[start..self.pos];
                let breaks = inside.iter().enumerate().filter(|&(i, &b)| {
                    b == b'\n' || (b == b'\r' && inside.get(i + 1).map_or(bytes.get(self.pos), Some) != Some(&b'\n'))
                });
                self.line += breaks.count() as u32;
            } else {
                self.pos = at;
            }
            if filler.finish() {
                record.line = line;
                return true;
            }
        }
    }

    /// Reads the record at `pos`, which holds a quote, with `csv-core`;
    /// `false` if the text ends first (it cannot: the record is not empty).
    fn read_quoted(&mut self, filler: &mut Filler<'_>) -> bool {
        let bytes = self.text.as_bytes();
        let (mut nout, mut nends) = (0, 0);
        if self.out.is_empty() {
            self.out.resize(1024, 0);
            self.ends.resize(16, 0);
        }
        loop {
            let input = &bytes[self.pos..];
            let (result, nin, o, e) = self
                .quoted
                .read_record(input, &mut self.out[nout..], &mut self.ends[nends..]);
            self.pos += nin;
            nout += o;
            nends += e;
            match result {
                csv_core::ReadRecordResult::InputEmpty if input.is_empty() => return false,
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::End => return false,
                csv_core::ReadRecordResult::Record => break,
            }
        }
        let mut from = 0;
        for &to in &self.ends[..nends] {
            // Quotes are ASCII, so what is left between them is UTF-8 still;
            // the lossy path is never taken.
            filler.push(&String::from_utf8_lossy(&self.out[from..to]));
            from = to;
        }
        true
    }
}

/// Finds the next delimiter, quote, CR or LF, with one mask of them for 64
/// bytes of the text at a time (four [`Block`]s): a field costs a shift and
/// a count of zeros, not a search from its start. Rows are short (about 50
/// bytes), fields shorter, so a search per field read the same bytes over
/// and over, and its set-up cost more than its reading.
#[derive(Debug, Clone, Copy)]
struct Specials {
    /// The delimiter, then `"`, CR and LF.
    bytes: [u8; 4],
    /// Where the 64 bytes `mask` covers start.
    base: usize,
    /// Bit `i` set for each special byte at `base + i` (none past the text).
    mask: u64,
}

impl Specials {
    /// A search of `bytes` for the specials of `delimiter`, ready at its start.
    fn new(delimiter: u8, bytes: &[u8]) -> Self {
        let mut specials = Specials {
            bytes: [delimiter, b'"', b'\r', b'\n'],
            base: 0,
            mask: 0,
        };
        specials.load(bytes, 0);
        specials
    }

    /// The first index from `at` of a delimiter, `"`, CR or LF in `bytes`,
    /// or `bytes.len()`. Fastest when each `at` is past the last one's
    /// (as the reader asks); any `at` is right.
    #[inline]
    fn next(&mut self, bytes: &[u8], mut at: usize) -> usize {
        loop {
            // Also when `at` is before `base`: the difference wraps.
            let offset = at.wrapping_sub(self.base);
            if offset >= 64 {
                if at >= bytes.len() {
                    return bytes.len();
                }
                self.load(bytes, at);
                continue;
            }
            let rest = self.mask >> offset;
            if rest != 0 {
                return (at + rest.trailing_zeros() as usize).min(bytes.len());
            }
            at = self.base + 64;
        }
    }

    /// Makes the mask of the 64 bytes from `base`.
    #[inline(never)]
    fn load(&mut self, bytes: &[u8], base: usize) {
        self.base = base;
        self.mask = match bytes.get(base..base + 64) {
            Some(chunk) => chunk.chunks_exact(16).enumerate().fold(0, |mask, (i, c)| {
                mask | u64::from(Block::of(c).any_mask(self.bytes)) << (16 * i)
            }),
            // The text's last bytes, fewer than 64.
            None => bytes[base.min(bytes.len())..]
                .iter()
                .enumerate()
                .filter(|(_, b)| self.bytes.contains(b))
                .fold(0, |mask, (i, _)| mask | 1 << i),
        };
    }
}

/// Writes fields into a record's existing strings, one after the other.
struct Filler<'r> {
    record: &'r mut Record,
    count: usize,
    blank: bool,
}

impl<'r> Filler<'r> {
    fn new(record: &'r mut Record) -> Self {
        record.leading_control.clear();
        Filler {
            record,
            count: 0,
            blank: true,
        }
    }

    /// Starts the record again from its first field.
    fn restart(&mut self) {
        self.record.leading_control.clear();
        self.count = 0;
        self.blank = true;
    }

    /// Adds `field`, trimmed, noting a leading TAB or CR.
    fn push(&mut self, field: &str) {
        if matches!(field.as_bytes().first(), Some(b'\t' | b'\r')) {
            self.record.leading_control.push(self.count);
        }
        let field = trim(field);
        self.blank &= field.is_empty();
        match self.record.fields.get_mut(self.count) {
            Some(cell) => {
                cell.clear();
                cell.push_str(field);
            }
            None => self.record.fields.push(field.to_owned()),
        }
        self.count += 1;
    }

    /// Drops the strings of fields this record does not have; `false` if
    /// every field was blank.
    fn finish(self) -> bool {
        self.record.fields.truncate(self.count);
        !self.blank
    }
}

/// `field` without the white space around it, Unicode's (a no-break space)
/// as well as ASCII's; the Unicode check only where an end may need it (a
/// non-ASCII character, or a vertical tab, which `trim_ascii` keeps).
fn trim(field: &str) -> &str {
    let ascii = field.trim_ascii();
    let plain = |b: &u8| b.is_ascii() && *b != 0x0B;
    match ascii.as_bytes() {
        [] => ascii,
        [first, .., last] if plain(first) && plain(last) => ascii,
        [only] if plain(only) => ascii,
        _ => ascii.trim(),
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let mut record = Record::default();
        self.next_into(&mut record).then_some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_finds_each_special_byte_at_every_offset() {
        for delimiter in [b',', b';', b'\t', b'|'] {
            for special in [delimiter, b'"', b'\r', b'\n'] {
                for len in (0..80).chain([127, 128, 129, 200]) {
                    for at in 0..len {
                        // Bytes next to the specials ('+' ',' '-', '#' '"'), and UTF-8.
                        let mut bytes: Vec<u8> =
                            (0..len).map(|i| [b'+', b'#', 0xC3, 0xA9, b'-', b'{'][i % 6]).collect();
                        bytes[at] = special;
                        let mut specials = Specials::new(delimiter, &bytes);
                        // In order, as the reader asks, then from anywhere.
                        for from in (0..=at).chain((0..=at).rev()) {
                            assert_eq!(
                                specials.next(&bytes, from),
                                at,
                                "{special} at {at} of {len}, from {from}"
                            );
                        }
                        assert_eq!(specials.next(&bytes, at + 1), len, "none after {at} of {len}");
                    }
                    let none = vec![b'a'; len];
                    let mut specials = Specials::new(delimiter, &none);
                    assert_eq!(specials.next(&none, 0), len);
                    assert_eq!(specials.next(&none, len), len);
                }
            }
        }
    }

    fn lines(text: &str) -> Vec<(u32, Vec<String>)> {
        records(text, Delimiter::Comma)
            .into_iter()
            .map(|r| (r.line, r.fields))
            .collect()
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
