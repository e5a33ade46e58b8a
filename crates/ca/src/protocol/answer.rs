//! Reading answers, whatever the dialect: JSON, text fields, per-field error
//! lists, `Retry-After`. Each dialect decides what an answer *means*.

use super::http::HttpResponse;
use super::trust::{MAX_ANSWER_BYTES, MAX_FIELD_CHARS};
use super::types::{CaError, FieldErrors};
use serde_json::Value;

/// The first 200 characters of a body, for an error message.
pub(crate) fn snippet(body: &str) -> String {
    let trimmed: String = body.chars().take(200).collect();
    if trimmed.is_empty() {
        "empty body".into()
    } else {
        trimmed
    }
}

/// The body as JSON, or an error that quotes its start. A body over
/// [`MAX_ANSWER_BYTES`] or with a text over [`MAX_FIELD_CHARS`] is refused:
/// no CA answer needs them, and they would go into the journal and results.
pub(crate) fn json(resp: &HttpResponse) -> Result<Value, CaError> {
    if resp.body.len() > MAX_ANSWER_BYTES {
        return Err(CaError::Unexpected {
            status: resp.status,
            detail: format!(
                "the answer is {} bytes, over the {MAX_ANSWER_BYTES} bytes any CA answer needs",
                resp.body.len()
            ),
        });
    }
    let value: Value = serde_json::from_str(&resp.body).map_err(|e| CaError::Unexpected {
        status: resp.status,
        detail: format!("not JSON ({e}): {}", snippet(&resp.body)),
    })?;
    if let Some(path) = overlong_text(&value, "answer") {
        return Err(CaError::Unexpected {
            status: resp.status,
            detail: format!("{path} is over {MAX_FIELD_CHARS} characters, longer than any CA field needs"),
        });
    }
    Ok(value)
}

/// Where in `value` a text over [`MAX_FIELD_CHARS`] is, if one is.
fn overlong_text(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(s) if s.chars().count() > MAX_FIELD_CHARS => Some(at.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| overlong_text(v, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let key: String = k.chars().take(40).collect();
            overlong_text(v, &format!("{at}.{key}"))
        }),
        _ => None,
    }
}

/// A text field (a number is read as its digits).
pub(crate) fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `Retry-After` in seconds (integer or decimal) → milliseconds, at most an hour.
pub(crate) fn retry_after_ms(value: &str) -> Option<u64> {
    super::decimal::thousandths(value).map(|ms| ms.min(3_600_000))
}

/// `{"field": ["msg", …] | "msg" | {…}}` → per-field messages (a nested value
/// is kept as its JSON text).
pub(crate) fn field_errors(errors: &Value) -> Option<FieldErrors> {
    let errors = errors.as_object()?;
    let mut out = FieldErrors::new();
    for (field, msgs) in errors {
        let list = match msgs {
            Value::Array(items) => items
                .iter()
                .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                .collect(),
            Value::String(s) => vec![s.clone()],
            other => vec![other.to_string()],
        };
        out.insert(field.clone(), list);
    }
    Some(out)
}
