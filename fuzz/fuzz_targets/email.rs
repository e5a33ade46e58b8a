//! The email and domain validators on arbitrary text: never a panic, and what
//! they accept is in normal form (normalising it again changes nothing); a
//! validated domain list covers each of its domains and their subdomains.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::email::{normalize_domain, parse_address};

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    match parse_address(&text) {
        Ok(address) => {
            let again =
                parse_address(&address.key()).unwrap_or_else(|e| panic!("{:?}'s key {:?}: {e}", text, address.key()));
            assert_eq!(again.key(), address.key(), "the key of a key changed");
            assert_eq!(
                normalize_domain(&address.domain).as_deref(),
                Ok(address.domain.as_str())
            );
        }
        Err(e) => assert!(!e.reason.is_empty(), "an empty reason for {text:?}"),
    }
    if let Ok(domain) = normalize_domain(&text) {
        assert_eq!(
            normalize_domain(&domain).as_deref(),
            Ok(domain.as_str()),
            "not idempotent"
        );
    }
    match ValidatedDomains::parse_list(&text) {
        Ok(list) => {
            for domain in list.iter() {
                assert_eq!(list.covering(domain, true), Some(domain));
                assert_eq!(list.nearest(domain), Some(domain));
                let sub = format!("mail.{domain}");
                let covering = list.covering(&sub, false).expect("a subdomain is covered");
                assert!(sub.ends_with(&format!(".{covering}")) || sub == covering);
                assert_eq!(list.covering(&sub, true).is_some(), list.iter().any(|d| d == sub));
            }
        }
        Err(e) => assert!(!e.reason.is_empty(), "an empty reason for {text:?}"),
    }
});
