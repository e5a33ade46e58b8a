//! The HTML pages behind an order's links (receipt, validation, …), shared by
//! both profiles. They show order data, so they are guarded like the admin
//! endpoints save for the token (a person opens them from a link, and a link
//! cannot carry a header): only loopback callers, only under a loopback host
//! name (so a DNS-rebinding page cannot read them), and never with CORS
//! headers (they sit outside the API's CORS layer).

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `http://<Host>`, where an answer's links to these pages point.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A table of text cells (escaped here).
pub fn table<const N: usize>(head: [&str; N], rows: &[[&str; N]]) -> String {
    let cells = |tag: &str, row: &[&str; N]| -> String {
        row.iter().map(|c| format!("<{tag}>{}</{tag}>", escape(c))).collect()
    };
    let body: String = rows.iter().map(|r| format!("<tr>{}</tr>", cells("td", r))).collect();
    format!(
        "<table><thead><tr>{}</tr></thead><tbody>{body}</tbody></table>",
        cells("th", &head)
    )
}

/// A complete page; `body` is HTML already escaped.
pub fn page(title: &str, body: &str) -> Response {
    let mut r = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>{body}</body></html>",
        escape(title)
    ))
    .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

/// The page of an order that does not exist.
pub fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!DOCTYPE html><title>No such order</title><p>No such order.</p>".to_owned()),
    )
        .into_response()
}

/// Whether the request comes from this machine (loopback peer address).
pub fn from_loopback(req: &Request) -> bool {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback())
}

/// Whether the `Host` header names this machine (`127.0.0.1`, `[::1]`,
/// `localhost`, any port).
pub fn loopback_host(req: &Request) -> bool {
    let Some(host) = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The pages' guard (a middleware).
pub async fn guard(req: Request, next: Next) -> Response {
    if !from_loopback(&req) || !loopback_host(&req) {
        return (
            StatusCode::FORBIDDEN,
            Html("<!DOCTYPE html><title>Forbidden</title><p>Sandbox pages answer only on this machine.</p>".to_owned()),
        )
            .into_response();
    }
    next.run(req).await
}
