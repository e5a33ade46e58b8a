//! The engine compiled to wasm, run in headless Chromium, gives the same report
//! on every fixture as the native build (both compare against tests/expected/).
#![cfg(target_arch = "wasm32")]

mod cases;

use smime_bulk_roster::{check, domains::ValidatedDomains, Mode, Options};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn assert_same(name: &str, bytes: &[u8], mode: Mode, domains: &[&str], exact: bool, want: &str) {
    let options = Options {
        mode,
        domains: ValidatedDomains::parse(domains).unwrap(),
        exact_domains: exact,
        mapping: None,
        sheet: None,
    };
    let got = serde_json::to_string_pretty(&check(bytes, &options).summary()).unwrap() + "\n";
    assert_eq!(got, want, "{name}: the wasm report differs from the native snapshot");
}

#[wasm_bindgen_test]
fn wasm_reports_match_the_native_snapshots() {
    macro_rules! case {
        ($name:literal, $file:literal, $mode:ident, $domains:expr, $exact:expr) => {
            assert_same(
                $name,
                include_bytes!(concat!("fixtures/roster/", $file)),
                Mode::$mode,
                $domains,
                $exact,
                include_str!(concat!("expected/", $name, ".json")),
            )
        };
    }
    for_each_case!(case);
}

#[wasm_bindgen_test]
fn wasm_engine_never_panics_on_hostile_bytes() {
    for bytes in [&b""[..], b"\xFF\xFE\x00", b"\"", b"Email\n\"", &[0xC3u8; 300][..]] {
        let _ = check(bytes, &Options::default());
    }
}
