//! Sinch's HMAC webhook signature (`docs/providers.md`, "Sinch"): `x-sinch-webhook-signature` is
//! Base64(HMAC-SHA256(secret, raw body + `.` + nonce + `.` + timestamp)), with the nonce and
//! the Unix-seconds timestamp in their own headers and `x-sinch-webhook-signature-algorithm`
//! naming `HmacSHA256`. Checked over the raw bytes (Sinch's Node SDK re-serializes a parsed
//! body and compares with `===`: neither is done here), against every configured secret in
//! constant time, with the timestamp within [`MAX_AGE_SECS`] of now.

use crate::clock::Timestamp;
use crate::http::{AuthFailure, PushRequest};
use crate::providers::common::{fresh, header};
use crate::settings::Secret;
use base64::Engine;
use hmac::Mac;
use subtle::ConstantTimeEq;

pub const SIGNATURE: &str = "x-sinch-webhook-signature";
pub const ALGORITHM: &str = "x-sinch-webhook-signature-algorithm";
pub const NONCE: &str = "x-sinch-webhook-signature-nonce";
pub const TIMESTAMP: &str = "x-sinch-webhook-signature-timestamp";
/// The only algorithm Sinch names.
pub const HMAC_SHA256: &str = "HmacSHA256";

/// How far the signed timestamp may be from now, either way: 24 hours. Sinch retries a
/// callback for up to 22 h 45 min (each retry signed anew or not, its timestamp stays within
/// a day), and a replay inside the window changes nothing stored (the same body is the same
/// events, the same ids).
pub const MAX_AGE_SECS: i64 = 24 * 60 * 60;

/// The signature header Sinch sends for `body` with `nonce` and `timestamp` under `secret`.
pub fn sign(secret: &[u8], body: &[u8], nonce: &str, timestamp: &str) -> String {
    sign_bytes(secret, &signed_bytes(body, nonce, timestamp))
}

/// What Sinch signs: the body, `.`, the nonce, `.`, the timestamp.
fn signed_bytes(body: &[u8], nonce: &str, timestamp: &str) -> Vec<u8> {
    let mut signed = Vec::with_capacity(body.len() + nonce.len() + timestamp.len() + 2);
    for part in [body, b".", nonce.as_bytes(), b".", timestamp.as_bytes()] {
        signed.extend_from_slice(part);
    }
    signed
}

