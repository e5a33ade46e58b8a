//! The `sslcom` profile over real HTTP on 127.0.0.1 (a free port), as a
//! client of SSL.com's SWS API sees it (docs/sslcom-sws.md).

mod support;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use smime_bulk_sandbox::accounts::{Account, PeriodOffer, ProductOffer};
use smime_bulk_sandbox::faults::Faults;
use smime_bulk_sandbox::{Profile, Sandbox};
use support::{admin_get, admin_post, all_orders, client};

const CSR_1024: &str = include_str!("../../roster/tests/fixtures/csr/rsa1024.csr");
const AUTH: &str = "account_key=sandbox-account&secret_key=sandbox-secret";
const LOGIN: &str = "account_key not found or wrong secret_key";

async fn sandbox() -> Sandbox {
    support::sandbox_of(Profile::Sslcom, Faults::default()).await
}

async fn sandbox_with(accounts: Vec<Account>) -> Sandbox {
    support::sandbox_with(Profile::Sslcom, accounts, Faults::default()).await
}

/// A form-encoded IV+OV order for `email`, as a browser page would send it.
fn order(email: &str, key: &str) -> Vec<(String, String)> {
    [
        ("account_key", "sandbox-account"),
        ("secret_key", "sandbox-secret"),
        ("product", "302"),
        ("period", "365"),
        ("domains", email),
        ("country", "GB"),
        ("organization", "Example Ltd"),
        ("external_order_number", key),
        ("contacts[all][first_name]", "Jane"),
        ("contacts[all][last_name]", "Doe"),
        ("contacts[all][email]", "admin@example.com"),
        ("contacts[all][phone]", "+44 20 7946 0000"),
        ("contacts[all][country]", "GB"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn with(mut pairs: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    pairs.retain(|(k, _)| k != key);
    pairs.push((key.to_owned(), value.to_owned()));
    pairs
}

fn without(mut pairs: Vec<(String, String)>, key: &str) -> Vec<(String, String)> {
    pairs.retain(|(k, _)| k != key);
    pairs
}

fn encode(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn answer(r: reqwest::Response) -> (u16, HeaderMap, Value) {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

async fn post_form(sb: &Sandbox, path: &str, pairs: &[(String, String)]) -> (u16, HeaderMap, Value) {
    let r = client()
        .post(format!("{}{path}", sb.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs))
        .send()
        .await
        .unwrap();
    answer(r).await
}

async fn create(sb: &Sandbox, pairs: &[(String, String)]) -> (u16, Value) {
    let (status, _, body) = post_form(sb, "/certificates", pairs).await;
    (status, body)
}

async fn get(sb: &Sandbox, path: &str) -> (u16, HeaderMap, Value) {
    answer(client().get(format!("{}{path}", sb.url())).send().await.unwrap()).await
}

fn is_ref(s: &str) -> bool {
    s.strip_prefix("co-")
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn account(key: &str, funds: Option<&str>, products: &[(&str, &[(u32, &str)])]) -> Account {
    Account {
        account_key: key.into(),
        secret_key: format!("{key}-secret"),
        domains: vec!["example.com".into()],
        products: products
            .iter()
            .map(|(code, periods)| ProductOffer {
                code: (*code).into(),
                name: format!("Product {code}"),
                periods: periods
                    .iter()
                    .map(|(period, price)| PeriodOffer {
                        period: *period,
                        price: (*price).into(),
                    })
                    .collect(),
                certificate_id: Some(900 + code.parse::<u64>().unwrap()),
                product_name: None,
            })
            .collect(),
        team: None,
        funds: funds.map(str::to_owned),
    }
}

fn keys_of(a: &Account) -> Vec<(String, String)> {
    vec![
        ("account_key".into(), a.account_key.clone()),
        ("secret_key".into(), a.secret_key.clone()),
    ]
}

#[tokio::test]
async fn a_form_encoded_order_is_created_and_answered_like_sslcom() {
    let sb = sandbox().await;
    let (status, o) = create(&sb, &order("jane@example.com", "batch-1/row-1")).await;
    assert_eq!(status, 200, "{o}");
    let reference = o["ref"].as_str().unwrap().to_owned();
    assert!(is_ref(&reference), "{reference}");
    assert_eq!(o["order_status"], "waiting on validation from customer");
    assert_eq!(o["validations"], Value::Null);
    assert_eq!(o["order_amount"], "$90.00");
    assert_eq!(o["external_order_number"], "batch-1/row-1");
    assert_eq!(o["registrant"]["organization"], "Example Ltd");
    assert_eq!(o["registrant"]["country"], "GB");
    assert!(o["certificate_contents"]["ref"].is_string());
    let team = format!("{}/team/sandbox-team/", sb.url());
    for link in ["certificate_url", "receipt_url", "smart_seal_url", "validation_url"] {
        assert!(o[link].as_str().unwrap().starts_with(&team), "{link}: {o}");
    }
    let orders = all_orders(&sb).await;
    assert_eq!(orders.len(), 1);
    let stored = &orders[0];
    assert_eq!(
        (
            &stored["email"],
            &stored["first_name"],
            &stored["last_name"],
            &stored["product"]
        ),
        (&json!("jane@example.com"), &json!("Jane"), &json!("Doe"), &json!("302"))
    );
    assert_eq!(stored["external_order_number"], "batch-1/row-1");
    assert_eq!(stored["enrollment_id"], Value::Null);

    // The links open pages on the sandbox.
    for (link, needle) in [
        ("receipt_url", "$90.00"),
        ("validation_url", "jane@example.com"),
        ("certificate_url", "batch-1/row-1"),
        ("smart_seal_url", reference.as_str()),
    ] {
        let r = client().get(o[link].as_str().unwrap()).send().await.unwrap();
        assert_eq!(r.status(), 200, "{link}");
        assert!(r.headers().get("access-control-allow-origin").is_none(), "{link}");
        assert!(r.text().await.unwrap().contains(needle), "{link}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn json_bodies_and_query_strings_are_read_like_form_bodies() {
    let sb = sandbox().await;
    let body = json!({
        "account_key": "sandbox-account", "secret_key": "sandbox-secret",
        "product": "303", "period": 730, "domains": ["json@example.org"], "country": "DE",
        "external_order_number": "json-1",
        "contacts": {"all": {"first_name": "Jo", "last_name": "Json", "email": "jo@example.org", "phone": "1"}},
    });
    let r = client()
        .post(format!("{}/certificates", sb.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, _, o) = answer(r).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["order_amount"], "$499.00", "303 for two years");

    // Everything in the query string, nothing in the body.
    let query = encode(&order("query@example.com", "query-1"));
    let r = client()
        .post(format!("{}/certificates?{query}", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(r).await.0, 200);

    // The query string wins over the body.
    let body = encode(&with(order("body@example.com", "body-1"), "product", "999"));
    let r = client()
        .post(format!("{}/certificates?product=302", sb.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer(r).await.0, 200);

    // A body that is not JSON is the JSON middleware's 400, without CORS headers.
    let r = client()
        .post(format!("{}/certificates", sb.url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, headers, e) = answer(r).await;
    assert_eq!(status, 400);
    assert_eq!(e["status"], 400);
    assert!(e["error"]
        .as_str()
        .unwrap()
        .starts_with("There was a problem in the JSON you submitted: "));
    assert!(headers.get("access-control-allow-origin").is_none());

    let emails: Vec<String> = all_orders(&sb)
        .await
        .iter()
        .map(|o| o["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails, ["json@example.org", "query@example.com", "body@example.com"]);
    sb.shutdown().await;
}

#[tokio::test]
async fn validation_failures_are_400_in_the_response_type_shape_and_create_nothing() {
    let sb = sandbox().await;
    let base = order("jane@example.com", "k");
    // (the form, the field of `message`, a message it must hold)
    type Case<'a> = (Vec<(String, String)>, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (with(base.clone(), "secret_key", "guess-123"), "login", Some(LOGIN)),
        (
            without(base.clone(), "account_key"),
            "account_key",
            Some("can't be blank"),
        ),
        (
            with(base.clone(), "product", "999"),
            "product",
            Some("needs to one of the following: 302, 303"),
        ),
        (
            with(base.clone(), "period", "825"),
            "period",
            Some("needs to be one of the following: 365, 730, 1095, 1461, 1826"),
        ),
        (with(base.clone(), "csr", CSR_1024), "csr", None),
        (with(base.clone(), "csr", "garbage"), "csr", None),
        (with(base.clone(), "domains", "not-an-address"), "domains", None),
        (with(base.clone(), "domains", "x@gmail.com"), "domains", None),
        (without(base.clone(), "domains"), "domains", None),
        (
            without(base.clone(), "domains")
                .into_iter()
                .chain(["a@example.com", "b@example.com"].map(|m| ("domains[]".to_owned(), m.to_owned())))
                .collect(),
            "domains",
            Some("You have exceeded the maximum of 1 domain(s) or subdomains for this certificate."),
        ),
        (with(base.clone(), "country", "UK"), "country", None),
        (
            with(base.clone(), "contacts[all][first_name]", &"x".repeat(65)),
            "contacts[all][first_name]",
            None,
        ),
        (
            with(base.clone(), "contacts[all][last_name]", ""),
            "contacts[all][last_name]",
            None,
        ),
    ];
    for (pairs, field, message) in cases {
        let (status, e) = create(&sb, &pairs).await;
        assert_eq!(status, 400, "{field}: {e}");
        assert_eq!(
            (&e["response_type"], &e["response_code"]),
            (&json!("ERROR"), &json!(400))
        );
        let messages = e["message"][field].as_array().unwrap_or_else(|| panic!("{field}: {e}"));
        assert!(!messages[0].as_str().unwrap().is_empty());
        if let Some(m) = message {
            assert!(messages.contains(&json!(m)), "{field}: {e}");
        }
        assert!(!e.to_string().contains("guess-123"));
    }
    // Names are optional: without contacts they are not checked.
    let mut no_contacts = base.clone();
    no_contacts.retain(|(k, _)| !k.starts_with("contacts"));
    assert_eq!(create(&sb, &no_contacts).await.0, 200);
    assert_eq!(all_orders(&sb).await.len(), 1, "only the good order");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_period_or_product_without_a_price_is_a_500_and_creates_nothing() {
    // Both 302 and 303 are in the catalogue, but this account prices only
    // 302, and only for one and two years.
    let small = account("small", None, &[("302", &[(365, "90.00"), (730, "120.00")])]);
    let other = account("other", None, &[("303", &[(365, "249.00")])]);
    let sb = sandbox_with(vec![small.clone(), other]).await;
    let good = |period: &str, product: &str| {
        let mut p = keys_of(&small);
        p.extend(
            [
                ("product", product),
                ("period", period),
                ("domains", "a@example.com"),
                ("country", "GB"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        p
    };
    assert_eq!(create(&sb, &good("730", "302")).await.0, 200);
    for (period, product) in [("1095", "302"), ("1461", "302"), ("1826", "302"), ("365", "303")] {
        let (status, e) = create(&sb, &good(period, product)).await;
        assert_eq!(status, 500, "{period} {product}: {e}");
        assert_eq!(
            e,
            json!({"response_type": "ERROR", "response_code": 500, "message": "server error"})
        );
    }
    assert_eq!(all_orders(&sb).await.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_account_short_of_funds_gets_errors_funded_account_and_no_order() {
    let funded = account("funded", Some("100.00"), &[("302", &[(365, "90.00")])]);
    let sb = sandbox_with(vec![funded.clone()]).await;
    let mut pairs = keys_of(&funded);
    pairs.extend(
        [
            ("product", "302"),
            ("period", "365"),
            ("domains", "a@example.com"),
            ("country", "GB"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    assert_eq!(create(&sb, &pairs).await.0, 200);
    let (status, e) = create(&sb, &pairs).await;
    assert_eq!(status, 200);
    assert_eq!(
        e,
        json!({"errors": {"funded_account": [
            "Not enough funds in the account to complete this purchase! Please deposit additional $80.00."
        ]}})
    );
    assert_eq!(all_orders(&sb).await.len(), 1, "nothing created");
    let accounts = admin_get(&sb, "/sandbox/accounts").await;
    assert_eq!(accounts[0]["funds_left"], "$10.00");
    assert!(!accounts.to_string().contains("funded-secret"));
    sb.shutdown().await;

    // The demo account is unlimited, like SSL.com's sandbox.
    let sb = sandbox().await;
    for i in 0..15 {
        assert_eq!(create(&sb, &order(&format!("u{i}@example.com"), "k")).await.0, 200);
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn contacts_without_a_phone_create_the_order_and_answer_errors_contacts() {
    let sb = sandbox().await;
    let (status, e) = create(&sb, &without(order("jane@example.com", "k"), "contacts[all][phone]")).await;
    assert_eq!(status, 200);
    let roles: Vec<Value> = ["administrative", "billing", "technical", "validation"]
        .iter()
        .map(|r| json!({ *r: {"phone": ["can't be blank"]} }))
        .collect();
    assert_eq!(e, json!({"errors": {"contacts": roles}}), "no ref");
    assert_eq!(all_orders(&sb).await.len(), 1, "but the order exists");
    sb.shutdown().await;
}

#[tokio::test]
async fn show_has_no_ref_and_answers_its_errors_with_200() {
    let other = account("other", None, &[("302", &[(365, "90.00")])]);
    let mut accounts = smime_bulk_sandbox::accounts::demo(Profile::Sslcom);
    accounts.push(other.clone());
    let sb = sandbox_with(accounts).await;
    let (_, o) = create(&sb, &order("jane@example.com", "show-1")).await;
    let reference = o["ref"].as_str().unwrap();

    let (status, headers, s) = get(&sb, &format!("/certificate/{reference}?{AUTH}")).await;
    assert_eq!(status, 200);
    assert!(s.get("ref").is_none(), "{s}");
    assert_eq!(s["external_order_number"], "show-1");
    assert_eq!(s["product"], "302");
    assert_eq!(s["product_name"], "personal-business");
    assert_eq!(s["description"], "1 Year Personal Business");
    assert_eq!(s["order_status"], "waiting on validation from customer");
    assert_eq!(s["domains"], json!(["jane@example.com"]));
    assert_eq!(s["certificates"], Value::Null);
    assert_eq!(s["registrant"]["organization"], "Example Ltd");
    assert_eq!(s["contacts"].as_array().unwrap().len(), 4);
    let date = s["order_date"].as_str().unwrap();
    assert!(
        date.len() == 24 && date.ends_with('Z') && &date[10..11] == "T",
        "{date}"
    );
    assert_eq!(headers["access-control-allow-origin"], "*");

    let (status, _, e) = get(&sb, &format!("/certificate/co-0000009999?{AUTH}")).await;
    assert_eq!((status, e), (200, json!({"errors": {"ref": ["doesn't exist'"]}})));
    let other_keys = format!("account_key={}&secret_key={}", other.account_key, other.secret_key);
    let (status, _, e) = get(&sb, &format!("/certificate/{reference}?{other_keys}")).await;
    assert_eq!(
        (status, e),
        (
            200,
            json!({"errors": {"certificate_order": [format!("Certificate order not found for ref {reference}.")]}})
        )
    );
    let (status, _, e) = get(
        &sb,
        &format!("/certificate/{reference}?account_key=sandbox-account&secret_key=nope"),
    )
    .await;
    assert_eq!((status, e), (200, json!({"errors": {"login": [LOGIN]}})));
    let (status, _, e) = get(&sb, &format!("/certificate/{reference}?{AUTH}&query_type=everything")).await;
    assert_eq!(status, 200);
    assert!(e["errors"]["query_type"].is_array());
    let (status, headers, _) = get(&sb, &format!("/certificate/{}?{AUTH}", reference.to_uppercase())).await;
    assert_eq!(status, 404, "the route's ref is [a-z0-9-]+");
    assert!(headers.get("access-control-allow-methods").is_none());

    // A revoked order has no status string; a canceled one does not exist.
    assert_eq!(
        admin_post(
            &sb,
            &format!("/sandbox/orders/{reference}/status"),
            r#"{"status":"revoked"}"#
        )
        .await,
        200
    );
    let (_, _, s) = get(&sb, &format!("/certificate/{reference}?{AUTH}")).await;
    assert_eq!(s["order_status"], Value::Null);
    assert_eq!(
        admin_post(
            &sb,
            &format!("/sandbox/orders/{reference}/status"),
            r#"{"status":"canceled"}"#
        )
        .await,
        200
    );
    let (_, _, e) = get(&sb, &format!("/certificate/{reference}?{AUTH}")).await;
    assert_eq!(e, json!({"errors": {"ref": ["doesn't exist'"]}}));
    let (_, _, list) = get(&sb, &format!("/certificates?{AUTH}")).await;
    assert_eq!(list, json!([]));
    sb.shutdown().await;
}

#[tokio::test]
async fn the_list_is_a_bare_array_newest_first_paged_by_ten_with_null_external_order_numbers() {
    let sb = sandbox().await;
    let mut refs = Vec::new();
    for i in 0..12 {
        let (status, o) = create(&sb, &order(&format!("u{i}@example.com"), &format!("k-{i}"))).await;
        assert_eq!(status, 200);
        refs.push(o["ref"].as_str().unwrap().to_owned());
    }
    let (status, headers, p1) = get(&sb, &format!("/certificates?{AUTH}")).await;
    assert_eq!(status, 200);
    let p1 = p1.as_array().unwrap().clone();
    assert_eq!(p1.len(), 10, "per_page is 10 by default");
    assert_eq!(p1[0]["ref"], refs[11].as_str(), "newest first");
    assert_eq!(p1[0]["domains"], json!(["u11@example.com"]));
    assert_eq!(p1[0]["order_status"], "waiting on validation from customer");
    assert!(p1[0]["order_date"].is_string());
    assert!(
        p1.iter().all(|o| o["external_order_number"].is_null()),
        "never set in list items"
    );
    assert!(headers.get("access-control-expose-headers").is_none());
    let (_, _, p2) = get(&sb, &format!("/certificates?{AUTH}&page=2")).await;
    assert_eq!(p2.as_array().unwrap().len(), 2);
    assert_eq!(p2[1]["ref"], refs[0].as_str());
    let (_, _, p3) = get(&sb, &format!("/certificates?{AUTH}&page=3")).await;
    assert_eq!(p3, json!([]), "a page past the end is empty");
    let (_, _, big) = get(&sb, &format!("/certificates?{AUTH}&per_page=5000&page=1")).await;
    assert_eq!(big.as_array().unwrap().len(), 12);
    let (_, _, p) = get(&sb, &format!("/certificates?{AUTH}&per_page=5&page=2")).await;
    assert_eq!(p[0]["ref"], refs[6].as_str());

    // Ignored, as by SSL.com: the external_order_number parameter, start/end,
    // other search terms.
    for q in [
        "external_order_number=k-3",
        "start=01-01-2000&end=01-02-2000",
        "search=external_order_number:k-3",
        "search=jane",
    ] {
        let (_, _, l) = get(&sb, &format!("/certificates?{AUTH}&per_page=100&{q}")).await;
        assert_eq!(l.as_array().unwrap().len(), 12, "{q}");
    }
    let (_, _, few) = get(&sb, &format!("/certificates?{AUTH}&fields=ref,domains")).await;
    assert_eq!(few[0].as_object().unwrap().len(), 2);

    let (status, _, e) = get(&sb, "/certificates?account_key=sandbox-account&secret_key=nope").await;
    assert_eq!((status, e), (200, json!({"errors": {"login": [LOGIN]}})));
    let (status, _, _) = get(&sb, &format!("/certificates?{AUTH}&page=0")).await;
    assert_eq!(status, 500, "will_paginate refuses page 0");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_created_at_search_is_a_window_that_leaves_out_its_last_day() {
    let sb = sandbox().await;
    let mut refs = Vec::new();
    for (i, at) in ["2024-03-01T12:00:00Z", "2024-03-03T12:00:00Z", "2024-03-05T12:00:00Z"]
        .iter()
        .enumerate()
    {
        let (_, o) = create(&sb, &order(&format!("w{i}@example.com"), "w")).await;
        let reference = o["ref"].as_str().unwrap().to_owned();
        let path = format!("/sandbox/orders/{reference}/created_at");
        assert_eq!(
            admin_post(&sb, &path, &json!({ "created_at": at }).to_string()).await,
            200
        );
        refs.push(reference);
    }
    let found = |search: &'static str| {
        let sb = &sb;
        async move {
            let q = encode(&[("search".to_owned(), search.to_owned())]);
            let (status, _, l) = get(sb, &format!("/certificates?{AUTH}&{q}")).await;
            assert_eq!(status, 200, "{search}");
            l.as_array()
                .unwrap()
                .iter()
                .map(|o| o["ref"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found("created_at:03/01/2024-03/05/2024").await,
        [refs[1].clone(), refs[0].clone()]
    );
    assert_eq!(
        found("created_at:03/01/2024-03/06/2024").await,
        [refs[2].clone(), refs[1].clone(), refs[0].clone()]
    );
    assert_eq!(found("created_at:03/03/2024").await, [refs[1].clone()]);
    assert_eq!(found("created_at:3/5/2024 status:issued").await, [refs[2].clone()]);
    assert_eq!(found("created_at:04/01/2024-04/30/2024").await, Vec::<String>::new());
    let (_, _, s) = get(&sb, &format!("/certificate/{}?{AUTH}", refs[0])).await;
    assert_eq!(s["order_date"], "2024-03-01T12:00:00.000Z");
    let (status, _, _) = get(&sb, &format!("/certificates?{AUTH}&search=created_at:2024-03-01")).await;
    assert_eq!(status, 500, "Date.strptime raises");
    sb.shutdown().await;
}

#[tokio::test]
async fn the_same_external_order_number_twice_makes_two_orders() {
    let sb = sandbox().await;
    let (_, a) = create(&sb, &order("jane@example.com", "same")).await;
    let (_, b) = create(&sb, &order("jane@example.com", "same")).await;
    assert_ne!(a["ref"], b["ref"]);
    let orders = all_orders(&sb).await;
    assert_eq!(orders.len(), 2, "exactly-once is the client's job");
    assert!(orders.iter().all(|o| o["external_order_number"] == "same"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_bulk_enrollment_makes_one_order_per_address_on_one_receipt() {
    let sb = sandbox().await;
    let enroll = |pairs: Vec<(&'static str, &'static str)>| {
        let sb = &sb;
        async move {
            let mut all = vec![("account_key", "sandbox-account"), ("secret_key", "sandbox-secret")];
            all.extend(pairs);
            let owned: Vec<(String, String)> = all.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
            let (status, _, body) = post_form(sb, "/certificate_enrollment", &owned).await;
            (status, body)
        }
    };
    let (status, e) = enroll(vec![
        ("certificate_id", "417"),
        ("duration", "1"),
        ("approver_id", "7"),
        (
            "domains",
            "A@example.com, b@example.org c@mail.example.com,nobody@gmail.com,not-an-address",
        ),
    ])
    .await;
    assert_eq!(status, 200, "{e}");
    assert!(e["id"].is_i64() && e["is_ordered"] == json!(true), "{e}");
    assert_eq!(e.as_object().unwrap().len(), 2, "no refs: {e}");

    let (_, _, list) = get(&sb, &format!("/certificates?{AUTH}")).await;
    let mut domains: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["domains"][0].as_str().unwrap())
        .collect();
    domains.sort();
    assert_eq!(domains, ["a@example.com", "b@example.org", "c@mail.example.com"]);
    let orders = all_orders(&sb).await;
    assert!(orders
        .iter()
        .all(|o| o["enrollment_id"] == e["id"] && o["amount"] == "90.00"));
    let enrollments = admin_get(&sb, "/sandbox/enrollments").await;
    assert_eq!(enrollments[0]["orders"].as_array().unwrap().len(), 3);
    assert_eq!(enrollments[0]["skipped"][0]["email"], "nobody@gmail.com");
    let receipt_url = enrollments[0]["receipt_url"].as_str().unwrap();
    let id = e["id"].as_i64().unwrap();
    assert_eq!(
        receipt_url,
        format!("{}/team/sandbox-team/orders/on-e{id:06}", sb.url())
    );
    let receipt = client().get(receipt_url).send().await.unwrap().text().await.unwrap();
    assert!(
        receipt.contains("Certificate enrollment for 3 emails")
            && ["a@example.com", "b@example.org", "c@mail.example.com"]
                .iter()
                .all(|m| receipt.contains(m)),
        "{receipt}"
    );

    // A list of addresses, 303 for three years.
    let body = json!({"account_key": "sandbox-account", "secret_key": "sandbox-secret", "certificate_id": 418,
        "duration": 3, "approver_id": 7, "domains": ["d@example.com"]});
    let r = client()
        .post(format!("{}/certificate_enrollment", sb.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, _, e2) = answer(r).await;
    assert_eq!(status, 200);
    assert_ne!(e2["id"], e["id"]);
    let d = all_orders(&sb)
        .await
        .into_iter()
        .find(|o| o["email"] == "d@example.com")
        .unwrap();
    assert_eq!(
        (&d["product"], &d["period"], &d["amount"]),
        (&json!("303"), &json!(1095), &json!("599.00"))
    );

    // Errors.
    let (status, e) = enroll(vec![
        ("certificate_id", "417"),
        ("duration", "1"),
        ("domains", "x@example.com"),
    ])
    .await;
    assert_eq!(
        (status, e),
        (200, json!({"errors": {"approver_id": ["can't be blank"]}}))
    );
    let (status, e) = enroll(vec![
        ("secret_key", "nope"),
        ("certificate_id", "417"),
        ("duration", "1"),
        ("approver_id", "1"),
        ("domains", "x@example.com"),
    ])
    .await;
    assert_eq!(status, 200);
    assert_eq!(e["errors"]["login"], json!([LOGIN]));
    for (certificate_id, duration) in [("417", "365"), ("302", "1"), ("417", "4")] {
        let (status, e) = enroll(vec![
            ("certificate_id", certificate_id),
            ("duration", duration),
            ("approver_id", "1"),
            ("domains", "x@example.com"),
        ])
        .await;
        assert_eq!(status, 500, "{certificate_id} {duration}: {e}");
    }
    assert_eq!(all_orders(&sb).await.len(), 4);
    sb.shutdown().await;
}

#[tokio::test]
async fn there_are_no_domains_or_products_endpoints_and_version_2_has_no_route() {
    let sb = sandbox().await;
    for path in ["/domains", "/products", "/certificate/", "/nothing"] {
        let (status, headers, _) = get(&sb, &format!("{path}?{AUTH}")).await;
        assert_eq!(status, 404, "{path}");
        assert!(headers.get("access-control-allow-methods").is_none(), "{path}");
    }
    let r = client()
        .delete(format!("{}/certificates?{AUTH}", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "no such verb");
    assert!(r.headers().get("allow").is_none(), "Rails' 404 names no methods");
    let r = client()
        .get(format!("{}/certificates?{AUTH}", sb.url()))
        .header("accept", "application/json; version=2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client()
        .get(format!("{}/certificates?{AUTH}", sb.url()))
        .header("accept", "application/json; version=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sb.shutdown().await;
}

async fn preflight(sb: &Sandbox, path: &str, method: &str) -> HeaderMap {
    let r = client()
        .request(reqwest::Method::OPTIONS, format!("{}{path}", sb.url()))
        .header("origin", "http://127.0.0.1:8080")
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type, x-custom")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}: every preflight is answered 200");
    r.headers().clone()
}

#[tokio::test]
async fn preflights_are_answered_like_rack_cors_and_fail_off_certificate_paths() {
    let sb = sandbox().await;
    for path in ["/certificates", "/certificate_enrollment", "/domains"] {
        let h = preflight(&sb, path, "POST").await;
        assert!(
            !h.keys().any(|k| k.as_str().starts_with("access-control-")),
            "{path}: no CORS headers, so the browser's preflight fails: {h:?}"
        );
    }
    let h = preflight(&sb, "/certificate/co-123", "GET").await;
    assert_eq!(h["access-control-allow-origin"], "*");
    assert_eq!(
        h["access-control-allow-methods"],
        "GET, POST, DELETE, PUT, OPTIONS, HEAD"
    );
    assert_eq!(h["access-control-allow-headers"], "content-type, x-custom", "echoed");
    assert_eq!(h["access-control-max-age"], "0");
    assert_eq!(h["access-control-expose-headers"], "", "rack-cors's empty list");
    let h = preflight(&sb, "/certificate/co-123", "PATCH").await;
    assert!(
        h.get("access-control-allow-origin").is_none(),
        "a method it does not allow"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn every_api_answer_carries_the_controllers_headers_and_exposes_nothing() {
    let sb = sandbox().await;
    let check = |h: &HeaderMap, what: &str| {
        assert_eq!(h["access-control-allow-origin"], "*", "{what}");
        assert_eq!(
            h["access-control-allow-methods"], "POST, PUT, DELETE, GET, OPTIONS",
            "{what}"
        );
        assert_eq!(
            h["access-control-allow-headers"], "Origin, X-Requested-With, Content-Type, Accept, Authorization",
            "{what}"
        );
    };
    let (_, h, o) = post_form(&sb, "/certificates", &order("jane@example.com", "k")).await;
    check(&h, "create");
    assert!(h.get("access-control-expose-headers").is_none());
    let (status, h, _) = post_form(&sb, "/certificates", &with(order("j@example.com", "k"), "product", "1")).await;
    assert_eq!(status, 400);
    check(&h, "create error");
    let (_, h, _) = get(&sb, &format!("/certificates?{AUTH}")).await;
    check(&h, "list");
    assert!(h.get("access-control-expose-headers").is_none());
    let (_, h, _) = post_form(&sb, "/certificate_enrollment", &[]).await;
    check(&h, "enrollment");

    // /certificate/…: with an Origin, rack-cors's own headers join in (the
    // app's win), with an empty expose list, and Vary: Origin always.
    let r = client()
        .get(format!(
            "{}/certificate/{}?{AUTH}",
            sb.url(),
            o["ref"].as_str().unwrap()
        ))
        .header("origin", "http://127.0.0.1:8080")
        .send()
        .await
        .unwrap();
    let h = r.headers().clone();
    check(&h, "show");
    assert_eq!(h["access-control-expose-headers"], "");
    assert_eq!(h["access-control-max-age"], "0");
    assert_eq!(h["vary"], "Origin");
    sb.shutdown().await;
}

#[tokio::test]
async fn injected_faults_fail_drop_rate_limit_and_error_after_creating() {
    let sb = support::sandbox_of(
        Profile::Sslcom,
        Faults {
            fail_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    let (status, h, e) = post_form(&sb, "/certificates", &order("a@example.com", "k")).await;
    assert_eq!(status, 500);
    assert_eq!(
        e,
        json!({"response_type": "ERROR", "response_code": 500, "message": "server error"})
    );
    assert_eq!(
        h["access-control-allow-origin"], "*",
        "an action's 500 has the app's headers"
    );
    let (status, _, _) = get(&sb, &format!("/certificates?{AUTH}")).await;
    assert_eq!(status, 500);
    assert!(all_orders(&sb).await.is_empty(), "a failed request does nothing");

    // Dropped after the order is created.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"fail_rate":0,"drop_rate":1}"#).await,
        200
    );
    let answer = support::read_through(
        client()
            .post(format!("{}/certificates", sb.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&order("b@example.com", "kb"))),
    )
    .await;
    assert!(answer.is_err(), "no answer: {answer:?}");
    assert_eq!(all_orders(&sb).await.len(), 1, "but the order was created");

    // Created (and charged), then answered with an error: both kinds.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"drop_rate":0,"created_error_rate":1}"#).await,
        200
    );
    let mut kinds = std::collections::BTreeSet::new();
    for i in 0..12 {
        let (status, e) = create(&sb, &order(&format!("c{i}@example.com"), "kc")).await;
        assert!(e.get("ref").is_none(), "{e}");
        match status {
            200 => assert_eq!(
                e,
                json!({"errors": {"contacts": [{"administrative": {"phone": ["can't be blank"]}}]}})
            ),
            500 => assert_eq!(e["message"], "server error"),
            other => panic!("{other}: {e}"),
        }
        kinds.insert(status);
    }
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), [200, 500]);
    assert_eq!(all_orders(&sb).await.len(), 13, "every one was created");
    assert_eq!(admin_get(&sb, "/sandbox/faults").await["created_error_rate"], 1.0);

    // Rate limited: 429 with Retry-After, as a proxy would answer (no CORS).
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"created_error_rate":0,"rate_limit":2}"#).await,
        200
    );
    let mut limited = None;
    for _ in 0..5 {
        let (status, h, _) = get(&sb, &format!("/certificates?{AUTH}")).await;
        if status == 429 {
            limited = Some(h);
            break;
        }
    }
    let h = limited.expect("a 429");
    assert_eq!(h["retry-after"], "1");
    assert!(h.get("access-control-allow-origin").is_none());
    sb.shutdown().await;
}

#[tokio::test]
async fn faults_reach_bulk_enrollment_too_failing_before_and_dropping_or_erring_after_creating() {
    let sb = support::sandbox_of(
        Profile::Sslcom,
        Faults {
            fail_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    let enrollment = |domains: &str| -> Vec<(String, String)> {
        [
            ("account_key", "sandbox-account"),
            ("secret_key", "sandbox-secret"),
            ("certificate_id", "417"),
            ("duration", "1"),
            ("approver_id", "1"),
            ("domains", domains),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec()
    };
    let (status, _, e) = post_form(&sb, "/certificate_enrollment", &enrollment("a@example.com")).await;
    assert_eq!((status, &e["message"]), (500, &json!("server error")));
    assert!(all_orders(&sb).await.is_empty(), "a failed request does nothing");

    // Dropped after the orders are created: no answer, both orders there.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"fail_rate":0,"drop_rate":1}"#).await,
        200
    );
    let answer = support::read_through(
        client()
            .post(format!("{}/certificate_enrollment", sb.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&enrollment("b@example.com,c@example.com"))),
    )
    .await;
    assert!(answer.is_err(), "no answer: {answer:?}");
    assert_eq!(all_orders(&sb).await.len(), 2, "but the orders were created");

    // An exception after the orders were saved: 500, the orders stay.
    assert_eq!(
        admin_post(&sb, "/sandbox/faults", r#"{"drop_rate":0,"created_error_rate":1}"#).await,
        200
    );
    let (status, _, e) = post_form(&sb, "/certificate_enrollment", &enrollment("d@example.com")).await;
    assert_eq!((status, &e["message"]), (500, &json!("server error")));
    assert_eq!(all_orders(&sb).await.len(), 3);
    assert_eq!(
        admin_get(&sb, "/sandbox/enrollments").await.as_array().map(Vec::len),
        Some(2)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn latency_is_added_to_each_request() {
    let sb = support::sandbox_of(
        Profile::Sslcom,
        Faults {
            latency_ms: 120,
            ..Faults::default()
        },
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(get(&sb, &format!("/certificates?{AUTH}")).await.0, 200);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(60),
        "±50% of 120 ms"
    );
    sb.shutdown().await;
}
