//! The local sandbox CA: a real HTTP server that speaks the smime-bulk CA
//! protocol, re-validates every order with the roster engine, stores orders in
//! SQLite, and injects seeded faults — so the whole product can be tried and
//! tested with no account anywhere. It does **not** de-duplicate orders:
//! exactly-once is the client's job.

pub mod accounts;
pub mod faults;
mod routes;
mod server;
pub mod store;

use accounts::Account;
use faults::{FaultState, Faults};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// How to run the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on (port 0 picks a free one).
    pub listen: SocketAddr,
    /// SQLite file; in memory when `None`.
    pub db: Option<PathBuf>,
    /// Accounts; the demo account when empty.
    pub accounts: Vec<Account>,
    /// Allowed CORS origin: `*` or one origin such as `http://127.0.0.1:8080`.
    pub cors_origin: String,
    /// Fault injection settings.
    pub faults: Faults,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            db: None,
            accounts: Vec::new(),
            cors_origin: "*".into(),
            faults: Faults::default(),
            seed: 0,
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
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

    /// Stops accepting and closes every connection.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Binds and starts serving in the background (on the current tokio runtime).
pub async fn start(config: SandboxConfig) -> Result<Sandbox, String> {
    config.faults.validate()?;
    let store = store::Store::open(config.db.as_deref()).map_err(|e| format!("cannot open the order database: {e}"))?;
    let accounts = if config.accounts.is_empty() {
        accounts::demo()
    } else {
        config.accounts
    };
    let state = Arc::new(routes::AppState {
        store,
        accounts,
        faults: FaultState::new(config.faults, config.seed),
    });
    let cors = CorsLayer::new()
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::DELETE,
        ])
        .allow_headers([axum::http::header::CONTENT_TYPE])
        .expose_headers([axum::http::header::RETRY_AFTER])
        .allow_origin(if config.cors_origin == "*" {
            AllowOrigin::from(Any)
        } else {
            let origin = config
                .cors_origin
                .parse::<axum::http::HeaderValue>()
                .map_err(|_| format!("--cors-origin {:?} is not a valid origin", config.cors_origin))?;
            AllowOrigin::exact(origin)
        });
    let app = routes::router(state).layer(cors);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(server::serve(listener, app, stop_rx));
    Ok(Sandbox { addr, stop, task })
}
