//! The roster as CSV: the error report (every finding) and the rows in the
//! template's columns, to load again. Both are formula-safe; the roster's
//! marks are taken off again when it is loaded (see [`crate::export`]).

use super::Editor;
use crate::export::csv_line;
use crate::finding::Finding;
use crate::report::Row;

impl Editor {
    /// The problems as CSV: line, column, value, code, severity, message,
    /// suggestion (formula-safe).
    pub fn error_report_csv(&self) -> String {
        let mut out = csv_line(&["line", "column", "value", "code", "severity", "message", "suggestion"]);
        for f in &self.file_findings {
            out.push_str(&csv_line(&[
                f.line.map(|l| l.to_string()).unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
                String::new(),
                f.code.as_str().to_owned(),
                severity(f),
                f.message.clone(),
                f.suggestion.clone().unwrap_or_default(),
            ]));
        }
        for id in self.ids() {
            let row = self.row(id);
            for f in self.findings(id) {
                let value = match (row, f.field) {
                    (Some(r), Some(field)) => r.get(field).to_owned(),
                    _ => String::new(),
                };
                out.push_str(&csv_line(&[
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    f.column
                        .clone()
                        .unwrap_or_else(|| f.field.map(|x| x.label().to_owned()).unwrap_or_default()),
                    value,
                    f.code.as_str().to_owned(),
                    severity(&f),
                    f.message.clone(),
                    f.suggestion.clone().unwrap_or_default(),
                ]));
            }
        }
        out
    }

    /// The given rows as a roster CSV in the template's columns, formula-safe
    /// (a PEM CSR's leading dashes too), to load again as they were.
    pub fn roster_csv(rows: impl IntoIterator<Item = Row>) -> String {
        let mut out = csv_line(&["First Name", "Last Name", "Email", "Country", "Csr"]);
        for r in rows {
            out.push_str(&csv_line(&[r.first_name, r.last_name, r.email, r.country, r.csr]));
        }
        out
    }
}

fn severity(f: &Finding) -> String {
    if f.is_error() { "error" } else { "warning" }.to_owned()
}
