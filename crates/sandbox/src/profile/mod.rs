//! The protocols the sandbox can speak. Each profile owns its routes, wire
//! names, answer shapes, CORS behaviour and pages; the store, the faults,
//! the accounts, the recipient checks and the admin endpoints sit below them
//! and are shared.
//!
//! - `sslcom.rs` (default): SSL.com's SWS API as docs/sslcom-sws.md shows it,
//!   with its own literal wire names.
//! - `reference.rs`: the protocol smime-bulk invented first (JSON `POST
//!   /certificates` answered 201, 422 `{"errors":…}`, 401, `/domains`,
//!   `/products`), named by the client's `smime_bulk_ca::protocol::wire`.

pub mod reference;
pub mod sslcom;

use crate::state::Shared;
use axum::Router;
use std::fmt;
use std::str::FromStr;

/// Which protocol the sandbox speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Profile {
    /// SSL.com's SWS API (the default).
    #[default]
    Sslcom,
    /// smime-bulk's own first protocol.
    Reference,
}

impl Profile {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Sslcom => "sslcom",
            Profile::Reference => "reference",
        }
    }

    /// The status an order is created with.
    pub fn initial_status(self) -> &'static str {
        match self {
            Profile::Sslcom => sslcom::STATUS_CREATED,
            Profile::Reference => reference::STATUS_CREATED,
        }
    }

    /// The statuses `POST /sandbox/orders/{ref}/status` can move an order to.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            Profile::Sslcom => &sslcom::STATUSES,
            Profile::Reference => &reference::STATUSES,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sslcom" => Ok(Profile::Sslcom),
            "reference" => Ok(Profile::Reference),
            _ => Err(format!("unknown profile {s:?}: give sslcom or reference")),
        }
    }
}

/// The profile's API (with its CORS behaviour) and pages; `cors_origin` is
/// the reference profile's allowed origin (SSL.com's is always `*`).
pub fn routes(state: Shared, cors_origin: &str) -> Result<Router, String> {
    match state.profile {
        Profile::Sslcom => Ok(sslcom::routes(state)),
        Profile::Reference => reference::routes(state, cors_origin),
    }
}
