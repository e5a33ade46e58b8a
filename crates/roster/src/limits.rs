//! How much of a roster the engine takes: the file's size, its rows and a
//! cell's length, each with a default that fits a browser tab (the page
//! holds the file, its text, the report and the grid at once) and a message
//! that says which limit, where, and how to get under it.
//!
//! The row limit is checked before any row is made, so a roster over it is
//! refused whole (`too_many_rows`, like any unusable file), never cut short:
//! a count of line ends bounds the records from above and settles nearly
//! every file at once; only a file with more lines than the limit allows is
//! counted record by record.

use crate::finding::{Code, Finding};

/// The limits a check keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes.
    pub max_file_bytes: usize,
    /// The most data rows (records after the header, or list entries).
    pub max_rows: usize,
    /// The longest cell of a mapped column, in characters.
    pub max_field_chars: usize,
}

/// 256 MiB: a tab holds the file, its text and the report at once.
pub const DEFAULT_MAX_FILE_BYTES: usize = 256 << 20;
/// Two million rows: twice the largest roster the benchmarks time.
pub const DEFAULT_MAX_ROWS: usize = 2_000_000;
/// 64 KiB characters: the longest PEM CSR (an RSA 16384-bit key) is under 4 KiB.
pub const DEFAULT_MAX_FIELD_CHARS: usize = 64 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_rows: DEFAULT_MAX_ROWS,
            max_field_chars: DEFAULT_MAX_FIELD_CHARS,
        }
    }
}

/// How each limit is raised, for messages: the CLI's flag and the page's
/// setting.
const HOW_TO_RAISE: &str = "(smime-bulk: --max-file-bytes, --max-rows, --max-field-chars; the page: \"limits\" in \
                            config.json)";

impl Limits {
    /// `file_too_large` when `len` bytes exceed the file limit.
    ///
    /// ```
    /// use smime_bulk_roster::limits::Limits;
    /// let limits = Limits { max_file_bytes: 10, ..Limits::default() };
    /// assert!(limits.file_size(10).is_none());
    /// assert_eq!(limits.file_size(11).unwrap().code.as_str(), "file_too_large");
    /// ```
    pub fn file_size(&self, len: usize) -> Option<Finding> {
        (len > self.max_file_bytes).then(|| {
            Finding::file(
                Code::FileTooLarge,
                format!(
                    "The file is larger than the limit of {} bytes (it has at least {len} bytes). Split the \
                     roster into smaller files and load them one at a time, or raise the limit {HOW_TO_RAISE}.",
                    self.max_file_bytes
                ),
            )
        })
    }

    /// Whether `text` may hold more than `max_rows` records after a header:
    /// a record takes at least one line (ended by LF, CR or CRLF), so text
    /// with at most `max_rows + 1` lines cannot. The fast half of the row check; see [`Limits::rows`].
    pub fn may_exceed_rows(&self, text: &str) -> bool {
        self.may_exceed_rows_with(crate::words::Census::of(text.as_bytes()).line_ends)
    }

    /// [`Limits::may_exceed_rows`] of a text with `line_ends` line ends (LF,
    /// CR or CRLF, as [`crate::decode::Decoded::line_ends`] counts them).
    pub fn may_exceed_rows_with(&self, line_ends: usize) -> bool {
        line_ends.saturating_add(1) > self.max_rows.saturating_add(1)
    }

    /// `too_many_rows` when `rows` (the count of data rows, or as many as
    /// were counted until the limit was passed) exceed the row limit; `line`
    /// is where the first row beyond it starts.
    pub fn rows(&self, rows: usize, line: u32) -> Option<Finding> {
        (rows > self.max_rows).then(|| {
            Finding::file(
                Code::TooManyRows,
                format!(
                    "The roster has more than {} rows (the first beyond the limit is on line {line}), so none was \
                     read. Split it into files of at most {} rows and load them one at a time, or raise the \
                     limit {HOW_TO_RAISE}.",
                    self.max_rows, self.max_rows
                ),
            )
            .at_line(line)
        })
    }
}

/// The message of a `field_too_long` finding about `cell` in the column
/// `label`, or `None` when it has at most `max_chars` characters (its length
/// in bytes settles nearly every cell).
pub fn field_too_long(label: &str, cell: &str, max_chars: usize) -> Option<String> {
    if cell.len() <= max_chars {
        return None;
    }
    let chars = cell.chars().count();
    (chars > max_chars).then(|| {
        format!(
            "{label} is {chars} characters long, more than the limit of {max_chars} for a cell. Correct the cell \
             (a value pasted many times, or a quote that is never closed, makes one), or raise the limit \
             {HOW_TO_RAISE}."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_crlf_line_ends_and_as_many_rows_as_allowed_is_settled_by_its_line_count() {
        // Excel on Windows ends each line with CRLF: two bytes, one line. The
        // count of those bytes made a file at half the limit look over it, and
        // every such file was read twice (once to count its records).
        let limits = Limits {
            max_rows: 3,
            ..Limits::default()
        };
        assert!(!limits.may_exceed_rows("Email\r\na@x.org\r\nb@x.org\r\nc@x.org"));
        assert!(!limits.may_exceed_rows("Email\r\na@x.org\r\nb@x.org\r\n"));
        assert!(limits.may_exceed_rows("Email\r\na@x.org\r\nb@x.org\r\nc@x.org\r\nd@x.org"));
        // A CR alone and an LF alone each end a line.
        assert!(limits.may_exceed_rows("Email\ra@x.org\nb@x.org\r\rc@x.org"));
    }

    proptest::proptest! {
        /// The line count never says "cannot exceed" of text whose records
        /// (counted as the reader reads them) exceed the limit.
        #[test]
        fn the_line_count_never_misses_a_roster_over_the_limit(
            text in "[a,\"\n\r]{0,40}",
            max_rows in 0usize..8,
        ) {
            let limits = Limits { max_rows, ..Limits::default() };
            let records = crate::table::records(&text, crate::sniff::Delimiter::Comma).len();
            if records.saturating_sub(1) > max_rows {
                proptest::prop_assert!(limits.may_exceed_rows(&text), "{:?}", text);
            }
            let ends = text.replace("\r\n", "\n").bytes().filter(|&b| b == b'\n' || b == b'\r').count();
            proptest::prop_assert_eq!(limits.may_exceed_rows(&text), ends + 1 > max_rows + 1);
        }
    }
}
