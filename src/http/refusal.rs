//! Every answer the relay refuses a request with, in one table.
//!
//! A [`Refusal`] names why a request is refused; [`Refusal::status_and_code`] is the table of
//! statuses and codes, [`Refusal::field`] the field a payload error concerns, and
//! [`Refusal::reply`] adds the headers that belong to the refusal (`Allow`, `Retry-After`,
//! `WWW-Authenticate`). No other Rust code builds an error answer (the edge's JavaScript answers
//! a trapped wasm instance with the same bytes as [`Refusal::InternalError`]). The README's
//! "Answers" table lists the same pairs, and `tests/answers.rs` checks one against the other.
//!
//! The modules above name their refusals with their own errors: a provider's signature and
//! token errors map onto [`AuthFailure`], whose codes are declared here; a body's
//! [`PayloadError`] gives its own code (it is also the `reason` of the `unparsed` event that
//! keeps the input), and this table gives its status.

use super::reply::{Reply, RETRY_AFTER_SECS};
use crate::payload::PayloadError;
use std::fmt;

/// Why the relay refuses a request. Each variant's status and code are in the README's
/// "Answers" table, in the row of its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `400 body_unreadable`: the request's body stream failed before its end.
    BodyUnreadable,
    /// Authentic input the endpoint cannot read, kept as an `unparsed` event and answered once
    /// stored: `415 unsupported_media_type` for a media type the endpoint does not read, else
    /// `400` with the error's code and field (`missing_field`, `smsMsgId`). Only what refuses a
    /// whole push: an entry that is not an object, unexpected batch keys and an event too large
    /// for a sink are reasons of `unparsed` events, never answers.
    Unreadable(PayloadError),
    /// `400 invalid_field` (`cursor`): the lookup's `?cursor=` is not one a listing could have
    /// made.
    InvalidCursor,
    /// `401`: a callback that does not authenticate; nothing is stored.
    Unauthenticated(AuthFailure),
    /// `401 missing_token` / `invalid_token` with `WWW-Authenticate: Bearer`: the lookup
    /// without the right read token.
    ReadToken(TokenError),
    /// `403 ip_not_allowed`: `ALLOWED_IPS` is set and the client is outside it.
    IpNotAllowed,
    /// `404 not_found`: no such route, a token on the route of a provider that signs, a
    /// message id no report could have, or no report stored for the message.
    NotFound,
    /// `404 not_enabled`: a provider, or the lookup, whose settings are not set.
    NotEnabled,
    /// `405 method_not_allowed`, with `Allow` listing the methods the route takes.
    MethodNotAllowed { allow: &'static str },
    /// `413 body_too_large`: over `MAX_BODY_BYTES`, or an event that fits no sink even in
    /// pieces.
    BodyTooLarge,
    /// `500 config_invalid`: the configuration is invalid or enables no provider (also the
    /// status and code of `/healthz`, whose body is then the health report).
    ConfigInvalid,
    /// `500 internal_error`: the edge asked for the next step before the body was ended (and
    /// the edge's JavaScript answers the same when the wasm instance traps).
    InternalError,
    /// `502 kv_unreadable`: a KV listing the lookup cannot read or continue.
    KvUnreadable,
    /// `503 kv_unavailable`, with `Retry-After`: the lookup's KV listing failed.
    KvUnavailable,
    /// `503 sink_unavailable`, with `Retry-After`: a sink did not take the events, and nothing
    /// may be answered 2xx that is not stored.
    SinkUnavailable,
    /// `503 unsigned_callback`: a callback a vendor signs arrived unsigned, which the vendor
    /// documents for its own rare failures (Vonage's Messages API); nothing is stored, and the
    /// `5xx` makes the vendor send it again.
    UnsignedCallback,
}

