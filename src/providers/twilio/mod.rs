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
pub mod signature;
pub mod url;

use super::common::{too_large, Push};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::{AuthInfo, Ingested, Provider, Receipt};
use crate::http::{PushRequest, Reply};
use crate::payload::{json_array, parse_form, MediaType, PayloadError};
use signature::{verify, SignedBody};

/// Twilio, as its events name it.
pub const PROVIDER: Provider = Provider {
    name: "twilio",
    source: "urn:twilio:messaging",
    id_letter: b'w',
};

/// The answer to an inbound message once stored: empty TwiML, so Twilio sends no reply.
pub const INBOUND_BODY: &str = "<Response/>";

/// The two webhook URLs Twilio posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/twilio/status`: a message's status callback.
    Status,
    /// `/twilio/inbound`: a message sent to one of the account's numbers.
    Inbound,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Status => "status",
            Endpoint::Inbound => "inbound",
        }
    }

    pub fn from_name(name: &str) -> Option<Endpoint> {
        match name {
            "status" => Some(Endpoint::Status),
            "inbound" => Some(Endpoint::Inbound),
            _ => None,
        }
    }
}

/// Verifies a Twilio webhook's signature over the URL it arrived on and turns its form into
/// one event, or an Event Streams array into one event per element.
pub fn ingest(
    endpoint: Endpoint,
    request: &PushRequest<'_>,
    config: &Config,
    now: Timestamp,
) -> Ingested {
    let tokens = &config.providers.twilio_auth_tokens;
    if tokens.is_empty() {
        return Ingested::refused(Reply::error(404, "not_enabled"));
    }
    if let Some(reply) = too_large(request, config.limits.max_body_bytes) {
        return Ingested::refused(reply);
    }
    let media_type = MediaType::from_content_type(request.header("content-type"));
    let body = match media_type {
        Some(MediaType::Form) => SignedBody::Form(request.body),
        _ => SignedBody::Other(request.body),
    };
    let token_index = match verify(
        request.header("x-twilio-signature"),
        request.url,
        body,
        tokens,
    ) {
        Ok(index) => index,
        Err(error) => return Ingested::refused(Reply::error(401, error.code())),
    };
    let push = Push {
        provider: PROVIDER,
        endpoint: endpoint.name(),
        request,
        receipt: Receipt::new(now, AuthInfo::Signature { token_index }),
    };
    let stored = match endpoint {
        Endpoint::Status => Reply::stored(),
        Endpoint::Inbound => Reply {
            status: 200,
            code: "ok",
            headers: vec![("content-type", "text/xml".to_string())],
            body: INBOUND_BODY.to_string(),
        },
    };
    match media_type {
        Some(MediaType::Form) => {
            let normalize = match endpoint {
                Endpoint::Status => normalize::status,
                Endpoint::Inbound => normalize::inbound,
            };
            push.single(parse_form(request.body), normalize, stored, None)
        }
        // One sink may carry both kinds: each element is read by its type, on either route.
        Some(MediaType::Json) => match json_array(request.body) {
            Ok(elements) => {
                let events = push.entries(&elements, event_streams::event);
                push.ingested(events, stored, None)
            }
            Err(error) => push.refused(400, &error, None),
        },
        None => push.refused(415, &PayloadError::UnsupportedMediaType, None),
    }
}
