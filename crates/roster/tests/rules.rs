//! One test per rule, on small rosters written the way users write them.

use smime_bulk_roster::{
    check, decode::TextEncoding, domains::ValidatedDomains, sniff::Delimiter, Code, Mode, Options, Report,
};

fn opts(domains: &[&str]) -> Options {
    Options {
        domains: ValidatedDomains::parse(domains).unwrap(),
        ..Options::default()
    }
}

fn run(text: &str) -> Report {
    check(text.as_bytes(), &opts(&["example.com", "example.org"]))
}

/// (line, code) of every finding.
fn codes(report: &Report) -> Vec<(Option<u32>, Code)> {
    report.findings.iter().map(|f| (f.line, f.code)).collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/roster/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const HEADER: &str = "First Name,Last Name,Email,Country\n";

fn one_row(row: &str) -> Report {
    run(&format!("{HEADER}{row}\n"))
}

#[test]
fn semicolon_excel_export_in_windows_1252_is_read() {
    let r = check(
        &fixture("excel-1252-semicolon.csv"),
        &opts(&["example.com", "example.org"]),
    );
    assert_eq!(r.encoding, Some(TextEncoding::Windows1252));
    assert_eq!(r.delimiter, Some(Delimiter::Semicolon));
    assert_eq!(r.rows.len(), 6);
    assert_eq!(r.rows[0].first_name, "Jürgen");
    assert_eq!(r.rows[0].line, 2);
    assert_eq!(r.rows[4].first_name, "Anna; Maria");
    assert_eq!(r.rows[4].last_name, "Weiß");
}

#[test]
fn utf16le_unicode_text_export_is_read() {
    let r = check(
        &fixture("excel-unicode-text.txt"),
        &opts(&["example.com", "example.org"]),
    );
    assert_eq!(r.encoding, Some(TextEncoding::Utf16Le));
    assert_eq!(r.delimiter, Some(Delimiter::Tab));
    assert_eq!(r.rows[2].last_name, "佐藤");
    assert_eq!(r.rows.len(), 4);
}

#[test]
fn utf16be_with_bom_is_read() {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in "Email\r\njane@example.com\r\n".encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    let r = check(&bytes, &opts(&["example.com"]));
    assert_eq!(r.encoding, Some(TextEncoding::Utf16Be));
    assert_eq!(r.rows[0].email, "jane@example.com");
}

#[test]
fn utf8_bom_is_stripped_before_the_header() {
    let r = check(&fixture("sheets-utf8-bom.csv"), &opts(&["example.com"]));
    assert_eq!(r.encoding, Some(TextEncoding::Utf8Bom));
    assert_eq!(
        r.mapping.header(smime_bulk_roster::mapping::Field::FirstName),
        Some("First Name")
    );
}

#[test]
fn binary_files_are_not_text() {
    for bytes in [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &[1u8, 2, 3, 4, 5, 6, 7, 8][..]] {
        let r = check(bytes, &Options::default());
        assert_eq!(codes(&r), vec![(None, Code::NotText)], "{bytes:?}");
        assert!(r.rows.is_empty());
        assert!(r.is_unusable());
    }
    // A zip: refused as not text without the `workbook` feature (the page's
    // own build), read as a workbook (here a damaged one) with it.
    let r = check(b"PK\x03\x04\x14\x00", &Options::default());
    let (code, words) = if cfg!(feature = "workbook") {
        (Code::WorkbookUnreadable, "The workbook is damaged")
    } else {
        (Code::NotText, "Excel workbook")
    };
    assert_eq!(codes(&r), vec![(None, code)]);
    assert!(r.findings[0].message.contains(words), "{}", r.findings[0].message);
}

/// The file-level finding of `bytes`, which must be its only one, of
/// `code`, on `line`, its message saying each of `says`.
fn only_finding(bytes: &[u8], code: Code, line: Option<u32>, says: &[&str]) {
    let r = check(bytes, &Options::default());
    assert!(r.is_unusable() && r.rows.is_empty(), "{r:?}");
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!((f.code, f.line), (code, line), "{}", f.message);
    for part in says {
        assert!(f.message.contains(part), "{part:?} not in {}", f.message);
    }
}

#[test]
fn a_nul_byte_in_text_is_reported_at_its_line_and_byte() {
    only_finding(
        b"Email\njane@example.com\nbob@exa\0mple.com\n",
        Code::NotText,
        Some(3),
        &["NUL byte (0x00) at line 3, byte 8 of the line"],
    );
}

#[test]
fn utf8_with_one_bad_byte_is_refused_at_its_line_and_byte_not_read_as_1252() {
    // "Jürgen" twice in UTF-8, then once in Windows-1252: mixed, not 1252.
    only_finding(
        b"First Name,Last Name,Email,Country\nJ\xC3\xBCrgen,M\xC3\xBCller,j@example.com,DE\nJ\xFCrgen,Weber,w@example.com,DE\n",
        Code::EncodingInvalid,
        Some(3),
        &[
            "at line 3, byte 2 of the line (after \"J\"), the bytes 0xFC",
            "2 of its characters are UTF-8 and only 1 sequence(s) are not",
        ],
    );
    // A sequence cut short at the end of the file is found too.
    only_finding(
        b"Email,First Name\nj@example.com,J\xC3\xBCrgen\nk@example.com,\xC3",
        Code::EncodingInvalid,
        Some(3),
        &["byte 15 of the line"],
    );
}

#[test]
fn a_utf8_bom_file_with_a_bad_byte_is_refused() {
    only_finding(
        b"\xEF\xBB\xBFEmail,First Name\nj@example.com,J\xFCrgen\n",
        Code::EncodingInvalid,
        Some(2),
        &["starts with the UTF-8 byte-order mark"],
    );
}

#[test]
fn single_byte_accents_without_any_utf8_are_windows_1252() {
    let r = check(
        b"First Name,Last Name,Email,Country\nJ\xFCrgen,Wei\xDF,j@example.com,DE\n",
        &opts(&["example.com"]),
    );
    assert_eq!(r.encoding, Some(TextEncoding::Windows1252));
    assert_eq!(
        (r.rows[0].first_name.as_str(), r.rows[0].last_name.as_str()),
        ("Jürgen", "Weiß")
    );
}

#[test]
fn utf16_without_a_bom_is_named_not_called_binary() {
    let text = "Email\r\njane@example.com\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (bytes, name) in [(le, "UTF-16LE"), (be, "UTF-16BE")] {
        let says = format!("looks like {name} text without a byte-order mark");
        only_finding(&bytes, Code::EncodingInvalid, Some(1), &[&says]);
    }
}

