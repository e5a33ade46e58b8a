//! Exactly once, through faults and restarts: the real `smime-bulk submit`
//! process against the real sandbox CA over HTTP on 127.0.0.1.
//!
//! These tests take tens of seconds; `./x test` runs them on their own with
//! `--ignored --nocapture` so that their counts are printed.

mod support;

use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{start, SandboxConfig};
use support::*;

async fn run_to_end(ca: &str, dir: &TempDir, runs: usize) -> Vec<i32> {
    run_to_end_with(ca, dir, runs, &[]).await
}

async fn run_to_end_with(ca: &str, dir: &TempDir, runs: usize, extra: &[String]) -> Vec<i32> {
    let mut codes = Vec::new();
    for _ in 0..runs {
        let out = submit_with(
            ca,
            &dir.path("roster.csv"),
            &dir.path("batch.journal"),
            &dir.path("results.csv"),
            8,
            extra,
        )
        .wait_with_output()
        .await
        .unwrap();
        let code = out.status.code().unwrap_or(-1);
        codes.push(code);
        if code == 0 {
            break;
        }
        eprintln!("run ended with {code}: {}", String::from_utf8_lossy(&out.stderr));
    }
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run by ./x test with --ignored"]
async fn killed_twice_and_resumed_every_row_has_exactly_one_order() {
    let faults = Faults {
        fail_rate: 0.2,
        drop_rate: 0.05,
        created_error_rate: 0.05,
        rate_limit: Some(200),
        latency_ms: 0,
        fail_next: 0,
    };
    let sb = start(SandboxConfig {
        faults,
        seed: 42,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let ca = sb.url();
    let dir = TempDir::new("chaos");
    let emails = write_roster(&dir.path("roster.csv"), 1000);

    let mut kills = 0;
    for threshold in [250, 600] {
        let mut child = submit(
            &ca,
            &dir.path("roster.csv"),
            &dir.path("batch.journal"),
            &dir.path("results.csv"),
            8,
        );
        let seen = wait_for_orders(&ca, threshold, &mut child).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().await.unwrap(); // SIGKILL: no chance to clean up
            kills += 1;
        }
        eprintln!("killed the submitting process at {seen} orders");
    }
    assert_eq!(kills, 2, "the process must be killed twice mid-batch");
    let codes = run_to_end(&ca, &dir, 4).await;

    // The counts first, so a failure shows them.
    let orders = orders(&ca).await;
    let (lost, duplicated) = lost_and_duplicated(&emails, &orders);
    let results = std::fs::read_to_string(dir.path("results.csv")).unwrap_or_default();
    let unconfirmed = unconfirmed_in(&results);
    println!(
        "chaos (sslcom): rows={} orders={} lost={lost} duplicated={duplicated} unconfirmed={unconfirmed} kills={kills} runs={}",
        emails.len(),
        orders.len(),
        2 + codes.len()
    );
    for line in results
        .lines()
        .skip(1)
        .filter(|l| !l.contains(&format!(",{PLACED_STATUS},")))
    {
        println!("  not placed: {line}");
    }
    assert_eq!(codes.last(), Some(&0), "the resumed run completes: {codes:?}");
    assert_eq!((lost, duplicated, unconfirmed), (0, 0, 0));
    assert_eq!(orders.len(), 1000);
    assert_eq!(
        results
            .lines()
            .filter(|l| l.contains(&format!(",{PLACED_STATUS},")))
            .count(),
        1000
    );
    assert!(!std::fs::read_to_string(dir.path("batch.journal"))
        .unwrap()
        .contains("sandbox-secret"));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run by ./x test with --ignored"]
async fn a_sandbox_restart_mid_batch_loses_and_duplicates_nothing() {
    let dir = TempDir::new("restart");
    let config = SandboxConfig {
        db: Some(dir.path("orders.sqlite")),
        faults: Faults {
            latency_ms: 5,
            ..Faults::default()
        },
        seed: 7,
        ..sandbox_config()
    };
    let sb = start(config.clone()).await.unwrap();
    let ca = sb.url();
    let emails = write_roster(&dir.path("roster.csv"), 300);
    let mut child = submit(
        &ca,
        &dir.path("roster.csv"),
        &dir.path("batch.journal"),
        &dir.path("results.csv"),
        8,
    );
    let seen = wait_for_orders(&ca, 100, &mut child).await;
    sb.shutdown().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let sb = start(SandboxConfig {
        listen: ca.trim_start_matches("http://").parse().unwrap(),
        ..config
    })
    .await
    .unwrap();
    let first = child.wait_with_output().await.unwrap();
    let mut codes = vec![first.status.code().unwrap_or(-1)];
    if codes[0] != 0 {
        codes.extend(run_to_end(&ca, &dir, 3).await);
    }
    let orders = orders(&ca).await;
    let (lost, duplicated) = lost_and_duplicated(&emails, &orders);
    let unconfirmed = unconfirmed_in(&std::fs::read_to_string(dir.path("results.csv")).unwrap());
    println!(
        "sandbox restart at {seen} orders: rows={} orders={} lost={lost} duplicated={duplicated} unconfirmed={unconfirmed} exit codes={codes:?}",
        emails.len(),
        orders.len()
    );
    assert_eq!(codes.last(), Some(&0));
    assert_eq!((lost, duplicated, unconfirmed, orders.len()), (0, 0, 0, 300));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run by ./x test with --ignored"]
async fn ctrl_c_stops_cleanly_and_the_same_command_resumes() {
    let sb = start(SandboxConfig {
        faults: Faults {
            latency_ms: 20,
            drop_rate: 0.05,
            ..Faults::default()
        },
        seed: 3,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let ca = sb.url();
    let dir = TempDir::new("ctrlc");
    let emails = write_roster(&dir.path("roster.csv"), 300);
    let mut child = submit(
        &ca,
        &dir.path("roster.csv"),
        &dir.path("batch.journal"),
        &dir.path("results.csv"),
        4,
    );
    wait_for_orders(&ca, 60, &mut child).await;
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("run the same command again to resume") || stderr.contains("Run the same command again"),
        "{stderr}"
    );
    let at_stop = orders(&ca).await.len();
    assert!(at_stop < 300, "stopped mid-batch");
    let codes = run_to_end(&ca, &dir, 3).await;
    let orders = orders(&ca).await;
    let (lost, duplicated) = lost_and_duplicated(&emails, &orders);
    let unconfirmed = unconfirmed_in(&std::fs::read_to_string(dir.path("results.csv")).unwrap());
    println!(
        "ctrl-c at {at_stop} orders, resumed: rows=300 orders={} lost={lost} duplicated={duplicated} unconfirmed={unconfirmed}",
        orders.len()
    );
    assert_eq!(codes.last(), Some(&0));
    assert_eq!((lost, duplicated, unconfirmed), (0, 0, 0));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run by ./x test with --ignored"]
async fn a_bulk_enrollment_killed_twice_under_faults_gives_every_address_one_order() {
    let faults = Faults {
        fail_rate: 0.2,
        drop_rate: 0.15,
        created_error_rate: 0.15,
        rate_limit: Some(200),
        latency_ms: 10,
        fail_next: 0,
    };
    let sb = start(SandboxConfig {
        faults,
        seed: 11,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let ca = sb.url();
    let dir = TempDir::new("chaos-enroll");
    let emails = write_roster(&dir.path("roster.csv"), 400);
    let flags = enrollment_flags(10);

    let mut kills = 0;
    for threshold in [100, 250] {
        let mut child = submit_with(
            &ca,
            &dir.path("roster.csv"),
            &dir.path("batch.journal"),
            &dir.path("results.csv"),
            8,
            &flags,
        );
        let seen = wait_for_orders(&ca, threshold, &mut child).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().await.unwrap(); // SIGKILL: chunks in flight are lost
            kills += 1;
        }
        eprintln!("killed the enrolling process at {seen} orders");
    }
    assert_eq!(kills, 2, "the process must be killed twice mid-batch");
    let codes = run_to_end_with(&ca, &dir, 4, &flags).await;

    let orders = orders(&ca).await;
    let (lost, duplicated) = lost_and_duplicated(&emails, &orders);
    let results = std::fs::read_to_string(dir.path("results.csv")).unwrap();
    let unconfirmed = unconfirmed_in(&results);
    let placed = results.lines().filter(|l| l.contains(",co-")).count();
    let enrollments = enrollments(&ca).await.len();
    println!(
        "chaos (enrollment): rows={} orders={} enrollments={enrollments} lost={lost} duplicated={duplicated} \
         placed={placed} unconfirmed={unconfirmed} kills={kills} runs={}",
        emails.len(),
        orders.len(),
        2 + codes.len()
    );
    assert_eq!(duplicated, 0);
    assert_eq!(codes.last(), Some(&0), "the resumed run completes: {codes:?}");
    assert_eq!((lost, unconfirmed, orders.len()), (0, 0, 400));
    assert!(
        orders
            .iter()
            .all(|o| o["enrollment_id"].is_i64() && o["charged_cents"] == 0),
        "every order is enrolled and invoiced, none charged"
    );
    sb.shutdown().await;
}
