//! The request flow common to every provider, minus I/O: route → method → configuration →
//! allow-list → size, decided before the body is read ([`admit`]); then the provider's
//! `ingest` turns the body into events, and [`crate::sinks::Store`] stores them and picks the
//! answer.

mod exchange;
mod health;
pub mod lookup;

pub use exchange::Exchange;
pub use health::health;

use crate::config::Config;
pub use crate::event::Ingested;
use crate::http::{Refusal, Reply, TokenError};
use crate::providers::registry::PathToken;
use crate::providers::{Endpoint, NAMES};
use crate::sinks::Sink;
use std::fmt;

/// Where a request is going, from its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'p> {
    Health,
    /// `/v1/messages/<provider>/<message_id>`: the stored status reports of one message.
    Lookup {
        provider: &'static str,
        message_id: &'p str,
    },
    /// A callback; `token` is the optional last path segment (`/huawei/reports/<token>`).
    Callback {
        endpoint: Endpoint,
        token: Option<&'p str>,
    },
}

impl Route<'_> {
    /// The route's name in logs (never the token).
    pub fn name(&self) -> RouteName {
        match self {
            Route::Health => RouteName::Health,
            Route::Lookup { .. } => RouteName::Lookup,
            Route::Callback { endpoint, .. } => RouteName::Callback(*endpoint),
        }
    }
}

/// A route's name in logs: `healthz`, `lookup`, `<provider>/<endpoint>` or `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteName {
    Health,
    Lookup,
    Callback(Endpoint),
    Unknown,
}

impl fmt::Display for RouteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteName::Health => f.write_str("healthz"),
            RouteName::Lookup => f.write_str("lookup"),
            RouteName::Callback(endpoint) => endpoint.fmt(f),
            RouteName::Unknown => f.write_str("unknown"),
        }
    }
}

/// Matches `/healthz`, `/v1/messages/<provider>/<message_id>` and
/// `/<provider>/<endpoint>[/<token>][/]` for every provider in the
/// provider in the registry ([`crate::providers::NAMES`]).
pub fn route(path: &str) -> Option<Route<'_>> {
    if path == "/healthz" || path == "/healthz/" {
        return Some(Route::Health);
    }
    if let Some(rest) = path.strip_prefix("/v1/messages/") {
        let (provider, message_id) = rest.split_once('/')?;
        let provider = NAMES.iter().copied().find(|name| *name == provider)?;
        return (!message_id.is_empty() && !message_id.contains('/')).then_some(Route::Lookup {
            provider,
            message_id,
        });
    }
    let rest = path.strip_prefix('/')?;
    let (provider, rest) = rest.split_once('/')?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (name, token) = match rest.split_once('/') {
        Some((name, token)) if !token.is_empty() && !token.contains('/') => (name, Some(token)),
        Some(_) => return None,
        None => (rest, None),
    };
    let endpoint = Endpoint::named(provider, name)?;
    Some(Route::Callback { endpoint, token })
}

/// The first decision, made before the body is read.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission<'p> {
    /// Answer now (errors, health).
    Respond(Reply),
    /// Read the body (at most `max_body_bytes`) and call the endpoint's `ingest`.
    ReadBody {
        endpoint: Endpoint,
        token: Option<&'p str>,
    },
    /// The detailed `/healthz` with a spill bucket: list its oldest object, then answer.
    CheckSpill,
    /// List the KV keys under `prefix` (from `cursor`) and answer with [`lookup::Lookup`].
    LookUp {
        prefix: String,
        cursor: Option<String>,
    },
}

/// What [`admit`] looks at besides the path: no body, nothing that needs reading.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestHead<'h> {
    pub content_length: Option<&'h str>,
    /// `CF-Connecting-IP`: the client's address as Cloudflare saw it.
    pub client_ip: Option<&'h str>,
    /// `Authorization`, for the routes that take the read token.
    pub authorization: Option<&'h str>,
    /// The query string (without `?`): the lookup's `cursor`.
    pub query: &'h str,
}

