//! Workbooks read directly: the committed fixtures were saved by LibreOffice
//! (`tools/gen-workbook-fixtures.sh`); the hostile ones are built here, small.

use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::{check, parse, wire, Code, Mode, Options, Report};
use std::io::{Read, Write};

fn fixture(name: &str) -> Vec<u8> {
    let dir = env!("CARGO_MANIFEST_DIR");
    std::fs::read(format!("{dir}/tests/fixtures/{name}")).unwrap()
}

fn options(sheet: Option<&str>) -> Options {
    Options {
        mode: Mode::Auto,
        domains: ValidatedDomains::parse(["example.com", "example.org"]).unwrap(),
        sheet: sheet.map(str::to_owned),
        ..Options::default()
    }
}

/// Each finding as `position code`.
fn placed(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| match report.position(f) {
            Some(at) => format!("{at} {}", f.code),
            None => f.code.to_string(),
        })
        .collect()
}

fn codes(report: &Report) -> Vec<Code> {
    report.findings.iter().map(|f| f.code).collect()
}

#[test]
fn xlsx_ods_and_xls_saved_by_libreoffice_read_alike_with_cell_references() {
    let want = [
        // One finding for both ignored columns, at the first of them.
        "Équipe!F1 column_ignored",
        "Équipe!D3 country_invalid",
        "Équipe!C4 email_invalid",
    ];
    for file in ["roster.xlsx", "roster.ods", "roster.xls"] {
        let report = check(&fixture(&format!("workbook/{file}")), &options(None));
        assert_eq!(placed(&report), want, "{file}");
        let sheet = report.sheet.as_ref().unwrap();
        assert_eq!(
            (sheet.name.as_str(), &sheet.names[..]),
            ("Équipe", &["Équipe".to_owned(), "Contractors".to_owned()][..])
        );
        let names: Vec<(&str, &str)> = report
            .rows
            .iter()
            .map(|r| (r.first_name.as_str(), r.last_name.as_str()))
            .collect();
        assert_eq!(
            names,
            [("Jürgen", "Müller"), ("Zoë", "Ørsted"), ("美咲", "佐藤")],
            "{file}"
        );
        assert_eq!(
            report.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3, 4],
            "{file}"
        );
        assert!(
            report.rows.iter().all(|r| r.csr.is_empty()),
            "{file}: the Csr column is empty"
        );
        assert_eq!(report.rows[2].country, "JP");
    }
}

#[test]
fn dates_and_numbers_read_as_the_sheet_shows_them_and_formulas_give_their_cached_value() {
    for file in ["roster.xlsx", "roster.ods", "roster.xls"] {
        let parsed = parse(
            &fixture(&format!("workbook/{file}")),
            Mode::Table,
            None,
            &Default::default(),
        );
        assert!(parsed.findings.is_empty(), "{file}: {:?}", parsed.findings);
        let column = |name: &str| {
            let i = parsed.headers.iter().position(|h| h == name).unwrap();
            parsed.records.iter().map(|r| r.fields[i].clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            column("Start Date"),
            ["2024-03-01", "2023-11-15", "2022-01-31"],
            "{file}"
        );
        // G3 is the formula =G2+1: its cached value, never evaluated here.
        assert_eq!(column("Employee No"), ["45000", "45001", "12.5"], "{file}");
    }
}

#[test]
fn another_sheet_is_read_when_named_and_a_wrong_name_lists_the_sheets() {
    let bytes = fixture("workbook/roster.xlsx");
    let report = check(&bytes, &options(Some("Contractors")));
    assert_eq!(placed(&report), ["Contractors!D3 country_lowercase"]);
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.rows[0].email, "siobhan@example.org");
    assert_eq!(report.rows[0].last_name, "Ó Briain");

    let report = check(&bytes, &options(Some("Staff")));
    assert_eq!(codes(&report), [Code::SheetNotFound]);
    assert!(report.is_unusable());
    let message = &report.findings[0].message;
    assert!(
        message.contains("\"Staff\"") && message.contains("\"Équipe\", \"Contractors\""),
        "{message}"
    );
}

#[test]
fn a_workbook_saved_from_a_csv_reports_what_the_csv_does() {
    let from_csv = check(&fixture("roster/all-rules.csv"), &options(None));
    let from_xlsx = check(&fixture("workbook/all-rules.xlsx"), &options(None));
    // LibreOffice made =HYPERLINK("http://x") a formula: its cached value is
    // read, so the formula warning of the CSV has no cause in the workbook.
    let formula_row = from_csv
        .rows
        .iter()
        .position(|r| r.first_name.starts_with('='))
        .unwrap();
    assert_eq!(from_xlsx.rows[formula_row].first_name, "http://x");
    let without_formula: Vec<Code> = codes(&from_csv)
        .into_iter()
        .filter(|c| *c != Code::FormulaInjection)
        .collect();
    assert_eq!(codes(&from_xlsx), without_formula);
    // A cell keeps line breaks as LF: LibreOffice stored the CSV's CRLF so.
    let emails = |r: &Report| {
        r.rows
            .iter()
            .map(|r| (r.email.clone(), r.csr.replace("\r\n", "\n"), r.valid))
            .collect::<Vec<_>>()
    };
    assert_eq!(emails(&from_xlsx), emails(&from_csv));
    // Sheet rows, not text lines: the CSV's CSRs span lines, the cells do not.
    assert_eq!(
        from_xlsx.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        (2..=24).collect::<Vec<u32>>()
    );
}

