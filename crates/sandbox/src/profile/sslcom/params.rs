//! Request parameters the way Rails builds `params` for SSL.com's controller:
//! the query string, plus a form-encoded body (bracket notation, Rack's
//! `parse_nested_query`) or a JSON body, merged shallowly with the query
//! string winning (`request_parameters.merge(query_parameters)`).
//!
//! Bodies: `application/json` is parsed as JSON (a malformed one is the
//! caller's 400); `application/x-www-form-urlencoded`, or no `Content-Type`
//! at all (as Rack does), as a form; anything else (text/plain, multipart) is
//! not read.

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};

/// A request's merged parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(Map<String, Value>);

/// A JSON body that is not JSON: the parser's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl Params {
    /// The parameters of a request with this query string and body.
    pub fn from_request(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Params, JsonError> {
        let media = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        let mut params = match media.as_deref() {
            Some("application/json") => json_body(body)?,
            None | Some("application/x-www-form-urlencoded") => parse_nested(body),
            Some(_) => Map::new(),
        };
        for (k, v) in parse_nested(query.unwrap_or_default().as_bytes()) {
            params.insert(k, v);
        }
        Ok(Params(params))
    }

    /// The parameters of a query string alone (a GET).
    pub fn from_query(query: Option<&str>) -> Params {
        Params(parse_nested(query.unwrap_or_default().as_bytes()))
    }

    /// A parameter as given.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// A scalar parameter as text (a JSON number or boolean as written).
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).and_then(scalar)
    }

    /// Whether a parameter is blank as Rails means it: absent, null, only
    /// white space, or an empty list or hash.
    pub fn blank(&self, key: &str) -> bool {
        self.get(key).is_none_or(blank)
    }
}

/// A scalar value as text.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Rails' `blank?`.
pub fn blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Ruby's `String#to_i`: the leading integer, or 0.
pub fn to_i(s: &str) -> i64 {
    let s = s.trim_start();
    let (sign, digits) = match s.as_bytes().first() {
        Some(b'-') => (-1, &s[1..]),
        Some(b'+') => (1, &s[1..]),
        _ => (1, s),
    };
    let end = digits.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse::<i64>().map_or(0, |n| sign * n)
}

fn json_body(body: &[u8]) -> Result<Map<String, Value>, JsonError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        // Rails keeps a JSON array (or scalar) under `_json`.
        Ok(other) => Ok(Map::from_iter([("_json".to_owned(), other)])),
        Err(e) => Err(JsonError(e.to_string())),
    }
}

/// Rack's `parse_nested_query`: `a=1&b[c]=2&d[]=3&d[]=4&e[][f]=5`.
pub fn parse_nested(text: &[u8]) -> Map<String, Value> {
    let mut params = Map::new();
    for (name, value) in form_urlencoded::parse(text) {
        normalize(&mut params, &name, Value::String(value.into_owned()));
    }
    params
}

/// Splits `name` as Rack does: `k` is the first run of non-bracket
/// characters (after any leading brackets), `after` what follows the
/// brackets that close it.
fn split_name(name: &str) -> (&str, &str) {
    let start = name.find(|c| c != '[' && c != ']').unwrap_or(name.len());
    let rest = &name[start..];
    let end = rest.find(['[', ']']).unwrap_or(rest.len());
    // `\]*` after the key eats closing brackets only.
    (&rest[..end], rest[end..].trim_start_matches(']'))
}

fn has_key(hash: &Map<String, Value>, key: &str) -> bool {
    if key.contains("[]") {
        return false;
    }
    let mut here = hash;
    let parts: Vec<&str> = key.split(['[', ']']).filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        match here.get(*part) {
            Some(Value::Object(next)) => here = next,
            Some(_) if i + 1 == parts.len() => return true,
            _ => return false,
        }
    }
    true
}

fn normalize(params: &mut Map<String, Value>, name: &str, v: Value) {
    let (k, after) = split_name(name);
    if k.is_empty() {
        return;
    }
    if after.is_empty() {
        params.insert(k.to_owned(), v);
    } else if after == "[" {
        params.insert(name.to_owned(), v);
    } else if after == "[]" {
        let list = params.entry(k.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if !list.is_array() {
            *list = Value::Array(Vec::new());
        }
        if let Value::Array(a) = list {
            a.push(v);
        }
    } else if let Some(child) = after.strip_prefix("[]") {
        // `k[][child]=v`: a list of hashes, a new one whenever `child` repeats.
        let child = child
            .strip_prefix('[')
            .and_then(|c| c.strip_suffix(']'))
            .filter(|c| !c.contains(['[', ']']))
            .unwrap_or(child);
        let list = params.entry(k.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if !list.is_array() {
            *list = Value::Array(Vec::new());
        }
        let Value::Array(a) = list else { return };
        match a.last_mut() {
            Some(Value::Object(last)) if !has_key(last, child) => normalize(last, child, v),
            _ => {
                let mut fresh = Map::new();
                normalize(&mut fresh, child, v);
                a.push(Value::Object(fresh));
            }
        }
    } else {
        let hash = params.entry(k.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if !hash.is_object() {
            *hash = Value::Object(Map::new());
        }
        if let Value::Object(h) = hash {
            normalize(h, after, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn form(s: &str) -> Value {
        Value::Object(parse_nested(s.as_bytes()))
    }

    #[test]
    fn bracket_notation_is_read_like_rack() {
        assert_eq!(
            form("contacts[all][first_name]=Jane&contacts[all][last_name]=Doe&domains[]=a%40x.com&domains[]=b@x.com&p=1+2"),
            json!({"contacts": {"all": {"first_name": "Jane", "last_name": "Doe"}}, "domains": ["a@x.com", "b@x.com"], "p": "1 2"})
        );
        assert_eq!(
            form("e[][f]=1&e[][g]=2&e[][f]=3"),
            json!({"e": [{"f": "1", "g": "2"}, {"f": "3"}]})
        );
        assert_eq!(form("a=1&a=2"), json!({"a": "2"}));
        assert_eq!(form("[x]=1&=2"), json!({"x": "1"}));
    }

    #[test]
    fn query_wins_over_the_body_and_json_bodies_are_read() {
        let mut h = HeaderMap::new();
        let p = Params::from_request(&h, Some("a=q"), b"a=b&c=d").unwrap();
        assert_eq!((p.text("a"), p.text("c")), (Some("q".into()), Some("d".into())));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let p = Params::from_request(&h, None, br#"{"period": 365, "contacts": {"all": {"phone": "1"}}}"#).unwrap();
        assert_eq!(p.text("period").as_deref(), Some("365"));
        assert!(Params::from_request(&h, None, b"{nope").is_err());
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(Params::from_request(&h, None, b"a=1").unwrap().blank("a"));
    }

    #[test]
    fn ruby_to_i_reads_the_leading_integer() {
        assert_eq!(to_i("365"), 365);
        assert_eq!(to_i(" 730days"), 730);
        assert_eq!(to_i("abc"), 0);
        assert_eq!(to_i("-2"), -2);
        assert_eq!(to_i(""), 0);
    }
}