impl Refusal {
    /// The table: the refusal's status and the code its body carries.
    pub fn status_and_code(&self) -> (u16, &'static str) {
        match self {
            Refusal::BodyUnreadable => (400, "body_unreadable"),
            Refusal::Unreadable(error @ PayloadError::UnsupportedMediaType) => (415, error.code()),
            Refusal::Unreadable(error) => (400, error.code()),
            Refusal::InvalidCursor => (400, PayloadError::InvalidField(CURSOR).code()),
            Refusal::Unauthenticated(failure) => (401, failure.code()),
            Refusal::ReadToken(error) => (401, AuthFailure::Token(*error).code()),
            Refusal::IpNotAllowed => (403, "ip_not_allowed"),
            Refusal::NotFound => (404, "not_found"),
            Refusal::NotEnabled => (404, "not_enabled"),
            Refusal::MethodNotAllowed { .. } => (405, "method_not_allowed"),
            Refusal::BodyTooLarge => (413, "body_too_large"),
            Refusal::ConfigInvalid => (500, "config_invalid"),
            Refusal::InternalError => (500, "internal_error"),
            Refusal::KvUnreadable => (502, "kv_unreadable"),
            Refusal::KvUnavailable => (503, "kv_unavailable"),
            Refusal::SinkUnavailable => (503, "sink_unavailable"),
            Refusal::UnsignedCallback => (503, "unsigned_callback"),
        }
    }

    pub fn status(&self) -> u16 {
        self.status_and_code().0
    }

    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    /// The field the body names besides the code, so the sender sees what to fix.
    pub fn field(&self) -> Option<&str> {
        match self {
            Refusal::Unreadable(error) => error.field(),
            Refusal::InvalidCursor => Some(CURSOR),
            _ => None,
        }
    }

    /// The header that belongs to the refusal, after `Content-Type`.
    fn header(&self) -> Option<(&'static str, String)> {
        match self {
            Refusal::MethodNotAllowed { allow } => Some(("allow", (*allow).to_string())),
            Refusal::ReadToken(_) => Some(("www-authenticate", "Bearer".to_string())),
            Refusal::KvUnavailable | Refusal::SinkUnavailable => {
                Some(("retry-after", RETRY_AFTER_SECS.to_string()))
            }
            Refusal::BodyUnreadable
            | Refusal::Unreadable(_)
            | Refusal::InvalidCursor
            | Refusal::Unauthenticated(_)
            | Refusal::IpNotAllowed
            | Refusal::NotFound
            | Refusal::NotEnabled
            | Refusal::BodyTooLarge
            | Refusal::ConfigInvalid
            | Refusal::InternalError
            | Refusal::KvUnreadable
            | Refusal::UnsignedCallback => None,
        }
    }

    /// The answer: body `{"error":"<code>"}`, or `{"error":"<code>","field":"<name>"}` when a
    /// field is the problem; `Content-Type: application/json`, then the refusal's own header.
    /// By value, so the refusal is dropped here and not at each of its call sites.
    pub fn reply(self) -> Reply {
        let (status, code) = self.status_and_code();
        let body = match self.field() {
            None => format!("{{\"error\":\"{code}\"}}"),
            Some(field) => {
                #[derive(serde::Serialize)]
                struct FieldError<'a> {
                    error: &'a str,
                    field: &'a str,
                }
                serde_json::to_string(&FieldError { error: code, field }).unwrap_or_default()
            }
        };
        let mut reply = Reply::json(status, code, body);
        reply.headers.extend(self.header());
        reply
    }
}

/// The query parameter the lookup continues from.
const CURSOR: &str = "cursor";

