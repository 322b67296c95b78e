//! Plivo messaging callbacks: message status callbacks (the `url` of each sent message) and
//! inbound messages (an application's `message_url`), each a form `POST` or a `GET` with the
//! parameters in the query, signed with `X-Plivo-Signature-V3` (or the older V2) by the auth
//! tokens in `PLIVO_AUTH_TOKENS`. The protocol facts are in `docs/providers.md`, "Plivo".
//!
//! - [`signature`]: V3 (URL and parameters) and V2 (URL only), either account's header;
//! - [`normalize`]: Plivo's parameters onto the shared event model.

pub mod normalize;
pub mod signature;

use super::common::{query_as_body, Authenticated, Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{AuthInfo, Ingested, Provider};
use crate::http::Refusal;
use crate::payload::{parse_form, MediaType};

use crate::settings::{parse_auth_tokens, Reader, Secret};

/// Plivo in the provider registry.
pub struct Plivo;

/// The two callback URLs Plivo calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/plivo/status`: a message's status callback (its `url`).
    Status,
    /// `/plivo/inbound`: a message to one of the account's numbers (`message_url`).
    Inbound,
}

/// `PLIVO_AUTH_TOKENS`: the auth tokens a signature may be made with, empty when unset.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub auth_tokens: Vec<Secret>,
}

impl Descriptor for Plivo {
    const PROVIDER: Provider = Provider {
        name: "plivo",
        source: "urn:plivo:messaging",
        id_letter: b'p',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[
        EndpointSpec {
            endpoint: Endpoint::Status,
            name: "status",
            media_types: &[MediaType::Form],
            answer: Answer::EMPTY,
        },
        EndpointSpec {
            endpoint: Endpoint::Inbound,
            name: "inbound",
            media_types: &[MediaType::Form],
            answer: Answer::EMPTY,
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["PLIVO_AUTH_TOKENS"];
    const ENABLING: &'static [&'static str] = &["PLIVO_AUTH_TOKENS"];
    const ENABLED_BY: &'static str = "PLIVO_AUTH_TOKENS";
    const PATH_TOKEN: PathToken = PathToken::Never;
    /// Plivo signs every callback and its source addresses are not a published list.
    const IP_ALLOW_LIST: bool = false;
    const PROBE: bool = false;
    /// A callback's `method` may be `GET`: the parameters are then the query.
    const QUERY_CALLBACKS: bool = true;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            // The shared rule and messages of an auth-token list (as Twilio's).
            auth_tokens: reader
                .parse("PLIVO_AUTH_TOKENS", parse_auth_tokens)
                .unwrap_or_default(),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.auth_tokens.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("PLIVO_AUTH_TOKENS", settings.auth_tokens.len())]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] =
        &[("PLIVO_AUTH_TOKENS", "plivo-auth-token-1,plivo-auth-token-2")];

    /// Signs a form with V3 by the first token, any other body (which V3 would refuse) with
    /// V2, as Plivo's older callbacks are.
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        url: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) -> Option<Option<String>> {
        use signature::{base_url, sign, v3_data, V2_HEADERS, V3_HEADERS};
        let Some(token) = settings.auth_tokens.first() else {
            return Some(None);
        };
        let token = token.expose();
        let form = headers.iter().any(|(name, value)| {
            name == "content-type"
                && MediaType::from_content_type(Some(value)) == Some(MediaType::Form)
        });
        let nonce = "05429567804466091622";
        let (data, [own, _, nonce_header]) = match v3_data(url, body, nonce) {
            Ok(data) if form => (data, V3_HEADERS),
            _ => ([base_url(url), nonce].concat(), V2_HEADERS),
        };
        headers.push((own.to_string(), sign(token, &data)));
        headers.push((nonce_header.to_string(), nonce.to_string()));
        Some(None)
    }
}

/// Plivo, as its events name it.
pub const PROVIDER: Provider = Plivo::PROVIDER;

/// Verifies a Plivo callback's signature and turns its parameters (the form, or a `GET`'s
/// query) into one event.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let token_index = match signature::verify(callback.request, &settings.auth_tokens) {
        Ok(index) => index,
        Err(error) => return Ingested::refused(Refusal::Unauthenticated(error.failure())),
    };
    let proof = Authenticated::new(AuthInfo::Signature { token_index });
    let normalize = match endpoint {
        Endpoint::Status => normalize::status,
        Endpoint::Inbound => normalize::inbound,
    };
    let (request, get) = query_as_body(callback.request);
    let callback = Callback {
        request: &request,
        ..*callback
    };
    let push = Push::new::<Plivo>(endpoint, &callback, proof);
    if get || push.media_type() == Some(MediaType::Form) {
        push.single(parse_form(request.body), normalize)
    } else {
        push.unsupported_media_type()
    }
}
