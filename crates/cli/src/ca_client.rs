//! Carries the protocol's requests over HTTP with reqwest. The only place the
//! CLI touches the network.

use smime_bulk_ca::engine::Outcome;
use smime_bulk_ca::protocol::{HttpRequest, HttpResponse, Method};
use std::time::Duration;

/// An HTTP client for one CA.
pub struct CaClient {
    http: reqwest::Client,
    base: String,
}

impl CaClient {
    /// A client for the CA at `base`, each request limited to `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, String> {
        smime_bulk_ca::protocol::trust::check_ca_url(base).map_err(|e| format!("--ca: {e}"))?;
        let http = reqwest::Client::builder()
            // Every request carries the secret key: never follow a redirect
            // (it may lead to another origin); the engine stops and says where it led.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        Ok(CaClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// The CA's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `request`; what happened, as the engine understands it. Error
    /// texts never include the URL (its query may carry the secret key).
    pub async fn send(&self, request: &HttpRequest) -> Outcome {
        let url = request.url(&self.base);
        let builder = match request.method {
            Method::Get => self.http.get(url),
            Method::Post => {
                let post = self.http.post(url).body(request.encoded_body());
                match request.content_type() {
                    Some(content_type) => post.header(reqwest::header::CONTENT_TYPE, content_type),
                    None => post,
                }
            }
        };
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Outcome::Timeout,
            Err(e) => return Outcome::Network(describe(e)),
        };
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let location = header(reqwest::header::LOCATION);
        match read_capped(response).await {
            Ok(body) => Outcome::Response(HttpResponse {
                status,
                retry_after,
                location,
                body,
            }),
            Err(e) if e.is_timeout() => Outcome::Timeout,
            Err(e) => Outcome::Network(describe(e)),
        }
    }

    /// Sends `request` and turns a failure to get any answer into a message.
    pub async fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, String> {
        match self.send(request).await {
            Outcome::Response(r) => Ok(r),
            Outcome::Timeout => Err(format!("the CA at {} did not answer in time", self.base)),
            Outcome::Network(e) => Err(format!("cannot reach the CA at {}: {e}", self.base)),
        }
    }
}

impl CaClient {
    /// The `Access-Control-Allow-Origin` the CA answers to `request` sent as a
    /// page at `origin` would send it, or, with `preflight`, to the preflight a
    /// browser would send before a JSON POST to its path.
    pub async fn allowed_origin(
        &self,
        request: &HttpRequest,
        origin: &str,
        preflight: bool,
    ) -> Result<Option<String>, String> {
        let url = request.url(&self.base);
        let builder = if preflight {
            self.http
                .request(reqwest::Method::OPTIONS, url)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
        } else {
            self.http.get(url)
        };
        let response = builder
            .header(reqwest::header::ORIGIN, origin)
            .send()
            .await
            .map_err(|e| format!("cannot reach the CA at {}: {}", self.base, describe(e)))?;
        Ok(response
            .headers()
            .get(reqwest::header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }
}

/// The body as text, read up to one byte past the answer limit (the parsers
/// then refuse it by its size: a hostile CA cannot make us hold gigabytes).
async fn read_capped(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let cap = smime_bulk_ca::protocol::trust::MAX_ANSWER_BYTES + 1;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk[..chunk.len().min(cap - body.len())]);
        if body.len() >= cap {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The error and its causes, without the URL.
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
