//! Vonage's signed webhooks (`docs/providers.md`, "Vonage").
//!
//! - **SMS API** (`sig`): every parameter but `sig` (the query of a `GET`, the form of a
//!   `POST`, the top-level members of a `POST-JSON`), decoded, sorted by name (UTF-16 code
//!   units, as the Node SDK's `sort()`), each value's `&` and `=` replaced by `_`, written
//!   `&name=value…`; then hex MD5 of that followed by the secret (`md5hash`) or hex HMAC of it
//!   under the secret (`md5`, `sha1`, `sha256`, `sha512`), compared ignoring case. The entries
//!   tried are those of the callback's `api-key` (`Vonage/vonage-node-sdk`,
//!   `packages/sms/lib/sms.ts`, `verifySignature`).
//! - **Messages API**: `Authorization: Bearer <JWT>`, HS256 under the signature secret of the
//!   `api_key` claim, whose `payload_hash` claim is the hex SHA-256 of the raw body.
//!
//! Neither carries a time the relay could bound: Vonage retries one callback for 24 hours.

use super::settings::{entry, Algorithm};
use crate::crypto::digest::{hmac, hmac_sha256, md5, sha1, sha256, sha512};
use crate::crypto::{hex, sha256_hex};
use crate::http::AuthFailure;
use crate::payload::fields::{text, value_text};
use crate::payload::{json_object, FieldValue, Fields};
use crate::providers::common::split_at_byte;
use crate::settings::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use subtle::ConstantTimeEq;

/// The API key that signed, and its entry's 1-based position in `VONAGE_SIGNATURE_SECRETS`.
pub type Signer = (String, u8);

/// Verifies an SMS API callback's `sig` against the entries of its `api-key`.
pub fn verify_sig(fields: &Fields<'_>, entries: &[Secret]) -> Result<Signer, AuthFailure> {
    let sig = text(fields, "sig")
        .ok()
        .flatten()
        .ok_or(AuthFailure::MissingSignature)?
        .to_ascii_lowercase();
    let api_key = text(fields, "api-key").ok().flatten().unwrap_or_default();
    let data = string_to_sign(fields).ok_or(AuthFailure::SignatureMismatch)?;
    find(entries, &api_key, &|algorithm, secret| {
        let expected = hex(&digest(algorithm, secret, &data));
        bool::from(expected.as_bytes().ct_eq(sig.as_bytes()))
    })
}

/// Verifies a Messages API callback's `Authorization` header and that its JWT vouches for
/// `body`.
pub fn verify_jwt(
    authorization: &str,
    body: &[u8],
    entries: &[Secret],
) -> Result<Signer, AuthFailure> {
    let malformed = AuthFailure::MalformedAuthorization;
    let token = authorization
        .strip_prefix("Bearer ")
        .ok_or(malformed)?
        .trim();
    let (signed, signature) = split_at_byte(token, b'.', true).ok_or(malformed)?;
    let (header, claims) = split_at_byte(signed, b'.', false).ok_or(malformed)?;
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| malformed);
    let (header, claims, signature) = (decode(header)?, decode(claims)?, decode(signature)?);
    let header = json_object(&header).map_err(|_| malformed)?;
    if header.get("alg") != Some(&FieldValue::Json("\"HS256\"")) {
        return Err(AuthFailure::UnsupportedAlgorithm);
    }
    let claims = json_object(&claims).map_err(|_| malformed)?;
    let api_key = text(&claims, "api_key").ok().flatten().unwrap_or_default();
    // The entry's algorithm is the SMS API's: the JWT is HS256 whatever it says.
    let signer = find(entries, &api_key, &|_, secret| {
        let expected = hmac_sha256(secret.as_bytes(), signed.as_bytes());
        bool::from(expected.ct_eq(signature.as_slice()))
    })?;
    let payload_hash = text(&claims, "payload_hash")
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !bool::from(payload_hash.as_bytes().ct_eq(sha256_hex(body).as_bytes())) {
        return Err(AuthFailure::BodyNotSigned);
    }
    Ok(signer)
}

