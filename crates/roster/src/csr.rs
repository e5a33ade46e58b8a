//! Certificate signing requests: reads a PKCS#10 request (PEM or bare base64
//! DER), verifies its self-signature and applies the key policy of the S/MIME
//! Baseline Requirements 6.1.5–6.1.6:
//!
//! - RSA: modulus at least 2048 bits and a multiple of 8; odd public exponent ≥ 3;
//! - ECDSA: P-256, P-384 or P-521 only;
//! - EdDSA: Ed25519 or Ed448.
//!
//! Signatures checked: RSA PKCS#1 v1.5 with SHA-256/384/512, ECDSA with
//! SHA-256/384/512 on each allowed curve, Ed25519. Ed448 and RSASSA-PSS are
//! allowed but not verified here (the CA verifies them).

use crate::finding::Code;
use const_oid::db::{rfc5912, rfc8410};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::fmt;
use x509_cert::request::CertReq;

/// The public key a CSR carries, once accepted by policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with this modulus size in bits.
    Rsa(usize),
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// ECDSA on NIST P-521.
    P521,
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
}

/// A CSR that was read, with what was found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrInfo {
    /// The key type.
    pub key: KeyKind,
    /// Email addresses named in the subject (emailAddress) or in a requested
    /// subjectAltName (rfc822Name), as written.
    pub emails: Vec<String>,
    /// Whether the self-signature was verified (false for Ed448 and RSASSA-PSS).
    pub signature_verified: bool,
}

/// Why a CSR is refused. Each maps to one finding code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsrError {
    /// It cannot be read (`csr_invalid`).
    Unreadable(String),
    /// The self-signature does not verify (`csr_signature_invalid`).
    BadSignature(String),
    /// RSA shorter than 2048 bits (`csr_weak_key`); the size in bits.
    WeakKey(usize),
    /// Any other key the policy does not allow (`csr_key_unsupported`).
    Unsupported(String),
}

impl CsrError {
    /// The finding code a row with this CSR gets, e.g. [`Code::CsrWeakKey`].
    ///
    /// ```
    /// use smime_bulk_roster::{csr::CsrError, Code};
    /// assert_eq!(CsrError::WeakKey(1024).code(), Code::CsrWeakKey);
    /// assert_eq!(CsrError::WeakKey(1024).to_string(), "csr_weak_key: a 1024-bit RSA key, where at least 2048 bits are needed");
    /// ```
    pub fn code(&self) -> Code {
        match self {
            CsrError::Unreadable(_) => Code::CsrInvalid,
            CsrError::BadSignature(_) => Code::CsrSignatureInvalid,
            CsrError::WeakKey(_) => Code::CsrWeakKey,
            CsrError::Unsupported(_) => Code::CsrKeyUnsupported,
        }
    }
}

impl fmt::Display for CsrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        match self {
            CsrError::Unreadable(why) => write!(f, "{code}: the request cannot be read: {why}"),
            CsrError::BadSignature(why) => write!(f, "{code}: the request's signature is not valid: {why}"),
            CsrError::WeakKey(bits) => write!(f, "{code}: a {bits}-bit RSA key, where at least 2048 bits are needed"),
            CsrError::Unsupported(why) => write!(f, "{code}: {why}"),
        }
    }
}

impl std::error::Error for CsrError {}

const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");
const EXTENSION_REQUEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");

/// Reads and checks a CSR given as PEM or bare base64 DER.
///
/// ```
/// use smime_bulk_roster::csr::{check, CsrError};
/// assert!(matches!(check("not a csr"), Err(CsrError::Unreadable(_))));
/// ```
pub fn check(text: &str) -> Result<CsrInfo, CsrError> {
    let der = to_der(text)?;
    let req =
        CertReq::from_der(&der).map_err(|e| CsrError::Unreadable(format!("it is not a PKCS#10 request ({e})")))?;
    let info_der = req
        .info
        .to_der()
        .map_err(|e| CsrError::Unreadable(format!("its request info cannot be re-encoded ({e})")))?;
    let signature = req
        .signature
        .as_bytes()
        .ok_or_else(|| CsrError::Unreadable("its signature is not a whole number of bytes".into()))?;
    let spki = &req.info.public_key;
    let key_oid = spki.algorithm.oid;
    let key_bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| CsrError::Unreadable("its public key is not a whole number of bytes".into()))?;
    let sig_oid = req.algorithm.oid;

    let (key, signature_verified) = if key_oid == rfc5912::RSA_ENCRYPTION {
        rsa_key(key_bytes, sig_oid, &info_der, signature)?
    } else if key_oid == rfc5912::ID_EC_PUBLIC_KEY {
        let curve: ObjectIdentifier = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as().ok())
            .ok_or_else(|| CsrError::Unreadable("its EC key names no curve".into()))?;
        (ec_key(curve, key_bytes, sig_oid, &info_der, signature)?, true)
    } else if key_oid == rfc8410::ID_ED_25519 {
        expect_sig(sig_oid, rfc8410::ID_ED_25519, "Ed25519")?;
        let key: [u8; 32] = key_bytes
            .try_into()
            .map_err(|_| CsrError::Unreadable("its Ed25519 key is not 32 bytes".into()))?;
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&key)
            .map_err(|_| CsrError::Unreadable("its Ed25519 key is not a valid point".into()))?;
        let sig = ed25519_dalek::Signature::from_slice(signature)
            .map_err(|_| bad_sig("the Ed25519 signature is not 64 bytes"))?;
        vk.verify_strict(&info_der, &sig).map_err(|_| bad_sig(MISMATCH))?;
        (KeyKind::Ed25519, true)
    } else if key_oid == rfc8410::ID_ED_448 {
        (KeyKind::Ed448, false)
    } else {
        let name = const_oid::db::DB
            .by_oid(&key_oid)
            .map_or_else(|| key_oid.to_string(), str::to_owned);
        return Err(CsrError::Unsupported(format!(
            "its key type ({name}) is not allowed for S/MIME; use RSA (2048 bits or more), ECDSA P-256/P-384/P-521 or Ed25519"
        )));
    };
    Ok(CsrInfo {
        key,
        emails: emails(&req),
        signature_verified,
    })
}

