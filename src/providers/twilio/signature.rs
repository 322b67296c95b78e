//! `X-Twilio-Signature` (`docs/providers.md` §3): Base64 of HMAC-SHA1, keyed with the account's
//! auth token, over the full URL Twilio requested followed by every POST parameter, sorted by
//! name, as name then value. A JSON body is covered instead by the `bodySHA256` query
//! parameter (hex SHA-256 of the body), which the URL signature includes.
//!
//! Verified as Twilio's Node helper verifies (`validateRequest`, twilio-node 6.2.0): the URL is
//! tried without and with its port, and both again with the query re-encoded by Node's legacy
//! `querystring` ([`super::url::candidates`]). Names are ordered by UTF-16 code units, as
//! JavaScript's `sort()` orders them; a name that repeats is signed once per distinct value,
//! its values sorted the same way (`Array.from(new Set(values)).sort()`).

use crate::crypto::{hmac_sha1, sha256_hex};
pub use crate::providers::signature::{form_params, Param, SignatureError};
use crate::settings::Secret;
use base64::Engine as _;
use hmac::Mac;
use subtle::ConstantTimeEq;

/// What the signature covers besides the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedBody<'b> {
    /// A form body: its parameters are signed.
    Form(&'b [u8]),
    /// Any other body: signed only through the URL's `bodySHA256`.
    Other(&'b [u8]),
}

/// The 1-based position of the auth token that signed the push.
pub fn verify(
    signature: Option<&str>,
    url: &str,
    body: SignedBody<'_>,
    tokens: &[Secret],
) -> Result<u8, SignatureError> {
    let signature = signature.ok_or(SignatureError::Missing)?.trim();
    let params = match body {
        // A URL that declares `bodySHA256` signs the URL alone, and the body through its hash,
        // whatever the body is (twilio-node's `validateRequestWithBody`): an empty or form body
        // replayed on it must hash to it too.
        SignedBody::Form(bytes) | SignedBody::Other(bytes)
            if query_param(url, "bodySHA256").is_some() =>
        {
            let declared = query_param(url, "bodySHA256").unwrap_or_default();
            if !bool::from(declared.as_bytes().ct_eq(sha256_hex(bytes).as_bytes())) {
                return Err(SignatureError::BodyNotSigned);
            }
            Vec::new()
        }
        SignedBody::Form(form) => form_params(form)?,
        SignedBody::Other(bytes) => {
            if !bytes.is_empty() {
                return Err(SignatureError::BodyNotSigned);
            }
            Vec::new()
        }
    };
    let urls = super::url::candidates(url);
    for (index, token) in tokens.iter().enumerate() {
        for candidate in &urls {
            let expected = sign(token.expose(), candidate, &params);
            if bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
                return Ok(u8::try_from(index + 1).unwrap_or(u8::MAX));
            }
        }
    }
    Err(SignatureError::Mismatch)
}