impl From<Refusal> for Reply {
    fn from(refusal: Refusal) -> Reply {
        refusal.reply()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::BodyUnreadable => f.write_str("the body could not be read to its end"),
            Refusal::Unreadable(error) => write!(f, "the input cannot be read: {error}"),
            Refusal::InvalidCursor => f.write_str("the cursor is not one a listing gave"),
            Refusal::Unauthenticated(failure) => write!(f, "not authenticated: {failure}"),
            Refusal::ReadToken(error) => write!(f, "the read token: {error}"),
            Refusal::IpNotAllowed => f.write_str("the client is outside ALLOWED_IPS"),
            Refusal::NotFound => f.write_str("nothing is found here"),
            Refusal::NotEnabled => f.write_str("not enabled by the settings"),
            Refusal::MethodNotAllowed { allow } => write!(f, "the route takes {allow}"),
            Refusal::BodyTooLarge => f.write_str("the body is too large"),
            Refusal::ConfigInvalid => f.write_str("the configuration is invalid"),
            Refusal::InternalError => f.write_str("the edge asked out of order"),
            Refusal::KvUnreadable => f.write_str("the KV listing could not be read"),
            Refusal::KvUnavailable => f.write_str("the KV listing failed"),
            Refusal::SinkUnavailable => f.write_str("a sink did not take the events"),
            Refusal::UnsignedCallback => f.write_str("a signed vendor's callback came unsigned"),
        }
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refusal::Unreadable(error) => Some(error),
            Refusal::Unauthenticated(failure) => Some(failure),
            Refusal::ReadToken(error) => Some(error),
            _ => None,
        }
    }
}

/// Why a callback did not authenticate: the `401` codes. Each provider's errors map onto
/// these (Huawei's `VerifyError`, Twilio's `SignatureError`, a URL's [`TokenError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// The URL lacks its token, or carries another.
    Token(TokenError),
    /// No signature header at all.
    MissingSignature,
    /// A scheme other than Huawei's `SDK-HMAC-SHA256`.
    UnsupportedAlgorithm,
    /// The `Authorization` header is not in Huawei's format.
    MalformedAuthorization,
    /// `Access=` names no configured key.
    UnknownAccessKey,
    /// `x-sdk-date` is not among the signed headers.
    XSdkDateNotSigned,
    /// `host` is not among the signed headers.
    HostNotSigned,
    /// The request has a `Content-Type` that is not among the signed headers.
    ContentTypeNotSigned,
    /// `X-Sdk-Date` is not `yyyyMMddTHHmmssZ`.
    MalformedSdkDate,
    /// `X-Sdk-Date` is further from now than the allowed window.
    ClockSkew,
    /// A header named in `SignedHeaders` is not in the request.
    SignedHeaderMissing,
    /// The signature matches no configured key or auth token.
    SignatureMismatch,
    /// Twilio: a body neither form-encoded nor covered by a matching `bodySHA256`.
    BodyNotSigned,
    /// A signed Unix-seconds timestamp header (Sinch's, Telnyx's) that is not digits.
    MalformedTimestamp,
    /// A signature header that is not the Base64 of a signature (Telnyx's 64 bytes).
    MalformedSignature,
    /// The runtime could not run the signature check (WebCrypto threw): not verified.
    VerificationFailed,
}

impl AuthFailure {
    /// Every failure, once each: what the `401` row of the README lists.
    #[cfg(any(test, feature = "testing"))]
    pub const ALL: [AuthFailure; 17] = [
        AuthFailure::Token(TokenError::Missing),
        AuthFailure::Token(TokenError::Invalid),
        AuthFailure::MissingSignature,
        AuthFailure::UnsupportedAlgorithm,
        AuthFailure::MalformedAuthorization,
        AuthFailure::UnknownAccessKey,
        AuthFailure::XSdkDateNotSigned,
        AuthFailure::HostNotSigned,
        AuthFailure::ContentTypeNotSigned,
        AuthFailure::MalformedSdkDate,
        AuthFailure::ClockSkew,
        AuthFailure::SignedHeaderMissing,
        AuthFailure::SignatureMismatch,
        AuthFailure::BodyNotSigned,
        AuthFailure::MalformedTimestamp,
        AuthFailure::MalformedSignature,
        AuthFailure::VerificationFailed,
    ];

