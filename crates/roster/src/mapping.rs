//! Maps the file's headers to the roster's fields.
//!
//! Matching ignores case, spaces, `_`, `-` and punctuation, and knows the usual
//! synonyms (`Given Name`, `Surname`, `E-mail Address`, `Country Code`, …).

use crate::finding::{Code, Finding};
use serde::Serialize;
use std::fmt;

/// A field of the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Given name(s).
    FirstName,
    /// Surname; a person with a single legal name has it here.
    LastName,
    /// The mailbox the certificate is for.
    Email,
    /// ISO 3166-1 alpha-2 country code.
    Country,
    /// Optional PKCS#10 certificate signing request.
    Csr,
}

impl Field {
    /// All fields, in template order.
    pub const ALL: [Field; 5] = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Country,
        Field::Csr,
    ];

    /// The header used in our template, e.g. `"First Name"`.
    pub fn label(self) -> &'static str {
        match self {
            Field::FirstName => "First Name",
            Field::LastName => "Last Name",
            Field::Email => "Email",
            Field::Country => "Country",
            Field::Csr => "Csr",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The field a header stands for, if any.
    ///
    /// ```
    /// use smime_bulk_roster::mapping::Field;
    /// assert_eq!(Field::from_header(" E-Mail_Address "), Some(Field::Email));
    /// assert_eq!(Field::from_header("Surname"), Some(Field::LastName));
    /// assert_eq!(Field::from_header("Department"), None);
    /// ```
    pub fn from_header(header: &str) -> Option<Field> {
        let key: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "firstname" | "givenname" | "forename" | "first" => Field::FirstName,
            "lastname" | "surname" | "familyname" | "sn" | "last" => Field::LastName,
            "email" | "emailaddress" | "mail" => Field::Email,
            "country" | "countrycode" | "c" | "countryname" => Field::Country,
            "csr" | "certificatesigningrequest" => Field::Csr,
            _ => return None,
        })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which column (by index) holds each field, with the header as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    columns: [Option<(usize, String)>; 5],
}

impl Mapping {
    /// The column index of `field`, if it has one.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns[field.index()].as_ref().map(|(i, _)| *i)
    }

    /// The header of `field`'s column as written in the file.
    pub fn header(&self, field: Field) -> Option<&str> {
        self.columns[field.index()].as_ref().map(|(_, h)| h.as_str())
    }

    /// Assigns `field` to column `index` titled `header`.
    pub fn set(&mut self, field: Field, index: usize, header: impl Into<String>) {
        self.columns[field.index()] = Some((index, header.into()));
    }

    /// Whether `field` has a column.
    pub fn has(&self, field: Field) -> bool {
        self.columns[field.index()].is_some()
    }
}

impl Serialize for Mapping {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(Field::ALL.len()))?;
        for field in Field::ALL {
            let key = serde_json_key(field);
            map.serialize_entry(key, &self.header(field))?;
        }
        map.end()
    }
}

fn serde_json_key(field: Field) -> &'static str {
    match field {
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::Email => "email",
        Field::Country => "country",
        Field::Csr => "csr",
    }
}

/// Maps `headers` (the header record, trimmed) on line `line`. Returns the
/// mapping and the header findings: `duplicate_column` and `missing_column`
/// (errors that make the file unusable), `column_absent` and `column_ignored`
/// (warnings).
pub fn map_headers(headers: &[String], line: u32) -> (Mapping, Vec<Finding>) {
    let fields: Vec<Option<Field>> = headers.iter().map(|h| Field::from_header(h)).collect();
    assign(headers, &fields, line, true)
}

/// Maps columns as the user chose (`chosen[i]` is column `i`'s field, if any),
/// with the same findings as [`map_headers`], except that columns left
/// unmapped on purpose get no warning.
pub fn map_chosen(headers: &[String], chosen: &[Option<Field>], line: u32) -> (Mapping, Vec<Finding>) {
    let fields: Vec<Option<Field>> = (0..headers.len()).map(|i| chosen.get(i).copied().flatten()).collect();
    assign(headers, &fields, line, false)
}

