//! Email address syntax and normalisation.
//!
//! The rule is the S/MIME Baseline Requirements' Mailbox Address (RFC 5321
//! §4.1.2 `Mailbox`, with RFC 6532's internationalised domains) where it is
//! stricter than the HTML standard's "valid e-mail address", and the HTML
//! rule where that is the stricter one, so that an address the page accepts
//! is one every mail system and the CA accept:
//!
//! - the local part is a `Dot-string`: atoms of the HTML rule's characters
//!   joined by single dots — no leading, trailing or consecutive dot;
//! - a `Quoted-string` local part (`"jane doe"@example.com`), which RFC 5321
//!   allows, is refused, as the HTML rule refuses it: CAs and mail systems
//!   treat it unevenly and a roster address never needs it (the message says
//!   so);
//! - the domain is a fully-qualified name of at least two labels, each 1–63
//!   letters, digits or hyphens, not starting or ending with a hyphen, at most
//!   253 characters in all with no trailing dot; an address literal
//!   (`[192.0.2.1]`) is refused;
//! - the local part is at most 64 characters and the address at most 254.
//!
//! Internationalised domains are converted to A-labels (`xn--…`) before they
//! are checked or compared; characters that are invisible or reorder text
//! (zero-width, bidirectional controls, byte-order marks) are refused first,
//! by name and position, since the IDNA mapping would drop some of them
//! silently and the address as written would reach the CA.

use crate::finding::Code;
use crate::invisible;
use std::borrow::Cow;
use std::fmt;

/// An address that passed the syntax check, in the form used for comparisons.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// The local part, as written.
    pub local: String,
    /// The domain in lower-case A-label form.
    pub domain: String,
}

impl Address {
    /// The key under which two addresses are the same mailbox for us: the
    /// whole address in lower case, domain in A-labels.
    pub fn key(&self) -> String {
        key_of(&self.local, &self.domain)
    }
}

/// An [`Address`] borrowed from the text it was read from: the checker's
/// form, which allocates only for a domain that needs changing (upper case,
/// Unicode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRef<'a> {
    /// The local part, as written.
    pub local: &'a str,
    /// The domain in lower-case A-label form.
    pub domain: Cow<'a, str>,
}

impl AddressRef<'_> {
    /// See [`Address::key`].
    pub fn key(&self) -> String {
        key_of(self.local, &self.domain)
    }

    /// Appends [`AddressRef::key`] to `out`, without a string of its own.
    pub fn write_key(&self, out: &mut String) {
        let start = out.len();
        out.push_str(self.local);
        out[start..].make_ascii_lowercase();
        out.push('@');
        out.push_str(&self.domain);
    }

    /// The owned form.
    pub fn to_owned(&self) -> Address {
        Address {
            local: self.local.to_owned(),
            domain: self.domain.clone().into_owned(),
        }
    }
}

/// The local part is ASCII (see [`is_local_char`]), so lower-casing it is
/// ASCII lower-casing.
fn key_of(local: &str, domain: &str) -> String {
    let mut key = String::with_capacity(local.len() + 1 + domain.len());
    key.push_str(local);
    key.make_ascii_lowercase();
    key.push('@');
    key.push_str(domain);
    key
}

/// Why an address is not valid, in words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailError {
    /// What is wrong with it.
    pub reason: String,
    /// A corrected address, when one is clear.
    pub suggestion: Option<String>,
}

