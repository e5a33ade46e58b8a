//! `smime-bulk-sandbox`: run the local sandbox CA.

use clap::Parser;
use smime_bulk_sandbox::accounts::{self, DEMO_ACCOUNT_KEY, DEMO_SECRET_KEY};
use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{Profile, SandboxConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "smime-bulk-sandbox",
    version,
    about = "A local sandbox CA for smime-bulk: imitates SSL.com's SWS API (or smime-bulk's reference protocol), places fake S/MIME orders, with seeded fault injection.",
    after_help = "The first line printed is\n  smime-bulk-sandbox listening on http://HOST:PORT (profile NAME) admin-token=TOKEN\n\n\
Examples:\n  smime-bulk-sandbox\n  smime-bulk-sandbox --profile reference --db orders.sqlite --listen 127.0.0.1:9000\n  \
smime-bulk-sandbox --seed 7 --fail-rate 0.2 --drop-rate 0.05 --created-error-rate 0.05 --rate-limit 200 --latency-ms 50\n\n\
Admin (sandbox only; loopback callers with the header x-sandbox-admin-token: TOKEN): GET/DELETE /sandbox/orders,\n\
POST /sandbox/orders/{ref}/status {\"status\":\"issued\"}, POST /sandbox/orders/{ref}/created_at {\"created_at\":\"2024-03-01T10:00:00Z\"},\n\
GET/POST /sandbox/faults {\"fail_rate\":0.1}, GET /sandbox/accounts, GET /sandbox/enrollments."
)]
struct Args {
    /// The protocol to speak: `sslcom` (SSL.com's SWS API) or `reference` (smime-bulk's own first protocol).
    #[arg(long, default_value = "sslcom", value_name = "NAME")]
    profile: Profile,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Keep orders in this SQLite file (default: in memory).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Accounts file: {"accounts":[{"account_key","secret_key","domains":[…],"products":[{"code","name","periods":[{"period":365,"price":"39.00"}],"certificate_id"?}],"team"?,"funds"?}]} (see README).
    #[arg(long, value_name = "FILE")]
    accounts: Option<PathBuf>,
    /// `reference` profile only: the CORS origin allowed to call the API (`*` for any). The `sslcom` profile answers CORS as SSL.com does.
    #[arg(long, default_value = "*")]
    cors_origin: String,
    /// The admin endpoints' token (default: random, printed at start).
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,
    /// Seed of every random choice (faults, latency jitter, references).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Share of API requests answered 500 before anything is done (0–1).
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Share of order creations whose connection is dropped after the order is created (0–1).
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Share of order creations that create (and charge) the order, then answer an error (sslcom: 200 errors.contacts without a ref, or 500) (0–1).
    #[arg(long, default_value_t = 0.0)]
    created_error_rate: f64,
    /// Requests per second before answering 429 with Retry-After.
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Latency added to each API request, in milliseconds (±50% jitter).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

fn demo_lines(profile: Profile) -> [String; 2] {
    let keys = format!("demo account: account key {DEMO_ACCOUNT_KEY}, secret key {DEMO_SECRET_KEY}");
    let offer = match profile {
        Profile::Reference => {
            "validated domains: example.com, example.org; products: smime-ivov-1y (365 days), smime-ivov-2y (730 days)"
        }
        Profile::Sslcom => {
            "validated domains: example.com, example.org; products: 302 Personal Business and 303 Personal Enterprise \
             (period 365, 730, 1095 days; enrollment certificate_id 417 and 418); funds unlimited"
        }
    };
    [keys, offer.to_owned()]
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let accounts = match &args.accounts {
        Some(path) => match accounts::load(path) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("smime-bulk-sandbox: {e}");
                return ExitCode::from(2);
            }
        },
        None => Vec::new(),
    };
    let demo = accounts.is_empty();
    let config = SandboxConfig {
        listen: args.listen,
        db: args.db,
        accounts,
        profile: args.profile,
        cors_origin: args.cors_origin,
        faults: Faults {
            fail_rate: args.fail_rate,
            drop_rate: args.drop_rate,
            rate_limit: args.rate_limit,
            latency_ms: args.latency_ms,
            created_error_rate: args.created_error_rate,
            fail_next: 0,
        },
        seed: args.seed,
        admin_token: args.admin_token,
    };
    let sandbox = match smime_bulk_sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("smime-bulk-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "smime-bulk-sandbox listening on {} (profile {}) admin-token={}",
        sandbox.url(),
        sandbox.profile(),
        sandbox.admin_token()
    );
    if demo {
        for line in demo_lines(sandbox.profile()) {
            println!("{line}");
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    println!("stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
