//! `smime-bulk submit`, `domains` and `products` against the sandbox CA: what a
//! user sees when the input or the account is wrong, and the results file.

mod support;

use smime_bulk_sandbox::{start, Profile, Sandbox, SandboxConfig};
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
async fn sslcom_has_no_domain_list_and_its_products_are_built_in() {
    let sb = sandbox().await;
    let out = smime_bulk(
        &["domains", "--ca", &sb.url(), "--account-key", "sandbox-account"],
        Some("sandbox-secret"),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no API for the account's validated domains"),
        "{}",
        text(&out.stderr)
    );
    let out = smime_bulk(
        &["products", "--ca", &sb.url(), "--account-key", "sandbox-account"],
        Some("sandbox-secret"),
    )
    .await;
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("302\t") && stdout.contains("\n303\t"), "{stdout}");
    assert!(
        stdout.contains("365 days, 730 days") && !stdout.contains("1095"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("built-in"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_reference_ca_lists_the_accounts_domains_and_products() {
    let sb = start(SandboxConfig {
        profile: Profile::Reference,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let args = |what| {
        [
            what,
            "--ca",
            &sb.url(),
            "--ca-profile",
            "reference",
            "--account-key",
            "sandbox-account",
        ]
        .map(str::to_owned)
    };
    let run = |what: &'static str, secret: &'static str| {
        let a = args(what);
        async move { smime_bulk(&a.iter().map(String::as_str).collect::<Vec<_>>(), Some(secret)).await }
    };
    let out = run("domains", "sandbox-secret").await;
    assert_eq!(text(&out.stdout), "example.com\nexample.org\n");
    let stdout = text(&run("products", "sandbox-secret").await.stdout);
    assert!(
        stdout.contains("smime-ivov-1y") && stdout.contains("365 days at 39.00"),
        "{stdout}"
    );
    let out = run("domains", "wrong").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("refused the account key") && !text(&out.stderr).contains("wrong"),
        "{}",
        text(&out.stderr)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn probe_matches_the_sslcom_sandbox_and_reports_a_reference_one_as_a_mismatch() {
    let sb = sandbox().await;
    // One order, so that the probe also reads one back.
    let dir = TempDir::new("probe");
    write_roster(&dir.path("r.csv"), 1);
    let mut child = submit(&sb.url(), &dir.path("r.csv"), &dir.path("j"), &dir.path("o.csv"), 1);
    assert!(child.wait().await.unwrap().success());
    let probe = |url: String, profile: &'static str| async move {
        smime_bulk(
            &[
                "probe",
                "--ca",
                &url,
                "--ca-profile",
                profile,
                "--account-key",
                "sandbox-account",
            ],
            Some("sandbox-secret"),
        )
        .await
    };
    let out = probe(sb.url(), "sslcom").await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("7 checks: 7 match, 0 do not, 0 could not be made."),
        "{stdout}"
    );
    assert_eq!(orders(&sb.url()).await.len(), 1, "the probe orders nothing");

    let reference = start(SandboxConfig {
        profile: Profile::Reference,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let out = probe(reference.url(), "sslcom").await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for check in [
        "wrong keys on an order",
        "an order that does not exist",
        "a JSON order's preflight is allowed",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with("MISMATCH") && l.contains(check)),
            "{check}: {stdout}"
        );
    }
    assert!(orders(&reference.url()).await.is_empty(), "the probe orders nothing");
    sb.shutdown().await;
    reference.shutdown().await;
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_secret_key() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // "Elsewhere" counts the connections it gets; the CA redirects every request there.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_port = elsewhere.local_addr().unwrap().port();
    let reached = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reached.clone();
    let accept_elsewhere = tokio::spawn(async move {
        while let Ok((_socket, _)) = elsewhere.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let ca = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ca_url = format!("http://{}", ca.local_addr().unwrap());
    let redirecting = tokio::spawn(async move {
        while let Ok((mut socket, _)) = ca.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{elsewhere_port}/certificates\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    let dir = TempDir::new("redirect");
    write_roster(&dir.path("r.csv"), 1);
    let (j, r) = (
        dir.path("j").display().to_string(),
        dir.path("r.csv").display().to_string(),
    );
    let out = smime_bulk(
        &[
            "submit",
            "--ca",
            &ca_url,
            "--account-key",
            "a",
            "--domains",
            "example.com,example.org",
            "--product",
            "302",
            "--period",
            "365",
            "--journal",
            &j,
            &r,
        ],
        Some("s3cr3t-for-the-ca-only"),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("redirect") && stderr.contains(&format!("127.0.0.1:{elsewhere_port}")),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t"), "{stderr}");
    assert_eq!(
        reached.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing reached the other address"
    );
    redirecting.abort();
    accept_elsewhere.abort();
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
        "--domains",
        "example.com,example.org",
        "--product",
        "302",
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
    assert!(
        lines[1].starts_with("jane@example.com,co-") && lines[1].contains(&format!(",{PLACED_STATUS},$")),
        "{}",
        lines[1]
    );
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
        "--domains",
        "example.com",
        "--product",
        "303",
        "--period",
        "730",
        "--journal",
        &j,
        &r,
    ];
    let out = smime_bulk(&other, Some("sandbox-secret")).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("belongs to a batch with product 302 for 365 days"),
        "{}",
        text(&out.stderr)
    );
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
        "302",
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
            "--domains",
            "example.com,example.org",
            "--product",
            "302",
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