    /// The code sent in the `401` body and logged.
    pub fn code(self) -> &'static str {
        match self {
            AuthFailure::Token(TokenError::Missing) => "missing_token",
            AuthFailure::Token(TokenError::Invalid) => "invalid_token",
            AuthFailure::MissingSignature => "missing_signature",
            AuthFailure::UnsupportedAlgorithm => "unsupported_algorithm",
            AuthFailure::MalformedAuthorization => "malformed_authorization",
            AuthFailure::UnknownAccessKey => "unknown_access_key",
            AuthFailure::XSdkDateNotSigned => "x_sdk_date_not_signed",
            AuthFailure::HostNotSigned => "host_not_signed",
            AuthFailure::ContentTypeNotSigned => "content_type_not_signed",
            AuthFailure::MalformedSdkDate => "malformed_sdk_date",
            AuthFailure::ClockSkew => "clock_skew",
            AuthFailure::SignedHeaderMissing => "signed_header_missing",
            AuthFailure::SignatureMismatch => "signature_mismatch",
            AuthFailure::BodyNotSigned => "body_not_signed",
            AuthFailure::MalformedTimestamp => "malformed_timestamp",
            AuthFailure::MalformedSignature => "malformed_signature",
            AuthFailure::VerificationFailed => "verification_failed",
        }
    }
}

impl From<TokenError> for AuthFailure {
    fn from(error: TokenError) -> AuthFailure {
        AuthFailure::Token(error)
    }
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthFailure::Token(error) => write!(f, "the URL's token: {error}"),
            AuthFailure::MissingSignature => f.write_str("no signature"),
            AuthFailure::UnsupportedAlgorithm => f.write_str("not an SDK-HMAC-SHA256 signature"),
            AuthFailure::MalformedAuthorization => {
                f.write_str("the Authorization header is malformed")
            }
            AuthFailure::UnknownAccessKey => f.write_str("the access key is not configured"),
            AuthFailure::XSdkDateNotSigned => f.write_str("x-sdk-date is not signed"),
            AuthFailure::HostNotSigned => f.write_str("host is not signed"),
            AuthFailure::ContentTypeNotSigned => f.write_str("content-type is not signed"),
            AuthFailure::MalformedSdkDate => f.write_str("X-Sdk-Date is malformed"),
            AuthFailure::ClockSkew => f.write_str("X-Sdk-Date is outside the allowed window"),
            AuthFailure::SignedHeaderMissing => f.write_str("a signed header is missing"),
            AuthFailure::SignatureMismatch => f.write_str("the signature does not match"),
            AuthFailure::BodyNotSigned => f.write_str("the body is not signed"),
            AuthFailure::MalformedTimestamp => f.write_str("the signed timestamp is malformed"),
            AuthFailure::MalformedSignature => f.write_str("the signature is malformed"),
            AuthFailure::VerificationFailed => f.write_str("the signature could not be checked"),
        }
    }
}

impl std::error::Error for AuthFailure {}

/// Why a token was refused: a callback's URL token or the lookup's bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    Invalid,
}

impl TokenError {
    pub fn code(self) -> &'static str {
        AuthFailure::Token(self).code()
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Missing => "no token was given",
            TokenError::Invalid => "the token given is not the configured one",
        })
    }
}

impl std::error::Error for TokenError {}

