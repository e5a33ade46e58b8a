//! Turns the file's bytes into text. It knows nothing of columns or rows.
//!
//! UTF-8 (with or without BOM) and UTF-16 LE/BE with a BOM (Excel's "Unicode
//! Text") are read as such. Bytes that are not valid UTF-8 are weighed, for
//! the whole file: when its valid multi-byte UTF-8 characters are at least as
//! many as its invalid sequences (or it starts with the UTF-8 BOM), it is
//! UTF-8 that was damaged, and reading it as Windows-1252 would turn every
//! "ü" into "Ã¼" without a word — so it is refused (`encoding_invalid`) with
//! the line and byte of the first bad sequence. Otherwise (accented letters
//! as single bytes, no UTF-8 among them) it is Windows-1252, which is what
//! Excel's "CSV" saves on Windows.
//!
//! Also refused, saying what the file is and where: UTF-16 without a BOM
//! (every other byte zero), UTF-16 with an unpaired surrogate or an odd
//! trailing byte (`encoding_invalid`), and a NUL byte in otherwise text
//! (`not_text`, with its line).

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
    /// How many lines of the text end (each LF, CR or CRLF once), counted in
    /// the pass that looked for NUL bytes: the row limit's bound on the
    /// records (see [`crate::limits`]).
    pub line_ends: usize,
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
    let mut line_ends = 0;
    let (text, encoding) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (utf16(Utf16::Le, rest)?, TextEncoding::Utf16Le),
        [0xFE, 0xFF, rest @ ..] => (utf16(Utf16::Be, rest)?, TextEncoding::Utf16Be),
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            line_ends = check_text(rest)?;
            match std::str::from_utf8(rest) {
                Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8Bom),
                Err(_) => return Err(broken_utf8(rest, &Utf8Evidence::of(rest), true)),
            }
        }
        _ => {
            if let Some(order) = utf16_without_bom(bytes) {
                return Err(utf16_without_bom_finding(order));
            }
            // Windows-1252 keeps every ASCII byte, so the count holds for it too.
            line_ends = check_text(bytes)?;
            match std::str::from_utf8(bytes) {
                Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8),
                Err(_) => {
                    let evidence = Utf8Evidence::of(bytes);
                    if evidence.is_utf8() {
                        return Err(broken_utf8(bytes, &evidence, false));
                    }
                    (windows_1252(bytes), TextEncoding::Windows1252)
                }
            }
        }
    };
    // UTF-16 text may itself be binary once decoded (e.g. a BOM then garbage).
    if matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be) {
        check_text_chars(&text)?;
        line_ends = crate::words::Census::of(text.as_bytes()).line_ends;
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
    Ok(Decoded {
        text,
        encoding,
        line_ends,
    })
}

/// The byte order of UTF-16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf16 {
    Le,
    Be,
}

impl Utf16 {
    fn label(self) -> &'static str {
        match self {
            Utf16::Le => "UTF-16LE",
            Utf16::Be => "UTF-16BE",
        }
    }
}

/// `rest` (after the BOM) as UTF-16 text, or `encoding_invalid` at the first
/// unpaired surrogate or an odd last byte, with its line.
fn utf16(order: Utf16, rest: &[u8]) -> Result<Cow<'static, str>, Finding> {
    let units = rest.chunks_exact(2).map(|pair| match order {
        Utf16::Le => u16::from_le_bytes([pair[0], pair[1]]),
        Utf16::Be => u16::from_be_bytes([pair[0], pair[1]]),
    });
    let mut text = String::with_capacity(rest.len() / 2);
    let (mut line, mut units_read) = (1u32, 0usize);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => {
                line += u32::from(c == '\n');
                units_read += c.len_utf16();
                text.push(c);
            }
            Err(e) => {
                // 1-based, counting the two bytes of the BOM.
                let byte = 3 + 2 * units_read;
                return Err(Finding::file(
                    Code::EncodingInvalid,
                    format!(
                        "The file is {} text, but at line {line} (byte {byte} of the file) it holds half of a \
                         character (the surrogate 0x{:04X} without its pair), so it is damaged. Open it in your \
                         spreadsheet program and save it again as \"CSV UTF-8\" or \"Unicode Text\".",
                        order.label(),
                        e.unpaired_surrogate()
                    ),
                )
                .at_line(line));
            }
        }
    }
    if rest.len() % 2 == 1 {
        return Err(Finding::file(
            Code::EncodingInvalid,
            format!(
                "The file is {} text, but it ends in the middle of a character (line {line}: one byte of two), \
                 so it was cut short. Save or copy the whole file again.",
                order.label()
            ),
        )
        .at_line(line));
    }
    Ok(Cow::Owned(text))
}

/// UTF-16 without a byte-order mark, told by its zero bytes: in the first
/// 64 KiB, no pair has a zero on one side, and at least half have a zero on
/// the other beside an ASCII letter, digit, punctuation or line break (the
/// header, the delimiters, the addresses) — the high byte on the odd side
/// for LE, the even side for BE.
fn utf16_without_bom(bytes: &[u8]) -> Option<Utf16> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN) & !1];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let text = |b: u8| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let (mut even, mut odd, mut le, mut be) = (0, 0, 0, 0);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
        le += usize::from(pair[1] == 0 && text(pair[0]));
        be += usize::from(pair[0] == 0 && text(pair[1]));
    }
    match (even, odd) {
        (0, _) if le * 2 >= pairs => Some(Utf16::Le),
        (_, 0) if be * 2 >= pairs => Some(Utf16::Be),
        _ => None,
    }
}

