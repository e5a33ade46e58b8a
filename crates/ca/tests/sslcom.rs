//! SSL.com's dialect: requests as its SWS API takes them and its answers in
//! every shape its public source shows (docs/sslcom-sws.md §4–§8).

use smime_bulk_ca::protocol::{
    CaError, Credentials, Enrolled, EnrollmentRequest, HttpResponse, ListQuery, Method, OrderRequest, Profile,
};

const SSL: Profile = Profile::Sslcom;

fn creds() -> Credentials {
    Credentials::new("acct key", "se&cret")
}

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        retry_after: None,
        location: None,
        body: body.into(),
    }
}

fn order() -> OrderRequest {
    OrderRequest {
        product: "302".into(),
        period: 730,
        email: "jane+s@example.com".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        country: "GB".into(),
        csr: None,
        external_order_number: "sb-b1-00ff".into(),
    }
}

#[test]
fn an_order_is_a_form_encoded_post_a_browser_sends_without_a_preflight() {
    let req = SSL.create_order(&creds(), &order());
    assert_eq!((req.method, req.path.as_str()), (Method::Post, "/certificates"));
    assert!(req.query.is_empty(), "the keys travel in the body, not the URL");
    assert_eq!(req.content_type(), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        req.encoded_body(),
        "account_key=acct%20key&secret_key=se%26cret&product=302&period=730&domains=jane%2Bs%40example.com\
         &email_address=jane%2Bs%40example.com&country=GB&external_order_number=sb-b1-00ff"
    );
    let with_csr = SSL.create_order(
        &creds(),
        &OrderRequest {
            csr: Some("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----".into()),
            ..order()
        },
    );
    assert!(with_csr
        .encoded_body()
        .contains("&csr=-----BEGIN%20CERTIFICATE%20REQUEST-----%0AMIIB%0A"));
    assert!(!format!("{with_csr:?}").contains("se&cret"));
}

#[test]
fn a_created_order_is_read_from_its_200_answer() {
    let o = SSL
        .parse_created(&resp(
            200,
            r#"{"ref":"co-a11fh2k3q","registrant":{"organization":"Acme","country":"GB"},"order_status":"waiting on validation from customer","validations":null,"order_amount":"$70.00","external_order_number":"sb-b1-00ff","certificate_url":"https://sandbox.ssl.com/team/x/certificate_orders/co-a11fh2k3q","receipt_url":"https://sandbox.ssl.com/team/x/orders/o-1","smart_seal_url":"https://sandbox.ssl.com/team/x/certificate_orders/co-a11fh2k3q/site_seal","validation_url":"https://sandbox.ssl.com/team/x/certificate_orders/co-a11fh2k3q/validation","certificate_contents":{"ref":"co-a11fh2k3q-0"}}"#,
        ))
        .unwrap();
    assert_eq!(o.reference, "co-a11fh2k3q");
    assert_eq!(o.status, "waiting on validation from customer");
    assert_eq!(o.amount.as_deref(), Some("$70.00"));
    assert_eq!(o.external_order_number.as_deref(), Some("sb-b1-00ff"));
    assert!(o.receipt_url.unwrap().ends_with("/orders/o-1"));
}

