//! Carries the protocol's requests over HTTP with gloo-net (fetch), each with a
//! timeout through an `AbortSignal`. The only place the app talks to the CA:
//! the steps [`call`] it (request, then answer read by a `protocol::parse_*`);
//! the submit step's driver [`send`]s the engine's requests and hands the raw
//! outcomes back to the engine.

use gloo_net::http::Request;
use gloo_timers::future::TimeoutFuture;
use smime_bulk_ca::engine::Outcome;
use smime_bulk_ca::protocol::{CaError, HttpRequest, HttpResponse, Method};
use smime_bulk_ca::retry::{may_pass, ReadRetry};
use std::cell::Cell;
use std::rc::Rc;

/// Default time to wait for an answer.
pub const TIMEOUT_MS: u32 = 30_000;

/// The status a redirect is handed to the dialects with. A redirect the page
/// does not follow comes back as an "opaque redirect", whose status and
/// `Location` the browser keeps to itself, so the generic 3xx stands for it
/// and the dialects read it as `CaError::Redirected`: the run stops, nothing
/// is resent. (A redirect without CORS headers stays a network error.)
const REDIRECT_STATUS: u16 = 300;

/// What the user is told of the hidden `Location`.
const REDIRECT_LOCATION: &str = "an address the browser keeps hidden (ask your CA for its API address)";

/// What a [`call`] got instead of the answer it asked for.
#[derive(Debug)]
pub enum CallError {
    /// The CA answered with an error, or with something the parser could not read.
    Ca(CaError),
    /// No answer came.
    NoAnswer(NoAnswer),
}

/// A request the CA at `base` did not answer (timeout, unreachable, blocked).
#[derive(Debug)]
pub struct NoAnswer {
    base: String,
    outcome: Outcome,
}

impl NoAnswer {
    /// Why, in words a user can act on. Asks the CA once more to tell an
    /// answer blocked by CORS from an unreachable CA, so only a step that
    /// shows the reason asks for it.
    pub async fn explain(&self) -> String {
        explain_failure(&self.base, &self.outcome).await
    }
}

/// Sends `request` to the CA at `base` and reads the answer with `parse` (one
/// of `protocol::parse_*`); as the Leptos hackernews example's `fetch_api`.
///
/// A read (`GET`) met by a fault that may pass (a 5xx, a 429, a dropped
/// connection: `smime_bulk_ca::retry`'s rule) is sent again after a jittered
/// wait, up to `retry::MAX_TRIES` tries, so one bad answer does not fail a
/// step. A read that got no answer within [`TIMEOUT_MS`] is not: the user has
/// waited that long already and is told at once. A `POST` is sent once.
pub async fn call<T>(
    base: &str,
    request: &HttpRequest,
    parse: impl Fn(&HttpResponse) -> Result<T, CaError>,
) -> Result<T, CallError> {
    let mut tries = ReadRetry::new(js_sys::Date::now() as u64);
    loop {
        let outcome = send(base, request, TIMEOUT_MS).await;
        let parsed = match &outcome {
            Outcome::Response(r) => Some(parse(r)),
            _ => None,
        };
        let retry = request.method == Method::Get && !matches!(outcome, Outcome::Timeout);
        let error = parsed.as_ref().and_then(|p| p.as_ref().err());
        if let Some(wait_ms) = may_pass(&outcome, error)
            .filter(|_| retry)
            .and_then(|asked| tries.after_fault(asked))
        {
            TimeoutFuture::new(u32::try_from(wait_ms).unwrap_or(u32::MAX)).await;
            continue;
        }
        return match parsed {
            Some(result) => result.map_err(CallError::Ca),
            None => Err(CallError::NoAnswer(NoAnswer {
                base: base.to_owned(),
                outcome,
            })),
        };
    }
}

/// Sends `request` to the CA at `base`; what happened, as the engine sees it.
pub async fn send(base: &str, request: &HttpRequest, timeout_ms: u32) -> Outcome {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let timed_out = Rc::new(Cell::new(false));
    let _timer = controller.clone().map(|c| {
        let flag = timed_out.clone();
        gloo_timers::callback::Timeout::new(timeout_ms, move || {
            flag.set(true);
            c.abort();
        })
    });
    let url = request.url(base);
    // Every request carries the secret key: a redirect (perhaps to another
    // origin) is never followed ("manual"); see REDIRECT_STATUS.
    let built = match request.method {
        Method::Get => Request::get(&url)
            .abort_signal(signal.as_ref())
            .redirect(web_sys::RequestRedirect::Manual)
            .build(),
        Method::Post => Request::post(&url)
            .abort_signal(signal.as_ref())
            .redirect(web_sys::RequestRedirect::Manual)
            .header("content-type", request.content_type().unwrap_or("application/json"))
            .body(request.encoded_body()),
    };
    let response = match built {
        Ok(r) => r.send().await,
        Err(e) => return Outcome::Network(e.to_string()),
    };
    let response = match response {
        Ok(r) => r,
        Err(_) if timed_out.get() => return Outcome::Timeout,
        // The browser does not say why a fetch failed (unreachable, CORS, TLS…).
        Err(_) => return Outcome::Network("the request did not reach the CA or its answer was blocked".into()),
    };
    if response.type_() == web_sys::ResponseType::Opaqueredirect {
        return Outcome::Response(HttpResponse {
            status: REDIRECT_STATUS,
            retry_after: None,
            location: Some(REDIRECT_LOCATION.into()),
            body: String::new(),
        });
    }
    let status = response.status();
    // A body the CA says is over the limit is not read at all (the parsers
    // refuse a long one without the header by its size).
    let limit = smime_bulk_ca::protocol::trust::MAX_ANSWER_BYTES;
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > limit) {
        return Outcome::Network(format!(
            "the CA's answer is {n} bytes, over the {limit} bytes any CA answer needs; it was not read"
        ));
    }
    let retry_after = response.headers().get("retry-after");
    match response.text().await {
        Ok(body) => Outcome::Response(HttpResponse {
            status,
            retry_after,
            location: None,
            body,
        }),
        Err(_) if timed_out.get() => Outcome::Timeout,
        Err(e) => Outcome::Network(e.to_string()),
    }
}

/// Why the CA could not be asked at all, in words a user can act on.
pub async fn explain_failure(base: &str, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Timeout => format!(
            "The CA at {base} did not answer within {} seconds. Check the URL and your network, then try again.",
            TIMEOUT_MS / 1000
        ),
        Outcome::Network(_) => {
            // An opaque ("no-cors") request succeeds when the server is reachable:
            // then the real request was blocked by CORS.
            let reachable = {
                let init = web_sys::RequestInit::new();
                init.set_mode(web_sys::RequestMode::NoCors);
                match web_sys::window() {
                    Some(w) => wasm_bindgen_futures::JsFuture::from(w.fetch_with_str_and_init(base, &init))
                        .await
                        .is_ok(),
                    None => false,
                }
            };
            if reachable {
                let origin = web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default();
                format!(
                    "The CA at {base} answered, but the browser blocked the answer (CORS). The CA, or a proxy in front of it, \
                     must allow this page's origin {origin} (Access-Control-Allow-Origin) for GET and POST with a JSON body."
                )
            } else {
                format!("The CA at {base} cannot be reached. Check the URL, that the CA is running, and your network.")
            }
        }
        Outcome::Response(_) => String::new(),
    }
}
