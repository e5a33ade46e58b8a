//! The `smime-bulk` binary as a user runs it: exit statuses, JSON shape, text format.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/../roster/tests/fixtures/roster/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn smime_bulk() -> Command {
    Command::cargo_bin("smime-bulk").unwrap()
}

#[test]
fn valid_roster_exits_0() {
    smime_bulk()
        .args(["check", "--domains", "example.com,example.org", "-"])
        .write_stdin("First Name,Last Name,Email,Country\nJane,Doe,jane@example.com,GB\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("<stdin>: 1 rows, 1 valid, 0 invalid"));
}

#[test]
fn invalid_rows_exit_1_with_compiler_style_lines() {
    let file = fixture("excel-1252-semicolon.csv");
    smime_bulk()
        .args(["check", "--domains", "example.com,example.org", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "{file}:5: Country \"UK\" is not an ISO 3166 code; did you mean \"GB\"? [country_invalid]"
        )))
        .stdout(predicate::str::contains(format!("{file}:3: warning: Country \"dk\"")))
        .stdout(predicate::str::contains("6 rows, 4 valid, 2 invalid"));
}

#[test]
fn unusable_files_exit_2() {
    smime_bulk()
        .args(["check", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("[empty_file]"));
    smime_bulk()
        .args(["check", "-"])
        .write_stdin(&b"%PDF-1.7\0\0binary"[..])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("[not_text]"));
    // A zip is read as a workbook: a damaged one says so.
    smime_bulk()
        .args(["check", "-"])
        .write_stdin(&b"PK\x03\x04\0\0binary"[..])
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("The workbook is damaged").and(predicate::str::contains("[workbook_unreadable]")),
        );
    smime_bulk()
        .args(["check", "-"])
        .write_stdin("First Name,Last Name\nJane,Doe\n")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("[missing_column]"));
}