fn assign(headers: &[String], fields: &[Option<Field>], line: u32, warn_ignored: bool) -> (Mapping, Vec<Finding>) {
    let mut mapping = Mapping::default();
    let mut findings = Vec::new();
    for (index, (header, field)) in headers.iter().zip(fields).enumerate() {
        match field {
            Some(field) => match mapping.header(*field) {
                Some(first) => findings.push(
                    Finding::file(
                        Code::DuplicateColumn,
                        format!(
                            "Columns \"{first}\" and \"{header}\" both hold {field}. Delete or rename one of \
                             them so that each field has exactly one column."
                        ),
                    )
                    .at_line(line)
                    .in_column(Some(header)),
                ),
                None => mapping.set(*field, index, header.clone()),
            },
            None if warn_ignored => {
                let message = if header.is_empty() {
                    format!(
                        "Column {} has no header; its values are ignored. Give it one of the headers \
                         First Name, Last Name, Email, Country, Csr if it holds one of those.",
                        index + 1
                    )
                } else {
                    format!(
                        "Column \"{header}\" is not one of First Name, Last Name, Email, Country, Csr; its \
                         values are ignored. Rename it if it holds one of those."
                    )
                };
                findings.push(
                    Finding::file(Code::ColumnIgnored, message)
                        .at_line(line)
                        .in_column(Some(header)),
                );
            }
            None => {}
        }
    }
    if !mapping.has(Field::Email) {
        let seen = headers
            .iter()
            .map(|h| format!("\"{h}\""))
            .collect::<Vec<_>>()
            .join(", ");
        findings.push(Finding::file(
            Code::MissingColumn,
            format!(
                "No Email column: the header line (line {line}) has {seen}. Add a column headed \"Email\" \
                 with one address per row, or load the file as a list of addresses."
            ),
        ));
    } else {
        for field in [Field::FirstName, Field::LastName, Field::Country] {
            if !mapping.has(field) {
                findings.push(
                    Finding::file(
                        Code::ColumnAbsent,
                        format!(
                            "No {field} column: rows are read without it and the CA will collect each \
                             person's {} during validation. Add a \"{field}\" column to provide it now.",
                            field.label().to_lowercase()
                        ),
                    )
                    .at_line(line),
                );
            }
        }
    }
    (mapping, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn synonyms_map_in_any_order() {
        let (m, f) = map_headers(
            &h(&[
                "E-mail Address",
                "SURNAME",
                "given_name",
                "Country Code",
                "Certificate Signing Request",
            ]),
            1,
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(m.column(Field::Email), Some(0));
        assert_eq!(m.column(Field::LastName), Some(1));
        assert_eq!(m.column(Field::FirstName), Some(2));
        assert_eq!(m.column(Field::Country), Some(3));
        assert_eq!(m.column(Field::Csr), Some(4));
        assert_eq!(m.header(Field::LastName), Some("SURNAME"));
    }

    #[test]
    fn every_listed_synonym_is_known() {
        for (header, field) in [
            ("first name", Field::FirstName),
            ("firstname", Field::FirstName),
            ("Given Name", Field::FirstName),
            ("givenname", Field::FirstName),
            ("Forename", Field::FirstName),
            ("last name", Field::LastName),
            ("lastname", Field::LastName),
            ("surname", Field::LastName),
            ("Family Name", Field::LastName),
            ("sn", Field::LastName),
            ("email", Field::Email),
            ("e-mail", Field::Email),
            ("Email Address", Field::Email),
            ("E-mail address", Field::Email),
            ("mail", Field::Email),
            ("Country", Field::Country),
            ("country code", Field::Country),
            ("C", Field::Country),
            ("CountryName", Field::Country),
            ("CSR", Field::Csr),
            ("certificate signing request", Field::Csr),
        ] {
            assert_eq!(Field::from_header(header), Some(field), "{header}");
        }
    }

    #[test]
    fn two_headers_for_one_field_is_duplicate_column() {
        let (_, f) = map_headers(&h(&["Email", "Last Name", "E-mail"]), 1);
        assert!(f
            .iter()
            .any(|f| f.code == Code::DuplicateColumn && f.column.as_deref() == Some("E-mail")));
    }

    #[test]
    fn no_email_column_is_missing_column() {
        let (_, f) = map_headers(&h(&["First Name", "Last Name"]), 1);
        assert_eq!(f.iter().filter(|f| f.code == Code::MissingColumn).count(), 1);
    }

    #[test]
    fn email_only_header_warns_for_each_absent_column() {
        let (_, f) = map_headers(&h(&["Email"]), 1);
        let absent: Vec<_> = f.iter().filter(|f| f.code == Code::ColumnAbsent).collect();
        assert_eq!(absent.len(), 3);
        assert!(f.iter().all(|f| !f.is_error()));
    }

    #[test]
    fn a_chosen_mapping_replaces_the_automatic_one() {
        let headers = h(&["Mail 1", "Mail 2", "Nom", "Pays"]);
        let chosen = [None, Some(Field::Email), Some(Field::LastName), Some(Field::Country)];
        let (m, f) = map_chosen(&headers, &chosen, 1);
        assert_eq!(m.column(Field::Email), Some(1));
        assert_eq!(m.header(Field::Email), Some("Mail 2"));
        assert_eq!(m.column(Field::Country), Some(3));
        assert!(f.iter().all(|f| f.code == Code::ColumnAbsent), "{f:?}");
        let (_, f) = map_chosen(&headers, &[Some(Field::Email), Some(Field::Email)], 1);
        assert!(f.iter().any(|f| f.code == Code::DuplicateColumn));
    }

    #[test]
    fn unknown_columns_are_ignored_with_a_warning() {
        let (_, f) = map_headers(&h(&["Email", "Department", "Last Name", "First Name", "Country"]), 1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, Code::ColumnIgnored);
        assert_eq!(f[0].column.as_deref(), Some("Department"));
    }
}