fn sign_bytes(secret: &[u8], signed: &[u8]) -> String {
    let mut mac = crate::crypto::hmac_sha256(secret);
    mac.update(signed);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The 1-based position of the secret that signed `request`, or why it is not signed.
pub fn verify(
    request: &PushRequest<'_>,
    secrets: &[Secret],
    now: Timestamp,
) -> Result<u8, AuthFailure> {
    let [signature, algorithm, nonce, timestamp] =
        [SIGNATURE, ALGORITHM, NONCE, TIMESTAMP].map(|name| header(request, name));
    let signature = signature.ok_or(AuthFailure::MissingSignature)?;
    if !algorithm.is_some_and(|name| name.trim().eq_ignore_ascii_case(HMAC_SHA256)) {
        return Err(AuthFailure::UnsupportedAlgorithm);
    }
    let (Some(nonce), Some(timestamp)) = (nonce, timestamp) else {
        return Err(AuthFailure::SignedHeaderMissing);
    };
    fresh(timestamp, now, MAX_AGE_SECS)?;
    let signed = signed_bytes(request.body, nonce, timestamp);
    // Every secret is tried, so the time taken does not say which one matched.
    let mut matched = 0u8;
    for (index, secret) in secrets.iter().enumerate() {
        let expected = sign_bytes(secret.expose().as_bytes(), &signed);
        let hit = bool::from(expected.as_bytes().ct_eq(signature.as_bytes()));
        if hit && matched == 0 {
            matched = u8::try_from(index + 1).unwrap_or(u8::MAX);
        }
    }
    match matched {
        0 => Err(AuthFailure::SignatureMismatch),
        index => Ok(index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sinch's Node SDK test vector (`docs/providers.md`, "Sinch").
    pub const VECTOR_BODY: &str = r#"{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}"#;
    const NONCE_VALUE: &str = "01JHFFHWYY7HSS4FWTMDTQEK8V";
    const TIMESTAMP_VALUE: &str = "1736760161";
    const SIGNED: &str = "ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=";

    fn request<'a>(headers: &'a [(String, String)], body: &'a [u8]) -> PushRequest<'a> {
        PushRequest {
            method: "POST",
            url: "https://relay.example/sinch/callbacks",
            path: "/sinch/callbacks",
            query: "",
            headers,
            body,
        }
    }

    fn headers(signature: &str, algorithm: &str, timestamp: &str) -> Vec<(String, String)> {
        [
            (SIGNATURE, signature),
            (ALGORITHM, algorithm),
            (NONCE, NONCE_VALUE),
            (TIMESTAMP, timestamp),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
    }

    #[test]
    fn the_sdk_vector_signs_and_verifies_under_either_secret() {
        assert_eq!(
            sign(
                b"SMSWebhooksSecret",
                VECTOR_BODY.as_bytes(),
                NONCE_VALUE,
                TIMESTAMP_VALUE
            ),
            SIGNED
        );
        let now = Timestamp::from_unix_seconds(1_736_760_161 + 60);
        let secrets = |list: &[&str]| -> Vec<Secret> {
            list.iter().map(|s| Secret::new(s.to_string())).collect()
        };
        let signed = headers(SIGNED, HMAC_SHA256, TIMESTAMP_VALUE);
        let body = VECTOR_BODY.as_bytes();
        assert_eq!(
            verify(
                &request(&signed, body),
                &secrets(&["SMSWebhooksSecret"]),
                now
            ),
            Ok(1)
        );
        assert_eq!(
            verify(
                &request(&signed, body),
                &secrets(&["old", "SMSWebhooksSecret"]),
                now
            ),
            Ok(2)
        );
        let only = secrets(&["SMSWebhooksSecret"]);
        let check = |headers: &[(String, String)], body: &[u8], now| {
            verify(&request(headers, body), &only, now)
        };
        // One byte of the body, the nonce's place, the algorithm, the clock.
        let changed = VECTOR_BODY.replace("Delivered", "DelivereD");
        assert_eq!(
            check(&signed, changed.as_bytes(), now),
            Err(AuthFailure::SignatureMismatch)
        );
        assert_eq!(
            check(
                &signed,
                body,
                Timestamp::from_unix_seconds(1_736_760_161 + 86_401)
            ),
            Err(AuthFailure::ClockSkew)
        );
        assert_eq!(
            check(
                &signed,
                body,
                Timestamp::from_unix_seconds(1_736_760_161 - 86_400)
            ),
            Ok(1)
        );
        assert_eq!(
            check(&headers(SIGNED, "HmacSHA1", TIMESTAMP_VALUE), body, now),
            Err(AuthFailure::UnsupportedAlgorithm)
        );
        assert_eq!(
            check(&headers(SIGNED, "", TIMESTAMP_VALUE), body, now),
            Err(AuthFailure::UnsupportedAlgorithm)
        );
        assert_eq!(
            check(&headers(SIGNED, "hmacsha256", TIMESTAMP_VALUE), body, now),
            Ok(1)
        );
        assert_eq!(
            check(&headers("", HMAC_SHA256, TIMESTAMP_VALUE), body, now),
            Err(AuthFailure::MissingSignature)
        );
        assert_eq!(
            check(&headers(SIGNED, HMAC_SHA256, ""), body, now),
            Err(AuthFailure::SignedHeaderMissing)
        );
        for bad in ["-1", "1736760161.0", "x", "1736760161000000"] {
            assert_eq!(
                check(&headers(SIGNED, HMAC_SHA256, bad), body, now),
                Err(AuthFailure::MalformedTimestamp),
                "{bad}"
            );
        }
        assert_eq!(
            verify(&request(&signed, body), &[], now),
            Err(AuthFailure::SignatureMismatch)
        );
    }
}
