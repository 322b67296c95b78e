//! Tencent Cloud SMS callbacks: status reports (a JSON array of at most 100) and replies (one
//! JSON object), authenticated by the `TENCENT_TOKEN` path segment (Tencent documents no
//! signature). The protocol facts are in `docs/providers.md` §2.
//!
//! - [`normalize`]: Tencent's fields onto the shared event model.

pub mod normalize;

use super::common::token_push;
use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::{Ingested, Provider};
use crate::http::{PushRequest, Reply};
use crate::payload::{json_array, json_object, MediaType, PayloadError};

/// Tencent Cloud, as its events name it.
pub const PROVIDER: Provider = Provider {
    name: "tencent",
    source: "urn:tencentcloud:sms",
    id_letter: b't',
};

/// The answer Tencent needs to count a push delivered (`docs/providers.md` §2).
pub const STORED_BODY: &str = r#"{"result":0,"errmsg":"OK"}"#;

/// The two callback URLs Tencent posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/tencent/reports/<token>`: delivery status reports, an array.
    Reports,
    /// `/tencent/replies/<token>`: one subscriber's reply.
    Replies,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Reports => "reports",
            Endpoint::Replies => "replies",
        }
    }

    pub fn from_name(name: &str) -> Option<Endpoint> {
        match name {
            "reports" => Some(Endpoint::Reports),
            "replies" => Some(Endpoint::Replies),
            _ => None,
        }
    }
}

/// Authenticates a Tencent push and turns it into events.
pub fn ingest(
    endpoint: Endpoint,
    token: Option<&str>,
    request: &PushRequest<'_>,
    config: &Config,
    now: Timestamp,
) -> Ingested {
    let push = match token_push(
        PROVIDER,
        endpoint.name(),
        config.providers.tencent_token.as_ref(),
        token,
        request,
        config.limits.max_body_bytes,
        now,
    ) {
        Ok(push) => push,
        Err(reply) => return Ingested::refused(reply),
    };
    if MediaType::from_content_type(push.content_type()) != Some(MediaType::Json) {
        return push.refused(415, &PayloadError::UnsupportedMediaType, None);
    }
    let stored = Reply::json(200, "ok", STORED_BODY.to_string());
    match endpoint {
        Endpoint::Reports => match json_array(request.body) {
            Ok(entries) => {
                let events = push.entries(&entries, normalize::report);
                push.ingested(events, stored, None)
            }
            Err(error) => push.refused(400, &error, None),
        },
        Endpoint::Replies => push.single(json_object(request.body), normalize::reply, stored, None),
    }
}
