//! Reads one sheet of a workbook (`.xlsx`, `.xlsm`, `.ods`, `.xls`) into the
//! same header and records the CSV path makes, each record's `line` being its
//! sheet row, so mapping, validation and findings work unchanged.
//!
//! Advice for hackers: nothing here evaluates anything. A formula cell gives
//! the value the spreadsheet program cached when it saved the file; macros
//! (`vbaProject.bin`) are never read beyond noticing they exist. Before
//! calamine inflates a single part, [`limits`] reads the zip's directory and
//! refuses a zip bomb or an outsized shared-strings table; an `.xlsx` sheet is
//! then streamed cell by cell (calamine's cell reader), never made dense, so a
//! stray cell in `XFD1048576` costs nothing but an error. `.ods` and `.xls`
//! sheets come through calamine's dense range, bounded by the same limits.

mod cell;
mod error;
mod limits;

pub use error::WorkbookError;
pub use limits::{MAX_PART_BYTES, MAX_RATIO, MAX_SHARED_STRINGS_BYTES, MAX_TOTAL_BYTES};

use crate::sheet::SheetSource;
use crate::table::Record;
use calamine::{Data, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx};
use std::io::Cursor;

/// The most rows a sheet may have (Excel's own limit).
pub const MAX_ROWS: u32 = 1_048_576;
/// The most columns a roster's sheet may use: a roster has a handful.
pub const MAX_COLUMNS: u32 = 256;

/// What a sheet holds, as the rest of the engine reads a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetTable {
    /// Which sheet, and which others there are.
    pub source: SheetSource,
    /// The first non-empty row, as written.
    pub headers: Vec<String>,
    /// The header's 1-based sheet row (0 when the sheet is empty).
    pub header_row: u32,
    /// The rows after the header that hold a value; `line` is the sheet row.
    pub records: Vec<Record>,
}

/// The file's container, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A zip: `.xlsx`, `.xlsm`, `.xlsb`, `.ods`.
    Zip,
    /// An OLE compound file: `.xls`, or an encrypted `.xlsx`.
    Compound,
}

/// The container of `bytes`, if they are a workbook's.
///
/// ```
/// use smime_bulk_roster::workbook::{container, Container};
/// assert_eq!(container(b"PK\x03\x04rest"), Some(Container::Zip));
/// assert_eq!(container(b"Email\njane@example.com\n"), None);
/// ```
pub fn container(bytes: &[u8]) -> Option<Container> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(Container::Zip)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Container::Compound)
    } else {
        None
    }
}

/// Reads the sheet named `sheet` (the first worksheet when `None`) of the
/// workbook in `bytes`. Never panics, never evaluates a formula or runs a macro.
pub fn read(bytes: &[u8], sheet: Option<&str>) -> Result<SheetTable, WorkbookError> {
    let (mut book, had_macros) = open(bytes)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.to_lowercase() == wanted.to_lowercase()))
            .cloned()
            .ok_or_else(|| WorkbookError::SheetNotFound {
                wanted: wanted.to_owned(),
                names: names.clone(),
            })?,
        None => names.first().cloned().ok_or(WorkbookError::NoSheet)?,
    };
    let mut grid = Grid::default();
    match &mut book {
        Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| WorkbookError::corrupt(&e))?;
            while let Some(c) = cells.next_cell().map_err(|e| WorkbookError::corrupt(&e))? {
                let (row, column) = c.get_position();
                grid.put(row, column, cell::text_of_ref(c.get_value()))?;
            }
        }
        other => {
            let range: Range<Data> = other.worksheet_range(&name).map_err(|e| WorkbookError::corrupt(&e))?;
            let (top, left) = range.start().unwrap_or((0, 0));
            if range.height() as u64 > u64::from(MAX_ROWS) || range.width() as u64 > u64::from(MAX_COLUMNS) {
                return Err(WorkbookError::TooManyCells {
                    rows: range.height() as u64,
                    columns: range.width() as u64,
                });
            }
            for (r, c, value) in range.used_cells() {
                grid.put(top + r as u32, left + c as u32, cell::text_of(value))?;
            }
        }
    }
    Ok(grid.into_table(SheetSource {
        name,
        names,
        first_column: 0,
        had_macros,
    }))
}

