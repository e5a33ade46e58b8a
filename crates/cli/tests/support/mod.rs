//! Shared by the submission tests and the benchmark: the sandbox's
//! configuration, a roster generator, the `smime-bulk submit` command against
//! a sandbox, and the sandbox's order count.

#![allow(dead_code)]

use serde_json::Value;
use smime_bulk_sandbox::{Profile, SandboxConfig, ADMIN_TOKEN_HEADER};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::{Child, Command};

/// The admin token the tests' sandboxes are started with.
pub const ADMIN_TOKEN: &str = "cli-tests-admin-token";

/// A sandbox on 127.0.0.1 and a free port that speaks SSL.com's API (the
/// default profile), with [`ADMIN_TOKEN`].
pub fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        profile: Profile::Sslcom,
        admin_token: Some(ADMIN_TOKEN.into()),
        ..SandboxConfig::default()
    }
}

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("smime-bulk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a valid roster of `rows` people in the demo account's domains.
pub fn write_roster(path: &Path, rows: usize) -> Vec<String> {
    let mut text = String::from("First Name,Last Name,Email,Country\n");
    let mut emails = Vec::with_capacity(rows);
    for i in 0..rows {
        let domain = if i % 2 == 0 { "example.com" } else { "mail.example.org" };
        let email = format!("person{i}@{domain}");
        text.push_str(&format!("Person,Number{i},{email},GB\n"));
        emails.push(email);
    }
    std::fs::write(path, text).unwrap();
    emails
}

/// Starts `smime-bulk submit` against `ca`, one order per row.
pub fn submit(ca: &str, roster: &Path, journal: &Path, out: &Path, concurrency: u32) -> Child {
    submit_with(ca, roster, journal, out, concurrency, &[])
}

/// The flags of a bulk enrollment of the sandbox's demo product 302 (its
/// `certificate_id` is 417), `chunk` addresses at a time.
pub fn enrollment_flags(chunk: usize) -> Vec<String> {
    [
        "--mode",
        "enrollment",
        "--certificate-id",
        "417",
        "--approver-id",
        "1",
        "--chunk",
    ]
    .map(str::to_owned)
    .into_iter()
    .chain([chunk.to_string()])
    .collect()
}

/// Starts `smime-bulk submit` against `ca` with `extra` flags.
pub fn submit_with(ca: &str, roster: &Path, journal: &Path, out: &Path, concurrency: u32, extra: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_smime-bulk"))
        .args([
            "submit",
            "--ca",
            ca,
            "--account-key",
            "sandbox-account",
            "--domains",
            "example.com,example.org",
            "--product",
            "302",
            "--period",
            "365",
        ])
        .arg("--journal")
        .arg(journal)
        .arg("--out")
        .arg(out)
        .args(["--concurrency", &concurrency.to_string(), "--timeout-secs", "10"])
        .args(extra)
        .arg(roster)
        .env("SMIME_BULK_SECRET_KEY", "sandbox-secret")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// A list the sandbox's admin endpoint `path` answers.
async fn admin_list(ca: &str, path: &str) -> Vec<Value> {
    let v: Value = reqwest::Client::new()
        .get(format!("{ca}{path}"))
        .header(ADMIN_TOKEN_HEADER, ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().cloned().unwrap_or_default()
}

/// Every order the sandbox holds (admin endpoint).
pub async fn orders(ca: &str) -> Vec<Value> {
    admin_list(ca, "/sandbox/orders").await
}

/// Every bulk enrollment the sandbox holds (admin endpoint).
pub async fn enrollments(ca: &str) -> Vec<Value> {
    admin_list(ca, "/sandbox/enrollments").await
}

/// Waits until the sandbox holds at least `n` orders (or the child exits).
pub async fn wait_for_orders(ca: &str, n: usize, child: &mut Child) -> usize {
    loop {
        let count = orders(ca).await.len();
        if count >= n || child.try_wait().unwrap().is_some() {
            return count;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The status SSL.com gives a new S/MIME order.
pub const PLACED_STATUS: &str = "waiting on validation from customer";

/// Rows the results file calls unconfirmed.
pub fn unconfirmed_in(results: &str) -> usize {
    results.lines().filter(|l| l.contains(",unconfirmed,")).count()
}

/// Lost and duplicated rows: rows with no order, and orders beyond one per row.
pub fn lost_and_duplicated(emails: &[String], orders: &[Value]) -> (usize, usize) {
    use std::collections::HashMap;
    let mut per_email: HashMap<&str, usize> = HashMap::new();
    for o in orders {
        *per_email.entry(o["email"].as_str().unwrap_or_default()).or_default() += 1;
    }
    let lost = emails.iter().filter(|e| !per_email.contains_key(e.as_str())).count();
    let duplicated = per_email.values().map(|n| n.saturating_sub(1)).sum();
    (lost, duplicated)
}