#[test]
fn the_workers_wire_form_carries_the_sheet() {
    let bytes = fixture("workbook/roster.ods");
    let options = options(Some("Contractors"));
    let report = check(&bytes, &options);
    let (streamed, preview) = wire::check_with_progress(&bytes, &options, &mut |_| {}, 2, wire::KeepBuffers);
    assert!(streamed.to_vec() == wire::encode(&report));
    assert_eq!(preview.len(), 2);
    let back = wire::decode(&wire::encode(&report)).unwrap();
    assert_eq!(back.sheet, report.sheet);
    assert_eq!(placed(&back), ["Contractors!D3 country_lowercase"]);
    let request = wire::decode_options(&wire::encode_options(&options)).unwrap();
    assert_eq!(request.sheet.as_deref(), Some("Contractors"));
}

#[test]
fn a_password_protected_workbook_is_refused_as_such() {
    let report = check(&fixture("workbook/roster-password.xlsx"), &options(None));
    assert_eq!(codes(&report), [Code::WorkbookPasswordProtected]);
    assert!(report.findings[0].message.contains("password-protected"));
    assert!(report.is_unusable());
}

/// The parts of a zip, inflated.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            (part.name().unwrap().into_owned(), data)
        })
        .collect()
}

/// A zip of `parts`, deflated.
fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let how = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        out.start_file(name.as_str(), how).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// `roster.xlsx` with `change` applied to its parts.
fn roster_xlsx_with(change: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut parts = unzip(&fixture("workbook/roster.xlsx"));
    change(&mut parts);
    rezip(&parts)
}

fn part<'a>(parts: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    &mut parts.iter_mut().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn macros_are_ignored_never_run_and_said_so() {
    let xlsm = roster_xlsx_with(|parts| parts.push(("xl/vbaProject.bin".into(), b"\xD0\xCF\x11\xE0 VBA".to_vec())));
    let report = check(&xlsm, &options(None));
    assert_eq!(codes(&report)[0], Code::MacrosIgnored);
    assert!(!report.is_unusable());
    assert_eq!(report.rows.len(), 3);
    assert!(report.findings[0].message.contains("never run"));
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let bomb = roster_xlsx_with(|parts| *part(parts, "xl/worksheets/sheet1.xml") = vec![b' '; 8 << 20]);
    let report = check(&bomb, &options(None));
    assert_eq!(codes(&report), [Code::WorkbookTooLarge]);
    assert!(
        report.findings[0].message.contains("zip bomb"),
        "{}",
        report.findings[0].message
    );
}

#[test]
fn a_shared_strings_table_declared_huge_is_refused() {
    let mut bytes = fixture("workbook/roster.xlsx");
    // The central directory's entry for xl/sharedStrings.xml: its declared
    // uncompressed size (offset 24) set to 1 GiB, as a hostile file may.
    let name = b"xl/sharedStrings.xml";
    let entry = (0..bytes.len() - 46)
        .find(|&i| bytes[i..].starts_with(b"PK\x01\x02") && bytes[i + 46..].starts_with(name))
        .unwrap();
    bytes[entry + 24..entry + 28].copy_from_slice(&(1u32 << 30).to_le_bytes());
    let report = check(&bytes, &options(None));
    assert_eq!(codes(&report), [Code::WorkbookTooLarge]);
    assert!(report.findings[0].message.contains("xl/sharedStrings.xml"));
}

#[test]
fn a_cell_far_beyond_the_roster_is_refused_not_made_dense() {
    for cell in [
        r#"<c r="XFD2" t="n"><v>1</v></c>"#,
        r#"<c r="A1048577" t="n"><v>1</v></c>"#,
    ] {
        let far = roster_xlsx_with(|parts| {
            let sheet = part(parts, "xl/worksheets/sheet1.xml");
            let text = String::from_utf8(sheet.clone()).unwrap();
            let at = text.find("</row>").unwrap();
            *sheet = format!("{}{cell}{}", &text[..at], &text[at..]).into_bytes();
        });
        let report = check(&far, &options(None));
        assert_eq!(codes(&report), [Code::WorkbookTooLarge], "{cell}");
        assert!(report.findings[0].message.contains("stray cells"));
    }
}

#[test]
fn damaged_zips_and_other_archives_get_a_clear_error() {
    let whole = fixture("workbook/roster.xlsx");
    let cut = &whole[..whole.len() / 2];
    let other = rezip(&[("notes.txt".into(), b"not a spreadsheet".to_vec())]);
    let bad_xml = roster_xlsx_with(|parts| *part(parts, "xl/workbook.xml") = b"<workbook><sheets><sheet".to_vec());
    for (what, bytes) in [("cut", cut), ("other", &other[..]), ("bad xml", &bad_xml[..])] {
        let report = check(bytes, &options(None));
        assert_eq!(
            codes(&report),
            [Code::WorkbookUnreadable],
            "{what}: {:?}",
            report.findings
        );
        assert!(report.findings[0].message.len() > 40);
    }
    assert!(check(&other, &options(None)).findings[0]
        .message
        .contains("not a spreadsheet"));
}
