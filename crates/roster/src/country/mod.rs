//! Country codes: ISO 3166-1 alpha-2, plus `XX`, which the S/MIME Baseline
//! Requirements allow when no country applies (7.1.4.2.2 (n)).

mod table;

use table::{CODES, NAMES};

/// The outcome of checking a Country cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryCheck {
    /// An upper-case alpha-2 code (or `XX`).
    Valid,
    /// A valid code written in lower case; the upper-case code to use.
    Lowercase(String),
    /// Not a code; the alpha-2 code meant, when clear.
    Invalid(Option<&'static str>),
}

/// Whether `code` is an upper-case ISO 3166-1 alpha-2 code or `XX`.
///
/// ```
/// use smime_bulk_roster::country::is_alpha2;
/// assert!(is_alpha2("GB") && is_alpha2("XX"));
/// assert!(!is_alpha2("UK") && !is_alpha2("gb"));
/// ```
pub fn is_alpha2(code: &str) -> bool {
    match code.as_bytes() {
        &[a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
            let i = (a - b'A') as usize * 26 + (b - b'A') as usize;
            ALPHA2[i / 64] & (1 << (i % 64)) != 0
        }
        _ => false,
    }
}

/// Every pair of capital letters, one bit each (26 × 26 = 676 bits): set for
/// the codes of [`CODES`] and for `XX`. Built at compile time from the table.
const ALPHA2: [u64; 11] = {
    const fn set(mut bits: [u64; 11], code: &str) -> [u64; 11] {
        let b = code.as_bytes();
        let i = (b[0] - b'A') as usize * 26 + (b[1] - b'A') as usize;
        bits[i / 64] |= 1 << (i % 64);
        bits
    }
    let mut bits = set([0u64; 11], "XX");
    let mut k = 0;
    while k < CODES.len() {
        bits = set(bits, CODES[k].0);
        k += 1;
    }
    bits
};

/// Checks a (trimmed, non-empty) Country cell.
///
/// ```
/// use smime_bulk_roster::country::{check, CountryCheck};
/// assert_eq!(check("UK"), CountryCheck::Invalid(Some("GB")));
/// assert_eq!(check("deu"), CountryCheck::Invalid(Some("DE")));
/// assert_eq!(check("United States"), CountryCheck::Invalid(Some("US")));
/// assert_eq!(check("fr"), CountryCheck::Lowercase("FR".into()));
/// ```
pub fn check(value: &str) -> CountryCheck {
    if is_alpha2(value) {
        return CountryCheck::Valid;
    }
    let upper = value.to_ascii_uppercase();
    if value.len() == 2 && is_alpha2(&upper) {
        return CountryCheck::Lowercase(upper);
    }
    CountryCheck::Invalid(suggest(value))
}

/// The alpha-2 code meant by an alpha-3 code or an English name, if clear.
fn suggest(value: &str) -> Option<&'static str> {
    let key: String = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if let Ok(i) = NAMES.binary_search_by(|(k, _)| (*k).cmp(key.as_str())) {
        return Some(NAMES[i].1);
    }
    if key.len() == 3 && key.is_ascii() {
        let upper = key.to_ascii_uppercase();
        return CODES.iter().find(|(_, a3)| *a3 == upper).map(|(a2, _)| *a2);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bitmap_holds_exactly_the_table_and_xx() {
        let mut n = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap();
                let listed = code == "XX" || CODES.iter().any(|(a2, _)| *a2 == code);
                assert_eq!(is_alpha2(&code), listed, "{code}");
                n += usize::from(listed);
            }
        }
        assert_eq!(n, 250);
    }

    #[test]
    fn the_table_is_sorted_for_binary_search() {
        assert!(CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(CODES.len(), 249);
    }

    #[test]
    fn all_current_codes_are_valid() {
        for code in ["AD", "AE", "DE", "FR", "GB", "US", "ZW", "SS", "XX", "CW", "BQ"] {
            assert_eq!(check(code), CountryCheck::Valid, "{code}");
        }
    }

    #[test]
    fn usual_mistakes_get_the_code_meant() {
        for (bad, good) in [
            ("UK", "GB"),
            ("USA", "US"),
            ("U.S.", "US"),
            ("U.S.A.", "US"),
            ("United States", "US"),
            ("united kingdom", "GB"),
            ("Germany", "DE"),
            ("FRA", "FR"),
            ("che", "CH"),
            ("Korea, Republic of", "KR"),
            ("Türkiye", "TR"),
        ] {
            assert_eq!(check(bad), CountryCheck::Invalid(Some(good)), "{bad}");
        }
    }

    #[test]
    fn unknown_values_get_no_suggestion() {
        for bad in ["ZZ", "Atlantis", "12", "E", "EU"] {
            assert_eq!(check(bad), CountryCheck::Invalid(None), "{bad}");
        }
    }

    #[test]
    fn lower_case_codes_are_accepted_upper_cased() {
        assert_eq!(check("gb"), CountryCheck::Lowercase("GB".into()));
        assert_eq!(check("De"), CountryCheck::Lowercase("DE".into()));
    }
}
