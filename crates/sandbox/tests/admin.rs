//! The sandbox-only admin endpoints and pages, in both profiles: the admin
//! token, loopback callers only, no CORS; and the binary's first line.

mod support;

use serde_json::Value;
use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{start, Profile, SandboxConfig, ADMIN_TOKEN_HEADER};
use std::io::BufRead;
use support::{admin_get, client};

#[tokio::test]
async fn admin_endpoints_want_the_token_and_send_no_cors_headers() {
    for profile in [Profile::Sslcom, Profile::Reference] {
        let sb = support::sandbox_of(profile, Faults::default()).await;
        let url = format!("{}/sandbox/orders", sb.url());
        let r = client()
            .get(&url)
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{profile}: no token");
        assert!(r.headers().get("access-control-allow-origin").is_none());
        let r = client()
            .get(&url)
            .header(ADMIN_TOKEN_HEADER, "not-the-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{profile}: wrong token");
        let r = client()
            .get(&url)
            .header(ADMIN_TOKEN_HEADER, sb.admin_token())
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{profile}");
        assert!(
            !r.headers().keys().any(|k| k.as_str().starts_with("access-control-")),
            "{profile}: {:?}",
            r.headers()
        );
        // A page cannot even preflight them.
        let r = client()
            .request(reqwest::Method::OPTIONS, format!("{}/sandbox/faults", sb.url()))
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", ADMIN_TOKEN_HEADER)
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), 200, "{profile}");
        assert!(r.headers().get("access-control-allow-origin").is_none(), "{profile}");
        for path in ["/sandbox/faults", "/sandbox/accounts", "/sandbox/enrollments"] {
            let r = client().get(format!("{}{path}", sb.url())).send().await.unwrap();
            assert_eq!(r.status(), 401, "{profile} {path}");
        }
        assert!(sb.admin_token().len() == 32 && sb.admin_token().bytes().all(|b| b.is_ascii_hexdigit()));
        sb.shutdown().await;
    }
}

#[tokio::test]
async fn a_fixed_admin_token_is_used_and_a_weak_one_refused() {
    let sb = start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_token: Some("fixed-token-123".into()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(sb.admin_token(), "fixed-token-123");
    let r = client()
        .get(format!("{}/sandbox/orders", sb.url()))
        .header(ADMIN_TOKEN_HEADER, "fixed-token-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sb.shutdown().await;
    let weak = start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_token: Some("short".into()),
        ..SandboxConfig::default()
    })
    .await;
    assert!(weak.is_err());
}

#[tokio::test]
async fn the_accounts_endpoint_shows_enrollment_ids_and_funds_without_secrets() {
    let sb = support::sandbox_of(Profile::Sslcom, Faults::default()).await;
    let accounts = admin_get(&sb, "/sandbox/accounts").await;
    let products = accounts[0]["products"].as_array().unwrap();
    let ids: Vec<(&Value, &Value)> = products.iter().map(|p| (&p["code"], &p["certificate_id"])).collect();
    assert_eq!(ids, [(&"302".into(), &417.into()), (&"303".into(), &418.into())]);
    assert_eq!(accounts[0]["funds"], Value::Null, "unlimited");
    assert!(!accounts.to_string().contains("sandbox-secret"));
    sb.shutdown().await;
}

#[tokio::test]
async fn pages_answer_only_under_a_loopback_host_name() {
    let sb = support::sandbox_of(Profile::Reference, Faults::default()).await;
    let body = serde_json::json!({
        "account_key": "sandbox-account", "secret_key": "sandbox-secret",
        "product": "smime-ivov-1y", "period": 365, "email_address": "jane@example.com",
        "first_name": "Jane", "last_name": "Doe", "country": "GB",
    });
    let o: Value = client()
        .post(format!("{}/certificates", sb.url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let receipt = o["receipt_url"].as_str().unwrap();
    assert_eq!(client().get(receipt).send().await.unwrap().status(), 200);
    let r = client()
        .get(receipt)
        .header("host", "rebound.evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a DNS-rebinding page cannot read it");
    let r = client()
        .get(receipt)
        .header("host", format!("localhost:{}", sb.addr().port()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sb.shutdown().await;
}

/// A non-loopback address of this machine, if it has one.
fn own_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?; // no packet is sent
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn callers_from_other_machines_are_refused_the_admin_endpoints() {
    let Some(ip) = own_address() else {
        eprintln!("no non-loopback address: the unit test in admin.rs covers this");
        return;
    };
    let sb = start(SandboxConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let r = client()
        .get(format!("http://{ip}:{}/sandbox/orders", sb.addr().port()))
        .header(ADMIN_TOKEN_HEADER, sb.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "even with the token");
    let r = client()
        .get(format!(
            "http://{ip}:{}/certificates?account_key=a&secret_key=b",
            sb.addr().port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the API itself answers anyone");
    sb.shutdown().await;
}

/// Starts the binary and reads its first line; the child is killed on drop.
struct Binary(std::process::Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn first_line(args: &[&str]) -> (Binary, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_smime-bulk-sandbox"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
    (Binary(child), line.trim_end().to_owned())
}

#[tokio::test]
async fn the_binary_prints_its_url_profile_and_admin_token_on_the_first_line() {
    let (_child, line) = first_line(&[]);
    let rest = line
        .strip_prefix("smime-bulk-sandbox listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{line}"));
    let (port, rest) = rest.split_once(' ').unwrap();
    assert!(port.parse::<u16>().is_ok(), "{line}");
    let token = rest.strip_prefix("(profile sslcom) admin-token=").unwrap();
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{line}"
    );
    let r = client()
        .get(format!("http://127.0.0.1:{port}/sandbox/orders"))
        .header(ADMIN_TOKEN_HEADER, token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (_child, line) = first_line(&["--profile", "reference", "--admin-token", "my-own-token"]);
    assert!(
        line.ends_with(" (profile reference) admin-token=my-own-token"),
        "{line}"
    );
}