impl EmailError {
    /// The finding code a row with this address gets: always
    /// [`Code::EmailInvalid`] (the reason says what is wrong).
    ///
    /// ```
    /// use smime_bulk_roster::{email::parse_address, Code};
    /// let e = parse_address("jane.example.com").unwrap_err();
    /// assert_eq!(e.code(), Code::EmailInvalid);
    /// assert_eq!(e.to_string(), "email_invalid: not a valid address: it has no \"@\"");
    /// ```
    pub fn code(&self) -> Code {
        Code::EmailInvalid
    }
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: not a valid address: {}", self.code(), self.reason)?;
        match &self.suggestion {
            Some(s) => write!(f, " (did you mean \"{s}\"?)"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for EmailError {}

const MAX_LOCAL: usize = 64;
const MAX_DOMAIN: usize = 253;
const MAX_ADDRESS: usize = 254;
const MAX_LABEL: usize = 63;

/// How messages name the rule a local part's dots break.
const MAILBOX_RULE: &str = "the S/MIME BR Mailbox Address, RFC 5321 §4.1.2";

/// What keeps a local part of [`is_local_char`]s from being an RFC 5321
/// `Dot-string`, if anything: a dot at its start or end, or two in a row.
fn dot_string_problem(local: &str) -> Option<&'static str> {
    if local.starts_with('.') {
        Some("starts with a dot")
    } else if local.ends_with('.') {
        Some("ends with a dot")
    } else if local.contains("..") {
        Some("has two dots in a row")
    } else {
        None
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c)
}

/// Parses and normalises an address.
///
/// ```
/// use smime_bulk_roster::email::parse_address;
/// let a = parse_address("Jane.Doe@Bücher.example").unwrap();
/// assert_eq!(a.domain, "xn--bcher-kva.example");
/// assert!(parse_address("jane@localhost").is_err());
/// ```
pub fn parse_address(raw: &str) -> Result<Address, EmailError> {
    parse_address_ref(raw).map(|a| a.to_owned())
}

/// [`parse_address`] without copying what is already in normal form.
pub fn parse_address_ref(raw: &str) -> Result<AddressRef<'_>, EmailError> {
    plain_address(raw).map_or_else(|| parse_unplain_address(raw), Ok)
}

/// [`parse_address_ref`] for an address [`plain_address`] did not take.
pub(crate) fn parse_unplain_address(raw: &str) -> Result<AddressRef<'_>, EmailError> {
    let fail = |reason: String| EmailError {
        reason,
        suggestion: suggest(raw),
    };
    let Some((local, domain)) = raw.rsplit_once('@') else {
        return Err(fail("it has no \"@\"".into()));
    };
    if local.is_empty() {
        return Err(fail("nothing comes before the \"@\"".into()));
    }
    if local.contains('@') {
        return Err(fail("it has more than one \"@\"".into()));
    }
    if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        return Err(fail(format!(
            "the part before \"@\" is in quotes; {MAILBOX_RULE} allows a quoted local part, but it is refused here, as \
             the HTML rule refuses it, because CAs and mail systems treat it unevenly: use an address without quotes"
        )));
    }
    if let Some((at, c)) = local.chars().enumerate().find(|&(_, c)| !is_local_char(c)) {
        return Err(fail(format!(
            "the part before \"@\" contains {} at character {}",
            describe_char(c),
            at + 1
        )));
    }
    if let Some(problem) = dot_string_problem(local) {
        return Err(fail(format!("the part before \"@\" {problem} ({MAILBOX_RULE})")));
    }
    // Only ASCII is left, so bytes are characters.
    if local.len() > MAX_LOCAL {
        return Err(fail(format!(
            "the part before \"@\" is longer than {MAX_LOCAL} characters"
        )));
    }
    let domain = normalized_domain(domain).map_err(fail)?;
    if local.len() + 1 + domain.len() > MAX_ADDRESS {
        return Err(fail(format!("it is longer than {MAX_ADDRESS} characters")));
    }
    Ok(AddressRef { local, domain })
}

/// What a byte may be in the common case [`plain_address`] takes.
const LOCAL: u8 = 1;
const DOMAIN: u8 = 2;

/// The class of each byte: [`LOCAL`] for the local part's characters (see
/// [`is_local_char`]), [`DOMAIN`] for a lower-case domain's.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            class[b] |= LOCAL;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.' {
            class[b] |= DOMAIN;
        }
        b += 1;
    }
    let specials = b".!#$%&'*+/=?^_`{|}~-";
    let mut i = 0;
    while i < specials.len() {
        class[specials[i] as usize] |= LOCAL;
        i += 1;
    }
    class
};

/// The address in one pass over its bytes when it is plain — ASCII, its
/// domain already in lower case, valid — which nearly every roster address
/// is; `None` sends anything else (upper case, Unicode, an error to explain)
/// the long way. It never accepts what the long way rejects.
#[inline]
pub(crate) fn plain_address(raw: &str) -> Option<AddressRef<'_>> {
    let bytes = raw.as_bytes();
    let at = bytes.iter().position(|&b| CLASS[b as usize] & LOCAL == 0)?;
    if at == 0 || at > MAX_LOCAL || bytes[at] != b'@' {
        return None;
    }
    let local = &bytes[..at];
    if local[0] == b'.' || local[at - 1] == b'.' || local.windows(2).any(|w| w == b"..") {
        return None;
    }
    let domain = &bytes[at + 1..];
    if domain.is_empty() || domain.len() > MAX_DOMAIN || bytes.len() > MAX_ADDRESS {
        return None;
    }
    let (mut label_start, mut dots) = (0, 0);
    for (i, &b) in domain.iter().enumerate() {
        if CLASS[b as usize] & DOMAIN == 0 {
            return None;
        }
        if b == b'.' {
            if !plain_label(&domain[label_start..i]) {
                return None;
            }
            label_start = i + 1;
            dots += 1;
        }
    }
    if dots == 0 || !plain_label(&domain[label_start..]) {
        return None;
    }
    Some(AddressRef {
        local: &raw[..at],
        domain: Cow::Borrowed(&raw[at + 1..]),
    })
}