const MISMATCH: &str = "the signature does not match the request's content (the CSR was altered or damaged)";

fn bad_sig(reason: &str) -> CsrError {
    CsrError::BadSignature(reason.to_owned())
}

fn expect_sig(sig_oid: ObjectIdentifier, expected: ObjectIdentifier, key: &str) -> Result<(), CsrError> {
    if sig_oid == expected {
        Ok(())
    } else {
        Err(bad_sig(&format!(
            "its signature algorithm ({sig_oid}) does not fit its {key} key"
        )))
    }
}

/// Strips PEM armour (any `… CERTIFICATE REQUEST` label) or takes bare base64,
/// ignoring white space and line breaks inside (spreadsheets mangle them).
fn to_der(text: &str) -> Result<Vec<u8>, CsrError> {
    let text = text.trim();
    let body = if let Some(start) = text.find("-----BEGIN ") {
        let after = &text[start + "-----BEGIN ".len()..];
        let (label, rest) = after
            .split_once("-----")
            .ok_or_else(|| CsrError::Unreadable("its PEM header line is cut off".into()))?;
        if label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST" {
            return Err(CsrError::Unreadable(format!(
                "it is a PEM \"{label}\", not a \"CERTIFICATE REQUEST\" (a private key or certificate must never be put in a roster)"
            )));
        }
        let end = rest
            .find("-----END ")
            .ok_or_else(|| CsrError::Unreadable("its \"-----END CERTIFICATE REQUEST-----\" line is missing".into()))?;
        &rest[..end]
    } else {
        text
    };
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(CsrError::Unreadable("it is empty between its PEM lines".into()));
    }
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(&compact)
        .map_err(|_| CsrError::Unreadable("it is neither PEM nor base64 (some characters are not base64)".into()))
}

fn rsa_key(
    key_bytes: &[u8],
    sig_oid: ObjectIdentifier,
    info_der: &[u8],
    signature: &[u8],
) -> Result<(KeyKind, bool), CsrError> {
    use rsa::signature::Verifier;
    let key = rsa::pkcs1::RsaPublicKey::from_der(key_bytes)
        .map_err(|_| CsrError::Unreadable("its RSA public key cannot be read".into()))?;
    let n = key.modulus.as_bytes();
    let e = key.public_exponent.as_bytes();
    let bits = bit_len(n);
    if bits < 2048 {
        return Err(CsrError::WeakKey(bits));
    }
    if !bits.is_multiple_of(8) {
        return Err(CsrError::Unsupported(format!(
            "its RSA modulus is {bits} bits, which is not a multiple of 8 (S/MIME BR 6.1.5)"
        )));
    }
    let e_odd = e.last().is_some_and(|b| b & 1 == 1);
    if !e_odd || bit_len(e) < 2 {
        return Err(CsrError::Unsupported(
            "its RSA public exponent is not an odd number of at least 3 (S/MIME BR 6.1.6)".into(),
        ));
    }
    if sig_oid == rfc5912::ID_RSASSA_PSS {
        return Ok((KeyKind::Rsa(bits), false));
    }
    if sig_oid == rfc5912::SHA_1_WITH_RSA_ENCRYPTION {
        return Err(bad_sig(
            "it is signed with SHA-1, which CAs refuse; create it again with SHA-256",
        ));
    }
    let public =
        rsa::RsaPublicKey::new_with_max_size(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e), 16384);
    let Ok(public) = public else {
        // A key outside the rsa crate's limits (e.g. exponent above 2^33) is
        // allowed by policy; leave the signature to the CA.
        return Ok((KeyKind::Rsa(bits), false));
    };
    let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| bad_sig(MISMATCH))?;
    let verified = if sig_oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION {
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public).verify(info_der, &sig)
    } else if sig_oid == rfc5912::SHA_384_WITH_RSA_ENCRYPTION {
        rsa::pkcs1v15::VerifyingKey::<Sha384>::new(public).verify(info_der, &sig)
    } else if sig_oid == rfc5912::SHA_512_WITH_RSA_ENCRYPTION {
        rsa::pkcs1v15::VerifyingKey::<Sha512>::new(public).verify(info_der, &sig)
    } else {
        return Err(bad_sig(&format!(
            "its signature algorithm ({sig_oid}) is not one for an RSA key"
        )));
    };
    verified.map_err(|_| bad_sig(MISMATCH))?;
    Ok((KeyKind::Rsa(bits), true))
}

