//! Properties that hold for any input: the engine never panics, every
//! record of the file is accounted for by a row (valid, or with an error),
//! and the compact form written while checking — and the findings streamed
//! while checking — are exactly the report's.

use proptest::prelude::*;
use smime_bulk_roster::{
    check, check_streamed, domains::ValidatedDomains, parse, preview, wire, Finding, FindingParts, Mode, Options,
};

fn options(mode: Mode) -> Options {
    Options {
        mode,
        domains: ValidatedDomains::parse(["example.com"]).unwrap(),
        exact_domains: false,
        mapping: None,
        limits: Default::default(),
        sheet: None,
        key_seed: 0,
    }
}

/// Text that looks like a roster: cells from a small alphabet of troublemakers.
fn roster_text() -> impl Strategy<Value = String> {
    let cell = prop::collection::vec(
        prop::sample::select(vec![
            "a",
            "Jane",
            "@",
            "example.com",
            ".",
            "\"",
            "\"\"",
            ",",
            ";",
            "\t",
            "|",
            "\n",
            "\r\n",
            "\r",
            " ",
            "=",
            "UK",
            "GB",
            "xn--",
            "ü",
            "-----BEGIN CERTIFICATE REQUEST-----",
            "MIIB",
            "\u{0}",
            "\u{FEFF}",
        ]),
        0..6,
    )
    .prop_map(|parts| parts.concat());
    let row = prop::collection::vec(cell, 1..6).prop_map(|cells| cells.join(","));
    prop::collection::vec(row, 0..12)
        .prop_map(|rows| format!("First Name,Last Name,Email,Country,Csr\n{}", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for mode in [Mode::Table, Mode::List, Mode::Auto] {
            let _ = check(&bytes, &options(mode));
        }
    }

    #[test]
    fn random_rosters_account_for_every_record(text in roster_text()) {
        let report = check(text.as_bytes(), &options(Mode::Table));
        let parsed = parse(text.as_bytes(), Mode::Table, None, &Default::default());
        if report.is_unusable() {
            // An unusable file reports no rows at all, never a partial table.
            prop_assert!(report.rows.is_empty());
        } else {
            prop_assert_eq!(report.rows.len(), parsed.records.len());
            for (i, row) in report.rows.iter().enumerate() {
                let has_error = report.findings_of(i).any(|f| f.is_error());
                prop_assert_eq!(row.valid, !has_error, "row {} valid flag disagrees with its findings", i);
                prop_assert_eq!(row.line, parsed.records[i].line);
            }
            prop_assert_eq!(report.valid_count() + report.invalid_count(), report.rows.len());
        }
    }

    #[test]
    fn the_streamed_wire_form_is_the_reports_for_any_input(
        text in roster_text(),
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        n in 0usize..4,
    ) {
        for input in [text.as_bytes(), &bytes] {
            for mode in [Mode::Table, Mode::List, Mode::Auto] {
                let options = options(mode);
                let (streamed, shown) = wire::check_with_progress(input, &options, &mut |_| {}, n, wire::KeepBuffers);
                prop_assert_eq!(&streamed.to_vec(), &wire::encode(&check(input, &options)));
                prop_assert_eq!(shown, preview(input, mode, None, n));
            }
        }
    }

    #[test]
    fn streamed_findings_are_the_reports_for_any_input(
        text in roster_text(),
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        for input in [text.as_bytes(), &bytes] {
            for mode in [Mode::Table, Mode::List, Mode::Auto] {
                let options = options(mode);
                let report = check(input, &options);
                let streamed = check_streamed(input, &options, |head| {
                    assert_eq!((head.encoding, head.delimiter, &head.mapping), (report.encoding, report.delimiter, &report.mapping));
                    Vec::<Finding>::new()
                });
                let mut findings = streamed.sink.unwrap_or_default();
                findings.extend(streamed.report.findings.iter().cloned());
                prop_assert_eq!(&findings, &report.findings);
                prop_assert_eq!((streamed.rows, streamed.valid), (report.rows.len(), report.valid_count()));
                prop_assert_eq!(&streamed.report.coverage, &report.coverage);
                prop_assert_eq!(streamed.report.is_unusable(), report.is_unusable());
                // A finding's parts write the JSON the finding writes.
                for f in &report.findings {
                    prop_assert_eq!(serde_json::to_value(FindingParts::of(f)).unwrap(), serde_json::to_value(f).unwrap());
                }
            }
        }
    }

    #[test]
    fn accents_as_single_bytes_are_windows_1252_and_utf8_with_one_such_byte_is_refused_at_its_line(
        lines in prop::collection::vec("[a-z ,äöüßé]{0,12}", 1..8),
        at_line in 0usize..8,
    ) {
        let text = format!("Email,First Name\n{}\n", lines.join("\n"));
        // Windows-1252: every letter one byte; no pair of them is UTF-8.
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let decoded = smime_bulk_roster::decode::decode(&cp1252);
        if text.contains(['ä', 'ö', 'ü', 'ß', 'é']) {
            let decoded = decoded.unwrap();
            prop_assert_eq!(decoded.encoding, smime_bulk_roster::decode::TextEncoding::Windows1252);
            prop_assert_eq!(&*decoded.text, text.as_str());
        }
        // The same text in UTF-8 with "é" in Windows-1252 (0xE9) at the start
        // of one line: refused at that line if any other letter is UTF-8.
        let at_line = at_line % lines.len();
        let mut utf8 = b"Email,First Name\n".to_vec();
        for (i, line) in lines.iter().enumerate() {
            if i == at_line {
                utf8.push(0xE9);
            }
            utf8.extend(line.as_bytes());
            utf8.push(b'\n');
        }
        if text.contains(['ä', 'ö', 'ü', 'ß', 'é']) {
            let finding = smime_bulk_roster::decode::decode(&utf8).unwrap_err();
            prop_assert_eq!(finding.code, smime_bulk_roster::Code::EncodingInvalid);
            prop_assert_eq!(finding.line, Some(at_line as u32 + 2));
            let place = "byte 1 of the line (at its start), the bytes 0xE9";
            prop_assert!(finding.message.contains(place), "{}", finding.message);
        }
    }

    #[test]
    fn random_email_lists_never_panic(text in "[a-z@.,;<>\" \n\r\t\u{e9}]{0,200}") {
        let report = check(text.as_bytes(), &options(Mode::List));
        prop_assert!(report.rows.iter().all(|r| r.line >= 1));
    }
}
