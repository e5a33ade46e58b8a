//! The editor's tests: edits, duplicates, suggestions, exports, and that
//! its running totals are what counting again gives.

use super::*;
use crate::email::parse_address_ref;
use crate::export;
use crate::{check, Mode};

fn editor(csv: &str) -> Editor {
    let options = Options {
        mode: Mode::Table,
        domains: ValidatedDomains::parse(["example.com"]).unwrap(),
        ..Options::default()
    };
    Editor::new(check(csv.as_bytes(), &options), &options)
}

const HEADER: &str = "First Name,Last Name,Email,Country\n";

fn fixture_csr(name: &str) -> String {
    let path = format!("{}/tests/fixtures/csr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

#[test]
fn csrs_checked_by_the_engine_are_looked_up_not_checked_again() {
    let pem = fixture_csr("rsa1024.csr");
    let mut e = editor(&format!("Email,Csr\njane@example.com,\"{pem}\"\n"));
    assert_eq!(
        e.findings(0).iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![Code::CsrWeakKey]
    );
    assert!(e.pending_csrs().is_empty());
    // Re-validating (here: other domains) keeps the engine's outcome.
    e.set_domains(ValidatedDomains::parse(["example.com", "example.org"]).unwrap(), false);
    assert_eq!(
        e.findings(0).iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![Code::CsrWeakKey]
    );
}

#[test]
fn an_edited_csr_is_pending_until_its_outcome_arrives() {
    let mut e = editor("Email,Csr\njane@example.com,\n");
    assert!(e.is_valid(0));
    let pem = fixture_csr("p256.csr");
    e.edit(0, Field::Csr, &pem);
    assert_eq!(
        e.findings(0).iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![Code::CsrPending]
    );
    assert!(!e.is_valid(0), "a row whose CSR is unchecked must not be ordered");
    assert_eq!(e.pending_csrs(), vec![pem.clone()]);
    let outcome = crate::csr::check(&pem);
    assert_eq!(e.add_csr_outcomes([(pem.clone(), outcome)]), vec![0]);
    assert!(e.pending_csrs().is_empty());
    assert!(
        e.findings(0).iter().all(|f| f.code != Code::CsrPending),
        "{:?}",
        e.findings(0)
    );
}

#[test]
fn editing_a_bad_country_makes_the_row_valid() {
    let mut e = editor(&format!("{HEADER}Jane,Doe,jane@example.com,UK\n"));
    assert!(!e.is_valid(0));
    assert_eq!(e.counts_by_code().get(&Code::CountryInvalid), Some(&1));
    let touched = e.edit(0, Field::Country, "GB");
    assert_eq!(touched, vec![0]);
    assert!(e.is_valid(0));
    assert!(e.findings(0).is_empty());
    assert!(e.row(0).unwrap().valid);
}

#[test]
fn fixing_a_duplicate_frees_both_rows_and_breaking_one_flags_the_other() {
    let mut e = editor(&format!(
        "{HEADER}A,B,jane@example.com,GB\nC,D,JANE@example.com,GB\nE,F,x@example.com,GB\n"
    ));
    assert!(e.is_valid(0) && !e.is_valid(1));
    assert_eq!(e.findings(1)[0].code, Code::DuplicateEmail);
    assert!(e.findings(1)[0].message.contains("line 2"));
    let touched = e.edit(1, Field::Email, "john@example.com");
    assert_eq!(touched, vec![0, 1]);
    assert!(e.is_valid(1));
    // Now row 2 takes row 0's address: row 2 is the later duplicate.
    e.edit(2, Field::Email, "Jane@Example.com");
    assert!(e.is_valid(0) && !e.is_valid(2));
    // Deleting the original makes the later one the original.
    let touched = e.delete(0);
    assert_eq!(touched, vec![2]);
    assert!(e.is_valid(2));
    assert_eq!(e.len(), 2);
}

#[test]
fn apply_all_suggestions_fixes_every_clear_case_only() {
    let mut e = editor(&format!(
        "{HEADER}A,B,a@example.com,UK\nC,D,c@example.com,USA\nE,F,mailto:e@example.com,de\nG,H,g@exmaple.com,GB\n"
    ));
    assert_eq!(e.clear_suggestion_count(), 3);
    let applied = e.apply_suggestions();
    // "de" was already read as "DE" at load, so three cells change.
    assert_eq!(applied, 3);
    assert_eq!(e.clear_suggestion_count(), 0);
    assert_eq!(e.row(0).unwrap().country, "GB");
    assert_eq!(e.row(1).unwrap().country, "US");
    assert_eq!(e.row(2).unwrap().email, "e@example.com");
    assert_eq!(e.row(2).unwrap().country, "DE");
    assert_eq!(
        e.row(3).unwrap().email,
        "g@exmaple.com",
        "a domain typo is a guess, not applied"
    );
    assert_eq!(e.valid_count(), 3);
}

#[test]
fn other_domains_recheck_every_row_and_keep_edits() {
    let mut e = editor(&format!("{HEADER}A,B,a@example.org,UK\n"));
    e.edit(0, Field::Country, "GB");
    assert_eq!(e.counts_by_code().get(&Code::DomainNotValidated), Some(&1));
    e.set_domains(ValidatedDomains::parse(["example.org"]).unwrap(), false);
    assert!(e.is_valid(0));
    assert_eq!(e.row(0).unwrap().country, "GB");
}

#[test]
fn filters_by_errors_and_by_code() {
    let e = editor(&format!(
        "{HEADER}A,B,a@example.com,UK\nC,D,c@example.com,GB\nE,,e@example.com,GB\n"
    ));
    assert_eq!(e.filter(false, None), vec![0, 1, 2]);
    assert_eq!(e.filter(true, None), vec![0, 2]);
    assert_eq!(e.filter(false, Some(Code::LastNameMissing)), vec![2]);
}

#[test]
fn added_rows_are_validated_as_they_are_filled() {
    let mut e = editor(&format!("{HEADER}A,B,a@example.com,GB\n"));
    let id = e.add();
    assert!(!e.is_valid(id));
    assert_eq!(e.row(id).unwrap().line, 3);
    e.edit(id, Field::Email, "new@example.com");
    e.edit(id, Field::LastName, "New");
    e.edit(id, Field::Country, "FR");
    assert!(e.is_valid(id), "{:?}", e.findings(id));
    assert_eq!(e.coverage().validated[0].rows, 2);
}

/// The tally counted from scratch over the rows as they are, and the
/// later-duplicate flags checked against a fresh grouping.
fn recount(e: &Editor) -> Tally {
    let mut t = Tally::default();
    let mut first_of_key: BTreeMap<String, usize> = BTreeMap::new();
    for id in e.ids() {
        let row = e.row(id).unwrap();
        let ragged = e.own[id].iter().any(|f| f.code == Code::RaggedRow);
        let key = parse_address_ref(&row.email).ok().filter(|_| !ragged).map(|a| a.key());
        let first = key.map(|k| *first_of_key.entry(k).or_insert(id));
        let later = first.is_some_and(|first| first != id);
        assert_eq!(e.later_duplicate[id], later, "row {id}'s duplicate flag");
        assert_eq!(e.original_of(id), first.filter(|_| later), "row {id}'s original");
        assert_eq!(row.valid, e.is_valid(id), "row {id}'s valid flag");
        t.rows += 1;
        t.valid += usize::from(row.valid);
        t.later_duplicates += usize::from(later);
        t.own(row, &e.own[id], &e.domains, e.exact, Direction::In);
    }
    t
}

#[derive(Debug, Clone)]
enum Op {
    Edit(usize, Field, &'static str),
    Delete(usize),
    Add,
    ApplySuggestions,
    SetDomains(usize, bool),
}

const EMAILS: [&str; 9] = [
    "a@example.com",
    "A@Example.COM",
    "b@example.org",
    "mailto:c@example.com",
    "bad@",
    "",
    "d@exmaple.com",
    "e@sub.example.com",
    "f@other.net",
];
const COUNTRIES: [&str; 6] = ["GB", "UK", "usa", "", "DE", "XX"];
const NAMES: [&str; 4] = ["Ann", "", "Bo\u{1}b", "=cmd"];
const DOMAIN_SETS: [&[&str]; 3] = [&["example.com"], &["example.com", "example.org"], &[]];

fn cell() -> impl proptest::strategy::Strategy<Value = (Field, &'static str)> {
    use proptest::prelude::*;
    prop_oneof![
        proptest::sample::select(&EMAILS[..]).prop_map(|v| (Field::Email, v)),
        proptest::sample::select(&COUNTRIES[..]).prop_map(|v| (Field::Country, v)),
        proptest::sample::select(&NAMES[..]).prop_map(|v| (Field::FirstName, v)),
        proptest::sample::select(&NAMES[..]).prop_map(|v| (Field::LastName, v)),
    ]
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        6 => (0..12usize, cell()).prop_map(|(id, (f, v))| Op::Edit(id, f, v)),
        2 => (0..12usize).prop_map(Op::Delete),
        1 => Just(Op::Add),
        1 => Just(Op::ApplySuggestions),
        1 => (0..DOMAIN_SETS.len(), any::<bool>()).prop_map(|(d, exact)| Op::SetDomains(d, exact)),
    ]
}

fn roster() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let row = (
        proptest::sample::select(&NAMES[..]),
        proptest::sample::select(&NAMES[..]),
        proptest::sample::select(&EMAILS[..]),
        proptest::sample::select(&COUNTRIES[..]),
        // Now and then a ragged row: a field too many.
        proptest::bool::weighted(0.1),
    );
    proptest::collection::vec(row, 0..10).prop_map(|rows| {
        let mut csv = String::from("First Name,Last Name,Email,Country\n");
        for (first, last, email, country, ragged) in rows {
            csv.push_str(
                &Editor::roster_csv([Row {
                    first_name: first.into(),
                    last_name: last.into(),
                    email: email.into(),
                    country: country.into(),
                    ..Row::default()
                }])
                .lines()
                .nth(1)
                .map(|l| l.trim_end_matches(',').to_owned())
                .unwrap_or_default(),
            );
            if ragged {
                csv.push_str(",extra");
            }
            csv.push('\n');
        }
        csv
    })
}

/// Does `op` to `e`.
fn apply(e: &mut Editor, op: &Op) {
    match *op {
        Op::Edit(id, field, value) => {
            e.edit(id, field, value);
        }
        Op::Delete(id) => {
            e.delete(id);
        }
        Op::Add => {
            e.add();
        }
        Op::ApplySuggestions => {
            e.apply_suggestions();
        }
        Op::SetDomains(d, exact) => {
            e.set_domains(ValidatedDomains::parse(DOMAIN_SETS[d].iter().copied()).unwrap(), exact)
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// After any edits, the running totals are what counting every row
    /// again gives, and the duplicate and valid flags are right; also when
    /// rows of different addresses share a key hash (`collide`).
    #[test]
    fn the_tally_is_what_counting_again_gives(
        csv in roster(),
        ops in proptest::collection::vec(op(), 0..24),
        collide: bool,
        streamed in 0..12usize,
    ) {
        struct Collide;
        impl Drop for Collide {
            fn drop(&mut self) {
                crate::hash::COLLIDE.set(false);
            }
        }
        crate::hash::COLLIDE.set(collide);
        let _reset = Collide;
        let mut e = editor(&csv);
        proptest::prop_assert_eq!(&e.tally, &recount(&e), "after loading {:?}", csv);
        // Taken over a row at a time, its first rows grouped as they came
        // (as the page does), it is the same editor.
        let options = Options { mode: Mode::Table, domains: e.domains.clone(), ..Options::default() };
        let report = check(csv.as_bytes(), &options);
        let mut index = KeyIndex::default();
        index.add_rows(&report.rows[..streamed.min(report.rows.len())]);
        let mut sliced = Editor::unindexed_with(report, &options, index);
        while !sliced.index_keys(1) {}
        proptest::prop_assert_eq!(&sliced.tally, &e.tally);
        proptest::prop_assert_eq!(&sliced.file_findings, &e.file_findings);
        for id in e.ids() {
            proptest::prop_assert_eq!(sliced.findings(id), e.findings(id));
        }
        for op in ops {
            apply(&mut e, &op);
            proptest::prop_assert_eq!(&e.tally, &recount(&e), "after {:?} on {:?}", op, csv);
            apply(&mut sliced, &op);
            proptest::prop_assert_eq!(&sliced.tally, &e.tally, "the editor taken over in slices, after {:?}", op);
        }
    }

    /// Edited in place or loaded again from its export, a roster without
    /// ragged rows has the same counts.
    #[test]
    fn an_edited_roster_counts_as_its_export_loaded_again(csv in roster(), ops in proptest::collection::vec(op(), 0..24)) {
        let mut e = editor(&csv);
        if e.own.iter().flatten().any(|f| f.code == Code::RaggedRow) {
            return Ok(());
        }
        for op in ops {
            match op {
                Op::Edit(id, field, value) => {
                    e.edit(id, field, value);
                }
                Op::Delete(id) => {
                    e.delete(id);
                }
                Op::Add | Op::ApplySuggestions => {
                    e.apply_suggestions();
                }
                Op::SetDomains(d, exact) => e.set_domains(ValidatedDomains::parse(DOMAIN_SETS[d].iter().copied()).unwrap(), exact),
            }
        }
        // A row emptied of every value is a blank line in the export, which a load skips.
        if e.all_rows().iter().any(|r| Field::ALL.into_iter().all(|f| r.get(f).is_empty())) {
            return Ok(());
        }
        let options = Options { mode: Mode::Table, domains: e.domains.clone(), exact_domains: e.exact, ..Options::default() };
        let again = Editor::new(check(Editor::roster_csv(e.all_rows()).as_bytes(), &options), &options);
        // A header alone is a file with no rows; an editor whose rows
        // were all deleted keeps its load's file findings.
        let mut counts = e.counts_by_code();
        let mut again_counts = again.counts_by_code();
        proptest::prop_assert_eq!(again_counts.remove(&Code::NoRows).is_some(), e.is_empty());
        counts.remove(&Code::NoRows);
        proptest::prop_assert_eq!(e.len(), again.len());
        proptest::prop_assert_eq!(e.valid_count(), again.valid_count());
        proptest::prop_assert_eq!(e.clear_suggestion_count(), again.clear_suggestion_count());
        proptest::prop_assert_eq!(e.coverage(), again.coverage());
        proptest::prop_assert_eq!(counts, again_counts);
    }
}

#[test]
fn error_report_and_roster_exports() {
    let e = editor(&format!("{HEADER}=cmd,B,a@example.com,UK\n"));
    let report = e.error_report_csv();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "line,column,value,code,severity,message,suggestion");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("2,Country,UK,country_invalid,error,") && l.ends_with(",GB")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("2,First Name,'=cmd,formula_injection,warning,")));
    let csv = Editor::roster_csv(e.valid_rows());
    assert_eq!(csv, "First Name,Last Name,Email,Country,Csr\r\n");
    let again = Editor::roster_csv(vec![e.row(0).unwrap().clone()]);
    assert_eq!(again.lines().nth(1), Some("'=cmd,B,a@example.com,UK,"));
}