#[test]
fn utf16_with_half_a_character_is_refused_at_its_line() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "Email\njane@example.com\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let mut odd = bytes.clone();
    odd.push(b'x');
    bytes.extend(0xD83Du16.to_le_bytes()); // a high surrogate, then "x"
    bytes.extend(u16::from(b'x').to_le_bytes());
    let says = [
        "at line 3 (byte 49 of the file)",
        "the surrogate 0xD83D without its pair",
    ];
    only_finding(&bytes, Code::EncodingInvalid, Some(3), &says);
    only_finding(
        &odd,
        Code::EncodingInvalid,
        Some(3),
        &["ends in the middle of a character"],
    );
}

#[test]
fn empty_whitespace_and_bom_only_files_are_empty() {
    for bytes in [
        &b""[..],
        b"   \r\n\t\n",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBF  \n",
        b"\xFF\xFE",
    ] {
        let r = check(bytes, &Options::default());
        assert_eq!(codes(&r), vec![(None, Code::EmptyFile)], "{bytes:?}");
    }
}

#[test]
fn a_header_without_rows_is_reported() {
    let r = run(HEADER);
    assert_eq!(codes(&r), vec![(None, Code::NoRows)]);
    assert!(r.is_unusable());
}

#[test]
fn delimiters_are_sniffed_quote_aware() {
    for (text, d) in [
        ("Email,Country\na@example.com,DE\n", Delimiter::Comma),
        ("Email;Country\na@example.com;DE\n", Delimiter::Semicolon),
        ("Email\tCountry\na@example.com\tDE\n", Delimiter::Tab),
        ("Email|Country\na@example.com|DE\n", Delimiter::Pipe),
        // Commas inside quotes must not win over the real delimiter.
        (
            "\"Last, First\";Email\n\"Doe, Jane\";a@example.com\n\"Roe, Rick\";b@example.com\n",
            Delimiter::Semicolon,
        ),
    ] {
        assert_eq!(run(text).delimiter, Some(d), "{text:?}");
    }
}

