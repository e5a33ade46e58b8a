//! Findings: the problems the engine reports, each with a stable code.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// How serious a finding is. A row with an [`Severity::Error`] is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row (or the file) cannot be ordered as it is.
    Error,
    /// Worth a look, but the row can be ordered.
    Warning,
}

/// Declares [`Code`], [`Code::ALL`] and [`Code::as_str`] from one list, so
/// that no code is missing from either: a code's place in the list is its
/// place in `ALL`, its order (`Ord`) and its number in the wire format.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $code:ident = $text:literal,)*) => {
        /// The stable identifier of a kind of finding. Its snake_case text (see
        /// [`Code::as_str`]) is part of the public contract: the CLI's JSON, the
        /// error report and the UI filters all use it, so a code is never renamed.
        /// A new code goes at the end of the list: no code's place changes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Code {
            $($(#[doc = $doc])* $code,)*
        }

        impl Code {
            /// Every code, in a stable order (file-level first, then row-level,
            /// then any added since), the order they are declared in.
            pub const ALL: [Code; [$($text),*].len()] = [$(Code::$code),*];

            /// The stable snake_case text of the code, e.g. `"country_invalid"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => $text,)*
                }
            }
        }
    };
}

codes! {
    // File-level
    /// The bytes are not text (a binary file, a workbook, an image…).
    NotText = "not_text",
    /// Zero bytes, or only white space and a byte-order mark.
    EmptyFile = "empty_file",
    /// A header but not a single data row.
    NoRows = "no_rows",
    /// No column maps to Email.
    MissingColumn = "missing_column",
    /// Two headers map to the same field.
    DuplicateColumn = "duplicate_column",
    /// A field other than Email has no column; the CA collects it later.
    ColumnAbsent = "column_absent",
    /// A column that maps to no field; its values are not used.
    ColumnIgnored = "column_ignored",
    // Row-level
    /// The record has more or fewer fields than the header.
    RaggedRow = "ragged_row",
    /// The Email cell is empty.
    EmailMissing = "email_missing",
    /// The Email cell is not a valid address.
    EmailInvalid = "email_invalid",
    /// The address's domain is not covered by a pre-validated domain.
    DomainNotValidated = "domain_not_validated",
    /// The same address appears on an earlier line.
    DuplicateEmail = "duplicate_email",
    /// The Last Name cell is empty.
    LastNameMissing = "last_name_missing",
    /// The First Name cell is empty (allowed: single legal name).
    FirstNameMissing = "first_name_missing",
    /// A name is longer than 64 characters.
    NameTooLong = "name_too_long",
    /// A name holds control characters or line breaks.
    NameInvalid = "name_invalid",
    /// The Country cell is empty.
    CountryMissing = "country_missing",
    /// The Country cell is not an ISO 3166-1 alpha-2 code.
    CountryInvalid = "country_invalid",
    /// A lower-case country code, accepted and upper-cased.
    CountryLowercase = "country_lowercase",
    /// The CSR cannot be read as a PKCS#10 request.
    CsrInvalid = "csr_invalid",
    /// The CSR's self-signature does not verify.
    CsrSignatureInvalid = "csr_signature_invalid",
    /// The CSR's signature uses an algorithm this engine cannot check.
    CsrSignatureUnverified = "csr_signature_unverified",
    /// An RSA key shorter than 2048 bits.
    CsrWeakKey = "csr_weak_key",
    /// A key type, curve or parameter the S/MIME BR do not allow.
    CsrKeyUnsupported = "csr_key_unsupported",
    /// The CSR names an email address other than the row's.
    CsrEmailMismatch = "csr_email_mismatch",
    /// The CSR was edited and its check has not come back yet.
    CsrPending = "csr_pending",
    /// A cell starts with a character a spreadsheet runs as a formula.
    FormulaInjection = "formula_injection",
    // Added since: file-level, then row-level.
    /// Text in a known encoding with bytes that break it (UTF-8 with a few
    /// invalid bytes, UTF-16 with half a character or without its BOM).
    EncodingInvalid = "encoding_invalid",
    /// The file is larger than the file-size limit.
    FileTooLarge = "file_too_large",
    /// The roster has more rows than the row limit.
    TooManyRows = "too_many_rows",
    /// A mapped cell is longer than the field-length limit.
    FieldTooLong = "field_too_long",
    /// A workbook that is damaged, or a zip that is no spreadsheet.
    WorkbookUnreadable = "workbook_unreadable",
    /// A workbook saved with a password to open it.
    WorkbookPasswordProtected = "workbook_password_protected",
    /// A workbook whose parts would unpack beyond the limits (a zip bomb),
    /// or whose cells reach beyond the rows and columns a roster may use.
    WorkbookTooLarge = "workbook_too_large",
    /// The sheet asked for is not in the workbook.
    SheetNotFound = "sheet_not_found",
    /// The workbook holds macros; they were ignored, never run.
    MacrosIgnored = "macros_ignored",
}

