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

use super::common::{too_large, Push};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::{Ingested, Provider, Receipt};
use crate::http::{PushRequest, Reply};
use crate::payload::{parse_form, MediaType, PayloadError};

use auth::{authenticate, AuthError};
use batch::parse_batch;

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
    if let Some(reply) = too_large(request, config.limits.max_body_bytes) {
        return Ingested::refused(reply);
    }
    let authenticated = match authenticate(request, token, &config.auth, now) {
        Ok(authenticated) => authenticated,
        // Admission answers `404 not_enabled` first; this is only reached by a direct call.
        Err(AuthError::Unconfigured) => return Ingested::refused(Reply::error(404, "not_enabled")),
        Err(error) => return Ingested::refused(Reply::error(401, error.code())),
    };
    let access_key = authenticated.access_key().map(str::to_string);
    let push = Push {
        provider: PROVIDER,
        endpoint: endpoint.name(),
        request,
        receipt: Receipt::new(now, authenticated.info().clone()),
    };
    match (endpoint, MediaType::from_content_type(push.content_type())) {
        (Endpoint::Reports, Some(MediaType::Form)) => push.single(
            parse_form(request.body),
            normalize::status_report,
            Reply::stored(),
            access_key,
        ),
        (Endpoint::Uplink, Some(MediaType::Form)) => push.single(
            parse_form(request.body),
            normalize::uplink,
            Reply::stored(),
            access_key,
        ),
        (Endpoint::Reports, Some(MediaType::Json)) => match parse_batch(request.body) {
            Ok(batch) => {
                let mut events = push.entries(&batch.entries, normalize::status_report);
                if batch.has_unexpected_keys {
                    events.push(push.whole_body(&PayloadError::UnexpectedBatchKeys));
                }
                push.ingested(events, Reply::stored(), access_key)
            }
            Err(error) => push.refused(400, &error, access_key),
        },
        _ => push.refused(415, &PayloadError::UnsupportedMediaType, access_key),
    }
}
