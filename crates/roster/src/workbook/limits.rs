//! What is checked before anything is inflated: the zip's directory (sizes
//! declared per part, their total, their ratio to the compressed sizes), and
//! the marks of encryption and macros.

use super::WorkbookError;
use std::io::Cursor;

/// The most one part may inflate to (a sheet's XML of a million rows fits).
pub const MAX_PART_BYTES: u64 = 512 << 20;
/// The most all parts together may inflate to.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
/// The most the shared-strings table may inflate to: calamine holds it whole.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 256 << 20;
/// The highest inflated-to-compressed ratio of a part over 1 MiB. Spreadsheet
/// XML compresses 5 to 30 times; deflate's own ceiling is about 1032.
pub const MAX_RATIO: u64 = 250;

/// What the directory of a zip workbook says.
pub(super) struct ZipParts {
    /// The parts' names.
    pub names: Vec<String>,
}

impl ZipParts {
    /// Whether a part of that name is present.
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Whether the workbook holds macros: VBA (`vbaProject.bin`) or
    /// OpenDocument Basic.
    pub fn has_macros(&self) -> bool {
        self.names
            .iter()
            .any(|n| n.ends_with("vbaProject.bin") || n.starts_with("Basic/") || n.starts_with("Scripts/"))
    }
}

/// Reads the zip's directory and refuses a workbook whose parts would
/// inflate beyond the limits, or that zip-level encryption hides.
pub(super) fn check_zip(bytes: &[u8]) -> Result<ZipParts, WorkbookError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| WorkbookError::corrupt(&e))?;
    let mut names = Vec::with_capacity(zip.len());
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| WorkbookError::corrupt(&e))?;
        let name = part.name().map_err(|e| WorkbookError::corrupt(&e))?.into_owned();
        let (size, compressed) = (part.size(), part.compressed_size());
        if part.encrypted() {
            return Err(WorkbookError::PasswordProtected);
        }
        let limit = if name.ends_with("sharedStrings.xml") {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        if size > limit {
            return Err(WorkbookError::TooLarge {
                part: format!("part \"{name}\""),
                size,
                limit,
            });
        }
        if size > 1 << 20 && size / compressed.max(1) > MAX_RATIO {
            return Err(WorkbookError::ZipBomb {
                part: name,
                size,
                compressed,
            });
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(WorkbookError::TooLarge {
                part: "parts together".into(),
                size: total,
                limit: MAX_TOTAL_BYTES,
            });
        }
        names.push(name);
    }
    Ok(ZipParts { names })
}

/// Whether a compound file holds an encrypted OOXML package (how Excel and
/// LibreOffice save an `.xlsx` with a password to open).
pub(super) fn is_encrypted_package(bytes: &[u8]) -> bool {
    contains_utf16(bytes, "EncryptedPackage")
}

/// Whether a compound file (`.xls`) holds a VBA project.
pub(super) fn compound_has_macros(bytes: &[u8]) -> bool {
    contains_utf16(bytes, "_VBA_PROJECT")
}

/// Whether `bytes` hold `name` as UTF-16LE (a compound file's directory names).
fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle)
}