fn utf16_without_bom_finding(order: Utf16) -> Finding {
    Finding::file(
        Code::EncodingInvalid,
        format!(
            "The file looks like {} text without a byte-order mark (every other byte is zero from line 1 on), \
             which cannot be told apart from binary data for sure. Open it in your spreadsheet program and save \
             it as \"CSV UTF-8\" (or \"Unicode Text\", which writes the mark), then load that file.",
            order.label()
        ),
    )
    .at_line(1)
}

/// What the invalid and the valid multi-byte UTF-8 of a file weigh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Utf8Evidence {
    /// Valid characters of two to four bytes.
    multibyte: usize,
    /// Invalid sequences (each a byte or a cut-short sequence).
    invalid: usize,
    /// Where the first invalid sequence starts, and its length.
    first: Option<(usize, usize)>,
}

impl Utf8Evidence {
    /// Scans all of `bytes` once.
    fn of(bytes: &[u8]) -> Self {
        let mut evidence = Utf8Evidence::default();
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            let (valid, bad) = match std::str::from_utf8(rest) {
                Ok(_) => (rest.len(), None),
                Err(e) => (
                    e.valid_up_to(),
                    Some(e.error_len().unwrap_or(rest.len() - e.valid_up_to())),
                ),
            };
            evidence.multibyte += rest[..valid].iter().filter(|&&b| b >= 0xC0).count();
            match bad {
                Some(len) => {
                    evidence.invalid += 1;
                    evidence.first.get_or_insert((at + valid, len));
                    at += valid + len;
                }
                None => break,
            }
        }
        evidence
    }

    /// Whether the file is UTF-8 with a few bad bytes rather than Windows-1252.
    fn is_utf8(&self) -> bool {
        self.multibyte > 0 && self.multibyte >= self.invalid
    }
}

/// `encoding_invalid` for UTF-8 with bad bytes: where the first one is (line,
/// byte in the line, its value, the text before it) and how many there are.
fn broken_utf8(bytes: &[u8], evidence: &Utf8Evidence, bom: bool) -> Finding {
    let (at, len) = evidence.first.unwrap_or((0, 1));
    let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    let before: String = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .rev()
        .take(20)
        .collect();
    let before: String = before.chars().rev().collect();
    let after = if before.is_empty() {
        "at its start".to_owned()
    } else {
        format!("after \"{before}\"")
    };
    let shown: Vec<String> = bytes[at..at + len].iter().map(|b| format!("0x{b:02X}")).collect();
    let why = if bom {
        "it starts with the UTF-8 byte-order mark".to_owned()
    } else {
        format!(
            "{} of its characters are UTF-8 and only {} sequence(s) are not",
            evidence.multibyte, evidence.invalid
        )
    };
    let line = u32::try_from(line).unwrap_or(u32::MAX);
    Finding::file(
        Code::EncodingInvalid,
        format!(
            "The file is UTF-8 ({why}), but at line {line}, byte {} of the line ({after}), the bytes {} \
             are not UTF-8: the file was damaged or two encodings were mixed. Reading it as Windows-1252 would \
             change its letters (\"Jürgen\" into \"JÃ¼rgen\"), so it was not read. Correct that character in a text \
             editor, or save the file again as \"CSV UTF-8\".",
            at - line_start + 1,
            shown.join(" ")
        ),
    )
    .at_line(line)
}

fn windows_1252(bytes: &[u8]) -> Cow<'_, str> {
    let (text, _had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    text
}

fn is_binary_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)
}

/// Rejects bytes that are clearly not a text file: any NUL, or a large share of
/// control bytes in the first 64 KiB. Else their line breaks (LF and CR
/// bytes), counted in the same pass as the NULs.
fn check_text(bytes: &[u8]) -> Result<usize, Finding> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let controls = head.iter().filter(|&&b| is_binary_control(b)).count();
    if controls * 10 > head.len() {
        return Err(not_text(bytes));
    }
    let census = crate::words::Census::of(bytes);
    if census.nul {
        let at = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        return Err(Finding::file(
            Code::NotText,
            format!(
                "The file is text but holds a NUL byte (0x00) at line {line}, byte {} of the line; a roster never \
                 holds one, so the file is damaged or is not a CSV file. Remove that byte in a text editor, or \
                 export the roster again as \"CSV UTF-8\".",
                at - line_start + 1
            ),
        )
        .at_line(line));
    }
    Ok(census.line_ends)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The count made in the pass for NUL bytes is the text's, whatever the
    /// encoding: UTF-8 with and without its mark, Windows-1252 (whose bytes
    /// 0x8A and 0x8D are no line break) and UTF-16 in both orders.
    #[test]
    fn the_line_breaks_counted_are_those_of_the_text() {
        let utf16 = |le: bool| {
            let mut bytes = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
            for unit in "Email\r\nj@x.org\rk@x.org\n\n".encode_utf16() {
                bytes.extend(if le { unit.to_le_bytes() } else { unit.to_be_bytes() });
            }
            bytes
        };
        let inputs: [Vec<u8>; 5] = [
            b"Email\r\njane@example.com\r\n\r\nbob@example.com".to_vec(),
            b"\xEF\xBB\xBFEmail\njane@example.com\r".to_vec(),
            b"Name;Email\r\nJ\x8Arg\x8Dn;j@x.org\r\nZo\xEB;z@x.org\n".to_vec(),
            utf16(true),
            utf16(false),
        ];
        for bytes in inputs {
            let decoded = decode(&bytes).unwrap();
            let ends = decoded
                .text
                .replace("\r\n", "\n")
                .bytes()
                .filter(|&b| b == b'\n' || b == b'\r')
                .count();
            assert_eq!(decoded.line_ends, ends, "{:?} ({})", decoded.text, decoded.encoding);
        }
    }
}
