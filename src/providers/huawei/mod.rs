//! Huawei Cloud SMS (MSGSMS) callbacks: status reports (one form body, or a JSON batch) and
//! uplink messages, authenticated by an SDK-HMAC-SHA256 signature, a URL token, or neither
//! (development). The protocol facts are in `docs/huawei-protocol.md`.
//!
//! - [`signing`]: the signature (header, canonical request, verifier, and a signer for tests);
//! - [`auth`]: which check applies under the configuration, and the `Authenticated` proof;
//! - [`batch`]: the `{"statusReportList": [...]}` body;
//! - [`normalize`] and [`status_codes`]: Huawei's fields onto the shared event model.

pub mod auth;
pub mod batch;
pub mod normalize;
pub mod signing;
pub mod status_codes;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::{unparsed, CloudEvent, Fallback, Ingested, Provider, Receipt};
use crate::http::{PushRequest, Reply};
use crate::payload::{entry_fields, parse_form, Fields, MediaType, PayloadError};

use auth::{authenticate, AuthError};
use batch::{parse_batch, Batch};
use std::ops::Range;

/// Huawei, as its events name it.
pub const PROVIDER: Provider = Provider {
    name: "huawei",
    source: "urn:huaweicloud:msgsms",
    id_letter: b'h',
};

/// The two callback URLs Huawei posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/huawei/reports`: single (form) or batch (JSON) status reports.
    Reports,
    /// `/huawei/uplink`: subscribers' replies (form).
    Uplink,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Reports => "reports",
            Endpoint::Uplink => "uplink",
        }
    }

    /// The endpoint named by the path segment after `/huawei/`.
    pub fn from_name(name: &str) -> Option<Endpoint> {
        match name {
            "reports" => Some(Endpoint::Reports),
            "uplink" => Some(Endpoint::Uplink),
            _ => None,
        }
    }
}

/// Authenticates a Huawei callback and turns its body into events. Input that authenticates
/// but cannot be read still becomes an `unparsed` event (answered `400` or `415` once stored).
pub fn ingest(
    endpoint: Endpoint,
    token: Option<&str>,
    request: &PushRequest<'_>,
    config: &Config,
    now: Timestamp,
) -> Ingested {
    if request.body.len() > config.limits.max_body_bytes {
        return Ingested::refused(Reply::error(413, "body_too_large"));
    }
    let authenticated = match authenticate(request, token, &config.auth, now) {
        Ok(authenticated) => authenticated,
        Err(AuthError::Unconfigured) => {
            return Ingested::refused(Reply::error(500, "config_invalid"))
        }
        Err(error) => return Ingested::refused(Reply::error(401, error.code())),
    };
    let receipt = Receipt::new(now, authenticated.info().clone());
    let content_type = request.header("content-type");
    let whole_body = |error: &PayloadError| {
        unparsed(
            PROVIDER,
            error,
            endpoint.name(),
            content_type,
            request.body,
            &receipt,
        )
    };
    let whole = 0..request.body.len();

    let (events, reply) = match (endpoint, MediaType::from_content_type(content_type)) {
        (Endpoint::Reports, Some(MediaType::Form)) => single(
            parse_form(request.body),
            normalize::status_report,
            &receipt,
            whole_body,
            whole,
        ),
        (Endpoint::Uplink, Some(MediaType::Form)) => single(
            parse_form(request.body),
            normalize::uplink,
            &receipt,
            whole_body,
            whole,
        ),
        (Endpoint::Reports, Some(MediaType::Json)) => match parse_batch(request.body) {
            Ok(batch) => (
                batch_events(batch, request.body, &receipt, whole_body),
                Reply::stored(),
            ),
            Err(error) => (
                vec![whole_body(&error)],
                Reply::field_error(400, error.code(), error.field()),
            ),
        },
        _ => {
            let error = PayloadError::UnsupportedMediaType;
            (vec![whole_body(&error)], Reply::error(415, error.code()))
        }
    };
    Ingested {
        events,
        reply,
        access_key: authenticated.access_key().map(str::to_string),
        fallback: Some(Fallback {
            provider: PROVIDER,
            endpoint: endpoint.name(),
            content_type: content_type.map(str::to_string),
            receipt,
        }),
    }
}

/// Where `part` (a slice borrowed from `whole`) sits in `whole`.
fn range_within(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

/// A form body that holds exactly one report or uplink.
fn single(
    fields: Result<Fields<'_>, PayloadError>,
    normalize: impl Fn(&Fields<'_>, &Receipt) -> Result<CloudEvent, PayloadError>,
    receipt: &Receipt,
    whole_body: impl Fn(&PayloadError) -> CloudEvent,
    origin: Range<usize>,
) -> (Vec<CloudEvent>, Reply) {
    match fields.and_then(|fields| normalize(&fields, receipt)) {
        Ok(mut event) => {
            event.origin = Some(origin);
            (vec![event], Reply::stored())
        }
        Err(error) => (
            vec![whole_body(&error)],
            Reply::field_error(400, error.code(), error.field()),
        ),
    }
}

/// One event per batch entry; an unreadable entry becomes an `unparsed` event holding that
/// entry's JSON, and the rest of the batch is unaffected.
fn batch_events(
    batch: Batch<'_>,
    body: &[u8],
    receipt: &Receipt,
    whole_body: impl Fn(&PayloadError) -> CloudEvent,
) -> Vec<CloudEvent> {
    let mut events: Vec<CloudEvent> = batch
        .entries
        .iter()
        .map(|entry| {
            let bytes = entry.get().as_bytes();
            let mut event = entry_fields(entry)
                .and_then(|fields| normalize::status_report(&fields, receipt))
                .unwrap_or_else(|error| {
                    let endpoint = Endpoint::Reports.name();
                    unparsed(
                        PROVIDER,
                        &error,
                        endpoint,
                        Some("application/json"),
                        bytes,
                        receipt,
                    )
                });
            event.origin = range_within(body, bytes);
            event
        })
        .collect();
    if batch.has_unexpected_keys {
        events.push(whole_body(&PayloadError::UnexpectedBatchKeys));
    }
    events
}
