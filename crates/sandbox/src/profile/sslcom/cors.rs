//! CORS as SSL.com answers it (docs/sslcom-sws.md §3): two mechanisms that
//! do not know of each other.
//!
//! 1. rack-cors 1.0.6, outermost, with one resource `/certificate/*`
//!    (compiled to `^/certificate/(.*?)$`): it answers **every** preflight
//!    itself with 200 — with CORS headers only on `/certificate/…`, so a
//!    browser's preflight of `/certificates` or `/certificate_enrollment`
//!    fails — and adds its own headers (plus `Vary: Origin`) to actual
//!    requests on `/certificate/…`, where the app's values win.
//! 2. The controller's `after_action`, which stamps four fixed headers on
//!    every answer its actions make, errors and 500s included, but not on
//!    answers made outside an action (a routing 404, the JSON-parse 400, a
//!    proxy's 429): handlers mark those with [`OutsideAction`].
//!
//! Neither exposes any header: no `Access-Control-Expose-Headers` beyond
//! rack-cors's empty one on `/certificate/…`, so `Retry-After` and the
//! paging headers are unreadable from a page.

use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Marks an answer made outside a controller action: no `after_action` headers.
#[derive(Debug, Clone, Copy)]
pub struct OutsideAction;

/// Marks `r` as made outside an action.
pub fn outside(mut r: Response) -> Response {
    r.extensions_mut().insert(OutsideAction);
    r
}

/// What the controller's `set_access_control_headers` sets (note the
/// misused request header name, as SSL.com sends it).
const APP_HEADERS: [(&str, &str); 4] = [
    ("access-control-allow-origin", "*"),
    ("access-control-allow-methods", "POST, PUT, DELETE, GET, OPTIONS"),
    ("access-control-request-method", "*"),
    (
        "access-control-allow-headers",
        "Origin, X-Requested-With, Content-Type, Accept, Authorization",
    ),
];

/// rack-cors's methods for `/certificate/*`, in its order.
const RACK_METHODS: [&str; 6] = ["get", "post", "delete", "put", "options", "head"];

/// rack-cors's headers for `/certificate/*` (`to_headers`): origin `*`
/// (a public resource), its methods, an empty expose list, max age 0.
fn rack_headers() -> [(&'static str, HeaderValue); 4] {
    [
        ("access-control-allow-origin", HeaderValue::from_static("*")),
        (
            "access-control-allow-methods",
            HeaderValue::from_static("GET, POST, DELETE, PUT, OPTIONS, HEAD"),
        ),
        ("access-control-expose-headers", HeaderValue::from_static("")),
        ("access-control-max-age", HeaderValue::from_static("0")),
    ]
}

/// Whether rack-cors's one resource covers `path`.
fn covered(path: &str) -> bool {
    path.starts_with("/certificate/")
}

fn preflight(headers: &HeaderMap, covered: bool) -> Response {
    let mut r = StatusCode::OK.into_response();
    let method = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if covered && RACK_METHODS.contains(&method.as_str()) {
        let out = r.headers_mut();
        for (k, v) in rack_headers() {
            out.insert(k, v);
        }
        if let Some(asked) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
        }
    }
    r
}

/// The middleware: rack-cors around the app, the `after_action` inside.
/// Preflights are counted by path (`GET /sandbox/preflights`).
pub async fn layer(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let has_origin = req.headers().contains_key(header::ORIGIN);
    let covered = covered(req.uri().path());
    if req.method() == Method::OPTIONS
        && has_origin
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        if let Ok(mut counts) = state.preflights.lock() {
            *counts.entry(req.uri().path().to_owned()).or_default() += 1;
        }
        return preflight(req.headers(), covered);
    }
    let mut r = next.run(req).await;
    let in_action = r.extensions().get::<OutsideAction>().is_none();
    let out = r.headers_mut();
    if in_action {
        for (k, v) in APP_HEADERS {
            out.insert(k, HeaderValue::from_static(v));
        }
    }
    if covered {
        if has_origin {
            for (k, v) in rack_headers() {
                if !out.contains_key(k) {
                    out.insert(k, v);
                }
            }
        }
        let vary = out
            .get(header::VARY)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mut parts: Vec<&str> = v.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
                if !parts.contains(&"Origin") {
                    parts.push("Origin");
                }
                parts.join(", ")
            })
            .unwrap_or_else(|| "Origin".into());
        if let Ok(v) = HeaderValue::from_str(&vary) {
            out.insert(header::VARY, v);
        }
    }
    r
}
