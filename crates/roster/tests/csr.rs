//! CSR checks on requests generated with openssl (tools/gen-csr-fixtures.sh).

use smime_bulk_roster::csr::{check, CsrError, KeyKind};
use smime_bulk_roster::Code;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/csr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn allowed_keys_with_good_signatures_are_accepted() {
    for (name, key) in [
        ("rsa2048.csr", KeyKind::Rsa(2048)),
        ("rsa3072.csr", KeyKind::Rsa(3072)),
        ("rsa2056.csr", KeyKind::Rsa(2056)),
        ("rsa2048-sha384.csr", KeyKind::Rsa(2048)),
        ("rsa2048-sha512.csr", KeyKind::Rsa(2048)),
        ("rsa2048-new-label.csr", KeyKind::Rsa(2048)),
        ("p256.csr", KeyKind::P256),
        ("p256-sha384.csr", KeyKind::P256),
        ("p256.b64", KeyKind::P256),
        ("p384.csr", KeyKind::P384),
        ("p521.csr", KeyKind::P521),
        ("ed25519.csr", KeyKind::Ed25519),
    ] {
        let info = check(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(info.key, key, "{name}");
        assert!(info.signature_verified, "{name}");
        assert_eq!(info.emails, vec!["jane@example.com".to_owned()], "{name}");
    }
}

#[test]
fn ed448_and_rsa_pss_are_allowed_but_left_to_the_ca() {
    let info = check(&fixture("ed448.csr")).unwrap();
    assert_eq!((info.key, info.signature_verified), (KeyKind::Ed448, false));
    let info = check(&fixture("rsa2048-pss.csr")).unwrap();
    assert_eq!((info.key, info.signature_verified), (KeyKind::Rsa(2048), false));
}

#[test]
fn rsa_1024_is_a_weak_key() {
    assert_eq!(check(&fixture("rsa1024.csr")), Err(CsrError::WeakKey(1024)));
}

#[test]
fn keys_outside_policy_are_unsupported() {
    for name in ["secp256k1.csr", "dsa.csr", "rsa2052.csr"] {
        assert!(
            matches!(check(&fixture(name)), Err(CsrError::Unsupported(_))),
            "{name}: {:?}",
            check(&fixture(name))
        );
    }
    let Err(CsrError::Unsupported(why)) = check(&fixture("secp256k1.csr")) else {
        unreachable!()
    };
    assert!(why.contains("secp256k1"), "{why}");
}

#[test]
fn altered_requests_fail_their_signature() {
    for name in [
        "rsa2048-broken-signature.csr",
        "p256-broken-signature.csr",
        "ed25519-broken-signature.csr",
    ] {
        assert!(
            matches!(check(&fixture(name)), Err(CsrError::BadSignature(_))),
            "{name}: {:?}",
            check(&fixture(name))
        );
    }
}

#[test]
fn sha1_signatures_are_refused() {
    assert!(matches!(check(&fixture("rsa2048-sha1.csr")), Err(CsrError::BadSignature(ref w)) if w.contains("SHA-1")));
}

#[test]
fn subject_alt_name_emails_are_found() {
    let info = check(&fixture("rsa2048-san-other.csr")).unwrap();
    assert_eq!(info.emails, vec!["bob@example.org".to_owned()]);
}

#[test]
fn line_breaks_and_spaces_inside_the_pem_are_tolerated() {
    // Spreadsheets often turn the PEM's line breaks into spaces or CRLF.
    let flattened = fixture("p256.csr").replace('\n', " ");
    assert!(check(&flattened).is_ok());
    let crlf = fixture("p256.csr").replace('\n', "\r\n");
    assert!(check(&crlf).is_ok());
}

#[test]
fn unreadable_input_says_why() {
    for (input, needle) in [
        ("hello", "base64"),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "PRIVATE KEY",
        ),
        ("-----BEGIN CERTIFICATE REQUEST-----\nMIIB", "END"),
        (
            "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----",
            "empty",
        ),
        ("QUJDRA==", "PKCS#10"),
    ] {
        match check(input) {
            Err(CsrError::Unreadable(why)) => assert!(why.contains(needle), "{input:?}: {why}"),
            other => panic!("{input:?}: {other:?}"),
        }
    }
    // A request cut short in the middle.
    let pem = fixture("rsa2048.csr");
    let cut: String = pem.lines().take(5).collect::<Vec<_>>().join("\n") + "\n-----END CERTIFICATE REQUEST-----";
    assert!(matches!(check(&cut), Err(CsrError::Unreadable(_))));
}

#[test]
fn each_refusal_names_its_finding_code_and_says_why() {
    for (name, code) in [
        ("rsa1024.csr", Code::CsrWeakKey),
        ("secp256k1.csr", Code::CsrKeyUnsupported),
        ("rsa2048-sha1.csr", Code::CsrSignatureInvalid),
    ] {
        let e = check(&fixture(name)).unwrap_err();
        assert_eq!(e.code(), code, "{name}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("{code}: ")) && shown.len() > code.as_str().len() + 10,
            "{shown}"
        );
    }
    let e = check("not a csr").unwrap_err();
    assert_eq!(e.code(), Code::CsrInvalid);
    assert!(
        e.to_string().starts_with("csr_invalid: the request cannot be read: "),
        "{e}"
    );
}