/// The first of the entries of `api_key` that `matches`: `unknown_access_key` when the key has
/// none, `signature_mismatch` when none matches.
fn find(
    entries: &[Secret],
    api_key: &str,
    matches: &dyn Fn(Algorithm, &str) -> bool,
) -> Result<Signer, AuthFailure> {
    let mut known = false;
    for (index, raw) in entries.iter().enumerate() {
        let Some((key, algorithm, secret)) = entry(raw.expose()) else {
            continue;
        };
        if key != api_key {
            continue;
        }
        known = true;
        if matches(algorithm, secret) {
            return Ok((
                api_key.to_string(),
                u8::try_from(index + 1).unwrap_or(u8::MAX),
            ));
        }
    }
    Err(if known {
        AuthFailure::SignatureMismatch
    } else {
        AuthFailure::UnknownAccessKey
    })
}

/// `&name=value…` over every field but `sig`, sorted by name, `&` and `=` in values as `_`;
/// `None` when a value is not text (a JSON object, say), which Vonage does not sign.
pub fn string_to_sign(fields: &Fields<'_>) -> Option<String> {
    let mut params = Vec::with_capacity(fields.len());
    for (name, value) in fields.iter().filter(|(name, _)| *name != "sig") {
        // The field's name is only for an error, which is not kept.
        params.push((name, value_text(Some(value), "sig").ok().flatten()?));
    }
    crate::sort::sort_by(&mut params, |(a, _), (b, _)| {
        a.encode_utf16().cmp(b.encode_utf16())
    });
    let mut data = String::new();
    for (name, value) in params {
        data.push('&');
        data.push_str(name);
        data.push('=');
        data.push_str(&value.replace(['&', '='], "_"));
    }
    Some(data)
}

/// The raw digest `algorithm` makes of `data` with `secret`.
pub fn digest(algorithm: Algorithm, secret: &str, data: &str) -> Vec<u8> {
    let (key, data) = (secret.as_bytes(), data.as_bytes());
    match algorithm {
        Algorithm::Md5Hash => md5(&[data, key].concat()),
        Algorithm::Md5 => hmac(md5, 64, key, data),
        Algorithm::Sha1 => hmac(sha1, 64, key, data),
        Algorithm::Sha256 => hmac(sha256, 64, key, data),
        Algorithm::Sha512 => hmac(sha512, 128, key, data),
    }
}

