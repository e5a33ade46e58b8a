//! Writing rosters and reports back out as CSV, safe to open in a spreadsheet.
//!
//! Every export neutralises formula cells (OWASP CSV injection guidance): a
//! cell a spreadsheet would run gets a leading `'`, which spreadsheets show
//! as text. A roster export must also load back as it was, so the mark is
//! reversible: a cell that already starts with `'`s before a formula
//! character gets one more, and [`undo_formula_safe`] (which the loader
//! applies to every cell of a table) takes exactly one off again.

/// Whether a spreadsheet would run a cell that starts with `c`.
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Whether `cell` needs the mark: it starts with a formula character, or
/// with `'`s and then one (so that taking one `'` off gives it back).
fn needs_mark(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(starts_formula)
}

/// Makes a cell safe to open in a spreadsheet: a cell starting with `=`, `+`,
/// `-`, `@`, TAB or CR gets a leading `'` (OWASP CSV injection guidance), and
/// so does one that starts with `'`s and then one of those, so that
/// [`undo_formula_safe`] gives every cell back.
///
/// ```
/// use smime_bulk_roster::export::{formula_safe, undo_formula_safe};
/// assert_eq!(formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(formula_safe("'=1"), "''=1");
/// assert_eq!(formula_safe("Jane"), "Jane");
/// assert_eq!(undo_formula_safe(&formula_safe("'=1")), "'=1");
/// ```
pub fn formula_safe(cell: &str) -> String {
    if needs_mark(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The cell [`formula_safe`] was given: one leading `'` taken off a cell that
/// carries the mark (`'` then, after any more `'`s, a formula character);
/// any other cell as it is.
///
/// ```
/// use smime_bulk_roster::export::undo_formula_safe;
/// assert_eq!(undo_formula_safe("'=SUM(A1)"), "=SUM(A1)");
/// assert_eq!(undo_formula_safe("'-----BEGIN CERTIFICATE REQUEST-----"), "-----BEGIN CERTIFICATE REQUEST-----");
/// assert_eq!(undo_formula_safe("O'Brien"), "O'Brien");
/// assert_eq!(undo_formula_safe("'quoted'"), "'quoted'");
/// ```
pub fn undo_formula_safe(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_mark(rest) => rest,
        _ => cell,
    }
}

/// Quotes a cell for CSV when it needs it.
pub fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// One CSV line (CRLF-terminated) of formula-safe, quoted cells.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| quote(&formula_safe(c.as_ref())))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Every cell comes back from its mark, and no marked cell starts
        /// with a formula character.
        #[test]
        fn the_mark_is_undone_exactly_and_never_leaves_a_formula(cell in "['=+@\\t\\r -]{0,4}[a-z' ]{0,4}") {
            let marked = formula_safe(&cell);
            proptest::prop_assert!(!marked.starts_with(starts_formula), "{:?}", marked);
            proptest::prop_assert_eq!(undo_formula_safe(&marked), cell.as_str());
        }
    }
}