#[test]
fn each_refusal_shape_means_what_the_source_says() {
    let rejected = SSL.parse_created(&resp(
        400,
        r#"{"response_type":"ERROR","response_code":400,"message":{"period":["needs to be one of the following: 365, 730, 1095, 1461, 1826"],"product":["needs to one of the following: 300, 301"]}}"#,
    ));
    match rejected {
        Err(CaError::Rejected(e)) => {
            assert_eq!(
                e["period"],
                ["needs to be one of the following: 365, 730, 1095, 1461, 1826"]
            );
            assert!(e.contains_key("product"));
        }
        other => panic!("{other:?}"),
    }
    let login = r#"{"response_type":"ERROR","response_code":400,"message":{"login":["account_key not found or wrong secret_key"]}}"#;
    assert_eq!(SSL.parse_created(&resp(400, login)), Err(CaError::Unauthorized));
    // Before July 2020 the same refusals came with 200 and "errors".
    let legacy = SSL.parse_created(&resp(200, r#"{"errors":{"csr":["has problems and or errors"]}}"#));
    assert!(matches!(legacy, Err(CaError::Rejected(e)) if e.contains_key("csr")));
    let funds = SSL.parse_created(&resp(
        200,
        r#"{"errors":{"funded_account":["Not enough funds in the account to complete this purchase! Please deposit additional $31.00."]}}"#,
    ));
    assert!(matches!(funds, Err(CaError::InsufficientFunds(m)) if m.contains("$31.00")));
    let json = SSL.parse_created(&resp(
        400,
        r#"{"status":400,"error":"There was a problem in the JSON you submitted: unexpected token"}"#,
    ));
    assert!(matches!(json, Err(CaError::Rejected(e)) if e["request"][0].contains("problem in the JSON")));
}

#[test]
fn answers_that_may_hide_a_created_order_are_never_a_clean_refusal() {
    // Contacts are checked after the order is saved and charged.
    let contacts = SSL.parse_created(&resp(
        200,
        r#"{"errors":{"contacts":[{"administrative":{"phone":["can't be blank"]}}]}}"#,
    ));
    match contacts {
        Err(CaError::Unexpected { status: 200, detail }) => {
            assert!(detail.contains("may have been created"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        SSL.parse_created(&resp(
            500,
            r#"{"response_type":"ERROR","response_code":500,"message":"server error"}"#
        )),
        Err(CaError::Server { status: 500 })
    );
    assert!(matches!(
        SSL.parse_created(&resp(200, "{}")),
        Err(CaError::Unexpected { status: 200, .. })
    ));
    assert!(matches!(
        SSL.parse_created(&resp(200, "<html>")),
        Err(CaError::Unexpected { .. })
    ));
}

#[test]
fn a_shown_order_has_no_ref_but_carries_our_key() {
    let req = SSL.get_order(&creds(), "co-a11fh2k3q");
    assert_eq!(req.path, "/certificate/co-a11fh2k3q");
    assert_eq!(req.method, Method::Get);
    let o = SSL
        .parse_shown(
            &resp(
                200,
                r#"{"description":"Personal Business","product":"302","product_name":"personalbusiness256sslcom","order_status":"waiting on validation from customer","order_date":"2026-12-01T10:00:00.000-06:00","registrant":null,"certificates":null,"common_name":null,"domains_qty_purchased":"1","wildcard_qty_purchased":"0","subject_alternative_names":null,"validations":null,"effective_date":null,"expiration_date":null,"algorithm":null,"external_order_number":"sb-b1-00ff","domains":["jane@example.com"],"site_seal_code":null,"subscriber_agreement":null,"server_software":null,"contacts":null}"#,
            ),
            "co-a11fh2k3q",
        )
        .unwrap();
    assert_eq!(o.reference, "co-a11fh2k3q");
    assert_eq!(o.external_order_number.as_deref(), Some("sb-b1-00ff"));
    assert_eq!(o.email.as_deref(), Some("jane@example.com"));
    assert_eq!(o.product.as_deref(), Some("302"));
    assert_eq!(
        SSL.parse_shown(&resp(200, r#"{"errors":{"ref":["doesn't exist'"]}}"#), "co-x"),
        Err(CaError::NotFound)
    );
    assert_eq!(
        SSL.parse_shown(
            &resp(
                200,
                r#"{"errors":{"certificate_order":["Certificate order not found for ref co-x."]}}"#
            ),
            "co-x"
        ),
        Err(CaError::NotFound)
    );
    assert_eq!(
        SSL.parse_shown(
            &resp(
                200,
                r#"{"errors":{"login":["account_key not found or wrong secret_key"]}}"#
            ),
            "co-x"
        ),
        Err(CaError::Unauthorized)
    );
}

#[test]
fn the_order_list_is_searched_by_creation_date_and_its_items_hide_our_key() {
    let req = SSL.list_orders(
        &creds(),
        &ListQuery {
            page: 3,
            per_page: 100,
            created_since: 1_796_083_200, // 2026-12-01
        },
    );
    assert_eq!(
        req.url("https://sws-test.sslpki.com"),
        "https://sws-test.sslpki.com/certificates?account_key=acct%20key&secret_key=se%26cret&page=3&per_page=100\
         &search=created_at%3A11%2F30%2F2026-12%2F07%2F2036"
    );
    let orders = SSL
        .parse_order_list(&resp(
            200,
            r#"[{"ref":"co-2","description":"Personal Business","order_status":"issued","order_date":"2026-12-01T10:00:00.000-06:00","domains":["b@example.com"],"external_order_number":null},{"ref":"co-1","order_status":"waiting on validation from customer","domains":"a@example.com","external_order_number":null}]"#,
        ))
        .unwrap();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].email.as_deref(), Some("b@example.com"));
    assert_eq!(orders[1].email.as_deref(), Some("a@example.com"));
    assert!(orders.iter().all(|o| o.external_order_number.is_none()));
    assert!(SSL.parse_order_list(&resp(200, "[]")).unwrap().is_empty());
    assert_eq!(
        SSL.parse_order_list(&resp(
            200,
            r#"{"errors":{"login":["account_key not found or wrong secret_key"]}}"#
        )),
        Err(CaError::Unauthorized)
    );
    assert!(SSL
        .parse_order_list(&resp(200, r#"[{"order_status":"issued"}]"#))
        .is_err());
}

#[test]
fn sslcom_has_no_product_or_domain_api_so_its_catalogue_is_built_in() {
    assert!(SSL.list_domains(&creds()).is_none());
    assert!(SSL.list_products(&creds()).is_none());
    let codes: Vec<String> = SSL.catalogue().into_iter().map(|p| p.code).collect();
    assert_eq!(codes, ["302", "303"]);
    assert!(
        SSL.catalogue().iter().all(|p| p.periods.iter().all(|x| x.days <= 825)),
        "the S/MIME BR limit"
    );
    assert_eq!(Profile::parse("sslcom"), Ok(Profile::Sslcom));
    assert!(Profile::parse("acme").unwrap_err().contains("sslcom, reference"));
}

#[test]
fn probe_judges_sslcom_answers_as_matching_and_reference_answers_as_not() {
    use smime_bulk_ca::probe::{self, CheckId};
    let login_200 = resp(
        200,
        r#"{"errors":{"login":["account_key not found or wrong secret_key"]}}"#,
    );
    let login_400 = resp(
        400,
        r#"{"response_type":"ERROR","response_code":400,"message":{"login":["account_key not found or wrong secret_key"]}}"#,
    );
    let missing = resp(200, r#"{"errors":{"ref":["doesn't exist'"]}}"#);
    let list = resp(
        200,
        r#"[{"ref":"co-1","order_status":"issued","domains":["a@example.com"],"external_order_number":null}]"#,
    );
    let show = resp(
        200,
        r#"{"product":"302","order_status":"issued","external_order_number":"k","domains":["a@example.com"]}"#,
    );
    for (id, answer) in [
        (CheckId::Keys, &list),
        (CheckId::WrongKeysRead, &login_200),
        (CheckId::WrongKeysCreate, &login_400),
        (CheckId::MissingOrder, &missing),
        (CheckId::ShowShape, &show),
    ] {
        let (finding, _) = probe::judge(SSL, id, answer);
        assert_eq!(finding.matches, Some(true), "{finding:?}");
    }
    // The reference dialect's CA answers 401 and 404, and shows refs and keys.
    let unauthorized = resp(
        401,
        r#"{"errors":{"login":["the account key or secret key is not valid"]}}"#,
    );
    assert_eq!(
        probe::judge(SSL, CheckId::WrongKeysCreate, &unauthorized).0.matches,
        Some(false)
    );
    assert_eq!(
        probe::judge(SSL, CheckId::MissingOrder, &resp(404, "{}")).0.matches,
        Some(false)
    );
    let keyed = resp(
        200,
        r#"[{"ref":"co-1","order_status":"issued","external_order_number":"sb-1"}]"#,
    );
    let (finding, refs) = probe::judge(SSL, CheckId::Keys, &keyed);
    assert_eq!((finding.matches, refs), (Some(false), vec!["co-1".to_owned()]));
    let cors = probe::judge_cors(SSL, Some("*"), None);
    assert!(cors.iter().all(|f| f.matches == Some(true)), "{cors:?}");
    assert_eq!(probe::judge_cors(SSL, Some("*"), Some("*"))[1].matches, Some(false));
    // Nothing the probe sends can order: its only POST carries a wrong secret.
    let creds = Credentials::new("acct", "real-secret");
    for check in probe::checks(SSL, &creds) {
        if check.request.method == Method::Post {
            assert!(check.request.encoded_body().contains(probe::WRONG_SECRET));
            assert!(!check.request.encoded_body().contains("real-secret"));
        }
    }
}

#[test]
fn hostile_answers_are_refused_with_a_reason_not_kept() {
    let huge_status = format!(r#"{{"ref":"co-1","order_status":"{}"}}"#, "x".repeat(50_000));
    match SSL.parse_created(&resp(200, &huge_status)) {
        Err(CaError::Unexpected { detail, .. }) => assert!(detail.contains("answer.order_status is over"), "{detail}"),
        other => panic!("{other:?}"),
    }
    let huge_body = format!("[{}]", vec![r#"{"ref":"co-1"}"#; 400_000].join(","));
    match SSL.parse_order_list(&resp(200, &huge_body)) {
        Err(CaError::Unexpected { detail, .. }) => assert!(detail.contains("bytes"), "{detail}"),
        other => panic!("{other:?}"),
    }
    // A reference of the wrong type is no reference.
    assert!(matches!(
        SSL.parse_created(&resp(200, r#"{"ref":{"a":1},"order_status":"issued"}"#)),
        Err(CaError::Unexpected { .. })
    ));
}

/// An answer recorded in `tests/fixtures/sslcom` (the sandbox is held to the
/// same files by `crates/sandbox/tests/fixtures.rs`).
fn recorded(status: u16, file: &str) -> HttpResponse {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sslcom")
        .join(file);
    resp(status, &std::fs::read_to_string(&path).unwrap())
}

#[test]
fn every_recorded_sslcom_answer_means_what_the_source_says() {
    let placed = SSL.parse_created(&recorded(200, "create_ok.json")).unwrap();
    assert!(
        placed.reference.starts_with("co-") && placed.external_order_number.is_some(),
        "{placed:?}"
    );
    assert!(
        matches!(SSL.parse_created(&recorded(400, "create_error_400.json")), Err(CaError::Rejected(e)) if e.contains_key("period"))
    );
    assert_eq!(
        SSL.parse_created(&recorded(400, "create_login_400.json")),
        Err(CaError::Unauthorized)
    );
    assert!(matches!(
        SSL.parse_created(&recorded(200, "create_funds_200.json")),
        Err(CaError::InsufficientFunds(_))
    ));
    assert!(
        matches!(SSL.parse_created(&recorded(200, "create_contacts_200.json")), Err(CaError::Unexpected { status: 200, ref detail }) if detail.contains("may have been created"))
    );
    assert_eq!(
        SSL.parse_created(&recorded(500, "server_error_500.json")),
        Err(CaError::Server { status: 500 })
    );
    let shown = SSL
        .parse_shown(&recorded(200, "show_ok.json"), "co-41f2k8q3zd")
        .unwrap();
    assert_eq!(shown.reference, "co-41f2k8q3zd");
    assert!(shown.external_order_number.is_some());
    assert_eq!(
        SSL.parse_shown(&recorded(200, "show_missing_ref_200.json"), "co-x"),
        Err(CaError::NotFound)
    );
    let listed = SSL.parse_order_list(&recorded(200, "list_page.json")).unwrap();
    assert!(!listed.is_empty());
    assert!(listed
        .iter()
        .all(|o| o.reference.starts_with("co-") && o.external_order_number.is_none()));
}

#[test]
fn an_enrollment_is_a_form_encoded_post_of_comma_joined_mailboxes_in_years() {
    let request = EnrollmentRequest {
        certificate_id: 417,
        years: 2,
        approver_id: 12,
        emails: vec!["jane+s@example.com".into(), "bob@example.com".into()],
    };
    let req = SSL.enroll(&creds(), &request).unwrap();
    assert_eq!(
        (req.method, req.path.as_str()),
        (Method::Post, "/certificate_enrollment")
    );
    assert!(req.query.is_empty(), "the keys travel in the body, not the URL");
    assert_eq!(req.content_type(), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        req.encoded_body(),
        "account_key=acct%20key&secret_key=se%26cret&certificate_id=417\
         &domains=jane%2Bs%40example.com%2Cbob%40example.com&duration=2&approver_id=12"
    );
    assert!(!format!("{req:?}").contains("se&cret"));
    assert_eq!(
        Profile::Reference.enroll(&creds(), &request),
        Err(CaError::Unsupported("bulk enrollment".into()))
    );
    assert_eq!(
        Profile::Reference
            .parse_enrolled(&recorded(200, "enrollment_ok.json"))
            .map_err(|e| e.code()),
        Err("unsupported")
    );
}

#[test]
fn every_recorded_enrollment_answer_means_what_the_source_says() {
    assert_eq!(
        SSL.parse_enrolled(&recorded(200, "enrollment_ok.json")),
        Ok(Enrolled {
            request_id: "4821".into(),
            is_ordered: true
        })
    );
    assert!(matches!(
        SSL.parse_enrolled(&recorded(200, "enrollment_blank_200.json")),
        Err(CaError::Rejected(e)) if e.contains_key("approver_id") && e.contains_key("duration")
    ));
    assert_eq!(
        SSL.parse_enrolled(&recorded(200, "enrollment_login_200.json")),
        Err(CaError::Unauthorized)
    );
    assert_eq!(
        SSL.parse_enrolled(&recorded(500, "server_error_500.json")),
        Err(CaError::Server { status: 500 })
    );
}

#[test]
fn an_enrollment_answer_of_another_shape_leaves_its_orders_unknown_with_a_clear_reason() {
    for (status, body, says) in [
        (200, r#"{"id":4821}"#, "is_ordered"),
        (200, r#"{"is_ordered":true}"#, "\"id\""),
        (200, r#"{"id":4821,"is_ordered":"yes"}"#, "true/false"),
        (200, r#"[]"#, "may have been created"),
        (
            200,
            r#"{"errors":{"registrant":["is invalid"]}}"#,
            "registrant: is invalid",
        ),
        (200, "<html>", "not JSON"),
    ] {
        match SSL.parse_enrolled(&resp(status, body)) {
            Err(CaError::Unexpected { detail, .. }) => assert!(detail.contains(says), "{body}: {detail}"),
            other => panic!("{body}: {other:?}"),
        }
    }
    assert!(matches!(
        SSL.parse_enrolled(&resp(302, "")),
        Err(CaError::Redirected(_))
    ));
}
