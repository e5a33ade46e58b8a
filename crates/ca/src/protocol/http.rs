//! Requests and responses as plain data, for any HTTP client to carry.

use std::fmt;

/// The HTTP methods the protocol uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST with a body (see [`Body`])
    Post,
}

/// A POST's body, in the encoding the CA's dialect asks for.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// `application/json`. From a page on another origin this needs a CORS
    /// preflight, which only the reference dialect's CAs answer.
    Json(String),
    /// `application/x-www-form-urlencoded`, not yet encoded: a CORS *simple*
    /// request, which a browser sends without a preflight.
    Form(Vec<(String, String)>),
}

/// Shows the content type only: a body carries the secret key.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (redacted)", self.content_type())
    }
}

impl Body {
    /// The `Content-Type` to send it with.
    pub fn content_type(&self) -> &'static str {
        match self {
            Body::Json(_) => "application/json",
            Body::Form(_) => "application/x-www-form-urlencoded",
        }
    }

    /// The bytes to send, encoded.
    pub fn encoded(&self) -> String {
        match self {
            Body::Json(text) => text.clone(),
            Body::Form(pairs) => encode_pairs(pairs),
        }
    }
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request to send. It may carry the secret key (in the body or query), so
/// its `Debug`/`Display` show the path only.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// Path below the CA's base URL, e.g. `/certificates`.
    pub path: String,
    /// Query parameters, not yet encoded.
    pub query: Vec<(String, String)>,
    /// The body of a POST.
    pub body: Option<Body>,
}

impl HttpRequest {
    /// A GET of `path` with `query`.
    pub fn get(path: String, query: Vec<(String, String)>) -> Self {
        HttpRequest {
            method: Method::Get,
            path,
            query,
            body: None,
        }
    }

    /// The full URL below `base` (e.g. `https://sws-test.sslpki.com`), with the
    /// query encoded.
    pub fn url(&self, base: &str) -> String {
        let mut url = format!("{}{}", base.trim_end_matches('/'), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&encode_pairs(&self.query));
        }
        url
    }

    /// The body's `Content-Type`, if it has a body.
    pub fn content_type(&self) -> Option<&'static str> {
        self.body.as_ref().map(Body::content_type)
    }

    /// The body, encoded (empty without one).
    pub fn encoded_body(&self) -> String {
        self.body.as_ref().map(Body::encoded).unwrap_or_default()
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (query and body redacted)", self.method.as_str(), self.path)
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.path)
    }
}

/// An answer as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any (unreadable from a page unless the CA exposes it).
    pub retry_after: Option<String>,
    /// The `Location` header of a redirect, if any.
    pub location: Option<String>,
    /// The body text.
    pub body: String,
}

/// `k=v&k=v`, each part percent-encoded: a query string, or a form body (the
/// CA reads `%20` as a space in both).
fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode_component(k));
        out.push('=');
        out.push_str(&encode_component(v));
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