/// A label of 1–63 bytes, not starting or ending with a hyphen (its bytes
/// are already known to be letters, digits or hyphens).
fn plain_label(label: &[u8]) -> bool {
    matches!(label, [first, .., last] if *first != b'-' && *last != b'-' && label.len() <= MAX_LABEL)
        || matches!(label, [only] if *only != b'-')
}

/// Checks a domain name and returns it in lower-case A-label form.
///
/// ```
/// use smime_bulk_roster::email::normalize_domain;
/// assert_eq!(normalize_domain("Example.COM").unwrap(), "example.com");
/// assert!(normalize_domain("example").is_err());
/// ```
pub fn normalize_domain(domain: &str) -> Result<String, String> {
    normalized_domain(domain).map(Cow::into_owned)
}

/// [`normalize_domain`], borrowing a domain already in normal form.
fn normalized_domain(domain: &str) -> Result<Cow<'_, str>, String> {
    normalized_domain_with(domain, idn_to_ascii)
}

/// [`normalize_domain`] with the IDNA conversion given: the browser's URL
/// parser and Rust's `idna` must give the same answers (a wasm test holds
/// them to it). Invisible characters are refused before either sees them.
///
/// ```
/// use smime_bulk_roster::email::normalize_domain_with;
/// let e = normalize_domain_with("exa\u{200B}mple.com", |_| None).unwrap_err();
/// assert_eq!(e, "the domain contains U+200B ZERO WIDTH SPACE at character 4, which cannot be seen; retype the domain");
/// ```
pub fn normalize_domain_with(domain: &str, to_ascii: IdnToAscii) -> Result<String, String> {
    normalized_domain_with(domain, to_ascii).map(Cow::into_owned)
}

fn normalized_domain_with(domain: &str, to_ascii: IdnToAscii) -> Result<Cow<'_, str>, String> {
    if domain.is_empty() {
        return Err("nothing comes after the \"@\"".into());
    }
    if domain.ends_with('.') {
        return Err("the domain ends with a dot".into());
    }
    if !domain.is_ascii() {
        if let Some((at, c)) = invisible::find(domain) {
            return Err(format!(
                "the domain contains {} at character {at}, which cannot be seen; retype the domain",
                describe_char(c)
            ));
        }
        // What no domain holds is refused here, in the same words whichever
        // conversion would have come next (the browser's refuses a ":" or a
        // "/" itself, Rust's passes it on to the label check).
        let foreign = |c: char| {
            c.is_whitespace()
                || c.is_control()
                || (c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.')))
        };
        if let Some(c) = domain.chars().find(|&c| foreign(c)) {
            return Err(format!("the domain contains {}", describe_char(c)));
        }
    }
    let ascii: Cow<'_, str> = if !domain.is_ascii() {
        Cow::Owned(
            to_ascii(domain)
                .ok_or_else(|| format!("the domain \"{domain}\" is not a valid internationalised domain name"))?,
        )
    } else if domain.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(domain.to_ascii_lowercase())
    } else {
        Cow::Borrowed(domain)
    };
    if ascii.len() > MAX_DOMAIN {
        return Err(format!("the domain is longer than {MAX_DOMAIN} characters"));
    }
    if !ascii.contains('.') {
        return Err(format!(
            "the domain \"{domain}\" is not fully qualified (it needs a dot, as in example.com)"
        ));
    }
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err("the domain has an empty part (two dots in a row, or a leading dot)".into());
        }
        if label.len() > MAX_LABEL {
            return Err(format!("a part of the domain is longer than {MAX_LABEL} characters"));
        }
        if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(format!("the domain contains {}", describe_char(c)));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the domain part \"{label}\" starts or ends with a hyphen"));
        }
    }
    Ok(ascii)
}

