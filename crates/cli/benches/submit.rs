//! Orders per second through `smime-bulk submit` against the sandbox CA at
//! 50 ms latency, with concurrency 1, 4 and 16. The ceiling is concurrency ÷
//! latency; the table says how close we get. Figures only, no assertions.
//!
//! `cargo bench -p smime-bulk-cli --bench submit` (rows: `BENCH_ROWS`, default 10000).

#[path = "../tests/support/mod.rs"]
mod support;

use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{start, SandboxConfig};
use std::time::Instant;
use support::*;

const LATENCY_MS: u64 = 50;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = TempDir::new("bench-submit");
    let emails = write_roster(&dir.path("roster.csv"), rows);
    println!("submit benchmark: {rows} rows, sandbox latency {LATENCY_MS} ms (±50% jitter)");
    println!(
        "{:>11} {:>10} {:>12} {:>12} {:>9}",
        "concurrency", "seconds", "orders/s", "ceiling/s", "of ceiling"
    );
    for concurrency in [1u32, 4, 16] {
        let sb = start(SandboxConfig {
            faults: Faults {
                latency_ms: LATENCY_MS,
                ..Faults::default()
            },
            seed: 1,
            ..sandbox_config()
        })
        .await
        .unwrap();
        let journal = dir.path(&format!("bench-{concurrency}.journal"));
        let started = Instant::now();
        let out = submit(
            &sb.url(),
            &dir.path("roster.csv"),
            &journal,
            &dir.path("results.csv"),
            concurrency,
        )
        .wait_with_output()
        .await
        .unwrap();
        let secs = started.elapsed().as_secs_f64();
        let placed = orders(&sb.url()).await.len();
        assert_eq!(placed, emails.len(), "{}", String::from_utf8_lossy(&out.stderr));
        let rate = placed as f64 / secs;
        let ceiling = f64::from(concurrency) * 1000.0 / LATENCY_MS as f64;
        println!(
            "{concurrency:>11} {secs:>10.1} {rate:>12.1} {ceiling:>12.1} {:>8.0}%",
            100.0 * rate / ceiling
        );
        sb.shutdown().await;
    }
}
