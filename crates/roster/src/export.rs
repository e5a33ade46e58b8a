//! Writing rosters and reports back out as CSV, safe to open in a spreadsheet.

/// Makes a cell safe to open in a spreadsheet: a cell starting with `=`, `+`,
/// `-`, `@`, TAB or CR gets a leading `'` (OWASP CSV injection guidance).
///
/// ```
/// use smime_bulk_roster::export::formula_safe;
/// assert_eq!(formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(formula_safe("Jane"), "Jane");
/// ```
pub fn formula_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
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

/// One CSV line of cells quoted but not altered (for data that must load back
/// exactly, such as a roster's PEM CSRs, which start with `-`).
pub fn csv_line_verbatim<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells.iter().map(|c| quote(c.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}
