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

mod bytes;
mod csr_outcomes;
mod decode;
mod encode;
mod options;

pub use csr_outcomes::{decode_csr_outcomes, encode_csr_outcomes};
pub use decode::{decode, ReportDecoder};
pub use encode::{check_with_progress, encode, Encoded, KeepBuffers, PieceStore};
pub use options::{decode_options, encode_options};

use crate::decode::TextEncoding;
use crate::report::Mode;
use crate::sniff::Delimiter;
use std::fmt;

/// The first four bytes of an encoded report (format version 4).
pub(super) const MAGIC: &[u8; 4] = b"SBR4";

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

pub(super) const ENCODINGS: [TextEncoding; 5] = [
    TextEncoding::Utf8,
    TextEncoding::Utf8Bom,
    TextEncoding::Utf16Le,
    TextEncoding::Utf16Be,
    TextEncoding::Windows1252,
];
pub(super) const DELIMITERS: [Delimiter; 4] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab, Delimiter::Pipe];
pub(super) const MODES: [Mode; 3] = [Mode::Table, Mode::List, Mode::Auto];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::ValidatedDomains;
    use crate::report::Report;
    use crate::{check, Options};

    pub(super) fn sample() -> Report {
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
    fn an_unusable_file_survives_too() {
        let report = check(b"PK\x03\x04\x00\x00", &Options::default());
        assert_eq!(decode(&encode(&report)).unwrap(), report);
    }

    #[test]
    fn a_finding_whose_column_is_no_header_keeps_its_text() {
        let mut report = sample();
        report.findings[0].column = Some("Not a header".into());
        report.findings[1].column = None;
        assert_eq!(decode(&encode(&report)).unwrap(), report);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "{n} bytes decoded");
        }
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