#[test]
fn blank_lines_are_skipped_and_lines_still_count() {
    let r = run("Email,Last Name\n\njane@example.com,Doe\n\n\nbob@example.com,Roe\n");
    assert_eq!(r.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 6]);
}

#[test]
fn unquoted_fields_are_trimmed() {
    let r = one_row("  Jane ,  Doe,  jane@example.com  , GB ");
    assert!(r.rows[0].valid, "{:?}", r.findings);
    assert_eq!(r.rows[0].first_name, "Jane");
}

#[test]
fn ragged_rows_say_how_many_fields() {
    let r = check(&fixture("ragged.csv"), &opts(&["example.com"]));
    let ragged: Vec<_> = r.findings.iter().filter(|f| f.code == Code::RaggedRow).collect();
    assert_eq!(ragged.len(), 2);
    assert!(ragged[0].message.contains("3 fields") && ragged[0].message.contains("header has 4"));
    assert!(ragged[1].message.contains("5 fields"));
    assert_eq!(r.invalid_count(), 2);
}

#[test]
fn missing_email_column_makes_the_file_unusable() {
    let r = run("First Name,Last Name\nJane,Doe\n");
    assert!(r.is_unusable());
    assert!(r.rows.is_empty());
    assert!(codes(&r).contains(&(None, Code::MissingColumn)));
}

#[test]
fn duplicate_columns_make_the_file_unusable() {
    let r = run("Email,Mail,Last Name\na@example.com,b@example.com,Doe\n");
    assert!(r.is_unusable());
    assert_eq!(r.findings[0].code, Code::DuplicateColumn);
    assert_eq!(r.findings[0].column.as_deref(), Some("Mail"));
}

#[test]
fn email_only_table_reads_like_a_list_with_absent_column_warnings() {
    let r = check(&fixture("email-only.csv"), &opts(&["example.com", "example.org"]));
    assert_eq!(r.findings.iter().filter(|f| f.code == Code::ColumnAbsent).count(), 3);
    assert_eq!(r.valid_count(), 2);
}

#[test]
fn unknown_columns_are_ignored_with_a_warning() {
    let r = check(&fixture("header-variants.csv"), &opts(&["example.com", "example.org"]));
    assert_eq!(codes(&r), vec![(Some(1), Code::ColumnIgnored)]);
    assert_eq!(r.rows[0].first_name, "Jane");
    assert_eq!(r.rows[0].email, "jane@example.com");
}

#[test]
fn outlook_recipient_lists_are_read_in_list_mode() {
    let options = Options {
        mode: Mode::List,
        ..opts(&["example.com", "example.org"])
    };
    let r = check(&fixture("outlook-recipients.txt"), &options);
    let emails: Vec<&str> = r.rows.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "jane@example.com",
            "joerg@example.org",
            "bob@example.com",
            "carol@example.com",
            "not-an-address",
            "jane@example.com"
        ]
    );
    assert_eq!(r.rows[1].name_hint.as_deref(), Some("Müller, Jörg"));
    assert_eq!(
        codes(&r),
        vec![(Some(2), Code::EmailInvalid), (Some(2), Code::DuplicateEmail)]
    );
}

#[test]
fn auto_mode_tells_tables_from_lists() {
    let auto = |t: &str| {
        check(
            t.as_bytes(),
            &Options {
                mode: Mode::Auto,
                ..Options::default()
            },
        )
        .mode
    };
    assert_eq!(auto("Email,Country\na@example.com,DE\n"), Mode::Table);
    assert_eq!(auto("a@example.com, b@example.com"), Mode::List);
    assert_eq!(auto("First,Last\nJane,Doe\n"), Mode::Table);
}

