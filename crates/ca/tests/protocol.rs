//! The reference dialect: requests as its CA expects them, and answers parsed
//! into our model. (SSL.com's dialect is tested in `sslcom.rs`.)

use smime_bulk_ca::protocol::reference as protocol;
use smime_bulk_ca::protocol::{CaError, Credentials, HttpResponse, ListQuery, Method, OrderRequest};

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

#[test]
fn create_order_body_carries_every_wire_field() {
    let order = OrderRequest {
        product: "smime-ivov-1y".into(),
        period: 365,
        email: "jane@example.com".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        country: "GB".into(),
        csr: Some("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----".into()),
        external_order_number: "sb-b1-00ff".into(),
    };
    let req = protocol::create_order(&creds(), &order);
    assert_eq!((req.method, req.path.as_str()), (Method::Post, "/certificates"));
    assert_eq!(req.content_type(), Some("application/json"));
    let v: serde_json::Value = serde_json::from_str(&req.encoded_body()).unwrap();
    for (k, want) in [
        ("account_key", "acct key"),
        ("secret_key", "se&cret"),
        ("product", "smime-ivov-1y"),
        ("email_address", "jane@example.com"),
        ("first_name", "Jane"),
        ("last_name", "Doe"),
        ("country", "GB"),
        ("external_order_number", "sb-b1-00ff"),
    ] {
        assert_eq!(v[k], want, "{k}");
    }
    assert_eq!(v["period"], 365);
    assert!(v["csr"].as_str().unwrap().contains("CERTIFICATE REQUEST"));
    let without = protocol::create_order(&creds(), &OrderRequest { csr: None, ..order });
    assert!(!without.encoded_body().contains("\"csr\""));
}

#[test]
fn get_requests_put_credentials_in_the_encoded_query_but_never_in_debug() {
    let query = ListQuery {
        page: 2,
        per_page: 50,
        created_since: 1_796_083_200,
    };
    let req = protocol::list_orders(&creds(), &query);
    let url = req.url("http://127.0.0.1:8787/");
    assert_eq!(
        url,
        "http://127.0.0.1:8787/certificates?account_key=acct%20key&secret_key=se%26cret&page=2&per_page=50"
    );
    assert!(!format!("{req:?}").contains("se&cret"));
    assert!(!req.to_string().contains("se&cret"));
    assert_eq!(protocol::get_order(&creds(), "co-1").path, "/certificate/co-1");
}

#[test]
fn an_order_answer_is_read_into_our_model() {
    let o = protocol::parse_created(&resp(
        201,
        r#"{"ref":"co-12ab","order_status":"pending validation","order_amount":"39.00","certificate_url":"http://ca/certificate/co-12ab","receipt_url":"http://ca/receipt/co-12ab","validation_url":"http://ca/validation/co-12ab","external_order_number":"sb-1"}"#,
    ))
    .unwrap();
    assert_eq!(o.reference, "co-12ab");
    assert_eq!(o.status, "pending validation");
    assert_eq!(o.amount.as_deref(), Some("39.00"));
    assert_eq!(o.receipt_url.as_deref(), Some("http://ca/receipt/co-12ab"));
    assert_eq!(o.external_order_number.as_deref(), Some("sb-1"));
    // The model round-trips through the journal's serde.
    let back: smime_bulk_ca::protocol::Order = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(back, o);
}

