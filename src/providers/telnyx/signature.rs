//! Telnyx's Ed25519 webhook signature (`docs/providers.md`, "Telnyx"):
//! `telnyx-signature-ed25519` is the Base64 of a 64-byte Ed25519 signature, by the account's
//! key, over `telnyx-timestamp` (Unix seconds) + `|` + the raw body; the timestamp must be
//! within [`TOLERANCE_SECS`] of now. The core reads the headers and decides everything; the
//! edge runs the Ed25519 check itself with WebCrypto ([`crate::providers::registry::SignatureCheck`],
//! `docs/architecture.md`, "Choices"), and `ingest` mints the proof only from its result.

use crate::clock::Timestamp;
use crate::http::{AuthFailure, PushRequest};
use crate::providers::common::{fresh, header};
use crate::providers::registry::SignatureCheck;
use base64::Engine;

pub const SIGNATURE: &str = "telnyx-signature-ed25519";
pub const TIMESTAMP: &str = "telnyx-timestamp";
/// How far `telnyx-timestamp` may be from now, either way, as Telnyx's own SDK allows.
pub const TOLERANCE_SECS: i64 = 300;

/// The signed timestamp and the signature of `request`, once its headers are well formed and
/// its timestamp fresh.
pub fn headers<'r>(
    request: &PushRequest<'r>,
    now: Timestamp,
) -> Result<(&'r str, [u8; 64]), AuthFailure> {
    let signature = header(request, SIGNATURE).ok_or(AuthFailure::MissingSignature)?;
    let timestamp = header(request, TIMESTAMP).ok_or(AuthFailure::SignedHeaderMissing)?;
    fresh(timestamp, now, TOLERANCE_SECS)?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .ok()
        .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
        .ok_or(AuthFailure::MalformedSignature)?;
    Ok((timestamp, signature))
}

/// The check the edge must run for `request` under `keys`: the signature over timestamp, `|`
/// and body.
pub fn check(
    request: &PushRequest<'_>,
    keys: &[[u8; 32]],
    now: Timestamp,
) -> Result<SignatureCheck, AuthFailure> {
    let (timestamp, signature) = headers(request, now)?;
    let mut message = Vec::with_capacity(timestamp.len() + 1 + request.body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'|');
    message.extend_from_slice(request.body);
    Ok(SignatureCheck {
        keys: keys.to_vec(),
        signature,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of `docs/providers.md` ("Telnyx"): RFC 8032's test-1 key, at 1575926000.
    pub const VECTOR_BODY: &str = r#"{"data":{"event_type":"message.finalized","id":"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be","occurred_at":"2019-12-09T21:32:14.148+00:00","payload":{"id":"40385f64-5717-4562-b3fc-2c963f66afa6","direction":"outbound","to":[{"phone_number":"+18665550001","status":"delivered"}]},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://example.com/hooks"}}"#;
    const SIGNED: &str =
        "TCYZGjvZzGYqLe8BLbgzuqn7kQ6EDmy/lSfyjbfQ/nKGwCFE4zKVQQhzMcDTYMCiF4/EKk9AtKjH0b3fKjz+CA==";

    fn request<'a>(headers: &'a [(String, String)], body: &'a [u8]) -> PushRequest<'a> {
        PushRequest {
            method: "POST",
            url: "https://relay.example/telnyx/webhooks",
            path: "/telnyx/webhooks",
            query: "",
            headers,
            body,
        }
    }

    fn headers_of(signature: &str, timestamp: &str) -> Vec<(String, String)> {
        [(SIGNATURE, signature), (TIMESTAMP, timestamp)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn the_vector_becomes_the_check_and_verifies_natively() {
        let keys = crate::providers::telnyx::settings::parse_public_keys(
            "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        )
        .unwrap();
        let now = Timestamp::from_unix_seconds(1_575_926_000);
        let signed = headers_of(SIGNED, "1575926000");
        let body = VECTOR_BODY.as_bytes();
        let check = check(&request(&signed, body), &keys, now).unwrap();
        assert_eq!(&check.message[..11], b"1575926000|");
        assert_eq!(&check.message[11..], body);
        assert_eq!(
            crate::providers::telnyx::test_key::verify_ed25519(&check),
            crate::providers::registry::Verification::Verified(0)
        );
        let mut forged = check.clone();
        forged.message.push(b' ');
        assert_eq!(
            crate::providers::telnyx::test_key::verify_ed25519(&forged),
            crate::providers::registry::Verification::NotVerified
        );
        assert_eq!(
            crate::providers::telnyx::test_key::sign_ed25519(
                &crate::providers::telnyx::test_key::ED25519_TEST_SEED,
                &check.message
            ),
            check.signature
        );
        let at = |seconds| Timestamp::from_unix_seconds(seconds);
        let refused = |headers: &[(String, String)], now| {
            super::check(&request(headers, body), &keys, now).map(|_| ())
        };
        assert_eq!(refused(&signed, at(1_575_926_300)), Ok(()));
        assert_eq!(refused(&signed, at(1_575_925_700)), Ok(()));
        assert_eq!(
            refused(&signed, at(1_575_926_301)),
            Err(AuthFailure::ClockSkew)
        );
        assert_eq!(
            refused(&headers_of("", "1575926000"), now),
            Err(AuthFailure::MissingSignature)
        );
        assert_eq!(
            refused(&headers_of(SIGNED, ""), now),
            Err(AuthFailure::SignedHeaderMissing)
        );
        assert_eq!(
            refused(&headers_of(SIGNED, "1575926000.5"), now),
            Err(AuthFailure::MalformedTimestamp)
        );
        for bad in ["not base64!", "AAAA", &SIGNED[..84]] {
            assert_eq!(
                refused(&headers_of(bad, "1575926000"), now),
                Err(AuthFailure::MalformedSignature),
                "{bad}"
            );
        }
    }
}
