//! The `sslcom` profile answers with the same keys and JSON types as the
//! recorded SSL.com answers in crates/ca/tests/fixtures/sslcom/ (see its
//! README), so the client's parser tests and the sandbox agree with one
//! record.

mod support;

use serde_json::{json, Value};
use smime_bulk_sandbox::accounts::demo;
use smime_bulk_sandbox::{start, Profile, Sandbox, SandboxConfig};
use support::{admin_post, client};

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_str!(concat!("../../ca/tests/fixtures/sslcom/", $name)))
    };
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `answer` differs from `record` in keys or JSON types; the elements
/// of an array all have the shape of the record's first element.
fn differences(path: &str, answer: &Value, record: &Value, out: &mut Vec<String>) {
    if kind(answer) != kind(record) {
        out.push(format!(
            "{path}: {} in the answer, {} in the record",
            kind(answer),
            kind(record)
        ));
        return;
    }
    match (answer, record) {
        (Value::Object(a), Value::Object(r)) => {
            for k in r.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{k}: missing from the answer"));
            }
            for k in a.keys().filter(|k| !r.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in the record"));
            }
            for (k, v) in a {
                if let Some(rv) = r.get(k) {
                    differences(&format!("{path}.{k}"), v, rv, out);
                }
            }
        }
        (Value::Array(a), Value::Array(r)) => match r.first() {
            Some(first) => {
                if a.is_empty() {
                    out.push(format!("{path}: empty in the answer"));
                }
                for (i, v) in a.iter().enumerate() {
                    differences(&format!("{path}[{i}]"), v, first, out);
                }
            }
            None => {
                if !a.is_empty() {
                    out.push(format!("{path}: empty in the record"));
                }
            }
        },
        _ => {}
    }
}

fn assert_shape(name: &str, record: &str, status: u16, expected_status: u16, answer: &Value) {
    let record: Value = serde_json::from_str(record).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(status, expected_status, "{name}: {answer}");
    let mut out = Vec::new();
    differences("$", answer, &record, &mut out);
    assert!(out.is_empty(), "{name}:\n  {}\nanswer: {answer:#}", out.join("\n  "));
}

