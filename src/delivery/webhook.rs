//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): backends verify a delivery
//! with any off-the-shelf library.
//!
//! `webhook-signature: v1,<base64 HMAC-SHA256("<id>.<timestamp>.<body>")>`, one entry per
//! configured secret, space-separated, so a backend can rotate its secret without downtime.

use crate::crypto::hmac_sha256;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::Mac;
use std::fmt;

const PREFIX: &str = "whsec_";

/// One signing secret, decoded from `whsec_<base64>`.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSecretError {
    MissingPrefix,
    NotBase64,
    Empty,
}

impl fmt::Display for WebhookSecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("must be one or more whsec_<base64> secrets separated by spaces")?;
        f.write_str(match self {
            WebhookSecretError::MissingPrefix => " (one lacks the whsec_ prefix)",
            WebhookSecretError::NotBase64 => " (one is not base64 after whsec_)",
            WebhookSecretError::Empty => " (one is empty)",
        })
    }
}

impl std::error::Error for WebhookSecretError {}

impl WebhookSecret {
    pub fn parse(text: &str) -> Result<WebhookSecret, WebhookSecretError> {
        let encoded = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(WebhookSecretError::MissingPrefix)?;
        let key = BASE64
            .decode(encoded)
            .map_err(|_| WebhookSecretError::NotBase64)?;
        if key.is_empty() {
            return Err(WebhookSecretError::Empty);
        }
        Ok(WebhookSecret(key))
    }

    /// Several secrets separated by spaces (or newlines), all of which sign each delivery.
    pub fn parse_list(text: &str) -> Result<Vec<WebhookSecret>, WebhookSecretError> {
        text.split_whitespace().map(WebhookSecret::parse).collect()
    }

    /// The base64 signature of one delivery with this secret.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        let mut mac = hmac_sha256(&self.0);
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(itoa::Buffer::new().format(timestamp).as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }
}

// Secrets never reach a log through `{:?}`.
impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

/// The content type of a CloudEvent in structured mode, JSON format.
pub const STRUCTURED_CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";

/// The headers of one delivery attempt: the id stays the event id across retries, the
/// timestamp is the attempt's own, and every secret contributes a `v1,` signature.
pub fn delivery_headers(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: i64,
    body: &str,
) -> Vec<(&'static str, String)> {
    let signature = secrets
        .iter()
        .map(|secret| format!("v1,{}", secret.sign(id, timestamp, body)))
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        // CloudEvents structured mode (HTTP binding §3.1), so CloudEvents SDKs parse the body
        // as the event it is.
        ("content-type", STRUCTURED_CONTENT_TYPE.to_string()),
        (
            "user-agent",
            concat!("sms-relay/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
        ("webhook-id", id.to_string()),
        (
            "webhook-timestamp",
            itoa::Buffer::new().format(timestamp).to_string(),
        ),
        ("webhook-signature", signature),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_example() {
        // The example from the Standard Webhooks reference libraries' tests.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let signature = secret.map(|s| {
            s.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#,
            )
        });
        assert_eq!(
            signature.as_deref(),
            Ok("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn every_secret_signs_for_rotation() {
        let secrets = WebhookSecret::parse_list("whsec_c2VjcmV0LW9uZQ==  whsec_c2VjcmV0LXR3bw==");
        let secrets = secrets.unwrap_or_default();
        assert_eq!(secrets.len(), 2);
        let headers = delivery_headers(&secrets, "abc", 1700000000, "{}");
        let signature = headers
            .iter()
            .find(|(name, _)| *name == "webhook-signature")
            .map(|(_, v)| v.as_str());
        let parts: Vec<&str> = signature.unwrap_or_default().split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|part| part.starts_with("v1,")));
        assert_ne!(parts.first(), parts.get(1));
    }

    #[test]
    fn rejects_malformed_secrets() {
        assert_eq!(
            WebhookSecret::parse("c2VjcmV0").map(|_| ()),
            Err(WebhookSecretError::MissingPrefix)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_***").map(|_| ()),
            Err(WebhookSecretError::NotBase64)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_").map(|_| ()),
            Err(WebhookSecretError::Empty)
        );
    }
}
