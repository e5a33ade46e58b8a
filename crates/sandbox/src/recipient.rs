//! The recipient of an order, re-validated with the roster engine as a CA
//! would (never trust the client): address syntax, a domain pre-validated for
//! the account, country, CSR and, when the order carries them, the names.
//! Each profile reports the problems under its own field names.

use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::mapping::Field;
use smime_bulk_roster::validate::{Columns, Validator};
use smime_bulk_roster::Row;

/// One recipient as received (trimmed here).
pub struct Recipient<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub country: &'a str,
    pub csr: &'a str,
}

/// Checks `r` against the account's validated `domains`; `names` says whether
/// the order names the person (the `sslcom` profile's names are optional).
/// Returns the row as accepted (the country upper-cased when a lower-case
/// code was accepted) and the error findings as (field, message); a finding
/// about no one field has none.
pub fn check(domains: &[String], r: &Recipient<'_>, names: bool) -> (Row, Vec<(Option<Field>, String)>) {
    let mut row = Row {
        line: 1,
        first_name: r.first_name.trim().to_owned(),
        last_name: r.last_name.trim().to_owned(),
        email: r.email.trim().to_owned(),
        country: r.country.trim().to_owned(),
        csr: r.csr.trim().to_owned(),
        name_hint: None,
        valid: true,
        key: 0,
    };
    let domains = ValidatedDomains::parse(domains).unwrap_or_default();
    let mut findings = Vec::new();
    Validator::new(&domains, false, Columns::all()).check(0, &mut row, &mut findings);
    let problems = findings
        .into_iter()
        .filter(|f| f.is_error())
        .filter(|f| names || !matches!(f.field, Some(Field::FirstName | Field::LastName)))
        .map(|f| (f.field, f.message))
        .collect();
    (row, problems)
}

/// Only the address and its domain (a bulk enrollment's addresses).
pub fn check_address(domains: &[String], email: &str) -> Option<String> {
    let r = Recipient {
        email,
        first_name: "",
        last_name: "",
        country: "XX",
        csr: "",
    };
    let (_, problems) = check(domains, &r, false);
    problems
        .into_iter()
        .find(|(f, _)| *f == Some(Field::Email))
        .map(|(_, message)| message)
}