fn order(email: &str) -> Vec<(&'static str, String)> {
    [
        ("account_key", "sandbox-account"),
        ("secret_key", "sandbox-secret"),
        ("product", "302"),
        ("period", "365"),
        ("country", "GB"),
        ("organization", "Example Ltd"),
        ("external_order_number", "b7c1e9/row-000012"),
        ("contacts[all][first_name]", "Ana"),
        ("contacts[all][last_name]", "Silva"),
        ("contacts[all][email]", "pki-admin@example.com"),
        ("contacts[all][phone]", "+44 20 7946 0018"),
        ("contacts[all][country]", "GB"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .chain([("domains", email.to_owned())])
    .collect()
}

fn with(mut pairs: Vec<(&'static str, String)>, key: &'static str, value: &str) -> Vec<(&'static str, String)> {
    pairs.retain(|(k, _)| *k != key);
    pairs.push((key, value.to_owned()));
    pairs
}

async fn post(sb: &Sandbox, path: &str, pairs: &[(&'static str, String)]) -> (u16, Value) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let r = client()
        .post(format!("{}{path}", sb.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get(sb: &Sandbox, path: &str) -> (u16, Value) {
    let r = client().get(format!("{}{path}", sb.url())).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

const AUTH: &str = "account_key=sandbox-account&secret_key=sandbox-secret";

#[tokio::test]
async fn the_sandbox_answers_in_the_shapes_of_the_recorded_sslcom_answers() {
    let mut accounts = demo(Profile::Sslcom);
    let mut short = accounts[0].clone();
    short.account_key = "short-of-funds".into();
    short.funds = Some("20.00".into());
    accounts.push(short);
    let sb = start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        accounts,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();

    let (name, record) = fixture!("create_ok.json");
    let (status, created) = post(&sb, "/certificates", &order("ana.silva@example.com")).await;
    assert_shape(name, record, status, 200, &created);
    let reference = created["ref"].as_str().unwrap().to_owned();
    post(&sb, "/certificates", &order("bo.chen@mail.example.com")).await;

    let (name, record) = fixture!("create_error_400.json");
    let (status, a) = post(&sb, "/certificates", &with(order("a@example.com"), "period", "825")).await;
    assert_shape(name, record, status, 400, &a);

    let (name, record) = fixture!("create_login_400.json");
    let (status, a) = post(
        &sb,
        "/certificates",
        &with(order("a@example.com"), "secret_key", "wrong"),
    )
    .await;
    assert_shape(name, record, status, 400, &a);

    let (name, record) = fixture!("create_funds_200.json");
    let short = with(
        with(order("a@example.com"), "account_key", "short-of-funds"),
        "secret_key",
        "sandbox-secret",
    );
    let (status, a) = post(&sb, "/certificates", &short).await;
    assert_shape(name, record, status, 200, &a);

    let (name, record) = fixture!("server_error_500.json");
    let (status, a) = post(&sb, "/certificates", &with(order("a@example.com"), "period", "1461")).await;
    assert_shape(name, record, status, 500, &a);

    let (name, record) = fixture!("show_ok.json");
    let (status, a) = get(&sb, &format!("/certificate/{reference}?{AUTH}")).await;
    assert_shape(name, record, status, 200, &a);

    let (name, record) = fixture!("show_missing_ref_200.json");
    let (status, a) = get(&sb, &format!("/certificate/co-0000000000?{AUTH}")).await;
    assert_shape(name, record, status, 200, &a);

    let (name, record) = fixture!("list_page.json");
    let (status, a) = get(&sb, &format!("/certificates?{AUTH}")).await;
    assert_eq!(a.as_array().map(Vec::len), Some(2));
    assert_shape(name, record, status, 200, &a);

    let (name, record) = fixture!("enrollment_ok.json");
    let enrollment = [
        ("account_key", "sandbox-account"),
        ("secret_key", "sandbox-secret"),
        ("certificate_id", "417"),
        ("duration", "1"),
        ("approver_id", "1"),
        ("domains", "c@example.com,d@example.com"),
    ]
    .map(|(k, v)| (k, v.to_owned()));
    let (status, a) = post(&sb, "/certificate_enrollment", &enrollment).await;
    assert_shape(name, record, status, 200, &a);

    let (name, record) = fixture!("enrollment_blank_200.json");
    let blank: Vec<(&str, String)> = enrollment
        .iter()
        .filter(|(k, _)| *k != "duration" && *k != "approver_id")
        .cloned()
        .collect();
    let (status, a) = post(&sb, "/certificate_enrollment", &blank).await;
    assert_shape(name, record, status, 200, &a);

    let (name, record) = fixture!("enrollment_login_200.json");
    let wrong: Vec<(&str, String)> = enrollment
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "secret_key" {
                    "wrong".to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let (status, a) = post(&sb, "/certificate_enrollment", &wrong).await;
    assert_shape(name, record, status, 200, &a);

    // The created-but-error answer, from the fault that imitates it.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"created_error_rate":1}"#).await,
        200
    );
    let (name, record) = fixture!("create_contacts_200.json");
    let mut seen = false;
    for i in 0..10 {
        let (status, a) = post(&sb, "/certificates", &order(&format!("e{i}@example.com"))).await;
        if status == 200 {
            assert_shape(name, record, status, 200, &a);
            seen = true;
        }
    }
    assert!(seen, "the contacts kind of the fault");
    sb.shutdown().await;
}

#[test]
fn the_shape_check_names_what_differs() {
    let mut out = Vec::new();
    differences(
        "$",
        &json!({"a": 1, "b": [{"c": "x"}], "d": null}),
        &json!({"a": "1", "b": [{"c": "y", "e": 2}], "f": null}),
        &mut out,
    );
    out.sort();
    assert_eq!(
        out,
        [
            "$.a: number in the answer, string in the record",
            "$.b[0].e: missing from the answer",
            "$.d: not in the record",
            "$.f: missing from the answer",
        ]
    );
}
