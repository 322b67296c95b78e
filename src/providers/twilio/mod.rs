//! Twilio Programmable Messaging webhooks: status callbacks and inbound messages, each one
//! form-encoded message per request, and Event Streams deliveries (a JSON array of
//! CloudEvents) on the same routes, all authenticated by `X-Twilio-Signature` against the auth
//! tokens in `TWILIO_AUTH_TOKENS`. The protocol facts are in `docs/providers.md` §3.
//!
//! - [`signature`]: the signature and its verifier, over the URLs of [`url`] (ports and
//!   Node's legacy [`querystring`] re-encoding, as Twilio's Node helper tries them);
//! - [`normalize`]: Twilio's parameters onto the shared event model;
//! - [`event_streams`]: Event Streams' CloudEvents onto the same model.

pub mod event_streams;
pub mod normalize;
pub mod querystring;
pub mod settings;
pub mod signature;
pub mod url;

use super::common::{Authenticated, Callback, Push};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{AuthInfo, Ingested, Provider};
use crate::http::{PushRequest, Refusal};
use crate::payload::{json_array, parse_form, MediaType};
use crate::settings::{Reader, Secret};
use signature::{verify, SignatureError, SignedBody};

pub use settings::Settings;

/// The answer to an inbound message once stored: empty TwiML, so Twilio sends no reply.
pub const INBOUND_BODY: &str = "<Response/>";

/// Twilio Programmable Messaging in the provider registry.
pub struct Twilio;

/// The two webhook URLs Twilio posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/twilio/status`: a message's status callback.
    Status,
    /// `/twilio/inbound`: a message sent to one of the account's numbers.
    Inbound,
}

impl Descriptor for Twilio {
    const PROVIDER: Provider = Provider {
        name: "twilio",
        source: "urn:twilio:messaging",
        id_letter: b'w',
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
            answer: Answer {
                content_type: Some("text/xml"),
                body: INBOUND_BODY,
            },
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["TWILIO_AUTH_TOKENS"];
    const ENABLING: &'static [&'static str] = &["TWILIO_AUTH_TOKENS"];
    const ENABLED_BY: &'static str = "TWILIO_AUTH_TOKENS";
    const PATH_TOKEN: PathToken = PathToken::Never;
    /// Twilio publishes no source ranges for its Messaging webhooks (Event Streams' come from
    /// `35.90.102.128/25`, on the same routes) and signs every one.
    const IP_ALLOW_LIST: bool = false;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings::read(reader)
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.auth_tokens.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("TWILIO_AUTH_TOKENS", settings.auth_tokens.len())]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] =
        &[("TWILIO_AUTH_TOKENS", "12345,67890")];

    /// Signs the form, or the URL with `bodySHA256` for any other body, with the first token.
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        url: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) -> Option<Option<String>> {
        use signature::{form_params, sign};
        let Some(secret) = settings.auth_tokens.first() else {
            return Some(None);
        };
        let content_type = headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, value)| value.as_str());
        let params = if MediaType::from_content_type(content_type) == Some(MediaType::Form) {
            form_params(body).ok()?
        } else {
            url.push_str("?bodySHA256=");
            url.push_str(&crate::crypto::sha256_hex(body));
            Vec::new()
        };
        let signature = sign(secret.expose(), url, &params);
        headers.push(("x-twilio-signature".to_string(), signature));
        Some(None)
    }
}

/// Twilio, as its events name it.
pub const PROVIDER: Provider = Twilio::PROVIDER;

/// The proof that `request` carries a valid `X-Twilio-Signature` by one of `tokens`, over the
/// URL it arrived on and its body.
pub fn authenticate(
    request: &PushRequest<'_>,
    tokens: &[Secret],
) -> Result<Authenticated, SignatureError> {
    let body = match MediaType::from_content_type(request.header("content-type")) {
        Some(MediaType::Form) => SignedBody::Form(request.body),
        _ => SignedBody::Other(request.body),
    };
    let token_index = verify(
        request.header("x-twilio-signature"),
        request.url,
        body,
        tokens,
    )?;
    Ok(Authenticated::new(AuthInfo::Signature { token_index }))
}

/// Verifies a Twilio webhook's signature over the URL it arrived on and turns its form into
/// one event, or an Event Streams array into one event per element.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let request = callback.request;
    let proof = match authenticate(request, &settings.auth_tokens) {
        Ok(proof) => proof,
        Err(error) => return Ingested::refused(Refusal::Unauthenticated(error.failure())),
    };
    let push = Push::new::<Twilio>(endpoint, callback, proof);
    match push.media_type() {
        Some(MediaType::Form) => {
            let normalize = match endpoint {
                Endpoint::Status => normalize::status,
                Endpoint::Inbound => normalize::inbound,
            };
            push.single(parse_form(request.body), normalize)
        }
        // One sink may carry both kinds: each element is read by its type, on either route.
        Some(MediaType::Json) => push.batch(json_array(request.body), event_streams::event),
        None => push.unsupported_media_type(),
    }
}