fn ec_key(
    curve: ObjectIdentifier,
    key_bytes: &[u8],
    sig_oid: ObjectIdentifier,
    info_der: &[u8],
    signature: &[u8],
) -> Result<KeyKind, CsrError> {
    use ecdsa_hazmat::PrehashVerifier;
    let digest: Vec<u8> = if sig_oid == rfc5912::ECDSA_WITH_SHA_256 {
        Sha256::digest(info_der).to_vec()
    } else if sig_oid == rfc5912::ECDSA_WITH_SHA_384 {
        Sha384::digest(info_der).to_vec()
    } else if sig_oid == rfc5912::ECDSA_WITH_SHA_512 {
        Sha512::digest(info_der).to_vec()
    } else if curve == rfc5912::SECP_256_R_1 || curve == rfc5912::SECP_384_R_1 || curve == rfc5912::SECP_521_R_1 {
        return Err(bad_sig(&format!(
            "its signature algorithm ({sig_oid}) is not ECDSA with SHA-256/384/512"
        )));
    } else {
        Vec::new()
    };
    let unreadable_key = || CsrError::Unreadable("its EC public key is not a valid point on its curve".into());
    let bad = |_| bad_sig(MISMATCH);
    if curve == rfc5912::SECP_256_R_1 {
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| unreadable_key())?;
        let sig = p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
        vk.verify_prehash(&digest, &sig).map_err(bad)?;
        Ok(KeyKind::P256)
    } else if curve == rfc5912::SECP_384_R_1 {
        let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| unreadable_key())?;
        let sig = p384::ecdsa::Signature::from_der(signature).map_err(bad)?;
        vk.verify_prehash(&digest, &sig).map_err(bad)?;
        Ok(KeyKind::P384)
    } else if curve == rfc5912::SECP_521_R_1 {
        let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| unreadable_key())?;
        let sig = p521::ecdsa::Signature::from_der(signature).map_err(bad)?;
        vk.verify_prehash(&digest, &sig).map_err(bad)?;
        Ok(KeyKind::P521)
    } else {
        let name = if curve == SECP256K1 {
            "secp256k1".to_owned()
        } else {
            const_oid::db::DB
                .by_oid(&curve)
                .map_or_else(|| curve.to_string(), str::to_owned)
        };
        Err(CsrError::Unsupported(format!(
            "its EC key is on the curve {name}, which S/MIME does not allow; use P-256, P-384 or P-521"
        )))
    }
}

/// Re-export path for the prehash verifier trait shared by the curve crates.
mod ecdsa_hazmat {
    pub use p256::ecdsa::signature::hazmat::PrehashVerifier;
}

fn bit_len(be: &[u8]) -> usize {
    let be = &be[be.iter().take_while(|&&b| b == 0).count()..];
    match be.first() {
        Some(&b) => be.len() * 8 - b.leading_zeros() as usize,
        None => 0,
    }
}

/// Email addresses in the subject DN and in a requested subjectAltName.
fn emails(req: &CertReq) -> Vec<String> {
    let mut out = Vec::new();
    for rdn in req.info.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == EMAIL_ADDRESS {
                if let Ok(s) = std::str::from_utf8(atv.value.value()) {
                    out.push(s.to_owned());
                }
            }
        }
    }
    for attr in req.info.attributes.iter().filter(|a| a.oid == EXTENSION_REQUEST) {
        for value in attr.values.iter() {
            let Ok(exts) = value.decode_as::<x509_cert::ext::Extensions>() else {
                continue;
            };
            for ext in exts.iter().filter(|e| e.extn_id == SUBJECT_ALT_NAME) {
                let Ok(san) = x509_cert::ext::pkix::SubjectAltName::from_der(ext.extn_value.as_bytes()) else {
                    continue;
                };
                for name in san.0 {
                    if let x509_cert::ext::pkix::name::GeneralName::Rfc822Name(m) = name {
                        out.push(m.to_string());
                    }
                }
            }
        }
    }
    out
}
