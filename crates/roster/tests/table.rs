//! The table reader against the `csv` crate: for any text, the records, their
//! lines and their fields are what `csv` (flexible, no headers) reads, blank
//! records skipped and fields trimmed.

use proptest::prelude::*;
use smime_bulk_roster::sniff::Delimiter;
use smime_bulk_roster::table::{records, Record};

/// What the `csv` crate reads from `text`, in the reader's terms.
fn reference(text: &str, delimiter: Delimiter) -> Vec<Record> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).unwrap() {
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8(f.to_vec()).unwrap().trim().to_owned())
            .collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        // csv gives where it started reading: before a byte-order mark it
        // strips, and before any blank lines it skipped.
        let mut at = record.position().unwrap().byte() as usize;
        if at == 0 && text.starts_with('\u{FEFF}') {
            at = 3;
        }
        while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        let before = &text[..at];
        let line = 1
            + before.matches("\r\n").count() as u32
            + before.bytes().filter(|b| *b == b'\n').count() as u32
            + before.bytes().filter(|b| *b == b'\r').count() as u32
            - 2 * before.matches("\r\n").count() as u32;
        let leading_control = record
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.first(), Some(b'\t' | b'\r')))
            .map(|(i, _)| i)
            .collect();
        out.push(Record {
            line,
            fields,
            leading_control,
        });
    }
    out
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a",
            "Jane Doe",
            "x@example.com",
            ",",
            ";",
            "\t",
            "|",
            "\"",
            "\"\"",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\u{a0}",
            "ü",
            "\u{FEFF}",
            "\u{B}",
            "\u{85}",
            "=1+2",
            "",
        ]),
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn records_are_what_the_csv_crate_reads(text in text()) {
        for delimiter in [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab, Delimiter::Pipe] {
            prop_assert_eq!(records(&text, delimiter), reference(&text, delimiter), "{:?} with {:?}", text, delimiter);
        }
    }
}

#[test]
fn a_quoted_record_between_plain_ones() {
    let text = "a,b\r\n\"Doe, \"\"JD\"\"\nJane\", x \r\nc,d";
    let got = records(text, Delimiter::Comma);
    assert_eq!(got, reference(text, Delimiter::Comma));
    assert_eq!(got[1].fields, vec!["Doe, \"JD\"\nJane", "x"]);
    assert_eq!((got[1].line, got[2].line), (2, 4));
}