#[test]
fn a_spreadsheet_range_pasted_without_its_header_is_read_as_a_table() {
    let pasted = "Jane\tDoe\tjane@example.com\tGB\nJohn\tSmith\tjohn@example.org\tUK\n";
    let r = check(
        pasted.as_bytes(),
        &Options {
            mode: Mode::Auto,
            ..opts(&["example.com", "example.org"])
        },
    );
    assert_eq!(r.mode, Mode::Table);
    assert_eq!(r.delimiter, Some(Delimiter::Tab));
    assert_eq!(r.rows.len(), 2, "the first line is a row, not a header");
    assert_eq!(
        (r.rows[0].first_name.as_str(), r.rows[0].last_name.as_str()),
        ("Jane", "Doe")
    );
    assert_eq!(r.rows[0].line, 1);
    assert_eq!(codes(&r), vec![(Some(2), Code::CountryInvalid)]);
    assert_eq!(r.findings[0].column.as_deref(), Some("Column 4"));
    // With its header, the same range maps by header.
    let with_header = format!("Email\tLast Name\n{}", "jane@example.com\tDoe\n");
    let r = check(
        with_header.as_bytes(),
        &Options {
            mode: Mode::Auto,
            ..opts(&["example.com"])
        },
    );
    assert_eq!(r.rows.len(), 1);
    // Outside Auto mode a file always has a header line.
    let r = check(pasted.as_bytes(), &opts(&["example.com"]));
    assert!(r.is_unusable());
}

#[test]
fn email_missing_and_invalid() {
    assert_eq!(codes(&one_row("Jane,Doe,,GB")), vec![(Some(2), Code::EmailMissing)]);
    assert_eq!(
        codes(&one_row("Jane,Doe,jane@localhost,GB")),
        vec![(Some(2), Code::EmailInvalid)]
    );
    let r = one_row("Jane,Doe,mailto:jane@example.com,GB");
    assert_eq!(r.findings[0].suggestion.as_deref(), Some("jane@example.com"));
}

#[test]
fn domains_must_be_validated_on_label_boundaries() {
    assert!(one_row("A,B,a@mail.example.com,GB").rows[0].valid);
    for email in ["a@notexample.com", "a@example.com.evil.net", "a@gmail.com"] {
        assert_eq!(
            codes(&one_row(&format!("A,B,{email},GB"))),
            vec![(Some(2), Code::DomainNotValidated)],
            "{email}"
        );
    }
}

#[test]
fn exact_matching_refuses_subdomains() {
    let options = Options {
        exact_domains: true,
        ..opts(&["example.com"])
    };
    let r = check(
        format!("{HEADER}A,B,a@mail.example.com,GB\nA,B,b@example.com,GB\n").as_bytes(),
        &options,
    );
    assert_eq!(codes(&r), vec![(Some(2), Code::DomainNotValidated)]);
}

#[test]
fn idn_domains_match_in_either_form() {
    let options = opts(&["bücher.example"]);
    let r = check(
        format!("{HEADER}A,B,a@xn--bcher-kva.example,GB\nC,D,c@BÜCHER.example,GB\n").as_bytes(),
        &options,
    );
    assert_eq!(r.valid_count(), 2, "{:?}", r.findings);
}

#[test]
fn coverage_counts_rows_per_validated_and_uncovered_domain() {
    // Runs of rows under one validated domain, broken by another domain and
    // by uncovered rows, and ending the file.
    let r = run(&format!(
        "{HEADER}A,B,a@example.com,GB\nC,D,c@x.example.com,GB\nE,F,e@other.net,GB\nG,H,g@other.net,GB\nI,J,i@third.net,GB\n\
         K,L,k@example.org,GB\nM,N,m@example.com,GB\nO,P,o@y.example.com,GB\n"
    ));
    let v: Vec<_> = r
        .coverage
        .validated
        .iter()
        .map(|c| (c.domain.as_str(), c.rows))
        .collect();
    let u: Vec<_> = r
        .coverage
        .uncovered
        .iter()
        .map(|c| (c.domain.as_str(), c.rows))
        .collect();
    assert_eq!(v, [("example.com", 4), ("example.org", 1)]);
    assert_eq!(u, [("other.net", 2), ("third.net", 1)]);
}