/// Every cell of the fixed roster, read as a spreadsheet reads a CSV.
fn cells(csv: &str) -> Vec<Vec<String>> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_fixed_roster_runs_no_formula_in_a_spreadsheet_and_loads_back_identically() {
    let pem = fixture_csr("p256.csr");
    let hostile = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "'=already marked",
        "''-twice",
        "O'Brien",
        "'quoted'",
    ];
    let mut csv = String::from("First Name,Last Name,Email,Country,Csr\n");
    for (i, h) in hostile.iter().enumerate() {
        let cell = export::quote(h);
        csv.push_str(&format!("{cell},{cell},p{i}@example.com,DE,\"{pem}\"\n"));
    }
    let e = editor(&csv);
    let exported = Editor::roster_csv(e.all_rows());
    for row in cells(&exported) {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a live formula cell: {cell:?}"
            );
        }
    }
    let again = editor(&exported);
    assert_eq!(again.all_rows().len(), hostile.len());
    for (a, b) in e.all_rows().iter().zip(again.all_rows()) {
        assert_eq!(
            (&a.first_name, &a.last_name, &a.email, &a.csr),
            (&b.first_name, &b.last_name, &b.email, &b.csr)
        );
    }
    assert_eq!(again.all_rows()[0].first_name, hostile[0]);
    // A file's own marks are read off like ours, and ours round-trip.
    assert_eq!(e.all_rows()[4].first_name, "=already marked");
    assert_eq!(e.all_rows()[5].first_name, "'-twice");
    assert_eq!(again.all_rows()[6].first_name, "O'Brien");
    assert_eq!(again.all_rows()[0].csr, pem);
    assert_eq!(e.counts_by_code(), again.counts_by_code());
}
