//! The local sandbox CA: a real HTTP server that imitates a CA's API — by
//! default SSL.com's SWS API as docs/sslcom-sws.md shows it (`--profile
//! sslcom`), or smime-bulk's own first protocol (`--profile reference`) —
//! re-validates every order with the roster engine, stores orders in SQLite,
//! and injects seeded faults, so the whole product can be tried and tested
//! with no account anywhere. It does **not** de-duplicate orders:
//! exactly-once is the client's job.
//!
//! Layers, top down: `profile/` (each protocol's routes, answers, CORS and
//! pages), then what they share: `admin` (the `/sandbox/*` endpoints),
//! `pages` (HTML helpers and the pages' guard), `recipient` (the roster
//! engine's checks), `state`, `store`, `faults`, `accounts`, `money`,
//! `clock`; `server` is the accept loop.

pub mod accounts;
mod admin;
mod clock;
pub mod faults;
mod money;
mod pages;
pub mod profile;
mod recipient;
mod server;
mod state;
pub mod store;

pub use admin::TOKEN_HEADER as ADMIN_TOKEN_HEADER;
pub use profile::Profile;

use accounts::Account;
use faults::{FaultState, Faults};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;

/// How to run the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on (port 0 picks a free one).
    pub listen: SocketAddr,
    /// SQLite file; in memory when `None`.
    pub db: Option<PathBuf>,
    /// Accounts; the profile's demo account when empty.
    pub accounts: Vec<Account>,
    /// The protocol to speak.
    pub profile: Profile,
    /// `reference` only: the allowed CORS origin, `*` or one origin such as
    /// `http://127.0.0.1:8080` (the `sslcom` profile answers CORS as SSL.com does).
    pub cors_origin: String,
    /// Fault injection settings.
    pub faults: Faults,
    /// Seed of every random choice.
    pub seed: u64,
    /// The admin endpoints' token; random when `None`.
    pub admin_token: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            db: None,
            accounts: Vec::new(),
            profile: Profile::default(),
            cors_origin: "*".into(),
            faults: Faults::default(),
            seed: 0,
            admin_token: None,
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    profile: Profile,
    admin_token: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, e.g. `http://127.0.0.1:8787`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The protocol it speaks.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The token the admin endpoints want in the `x-sandbox-admin-token` header.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Stops accepting and closes every connection.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Binds and starts serving in the background (on the current tokio runtime).
pub async fn start(config: SandboxConfig) -> Result<Sandbox, String> {
    config.faults.validate()?;
    let admin_token = match config.admin_token {
        Some(t) => {
            admin::check_token(&t)?;
            t
        }
        None => admin::random_token()?,
    };
    let store = store::Store::open(config.db.as_deref()).map_err(|e| format!("cannot open the order database: {e}"))?;
    let accounts = if config.accounts.is_empty() {
        accounts::demo(config.profile)
    } else {
        config.accounts
    };
    let state = Arc::new(state::AppState {
        store,
        accounts,
        faults: FaultState::new(config.faults, config.seed),
        profile: config.profile,
        preflights: Default::default(),
    });
    // The admin routes first: a profile's fallback (its 404) takes the rest.
    let app = admin::router(state.clone(), &admin_token).merge(profile::routes(state, &config.cors_origin)?);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(server::serve(listener, app, stop_rx));
    Ok(Sandbox {
        addr,
        profile: config.profile,
        admin_token,
        stop,
        task,
    })
}
