//! Signing a request the way Huawei's SDK does: the other half of the verifier, for tests,
//! benchmarks and tools that need pushes indistinguishable from Huawei's.

use super::canonical::{canonical_request, sign, string_to_sign};
use super::ALGORITHM;

/// The `Authorization` header value for a request whose `headers` are exactly the headers to
/// sign, as `(lower-case name, value)` pairs sorted by name, `x-sdk-date` among them.
pub fn authorization_header(
    access_key: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> String {
    let signed_headers = headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let sdk_date = headers
        .iter()
        .find(|(name, _)| *name == "x-sdk-date")
        .map_or("", |(_, value)| *value);
    let body_hash = crate::crypto::sha256_hex(body);
    let canonical = canonical_request(
        method,
        path,
        query,
        &signed_headers,
        headers.iter().map(|(_, value)| *value),
        &body_hash,
    );
    let signature = sign(secret_key.as_bytes(), &string_to_sign(sdk_date, &canonical));
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

/// The headers of a push exactly as Huawei sends one: `Connection: close`, `Content-Length`,
/// `Content-Type`, `Host` and `X-Sdk-Date`, all signed, plus the `Authorization` header.
pub fn signed_push_headers(
    access_key: &str,
    secret_key: &str,
    path: &str,
    content_type: &str,
    host: &str,
    sdk_date: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    let length = body.len().to_string();
    let signed = [
        ("connection", "close"),
        ("content-length", length.as_str()),
        ("content-type", content_type),
        ("host", host),
        ("x-sdk-date", sdk_date),
    ];
    let authorization =
        authorization_header(access_key, secret_key, "POST", path, "", &signed, body);
    let mut headers: Vec<(String, String)> = signed
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    headers.push(("authorization".into(), authorization));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::http::PushRequest;
    use crate::providers::huawei::signing::{verify, KeySet};

    const BODY: &[u8] = crate::testing::huawei::STATUS_REPORT.as_bytes();

    fn signed() -> [(&'static str, &'static str); 5] {
        [
            ("connection", "close"),
            ("content-length", "138"),
            ("content-type", "application/x-www-form-urlencoded"),
            ("host", "205.145.111.168:9330"),
            ("x-sdk-date", "20241212T070653Z"),
        ]
    }

    #[test]
    fn reproduces_the_status_report_vector() {
        let header = authorization_header(
            "exampleAk",
            "exampleSk*1231d881wd",
            "POST",
            "/report",
            "",
            &signed(),
            BODY,
        );
        assert_eq!(
            header,
            "SDK-HMAC-SHA256 Access=exampleAk, SignedHeaders=connection;content-length;content-type;host;x-sdk-date, \
             Signature=0f213909a553ce3c4ad2f4c2f0dec306eb2ea3f93a9a38346d9023c30682c97f"
        );
    }

    /// Verifies a push signed over `signed_headers` (sent with every header of [`signed`]),
    /// as received at `now_ms`, with key `ak:sk`.
    fn verify_signed(
        signed_headers: &[(&str, &str)],
        path: &str,
        query: &str,
        now_ms: i64,
    ) -> Result<String, crate::providers::huawei::signing::VerifyError> {
        let mut headers: Vec<(String, String)> = signed()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let header = authorization_header("ak", "sk", "POST", path, query, signed_headers, BODY);
        headers.push(("authorization".into(), header));
        let request = PushRequest {
            method: "POST",
            url: "https://relay.example/",
            path,
            query,
            headers: &headers,
            body: BODY,
        };
        let mut keys = KeySet::new();
        keys.insert("ak", "sk").unwrap();
        verify(&request, &keys, Timestamp::from_unix_millis(now_ms), 900)
            .map(|verified| verified.access_key().to_string())
    }

    /// When the pushes here are signed: 20241212T070653Z.
    const SIGNED_AT_MS: i64 = 1_733_987_213_000;

    #[test]
    fn what_it_signs_verifies() {
        assert_eq!(
            verify_signed(&signed(), "/a b/c", "z=1&a=2", SIGNED_AT_MS),
            Ok("ak".into())
        );
    }

    #[test]
    fn a_signature_that_leaves_out_host_is_refused_whatever_the_host() {
        let without_host: Vec<(&str, &str)> = signed()
            .into_iter()
            .filter(|(name, _)| *name != "host")
            .collect();
        assert_eq!(
            verify_signed(&without_host, "/r", "", SIGNED_AT_MS),
            Err(crate::providers::huawei::signing::VerifyError::HostNotSigned)
        );
    }

    #[test]
    fn the_skew_window_is_kept_to_the_millisecond() {
        for (offset, ok) in [
            (900_000, true),
            (900_001, false),
            (900_999, false),
            (-900_000, true),
            (-900_001, false),
        ] {
            let verified = verify_signed(&signed(), "/r", "", SIGNED_AT_MS + offset);
            assert_eq!(verified.is_ok(), ok, "{offset} ms");
        }
    }
}
