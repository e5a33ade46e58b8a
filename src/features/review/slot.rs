//! What one row element ("slot") of the review grid shows, computed in one
//! pass from the editor: no DOM, no signals, tested natively.
//!
//! Advice for hackers: the grid keeps one memo of a [`SlotView`] per slot,
//! and each of the slot's DOM bindings reads its own piece of it. A chain of
//! small memos per cell (row findings → cell findings → invalid → class)
//! looked cheaper but was not: marking a chain re-walks every path through
//! it, and a scroll re-marks all 18 slots each frame.

use smime_bulk_roster::editor::Editor;
use smime_bulk_roster::mapping::{Field, Mapping};
use smime_bulk_roster::sheet::{CellRef, SheetSource};
use smime_bulk_roster::Finding;

/// What a slot shows: its row and each of its cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotView {
    /// The row's id in the editor; `None` for a slot past the rows.
    pub id: Option<usize>,
    /// The row's line in the file (0 for no row).
    pub line: u32,
    /// The row's error findings, all fields counted.
    pub errors: usize,
    /// The messages of the row's findings about no one cell, joined.
    pub row_notes: String,
    /// The cells, in the grid's column order.
    pub cells: Vec<CellView>,
}

/// What one cell shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellView {
    /// The value, as the editor holds it.
    pub value: String,
    /// The worst of its findings.
    pub mark: Mark,
    /// Its findings' messages, joined, after the sheet cell they are about in
    /// a workbook (`Sheet1!C5: …`); empty without findings.
    pub message: String,
}

/// The worst finding a cell has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mark {
    /// No finding.
    #[default]
    Clean,
    /// Warnings only.
    Warned,
    /// At least one error.
    Invalid,
}

/// Where the rows came from when the roster is a workbook: the sheet and how
/// its columns map to fields (findings then name their sheet cell).
#[derive(Debug, Clone, Copy)]
pub struct SheetColumns<'a> {
    /// The sheet read.
    pub sheet: &'a SheetSource,
    /// The mapping of its table's columns.
    pub mapping: &'a Mapping,
}

impl SlotView {
    /// The view of row `id` (none: an empty slot) with cells for `fields`.
    pub fn of(editor: &Editor, id: Option<usize>, fields: &[Field], sheet: Option<SheetColumns<'_>>) -> SlotView {
        let Some((id, row)) = id.and_then(|id| Some((id, editor.row(id)?))) else {
            return SlotView::default();
        };
        let findings = editor.findings(id);
        let joined = |about: &dyn Fn(&Finding) -> bool| {
            let mut out = String::new();
            for f in findings.iter().filter(|f| about(f)) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&f.message);
            }
            out
        };
        let cells = fields
            .iter()
            .map(|&field| {
                let own = findings.iter().filter(|f| f.field == Some(field));
                let (any, error) = own.fold((false, false), |(_, e), f| (true, e || f.is_error()));
                let mark = match (any, error) {
                    (_, true) => Mark::Invalid,
                    (true, false) => Mark::Warned,
                    _ => Mark::Clean,
                };
                let mut message = joined(&|f| f.field == Some(field));
                if let Some(at) = sheet.filter(|_| any).and_then(|s| cell_ref(s, field, row.line)) {
                    message.insert_str(0, &format!("{at}: "));
                }
                CellView {
                    value: row.get(field).to_owned(),
                    mark,
                    message,
                }
            })
            .collect();
        SlotView {
            id: Some(id),
            line: row.line,
            errors: findings.iter().filter(|f| f.is_error()).count(),
            row_notes: joined(&|f| f.field.is_none()),
            cells,
        }
    }
}

/// The sheet cell of `field` on sheet row `line`, as the sheet names it.
fn cell_ref(s: SheetColumns<'_>, field: Field, line: u32) -> Option<String> {
    let column = s.mapping.column(field)? as u32 + s.sheet.first_column;
    Some(
        CellRef {
            sheet: &s.sheet.name,
            column: Some(column),
            row: line,
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use smime_bulk_roster::domains::ValidatedDomains;
    use smime_bulk_roster::mapping::map_headers;
    use smime_bulk_roster::{check, Mode, Options};

    fn editor(csv: &str) -> Editor {
        let options = Options {
            mode: Mode::Table,
            domains: ValidatedDomains::parse(["example.com"]).unwrap(),
            ..Options::default()
        };
        Editor::new(check(csv.as_bytes(), &options), &options)
    }

    const FIELDS: [Field; 4] = [Field::FirstName, Field::LastName, Field::Email, Field::Country];

    #[test]
    fn a_slot_shows_its_rows_values_and_the_worst_finding_of_each_cell() {
        let e =
            editor("First Name,Last Name,Email,Country\nJane,Doe,jane@example.com,UK\nBob,Stone,bob@example.com,GB\n");
        let view = SlotView::of(&e, Some(0), &FIELDS, None);
        assert_eq!(view.id, Some(0));
        assert_eq!(view.line, 2);
        assert_eq!(view.errors, 1);
        let values: Vec<_> = view.cells.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["Jane", "Doe", "jane@example.com", "UK"]);
        let marks: Vec<_> = view.cells.iter().map(|c| c.mark).collect();
        assert_eq!(marks, [Mark::Clean, Mark::Clean, Mark::Clean, Mark::Invalid]);
        assert!(
            view.cells[3].message.contains("\"UK\" is not an ISO 3166 code"),
            "{}",
            view.cells[3].message
        );
        assert_eq!(view.cells[0].message, "");
        let valid = SlotView::of(&e, Some(1), &FIELDS, None);
        assert_eq!((valid.line, valid.errors), (3, 0));
        assert!(valid
            .cells
            .iter()
            .all(|c| c.mark == Mark::Clean && c.message.is_empty()));
    }

    #[test]
    fn a_duplicate_warns_on_the_email_cell_and_a_workbook_names_the_sheet_cell() {
        let e =
            editor("First Name,Last Name,Email,Country\nJane,Doe,jane@example.com,GB\nJane,Doe,jane@example.com,GB\n");
        let view = SlotView::of(&e, Some(1), &FIELDS, None);
        assert_ne!(view.cells[2].mark, Mark::Clean, "the second address is a duplicate");
        assert!(view.cells[2].message.contains("line 2"), "{}", view.cells[2].message);
        let sheet = SheetSource {
            name: "Staff".into(),
            names: vec!["Staff".into()],
            first_column: 1,
            had_macros: false,
        };
        let headers = ["First Name", "Last Name", "Email", "Country"].map(String::from);
        let (mapping, _) = map_headers(&headers, 1);
        let named = SlotView::of(
            &e,
            Some(1),
            &FIELDS,
            Some(SheetColumns {
                sheet: &sheet,
                mapping: &mapping,
            }),
        );
        // Email is the table's third column; the table starts in column B.
        assert!(
            named.cells[2].message.starts_with("Staff!D3: "),
            "{}",
            named.cells[2].message
        );
        assert_eq!(named.cells[0].message, "", "no finding, no cell named");
    }

    #[test]
    fn a_slot_past_the_rows_or_on_a_deleted_row_is_empty() {
        let mut e = editor("First Name,Last Name,Email,Country\nJane,Doe,jane@example.com,GB\n");
        assert_eq!(SlotView::of(&e, None, &FIELDS, None), SlotView::default());
        assert_eq!(SlotView::of(&e, Some(7), &FIELDS, None), SlotView::default());
        e.delete(0);
        assert_eq!(SlotView::of(&e, Some(0), &FIELDS, None), SlotView::default());
    }
}
