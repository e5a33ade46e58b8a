//! The compact form of a [`Report`](crate::Report), for handing it from the worker that made
//! it to the page that shows it; also of the check's [`Options`](crate::Options) (the page's
//! request) and of CSR outcomes (the worker's answer to typed CSRs).
//!
//! A million rows as JSON objects cost the worker a serialisation and the page
//! a parse of every key; here every row is its line (as the step from the
//! row before, with the valid flag and "has a key" in its lowest bits: one
//! byte), its key's hash (8 bytes, if it has one: see [`crate::Row::key`])
//! and its five cells, each a length and UTF-8 bytes, in buffers that are transferred,
//! not copied. A finding names its column by the header's number and, when
//! its message is the one the last finding of the same code and field had
//! (an empty cell's, a recurring typo's), points back to it instead of
//! repeating it. Numbers are LEB128 varints (a cell's length is one byte);
//! versioned by a magic number; reading never panics and names what it found
//! wrong.
//!
//! The worker writes a report in pieces of about 256 KB ([`ReportPieces`]):
//! a buffer that grew by doubling would hold its old and new copies at once
//! and take twice the report's size at its peak, and the two pieces being
//! filled (rows, findings) are small beside even a small roster. Each full
//! piece goes to a [`PieceStore`] at once: the engine worker's copies it out
//! of wasm memory into a buffer it transfers to the page, and the encoder
//! writes the next piece into the same memory, so the report never takes
//! room (or fresh pages) in the worker's wasm memory. A check's findings
//! reach the encoder as it makes them ([`crate::FindingSink`]), without a
//! [`crate::Finding`] made and dropped for each.
//!
//! ```
//! use smime_bulk_roster::{check, wire, Options};
//! let report = check(b"Email\njane@example.com\n", &Options::default());
//! let bytes = wire::encode(&report);
//! assert_eq!(wire::decode(&bytes).unwrap(), report);
//! ```
//!
//! # What each file holds
//!
//! - `mod.rs`: the magic number, [`WireError`], and the format's tables: the
//!   number of each encoding, delimiter, mode and finding code.
//! - `bytes.rs`: values as bytes — varints, strings, flags, tags — written by
//!   `Writer` and read back by `Reader`, which never panics.
//! - `encode.rs`: [`encode`], and [`check_with_progress`], which writes a
//!   check's rows and findings as they are made, in pieces.
//! - `decode.rs`: [`decode`], and [`ReportDecoder`], a slice of rows or
//!   findings at a time.
//! - `options.rs`: [`encode_options`] and [`decode_options`].
//! - `csr_outcomes.rs`: [`encode_csr_outcomes`] and [`decode_csr_outcomes`];
//!   a report's own outcomes are written the same way.
//!
//! # Advice for hackers
//!
//! - `encode.rs` and `decode.rs` are one format read in two directions: a
//!   change to one is a change to the other, to `MAGIC`'s version, and to
//!   the round-trip tests in this file. `bytes.rs` knows nothing of reports.
//! - The order of a report's parts is the decoder's, not the encoder's: the
//!   head (with the row count) first, the rows, the findings' count, the
//!   findings, then coverage and CSR outcomes. The encoder knows the row
//!   count only at the end, so it keeps the head in a buffer of its own and
//!   the findings made during the check in pieces of their own ("early"),
//!   and puts the parts in order as it finishes.
//! - [`check_with_progress`]'s bytes are [`encode`]'s of the same check,
//!   to the byte (`tests/snapshots.rs`, `tests/properties.rs`, and the page's
//!   `tests/engine.test.mjs` against the CLI): the streamed encoder is not
//!   a second format.
//! - The tables here are numbers in the format: an entry is only ever added
//!   at the end. The finding codes' table is [`Code::ALL`], whose order is the
//!   order the codes are declared in; `every_finding_code_keeps_its_number`
//!   pins each one.
//! - The encoder's speed is the check's (`cargo bench -p smime-bulk-roster`,
//!   `check_roster_to_wire`): a row is written into a buffer with room for
//!   it, and a finding's message is compared, not hashed, with the last of
//!   its code and field.

