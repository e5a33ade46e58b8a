//! The submission engine fed arbitrary answer sequences: statuses, bodies,
//! drops, timeouts, kills and replays of its journal, decoded from the bytes
//! by the script the ca crate's property tests use
//! (`crates/ca/tests/support/script.rs`, whose docs list the rules it checks:
//! no panic, never two orders placed for one row in its own journal, every
//! row ending placed, rejected, failed, unconfirmed or unknown with a reason).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/ca/tests/support/fixtures.rs"]
mod fixtures;
#[path = "../../crates/ca/tests/support/script.rs"]
mod script;

fuzz_target!(|bytes: &[u8]| {
    script::run(bytes);
});