#[cfg(any(test, feature = "testing"))]
impl Refusal {
    /// Every refusal the relay can answer with, each (status, code) pair at least once: every
    /// variant, with every [`AuthFailure`] and [`TokenError`], and every [`PayloadError`] a push
    /// can be answered with (a field name as an example where it carries one).
    pub fn all() -> Vec<Refusal> {
        let kinds = [
            Refusal::BodyUnreadable,
            Refusal::Unreadable(PayloadError::EmptyBatch),
            Refusal::InvalidCursor,
            Refusal::Unauthenticated(AuthFailure::MissingSignature),
            Refusal::ReadToken(TokenError::Missing),
            Refusal::IpNotAllowed,
            Refusal::NotFound,
            Refusal::NotEnabled,
            Refusal::MethodNotAllowed { allow: "POST" },
            Refusal::BodyTooLarge,
            Refusal::ConfigInvalid,
            Refusal::InternalError,
            Refusal::KvUnreadable,
            Refusal::KvUnavailable,
            Refusal::SinkUnavailable,
            Refusal::UnsignedCallback,
        ];
        // The match names every variant: one added to `Refusal` does not compile until it is
        // listed above and expanded here.
        kinds
            .into_iter()
            .flat_map(|kind| match kind {
                Refusal::Unreadable(_) => answered_payload_errors()
                    .into_iter()
                    .map(Refusal::Unreadable)
                    .collect(),
                Refusal::Unauthenticated(_) => AuthFailure::ALL
                    .into_iter()
                    .map(Refusal::Unauthenticated)
                    .collect(),
                Refusal::ReadToken(_) => [TokenError::Missing, TokenError::Invalid]
                    .into_iter()
                    .map(Refusal::ReadToken)
                    .collect(),
                single @ (Refusal::BodyUnreadable
                | Refusal::InvalidCursor
                | Refusal::IpNotAllowed
                | Refusal::NotFound
                | Refusal::NotEnabled
                | Refusal::MethodNotAllowed { .. }
                | Refusal::BodyTooLarge
                | Refusal::ConfigInvalid
                | Refusal::InternalError
                | Refusal::KvUnreadable
                | Refusal::KvUnavailable
                | Refusal::SinkUnavailable
                | Refusal::UnsignedCallback) => vec![single],
            })
            .collect()
    }
}

/// Every [`PayloadError`] a push can be refused with, one of each.
#[cfg(any(test, feature = "testing"))]
fn answered_payload_errors() -> Vec<PayloadError> {
    let every = [
        PayloadError::InvalidUtf8,
        PayloadError::DuplicateField("status".to_string()),
        PayloadError::MissingField("smsMsgId"),
        PayloadError::InvalidField("total"),
        PayloadError::MalformedJson,
        PayloadError::NotABatch,
        PayloadError::NotAnObject,
        PayloadError::EntryNotAnObject,
        PayloadError::UnexpectedBatchKeys,
        PayloadError::UnsupportedMediaType,
        PayloadError::TooManyFields,
        PayloadError::BatchTooLarge,
        PayloadError::EventTooLarge,
        PayloadError::EmptyBatch,
    ];
    every
        .into_iter()
        .filter(|error| match error {
            // Reasons of `unparsed` events only: a batch's entry that is not an object and its
            // unexpected keys leave the rest of the batch (and the answer) alone, and an event
            // too large for a sink is kept in pieces.
            PayloadError::EntryNotAnObject
            | PayloadError::UnexpectedBatchKeys
            | PayloadError::EventTooLarge => false,
            PayloadError::InvalidUtf8
            | PayloadError::DuplicateField(_)
            | PayloadError::MissingField(_)
            | PayloadError::InvalidField(_)
            | PayloadError::MalformedJson
            | PayloadError::NotABatch
            | PayloadError::NotAnObject
            | PayloadError::UnsupportedMediaType
            | PayloadError::TooManyFields
            | PayloadError::BatchTooLarge
            | PayloadError::EmptyBatch => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_the_code_and_the_field_and_headers_follow_the_content_type() {
        let reply = Refusal::Unreadable(PayloadError::MissingField("smsMsgId")).reply();
        assert_eq!((reply.status, reply.code), (400, "missing_field"));
        assert_eq!(
            reply.body,
            r#"{"error":"missing_field","field":"smsMsgId"}"#
        );
        let reply = Refusal::MethodNotAllowed { allow: "GET, HEAD" }.reply();
        assert_eq!(reply.body, r#"{"error":"method_not_allowed"}"#);
        assert_eq!(
            reply.headers,
            [
                ("content-type", "application/json".to_string()),
                ("allow", "GET, HEAD".to_string())
            ]
        );
    }
}
