//! The URLs a Twilio signature may cover, for the URL a request arrived on, as Twilio's Node
//! helper tries them (`validateRequest` in twilio-node's `src/webhooks/webhooks.ts`, 6.2.0).
//!
//! The helper tries the URL it is given with its port removed and added, then
//! `new URL(url).toString()` the same two ways and each of those with its query re-encoded by
//! Node's legacy `querystring` ([`super::querystring`]). The relay is given `request.url`, which
//! the runtime has already normalized as `new URL()` does, so the two first and the two
//! normalized spellings are the same: four candidates at most.

use super::querystring::legacy_query;
use std::borrow::Cow;

/// A URL cut the way the helper's `splitUrl` cuts it, without normalizing anything.
struct Parts<'u> {
    /// `https://`, as written.
    scheme: &'u str,
    /// `user:pass@`, or empty.
    user_info: &'u str,
    host: &'u str,
    /// `:443`, or empty.
    port: &'u str,
    /// Everything after the authority: path, query, fragment.
    rest: &'u str,
}

/// `^([a-z][a-z0-9+.-]*://)([^/?#]*)`, case-insensitive; `None` for a URL without a scheme.
fn split(url: &str) -> Option<Parts<'_>> {
    let scheme_end = url.find("://")?;
    let name = url.get(..scheme_end)?;
    let mut chars = name.bytes();
    let starts_alphabetic = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_alphabetic
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'))
    {
        return None;
    }
    let (scheme, after_scheme) = url.split_at(scheme_end + 3);
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let (authority, rest) = after_scheme.split_at(authority_end);
    let (user_info, host_and_port) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    // A colon starts the port only after the closing bracket of an IPv6 literal.
    let after_bracket = host_and_port.rfind(']').map_or(0, |bracket| bracket + 1);
    let port_start = host_and_port
        .get(after_bracket..)
        .and_then(|tail| tail.find(':'))
        .map_or(host_and_port.len(), |colon| after_bracket + colon);
    let (host, port) = host_and_port.split_at(port_start);
    Some(Parts {
        scheme,
        user_info,
        host,
        port,
        rest,
    })
}

/// The helper's `addPort`: a URL without a port gets `:443` (`https`) or `:80` (any other
/// scheme); one with a port, or without a scheme, is left alone.
pub fn add_port(url: &str) -> Cow<'_, str> {
    match split(url) {
        Some(parts) if parts.port.is_empty() => {
            let port = if parts.scheme.eq_ignore_ascii_case("https://") {
                ":443"
            } else {
                ":80"
            };
            Cow::Owned([parts.scheme, parts.user_info, parts.host, port, parts.rest].concat())
        }
        _ => Cow::Borrowed(url),
    }
}

/// The helper's `removePort`: the URL without its port, whatever port it was.
pub fn remove_port(url: &str) -> Cow<'_, str> {
    match split(url) {
        Some(parts) if !parts.port.is_empty() => {
            Cow::Owned([parts.scheme, parts.user_info, parts.host, parts.rest].concat())
        }
        _ => Cow::Borrowed(url),
    }
}

/// Every URL the signature may cover for a request that arrived on `url`, each once: without
/// and with its port, then both with the legacy query re-encoding. At most four.
pub fn candidates(url: &str) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(4);
    let spellings = [remove_port(url), add_port(url)];
    let legacy: Vec<String> = spellings
        .iter()
        .map(|spelling| legacy_query(spelling).into_owned())
        .collect();
    for candidate in spellings
        .into_iter()
        .chain(legacy.into_iter().map(Cow::Owned))
    {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_added_and_removed_as_the_helper_does() {
        for (url, without, with) in [
            ("https://h/p?q", "https://h/p?q", "https://h:443/p?q"),
            ("http://h:8787/p", "http://h/p", "http://h:8787/p"),
            ("HTTPS://h", "HTTPS://h", "HTTPS://h:443"),
            ("ftp://h/x", "ftp://h/x", "ftp://h:80/x"),
            ("http://[::1]/p", "http://[::1]/p", "http://[::1]:80/p"),
            ("http://[::1]:9/p", "http://[::1]/p", "http://[::1]:9/p"),
            (
                "https://u:pw@h/p",
                "https://u:pw@h/p",
                "https://u:pw@h:443/p",
            ),
            (
                "https://u:pw@h:1/p",
                "https://u:pw@h/p",
                "https://u:pw@h:1/p",
            ),
            ("https://h:/p", "https://h/p", "https://h:/p"),
            ("https://h?a=b:c", "https://h?a=b:c", "https://h:443?a=b:c"),
            ("no-scheme/p", "no-scheme/p", "no-scheme/p"),
            ("1x://h/p", "1x://h/p", "1x://h/p"),
        ] {
            assert_eq!(remove_port(url), without, "{url}");
            assert_eq!(add_port(url), with, "{url}");
        }
    }

    #[test]
    fn at_most_four_candidates_each_once() {
        assert_eq!(
            candidates("https://h/p?a=it%27s"),
            [
                "https://h/p?a=it%27s",
                "https://h:443/p?a=it%27s",
                "https://h/p?a=it's",
                "https://h:443/p?a=it's",
            ]
        );
        assert_eq!(
            candidates("http://h:8787/p"),
            ["http://h/p", "http://h:8787/p"]
        );
    }
}
