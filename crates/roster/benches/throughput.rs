//! Engine throughput on generated rosters of 100k and 1M rows: prints rows/s
//! (items) and MB/s (bytes), for the report of rows (`check`) and for the
//! compact form the engine worker posts. Run with `cargo bench -p smime-bulk-roster`.
//! Figures only; nothing here asserts a time.

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use smime_bulk_roster::{check, domains::ValidatedDomains, Mode, Options};

fn main() {
    divan::main();
}

#[path = "support/roster.rs"]
mod support;
use support::roster;

fn options() -> Options {
    Options {
        mode: Mode::Table,
        domains: ValidatedDomains::parse(["example.com", "example.org"]).unwrap(),
        exact_domains: false,
        mapping: None,
        limits: Default::default(),
        sheet: None,
        key_seed: 0,
    }
}

#[divan::bench(args = [100_000, 1_000_000], sample_count = 5, sample_size = 1)]
fn check_roster(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    let options = options();
    bencher
        .counter(ItemsCount::new(rows))
        .counter(BytesCount::new(bytes.len()))
        .bench(|| check(divan::black_box(&bytes), &options));
}

/// The engine worker's path: rows written to the compact form as they are
/// checked, never held as `Row`s.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 5, sample_size = 1)]
fn check_roster_to_wire(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    let options = options();
    bencher
        .counter(ItemsCount::new(rows))
        .counter(BytesCount::new(bytes.len()))
        .bench(|| {
            smime_bulk_roster::wire::check_with_progress(
                divan::black_box(&bytes),
                &options,
                &mut |_| {},
                3,
                smime_bulk_roster::wire::KeepBuffers,
            )
        });
}

/// The same roster as an `.xlsx` workbook beside its CSV: read through
/// calamine, then checked. Run with `--features workbook`.
#[cfg(feature = "workbook")]
#[divan::bench(args = [100_000], sample_count = 5, sample_size = 1)]
fn check_roster_xlsx(bencher: Bencher, rows: usize) {
    let bytes = workbook::xlsx(&roster(rows));
    let options = options();
    bencher
        .counter(ItemsCount::new(rows))
        .counter(BytesCount::new(bytes.len()))
        .bench(|| check(divan::black_box(&bytes), &options));
}

/// A small `.xlsx` writer for the benchmark: one sheet, every cell a shared
/// string, as Excel saves a roster of text.
#[cfg(feature = "workbook")]
mod workbook {
    use std::collections::HashMap;
    use std::fmt::Write as _;
    use std::io::Write;

    /// The benchmark's CSV (no quotes, no commas in values) as a workbook.
    pub fn xlsx(csv: &[u8]) -> Vec<u8> {
        let text = std::str::from_utf8(csv).unwrap();
        let (mut strings, mut index) = (Vec::<&str>::new(), HashMap::<&str, usize>::new());
        let mut sheet = String::from(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        ));
        for (r, line) in text.lines().filter(|l| !l.is_empty()).enumerate() {
            let _ = write!(sheet, r#"<row r="{}">"#, r + 1);
            for (c, value) in line.split(',').enumerate() {
                if value.is_empty() {
                    continue;
                }
                let n = *index.entry(value).or_insert_with(|| {
                    strings.push(value);
                    strings.len() - 1
                });
                let column = smime_bulk_roster::sheet::column_letters(c as u32);
                let _ = write!(sheet, r#"<c r="{column}{}" t="s"><v>{n}</v></c>"#, r + 1);
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData></worksheet>");
        let mut shared = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
            strings.len()
        );
        for s in &strings {
            let escaped = s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            let _ = write!(shared, "<si><t>{escaped}</t></si>");
        }
        shared.push_str("</sst>");
        let main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            (
                "[Content_Types].xml",
                concat!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
                    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
                    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
                    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
                    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
                    r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#,
                    "</Types>"
                )
                .to_owned(),
            ),
            (
                "_rels/.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{main}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{main}"><sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{main}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{main}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
                ),
            ),
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", shared),
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let how = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            zip.start_file(name, how).unwrap();
            zip.write_all(data.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }
}