/// Routes the request and refuses early what needs no body to refuse: unknown paths (`404`),
/// wrong methods (`405`), an invalid configuration (`500`), a client outside `ALLOWED_IPS`
/// (`403`) and a `Content-Length` over the limit (`413`), so an oversized body is never buffered.
pub fn admit<'p>(
    method: &str,
    path: &'p str,
    head: RequestHead<'_>,
    config: &Config,
) -> Admission<'p> {
    let Some(route) = route(path) else {
        return Admission::Respond(Refusal::NotFound.reply());
    };
    let (endpoint, token) = match route {
        Route::Health if method == "GET" || method == "HEAD" => {
            let detailed = config.access.reads(head.authorization);
            if detailed && config.sinks.spill {
                return Admission::CheckSpill;
            }
            return Admission::Respond(health(config, detailed));
        }
        Route::Health => {
            return Admission::Respond(Refusal::MethodNotAllowed { allow: "GET, HEAD" }.reply())
        }
        Route::Lookup { .. } if method != "GET" && method != "HEAD" => {
            return Admission::Respond(Refusal::MethodNotAllowed { allow: "GET, HEAD" }.reply())
        }
        Route::Lookup {
            provider,
            message_id,
        } => return look_up(provider, message_id, head, config),
        Route::Callback { endpoint, .. } if !endpoint.info().takes(method) => {
            let allow = endpoint.info().allow();
            return Admission::Respond(Refusal::MethodNotAllowed { allow }.reply());
        }
        Route::Callback { endpoint, token } => (endpoint, token),
    };
    if !config.is_valid() {
        return Admission::Respond(Refusal::ConfigInvalid.reply());
    }
    if !config.provider_enabled(endpoint.provider().name) {
        return Admission::Respond(Refusal::NotEnabled.reply());
    }
    // A provider that signs has no token in its URLs; a longer path is not one of its routes.
    if endpoint.info().path_token == PathToken::Never && token.is_some() {
        return Admission::Respond(Refusal::NotFound.reply());
    }
    if let Some(allowed) = config
        .access
        .allowed_ips
        .as_ref()
        .filter(|_| endpoint.info().ip_allow_list)
    {
        // Fail closed: without the header there is no address to admit.
        if !head.client_ip.is_some_and(|ip| allowed.allows(ip)) {
            return Admission::Respond(Refusal::IpNotAllowed.reply());
        }
    }
    let declared = head
        .content_length
        .and_then(|value| value.trim().parse::<u64>().ok());
    if method == "GET" && endpoint.info().probe {
        return Admission::Respond(endpoint.probe(token, &config.providers));
    }
    if declared.is_some_and(|length| length > config.limits.max_body_bytes as u64) {
        return Admission::Respond(Refusal::BodyTooLarge.reply());
    }
    Admission::ReadBody { endpoint, token }
}

/// The lookup's admission: enabled (a `READ_TOKEN` and the KV sink), the bearer token, a
/// message id a report could have.
fn look_up<'p>(
    provider: &str,
    message_id: &str,
    head: RequestHead<'_>,
    config: &Config,
) -> Admission<'p> {
    if config.access.read_token.is_none() || !config.sinks.enabled.contains(&Sink::Kv) {
        return Admission::Respond(Refusal::NotEnabled.reply());
    }
    if !config.access.reads(head.authorization) {
        let error = if head.authorization.is_some() {
            TokenError::Invalid
        } else {
            TokenError::Missing
        };
        return Admission::Respond(Refusal::ReadToken(error).reply());
    }
    let cursor = match lookup::cursor_param(head.query) {
        Ok(cursor) => cursor,
        Err(refusal) => return Admission::Respond(refusal.reply()),
    };
    match lookup::status_prefix(provider, message_id) {
        Some(prefix) => Admission::LookUp { prefix, cursor },
        None => Admission::Respond(Refusal::NotFound.reply()),
    }
}

/// A body being read chunk by chunk, refused as soon as it passes the limit, so a body
/// without a `Content-Length` (or with a false one) cannot make the isolate buffer more.
#[derive(Debug)]
pub struct BodyBuffer {
    limit: usize,
    bytes: Vec<u8>,
}

impl BodyBuffer {
    pub fn new(limit: usize) -> BodyBuffer {
        BodyBuffer {
            limit,
            bytes: Vec::new(),
        }
    }

    /// Appends one chunk; `413` once the body would pass the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Refusal> {
        if self.bytes.len().saturating_add(chunk.len()) > self.limit {
            return Err(Refusal::BodyTooLarge);
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_with_optional_token_and_trailing_slash() {
        use crate::providers::huawei;
        let reports = |token| {
            Some(Route::Callback {
                endpoint: Endpoint::Huawei(huawei::Endpoint::Reports),
                token,
            })
        };
        assert_eq!(route("/huawei/reports"), reports(None));
        assert_eq!(route("/huawei/reports/"), reports(None));
        assert_eq!(route("/huawei/reports/abc"), reports(Some("abc")));
        assert_eq!(route("/huawei/reports/abc/"), reports(Some("abc")));
        assert_eq!(
            route("/huawei/uplink"),
            Some(Route::Callback {
                endpoint: Endpoint::Huawei(huawei::Endpoint::Uplink),
                token: None
            })
        );
        assert_eq!(route("/healthz"), Some(Route::Health));
        assert_eq!(route("/elsewhere/reports"), None);
        for unknown in [
            "/",
            "",
            "/huawei",
            "/huawei/other",
            "/huawei/reports/a/b",
            "/huawei/reports//",
            "/x/huawei/reports",
        ] {
            assert_eq!(route(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn a_body_is_refused_as_soon_as_it_passes_the_limit() {
        let mut body = BodyBuffer::new(10);
        assert_eq!(body.push(b"12345"), Ok(()));
        assert_eq!(body.push(b"67890"), Ok(()));
        assert_eq!(body.push(b"1"), Err(Refusal::BodyTooLarge));
        assert_eq!(body.into_bytes(), b"1234567890");
    }
}
