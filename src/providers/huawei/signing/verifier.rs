//! Verifying a received push against the configured access keys (`docs/huawei-protocol.md` §2).

use super::authorization::{parse_authorization, AuthorizationError};
use super::canonical::{canonical_request, mac, string_to_sign};
use crate::clock::{parse_sdk_date, Timestamp};
use crate::http::{AuthFailure, PushRequest};
use hmac::Mac;
use std::fmt;

/// The configured `ACCESS_KEY → SECRET_KEY` pairs. Two at once is the normal state during a
/// key rotation, since a console change takes about five minutes to reach every sender.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<(String, Vec<u8>)>,
}

/// Secrets one access key may have at once: the old and the new during a rotation of the
/// secret alone (Huawei's console takes about five minutes to reach every sender).
pub const MAX_SECRETS_PER_ACCESS_KEY: usize = 2;

/// Why a pair was not added to a [`KeySet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySetError {
    /// The same access key and secret twice.
    Repeated,
    /// More than [`MAX_SECRETS_PER_ACCESS_KEY`] secrets for one access key.
    TooManySecrets,
}

impl fmt::Display for KeySetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySetError::Repeated => f.write_str("the same access key and secret twice"),
            KeySetError::TooManySecrets => write!(
                f,
                "more than {MAX_SECRETS_PER_ACCESS_KEY} secrets for one access key"
            ),
        }
    }
}

impl std::error::Error for KeySetError {}

impl KeySet {
    pub fn new() -> Self {
        KeySet::default()
    }

    /// Adds a pair, in order: its position is its `key_index`. An access key may have two
    /// secrets (a rotation); the same pair twice, or a third secret, is refused.
    pub fn insert(&mut self, access_key: &str, secret_key: &str) -> Result<(), KeySetError> {
        if self
            .secrets_for(access_key)
            .any(|(_, secret)| secret == secret_key.as_bytes())
        {
            return Err(KeySetError::Repeated);
        }
        if self.secrets_for(access_key).count() >= MAX_SECRETS_PER_ACCESS_KEY {
            return Err(KeySetError::TooManySecrets);
        }
        self.keys
            .push((access_key.to_string(), secret_key.as_bytes().to_vec()));
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The access key ids (never the secrets), for health output.
    pub fn access_keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(access, _)| access.as_str())
    }

    /// The secrets of `access_key`, each with its 1-based position in the set.
    fn secrets_for<'k>(&'k self, access_key: &'k str) -> impl Iterator<Item = (u8, &'k [u8])> {
        self.keys
            .iter()
            .enumerate()
            .filter(move |(_, (candidate, _))| candidate == access_key)
            .map(|(index, (_, secret))| {
                (
                    u8::try_from(index + 1).unwrap_or(u8::MAX),
                    secret.as_slice(),
                )
            })
    }
}

// Secrets never reach a log through `{:?}`.
impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.access_keys()).finish()
    }
}

/// Proof that a push carried a valid signature. Only [`verify`] creates one.
#[derive(Debug)]
pub struct VerifiedSignature {
    access_key: String,
    key_index: u8,
    canonical_request: String,
    string_to_sign: String,
}

impl VerifiedSignature {
    /// Which configured key signed the push.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The 1-based position, in `HUAWEI_PUSH_KEYS`, of the pair whose secret signed it: during
    /// a rotation of the secret alone this says which one the sender still uses.
    pub fn key_index(&self) -> u8 {
        self.key_index
    }

    /// The canonical request that matched, with the `Connection` / `Content-Length` values
    /// the sender signed (which may differ from what reached the worker).
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

/// Why a push failed verification. Each maps to one [`AuthFailure`], the `401` answer's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// No `Authorization` header at all.
    MissingSignature,
    /// A scheme other than `SDK-HMAC-SHA256`.
    UnsupportedAlgorithm,
    /// The header is not in Huawei's format.
    MalformedAuthorization,
    /// `Access=` names no configured key.
    UnknownAccessKey,
    /// `x-sdk-date` is not among the signed headers: such a signature could be replayed forever.
    XSdkDateNotSigned,
    /// `host` is not among the signed headers: such a signature verifies for any host, so a
    /// push signed for another endpoint could be replayed here. Huawei's pushes sign it.
    HostNotSigned,
    /// The request has a `Content-Type` that is not among the signed headers: the same push
    /// could be replayed with another media type and read differently. Huawei's pushes sign it.
    ContentTypeNotSigned,
    /// `X-Sdk-Date` is not `yyyyMMddTHHmmssZ`.
    MalformedSdkDate,
    /// `X-Sdk-Date` is further from now than the allowed window.
    ClockSkew { seconds: u64 },
    /// A header named in `SignedHeaders` is not in the request.
    SignedHeaderMissing { name: String },
    /// The HMAC does not match for any value the edge could have rewritten.
    SignatureMismatch,
}

impl VerifyError {
    /// The refusal's failure: what the `401` answer says.
    pub fn failure(&self) -> AuthFailure {
        match self {
            VerifyError::MissingSignature => AuthFailure::MissingSignature,
            VerifyError::UnsupportedAlgorithm => AuthFailure::UnsupportedAlgorithm,
            VerifyError::MalformedAuthorization => AuthFailure::MalformedAuthorization,
            VerifyError::UnknownAccessKey => AuthFailure::UnknownAccessKey,
            VerifyError::XSdkDateNotSigned => AuthFailure::XSdkDateNotSigned,
            VerifyError::HostNotSigned => AuthFailure::HostNotSigned,
            VerifyError::ContentTypeNotSigned => AuthFailure::ContentTypeNotSigned,
            VerifyError::MalformedSdkDate => AuthFailure::MalformedSdkDate,
            VerifyError::ClockSkew { .. } => AuthFailure::ClockSkew,
            VerifyError::SignedHeaderMissing { .. } => AuthFailure::SignedHeaderMissing,
            VerifyError::SignatureMismatch => AuthFailure::SignatureMismatch,
        }
    }

