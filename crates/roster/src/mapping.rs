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
    // The columns after the first of each field, and the unmapped ones:
    // one finding for each kind, however many columns (a header of 100,000
    // columns made as many findings, 30 MB of JSON).
    let mut repeats: [Vec<&str>; 5] = Default::default();
    let mut ignored: Vec<(usize, &str)> = Vec::new();
    for (index, (header, field)) in headers.iter().zip(fields).enumerate() {
        match field {
            Some(field) if mapping.has(*field) => repeats[field.index()].push(header),
            Some(field) => mapping.set(*field, index, header.clone()),
            None if warn_ignored => ignored.push((index, header)),
            None => {}
        }
    }
    for field in Field::ALL {
        if let (Some(first), [second, ..]) = (mapping.header(field), repeats[field.index()].as_slice()) {
            findings.push(duplicate_column(field, first, &repeats[field.index()], line).in_column(Some(second)));
        }
    }
    if let Some(&(_, first)) = ignored.first() {
        findings.push(ignored_columns(&ignored, line).in_column(Some(first)));
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

/// How many names a message lists before "and N more".
const LISTED: usize = 3;

/// `"A", "B", "C" and 7 more` of `names`.
fn listed(names: impl ExactSizeIterator<Item = String>) -> String {
    let total = names.len();
    let shown: Vec<String> = names.take(LISTED).collect();
    match total.checked_sub(LISTED) {
        Some(more) if more > 0 => format!("{} and {more} more ({total} in all)", shown.join(", ")),
        _ => shown.join(", "),
    }
}

/// The `duplicate_column` finding of `field`, held first by the column
/// `first` and then by the `repeats`.
fn duplicate_column(field: Field, first: &str, repeats: &[&str], line: u32) -> Finding {
    let message = match repeats {
        [second] => format!(
            "Columns \"{first}\" and \"{second}\" both hold {field}. Delete or rename one of them so that each \
             field has exactly one column."
        ),
        _ => format!(
            "Columns \"{first}\" and {} all hold {field}. Keep one and delete or rename the others so that each \
             field has exactly one column.",
            listed(repeats.iter().map(|h| format!("\"{h}\"")))
        ),
    };
    Finding::file(Code::DuplicateColumn, message).at_line(line)
}

/// The one `column_ignored` finding of every column that maps to no field
/// (`(index, header)`).
fn ignored_columns(ignored: &[(usize, &str)], line: u32) -> Finding {
    let name = |&(index, header): &(usize, &str)| {
        if header.is_empty() {
            format!("column {} (no header)", index + 1)
        } else {
            format!("\"{header}\"")
        }
    };
    let message = match ignored {
        [(index, "")] => format!(
            "Column {} has no header; its values are ignored. Give it one of the headers \
             First Name, Last Name, Email, Country, Csr if it holds one of those.",
            index + 1
        ),
        [(_, header)] => format!(
            "Column \"{header}\" is not one of First Name, Last Name, Email, Country, Csr; its \
             values are ignored. Rename it if it holds one of those."
        ),
        _ => format!(
            "Columns {} are not one of First Name, Last Name, Email, Country, Csr; their values are ignored. \
             Rename any that holds one of those.",
            listed(ignored.iter().map(name))
        ),
    };
    Finding::file(Code::ColumnIgnored, message).at_line(line)
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
    fn a_hundred_thousand_columns_make_one_finding_of_each_kind_with_a_count() {
        let mut headers = h(&["Email", "Department"]);
        headers.extend((0..99_998).map(|i| {
            if i % 2 == 0 {
                format!("Extra {i}")
            } else {
                "E-mail".into()
            }
        }));
        let (m, f) = map_headers(&headers, 1);
        assert_eq!(m.column(Field::Email), Some(0));
        let kinds: Vec<Code> = f.iter().map(|f| f.code).collect();
        assert_eq!(
            kinds,
            [
                Code::DuplicateColumn,
                Code::ColumnIgnored,
                Code::ColumnAbsent,
                Code::ColumnAbsent,
                Code::ColumnAbsent
            ]
        );
        assert_eq!(
            f[0].message,
            "Columns \"Email\" and \"E-mail\", \"E-mail\", \"E-mail\" and 49996 more (49999 in all) all hold Email. \
             Keep one and delete or rename the others so that each field has exactly one column."
        );
        assert_eq!(f[0].column.as_deref(), Some("E-mail"));
        assert!(
            f[1].message
                .starts_with("Columns \"Department\", \"Extra 0\", \"Extra 2\" and 49997 more (50000 in all) are"),
            "{}",
            f[1].message
        );
        assert_eq!((f[1].line, f[1].column.as_deref()), (Some(1), Some("Department")));
    }

    #[test]
    fn unknown_columns_are_ignored_with_a_warning() {
        let (_, f) = map_headers(&h(&["Email", "Department", "Last Name", "First Name", "Country"]), 1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, Code::ColumnIgnored);
        assert_eq!(f[0].column.as_deref(), Some("Department"));
    }
}