/// Converts an internationalised domain name to A-labels (UTS 46, as the
/// WHATWG URL standard does), or `None` if it is not a valid one.
pub type IdnToAscii = fn(&str) -> Option<String>;

#[cfg(not(feature = "idna"))]
static HOST_IDN: std::sync::OnceLock<IdnToAscii> = std::sync::OnceLock::new();

/// Supplies the IDNA conversion when the crate is built without its `idna`
/// feature (the web app passes the browser's URL parser). The first call
/// wins; with the feature on, this does nothing.
pub fn set_idn_to_ascii(convert: IdnToAscii) {
    #[cfg(not(feature = "idna"))]
    let _ = HOST_IDN.set(convert);
    #[cfg(feature = "idna")]
    let _ = convert;
}

fn idn_to_ascii(domain: &str) -> Option<String> {
    #[cfg(feature = "idna")]
    return idna::domain_to_ascii(domain).ok();
    #[cfg(not(feature = "idna"))]
    return HOST_IDN.get().and_then(|convert| convert(domain));
}

fn describe_char(c: char) -> String {
    if let Some(named) = invisible::describe(c) {
        return named;
    }
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("the character \"{c}\""),
    }
}

/// A corrected address for the usual slips, if the fix makes it valid:
/// `mailto:` prefixes, angle brackets, spaces, a trailing dot, doubled dots,
/// a comma for a dot in the domain.
fn suggest(raw: &str) -> Option<String> {
    let mut s: String = raw
        .trim()
        .trim_start_matches("mailto:")
        .trim_start_matches("MAILTO:")
        .to_owned();
    s = s
        .trim_matches(|c| matches!(c, '<' | '>' | '"' | '\'' | ',' | ';'))
        .to_owned();
    s.retain(|c| !c.is_whitespace());
    s = s.replace('＠', "@");
    s.retain(|c| !invisible::is_invisible(c));
    if let Some((local, domain)) = s.rsplit_once('@') {
        let mut local = local.to_owned();
        while local.contains("..") {
            local = local.replace("..", ".");
        }
        let local = local.trim_matches('.');
        let mut domain = domain.replace(',', ".");
        while domain.contains("..") {
            domain = domain.replace("..", ".");
        }
        let domain = domain.trim_matches('.');
        s = format!("{local}@{domain}");
    }
    (s != raw && parse_address_strict(&s)).then_some(s)
}