#[test]
fn duplicates_name_the_first_line_and_keep_it_valid() {
    let r = run(&format!(
        "{HEADER}A,B,jane@example.com,GB\nC,D,x@example.com,GB\nE,F,JANE@Example.COM,GB\n"
    ));
    assert!(r.rows[0].valid);
    assert_eq!(codes(&r), vec![(Some(4), Code::DuplicateEmail)]);
    assert!(r.findings[0].message.contains("line 2"));
}

#[test]
fn names_rules() {
    assert_eq!(
        codes(&one_row(",Doe,a@example.com,GB")),
        vec![(Some(2), Code::FirstNameMissing)]
    );
    assert!(
        one_row(",Doe,a@example.com,GB").rows[0].valid,
        "a single legal name is valid"
    );
    assert_eq!(
        codes(&one_row("Jane,,a@example.com,GB")),
        vec![(Some(2), Code::LastNameMissing)]
    );
    let long = "x".repeat(65);
    assert_eq!(
        codes(&one_row(&format!("{long},Doe,a@example.com,GB"))),
        vec![(Some(2), Code::NameTooLong)]
    );
    assert_eq!(
        codes(&one_row("\"Ja\nne\",Doe,a@example.com,GB")),
        vec![(Some(2), Code::NameInvalid)]
    );
}

#[test]
fn country_rules() {
    assert_eq!(
        codes(&one_row("A,B,a@example.com,")),
        vec![(Some(2), Code::CountryMissing)]
    );
    let r = one_row("A,B,a@example.com,gb");
    assert_eq!(codes(&r), vec![(Some(2), Code::CountryLowercase)]);
    assert_eq!(r.rows[0].country, "GB");
    assert!(r.rows[0].valid);
    for (bad, good) in [
        ("UK", Some("GB")),
        ("USA", Some("US")),
        ("U.S.", Some("US")),
        ("United States", Some("US")),
        ("DEU", Some("DE")),
        ("Germany", Some("DE")),
        ("Narnia", None),
    ] {
        let r = one_row(&format!("A,B,a@example.com,{bad}"));
        assert_eq!(codes(&r), vec![(Some(2), Code::CountryInvalid)], "{bad}");
        assert_eq!(r.findings[0].suggestion.as_deref(), good, "{bad}");
    }
    assert!(one_row("A,B,a@example.com,XX").rows[0].valid);
}

#[test]
fn csr_rules_in_a_roster() {
    let r = check(&fixture("all-rules.csv"), &opts(&["example.com", "example.org"]));
    let csr_codes: Vec<Code> = r
        .findings
        .iter()
        .map(|f| f.code)
        .filter(|c| c.as_str().starts_with("csr_"))
        .collect();
    assert_eq!(
        csr_codes,
        [
            Code::CsrWeakKey,
            Code::CsrKeyUnsupported,
            Code::CsrSignatureInvalid,
            Code::CsrInvalid,
            Code::CsrEmailMismatch,
            Code::CsrEmailMismatch
        ]
    );
    // The first row carries a valid RSA 2048 CSR naming its own address.
    assert!(r.rows[0].valid && r.findings_of(0).next().is_none());
}

#[test]
fn formula_cells_are_flagged() {
    for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\"\t=1\"", "\"\r=1\""] {
        let r = one_row(&format!("{cell},Doe,a@example.com,GB"));
        assert!(
            codes(&r).contains(&(Some(2), Code::FormulaInjection)),
            "{cell:?}: {:?}",
            r.findings
        );
        assert!(r.rows[0].valid);
    }
}

#[test]
fn every_finding_has_a_message_and_a_stable_code() {
    let r = check(&fixture("all-rules.csv"), &opts(&["example.com", "example.org"]));
    for f in &r.findings {
        assert!(f.message.len() > 20, "{f:?}");
        assert_eq!(f.severity, f.code.severity());
    }
    let all: std::collections::HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(all.len(), Code::ALL.len());
}

