//! The CSV template offered to users.

/// The roster template: the header line (Csr may be left empty per row).
pub const TEMPLATE_CSV: &str = "First Name,Last Name,Email,Country,Csr\r\n";

/// Suggested file name for the template download.
pub const TEMPLATE_FILE_NAME: &str = "smime-bulk-roster-template.csv";
