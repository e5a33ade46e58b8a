//! The CA side of smime-bulk, without IO.
//!
//! - [`protocol`]: the subset of SSL.com's SWS API (v1.4 conventions) that bulk
//!   S/MIME enrollment needs — request building and response parsing. Every
//!   wire name lives in [`protocol::wire`].
//! - [`engine`]: the submission engine, a state machine that hands out requests
//!   and takes responses and timeouts back (like rustls or quinn-proto), so the
//!   same logic runs under tokio in the CLI, under gloo-net in the browser, and
//!   in tests with a fake clock. Its [`engine::journal`] lets a batch resume
//!   exactly where it stopped.

pub mod engine;
pub mod protocol;
pub mod results;