/// The codes are a public contract (the CLI's JSON, the error report, the
/// UI's filters): this is the whole list, in order. A code is never renamed
/// or moved; a new one is added at the end, here too.
#[test]
fn the_finding_codes_are_exactly_these() {
    let codes = Code::ALL.map(Code::as_str);
    assert_eq!(
        codes,
        [
            "not_text",
            "empty_file",
            "no_rows",
            "missing_column",
            "duplicate_column",
            "column_absent",
            "column_ignored",
            "ragged_row",
            "email_missing",
            "email_invalid",
            "domain_not_validated",
            "duplicate_email",
            "last_name_missing",
            "first_name_missing",
            "name_too_long",
            "name_invalid",
            "country_missing",
            "country_invalid",
            "country_lowercase",
            "csr_invalid",
            "csr_signature_invalid",
            "csr_signature_unverified",
            "csr_weak_key",
            "csr_key_unsupported",
            "csr_email_mismatch",
            "csr_pending",
            "formula_injection",
            "encoding_invalid",
            "file_too_large",
            "too_many_rows",
            "field_too_long",
            "workbook_unreadable",
            "workbook_password_protected",
            "workbook_too_large",
            "sheet_not_found",
            "macros_ignored",
        ]
    );
    // The JSON says the same.
    for code in Code::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str(), "{code:?}");
    }
}

#[test]
fn hostile_one_megabyte_field_is_handled() {
    // Over the default cell limit (64 Ki characters): said first, and the
    // field's own rule still says what it says.
    let big = "x".repeat(1 << 20);
    let r = one_row(&format!("{big},Doe,a@example.com,GB"));
    assert_eq!(
        codes(&r),
        vec![(Some(2), Code::FieldTooLong), (Some(2), Code::NameTooLong)]
    );
    let r = one_row(&format!("A,B,{big}@example.com,GB"));
    assert_eq!(
        codes(&r),
        vec![(Some(2), Code::FieldTooLong), (Some(2), Code::EmailInvalid)]
    );
}

#[test]
fn hostile_ten_thousand_columns_are_handled() {
    let header: Vec<String> = (0..10_000)
        .map(|i| if i == 5000 { "Email".into() } else { format!("c{i}") })
        .collect();
    let row: Vec<String> = (0..10_000)
        .map(|i| {
            if i == 5000 {
                "a@example.com".into()
            } else {
                String::new()
            }
        })
        .collect();
    let r = run(&format!("{}\n{}\n", header.join(","), row.join(",")));
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].email, "a@example.com");
    // One finding for the 9,999 ignored columns, with the count.
    let ignored: Vec<_> = r.findings.iter().filter(|f| f.code == Code::ColumnIgnored).collect();
    assert_eq!(ignored.len(), 1);
    assert!(
        ignored[0].message.contains("and 9996 more (9999 in all)"),
        "{}",
        ignored[0].message
    );
}

#[test]
fn hostile_unbalanced_quote_does_not_lose_the_report() {
    let r = run("Email,Last Name\n\"a@example.com,Doe\nb@example.com,Roe\n");
    // Everything after the stray quote is one field: the rows are reported, not dropped.
    assert_eq!(
        r.rows.len() + r.findings.iter().filter(|f| f.code.is_file_level()).count(),
        1
    );
    assert!(!r.findings.is_empty());
}

#[test]
fn spoofing_characters_in_names_and_domains_are_refused_by_name_and_place() {
    let r = run(&format!(
        "{HEADER}Jane,Doe\u{202E}eoD,jane@example.com,GB\n\u{200B}Bob,Roe,bob@exa\u{FEFF}mple.com,GB\n<b>Eve</b>,Poe,eve@example.com,GB\n"
    ));
    let found: Vec<(Option<u32>, Code, Option<&str>)> = r
        .findings
        .iter()
        .map(|f| (f.line, f.code, f.column.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (Some(2), Code::NameInvalid, Some("Last Name")),
            (Some(3), Code::EmailInvalid, Some("Email")),
            (Some(3), Code::NameInvalid, Some("First Name")),
            (Some(4), Code::NameInvalid, Some("First Name")),
        ]
    );
    let says = [
        ("U+202E RIGHT-TO-LEFT OVERRIDE at character 4", Some("DoeeoD")),
        (
            "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte-order mark) at character 4",
            Some("bob@example.com"),
        ),
        ("U+200B ZERO WIDTH SPACE at character 1", Some("Bob")),
        ("HTML markup", None),
    ];
    for (f, (part, suggestion)) in r.findings.iter().zip(says) {
        assert!(f.message.contains(part), "{part:?} not in {}", f.message);
        assert_eq!(f.suggestion.as_deref(), suggestion, "{}", f.message);
    }
    assert_eq!(r.valid_count(), 0);
}