impl Code {
    /// The severity every finding of this code has.
    pub fn severity(self) -> Severity {
        match self {
            Code::ColumnAbsent
            | Code::ColumnIgnored
            | Code::FirstNameMissing
            | Code::CountryLowercase
            | Code::CsrSignatureUnverified
            | Code::CsrEmailMismatch
            | Code::FormulaInjection
            | Code::MacrosIgnored => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Whether an error of this code makes the whole file unusable (CLI exit 2).
    pub fn is_file_level(self) -> bool {
        matches!(
            self,
            Code::NotText
                | Code::EmptyFile
                | Code::NoRows
                | Code::MissingColumn
                | Code::DuplicateColumn
                | Code::EncodingInvalid
                | Code::FileTooLarge
                | Code::TooManyRows
                | Code::WorkbookUnreadable
                | Code::WorkbookPasswordProtected
                | Code::WorkbookTooLarge
                | Code::SheetNotFound
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, located in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// 1-based physical line where the record starts; `None` for the file as a whole.
    pub line: Option<u32>,
    /// The column's header as written in the file, if the finding is about one cell.
    pub column: Option<String>,
    /// What kind of problem this is.
    pub code: Code,
    /// Always `code.severity()`; carried for consumers of the JSON.
    pub severity: Severity,
    /// What is wrong, where, and how to fix it, in words for the administrator.
    pub message: String,
    /// The corrected value, when one is clear.
    pub suggestion: Option<String>,
    /// Index of the row in [`crate::Report::rows`] this finding belongs to, if any.
    #[serde(skip)]
    pub row: Option<usize>,
    /// The field of the cell concerned, if the finding is about one cell.
    #[serde(skip)]
    pub field: Option<crate::mapping::Field>,
}

impl Finding {
    /// A finding about the file as a whole (no line, no row).
    pub fn file(code: Code, message: impl Into<String>) -> Self {
        Finding {
            line: None,
            column: None,
            code,
            severity: code.severity(),
            message: message.into(),
            suggestion: None,
            row: None,
            field: None,
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the column header.
    pub fn in_column(mut self, column: Option<&str>) -> Self {
        self.column = column.map(str::to_owned);
        self
    }

    /// Sets the suggested value.
    pub fn suggest(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// Whether this finding is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A finding as a check makes it, borrowing what it can: the column's header
/// and a message that is the same for many rows. See [`FindingSink`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingParts<'a> {
    /// As [`Finding::line`].
    pub line: Option<u32>,
    /// As [`Finding::column`].
    pub column: Option<&'a str>,
    /// As [`Finding::code`]; the severity is always the code's.
    pub code: Code,
    /// As [`Finding::message`].
    pub message: Cow<'a, str>,
    /// As [`Finding::suggestion`].
    pub suggestion: Option<String>,
    /// As [`Finding::row`].
    pub row: Option<usize>,
    /// As [`Finding::field`].
    pub field: Option<crate::mapping::Field>,
}

impl<'a> FindingParts<'a> {
    /// The parts of `finding`, borrowed.
    pub fn of(finding: &'a Finding) -> Self {
        FindingParts {
            line: finding.line,
            column: finding.column.as_deref(),
            code: finding.code,
            message: Cow::Borrowed(&finding.message),
            suggestion: finding.suggestion.clone(),
            row: finding.row,
            field: finding.field,
        }
    }

    /// The finding, owning its parts.
    pub fn into_finding(self) -> Finding {
        Finding {
            line: self.line,
            column: self.column.map(str::to_owned),
            code: self.code,
            severity: self.code.severity(),
            message: self.message.into_owned(),
            suggestion: self.suggestion,
            row: self.row,
            field: self.field,
        }
    }
}

/// The JSON of the finding the parts make, without making it: the same
/// keys and values as [`Finding`]'s.
impl Serialize for FindingParts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut f = s.serialize_struct("Finding", 6)?;
        f.serialize_field("line", &self.line)?;
        f.serialize_field("column", &self.column)?;
        f.serialize_field("code", &self.code)?;
        f.serialize_field("severity", &self.code.severity())?;
        f.serialize_field("message", &self.message)?;
        f.serialize_field("suggestion", &self.suggestion)?;
        f.end()
    }
}

/// Where the findings of rows go as they are checked, in order: a list of
/// [`Finding`]s, or (in the engine worker) the encoded report itself, which
/// needs no `Finding` made and dropped for each.
pub trait FindingSink {
    /// Adds a finding after those added before.
    fn add(&mut self, finding: FindingParts<'_>);
}

impl FindingSink for Vec<Finding> {
    fn add(&mut self, finding: FindingParts<'_>) {
        self.push(finding.into_finding());
    }
}
