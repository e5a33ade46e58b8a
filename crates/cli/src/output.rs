//! How reports are printed: compiler-style text, and JSON for `parse`.

use serde_json::{Map, Value};
use smime_bulk_roster::{Parsed, Report, Severity};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write;

/// `text` with every control character (C0, DEL, C1) and every bidirectional
/// override or isolate written as a visible `\u{…}` escape, so that a cell
/// cannot move the cursor, erase lines or reorder what a terminal shows.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `file:line: message [code]` per finding (warnings marked), then a summary line.
pub fn text(report: &Report, file: &str) -> String {
    let file = &*terminal_safe(file);
    let mut out = String::new();
    for f in &report.findings {
        let place = match report.position(f) {
            Some(at) => format!("{file}:{}", terminal_safe(&at.to_string())),
            None => file.to_owned(),
        };
        let level = if f.severity == Severity::Warning {
            "warning: "
        } else {
            ""
        };
        let _ = writeln!(out, "{place}: {level}{} [{}]", terminal_safe(&f.message), f.code);
    }
    let how = match (report.encoding, report.delimiter, &report.sheet) {
        (_, _, Some(sheet)) => format!(" (sheet {})", terminal_safe(&sheet.name)),
        (Some(e), Some(d), None) => format!(" ({e}, delimiter {d})"),
        (Some(e), None, None) => format!(" ({e}, email list)"),
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
    let keys = unique_keys(&parsed.headers);
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

/// One key per header: the header itself, `column N` for an empty one, and
/// `name (2)`, `name (3)`… for repeats. Linear: each base name remembers the
/// next suffix to try, and taken keys are a set (a header row of 100,000
/// repeated names took minutes when each repeat rescanned the keys).
fn unique_keys(headers: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::with_capacity(headers.len());
    let mut next_suffix: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut keys = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let base = if h.is_empty() {
            format!("column {}", i + 1)
        } else {
            h.clone()
        };
        let mut key = base.clone();
        if taken.contains(&key) {
            let n = next_suffix.entry(base.clone()).or_insert(2);
            loop {
                key = format!("{base} ({n})");
                *n += 1;
                if !taken.contains(&key) {
                    break;
                }
            }
        }
        taken.insert(key.clone());
        keys.push(key);
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_in_cells_are_shown_not_obeyed() {
        assert_eq!(terminal_safe("plain@example.com"), "plain@example.com");
        assert_eq!(
            terminal_safe("a\u{1b}[1A\u{1b}[2Kb\u{202e}c\u{9b}d\r"),
            "a\\u{1b}[1A\\u{1b}[2Kb\\u{202e}c\\u{9b}d\\u{d}"
        );
    }

    #[test]
    fn repeated_headers_get_suffixes_in_linear_time() {
        let headers: Vec<String> = ["Email", "Email", "", "Email (2)", "Email"].map(String::from).to_vec();
        assert_eq!(
            unique_keys(&headers),
            ["Email", "Email (2)", "column 3", "Email (2) (2)", "Email (3)"]
        );
        let many = vec!["x".to_owned(); 100_000];
        let keys = unique_keys(&many);
        assert_eq!(keys.len(), 100_000);
        assert_eq!(keys[99_999], "x (100000)");
        assert_eq!(keys.iter().collect::<HashSet<_>>().len(), 100_000, "no key twice");
    }
}
