//! Which fields a roster has and what its headers call them: what the rules
//! check, and how their messages and findings name a column.

use crate::mapping::{Field, Mapping};

/// Which fields a roster has, and what their headers say (for messages and
/// the `column` of findings). An email list has only Email, with no header.
#[derive(Debug, Clone)]
pub struct Columns {
    present: [bool; 5],
    headers: [Option<String>; 5],
}

impl Columns {
    /// Columns of a table, from its mapping.
    pub fn from_mapping(mapping: &Mapping) -> Self {
        Columns {
            present: Field::ALL.map(|f| mapping.has(f)),
            headers: Field::ALL.map(|f| mapping.header(f).map(str::to_owned)),
        }
    }

    /// Every field present, with no header (for checking one order as a CA
    /// would: messages name the fields by their usual labels).
    pub fn all() -> Self {
        Columns {
            present: [true; 5],
            headers: Default::default(),
        }
    }

    /// The one column of an email list.
    pub fn email_list() -> Self {
        Columns {
            present: Field::ALL.map(|f| f == Field::Email),
            headers: Default::default(),
        }
    }

    pub(super) fn has(&self, field: Field) -> bool {
        self.present[field as usize]
    }

    /// The header of `field`'s column as written, if it has one.
    pub fn header(&self, field: Field) -> Option<&str> {
        self.headers[field as usize].as_deref()
    }
}
