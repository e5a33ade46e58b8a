//! Internationalised domain names, converted by the browser: its URL parser
//! applies UTS 46 as the WHATWG URL standard says, so the page does not carry
//! Rust's Unicode tables. Shared by the page and the engine worker (which
//! includes this file by path).

/// `domain` in A-labels, as the browser's URL parser gives it, or `None` if
/// it is not a valid domain name. Characters that would make the parser read
/// something other than a host (a path, a port, credentials) are refused
/// first.
pub fn to_ascii(domain: &str) -> Option<String> {
    if domain.is_empty()
        || domain
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/\\?#@:%[]<>^|\"'".contains(c))
    {
        return None;
    }
    let url = web_sys::Url::new(&format!("http://{domain}/")).ok()?;
    let host = url.hostname();
    (host.is_ascii() && !host.is_empty()).then_some(host)
}
