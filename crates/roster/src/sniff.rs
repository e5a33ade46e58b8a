//! Guesses the field delimiter of a table from its first records.
//!
//! Quote-aware: delimiters inside `"…"` do not count, and a quoted field may
//! span lines. Among `,` `;` TAB `|`, the delimiter chosen is the one whose count
//! per record agrees with the header's count on the most records; ties go to the
//! higher count, then to the order above.

use serde::Serialize;
use std::fmt;

/// A field delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Delimiter {
    /// `,`
    #[serde(rename = ",")]
    Comma,
    /// `;` (Excel in most European locales)
    #[serde(rename = ";")]
    Semicolon,
    /// TAB (Excel's "Unicode Text", pasted spreadsheet ranges)
    #[serde(rename = "\t")]
    Tab,
    /// `|`
    #[serde(rename = "|")]
    Pipe,
}

impl Delimiter {
    /// The candidates, in order of preference.
    pub const ALL: [Delimiter; 4] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab, Delimiter::Pipe];

    /// The delimiter's byte.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
            Delimiter::Pipe => b'|',
        }
    }

    /// A name for people: `","`, `";"`, `"TAB"`, `"|"`.
    pub fn label(self) -> &'static str {
        match self {
            Delimiter::Comma => ",",
            Delimiter::Semicolon => ";",
            Delimiter::Tab => "TAB",
            Delimiter::Pipe => "|",
        }
    }
}

impl fmt::Display for Delimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How many records are looked at.
const SAMPLE_RECORDS: usize = 50;
/// How many bytes are looked at, at most.
const SAMPLE_BYTES: usize = 256 * 1024;

/// Picks the delimiter of `text`. A text with no candidate outside quotes (a
/// single column) gets [`Delimiter::Comma`].
///
/// ```
/// use smime_bulk_roster::sniff::{sniff, Delimiter};
/// assert_eq!(sniff("Email;Country\n\"a;b\"@x.com;DE\n"), Delimiter::Semicolon);
/// ```
pub fn sniff(text: &str) -> Delimiter {
    let counts = count_per_record(text);
    let Some(header) = counts.first() else {
        return Delimiter::Comma;
    };
    let mut best = (Delimiter::Comma, 0usize, 0usize);
    for (i, d) in Delimiter::ALL.into_iter().enumerate() {
        let expected = header[i];
        if expected == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|c| c[i] == expected).count();
        if (agreeing, expected) > (best.1, best.2) {
            best = (d, agreeing, expected);
        }
    }
    best.0
}

/// Counts each candidate outside quotes, per record, over the sample.
fn count_per_record(text: &str) -> Vec<[usize; 4]> {
    let bytes = text.as_bytes();
    let bytes = &bytes[..bytes.len().min(SAMPLE_BYTES)];
    let mut records = Vec::new();
    let mut current = [0usize; 4];
    let mut in_quotes = false;
    let mut non_blank = false;
    for &b in bytes {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                non_blank = true;
            }
            b'\n' | b'\r' if !in_quotes => {
                if non_blank {
                    records.push(current);
                    if records.len() == SAMPLE_RECORDS {
                        return records;
                    }
                }
                current = [0; 4];
                non_blank = false;
            }
            _ if in_quotes => {}
            _ => {
                if let Some(i) = Delimiter::ALL.iter().position(|d| d.byte() == b) {
                    current[i] += 1;
                }
                if !b.is_ascii_whitespace() {
                    non_blank = true;
                }
            }
        }
    }
    if non_blank {
        records.push(current);
    }
    records
}
