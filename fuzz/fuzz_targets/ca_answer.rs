//! The CA answer parsers of both dialects on arbitrary answers (status,
//! `Retry-After`, `Location`, body): a typed result or a `CaError` with its
//! code and a message, never a panic. An order read from an answer goes into
//! the journal, so it must come back from the journal's JSON unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smime_bulk_ca::protocol::{CaError, HttpResponse, Order, Profile};

const STATUSES: [u16; 16] = [
    200, 201, 204, 301, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 0,
];

fn held(order: &Order) {
    let json = serde_json::to_string(order).expect("an order serialises");
    let back: Order = serde_json::from_str(&json).expect("an order reads back");
    assert_eq!(&back, order);
}

fn explained(e: &CaError) {
    assert!(!e.code().is_empty());
    assert!(!e.to_string().is_empty());
}

fuzz_target!(|bytes: &[u8]| {
    let [choice, status, header, rest @ ..] = bytes else {
        return;
    };
    let profile = if choice & 1 == 0 {
        Profile::Sslcom
    } else {
        Profile::Reference
    };
    let status = match STATUSES[usize::from(status % 16)] {
        0 => u16::from(*status) * 3,
        s => s,
    };
    let text = String::from_utf8_lossy(rest);
    // A header value, when asked for, is the body's first line.
    let (line, body) = match text.split_once('\n') {
        Some((line, body)) if header & 3 != 0 => (Some(line.to_owned()), body.to_owned()),
        _ => (None, text.into_owned()),
    };
    let resp = HttpResponse {
        status,
        retry_after: line.clone().filter(|_| header & 1 != 0),
        location: line.filter(|_| header & 2 != 0),
        body,
    };
    match (choice >> 1) % 5 {
        0 => match profile.parse_created(&resp) {
            Ok(order) => {
                assert!(!order.reference.is_empty(), "an order without a reference: {order:?}");
                held(&order);
            }
            Err(e) => explained(&e),
        },
        1 => match profile.parse_order_list(&resp) {
            Ok(orders) => orders.iter().for_each(|o| {
                assert!(!o.reference.is_empty(), "a listed order without a reference: {o:?}");
                held(o);
            }),
            Err(e) => explained(&e),
        },
        2 => match profile.parse_shown(&resp, "co-1") {
            Ok(order) => {
                assert_eq!(order.reference, "co-1");
                held(&order);
            }
            Err(e) => explained(&e),
        },
        3 => match profile.parse_domains(&resp) {
            Ok(domains) => assert!(domains.iter().all(|d| !d.is_empty()), "{domains:?}"),
            Err(e) => explained(&e),
        },
        _ => match profile.parse_products(&resp) {
            Ok(products) => assert!(products.iter().all(|p| !p.code.is_empty()), "{products:?}"),
            Err(e) => explained(&e),
        },
    }
});
