//! How reports are printed: compiler-style text and JSON, both written as
//! the findings come (never a whole report in memory), and JSON for `parse`.

use serde_json::{Map, Value};
use smime_bulk_roster::{FindingParts, FindingSink, Parsed, Report, Severity};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};

/// `text` with every control character (C0, DEL, C1) and every invisible or
/// text-reordering one (bidirectional overrides and isolates, zero-width
/// characters, the BOM: `smime_bulk_roster::invisible`) written as a
/// visible `\u{…}` escape, so that a cell cannot move the cursor, erase
/// lines, reorder or hide what a terminal shows.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || smime_bulk_roster::invisible::is_invisible(c);
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
    let mut out = TextFindings::new(Vec::new(), file, report);
    for f in &report.findings {
        out.add(FindingParts::of(f));
    }
    match ReportWriter::finish(out, report, report.rows.len(), report.valid_count()) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("{e}\n"),
    }
}

/// A report written as the findings come: fed each finding, then finished
/// with the findings left in the report, the counts and the summary.
pub trait ReportWriter: FindingSink {
    /// What the writer gives back once finished.
    type Out;

    /// Writes `report`'s own findings, then the end of the report for `rows`
    /// rows of which `valid` are valid; the first write error, if any.
    fn finish(self, report: &Report, rows: usize, valid: usize) -> io::Result<Self::Out>;
}

/// The text report written as the findings come (`check_streamed`'s sink):
/// a line per finding, then [`TextFindings::finish`]'s summary line.
pub struct TextFindings<W: Write> {
    out: W,
    /// The file's name, terminal-safe.
    file: String,
    /// The report's head (its headers, mapping and sheet, no rows): where
    /// each finding is, a line or a sheet's cell.
    head: Report,
    warnings: usize,
    /// The first write that failed; nothing is written after it.
    error: Option<io::Error>,
}

impl<W: Write> TextFindings<W> {
    /// Lines about `file`, whose report begins with `head`, into `out`.
    pub fn new(out: W, file: &str, head: &Report) -> Self {
        TextFindings {
            out,
            file: terminal_safe(file).into_owned(),
            head: Report {
                headers: head.headers.clone(),
                mapping: head.mapping.clone(),
                sheet: head.sheet.clone(),
                ..Report::default()
            },
            warnings: 0,
            error: None,
        }
    }
}

/// Its end is the summary line.
impl<W: Write> ReportWriter for TextFindings<W> {
    type Out = W;

    fn finish(mut self, report: &Report, rows: usize, valid: usize) -> io::Result<W> {
        for f in &report.findings {
            self.add(FindingParts::of(f));
        }
        let file = &self.file;
        let how = match (report.encoding, report.delimiter, &report.sheet) {
            (_, _, Some(sheet)) => format!(" (sheet {})", terminal_safe(&sheet.name)),
            (Some(e), Some(d), None) => format!(" ({e}, delimiter {d})"),
            (Some(e), None, None) => format!(" ({e}, email list)"),
            _ => String::new(),
        };
        let written = if report.is_unusable() {
            writeln!(self.out, "{file}: unusable, nothing was checked{how}")
        } else {
            let warnings = self.warnings;
            let invalid = rows - valid;
            writeln!(
                self.out,
                "{file}: {rows} rows, {valid} valid, {invalid} invalid, {warnings} warnings{how}"
            )
        };
        match self.error.take() {
            Some(e) => Err(e),
            None => written.and_then(|()| self.out.flush()).map(|()| self.out),
        }
    }
}

impl<W: Write> FindingSink for TextFindings<W> {
    fn add(&mut self, f: FindingParts<'_>) {
        if self.error.is_some() {
            return;
        }
        let level = if f.code.severity() == Severity::Warning {
            self.warnings += 1;
            "warning: "
        } else {
            ""
        };
        let file = &self.file;
        let written = match self.head.position_of(&f) {
            Some(at) => writeln!(
                self.out,
                "{file}:{}: {level}{} [{}]",
                terminal_safe(&at.to_string()),
                terminal_safe(&f.message),
                f.code
            ),
            None => writeln!(self.out, "{file}: {level}{} [{}]", terminal_safe(&f.message), f.code),
        };
        self.error = written.err();
    }
}

/// The JSON report written as the findings come (`check_streamed`'s sink),
/// never held whole: `{"encoding","delimiter","mapping"[,"sheet"],"findings":[…]`,
/// one finding a line, then `"rows","valid","invalid","coverage"}` once the
/// rows are counted. Its content is the report's summary, key for key.
pub struct JsonFindings<W: Write> {
    out: W,
    /// Findings written so far.
    count: usize,
    /// The first write that failed; nothing is written after it.
    error: Option<io::Error>,
}

impl<W: Write> JsonFindings<W> {
    /// Starts the document with the head of `report`.
    pub fn begin(out: W, head: &Report) -> Self {
        let mut json = JsonFindings {
            out,
            count: 0,
            error: None,
        };
        json.error = json.head(head).err();
        json
    }

    fn head(&mut self, head: &Report) -> io::Result<()> {
        self.out.write_all(b"{\"encoding\":")?;
        serde_json::to_writer(&mut self.out, &head.encoding)?;
        self.out.write_all(b",\"delimiter\":")?;
        serde_json::to_writer(&mut self.out, &head.delimiter)?;
        self.out.write_all(b",\"mapping\":")?;
        serde_json::to_writer(&mut self.out, &head.mapping)?;
        if let Some(sheet) = &head.sheet {
            self.out.write_all(b",\"sheet\":")?;
            serde_json::to_writer(&mut self.out, sheet)?;
        }
        self.out.write_all(b",\"findings\":[")
    }
}

/// Its end is the counts and the coverage.
impl<W: Write> ReportWriter for JsonFindings<W> {
    type Out = W;

    fn finish(mut self, report: &Report, rows: usize, valid: usize) -> io::Result<W> {
        for f in &report.findings {
            self.add(FindingParts::of(f));
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        write!(
            self.out,
            "\n],\"rows\":{rows},\"valid\":{valid},\"invalid\":{},\"coverage\":",
            rows - valid
        )?;
        serde_json::to_writer(&mut self.out, &report.coverage)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> FindingSink for JsonFindings<W> {
    fn add(&mut self, f: FindingParts<'_>) {
        if self.error.is_some() {
            return;
        }
        let separator: &[u8] = if self.count == 0 { b"\n" } else { b",\n" };
        self.count += 1;
        let written = self
            .out
            .write_all(separator)
            .and_then(|()| serde_json::to_writer(&mut self.out, &f).map_err(io::Error::from));
        self.error = written.err();
    }
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
        assert_eq!(
            terminal_safe("bob@exa\u{200b}mple.com\u{feff}"),
            "bob@exa\\u{200b}mple.com\\u{feff}"
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
