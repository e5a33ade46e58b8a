//! The outcomes of CSR checks (the engine's, in a report; the worker's
//! answer to CSRs typed in the editor): each CSR's text, then its key and
//! addresses, or why it was refused.

use super::bytes::{Reader, Writer};
use super::{WireError, MAGIC};
use crate::csr::{CsrError, CsrInfo, KeyKind};
use crate::validate::{CsrOutcome, CsrOutcomes};

/// Encodes the outcomes of CSR checks (the worker's answer to an edited CSR).
pub fn encode_csr_outcomes(outcomes: &CsrOutcomes) -> Vec<u8> {
    let mut w = Writer(MAGIC.to_vec());
    w.csr_outcomes(outcomes);
    w.0
}

/// Decodes what [`encode_csr_outcomes`] wrote.
pub fn decode_csr_outcomes(bytes: &[u8]) -> Result<CsrOutcomes, WireError> {
    if !bytes.starts_with(MAGIC) {
        return Err(WireError::BadMagic);
    }
    Reader { bytes, at: MAGIC.len() }.csr_outcomes()
}

/// The key kinds without a parameter, in tag order (RSA is tag 0).
const KEYS: [KeyKind; 5] = [
    KeyKind::P256,
    KeyKind::P384,
    KeyKind::P521,
    KeyKind::Ed25519,
    KeyKind::Ed448,
];

impl Writer {
    pub(super) fn csr_outcomes(&mut self, outcomes: &CsrOutcomes) {
        self.u32(outcomes.len() as u32);
        for (pem, outcome) in outcomes {
            self.str(pem);
            match outcome {
                Ok(info) => {
                    self.u8(0);
                    match &info.key {
                        KeyKind::Rsa(bits) => {
                            self.u8(0);
                            self.u32(*bits as u32);
                        }
                        other => self.u8(1 + KEYS.iter().position(|k| k == other).unwrap_or(0) as u8),
                    }
                    self.u32(info.emails.len() as u32);
                    for e in &info.emails {
                        self.str(e);
                    }
                    self.u8(u8::from(info.signature_verified));
                }
                Err(CsrError::Unreadable(why)) => {
                    self.u8(1);
                    self.str(why);
                }
                Err(CsrError::BadSignature(why)) => {
                    self.u8(2);
                    self.str(why);
                }
                Err(CsrError::WeakKey(bits)) => {
                    self.u8(3);
                    self.u32(*bits as u32);
                }
                Err(CsrError::Unsupported(why)) => {
                    self.u8(4);
                    self.str(why);
                }
            }
        }
    }
}

impl Reader<'_> {
    pub(super) fn csr_outcomes(&mut self) -> Result<CsrOutcomes, WireError> {
        let n = self.len()?;
        let mut out = CsrOutcomes::new();
        for _ in 0..n {
            let pem = self.string()?;
            let at = self.at;
            let outcome: CsrOutcome = match self.u8()? {
                0 => {
                    let key = match self.u8()? {
                        0 => KeyKind::Rsa(self.u32()? as usize),
                        i => KEYS.get(i as usize - 1).cloned().ok_or(WireError::BadTag(at + 1))?,
                    };
                    let n = self.len()?;
                    let emails = (0..n).map(|_| self.string()).collect::<Result<_, _>>()?;
                    Ok(CsrInfo {
                        key,
                        emails,
                        signature_verified: self.flag()?,
                    })
                }
                1 => Err(CsrError::Unreadable(self.string()?)),
                2 => Err(CsrError::BadSignature(self.string()?)),
                3 => Err(CsrError::WeakKey(self.u32()? as usize)),
                4 => Err(CsrError::Unsupported(self.string()?)),
                _ => return Err(WireError::BadTag(at)),
            };
            out.insert(pem, outcome);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{decode, encode};
    use crate::{check, Options};

    #[test]
    fn csr_outcomes_of_every_kind_survive_the_round_trip() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/csr");
        let mut csv = String::from("Email,Csr\n");
        let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        for path in &names {
            let pem = std::fs::read_to_string(path).unwrap();
            csv.push_str(&format!("jane@example.com,\"{}\"\n", pem.trim()));
        }
        csv.push_str("bob@example.com,not a csr\n");
        let report = check(csv.as_bytes(), &Options::default());
        let kinds: std::collections::BTreeSet<String> = report
            .csr_outcomes
            .values()
            .map(|o| match o {
                Ok(info) => format!("{:?}", info.key),
                Err(e) => format!("{e:?}").split('(').next().unwrap_or_default().to_owned(),
            })
            .collect();
        assert!(kinds.len() >= 9, "{kinds:?}");
        assert_eq!(decode(&encode(&report)).unwrap(), report);
        assert_eq!(
            decode_csr_outcomes(&encode_csr_outcomes(&report.csr_outcomes)).unwrap(),
            report.csr_outcomes
        );
    }
}