/// The signature Twilio computes: Base64(HMAC-SHA1(token, url + name₁ + value₁ + …)) over
/// parameters already in signing order.
pub fn sign(token: &str, url: &str, params: &[Param<'_>]) -> String {
    let mut mac = hmac_sha1(token.as_bytes());
    mac.update(url.as_bytes());
    for (name, value) in params {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The first value of query parameter `name`, as written.
fn query_param<'u>(url: &'u str, name: &str) -> Option<&'u str> {
    let query = url.split('#').next()?.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twilio's published vector (twilio-node's validation tests).
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const BODY: &[u8] = b"CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
    const SIGNATURE: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    fn tokens(list: &[&str]) -> Vec<Secret> {
        list.iter().map(|t| Secret::new(t.to_string())).collect()
    }

    #[test]
    fn twilios_published_vector() {
        let params = form_params(BODY).unwrap();
        assert_eq!(sign("12345", URL, &params), SIGNATURE);
        assert_eq!(
            verify(
                Some(SIGNATURE),
                URL,
                SignedBody::Form(BODY),
                &tokens(&["12345"])
            ),
            Ok(1)
        );
    }

    #[test]
    fn the_second_token_of_a_rotation_and_either_port_spelling() {
        let both = tokens(&["new-token", "12345"]);
        assert_eq!(
            verify(Some(SIGNATURE), URL, SignedBody::Form(BODY), &both),
            Ok(2)
        );
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert_eq!(
            verify(Some(SIGNATURE), with_port, SignedBody::Form(BODY), &both),
            Ok(2)
        );
        let signed_with_port = sign("12345", with_port, &form_params(BODY).unwrap());
        assert_eq!(
            verify(Some(&signed_with_port), URL, SignedBody::Form(BODY), &both),
            Ok(2)
        );
    }

    #[test]
    fn refusals() {
        let token = tokens(&["12345"]);
        assert_eq!(
            verify(None, URL, SignedBody::Form(BODY), &token),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(
                Some(SIGNATURE),
                URL,
                SignedBody::Form(BODY),
                &tokens(&["54321"])
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(SIGNATURE), URL, SignedBody::Other(b"{}"), &token),
            Err(SignatureError::BodyNotSigned)
        );
        assert_eq!(
            verify(Some(SIGNATURE), URL, SignedBody::Form(b"a=%ff"), &token),
            Err(SignatureError::UnreadableForm)
        );
    }

    #[test]
    fn a_body_sha256_url_vouches_for_that_body_only_whatever_its_kind() {
        let body = br#"[{"a":1}]"#;
        let url = format!("https://h.example/t?bodySHA256={}", sha256_hex(body));
        let signature = sign("12345", &url, &[]);
        let token = tokens(&["12345"]);
        for replayed in [
            SignedBody::Other(b""),
            SignedBody::Form(b""),
            SignedBody::Form(b"a=1"),
        ] {
            assert_eq!(
                verify(Some(&signature), &url, replayed, &token),
                Err(SignatureError::BodyNotSigned),
                "{replayed:?}"
            );
        }
        assert_eq!(
            verify(Some(&signature), &url, SignedBody::Form(body), &token),
            Ok(1),
            "the signed bytes, whatever the media type"
        );
    }

    #[test]
    fn a_json_body_is_signed_through_its_hash() {
        let body = br#"{"a":1}"#;
        let url = format!("https://h.example/t?bodySHA256={}", sha256_hex(body));
        let signature = sign("12345", &url, &[]);
        let token = tokens(&["12345"]);
        assert_eq!(
            verify(Some(&signature), &url, SignedBody::Other(body), &token),
            Ok(1)
        );
        assert_eq!(
            verify(
                Some(&signature),
                &url,
                SignedBody::Other(br#"{"a":2}"#),
                &token
            ),
            Err(SignatureError::BodyNotSigned)
        );
    }

    #[test]
    fn a_repeated_parameter_is_signed_once_per_distinct_value() {
        let params = form_params(b"Tag=b&To=%2B1&Tag=a&Tag=b").unwrap();
        let names_values: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        assert_eq!(names_values, [("Tag", "a"), ("Tag", "b"), ("To", "+1")]);
        // What Twilio's helper signs for {Tag: ["b", "a", "b"], To: "+1"}.
        let signed = sign("12345", URL, &params);
        let mut mac = hmac_sha1(b"12345");
        mac.update(format!("{URL}TagaTagbTo+1").as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(signed, expected);
    }

    #[test]
    fn a_query_the_runtime_re_escaped_verifies_through_the_legacy_re_encoding() {
        // Signed over the `'` Twilio requested; `request.url` carries `%27`.
        let signed_url = "https://h.example/twilio/status?to=a%2Cb&at=12%3A30&name=O'Brien";
        let received = "https://h.example/twilio/status?to=a%2Cb&at=12%3A30&name=O%27Brien";
        let body = b"MessageSid=SM1&MessageStatus=sent";
        let signature = sign("12345", signed_url, &form_params(body).unwrap());
        let token = tokens(&["12345"]);
        assert_eq!(
            verify(Some(&signature), received, SignedBody::Form(body), &token),
            Ok(1)
        );
        // The legacy form escapes `,` and `:`: a URL signed with them raw has no candidate.
        let raw = "https://h.example/twilio/status?to=a,b&name=O'Brien";
        let signature = sign("12345", raw, &form_params(body).unwrap());
        assert_eq!(
            verify(
                Some(&signature),
                "https://h.example/twilio/status?to=a,b&name=O%27Brien",
                SignedBody::Form(body),
                &token
            ),
            Err(SignatureError::Mismatch)
        );
    }
}
