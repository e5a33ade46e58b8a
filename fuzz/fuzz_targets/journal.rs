//! Journal replay on arbitrary text: the batch and every row's last state, or
//! a `JournalError` naming the line, never a panic. A replayed journal,
//! compacted to a snapshot, replays to the same batch and states.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smime_bulk_ca::engine::journal::{self, JournalError};

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    match journal::replay(&text) {
        Ok((batch, states)) => {
            assert_eq!(states.len(), batch.rows.len());
            let snapshot = journal::snapshot(&batch, states.iter());
            assert_eq!(
                journal::replay(&snapshot),
                Ok((batch, states)),
                "the snapshot replays differently"
            );
        }
        Err(e) => {
            let lines = text.split('\n').count();
            match &e {
                JournalError::Corrupt(line, why) => assert!(*line >= 1 && *line <= lines && !why.is_empty()),
                JournalError::RowOutOfRange(line, _) => assert!(*line >= 1 && *line <= lines),
                JournalError::Empty | JournalError::Version(_) => {}
            }
            assert!(!e.to_string().is_empty());
        }
    }
});
