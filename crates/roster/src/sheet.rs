//! Where a workbook's table came from, and how a spreadsheet user finds a
//! cell again: the sheet read, the sheets beside it, and references such as
//! `Roster!C5` (or `'My roster'!C5`, and `Roster!5:5` for a whole row).
//!
//! Always compiled (the page shows these positions); reading a workbook is
//! `crate::workbook`'s, behind the `workbook` feature.

use serde::Serialize;
use std::fmt;

/// The sheet a report's table was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SheetSource {
    /// The sheet's name, as the workbook's tabs show it.
    pub name: String,
    /// Every worksheet's name, in the workbook's order (the choice offered).
    pub names: Vec<String>,
    /// 0-based index of the sheet column that holds the table's first column
    /// (a table may start in column B).
    pub first_column: u32,
    /// Whether the workbook holds macros (they were ignored, never run).
    pub had_macros: bool,
}

/// Where a finding points, as its reader shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position<'a> {
    /// A text file's 1-based physical line.
    Line(u32),
    /// A sheet's cell (or whole row, when `column` is `None`).
    Cell(CellRef<'a>),
}

impl fmt::Display for Position<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(line) => write!(f, "{line}"),
            Position::Cell(cell) => cell.fmt(f),
        }
    }
}

/// A reference to one cell of a sheet, written as a spreadsheet writes it.
///
/// ```
/// use smime_bulk_roster::sheet::CellRef;
/// assert_eq!(CellRef { sheet: "Roster", column: Some(2), row: 5 }.to_string(), "Roster!C5");
/// assert_eq!(CellRef { sheet: "Q1 list", column: Some(27), row: 9 }.to_string(), "'Q1 list'!AB9");
/// assert_eq!(CellRef { sheet: "Roster", column: None, row: 7 }.to_string(), "Roster!7:7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef<'a> {
    /// The sheet's name.
    pub sheet: &'a str,
    /// 0-based sheet column; `None` for the whole row.
    pub column: Option<u32>,
    /// 1-based sheet row.
    pub row: u32,
}

impl fmt::Display for CellRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = !self.sheet.is_empty()
            && self.sheet.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !self.sheet.starts_with(|c: char| c.is_ascii_digit());
        if plain {
            f.write_str(self.sheet)?;
        } else {
            write!(f, "'{}'", self.sheet.replace('\'', "''"))?;
        }
        match self.column {
            Some(column) => write!(f, "!{}{}", column_letters(column), self.row),
            None => write!(f, "!{row}:{row}", row = self.row),
        }
    }
}

/// A 0-based column index as letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        let got: Vec<String> = [0, 25, 26, 51, 52, 701, 702, 16383].map(column_letters).to_vec();
        assert_eq!(got, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }

    #[test]
    fn sheet_names_that_need_it_are_quoted() {
        let at = |sheet| {
            CellRef {
                sheet,
                column: Some(0),
                row: 1,
            }
            .to_string()
        };
        assert_eq!(at("Tabelle1"), "Tabelle1!A1");
        assert_eq!(at("Liste d'été"), "'Liste d''été'!A1");
        assert_eq!(at("2024"), "'2024'!A1");
        assert_eq!(at("Mitarbeiter"), "Mitarbeiter!A1");
    }
}
