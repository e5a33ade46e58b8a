//! The `reference` profile over real HTTP on 127.0.0.1 (a free port), as a
//! client sees it: smime-bulk's own first protocol, unchanged.

mod support;

use serde_json::{json, Value};
use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{start, Profile, Sandbox, SandboxConfig};
use support::{admin_get, admin_post, all_orders, client};

const CSR_1024: &str = include_str!("../../roster/tests/fixtures/csr/rsa1024.csr");
const CSR_2048: &str = include_str!("../../roster/tests/fixtures/csr/rsa2048.csr");

async fn sandbox(faults: Faults) -> Sandbox {
    support::sandbox_of(Profile::Reference, faults).await
}

fn order(email: &str, key: &str) -> Value {
    json!({
        "account_key": "sandbox-account", "secret_key": "sandbox-secret",
        "product": "smime-ivov-1y", "period": 365,
        "email_address": email, "first_name": "Jane", "last_name": "Doe", "country": "GB",
        "external_order_number": key,
    })
}

async fn post(sb: &Sandbox, body: &Value) -> (u16, Value) {
    let r = client()
        .post(format!("{}/certificates", sb.url()))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(sb: &Sandbox, path: &str) -> (u16, Value) {
    let r = client().get(format!("{}{path}", sb.url())).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

const AUTH: &str = "account_key=sandbox-account&secret_key=sandbox-secret";

/// The account's domains, the answer as it came (a fault's status and headers too).
async fn get_domains(sb: &Sandbox) -> reqwest::Response {
    client()
        .get(format!("{}/domains?{AUTH}", sb.url()))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_order_is_placed_listed_fetched_and_invoiced() {
    let sb = sandbox(Faults::default()).await;
    let (status, o) = post(&sb, &order("jane@example.com", "k-1")).await;
    assert_eq!(status, 201, "{o}");
    let reference = o["ref"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("co-"));
    assert_eq!(o["order_status"], "pending validation");
    assert_eq!(o["order_amount"], "39.00");
    assert_eq!(o["external_order_number"], "k-1");
    for link in ["certificate_url", "receipt_url", "validation_url"] {
        assert!(o[link].as_str().unwrap().starts_with(&sb.url()), "{link}");
    }

    let (_, list) = get(&sb, &format!("/certificates?{AUTH}&external_order_number=k-1")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["email_address"], "jane@example.com");
    let (_, none) = get(&sb, &format!("/certificates?{AUTH}&external_order_number=other")).await;
    assert_eq!(none, json!([]));

    let (status, one) = get(&sb, &format!("/certificate/{reference}?{AUTH}")).await;
    assert_eq!((status, one["ref"].as_str()), (200, Some(reference.as_str())));
    let (status, _) = get(&sb, &format!("/certificate/co-nope?{AUTH}")).await;
    assert_eq!(status, 404);

    let invoice = client()
        .get(o["receipt_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(invoice.contains(&reference) && invoice.contains("39.00") && invoice.contains("jane@example.com"));
    let validation = client()
        .get(o["validation_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(validation.contains("pending validation"));

    // Moved along through the admin endpoint.
    let path = format!("/sandbox/orders/{reference}/status");
    assert_eq!(admin_post(&sb, &path, r#"{"status":"issued"}"#).await, 200);
    let (_, one) = get(&sb, &format!("/certificate/{reference}?{AUTH}")).await;
    assert_eq!(one["order_status"], "issued");
    assert_eq!(admin_post(&sb, &path, r#"{"status":"bogus"}"#).await, 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn listing_is_paginated_with_an_empty_page_past_the_end() {
    let sb = sandbox(Faults::default()).await;
    for i in 0..5 {
        assert_eq!(
            post(&sb, &order(&format!("u{i}@example.com"), &format!("k{i}")))
                .await
                .0,
            201
        );
    }
    let (_, p1) = get(&sb, &format!("/certificates?{AUTH}&page=1&per_page=2")).await;
    let (_, p3) = get(&sb, &format!("/certificates?{AUTH}&page=3&per_page=2")).await;
    let (_, p4) = get(&sb, &format!("/certificates?{AUTH}&page=4&per_page=2")).await;
    assert_eq!(p1.as_array().unwrap().len(), 2);
    assert_eq!(p1[0]["email_address"], "u0@example.com");
    assert_eq!(p3.as_array().unwrap().len(), 1);
    assert_eq!(p4, json!([]));
    sb.shutdown().await;
}

#[tokio::test]
async fn domains_and_products_of_the_account() {
    let sb = sandbox(Faults::default()).await;
    let (_, d) = get(&sb, &format!("/domains?{AUTH}")).await;
    assert_eq!(d, json!({"domains": ["example.com", "example.org"]}));
    let (_, p) = get(&sb, &format!("/products?{AUTH}")).await;
    let codes: Vec<&str> = p["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["smime-ivov-1y", "smime-ivov-2y"]);
    assert_eq!(p["products"][1]["periods"][0], json!({"period": 730, "price": "69.00"}));
    sb.shutdown().await;
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_401_without_echoing_them() {
    let sb = sandbox(Faults::default()).await;
    let mut bad = order("jane@example.com", "k");
    bad["secret_key"] = json!("guess-123");
    let (status, body) = post(&sb, &bad).await;
    assert_eq!(status, 401);
    assert!(!body.to_string().contains("guess-123"));
    for path in [
        "/certificates",
        "/domains",
        "/products",
        "/certificates?account_key=sandbox-account&secret_key=nope",
    ] {
        assert_eq!(get(&sb, path).await.0, 401, "{path}");
    }
    assert_eq!(admin_get(&sb, "/sandbox/orders").await, json!([]));
    sb.shutdown().await;
}

#[tokio::test]
async fn the_server_re_validates_every_field_like_a_ca() {
    let sb = sandbox(Faults::default()).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"email_address": "not-an-address"}), "email_address"),
        (json!({"email_address": "x@gmail.com"}), "email_address"),
        (json!({"email_address": "x@notexample.com"}), "email_address"),
        (json!({"last_name": ""}), "last_name"),
        (json!({"first_name": "x".repeat(65)}), "first_name"),
        (json!({"country": "UK"}), "country"),
        (json!({"csr": CSR_1024}), "csr"),
        (json!({"csr": "garbage"}), "csr"),
        (json!({"product": "smime-gold"}), "product"),
        (json!({"period": 825}), "period"),
    ];
    for (change, field) in cases {
        let mut body = order("jane@example.com", "k");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, answer) = post(&sb, &body).await;
        assert_eq!(status, 422, "{change}: {answer}");
        assert!(
            answer["errors"][field]
                .as_array()
                .is_some_and(|m| !m[0].as_str().unwrap().is_empty()),
            "{change}: {answer}"
        );
    }
    let r = client()
        .post(format!("{}/certificates", sb.url()))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A good CSR passes, and a subdomain of a validated domain too.
    let mut body = order("jane@mail.example.com", "k");
    body["csr"] = json!(CSR_2048);
    assert_eq!(post(&sb, &body).await.0, 201);
    assert_eq!(all_orders(&sb).await.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_same_key_twice_makes_two_orders() {
    let sb = sandbox(Faults::default()).await;
    assert_eq!(post(&sb, &order("jane@example.com", "same")).await.0, 201);
    assert_eq!(post(&sb, &order("jane@example.com", "same")).await.0, 201);
    let (_, list) = get(&sb, &format!("/certificates?{AUTH}&external_order_number=same")).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "exactly-once is the client's job");
    sb.shutdown().await;
}

#[tokio::test]
async fn cors_preflight_is_answered() {
    let sb = sandbox(Faults::default()).await;
    let r = client()
        .request(reqwest::Method::OPTIONS, format!("{}/certificates", sb.url()))
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    sb.shutdown().await;

    let only = start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        profile: Profile::Reference,
        cors_origin: "http://app.test".into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let r = client()
        .get(format!("{}/domains?{AUTH}", only.url()))
        .header("Origin", "http://app.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "http://app.test");
    only.shutdown().await;
}

#[tokio::test]
async fn injected_faults_fail_drop_and_rate_limit() {
    let sb = sandbox(Faults {
        fail_rate: 1.0,
        ..Faults::default()
    })
    .await;
    assert_eq!(post(&sb, &order("a@example.com", "k")).await.0, 500);
    assert_eq!(
        all_orders(&sb).await,
        Vec::<Value>::new(),
        "a failed request does nothing"
    );

    // A counted failure: the next two requests fail, whatever the rate, then none.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"fail_rate":0,"fail_next":2}"#).await,
        200
    );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(get_domains(&sb).await.status().as_u16());
    }
    assert_eq!(statuses, [500, 500, 200]);

    // Changed at run time: now every creation is dropped after the order exists.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"fail_rate":0,"drop_rate":1}"#).await,
        200
    );
    // The answer is cut off after its first bytes: no usable answer arrives.
    let answer = support::read_through(
        client()
            .post(format!("{}/certificates", sb.url()))
            .json(&order("b@example.com", "kb")),
    )
    .await;
    assert!(answer.is_err(), "no answer: {answer:?}");
    assert_eq!(all_orders(&sb).await.len(), 1, "but the order was created");

    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"drop_rate":0,"rate_limit":2}"#).await,
        200
    );
    let mut limited = None;
    for _ in 0..5 {
        let r = get_domains(&sb).await;
        if r.status() == 429 {
            limited = Some(r.headers()["retry-after"].to_str().unwrap().to_owned());
            break;
        }
    }
    assert_eq!(limited.as_deref(), Some("1"));

    // Created, then answered 500 anyway.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"rate_limit":0,"created_error_rate":1}"#).await,
        200
    );
    assert_eq!(post(&sb, &order("c@example.com", "kc")).await.0, 500);
    assert_eq!(all_orders(&sb).await.len(), 2, "the order was created");
    assert_eq!(admin_post(&sb, "/sandbox/faults", r#"{"fail_rate":2}"#).await, 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn orders_survive_a_restart_with_a_database_file() {
    let dir = std::env::temp_dir().join(format!("smime-bulk-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("orders.sqlite");
    let config = SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        profile: Profile::Reference,
        db: Some(db.clone()),
        ..SandboxConfig::default()
    };
    let first = start(config.clone()).await.unwrap();
    let (_, o) = post(&first, &order("keep@example.com", "persist")).await;
    first.shutdown().await;
    let second = start(config).await.unwrap();
    let (_, list) = get(&second, &format!("/certificates?{AUTH}&external_order_number=persist")).await;
    assert_eq!(list[0]["ref"], o["ref"]);
    let (_, o2) = post(&second, &order("next@example.com", "persist-2")).await;
    assert_ne!(o2["ref"], o["ref"]);
    second.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
