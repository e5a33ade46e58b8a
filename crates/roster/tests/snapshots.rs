//! Each fixture's report summary matches its committed snapshot in
//! `tests/expected/` (the wasm test compares against the same files, which
//! proves the engine gives the same report in the browser as natively).
//! Set `UPDATE_EXPECT=1` to rewrite the snapshots after a deliberate change.

mod cases;

use smime_bulk_roster::{check, domains::ValidatedDomains, preview, wire, Mode, Options};

fn snapshot(name: &str, file: &str, mode: Mode, domains: &[&str], exact: bool) {
    let dir = env!("CARGO_MANIFEST_DIR");
    let bytes = std::fs::read(format!("{dir}/tests/fixtures/roster/{file}")).unwrap();
    let options = Options {
        mode,
        domains: ValidatedDomains::parse(domains).unwrap(),
        exact_domains: exact,
        mapping: None,
        limits: Default::default(),
        sheet: None,
        key_seed: 0x5eed,
    };
    let report = check(&bytes, &options);
    // The worker's path, rows encoded as they are checked, gives the same bytes.
    let (streamed, shown) = wire::check_with_progress(&bytes, &options, &mut |_| {}, 3, wire::KeepBuffers);
    assert!(
        streamed.to_vec() == wire::encode(&report),
        "{name}: the streamed wire form differs from the report's"
    );
    assert_eq!(shown, preview(&bytes, mode, None, 3), "{name}: preview");
    let got = serde_json::to_string_pretty(&report.summary()).unwrap() + "\n";
    let path = format!("{dir}/tests/expected/{name}.json");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}; run with UPDATE_EXPECT=1"));
    assert_eq!(got, want, "{name}: report differs from {path}");
}

#[test]
fn every_fixture_matches_its_snapshot() {
    macro_rules! case {
        ($name:literal, $file:literal, $mode:ident, $domains:expr, $exact:expr) => {
            snapshot($name, $file, Mode::$mode, $domains, $exact)
        };
    }
    for_each_case!(case);
}
