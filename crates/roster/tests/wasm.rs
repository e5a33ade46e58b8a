//! The engine compiled to wasm, run in headless Chromium, gives the same report
//! on every fixture as the native build (both compare against tests/expected/).
#![cfg(target_arch = "wasm32")]

mod cases;

/// The page's IDNA: the browser's URL parser.
#[path = "../../../src/shared/idn.rs"]
mod idn;

use smime_bulk_roster::{check, domains::ValidatedDomains, Mode, Options};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn assert_same(name: &str, bytes: &[u8], mode: Mode, domains: &[&str], exact: bool, want: &str) {
    let options = Options {
        mode,
        domains: ValidatedDomains::parse(domains).unwrap(),
        exact_domains: exact,
        mapping: None,
        limits: Default::default(),
        sheet: None,
        key_seed: 0,
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

/// Hostile and ordinary domains get the same answer through the browser's
/// URL parser (the page and its worker) as through Rust's `idna` (the CLI):
/// invisible characters are refused by name before either sees them.
#[wasm_bindgen_test]
fn browser_and_native_idna_agree_on_hostile_domains() {
    use smime_bulk_roster::email::{normalize_domain, normalize_domain_with};
    for domain in [
        "bücher.example",
        "BÜCHER.Example",
        "exa\u{200B}mple.com",
        "\u{FEFF}example.com",
        "ex\u{00AD}ample.com",
        "b\u{00FC}\u{200D}cher.example",
        "b\u{00FC}cher\u{202E}.example",
        "xn--bcher-kva.example",
        "münchen.de",
        "例え.テスト",
        "a b.example",
        "bücher..example",
        "bücher.example:8080",
        "bücher.example/path",
        "user@bücher.example",
        "ｅｘａｍｐｌｅ.com",
    ] {
        let native = normalize_domain(domain);
        let browser = normalize_domain_with(domain, idn::to_ascii);
        assert_eq!(browser, native, "{domain:?}");
    }
    let refused = normalize_domain_with("exa\u{200B}mple.com", idn::to_ascii).unwrap_err();
    assert!(refused.contains("U+200B ZERO WIDTH SPACE at character 4"), "{refused}");
}
