//! The canonical request and string to sign of Huawei's APIG signing algorithm (`docs/huawei-protocol.md` §2.1).
//! Shared by the verifier and by anything that needs to sign (tests, the sample sender).

use crate::crypto::{hmac_sha256, sha256_hex};
use crate::payload::percent;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `CanonicalURI`: the path percent-decoded, split at `/`, each segment re-encoded with
/// RFC 3986's unreserved set, always ending in `/`. Decoding happens before splitting, as in
/// Huawei's Python signer, so an encoded `%2F` is signed as a separator.
pub fn canonical_uri(raw_path: &str) -> String {
    let decoded = percent::decode(raw_path.as_bytes(), false);
    let mut out = String::with_capacity(raw_path.len() + 1);
    for (index, segment) in decoded.split(|&b| b == b'/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        percent::encode_unreserved(segment, &mut out);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// `CanonicalQueryString`: each `name=value` pair decoded and re-encoded, sorted by name then
/// value, joined with `&`. Pairs with an empty name are dropped, as Huawei's signers do.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = raw_query
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (!name.is_empty()).then(|| {
                (
                    percent::decode(name.as_bytes(), false),
                    percent::decode(value.as_bytes(), false),
                )
            })
        })
        .collect();
    crate::sort::sort(&mut pairs);
    let mut out = String::with_capacity(raw_query.len());
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        percent::encode_unreserved(name, &mut out);
        out.push('=');
        percent::encode_unreserved(value, &mut out);
    }
    out
}

/// The whole canonical request. `headers` holds the signed headers' values in the order of
/// `signed_headers`; values are trimmed here.
pub fn canonical_request<'v>(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    signed_headers: &str,
    header_values: impl IntoIterator<Item = &'v str>,
    body_sha256_hex: &str,
) -> String {
    let mut out = String::with_capacity(256 + raw_path.len() + raw_query.len());
    out.push_str(method);
    out.push('\n');
    out.push_str(&canonical_uri(raw_path));
    out.push('\n');
    out.push_str(&canonical_query(raw_query));
    out.push('\n');
    for (name, value) in signed_headers.split(';').zip(header_values) {
        out.push_str(name);
        out.push(':');
        out.push_str(value.trim());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(body_sha256_hex);
    out
}

/// `StringToSign` for a canonical request signed at `sdk_date` (the `X-Sdk-Date` value).
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let digest = sha256_hex(canonical_request.as_bytes());
    let mut out = String::with_capacity(16 + 1 + sdk_date.len() + 1 + 64);
    out.push_str(super::ALGORITHM);
    out.push('\n');
    out.push_str(sdk_date);
    out.push('\n');
    out.push_str(&digest);
    out
}

/// A keyed MAC over the string to sign. The key is the secret key itself: Huawei derives nothing.
pub fn mac(secret_key: &[u8], string_to_sign: &str) -> Hmac<Sha256> {
    let mut mac = hmac_sha256(secret_key);
    mac.update(string_to_sign.as_bytes());
    mac
}

/// The signature in lower-case hex, as a signer writes it into `Signature=`.
pub fn sign(secret_key: &[u8], string_to_sign: &str) -> String {
    crate::crypto::hex(&mac(secret_key, string_to_sign).finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_always_ends_in_slash_and_reencodes() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/report"), "/report/");
        assert_eq!(canonical_uri("/report/"), "/report/");
        assert_eq!(canonical_uri("/sms/up%20link"), "/sms/up%20link/");
        assert_eq!(canonical_uri("/a b/%7Ex%2a"), "/a%20b/~x%2A/");
        assert_eq!(canonical_uri("/a%2Fb"), "/a/b/");
    }

    #[test]
    fn query_is_sorted_by_name_then_value() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(
            canonical_query("tenant=a%20b&x=1&x=0"),
            "tenant=a%20b&x=0&x=1"
        );
        assert_eq!(canonical_query("b&a=&=skipped&c=%7e+"), "a=&b=&c=~%2B");
    }
}