#[test]
fn a_dot_string_local_part_is_the_mailbox_rule() {
    let r = one_row("Jane,Doe,jane..doe@example.com,GB");
    assert_eq!(codes(&r), vec![(Some(2), Code::EmailInvalid)]);
    let rule = "has two dots in a row (the S/MIME BR Mailbox Address, RFC 5321 §4.1.2)";
    assert!(r.findings[0].message.contains(rule), "{}", r.findings[0].message);
    assert_eq!(r.findings[0].suggestion.as_deref(), Some("jane.doe@example.com"));
}

/// Asserts that `f`'s message holds `part`.
fn says(f: &smime_bulk_roster::Finding, part: &str) {
    assert!(f.message.contains(part), "{part:?} not in {}", f.message);
}

fn within(limits: smime_bulk_roster::limits::Limits, mode: Mode, text: &str) -> Report {
    check(
        text.as_bytes(),
        &Options {
            mode,
            limits,
            ..opts(&["example.com"])
        },
    )
}

#[test]
fn the_row_limit_refuses_a_roster_whole_at_the_first_row_beyond_it() {
    use smime_bulk_roster::limits::Limits;
    let limits = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    // At the limit; quoted line breaks make more lines than rows, and CR
    // alone ends a record as LF does.
    let at = "Email,Last Name\r\na@example.com,\"Doe\nDoe\nDoe\"\r\nb@example.com,Roe\r\n";
    assert_eq!(within(limits, Mode::Table, at).rows.len(), 2);
    for (mode, text, line) in [
        (Mode::Table, "Email\ra@example.com\rb@example.com\rc@example.com\r", 4),
        (
            Mode::Table,
            "Email\n\na@example.com\nb@example.com\n\nc@example.com\n",
            6,
        ),
        // A table pasted without its header: every record is a row.
        (
            Mode::Auto,
            "Jane,a@example.com\nBob,b@example.com\nEve,c@example.com\n",
            3,
        ),
        (Mode::List, "a@example.com; b@example.com\nc@example.com\n", 2),
    ] {
        let r = within(limits, mode, text);
        assert_eq!(codes(&r), vec![(Some(line), Code::TooManyRows)], "{text:?}");
        assert!(r.rows.is_empty() && r.is_unusable());
        says(&r.findings[0], "more than 2 rows");
    }
}

#[test]
fn the_file_size_limit_is_kept_to_the_byte() {
    use smime_bulk_roster::limits::Limits;
    let text = "Email\na@example.com\n";
    let limits = |max_file_bytes| Limits {
        max_file_bytes,
        ..Limits::default()
    };
    assert_eq!(within(limits(text.len()), Mode::Table, text).rows.len(), 1);
    let r = within(limits(text.len() - 1), Mode::Table, text);
    assert_eq!(codes(&r), vec![(None, Code::FileTooLarge)]);
    says(&r.findings[0], "--max-file-bytes");
}

#[test]
fn the_field_limit_counts_characters_not_bytes() {
    use smime_bulk_roster::limits::Limits;
    let limits = Limits {
        max_field_chars: 4,
        ..Limits::default()
    };
    // "Jürg" is 4 characters in 5 bytes, "Zoë" 3 in 4: within the limit.
    let r = within(limits, Mode::Table, &format!("{HEADER}Jürg,Zoë,a@ex.com,DE\n"));
    let long: Vec<Option<&str>> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::FieldTooLong)
        .map(|f| f.column.as_deref())
        .collect();
    assert_eq!(long, [Some("Email")]);
    let r = within(limits, Mode::Table, &format!("{HEADER}Jürgé,Doe,,DE\n"));
    let long: Vec<_> = r.findings.iter().filter(|f| f.code == Code::FieldTooLong).collect();
    assert_eq!(long.len(), 1);
    assert_eq!((long[0].line, long[0].column.as_deref()), (Some(2), Some("First Name")));
    says(long[0], "5 characters long, more than the limit of 4");
    assert!(!r.rows[0].valid);
}