#[test]
fn an_order_with_an_empty_or_missing_ref_is_unexpected_not_an_order() {
    for body in [r#"{"ref":""}"#, r#"{"order_status":"pending"}"#, r#"[{"ref":""}]"#] {
        let created = protocol::parse_created(&resp(201, body));
        assert!(
            matches!(created, Err(CaError::Unexpected { .. })),
            "{body}: {created:?}"
        );
    }
    let listed = protocol::parse_order_list(&resp(200, r#"[{"ref":"co-1"},{"ref":""}]"#));
    assert!(matches!(listed, Err(CaError::Unexpected { .. })), "{listed:?}");
}

#[test]
fn a_domain_list_with_a_blank_or_non_text_entry_is_unexpected_naming_it() {
    for (body, entry) in [
        (r#"{"domains":["example.com",""]}"#, "domain 2"),
        (r#"{"domains":[7]}"#, "domain 1"),
    ] {
        match protocol::parse_domains(&resp(200, body)) {
            Err(CaError::Unexpected { detail, .. }) => assert!(detail.contains(entry), "{detail}"),
            other => panic!("{body}: {other:?}"),
        }
    }
    let padded = protocol::parse_domains(&resp(200, r#"{"domains":[" example.com "]}"#));
    assert_eq!(padded, Ok(vec!["example.com".to_owned()]));
    let blank_code = protocol::parse_products(&resp(200, r#"{"products":[{"code":"","periods":[]}]}"#));
    assert!(matches!(blank_code, Err(CaError::Unexpected { .. })), "{blank_code:?}");
}

#[test]
fn error_bodies_become_per_field_messages() {
    match protocol::parse_created(&resp(
        422,
        r#"{"errors":{"country":["is not valid","use GB"],"email_address":"taken"}}"#,
    )) {
        Err(CaError::Rejected(e)) => {
            assert_eq!(e["country"], ["is not valid", "use GB"]);
            assert_eq!(e["email_address"], ["taken"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(protocol::parse_created(&resp(401, "{}")), Err(CaError::Unauthorized));
    assert_eq!(
        protocol::parse_created(&resp(503, "")),
        Err(CaError::Server { status: 503 })
    );
    assert_eq!(
        protocol::parse_created(&HttpResponse {
            status: 429,
            retry_after: Some("1.5".into()),
            location: None,
            body: String::new()
        }),
        Err(CaError::RateLimited {
            retry_after_ms: Some(1500)
        })
    );
    assert!(matches!(
        protocol::parse_created(&resp(200, "<html>")),
        Err(CaError::Unexpected { .. })
    ));
    assert!(matches!(
        protocol::parse_created(&resp(200, "{}")),
        Err(CaError::Unexpected { .. })
    ));
    assert!(matches!(
        protocol::parse_created(&resp(400, "nope")),
        Err(CaError::Unexpected { status: 400, .. })
    ));
}

#[test]
fn lists_domains_and_products_are_read() {
    let orders = protocol::parse_order_list(&resp(
        200,
        r#"[{"ref":"co-1","order_status":"issued","email_address":"a@example.com"}]"#,
    ))
    .unwrap();
    assert_eq!(orders[0].email.as_deref(), Some("a@example.com"));
    assert!(protocol::parse_order_list(&resp(200, "[]")).unwrap().is_empty());
    assert!(protocol::parse_order_list(&resp(200, "{}")).is_err());
    assert_eq!(
        protocol::parse_domains(&resp(200, r#"{"domains":["example.com","example.org"]}"#)).unwrap(),
        ["example.com", "example.org"]
    );
    let p = protocol::parse_products(&resp(200, r#"{"products":[{"code":"smime-ivov-1y","name":"Personal ID + Organization, 1 year","periods":[{"period":365,"price":"39.00"}]}]}"#)).unwrap();
    assert_eq!(p[0].periods[0].days, 365);
    assert_eq!(p[0].periods[0].price.as_deref(), Some("39.00"));
    assert_eq!(protocol::parse_domains(&resp(404, "")), Err(CaError::NotFound));
}

#[test]
fn results_csv_is_formula_safe() {
    use smime_bulk_ca::engine::{BatchRow, BatchSpec, RowState};
    use smime_bulk_ca::protocol::{FieldErrors, Order};
    let spec = BatchSpec {
        batch_id: "b".into(),
        ca_url: "x".into(),
        profile: smime_bulk_ca::protocol::Profile::Reference,
        created_at: 0,
        account_key: "a".into(),
        product: "p".into(),
        period: 365,
        mode: Default::default(),
        rows: ["=cmd@example.com", "bob@example.com"]
            .iter()
            .map(|e| BatchRow {
                line: 2,
                email: e.to_string(),
                first_name: String::new(),
                last_name: "X".into(),
                country: "GB".into(),
                csr: None,
            })
            .collect(),
    };
    let mut errors = FieldErrors::new();
    errors.insert("country".into(), vec!["-bad, really".into()]);
    let states = [
        RowState::Placed {
            order: Order {
                reference: "co-1".into(),
                status: "pending validation".into(),
                amount: Some("39.00".into()),
                ..Order::default()
            },
        },
        RowState::Rejected { errors },
    ];
    let csv = smime_bulk_ca::results::results_csv(&spec, states.iter());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "email,ref,status,order_amount,certificate_url,receipt_url,error"
    );
    assert_eq!(lines[1], "'=cmd@example.com,co-1,pending validation,39.00,,,");
    assert_eq!(lines[2], "bob@example.com,,rejected,,,,\"country: -bad, really\"");
}
