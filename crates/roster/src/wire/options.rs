//! What to check a roster against (the page's request to the worker): the
//! mode, exact matching, the validated domains, the user's own mapping and
//! the limits, the workbook's sheet to read, and the seed of the address
//! keys' hash.

use super::bytes::{Reader, Writer};
use super::{WireError, MAGIC, MODES};
use crate::domains::ValidatedDomains;
use crate::limits::Limits;
use crate::mapping::Field;
use crate::Options;

/// Encodes what to check a roster against (the request to the worker).
pub fn encode_options(options: &Options) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.u8(MODES.iter().position(|m| *m == options.mode).unwrap_or(0) as u8);
    w.u8(u8::from(options.exact_domains));
    let domains: Vec<&str> = options.domains.iter().collect();
    w.u32(domains.len() as u32);
    for d in domains {
        w.str(d);
    }
    match &options.mapping {
        None => w.u8(0),
        Some(columns) => {
            w.u8(1);
            w.u32(columns.len() as u32);
            for c in columns {
                w.u8(c.map_or(0, |f| 1 + f as u8));
            }
        }
    }
    let limits = &options.limits;
    for limit in [limits.max_file_bytes, limits.max_rows, limits.max_field_chars] {
        w.u64(limit as u64);
    }
    w.opt_str(options.sheet.as_deref());
    w.u64(options.key_seed);
    w.0
}

/// Decodes what [`encode_options`] wrote.
pub fn decode_options(bytes: &[u8]) -> Result<Options, WireError> {
    if !bytes.starts_with(MAGIC) {
        return Err(WireError::BadMagic);
    }
    let mut r = Reader { bytes, at: MAGIC.len() };
    let mode = r.pick(&MODES)?;
    let exact_domains = r.flag()?;
    let n = r.len()?;
    let at = r.at;
    let names = (0..n).map(|_| r.string()).collect::<Result<Vec<_>, _>>()?;
    // They were validated domains when encoded; parsing them again cannot fail
    // unless the bytes were tampered with.
    let domains = ValidatedDomains::parse(names.iter().map(String::as_str)).map_err(|_| WireError::BadTag(at))?;
    let mapping = if r.flag()? {
        let n = r.len()?;
        Some((0..n).map(|_| r.pick_opt(&Field::ALL)).collect::<Result<Vec<_>, _>>()?)
    } else {
        None
    };
    let mut limit = || r.u64().map(|v| usize::try_from(v).unwrap_or(usize::MAX));
    let limits = Limits {
        max_file_bytes: limit()?,
        max_rows: limit()?,
        max_field_chars: limit()?,
    };
    let sheet = r.opt_string()?;
    let key_seed = r.u64()?;
    Ok(Options {
        sheet,
        key_seed,
        mode,
        domains,
        exact_domains,
        mapping,
        limits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Mode;

    #[test]
    fn options_survive_the_round_trip() {
        let options = Options {
            mode: Mode::Auto,
            domains: ValidatedDomains::parse(["example.com", "bücher.example"]).unwrap(),
            exact_domains: true,
            mapping: Some(vec![Some(Field::Email), None, Some(Field::Country)]),
            limits: Limits {
                max_file_bytes: 1 << 40,
                max_rows: 7,
                max_field_chars: 300,
            },
            sheet: Some("Équipe".into()),
            key_seed: u64::MAX - 5,
        };
        let back = decode_options(&encode_options(&options)).unwrap();
        assert_eq!(
            (
                back.mode,
                back.exact_domains,
                &back.mapping,
                back.limits,
                &back.sheet,
                back.key_seed
            ),
            (
                options.mode,
                true,
                &options.mapping,
                options.limits,
                &options.sheet,
                u64::MAX - 5
            )
        );
        assert_eq!(
            back.domains.iter().collect::<Vec<_>>(),
            options.domains.iter().collect::<Vec<_>>()
        );
        let plain = decode_options(&encode_options(&Options::default())).unwrap();
        assert!(plain.domains.is_empty() && plain.mapping.is_none() && plain.sheet.is_none());
    }
}
