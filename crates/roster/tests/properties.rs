//! Properties that hold for any input: the engine never panics, every
//! record of the file is accounted for by a row (valid, or with an error),
//! and the compact form written while checking is exactly the report's.

use proptest::prelude::*;
use smime_bulk_roster::{check, domains::ValidatedDomains, parse, preview, wire, Mode, Options};

fn options(mode: Mode) -> Options {
    Options {
        mode,
        domains: ValidatedDomains::parse(["example.com"]).unwrap(),
        exact_domains: false,
        mapping: None,
        sheet: None,
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
        let parsed = parse(text.as_bytes(), Mode::Table, None);
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
    fn random_email_lists_never_panic(text in "[a-z@.,;<>\" \n\r\t\u{e9}]{0,200}") {
        let report = check(text.as_bytes(), &options(Mode::List));
        prop_assert!(report.rows.iter().all(|r| r.line >= 1));
    }
}
