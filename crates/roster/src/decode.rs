//! Turns the file's bytes into text. It knows nothing of columns or rows.
//!
//! UTF-8 (with or without BOM) and UTF-16 LE/BE with a BOM (Excel's "Unicode
//! Text") are read as such; any other bytes that are not valid UTF-8 are read as
//! Windows-1252, which is what Excel's "CSV" saves on Windows.

use crate::finding::{Code, Finding};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// The encoding a file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    #[serde(rename = "UTF-8")]
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    #[serde(rename = "UTF-8 (BOM)")]
    Utf8Bom,
    /// UTF-16 little-endian with a BOM (Excel's "Unicode Text").
    #[serde(rename = "UTF-16LE")]
    Utf16Le,
    /// UTF-16 big-endian with a BOM.
    #[serde(rename = "UTF-16BE")]
    Utf16Be,
    /// Windows-1252, the fallback for bytes that are not UTF-8.
    #[serde(rename = "Windows-1252")]
    Windows1252,
}

impl TextEncoding {
    /// The name shown to users, e.g. `"UTF-16LE"`.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Text decoded from a file, with the encoding that was used.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The text, without any byte-order mark.
    pub text: Cow<'a, str>,
    /// How the bytes were read.
    pub encoding: TextEncoding,
}

/// How many leading bytes are inspected to tell text from binary.
const SNIFF_LEN: usize = 64 * 1024;

/// Decodes `bytes`, or explains why they are not a roster: `not_text` for binary
/// data, `empty_file` for nothing but white space.
///
/// ```
/// use smime_bulk_roster::decode::{decode, TextEncoding};
/// let d = decode(b"\xEF\xBB\xBFEmail\njane@example.com\n").unwrap();
/// assert_eq!(d.encoding, TextEncoding::Utf8Bom);
/// assert!(d.text.starts_with("Email"));
/// ```
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, Finding> {
    let (text, encoding) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (utf16(encoding_rs::UTF_16LE, rest), TextEncoding::Utf16Le),
        [0xFE, 0xFF, rest @ ..] => (utf16(encoding_rs::UTF_16BE, rest), TextEncoding::Utf16Be),
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            check_text(rest)?;
            (lossless_or_1252(rest), TextEncoding::Utf8Bom)
        }
        _ => {
            check_text(bytes)?;
            match std::str::from_utf8(bytes) {
                Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8),
                Err(_) => (windows_1252(bytes), TextEncoding::Windows1252),
            }
        }
    };
    // UTF-16 text may itself be binary once decoded (e.g. a BOM then garbage).
    if matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be) {
        check_text_chars(&text)?;
    }
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .is_empty()
    {
        return Err(Finding::file(
            Code::EmptyFile,
            "The file is empty: it has no header and no rows. Export the roster again, with a header line \
             (First Name, Last Name, Email, Country, Csr) and one line per person.",
        ));
    }
    Ok(Decoded { text, encoding })
}

fn utf16(encoding: &'static encoding_rs::Encoding, rest: &[u8]) -> Cow<'static, str> {
    let (text, _had_errors) = encoding.decode_without_bom_handling(rest);
    Cow::Owned(text.into_owned())
}

/// A UTF-8 BOM file whose body is not valid UTF-8 is still best read as 1252.
fn lossless_or_1252(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => windows_1252(bytes),
    }
}

fn windows_1252(bytes: &[u8]) -> Cow<'_, str> {
    let (text, _had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    text
}

fn is_binary_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)
}

/// Rejects bytes that are clearly not a text file: any NUL, or a large share of
/// control bytes in the first 64 KiB.
fn check_text(bytes: &[u8]) -> Result<(), Finding> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let controls = head.iter().filter(|&&b| is_binary_control(b)).count();
    let has_nul = crate::words::contains_nul(bytes);
    if has_nul || controls * 10 > head.len() {
        return Err(not_text(bytes));
    }
    Ok(())
}

fn check_text_chars(text: &str) -> Result<(), Finding> {
    let head: Vec<char> = text.chars().take(SNIFF_LEN).collect();
    let controls = head
        .iter()
        .filter(|&&c| c == '\0' || (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\u{0C}')))
        .count();
    if head.contains(&'\0') || controls * 10 > head.len() {
        return Err(not_text(text.as_bytes()));
    }
    Ok(())
}

fn not_text(bytes: &[u8]) -> Finding {
    let what = if bytes.starts_with(b"PK\x03\x04") {
        "an Excel workbook or other ZIP archive (.xlsx, .ods)"
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "an old Excel workbook (.xls)"
    } else if bytes.starts_with(b"%PDF") {
        "a PDF document"
    } else {
        "binary data, not text"
    };
    Finding::file(
        Code::NotText,
        format!(
            "The file is {what}. Open it in your spreadsheet program and save it as \"CSV UTF-8\" \
             (or \"Unicode Text\"), then load that file."
        ),
    )
}
