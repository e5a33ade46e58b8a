//! `smime-bulk submit --mode enrollment` against the real sandbox CA over
//! HTTP on 127.0.0.1: chunks, one invoiced enrollment each, every address
//! found in the order list with its own reference, and the errors a user
//! sees when the flags do not fit.

mod support;

use smime_bulk_sandbox::start;
use std::collections::HashMap;
use support::*;
use tokio::process::Command;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn a_roster_is_enrolled_in_chunks_and_every_address_gets_its_own_order_reference() {
    let sb = start(sandbox_config()).await.unwrap();
    let ca = sb.url();
    let dir = TempDir::new("enroll-cli");
    let emails = write_roster(&dir.path("roster.csv"), 7);
    let out = submit_with(
        &ca,
        &dir.path("roster.csv"),
        &dir.path("batch.journal"),
        &dir.path("results.csv"),
        2,
        &enrollment_flags(3),
    )
    .wait_with_output()
    .await
    .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("7 addresses to enroll, 3 a time"), "{stderr}");
    assert!(
        stderr.contains("invoices: SSL.com's answer to an enrollment links no invoice"),
        "{stderr}"
    );
    assert!(stdout.contains("placed 7, rejected 0"), "{stdout}");

    let enrollments = enrollments(&ca).await;
    let sizes: Vec<usize> = enrollments
        .iter()
        .map(|e| e["orders"].as_array().map_or(0, Vec::len))
        .collect();
    let mut sorted = sizes.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 3, 3], "7 addresses, 3 a chunk: {enrollments:?}");
    let orders = orders(&ca).await;
    assert_eq!(lost_and_duplicated(&emails, &orders), (0, 0));
    let by_email: HashMap<&str, &str> = orders
        .iter()
        .map(|o| (o["email"].as_str().unwrap(), o["reference"].as_str().unwrap()))
        .collect();
    let results = std::fs::read_to_string(dir.path("results.csv")).unwrap();
    for email in &emails {
        let line = results.lines().find(|l| l.starts_with(&format!("{email},"))).unwrap();
        let reference = line.split(',').nth(1).unwrap();
        assert_eq!(reference, by_email[email.as_str()], "{line}");
        assert!(
            line.contains("unused. waiting on certificate signing request (csr)"),
            "{line}"
        );
    }
    let journal = std::fs::read_to_string(dir.path("batch.journal")).unwrap();
    assert!(journal.contains(r#""mode":{"enrollment":{"certificate_id":417,"approver_id":1,"chunk":3}}"#));
    assert!(!journal.contains("sandbox-secret"));

    // Resumed with other flags: refused, naming both.
    let out = submit(
        &ca,
        &dir.path("roster.csv"),
        &dir.path("batch.journal"),
        &dir.path("results.csv"),
        2,
    )
    .wait_with_output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("mode enrollment (certificate id 417, approver 1, 3 a chunk), not per-row"),
        "{stderr}"
    );
    sb.shutdown().await;
}

async fn refused(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_smime-bulk"))
        .args([
            "submit",
            "--ca",
            "http://127.0.0.1:9",
            "--account-key",
            "a",
            "--product",
            "302",
            "--journal",
            "/nonexistent/j",
        ])
        .args(args)
        .arg("roster.csv")
        .env("SMIME_BULK_SECRET_KEY", "s")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    text(&out.stderr)
}

#[tokio::test]
async fn enrollment_flags_that_do_not_fit_are_refused_before_anything_is_sent() {
    let enroll = |more: &[&'static str]| {
        let mut args = vec!["--mode", "enrollment", "--certificate-id", "417", "--approver-id", "1"];
        args.extend_from_slice(more);
        args
    };
    let e = refused(&["--period", "365", "--mode", "enrollment", "--approver-id", "1"]).await;
    assert!(e.contains("--certificate-id"), "{e}");
    let e = refused(&enroll(&["--period", "400"])).await;
    assert!(e.contains("--period 400: a bulk enrollment takes whole years"), "{e}");
    let e = refused(&enroll(&["--period", "365", "--ca-profile", "reference"])).await;
    assert!(
        e.contains("profile reference takes no bulk enrollment; use --mode per-row"),
        "{e}"
    );
    let e = refused(&["--period", "365", "--certificate-id", "417"]).await;
    assert!(e.contains("are for --mode enrollment"), "{e}");
    let e = refused(&enroll(&["--period", "365", "--chunk", "0"])).await;
    assert!(e.contains("--chunk"), "{e}");
    // Per-row orders have no chunks: a chunk asked for would silently mean nothing.
    let e = refused(&["--period", "365", "--chunk", "10"]).await;
    assert!(e.contains("--chunk are for --mode enrollment"), "{e}");
}
