//! Shared by the sandbox's HTTP tests: start a sandbox on a free port, and
//! call its admin endpoints with its token.

#![allow(dead_code)]

use serde_json::Value;
use smime_bulk_sandbox::accounts::Account;
use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{start, Profile, Sandbox, SandboxConfig, ADMIN_TOKEN_HEADER};

/// A sandbox of `profile` on 127.0.0.1 and a free port, seed 5, with the
/// profile's demo account.
pub async fn sandbox_of(profile: Profile, faults: Faults) -> Sandbox {
    sandbox_with(profile, Vec::new(), faults).await
}

/// The same with these accounts.
pub async fn sandbox_with(profile: Profile, accounts: Vec<Account>, faults: Faults) -> Sandbox {
    start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        profile,
        accounts,
        faults,
        seed: 5,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// Sends `request` and reads its answer to the end; `Err` when the
/// connection is cut before a whole answer arrives (the drop fault).
pub async fn read_through(request: reqwest::RequestBuilder) -> Result<String, String> {
    match request.send().await {
        Ok(r) => r.text().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// An admin request with the sandbox's token.
pub fn admin(sb: &Sandbox, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    client()
        .request(method, format!("{}{path}", sb.url()))
        .header(ADMIN_TOKEN_HEADER, sb.admin_token())
}

/// `GET` an admin endpoint's JSON.
pub async fn admin_get(sb: &Sandbox, path: &str) -> Value {
    let r = admin(sb, reqwest::Method::GET, path).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// `POST` a JSON text to an admin endpoint; the status.
pub async fn admin_post(sb: &Sandbox, path: &str, body: &str) -> u16 {
    admin(sb, reqwest::Method::POST, path)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Every order the sandbox holds.
pub async fn all_orders(sb: &Sandbox) -> Vec<Value> {
    admin_get(sb, "/sandbox/orders").await.as_array().cloned().unwrap()
}
