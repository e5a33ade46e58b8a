//! `smime-bulk-sandbox`: run the local sandbox CA.

use clap::Parser;
use smime_bulk_sandbox::accounts::{self, DEMO_ACCOUNT_KEY, DEMO_SECRET_KEY};
use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::SandboxConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "smime-bulk-sandbox",
    version,
    about = "A local sandbox CA for smime-bulk: places fake S/MIME orders, with seeded fault injection.",
    after_help = "Examples:\n  smime-bulk-sandbox\n  smime-bulk-sandbox --db orders.sqlite --listen 127.0.0.1:9000\n  smime-bulk-sandbox --seed 7 --fail-rate 0.2 --drop-rate 0.05 --rate-limit 200 --latency-ms 50\n\nAdmin (sandbox only): GET/DELETE /sandbox/orders, POST /sandbox/orders/{ref}/status {\"status\":\"issued\"},\nGET/POST /sandbox/faults {\"fail_rate\":0.1}."
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Keep orders in this SQLite file (default: in memory).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Accounts file: {"accounts":[{"account_key","secret_key","domains":[…],"products":[{"code","name","periods":[{"period":365,"price":"39.00"}]}]}]}.
    #[arg(long, value_name = "FILE")]
    accounts: Option<PathBuf>,
    /// CORS origin allowed to call the API (`*` for any).
    #[arg(long, default_value = "*")]
    cors_origin: String,
    /// Seed of every random choice (faults, latency jitter, references).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Share of API requests answered 500 before anything is done (0–1).
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Share of order creations whose connection is dropped after the order is created (0–1).
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Requests per second before answering 429 with Retry-After.
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Latency added to each API request, in milliseconds (±50% jitter).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
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
        cors_origin: args.cors_origin,
        faults: Faults {
            fail_rate: args.fail_rate,
            drop_rate: args.drop_rate,
            rate_limit: args.rate_limit,
            latency_ms: args.latency_ms,
        },
        seed: args.seed,
    };
    let sandbox = match smime_bulk_sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("smime-bulk-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    println!("smime-bulk sandbox CA listening on {}", sandbox.url());
    if demo {
        println!("demo account: account key {DEMO_ACCOUNT_KEY}, secret key {DEMO_SECRET_KEY}");
        println!(
            "validated domains: example.com, example.org; products: smime-ivov-1y (365 days), smime-ivov-2y (730 days)"
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    println!("stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
