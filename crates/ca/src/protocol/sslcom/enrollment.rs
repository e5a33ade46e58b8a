//! Bulk enrollment, `POST /certificate_enrollment` (docs/sslcom-sws.md §7):
//! one invoiced order per mailbox of a chunk, answered with a request-log id
//! and no order reference. The orders are found afterwards by listing.

use super::super::answer::{field_errors, json, snippet, string};
use super::super::http::{Body, HttpRequest, HttpResponse, Method};
use super::super::types::{CaError, Credentials, Enrolled, EnrollmentRequest};
use super::{auth, bad_request, describe, refusal, status_error, wire};
use serde_json::Value;

/// Where an enrollment's invoice is: SSL.com's answer links none, and its
/// orders' reads and listings carry no `receipt_url` (§5, §6, §7).
pub const ENROLLMENT_INVOICE: &str =
    "SSL.com's answer to an enrollment links no invoice: each enrollment (one per chunk) \
     is one invoiced order, \"Certificate enrollment for N emails.\", on your team's invoice in the SSL.com portal \
     (Orders, and Billing's invoices), billed under your EPKI agreement";

/// What an enrollment costs and needs, as SSL.com's docs and source show it.
pub const ENROLLMENT_TERMS: &str = "Each chunk of addresses is one order invoiced to your team under its EPKI \
     agreement: no funds check, nothing taken from the account's funds. The recipients are invited by email and make \
     their own keys, so CSRs in the roster are not sent. It needs the product's certificate id and an approver's \
     user id, which SSL.com has no API to list: ask SSL.com for them.";

/// The request that enrolls a chunk: a form-encoded POST (a CORS simple
/// request, as an order is), the mailboxes comma-joined as SSL.com's portal
/// sends them, the validity as a 1-based index of years.
pub fn enroll(creds: &Credentials, request: &EnrollmentRequest) -> HttpRequest {
    let mut form = auth(creds);
    form.push((wire::CERTIFICATE_ID.into(), request.certificate_id.to_string()));
    form.push((wire::DOMAINS.into(), request.emails.join(",")));
    form.push((wire::DURATION.into(), request.years.to_string()));
    form.push((wire::APPROVER_ID.into(), request.approver_id.to_string()));
    HttpRequest {
        method: Method::Post,
        path: wire::PATH_ENROLLMENT.into(),
        query: Vec::new(),
        body: Some(Body::Form(form)),
    }
}

/// The answer to an enrollment.
///
/// 200 `{"id", "is_ordered"}`: accepted. 200 `errors` naming only the
/// parameters checked before anything is made: refused (`login`: wrong
/// keys). Any other 200 `errors`, a 200 of another shape, and 5xx: the
/// orders may exist.
pub fn parse_enrolled(resp: &HttpResponse) -> Result<Enrolled, CaError> {
    if let Some(e) = status_error(resp) {
        return Err(e);
    }
    let value = json(resp)?;
    if resp.status == 400 {
        return Err(bad_request(resp, &value));
    }
    if let Some(errors) = value.get(wire::ERRORS).and_then(field_errors) {
        if !errors.is_empty() && errors.keys().all(|f| wire::ERR_BEFORE_ENROLL.contains(&f.as_str())) {
            return Err(refusal(errors));
        }
        return Err(CaError::Unexpected {
            status: resp.status,
            detail: format!(
                "the CA answered the enrollment with errors ({}); its orders may have been created",
                describe(&errors)
            ),
        });
    }
    let request_id = string(&value, wire::ID).filter(|id| !id.is_empty());
    let is_ordered = value.get(wire::IS_ORDERED).and_then(Value::as_bool);
    match (request_id, is_ordered) {
        (Some(request_id), Some(is_ordered)) => Ok(Enrolled { request_id, is_ordered }),
        _ => Err(CaError::Unexpected {
            status: resp.status,
            detail: format!(
                "the enrollment answer lacks \"{}\" or a true/false \"{}\"; its orders may have been created: {}",
                wire::ID,
                wire::IS_ORDERED,
                snippet(&resp.body)
            ),
        }),
    }
}
