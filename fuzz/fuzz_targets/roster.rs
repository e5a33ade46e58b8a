//! The roster engine on arbitrary bytes, in each mode (the first byte
//! chooses): a CSV file (table), a pasted address list (list) and a pasted
//! spreadsheet range (auto, which guesses a headerless table). Never a panic;
//! every record read is a row, on its line, unless the file is unusable; a
//! row is valid exactly when no error finding points at it; the streamed
//! wire form (the worker's) is `encode`'s of the same check, and it decodes
//! back to the report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smime_bulk_roster::{check, domains::ValidatedDomains, parse, wire, Mode, Options};

fuzz_target!(|input: &[u8]| {
    let Some((&choice, bytes)) = input.split_first() else {
        return;
    };
    let options = Options {
        mode: [Mode::Table, Mode::List, Mode::Auto][usize::from(choice % 3)],
        domains: ValidatedDomains::parse(["example.com"]).expect("a valid domain"),
        ..Options::default()
    };
    let report = check(bytes, &options);
    if report.is_unusable() {
        assert!(report.rows.is_empty(), "an unusable file with rows");
    } else {
        let records = parse(bytes, options.mode, None, &options.limits).records;
        assert_eq!(report.rows.len(), records.len(), "rows and records differ in number");
        for (row, record) in report.rows.iter().zip(&records) {
            assert_eq!(row.line, record.line, "a row on another line than its record");
        }
    }
    for (i, row) in report.rows.iter().enumerate() {
        let has_error = report.findings_of(i).any(|f| f.is_error());
        assert_eq!(
            row.valid, !has_error,
            "row {i}'s valid flag disagrees with its findings"
        );
    }
    let encoded = wire::encode(&report);
    let (streamed, _) = wire::check_with_progress(bytes, &options, &mut |_| {}, 2, wire::KeepBuffers);
    assert_eq!(
        streamed.to_vec(),
        encoded,
        "the streamed wire form differs from encode's"
    );
    assert_eq!(
        wire::decode(&encoded).as_ref(),
        Ok(&report),
        "the wire form does not decode back"
    );
});