/// A workbook as calamine opens it from memory.
type Book<'a> = Sheets<Cursor<&'a [u8]>>;

/// Opens the workbook as its container and parts say, after the size
/// checks; with whether it holds macros.
fn open(bytes: &[u8]) -> Result<(Book<'_>, bool), WorkbookError> {
    let cursor = Cursor::new(bytes);
    let corrupt = |e: &dyn std::fmt::Display| WorkbookError::corrupt(e);
    match container(bytes) {
        Some(Container::Zip) => {
            let parts = limits::check_zip(bytes)?;
            let book = if parts.has("xl/workbook.xml") {
                Sheets::Xlsx(Xlsx::new(cursor).map_err(|e| corrupt(&e))?)
            } else if parts.has("xl/workbook.bin") {
                Sheets::Xlsb(Xlsb::new(cursor).map_err(|e| corrupt(&e))?)
            } else if parts.has("content.xml") {
                Sheets::Ods(Ods::new(cursor).map_err(|e| corrupt(&e))?)
            } else {
                return Err(WorkbookError::NotAWorkbook);
            };
            Ok((book, parts.has_macros()))
        }
        Some(Container::Compound) => {
            if limits::is_encrypted_package(bytes) {
                return Err(WorkbookError::PasswordProtected);
            }
            match Xls::new(cursor) {
                Ok(xls) => Ok((Sheets::Xls(xls), limits::compound_has_macros(bytes))),
                Err(calamine::XlsError::Password) => Err(WorkbookError::PasswordProtected),
                Err(e) => Err(WorkbookError::corrupt(&e)),
            }
        }
        None => Err(WorkbookError::NotAWorkbook),
    }
}

/// The sheet's non-empty cells as they are read: (0-based row, 0-based
/// column, text), in the order cells come (row by row in every file seen).
#[derive(Default)]
struct Grid {
    cells: Vec<(u32, u32, String)>,
}

impl Grid {
    fn put(&mut self, row: u32, column: u32, text: String) -> Result<(), WorkbookError> {
        if text.is_empty() {
            return Ok(());
        }
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            return Err(WorkbookError::TooManyCells {
                rows: u64::from(row) + 1,
                columns: u64::from(column) + 1,
            });
        }
        self.cells.push((row, column, text));
        Ok(())
    }

    /// The header (first row) and records, every row as wide as the widest,
    /// starting at the leftmost column that holds a value.
    fn into_table(mut self, mut source: SheetSource) -> SheetTable {
        // Already in order for every file seen: the sort is then one pass.
        self.cells.sort_by_key(|&(row, column, _)| (row, column));
        let left = self.cells.iter().map(|c| c.1).min().unwrap_or(0);
        let width = self.cells.iter().map(|c| c.1 - left + 1).max().unwrap_or(0) as usize;
        source.first_column = left;
        let mut records: Vec<Record> = Vec::new();
        for (row, column, text) in self.cells {
            if records.last().is_none_or(|r| r.line != row + 1) {
                records.push(Record {
                    line: row + 1,
                    fields: vec![String::new(); width],
                    leading_control: Vec::new(),
                });
            }
            let Some(record) = records.last_mut() else { continue };
            let i = (column - left) as usize;
            if text.starts_with(['\t', '\r']) {
                record.leading_control.push(i);
            }
            let trimmed = text.trim();
            record.fields[i] = if trimmed.len() == text.len() {
                text
            } else {
                trimmed.to_owned()
            };
        }
        let mut records = records.into_iter();
        let (headers, header_row) = match records.next() {
            Some(h) => (h.fields, h.line),
            None => (Vec::new(), 0),
        };
        SheetTable {
            source,
            headers,
            header_row,
            records: records.filter(|r| r.fields.iter().any(|f| !f.is_empty())).collect(),
        }
    }
}
