//! Telnyx Messaging (API v2) webhooks: `message.sent`, `message.finalized` and
//! `message.received`, one JSON event per request, signed with Ed25519 by the account's key
//! (`TELNYX_PUBLIC_KEYS`). The protocol facts are in `docs/providers.md`, "Telnyx".
//!
//! - [`signature`]: the headers, the replay window and the check the edge runs with WebCrypto;
//! - [`settings`]: the `TELNYX_PUBLIC_KEYS` setting;
//! - [`normalize`]: Telnyx's events onto the shared event model.

pub mod normalize;
pub mod settings;
pub mod signature;
#[cfg(any(test, feature = "testing"))]
pub mod test_key;

use super::common::{Authenticated, Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken, SignatureCheck, Verification};
use crate::event::{AuthInfo, Ingested, Provider};
use crate::http::{AuthFailure, Refusal};
use crate::payload::MediaType;
use crate::settings::Reader;

/// Telnyx Messaging in the provider registry.
pub struct Telnyx;

/// The one webhook URL Telnyx posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/telnyx/webhooks`: a messaging profile's (or a message's) webhook URL.
    Webhooks,
}

/// `TELNYX_PUBLIC_KEYS`: the account's Ed25519 public keys, raw, in the configured order.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Empty when unset.
    pub keys: Vec<[u8; 32]>,
}

impl Descriptor for Telnyx {
    const PROVIDER: Provider = Provider {
        name: "telnyx",
        source: "urn:telnyx:messaging",
        id_letter: b'x',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[EndpointSpec {
        endpoint: Endpoint::Webhooks,
        name: "webhooks",
        media_types: &[MediaType::Json],
        answer: Answer::EMPTY,
    }];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["TELNYX_PUBLIC_KEYS"];
    const ENABLING: &'static [&'static str] = &["TELNYX_PUBLIC_KEYS"];
    const ENABLED_BY: &'static str = "TELNYX_PUBLIC_KEYS";
    const PATH_TOKEN: PathToken = PathToken::Never;
    /// Every webhook is signed; Telnyx's source addresses are not relied on.
    const IP_ALLOW_LIST: bool = false;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            keys: reader
                .parse("TELNYX_PUBLIC_KEYS", settings::parse_public_keys)
                .unwrap_or_default(),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.keys.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("TELNYX_PUBLIC_KEYS", settings.keys.len())]
    }

    fn signature_check(
        _: Endpoint,
        callback: &Callback<'_>,
        settings: &Settings,
    ) -> Option<SignatureCheck> {
        signature::check(callback.request, &settings.keys, callback.now).ok()
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    /// RFC 8032's test-1 key first, test-2's second; pushes are signed with the first.
    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] = &[(
        "TELNYX_PUBLIC_KEYS",
        "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=,PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=",
    )];

    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        url: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) -> Option<Option<String>> {
        let now = crate::clock::Timestamp::from_unix_seconds(super::registry::TEST_RECEIVED);
        Self::authenticate_for_tests_at(settings, url, headers, body, now)
    }

    /// Signs as Telnyx does, at `now`, with RFC 8032's test-1 seed.
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests_at(
        _: &Settings,
        _: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
        now: crate::clock::Timestamp,
    ) -> Option<Option<String>> {
        use base64::Engine;
        let timestamp = now.unix_millis().div_euclid(1000).to_string();
        let mut message = timestamp.clone().into_bytes();
        message.push(b'|');
        message.extend_from_slice(body);
        let signed = test_key::sign_ed25519(&test_key::ED25519_TEST_SEED, &message);
        let signed = base64::engine::general_purpose::STANDARD.encode(signed);
        headers.push((signature::SIGNATURE.to_string(), signed));
        headers.push((signature::TIMESTAMP.to_string(), timestamp));
        Some(None)
    }
}

/// Telnyx, as its events name it.
pub const PROVIDER: Provider = Telnyx::PROVIDER;

/// Turns a webhook into events once the edge has verified its signature: the headers and the
/// clock are checked again here, and the proof is minted only from a [`Verification::Verified`]
/// result.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let request = callback.request;
    if let Err(failure) = signature::headers(request, callback.now) {
        return Ingested::refused(Refusal::Unauthenticated(failure));
    }
    let token_index = match callback.verification {
        Some(Verification::Verified(index)) if index < settings.keys.len() => {
            u8::try_from(index + 1).unwrap_or(u8::MAX)
        }
        Some(Verification::Failed) => {
            return Ingested::refused(Refusal::Unauthenticated(AuthFailure::VerificationFailed))
        }
        _ => return Ingested::refused(Refusal::Unauthenticated(AuthFailure::SignatureMismatch)),
    };
    let proof = Authenticated::new(AuthInfo::Signature { token_index });
    let push = Push::new::<Telnyx>(endpoint, callback, proof);
    if push.media_type() != Some(MediaType::Json) {
        return push.unsupported_media_type();
    }
    normalize::webhook(push, request.body)
}
