//! Alibaba Cloud SMS (Dysmsapi) HTTP push: delivery receipts (`SmsReport`) and uplinks
//! (`SmsUp`), each a JSON array, authenticated by the `ALIBABA_TOKEN` path segment (Alibaba
//! documents no signature). Before accepting a URL, Alibaba's console probes it with a `GET`.
//! The protocol facts are in `docs/providers.md` §1.
//!
//! - [`normalize`]: Alibaba's fields onto the shared event model.

pub mod normalize;

use super::common::{check_token, token_push};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::{Ingested, Provider};
use crate::http::{PushRequest, Reply};
use crate::payload::{json_array_of, MediaType, PayloadError};

/// Most receipts (or uplinks) one push may carry. Alibaba documents no maximum ("a request may
/// hold several status reports"), and retries a refused push three times before dropping it,
/// so the relay takes as many as a Worker can store in one request: each becomes a queue
/// message (100 a `sendBatch`) and a KV write, and a Worker makes at most
/// [`crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION`] KV operations per invocation. A longer
/// array is kept whole as `unparsed` (`batch_too_large`).
pub const MAX_ALIBABA_ENTRIES: usize = crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION;

/// Alibaba Cloud, as its events name it.
pub const PROVIDER: Provider = Provider {
    name: "alibaba",
    source: "urn:alibabacloud:dysms",
    id_letter: b'a',
};

/// The answer Alibaba needs to count a push delivered: `code` 0 (`docs/providers.md` §1).
pub const STORED_BODY: &str = r#"{"code":0,"msg":"接收成功"}"#;
/// The answer to the console's `GET` probe, which must come within 700 ms.
pub const PROBE_BODY: &str = r#"{"code":0,"msg":"成功"}"#;

/// The two callback URLs Alibaba posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/alibaba/reports/<token>`: `SmsReport`, delivery receipts.
    Reports,
    /// `/alibaba/uplink/<token>`: `SmsUp`, subscribers' messages.
    Uplink,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Reports => "reports",
            Endpoint::Uplink => "uplink",
        }
    }

    pub fn from_name(name: &str) -> Option<Endpoint> {
        match name {
            "reports" => Some(Endpoint::Reports),
            "uplink" => Some(Endpoint::Uplink),
            _ => None,
        }
    }
}

fn answer(body: &str) -> Reply {
    Reply::json(200, "ok", body.to_string())
}

/// The answer to the console's `GET`: the probe body once the token is right, with no
/// storage work.
pub fn probe(token: Option<&str>, config: &Config) -> Reply {
    let Some(expected) = &config.providers.alibaba_token else {
        return Reply::error(404, "not_enabled");
    };
    match check_token(token, expected) {
        Ok(()) => answer(PROBE_BODY),
        Err(error) => error.reply(),
    }
}

/// Authenticates an Alibaba push and turns its array into one event per entry.
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
        config.providers.alibaba_token.as_ref(),
        token,
        request,
        config.limits.max_body_bytes,
        now,
    ) {
        Ok(push) => push,
        Err(reply) => return Ingested::refused(reply),
    };
    let normalize = match endpoint {
        Endpoint::Reports => normalize::report,
        Endpoint::Uplink => normalize::uplink,
    };
    if MediaType::from_content_type(push.content_type()) != Some(MediaType::Json) {
        return push.refused(415, &PayloadError::UnsupportedMediaType, None);
    }
    match json_array_of(request.body, MAX_ALIBABA_ENTRIES) {
        Ok(entries) => {
            let events = push.entries(&entries, normalize);
            push.ingested(events, answer(STORED_BODY), None)
        }
        Err(error) => push.refused(400, &error, None),
    }
}