/// Whether `s` is valid, without computing a suggestion (no recursion).
fn parse_address_strict(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.chars().count() <= MAX_LOCAL
        && local.chars().all(is_local_char)
        && dot_string_problem(local).is_none()
        && normalize_domain(domain).is_ok_and(|d| local.len() + 1 + d.len() <= MAX_ADDRESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// The one-pass path takes an address only when the full check
        /// accepts it with the same parts.
        #[test]
        fn the_plain_path_agrees_with_the_full_check(raw in "[a-zA-Z0-9.@+_'-]{0,12}(@[a-z0-9.-]{0,20})?|[a-z.]{60,70}@[a-z]{1,3}\\.[a-z-]{1,70}|[a-z]{1,3}@[a-z0-9-]{0,66}\\.[a-z]{2}") {
            let full = || {
                let (local, domain) = raw.rsplit_once('@')?;
                let ok = !local.is_empty() && local.len() <= MAX_LOCAL && !local.contains('@') && local.chars().all(is_local_char) && dot_string_problem(local).is_none();
                let domain = normalized_domain(domain).ok().filter(|_| ok)?;
                (local.len() + 1 + domain.len() <= MAX_ADDRESS).then_some(AddressRef { local, domain })
            };
            match plain_address(&raw) {
                Some(plain) => proptest::prop_assert_eq!(Some(plain), full(), "{}", raw),
                // Lower case ASCII the full check accepts is always plain.
                None => proptest::prop_assert!(full().is_none() || raw.bytes().any(|b| b.is_ascii_uppercase()), "{}", raw),
            }
        }
    }

    #[test]
    fn valid_addresses() {
        for a in [
            "jane@example.com",
            "Jane.Doe+smime@mail.example.co.uk",
            "o'brien@example.ie",
            "x@a.io",
            "user@xn--bcher-kva.example",
            "a!#$%&'*/=?^_`{|}~-@example.com",
        ] {
            assert!(parse_address(a).is_ok(), "{a}");
        }
    }

    #[test]
    fn invalid_addresses() {
        for a in [
            "",
            "jane",
            "@example.com",
            "jane@",
            "jane@@example.com",
            "jane@localhost",
            "jane@example.com.",
            "jane@-example.com",
            "jane@example-.com",
            "jane@exa_mple.com",
            "jane@example..com",
            "jane doe@example.com",
            "\"jane\"@example.com",
            "jane@[127.0.0.1]",
            ".jane@example.com",
            "jane.@example.com",
            "ja..ne@example.com",
            "\"jane doe\"@example.com",
            "jane@exa\u{200B}mple.com",
            "jane@\u{FEFF}example.com",
            "jane@b\u{00FC}\u{200D}cher.example",
            "ja\u{202E}ne@example.com",
        ] {
            assert!(parse_address(a).is_err(), "{a}");
        }
    }

    #[test]
    fn the_local_part_is_an_rfc_5321_dot_string_and_the_message_names_the_rule() {
        for (raw, problem) in [
            (".jane@example.com", "starts with a dot"),
            ("jane.@example.com", "ends with a dot"),
            ("jane..doe@example.com", "has two dots in a row"),
        ] {
            let e = parse_address(raw).unwrap_err();
            assert_eq!(
                e.reason,
                format!("the part before \"@\" {problem} (the S/MIME BR Mailbox Address, RFC 5321 §4.1.2)"),
                "{raw}"
            );
        }
        assert_eq!(
            parse_address("jane..doe@example.com")
                .unwrap_err()
                .suggestion
                .as_deref(),
            Some("jane.doe@example.com")
        );
        let quoted = parse_address("\"jane doe\"@example.com").unwrap_err();
        assert!(quoted.reason.contains("is in quotes"), "{}", quoted.reason);
        assert!(parse_address("jane.doe.x@example.com").is_ok());
    }

    #[test]
    fn invisible_characters_are_named_with_their_place() {
        let e = parse_address("jane@exa\u{200B}mple.com").unwrap_err();
        assert_eq!(
            e.reason,
            "the domain contains U+200B ZERO WIDTH SPACE at character 4, which cannot be seen; retype the domain"
        );
        assert_eq!(e.suggestion.as_deref(), Some("jane@example.com"));
        let e = parse_address("ja\u{202E}ne@example.com").unwrap_err();
        assert_eq!(
            e.reason,
            "the part before \"@\" contains U+202E RIGHT-TO-LEFT OVERRIDE at character 3"
        );
        // The validated domain list refuses them too.
        assert!(normalize_domain("\u{FEFF}example.com").unwrap_err().contains("U+FEFF"));
    }

    #[test]
    fn length_limits() {
        let local64 = "a".repeat(64);
        assert!(parse_address(&format!("{local64}@example.com")).is_ok());
        assert!(parse_address(&format!("a{local64}@example.com")).is_err());
        let label63 = "b".repeat(63);
        assert!(parse_address(&format!("x@{label63}.com")).is_ok());
        assert!(parse_address(&format!("x@b{label63}.com")).is_err());
        // 4 × 63 + 3 dots = 255 > 253
        let long_domain = [label63.as_str(); 4].join(".");
        assert!(normalize_domain(&long_domain).is_err());
        // A 253-character domain is fine, but the whole address must fit 254.
        let d253 = format!(
            "{}.{}.{}.{}",
            "c".repeat(63),
            "c".repeat(63),
            "c".repeat(63),
            "c".repeat(61)
        );
        assert_eq!(d253.len(), 253);
        assert!(normalize_domain(&d253).is_ok());
        assert!(parse_address(&format!("ab@{d253}")).is_err());
    }

    #[test]
    fn unicode_domains_become_a_labels_and_compare_equal() {
        let u = parse_address("Jane@BÜCHER.example").unwrap();
        let a = parse_address("jane@xn--bcher-kva.example").unwrap();
        assert_eq!(u.key(), a.key());
    }

    #[test]
    fn clear_slips_get_a_suggestion() {
        for (bad, good) in [
            ("mailto:jane@example.com", "jane@example.com"),
            ("<jane@example.com>", "jane@example.com"),
            ("jane @example.com", "jane@example.com"),
            ("jane@example.com.", "jane@example.com"),
            ("jane@example..com", "jane@example.com"),
            ("jane@example,com", "jane@example.com"),
        ] {
            assert_eq!(
                parse_address(bad).unwrap_err().suggestion.as_deref(),
                Some(good),
                "{bad}"
            );
        }
        assert_eq!(parse_address("jane").unwrap_err().suggestion, None);
    }
}