mod bytes;
mod csr_outcomes;
mod decode;
mod encode;
mod options;

pub use csr_outcomes::{decode_csr_outcomes, encode_csr_outcomes};
pub use decode::{decode, ReportDecoder, RowPieces};
pub use encode::{check_with_progress, encode, KeepBuffers, PieceStore, ReportPieces};
pub use options::{decode_options, encode_options};

use crate::decode::TextEncoding;
use crate::finding::Code;
use crate::report::Mode;
use crate::sniff::Delimiter;
use std::fmt;

/// The first four bytes of an encoded report (format version 7: rows carry
/// their key's hash).
pub(super) const MAGIC: &[u8; 4] = b"SBR7";

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

impl WireError {
    /// The same error, its offset `by` bytes further (for a piece read on its own).
    pub(super) fn shifted(self, by: usize) -> Self {
        match self {
            WireError::BadMagic => WireError::BadMagic,
            WireError::Truncated(at) => WireError::Truncated(at + by),
            WireError::BadTag(at) => WireError::BadTag(at + by),
            WireError::BadText(at) => WireError::BadText(at + by),
        }
    }
}

pub(super) const ENCODINGS: [TextEncoding; 5] = [
    TextEncoding::Utf8,
    TextEncoding::Utf8Bom,
    TextEncoding::Utf16Le,
    TextEncoding::Utf16Be,
    TextEncoding::Windows1252,
];
pub(super) const DELIMITERS: [Delimiter; 4] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab, Delimiter::Pipe];
pub(super) const MODES: [Mode; 3] = [Mode::Table, Mode::List, Mode::Auto];

/// The number a finding code is written as: its place in [`Code::ALL`], the
/// table the decoder reads it back with.
pub(super) fn code_number(code: Code) -> u8 {
    code as u8
}

// `Code::ALL` is the codes in the order they are declared (`code as u8` is
// a code's place in it), and each number fits its byte.
const _: () = {
    let mut i = 0;
    while i < Code::ALL.len() {
        assert!(Code::ALL[i] as usize == i && i <= u8::MAX as usize);
        i += 1;
    }
};

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

    /// A code's number is in every encoded finding: a number that moved
    /// would read an old report's findings as other codes.
    #[test]
    fn every_finding_code_keeps_its_number() {
        let pinned = [
            (Code::NotText, 0),
            (Code::EmptyFile, 1),
            (Code::NoRows, 2),
            (Code::MissingColumn, 3),
            (Code::DuplicateColumn, 4),
            (Code::ColumnAbsent, 5),
            (Code::ColumnIgnored, 6),
            (Code::RaggedRow, 7),
            (Code::EmailMissing, 8),
            (Code::EmailInvalid, 9),
            (Code::DomainNotValidated, 10),
            (Code::DuplicateEmail, 11),
            (Code::LastNameMissing, 12),
            (Code::FirstNameMissing, 13),
            (Code::NameTooLong, 14),
            (Code::NameInvalid, 15),
            (Code::CountryMissing, 16),
            (Code::CountryInvalid, 17),
            (Code::CountryLowercase, 18),
            (Code::CsrInvalid, 19),
            (Code::CsrSignatureInvalid, 20),
            (Code::CsrSignatureUnverified, 21),
            (Code::CsrWeakKey, 22),
            (Code::CsrKeyUnsupported, 23),
            (Code::CsrEmailMismatch, 24),
            (Code::CsrPending, 25),
            (Code::FormulaInjection, 26),
        ];
        for (code, number) in pinned {
            assert_eq!(code_number(code), number, "{code}");
            assert_eq!(Code::ALL[usize::from(number)], code, "{code}");
        }
        // A code added since takes the next number.
        for (number, code) in Code::ALL.into_iter().enumerate().skip(pinned.len()) {
            assert_eq!(usize::from(code_number(code)), number, "{code}");
        }
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
