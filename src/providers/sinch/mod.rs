//! Sinch SMS REST API callbacks: delivery reports and inbound (MO) messages, all posted as one
//! JSON object to the one callback URL of a service plan or batch, told apart by `type`, and
//! signed with the HMAC secrets of `SINCH_WEBHOOK_SECRETS` (`x-sinch-webhook-signature`). The
//! protocol facts are in `docs/providers.md`, "Sinch".
//!
//! - [`signature`]: the HMAC-SHA256 signature over body, nonce and timestamp;
//! - [`normalize`]: Sinch's bodies onto the shared event model.

pub mod normalize;
pub mod signature;

use super::common::{Authenticated, Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{AuthInfo, Ingested, Provider};
use crate::http::Refusal;
use crate::payload::MediaType;
use crate::settings::{parse_secret_list, Reader, Secret};

/// A service plan's HMAC secret, and another while it is rotated; more is a mistake.
pub const MAX_SINCH_SECRETS: usize = 4;

/// Sinch SMS in the provider registry.
pub struct Sinch;

/// The one callback URL Sinch posts every kind to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/sinch/callbacks`: delivery reports and inbound messages.
    Callbacks,
}

/// `SINCH_WEBHOOK_SECRETS`: the HMAC secrets Sinch signs callbacks with (comma-separated).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Empty when unset.
    pub secrets: Vec<Secret>,
}

impl Descriptor for Sinch {
    const PROVIDER: Provider = Provider {
        name: "sinch",
        source: "urn:sinch:sms",
        id_letter: b's',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[EndpointSpec {
        endpoint: Endpoint::Callbacks,
        name: "callbacks",
        media_types: &[MediaType::Json],
        answer: Answer::EMPTY,
    }];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["SINCH_WEBHOOK_SECRETS"];
    const ENABLING: &'static [&'static str] = &["SINCH_WEBHOOK_SECRETS"];
    const ENABLED_BY: &'static str = "SINCH_WEBHOOK_SECRETS";
    const PATH_TOKEN: PathToken = PathToken::Never;
    /// Sinch signs every callback (HMAC) and its SMS callbacks come from no range the relay
    /// relies on.
    const IP_ALLOW_LIST: bool = false;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            secrets: reader
                .parse("SINCH_WEBHOOK_SECRETS", |raw| {
                    parse_secret_list(raw, MAX_SINCH_SECRETS)
                })
                .unwrap_or_default(),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.secrets.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("SINCH_WEBHOOK_SECRETS", settings.secrets.len())]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] = &[(
        "SINCH_WEBHOOK_SECRETS",
        "sinch-test-secret-new,sinch-test-secret-old",
    )];

    /// Signs as Sinch does, with the first secret, a fixed nonce and the oracle's receive time.
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        _: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) -> Option<Option<String>> {
        let Some(secret) = settings.secrets.first() else {
            return Some(None);
        };
        let timestamp = super::registry::TEST_RECEIVED.to_string();
        let nonce = "01JHFFHWYY7HSS4FWTMDTQEK8V";
        let signed = signature::sign(secret.expose().as_bytes(), body, nonce, &timestamp);
        for (name, value) in [
            (signature::SIGNATURE, signed.as_str()),
            (signature::ALGORITHM, signature::HMAC_SHA256),
            (signature::NONCE, nonce),
            (signature::TIMESTAMP, timestamp.as_str()),
        ] {
            headers.push((name.to_string(), value.to_string()));
        }
        Some(None)
    }
}

/// Sinch, as its events name it.
pub const PROVIDER: Provider = Sinch::PROVIDER;

/// Verifies a callback's signature and turns its body into events.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let request = callback.request;
    let token_index = match signature::verify(request, &settings.secrets, callback.now) {
        Ok(index) => index,
        Err(failure) => return Ingested::refused(Refusal::Unauthenticated(failure)),
    };
    let proof = Authenticated::new(AuthInfo::Signature { token_index });
    let push = Push::new::<Sinch>(endpoint, callback, proof);
    if push.media_type() != Some(MediaType::Json) {
        return push.unsupported_media_type();
    }
    normalize::callback(push, request.body)
}
