//! The fixture cases shared by the native snapshot test and the wasm test:
//! each is (snapshot name, fixture file, mode, validated domains, exact).
//! A test file defines a macro `case!` and calls `for_each_case!(case)`.

#[macro_export]
macro_rules! for_each_case {
    ($case:ident) => {
        $case!(
            "all-rules",
            "all-rules.csv",
            Table,
            &["example.com", "example.org"],
            false
        );
        $case!(
            "all-rules-exact",
            "all-rules.csv",
            Table,
            &["example.com", "example.org"],
            true
        );
        $case!(
            "excel-1252-semicolon",
            "excel-1252-semicolon.csv",
            Table,
            &["example.com", "example.org"],
            false
        );
        $case!(
            "excel-unicode-text",
            "excel-unicode-text.txt",
            Table,
            &["example.com", "example.org"],
            false
        );
        $case!(
            "sheets-utf8-bom",
            "sheets-utf8-bom.csv",
            Table,
            &["example.com", "bücher.example"],
            false
        );
        $case!(
            "header-variants",
            "header-variants.csv",
            Table,
            &["example.com"],
            false
        );
        $case!("quoting-cr", "quoting-cr.csv", Table, &[], false);
        $case!("ragged", "ragged.csv", Table, &["example.com"], false);
        $case!(
            "outlook-recipients",
            "outlook-recipients.txt",
            List,
            &["example.com", "example.org"],
            false
        );
        $case!(
            "outlook-recipients-auto",
            "outlook-recipients.txt",
            Auto,
            &["example.com", "example.org"],
            false
        );
        $case!("email-only", "email-only.csv", Table, &["example.com"], false);
    };
}
