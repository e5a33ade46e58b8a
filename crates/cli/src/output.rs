//! How reports are printed: compiler-style text, and JSON for `parse`.

use serde_json::{Map, Value};
use smime_bulk_roster::{Parsed, Report, Severity};
use std::fmt::Write;

/// `file:line: message [code]` per finding (warnings marked), then a summary line.
pub fn text(report: &Report, file: &str) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let place = match f.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_owned(),
        };
        let level = if f.severity == Severity::Warning {
            "warning: "
        } else {
            ""
        };
        let _ = writeln!(out, "{place}: {level}{} [{}]", f.message, f.code);
    }
    let how = match (report.encoding, report.delimiter) {
        (Some(e), Some(d)) => format!(" ({e}, delimiter {d})"),
        (Some(e), None) => format!(" ({e}, email list)"),
        _ => String::new(),
    };
    if report.is_unusable() {
        let _ = writeln!(out, "{file}: unusable, nothing was checked{how}");
    } else {
        let warnings = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        let _ = writeln!(
            out,
            "{file}: {} rows, {} valid, {} invalid, {warnings} warnings{how}",
            report.rows.len(),
            report.valid_count(),
            report.invalid_count()
        );
    }
    out
}

/// The records as a JSON array of objects keyed by the header as written.
/// Repeated or empty headers get a suffix so no value is lost.
pub fn parsed_json(parsed: &Parsed) -> String {
    let mut keys: Vec<String> = Vec::with_capacity(parsed.headers.len());
    for (i, h) in parsed.headers.iter().enumerate() {
        let base = if h.is_empty() {
            format!("column {}", i + 1)
        } else {
            h.clone()
        };
        let mut key = base.clone();
        let mut n = 2;
        while keys.contains(&key) {
            key = format!("{base} ({n})");
            n += 1;
        }
        keys.push(key);
    }
    let rows: Vec<Value> = parsed
        .records
        .iter()
        .map(|r| {
            let mut obj = Map::new();
            for (i, value) in r.fields.iter().enumerate() {
                let key = keys.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
                obj.insert(key, Value::String(value.clone()));
            }
            Value::Object(obj)
        })
        .collect();
    serde_json::to_string_pretty(&Value::Array(rows)).unwrap_or_else(|_| "[]".into())
}
