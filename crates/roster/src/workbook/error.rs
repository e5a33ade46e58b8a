//! Why a workbook could not be read, each reason with its finding's stable code.

use crate::finding::{Code, Finding};
use std::fmt;

/// A workbook that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkbookError {
    /// The zip or compound file, or a part inside it, is damaged.
    Corrupt(String),
    /// A zip or compound file that is no spreadsheet calamine knows.
    NotAWorkbook,
    /// A workbook without a single worksheet.
    NoSheet,
    /// The sheet asked for is not in the workbook.
    SheetNotFound {
        /// The name asked for.
        wanted: String,
        /// The sheets there are.
        names: Vec<String>,
    },
    /// The workbook is encrypted (saved with a password to open it).
    PasswordProtected,
    /// A part would inflate far more than its compressed size allows for
    /// spreadsheet XML: a zip bomb.
    ZipBomb {
        /// The part's name in the zip.
        part: String,
        /// Its size once inflated, as its directory entry declares.
        size: u64,
        /// Its size in the file.
        compressed: u64,
    },
    /// A part, or all of them together, is larger than the limit.
    TooLarge {
        /// The part's name, or `"all parts"`.
        part: String,
        /// Its declared size once inflated.
        size: u64,
        /// The limit it passes.
        limit: u64,
    },
    /// A cell lies beyond the rows or columns a roster may use.
    TooManyCells {
        /// The rows the sheet reaches.
        rows: u64,
        /// The columns it reaches.
        columns: u64,
    },
}

impl WorkbookError {
    /// A damaged part, with what calamine or zip said of it.
    pub(super) fn corrupt(e: &dyn fmt::Display) -> Self {
        WorkbookError::Corrupt(e.to_string())
    }

    /// The finding's stable code.
    pub fn code(&self) -> Code {
        match self {
            WorkbookError::Corrupt(_) | WorkbookError::NotAWorkbook | WorkbookError::NoSheet => {
                Code::WorkbookUnreadable
            }
            WorkbookError::SheetNotFound { .. } => Code::SheetNotFound,
            WorkbookError::PasswordProtected => Code::WorkbookPasswordProtected,
            WorkbookError::ZipBomb { .. } | WorkbookError::TooLarge { .. } | WorkbookError::TooManyCells { .. } => {
                Code::WorkbookTooLarge
            }
        }
    }

    /// The file-level finding that reports it.
    pub fn to_finding(&self) -> Finding {
        Finding::file(self.code(), self.to_string())
    }
}

const SAVE_AS_CSV: &str =
    "save it again from your spreadsheet program (or save it as \"CSV UTF-8\") and load that file";

impl fmt::Display for WorkbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkbookError::Corrupt(why) => {
                write!(f, "The workbook is damaged and cannot be read ({why}). Open it in your spreadsheet program, {SAVE_AS_CSV}.")
            }
            WorkbookError::NotAWorkbook => write!(
                f,
                "The file is a ZIP archive or compound file but not a spreadsheet (.xlsx, .xlsm, .ods, .xls). \
                 Load the roster itself, as a workbook or as CSV."
            ),
            WorkbookError::NoSheet => write!(f, "The workbook has no worksheet. Add the roster on a sheet, or {SAVE_AS_CSV}."),
            WorkbookError::SheetNotFound { wanted, names } => {
                let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                write!(
                    f,
                    "The workbook has no sheet named \"{wanted}\". Its sheets are {}; pick one of those.",
                    names.join(", ")
                )
            }
            WorkbookError::PasswordProtected => write!(
                f,
                "The workbook is password-protected (encrypted), so it cannot be read. Open it with its password, \
                 save a copy without one (File → Save As, no password), and load that copy."
            ),
            WorkbookError::ZipBomb { part, size, compressed } => write!(
                f,
                "The workbook's part \"{part}\" would grow from {compressed} to {size} bytes when unpacked, far more \
                 than any spreadsheet does: it looks like a zip bomb and was not unpacked. Load the roster saved by \
                 your spreadsheet program."
            ),
            WorkbookError::TooLarge { part, size, limit } => write!(
                f,
                "The workbook's {part} would unpack to {size} bytes, more than the {limit} bytes a roster may take. \
                 Split the roster into smaller files, or remove what is not the roster (other sheets, images)."
            ),
            WorkbookError::TooManyCells { rows, columns } => write!(
                f,
                "The sheet reaches row {rows} and column {columns}, beyond the {} rows and {} columns a roster may \
                 use. Delete the stray cells far below or to the right of the roster, or copy the roster to a new sheet.",
                super::MAX_ROWS,
                super::MAX_COLUMNS
            ),
        }
    }
}

impl std::error::Error for WorkbookError {}
