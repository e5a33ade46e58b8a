//! What we accept from a CA (or from whoever answers in its name), and where
//! we send the secret key: an answer is input like a roster is.
//!
//! - a CA URL must be `https:`, or `http:` to a loopback host (the sandbox);
//! - a link from an answer is shown as a link only under the same rule;
//! - an answer body over [`MAX_ANSWER_BYTES`] is refused, and a text field
//!   over [`MAX_FIELD_CHARS`] is refused by the dialects' parsers.

/// The largest answer body read (a page of 100 orders is well under 1 MB).
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// The longest text field accepted in an answer (references, statuses, links, keys).
pub const MAX_FIELD_CHARS: usize = 2048;

/// Whether `host` (as in a URL, IPv6 in brackets) is this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// The scheme and the host of an absolute URL, lower-cased scheme.
fn scheme_and_host(url: &str) -> Option<(String, &str)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then(|| (scheme.to_ascii_lowercase(), host))
}

/// Whether a URL may receive the secret key, or be offered as a link:
/// `https:`, or `http:` to this machine.
///
/// ```
/// use smime_bulk_ca::protocol::trust::is_trusted_url;
/// assert!(is_trusted_url("https://sws-test.sslpki.com"));
/// assert!(is_trusted_url("http://127.0.0.1:8787/receipt/co-1"));
/// assert!(is_trusted_url("http://[::1]:8787"));
/// assert!(!is_trusted_url("http://sws.sslpki.com"));
/// assert!(!is_trusted_url("javascript:alert(1)"));
/// assert!(!is_trusted_url("data:text/html,<script>"));
/// ```
pub fn is_trusted_url(url: &str) -> bool {
    match scheme_and_host(url) {
        Some((scheme, _)) if scheme == "https" => !url.trim().contains(char::is_whitespace),
        Some((scheme, host)) if scheme == "http" => is_loopback(host) && !url.trim().contains(char::is_whitespace),
        _ => false,
    }
}

/// Checks a CA URL before the secret key is sent there; the error says why
/// and what to do.
pub fn check_ca_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("enter the CA's API URL, e.g. https://sws-test.sslpki.com".into());
    }
    if is_trusted_url(url) {
        return Ok(());
    }
    Err(match scheme_and_host(url) {
        Some((scheme, host)) if scheme == "http" => format!(
            "the CA URL {url} is plain http to {host}: the secret key would cross the network unencrypted. \
             Use https:// (plain http is allowed only to this machine, for the sandbox)"
        ),
        Some((scheme, _)) => format!("the CA URL {url} is not https (it is {scheme}:); use the CA's https:// API URL"),
        None => format!("{url:?} is not a URL; use the CA's https:// API URL, e.g. https://sws-test.sslpki.com"),
    })
}

/// The origin (`scheme://host[:port]`) the secret key is sent to, to show the user.
pub fn origin_of(url: &str) -> String {
    let url = url.trim();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let authority = authority.rsplit('@').next().unwrap_or_default();
            format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase())
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_may_receive_the_secret() {
        for ok in [
            "https://sws.sslpki.com",
            "HTTPS://ca.example/api",
            "http://localhost:8787",
            "http://127.0.0.2:1/x",
        ] {
            assert!(check_ca_url(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("http://sws.sslpki.com", "unencrypted"),
            ("http://127.0.0.1.evil.example", "unencrypted"),
            ("http://user@127.0.0.1.evil.example/", "unencrypted"),
            ("ftp://ca.example", "not https"),
            ("javascript:alert(1)", "not a URL"),
            ("sws.sslpki.com", "not a URL"),
            ("", "enter"),
        ] {
            let e = check_ca_url(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(!is_trusted_url("https://ca.example/a b"));
    }

    #[test]
    fn the_origin_shown_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://SWS.sslpki.com/certificates?x=1"),
            "https://sws.sslpki.com"
        );
        assert_eq!(origin_of("http://u:p@127.0.0.1:8787/"), "http://127.0.0.1:8787");
    }
}