/// A Messages API JWT as Vonage makes one: HS256 by `secret`, for `api_key`, vouching for
/// `body` (tests, and the samples' oracle).
#[cfg(any(test, feature = "testing"))]
pub fn sign_jwt(api_key: &str, secret: &str, body: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = format!(
        r#"{{"iat":1733987300,"jti":"8c5e4d2a-7f1b-4a3e-9d6c-0b1a2c3d4e5f","iss":"Vonage","payload_hash":"{}","api_key":"{api_key}","application_id":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}}"#,
        sha256_hex(body)
    );
    let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
    let signature = URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), signed.as_bytes()));
    format!("{signed}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::parse_form;

    /// The Node SDK's test data (`packages/sms/__tests__/__dataSets__/signature.ts`).
    const PARAMS: &[u8] = b"message-timestamp=2013-11-21+15%3A27%3A30&messageId=020000001B0FE827&msisdn=14843472194&text=Test+again&timestamp=1385047698&to=13239877404&type=text";
    const SECRET: &str = "my_secret_key_for_testing";
    const SIGNED: &str = "&message-timestamp=2013-11-21 15:27:30&messageId=020000001B0FE827&msisdn=14843472194&text=Test again&timestamp=1385047698&to=13239877404&type=text";
    const VECTORS: [(Algorithm, &str); 5] = [
        (Algorithm::Md5Hash, "d2e7b1dc968737c5998ad624e02f90b7"),
        (Algorithm::Md5, "DDEBD46008C2D4E93CCE578A332A52D5"),
        (Algorithm::Sha1, "27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A"),
        (Algorithm::Sha256, "DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330"),
        (Algorithm::Sha512, "E0D3C650F8C9D1A5C174D10DDDBFB003E561F59B265616208B0487C5D819481CD3C311D59CF6165ECD1139622D5BA3A256C0D763AC4A9AD9144B5A426B94FE82"),
    ];

    fn entry(api_key: &str, algorithm: Algorithm, secret: &str) -> Secret {
        let name = match algorithm {
            Algorithm::Md5Hash => "md5hash",
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        };
        Secret::new(format!("{api_key}:{name}:{secret}"))
    }

    #[test]
    fn the_sdks_vectors_for_all_five_algorithms() {
        let fields = parse_form(PARAMS).unwrap();
        assert_eq!(string_to_sign(&fields).as_deref(), Some(SIGNED));
        for (algorithm, expected) in VECTORS {
            assert_eq!(
                hex(&digest(algorithm, SECRET, SIGNED)),
                expected.to_ascii_lowercase(),
                "{algorithm:?}"
            );
        }
    }

    #[test]
    fn sig_is_checked_by_the_entries_of_its_api_key_ignoring_case() {
        let body = [PARAMS, b"&api-key=abcd1234"].concat();
        let signed = string_to_sign(&parse_form(&body).unwrap()).unwrap();
        for (algorithm, _) in VECTORS {
            let sig = hex(&digest(algorithm, SECRET, &signed)).to_ascii_uppercase();
            let body = [&body[..], b"&sig=", sig.as_bytes()].concat();
            let fields = parse_form(&body).unwrap();
            let rotation = [
                entry("abcd1234", algorithm, "the-new-secret"),
                entry("other", algorithm, SECRET),
                entry("abcd1234", algorithm, SECRET),
            ];
            assert_eq!(
                verify_sig(&fields, &rotation),
                Ok(("abcd1234".to_string(), 3)),
                "{algorithm:?}"
            );
            assert_eq!(
                verify_sig(&fields, &rotation[..2]),
                Err(AuthFailure::SignatureMismatch)
            );
            assert_eq!(
                verify_sig(&fields, &rotation[1..2]),
                Err(AuthFailure::UnknownAccessKey)
            );
        }
    }

    #[test]
    fn what_sig_covers() {
        // `&` and `=` in values are signed as `_`; names sort by code unit (`-` before `I`).
        let fields = parse_form(b"b=x%26y%3Dz&a=1&messageId=m&message-timestamp=t&sig=s").unwrap();
        assert_eq!(
            string_to_sign(&fields).as_deref(),
            Some("&a=1&b=x_y_z&message-timestamp=t&messageId=m")
        );
        // A JSON body's members: strings and numbers, nothing nested.
        let json = json_object(br#"{"a":"1","n":2,"sig":"s"}"#).unwrap();
        assert_eq!(string_to_sign(&json).as_deref(), Some("&a=1&n=2"));
        let nested = json_object(br#"{"a":{"b":1},"sig":"s"}"#).unwrap();
        assert_eq!(string_to_sign(&nested), None);
        let entries = [entry("k", Algorithm::Sha256, SECRET)];
        assert_eq!(
            verify_sig(&nested, &entries),
            Err(AuthFailure::SignatureMismatch)
        );
    }

    #[test]
    fn a_messages_api_jwt_by_the_api_keys_secret_vouching_for_the_body() {
        let body = br#"{"message_uuid":"m","status":"delivered"}"#;
        let jwt = sign_jwt("abcd1234", SECRET, body);
        let entries = [
            entry("abcd1234", Algorithm::Md5, "old"),
            entry("abcd1234", Algorithm::Sha512, SECRET),
        ];
        let bearer = format!("Bearer {jwt}");
        assert_eq!(
            verify_jwt(&bearer, body, &entries),
            Ok(("abcd1234".to_string(), 2)),
            "the entry's algorithm is not used"
        );
        assert_eq!(
            verify_jwt(
                &bearer,
                br#"{"message_uuid":"m","status":"rejected"}"#,
                &entries
            ),
            Err(AuthFailure::BodyNotSigned)
        );
        assert_eq!(
            verify_jwt(&bearer, body, &entries[..1]),
            Err(AuthFailure::SignatureMismatch)
        );
        assert_eq!(
            verify_jwt(&bearer, body, &[entry("other", Algorithm::Sha256, SECRET)]),
            Err(AuthFailure::UnknownAccessKey)
        );
        for malformed in [jwt.as_str(), "Bearer x.y", "Bearer a.b.c", "Basic abc"] {
            assert_eq!(
                verify_jwt(malformed, body, &entries),
                Err(AuthFailure::MalformedAuthorization),
                "{malformed}"
            );
        }
        let (_, rest) = jwt.split_once('.').unwrap();
        let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        assert_eq!(
            verify_jwt(&format!("Bearer {none}.{rest}"), body, &entries),
            Err(AuthFailure::UnsupportedAlgorithm)
        );
    }
}
