//! The wire decoders on arbitrary bytes: a report (whole, and a slice at a
//! time as the page reads it), the check's options and CSR outcomes. A typed
//! result or a `WireError` naming its offset, never a panic; what decodes
//! encodes back to bytes that decode to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smime_bulk_roster::wire;

fuzz_target!(|bytes: &[u8]| {
    let whole = wire::decode(bytes);
    if let Ok(report) = &whole {
        assert_eq!(wire::decode(&wire::encode(report)).as_ref(), Ok(report));
    }
    // The page's reader: a few rows and findings at a time.
    let sliced = wire::ReportDecoder::new(bytes).and_then(|mut decoder| {
        while !decoder.decode_rows(3)? {}
        while !decoder.decode_findings(2)? {}
        decoder.finish()
    });
    assert_eq!(sliced.is_ok(), whole.is_ok(), "sliced {sliced:?}, whole {whole:?}");
    if let (Ok(a), Ok(b)) = (&sliced, &whole) {
        assert_eq!(a, b);
    }
    if let Ok(options) = wire::decode_options(bytes) {
        let again = wire::decode_options(&wire::encode_options(&options)).expect("encoded options decode");
        assert_eq!(
            (again.mode, &again.domains, again.exact_domains, &again.mapping),
            (options.mode, &options.domains, options.exact_domains, &options.mapping)
        );
    }
    if let Ok(outcomes) = wire::decode_csr_outcomes(bytes) {
        let again = wire::decode_csr_outcomes(&wire::encode_csr_outcomes(&outcomes)).expect("encoded outcomes decode");
        assert_eq!(again, outcomes);
    }
});
