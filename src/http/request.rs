//! The platform-free view of an incoming HTTP request that the core works on.

/// One callback as received: what the edge adapter hands to the pure core.
#[derive(Debug, Clone, Copy)]
pub struct PushRequest<'a> {
    /// Upper-case method, e.g. `POST`.
    pub method: &'a str,
    /// The absolute URL the request arrived on, as the runtime gives it (Twilio signs it).
    pub url: &'a str,
    /// The path as it appeared in the URL, still percent-encoded.
    pub path: &'a str,
    /// The query without its `?`, still percent-encoded; empty when there is none.
    pub query: &'a str,
    /// Header names and values; names are matched case-insensitively.
    pub headers: &'a [(String, String)],
    /// The raw body bytes, exactly as received.
    pub body: &'a [u8],
}

impl<'a> PushRequest<'a> {
    /// The first header with this name (case-insensitive). The Fetch API already joins
    /// repeated headers into one comma-separated value.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Headers passed as one string, one `name:value` per line: the cheapest way across the
/// JS/wasm boundary. A line without a colon is skipped (the Fetch API never makes one).
pub fn header_lines(lines: &str) -> Vec<(String, String)> {
    lines
        .split('\n')
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// The request's headers (the Fetch API gives lower-case names) plus `host` from the URL when
/// the runtime does not list it: Huawei signs `host`.
pub fn with_host(mut headers: Vec<(String, String)>, url_host: &str) -> Vec<(String, String)> {
    if !headers.iter().any(|(name, _)| name == "host") {
        headers.push(("host".to_string(), url_host.to_string()));
    }
    headers
}

/// Splits an absolute URL (`https://host:port/path?query#fragment`) into host, path and query,
/// without decoding anything: the signature covers the path as sent.
pub fn split_url(url: &str) -> (&str, &str, &str) {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let after_scheme = without_fragment
        .split_once("://")
        .map_or(without_fragment, |(_, rest)| rest);
    let (authority, path_and_query) = match after_scheme.find(['/', '?']) {
        Some(index) => after_scheme.split_at(index),
        None => (after_scheme, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or_default();
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    (host, path, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_without_decoding() {
        assert_eq!(
            split_url("https://hooks.example.com:8443/sms/up%20link?x=1&y=%20#frag"),
            ("hooks.example.com:8443", "/sms/up%20link", "x=1&y=%20")
        );
        assert_eq!(split_url("http://h"), ("h", "", ""));
        assert_eq!(split_url("http://h?q"), ("h", "", "q"));
    }

    #[test]
    fn header_lines_split_at_the_first_colon() {
        assert_eq!(
            header_lines("host:a.example:8443\nx-sdk-date:20260101T000000Z\n\nbad\n"),
            [
                ("host".to_string(), "a.example:8443".to_string()),
                ("x-sdk-date".to_string(), "20260101T000000Z".to_string()),
            ]
        );
        assert_eq!(header_lines(""), []);
    }

    #[test]
    fn host_comes_from_the_url_only_when_missing() {
        let given = vec![("host".to_string(), "a.example".to_string())];
        assert_eq!(with_host(given.clone(), "b.example"), given);
        assert_eq!(
            with_host(Vec::new(), "b.example:8443"),
            [("host".to_string(), "b.example:8443".to_string())]
        );
    }

    #[test]
    fn header_lookup_ignores_case() {
        let headers = vec![("X-Sdk-Date".to_string(), "v".to_string())];
        let request = PushRequest {
            method: "POST",
            url: "https://h/",
            path: "/",
            query: "",
            headers: &headers,
            body: b"",
        };
        assert_eq!(request.header("x-sdk-date"), Some("v"));
        assert_eq!(request.header("host"), None);
    }
}
