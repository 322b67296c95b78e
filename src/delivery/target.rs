//! Checking `FORWARD_URL` at configuration time.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardUrlError {
    NotAUrl,
    /// `http://` to a host other than loopback, or another scheme: events would leave the
    /// edge unencrypted (or not at all).
    InsecureScheme,
    /// A character a WHATWG URL parser (the runtime's `fetch`) reads differently from a plain
    /// split: a backslash (a path separator there), whitespace or a control character (removed
    /// there), so the host checked here might not be the host fetched.
    Ambiguous,
}

impl std::fmt::Display for ForwardUrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ForwardUrlError::NotAUrl => "must be an https:// URL",
            ForwardUrlError::InsecureScheme => {
                "must be an https:// URL (http:// only to a loopback address)"
            }
            ForwardUrlError::Ambiguous => {
                "must not contain a backslash, whitespace or control characters"
            }
        })
    }
}

impl std::error::Error for ForwardUrlError {}

/// Accepts `https://…`, and `http://` only to a loopback host (local development).
/// Returns the URL's origin (scheme and host), which is safe to show: the path and query may
/// carry a backend's own token.
pub fn validate_forward_url(url: &str) -> Result<String, ForwardUrlError> {
    // WHATWG parsing treats `\` as `/` in http(s) URLs and silently drops tabs and newlines;
    // with none of those, and a plain scheme://authority/ shape, both readings agree.
    if url
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return Err(ForwardUrlError::Ambiguous);
    }
    let (scheme, rest) = url.split_once("://").ok_or(ForwardUrlError::NotAUrl)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_and_port = authority.rsplit('@').next().unwrap_or_default();
    if host_and_port.is_empty() {
        return Err(ForwardUrlError::NotAUrl);
    }
    let host = host_of(host_and_port);
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if is_loopback(host) => {}
        _ => return Err(ForwardUrlError::InsecureScheme),
    }
    Ok(format!("{}://{host_and_port}", scheme.to_ascii_lowercase()))
}

fn host_of(host_and_port: &str) -> &str {
    if let Some(bracketed) = host_and_port.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default();
    }
    host_and_port.split(':').next().unwrap_or_default()
}

/// `localhost` names (RFC 6761 reserves them for loopback) or a loopback address, as the
/// standard library reads it (`127.0.0.0/8`, `::1`).
fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert_eq!(
            validate_forward_url("https://api.example.com/hooks/sms?t=1").as_deref(),
            Ok("https://api.example.com")
        );
        assert_eq!(
            validate_forward_url("http://127.0.0.1:8080/x").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(
            validate_forward_url("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(
            validate_forward_url("http://[::1]:3000/").as_deref(),
            Ok("http://[::1]:3000")
        );
        for insecure in [
            "http://api.example.com/",
            "http://127.0.0.1.example.com/",
            "ftp://127.0.0.1/",
            "http://10.0.0.1/",
        ] {
            assert_eq!(
                validate_forward_url(insecure),
                Err(ForwardUrlError::InsecureScheme),
                "{insecure}"
            );
        }
        for ambiguous in [
            "http://evil.example\\@localhost/hook",
            "https://a.example/\\x",
            "http://127.0.0.1\t/",
            "http://local\nhost/",
            " https://a.example/",
        ] {
            assert_eq!(
                validate_forward_url(ambiguous),
                Err(ForwardUrlError::Ambiguous),
                "{ambiguous:?}"
            );
        }
        for broken in ["api.example.com", "https://", "https:///path"] {
            assert_eq!(
                validate_forward_url(broken),
                Err(ForwardUrlError::NotAUrl),
                "{broken}"
            );
        }
    }
}
