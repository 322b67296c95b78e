//! Yunpian (云片) SMS pushes: status reports (推送状态报告, form field `sms_status` holding a
//! URL-encoded JSON array of at most 100) and replies (推送回复短信, form field `sms_reply`
//! holding one URL-encoded JSON object), authenticated by the `YUNPIAN_TOKEN` path segment;
//! replies also by their `_sign` when `YUNPIAN_APIKEYS` is set. The protocol facts are in
//! `docs/providers.md`, "Yunpian".
//!
//! - [`signature`]: a reply's `_sign`;
//! - [`normalize`]: Yunpian's fields onto the shared event model.

pub mod normalize;
pub mod signature;

use super::common::{check_tokens, Authenticated, Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{AuthInfo, CloudEvent, Ingested, Provider, Receipt};
use crate::http::{AuthFailure, Refusal};
use crate::payload::{json_array, json_object, parse_form, percent};
use crate::payload::{FieldValue, Fields, MediaType, PayloadError};
use crate::settings::{parse_token_list, Reader, Secret};
use std::borrow::Cow;

/// What Yunpian needs to count a push delivered: the text `SUCCESS` (or `0`); anything else
/// is retried, status reports three times 5 minutes apart, replies five times a minute apart.
pub const STORED_BODY: &str = "SUCCESS";

const ANSWER: Answer = Answer {
    content_type: Some("text/plain"),
    body: STORED_BODY,
};

/// Yunpian in the provider registry.
pub struct Yunpian;

/// The two URLs Yunpian pushes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/yunpian/reports/<token>`: status reports, form field `sms_status`.
    Reports,
    /// `/yunpian/replies/<token>`: one reply, form field `sms_reply`.
    Replies,
}

impl Endpoint {
    /// The form field that holds the push's JSON.
    fn field(self) -> &'static str {
        match self {
            Endpoint::Reports => "sms_status",
            Endpoint::Replies => "sms_reply",
        }
    }
}

/// `YUNPIAN_TOKEN` (the secret last path segment, `OLD,NEW` while the URLs change) and
/// `YUNPIAN_APIKEYS` (the account's apikey, `OLD,NEW` during a rotation: when set, a reply
/// needs a `_sign` by one of them; it takes effect with `YUNPIAN_TOKEN`). Empty when unset.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub tokens: Vec<Secret>,
    pub apikeys: Vec<Secret>,
}

impl Descriptor for Yunpian {
    const PROVIDER: Provider = Provider {
        name: "yunpian",
        source: "urn:yunpian:sms",
        id_letter: b'y',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[
        EndpointSpec {
            endpoint: Endpoint::Reports,
            name: "reports",
            media_types: &[MediaType::Form],
            answer: ANSWER,
        },
        EndpointSpec {
            endpoint: Endpoint::Replies,
            name: "replies",
            media_types: &[MediaType::Form],
            answer: ANSWER,
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["YUNPIAN_TOKEN", "YUNPIAN_APIKEYS"];
    const ENABLING: &'static [&'static str] = &["YUNPIAN_TOKEN"];
    const ENABLED_BY: &'static str = "YUNPIAN_TOKEN";
    const PATH_TOKEN: PathToken = PathToken::Required;
    /// Status reports are unsigned and Yunpian publishes no addresses: `ALLOWED_IPS` applies.
    const IP_ALLOW_LIST: bool = true;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            tokens: reader
                .parse("YUNPIAN_TOKEN", parse_token_list)
                .unwrap_or_default(),
            apikeys: reader
                .parse("YUNPIAN_APIKEYS", parse_token_list)
                .unwrap_or_default(),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.tokens.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![
            ("YUNPIAN_TOKEN", settings.tokens.len()),
            ("YUNPIAN_APIKEYS", settings.apikeys.len()),
        ]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    /// Without `YUNPIAN_APIKEYS`: a test push cannot carry a `_sign` over a body it did not
    /// write, so replies are authenticated by the token alone here (tests that sign set it).
    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] =
        &[("YUNPIAN_TOKEN", "yunpian-token-0123456789")];

    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        _: &mut String,
        _: &mut Vec<(String, String)>,
        _: &[u8],
    ) -> Option<Option<String>> {
        super::common::test_token(settings.tokens.first())
    }
}

/// Yunpian, as its events name it.
pub const PROVIDER: Provider = Yunpian::PROVIDER;

/// The JSON a Yunpian form carries in `field`: form-decoded, and percent-decoded once more
/// when it was encoded twice (it then does not start with `[` or `{`); and whether the form
/// had other fields.
pub fn form_json<'b>(
    body: &'b [u8],
    field: &'static str,
) -> Result<(Cow<'b, str>, bool), PayloadError> {
    let fields = parse_form(body)?;
    let others = fields.len() > 1;
    let value = match fields.get(field) {
        Some(FieldValue::Text(value)) if !value.is_empty() => value.clone(),
        _ => return Err(PayloadError::MissingField(field)),
    };
    let json = value
        .bytes()
        .find(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'));
    if matches!(json, Some(b'[' | b'{')) {
        return Ok((value, others));
    }
    let decoded = String::from_utf8(percent::decode(value.as_bytes(), true))
        .map_err(|_| PayloadError::InvalidUtf8)?;
    Ok((Cow::Owned(decoded), others))
}

/// How a status report and a reply are read: as function pointers, the push's batch and
/// single readers are the ones other providers already use.
type Normalize = fn(&Fields<'_>, &Receipt) -> Result<CloudEvent, PayloadError>;
const REPORT: Normalize = normalize::report;
const REPLY: Normalize = normalize::reply;

/// Authenticates a Yunpian push and turns it into events, answered `SUCCESS` once stored.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let body = callback.request.body;
    let read = match MediaType::from_content_type(callback.request.header("content-type")) {
        Some(MediaType::Form) => form_json(body, endpoint.field()),
        _ => Err(PayloadError::UnsupportedMediaType),
    };
    let reply = match (endpoint, &read) {
        (Endpoint::Replies, Ok((json, _))) => Some(json_object(json.as_bytes())),
        _ => None,
    };
    let proof = match check_tokens(callback.token, &settings.tokens) {
        Ok(proof) if endpoint == Endpoint::Reports || settings.apikeys.is_empty() => Ok(proof),
        Ok(_) => match &reply {
            Some(Ok(fields)) => signature::verify(fields, &settings.apikeys)
                .map(|index| Authenticated::new(AuthInfo::Signature { token_index: index }))
                .map_err(signature::SignatureError::failure),
            _ => Err(AuthFailure::MissingSignature),
        },
        Err(error) => Err(error.into()),
    };
    let proof = match proof {
        Ok(proof) => proof,
        Err(failure) => return Ingested::refused(Refusal::Unauthenticated(failure)),
    };
    let push = Push::new::<Yunpian>(endpoint, callback, proof);
    // A form with fields besides the documented one is also kept whole, so nothing is lost.
    let kept =
        matches!(read, Ok((_, true))).then(|| push.whole_body(&PayloadError::UnexpectedBatchKeys));
    let mut ingested = match (reply, &read) {
        (Some(fields), _) => push.single(fields, REPLY),
        (None, Ok((json, _))) => push.batch(json_array(json.as_bytes()), REPORT),
        (None, Err(error)) => push.refused(error.clone()),
    };
    // An event read out of the decoded form is backed by the whole body, should it be too
    // large for a sink.
    for event in &mut ingested.events {
        event.origin.get_or_insert(0..body.len());
    }
    ingested.events.extend(kept);
    ingested
}
