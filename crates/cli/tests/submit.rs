//! `smime-bulk submit`, `domains` and `products` against the sandbox CA: what a
//! user sees when the input or the account is wrong, and the results file.

mod support;

use smime_bulk_sandbox::{start, Sandbox};
use std::process::Output;
use support::*;
use tokio::process::Command;

async fn sandbox() -> Sandbox {
    start(sandbox_config()).await.unwrap()
}

async fn smime_bulk(args: &[&str], secret: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smime-bulk"));
    cmd.args(args).env_remove("SMIME_BULK_SECRET_KEY");
    if let Some(s) = secret {
        cmd.env("SMIME_BULK_SECRET_KEY", s);
    }
    cmd.output().await.unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn domains_and_products_list_what_the_account_has() {
    let sb = sandbox().await;
    let out = smime_bulk(
        &["domains", "--ca", &sb.url(), "--account-key", "sandbox-account"],
        Some("sandbox-secret"),
    )
    .await;
    assert_eq!(text(&out.stdout), "example.com\nexample.org\n");
    let out = smime_bulk(
        &["products", "--ca", &sb.url(), "--account-key", "sandbox-account"],
        Some("sandbox-secret"),
    )
    .await;
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("smime-ivov-1y") && stdout.contains("365 days at 39.00"),
        "{stdout}"
    );
    let out = smime_bulk(
        &["domains", "--ca", &sb.url(), "--account-key", "sandbox-account"],
        Some("wrong"),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("401") && !text(&out.stderr).contains("wrong"),
        "{}",
        text(&out.stderr)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_secret_never_comes_from_the_command_line() {
    let dir = TempDir::new("nosecret");
    write_roster(&dir.path("r.csv"), 1);
    let j = dir.path("j").display().to_string();
    let r = dir.path("r.csv").display().to_string();
    let args = [
        "submit",
        "--ca",
        "http://127.0.0.1:9",
        "--account-key",
        "a",
        "--product",
        "p",
        "--period",
        "365",
        "--journal",
        &j,
        &r,
    ];
    let out = smime_bulk(&args, None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("SMIME_BULK_SECRET_KEY"));
    let out = smime_bulk(&["submit", "--secret-key", "x"], None).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn invalid_rows_are_refused_unless_skipped() {
    let sb = sandbox().await;
    let dir = TempDir::new("invalid");
    std::fs::write(
        dir.path("r.csv"),
        "First Name,Last Name,Email,Country\nJane,Doe,jane@example.com,GB\nBob,Roe,bob@gmail.com,UK\n",
    )
    .unwrap();
    let (j, r, o) = (
        dir.path("j").display().to_string(),
        dir.path("r.csv").display().to_string(),
        dir.path("o.csv").display().to_string(),
    );
    let base = [
        "submit",
        "--ca",
        &sb.url(),
        "--account-key",
        "sandbox-account",
        "--product",
        "smime-ivov-1y",
        "--period",
        "365",
        "--journal",
        &j,
        "--out",
        &o,
    ];
    let out = smime_bulk(&[&base[..], &[r.as_str()]].concat(), Some("sandbox-secret")).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("[domain_not_validated]"));
    assert!(text(&out.stderr).contains("1 of 2 rows are invalid; nothing was sent"));
    assert!(orders(&sb.url()).await.is_empty());

    let out = smime_bulk(
        &[&base[..], &["--skip-invalid", r.as_str()]].concat(),
        Some("sandbox-secret"),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results = std::fs::read_to_string(dir.path("o.csv")).unwrap();
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(
        lines[0],
        "email,ref,status,order_amount,certificate_url,receipt_url,error"
    );
    assert!(lines[1].starts_with("jane@example.com,co-") && lines[1].contains(",pending validation,39.00,"));
    assert_eq!(lines.len(), 2);

    // The same command again: the journal says everything is placed; nothing new is sent.
    let out = smime_bulk(
        &[&base[..], &["--skip-invalid", r.as_str()]].concat(),
        Some("sandbox-secret"),
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("resuming batch"));
    assert_eq!(orders(&sb.url()).await.len(), 1);

    // Another product with the same journal is refused.
    let other = [
        "submit",
        "--ca",
        &sb.url(),
        "--account-key",
        "sandbox-account",
        "--product",
        "smime-ivov-2y",
        "--period",
        "730",
        "--journal",
        &j,
        &r,
    ];
    let out = smime_bulk(&other, Some("sandbox-secret")).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("belongs to a batch with product smime-ivov-1y"));
    sb.shutdown().await;
}

#[tokio::test]
async fn wrong_keys_stop_the_batch_with_a_clear_message() {
    let sb = sandbox().await;
    let dir = TempDir::new("badkey");
    write_roster(&dir.path("r.csv"), 3);
    let (j, r) = (
        dir.path("j").display().to_string(),
        dir.path("r.csv").display().to_string(),
    );
    let args = [
        "submit",
        "--ca",
        &sb.url(),
        "--account-key",
        "sandbox-account",
        "--product",
        "smime-ivov-1y",
        "--period",
        "365",
        "--domains",
        "example.com,example.org",
        "--journal",
        &j,
        &r,
    ];
    let out = smime_bulk(&args, Some("not-the-secret")).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("refused the account key or secret key") && !stderr.contains("not-the-secret"),
        "{stderr}"
    );
    // With the right key, the same journal resumes and places all three.
    let out = smime_bulk(&args, Some("sandbox-secret")).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(orders(&sb.url()).await.len(), 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_ca_is_said_plainly() {
    let dir = TempDir::new("unreachable");
    write_roster(&dir.path("r.csv"), 1);
    let (j, r) = (
        dir.path("j").display().to_string(),
        dir.path("r.csv").display().to_string(),
    );
    let out = smime_bulk(
        &[
            "submit",
            "--ca",
            "http://127.0.0.1:9",
            "--account-key",
            "a",
            "--product",
            "p",
            "--period",
            "365",
            "--journal",
            &j,
            &r,
        ],
        Some("s3cr3t"),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot reach the CA at http://127.0.0.1:9") && !stderr.contains("s3cr3t"),
        "{stderr}"
    );
}