#[test]
fn wrong_command_lines_exit_2_with_one_clear_line() {
    smime_bulk()
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("required"));
    smime_bulk()
        .args(["check", "no-such-file.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("smime-bulk: cannot read no-such-file.csv"));
    smime_bulk()
        .args(["check", "--domains", "not a domain!", "-"])
        .write_stdin("Email\na@example.com\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--domains: validated domain \"not\""));
    smime_bulk().args(["frobnicate"]).assert().code(2);
    smime_bulk()
        .args(["check", "--format", "xml", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn json_has_the_documented_shape() {
    let out = smime_bulk()
        .args([
            "check",
            "--domains",
            "example.com,example.org",
            "--format",
            "json",
            &fixture("all-rules.csv"),
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    // Written as the rows are checked: the head, the findings, then the totals.
    assert_eq!(
        keys,
        [
            "encoding",
            "delimiter",
            "mapping",
            "findings",
            "rows",
            "valid",
            "invalid",
            "coverage"
        ]
    );
    assert_eq!(v["rows"], 23);
    assert_eq!(v["encoding"], "UTF-8");
    assert_eq!(v["delimiter"], ",");
    assert_eq!(v["mapping"]["email"], "Email");
    assert_eq!(v["coverage"]["validated"][0]["domain"], "example.com");
    let f = &v["findings"][0];
    let fkeys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fkeys, ["line", "column", "code", "severity", "message", "suggestion"]);
    assert_eq!(f["severity"], "warning");
    let dup = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "duplicate_email")
        .unwrap();
    assert_eq!(dup["severity"], "error");
    assert_eq!(dup["column"], "Email");
}

#[test]
fn domains_file_and_exact_matching() {
    let dir = std::env::temp_dir().join(format!("smime-bulk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let domains = dir.join("domains.txt");
    std::fs::write(&domains, "# validated\nexample.com\n").unwrap();
    let roster = "Email\na@mail.example.com\n";
    smime_bulk()
        .args(["check", "--domains-file", domains.to_str().unwrap(), "-"])
        .write_stdin(roster)
        .assert()
        .code(0);
    smime_bulk()
        .args([
            "check",
            "--domains-file",
            domains.to_str().unwrap(),
            "--exact-domains",
            "-",
        ])
        .write_stdin(roster)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[domain_not_validated]"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn list_mode_reads_pasted_recipients() {
    smime_bulk()
        .args(["check", "--list", "--domains", "example.com", "-"])
        .write_stdin("Doe, Jane <jane@example.com>; bob@example.com\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 rows, 2 valid"));
}

#[test]
fn parse_prints_rows_keyed_by_header_as_written() {
    let out = smime_bulk()
        .args(["parse", &fixture("header-variants.csv")])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["E-mail Address"], "jane@example.com");
    assert_eq!(v[0]["Department"], "Finance");
    let keys: Vec<&str> = v[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["E-mail Address", "Surname", "Given Name", "Country Code", "Department"]
    );
    smime_bulk()
        .args(["parse", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[empty_file]"));
}

#[test]
fn template_prints_the_header() {
    smime_bulk()
        .arg("template")
        .assert()
        .code(0)
        .stdout("First Name,Last Name,Email,Country,Csr\r\n");
}

#[test]
fn help_has_examples() {
    for sub in ["check", "parse", "template"] {
        smime_bulk()
            .args([sub, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Example"));
    }
}

/// `check --format json` on `bytes` with `args` before the file: its exit
/// code and its JSON.
fn check_json(args: &[&str], bytes: &[u8]) -> (i32, Value) {
    let out = smime_bulk()
        .arg("check")
        .args(args)
        .args(["--format", "json", "-"])
        .write_stdin(bytes.to_vec())
        .output()
        .unwrap();
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn the_streamed_json_report_is_the_reports_summary_key_for_key() {
    use smime_bulk_roster::{check, domains::ValidatedDomains, Mode, Options};
    let all_rules = std::fs::read(fixture("all-rules.csv")).unwrap();
    let excel = std::fs::read(fixture("excel-1252-semicolon.csv")).unwrap();
    let inputs: [(&[u8], bool); 6] = [
        (&all_rules, false),
        (&excel, false),
        (b"", false),
        (b"PK\x03\x04\0\0binary", false),
        (b"Email,Country\n", false),
        (b"Doe, Jane <jane@example.com>; bob@example", true),
    ];
    for (bytes, list) in inputs {
        let options = Options {
            mode: if list { Mode::List } else { Mode::Table },
            domains: ValidatedDomains::parse(["example.com", "example.org"]).unwrap(),
            ..Options::default()
        };
        let report = check(bytes, &options);
        let mut args = vec!["--domains", "example.com,example.org"];
        if list {
            args.push("--list");
        }
        let (code, streamed) = check_json(&args, bytes);
        assert_eq!(
            streamed,
            serde_json::to_value(report.summary()).unwrap(),
            "{}",
            String::from_utf8_lossy(bytes)
        );
        let want = if report.is_unusable() {
            2
        } else {
            i32::from(report.invalid_count() > 0)
        };
        assert_eq!(code, want);
    }
}

#[test]
fn a_hundred_thousand_columns_give_one_ignored_column_finding() {
    let mut header = String::from("Email");
    let mut row = String::from("jane@example.com");
    for i in 0..100_000 {
        header.push_str(&format!(",Extra {i}"));
        row.push(',');
    }
    let (code, v) = check_json(&[], format!("{header}\n{row}\n").as_bytes());
    assert_eq!(code, 0);
    let ignored: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "column_ignored")
        .collect();
    assert_eq!(ignored.len(), 1);
    assert!(ignored[0]["message"]
        .as_str()
        .unwrap()
        .contains("and 99997 more (100000 in all)"));
    // parse keeps all 100,001 columns, repeated names apart, in linear time.
    let out = smime_bulk()
        .args(["parse", "-"])
        .write_stdin(format!("{}\n{row}\n", vec!["x"; 100_001].join(",")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0].as_object().unwrap().len(), 100_001);
    assert_eq!(rows[0]["x (100001)"], "");
}

#[test]
fn one_bad_byte_in_a_utf8_roster_exits_2_naming_its_line_and_byte() {
    let roster = b"First Name,Last Name,Email,Country\nJ\xC3\xBCrgen,M\xC3\xBCller,j@example.com,DE\nJ\xFCrgen,Weber,w@example.com,DE\n";
    smime_bulk()
        .args(["check", "--domains", "example.com", "-"])
        .write_stdin(&roster[..])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("<stdin>:3: The file is UTF-8"))
        .stdout(predicate::str::contains(
            "at line 3, byte 2 of the line (after \"J\"), the bytes 0xFC",
        ))
        .stdout(predicate::str::contains("[encoding_invalid]"))
        .stdout(predicate::str::contains("<stdin>: unusable, nothing was checked (").not())
        .stdout(predicate::str::contains("<stdin>: unusable, nothing was checked"));
}

/// The codes of `check`'s findings on `bytes` with the limit flags `args`.
fn codes_within(args: &[&str], bytes: &str) -> (i32, Vec<String>) {
    let (code, v) = check_json(args, bytes.as_bytes());
    let codes = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    (code, codes)
}

#[test]
fn each_limit_is_kept_at_its_value_and_refused_beyond_it() {
    let roster = "First Name,Last Name,Email,Country\nJane,Doe,a@example.com,DE\nBob,Roe,b@example.com,DE\n";
    let size = roster.len().to_string();
    let one_less = (roster.len() - 1).to_string();
    assert_eq!(codes_within(&["--max-file-bytes", &size], roster), (0, vec![]));
    assert_eq!(
        codes_within(&["--max-file-bytes", &one_less], roster),
        (2, vec!["file_too_large".into()])
    );
    assert_eq!(codes_within(&["--max-rows", "2"], roster), (0, vec![]));
    let (code, v) = check_json(&["--max-rows", "1"], roster.as_bytes());
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("more than 1 rows (the first beyond the limit is on line 3)"));
    assert_eq!(
        (code, &v["findings"][0]["code"], &v["findings"][0]["line"]),
        (2, &Value::from("too_many_rows"), &Value::from(3))
    );
    assert_eq!(v["rows"], 0, "a roster over the limit is refused whole, not cut short");
    assert_eq!(codes_within(&["--max-field-chars", "13"], roster), (0, vec![]));
    assert_eq!(
        codes_within(&["--max-field-chars", "12"], roster),
        (1, vec!["field_too_long".into(), "field_too_long".into()])
    );
    smime_bulk()
        .args(["parse", "--max-rows", "1", "-"])
        .write_stdin(roster)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[too_many_rows]"));
    smime_bulk()
        .args(["check", "--max-rows", "many", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--max-rows"));
}

fn workbook(name: &str) -> String {
    format!(
        "{}/../roster/tests/fixtures/workbook/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn workbooks_are_checked_with_cell_references() {
    for name in ["roster.xlsx", "roster.ods", "roster.xls"] {
        let file = workbook(name);
        smime_bulk()
            .args(["check", "--domains", "example.com", &file])
            .assert()
            .code(1)
            .stdout(predicate::str::contains(format!(
                "{file}:Équipe!D3: Country \"UK\" is not an ISO 3166 code; did you mean \"GB\"? [country_invalid]"
            )))
            .stdout(predicate::str::contains(format!(
                "{file}:Équipe!C4: Email \"misaki.sato@example\""
            )))
            .stdout(predicate::str::contains(format!(
                "{file}: 3 rows, 1 valid, 2 invalid, 1 warnings (sheet Équipe)"
            )));
    }
}

#[test]
fn sheet_picks_another_sheet_and_a_wrong_one_lists_them() {
    let file = workbook("roster.xlsx");
    smime_bulk()
        .args(["check", "--domains", "example.org", "--sheet", "Contractors", &file])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "{file}:Contractors!D3: warning: Country \"se\""
        )))
        .stdout(predicate::str::contains(
            "2 rows, 2 valid, 0 invalid, 1 warnings (sheet Contractors)",
        ));
    smime_bulk()
        .args(["check", "--sheet", "Staff", &file])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "no sheet named \"Staff\". Its sheets are \"Équipe\", \"Contractors\"; pick one of those. [sheet_not_found]",
        ));
    let out = smime_bulk()
        .args(["parse", "--sheet", "Contractors", &file])
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[1]["Last Name"], "Åberg");
    let json = smime_bulk()
        .args(["check", "--format", "json", &file])
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(summary["sheet"]["name"], "Équipe");
    assert_eq!(summary["sheet"]["names"][1], "Contractors");
}

#[test]
fn a_password_protected_workbook_exits_2_saying_so() {
    smime_bulk()
        .args(["check", &workbook("roster-password.xlsx")])
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("password-protected")
                .and(predicate::str::contains("[workbook_password_protected]")),
        );
}
