//! Huawei Cloud SMS (MSGSMS) callbacks: status reports (one form body, or a JSON batch) and
//! uplink messages, authenticated by an SDK-HMAC-SHA256 signature, a URL token, or neither
//! (development). The protocol facts are in `docs/huawei-protocol.md`.
//!
//! - [`signing`]: the signature (header, canonical request, verifier, and a signer for tests);
//! - [`settings`]: its settings, and [`auth`]: which check they call for;
//! - [`batch`]: the `{"statusReportList": [...]}` body;
//! - [`normalize`] and [`status_codes`]: Huawei's fields onto the shared event model.

pub mod auth;
pub mod batch;
pub mod normalize;
pub mod settings;
pub mod signing;
pub mod status_codes;

use super::common::{Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{Ingested, Provider};
use crate::payload::{parse_form, MediaType, PayloadError};
use crate::settings::Reader;

pub use settings::{AuthMode, Settings};

use auth::authenticate;
use batch::parse_batch;

/// Huawei Cloud SMS in the provider registry.
pub struct Huawei;

/// The two callback URLs Huawei posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/huawei/reports`: single (form) or batch (JSON) status reports.
    Reports,
    /// `/huawei/uplink`: subscribers' replies (form).
    Uplink,
}

impl Descriptor for Huawei {
    const PROVIDER: Provider = Provider {
        name: "huawei",
        source: "urn:huaweicloud:msgsms",
        id_letter: b'h',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[
        EndpointSpec {
            endpoint: Endpoint::Reports,
            name: "reports",
            media_types: &[MediaType::Form, MediaType::Json],
            answer: Answer::EMPTY,
        },
        EndpointSpec {
            endpoint: Endpoint::Uplink,
            name: "uplink",
            media_types: &[MediaType::Form],
            answer: Answer::EMPTY,
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &[
        "HUAWEI_PUSH_KEYS",
        "INGEST_TOKEN",
        "ALLOW_UNSIGNED",
        "MAX_CLOCK_SKEW_SECS",
    ];
    const ENABLING: &'static [&'static str] =
        &["HUAWEI_PUSH_KEYS", "INGEST_TOKEN", "ALLOW_UNSIGNED"];
    const ENABLED_BY: &'static str =
        "HUAWEI_PUSH_KEYS (or INGEST_TOKEN, or ALLOW_UNSIGNED=true for local development)";
    const PATH_TOKEN: PathToken = PathToken::Optional;
    const IP_ALLOW_LIST: bool = true;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings::read(reader)
    }

    fn enabled(settings: &Settings) -> bool {
        settings.mode() != AuthMode::Unconfigured
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![
            ("HUAWEI_PUSH_KEYS", settings.keys.len()),
            ("INGEST_TOKEN", usize::from(settings.ingest_token.is_some())),
        ]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] = &[("ALLOW_UNSIGNED", "true")];

    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        _: &Settings,
        _: &mut String,
        _: &mut Vec<(String, String)>,
        _: &[u8],
    ) -> Option<Option<String>> {
        // `ALLOW_UNSIGNED=true`: every push authenticates.
        Some(None)
    }
}

/// Huawei, as its events name it.
pub const PROVIDER: Provider = Huawei::PROVIDER;

/// Authenticates a Huawei callback and turns its body into events. Input that authenticates
/// but cannot be read still becomes an `unparsed` event (answered `400` or `415` once stored).
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let request = callback.request;
    let proof = match authenticate(request, callback.token, settings, callback.now) {
        Ok(proof) => proof,
        Err(error) => return Ingested::refused(error.refusal()),
    };
    let push = Push::new::<Huawei>(endpoint, callback, proof);
    match (endpoint, push.media_type()) {
        (Endpoint::Reports, Some(MediaType::Form)) => {
            push.single(parse_form(request.body), normalize::status_report)
        }
        (Endpoint::Uplink, Some(MediaType::Form)) => {
            push.single(parse_form(request.body), normalize::uplink)
        }
        (Endpoint::Reports, Some(MediaType::Json)) => match parse_batch(request.body) {
            Ok(batch) => {
                let mut events = push.entries(&batch.entries, normalize::status_report);
                if batch.has_unexpected_keys {
                    events.push(push.whole_body(&PayloadError::UnexpectedBatchKeys));
                }
                push.stored(events)
            }
            Err(error) => push.refused(error),
        },
        _ => push.unsupported_media_type(),
    }
}
