//! Vonage SMS callbacks: SMS API delivery receipts and inbound messages (a `GET` with the
//! parameters in the query, a form `POST`, or a `POST` of one JSON object), signed with a
//! `sig` parameter once Vonage support enables signing for the API key, and Messages API
//! statuses and inbound messages (`POST` JSON) with an `Authorization: Bearer` JWT, on the
//! same two routes. `VONAGE_SIGNATURE_SECRETS` holds the signature secrets; `VONAGE_TOKEN`, a
//! URL token, authenticates API keys without signed webhooks. The protocol facts are in
//! `docs/providers.md`, "Vonage".
//!
//! - [`settings`]: the two settings; [`signature`]: `sig` and the JWT;
//! - [`normalize`]: both APIs' fields onto the shared event model.

pub mod normalize;
pub mod settings;
pub mod signature;

use super::common::{check_tokens, header, query_as_body, Authenticated, Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{AuthInfo, Ingested, Provider};
use crate::http::{AuthFailure, PushRequest, Refusal};
use crate::payload::{json_object, parse_form, Fields, MediaType, PayloadError};
use crate::settings::Reader;

pub use settings::Settings;

/// Vonage's SMS API and Messages API in the provider registry.
pub struct Vonage;

/// The two webhook URLs Vonage calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/vonage/status[/<token>]`: delivery receipts (SMS API), statuses (Messages API).
    Status,
    /// `/vonage/inbound[/<token>]`: messages to the account's numbers.
    Inbound,
}

impl Descriptor for Vonage {
    const PROVIDER: Provider = Provider {
        name: "vonage",
        source: "urn:vonage:sms",
        id_letter: b'n',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[
        EndpointSpec {
            endpoint: Endpoint::Status,
            name: "status",
            media_types: &[MediaType::Form, MediaType::Json],
            answer: Answer::EMPTY,
        },
        EndpointSpec {
            endpoint: Endpoint::Inbound,
            name: "inbound",
            media_types: &[MediaType::Form, MediaType::Json],
            answer: Answer::EMPTY,
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["VONAGE_SIGNATURE_SECRETS", "VONAGE_TOKEN"];
    const ENABLING: &'static [&'static str] = &["VONAGE_SIGNATURE_SECRETS", "VONAGE_TOKEN"];
    const ENABLED_BY: &'static str = "VONAGE_SIGNATURE_SECRETS (or VONAGE_TOKEN)";
    /// A token where the API key's webhooks are not signed, or besides the signature.
    const PATH_TOKEN: PathToken = PathToken::Optional;
    /// Vonage publishes the ranges its SMS webhooks come from.
    const IP_ALLOW_LIST: bool = true;
    const PROBE: bool = false;
    /// The dashboard's webhook format may be `GET`: the parameters are then the query.
    const QUERY_CALLBACKS: bool = true;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings::read(reader)
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.secrets.is_empty() || !settings.tokens.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![
            ("VONAGE_SIGNATURE_SECRETS", settings.secrets.len()),
            ("VONAGE_TOKEN", settings.tokens.len()),
        ]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] = &[
        (
            "VONAGE_SIGNATURE_SECRETS",
            "abcd1234:sha256:vonage-signature-secret-0123",
        ),
        ("VONAGE_TOKEN", "vonage-token-0123456789"),
    ];

    /// The URL token, and a Messages API JWT vouching for the body whatever it is (an SMS API
    /// `sig` would change the body).
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        _: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) -> Option<Option<String>> {
        if let Some((api_key, _, secret)) = settings
            .secrets
            .first()
            .and_then(|raw| settings::entry(raw.expose()))
        {
            let jwt = signature::sign_jwt(api_key, secret, body);
            headers.push(("authorization".to_string(), format!("Bearer {jwt}")));
        }
        Some(
            settings
                .tokens
                .first()
                .map(|token| token.expose().to_string()),
        )
    }
}

/// Vonage, as its events name it.
pub const PROVIDER: Provider = Vonage::PROVIDER;

/// Authenticates a Vonage callback and turns its parameters (a `GET`'s query, the form, the
/// JSON object) into one event.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let (request, get) = query_as_body(callback.request);
    let callback = Callback {
        request: &request,
        ..*callback
    };
    let media_type = match get {
        true => Some(MediaType::Form),
        false => MediaType::from_content_type(header(&request, "content-type")),
    };
    let read = match media_type {
        Some(MediaType::Form) => parse_form(request.body),
        Some(MediaType::Json) => json_object(request.body),
        None => Err(PayloadError::UnsupportedMediaType),
    };
    let proof = match authenticate(&request, callback.token, settings, read.as_ref().ok()) {
        Ok(proof) => proof,
        Err(refusal) => return Ingested::refused(refusal),
    };
    let normalize = match endpoint {
        Endpoint::Status => normalize::status,
        Endpoint::Inbound => normalize::inbound,
    };
    Push::new::<Vonage>(endpoint, &callback, proof).single(read, normalize)
}

/// The URL token when one is set, then a signature when secrets are: a Bearer JWT (Messages
/// API), else `sig` (SMS API). A Messages API callback without its JWT is answered `503`: Vonage
/// documents that one may come unsigned on its own failure, and retries a `5xx`.
pub fn authenticate(
    request: &PushRequest<'_>,
    token: Option<&str>,
    settings: &Settings,
    fields: Option<&Fields<'_>>,
) -> Result<Authenticated, Refusal> {
    let mut proof = Authenticated::new(AuthInfo::Token);
    if !settings.tokens.is_empty() {
        proof = check_tokens(token, &settings.tokens)
            .map_err(|error| Refusal::Unauthenticated(error.into()))?;
    }
    if settings.secrets.is_empty() {
        return Ok(proof);
    }
    let signer = match (header(request, "authorization"), fields) {
        (Some(authorization), _) => {
            signature::verify_jwt(authorization, request.body, &settings.secrets)
        }
        (None, Some(fields)) if fields.get("sig").is_some() => {
            signature::verify_sig(fields, &settings.secrets)
        }
        (None, Some(fields)) if normalize::messages_api(fields) => {
            return Err(Refusal::UnsignedCallback)
        }
        (None, _) => Err(AuthFailure::MissingSignature),
    };
    let (api_key, key_index) = signer.map_err(Refusal::Unauthenticated)?;
    Ok(Authenticated::new(AuthInfo::Aksk {
        access_key: api_key.into(),
        key_index,
    }))
}
