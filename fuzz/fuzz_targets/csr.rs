//! The CSR parser on arbitrary text and on arbitrary DER wrapped in PEM
//! armour (the first byte chooses): a typed result or a `CsrError` with its
//! stable code and a message, never a panic.
#![no_main]

use base64ct::{Base64, Encoding};
use libfuzzer_sys::fuzz_target;
use smime_bulk_roster::csr;

fuzz_target!(|bytes: &[u8]| {
    let Some((&choice, rest)) = bytes.split_first() else {
        return;
    };
    let text = if choice % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        format!(
            "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
            Base64::encode_string(rest)
        )
    };
    match csr::check(&text) {
        Ok(info) => assert!(info.emails.iter().all(|e| !e.is_empty()), "an empty email in {info:?}"),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            let _ = e.code();
        }
    }
});