    /// The code sent in the `401` body and logged.
    pub fn code(&self) -> &'static str {
        self.failure().code()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::ClockSkew { seconds } => {
                write!(
                    f,
                    "X-Sdk-Date is {seconds} s from now, outside the allowed window"
                )
            }
            VerifyError::SignedHeaderMissing { name } => {
                write!(f, "the signed header {name:?} is not in the request")
            }
            other => other.failure().fmt(f),
        }
    }
}

impl std::error::Error for VerifyError {}

/// The values an HTTP/1.1 client sends for `Connection`. Cloudflare overwrites the header with
/// `Keep-Alive` on every incoming request and other edges drop it, so the value Huawei signed
/// (`close` in its example) is recovered by trying each (`docs/huawei-protocol.md` §2.2).
const CONNECTION_CANDIDATES: [&str; 3] = ["close", "keep-alive", "Keep-Alive"];

/// Checks a push's `SDK-HMAC-SHA256` signature at time `now`, allowing `max_skew_seconds`
/// between `X-Sdk-Date` and now in either direction.
pub fn verify(
    request: &PushRequest<'_>,
    keys: &KeySet,
    now: Timestamp,
    max_skew_seconds: u64,
) -> Result<VerifiedSignature, VerifyError> {
    let header = request
        .header("authorization")
        .ok_or(VerifyError::MissingSignature)?;
    let authorization = parse_authorization(header).map_err(|error| match error {
        AuthorizationError::UnsupportedAlgorithm => VerifyError::UnsupportedAlgorithm,
        AuthorizationError::Malformed => VerifyError::MalformedAuthorization,
    })?;
    if keys.secrets_for(authorization.access_key).next().is_none() {
        return Err(VerifyError::UnknownAccessKey);
    }

    let signed_headers = authorization.signed_headers;
    if signed_headers
        .split(';')
        .any(|name| name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()))
    {
        // Signers always write lower-case names; anything else was not made by one.
        return Err(VerifyError::MalformedAuthorization);
    }
    if !signed_headers.split(';').any(|name| name == "x-sdk-date") {
        return Err(VerifyError::XSdkDateNotSigned);
    }
    if !signed_headers.split(';').any(|name| name == "host") {
        return Err(VerifyError::HostNotSigned);
    }
    if request.header("content-type").is_some()
        && !signed_headers.split(';').any(|name| name == "content-type")
    {
        return Err(VerifyError::ContentTypeNotSigned);
    }
    let sdk_date = request
        .header("x-sdk-date")
        .ok_or_else(|| VerifyError::SignedHeaderMissing {
            name: "x-sdk-date".into(),
        })?
        .trim();
    let signed_at = parse_sdk_date(sdk_date).ok_or(VerifyError::MalformedSdkDate)?;
    // In milliseconds: a window of 900 s refuses 900.001 s.
    let skew_ms = signed_at.millis_apart(now);
    if skew_ms > max_skew_seconds.saturating_mul(1000) {
        return Err(VerifyError::ClockSkew {
            seconds: skew_ms / 1000,
        });
    }

    // Collect every signed header's value; `connection` is filled in per candidate below.
    let mut length_digits = itoa::Buffer::new();
    let body_length = length_digits.format(request.body.len());
    let mut values: Vec<&str> = Vec::new();
    let mut connection_slot = None;
    for name in signed_headers.split(';') {
        let value = match (name, request.header(name)) {
            ("connection", received) => {
                connection_slot = Some((values.len(), received));
                ""
            }
            (_, Some(value)) => value,
            ("content-length", None) => body_length,
            (_, None) => {
                return Err(VerifyError::SignedHeaderMissing {
                    name: name.to_string(),
                })
            }
        };
        values.push(value);
    }

    let body_hash = crate::crypto::sha256_hex(request.body);
    let attempt = |values: &[&str]| -> Option<(String, String, u8)> {
        let canonical = canonical_request(
            request.method,
            request.path,
            request.query,
            signed_headers,
            values.iter().copied(),
            &body_hash,
        );
        let to_sign = string_to_sign(sdk_date, &canonical);
        // `verify_slice` compares in constant time; each of the access key's secrets is tried
        // (two during a rotation).
        let key_index = keys
            .secrets_for(authorization.access_key)
            .find(|(_, secret)| {
                mac(secret, &to_sign)
                    .verify_slice(&authorization.signature)
                    .is_ok()
            })
            .map(|(index, _)| index)?;
        Some((canonical, to_sign, key_index))
    };

    let matched = match connection_slot {
        None => attempt(&values),
        Some((slot, received)) => {
            let received = received
                .map(str::trim)
                .filter(|r| !CONNECTION_CANDIDATES.contains(r));
            CONNECTION_CANDIDATES
                .iter()
                .copied()
                .chain(received)
                .find_map(|candidate| {
                    if let Some(value) = values.get_mut(slot) {
                        *value = candidate;
                    }
                    attempt(&values)
                })
        }
    };
    let (canonical_request, string_to_sign, key_index) =
        matched.ok_or(VerifyError::SignatureMismatch)?;
    Ok(VerifiedSignature {
        access_key: authorization.access_key.to_string(),
        key_index,
        canonical_request,
        string_to_sign,
    })
}
