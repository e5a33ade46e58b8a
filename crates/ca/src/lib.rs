//! The CA side of smime-bulk, without IO.
//!
//! - [`protocol`]: what bulk S/MIME ordering needs of a CA — request building
//!   and answer parsing — per dialect ([`protocol::Profile`]): SSL.com's SWS
//!   API, and our reference protocol. Every wire name lives in its dialect's module.
//! - [`probe`]: read-only checks that a CA behaves as its profile says.
//! - [`engine`]: the submission engine, a state machine that hands out requests
//!   and takes responses and timeouts back (like rustls or quinn-proto), so the
//!   same logic runs under tokio in the CLI, under gloo-net in the browser, and
//!   in tests with a fake clock. Its [`engine::journal`] lets a batch resume
//!   exactly where it stopped.
//! - [`refresh`]: "refresh statuses", the batch's orders read back page by
//!   page, faults that may pass retried.
//! - [`retry`]: which faults a read may pass by being sent again, and the
//!   waits between its tries.

pub mod engine;
pub mod probe;
pub mod protocol;
pub mod refresh;
pub mod results;
pub mod retry;
