//! The batch journal: the batch spec, then one line per row transition (JSON
//! Lines). Replaying it gives every row's last state, so a batch resumes
//! exactly where it stopped. It never holds the secret key.
//!
//! A crash can leave the last line half-written; replay ignores a torn final
//! line but refuses damage anywhere else.

use super::batch::BatchSpec;
use super::state::RowState;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One transition: row `row` entered `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Row index in the batch.
    pub row: usize,
    /// The state it entered.
    pub state: RowState,
}

/// The journal format version written in the header.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Header { version: u32, batch: BatchSpec },
    Row(JournalEntry),
}

/// Why a journal cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalError {
    /// No header line.
    Empty,
    /// A line in the middle cannot be read (line number from 1, reason).
    Corrupt(usize, String),
    /// Written by another format version.
    Version(u32),
    /// A row index beyond the batch.
    RowOutOfRange(usize, usize),
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Empty => f.write_str("the journal is empty (no batch header)"),
            JournalError::Corrupt(line, why) => write!(f, "journal line {line} cannot be read: {why}"),
            JournalError::Version(v) => write!(
                f,
                "the journal has format version {v}; this program reads version {VERSION}"
            ),
            JournalError::RowOutOfRange(line, row) => {
                write!(f, "journal line {line} names row {row}, beyond the batch")
            }
        }
    }
}

impl std::error::Error for JournalError {}

/// The header line (with its newline) that starts a batch's journal.
pub fn header(batch: &BatchSpec) -> String {
    let mut s = serde_json::to_string(&Line::Header {
        version: VERSION,
        batch: batch.clone(),
    })
    .unwrap_or_default();
    s.push('\n');
    s
}

/// Lines (with newlines) for `entries`.
pub fn lines(entries: &[JournalEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&entry_line(e));
    }
    out
}

/// One entry as a line (with its newline).
pub fn entry_line(entry: &JournalEntry) -> String {
    let mut s = serde_json::to_string(&Line::Row(entry.clone())).unwrap_or_default();
    s.push('\n');
    s
}

/// A compact journal: the header and each row's current state.
pub fn snapshot<'a>(batch: &BatchSpec, states: impl Iterator<Item = &'a RowState>) -> String {
    let mut out = header(batch);
    for (row, state) in states.enumerate() {
        if *state
            != (RowState::Pending {
                attempts: 0,
                last_error: None,
            })
        {
            out.push_str(&entry_line(&JournalEntry {
                row,
                state: state.clone(),
            }));
        }
    }
    out
}

/// Replays a journal: the batch and every row's last state.
pub fn replay(text: &str) -> Result<(BatchSpec, Vec<RowState>), JournalError> {
    let mut batch: Option<BatchSpec> = None;
    let mut states: Vec<RowState> = Vec::new();
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len().saturating_sub(1);
    for (i, raw) in lines.iter().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let torn_tail = i == last && !text.ends_with('\n');
        let line: Line = match serde_json::from_str(raw) {
            Ok(l) => l,
            Err(_) if torn_tail && batch.is_some() => break,
            Err(e) => return Err(JournalError::Corrupt(i + 1, e.to_string())),
        };
        match line {
            Line::Header { version, batch: b } => {
                if version != VERSION {
                    return Err(JournalError::Version(version));
                }
                if batch.is_some() {
                    return Err(JournalError::Corrupt(i + 1, "a second batch header".into()));
                }
                states = vec![
                    RowState::Pending {
                        attempts: 0,
                        last_error: None
                    };
                    b.rows.len()
                ];
                batch = Some(b);
            }
            Line::Row(entry) => {
                if batch.is_none() {
                    return Err(JournalError::Corrupt(i + 1, "a row before the batch header".into()));
                }
                let slot = states
                    .get_mut(entry.row)
                    .ok_or(JournalError::RowOutOfRange(i + 1, entry.row))?;
                *slot = entry.state;
            }
        }
    }
    let batch = batch.ok_or(JournalError::Empty)?;
    Ok((batch, states))
}
